// hyperscale-sim: runs a whole network in one process, deterministically.
//
//   hyperscale-sim                                  # 1 shard x 4 validators, 30 s, 1000 tx/s
//   hyperscale-sim --validators 7 --byzantine equivocate:2 --seed 9 --json > run.json
//   hyperscale-sim --replay run.json                # the same run again, trace hash compared
//   hyperscale-sim --partition "5-12:0,1|2,3" --loss 0.05 --html run.html
//
// Exit codes: 0 every invariant held (or could not be decided, said why);
// 1 an invariant broke; 2 bad arguments or a run that would not fit in
// memory; 3 a --replay whose trace hash differs; 130 interrupted (Ctrl-C),
// after the partial report.

#include <unistd.h>
#include <zstd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <memory>

#include "memory_estimate.h"
#include "options.h"
#include "report.h"

using namespace hyperscale;
using namespace hyperscale::sim_app;

namespace {

std::atomic<bool> g_interrupted{false};

extern "C" void on_interrupt(int) {
  g_interrupted.store(true, std::memory_order_relaxed);
}

/// Writes trace lines to a file, zstd-compressed when its name ends in
/// ".zst", and stops (with a last line saying so) after `limit` lines.
class TraceWriter {
 public:
  TraceWriter(std::FILE* file, bool compress, std::uint64_t limit) : file_(file), limit_(limit) {
    if (compress) {
      cctx_ = ZSTD_createCStream();
      ZSTD_initCStream(cctx_, 3);
      out_.resize(ZSTD_CStreamOutSize());
    }
  }
  ~TraceWriter() {
    if (cctx_) ZSTD_freeCStream(cctx_);
  }
  void line(std::string_view text) {
    if (lines_ == limit_) {
      ++lines_;
      write("# trace stopped at --trace-limit " + std::to_string(limit_) + " lines\n");
      return;
    }
    if (lines_ > limit_) return;
    ++lines_;
    std::string l(text);
    l += '\n';
    write(l);
  }
  /// Flushes and closes; false when a write failed.
  bool close() {
    if (cctx_) {
      std::size_t left = 0;
      do {
        ZSTD_outBuffer out{out_.data(), out_.size(), 0};
        left = ZSTD_endStream(cctx_, &out);
        if (ZSTD_isError(left)) failed_ = true;
        if (std::fwrite(out_.data(), 1, out.pos, file_) != out.pos) failed_ = true;
      } while (left > 0 && !failed_);
    }
    if (std::fclose(file_) != 0) failed_ = true;
    return !failed_;
  }

 private:
  void write(const std::string& text) {
    if (failed_) return;
    if (!cctx_) {
      if (std::fwrite(text.data(), 1, text.size(), file_) != text.size()) failed_ = true;
      return;
    }
    ZSTD_inBuffer in{text.data(), text.size(), 0};
    while (in.pos < in.size && !failed_) {
      ZSTD_outBuffer out{out_.data(), out_.size(), 0};
      if (ZSTD_isError(ZSTD_compressStream(cctx_, &out, &in))) failed_ = true;
      if (std::fwrite(out_.data(), 1, out.pos, file_) != out.pos) failed_ = true;
    }
  }
  std::FILE* file_;
  std::uint64_t limit_;
  std::uint64_t lines_ = 0;
  ZSTD_CStream* cctx_ = nullptr;
  std::vector<char> out_;
  bool failed_ = false;
};

/// Opens an output file given on the command line, or says why not.
std::FILE* open_output(const std::string& flag, const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f)
    std::fprintf(stderr, "error: %s '%s': cannot write the file\n", flag.c_str(), path.c_str());
  return f;
}

}  // namespace

