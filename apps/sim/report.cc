#include "report.h"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace hyperscale::sim_app {

using simulation::ByzantineKind;
using simulation::SimReport;
using simulation::SimulationRunner;

namespace {

nlohmann::json latency_json(const simulation::LatencySummary& l) {
  return {{"p50", l.p50}, {"p90", l.p90}, {"p99", l.p99}, {"max", l.max}};
}

double percentile(std::vector<std::uint32_t>& values, double q) {
  if (values.empty()) return 0;
  auto i = simulation::rank_index(q, values.size());
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(i), values.end());
  return values[i];
}

}  // namespace

std::string invariant_state(const SimReport& r, const std::string& name) {
  const auto& v = r.invariants.at(name);
  if (v) return *v;
  auto it = r.unchecked.find(name);
  return it != r.unchecked.end() ? it->second : "ok";
}

std::string validator_role(const simulation::ValidatorReport& v) {
  if (v.has_twin) return "twin";
  if (v.byzantine != ByzantineKind::kNone) return std::string(simulation::to_string(v.byzantine));
  return "honest";
}

// ---- timeline ---------------------------------------------------------------

TimelineRecorder::TimelineRecorder(std::FILE* csv, bool keep, std::size_t max_points)
    : csv_(csv), keep_(keep), max_points_(std::max<std::size_t>(max_points, 1)) {
  if (csv_)
    std::fputs(
        "time_s,shard,height,committed_txs,tps,latency_p50_ms,latency_p99_ms,view_changes,"
        "messages,bytes,mempool_txs\n",
        csv_);
}

void TimelineRecorder::sample(SimulationRunner& runner) {
  double now_s = static_cast<double>(runner.now()) / 1000.0;
  double seconds = now_s - last_s_;
  if (seconds <= 0) return;
  last_s_ = now_s;
  auto latencies = runner.take_commit_latencies();
  Point point;
  point.t_s = now_s;
  const auto& sent = runner.traffic().sent();
  for (types::ShardId shard = 0; shard < runner.config().shards; ++shard) {
    TimelineRow row;
    row.end_s = now_s;
    row.seconds = seconds;
    row.shard = shard;
    row.height = runner.committed_height(shard);
    auto& lat = latencies[shard];
    row.committed_txs = lat.size();
    row.tps = static_cast<double>(lat.size()) / seconds;
    row.latency_p50_ms = percentile(lat, 0.50);
    row.latency_p99_ms = percentile(lat, 0.99);
    std::uint64_t view_changes = 0, messages = 0, bytes = 0, mempool = 0;
    for (auto v : runner.validators_of(shard)) {
      view_changes = std::max(view_changes, runner.counters(v).rounds_entered_by_tc);
      if (auto it = sent.find(v); it != sent.end()) {
        messages += it->second.count;
        bytes += it->second.bytes;
      }
      if (const auto* node = runner.node(v))
        mempool = std::max<std::uint64_t>(mempool, node->mempool().size());
    }
    row.view_changes = view_changes - std::exchange(last_view_changes_[shard], view_changes);
    row.messages = messages - std::exchange(last_messages_[shard], messages);
    row.bytes = bytes - std::exchange(last_bytes_[shard], bytes);
    row.mempool = mempool;
    if (csv_)
      std::fprintf(csv_, "%.3f,%u,%llu,%llu,%.1f,%.0f,%.0f,%llu,%llu,%llu,%llu\n", row.end_s,
                   row.shard, static_cast<unsigned long long>(row.height),
                   static_cast<unsigned long long>(row.committed_txs), row.tps, row.latency_p50_ms,
                   row.latency_p99_ms, static_cast<unsigned long long>(row.view_changes),
                   static_cast<unsigned long long>(row.messages),
                   static_cast<unsigned long long>(row.bytes),
                   static_cast<unsigned long long>(row.mempool));
    point.shards.push_back(row);
  }
  if (!keep_) return;
  auto validators = runner.validators();
  plotted_ = std::min(validators.size(), kMaxPlotted);
  for (std::size_t i = 0; i < plotted_; ++i)
    point.heights.push_back(runner.storage(validators[i]).committed_height());
  keep(std::move(point));
}

