#pragma once

// One validator: composes consensus (bft), the mempool and execution, routes
// every event to them, and connects their outputs (commits reach the mempool
// and execution, new transactions reach pending blocks). Provisions and
// livelock slot in here later.

#include <memory>

#include "bft/bft_state.h"
#include "core/state_machine.h"
#include "execution/execution_state.h"
#include "mempool/mempool_state.h"

namespace hyperscale::node {

struct NodeConfig {
  bft::BftConfig bft;
  mempool::MempoolConfig mempool;
  execution::ExecutionConfig execution;
};

class NodeStateMachine final : public core::StateMachine {
 public:
  /// `execution` is what execution starts from (execution/recovery.h: the
  /// genesis state, or the state and ledger at the recovered committed tip).
  /// Without it the node orders transactions only (consensus tests and
  /// benchmarks): blocks carry no outcomes and keep the genesis root.
  NodeStateMachine(NodeConfig config, types::Topology topology, types::ValidatorId self,
                   std::shared_ptr<const crypto::Signer> signer, bft::RecoveredState recovered,
                   std::optional<execution::ExecutionStart> execution = std::nullopt);

  /// Timers and a possible first proposal; call once, after set_time().
  std::vector<core::Action> start();
  std::vector<core::Action> handle(const core::Event& event) override;

  types::ValidatorId id() const { return self_; }
  types::ShardId shard() const { return shard_; }
  const bft::BftState& bft() const { return *bft_; }
  const mempool::MempoolState& mempool() const { return *mempool_; }
  /// Null when the node runs without execution.
  const execution::ExecutionState* execution() const { return execution_.get(); }
  execution::ExecutionState* execution_for_test() { return execution_.get(); }

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
  std::unique_ptr<execution::ExecutionState> execution_;
  std::unique_ptr<bft::BftState> bft_;
};

}  // namespace hyperscale::node
