#include "simulation/fault_schedule.h"

#include <algorithm>
#include <sstream>

namespace hyperscale::simulation {

Scenario random_fault_scenario(std::uint64_t seed) {
  Rng rng(seed * 7919 + 1);
  Scenario s;
  s.sim.seed = seed;
  s.sim.validators_per_shard = rng.below(2) ? 7 : 4;
  s.duration_ms = kRandomRunMs;
  s.workload.tps = 50 + static_cast<std::uint32_t>(rng.below(151));
  s.faults_end_ms = kRandomFaultsEndMs;
  const auto n = s.sim.validators_per_shard;
  const auto f = (n - 1) / 3;
  s.sim.network.jitter_ms = rng.below(60);
  s.sim.max_clock_skew_ms = rng.below(500);
  auto pick = [&](std::uint32_t count) {
    std::vector<types::ValidatorId> ids(n);
    for (types::ValidatorId v = 0; v < n; ++v)
      ids[v] = v;
    for (std::uint32_t i = 0; i + 1 < n; ++i)
      std::swap(ids[i], ids[i + rng.below(n - i)]);
    ids.resize(std::min(count, n));
    std::sort(ids.begin(), ids.end());
    return ids;
  };
  auto window = [&](types::TimestampMs latest_end) {
    types::TimestampMs start = 300 + rng.below(3'000);
    types::TimestampMs end = std::min(latest_end, start + 500 + rng.below(3'000));
    return std::pair{start, std::max(end, start + 100)};
  };
  // Byzantine validators (the last committee members), up to f, one kind.
  if (rng.below(3) == 0) {
    static constexpr ByzantineKind kinds[] = {
        ByzantineKind::kEquivocate,   ByzantineKind::kDoubleVote,   ByzantineKind::kSilent,
        ByzantineKind::kBadSignature, ByzantineKind::kForgedParent, ByzantineKind::kWithhold,
        ByzantineKind::kTwin};
    s.byzantine = {
        {kinds[rng.below(std::size(kinds))], 1 + static_cast<std::uint32_t>(rng.below(f))}};
  }
  // Partitions: up to two windows, which may overlap.
  for (int i = 0, windows = static_cast<int>(rng.below(3)); i < windows; ++i) {
    auto [start, end] = window(kRandomFaultsEndMs);
    PartitionWindow p;
    p.start_ms = start;
    p.end_ms = end;
    switch (rng.below(3)) {
      case 0:    // two sides, both ways
      case 1: {  // two sides, one way
        auto a = pick(1 + static_cast<std::uint32_t>(rng.below(n - 1)));
        for (types::ValidatorId v = 0; v < n; ++v)
          if (std::find(a.begin(), a.end(), v) == a.end()) p.side_b.push_back(v);
        p.side_a = std::move(a);
        p.one_way = rng.below(2) == 0;
        break;
      }
      default:  // isolation of a few
        p.side_a = pick(1 + static_cast<std::uint32_t>(rng.below(2)));
    }
    s.partitions.push_back(std::move(p));
  }
  // Crash windows: any number of validators, even all of them.
  if (rng.below(3) == 0) {
    auto [start, end] = window(kRandomFaultsEndMs);
    s.crashes.push_back({start, end, pick(1 + static_cast<std::uint32_t>(rng.below(n)))});
  }
  // Crash-restart of one honest validator at a time.
  if (rng.below(5) == 0 && s.byzantine.empty()) s.crash_restart = true;
  if (rng.below(3) == 0) s.sim.network.loss_ppm = static_cast<std::uint32_t>(rng.below(150'000));
  if (rng.below(4) == 0)
    s.sim.network.duplicate_ppm = static_cast<std::uint32_t>(rng.below(300'000));
  // A slow-but-alive validator.
  if (rng.below(4) == 0) s.sim.network.extra_latency_ms[pick(1)[0]] = 20 + rng.below(200);
  return s;
}

std::string describe_faults(const Scenario& s) {
  std::ostringstream out;
  out << s.sim.validators_per_shard << " validators, " << s.workload.tps << " tx/s, jitter "
      << s.sim.network.jitter_ms << " ms, skew " << s.sim.max_clock_skew_ms << " ms";
  for (const auto& [kind, count] : s.byzantine)
    out << ", " << count << " " << to_string(kind);
  auto ids = [](const std::vector<types::ValidatorId>& v) {
    std::ostringstream o;
    for (std::size_t i = 0; i < v.size(); ++i)
      o << (i ? "," : "") << v[i];
    return o.str();
  };
  for (const auto& p : s.partitions) {
    out << ", partition " << p.start_ms << "-" << p.end_ms << " ms " << ids(p.side_a);
    if (p.side_b.empty())
      out << " isolated";
    else
      out << (p.one_way ? ">" : "|") << ids(p.side_b);
  }
  for (const auto& c : s.crashes)
    out << ", crash " << ids(c.ids) << " " << c.start_ms << "-" << c.end_ms << " ms";
  if (s.crash_restart) out << ", crash-restart";
  if (s.sim.network.loss_ppm) out << ", loss " << s.sim.network.loss_ppm << " ppm";
  if (s.sim.network.duplicate_ppm) out << ", duplicate " << s.sim.network.duplicate_ppm << " ppm";
  for (const auto& [v, ms] : s.sim.network.extra_latency_ms)
    out << ", validator " << v << " slow +" << ms << " ms";
  return out.str();
}

}  // namespace hyperscale::simulation