namespace {

/// Folds `b`, the samples right after `a`, into `a`: rates averaged over
/// time, p50 over commits, p99 the larger, counts summed, heights and
/// mempool the later.
void merge_into(TimelineRecorder::Point& a, const TimelineRecorder::Point& b) {
  for (std::size_t s = 0; s < a.shards.size(); ++s) {
    auto& x = a.shards[s];
    const auto& y = b.shards[s];
    double total = x.seconds + y.seconds;
    x.tps = (x.tps * x.seconds + y.tps * y.seconds) / total;
    // p50 weighted by the commits it describes: a quiet interval has none.
    auto commits = x.committed_txs + y.committed_txs;
    if (commits > 0)
      x.latency_p50_ms = (x.latency_p50_ms * static_cast<double>(x.committed_txs) +
                          y.latency_p50_ms * static_cast<double>(y.committed_txs)) /
                         static_cast<double>(commits);
    x.latency_p99_ms = std::max(x.latency_p99_ms, y.latency_p99_ms);
    x.committed_txs += y.committed_txs;
    x.view_changes += y.view_changes;
    x.messages += y.messages;
    x.bytes += y.bytes;
    x.seconds = total;
    x.end_s = y.end_s;
    x.height = y.height;
    x.mempool = y.mempool;
  }
  a.t_s = b.t_s;
  a.heights = b.heights;
}

}  // namespace

void TimelineRecorder::keep(Point point) {
  if (!points_.empty() && pending_ < merge_) {
    merge_into(points_.back(), point);
    ++pending_;
    return;
  }
  points_.push_back(std::move(point));
  pending_ = 1;
  if (points_.size() < 2 * max_points_) return;
  // Too many: merge the kept points in pairs and halve the resolution.
  std::vector<Point> halved;
  for (std::size_t i = 0; i < points_.size(); i += 2) {
    halved.push_back(std::move(points_[i]));
    if (i + 1 < points_.size()) merge_into(halved.back(), points_[i + 1]);
  }
  points_ = std::move(halved);
  merge_ *= 2;
  pending_ = merge_;  // the next sample starts a new point
}

void TimelineRecorder::finish(const SimulationRunner& runner) {
  crash_log_ = runner.crash_log();
  if (!keep_) return;
  latencies_ = runner.commit_latencies();
}

// ---- JSON and summary -------------------------------------------------------

nlohmann::json report_json(const SimReport& r, const Options& o) {
  const auto& s = o.scenario;
  nlohmann::json j;
  j["version"] = version_string();
  j["config"] = config_json(s);
  if (o.random_faults) j["random_faults"] = *o.random_faults;
  j["faults_end_s"] = static_cast<double>(r.faults_end_ms) / 1000.0;
  j["committed_blocks"] = r.committed_blocks;
  j["committed_txs"] = r.committed_txs;
  j["submitted_txs"] = r.submitted_txs;
  j["tps"] = r.tps;
  j["latency_ms"] = latency_json(r.latency_ms);
  const auto& w = r.after_warmup;
  j["after_warmup"] = {{"warmup_s", static_cast<double>(s.warmup_ms) / 1000.0},
                       {"tps", w.tps},
                       {"submitted_txs", w.submitted},
                       {"committed_txs", w.committed},
                       {"latency_ms", latency_json(w.latency_ms)}};
  if (r.execution) {
    j["after_warmup"]["completed_tps"] = w.completed_tps;
    j["after_warmup"]["completion_latency_ms"] = latency_json(w.completion_latency_ms);
  }
  if (r.execution) {
    const auto& e = *r.execution;
    j["completed_txs"] = e.completed_txs;
    j["completed_tps"] = e.completed_tps;
    j["rejected_txs"] = e.rejected_txs;
    j["in_flight_at_end"] = e.in_flight_at_end;
    j["completion_latency_ms"] = latency_json(e.completion_latency_ms);
    j["peak_locked_nodes"] = e.peak_locked_nodes;
    j["restarts_restored"] = e.restarts_restored;
    j["restarts_replayed"] = e.restarts_replayed;
    nlohmann::json roots = nlohmann::json::array();
    for (const auto& [height, root] : e.state_roots)
      roots.push_back({{"height", height}, {"root", root.hex()}});
    j["state_root"] = roots;
  }
  if (r.steady_since_ms) j["steady_since_s"] = static_cast<double>(*r.steady_since_ms) / 1000.0;
  j["view_changes"] = r.view_changes;
  j["timeouts"] = r.timeouts;
  j["crashes"] = r.crashes;
  j["equivocations_reported"] = r.equivocations_reported;
  j["submissions_rejected"] = r.submissions_rejected;
  j["messages_dropped"] = r.messages_dropped;
  nlohmann::json messages = nlohmann::json::object();
  for (const auto& [name, c] : r.messages)
    messages[name] = {{"count", c.count}, {"bytes", c.bytes}};
  j["messages"] = messages;
  j["shard_heights"] = r.shard_heights;
  nlohmann::json validators = nlohmann::json::object();
  for (const auto& [v, vr] : r.validators) {
    const auto& t = r.node_traffic.at(v);
    validators[std::to_string(v)] = {{"shard", vr.shard},
                                     {"role", validator_role(vr)},
                                     {"up", vr.counters.up},
                                     {"round", vr.counters.round},
                                     {"committed_height", vr.committed_height},
                                     {"behind_by", vr.behind_by},
                                     {"caught_up", vr.caught_up},
                                     {"leader_rounds", vr.counters.proposals},
                                     {"timeouts_sent", vr.counters.timeouts_sent},
                                     {"view_changes", vr.counters.rounds_entered_by_tc},
                                     {"crashes", vr.counters.crashes},
                                     {"sent_messages", t.sent_messages},
                                     {"sent_bytes", t.sent_bytes},
                                     {"received_messages", t.received_messages},
                                     {"received_bytes", t.received_bytes}};
  }
  j["validators"] = validators;
  j["events_processed"] = r.events_processed;
  j["simulated_seconds"] = static_cast<double>(r.simulated_ms) / 1000.0;
  j["stopped_early"] = r.stopped_early;
  j["interrupted"] = r.interrupted;
  j["wall_seconds"] = r.wall_seconds;
  j["sim_seconds_per_wall_second"] = r.sim_seconds_per_wall_second;
  j["trace_hash"] = r.trace_hash;
  nlohmann::json inv = nlohmann::json::object();
  for (const auto& [name, v] : r.invariants)
    inv[name] = invariant_state(r, name);
  j["invariants"] = inv;
  return j;
}

