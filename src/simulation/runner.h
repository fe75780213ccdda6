#pragma once

// The deterministic simulator: N NodeStateMachines, one event queue keyed by
// (time, priority, node, sequence), one seeded RNG. Delegated jobs run inline
// and their results return after a seeded delay; messages cross a
// SimulatedNetwork; each node persists to a SimStorage, from which a crashed
// node restarts. A trace hash over every event and action makes a run
// reproducible by seed, in one process and across processes.

#include <atomic>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <variant>
#include <vector>

#include "node/node_state_machine.h"
#include "simulation/invariants.h"
#include "simulation/latency.h"
#include "simulation/network.h"
#include "simulation/rng.h"
#include "simulation/sim_storage.h"
#include "simulation/traffic.h"

namespace hyperscale::simulation {

enum class ByzantineKind : std::uint8_t {
  kNone,
  kEquivocate,    // as proposer, sends two different blocks for one round
  kDoubleVote,    // votes for its block and for another one in the same round
  kSilent,        // sends nothing
  kBadSignature,  // corrupts the signatures of its votes, timeouts and proposals
  kForgedParent,  // forwards QCs with a forged parent hash (re-signing what it signs itself)
  kWithhold,      // as proposer, sends its blocks only to some peers (and serves them to none)
  kTwin,          // runs as two honest instances with the same keys (the Twins method)
};
std::string_view to_string(ByzantineKind kind);
std::optional<ByzantineKind> byzantine_from_string(std::string_view name);

struct SimConfig {
  std::uint32_t shards = 1;
  std::uint32_t validators_per_shard = 4;
  std::uint64_t seed = 1;
  crypto::SchemeKind crypto = crypto::SchemeKind::kMock;
  NetworkConfig network;
  node::NodeConfig node;
  core::DurationMs max_job_delay_ms = 2;   // seeded delay of delegated work results
  core::DurationMs max_clock_skew_ms = 0;  // each node's clock offset in [-skew, +skew]
  /// Fixed clock offsets (ms, signed), replacing the seeded skew of those validators.
  std::map<types::ValidatorId, std::int64_t> clock_offsets_ms;
  /// An equivocating leader's first block goes to these validators, its
  /// second to the others; empty: even committee indices get the first, odd
  /// the second, and every fourth both.
  std::vector<types::ValidatorId> equivocation_split;
  /// A withholding leader's blocks reach only validators not listed here;
  /// empty: it withholds from the odd committee indices.
  std::vector<types::ValidatorId> withhold_from;
  /// Stop at the first invariant violation (the default); false keeps
  /// running and records the first violation of every invariant.
  bool stop_at_first_violation = true;
  /// Execution (DESIGN §6): when not empty, the genesis state of each shard
  /// (by shard), and every validator executes its shard's transactions;
  /// empty: consensus only (blocks keep the genesis root).
  std::vector<std::vector<types::StateEntry>> genesis_state;
};

/// What one validator did over a run, counted across its restarts.
struct ValidatorCounters {
  types::Round round = 0;       // the round it is in now (0 while down)
  std::uint64_t proposals = 0;  // rounds it led and proposed in
  std::uint64_t timeouts_sent = 0;
  std::uint64_t rounds_entered_by_tc = 0;  // view changes it took part in
  std::uint64_t crashes = 0;
  bool up = false;
};

/// A validator went down (crash) or came back (restart) at a time.
struct CrashEvent {
  types::TimestampMs at_ms = 0;
  types::ValidatorId validator = 0;
  bool down = false;
};

/// A simulated process: a validator, or the twin of one (same keys, its own
/// state and storage), told apart by kTwinBit.
using Instance = std::uint32_t;
inline constexpr Instance kTwinBit = 1u << 31;
inline types::ValidatorId validator_of(Instance i) {
  return i & ~kTwinBit;
}

/// A submitted transaction not yet committed (nor refused, nor expired).
struct TxRecord {
  types::ShardId shard = 0;
  types::TimestampMs submitted_ms = 0;
  types::TimestampMs valid_until_ms = 0;  // no block after this (consensus time) holds it
};

/// Transactions submitted in one 10 ms slot of simulated time (the
/// workload submits in 10 ms batches), by what became of them.
struct SubmissionSlot {
  std::uint32_t offered = 0;
  std::uint32_t refused = 0;  // the node refused the submission (back-pressure, duplicate, invalid)
  std::uint32_t committed = 0;
};

struct RunnerStats {
  std::uint64_t events_processed = 0;
  std::uint64_t actions = 0;
  std::uint64_t messages_sent = 0;
  std::uint64_t messages_dropped = 0;
  std::uint64_t jobs = 0;
  std::uint64_t crashes = 0;
  std::uint64_t restarts = 0;
  std::uint64_t submissions_rejected = 0;
  std::uint64_t equivocations_reported = 0;
  /// Restarts that reloaded execution's stored state and ledger (each
  /// ledger compared with its stored chain's).
  std::uint64_t execution_restores = 0;
  /// Restarts whose stored execution state failed its checks (a corrupted
  /// store): execution replayed the stored chain instead.
  std::uint64_t execution_replays = 0;
};

class SimulationRunner {
 public:
  explicit SimulationRunner(SimConfig config);
  ~SimulationRunner();

