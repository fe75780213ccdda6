#pragma once

// An up-front estimate of the memory a simulation will need, so that a run
// that cannot fit is refused before it starts instead of swapping or being
// killed hours in (docs/simulator.md, "Memory").

#include <cstdint>
#include <string>

#include "simulation/scenario.h"

namespace hyperscale::sim_app {

struct MemoryEstimate {
  std::uint64_t bytes = 0;
  std::string breakdown;  // "validators 1.2 GiB + transactions 3.4 GiB + ..."
};

/// Peak resident memory of `scenario`, from costs measured on the release
/// build (docs/performance.md, "Memory"): a fixed part, a part per
/// validator, a part per submitted transaction (kept by the simulated
/// disks), each validator's replay window (the transactions of the last
/// validity window), a part per block per validator (the simulated
/// disks) and, with execution, parts per funded account and per outcome (the
/// state tree's share only for the outcomes of its retention window), plus
/// 25 %: measured peaks sit 20-50 % below it.
MemoryEstimate estimate_memory(const simulation::Scenario& scenario);

/// MemAvailable from /proc/meminfo, in bytes; 0 when unknown.
std::uint64_t available_memory();

}  // namespace hyperscale::sim_app
