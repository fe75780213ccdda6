#pragma once

// Random combined fault schedules (the simulator's swarm testing, after
// TigerBeetle's VOPR): one seed gives one scenario that mixes Byzantine
// validators, partitions (two-way, one-way, isolation, overlapping), crash
// windows of any size, loss, duplication, jitter, clock skew and slow
// validators. A failing seed reruns with `hyperscale-sim --random-faults SEED`.

#include <string>

#include "simulation/scenario.h"

namespace hyperscale::simulation {

/// Transient faults end by this time; the run lasts kRandomRunMs.
inline constexpr types::TimestampMs kRandomFaultsEndMs = 6'000;
inline constexpr types::TimestampMs kRandomRunMs = 60'000;

/// The scenario of `seed`: 4 or 7 validators per shard (one shard), a
/// workload of 50–200 tx/s, and each fault kind present with some
/// probability; Byzantine validators stay within f, crashes do not count
/// against f (every crashed validator restarts by kRandomFaultsEndMs).
Scenario random_fault_scenario(std::uint64_t seed);
/// One line naming the faults of a scenario (for reports and failure messages).
std::string describe_faults(const Scenario& scenario);

}  // namespace hyperscale::simulation
