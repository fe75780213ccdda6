#pragma once

// One validator's shard consensus: HotStuff-2 two-chain commit with the
// voting, timeout and view-change rules of DiemBFT v4 / Jolteon (DESIGN §5).
// Pure: every input is an event handler, every output an Action.
//
// Everything a peer can make this validator hold or check is bounded by
// bft/limits.h: per voter and round (one vote message in a job, one more as
// evidence; one timeout), per proposer and round (two proposals), by rounds
// (kMaxRoundsAhead ahead, kRoundsKeptBehind behind), and responses are taken
// only from the peer asked, for what was asked. Catch-up (sync, block fetch,
// probes of messages far ahead) is driven by verified certificates only.

#include <array>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <vector>

#include "bft/block_sync.h"
#include "bft/block_tree.h"
#include "bft/config.h"
#include "bft/leader_schedule.h"
#include "bft/limits.h"
#include "bft/safety_rules.h"
#include "bft/timeout_collector.h"
#include "bft/vote_collector.h"
#include "core/actions.h"
#include "core/execution_view.h"
#include "core/jobs.h"
#include "core/mempool_view.h"
#include "core/replay_window.h"
#include "crypto/scheme.h"
#include "types/topology.h"

namespace hyperscale::bft {

using core::Action;
using core::Verified;

/// What a validator reloads from its storage after a crash.
struct RecoveredState {
  core::SafetyState safety;
  BlockRef committed_tip;           // genesis on a fresh start
  types::QuorumCertificate tip_qc;  // certifies committed_tip
  /// Certified blocks above the committed tip (each with its QC), lowest
  /// first: held again, never treated as committed (DESIGN §12.8).
  std::vector<core::CertifiedBlock> certified;
  /// Leader records of the last committed blocks, oldest first, ending with
  /// the tip's (empty on a fresh start: genesis's is derived).
  std::vector<core::LeaderRecord> leader_history;
  /// Transactions of recently committed blocks (for the replay window), with
  /// their block's timestamp.
  std::vector<std::pair<types::Hash, types::TimestampMs>> recent_committed_txs;
};

/// Why an input was ignored (one counter each in BftStats::ignored).
enum class Ignored : std::uint8_t {
  kMalformed,         // wrong shard, sender is not the signer, not a member, bad lists
  kWrongLeader,       // proposal from a validator that does not lead the round
  kStale,             // below what this node holds (committed height, high QC, old round)
  kTooFarAhead,       // round beyond kMaxRoundsAhead (a probe may check its certificate)
  kDuplicate,         // already held, pending or being verified
  kOverLimit,         // a per-voter or per-proposer bound of the round is used up
  kEquivocator,       // from a validator already caught equivocating this round
  kNotAsked,          // a response nobody asked for, or not what was asked
  kInvalidSignature,  // failed verification
  kInvalidBlock,      // a block a voter must refuse (block_problem)
};
inline constexpr std::size_t kIgnoredKinds = 10;
std::string_view to_string(Ignored reason);

struct BftStats {
  std::uint64_t proposals = 0;
  std::uint64_t votes_sent = 0;
  std::uint64_t timeouts_sent = 0;
  std::uint64_t qcs_formed = 0;
  std::uint64_t tcs_formed = 0;
  std::uint64_t rounds_entered_by_tc = 0;
  std::uint64_t commits = 0;
  std::uint64_t invalid_messages = 0;  // failed verification or refused as a block
  std::uint64_t equivocations = 0;
  std::uint64_t sync_requests = 0;
  std::uint64_t probes = 0;         // lone certificates checked for catch-up
  std::uint64_t blocks_held = 0;    // votes delayed until the local clock allowed the timestamp
  std::uint64_t block_fetches = 0;  // blocks asked by hash
  std::uint64_t fast_timeouts = 0;  // rounds given up at once on proof of a faulty leader
  std::array<std::uint64_t, kIgnoredKinds> ignored{};
  std::uint64_t ignored_total() const {
    std::uint64_t n = 0;
    for (auto v : ignored)
      n += v;
    return n;
  }
};

/// Sizes of everything the network can fill (for the flood tests and the report).
struct BftMemory {
  std::size_t vote_collectors = 0;
  std::size_t votes = 0;  // over all collectors
  std::size_t voter_rounds = 0;
  std::size_t timeout_rounds = 0;
  std::size_t timeouts = 0;
  std::size_t proposal_checks = 0;
  std::size_t proposals_in_flight = 0;
  std::size_t pending_blocks = 0;
  std::size_t block_fetches = 0;
  std::size_t sync_requests = 0;
  std::size_t held_blocks = 0;
  std::size_t tree_blocks = 0;
  std::size_t leader_records = 0;
  std::size_t evidence = 0;  // seen proposals, equivocators, TC replies, TCs checked
};

class BftState {
 public:
  /// `execution` may be null (consensus alone: blocks carry no outcomes and
  /// keep their parent's state root).
  BftState(BftConfig config, types::Topology topology, types::ValidatorId self,
           std::shared_ptr<const crypto::Signer> signer, const core::MempoolView* mempool,
           RecoveredState recovered, core::ReplayWindow& replay,
           core::ExecutionView* execution = nullptr);

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
  std::vector<Action> on_equivocation_proof(types::TimestampMs now, types::ValidatorId from,
                                            const core::EquivocationProof& proof);
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
  BftMemory memory() const;
  const BlockSync& sync() const { return sync_; }
  /// The leader of round `r` named by block `b` (DESIGN §5); nullopt when
  /// this node does not hold `b`.
  std::optional<types::ValidatorId> leader_of(types::Round r, const types::Hash& b) const {
    return leaders_.leader(r, b);
  }
  const LeaderSchedule& leaders() const { return leaders_; }
  /// The round timer's current length (grows while rounds fail to commit).
  core::DurationMs current_round_timeout_ms() const { return round_timeout_ms(); }
  /// A block this node holds (pending assembly excluded), for fetch serving.
  BlockRef find_block(const types::Hash& h) const { return tree_.get(h); }
  /// Transaction `tx_hash` of block `block_hash` (held or being assembled),
  /// for serving fetches: binary search in the block's sorted sections.
  types::TransactionRef find_block_transaction(const types::Hash& block_hash,
                                               const types::Hash& tx_hash) const;