int main(int argc, char** argv) {
  auto parsed = parse_options(argc, argv);
  if (auto* rc = std::get_if<int>(&parsed)) return *rc;
  auto& o = std::get<Options>(parsed);
  auto& s = o.scenario;

  // Refuse, before allocating anything, a run that would not fit.
  auto estimate = estimate_memory(s);
  auto budget = o.out.max_memory_mb ? o.out.max_memory_mb * (1ull << 20) : available_memory();
  if (budget && estimate.bytes > budget) {
    std::fprintf(stderr,
                 "error: this run needs about %.1f GiB (%s), more than the %.1f GiB %s; "
                 "shorten --duration, lower --tps or the network size, or raise the limit with "
                 "--max-memory-mb\n",
                 static_cast<double>(estimate.bytes) / (1ull << 30), estimate.breakdown.c_str(),
                 static_cast<double>(budget) / (1ull << 30),
                 o.out.max_memory_mb ? "allowed by --max-memory-mb" : "available on this machine");
    return 2;
  }

  // Output files are opened first: a bad path fails before a long run.
  std::unique_ptr<TraceWriter> trace;
  if (!o.out.trace_path.empty()) {
    auto* f = open_output("--trace", o.out.trace_path);
    if (!f) return 2;
    bool zst = o.out.trace_path.size() > 4 &&
               o.out.trace_path.compare(o.out.trace_path.size() - 4, 4, ".zst") == 0;
    trace = std::make_unique<TraceWriter>(f, zst, o.out.trace_limit);
    s.trace_sink = [&trace](std::string_view line) { trace->line(line); };
  }
  std::FILE* csv = nullptr;
  if (!o.out.timeline_path.empty() && !(csv = open_output("--timeline", o.out.timeline_path)))
    return 2;
  std::FILE* html = nullptr;
  if (!o.out.html_path.empty() && !(html = open_output("--html", o.out.html_path))) return 2;

  std::signal(SIGINT, on_interrupt);
  std::signal(SIGTERM, on_interrupt);
  s.interrupt = &g_interrupted;

  TimelineRecorder timeline(csv, html != nullptr);
  bool timeline_on = csv || html;
  s.record_commit_latencies = timeline_on;
  bool live = !o.out.quiet && isatty(STDERR_FILENO);
  s.on_progress = [&, last_txs = std::uint64_t{0}](simulation::SimulationRunner& r) mutable {
    if (timeline_on) timeline.sample(r);
    if (o.out.quiet) return;
    auto txs = r.committed_tx_count();
    types::BlockHeight height = 0;
    for (types::ShardId sh = 0; sh < r.config().shards; ++sh)
      height = std::max(height, r.committed_height(sh));
    std::fprintf(stderr, "%s[t=%6.1fs] height %llu  committed txs %llu  tps %llu%s",
                 live ? "\r" : "", static_cast<double>(r.now()) / 1000.0,
                 static_cast<unsigned long long>(height), static_cast<unsigned long long>(txs),
                 static_cast<unsigned long long>(txs - last_txs), live ? "   " : "\n");
    last_txs = txs;
  };
  s.on_finish = [&](const simulation::SimulationRunner& r) { timeline.finish(r); };

  auto report = simulation::run_scenario(s);
  if (live) std::fprintf(stderr, "\n");
  if (o.out.json)
    std::cout << report_json(report, o).dump(2) << std::endl;
  else
    print_summary(report, o);

  int rc = report.ok ? 0 : 1;
  if (trace && !trace->close()) {
    std::fprintf(stderr, "error: --trace '%s': writing failed\n", o.out.trace_path.c_str());
    rc = rc ? rc : 2;
  }
  if (csv && std::fclose(csv) != 0) {
    std::fprintf(stderr, "error: --timeline '%s': writing failed\n", o.out.timeline_path.c_str());
    rc = rc ? rc : 2;
  }
  if (html) {
    auto text = html_report(report, o, timeline);
    bool ok = std::fwrite(text.data(), 1, text.size(), html) == text.size();
    if (std::fclose(html) != 0 || !ok) {
      std::fprintf(stderr, "error: --html '%s': writing failed\n", o.out.html_path.c_str());
      rc = rc ? rc : 2;
    }
  }
  if (o.replay_trace_hash) {
    if (report.interrupted) {
      std::fprintf(stderr, "replay: interrupted, trace hashes not compared\n");
    } else if (report.trace_hash == *o.replay_trace_hash) {
      std::fprintf(stderr, "replay: trace hash %s matches %s\n", report.trace_hash.c_str(),
                   o.replay_path.c_str());
    } else {
      std::fprintf(stderr,
                   "replay: trace hash %s differs from %s in %s: the run did not reproduce "
                   "(another version or machine?); compare --trace files of both to find the "
                   "first divergence\n",
                   report.trace_hash.c_str(), o.replay_trace_hash->c_str(), o.replay_path.c_str());
      rc = 3;
    }
  }
  if (report.interrupted) return 130;
  return rc;
}
