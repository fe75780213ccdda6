#include "simulation/network.h"

namespace hyperscale::simulation {

std::vector<DurationMs> SimulatedNetwork::route(ValidatorId from, ValidatorId to, Rng& rng) const {
  std::vector<DurationMs> out;
  if (blocked(from, to)) return out;
  if (config_.loss_ppm && rng.chance_ppm(config_.loss_ppm)) return out;
  auto base =
      static_cast<std::int64_t>(shard_of_(from) == shard_of_(to) ? config_.intra_shard_latency_ms
                                                                 : config_.cross_shard_latency_ms);
  for (auto end : {from, to})
    if (auto it = config_.extra_latency_ms.find(end); it != config_.extra_latency_ms.end())
      base += static_cast<std::int64_t>(it->second);
  auto jitter = static_cast<std::int64_t>(config_.jitter_ms);
  auto sample = [&] {
    std::int64_t d = base + (jitter ? rng.between(-jitter, jitter) : 0);
    return static_cast<DurationMs>(d < 1 ? 1 : d);
  };
  out.push_back(sample());
  if (config_.duplicate_ppm && rng.chance_ppm(config_.duplicate_ppm)) out.push_back(sample());
  return out;
}

void SimulatedNetwork::partition_groups(const std::vector<ValidatorId>& a,
                                        const std::vector<ValidatorId>& b) {
  for (auto x : a)
    for (auto y : b)
      partition_both(x, y);
}

void SimulatedNetwork::isolate(ValidatorId v, const std::vector<ValidatorId>& everyone) {
  for (auto other : everyone)
    if (other != v) partition_both(v, other);
}

void SimulatedNetwork::heal(ValidatorId from, ValidatorId to) {
  auto it = blocked_.find({from, to});
  if (it == blocked_.end()) return;
  if (--it->second == 0) blocked_.erase(it);
}

void SimulatedNetwork::heal_groups(const std::vector<ValidatorId>& a,
                                   const std::vector<ValidatorId>& b) {
  for (auto x : a)
    for (auto y : b)
      heal_both(x, y);
}

void SimulatedNetwork::unisolate(ValidatorId v, const std::vector<ValidatorId>& everyone) {
  for (auto other : everyone)
    if (other != v) heal_both(v, other);
}

}  // namespace hyperscale::simulation
