#pragma once

// What the simulator shows of a run: the human summary, the JSON report,
// the per-second timeline (CSV) and the self-contained HTML report with SVG
// plots (docs/simulator.md, "Looking at a run").

#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "options.h"
#include "simulation/scenario.h"

namespace hyperscale::sim_app {

/// One simulated interval (a second, or less at the end) of one shard.
struct TimelineRow {
  double end_s = 0;    // the interval ends here (simulated seconds)
  double seconds = 0;  // its length
  types::ShardId shard = 0;
  types::BlockHeight height = 0;  // the shard's highest committed height at the end
  std::uint64_t committed_txs = 0;
  double tps = 0;
  double latency_p50_ms = 0, latency_p99_ms = 0;  // of the txs committed in it (0: none)
  std::uint64_t view_changes = 0;  // rounds a validator of the shard entered by a TC, most of any
  std::uint64_t messages = 0;      // sent by the shard's validators
  std::uint64_t bytes = 0;
  std::uint64_t mempool = 0;  // largest mempool of a running validator of the shard
};

/// Samples a running simulation every progress interval into timeline rows,
/// streams them to a CSV file when one is given, and keeps what the HTML
/// report plots. Memory is bounded: at most kMaxPoints samples per series
/// (neighbouring samples merge as the run grows: rates averaged, p99 the
/// larger, heights the later) and the heights of the first kMaxPlotted
/// validators.
class TimelineRecorder {
 public:
  static constexpr std::size_t kMaxPoints = 1000;
  static constexpr std::size_t kMaxPlotted = 64;

  /// `csv` may be null (no --timeline); `keep` says whether to keep rows
  /// for the HTML report, at most 2 x `max_points` of them.
  TimelineRecorder(std::FILE* csv, bool keep, std::size_t max_points = kMaxPoints);
  void sample(simulation::SimulationRunner& runner);
  /// At the end of the run: the latency histogram and the crash log.
  void finish(const simulation::SimulationRunner& runner);

  struct Point {
    double t_s = 0;
    std::vector<TimelineRow> shards;          // one per shard
    std::vector<types::BlockHeight> heights;  // of the plotted validators
  };
  const std::vector<Point>& points() const { return points_; }
  /// Every commit latency of the run (for the histogram), once finished.
  const simulation::LatencyHistogram& latencies_ms() const { return latencies_; }
  const std::vector<simulation::CrashEvent>& crash_log() const { return crash_log_; }
  std::size_t plotted_validators() const { return plotted_; }

 private:
  void keep(Point point);
  std::FILE* csv_;
  bool keep_;
  std::size_t max_points_;
  double last_s_ = 0;
  std::map<types::ShardId, std::uint64_t> last_view_changes_, last_messages_, last_bytes_;
  std::vector<Point> points_;
  std::size_t merge_ = 1;    // samples per kept point
  std::size_t pending_ = 0;  // samples merged into points_.back()
  std::size_t plotted_ = 0;
  simulation::LatencyHistogram latencies_;
  std::vector<simulation::CrashEvent> crash_log_;
};

/// "honest", a Byzantine kind, or "twin".
std::string validator_role(const simulation::ValidatorReport& validator);
/// "ok", the violation, or why the invariant could not be decided.
std::string invariant_state(const simulation::SimReport& report, const std::string& name);

/// The JSON report (docs/simulator.md, "Report").
nlohmann::json report_json(const simulation::SimReport& report, const Options& options);
/// The human summary on stdout.
void print_summary(const simulation::SimReport& report, const Options& options);
/// The HTML report: one file, inline SVG and CSS, no script, no download.
std::string html_report(const simulation::SimReport& report, const Options& options,
                        const TimelineRecorder& timeline);

}  // namespace hyperscale::sim_app
