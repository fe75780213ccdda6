// Jellyfish Merkle Tree, in-memory store, one core.
//
//   ./build/release/bench/jmt_bench
//
// jmt/update/N: one version of N key updates (existing keys, new values) over
// a tree of 1M keys in steady state (the retention window already full of
// stale nodes, as on a running node), computed and written to the store —
// items/s is key updates per second; pruning past the retention window runs between
// versions, timed apart (counter prune_ms per version). jmt/hash_only/N re-hashes the
// nodes one such version writes and nothing else: the BLAKE2b floor of the
// update (counters: nodes and bytes hashed per key). jmt/proof/* generate and
// verify one proof. jmt/memory reports bytes of heap per key after pruning.

#include <benchmark/benchmark.h>
#include <malloc.h>

#include <chrono>
#include <memory>
#include <random>
#include <vector>

#include "jmt/tree.h"

namespace hyperscale::bench {
namespace {

using namespace jmt;
using types::Hash;

constexpr std::uint64_t kTreeKeys = 1'000'000;

Hash key(std::uint64_t i) {
  types::Hasher h;
  h.update_u64(i);
  return h.finish();
}
Hash value(std::uint64_t i, std::uint64_t salt) {
  types::Hasher h;
  h.update_u64(i).update_u64(salt);
  return h.finish();
}

/// A store holding a 1M-key tree at version 0, shared by the benchmarks.
struct BigTree {
  InMemoryTreeStore store;
  Version latest = 0;
  std::mt19937_64 rng{42};

  BigTree() {
    std::vector<KeyUpdate> ups;
    ups.reserve(kTreeKeys);
    for (std::uint64_t i = 0; i < kTreeKeys; ++i)
      ups.push_back({key(i), value(i, 0)});
    sort_updates(ups);
    store.write(*apply_updates(store, std::nullopt, 0, ups));
    // Steady state: a running node holds the live tree plus the stale nodes
    // of the retention window, and its table and node pool have grown to
    // that size once. Without this warm-up every timed version would also
    // pay the one-time growth (rehash, first-touch page faults), which a
    // node pays only while its first kMinRetainedVersions blocks commit; the
    // second window of versions recycles pruned memory, so nodes land at
    // scattered addresses as they do after hours of running.
    for (Version v = 0; v < 2 * limits::kMinRetainedVersions; ++v) {
      commit(*apply_updates(store, latest, latest + 1, random_batch(10'000)));
      prune();
    }
  }

  std::vector<KeyUpdate> random_batch(std::size_t n) {
    std::vector<KeyUpdate> ups;
    ups.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
      std::uint64_t k = rng() % kTreeKeys;
      ups.push_back({key(k), value(k, rng())});
    }
    sort_updates(ups);
    return ups;
  }

  /// Writes `batch` as a node commits a block (the store takes its nodes).
  void commit(TreeUpdateBatch&& batch) {
    latest = batch.version;
    store.write(std::move(batch));
  }
  void prune() {
    if (latest >= limits::kMinRetainedVersions)
      store.prune(latest - limits::kMinRetainedVersions + 1);
  }
};

BigTree& big_tree() {
  static BigTree t;
  return t;
}

void BM_Update(benchmark::State& state) {
  BigTree& t = big_tree();
  const auto n = static_cast<std::size_t>(state.range(0));
  double nodes = 0, bytes = 0, prune_ns = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto ups = t.random_batch(n);
    // Pruning is its own cost (a node may run it apart from commits): timed
    // on the side, reported as prune_ms.
    auto t0 = std::chrono::steady_clock::now();
    t.prune();
    prune_ns += static_cast<double>((std::chrono::steady_clock::now() - t0).count());
    state.ResumeTiming();
    auto batch = apply_updates(t.store, t.latest, t.latest + 1, ups);
    nodes += static_cast<double>(batch->hashed_nodes);
    bytes += static_cast<double>(batch->hashed_bytes);
    t.commit(std::move(*batch));
  }
  state.counters["prune_ms"] = prune_ns / 1e6 / static_cast<double>(state.iterations());
  auto keys = static_cast<double>(state.iterations() * static_cast<std::int64_t>(n));
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n));
  state.counters["nodes_hashed_per_key"] = nodes / keys;
  state.counters["bytes_hashed_per_key"] = bytes / keys;
}
BENCHMARK(BM_Update)->Name("jmt/update")->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

void BM_HashOnly(benchmark::State& state) {
  BigTree& t = big_tree();
  const auto n = static_cast<std::size_t>(state.range(0));
  auto batch = apply_updates(t.store, t.latest, t.latest + 1, t.random_batch(n));
  for (auto _ : state)
    for (const auto& kv : batch->new_nodes)
      benchmark::DoNotOptimize(node_hash(*kv.second));
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n));
}
BENCHMARK(BM_HashOnly)->Name("jmt/hash_only")->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