void print_summary(const SimReport& r, const Options& o) {
  const auto& s = o.scenario;
  std::printf(
      "\nHyperscale simulation: %u shard(s) x %u validators, %.1f s simulated, seed %llu, %s "
      "crypto\n",
      s.sim.shards, s.sim.validators_per_shard, static_cast<double>(r.simulated_ms) / 1000.0,
      static_cast<unsigned long long>(s.sim.seed),
      s.sim.crypto == crypto::SchemeKind::kBls ? "real" : "mock");
  if (r.interrupted)
    std::printf("  INTERRUPTED at %.3f s of %.1f s: a partial report\n",
                static_cast<double>(r.simulated_ms) / 1000.0,
                static_cast<double>(s.duration_ms) / 1000.0);
  else if (r.stopped_early)
    std::printf("  STOPPED at %.3f s of %.1f s: an invariant broke (below)\n",
                static_cast<double>(r.simulated_ms) / 1000.0,
                static_cast<double>(s.duration_ms) / 1000.0);
  std::printf("  committed: %llu blocks, %llu of %llu txs (%.1f tx/s)\n",
              static_cast<unsigned long long>(r.committed_blocks),
              static_cast<unsigned long long>(r.committed_txs),
              static_cast<unsigned long long>(r.submitted_txs), r.tps);
  if (r.submissions_rejected) {
    // Mostly back-pressure (a full pool); duplicates and invalid or expired
    // transactions are counted too. Say which limits refuse and, with
    // execution, what the in-flight limit allows.
    const auto& ex = s.sim.node.execution;
    std::printf(
        "  refused: %llu submissions (back-pressure past %zu pending per validator, "
        "--max-pending; also duplicates and invalid or expired ones)\n",
        static_cast<unsigned long long>(r.submissions_rejected),
        s.sim.node.mempool.rpc_pending_limit);
    // A transaction holds its in-flight slot at least from its commit to its
    // completion, so limit / that time bounds a shard's completed tx/s.
    double hold_s =
        r.execution ? (r.execution->completion_latency_ms.p50 - r.latency_ms.p50) / 1000.0 : 0.0;
    if (hold_s > 0)
      std::printf(
          "           blocks take no new transactions past %zu in flight per shard "
          "(--max-in-flight): at most about %zu / %.2f s (commit -> completed, p50) = "
          "%.0f completed tx/s per shard (Little's law)\n",
          ex.hard_in_flight, ex.hard_in_flight, hold_s,
          static_cast<double>(ex.hard_in_flight) / hold_s);
  }
  if (r.committed_txs)
    std::printf("  commit latency ms: p50 %.0f  p90 %.0f  p99 %.0f  max %.0f\n", r.latency_ms.p50,
                r.latency_ms.p90, r.latency_ms.p99, r.latency_ms.max);
  else
    std::printf("  commit latency: none (no transaction committed)\n");
  if (r.execution) {
    const auto& e = *r.execution;
    std::printf(
        "  completed: %llu txs (%.1f tx/s), %llu rejected by execution, %llu in flight "
        "at the end\n",
        static_cast<unsigned long long>(e.completed_txs), e.completed_tps,
        static_cast<unsigned long long>(e.rejected_txs),
        static_cast<unsigned long long>(e.in_flight_at_end));
    if (e.completed_txs)
      std::printf(
          "  completion latency ms (submitted -> completed): p50 %.0f  p90 %.0f  p99 %.0f  "
          "max %.0f\n",
          e.completion_latency_ms.p50, e.completion_latency_ms.p90, e.completion_latency_ms.p99,
          e.completion_latency_ms.max);
    for (std::size_t shard = 0; shard < e.state_roots.size(); ++shard)
      std::printf("  shard %zu state root at height %llu: %s\n", shard,
                  static_cast<unsigned long long>(e.state_roots[shard].first),
                  e.state_roots[shard].second.hex().c_str());
  }
  if (s.warmup_ms) {
    const auto& w = r.after_warmup;
    double warmup_s = static_cast<double>(s.warmup_ms) / 1000.0;
    if (!w.committed) {
      std::printf("  after the %.1f s warm-up: nothing submitted then committed\n", warmup_s);
    } else {
      std::printf("  after the %.1f s warm-up: %.1f tx/s, latency ms p50 %.0f  p99 %.0f\n",
                  warmup_s, w.tps, w.latency_ms.p50, w.latency_ms.p99);
      if (r.execution)
        std::printf(
            "  after the %.1f s warm-up: %.1f completed tx/s, completion ms p50 %.0f  "
            "p99 %.0f\n",
            warmup_s, w.completed_tps, w.completion_latency_ms.p50, w.completion_latency_ms.p99);
    }
  }
  std::printf(
      "  view changes %llu, timeouts sent %llu, crashes %llu, equivocations reported %llu\n",
      static_cast<unsigned long long>(r.view_changes), static_cast<unsigned long long>(r.timeouts),
      static_cast<unsigned long long>(r.crashes),
      static_cast<unsigned long long>(r.equivocations_reported));
  std::printf("  messages:");
  for (const auto& [name, c] : r.messages)
    if (c.count)
      std::printf(" %s %llu (%.1f KiB)", name.c_str(), static_cast<unsigned long long>(c.count),
                  static_cast<double>(c.bytes) / 1024.0);
  // Per validator: the first rows, enough to see who is behind.
  constexpr std::size_t kRows = 32;
  std::printf(
      "\n  validator shard role           up  round  height  behind     led  timeouts"
      "  crashes  caught-up\n");
  std::size_t shown = 0;
  for (const auto& [v, vr] : r.validators) {
    if (shown++ == kRows) {
      std::printf("  ... %zu more validators in --json\n", r.validators.size() - kRows);
      break;
    }
    std::printf("  %9u %5u %-14s %-3s %6llu %7llu %7llu %7llu %9llu %8llu  %s\n", v, vr.shard,
                validator_role(vr).c_str(), vr.counters.up ? "yes" : "no",
                static_cast<unsigned long long>(vr.counters.round),
                static_cast<unsigned long long>(vr.committed_height),
                static_cast<unsigned long long>(vr.behind_by),
                static_cast<unsigned long long>(vr.counters.proposals),
                static_cast<unsigned long long>(vr.counters.timeouts_sent),
                static_cast<unsigned long long>(vr.counters.crashes), vr.caught_up ? "yes" : "no");
  }
  std::printf("  %llu events in %.2f s wall (%.1f simulated s per wall s)\n",
              static_cast<unsigned long long>(r.events_processed), r.wall_seconds,
              r.sim_seconds_per_wall_second);
  std::printf("  trace hash %s\n  invariants:", r.trace_hash.c_str());
  for (const auto& [name, v] : r.invariants)
    std::printf(" %s=%s", name.c_str(),
                v                            ? "BROKEN"
                : r.unchecked.contains(name) ? "not-checked"
                                             : "ok");
  std::printf("\n");
  for (const auto& [name, v] : r.invariants)
    if (v) std::printf("  VIOLATION %s: %s\n", name.c_str(), v->c_str());
  for (const auto& [name, why] : r.unchecked)
    std::printf("  NOTE %s %s\n", name.c_str(), why.c_str());
}

}  // namespace hyperscale::sim_app
