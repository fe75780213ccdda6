#pragma once

// Links between simulated validators: latency (intra- and cross-shard),
// jitter (which also reorders), loss, duplication, directional partitions.

#include <cstdint>
#include <functional>
#include <set>
#include <vector>

#include "core/events.h"
#include "simulation/rng.h"
#include "types/ids.h"

namespace hyperscale::simulation {

using core::DurationMs;
using types::ValidatorId;

struct NetworkConfig {
  DurationMs intra_shard_latency_ms = 50;
  DurationMs cross_shard_latency_ms = 100;
  DurationMs jitter_ms = 10;        // uniform in [-jitter, +jitter], latency >= 1 ms
  std::uint32_t loss_ppm = 0;       // per message, millionths
  std::uint32_t duplicate_ppm = 0;  // per delivered message, millionths
};

class SimulatedNetwork {
 public:
  SimulatedNetwork(NetworkConfig config, std::function<types::ShardId(ValidatorId)> shard_of)
      : config_(config), shard_of_(std::move(shard_of)) {}

  /// Delays after which copies of a message from `from` reach `to`: empty if
  /// lost or partitioned, two entries if duplicated.
  std::vector<DurationMs> route(ValidatorId from, ValidatorId to, Rng& rng) const;

  void partition(ValidatorId from, ValidatorId to) { blocked_.insert({from, to}); }
  void partition_both(ValidatorId a, ValidatorId b) {
    partition(a, b);
    partition(b, a);
  }
  /// Cuts every link between the two groups, both ways.
  void partition_groups(const std::vector<ValidatorId>& a, const std::vector<ValidatorId>& b);
  void isolate(ValidatorId v, const std::vector<ValidatorId>& everyone);
  void heal(ValidatorId from, ValidatorId to) { blocked_.erase({from, to}); }
  void heal_all() { blocked_.clear(); }
  bool blocked(ValidatorId from, ValidatorId to) const { return blocked_.contains({from, to}); }

  NetworkConfig& config() { return config_; }
  const NetworkConfig& config() const { return config_; }

 private:
  NetworkConfig config_;
  std::function<types::ShardId(ValidatorId)> shard_of_;
  std::set<std::pair<ValidatorId, ValidatorId>> blocked_;
};

}  // namespace hyperscale::simulation
