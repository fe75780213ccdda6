#include "simulation/latency.h"

#include <cmath>

namespace hyperscale::simulation {

void LatencyHistogram::add(std::uint64_t ms) {
  ++count_;
  if (ms >= kDenseMs) {
    ++sparse_[ms];
    return;
  }
  if (ms >= dense_.size()) dense_.resize(ms + 1, 0);
  ++dense_[ms];
}

std::uint64_t LatencyHistogram::quantile(double q) const {
  if (count_ == 0) return 0;
  auto index = rank_index(q, count_);
  std::uint64_t seen = 0;
  for (std::uint64_t v = 0; v < dense_.size(); ++v) {
    seen += dense_[v];
    if (seen > index) return v;
  }
  for (const auto& [v, n] : sparse_) {
    seen += n;
    if (seen > index) return v;
  }
  return 0;  // unreachable: the counts sum to count_
}

LatencySummary LatencyHistogram::summary() const {
  LatencySummary out;
  if (count_ == 0) return out;
  out.p50 = static_cast<double>(quantile(0.50));
  out.p90 = static_cast<double>(quantile(0.90));
  out.p99 = static_cast<double>(quantile(0.99));
  out.max = static_cast<double>(quantile(1.0));
  return out;
}

}  // namespace hyperscale::simulation
