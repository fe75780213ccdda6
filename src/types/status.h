#pragma once

#include <string>
#include <variant>

#include "types/hash.h"
#include "types/ids.h"
#include "types/state.h"

namespace hyperscale::types {

namespace status {
struct Pending {};
struct Committed {
  BlockHeight height = 0;
};
struct Executed {
  Decision decision = Decision::kAccept;
};
struct Completed {
  Decision decision = Decision::kAccept;
};
struct Deferred {
  Hash by;  // the winning tx of the cycle
};
struct Retried {
  Hash new_tx;
};
struct Aborted {
  AbortReason reason = AbortReason::kTimeout;
};
}  // namespace status

/// Life of a transaction on one node:
///   Pending → Committed(h) → Executed(decision) → Completed(decision)
/// plus Deferred{by} → Retried{new_tx} | Aborted{TooManyRetries}, and
/// Aborted{Expired} for a tx whose window passed before it was ordered.
/// Committed → Completed happens when a Reject outcome arrives before local
/// execution. Only the transitions in can_transition_to happen.
class TransactionStatus {
 public:
  using Value = std::variant<status::Pending, status::Committed, status::Executed,
                             status::Completed, status::Deferred, status::Retried, status::Aborted>;

  TransactionStatus() = default;
  TransactionStatus(Value v) : value_(std::move(v)) {}  // NOLINT(google-explicit-constructor)

  const Value& value() const { return value_; }
  template <class S>
  bool is() const {
    return std::holds_alternative<S>(value_);
  }

  bool can_transition_to(const TransactionStatus& next) const;
  /// Committed and Executed hold the tx's state locks.
  bool holds_locks() const;
  bool is_final() const;
  /// Stable text form for RPC and logs, e.g. "committed(12)".
  std::string to_string() const;

 private:
  Value value_;
};

std::string_view to_string(AbortReason reason);
std::string_view to_string(Decision decision);

}  // namespace hyperscale::types
