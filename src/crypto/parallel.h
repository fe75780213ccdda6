#pragma once

#include <cstddef>
#include <functional>

namespace hyperscale::crypto {

/// Runs independent tasks, possibly on several threads. Crypto never makes
/// threads itself: the runner passes its crypto pool in, tests and
/// simulation pass Sequential.
class Parallelism {
 public:
  virtual ~Parallelism() = default;
  virtual std::size_t workers() const = 0;
  /// Calls task(i) for every i in [0, tasks) and returns when all are done.
  virtual void run(std::size_t tasks, const std::function<void(std::size_t)>& task) = 0;
};

class Sequential final : public Parallelism {
 public:
  std::size_t workers() const override { return 1; }
  void run(std::size_t tasks, const std::function<void(std::size_t)>& task) override {
    for (std::size_t i = 0; i < tasks; ++i)
      task(i);
  }
};

}  // namespace hyperscale::crypto