  /// Starts every node at time 0.
  void start();
  /// Processes every event with time <= until_ms, then sets now to until_ms;
  /// returns early, at the violating event, once an invariant breaks.
  void run_until(types::TimestampMs until_ms);
  types::TimestampMs now() const { return now_; }

  void submit(const types::TransactionRef& tx, types::ValidatorId to);
  void schedule(types::TimestampMs at, std::function<void(SimulationRunner&)> fn);

  /// Crash now; with `after_next_persist`, the node crashes inside its next
  /// PersistSafetyThenSend, after the write and before the send.
  void crash(types::ValidatorId v, bool after_next_persist = false);
  void restart(types::ValidatorId v);
  bool is_up(types::ValidatorId v) const { return nodes_.at(v).machine != nullptr; }
  void set_byzantine(types::ValidatorId v, ByzantineKind kind) { nodes_.at(v).byzantine = kind; }
  ByzantineKind byzantine(types::ValidatorId v) const { return nodes_.at(v).byzantine; }
  void set_clock_skew(types::ValidatorId v, std::int64_t skew_ms) {
    nodes_.at(v).skew_ms = skew_ms;
  }
  /// Runs validator `v` as two instances with the same keys (Twins): the twin
  /// talks only with `peers`, the original only with the others. Both are
  /// marked Byzantine (together they can equivocate). Call before start().
  void add_twin(types::ValidatorId v, std::vector<types::ValidatorId> peers);
  bool has_twin(types::ValidatorId v) const { return nodes_.contains(v | kTwinBit); }

  SimulatedNetwork& network() { return network_; }
  InvariantChecker& invariants() { return invariants_; }
  const InvariantChecker& invariants() const { return invariants_; }
  const NetworkTrafficAnalyzer& traffic() const { return traffic_; }
  const RunnerStats& stats() const { return stats_; }
  /// Why the last restore of stored execution state failed (empty: none did).
  const std::string& last_execution_restore_error() const { return last_execution_restore_error_; }
  const SimConfig& config() const { return config_; }
  const types::Topology& topology() const { return topology_; }
  Rng& rng() { return rng_; }

