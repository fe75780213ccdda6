// hyperscale-sim: runs a whole network in one process, deterministically.
//
//   hyperscale-sim                                  # 1 shard x 4 validators, 30 s, 1000 tx/s
//   hyperscale-sim --validators 7 --byzantine equivocate:2 --seed 9 --json > run.json
//   hyperscale-sim --replay run.json                # the same run again, trace hash compared
//   hyperscale-sim --partition "5-12:0,1|2,3" --loss 0.05 --html run.html
//
// Exit codes: 0 every invariant held (or could not be decided, said why);
// 1 an invariant broke; 2 bad arguments, an output that cannot be written,
// or a run that would not fit in memory; 3 a --replay whose trace hash
// differs; 130 (SIGINT, Ctrl-C) or 143 (SIGTERM) after the partial report.

#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <new>

#include "memory_estimate.h"
#include "options.h"
#include "report.h"

using namespace hyperscale;
using namespace hyperscale::sim_app;

namespace {

static_assert(std::atomic<bool>::is_always_lock_free);
static_assert(std::atomic<int>::is_always_lock_free);
std::atomic<bool> interrupted_flag{false};
std::atomic<int> interrupting_signal{0};

/// The first SIGINT or SIGTERM asks the run to stop with a partial report;
/// SA_RESETHAND makes a second one kill at once.
extern "C" void on_interrupt(int signal) {
  interrupting_signal.store(signal, std::memory_order_relaxed);
  interrupted_flag.store(true, std::memory_order_relaxed);
}

void install_interrupt_handlers() {
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESETHAND;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

std::string mib_or_gib(std::uint64_t bytes) {
  char buf[32];
  if (bytes < (std::uint64_t{1} << 30))
    std::snprintf(buf, sizeof buf, "%.0f MiB", static_cast<double>(bytes) / (1 << 20));
  else
    std::snprintf(buf, sizeof buf, "%.1f GiB",
                  static_cast<double>(bytes) / static_cast<double>(std::uint64_t{1} << 30));
  return buf;
}

/// Two of `files` ((flag, path) pairs) that are one file, by path or
/// through a link: one would overwrite the other. The message, or empty.
std::string colliding_paths(const std::vector<std::pair<std::string, std::string>>& files) {
  auto identity = [](const std::string& path) -> std::string {
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0)
      return "inode " + std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
    std::error_code ec;
    return "path " + std::filesystem::weakly_canonical(path, ec).string();
  };
  std::map<std::string, std::string> seen;  // identity -> flag
  for (const auto& [flag, path] : files) {
    if (path.empty()) continue;
    auto [it, fresh] = seen.emplace(identity(path), flag);
    if (!fresh)
      return it->second + " and " + flag + " name the same file '" + path +
             "': one would overwrite the other";
  }
  return {};
}

/// Writes trace lines to a file, zstd-compressed when its name ends in
/// ".zst", and stops (with a last line saying so) after `limit` lines.
/// Owns the file: the destructor finishes the stream and closes it.
class TraceWriter {
 public:
  TraceWriter(std::FILE* file, bool compress, std::uint64_t limit)
      : file_(file), limit_(limit), compress_(compress) {
    if (compress_) {
      cctx_ = ZSTD_createCStream();
      if (!cctx_ || ZSTD_isError(ZSTD_initCStream(cctx_, 3))) failed_ = true;
      out_.resize(ZSTD_CStreamOutSize());
    }
  }
  bool failed() const { return failed_; }
  TraceWriter(const TraceWriter&) = delete;
  TraceWriter& operator=(const TraceWriter&) = delete;
  ~TraceWriter() {
    close();
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
  /// Finishes the stream and closes the file (once); false when any write failed.
  bool close() {
    if (!file_) return !failed_;
    if (compress_ && cctx_ && !failed_) {
      std::size_t left = 0;
      do {
        ZSTD_outBuffer out{out_.data(), out_.size(), 0};
        left = ZSTD_endStream(cctx_, &out);
        if (ZSTD_isError(left)) failed_ = true;
        if (std::fwrite(out_.data(), 1, out.pos, file_) != out.pos) failed_ = true;
      } while (left > 0 && !failed_);
    }
    if (std::fclose(file_) != 0) failed_ = true;
    file_ = nullptr;
    return !failed_;
  }

 private:
  void write(const std::string& text) {
    if (failed_) return;
    if (!compress_) {
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
  bool compress_;
  std::uint64_t lines_ = 0;
  ZSTD_CStream* cctx_ = nullptr;
  std::vector<char> out_;
  bool failed_ = false;
};

using File = std::unique_ptr<std::FILE, int (*)(std::FILE*)>;

/// Opens an output file named on the command line, or says why not.
File open_output(const std::string& flag, const std::string& path) {
  File f(std::fopen(path.c_str(), "wb"), &std::fclose);
  if (!f)
    std::fprintf(stderr, "error: %s '%s': cannot write the file: %s\n", flag.c_str(), path.c_str(),
                 std::strerror(errno));
  return f;
}

/// Closes an output file; false (after saying so) when a write failed.
bool close_output(File& f, const std::string& flag, const std::string& path) {
  bool ok = std::ferror(f.get()) == 0;
  ok = std::fclose(f.release()) == 0 && ok;
  if (!ok) std::fprintf(stderr, "error: %s '%s': writing failed\n", flag.c_str(), path.c_str());
  return ok;
}

int run(Options& o) {
  auto& s = o.scenario;

  // Refuse, before allocating anything, a run that would not fit.
  auto estimate = estimate_memory(s);
  std::uint64_t budget =
      o.out.max_memory_mb ? o.out.max_memory_mb * (std::uint64_t{1} << 20) : available_memory();
  if (budget && estimate.bytes > budget) {
    std::fprintf(stderr,
                 "error: this run needs about %s (%s), more than the %s %s; shorten "
                 "--duration, lower --tps, --accounts or the network size, or raise the limit with "
                 "--max-memory-mb\n",
                 mib_or_gib(estimate.bytes).c_str(), estimate.breakdown.c_str(),
                 mib_or_gib(budget).c_str(),
                 o.out.max_memory_mb ? "allowed by --max-memory-mb" : "available on this machine");
    return 2;
  }

  // Output files: none may be another, nor the file read; all are opened
  // before the run, so that a bad path fails before a long run.
  auto clash = colliding_paths({{"--config/--replay", o.input_path},
                                {"--html", o.out.html_path},
                                {"--timeline", o.out.timeline_path},
                                {"--trace", o.out.trace_path}});
  if (!clash.empty()) {
    std::fprintf(stderr, "error: %s\n", clash.c_str());
    return 2;
  }
  File csv(nullptr, &std::fclose), html(nullptr, &std::fclose);
  if (!o.out.timeline_path.empty() && !(csv = open_output("--timeline", o.out.timeline_path)))
    return 2;
  if (!o.out.html_path.empty() && !(html = open_output("--html", o.out.html_path))) return 2;
  std::unique_ptr<TraceWriter> trace;
  if (!o.out.trace_path.empty()) {
    auto f = open_output("--trace", o.out.trace_path);
    if (!f) return 2;
    bool zst = o.out.trace_path.size() > 4 &&
               o.out.trace_path.compare(o.out.trace_path.size() - 4, 4, ".zst") == 0;
    trace = std::make_unique<TraceWriter>(f.release(), zst, o.out.trace_limit);
    if (trace->failed()) {
      std::fprintf(stderr, "error: --trace '%s': cannot start zstd\n", o.out.trace_path.c_str());
      return 2;
    }
    s.trace_sink = [&trace](std::string_view line) { trace->line(line); };
  }

  install_interrupt_handlers();
  s.interrupt = &interrupted_flag;

  TimelineRecorder timeline(csv.get(), html != nullptr);
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
  s.on_finish = [&](simulation::SimulationRunner& r) {
    if (timeline_on) timeline.sample(r);  // the last, partial interval
    timeline.finish(r);
  };

  auto report = simulation::run_scenario(s);
  if (live) std::fprintf(stderr, "\n");
  if (o.out.json)
    std::cout << report_json(report, o).dump(2) << std::endl;
  else
    print_summary(report, o);

  int rc = report.ok ? 0 : 1;
  auto output_failed = [&rc] { rc = rc ? rc : 2; };
  if (trace && !trace->close()) {
    std::fprintf(stderr, "error: --trace '%s': writing failed\n", o.out.trace_path.c_str());
    output_failed();
  }
  if (csv && !close_output(csv, "--timeline", o.out.timeline_path)) output_failed();
  if (html) {
    auto text = html_report(report, o, timeline);
    std::fwrite(text.data(), 1, text.size(), html.get());
    if (!close_output(html, "--html", o.out.html_path)) output_failed();
  }
  // The report is the run's result: losing it (a full disk, a closed pipe:
  // SIGPIPE is ignored, so the write fails instead) is a failure, not a
  // silent success. Checked after the files, which are written either way.
  std::cout.flush();
  if (!std::cout.good() || std::fflush(stdout) != 0 || std::ferror(stdout)) {
    std::fprintf(stderr, "error: writing the report to standard output failed\n");
    output_failed();
  }
  if (o.replay_trace_hash) {
    if (report.interrupted) {
      std::fprintf(stderr, "replay: interrupted, trace hashes not compared\n");
    } else if (report.trace_hash == *o.replay_trace_hash) {
      std::fprintf(stderr, "replay: trace hash %s matches %s\n", report.trace_hash.c_str(),
                   o.replay_path.c_str());
    } else {
      std::string why =
          o.replay_version && *o.replay_version != version_string()
              ? "the report was written by " + *o.replay_version + ", this is " + version_string()
              : "same version: the report was edited, or determinism broke";
      std::fprintf(stderr,
                   "replay: trace hash %s differs from %s in %s (%s); compare --trace files of "
                   "both runs to find the first divergence\n",
                   report.trace_hash.c_str(), o.replay_trace_hash->c_str(), o.replay_path.c_str(),
                   why.c_str());
      rc = 3;
    }
  }
  if (report.interrupted) return interrupting_signal.load() == SIGTERM ? 143 : 130;
  return rc;
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);  // a closed stdout is a write error (exit 2), not a kill
  auto parsed = parse_options(argc, argv);
  if (auto* rc = std::get_if<int>(&parsed)) return *rc;
  try {
    return run(std::get<Options>(parsed));
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr,
                 "error: out of memory (a process limit below the estimate? see "
                 "--max-memory-mb and docs/simulator.md, \"Memory\")\n");
    return 2;
  }
}
