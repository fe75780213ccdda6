#pragma once

// HS_ASSERT checks an invariant of the program itself: a logic bug, never bad
// input. It stays on in release builds; input errors are returned values.

#include <cstdio>
#include <cstdlib>

namespace hyperscale::detail {
[[noreturn]] inline void assertion_failed(const char* expr, const char* file, int line,
                                          const char* msg) {
  std::fprintf(stderr, "%s:%d: assertion failed: %s%s%s\n", file, line, expr, msg ? " — " : "",
               msg ? msg : "");
  std::fflush(stderr);
  std::abort();
}
}  // namespace hyperscale::detail

#define HS_ASSERT(expr)                                                           \
  do {                                                                            \
    if (!(expr)) [[unlikely]]                                                     \
      ::hyperscale::detail::assertion_failed(#expr, __FILE__, __LINE__, nullptr); \
  } while (0)

#define HS_ASSERT_MSG(expr, msg)                                                \
  do {                                                                          \
    if (!(expr)) [[unlikely]]                                                   \
      ::hyperscale::detail::assertion_failed(#expr, __FILE__, __LINE__, (msg)); \
  } while (0)
