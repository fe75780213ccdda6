#pragma once

// Checkers that watch a running simulation and record the first violation of
// each property, with enough detail to debug it from the seed (DESIGN §9).
//
// Safety: agreement, commit_extends_tip, no_double_vote (votes and timeouts).
// Liveness, as users mean it:
//   catch_up — after the transient faults stop, every honest live validator
//              is within a lag tolerance of its shard's committed tip by a
//              deadline, and stays so from then on;
//   progress — in the steady part of the run (from the moment everyone caught
//              up), each shard commits blocks at a floor rate (or orders at
//              least what it is offered: a backlog drained in fuller blocks)
//              with no long gap, and commits the offered load (minus what
//              back-pressure refused).
// A check that could not be decided says so, and why, in unchecked().

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "core/events.h"
#include "types/block.h"

namespace hyperscale::simulation {

/// What "live" means for one run; the scenario derives it from its config
/// (latency, round timers, faults) when the transient faults stop.
struct LivenessPolicy {
  types::TimestampMs heal_ms = 0;             // transient faults stopped
  core::DurationMs catch_up_deadline_ms = 0;  // everyone caught up by heal + this
  core::DurationMs lag_tolerance_ms = 0;      // caught up: height >= shard tip this long ago
  core::DurationMs max_commit_gap_ms = 0;     // steady part: a commit at least this often
  double min_blocks_per_s = 0;                // steady part, per shard
  double min_committed_fraction = 0;          // of txs offered in the steady part, not refused
  core::DurationMs drain_ms = 0;              // txs offered this close to the end are not judged
  core::DurationMs min_steady_ms = 0;         // a shorter steady part cannot decide progress
  /// One stall this long is allowed in the steady part (faults that never
  /// stop: a faulty leader's rounds); rates are owed over the rest of it.
  core::DurationMs stall_allowance_ms = 0;
  /// The rate floors apply once every shard has committed this many blocks
  /// (a warm-up, e.g. the history leader reputation needs under faults).
  types::BlockHeight warmup_height = 0;
  std::string floor;  // which floor applies and why, for the messages
  /// When set, the committed share of the offered load is not judged (only
  /// the block rate is), and this says why.
  std::string transactions_unjudged;
  /// When above 0, the proposers' in-flight limit bounds throughput below
  /// the offered load: the committed share is owed only up to this many
  /// transactions per second (all shards together), and `bounded_why` says
  /// why. Still judged: a chain that orders nothing breaks it.
  double bounded_tps = 0;
  std::string bounded_why;
};

/// One validator as the checker sees it at a sample.
struct ValidatorView {
  types::ValidatorId id = 0;
  types::ShardId shard = 0;
  types::BlockHeight committed_height = 0;
  /// The round its consensus is in (0 while down): a validator that commits
  /// by sync but stays in an old round takes no part (votes, timeouts).
  types::Round round = 0;
  /// Honest and running: the liveness checks hold it to the shard's tip.
  bool counted = false;
};

/// Transactions offered in a time window, for the progress check.
struct OfferedLoad {
  std::uint64_t offered = 0;
  std::uint64_t refused = 0;  // back-pressure, reported by the node
  std::uint64_t committed = 0;
};

class InvariantChecker {
 public:
  /// Agreement (one block per shard height) and commit-extends-tip (per
  /// node). Commits of honest validators make the shard's tip, which the
  /// liveness checks hold the others to.
  void on_commit(types::ValidatorId node, types::ShardId shard, const types::Block& block,
                 types::TimestampMs now, bool honest);
  /// Votes and timeouts are remembered for each validator's last this many
  /// rounds (a double vote further back is not seen): memory per validator
  /// stays bounded however long the run.
  static constexpr types::Round kDoubleVoteWindowRounds = 4096;
  /// No honest validator signs two votes for one round, across restarts too:
  /// called for every vote leaving an honest node.
  void on_vote_sent(types::ValidatorId node, types::Round round, const types::Hash& block);
  /// Same for timeouts: one timeout content (its high QC and TC) per round.
  void on_timeout_sent(types::ValidatorId node, types::Round round, const types::Hash& content);
  /// A restarted node starts over from its stored tip; after the faults
  /// stopped, it has the catch-up deadline from `now` to reach the tip again.
  void on_restart(types::ValidatorId node, types::BlockHeight height, const types::Hash& hash,
                  types::TimestampMs now);
  /// The number of honest validators in the run (no_double_vote is undecided without any).
  void set_honest_validators(std::size_t count) { honest_validators_ = count; }
  /// The number of instances that commit (validators and twins). Once each
  /// has committed, every kPruneEvery commits the agreement check forgets,
  /// per shard, the heights every instance of the shard holds: an instance
  /// commits each height once, and a restarted one continues from its
  /// durable tip (commit_extends_tip checks that), so none is committed
  /// again. An instance that never commits (down to the end, or a twin
  /// without a quorum) keeps its shard's heights.
  void set_instances(std::size_t count) { instances_ = count; }
  static constexpr std::uint64_t kPruneEvery = 1024;