 private:
  struct PendingBlock {
    Verified<types::BlockHeader> header;
    core::ProposalRef proposal;
    types::ValidatorId proposer = 0;
    /// The proposal's transactions in body order (retry, priority, normal);
    /// null where still missing.
    std::vector<types::TransactionRef> txs;
    std::size_t missing = 0;  // null slots left
    /// The slot of `tx_hash` among the proposal's transactions (binary search
    /// in the strictly sorted hash lists: no table keyed by hashes the
    /// proposer chose).
    std::optional<std::uint32_t> index_of(const types::Hash& tx_hash) const;
    /// Missing hashes, sorted (fetch requests).
    std::vector<types::Hash> missing_sorted() const;
    /// Fills slot `index` (which must be missing) with `tx`.
    void fill(std::uint32_t index, types::TransactionRef tx);
    types::TimestampMs next_fetch_ms = 0;
    std::uint32_t fetch_attempts = 0;
    /// Fetch responses are taken from these only, one each (a peer is
    /// removed when its answer is taken).
    std::set<types::ValidatorId> asked;
    bool verifying = false;  // one fetched batch is verified at a time
  };

  /// A block certified by a QC this node holds, asked of the QC's signers
  /// (then of the rest of the committee).
  struct BlockFetch {
    types::QuorumCertificate qc;
    std::uint32_t attempts = 0;
    types::TimestampMs next_ms = 0;
    std::set<types::ValidatorId> asked;  // one answer each is taken
    bool verifying = false;              // a response is being verified
  };

