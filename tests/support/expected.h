#pragma once

// Test helper for std::expected results.

#include <expected>
#include <optional>

namespace hyperscale::testing {

/// The error `result` holds, or nullopt when it holds a value. Tests compare
/// this, never `result.error()` directly: reading error() of a value is
/// undefined behaviour and can compare equal by accident (a jmt test passed
/// that way while apply_updates() succeeded).
template <class T, class E>
std::optional<E> error_of(const std::expected<T, E>& result) {
  if (result.has_value()) return std::nullopt;
  return result.error();
}

}  // namespace hyperscale::testing
