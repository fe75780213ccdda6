// Transactions executed end to end in the simulator (DESIGN §6): every
// validator executes what its shard commits, state votes form certificates,
// outcomes commit, and every validator ends with the same state.

#include <gtest/gtest.h>

#include <cstdio>

#include "engine/substates.h"
#include "simulation/scenario.h"

namespace hyperscale::simulation {
namespace {

struct Seen {
  std::vector<types::Hash> roots;
  std::vector<types::BlockHeight> heights;
  std::vector<execution::ExecutionStats> stats;
  std::vector<std::size_t> pending;
  std::vector<engine::SupplyMap> supply;
};

Scenario transfers(std::uint64_t seed) {
  Scenario s;
  s.sim.seed = seed;
  s.duration_ms = 20'000;
  s.workload.tps = 200;
  s.workload.accounts_per_shard = 2000;
  s.execution = true;
  s.faults_end_ms = 0;
  return s;
}

Seen observe(SimulationRunner& r) {
  Seen seen;
  for (auto v : r.validators()) {
    const auto* node = r.node(v);
    if (!node || !node->execution()) continue;
    const auto& ex = *node->execution();
    seen.roots.push_back(ex.state().root());
    seen.heights.push_back(ex.state().version());
    seen.stats.push_back(ex.stats());
    seen.pending.push_back(ex.ledger().pending().size());
    auto supply = engine::total_supply(ex.state().values());
    EXPECT_TRUE(supply.has_value());
    if (supply) seen.supply.push_back(*supply);
  }
  return seen;
}

TEST(ExecutionSim, TransfersCompleteAndEveryValidatorHoldsTheSameState) {
  auto s = transfers(3);
  Seen seen;
  s.on_finish = [&](SimulationRunner& r) { seen = observe(r); };
  auto report = run_scenario(s);
  for (const auto& [name, violation] : report.invariants)
    EXPECT_FALSE(violation) << name << ": " << *violation;
  EXPECT_TRUE(report.ok);
  EXPECT_GT(report.committed_txs, 3000u);
  ASSERT_EQ(seen.roots.size(), 4u);
  std::printf(
      "committed %llu txs; validator 0: completed %llu accept / %llu reject, %zu pending, "
      "%llu certificates formed, %llu votes disagreeing, peak locked nodes %zu\n",
      static_cast<unsigned long long>(report.committed_txs),
      static_cast<unsigned long long>(seen.stats[0].completed_accept),
      static_cast<unsigned long long>(seen.stats[0].completed_reject), seen.pending[0],
      static_cast<unsigned long long>(seen.stats[0].certificates_formed),
      static_cast<unsigned long long>(seen.stats[0].votes_disagreeing),
      seen.stats[0].peak_locked_nodes);
  for (std::size_t i = 0; i < seen.roots.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(seen.stats[i].state_root_mismatches, 0u);
    EXPECT_GT(seen.stats[i].completed_accept, 1000u);
    if (seen.heights[i] == seen.heights[0]) {
      EXPECT_EQ(seen.roots[i], seen.roots[0]);
    }
    // Supply: 2000 accounts funded with 1e9 each, never more or less.
    ASSERT_EQ(seen.supply[i].size(), 1u);
    EXPECT_EQ(seen.supply[i].begin()->second, std::uint64_t{2000} * 1'000'000'000);
  }
}

}  // namespace
}  // namespace hyperscale::simulation
