#pragma once

// Links between simulated validators: latency (intra- and cross-shard),
// jitter (which also reorders), loss, duplication, directional partitions.

#include <cstdint>
#include <functional>
#include <map>
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
  /// Slow-but-alive validators: extra one-way latency on every link they
  /// send or receive on (added once per end that is slow).
  std::map<ValidatorId, DurationMs> extra_latency_ms;
};

class SimulatedNetwork {
 public:
  SimulatedNetwork(NetworkConfig config, std::function<types::ShardId(ValidatorId)> shard_of)
      : config_(config), shard_of_(std::move(shard_of)) {}

  /// Delays after which copies of a message from `from` reach `to`: empty if
  /// lost or partitioned, two entries if duplicated.
  std::vector<DurationMs> route(ValidatorId from, ValidatorId to, Rng& rng) const;

  /// Cuts are counted: a link is blocked while any cut of it is in place, so
  /// overlapping partition windows compose (the end of one heals only its own).
  void partition(ValidatorId from, ValidatorId to) { ++blocked_[{from, to}]; }
  void partition_both(ValidatorId a, ValidatorId b) {
    partition(a, b);
    partition(b, a);
  }
  /// Cuts every link between the two groups, both ways.
  void partition_groups(const std::vector<ValidatorId>& a, const std::vector<ValidatorId>& b);
  void isolate(ValidatorId v, const std::vector<ValidatorId>& everyone);
  /// Removes one cut of the link (what one partition() put in place).
  void heal(ValidatorId from, ValidatorId to);
  void heal_both(ValidatorId a, ValidatorId b) {
    heal(a, b);
    heal(b, a);
  }
  void heal_groups(const std::vector<ValidatorId>& a, const std::vector<ValidatorId>& b);
  void unisolate(ValidatorId v, const std::vector<ValidatorId>& everyone);
  void heal_all() { blocked_.clear(); }
  bool blocked(ValidatorId from, ValidatorId to) const { return blocked_.contains({from, to}); }

  NetworkConfig& config() { return config_; }
  const NetworkConfig& config() const { return config_; }

 private:
  NetworkConfig config_;
  std::function<types::ShardId(ValidatorId)> shard_of_;
  std::map<std::pair<ValidatorId, ValidatorId>, std::uint32_t> blocked_;  // link -> cuts
};

}  // namespace hyperscale::simulation