void BM_ProofGenerate(benchmark::State& state) {
  BigTree& t = big_tree();
  std::uint64_t i = 0;
  for (auto _ : state)
    benchmark::DoNotOptimize(get_with_proof(t.store, t.latest, key(i++ % kTreeKeys)));
}
BENCHMARK(BM_ProofGenerate)->Name("jmt/proof/generate");

void BM_ProofVerify(benchmark::State& state) {
  BigTree& t = big_tree();
  Hash root = *root_hash(t.store, t.latest);
  std::vector<std::pair<Hash, ValueWithProof>> proofs;
  for (std::uint64_t i = 0; i < 1024; ++i)
    proofs.emplace_back(key(i), *get_with_proof(t.store, t.latest, key(i)));
  std::size_t i = 0;
  std::size_t depth = 0;
  for (const auto& p : proofs)
    depth += p.second.proof.levels.size();
  for (auto _ : state) {
    const auto& [k, p] = proofs[i++ % proofs.size()];
    if (!verify_proof(root, k, p.value_hash, p.proof)) state.SkipWithError("proof failed");
  }
  state.counters["levels"] = static_cast<double>(depth) / static_cast<double>(proofs.size());
}
BENCHMARK(BM_ProofVerify)->Name("jmt/proof/verify");

void BM_Memory(benchmark::State& state) {
  for (auto _ : state) {
    // Heap in use: small chunks plus mmap-served ones (the table and the
    // node pool's huge blocks are served by mmap).
    auto heap = [] {
      struct mallinfo2 m = mallinfo2();
      return m.uordblks + m.hblkhd;
    };
    std::size_t before = heap();
    {
      auto store = std::make_unique<InMemoryTreeStore>();
      std::vector<KeyUpdate> ups;
      for (std::uint64_t i = 0; i < kTreeKeys; ++i)
        ups.push_back({key(i), value(i, 0)});
      sort_updates(ups);
      store->write(*apply_updates(*store, std::nullopt, 0, ups));
      ups.clear();
      ups.shrink_to_fit();
      // 200 versions of 10k updates, pruned to the retention window.
      std::mt19937_64 rng(9);
      for (Version v = 1; v <= 200; ++v) {
        std::vector<KeyUpdate> b;
        for (int j = 0; j < 10000; ++j) {
          std::uint64_t k = rng() % kTreeKeys;
          b.push_back({key(k), value(k, rng())});
        }
        sort_updates(b);
        store->write(*apply_updates(*store, v - 1, v, b));
        if (v >= limits::kMinRetainedVersions) store->prune(v - limits::kMinRetainedVersions + 1);
      }
      std::size_t after = heap();
      state.counters["bytes_per_key"] =
          static_cast<double>(after - before) / static_cast<double>(kTreeKeys);
      state.counters["nodes"] = static_cast<double>(store->node_count());
    }
  }
}
BENCHMARK(BM_Memory)->Name("jmt/memory")->Iterations(1)->Unit(benchmark::kSecond);

}  // namespace
}  // namespace hyperscale::bench

BENCHMARK_MAIN();
