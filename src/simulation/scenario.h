#pragma once

// A scenario is data: network, workload, faults, and what must hold. The
// simulator CLI and the tests both run scenarios through run_scenario().

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "simulation/runner.h"
#include "simulation/workload.h"

namespace hyperscale::simulation {

/// The largest extra link latency (--slow) and clock offset (--clock-offset,
/// either sign) a scenario may set, in ms: the same bound as the CLI's
/// --latency-ms and --clock-skew-ms.
inline constexpr core::DurationMs kMaxFaultMs = 60'000;

struct PartitionWindow {
  types::TimestampMs start_ms = 0;
  types::TimestampMs end_ms = 0;
  std::vector<types::ValidatorId> side_a;
  std::vector<types::ValidatorId> side_b;  // empty: side_a is cut from everyone else
  bool one_way = false;                    // only side_a -> side_b is cut
};

/// Validators crashed at start_ms and restarted at end_ms: any number of
/// them (crashes are not Byzantine; safety must hold, and liveness resume
/// once a quorum is back).
struct CrashWindow {
  types::TimestampMs start_ms = 0;
  types::TimestampMs end_ms = 0;
  std::vector<types::ValidatorId> ids;
};

struct Scenario {
  SimConfig sim;
  types::TimestampMs duration_ms = 30'000;
  WorkloadConfig workload;
  types::TimestampMs workload_start_ms = 200;
  /// The workload submits until then (default: the whole run).
  std::optional<types::TimestampMs> workload_stop_ms;
  /// Execute the transactions (DESIGN §6): the workload's accounts are funded
  /// at genesis with `genesis_balance` of the native resource each.
  bool execution = false;
  types::Amount genesis_balance = 1'000'000'000;
  /// (kind, count per shard); counts plus crash concurrency stay within f.
  /// Twins (kind kTwin) talk to `twin_peers`, or to the odd committee
  /// indices of their shard when it is empty; the original to the others.
  std::vector<std::pair<ByzantineKind, std::uint32_t>> byzantine;
  std::vector<types::ValidatorId> twin_peers;
  std::vector<CrashWindow> crashes;
  /// Crash and restart honest validators at seeded times, one at a time per
  /// shard, until the faults end.
  bool crash_restart = false;
  std::vector<PartitionWindow> partitions;
  /// Any other scripted change at a time (loss on/off, crashes, skew...).
  std::vector<std::pair<types::TimestampMs, std::function<void(SimulationRunner&)>>> events;
  /// When the transient faults (partitions, crashes, loss, scripted events)
  /// stop; default: two thirds of the run when there are any, else 0.
  /// Byzantine validators and clock skew never stop.
  std::optional<types::TimestampMs> faults_end_ms;
  /// Round timeouts (of the longest round timer when the faults stop) in the
  /// catch-up deadline and the longest commit gap; see liveness_policy().
  std::uint32_t liveness_timeouts = 3;
  bool check_liveness = true;
  /// Throughput and latency are also reported for the part of the run after
  /// this warm-up (SimReport::after_warmup).
  types::TimestampMs warmup_ms = 0;
  core::DurationMs progress_interval_ms = 1000;
  /// Called after every progress_interval_ms of simulated time (not after
  /// an interrupt); on_finish once at the end, before the runner is gone.
  std::function<void(SimulationRunner&)> on_progress;
  std::function<void(SimulationRunner&)> on_finish;
  /// The runner keeps each commit's latency for on_progress to take
  /// (SimulationRunner::take_commit_latencies), from the start of the run.
  bool record_commit_latencies = false;
  /// Per-event trace lines (SimulationRunner::set_trace_sink), if set.
  std::function<void(std::string_view)> trace_sink;
  /// The run stops early, with a partial report, once this becomes true.
  const std::atomic<bool>* interrupt = nullptr;
};

/// The liveness policy of a scenario when its transient faults stop (DESIGN
/// §9), from its latency, round timers, load and faults:
///   rtt = 2 × (latency + jitter) + 2 × job delay; block interval =
///   max(rtt, half the minimum block interval) with load (a transaction per
///   rtt per shard), rtt + proposal tick without; lag tolerance = 2 × rtt + tick + 1 s +
///   the longest round timer (a proposal lost near the end of the faults);
///   catch-up deadline = liveness_timeouts × longest round timer + 1 s +
///   10 × rtt + the sync of the largest lag (32 heights per 2 × rtt);
///   commit gap = liveness_timeouts × longest timer + 4 × rtt + 1 s;
///   when the base round timer is shorter than rtt, the deadline, the gap
///   and the stall allowance grow by the time the timer's backoff takes to
///   pass rtt (rounds fail until then, again after each commit);
///   under faults that never stop, the lag tolerance and the commit gap
///   grow by 2f + 1 failed rounds (each faulty validator can fail its own
///   round and withhold the QC of the round before; a commit is learnt from
///   the next proposal),
///   and by twice the clock skew when it exceeds half the timestamp lead
///   (a block waits for a quorum's slowest clock);
///   floors: ≥ 50 % of the fault-free block rate and ≥ 90 % of the offered
///   load, or 5 % and 30 % under faults that never stop (Byzantine
///   validators, clock skew beyond half the timestamp lead), judged once
///   the shard has committed 4 blocks (warm-up), with one stall of up to
///   the commit gap allowed in the steady part (it is owed the rate over the
///   rest, and a steady part shorter than the gap is not judged).
LivenessPolicy liveness_policy(const Scenario& scenario, const SimulationRunner& runner);

/// One validator at the end of a run.
struct ValidatorReport {
  types::ShardId shard = 0;
  ByzantineKind byzantine = ByzantineKind::kNone;
  bool has_twin = false;
  types::BlockHeight committed_height = 0;
  ValidatorCounters counters;
  /// Heights below the shard's highest committed height at the end.
  types::BlockHeight behind_by = 0;
  /// Running and within kCaughtUpHeights of the shard's tip.
  bool caught_up = false;
};
/// Validators of one shard differ by a height or so at any instant (each
/// commits when the next proposal reaches it): this many heights behind the
/// shard's tip still counts as caught up at the end of a run.
inline constexpr types::BlockHeight kCaughtUpHeights = 2;

struct SimReport {
  /// Simulated time actually run: the scenario's duration, or less when an
  /// invariant broke (the run stops at the first violation) or it was
  /// interrupted.
  types::TimestampMs simulated_ms = 0;
  bool stopped_early = false;
  bool interrupted = false;
  /// When the transient faults stopped (Scenario::faults_end_ms or its default).
  types::TimestampMs faults_end_ms = 0;
  std::uint64_t committed_blocks = 0;
  std::uint64_t committed_txs = 0;
  std::uint64_t submitted_txs = 0;
  double tps = 0;
  LatencySummary latency_ms;
  /// After Scenario::warmup_ms: commits per second in [warm-up, end], and
  /// the latency of the transactions submitted in that window that committed.
  struct Window {
    double tps = 0;
    LatencySummary latency_ms;
    std::uint64_t submitted = 0;
    std::uint64_t committed = 0;
    /// With execution: outcomes (Accept and Reject) committed in the window
    /// per second, and submission → Completed of those submitted in it.
    double completed_tps = 0;
    LatencySummary completion_latency_ms;
  };
  Window after_warmup;
  /// Execution (Scenario::execution): outcomes committed (Accept and
  /// Reject), transactions committed and still without an outcome at the
  /// end, submission → Completed latency, the most nodes one validator held
  /// locked, and each shard's state root at the end (of its tallest honest
  /// validator, with that height).
  struct Execution {
    std::uint64_t completed_txs = 0;
    double completed_tps = 0;
    std::uint64_t rejected_txs = 0;
    std::uint64_t in_flight_at_end = 0;
    LatencySummary completion_latency_ms;
    std::size_t peak_locked_nodes = 0;
    /// Restarts that reloaded execution's stored state and ledger, and those
    /// that replayed their chain because the store failed its checks.
    std::uint64_t restarts_restored = 0;
    std::uint64_t restarts_replayed = 0;
    std::vector<std::pair<types::BlockHeight, types::Hash>> state_roots;  // by shard
  };
  std::optional<Execution> execution;
  std::uint64_t view_changes = 0;
  std::uint64_t timeouts = 0;
  std::uint64_t events_processed = 0;
  std::uint64_t messages_dropped = 0;
  std::uint64_t crashes = 0;
  std::uint64_t equivocations_reported = 0;
  std::uint64_t submissions_rejected = 0;
  std::map<std::string, NetworkTrafficAnalyzer::Counter> messages;
  std::vector<types::BlockHeight> shard_heights;
  std::map<types::ValidatorId, types::BlockHeight> node_heights;  // from each node's storage
  std::map<types::ValidatorId, ValidatorReport> validators;
  struct NodeTraffic {
    std::uint64_t sent_messages = 0;
    std::uint64_t sent_bytes = 0;
    std::uint64_t received_messages = 0;
    std::uint64_t received_bytes = 0;
  };
  std::map<types::ValidatorId, NodeTraffic> node_traffic;
  double wall_seconds = 0;
  double sim_seconds_per_wall_second = 0;
  std::string trace_hash;
  std::map<std::string, std::optional<std::string>> invariants;  // name -> violation
  /// Invariants this run could not decide (e.g. too short for the liveness
  /// deadline), name -> why. Not violations, but not "ok" either.
  std::map<std::string, std::string> unchecked;
  /// When the steady part of the run began (every honest validator caught up
  /// after the faults stopped), if it did.
  std::optional<types::TimestampMs> steady_since_ms;
  bool ok = true;
  std::vector<std::string> problems;  // scenario set-up refused
};

/// Checks the scenario (fault budget within f, ids in range, fault magnitudes
/// within kMaxFaultMs, no validator in two overlapping crash windows, chosen
/// fault sets that let the fault act); one message per problem, empty when fine.
std::vector<std::string> validate(const Scenario& scenario);
SimReport run_scenario(const Scenario& scenario);

}  // namespace hyperscale::simulation
