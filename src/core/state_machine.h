#pragma once

#include <vector>

#include "core/actions.h"
#include "core/events.h"

namespace hyperscale::core {

/// A pure, synchronous, deterministic node: (state, now, event) -> actions.
/// Runners call set_time() before every handle(). No I/O, clocks or OS
/// randomness inside.
class StateMachine {
 public:
  virtual ~StateMachine() = default;
  virtual std::vector<Action> handle(const Event& event) = 0;
  void set_time(types::TimestampMs now) { now_ = now; }
  types::TimestampMs now() const { return now_; }

 private:
  types::TimestampMs now_ = 0;
};

}  // namespace hyperscale::core
