#pragma once

// The ordering half of the mempool (DESIGN §6, §11): admission after the
// shared signature check, gossip with deduplication, the Pending → Committed
// lifecycle, a ready set taken in hash order, and back-pressure.
//
// Tombstones: a committed transaction is refused while it is in the chain's
// replay window (core::ReplayWindow, read-only here), and after that its
// validity window has closed as of the committed chain, which is refused too.
// So nothing committed or expired re-enters the pool, without a second set.

#include <map>
#include <vector>

#include "core/actions.h"
#include "core/mempool_view.h"
#include "core/replay_window.h"
#include "types/hash_map.h"
#include "types/hash_set.h"
#include "types/topology.h"

namespace hyperscale::mempool {

using core::Action;

struct MempoolConfig {
  std::size_t rpc_pending_limit = 2048;  // client submissions beyond this are refused
  std::size_t max_pool_size = 8192;      // gossip beyond this is dropped
  std::size_t max_gossip_batch = 256;
  /// Client submissions are verified (and then gossiped) in batches collected
  /// over this window, instead of one job and one gossip message per tx.
  core::DurationMs submission_batch_ms = 20;
};

struct MempoolStats {
  std::uint64_t submitted = 0;
  std::uint64_t rejected = 0;
  std::uint64_t gossip_received = 0;
  std::uint64_t duplicates = 0;
  std::uint64_t invalid = 0;
  std::uint64_t committed = 0;
  std::uint64_t expired = 0;
  std::uint64_t retries_dropped = 0;  // gossiped attempts > 0 (no credential yet)
};

class MempoolState final : public core::MempoolView {
 public:
  /// `committed` is the node's replay window; it outlives the mempool.
  MempoolState(MempoolConfig config, types::Topology topology, types::ShardId shard,
               const core::ReplayWindow& committed);

  std::vector<Action> on_submitted(types::TimestampMs now, const types::TransactionRef& tx);
  /// The submission batch window closed: verify what was collected.
  std::vector<Action> on_batch_timer(types::TimestampMs now);
  std::vector<Action> on_gossip(types::TimestampMs now, types::ValidatorId from,
                                const std::vector<types::TransactionRef>& txs);
  /// Verified submissions and gossip enter the pool; `added` receives their hashes.
  std::vector<Action> on_verified(types::TimestampMs now, const core::TransactionsVerified& r,
                                  std::vector<types::Hash>& added);
  std::vector<Action> on_block_committed(const types::Block& block);

  // core::MempoolView
  types::TransactionRef find(const types::Hash& tx_hash) const override;
  void prefetch(const types::Hash& tx_hash) const override;
  std::vector<types::TransactionRef> ready_for_proposal(
      std::size_t max, types::TimestampMs timestamp_ms,
      const std::function<bool(const types::Transaction&)>& excluded) const override;
  bool has_ready() const override { return !pool_.empty(); }

  std::size_t size() const { return pool_.size(); }
  const MempoolStats& stats() const { return stats_; }
  bool involves_local_shard(const types::Transaction& tx) const;

 private:
  bool known(const types::Hash& h) const {
    return pool_.contains(h) || verifying_.contains(h) || committed_.contains(h);
  }
  /// Its window closed before the newest committed block: never orderable.
  bool expired(const types::Transaction& tx) const {
    return tx.payload().valid_until_ms < committed_.latest_ms();
  }

  MempoolConfig config_;
  types::Topology topology_;
  types::ShardId shard_;
  const core::ReplayWindow& committed_;
  /// Pending transactions. Proposals take them in hash order (sorted when a
  /// proposal is built, which is rare next to lookups).
  types::HashMap<types::TransactionRef> pool_;
  /// No pool entry expires before this (a lower bound; the expiry scan runs
  /// only when committed time passes it).
  types::TimestampMs earliest_expiry_ms_ = UINT64_MAX;
  types::HashSet verifying_;
  std::vector<types::TransactionRef> submission_batch_;
  MempoolStats stats_;
};

}  // namespace hyperscale::mempool
