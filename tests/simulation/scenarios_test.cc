// Whole-network scenarios in the deterministic simulator: workload + faults +
// what must hold (agreement, commit extends tip, no double vote, liveness
// within 3 round timeouts after the faults stop).

#include <gtest/gtest.h>

#include <cstdlib>

#include "core/genesis.h"
#include "simulation/fault_schedule.h"
#include "simulation/scenario.h"

namespace hyperscale::simulation {
namespace {

Scenario base(std::uint32_t validators, types::TimestampMs duration_ms, std::uint64_t seed = 7) {
  Scenario s;
  s.sim.validators_per_shard = validators;
  s.sim.seed = seed;
  s.duration_ms = duration_ms;
  s.workload.tps = 200;
  return s;
}

std::string describe(const SimReport& r) {
  std::string out = "trace " + r.trace_hash + "; blocks " + std::to_string(r.committed_blocks);
  for (const auto& p : r.problems)
    out += "; problem: " + p;
  for (const auto& [name, v] : r.invariants)
    if (v) out += "; " + name + ": " + *v;
  for (const auto& [name, why] : r.unchecked)
    out += "; " + name + " " + why;
  return out;
}

/// Every invariant was decided and held (liveness included: a run too short
/// to check it does not pass).
bool held(const SimReport& r) {
  return r.ok && r.unchecked.empty();
}

class HappyPath : public ::testing::TestWithParam<std::uint32_t> {};

TEST_P(HappyPath, CommitsEverythingWithoutViewChanges) {
  auto r = run_scenario(base(GetParam(), 8'000));
  ASSERT_TRUE(held(r)) << describe(r);
  EXPECT_GT(r.committed_blocks, 20u);
  EXPECT_EQ(r.view_changes, 0u);
  EXPECT_GT(r.committed_txs, r.submitted_txs * 9 / 10) << describe(r);
  EXPECT_LT(r.latency_ms.p99, 2'000);
}
INSTANTIATE_TEST_SUITE_P(Validators, HappyPath, ::testing::Values(4, 7, 16));

TEST(Scenarios, LeaderCrashThenRestart) {
  auto s = base(4, 20'000);
  s.events.emplace_back(2'000, [](SimulationRunner& r) { r.crash(1); });
  s.events.emplace_back(8'000, [](SimulationRunner& r) { r.restart(1); });
  s.faults_end_ms = 8'000;
  auto r = run_scenario(s);
  ASSERT_TRUE(held(r)) << describe(r);
  EXPECT_GT(r.view_changes, 0u) << "the crashed leader's rounds must time out";
}

TEST(Scenarios, TwoTwoPartitionBlocksCommitsThenHeals) {
  auto s = base(4, 20'000);
  s.partitions.push_back({3'000, 9'000, {0, 1}, {2, 3}});
  types::BlockHeight at_split = 0, at_heal = 0;
  s.events.emplace_back(3'500, [&](SimulationRunner& r) { at_split = r.committed_height(0); });
  s.events.emplace_back(9'000, [&](SimulationRunner& r) { at_heal = r.committed_height(0); });
  auto r = run_scenario(s);
  ASSERT_TRUE(held(r)) << describe(r);
  EXPECT_EQ(at_split, at_heal) << "no quorum on either side: nothing may commit";
  EXPECT_GT(r.shard_heights[0], at_heal + 5) << "commits resume after heal";
}

TEST(Scenarios, SyncFromFarBehind) {
  // Validator 3 is cut off for 50 s while the other three keep committing,
  // then catches up through sync (64-block windows, QC-checked).
  // Short round timers, so the three live validators (whose every fourth
  // round has the cut-off leader) commit fast enough to leave it far behind.
  auto s = base(4, 60'000);
  s.sim.node.bft.round_timeout_base_ms = 400;
  s.sim.node.bft.round_timeout_step_ms = 100;
  s.partitions.push_back({1'000, 51'000, {3}, {}});
  types::BlockHeight behind_by = 0;
  s.events.emplace_back(51'000, [&](SimulationRunner& r) {
    behind_by = r.committed_height(0) - r.storage(3).committed_height();
  });
  auto r = run_scenario(s);
  ASSERT_TRUE(held(r)) << describe(r);
  EXPECT_GT(behind_by, 64u) << "the scenario must leave it more than one sync window behind";
  EXPECT_GE(r.node_heights.at(3) + 3, r.shard_heights[0]) << "it must have caught up";
}

TEST(Scenarios, TenPercentLoss) {
  auto s = base(4, 24'000);
  s.sim.network.loss_ppm = 100'000;
  s.events.emplace_back(14'000, [](SimulationRunner& r) { r.network().config().loss_ppm = 0; });
  s.faults_end_ms = 14'000;
  auto r = run_scenario(s);
  ASSERT_TRUE(held(r)) << describe(r);
  EXPECT_GT(r.messages_dropped, 0u);
}

TEST(Scenarios, CrashRestartMidRun) {
  auto s = base(4, 30'000);
  s.crash_restart = true;
  auto r = run_scenario(s);
  ASSERT_TRUE(held(r)) << describe(r);
  EXPECT_GT(r.crashes, 0u);
}

struct ByzantineCase {
  ByzantineKind kind;
  std::uint32_t validators;
};

class Byzantine : public ::testing::TestWithParam<ByzantineCase> {};

TEST_P(Byzantine, FByzantineCannotBreakSafetyOrLiveness) {
  auto [kind, n] = GetParam();
  // Long enough to judge progress with one faulty-leader stall allowed.
  auto s = base(n, 40'000);
  s.byzantine = {{kind, (n - 1) / 3}};
  auto r = run_scenario(s);
  ASSERT_TRUE(held(r)) << describe(r);
  EXPECT_GT(r.committed_blocks, 3u) << describe(r);
  if (kind == ByzantineKind::kEquivocate || kind == ByzantineKind::kDoubleVote) {
    EXPECT_GT(r.equivocations_reported, 0u);
  }
}

INSTANTIATE_TEST_SUITE_P(Kinds, Byzantine,
                         ::testing::Values(ByzantineCase{ByzantineKind::kEquivocate, 4},
                                           ByzantineCase{ByzantineKind::kDoubleVote, 4},
                                           ByzantineCase{ByzantineKind::kSilent, 4},
                                           ByzantineCase{ByzantineKind::kBadSignature, 4},
                                           ByzantineCase{ByzantineKind::kForgedParent, 4},
                                           ByzantineCase{ByzantineKind::kEquivocate, 7},
                                           ByzantineCase{ByzantineKind::kSilent, 7},
                                           ByzantineCase{ByzantineKind::kForgedParent, 7}),
                         [](const auto& param_info) {
                           std::string name(to_string(param_info.param.kind));
                           std::erase(name, '-');
                           return name + "_" + std::to_string(param_info.param.validators);
                         });

/// A 2-2 split at 3 s that is never healed, while the schedule says the
/// faults end at 4 s.
Scenario split_that_never_heals(types::TimestampMs duration_ms) {
  auto s = base(4, duration_ms);
  s.events.emplace_back(3'000, [](SimulationRunner& r) {
    r.network().partition_groups({0, 1}, {2, 3});
  });
  s.faults_end_ms = 4'000;
  return s;
}

TEST(Scenarios, AShardThatNeverRecoversBreaksLiveness) {
  // No quorum on either side: no commit within the longest allowed gap
  // after the faults "stopped" at 4 s (3 round timers + 4 round trips + 1 s).
  auto r = run_scenario(split_that_never_heals(20'000));
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.stopped_early) << "the run stops at the first violation";
  EXPECT_GT(r.simulated_ms, 14'000u);
  EXPECT_LT(r.simulated_ms, 15'500u);
  ASSERT_TRUE(r.invariants.at("progress").has_value()) << describe(r);
  EXPECT_NE(r.invariants.at("progress")->find("committed nothing"), std::string::npos);
  EXPECT_FALSE(r.invariants.at("agreement").has_value());
}

TEST(Scenarios, ARunTooShortToDecideLivenessSaysSo) {
  // One second after the "end" of the faults: too short to judge a rate or
  // a gap, and nobody lags beyond the tolerance yet.
  auto r = run_scenario(split_that_never_heals(5'000));
  EXPECT_TRUE(r.ok) << "not a violation";
  ASSERT_TRUE(r.unchecked.contains("progress")) << describe(r);
  EXPECT_NE(r.unchecked.at("progress").find("not checked"), std::string::npos);
  EXPECT_FALSE(held(r));
}

TEST(Scenarios, LossStopsWhenTheFaultsDo) {
  auto s = base(4, 12'000);
  s.sim.network.loss_ppm = 200'000;
  s.faults_end_ms = 6'000;
  std::uint64_t dropped_at_end_of_faults = 0;
  s.events.emplace_back(
      6'001, [&](SimulationRunner& r) { dropped_at_end_of_faults = r.stats().messages_dropped; });
  auto r = run_scenario(s);
  ASSERT_TRUE(held(r)) << describe(r);
  EXPECT_GT(dropped_at_end_of_faults, 0u);
  EXPECT_EQ(r.messages_dropped, dropped_at_end_of_faults);
}

TEST(Scenarios, OneWayPartitionCutsOnlyThatDirection) {
  // Long enough that the end holds everyone to a tip from after the faults.
  auto s = base(4, 16'000);
  s.partitions.push_back({1'000, 6'000, {3}, {0, 1, 2}, true});
  auto r = run_scenario(s);
  ASSERT_TRUE(held(r)) << describe(r);
  // 3 hears everyone (so it keeps its chain) but nobody hears 3.
  EXPECT_GT(r.node_traffic.at(3).received_messages, 0u);
  EXPECT_GT(r.messages_dropped, 0u);
}

TEST(Scenarios, ClockSkewWithinBoundsKeepsCommitting) {
  auto s = base(4, 10'000);
  s.sim.max_clock_skew_ms = 1'000;
  auto r = run_scenario(s);
  ASSERT_TRUE(held(r)) << describe(r);
  EXPECT_EQ(r.view_changes, 0u);
}

TEST(Determinism, SameSeedSameTraceDifferentSeedDifferentTrace) {
  auto s = base(4, 6'000, 11);
  s.sim.network.jitter_ms = 30;
  s.sim.network.loss_ppm = 20'000;
  auto a = run_scenario(s);
  auto b = run_scenario(s);
  EXPECT_EQ(a.trace_hash, b.trace_hash);
  EXPECT_EQ(a.events_processed, b.events_processed);
  s.sim.seed = 12;
  auto c = run_scenario(s);
  EXPECT_NE(a.trace_hash, c.trace_hash);
}

TEST(SeedSweep, RandomCombinedFaultSchedulesKeepEveryInvariant) {
  // Byzantine + partitions + crashes + loss + skew + slow links in one
  // schedule per seed (simulation/fault_schedule.h).
  // HS_SWEEP_SEEDS=5000 ctest -R SeedSweep for a longer sweep.
  std::uint64_t seeds = 200;
  if (const char* env = std::getenv("HS_SWEEP_SEEDS")) seeds = std::strtoull(env, nullptr, 10);
  std::uint64_t failures = 0;
  for (std::uint64_t seed = 1; seed <= seeds; ++seed) {
    auto s = random_fault_scenario(seed);
    auto r = run_scenario(s);
    if (!held(r)) {
      ++failures;
      ADD_FAILURE() << "seed " << seed << " (" << describe_faults(s) << "): " << describe(r)
                    << "\n  rerun: hyperscale-sim --random-faults " << seed;
    }
  }
  EXPECT_EQ(failures, 0u);
}

TEST(SeedSweep, RandomFaultSchedulesWithExecutionKeepEveryInvariant) {
  // What `hyperscale-sim --random-faults SEED` runs: the sweep's schedule
  // with execution on (the CLI's default), which adds the execution
  // invariants (status order across a sync that commits several blocks,
  // completion, balances, the reloaded ledger after a restart).
  // HS_SWEEP_EXECUTION_SEEDS=200 ctest -R SeedSweep for a longer sweep.
  std::uint64_t seeds = 8;
  if (const char* env = std::getenv("HS_SWEEP_EXECUTION_SEEDS"))
    seeds = std::strtoull(env, nullptr, 10);
  std::uint64_t failures = 0;
  for (std::uint64_t seed = 1; seed <= seeds; ++seed) {
    auto s = random_fault_scenario(seed);
    s.execution = true;
    s.workload.accounts_per_shard =
        std::max<std::uint32_t>(64, static_cast<std::uint32_t>(8 * s.workload.tps));
    auto r = run_scenario(s);
    // Without a restart the reloaded ledger has nothing to be compared with.
    bool decided = std::all_of(r.unchecked.begin(), r.unchecked.end(), [&](const auto& u) {
      return u.first == "restored_ledger" && !s.crash_restart && s.crashes.empty();
    });
    if (!r.ok || !decided) {
      ++failures;
      ADD_FAILURE() << "seed " << seed << " (" << describe_faults(s) << "): " << describe(r)
                    << "\n  rerun: hyperscale-sim --random-faults " << seed;
    }
  }
  EXPECT_EQ(failures, 0u);
}

// The case '5-25:0,1|2,3;6-7:0': the inner window's end (an
// isolation of 0) must not heal the outer partition.
TEST(Partitions, AnInnerWindowsEndLeavesTheOuterCutInPlace) {
  SimulatedNetwork net({}, [](types::ValidatorId) { return types::ShardId{0}; });
  std::vector<types::ValidatorId> everyone{0, 1, 2, 3};
  net.partition_groups({0, 1}, {2, 3});
  net.isolate(0, everyone);
  net.unisolate(0, everyone);
  EXPECT_TRUE(net.blocked(0, 2));
  EXPECT_TRUE(net.blocked(3, 1));
  EXPECT_FALSE(net.blocked(0, 1));
  net.heal_groups({0, 1}, {2, 3});
  EXPECT_FALSE(net.blocked(0, 2));
}

/// A scenario whose agreement check breaks at 3 s: a block of height 1
/// other than the one committed is reported committed.
Scenario with_a_violation_at_3s() {
  auto s = base(4, 10'000);
  s.events.emplace_back(3'000, [](SimulationRunner& r) {
    types::BlockHeader h;
    h.height = 1;
    h.round = 1;
    h.parent_hash = core::genesis_block(0)->hash();
    h.timestamp_ms = 123'456'789;
    types::BlockBody body;
    h.roots = body.compute_roots();
    r.invariants().on_commit(0, 0, *types::Block::assemble(std::move(h), std::move(body)), r.now(),
                             true);
  });
  return s;
}

TEST(Violations, TheRunStopsAtTheFirstViolationUnlessToldToKeepGoing) {
  auto stopped = run_scenario(with_a_violation_at_3s());
  EXPECT_FALSE(stopped.ok);
  EXPECT_TRUE(stopped.stopped_early);
  EXPECT_EQ(stopped.simulated_ms, 3'000u);
  ASSERT_TRUE(stopped.invariants.at("agreement"));

  auto s = with_a_violation_at_3s();
  s.sim.stop_at_first_violation = false;
  auto kept = run_scenario(s);
  EXPECT_FALSE(kept.ok);
  EXPECT_FALSE(kept.stopped_early);
  EXPECT_EQ(kept.simulated_ms, 10'000u);
  ASSERT_TRUE(kept.invariants.at("agreement"));
  EXPECT_GT(kept.committed_blocks, stopped.committed_blocks);
}

TEST(Violations, AnInterruptedRunEndsWithAPartialReportThatJudgesNoLiveness) {
  std::atomic<bool> interrupt{false};
  auto s = base(4, 60'000);
  s.interrupt = &interrupt;
  s.events.emplace_back(5'000, [&interrupt](SimulationRunner&) { interrupt = true; });
  auto r = run_scenario(s);
  EXPECT_TRUE(r.interrupted);
  EXPECT_LT(r.simulated_ms, 6'000u);
  EXPECT_GT(r.committed_blocks, 0u);
  EXPECT_NE(r.unchecked.at("progress").find("interrupted"), std::string::npos);
  EXPECT_NE(r.unchecked.at("catch_up").find("interrupted"), std::string::npos);
}

}  // namespace
}  // namespace hyperscale::simulation
