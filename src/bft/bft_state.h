#pragma once

// One validator's shard consensus: HotStuff-2 two-chain commit with the
// voting, timeout and view-change rules of DiemBFT v4 / Jolteon (DESIGN §5).
// Pure: every input is an event handler, every output an Action.

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <unordered_map>
#include <vector>

#include "bft/block_tree.h"
#include "bft/config.h"
#include "bft/safety_rules.h"
#include "bft/timeout_collector.h"
#include "bft/vote_collector.h"
#include "core/actions.h"
#include "core/jobs.h"
#include "core/mempool_view.h"
#include "core/replay_window.h"
#include "crypto/scheme.h"
#include "types/hash_map.h"
#include "types/topology.h"

namespace hyperscale::bft {

using core::Action;
using core::Verified;

/// What a validator reloads from its storage after a crash.
struct RecoveredState {
  core::SafetyState safety;
  BlockRef committed_tip;           // genesis on a fresh start
  types::QuorumCertificate tip_qc;  // certifies committed_tip
  /// Transactions of recently committed blocks (for the replay window), with
  /// their block's timestamp.
  std::vector<std::pair<types::Hash, types::TimestampMs>> recent_committed_txs;
};

struct BftStats {
  std::uint64_t proposals = 0;
  std::uint64_t votes_sent = 0;
  std::uint64_t timeouts_sent = 0;
  std::uint64_t qcs_formed = 0;
  std::uint64_t tcs_formed = 0;
  std::uint64_t rounds_entered_by_tc = 0;
  std::uint64_t commits = 0;
  std::uint64_t invalid_messages = 0;
  std::uint64_t equivocations = 0;
  std::uint64_t sync_requests = 0;
};

class BftState {
 public:
  BftState(BftConfig config, types::Topology topology, types::ValidatorId self,
           std::shared_ptr<const crypto::Signer> signer, const core::MempoolView* mempool,
           RecoveredState recovered, core::ReplayWindow& replay);

  /// Starts timers and, as leader, may propose. Call once before any event.
  std::vector<Action> start(types::TimestampMs now);

  std::vector<Action> on_proposal(types::TimestampMs now, types::ValidatorId from,
                                  const core::ProposalRef& proposal);
  std::vector<Action> on_vote(types::TimestampMs now, types::ValidatorId from,
                              const types::BlockVote& vote);
  std::vector<Action> on_timeout(types::TimestampMs now, types::ValidatorId from,
                                 const types::Timeout& timeout);
  std::vector<Action> on_timeout_certificate(types::TimestampMs now, types::ValidatorId from,
                                             const types::TimeoutCertificate& tc);
  std::vector<Action> on_fetch_response(types::TimestampMs now, types::ValidatorId from,
                                        const core::TransactionFetchResponse& response);
  std::vector<Action> on_sync_response(types::TimestampMs now, types::ValidatorId from,
                                       const core::SyncResponse& response);
  std::vector<Action> on_block_fetch_response(types::TimestampMs now, types::ValidatorId from,
                                              const core::BlockFetchResponse& response);
  std::vector<Action> on_timer(types::TimestampMs now, core::TimerId timer);
  std::vector<Action> on_job(types::TimestampMs now, const core::JobResult& result);
  /// New transactions entered the mempool: pending blocks may complete, a
  /// waiting leader may propose.
  std::vector<Action> on_transactions_available(types::TimestampMs now,
                                                const std::vector<types::Hash>& tx_hashes);

  // --- observation (tests, simulator, RPC) ---
  types::Round current_round() const { return current_round_; }
  const core::SafetyState& safety() const { return safety_.state(); }
  types::BlockHeight committed_height() const { return tree_.committed_height(); }
  const types::Hash& committed_hash() const { return tree_.committed_hash(); }
  const BlockTree& tree() const { return tree_; }
  const BftStats& stats() const { return stats_; }
  types::ValidatorId leader_of(types::Round r) const;
  /// The round timer's current length (grows while rounds fail to commit).
  core::DurationMs current_round_timeout_ms() const { return round_timeout_ms(); }
  /// A block this node holds (pending assembly excluded), for fetch serving.
  BlockRef find_block(const types::Hash& h) const { return tree_.get(h); }
  /// A transaction of a block this node holds (uncommitted or recently
  /// committed), for serving fetches.
  types::TransactionRef find_transaction_in_tree(const types::Hash& tx_hash) const;

 private:
  struct PendingBlock {
    Verified<types::BlockHeader> header;
    core::ProposalRef proposal;
    types::ValidatorId proposer = 0;
    /// The proposal's transactions in body order (retry, priority, normal);
    /// null where still missing.
    std::vector<types::TransactionRef> txs;
    std::size_t missing = 0;  // null slots left
    /// The slot of `tx_hash` if it is one of the proposal's transactions and
    /// still missing. Binary search in the (strictly sorted) hash lists: no
    /// table keyed by hashes the proposer chose.
    std::optional<std::uint32_t> missing_index(const types::Hash& tx_hash) const;
    /// Missing hashes, sorted (fetch requests).
    std::vector<types::Hash> missing_sorted() const;
    /// Fills slot `index` (which must be missing) with `tx`.
    void fill(std::uint32_t index, types::TransactionRef tx);
    types::TimestampMs created_ms = 0;
    types::TimestampMs next_fetch_ms = 0;
    std::uint32_t fetch_attempts = 0;
  };

