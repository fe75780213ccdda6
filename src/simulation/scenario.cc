#include "simulation/scenario.h"

#include <algorithm>
#include <chrono>

#include "bft/limits.h"
#include "engine/genesis.h"
#include "types/assert.h"
#include "types/limits.h"

namespace hyperscale::simulation {

namespace {

std::uint32_t fault_budget(std::uint32_t n) {
  return (n - 1) / 3;
}

/// Summed in 64 bits: counts near 2^32 must not wrap to a small sum.
std::uint64_t byzantine_per_shard(const Scenario& s) {
  std::uint64_t total = 0;
  for (const auto& [kind, count] : s.byzantine)
    total += count;
  return total;
}

}  // namespace

/// Blocks committed before the rate floors under Byzantine faults apply.
constexpr types::BlockHeight kReputationWarmupBlocks = 4;

LivenessPolicy liveness_policy(const Scenario& s, const SimulationRunner& r) {
  const auto& net = s.sim.network;
  const auto& bft = s.sim.node.bft;
  auto n = s.sim.validators_per_shard;
  auto f = fault_budget(n);
  core::DurationMs extra = 0;  // slow-but-alive validators' added latency
  for (const auto& [v, ms] : net.extra_latency_ms)
    extra = std::max(extra, ms);
  core::DurationMs rtt =
      2 * (net.intra_shard_latency_ms + net.jitter_ms + extra) + 2 * s.sim.max_job_delay_ms;
  // Blocks come one per round trip while there is something to order, but a
  // leader proposes at once only 150 ms after its own last block (and may
  // lead every other round); without load, leaders wait for the proposal
  // tick.
  auto per_shard_tps = static_cast<double>(s.workload.tps) / s.sim.shards;
  // A workload that stops before the end leaves the rest of the run idle.
  bool runs_to_end = !s.workload_stop_ms || *s.workload_stop_ms >= s.duration_ms;
  bool loaded = runs_to_end && per_shard_tps * static_cast<double>(rtt) / 1000.0 >= 1.0;
  core::DurationMs interval =
      loaded ? std::max<core::DurationMs>({rtt, bft.min_block_interval_ms / 2, 20})
             : rtt + bft.proposal_tick_ms;
  if (n == 1) interval = std::max(interval, bft.min_block_interval_ms);
  double expected_blocks_per_s = 1000.0 / static_cast<double>(interval);

  // Round timers of the validators that take part: a silent one's paces
  // nobody (restarted behind, its sync requests never leave, so it never
  // commits and its timer only grows).
  core::DurationMs timer = bft.round_timeout_base_ms;
  for (auto v : r.validators())
    if (const auto* node = r.node(v); node && r.byzantine(v) != ByzantineKind::kSilent)
      timer = std::max(timer, node->bft().current_round_timeout_ms());
  // The largest lag to sync: 32 heights per request, a request per 2 rtt.
  types::BlockHeight lag = 0;
  for (const auto& view : r.validator_views())
    if (view.counted)
      lag = std::max(lag, r.committed_height(view.shard) -
                              std::min(r.committed_height(view.shard), view.committed_height));
  core::DurationMs sync_ms = (lag / 32 + 1) * 2 * rtt;

  std::int64_t offsets = 0;
  for (const auto& [v, ms] : s.sim.clock_offsets_ms)
    offsets = std::max<std::int64_t>(offsets, ms < 0 ? -ms : ms);
  auto skew = std::max<std::uint64_t>(s.sim.max_clock_skew_ms, static_cast<std::uint64_t>(offsets));
  bool permanent = !s.byzantine.empty() || 2 * skew > bft.max_timestamp_lead_ms;
  LivenessPolicy p;
  p.heal_ms = r.now();
  if (s.execution && s.workload.selection == AccountSelection::kZipf)
    p.transactions_unjudged =
        "zipf selection makes transfers wait for the locks of hot accounts: contention, not the "
        "protocol, bounds how much of the offered load commits";
  // The in-flight limit is proposer policy: a transaction holds a slot from
  // the block that orders it to the commit of its outcome (two commits of
  // about five one-way delays each and a block interval; measured 0.6-0.7 s
  // at 50 ms links; slow validators do not count, a quorum forms without
  // them). A load above limit / that time waits in the pool by design
  // (Little's law): then the committed share is owed only up to what the
  // soft limit surely lets through, so a chain that orders nothing still
  // breaks progress.
  if (s.execution && p.transactions_unjudged.empty()) {
    double quorum_rtt = 2.0 * static_cast<double>(net.intra_shard_latency_ms + net.jitter_ms) +
                        2.0 * static_cast<double>(s.sim.max_job_delay_ms);
    double hold_ms = 5.0 * quorum_rtt + static_cast<double>(bft.min_block_interval_ms);
    const auto& ex = s.sim.node.execution;
    double cap = static_cast<double>(ex.hard_in_flight) * 1000.0 / hold_ms;
    if (per_shard_tps > cap) {
      p.bounded_tps = static_cast<double>(ex.soft_in_flight) * 1000.0 / hold_ms * s.sim.shards;
      p.bounded_why = "the in-flight limit (" + std::to_string(ex.hard_in_flight) +
                      " per shard) allows roughly " + std::to_string(static_cast<long>(cap)) +
                      " tx/s per shard (" + std::to_string(ex.hard_in_flight) + " / " +
                      std::to_string(static_cast<long>(hold_ms)) + " ms), below the offered " +
                      std::to_string(static_cast<long>(per_shard_tps)) +
                      "; owed: what the soft limit surely lets through, " +
                      std::to_string(static_cast<long>(p.bounded_tps)) + " tx/s";
    }
  }
  // A commit is learnt from the next proposal; one lost costs a round
  // timer. The tolerance applies after the catch-up deadline, when commits
  // have reset the timers that grew during the faults (the deadline itself
  // allows for those).
  p.lag_tolerance_ms = 2 * rtt + bft.proposal_tick_ms + 1000 + bft.round_timeout_base_ms;
  p.catch_up_deadline_ms = s.liveness_timeouts * timer + 1000 + 10 * rtt + sync_ms;
  p.max_commit_gap_ms = s.liveness_timeouts * timer + 4 * rtt + 1000;
  p.drain_ms = 2000 + 4 * rtt;
  // A round takes about a round trip: while the round timer is shorter than
  // that, rounds time out until its backoff passes it (and the timer starts
  // over after each commit), so commits come in bursts that far apart.
  core::DurationMs backoff = 0;
  for (auto t = bft.round_timeout_base_ms; t < rtt && t < bft.round_timeout_max_ms;
       t += bft.round_timeout_step_ms)
    backoff += t + rtt / 2;
  p.catch_up_deadline_ms += backoff;
  p.max_commit_gap_ms += backoff;
  p.stall_allowance_ms = backoff;
  p.min_steady_ms = std::max<core::DurationMs>(2000, 10 * interval);
  if (permanent) {
    // 2f + 1 consecutive failed rounds (each faulty validator can fail the
    // round it leads and the one before, whose QC it receives as the next
    // leader and withholds: that round times out before the timeout votes
    // certify its block), each at a growing timer: from the timer at heal
    // for the first gap, from the base timer in the steady part.
    auto failed_from = [&](core::DurationMs first) {
      core::DurationMs total = 0;
      for (std::uint32_t i = 0; i <= 2 * f; ++i)
        total += std::min(bft.round_timeout_max_ms, first + i * bft.round_timeout_step_ms) + rtt;
      return total;
    };
    auto failed = failed_from(timer);
    // Clocks beyond the timestamp lead: a block may wait for the slowest
    // clock of a quorum to reach it, up to the spread of the clocks.
    core::DurationMs skew_wait = 2 * skew > bft.max_timestamp_lead_ms ? 2 * skew : 0;
    failed += skew_wait;
    p.max_commit_gap_ms += failed;
    p.stall_allowance_ms += s.liveness_timeouts * bft.round_timeout_base_ms + 4 * rtt + 1000 +
                            failed_from(bft.round_timeout_base_ms) + skew_wait;
    // Commits become known with the next proposal, which failed rounds delay.
    p.lag_tolerance_ms += failed_from(bft.round_timeout_base_ms) + skew_wait;
    // Up to f validators that fail every round they lead, and delay every
    // round whose QC they receive (votes go to the next leader) by a round
    // timer, with twins the strongest of them: the floors catch a halt or a
    // crawl, not a slowdown.
    p.min_blocks_per_s = 0.05 * expected_blocks_per_s;
    p.min_committed_fraction = 0.30;
    // Leader reputation needs committed blocks (and their failed rounds in
    // its window) to skip faulty leaders.
    p.warmup_height = kReputationWarmupBlocks;
    p.floor = "lower floor: faults that never stop, after a warm-up of " +
              std::to_string(p.warmup_height) + " blocks";
  } else {
    p.min_blocks_per_s = 0.50 * expected_blocks_per_s;
    p.min_committed_fraction = 0.90;
    p.floor = "fault-free floor";
  }
  return p;
}

std::vector<std::string> validate(const Scenario& s) {
  std::vector<std::string> problems;
  auto n = s.sim.validators_per_shard;
  if (s.sim.shards == 0 || n == 0) problems.push_back("need at least one shard and one validator");
  auto f = n ? fault_budget(n) : 0;
  auto byz = byzantine_per_shard(s);
  if (byz + (s.crash_restart ? 1u : 0u) > f)
    problems.push_back("faults per shard (" + std::to_string(byz) + " Byzantine" +
                       (s.crash_restart ? " + 1 crashed" : "") + ") exceed f = " +
                       std::to_string(f) + " for " + std::to_string(n) + " validators");
  if (s.warmup_ms > 0 && s.warmup_ms >= s.duration_ms)
    problems.push_back("the warm-up (--warmup) must end before the run (--duration) does");
  if (s.faults_end_ms && *s.faults_end_ms > s.duration_ms)
    problems.push_back("the faults' end (" + std::to_string(*s.faults_end_ms) +
                       " ms: --faults-end, or the --random-faults schedule's) is after the run's "
                       "end (--duration)");
  // Windows are data the run keeps: a bound keeps a malformed schedule from
  // costing gigabytes before anything runs.
  constexpr std::size_t kMaxWindows = 1000;
  if (s.partitions.size() > kMaxWindows || s.crashes.size() > kMaxWindows)
    problems.push_back("more than " + std::to_string(kMaxWindows) + " partition or crash windows");
  if (s.workload_start_ms % SimulationRunner::kSubmissionSlotMs != 0)
    problems.push_back("the workload must start at a multiple of " +
                       std::to_string(SimulationRunner::kSubmissionSlotMs) + " ms");
  if (s.workload.validity_ms > types::limits::kMaxTxValidityWindowMs)
    problems.push_back("transaction validity window above the protocol's " +
                       std::to_string(types::limits::kMaxTxValidityWindowMs) + " ms");
  auto total = s.sim.shards * n;
  auto check_ids = [&](const std::vector<types::ValidatorId>& ids, const std::string& what) {
    for (auto v : ids)
      if (v >= total)
        problems.push_back(what + " names validator " + std::to_string(v) + ", but ids are 0.." +
                           std::to_string(total - 1));
  };
  for (const auto& p : s.partitions) {
    if (p.end_ms <= p.start_ms) problems.push_back("partition window ends before it starts");
    if (p.end_ms > s.duration_ms)
      problems.push_back("partition window ends at " + std::to_string(p.end_ms) +
                         " ms, after the run (--duration)");
    check_ids(p.side_a, "partition");
    check_ids(p.side_b, "partition");
    // Ids are global and shards only talk inside themselves: two sides
    // with no shard in common cut nothing ('0|4' with 2 shards of 4).
    auto shard_of = [n](types::ValidatorId v) { return n ? v / n : 0; };
    bool cuts = p.side_b.empty() ||
                std::any_of(p.side_a.begin(), p.side_a.end(), [&](types::ValidatorId a) {
                  return std::any_of(p.side_b.begin(), p.side_b.end(), [&](types::ValidatorId b) {
                    return shard_of(a) == shard_of(b);
                  });
                });
    if (!cuts)
      problems.push_back(
          "partition window's sides share no shard, so it cuts nothing (ids are global: shard s "
          "holds s*" +
          std::to_string(n) + " .. s*" + std::to_string(n) + "+" + std::to_string(n - 1) + ")");
  }
  for (const auto& c : s.crashes) {
    if (c.end_ms <= c.start_ms) problems.push_back("crash window ends before it starts");
    if (c.end_ms > s.duration_ms)
      problems.push_back("crash window ends at " + std::to_string(c.end_ms) +
                         " ms, after the run (--duration): the validators would never restart");
    check_ids(c.ids, "crash window");
  }
  check_ids(s.twin_peers, "twin peers");
  check_ids(s.sim.equivocation_split, "equivocation split");
  check_ids(s.sim.withhold_from, "withhold set");
  for (const auto& [v, ms] : s.sim.network.extra_latency_ms) {
    check_ids({v}, "slow validator");
    if (ms > kMaxFaultMs)
      problems.push_back("slow validator " + std::to_string(v) + ": " + std::to_string(ms) +
                         " ms of extra latency, above " + std::to_string(kMaxFaultMs));
  }
  for (const auto& [v, ms] : s.sim.clock_offsets_ms) {
    check_ids({v}, "clock offset");
    if (ms > static_cast<std::int64_t>(kMaxFaultMs) || ms < -static_cast<std::int64_t>(kMaxFaultMs))
      problems.push_back("clock offset of validator " + std::to_string(v) + ": " +
                         std::to_string(ms) + " ms, beyond +/-" + std::to_string(kMaxFaultMs));
  }
  // One validator in two overlapping crash windows: the first restart
  // would end the second window early.
  for (std::size_t i = 0; i < s.crashes.size(); ++i)
    for (std::size_t j = i + 1; j < s.crashes.size(); ++j) {
      const auto& a = s.crashes[i];
      const auto& b = s.crashes[j];
      if (a.start_ms >= b.end_ms || b.start_ms >= a.end_ms) continue;
      for (auto v : a.ids)
        if (std::find(b.ids.begin(), b.ids.end(), v) != b.ids.end())
          problems.push_back("validator " + std::to_string(v) +
                             " is in two crash windows that overlap; merge them into one");
    }
  // A fault's chosen set must let it act in every shard: Byzantine
  // validators are the last members of each committee, and the set needs
  // honest members on the side(s) the fault plays against each other.
  if (n > 0 && byz < n) {
    auto has_kind = [&](ByzantineKind k) {
      return std::any_of(s.byzantine.begin(), s.byzantine.end(),
                         [&](const auto& b) { return b.first == k && b.second > 0; });
    };
    auto check_set = [&](const std::vector<types::ValidatorId>& ids, const std::string& what,
                         ByzantineKind kind, bool needs_outside) {
      if (ids.empty()) return;
      if (!has_kind(kind)) {
        problems.push_back(what + " is given, but no validator is " + std::string(to_string(kind)) +
                           " (--byzantine " + std::string(to_string(kind)) + ":N)");
        return;
      }
      for (types::ShardId shard = 0; shard < s.sim.shards; ++shard) {
        std::uint32_t inside = 0;
        for (std::uint32_t i = 0; i < n - byz; ++i)
          if (std::find(ids.begin(), ids.end(), shard * n + i) != ids.end()) ++inside;
        if (inside == 0 || (needs_outside && inside == n - byz))
          problems.push_back(what + " has " + std::to_string(inside) + " of the " +
                             std::to_string(n - byz) + " honest validators of shard " +
                             std::to_string(shard) + " (ids " + std::to_string(shard * n) + ".." +
                             std::to_string(shard * n + n - byz - 1) + "); the fault needs " +
                             (needs_outside ? "some inside and some outside" : "at least one"));
      }
    };
    check_set(s.sim.equivocation_split, "the equivocation split", ByzantineKind::kEquivocate, true);
    check_set(s.sim.withhold_from, "the withhold set", ByzantineKind::kWithhold, false);
    check_set(s.twin_peers, "the twin peer set", ByzantineKind::kTwin, true);
  }
  return problems;
}

SimReport run_scenario(const Scenario& s) {
  SimReport report;
  report.problems = validate(s);
  if (!report.problems.empty()) {
    report.ok = false;
    return report;
  }
  auto wall_start = std::chrono::steady_clock::now();
  SimConfig sim = s.sim;
  if (s.execution) {
    // The workload's accounts, funded at genesis on their shards.
    TransferWorkload accounts(s.workload, s.sim.shards, s.sim.crypto, s.sim.seed);
    engine::GenesisConfig genesis;
    genesis.owners = accounts.account_keys();
    genesis.native_balance_per_account = s.genesis_balance;
    for (types::ShardId shard = 0; shard < s.sim.shards; ++shard) {
      auto entries = engine::genesis_entries(genesis, shard, s.sim.shards);
      HS_ASSERT_MSG(entries.has_value(), "the workload's genesis is refused");
      sim.genesis_state.push_back(std::move(*entries));
    }
  }
  SimulationRunner runner(sim);
  const auto& topology = runner.topology();

  // Byzantine validators: the last members of each committee.
  for (types::ShardId shard = 0; shard < s.sim.shards; ++shard) {
    auto members = runner.validators_of(shard);
    std::size_t next = members.size();
    for (const auto& [kind, count] : s.byzantine)
      for (std::uint32_t i = 0; i < count && next > 0; ++i) {
        auto v = members[--next];
        if (kind != ByzantineKind::kTwin) {
          runner.set_byzantine(v, kind);
          continue;
        }
        std::vector<types::ValidatorId> peers;
        for (std::size_t k = 0; k < members.size(); ++k)
          if (members[k] != v &&
              (s.twin_peers.empty() ? k % 2 == 1
                                    : std::find(s.twin_peers.begin(), s.twin_peers.end(),
                                                members[k]) != s.twin_peers.end()))
            peers.push_back(members[k]);
        runner.add_twin(v, std::move(peers));
      }
  }

  for (const auto& [at, fn] : s.events)
    runner.schedule(at, fn);
  std::size_t honest_count = 0;
  for (auto v : runner.validators())
    if (runner.byzantine(v) == ByzantineKind::kNone) ++honest_count;
  runner.invariants().set_honest_validators(honest_count);
  bool transient_faults =
      s.crash_restart || !s.partitions.empty() || !s.events.empty() || s.sim.network.loss_ppm > 0;
  types::TimestampMs faults_end =
      s.faults_end_ms.value_or(transient_faults ? s.duration_ms * 2 / 3 : 0);
  for (const auto& p : s.partitions)
    faults_end = std::max(faults_end, p.end_ms);
  for (const auto& c : s.crashes)
    faults_end = std::max(faults_end, c.end_ms);

  // Message loss is a fault too: it stops with the others (at once with an
  // explicit end at 0).
  if (s.sim.network.loss_ppm > 0 && (faults_end > 0 || s.faults_end_ms))
    runner.schedule(faults_end, [](SimulationRunner& r) { r.network().config().loss_ppm = 0; });

  // Partitions.
  auto everyone = runner.validators();
  for (const auto& p : s.partitions) {
    runner.schedule(p.start_ms, [p, everyone](SimulationRunner& r) {
      if (p.side_b.empty()) {
        for (auto v : p.side_a)
          r.network().isolate(v, everyone);
      } else if (p.one_way) {
        for (auto a : p.side_a)
          for (auto b : p.side_b)
            r.network().partition(a, b);
      } else {
        r.network().partition_groups(p.side_a, p.side_b);
      }
    });
    // Each window heals only its own cuts, so overlapping windows compose.
    runner.schedule(p.end_ms, [p, everyone](SimulationRunner& r) {
      if (p.side_b.empty()) {
        for (auto v : p.side_a)
          r.network().unisolate(v, everyone);
      } else if (p.one_way) {
        for (auto a : p.side_a)
          for (auto b : p.side_b)
            r.network().heal(a, b);
      } else {
        r.network().heal_groups(p.side_a, p.side_b);
      }
    });
  }

  // Crash windows: any number of validators down together. Restarts are
  // scheduled first, so that where one window of a validator ends as the
  // next begins, the restart runs before the crash (same-time events run in
  // the order scheduled), whatever order the windows are listed in.
  for (const auto& c : s.crashes)
    runner.schedule(c.end_ms, [ids = c.ids](SimulationRunner& r) {
      for (auto v : ids)
        r.restart(v);
    });
  for (const auto& c : s.crashes)
    runner.schedule(c.start_ms, [ids = c.ids](SimulationRunner& r) {
      for (auto v : ids)
        r.crash(v);
    });

  // Crash-restart: per shard, one honest validator down at a time.
  if (s.crash_restart) {
    for (types::ShardId shard = 0; shard < s.sim.shards; ++shard) {
      std::vector<types::ValidatorId> honest;
      for (auto v : runner.validators_of(shard))
        if (runner.byzantine(v) == ByzantineKind::kNone) honest.push_back(v);
      types::TimestampMs t = 1000 + runner.rng().below(2000);
      while (t + 1000 < faults_end) {
        auto v = honest[runner.rng().below(honest.size())];
        auto down = 1000 + runner.rng().below(4000);
        bool mid_action = runner.rng().below(2) == 0;
        auto up = std::min<types::TimestampMs>(t + down, faults_end);
        runner.schedule(t, [v, mid_action](SimulationRunner& r) { r.crash(v, mid_action); });
        runner.schedule(up, [v](SimulationRunner& r) {
          r.crash(v, false);  // a pending crash-inside-an-action that never triggered
          r.restart(v);
        });
        t = up + 500 + runner.rng().below(3000);
      }
    }
  }

  // Liveness: from when the transient faults stop (DESIGN §9).
  if (s.check_liveness) {
    runner.schedule(faults_end, [&s](SimulationRunner& r) {
      r.invariants().expect_liveness(liveness_policy(s, r), r.topology().num_shards());
    });
  }

  // Workload: batches every 10 ms at the configured rate. Like a client
  // gateway, a batch's transactions for one shard go to one validator of it
  // (chosen at random among the live ones), which verifies and gossips them
  // together.
  TransferWorkload workload(s.workload, topology, s.sim.crypto, s.sim.seed);
  constexpr core::DurationMs kBatchMs = SimulationRunner::kSubmissionSlotMs;
  std::uint64_t carry = 0;
  std::function<void(SimulationRunner&)> batch;  // reschedules itself; outlives the run
  if (s.workload.tps > 0) {
    batch = [&workload, &carry, &batch, &s](SimulationRunner& r) {
      carry += static_cast<std::uint64_t>(s.workload.tps) * kBatchMs;
      std::map<types::ShardId, types::ValidatorId> gateway;
      while (carry >= 1000) {
        carry -= 1000;
        auto tx = workload.next(
            [&r](types::ShardId sh) { return std::min(r.now(), r.consensus_time(sh)); }, r.rng());
        auto shard = r.topology().shard_of(tx->access().writes.front());
        auto it = gateway.find(shard);
        if (it == gateway.end()) {
          // Clients submit to honest validators: a Byzantine gateway would
          // drop them, which says nothing about consensus.
          std::vector<types::ValidatorId> up;
          for (auto v : r.validators_of(shard))
            if (r.is_up(v) && r.byzantine(v) == ByzantineKind::kNone) up.push_back(v);
          if (up.empty()) continue;
          it = gateway.emplace(shard, up[r.rng().below(up.size())]).first;
        }
        r.submit(tx, it->second);
      }
      if (r.now() + kBatchMs < s.workload_stop_ms.value_or(s.duration_ms))
        r.schedule(r.now() + kBatchMs, batch);
    };
    runner.schedule(s.workload_start_ms, batch);
  }

  if (s.trace_sink) runner.set_trace_sink(s.trace_sink);
  runner.set_interrupt(s.interrupt);
  runner.record_commit_latencies(s.record_commit_latencies);
  runner.measure_from(s.warmup_ms);
  report.faults_end_ms = faults_end;
  runner.start();
  for (types::TimestampMs t = 0; t < s.duration_ms && !runner.should_stop();) {
    t = std::min(s.duration_ms, t + s.progress_interval_ms);
    runner.run_until(t);
    if (s.on_progress && !runner.interrupted()) s.on_progress(runner);
  }
  report.simulated_ms = std::min(runner.now(), s.duration_ms);
  report.interrupted = runner.interrupted() && report.simulated_ms < s.duration_ms;
  report.stopped_early = report.simulated_ms < s.duration_ms;
  const double simulated_s =
      static_cast<double>(std::max<types::TimestampMs>(report.simulated_ms, 1)) / 1000.0;

  auto wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  report.wall_seconds = wall;
  report.sim_seconds_per_wall_second = wall > 0 ? simulated_s / wall : 0;
  report.committed_blocks = runner.committed_block_count();
  report.committed_txs = runner.committed_tx_count();
  report.submitted_txs = runner.submitted_tx_count();
  report.tps = static_cast<double>(report.committed_txs) / simulated_s;
  report.latency_ms = runner.commit_latencies().summary();
  {
    auto from = std::min(s.warmup_ms, report.simulated_ms);
    report.after_warmup.submitted = runner.offered_load(from, report.simulated_ms + 1).offered;
    report.after_warmup.committed = runner.measured_latencies().count();
    auto seconds =
        static_cast<double>(std::max<types::TimestampMs>(report.simulated_ms - from, 1)) / 1000.0;
    report.after_warmup.tps = static_cast<double>(runner.measured_commits()) / seconds;
    report.after_warmup.latency_ms = runner.measured_latencies().summary();
    report.after_warmup.completed_tps =
        static_cast<double>(runner.measured_completions()) / seconds;
    report.after_warmup.completion_latency_ms = runner.measured_completion_latencies().summary();
  }
  report.view_changes = runner.view_changes();
  report.timeouts = runner.timeouts_sent();
  report.events_processed = runner.stats().events_processed;
  report.messages_dropped = runner.stats().messages_dropped;
  report.crashes = runner.stats().crashes;
  report.equivocations_reported = runner.stats().equivocations_reported;
  report.submissions_rejected = runner.stats().submissions_rejected;
  const auto& by_type = runner.traffic().by_type();
  for (std::size_t i = 0; i < by_type.size(); ++i)
    report.messages[std::string(core::message_type_name(i))] = by_type[i];
  for (types::ShardId shard = 0; shard < s.sim.shards; ++shard)
    report.shard_heights.push_back(runner.committed_height(shard));
  for (auto v : runner.validators()) {
    report.node_heights[v] = runner.storage(v).committed_height();
    auto& t = report.node_traffic[v];
    if (auto it = runner.traffic().sent().find(v); it != runner.traffic().sent().end()) {
      t.sent_messages = it->second.count;
      t.sent_bytes = it->second.bytes;
    }
    if (auto it = runner.traffic().received().find(v); it != runner.traffic().received().end()) {
      t.received_messages = it->second.count;
      t.received_bytes = it->second.bytes;
    }
    auto& vr = report.validators[v];
    vr.shard = runner.topology().shard_of_validator(v).value_or(0);
    vr.byzantine = runner.byzantine(v);
    vr.has_twin = runner.has_twin(v);
    vr.committed_height = report.node_heights[v];
    vr.counters = runner.counters(v);
    auto tip = report.shard_heights.at(vr.shard);
    vr.behind_by = tip - std::min(tip, vr.committed_height);
    vr.caught_up = vr.counters.up && vr.behind_by <= kCaughtUpHeights;
  }
  if (runner.executes()) {
    SimReport::Execution ex;
    ex.completed_txs = runner.completed_tx_count();
    ex.rejected_txs = runner.rejected_tx_count();
    ex.completed_tps = static_cast<double>(ex.completed_txs) / simulated_s;
    ex.in_flight_at_end = runner.in_flight_count();
    ex.completion_latency_ms = runner.completion_latencies().summary();
    ex.restarts_restored = runner.stats().execution_restores;
    ex.restarts_replayed = runner.stats().execution_replays;
    for (types::ShardId shard = 0; shard < s.sim.shards; ++shard) {
      std::pair<types::BlockHeight, types::Hash> root{0, {}};
      for (auto v : runner.validators_of(shard)) {
        const auto* node = runner.node(v);
        const auto* e = node ? node->execution() : nullptr;
        if (!e) continue;
        ex.peak_locked_nodes = std::max(ex.peak_locked_nodes, e->stats().peak_locked_nodes);
        if (runner.byzantine(v) == ByzantineKind::kNone && e->state().version() >= root.first)
          root = {e->state().version(), e->state().root()};
      }
      ex.state_roots.push_back(root);
    }
    report.execution = ex;
    // An outcome follows its commit by a state-vote round trip (re-sent
    // every resend_ms when lost) and one more ordering commit: the catch-up
    // deadline (three round timers plus round trips) covers it.
    auto policy = liveness_policy(s, runner);
    core::DurationMs bound = policy.catch_up_deadline_ms + s.sim.node.execution.resend_ms;
    runner.finish_execution(report.faults_end_ms, bound);
  }
  report.trace_hash = runner.trace_hash().hex();
  if (s.on_finish) s.on_finish(runner);
  runner.invariants().finish(
      runner.now(),
      [&runner](types::TimestampMs from, types::TimestampMs to) {
        return runner.offered_load(from, to);
      },
      report.interrupted);
  report.steady_since_ms = runner.invariants().steady_since();
  report.invariants = runner.invariants().results();
  report.unchecked = runner.invariants().unchecked();
  report.ok = runner.invariants().ok();
  return report;
}

}  // namespace hyperscale::simulation
