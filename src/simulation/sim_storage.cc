#include "simulation/sim_storage.h"

#include <algorithm>

#include "types/assert.h"
#include "types/limits.h"

namespace hyperscale::simulation {

SimStorage::SimStorage(types::BlockRef genesis,
                       std::shared_ptr<const std::vector<types::StateEntry>> genesis_state)
    : genesis_state_(std::move(genesis_state)) {
  auto qc = types::QuorumCertificate::genesis(genesis->header().shard, genesis->hash());
  committed_.emplace(0, core::CertifiedBlock{std::move(genesis), qc});
}

void SimStorage::store_certified(const types::BlockRef& block, const types::QuorumCertificate& qc) {
  if (block->header().height > committed_height())
    certified_.emplace(block->hash(), core::CertifiedBlock{block, qc});
}

void SimStorage::commit(const types::BlockRef& block, const types::QuorumCertificate& qc,
                        const core::LeaderRecord& record, const core::ExecutionWrites& execution) {
  HS_ASSERT(record.hash == block->hash());
  records_.insert_or_assign(block->header().height, record);
  const auto& tip = committed_.rbegin()->second.block;
  HS_ASSERT_MSG(block->header().height == tip->header().height + 1 &&
                    block->header().parent_hash == tip->hash(),
                "storage commit does not extend the committed tip");
  committed_.emplace(block->header().height, core::CertifiedBlock{block, qc});
  auto h = block->header().height;
  std::erase_if(certified_, [&](const auto& kv) { return kv.second.block->header().height <= h; });
  for (const auto& w : execution.state)
    state_writes_.insert_or_assign(w.key, w.value);
  for (const auto& tx : execution.ledger_erase)
    ledger_.erase(tx);
  for (const auto& [tx, entry] : execution.ledger_put)
    ledger_.insert_or_assign(tx, entry);
}

execution::PersistedExecution SimStorage::recover_execution() const {
  execution::PersistedExecution p;
  const auto& tip = committed_.rbegin()->second.block->header();
  p.height = tip.height;
  p.state_root = tip.state_root;
  // Genesis entries merged with the writes since, in key order.
  static const std::vector<types::StateEntry> kNone;
  const auto& genesis = genesis_state_ ? *genesis_state_ : kNone;
  auto w = state_writes_.begin();
  for (const auto& g : genesis) {
    for (; w != state_writes_.end() && w->first < g.key; ++w)
      if (w->second) p.state.push_back({w->first, w->second});
    if (w != state_writes_.end() && w->first == g.key) {
      if (w->second) p.state.push_back({w->first, w->second});
      ++w;
    } else {
      p.state.push_back(g);
    }
  }
  for (; w != state_writes_.end(); ++w)
    if (w->second) p.state.push_back({w->first, w->second});
  p.ledger.assign(ledger_.begin(), ledger_.end());
  return p;
}

void SimStorage::corrupt_ledger_for_test(const types::Hash& tx_hash, types::Bytes value) {
  ledger_.insert_or_assign(tx_hash, std::move(value));
}

std::vector<types::Hash> SimStorage::ledger_keys() const {
  std::vector<types::Hash> out;
  for (const auto& [k, v] : ledger_)
    out.push_back(k);
  return out;
}

bft::RecoveredState SimStorage::recover() const {
  bft::RecoveredState r;
  if (safety_) r.safety = *safety_;
  const auto& tip = committed_.rbegin()->second;
  r.committed_tip = tip.block;
  r.tip_qc = tip.qc;
  // Certified blocks above the tip, lowest first.
  for (const auto& [hash, cb] : certified_)
    r.certified.push_back(cb);
  std::sort(r.certified.begin(), r.certified.end(), [](const auto& a, const auto& b) {
    return a.block->header().height < b.block->header().height;
  });
  // The leader records of the last committed blocks, oldest first (none
  // while only genesis is committed: its record is derived).
  auto first =
      records_.lower_bound(committed_height() >= bft::LeaderSchedule::kCommittedRecordsKept
                               ? committed_height() - bft::LeaderSchedule::kCommittedRecordsKept + 1
                               : 0);
  for (auto it = first; it != records_.end(); ++it)
    r.leader_history.push_back(it->second);
  // The replay window: transactions of blocks within one validity window of the tip.
  auto tip_ts = tip.block->header().timestamp_ms;
  for (auto it = committed_.rbegin(); it != committed_.rend(); ++it) {
    auto ts = it->second.block->header().timestamp_ms;
    if (ts + types::limits::kMaxTxValidityWindowMs < tip_ts) break;
    const auto& body = it->second.block->body();
    for (const auto* section : {&body.retry_txs, &body.priority_txs, &body.txs})
      for (const auto& tx : *section)
        r.recent_committed_txs.emplace_back(tx->hash(), ts);
  }
  return r;
}

core::SyncResponse SimStorage::serve_sync(types::BlockHeight from_height,
                                          std::uint32_t count) const {
  core::SyncResponse out;
  for (auto it = committed_.lower_bound(from_height);
       it != committed_.end() && out.blocks.size() < count; ++it)
    out.blocks.push_back(it->second);
  // Above the committed tip, follow the certified chain (highest round first
  // where it forks), answering the heights asked for.
  if (!out.blocks.empty() && out.blocks.back().block->header().height != committed_height())
    return out;
  types::Hash last = committed_.rbegin()->second.block->hash();
  while (out.blocks.size() < count) {
    const core::CertifiedBlock* next = nullptr;
    for (const auto& [h, cb] : certified_)
      if (cb.block->header().parent_hash == last &&
          (!next || cb.block->header().round > next->block->header().round))
        next = &cb;
    if (!next) break;
    if (next->block->header().height >= from_height) out.blocks.push_back(*next);
    last = next->block->hash();
  }
  return out;
}

std::vector<types::BlockRef> SimStorage::committed_blocks() const {
  std::vector<types::BlockRef> out;
  for (const auto& [height, cb] : committed_)
    if (height > 0) out.push_back(cb.block);
  return out;
}

}  // namespace hyperscale::simulation
