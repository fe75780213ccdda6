#include "node/node_state_machine.h"

#include <algorithm>

namespace hyperscale::node {

NodeStateMachine::NodeStateMachine(NodeConfig config, types::Topology topology,
                                   types::ValidatorId self,
                                   std::shared_ptr<const crypto::Signer> signer,
                                   bft::RecoveredState recovered,
                                   std::optional<execution::ExecutionStart> execution)
    : self_(self), shard_(topology.shard_of_validator(self).value()) {
  mempool_ = std::make_unique<mempool::MempoolState>(config.mempool, topology, shard_, replay_);
  if (execution)
    execution_ = std::make_unique<execution::ExecutionState>(config.execution, topology, self,
                                                             signer, std::move(*execution));
  bft_ = std::make_unique<bft::BftState>(config.bft, std::move(topology), self, std::move(signer),
                                         mempool_.get(), std::move(recovered), replay_,
                                         execution_.get());
}

std::vector<core::Action> NodeStateMachine::start() {
  auto out = bft_->start(now());
  if (execution_) {
    auto more = execution_->start(now());
    out.insert(out.end(), std::make_move_iterator(more.begin()),
               std::make_move_iterator(more.end()));
  }
  connect(out);
  return out;
}

std::vector<core::Action> NodeStateMachine::handle(const core::Event& event) {
  std::vector<core::Action> out;
  struct Visitor {
    NodeStateMachine& self;
    std::vector<core::Action>& out;
    void operator()(const core::MessageReceived& e) { out = self.on_message(e.from, e.message); }
    void operator()(const core::TimerFired& e) {
      if (e.timer == core::TimerId::kTxBatch)
        out = self.mempool_->on_batch_timer(self.now());
      else if (e.timer == core::TimerId::kExecution)
        out = self.execution_ ? self.execution_->on_timer(self.now()) : std::vector<core::Action>{};
      else
        out = self.bft_->on_timer(self.now(), e.timer);
    }
    void operator()(const core::TransactionSubmitted& e) {
      out = self.mempool_->on_submitted(self.now(), e.tx);
    }
    void operator()(const core::JobCompleted& e) { out = self.on_job(*e.result); }
  };
  std::visit(Visitor{*this, out}, event);
  connect(out);
  return out;
}

std::vector<core::Action> NodeStateMachine::on_message(types::ValidatorId from,
                                                       const core::Message& message) {
  auto t = now();
  struct Visitor {
    NodeStateMachine& self;
    types::ValidatorId from;
    types::TimestampMs t;
    std::vector<core::Action> operator()(const core::ProposalRef& m) {
      return self.bft_->on_proposal(t, from, m);
    }
    std::vector<core::Action> operator()(const types::BlockVote& m) {
      return self.bft_->on_vote(t, from, m);
    }
    std::vector<core::Action> operator()(const types::Timeout& m) {
      return self.bft_->on_timeout(t, from, m);
    }
    std::vector<core::Action> operator()(const core::TimeoutCertificateMessage& m) {
      return self.bft_->on_timeout_certificate(t, from, m.tc);
    }
    std::vector<core::Action> operator()(const core::TransactionGossip& m) {
      return self.mempool_->on_gossip(t, from, m.txs);
    }
    std::vector<core::Action> operator()(const core::TransactionFetchRequest& m) {
      // Only transactions of the block named, each an indexed lookup.
      core::TransactionFetchResponse response{m.block_hash, {}};
      auto n = std::min<std::size_t>(m.tx_hashes.size(), bft::limits::kMaxFetchHashes);
      for (std::size_t i = 0; i < n; ++i)
        if (auto tx = self.find_transaction(m.block_hash, m.tx_hashes[i]))
          response.txs.push_back(std::move(tx));
      if (response.txs.empty()) return {};
      return {core::SendMessage{from, std::move(response)}};
    }
    std::vector<core::Action> operator()(const core::TransactionFetchResponse& m) {
      return self.bft_->on_fetch_response(t, from, m);
    }
    // Sync requests are served by the runner from storage, not by the state machine.
    std::vector<core::Action> operator()(const core::SyncRequest&) { return {}; }
    std::vector<core::Action> operator()(const core::SyncResponse& m) {
      return self.bft_->on_sync_response(t, from, m);
    }
    std::vector<core::Action> operator()(const core::BlockFetchRequest& m) {
      auto block = self.bft_->find_block(m.block_hash);
      if (!block) return {};
      return {core::SendMessage{from, core::BlockFetchResponse{std::move(block)}}};
    }
    std::vector<core::Action> operator()(const core::BlockFetchResponse& m) {
      return self.bft_->on_block_fetch_response(t, from, m);
    }
    std::vector<core::Action> operator()(const core::EquivocationProof& m) {
      return self.bft_->on_equivocation_proof(t, from, m);
    }
    std::vector<core::Action> operator()(const core::StateVotesMessage& m) {
      if (!self.execution_) return {};
      return self.execution_->on_state_votes(t, from, m);
    }
    std::vector<core::Action> operator()(const core::TransactionCertificatesMessage& m) {
      if (!self.execution_) return {};
      return self.execution_->on_certificates(t, from, m);
    }
  };
  return std::visit(Visitor{*this, from, t}, message);
}

std::vector<core::Action> NodeStateMachine::on_job(const core::JobResult& result) {
  if (execution_) {
    if (const auto* r = std::get_if<core::TransactionsExecuted>(&result))
      return execution_->on_executed(now(), *r);
    if (const auto* r = std::get_if<core::StateVotesVerified>(&result))
      return execution_->on_votes_verified(now(), *r);
    if (const auto* r = std::get_if<core::TransactionCertificatesVerified>(&result))
      return execution_->on_certificates_verified(now(), *r);
  }
  if (const auto* txs = std::get_if<core::TransactionsVerified>(&result);
      txs && txs->origin != core::TxOrigin::kFetch) {
    std::vector<types::Hash> added;
    auto out = mempool_->on_verified(now(), *txs, added);
    if (!added.empty()) {
      auto more = bft_->on_transactions_available(now(), added);
      out.insert(out.end(), std::make_move_iterator(more.begin()),
                 std::make_move_iterator(more.end()));
    }
    return out;
  }
  return bft_->on_job(now(), result);
}

void NodeStateMachine::connect(std::vector<core::Action>& actions) {
  // Commits are final: the mempool learns of them in the same step, so a
  // committed tx is never offered to a proposal again. Its actions (the
  // Committed statuses) go right after their block's CommitBlock, before
  // execution's for that block and for later ones: when one step commits
  // several blocks (a sync), a transaction ordered by one and finished by
  // another becomes Committed before it becomes Completed.
  bool any = std::any_of(actions.begin(), actions.end(), [](const core::Action& a) {
    return std::holds_alternative<core::CommitBlock>(a);
  });
  if (!any) return;
  std::vector<core::Action> out;
  out.reserve(actions.size());
  for (auto& a : actions) {
    const auto* commit = std::get_if<core::CommitBlock>(&a);
    auto block = commit ? commit->block : nullptr;
    out.push_back(std::move(a));
    if (!block) continue;
    auto more = mempool_->on_block_committed(*block);
    out.insert(out.end(), std::make_move_iterator(more.begin()),
               std::make_move_iterator(more.end()));
  }
  actions = std::move(out);
}

types::TransactionRef NodeStateMachine::find_transaction(const types::Hash& block,
                                                         const types::Hash& h) const {
  if (auto tx = mempool_->find(h)) return tx;
  // A proposer serves the transactions of blocks it holds, also once they
  // left its pool.
  return bft_->find_block_transaction(block, h);
}

}  // namespace hyperscale::node
