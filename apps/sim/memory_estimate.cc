#include "memory_estimate.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "jmt/limits.h"
#include "types/limits.h"

namespace hyperscale::sim_app {
namespace {

// Measured on the release build with `/usr/bin/time -f %M` (peak RSS; the
// runs are in docs/performance.md, "Memory"), each rounded up.
constexpr double kFixedBytes = 16.0 * (1 << 20);
constexpr double kPerValidatorBytes = 0.5 * (1 << 20);
/// The transaction object, kept by the blocks of the simulated disks.
constexpr double kPerTxBytes = 750;
/// Each validator's replay window holds the hash of every transaction
/// committed in the last kMaxTxValidityWindowMs (bounded by that window).
constexpr double kPerReplayEntryBytes = 150;
/// Each validator's simulated disk keeps every committed block with its QC.
constexpr double kPerBlockPerValidatorBytes = 2400;
/// Execution: every funded account's substates and tree nodes, in each
/// validator's state store, in the genesis state the runner keeps, and its
/// workload keys (measured: 100k accounts, 4 validators, 605 MiB peak).
constexpr double kPerAccountPerValidatorBytes = 1200;
constexpr double kPerAccountBytes = 1200;
/// Execution: each transaction's outcome, per validator of its shard, in
/// two parts. What stays for the whole run (the certificate blocks on the
/// simulated disk, the ledger's records): growth once the tree's window is
/// full, 0.45 KB (heaptrack and peak RSS, 4 validators × 16-32 s at 1000
/// tx/s). What stays only while the state tree retains the versions that
/// wrote it (the tree nodes each outcome's writes make, pruned past
/// jmt::limits::kMinRetainedVersions): 1.15 KB more in peak RSS while that
/// window fills, but heaptrack puts the tree's pools, table and stale
/// records at about 3 KB per outcome and validator of the window, part of it
/// the genesis tree: charged 2 KB, so that the short runs, which are mostly
/// this part, keep a margin (8 s: 161 MiB measured, with the stored state).
/// Plus a part per signer of the shard (the state votes and signer sets):
/// fitted on 16, 32 and 64 validators × 3 s and 32 × 8 s at 1000 tx/s (peak
/// RSS 299 MiB, 630 MiB, 1.53 GiB, 1.12 GiB; 314 MiB, 655 MiB, 1.54 GiB,
/// 1.15 GiB since each validator's disk keeps the substates written).
constexpr double kPerOutcomePerValidatorBytes = 500;
constexpr double kTreePerOutcomePerValidatorBytes = 2000;
constexpr double kPerOutcomePerValidatorPerSignerBytes = 54;
/// Upper estimate: the measured peaks sit 20-50 % below the model.
constexpr double kMargin = 1.25;

std::string gib(double bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f GiB", bytes / (1 << 30));
  return buf;
}

}  // namespace

MemoryEstimate estimate_memory(const simulation::Scenario& s) {
  const double n = s.sim.validators_per_shard;
  const double validators = static_cast<double>(s.sim.shards) * n;
  const double seconds = static_cast<double>(s.duration_ms) / 1000.0;
  const double txs = static_cast<double>(s.workload.tps) * seconds;
  // At most one block per half minimum block interval per shard, fewer when
  // a round trip is longer (measured: 8.6 blocks/s at 50 ms links).
  const double interval_ms =
      std::max<double>(static_cast<double>(s.sim.node.bft.min_block_interval_ms) / 2,
                       2.0 * static_cast<double>(s.sim.network.intra_shard_latency_ms));
  const double blocks_per_shard = seconds * 1000.0 / std::max(interval_ms, 1.0);
  const double window_s =
      std::min(seconds, static_cast<double>(types::limits::kMaxTxValidityWindowMs) / 1000.0);
  const double per_validator = validators * kPerValidatorBytes;
  const double per_tx = txs * kPerTxBytes;
  const double replay = validators * kPerReplayEntryBytes * static_cast<double>(s.workload.tps) /
                        s.sim.shards * window_s;
  const double disks = blocks_per_shard * validators * kPerBlockPerValidatorBytes;
  const double accounts = s.execution
                              ? static_cast<double>(s.workload.accounts_per_shard) * s.sim.shards *
                                    (n * kPerAccountPerValidatorBytes + kPerAccountBytes)
                              : 0.0;
  // The tree keeps the writes of its retained versions (and of the one it
  // writes before pruning): as many seconds of
  // outcomes as that many blocks take, counted at half the fastest block
  // rate above (a loaded shard measures one block per 116-133 ms at 50 ms
  // links; slower blocks keep more seconds, so the slower rate errs high).
  const double tree_window_s = static_cast<double>(jmt::limits::kMinRetainedVersions + 1) * 2.0 *
                               std::max(interval_ms, 1.0) / 1000.0;
  const double tree_txs = std::min(txs, static_cast<double>(s.workload.tps) * tree_window_s);
  const double outcomes =
      s.execution
          ? txs * n * (kPerOutcomePerValidatorBytes + n * kPerOutcomePerValidatorPerSignerBytes) +
                tree_txs * n * kTreePerOutcomePerValidatorBytes
          : 0.0;
  MemoryEstimate e;
  e.bytes = static_cast<std::uint64_t>(
      kMargin * (kFixedBytes + per_validator + per_tx + replay + disks + accounts + outcomes));
  e.breakdown = "validators " + gib(per_validator) + ", transactions " + gib(per_tx) +
                ", replay windows " + gib(replay) + ", simulated disks " + gib(disks) +
                (s.execution ? ", accounts " + gib(accounts) + ", outcomes " + gib(outcomes)
                             : std::string()) +
                ", plus 25 %";
  return e;
}

std::uint64_t available_memory() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  std::uint64_t kib = 0;
  std::string unit;
  while (in >> key >> kib >> unit)
    if (key == "MemAvailable:") return kib * 1024;
  return 0;
}

}  // namespace hyperscale::sim_app
