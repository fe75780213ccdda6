#pragma once

// One validator: composes consensus (bft) and the mempool, routes every event
// to them, and connects their outputs (commits reach the mempool, new
// transactions reach pending blocks). Execution, provisions and livelock
// slot in here later: each gets its events routed and its commit hook below.

#include <memory>

#include "bft/bft_state.h"
#include "core/state_machine.h"
#include "mempool/mempool_state.h"

namespace hyperscale::node {

struct NodeConfig {
  bft::BftConfig bft;
  mempool::MempoolConfig mempool;
};

class NodeStateMachine final : public core::StateMachine {
 public:
  NodeStateMachine(NodeConfig config, types::Topology topology, types::ValidatorId self,
                   std::shared_ptr<const crypto::Signer> signer, bft::RecoveredState recovered);

  /// Timers and a possible first proposal; call once, after set_time().
  std::vector<core::Action> start();
  std::vector<core::Action> handle(const core::Event& event) override;

  types::ValidatorId id() const { return self_; }
  types::ShardId shard() const { return shard_; }
  const bft::BftState& bft() const { return *bft_; }
  const mempool::MempoolState& mempool() const { return *mempool_; }

 private:
  std::vector<core::Action> on_message(types::ValidatorId from, const core::Message& message);
  std::vector<core::Action> on_job(const core::JobResult& result);
  /// Feeds bft's commits to the mempool and the mempool's arrivals to bft.
  void connect(std::vector<core::Action>& actions);
  /// Transaction `h` of block `block`: from the pool, or from the block itself.
  types::TransactionRef find_transaction(const types::Hash& block, const types::Hash& h) const;

  types::ValidatorId self_;
  types::ShardId shard_;
  core::ReplayWindow replay_;  // written by bft on commit, read by the mempool
  std::unique_ptr<mempool::MempoolState> mempool_;
  std::unique_ptr<bft::BftState> bft_;
};

}  // namespace hyperscale::node