  /// One voter's vote messages in one round: the first goes to its
  /// collector; a second, different one waits as equivocation evidence and
  /// is checked alone once the first verified. Anything more is ignored.
  struct VoterRound {
    std::optional<types::Hash> first;
    bool first_verified = false;
    std::optional<types::BlockVote> suspect;
    bool suspect_checked = false;
    std::uint32_t failed = 0;  // its vote messages that failed verification this round
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
  void add_vote(const types::BlockVote& vote, std::vector<Action>& out);
  /// The header of a block held or pending (to forward as evidence).
  std::optional<types::BlockHeader> header_of(const types::Hash& block_hash) const;
  void start_evidence_check(VoterRound& vr, std::vector<Action>& out);
  /// A message too far ahead to keep: check the certificate it carries alone
  /// (one probe in flight), so a validator far behind learns the shard's round and tip.
  void probe(types::TimestampMs now, types::ValidatorId from, const types::QuorumCertificate& qc,
             std::vector<Action>& out);
  /// A peer whose last probe failed is not probed for a while.
  bool probe_refused(types::TimestampMs now, types::ValidatorId from) const;

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
  /// Leader records for `block` and any held descendants waiting for it;
  /// returns the blocks that got one.
  std::vector<BlockRef> add_leader_records(const BlockRef& block);
  void try_commit(const types::Hash& certified_hash, std::vector<Action>& out);
  /// Holds `h` and every block down to the committed tip.
  bool connected(const types::Hash& h) const;
  /// Sends due sync requests and arms the sync timer.
  void drive_sync(types::TimestampMs now, std::vector<Action>& out);
  /// Sorted hashes of the transactions in `ancestors`.
  static std::vector<types::Hash> ancestor_txs(const std::vector<BlockRef>& ancestors);
  /// Ordered already: committed within the replay window, or in an ancestor.
  bool already_ordered(const types::Hash& tx, const std::vector<types::Hash>& ancestor_txs) const;
  enum class BlockProblem : std::uint8_t { kNone, kFuture, kInvalid };
  BlockProblem block_problem(types::TimestampMs now, const types::Block& block,
                             const types::Block& parent) const;

  // Voting, proposing, timing out.
  void try_vote(types::TimestampMs now, const BlockRef& block, std::vector<Action>& out);
  /// Votes on `block` once the local clock reaches `at` (its timestamp minus the lead).
  void hold(types::TimestampMs now, const BlockRef& block, types::TimestampMs at,
            std::vector<Action>& out);
  void recheck_held(types::TimestampMs now, std::vector<Action>& out);
  void maybe_propose(types::TimestampMs now, bool tick, std::vector<Action>& out);
  /// The timestamp of a block proposed now on `parent` (DESIGN §5, capped).
  types::TimestampMs proposal_timestamp(types::TimestampMs now, const types::Block& parent) const;
  void time_out_round(types::TimestampMs now, std::vector<Action>& out);
  /// What a timeout of round `r` sends: this node's vote of the round (if
  /// any) to every member and itself, then the timeout likewise.
  std::vector<core::Outbound> timeout_messages(types::Round r, const types::Timeout& timeout) const;
  /// A leader proved faulty (an invalid or equivocating proposal from it) for
  /// the current round, or for the next one after this node voted (it holds
  /// the votes: the round cannot certify): time out now, not at the timer.
  void leader_failed(types::TimestampMs now, types::ValidatorId leader, types::Round round,
                     std::vector<Action>& out);
  /// The one way a vote, timeout or proposal leaves: after the safety state
  /// it depends on is durable, and only if that state is one a restarted
  /// validator could continue from (asserted).
  void persist_then_send(std::vector<core::Outbound> messages, std::vector<Action>& out);
  void start_vote_job(const types::Hash& key, std::vector<Action>& out);
  void start_timeout_job(types::Round round, std::vector<Action>& out);
  void record_equivocation(types::ValidatorId who, types::Round round, const types::Hash& first,
                           const types::Hash& second, bool proposal, std::vector<Action>& out);
  void prune_rounds();
  void ignore(Ignored reason) { ++stats_.ignored[static_cast<std::size_t>(reason)]; }
  void schedule_fetch(std::vector<Action>& out);
  void request_block(types::TimestampMs now, const types::QuorumCertificate& qc,
                     std::vector<Action>& out);
  void send_block_fetch(types::TimestampMs now, const types::Hash& hash, BlockFetch& fetch,
                        std::vector<Action>& out);
  void run_fetches(types::TimestampMs now, std::vector<Action>& out);

