#pragma once

// Commit latencies of a run, kept as counts per millisecond: exact
// nearest-rank percentiles in memory bounded by the largest latency, not by
// the number of transactions (a day at 1000 tx/s is 86 million of them).

#include <cstdint>
#include <map>
#include <vector>

namespace hyperscale::simulation {

struct LatencySummary {
  double p50 = 0, p90 = 0, p99 = 0, max = 0;
};

/// Latencies in whole ms. Below kDenseMs each value has a slot (8 bytes
/// each, grown as needed: at most 512 KiB); longer ones are counted in a
/// sorted map (one entry per distinct value).
class LatencyHistogram {
 public:
  static constexpr std::uint64_t kDenseMs = 65'536;

  void add(std::uint64_t ms);
  std::uint64_t count() const { return count_; }
  /// The value at sorted index round(q × (count − 1)), 0 ≤ q ≤ 1; 0 when empty.
  std::uint64_t quantile(double q) const;
  /// p50, p90, p99 and max (all zero when empty).
  LatencySummary summary() const;
  /// Calls f(value_ms, count) for every value held, in increasing order.
  template <class F>
  void for_each(F&& f) const {
    for (std::uint64_t v = 0; v < dense_.size(); ++v)
      if (dense_[v]) f(v, dense_[v]);
    for (const auto& [v, n] : sparse_)
      f(v, n);
  }

 private:
  std::vector<std::uint64_t> dense_;
  std::map<std::uint64_t, std::uint64_t> sparse_;
  std::uint64_t count_ = 0;
};

}  // namespace hyperscale::simulation
