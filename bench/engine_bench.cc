// Transaction engine: one-transfer transactions (pre-built) over a
// MapStateView of 100k funded accounts, signature checks excluded (the engine
// does not verify them). Target: >= 300k transfers/s per core.
//
//   ./build/release/bench/engine_bench --benchmark_filter=engine

#include <benchmark/benchmark.h>

#include <random>

#include "engine/engine.h"
#include "engine/genesis.h"
#include "engine/substates.h"
#include "types/assert.h"

namespace hyperscale::bench {
namespace {

using namespace types;

constexpr std::uint32_t kAccounts = 100'000;
constexpr std::size_t kTxs = 1 << 14;

struct Fixture {
  engine::MapStateView view;
  std::vector<Transaction> txs;
};

// Keys are hashes, not curve points: the engine only compares them.
Ed25519PublicKey key(std::uint32_t i) {
  Ed25519PublicKey k;
  Hash h = Hasher().update(std::string_view("engine-bench")).update_u32(i).finish();
  std::copy(h.bytes.begin(), h.bytes.end(), k.bytes.begin());
  return k;
}

Fixture make_fixture() {
  engine::GenesisConfig config;
  for (std::uint32_t i = 0; i < kAccounts; ++i)
    config.owners.push_back(key(i));
  config.native_balance_per_account = 1'000'000'000;
  auto entries = engine::genesis_entries(config, 0, 1);
  HS_ASSERT(entries.has_value());
  Fixture f{engine::MapStateView(*entries), {}};
  // Random pairs, so the view's lookups miss the caches as a real state's would.
  std::mt19937_64 rng(7);
  f.txs.reserve(kTxs);
  for (std::size_t i = 0; i < kTxs; ++i) {
    auto from = static_cast<std::uint32_t>(rng() % kAccounts);
    auto to = static_cast<std::uint32_t>(rng() % kAccounts);
    TransactionPayload p;
    p.instructions.push_back(Transfer{account_address(config.owners[from].span()),
                                      account_address(config.owners[to].span()),
                                      engine::native_resource(), 1 + rng() % 100});
    p.nonce = i;
    p.valid_until_ms = 60'000;
    p.signers = {config.owners[from]};
    f.txs.emplace_back(std::move(p), 0, std::vector<Ed25519Signature>(1));
  }
  return f;
}

const Fixture& fixture() {
  static const Fixture f = make_fixture();
  return f;
}

void run(benchmark::State& state, const engine::FeeSchedule& fees) {
  const Fixture& f = fixture();
  std::size_t i = 0;
  for (auto _ : state) {
    auto out = engine::execute(f.txs[i++ % kTxs], f.view, fees);
    HS_ASSERT(out.success);
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_Transfer(benchmark::State& state) {
  run(state, {});
}
BENCHMARK(BM_Transfer)->Name("engine/transfer");

void BM_TransferWithFee(benchmark::State& state) {
  run(state, engine::FeeSchedule{1});
}
BENCHMARK(BM_TransferWithFee)->Name("engine/transfer_with_fee");

}  // namespace
}  // namespace hyperscale::bench

BENCHMARK_MAIN();
