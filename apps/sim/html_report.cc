// The HTML report: one self-contained file (inline CSS and SVG, no script,
// no font or image to fetch), so that it opens offline and can be attached
// to a bug report. Plots are drawn here by hand: a few lines and bars.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>

#include "report.h"

namespace hyperscale::sim_app {
namespace {

constexpr const char* kPalette[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e",
                                    "#17becf", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22"};

std::string escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string num(double v, int decimals = 1) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

/// A step of 1, 2 or 5 times a power of ten giving about `ticks` ticks.
double nice_step(double range, int ticks) {
  if (range <= 0) return 1;
  double raw = range / ticks;
  double power = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (raw <= m * power) return m * power;
  return 10 * power;
}

struct Series {
  std::string name;
  std::string color;
  std::vector<std::pair<double, double>> points;
  bool dashed = false;
};

struct Shade {
  double from = 0, to = 0;
  std::string color;
};

constexpr double kWidth = 960, kHeight = 280, kLeft = 70, kRight = 170, kTop = 34, kBottom = 40;

/// The opening tag and title of a plot.
std::string svg_open(const std::string& id, const std::string& title) {
  return "<svg id=\"" + id + "\" class=\"plot\" xmlns=\"http://www.w3.org/2000/svg\" width=\"" +
         num(kWidth, 0) + "\" height=\"" + num(kHeight, 0) + "\" role=\"img\" aria-label=\"" +
         escape(title) + "\">\n<text x=\"" + num(kLeft, 0) + "\" y=\"20\" class=\"title\">" +
         escape(title) + "</text>\n";
}

/// Horizontal grid lines and their labels, every `y_step` up to `y_max`.
template <class Py>
std::string y_grid(double plot_w, double y_max, double y_step, Py py) {
  std::string svg;
  for (double y = 0; y <= y_max + y_step / 2; y += y_step) {
    svg += "<line x1=\"" + num(kLeft, 0) + "\" x2=\"" + num(kLeft + plot_w, 0) + "\" y1=\"" +
           num(py(y)) + "\" y2=\"" + num(py(y)) + "\" class=\"grid\"/>";
    svg += "<text x=\"" + num(kLeft - 6, 0) + "\" y=\"" + num(py(y) + 4) +
           "\" text-anchor=\"end\">" + num(y, y_step < 1 ? 2 : 0) + "</text>\n";
  }
  return svg;
}

/// A line chart over time (x in simulated seconds from 0 to x_max).
std::string line_chart(const std::string& id, const std::string& title, const std::string& y_unit,
                       double x_max, const std::vector<Series>& series,
                       const std::vector<Shade>& shades = {},
                       std::optional<double> marker = std::nullopt,
                       const std::string& marker_label = "") {
  double y_max = 0;
  for (const auto& s : series)
    for (auto [x, y] : s.points)
      y_max = std::max(y_max, y);
  double y_step = nice_step(y_max > 0 ? y_max : 1, 5);
  y_max = std::max(y_step, std::ceil(y_max / y_step) * y_step);
  x_max = std::max(x_max, 1e-3);
  double plot_w = kWidth - kLeft - kRight, plot_h = kHeight - kTop - kBottom;
  auto px = [&](double x) { return kLeft + x / x_max * plot_w; };
  auto py = [&](double y) { return kTop + plot_h - y / y_max * plot_h; };
  std::string svg = svg_open(id, title);
  for (const auto& sh : shades)
    svg += "<rect x=\"" + num(px(sh.from)) + "\" y=\"" + num(kTop, 0) + "\" width=\"" +
           num(std::max(1.0, px(sh.to) - px(sh.from))) + "\" height=\"" + num(plot_h, 0) +
           "\" fill=\"" + sh.color + "\" fill-opacity=\"0.18\"/>\n";
  svg += y_grid(plot_w, y_max, y_step, py);
  double x_step = nice_step(x_max, 10);
  for (double x = 0; x <= x_max + x_step / 1000; x += x_step)
    svg += "<text x=\"" + num(px(x)) + "\" y=\"" + num(kTop + plot_h + 16, 0) +
           "\" text-anchor=\"middle\">" + num(x, x_step < 1 ? 1 : 0) + "</text>";
  svg += "\n<text x=\"" + num(kLeft + plot_w / 2, 0) + "\" y=\"" + num(kHeight - 4, 0) +
         "\" text-anchor=\"middle\">simulated seconds</text>";
  svg += "<text x=\"14\" y=\"" + num(kTop + plot_h / 2, 0) + "\" transform=\"rotate(-90 14 " +
         num(kTop + plot_h / 2, 0) + ")\" text-anchor=\"middle\">" + escape(y_unit) + "</text>\n";
  svg += "<rect x=\"" + num(kLeft, 0) + "\" y=\"" + num(kTop, 0) + "\" width=\"" + num(plot_w, 0) +
         "\" height=\"" + num(plot_h, 0) + "\" class=\"frame\"/>\n";
  if (marker) {
    svg += "<line x1=\"" + num(px(*marker)) + "\" x2=\"" + num(px(*marker)) + "\" y1=\"" +
           num(kTop, 0) + "\" y2=\"" + num(kTop + plot_h, 0) + "\" class=\"marker\"/>";
    svg += "<text x=\"" + num(px(*marker) + 4) + "\" y=\"" + num(kTop + 12, 0) + "\">" +
           escape(marker_label) + "</text>\n";
  }
  constexpr std::size_t kLegendRows = 12;
  for (std::size_t i = 0; i < series.size(); ++i) {
    const auto& s = series[i];
    std::string path;
    for (auto [x, y] : s.points)
      path += (path.empty() ? "M" : " L") + num(px(x)) + "," + num(py(y));
    if (!path.empty())
      svg += "<path d=\"" + path + "\" fill=\"none\" stroke=\"" + s.color +
             "\" stroke-width=\"2\"" + (s.dashed ? " stroke-dasharray=\"6 3\"" : "") + "/>\n";
    if (i < kLegendRows) {
      double ly = kTop + 8 + static_cast<double>(i) * 16;
      svg += "<line x1=\"" + num(kWidth - kRight + 12, 0) + "\" x2=\"" +
             num(kWidth - kRight + 32, 0) + "\" y1=\"" + num(ly) + "\" y2=\"" + num(ly) +
             "\" stroke=\"" + s.color + "\" stroke-width=\"3\"" +
             (s.dashed ? " stroke-dasharray=\"6 3\"" : "") + "/><text x=\"" +
             num(kWidth - kRight + 38, 0) + "\" y=\"" + num(ly + 4) + "\">" + escape(s.name) +
             "</text>\n";
    } else if (i == kLegendRows) {
      svg += "<text x=\"" + num(kWidth - kRight + 12, 0) + "\" y=\"" +
             num(kTop + 8 + static_cast<double>(i) * 16 + 4) + "\">... " +
             std::to_string(series.size() - kLegendRows) + " more</text>\n";
    }
  }
  return svg + "</svg>\n";
}

/// A bar chart of labelled values.
std::string bar_chart(const std::string& id, const std::string& title, const std::string& unit,
                      const std::vector<std::pair<std::string, double>>& bars,
                      const std::string& color) {
  double y_max = 0;
  for (const auto& [label, v] : bars)
    y_max = std::max(y_max, v);
  double y_step = nice_step(y_max > 0 ? y_max : 1, 5);
  y_max = std::max(y_step, std::ceil(y_max / y_step) * y_step);
  double plot_w = kWidth - kLeft - 30, plot_h = kHeight - kTop - kBottom - 40;
  auto py = [&](double y) { return kTop + plot_h - y / y_max * plot_h; };
  std::string svg = svg_open(id, title);
  svg += y_grid(plot_w, y_max, y_step, py);
  svg += "<text x=\"14\" y=\"" + num(kTop + plot_h / 2, 0) + "\" transform=\"rotate(-90 14 " +
         num(kTop + plot_h / 2, 0) + ")\" text-anchor=\"middle\">" + escape(unit) + "</text>\n";
  double slot = bars.empty() ? plot_w : plot_w / static_cast<double>(bars.size());
  for (std::size_t i = 0; i < bars.size(); ++i) {
    const auto& [label, v] = bars[i];
    double x = kLeft + static_cast<double>(i) * slot;
    svg += "<rect x=\"" + num(x + slot * 0.15) + "\" y=\"" + num(py(v)) + "\" width=\"" +
           num(slot * 0.7) + "\" height=\"" + num(kTop + plot_h - py(v)) + "\" fill=\"" + color +
           "\"><title>" + escape(label) + ": " + num(v, 0) + "</title></rect>";
    svg += "<text x=\"" + num(x + slot / 2) + "\" y=\"" + num(kTop + plot_h + 14) +
           "\" text-anchor=\"end\" transform=\"rotate(-30 " + num(x + slot / 2) + " " +
           num(kTop + plot_h + 14) + ")\">" + escape(label) + "</text>\n";
  }
  svg += "<rect x=\"" + num(kLeft, 0) + "\" y=\"" + num(kTop, 0) + "\" width=\"" + num(plot_w, 0) +
         "\" height=\"" + num(plot_h, 0) + "\" class=\"frame\"/>\n";
  return svg + "</svg>\n";
}

}  // namespace

std::string html_report(const simulation::SimReport& r, const Options& o,
                        const TimelineRecorder& timeline) {
  const auto& s = o.scenario;
  const double end_s = static_cast<double>(r.simulated_ms) / 1000.0;
  const auto& points = timeline.points();
  const std::size_t shards = points.empty() ? 0 : points.front().shards.size();
  constexpr std::size_t kShardLines = 8;
  auto color = [](std::size_t i) { return std::string(kPalette[i % std::size(kPalette)]); };

  // Fault windows, shaded on the time plots.
  std::vector<Shade> shades;
  for (const auto& p : s.partitions)
    shades.push_back({static_cast<double>(p.start_ms) / 1000.0,
                      static_cast<double>(p.end_ms) / 1000.0, "#ff7f0e"});
  std::map<types::ValidatorId, double> down_since;
  for (const auto& c : timeline.crash_log()) {
    double t = static_cast<double>(c.at_ms) / 1000.0;
    if (c.down)
      down_since[c.validator] = t;
    else if (auto it = down_since.find(c.validator); it != down_since.end()) {
      shades.push_back({it->second, t, "#d62728"});
      down_since.erase(it);
    }
  }
  for (const auto& [v, t] : down_since)
    shades.push_back({t, end_s, "#d62728"});
  std::optional<double> faults_end;
  if (r.faults_end_ms) faults_end = static_cast<double>(r.faults_end_ms) / 1000.0;

  std::vector<Series> tps, latency;
  for (std::size_t sh = 0; sh < std::min(shards, kShardLines); ++sh) {
    Series t{"shard " + std::to_string(sh) + " committed", color(sh), {}, false};
    Series p50{"shard " + std::to_string(sh) + " p50", color(sh), {}, false};
    Series p99{"shard " + std::to_string(sh) + " p99", color(sh), {}, true};
    for (const auto& pt : points) {
      const auto& row = pt.shards[sh];
      t.points.emplace_back(row.end_s, row.tps);
      if (row.committed_txs) {
        p50.points.emplace_back(row.end_s, row.latency_p50_ms);
        p99.points.emplace_back(row.end_s, row.latency_p99_ms);
      }
    }
    tps.push_back(std::move(t));
    latency.push_back(std::move(p50));
    latency.push_back(std::move(p99));
  }
  if (s.workload.tps > 0)
    tps.push_back(
        {"offered (all shards)",
         "#7f7f7f",
         {{0, static_cast<double>(s.workload.tps)}, {end_s, static_cast<double>(s.workload.tps)}},
         true});
  std::vector<Series> heights;
  for (std::size_t i = 0; i < timeline.plotted_validators(); ++i) {
    Series h{"validator " + std::to_string(i), color(i), {}, false};
    for (const auto& pt : points)
      if (i < pt.heights.size()) h.points.emplace_back(pt.t_s, static_cast<double>(pt.heights[i]));
    heights.push_back(std::move(h));
  }
  std::vector<std::pair<std::string, double>> counts, kib;
  for (const auto& [name, c] : r.messages)
    if (c.count) {
      counts.emplace_back(name, static_cast<double>(c.count));
      kib.emplace_back(name, static_cast<double>(c.bytes) / 1024.0);
    }
  // Latency histogram: 40 bins up to the largest latency.
  std::vector<std::pair<std::string, double>> histogram;
  const auto& lat = timeline.latencies_ms();
  if (lat.count() > 0) {
    auto top = static_cast<double>(lat.quantile(1.0));
    double width = nice_step(std::max(top, 1.0), 40);
    auto bins = static_cast<std::size_t>(std::floor(top / width)) + 1;
    std::vector<double> count(bins, 0);
    lat.for_each([&](std::uint64_t v, std::uint64_t n) {
      count[std::min(bins - 1, static_cast<std::size_t>(static_cast<double>(v) / width))] +=
          static_cast<double>(n);
    });
    for (std::size_t b = 0; b < bins; ++b)
      histogram.emplace_back(
          num(static_cast<double>(b) * width, 0) + "-" + num(static_cast<double>(b + 1) * width, 0),
          count[b]);
  }

  std::string html =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
      "<title>hyperscale-sim report</title>\n<style>\n"
      "body{font-family:sans-serif;margin:24px;color:#222;background:#fff}\n"
      "svg.plot{display:block;margin:12px 0;background:#fff}\n"
      "svg text{font-size:11px;fill:#333}\nsvg text.title{font-size:14px;font-weight:bold}\n"
      ".grid{stroke:#e4e4e4}\n.frame{fill:none;stroke:#999}\n"
      ".marker{stroke:#000;stroke-dasharray:4 4}\n"
      "table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:2px 8px;"
      "text-align:right}th{background:#f2f2f2}\n.bad{color:#b00;font-weight:bold}\n"
      "</style></head><body>\n";
  html += "<h1>hyperscale-sim: " + std::to_string(s.sim.shards) + " shard(s) &times; " +
          std::to_string(s.sim.validators_per_shard) + " validators, " + num(end_s) +
          " s simulated, seed " + std::to_string(s.sim.seed) + "</h1>\n";
  html += "<p>" + escape(version_string()) + " &middot; trace hash <code>" + escape(r.trace_hash) +
          "</code>";
  if (r.interrupted) html += " &middot; <span class=\"bad\">interrupted (partial report)</span>";
  if (!r.ok) html += " &middot; <span class=\"bad\">an invariant broke</span>";
  html += "</p>\n<p>committed " + std::to_string(r.committed_blocks) + " blocks, " +
          std::to_string(r.committed_txs) + " of " + std::to_string(r.submitted_txs) +
          " transactions (" + num(r.tps) + " tx/s); commit latency p50 " +
          num(r.latency_ms.p50, 0) + " ms, p99 " + num(r.latency_ms.p99, 0) + " ms; " +
          std::to_string(r.view_changes) +
          " view changes. Shaded: partitions (orange) and validators down (red); dashed line: "
          "the faults end.</p>\n";
  html += "<h2>Invariants</h2>\n<table><tr><th>invariant</th><th>result</th></tr>\n";
  for (const auto& [name, v] : r.invariants) {
    auto text = invariant_state(r, name);
    html += "<tr><td>" + escape(name) + "</td><td style=\"text-align:left\"" +
            (v ? " class=\"bad\"" : "") + ">" + escape(text) + "</td></tr>\n";
  }
  html += "</table>\n<h2>Over time</h2>\n";
  html += line_chart("plot-tps", "Committed transactions per second", "tx/s", end_s, tps, shades,
                     faults_end, "faults end");
  html += line_chart("plot-latency", "Commit latency of the transactions committed each second",
                     "ms", end_s, latency, shades, faults_end, "faults end");
  html += line_chart("plot-heights",
                     "Committed height per validator" +
                         (timeline.plotted_validators() < r.validators.size()
                              ? " (first " + std::to_string(timeline.plotted_validators()) + ")"
                              : std::string()),
                     "height", end_s, heights, shades, faults_end, "faults end");
  html += "<h2>Messages</h2>\n";
  html += bar_chart("plot-messages", "Messages sent, by type", "messages", counts, "#1f77b4");
  html += bar_chart("plot-bytes", "Bytes sent, by type", "KiB", kib, "#2ca02c");
  html += "<h2>Latency</h2>\n";
  html += bar_chart("plot-latency-histogram", "Commit latency of every committed transaction",
                    "transactions", histogram, "#9467bd");
  html +=
      "<h2>Validators</h2>\n<table><tr><th>validator</th><th>shard</th><th>role</th><th>up</th>"
      "<th>round</th><th>committed height</th><th>behind by</th><th>leader rounds</th>"
      "<th>timeouts sent</th><th>crashes</th><th>caught up</th></tr>\n";
  for (const auto& [v, vr] : r.validators) {
    auto role = validator_role(vr);
    html += "<tr><td>" + std::to_string(v) + "</td><td>" + std::to_string(vr.shard) + "</td><td>" +
            role + "</td><td>" + (vr.counters.up ? "yes" : "no") + "</td><td>" +
            std::to_string(vr.counters.round) + "</td><td>" + std::to_string(vr.committed_height) +
            "</td><td>" + std::to_string(vr.behind_by) + "</td><td>" +
            std::to_string(vr.counters.proposals) + "</td><td>" +
            std::to_string(vr.counters.timeouts_sent) + "</td><td>" +
            std::to_string(vr.counters.crashes) + "</td><td" +
            (vr.caught_up ? "" : " class=\"bad\"") + ">" + (vr.caught_up ? "yes" : "no") +
            "</td></tr>\n";
  }
  html += "</table>\n<h2>Configuration</h2>\n<pre>" + escape(config_json(s).dump(2)) +
          "</pre>\n<p>Rerun: <code>hyperscale-sim --replay REPORT.json</code> with this run's "
          "<code>--json</code> report, or put these keys in a TOML file for "
          "<code>--config</code>.</p>\n</body></html>\n";
  return html;
}

}  // namespace hyperscale::sim_app