  /// A block certified by a QC this node holds, asked of the QC's signers.
  struct BlockFetch {
    types::QuorumCertificate qc;
    std::uint32_t attempts = 0;
    types::TimestampMs next_ms = 0;
    std::set<types::ValidatorId> asked;
    bool verifying = false;  // a response is being verified
  };

  // Input processing.
  void handle_verified_proposal(types::TimestampMs now, types::ValidatorId from,
                                core::VerifiedProposal vp, std::vector<Action>& out);
  void handle_votes_verified(types::TimestampMs now, core::VotesVerified result,
                             std::vector<Action>& out);
  void handle_timeouts_verified(types::TimestampMs now, core::TimeoutsVerified result,
                                std::vector<Action>& out);
  void handle_sync_verified(types::TimestampMs now, core::SyncBlocksVerified result,
                            std::vector<Action>& out);
  void handle_fetched_transactions(types::TimestampMs now, const core::TransactionsVerified& r,
                                   std::vector<Action>& out);

  // Certificates (always verified) and rounds.
  void process_qc(types::TimestampMs now, const Verified<types::QuorumCertificate>& qc,
                  std::optional<types::ValidatorId> source, std::vector<Action>& out);
  void process_tc(types::TimestampMs now, const Verified<types::TimeoutCertificate>& tc,
                  std::vector<Action>& out);
  void advance_round(types::TimestampMs now, types::Round round,
                     const types::TimeoutCertificate* via_tc, std::vector<Action>& out);
  core::DurationMs round_timeout_ms() const;

  // Blocks, commit and sync.
  void try_assemble(types::TimestampMs now, const types::Hash& block_hash,
                    std::vector<Action>& out);
  void insert_block(types::TimestampMs now, BlockRef block, std::vector<Action>& out);
  void try_commit(const types::Hash& certified_hash, std::vector<Action>& out);
  void request_sync(types::TimestampMs now, std::optional<types::ValidatorId> peer,
                    types::BlockHeight target_height, std::vector<Action>& out);
  /// Sorted hashes of the transactions in `ancestors`.
  static std::vector<types::Hash> ancestor_txs(const std::vector<BlockRef>& ancestors);
  /// Ordered already: committed within the replay window, or in an ancestor.
  bool already_ordered(const types::Hash& tx, const std::vector<types::Hash>& ancestor_txs) const;
  std::optional<std::string_view> block_problem(types::TimestampMs now, const types::Block& block,
                                                const types::Block& parent) const;

  // Voting, proposing, timing out.
  void try_vote(types::TimestampMs now, const BlockRef& block, std::vector<Action>& out);
  void maybe_propose(types::TimestampMs now, bool tick, std::vector<Action>& out);
  void time_out_round(types::TimestampMs now, std::vector<Action>& out);
  void start_vote_job(const types::Hash& block_hash, std::vector<Action>& out);
  void start_timeout_job(types::Round round, std::vector<Action>& out);
  void record_equivocation(types::ValidatorId who, types::Round round, const types::Hash& first,
                           const types::Hash& second, bool proposal, std::vector<Action>& out);
  void prune_rounds();
  void schedule_fetch(types::TimestampMs now, std::vector<Action>& out);
  void request_block(types::TimestampMs now, const types::QuorumCertificate& qc,
                     std::vector<Action>& out);
  void send_block_fetch(types::TimestampMs now, const types::Hash& hash, BlockFetch& fetch,
                        std::vector<Action>& out);
  void run_fetches(types::TimestampMs now, std::vector<Action>& out);

  const types::Committee& committee() const { return topology_.committee(shard_); }
  bool is_member(types::ValidatorId v) const { return committee().index_of(v).has_value(); }

  BftConfig config_;
  types::Topology topology_;
  types::ShardId shard_;
  types::ValidatorId self_;
  std::shared_ptr<const crypto::Signer> signer_;
  const core::MempoolView* mempool_;

  SafetyRules safety_;
  BlockTree tree_;
  types::Round current_round_ = 1;
  std::optional<types::TimeoutCertificate> last_round_tc_;  // TC of current_round - 1
  std::uint32_t rounds_without_commit_ = 0;
  bool committed_since_round_start_ = false;
  types::TimestampMs last_proposal_ms_ = 0;
  bool timed_out_current_round_ = false;

  std::map<types::Hash, PendingBlock> pending_;  // verified headers awaiting txs
  std::map<types::Hash, BlockFetch> block_fetches_;
  std::map<types::Hash, VoteCollector> votes_;  // by vote_key, as leader of round + 1
  std::map<types::Round, TimeoutCollector> timeouts_;
  std::map<std::pair<types::Round, types::ValidatorId>, types::Hash> seen_votes_;  // vote keys
  std::map<std::pair<types::Round, types::ValidatorId>, types::Hash> seen_proposals_;
  std::set<std::pair<types::Round, types::ValidatorId>> equivocators_;
  std::set<std::pair<types::Round, types::ValidatorId>> evidence_checked_;
  std::set<std::pair<types::Round, types::ValidatorId>> tc_replies_;
  std::set<types::Round> tcs_checked_;  // TC rounds sent to verification
  std::set<types::Hash> proposals_in_flight_;
  core::ReplayWindow& replay_;  // owned by the node, shared read-only with the mempool

  // Sync: heights requested and not yet received.
  types::BlockHeight sync_target_ = 0;
  types::BlockHeight sync_requested_up_to_ = 0;
  types::TimestampMs sync_deadline_ms_ = 0;
  std::uint32_t sync_peer_cursor_ = 0;
  bool fetch_timer_set_ = false;

  BftStats stats_;
};

}  // namespace hyperscale::bft
