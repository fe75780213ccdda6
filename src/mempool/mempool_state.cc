#include "mempool/mempool_state.h"

namespace hyperscale::mempool {

MempoolState::MempoolState(MempoolConfig config, types::Topology topology, types::ShardId shard)
    : config_(config), topology_(std::move(topology)), shard_(shard) {}

bool MempoolState::involves_local_shard(const types::Transaction& tx) const {
  for (auto key : tx.access().shard_keys)
    if (types::shard_of_key(key, topology_.num_shards()) == shard_) return true;
  return false;
}

std::vector<Action> MempoolState::on_submitted(types::TimestampMs,
                                               const types::TransactionRef& tx) {
  std::vector<Action> out;
  ++stats_.submitted;
  auto reject = [&](std::string reason) {
    ++stats_.rejected;
    out.emplace_back(core::SubmissionRejected{tx->hash(), std::move(reason)});
  };
  if (known(tx->hash())) {
    ++stats_.duplicates;
    reject("duplicate transaction");
  } else if (pool_.size() + verifying_.size() >= config_.rpc_pending_limit) {
    reject("mempool full: retry later");
  } else if (!involves_local_shard(*tx)) {
    reject("transaction does not involve this shard");
  } else {
    verifying_.insert(tx->hash());
    if (submission_batch_.empty())
      out.emplace_back(core::SetTimer{core::TimerId::kTxBatch, config_.submission_batch_ms});
    submission_batch_.push_back(tx);
  }
  return out;
}

std::vector<Action> MempoolState::on_batch_timer(types::TimestampMs) {
  std::vector<Action> out;
  if (submission_batch_.empty()) return out;
  core::VerifyTransactionsJob job{core::TxOrigin::kSubmitted, {}, std::move(submission_batch_)};
  submission_batch_.clear();
  out.emplace_back(core::StartJob{std::move(job)});
  return out;
}

std::vector<Action> MempoolState::on_gossip(types::TimestampMs, types::ValidatorId,
                                            const std::vector<types::TransactionRef>& txs) {
  std::vector<Action> out;
  core::VerifyTransactionsJob job{core::TxOrigin::kGossip, {}, {}};
  for (const auto& tx : txs) {
    ++stats_.gossip_received;
    if (!tx || known(tx->hash())) {
      ++stats_.duplicates;
      continue;
    }
    if (pool_.size() + verifying_.size() >= config_.max_pool_size) break;
    if (!involves_local_shard(*tx)) continue;
    verifying_.insert(tx->hash());
    job.txs.push_back(tx);
  }
  if (!job.txs.empty()) out.emplace_back(core::StartJob{std::move(job)});
  return out;
}

std::vector<Action> MempoolState::on_verified(types::TimestampMs,
                                              const core::TransactionsVerified& r,
                                              std::vector<types::Hash>& added) {
  std::vector<Action> out;
  if (r.origin != core::TxOrigin::kSubmitted && r.origin != core::TxOrigin::kGossip) return out;
  for (const auto& h : r.invalid) {
    verifying_.erase(h);
    ++stats_.invalid;
    if (r.origin == core::TxOrigin::kSubmitted)
      out.emplace_back(core::SubmissionRejected{h, "invalid signature"});
  }
  std::map<types::ShardId, std::vector<types::TransactionRef>> gossip;
  for (const auto& tx : r.valid) {
    verifying_.erase(tx->hash());
    if (pool_.contains(tx->hash()) || tombstones_.contains(tx->hash())) continue;
    pool_.emplace(tx->hash(), tx);
    added.push_back(tx->hash());
    out.emplace_back(core::EmitTransactionStatus{
        tx->hash(), types::TransactionStatus(types::status::Pending{})});
    if (r.origin == core::TxOrigin::kSubmitted) {
      // The receiving validator gossips a client's transaction to every
      // involved shard's committee, once.
      std::set<types::ShardId> shards;
      for (auto key : tx->access().shard_keys)
        shards.insert(types::shard_of_key(key, topology_.num_shards()));
      for (auto s : shards)
        gossip[s].push_back(tx);
    }
  }
  for (auto& [s, txs] : gossip) {
    for (std::size_t i = 0; i < txs.size(); i += config_.max_gossip_batch) {
      core::TransactionGossip msg;
      auto end = std::min(txs.size(), i + config_.max_gossip_batch);
      msg.txs.assign(txs.begin() + static_cast<std::ptrdiff_t>(i),
                     txs.begin() + static_cast<std::ptrdiff_t>(end));
      out.emplace_back(core::BroadcastMessage{s, std::move(msg)});
    }
  }
  return out;
}

std::vector<Action> MempoolState::on_block_committed(const types::Block& block) {
  std::vector<Action> out;
  const auto& h = block.header();
  committed_height_ = h.height;
  for (const auto* section :
       {&block.body().retry_txs, &block.body().priority_txs, &block.body().txs})
    for (const auto& tx : *section) {
      pool_.erase(tx->hash());
      verifying_.erase(tx->hash());
      if (tombstones_.emplace(tx->hash(), h.height))
        tombstones_by_height_.emplace(h.height, tx->hash());
      ++stats_.committed;
      out.emplace_back(core::EmitTransactionStatus{
          tx->hash(), types::TransactionStatus(types::status::Committed{h.height})});
    }
  // Consensus time only moves forward: a pending tx whose window closed
  // before this block can never be ordered.
  for (auto it = pool_.begin(); it != pool_.end();) {
    if (it->second->payload().valid_until_ms < h.timestamp_ms) {
      ++stats_.expired;
      out.emplace_back(core::EmitTransactionStatus{
          it->first,
          types::TransactionStatus(types::status::Aborted{types::AbortReason::kExpired})});
      if (tombstones_.emplace(it->first, h.height))
        tombstones_by_height_.emplace(h.height, it->first);
      it = pool_.erase(it);
    } else {
      ++it;
    }
  }
  while (!tombstones_by_height_.empty() &&
         tombstones_by_height_.begin()->first + config_.tombstone_blocks < committed_height_) {
    tombstones_.erase(tombstones_by_height_.begin()->second);
    tombstones_by_height_.erase(tombstones_by_height_.begin());
  }
  return out;
}

types::TransactionRef MempoolState::find(const types::Hash& tx_hash) const {
  auto it = pool_.find(tx_hash);
  return it == pool_.end() ? nullptr : it->second;
}

std::vector<types::TransactionRef> MempoolState::ready_for_proposal(
    std::size_t max, types::TimestampMs timestamp_ms,
    const std::function<bool(const types::Hash&)>& excluded) const {
  std::vector<types::TransactionRef> out;
  for (const auto& [hash, tx] : pool_) {
    if (out.size() >= max) break;
    const auto& p = tx->payload();
    if (timestamp_ms < p.valid_from_ms || timestamp_ms > p.valid_until_ms) continue;
    if (excluded(hash)) continue;
    out.push_back(tx);
  }
  return out;
}

}  // namespace hyperscale::mempool
