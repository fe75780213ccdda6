// Simulator speed, the per-block cost of forming a QC, and what a restarted
// validator's execution costs to start.
//
//   ./build/release/bench/sim_bench                       # all
//   ./build/release/bench/sim_bench --benchmark_filter=sim/mock
//
// Counters: events_per_s (simulator events per wall second) and
// sim_s_per_wall_s (simulated seconds per wall second, i.e. speed-up over
// real time), on one core.

#include <benchmark/benchmark.h>

#include <map>

#include "../tests/crypto/test_keys.h"
#include "core/jobs.h"
#include "crypto/signing.h"
#include "execution/recovery.h"
#include "simulation/scenario.h"
#include "simulation/sim_storage.h"

namespace hyperscale::bench {
namespace {

void run_sim(benchmark::State& state, crypto::SchemeKind scheme) {
  simulation::Scenario s;
  s.sim.validators_per_shard = static_cast<std::uint32_t>(state.range(0));
  s.sim.crypto = scheme;
  s.sim.seed = 1;
  s.duration_ms = static_cast<types::TimestampMs>(state.range(1));
  s.workload.tps = 1000;
  simulation::SimReport last;
  for (auto _ : state)
    last = simulation::run_scenario(s);
  if (!last.ok) state.SkipWithError("an invariant broke");
  state.counters["events_per_s"] = static_cast<double>(last.events_processed) / last.wall_seconds;
  state.counters["sim_s_per_wall_s"] = last.sim_seconds_per_wall_second;
  state.counters["committed_tps"] = last.tps;
  state.counters["blocks"] = static_cast<double>(last.committed_blocks);
}

void BM_SimMock(benchmark::State& state) {
  run_sim(state, crypto::SchemeKind::kMock);
}
void BM_SimReal(benchmark::State& state) {
  run_sim(state, crypto::SchemeKind::kBls);
}

// (validators, simulated ms)
BENCHMARK(BM_SimMock)
    ->Name("sim/mock")
    ->Args({4, 30'000})
    ->Args({16, 30'000})
    ->Args({64, 10'000})
    ->Unit(benchmark::kSecond)
    ->Iterations(1)
    ->UseRealTime();
BENCHMARK(BM_SimReal)
    ->Name("sim/real")
    ->Args({4, 10'000})
    ->Args({16, 10'000})
    ->Args({64, 5'000})
    ->Unit(benchmark::kSecond)
    ->Iterations(1)
    ->UseRealTime();

// The leader's work per block: verify n votes (one aggregate check) and
// aggregate them into a QC, with real BLS.
void BM_QcFormation(benchmark::State& state) {
  auto n = static_cast<std::uint32_t>(state.range(0));
  auto net = testing::make_network(crypto::SchemeKind::kBls, 1, n);
  auto verifier = std::move(*crypto::Verifier::make(crypto::SchemeKind::kBls, net.topology));
  core::JobContext ctx;
  ctx.verifier = verifier.get();
  ctx.genesis_hashes = {types::Hash{}};
  core::VerifyVotesJob job;
  auto block = types::hash_bytes("block"), parent = types::hash_bytes("parent");
  for (std::uint32_t i = 0; i < n; ++i) {
    types::BlockVote v{0, 5, 6, block, parent, i, {}};
    v.signature = net.signers[i]->sign(crypto::block_vote_message(v));
    job.votes.push_back(v);
  }
  for (auto _ : state) {
    auto result = std::get<core::VotesVerified>(core::run_job(ctx, job));
    if (!result.qc) state.SkipWithError("no QC formed");
    benchmark::DoNotOptimize(result);
  }
}
BENCHMARK(BM_QcFormation)
    ->Name("qc_formation_real_bls/validators")
    ->Arg(4)
    ->Arg(16)
    ->Arg(64)
    ->Unit(benchmark::kMillisecond);

// A restarted validator's execution start after `range(0)` simulated ms of
// the simulator's default workload (1000 tx/s over 8000 accounts, 4
// validators): reloading the state and
// ledger its storage kept (restore(): proportional to the state and the
// pending set) against replaying its stored chain from genesis
// (replay_chain(): proportional to the chain). The run is made once per
// length and shared by both.
struct StoredRun {
  execution::PersistedExecution persisted;
  std::shared_ptr<const std::vector<types::StateEntry>> genesis;
  std::vector<types::BlockRef> blocks;
};

const StoredRun& stored_run(types::TimestampMs ms) {
  static std::map<types::TimestampMs, StoredRun> runs;
  auto it = runs.find(ms);
  if (it != runs.end()) return it->second;
  simulation::Scenario s;
  s.sim.seed = 1;
  s.duration_ms = ms;
  s.execution = true;
  s.workload.accounts_per_shard = 8'000;  // hyperscale-sim's default at 1000 tx/s
  StoredRun run;
  s.on_finish = [&run](simulation::SimulationRunner& r) {
    const auto& storage = r.storage(0);
    run.persisted = storage.recover_execution();
    run.genesis = storage.genesis_state();
    run.blocks = storage.committed_blocks();
  };
  simulation::run_scenario(s);
  return runs.emplace(ms, std::move(run)).first->second;
}

void restart_counters(benchmark::State& state, const StoredRun& run) {
  state.counters["blocks"] = static_cast<double>(run.blocks.size());
  state.counters["substates"] = static_cast<double>(run.persisted.state.size());
  state.counters["pending"] = static_cast<double>(run.persisted.ledger.size());
}

void BM_RestartFromStorage(benchmark::State& state) {
  const auto& run = stored_run(static_cast<types::TimestampMs>(state.range(0)));
  for (auto _ : state) {
    auto start = execution::restore(run.persisted, 0, 1);
    if (!start) state.SkipWithError(start.error().c_str());
    benchmark::DoNotOptimize(start);
  }
  restart_counters(state, run);
}
void BM_RestartByReplay(benchmark::State& state) {
  const auto& run = stored_run(static_cast<types::TimestampMs>(state.range(0)));
  for (auto _ : state) {
    auto start = execution::replay_chain(*run.genesis, run.blocks, 0, 1);
    if (start.state.root() != run.persisted.state_root) state.SkipWithError("another root");
    benchmark::DoNotOptimize(start);
  }
  restart_counters(state, run);
}
BENCHMARK(BM_RestartFromStorage)
    ->Name("restart/from_storage/sim_ms")
    ->Arg(10'000)
    ->Arg(40'000)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_RestartByReplay)
    ->Name("restart/replay_chain/sim_ms")
    ->Arg(10'000)
    ->Arg(40'000)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace hyperscale::bench

BENCHMARK_MAIN();