  /// Runs that execute transactions are also held to: state_root (every
  /// honest validator's own state root at each height it commits is the
  /// chain's), completed_once (no transaction gets two outcomes in a shard's
  /// chain), supply and balances (checked at the end by the runner), and
  /// completion (every transaction committed long enough before the end
  /// completed), restored_ledger (a restarted validator's stored ledger is
  /// the one its stored chain derives).
  void enable_execution();
  /// Records the first violation of an execution invariant found by the runner.
  void report_execution(const std::string& name, std::string what) {
    violate(name, std::move(what));
  }
  /// The execution invariant `name` could not be decided, and why.
  void execution_unchecked(const std::string& name, std::string why) {
    if (!results_.at(name)) unchecked_[name] = std::move(why);
  }

  /// Liveness from now on, for `num_shards` shards.
  void expect_liveness(LivenessPolicy policy, std::uint32_t num_shards);
  /// Checks catch-up and commit gaps at `now` (the runner samples often).
  void sample(types::TimestampMs now, std::span<const ValidatorView> validators);
  /// When the steady part began (everyone caught up after the faults, and
  /// the warm-up height reached), if it has.
  std::optional<types::TimestampMs> steady_since() const;
  /// The run ended at `now`: decides what is left (progress over the steady
  /// part, with `load` giving the offered load of a window) or says why not.
  /// An `interrupted` run (Ctrl-C) ended before its time: catch-up and
  /// progress are not judged.
  void finish(types::TimestampMs now,
              const std::function<OfferedLoad(types::TimestampMs, types::TimestampMs)>& load,
              bool interrupted = false);

  bool ok() const;
  /// Some invariant broke: the runner stops at once.
  bool broken() const { return broken_; }
  /// Invariant name -> nullopt when it held, or the first violation.
  const std::map<std::string, std::optional<std::string>>& results() const { return results_; }
  /// Invariant name -> why it could not be decided in this run.
  const std::map<std::string, std::string>& unchecked() const { return unchecked_; }

  /// The highest height of `shard` an honest validator committed by time `t` (0 before any).
  types::BlockHeight shard_height_at(types::ShardId shard, types::TimestampMs t) const;
  /// Transactions the shard's chain ordered up to time `t` (honest commits).
  std::uint64_t shard_txs_at(types::ShardId shard, types::TimestampMs t) const;
  /// The highest round a counted validator of `shard` was in at a sample by
  /// time `t` (0 before any sample after the faults stopped).
  types::Round shard_round_at(types::ShardId shard, types::TimestampMs t) const;

 private:
  void violate(const std::string& name, std::string what);

  struct Liveness {
    LivenessPolicy policy;
    std::uint32_t num_shards = 0;
    std::optional<types::TimestampMs> caught_up_ms;  // everyone caught up after the faults
    std::optional<types::TimestampMs> steady_ms;     // ... and warmed up: rates are judged
  };
  std::map<std::pair<types::ShardId, types::BlockHeight>, types::Hash> committed_;
  std::map<types::ValidatorId, std::pair<types::BlockHeight, types::Hash>> tips_;
  std::map<types::ValidatorId, types::TimestampMs> restarted_ms_;
  std::map<std::pair<types::ValidatorId, types::Round>, types::Hash> votes_;
  std::map<std::pair<types::ValidatorId, types::Round>, types::Hash> timeouts_;
  std::map<types::ValidatorId, types::Round> top_round_;  // highest round signed, per validator
  /// Whether (node, round) is inside the node's window; moves the window
  /// and forgets what fell out of it.
  bool in_window(types::ValidatorId node, types::Round round);
  std::size_t instances_ = 0;
  std::map<types::ValidatorId, types::ShardId> instance_shard_;  // learnt from commits
  void forget_held_heights();
  /// Per shard, (time, new highest committed height), in time order.
  std::map<types::ShardId, std::vector<std::pair<types::TimestampMs, types::BlockHeight>>>
      tip_history_;
  /// Per shard, (time of tip_history_'s entry, transactions in the blocks
  /// up to that height).
  std::map<types::ShardId, std::vector<std::pair<types::TimestampMs, std::uint64_t>>> tx_history_;
  /// Per shard, (sample time, new highest round of a counted validator).
  std::map<types::ShardId, std::vector<std::pair<types::TimestampMs, types::Round>>> round_history_;
  /// Restarted validators still behind, exempt until their own deadline,
  /// at the last sample: undecided if the run ends first.
  std::vector<std::pair<types::ValidatorId, types::TimestampMs>> restarting_behind_;
  // Per shard, the lowest committed height of a running honest validator at
  // the shard's first sample (after the faults stopped) that had one: a
  // catch-up target no higher asked nothing of anyone.
  std::map<types::ShardId, types::BlockHeight> lowest_at_heal_;
  std::optional<Liveness> liveness_;
  std::size_t honest_validators_ = 0;
  std::uint64_t commits_ = 0;
  std::map<std::string, std::string> unchecked_;
  bool broken_ = false;
  std::map<std::string, std::optional<std::string>> results_ = {
      {"agreement", std::nullopt},      {"commit_extends_tip", std::nullopt},
      {"no_double_vote", std::nullopt}, {"catch_up", std::nullopt},
      {"progress", std::nullopt},
  };
};

}  // namespace hyperscale::simulation
