#include "types/status.h"

namespace hyperscale::types {

namespace {
template <class... S>
bool holds_any(const TransactionStatus::Value& v) {
  return (std::holds_alternative<S>(v) || ...);
}
}  // namespace

bool TransactionStatus::can_transition_to(const TransactionStatus& next) const {
  namespace st = status;
  const auto& n = next.value_;
  if (is<st::Pending>()) return holds_any<st::Committed, st::Aborted>(n);
  if (is<st::Committed>()) return holds_any<st::Executed, st::Deferred, st::Completed>(n);
  if (is<st::Executed>()) return holds_any<st::Completed>(n);
  if (is<st::Deferred>()) return holds_any<st::Retried, st::Aborted>(n);
  return false;  // Completed, Retried and Aborted are final
}

bool TransactionStatus::holds_locks() const {
  return is<status::Committed>() || is<status::Executed>();
}

bool TransactionStatus::is_final() const {
  return is<status::Completed>() || is<status::Retried>() || is<status::Aborted>();
}

std::string_view to_string(AbortReason reason) {
  switch (reason) {
    case AbortReason::kTimeout:
      return "timeout";
    case AbortReason::kDeferred:
      return "deferred";
    case AbortReason::kTooManyRetries:
      return "too_many_retries";
    case AbortReason::kExpired:
      return "expired";
  }
  return "unknown";
}

std::string_view to_string(Decision decision) {
  return decision == Decision::kAccept ? "accept" : "reject";
}

std::string TransactionStatus::to_string() const {
  struct Visitor {
    std::string operator()(const status::Pending&) const { return "pending"; }
    std::string operator()(const status::Committed& s) const {
      return "committed(" + std::to_string(s.height) + ")";
    }
    std::string operator()(const status::Executed& s) const {
      return "executed(" + std::string(types::to_string(s.decision)) + ")";
    }
    std::string operator()(const status::Completed& s) const {
      return "completed(" + std::string(types::to_string(s.decision)) + ")";
    }
    std::string operator()(const status::Deferred& s) const {
      return "deferred(" + s.by.hex() + ")";
    }
    std::string operator()(const status::Retried& s) const {
      return "retried(" + s.new_tx.hex() + ")";
    }
    std::string operator()(const status::Aborted& s) const {
      return "aborted(" + std::string(types::to_string(s.reason)) + ")";
    }
  };
  return std::visit(Visitor{}, value_);
}

}  // namespace hyperscale::types
