#pragma once

// One validator's execution of its shard's single-shard transactions
// (DESIGN §6): after a block commits, execute its transactions at that
// block's state version (a delegated job), sign a StateVote, send it to the
// committee and again until an outcome commits; verify agreeing votes in
// batches and aggregate a quorum into a StateCertificate; offer the
// TransactionCertificate to proposers; check blocks as a voter (locks,
// outcomes, the state root); and, when an outcome commits, apply its writes
// and complete the transaction.
//
// Everything it owes is derived from the committed chain (ExecutionLedger)
// and persisted with each committed block (core::ExecutionWrites): a
// restarted validator reloads it (recovery.h) and executes and votes again
// for every transaction still pending.

#include <map>
#include <memory>
#include <set>
#include <span>
#include <vector>

#include "core/execution_view.h"
#include "core/jobs.h"
#include "crypto/scheme.h"
#include "engine/engine.h"
#include "execution/block_rules.h"
#include "execution/ledger.h"
#include "execution/recovery.h"
#include "execution/state_store.h"

namespace hyperscale::execution {

struct ExecutionConfig {
  engine::FeeSchedule fees;
  /// In-flight (ordered, unfinished) transactions per shard, counting the
  /// uncommitted ancestors: a proposer orders none beyond the hard limit
  /// (DESIGN §11; proposer policy only, never a validity rule). The soft
  /// limit halves what one block may add.
  std::size_t soft_in_flight = 512;
  std::size_t hard_in_flight = 1024;
  /// Own votes without a certificate, and certificates not yet in a block,
  /// are sent again this often.
  core::DurationMs resend_ms = 1000;
  std::size_t max_certificates_per_block = 4096;
};

struct ExecutionStats {
  std::uint64_t executed = 0;
  std::uint64_t votes_sent = 0;
  std::uint64_t votes_received = 0;
  std::uint64_t votes_invalid = 0;
  std::uint64_t votes_disagreeing = 0;  // valid form, another outcome than this node's
  std::uint64_t certificates_formed = 0;
  std::uint64_t certificates_received = 0;
  std::uint64_t certificates_invalid = 0;
  std::uint64_t certificates_deferred = 0;  // a message from a peer whose last one is in a job
  std::uint64_t completed_accept = 0;
  std::uint64_t completed_reject = 0;
  std::uint64_t blocks_refused = 0;
  /// Blocks this node refused to vote for because their state root is not
  /// the one it computes (a faulty proposer, or this node's own state).
  std::uint64_t state_root_mismatches = 0;
  /// Committed blocks whose state root is not this node's: its own state
  /// diverged from the chain's (a corrupted store).
  std::uint64_t diverged_commits = 0;
  std::size_t peak_locked_nodes = 0;
};

/// Runs an ExecuteTransactionsJob with the engine (what runners install as
/// core::JobContext::execute).
core::TransactionsExecuted run_execution_job(const core::ExecuteTransactionsJob& job,
                                             const engine::FeeSchedule& fees);

class ExecutionState final : public core::ExecutionView {
 public:
  /// Starts from `start` (recovery.h: genesis, a replayed chain, or what
  /// storage held at the committed tip); every transaction its ledger holds
  /// unfinished becomes a duty.
  ExecutionState(ExecutionConfig config, types::Topology topology, types::ValidatorId self,
                 std::shared_ptr<const crypto::Signer> signer, ExecutionStart start);
  /// `genesis` is this shard's genesis state; `committed` the blocks
  /// committed after genesis, in height order (empty on a fresh start),
  /// replayed.
  ExecutionState(ExecutionConfig config, types::Topology topology, types::ValidatorId self,
                 std::shared_ptr<const crypto::Signer> signer,
                 std::span<const types::StateEntry> genesis,
                 std::span<const types::BlockRef> committed);

  /// Executes what the recovered chain left pending and arms the timer.
  std::vector<core::Action> start(types::TimestampMs now);

  // core::ExecutionView (called by consensus)
  Contents propose(std::span<const types::BlockRef> ancestors, types::BlockHeight height,
                   const Ready& ready) override;
  bool has_outcomes(std::span<const types::BlockRef> ancestors) const override;
  /// propose() choosing among `candidates` (in their order): for tests.
  Contents propose_among(std::span<const types::BlockRef> ancestors, types::BlockHeight height,
                         std::vector<types::TransactionRef> candidates);
  std::optional<std::string> check(const types::Block& block,
                                   std::span<const types::BlockRef> ancestors) override;
  void committed(const types::BlockRef& block, core::ExecutionWrites& writes,
                 std::vector<core::Action>& out) override;