  /// The state machine of an instance (a validator id, or id | kTwinBit).
  const node::NodeStateMachine* node(Instance v) const { return nodes_.at(v).machine.get(); }
  /// Test hook: the live machine of `v` (null while down), e.g. to corrupt its state.
  node::NodeStateMachine* node_for_test(Instance v) { return nodes_.at(v).machine.get(); }
  const SimStorage& storage(Instance v) const { return *nodes_.at(v).storage; }
  /// Test hook: a validator's storage, writable (to corrupt it while down).
  SimStorage& storage_for_test(Instance v) { return *nodes_.at(v).storage; }
  /// Every validator id (twins not included).
  std::vector<types::ValidatorId> validators() const;
  std::vector<types::ValidatorId> validators_of(types::ShardId shard) const;
  /// Highest committed height of the shard over its validators' storage.
  types::BlockHeight committed_height(types::ShardId shard) const;
  /// Consensus time of the shard: the timestamp of its newest committed
  /// block over its validators' storage (ms), the clock the validators'
  /// mempools judge validity windows by; 0 before the first commit.
  types::TimestampMs consensus_time(types::ShardId shard) const;
  std::uint64_t submitted_tx_count() const { return submitted_txs_; }
  // --- execution (empty without SimConfig::genesis_state) ---
  bool executes() const { return !config_.genesis_state.empty(); }
  std::uint64_t completed_tx_count() const { return completed_txs_; }
  std::uint64_t rejected_tx_count() const { return rejected_txs_; }
  /// Submission to the first outcome commit, per completed transaction.
  const LatencyHistogram& completion_latencies() const { return completion_latencies_; }
  /// Committed transactions without an outcome yet, and the oldest commit time among them.
  std::size_t in_flight_count() const { return completing_.size(); }
  /// Committed transactions still without an outcome that committed before `t`.
  std::size_t in_flight_committed_before(types::TimestampMs t) const;
  /// End-of-run execution checks: supply and chain balances per shard,
  /// completion within `bound_ms` of each commit (after `faults_end_ms`).
  void finish_execution(types::TimestampMs faults_end_ms, core::DurationMs bound_ms);
  /// Submitted transactions that expired uncommitted (dropped by a crash or
  /// the mempool): forgotten once their shard's consensus time passed their
  /// validity, so that no record outlives what can still commit.
  std::uint64_t expired_tx_count() const { return expired_txs_; }
  std::uint64_t committed_tx_count() const { return committed_txs_; }
  /// Submission-to-commit latency of every committed transaction.
  const LatencyHistogram& commit_latencies() const { return latencies_; }
  /// From `from_ms` on: the latency of transactions submitted then that
  /// committed (measured_latencies()), and the commits counted
  /// (measured_commits()). Set before start().
  void measure_from(types::TimestampMs from_ms) { measure_from_ms_ = from_ms; }
  const LatencyHistogram& measured_latencies() const { return measured_latencies_; }
  std::uint64_t measured_commits() const { return measured_commits_; }
  /// The same window for outcomes: outcomes committed from `from_ms` on, and
  /// the submission → Completed latency of those submitted then.
  std::uint64_t measured_completions() const { return measured_completions_; }
  const LatencyHistogram& measured_completion_latencies() const {
    return measured_completion_latencies_;
  }
  std::uint64_t committed_block_count() const;
  /// Rounds entered through a TC, most of any validator (counted across restarts).
  std::uint64_t view_changes() const;
  /// Timeouts signed by all validators (counted across restarts).
  std::uint64_t timeouts_sent() const;
  /// Offered load of transactions submitted in [from_ms, to_ms), by 10 ms
  /// slot (a slot counts when its start is in the window: exact for
  /// submissions at multiples of 10 ms, as the workload makes them).
  OfferedLoad offered_load(types::TimestampMs from_ms, types::TimestampMs to_ms) const;
  static constexpr types::TimestampMs kSubmissionSlotMs = 10;
  /// Every validator as the liveness checks see it now.
  std::vector<ValidatorView> validator_views() const;
  /// How often (simulated) the runner hands validator_views() to the checker.
  static constexpr core::DurationMs kLivenessSampleMs = 100;
  /// BLAKE2b over every event processed and every action taken, in order.
  types::Hash trace_hash() const;
  /// Also hands every event and action to `sink` as one text line
  /// ("TIME_MS INSTANCE E|A NAME HEX", twins as "ID'"; HEX the bytes the trace
  /// hash takes for it): what the
  /// trace hash covers, for diffing two runs to their first divergence.
  void set_trace_sink(std::function<void(std::string_view)> sink) { trace_sink_ = std::move(sink); }
  /// run_until() returns soon after `*flag` becomes true (Ctrl-C).
  void set_interrupt(const std::atomic<bool>* flag) { interrupt_ = flag; }
  bool interrupted() const { return interrupt_ && interrupt_->load(std::memory_order_relaxed); }
  /// Whether run_until() should stop now: interrupted, or an invariant
  /// broke and the run stops at the first violation.
  bool should_stop() const {
    return interrupted() || (config_.stop_at_first_violation && invariants_.broken());
  }

