// Whole-network tests of the consensus hardening: every case of the issue
// ("consensus that never strands a validator") as a scenario. Each held
// invariant below was broken, or reported "ok" while a validator or the
// chain was stuck, before the fixes (the figures from then are in comments).

#include <gtest/gtest.h>

#include "bft/limits.h"
#include "simulation/fault_schedule.h"
#include "simulation/scenario.h"

namespace hyperscale::simulation {
namespace {

/// The CLI's default network: 4 validators, 1000 tx/s, 50 ms ± 10 ms.
Scenario cli_default(types::TimestampMs duration_ms, std::uint64_t seed = 1) {
  Scenario s;
  s.sim.seed = seed;
  s.duration_ms = duration_ms;
  s.workload.tps = 1000;
  return s;
}

std::string describe(const SimReport& r) {
  std::string out = "trace " + r.trace_hash + "; blocks " + std::to_string(r.committed_blocks) +
                    "; txs " + std::to_string(r.committed_txs) + "/" +
                    std::to_string(r.submitted_txs);
  for (const auto& p : r.problems)
    out += "; problem: " + p;
  for (const auto& [name, v] : r.invariants)
    if (v) out += "; " + name + ": " + *v;
  for (const auto& [name, why] : r.unchecked)
    out += "; " + name + " " + why;
  return out;
}

bool held(const SimReport& r) {
  return r.ok && r.unchecked.empty();
}

types::BlockHeight lowest_height(const SimReport& r) {
  types::BlockHeight low = UINT64_MAX;
  for (const auto& [v, h] : r.node_heights)
    low = std::min(low, h);
  return low;
}

// --- §1: a validator that fell behind always rejoins ------------------------------------

TEST(CatchUp, CrashRestartSeed4LeavesNobodyBehind) {
  // Before: validator 1 stuck at height 26 while the others reached 33; 33
  // blocks in 30 s; liveness "ok".
  auto s = cli_default(30'000, 4);
  s.crash_restart = true;
  auto r = run_scenario(s);
  ASSERT_TRUE(held(r)) << describe(r);
  EXPECT_GT(r.committed_blocks, 80u) << describe(r);
  EXPECT_GE(lowest_height(r) + 3, r.shard_heights[0]) << describe(r);
}

TEST(CatchUp, AnIsolatedAndAOneWayCutValidatorRejoin) {
  auto s = cli_default(40'000, 3);
  s.partitions.push_back({2'000, 12'000, {1}, {}});                // isolated
  s.partitions.push_back({14'000, 24'000, {0, 1, 3}, {2}, true});  // 2 hears nobody
  auto r = run_scenario(s);
  ASSERT_TRUE(held(r)) << describe(r);
  EXPECT_GE(lowest_height(r) + 3, r.shard_heights[0]) << describe(r);
}

TEST(CatchUp, AnAbsenceOfMinutesCatchesUpThousandsOfHeightsInBoundedMemory) {
  // Validator 3 is cut off for five minutes while the others commit more
  // than two thousand blocks; it then catches up through sync, with the
  // window and in-flight bounds of bft/limits.h holding all along.
  auto s = cli_default(330'000, 5);
  s.workload.tps = 200;
  constexpr types::TimestampMs kHeal = 301'000;
  s.partitions.push_back({1'000, kHeal, {3}, {}});
  s.progress_interval_ms = 50;
  types::BlockHeight behind_at_heal = 0;
  std::optional<types::TimestampMs> caught_up_ms;
  std::size_t max_tree = 0, max_sync_requests = 0;
  s.on_progress = [&](const SimulationRunner& r) {
    const auto* n = r.node(3);
    if (!n || r.now() < kHeal) return;
    if (r.now() == kHeal) behind_at_heal = r.committed_height(0) - n->bft().committed_height();
    auto m = n->bft().memory();
    max_tree = std::max(max_tree, m.tree_blocks);
    max_sync_requests = std::max(max_sync_requests, m.sync_requests);
    if (!caught_up_ms && n->bft().committed_height() + 3 >= r.committed_height(0))
      caught_up_ms = r.now();
  };
  auto r = run_scenario(s);
  ASSERT_TRUE(held(r)) << describe(r);
  EXPECT_GT(behind_at_heal, 2'000u);
  ASSERT_TRUE(caught_up_ms.has_value());
  auto seconds = static_cast<double>(*caught_up_ms - kHeal) / 1000.0;
  std::printf("caught up %llu heights in %.2f s of simulated time: %.0f heights/s\n",
              static_cast<unsigned long long>(behind_at_heal), seconds,
              static_cast<double>(behind_at_heal) / seconds);
  EXPECT_LT(seconds, 30.0);
  EXPECT_LE(max_sync_requests, bft::limits::kMaxSyncRequestsInFlight);
  // The tree holds the sync window above the committed tip, the blocks kept
  // below it, and the few the live shard adds meanwhile.
  EXPECT_LE(max_tree, bft::limits::kSyncWindow + 8 + 32);
}

// --- §2: clock skew never halts the chain ------------------------------------------------

TEST(ClockSkew, UpToASecondTheShardCommitsTheOfferedLoad) {
  for (std::uint64_t seed = 1; seed <= 3; ++seed)
    for (core::DurationMs skew : {250u, 500u, 1000u}) {
      auto s = cli_default(20'000, seed);
      s.sim.max_clock_skew_ms = skew;
      auto r = run_scenario(s);
      ASSERT_TRUE(held(r)) << "skew " << skew << " seed " << seed << ": " << describe(r);
      EXPECT_GE(static_cast<double>(r.committed_txs),
                0.95 * static_cast<double>(r.submitted_txs - r.submissions_rejected))
          << "skew " << skew << " seed " << seed << ": " << describe(r);
    }
}

TEST(ClockSkew, TwoSecondsSeed4KeepsCommitting) {
  // Before: 6 blocks in 30 s (blocks "in the future" dropped for good).
  auto s = cli_default(30'000, 4);
  s.sim.max_clock_skew_ms = 2'000;
  auto r = run_scenario(s);
  ASSERT_TRUE(held(r)) << describe(r);
  EXPECT_GT(r.committed_blocks, 60u) << describe(r);
  EXPECT_GT(r.committed_txs, r.submitted_txs * 9 / 10) << describe(r);
}

TEST(ClockSkew, TenSecondsNeverHalts) {
  for (std::uint64_t seed = 1; seed <= 4; ++seed) {
    auto s = cli_default(60'000, seed);
    s.sim.max_clock_skew_ms = 10'000;
    std::uint64_t at_two_thirds = 0;
    s.events.emplace_back(40'000,
                          [&](SimulationRunner& r) { at_two_thirds = r.committed_height(0); });
    s.faults_end_ms = 0;
    auto r = run_scenario(s);
    ASSERT_TRUE(held(r)) << "seed " << seed << ": " << describe(r);
    EXPECT_GT(r.shard_heights[0], at_two_thirds) << "commits continue; seed " << seed;
  }
}

TEST(ClockSkew, FixedOffsetsFarApartKeepCommitting) {
  // One clock 8 s behind: it cannot vote in time, yet leads (its blocks take
  // the parent's timestamp) and the others keep the full rate.
  auto behind = cli_default(60'000, 2);
  behind.sim.clock_offsets_ms = {{0, -8'000}};
  auto r = run_scenario(behind);
  ASSERT_TRUE(held(r)) << describe(r);
  EXPECT_GT(r.committed_txs, r.submitted_txs * 95 / 100) << describe(r);
  // Clocks 17 s apart: slower (the quorum's clocks are 3.5 s apart, so
  // blocks wait for the slowest of them), never halted.
  auto spread = cli_default(90'000, 2);
  spread.sim.clock_offsets_ms = {{0, -8'000}, {1, -1'000}, {2, 2'500}, {3, 9'000}};
  auto r2 = run_scenario(spread);
  ASSERT_TRUE(held(r2)) << describe(r2);
  EXPECT_GT(r2.committed_blocks, 30u) << describe(r2);
}

// --- §6: faulty leaders cost little throughput --------------------------------------------

struct LeaderFaultCase {
  ByzantineKind kind;
  std::uint32_t validators;
  std::uint32_t count;
};

class FaultyLeaders : public ::testing::TestWithParam<LeaderFaultCase> {};

TEST_P(FaultyLeaders, CostLessThanAFifthOfTheThroughputAfterTheWarmUp) {
  // Targets (docs/performance.md): committed ≥ 80 % of 1000 tx/s offered and
  // p50 latency ≤ 2x the fault-free p50, measured after a 30 s warm-up.
  // Before (whole run): silent:1 of 4 277 tx/s; equivocate:1 37 blocks in
  // 30 s, p50 2.3 s; bad-signature:5 of 16 at 500 tx/s about 70 tx/s.
  auto [kind, n, count] = GetParam();
  auto fault_free = cli_default(90'000, 1);
  fault_free.sim.validators_per_shard = n;
  fault_free.warmup_ms = 30'000;
  auto baseline = run_scenario(fault_free);
  ASSERT_TRUE(held(baseline)) << describe(baseline);
  auto s = fault_free;
  s.byzantine = {{kind, count}};
  auto r = run_scenario(s);
  ASSERT_TRUE(held(r)) << describe(r);
  std::printf("%s x%u of %u: %.0f tx/s, p50 %.0f ms (fault-free %.0f tx/s, p50 %.0f ms)\n",
              std::string(to_string(kind)).c_str(), count, n, r.after_warmup.tps,
              r.after_warmup.latency_ms.p50, baseline.after_warmup.tps,
              baseline.after_warmup.latency_ms.p50);
  EXPECT_GE(r.after_warmup.tps, 800.0) << describe(r);
  EXPECT_LE(r.after_warmup.latency_ms.p50, 2 * baseline.after_warmup.latency_ms.p50) << describe(r);
}

INSTANTIATE_TEST_SUITE_P(Targets, FaultyLeaders,
                         ::testing::Values(LeaderFaultCase{ByzantineKind::kSilent, 4, 1},
                                           LeaderFaultCase{ByzantineKind::kBadSignature, 4, 1},
                                           LeaderFaultCase{ByzantineKind::kEquivocate, 4, 1},
                                           LeaderFaultCase{ByzantineKind::kSilent, 16, 5},
                                           LeaderFaultCase{ByzantineKind::kBadSignature, 16, 5},
                                           LeaderFaultCase{ByzantineKind::kEquivocate, 16, 5}),
                         [](const auto& param_info) {
                           std::string name(to_string(param_info.param.kind));
                           std::erase(name, '-');
                           return name + "_" + std::to_string(param_info.param.count) + "_of_" +
                                  std::to_string(param_info.param.validators);
                         });

// --- §7: the liveness checks say what users mean ---------------------------------------

TEST(LivenessChecks, LargeLatencyWithoutFaultsIsNeverAViolation) {
  // Before: --latency-ms 3000 with no faults exited 1 (liveness broken).
  auto s = cli_default(30'000);
  s.sim.network.intra_shard_latency_ms = 3'000;
  auto r = run_scenario(s);
  EXPECT_TRUE(r.ok) << describe(r);
  // 30 s is too short to judge a rate at this latency: said, not "ok".
  EXPECT_TRUE(r.unchecked.contains("progress")) << describe(r);
  // A longer run decides it.
  s.duration_ms = 240'000;
  s.workload.tps = 100;
  auto longer = run_scenario(s);
  EXPECT_TRUE(held(longer)) << describe(longer);
}

TEST(LivenessChecks, TimeoutsAndViewChangesCountAcrossRestarts) {
  auto s = cli_default(20'000);
  s.workload.tps = 100;
  // Leader 1's rounds time out while it is down; then every validator
  // restarts once.
  std::uint64_t timeouts_before = 0, view_changes_before = 0;
  s.events.emplace_back(1'000, [](SimulationRunner& r) { r.crash(1); });
  s.events.emplace_back(12'000, [&](SimulationRunner& r) {
    timeouts_before = r.timeouts_sent();
    view_changes_before = r.view_changes();
    for (types::ValidatorId v : {0u, 2u, 3u}) {
      r.crash(v);
      r.restart(v);
    }
    r.restart(1);
  });
  s.faults_end_ms = 12'000;
  auto r = run_scenario(s);
  ASSERT_TRUE(held(r)) << describe(r);
  EXPECT_GT(timeouts_before, 0u);
  EXPECT_GE(r.timeouts, timeouts_before);
  EXPECT_GE(r.view_changes, view_changes_before);
}

TEST(LivenessChecks, EveryValidatorByzantineIsNotCheckedNotOk) {
  auto s = cli_default(10'000);
  s.sim.validators_per_shard = 1;
  s.byzantine = {};
  s.sim.validators_per_shard = 4;
  // Four silent validators exceed f: the scenario is refused up front.
  s.byzantine = {{ByzantineKind::kSilent, 4}};
  auto refused = run_scenario(s);
  EXPECT_FALSE(refused.problems.empty());
  // A crash of everyone for the whole run: nothing commits, nothing to
  // judge safety on, and liveness cannot begin.
  auto down = cli_default(10'000);
  down.crashes.push_back({100, 9'900, {0, 1, 2, 3}});
  down.faults_end_ms = 9'950;
  auto r = run_scenario(down);
  EXPECT_TRUE(r.ok) << describe(r);
  EXPECT_TRUE(r.unchecked.contains("agreement")) << describe(r);
  EXPECT_NE(r.unchecked.at("agreement").find("nothing was committed"), std::string::npos);
  EXPECT_TRUE(r.unchecked.contains("progress")) << describe(r);
}

// --- §8: faults the simulator can express ----------------------------------------------

TEST(Faults, CrashingMoreThanFAndRestartingThemAllResumes) {
  auto s = cli_default(30'000, 6);
  s.crashes.push_back({3'000, 9'000, {0, 1, 2}});
  s.crashes.push_back({5'000, 11'000, {3}});  // everyone down from 5 s to 9 s
  auto r = run_scenario(s);
  ASSERT_TRUE(held(r)) << describe(r);
  EXPECT_EQ(r.crashes, 4u);
}

TEST(Faults, ALeaderSplittingItsBlockBetweenChosenSetsCannotFork) {
  auto s = cli_default(40'000, 8);
  s.sim.validators_per_shard = 7;
  s.byzantine = {{ByzantineKind::kEquivocate, 2}};
  s.sim.equivocation_split = {0, 1, 2};  // the rest (3, 4 and the other Byzantine) get another
  auto r = run_scenario(s);
  ASSERT_TRUE(held(r)) << describe(r);
}

TEST(Faults, ALeaderWithholdingItsBlocksFromSomePeersIsRidden) {
  auto s = cli_default(40'000, 9);
  s.sim.validators_per_shard = 7;
  s.byzantine = {{ByzantineKind::kWithhold, 2}};
  s.sim.withhold_from = {0, 2, 4};
  auto r = run_scenario(s);
  ASSERT_TRUE(held(r)) << describe(r);
  EXPECT_GE(lowest_height(r) + 3, r.shard_heights[0]) << describe(r);
}

TEST(Faults, ASlowButAliveValidatorKeepsUp) {
  auto s = cli_default(30'000, 10);
  s.sim.network.extra_latency_ms = {{2, 400}};
  auto r = run_scenario(s);
  ASSERT_TRUE(held(r)) << describe(r);
  EXPECT_GE(lowest_height(r) + 5, r.shard_heights[0]) << describe(r);
}

TEST(Faults, TwinsCannotBreakSafety) {
  // Two instances of a validator with the same keys, each honest, each
  // talking to a different part of the committee (the Twins method).
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    auto s = cli_default(40'000, seed);
    s.sim.validators_per_shard = 7;
    s.workload.tps = 300;
    s.byzantine = {{ByzantineKind::kTwin, 2}};
    auto r = run_scenario(s);
    ASSERT_TRUE(held(r)) << "seed " << seed << ": " << describe(r);
  }
  auto s = cli_default(40'000, 3);
  s.byzantine = {{ByzantineKind::kTwin, 1}};
  s.twin_peers = {0, 1};
  auto r = run_scenario(s);
  ASSERT_TRUE(held(r)) << describe(r);
}

TEST(Faults, SetsThatCannotActAndMagnitudesOutOfRangeAreRefused) {
  // Each was accepted before and ran without the fault (or with a wrapped
  // delay that made the "slow" validator fast).
  auto refused = [](auto change, std::string_view expect) {
    auto s = cli_default(10'000);
    change(s);
    auto problems = validate(s);
    std::string all;
    for (const auto& p : problems)
      all += p + "; ";
    EXPECT_NE(all.find(expect), std::string::npos) << "got: " << all;
  };
  refused([](Scenario& s) { s.sim.network.extra_latency_ms = {{1, UINT64_MAX}}; }, "extra latency");
  refused([](Scenario& s) { s.sim.clock_offsets_ms = {{1, INT64_MIN}}; }, "clock offset");
  refused(
      [](Scenario& s) {
        s.crashes = {{2'000, 4'000, {1}}, {3'000, 8'000, {1}}};
      },
      "two crash windows that overlap");
  refused([](Scenario& s) { s.sim.equivocation_split = {0}; }, "no validator is equivocate");
  refused(
      [](Scenario& s) {
        s.byzantine = {{ByzantineKind::kEquivocate, 1}};
        s.sim.equivocation_split = {0, 1, 2};  // every honest one: nobody sees the other block
      },
      "some inside and some outside");
  refused(
      [](Scenario& s) {
        s.byzantine = {{ByzantineKind::kTwin, 1}};
        s.twin_peers = {3};  // the twin itself
      },
      "some inside and some outside");
  refused(
      [](Scenario& s) {
        s.byzantine = {{ByzantineKind::kWithhold, 1}};
        s.sim.withhold_from = {3};
      },
      "at least one");
  auto fine = cli_default(10'000);
  fine.byzantine = {{ByzantineKind::kEquivocate, 1}};
  fine.sim.equivocation_split = {0, 1};
  fine.sim.network.extra_latency_ms = {{1, 60'000}};
  fine.sim.clock_offsets_ms = {{2, -60'000}};
  fine.crashes = {{2'000, 4'000, {1}}, {4'000, 8'000, {1}}, {3'000, 5'000, {2}}};
  EXPECT_TRUE(validate(fine).empty()) << validate(fine).front();
}

TEST(Faults, TwinsAtFKeepTheChainCommitting) {
  // Before: `hyperscale-sim --validators 7 --byzantine twin:2 --tps 0
  // --duration 60` stalled 31.2 s (29 blocks), and the fault sweep's seed
  // 282 the same: a twinned collector split the votes of a round, the round
  // failed, and the chain blamed its honest leader. Votes of a round that
  // times out now go to everyone, so the QC forms anyway and the twin fails
  // only its own round.
  auto s = cli_default(60'000, 1);
  s.sim.validators_per_shard = 7;
  s.workload.tps = 0;
  s.byzantine = {{ByzantineKind::kTwin, 2}};
  auto r = run_scenario(s);
  ASSERT_TRUE(held(r)) << describe(r);
  EXPECT_GE(r.committed_blocks, 50u) << describe(r);
  auto sweep = run_scenario(random_fault_scenario(282));
  EXPECT_TRUE(held(sweep)) << describe(sweep);
}

TEST(Faults, BadSignaturesNeverCountInAQuorumCertificate) {
  // Two bad signatures must not cancel out of a verified group (the mock
  // scheme aggregates by XOR, and flipping the same byte of each did).
  auto s = cli_default(40'000, 1);
  s.sim.validators_per_shard = 7;
  s.byzantine = {{ByzantineKind::kBadSignature, 2}};
  s.progress_interval_ms = 100;
  std::uint64_t qcs_seen = 0;
  std::vector<std::string> counted;
  s.on_progress = [&](const SimulationRunner& runner) {
    for (auto v : runner.validators()) {
      const auto* node = runner.node(v);
      if (!node || runner.byzantine(v) != ByzantineKind::kNone) continue;
      const auto& qc = node->bft().safety().high_qc;
      if (qc.round == 0) continue;
      ++qcs_seen;
      for (auto b : runner.validators())
        if (runner.byzantine(b) == ByzantineKind::kBadSignature) {
          auto index = runner.topology().committee(0).index_of(b);
          if (index && *index < qc.signers.size() && qc.signers.test(*index))
            counted.push_back("validator " + std::to_string(b) + " in the QC of round " +
                              std::to_string(qc.round));
        }
    }
  };
  auto r = run_scenario(s);
  ASSERT_TRUE(held(r)) << describe(r);
  EXPECT_GT(qcs_seen, 1000u);
  EXPECT_TRUE(counted.empty()) << counted.size() << " times, first: " << counted.front();
}

}  // namespace
}  // namespace hyperscale::simulation
