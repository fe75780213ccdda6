#include "mempool/mempool_state.h"

#include <algorithm>
#include <set>

namespace hyperscale::mempool {

MempoolState::MempoolState(MempoolConfig config, types::Topology topology, types::ShardId shard,
                           const core::ReplayWindow& committed)
    : config_(config), topology_(std::move(topology)), shard_(shard), committed_(committed) {}

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
  } else if (expired(*tx)) {
    reject("transaction expired");
  } else if (tx->attempt() != 0) {
    // Retries are made by validators, with the credential of the previous
    // attempt (DESIGN §6, §8); a client submits attempt 0.
    reject("retry attempts are made by validators: submit attempt 0");
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
  for (const auto& tx : txs)
    if (tx) committed_.prefetch(tx->hash());
  for (const auto& tx : txs) {
    ++stats_.gossip_received;
    if (!tx || known(tx->hash())) {
      ++stats_.duplicates;
      continue;
    }
    if (expired(*tx)) continue;
    if (tx->attempt() != 0) {
      // No proposer can order it before retries carry their credential
      // (livelock issue): it would only take room until it expires.
      ++stats_.retries_dropped;
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
  core::EmitTransactionStatuses statuses;
  std::map<types::ShardId, std::vector<types::TransactionRef>> gossip;
  for (const auto& tx : r.valid) {
    // A commit while it was being verified took it out of verifying_ (and
    // into the replay window): then it stays out. So does one that expired.
    if (!verifying_.erase(tx->hash()) || expired(*tx)) continue;
    pool_.emplace(tx->hash(), tx);
    earliest_expiry_ms_ = std::min(earliest_expiry_ms_, tx->payload().valid_until_ms);
    added.push_back(tx->hash());
    statuses.updates.push_back({tx->hash(), types::TransactionStatus(types::status::Pending{})});
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
  if (!statuses.updates.empty()) out.emplace_back(std::move(statuses));
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
  core::EmitTransactionStatuses statuses;
  for (const auto* section :
       {&block.body().retry_txs, &block.body().priority_txs, &block.body().txs})
    for (const auto& tx : *section) {
      pool_.erase(tx->hash());
      verifying_.erase(tx->hash());
      ++stats_.committed;
      statuses.updates.push_back(
          {tx->hash(), types::TransactionStatus(types::status::Committed{h.height})});
    }
  // Consensus time only moves forward: a pending tx whose window closed
  // before this block can never be ordered.
  if (h.timestamp_ms > earliest_expiry_ms_) {
    earliest_expiry_ms_ = UINT64_MAX;
    std::vector<types::Hash> expired;
    pool_.for_each([&](const types::Hash& hash, const types::TransactionRef& tx) {
      auto until = tx->payload().valid_until_ms;
      if (until < h.timestamp_ms)
        expired.push_back(hash);
      else
        earliest_expiry_ms_ = std::min(earliest_expiry_ms_, until);
    });
    std::sort(expired.begin(), expired.end());  // statuses in a deterministic order
    for (const auto& hash : expired) {
      ++stats_.expired;
      statuses.updates.push_back(
          {hash, types::TransactionStatus(types::status::Aborted{types::AbortReason::kExpired})});
      pool_.erase(hash);
    }
  }
  if (!statuses.updates.empty()) out.emplace_back(std::move(statuses));
  return out;
}

types::TransactionRef MempoolState::find(const types::Hash& tx_hash) const {
  const auto* tx = pool_.find(tx_hash);
  return tx ? *tx : nullptr;
}

void MempoolState::prefetch(const types::Hash& tx_hash) const {
  pool_.prefetch(tx_hash);
}

std::vector<types::TransactionRef> MempoolState::ready_for_proposal(
    std::size_t max, types::TimestampMs timestamp_ms,
    const std::function<bool(const types::Transaction&)>& excluded) const {
  std::vector<const types::TransactionRef*> candidates;
  candidates.reserve(pool_.size());
  pool_.for_each([&](const types::Hash&, const types::TransactionRef& tx) {
    const auto& p = tx->payload();
    if (timestamp_ms >= p.valid_from_ms && timestamp_ms <= p.valid_until_ms)
      candidates.push_back(&tx);
  });
  std::sort(candidates.begin(), candidates.end(),
            [](const auto* a, const auto* b) { return (*a)->hash() < (*b)->hash(); });
  std::vector<types::TransactionRef> out;
  for (const auto* tx : candidates) {
    if (out.size() >= max) break;
    if (!excluded(**tx)) out.push_back(*tx);
  }
  return out;
}

}  // namespace hyperscale::mempool
