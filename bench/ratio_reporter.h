#pragma once

// Console output plus a closing table of ratios between benchmarks named
// "ours/<case>" and "blst/<case>", so the report states our overhead over
// the bare library directly.

#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <string>

namespace hyperscale::bench {

class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const auto& run : runs) {
      if (run.error_occurred) continue;
      // Plain runs, or the mean when --benchmark_repetitions is used.
      if (run.run_type == Run::RT_Iteration)
        times_[run.benchmark_name()] = run.GetAdjustedRealTime();
      else if (run.aggregate_name == "mean")
        times_[run.run_name.str()] = run.GetAdjustedRealTime();
    }
  }

  void Finalize() override {
    ConsoleReporter::Finalize();
    bool header = false;
    for (const auto& [name, ours] : times_) {
      if (name.rfind("ours/", 0) != 0) continue;
      auto bare = times_.find("blst/" + name.substr(5));
      if (bare == times_.end() || bare->second <= 0) continue;
      if (!header) {
        std::printf("\n%-60s %12s\n", "ours / bare blst (real time)", "ratio");
        header = true;
      }
      std::printf("%-60s %12.3f\n", name.substr(5).c_str(), ours / bare->second);
    }
    std::fflush(stdout);
  }

 private:
  std::map<std::string, double> times_;
};

}  // namespace hyperscale::bench

#define HS_BENCHMARK_MAIN_WITH_RATIOS()                               \
  int main(int argc, char** argv) {                                   \
    benchmark::Initialize(&argc, argv);                               \
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1; \
    hyperscale::bench::RatioReporter reporter;                        \
    benchmark::RunSpecifiedBenchmarks(&reporter);                     \
    benchmark::Shutdown();                                            \
    return 0;                                                         \
  }