  const types::Committee& committee() const { return topology_.committee(shard_); }
  bool is_member(types::ValidatorId v) const { return committee().index_of(v).has_value(); }
  /// Rounds kept: [current - kRoundsKeptBehind, current + kMaxRoundsAhead].
  bool round_too_old(types::Round r) const {
    return r + limits::kRoundsKeptBehind < current_round_;
  }
  bool round_too_far(types::Round r) const { return r > current_round_ + limits::kMaxRoundsAhead; }

  BftConfig config_;
  types::Topology topology_;
  types::ShardId shard_;
  types::ValidatorId self_;
  std::shared_ptr<const crypto::Signer> signer_;
  const core::MempoolView* mempool_;
  core::ExecutionView* execution_;

  SafetyRules safety_;
  BlockTree tree_;
  LeaderSchedule leaders_;
  BlockSync sync_;
  types::Round current_round_ = 1;
  std::optional<types::TimeoutCertificate> last_round_tc_;  // TC of current_round - 1
  std::uint32_t rounds_without_commit_ = 0;
  bool committed_since_round_start_ = false;
  types::TimestampMs last_proposal_ms_ = 0;
  bool timed_out_current_round_ = false;
  /// The vote this node signed last (re-sent to everyone when its round times out).
  std::optional<types::BlockVote> last_vote_;

  std::map<types::Hash, PendingBlock> pending_;  // verified headers awaiting txs
  std::map<types::Hash, BlockFetch> block_fetches_;
  std::map<types::Hash, types::TimestampMs> held_;        // block -> local time it may be voted
  std::map<types::Hash, types::TimestampMs> arrival_ms_;  // block -> local time it was held
  std::map<types::Hash, VoteCollector> votes_;            // by vote_key
  std::map<std::pair<types::Round, types::ValidatorId>, VoterRound> voter_rounds_;
  std::map<types::Round, TimeoutCollector> timeouts_;
  std::map<std::pair<types::Round, types::ValidatorId>, std::uint32_t> proposal_checks_;
  std::map<std::pair<types::Round, types::ValidatorId>, types::Hash> seen_proposals_;
  std::set<std::pair<types::Round, types::ValidatorId>> equivocators_;
  std::set<std::pair<types::Round, types::ValidatorId>> tc_replies_;
  /// To whom this node's proposal of the current round was sent again.
  std::set<std::pair<types::Round, types::ValidatorId>> proposal_resends_;
  std::set<types::Round> tcs_checked_;  // TC rounds sent to verification
  std::set<types::Round> qcs_checked_;  // QC rounds from timeouts sent to verification
  std::set<std::pair<types::Round, types::ValidatorId>> proofs_checked_;  // equivocation proofs
  std::set<types::Hash> proposals_in_flight_;
  std::uint32_t probes_in_flight_ = 0;
  std::map<types::ValidatorId, types::TimestampMs> probe_refused_until_;  // failed probes
  core::ReplayWindow& replay_;  // owned by the node, shared read-only with the mempool

  bool fetch_timer_set_ = false;
  std::optional<types::TimestampMs> sync_wake_ms_;  // when the sync timer fires
  std::optional<types::TimestampMs> held_wake_ms_;  // when the held-block timer fires

  BftStats stats_;
};

}  // namespace hyperscale::bft
