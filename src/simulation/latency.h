#pragma once

// Commit latencies of a run, kept as counts per millisecond: exact
// percentiles (the value at sorted index round(q × (n − 1))) in memory
// bounded by the largest latency, not by the number of transactions (a day
// at 1000 tx/s is 86 million of them).

#include <cstdint>
#include <map>
#include <vector>

namespace hyperscale::simulation {

/// The sorted index a percentile q (0–1) of n > 0 values names: round(q × (n − 1)).
inline std::uint64_t rank_index(double q, std::uint64_t n) {
  auto i = static_cast<std::uint64_t>(q * static_cast<double>(n - 1) + 0.5);
  return i < n ? i : n - 1;
}

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