  // inputs (routed by the node)
  std::vector<core::Action> on_executed(types::TimestampMs now,
                                        const core::TransactionsExecuted& result);
  std::vector<core::Action> on_state_votes(types::TimestampMs now, types::ValidatorId from,
                                           const core::StateVotesMessage& message);
  std::vector<core::Action> on_votes_verified(types::TimestampMs now,
                                              const core::StateVotesVerified& result);
  std::vector<core::Action> on_certificates(types::TimestampMs now, types::ValidatorId from,
                                            const core::TransactionCertificatesMessage& message);
  std::vector<core::Action> on_certificates_verified(
      types::TimestampMs now, const core::TransactionCertificatesVerified& result);
  std::vector<core::Action> on_timer(types::TimestampMs now);

  // observation
  const StateStore& state() const { return state_; }
  const ExecutionLedger& ledger() const { return ledger_; }
  const ExecutionStats& stats() const { return stats_; }
  /// Test hook: overwrite a committed substate in this validator's memory
  /// (a corrupted read), not in its storage: a restart heals it.
  void corrupt_for_test(const types::StateEntry& entry);

 private:
  /// A pending transaction's progress on this node.
  struct Duty {
    bool executing = false;
    std::optional<types::StateVote> own_vote;
    std::vector<types::StateEntry> own_writes;
    types::Hash own_key;  // H(state vote message) of the own outcome
    /// Votes not yet verified, one per voter; those agreeing with the own
    /// outcome go to verification once they could make a quorum.
    std::map<types::ValidatorId, types::StateVote> waiting;
    std::map<types::ValidatorId, core::Verified<types::StateVote>> verified;
    types::VotingPower verified_power = 0;  // of `verified`, kept as it grows
    /// Once the own vote exists: the power of the waiting votes that agree
    /// with it, and how many waiting votes disagree (kept as votes arrive,
    /// so checking for a quorum does not walk every waiting vote again).
    types::VotingPower waiting_power = 0;
    std::size_t waiting_disagreeing = 0;
    std::set<types::ValidatorId> in_job;
    std::set<types::ValidatorId> refused;  // failed verification: ignored from now on
    types::TransactionCertificateRef certificate;
    types::TimestampMs certificate_since = 0;
  };

  const jmt::TreeUpdateBatch& batch_for(const types::Block& block,
                                        std::span<const types::BlockRef> ancestors);
  void execute(const std::vector<types::TransactionRef>& txs, types::BlockHeight height,
               std::vector<core::Action>& out);
  void schedule_verification(std::vector<core::Action>& out);
  /// Counts `vote`, just added to `duty.waiting`, in waiting_power or
  /// waiting_disagreeing (nothing before the own vote exists).
  void count_waiting(Duty& duty, const types::StateVote& vote) const;
  void emit_status(const types::Hash& tx, types::TransactionStatus status,
                   std::vector<core::Action>& out);

  ExecutionConfig config_;
  types::Topology topology_;
  types::ShardId shard_;
  types::ValidatorId self_;
  std::shared_ptr<const crypto::Signer> signer_;
  StateStore state_;
  ExecutionLedger ledger_;
  std::map<types::Hash, Duty> duties_;  // one per pending transaction
  bool verifying_ = false;              // one vote batch in flight
  /// Duties whose votes may have reached a quorum since the last batch was
  /// scheduled: a vote waits, the own vote is made, or a batch came back.
  /// schedule_verification() looks at these only (it scanned every pending
  /// duty after every votes message: with 64 validators and a thousand
  /// pending transactions, most of a simulation's time). Sorted, so batches
  /// keep the order of duties_.
  std::set<types::Hash> unscheduled_;
  /// Peers whose certificates are being verified: at most one job per peer
  /// (its later messages are dropped meanwhile; honest peers re-send), so
  /// verification work is bounded by the committee's size, and a peer that
  /// sends bad certificates delays only its own.
  std::set<types::ValidatorId> certificate_jobs_;
  /// compute()'s batch of each uncommitted block; commit hands the block's
  /// own to the store (which takes its nodes).
  std::map<types::Hash, std::unique_ptr<jmt::TreeUpdateBatch>> batches_;
  std::vector<core::TransactionStatusUpdate> statuses_;
  ExecutionStats stats_;
};

}  // namespace hyperscale::execution