  ValidatorCounters counters(types::ValidatorId v) const;
  /// Every crash and restart so far, in time order.
  const std::vector<CrashEvent>& crash_log() const { return crash_log_; }
  /// Keep the commit latency (ms) of each transaction per shard until
  /// take_commit_latencies() hands them over (for per-second timelines).
  void record_commit_latencies(bool on) { record_latencies_ = on; }
  std::map<types::ShardId, std::vector<std::uint32_t>> take_commit_latencies() {
    return std::exchange(commit_latencies_, {});
  }

 private:
  struct NodeSlot {
    std::unique_ptr<node::NodeStateMachine> machine;
    std::unique_ptr<SimStorage> storage;
    std::shared_ptr<const crypto::Signer> signer;
    std::uint32_t incarnation = 0;
    ByzantineKind byzantine = ByzantineKind::kNone;
    std::int64_t skew_ms = 0;
    bool crash_after_next_persist = false;
    std::vector<types::ValidatorId> twin_peers;        // set on both instances of a twin pair
    std::map<core::TimerId, std::uint64_t> timer_seq;  // live timer event per id
    types::BlockHeight committed = 0;
    std::uint64_t commits = 0;
    /// Consensus counters of earlier incarnations (a restart starts them over).
    std::uint64_t past_timeouts_sent = 0;
    std::uint64_t past_rounds_entered_by_tc = 0;
    std::uint64_t past_proposals = 0;
    std::uint64_t crashes = 0;
  };
  struct EventKey {
    types::TimestampMs time;
    core::EventPriority priority;
    Instance node;
    std::uint64_t seq;
    friend auto operator<=>(const EventKey&, const EventKey&) = default;
  };
  struct NodeEvent {
    Instance node;
    std::optional<std::uint32_t> incarnation;  // set for timers and job results
    core::Event event;
  };
  using QueueItem = std::variant<NodeEvent, std::function<void(SimulationRunner&)>>;

  void push(types::TimestampMs at, core::EventPriority priority, Instance node, QueueItem item);
  void deliver(Instance node, const core::Event& event);
  void execute(Instance node, std::vector<core::Action> actions);
  void send(Instance from, types::ValidatorId to, const core::Message& message,
            std::optional<std::size_t> known_size = std::nullopt);
  void send_outbound(Instance from, const core::Outbound& out);
  std::vector<std::pair<types::ValidatorId, core::Message>> byzantine_transform(
      Instance from, types::ValidatorId to, const core::Message& message);
  /// Whether a message from instance `from` reaches instance `to` (twins talk
  /// to their own side only).
  bool twin_link(Instance from, Instance to) const;
  void serve_sync(Instance server, types::ValidatorId requester, const core::SyncRequest& request);
  void boot(Instance v, bool fresh);
  /// What `v`'s execution starts from: its storage's state and ledger at the
  /// committed tip, checked (after a restart, the ledger also against the
  /// stored chain: the "restored_ledger" invariant); the stored chain
  /// replayed when the store fails its checks.
  execution::ExecutionStart start_execution(Instance v, bool fresh);
  /// Hands the validators' heights to the liveness checks every kLivenessSampleMs.
  void sample_liveness();

