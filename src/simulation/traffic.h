#pragma once

#include <array>
#include <cstdint>
#include <map>

#include "core/messages.h"

namespace hyperscale::simulation {

/// Messages and bytes per message type, and per node (sent and received).
class NetworkTrafficAnalyzer {
 public:
  struct Counter {
    std::uint64_t count = 0;
    std::uint64_t bytes = 0;
  };

  void record(types::ValidatorId from, types::ValidatorId to, std::size_t type_index,
              std::size_t bytes) {
    auto& c = by_type_[type_index];
    ++c.count;
    c.bytes += bytes;
    auto& sent = sent_[from];
    ++sent.count;
    sent.bytes += bytes;
    auto& received = received_[to];
    ++received.count;
    received.bytes += bytes;
  }
  void record_dropped() { ++dropped_; }

  const std::array<Counter, core::kMessageTypeCount>& by_type() const { return by_type_; }
  const std::map<types::ValidatorId, Counter>& sent() const { return sent_; }
  const std::map<types::ValidatorId, Counter>& received() const { return received_; }
  std::uint64_t dropped() const { return dropped_; }

 private:
  std::array<Counter, core::kMessageTypeCount> by_type_{};
  std::map<types::ValidatorId, Counter> sent_;
  std::map<types::ValidatorId, Counter> received_;
  std::uint64_t dropped_ = 0;
};

}  // namespace hyperscale::simulation
