#include "memory_estimate.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace hyperscale::sim_app {
namespace {

// Measured on the release build with `/usr/bin/time -v` (peak RSS), see
// docs/performance.md "Memory"; each rounded up.
constexpr double kFixedBytes = 24.0 * (1 << 20);
constexpr double kPerValidatorBytes = 1.0 * (1 << 20);
/// The runner's record, the transaction object, the mempool and gossip
/// copies while it is pending, and its hash in every block that holds it.
constexpr double kPerTxBytes = 1200;
/// Each validator's simulated disk keeps every committed block (the block
/// itself is shared; its QC, index entries and the validator's copies are not).
constexpr double kPerBlockPerValidatorBytes = 2000;

std::string gib(double bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f GiB", bytes / (1 << 30));
  return buf;
}

}  // namespace

MemoryEstimate estimate_memory(const simulation::Scenario& s) {
  double validators = static_cast<double>(s.sim.shards) * s.sim.validators_per_shard;
  double seconds = static_cast<double>(s.duration_ms) / 1000.0;
  double txs = static_cast<double>(s.workload.tps) * seconds;
  // At most one block per minimum block interval per shard (the pacemaker's
  // floor); fewer when a round trip is longer.
  double interval_ms =
      std::max<double>(static_cast<double>(s.sim.node.bft.min_block_interval_ms) / 2,
                       2.0 * static_cast<double>(s.sim.network.intra_shard_latency_ms));
  double blocks = seconds * 1000.0 / std::max(interval_ms, 1.0) * s.sim.shards;
  double per_validator = validators * kPerValidatorBytes;
  double per_tx = txs * kPerTxBytes;
  double disks = blocks * s.sim.validators_per_shard * kPerBlockPerValidatorBytes;
  MemoryEstimate e;
  e.bytes = static_cast<std::uint64_t>(kFixedBytes + per_validator + per_tx + disks);
  e.breakdown = "validators " + gib(per_validator) + " + transactions " + gib(per_tx) +
                " + simulated disks " + gib(disks);
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