  SimConfig config_;
  types::Topology topology_;
  std::vector<types::BlockRef> genesis_blocks_;  // by shard (with the genesis state root)
  /// By shard, sorted by key, shared by the storages (null without execution).
  std::vector<std::shared_ptr<const std::vector<types::StateEntry>>> genesis_states_;
  std::string last_execution_restore_error_;
  Rng rng_;
  types::TimestampMs now_ = 0;
  std::uint64_t seq_ = 0;
  std::map<EventKey, QueueItem> queue_;
  std::map<types::ValidatorId, NodeSlot> nodes_;
  std::unique_ptr<crypto::Verifier> verifier_;
  core::JobContext job_context_;
  /// Jobs are pure (same job, same result) and every validator verifies the
  /// same proposal object, so its verification runs once per object (keyed by
  /// address; the held reference keeps the address from being reused).
  core::JobResult run_job(core::Job job);
  std::map<const core::ProposalMessage*, core::ProposalVerified> proposal_memo_;
  std::deque<core::ProposalRef> proposal_memo_order_;
  SimulatedNetwork network_;
  NetworkTrafficAnalyzer traffic_;
  InvariantChecker invariants_;
  RunnerStats stats_;
  types::HashMap<TxRecord> txs_;
  /// Execution: committed transactions waiting for their outcome (submitted
  /// here), with their submission and commit times.
  struct Completing {
    types::TimestampMs submitted_ms = 0;
    types::TimestampMs committed_ms = 0;
  };
  types::HashMap<Completing> completing_;
  /// Per shard, the transactions whose outcome the chain holds (completed_once).
  std::vector<types::HashSet> outcomes_;
  LatencyHistogram completion_latencies_;
  std::uint64_t completed_txs_ = 0;
  std::uint64_t rejected_txs_ = 0;
  void record_outcomes(Instance v, const types::Block& block);
  /// Execution: each instance's last status of every transaction not yet
  /// final, to check every transition it emits (status_lifecycle). Reset
  /// at a restart: the new incarnation re-derives its duties.
  std::map<Instance, types::HashMap<types::TransactionStatus>> statuses_;
  void check_statuses(Instance v, const core::EmitTransactionStatuses& update);
  void check_state_root(Instance v, const types::Block& block);
  std::vector<SubmissionSlot> slots_;  // by submitted_ms / kSubmissionSlotMs
  SubmissionSlot& slot_of(types::TimestampMs submitted_ms);
  std::uint64_t submitted_txs_ = 0;
  std::uint64_t expired_txs_ = 0;
  types::TimestampMs next_expiry_ms_ = 0;
  /// Forgets pending transactions no block can hold any more (every second).
  void expire_pending();
  LatencyHistogram latencies_;
  LatencyHistogram measured_latencies_;
  types::TimestampMs measure_from_ms_ = 0;
  std::uint64_t measured_commits_ = 0;
  std::uint64_t measured_completions_ = 0;
  LatencyHistogram measured_completion_latencies_;
  std::map<types::ShardId, types::BlockHeight> recorded_height_;  // commit times taken up to
  std::uint64_t committed_txs_ = 0;
  types::TimestampMs next_sample_ms_ = 0;
  std::unique_ptr<types::Hasher> trace_;
  types::Writer trace_buffer_{256};  // reused for every digest
  std::function<void(std::string_view)> trace_sink_;
  void trace_line(Instance v, char kind, std::string_view name);
  const std::atomic<bool>* interrupt_ = nullptr;
  std::vector<CrashEvent> crash_log_;
  bool record_latencies_ = false;
  std::map<types::ShardId, std::vector<std::uint32_t>> commit_latencies_;
};

}  // namespace hyperscale::simulation
