#include "execution/ledger.h"

#include <algorithm>

#include "types/assert.h"

namespace hyperscale::execution {

namespace {

template <class F>
void for_each_tx(const types::BlockBody& body, F&& f) {
  for (const auto* section : {&body.retry_txs, &body.priority_txs, &body.txs})
    for (const auto& tx : *section)
      f(tx);
}

}  // namespace

std::vector<types::StateEntry> block_writes(const types::Block& block, types::ShardId shard,
                                            std::uint32_t num_shards) {
  return block_writes(block.body().certificates, shard, num_shards);
}

std::vector<types::StateEntry> block_writes(
    std::span<const types::TransactionCertificateRef> certificates, types::ShardId shard,
    std::uint32_t num_shards) {
  std::vector<types::StateEntry> out;
  for (const auto& cert : certificates) {
    if (cert->decision() != types::Decision::kAccept) continue;
    for (const auto& sc : cert->shard_certificates) {
      if (sc.content.shard != shard) continue;
      for (const auto& w : sc.writes)
        if (types::shard_of(w.key.node, num_shards) == shard) out.push_back(w);
    }
  }
  std::sort(out.begin(), out.end(),
            [](const types::StateEntry& a, const types::StateEntry& b) { return a.key < b.key; });
  for (std::size_t i = 1; i < out.size(); ++i)
    HS_ASSERT_MSG(out[i - 1].key != out[i].key, "two outcomes of one block write one substate");
  return out;
}

BlockEffects ExecutionLedger::commit(const types::Block& block) {
  HS_ASSERT(block.header().height > height_ || (height_ == 0 && block.header().height == 0));
  height_ = block.header().height;
  BlockEffects fx;
  fx.height = height_;
  for (const auto& cert : block.body().certificates) {
    auto it = pending_.find(cert->tx_hash);
    HS_ASSERT_MSG(it != pending_.end(), "an outcome for a transaction not pending here");
    locks_.unlock(it->first, it->second.local);
    fx.finished.push_back({cert->tx_hash, cert->decision()});
    pending_.erase(it);
  }
  for_each_tx(block.body(), [&](const types::TransactionRef& tx) {
    PendingTx p{tx, local_access(tx->access(), shard_, num_shards_), height_};
    locks_.lock(tx->hash(), p.local);
    bool inserted = pending_.emplace(tx->hash(), std::move(p)).second;
    HS_ASSERT_MSG(inserted, "a transaction ordered twice");
    fx.ordered.push_back(tx);
  });
  fx.writes = block_writes(block, shard_, num_shards_);
  return fx;
}

types::Bytes encode_ledger_entry(const PendingTx& pending) {
  types::Writer w;
  w.u64(pending.ordered_height);
  write(w, pending.tx);
  return std::move(w).take();
}

types::DecodeResult<PendingTx> decode_ledger_entry(const types::Hash& key, types::ByteSpan value,
                                                   types::ShardId shard, std::uint32_t num_shards) {
  types::Reader r(value);
  PendingTx p;
  p.ordered_height = r.u64();
  if (r.ok() && p.ordered_height == 0)
    r.fail(types::DecodeErrorCode::kInvalidValue, "ledger entry ordered at genesis");
  read(r, p.tx);
  if (r.ok() && r.remaining() != 0)
    r.fail(types::DecodeErrorCode::kTrailingBytes, "trailing bytes after ledger entry");
  if (r.ok() && p.tx->hash() != key)
    r.fail(types::DecodeErrorCode::kHashMismatch, "ledger entry's transaction is not its key");
  if (!r.ok()) return std::unexpected(r.error());
  p.local = local_access(p.tx->access(), shard, num_shards);
  return p;
}

std::expected<ExecutionLedger, std::string> ExecutionLedger::restore(
    types::ShardId shard, std::uint32_t num_shards, types::BlockHeight height,
    std::span<const std::pair<types::Hash, types::Bytes>> entries) {
  ExecutionLedger ledger(shard, num_shards);
  ledger.height_ = height;
  for (const auto& [key, value] : entries) {
    auto name = [&key] { return "ledger entry " + key.hex().substr(0, 16) + ": "; };
    auto p = decode_ledger_entry(key, value, shard, num_shards);
    if (!p) return std::unexpected(name() + p.error().message());
    if (p->ordered_height > height)
      return std::unexpected(name() + "ordered at height " + std::to_string(p->ordered_height) +
                             ", above the committed height " + std::to_string(height));
    if (ledger.pending_.contains(key)) return std::unexpected(name() + "stored twice");
    if (!ledger.locks_.can_lock(p->local))
      return std::unexpected(name() + "its locks conflict with another unfinished transaction's");
    ledger.locks_.lock(key, p->local);
    ledger.pending_.emplace(key, std::move(*p));
  }
  return ledger;
}

std::vector<std::pair<types::Hash, types::Bytes>> ExecutionLedger::entries() const {
  std::vector<std::pair<types::Hash, types::Bytes>> out;
  out.reserve(pending_.size());
  for (const auto& [hash, p] : pending_)
    out.emplace_back(hash, encode_ledger_entry(p));
  return out;
}

bool ExecutionLedger::same_as(const ExecutionLedger& other) const {
  if (height_ != other.height_ || shard_ != other.shard_ || num_shards_ != other.num_shards_ ||
      pending_.size() != other.pending_.size() || !(locks_ == other.locks_))
    return false;
  return std::equal(pending_.begin(), pending_.end(), other.pending_.begin(),
                    [](const auto& a, const auto& b) {
                      return a.first == b.first && a.second.tx->hash() == b.second.tx->hash() &&
                             a.second.ordered_height == b.second.ordered_height &&
                             a.second.local == b.second.local;
                    });
}

AsOfParent::AsOfParent(const ExecutionLedger& ledger, std::span<const types::BlockRef> ancestors)
    : ledger_(ledger) {
  for (const auto& block : ancestors) {
    for (const auto& cert : block->body().certificates) {
      if (auto it = ordered_.find(cert->tx_hash); it != ordered_.end()) {
        ordered_locks_.unlock(it->first, it->second.local);
        ordered_.erase(it);
      } else if (ledger.pending(cert->tx_hash) && !finished_.contains(cert->tx_hash)) {
        finished_.insert(cert->tx_hash);
      } else {
        broken_ = true;
      }
    }
    for_each_tx(block->body(), [&](const types::TransactionRef& tx) {
      PendingTx p{tx, local_access(tx->access(), ledger.shard(), ledger.num_shards()),
                  block->header().height};
      // Ancestors passed these rules when they were voted; a conflict here
      // means a certified block broke them.
      if (!can_lock(p.local) || unfinished(tx->hash())) {
        broken_ = true;
        return;
      }
      ordered_locks_.lock(tx->hash(), p.local);
      ordered_.emplace(tx->hash(), std::move(p));
    });
  }
}

const PendingTx* AsOfParent::unfinished(const types::Hash& tx_hash) const {
  if (auto it = ordered_.find(tx_hash); it != ordered_.end()) return &it->second;
  if (finished_.contains(tx_hash)) return nullptr;
  return ledger_.pending(tx_hash);
}

bool AsOfParent::can_lock(const types::DeclaredAccess& local) const {
  auto released = [this](const types::Hash& tx) { return finished_.contains(tx); };
  return ledger_.locks().can_lock(local, released) && ordered_locks_.can_lock(local);
}

}  // namespace hyperscale::execution
