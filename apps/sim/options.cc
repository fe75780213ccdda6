#include "options.h"

#include <toml++/toml.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <set>
#include <sstream>

#include "common/read_file.h"
#include "simulation/fault_schedule.h"

namespace hyperscale::sim_app {
namespace {

using simulation::ByzantineKind;
using simulation::CrashWindow;
using simulation::PartitionWindow;

/// A whole string as an integer (no sign for unsigned, no spaces, no
/// trailing characters, no wrap); nullopt otherwise.
template <class T>
std::optional<T> parse_int(std::string_view text) {
  T value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

/// A CLI11 check that the whole argument is a finite decimal number: NaN
/// and infinities pass every range comparison, so Range alone let
/// `--duration nan` run forever.
const CLI::Validator kFinite(
    [](std::string& text) -> std::string {
      double value = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
      if (ec != std::errc() || end != text.data() + text.size() || text.empty() ||
          !std::isfinite(value))
        return "'" + text + "' is not a finite number";
      return {};
    },
    "FINITE");

/// A CLI11 check that the whole argument is an unsigned decimal integer that
/// fits in 64 bits (no sign, no hex, no wrap: `--seed -1` ran seed 2^64 - 1).
const CLI::Validator kUnsigned64(
    [](std::string& text) -> std::string {
      std::uint64_t value = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
      if (ec != std::errc() || end != text.data() + text.size() || text.empty())
        return "'" + text + "' is not a whole number from 0 to 18446744073709551615";
      // CLI11 converts with base 0: "010" would run 8.
      if (text.size() > 1 && text[0] == '0')
        return "'" + text + "' has a leading zero (read as octal elsewhere): write it without";
      return {};
    },
    "UINT64");

/// A value as an error message shows it: at most 80 characters (a bad
/// value may be megabytes long).
std::string shown(std::string_view value) {
  constexpr std::size_t kShown = 80;
  if (value.size() <= kShown) return std::string(value);
  return std::string(value.substr(0, kShown)) + "... (" + std::to_string(value.size()) +
         " characters)";
}

/// kUnsigned64 ahead of a Range on an integer option: a word is refused as
/// not a number ("not in range" said CLI11); the Range names the type.
const CLI::Validator kWhole(
    [](std::string& text) -> std::string {
      std::uint64_t value = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
      if (ec == std::errc::result_out_of_range) return "'" + shown(text) + "' is too large";
      if (ec != std::errc() || end != text.data() + text.size() || text.empty())
        return "'" + shown(text) + "' is not a whole number";
      // CLI11 converts with base 0: "010" would run 8.
      if (text.size() > 1 && text[0] == '0')
        return "'" + shown(text) + "' has a leading zero (read as octal elsewhere): write it " +
               "without";
      return {};
    },
    "");

/// A CLI11 check of --select: simulation::parse_selection must read it.
const CLI::Validator kSelection(
    [](std::string& text) -> std::string {
      if (simulation::parse_selection(text)) return {};
      return "'" + shown(text) +
             "' is not random, round-robin, zipf:S (0 < S <= 10) or no-contention";
    },
    "MODE");

/// "a,b,c": validator ids, each at most once.
std::optional<std::vector<types::ValidatorId>> parse_ids(std::string_view text) {
  std::vector<types::ValidatorId> out;
  while (!text.empty()) {
    auto comma = text.find(',');
    auto id = parse_int<types::ValidatorId>(text.substr(0, comma));
    if (!id || std::find(out.begin(), out.end(), *id) != out.end()) return std::nullopt;
    out.push_back(*id);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
    if (text.empty()) return std::nullopt;  // a trailing comma
  }
  if (out.empty()) return std::nullopt;
  return out;
}

/// "ID:N[,ID:N...]" with N an integer of type T.
template <class T>
std::optional<std::map<types::ValidatorId, T>> parse_id_values(std::string_view text) {
  std::map<types::ValidatorId, T> out;
  while (!text.empty()) {
    auto comma = text.find(',');
    auto item = text.substr(0, comma);
    auto colon = item.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    auto id = parse_int<types::ValidatorId>(item.substr(0, colon));
    auto value = parse_int<T>(item.substr(colon + 1));
    if (!id || !value || !out.emplace(*id, *value).second) return std::nullopt;
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
    if (text.empty()) return std::nullopt;
  }
  if (out.empty()) return std::nullopt;
  return out;
}

/// Seconds as a whole string: a finite decimal from 0 to a day, in ms
/// (rounded to the nearest ms, so that seconds_text() round-trips).
std::optional<types::TimestampMs> parse_seconds(std::string_view text) {
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty() ||
      !std::isfinite(value) || value < 0 || value > 86'400)
    return std::nullopt;
  return static_cast<types::TimestampMs>(std::llround(value * 1000));
}

/// "START-END" in seconds, END after START.
std::optional<std::pair<types::TimestampMs, types::TimestampMs>> parse_span(std::string_view text) {
  auto dash = text.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  auto start = parse_seconds(text.substr(0, dash));
  auto end = parse_seconds(text.substr(dash + 1));
  if (!start || !end || *end <= *start) return std::nullopt;
  return std::pair{*start, *end};
}

/// "START-END:IDS[;...]" in seconds.
std::optional<std::vector<CrashWindow>> parse_crashes(std::string_view text) {
  std::vector<CrashWindow> out;
  while (!text.empty()) {
    auto semi = text.find(';');
    auto item = text.substr(0, semi);
    auto colon = item.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    auto span = parse_span(item.substr(0, colon));
    auto ids = parse_ids(item.substr(colon + 1));
    if (!span || !ids) return std::nullopt;
    out.push_back({span->first, span->second, *ids});
    if (semi == std::string_view::npos) break;
    text.remove_prefix(semi + 1);
    if (text.empty()) return std::nullopt;  // a trailing ';'
  }
  if (out.empty()) return std::nullopt;
  return out;
}

/// "START-END:a,b|c,d" (seconds; ids); several windows separated by ';'.
/// One side only ("10-20:3") isolates those validators; "a,b>c,d" cuts one
/// direction only (a and b cannot reach c and d; replies still flow). Ids
/// are global (shard s holds s*n .. s*n+n-1), each at most once per window.
std::optional<std::vector<PartitionWindow>> parse_partitions(std::string_view text,
                                                             std::string& error) {
  std::vector<PartitionWindow> out;
  while (true) {
    auto semi = text.find(';');
    std::string window(text.substr(0, semi));
    auto colon = window.find(':');
    if (colon == std::string::npos || window.find('-') > colon) {
      error = "partition window '" + shown(window) + "' is not START-END:IDS[|IDS or >IDS]";
      return std::nullopt;
    }
    PartitionWindow p;
    auto span = parse_span(std::string_view(window).substr(0, colon));
    if (!span) {
      error = "partition window '" + shown(window) +
              "' has bad times (seconds from 0 to 86400, END after START)";
      return std::nullopt;
    }
    std::tie(p.start_ms, p.end_ms) = *span;
    auto sides = std::string_view(window).substr(colon + 1);
    auto bar = sides.find('|');
    if (bar == std::string_view::npos) {
      bar = sides.find('>');
      p.one_way = bar != std::string_view::npos;
    }
    auto a = parse_ids(sides.substr(0, bar));
    using Ids = std::vector<types::ValidatorId>;
    auto b = bar == std::string_view::npos ? std::optional<Ids>(Ids{})
                                           : parse_ids(sides.substr(bar + 1));
    bool overlap = a && b && std::any_of(a->begin(), a->end(), [&](auto v) {
                     return std::find(b->begin(), b->end(), v) != b->end();
                   });
    if (!a || !b || overlap) {
      error = "partition window '" + shown(window) +
              "' has bad validator ids (whole numbers, each once, on one side only)";
      return std::nullopt;
    }
    p.side_a = std::move(*a);
    p.side_b = std::move(*b);
    out.push_back(std::move(p));
    if (semi == std::string_view::npos) break;
    text.remove_prefix(semi + 1);
  }
  return out;
}

std::string ids_text(const std::vector<types::ValidatorId>& ids) {
  std::string out;
  for (auto v : ids) {
    if (!out.empty()) out += ',';
    out += std::to_string(v);
  }
  return out;
}

template <class T>
std::string id_values_text(const std::map<types::ValidatorId, T>& values) {
  std::string out;
  for (const auto& [v, x] : values) {
    if (!out.empty()) out += ',';
    out += std::to_string(v);
    out += ':';
    out += std::to_string(x);
  }
  return out;
}

/// Appends "[;]START-END:IDS" (seconds) to a list of windows.
void append_window(std::string& text, types::TimestampMs start, types::TimestampMs end,
                   const std::vector<types::ValidatorId>& ids) {
  if (!text.empty()) text += ';';
  text += seconds_text(start) + "-" + seconds_text(end) + ":" + ids_text(ids);
}

/// The largest --max-memory-mb: 2^44 MiB (16 EiB) still fits in 64-bit bytes.
constexpr std::uint64_t kMaxMemoryMb = (std::uint64_t{1} << 44) - 1;

/// Every option's storage, as CLI11 fills it.
struct Raw {
  std::uint32_t shards = 1;
  std::uint32_t validators = 4;
  double duration_s = 30, loss = 0, duplicate = 0, warmup_s = 0, faults_end_s = 0;
  std::uint64_t seed = 1;
  std::uint32_t tps = 1000;
  std::uint64_t latency = 50, jitter = 10, skew = 0;
  std::vector<std::string> byzantine;
  std::string partition, crypto_name = "mock", execution = "on";
  std::uint32_t accounts = 0;  // per shard; 0: enough for the offered load
  std::uint32_t max_in_flight = 1024, max_pending = 2048;
  std::string select = "random";
  std::string crashes, slow, offsets, split, withhold, twin_peers;
  std::optional<std::uint64_t> random_faults;
  bool crash_restart = false, keep_going = false, version = false;
  std::string config_path, replay_path;
  Outputs out;
};

/// Flags that only shape output: allowed next to --replay and in a --config
/// file, never in a report's config.
const std::set<std::string> kOutputFlags = {"json",     "quiet", "trace",        "trace-limit",
                                            "timeline", "html",  "max-memory-mb"};
/// Flags that never appear in a --config file or a report's config.
const std::set<std::string> kCommandOnly = {"config", "replay", "version", "help"};

void define(CLI::App& app, Raw& r) {
  app.add_option("--shards", r.shards, "number of shards")
      ->check(kWhole)
      ->check(CLI::Range(1u, 64u));
  app.add_option("--validators", r.validators, "validators per shard")
      ->check(kWhole)
      ->check(CLI::Range(1u, 256u));
  app.add_option("--duration", r.duration_s, "simulated seconds")
      ->check(kFinite)
      ->check(CLI::Range(0.1, 86400.0));
  app.add_option("--seed", r.seed, "seed of the run (same seed, same trace hash)")
      ->check(kUnsigned64);
  app.add_option("--tps", r.tps, "offered transactions per second (whole network)")
      ->check(kWhole)
      ->check(CLI::Range(0u, 1'000'000u));
  app.add_option("--latency-ms", r.latency, "one-way intra-shard latency, ms (cross-shard: twice)")
      ->check(kWhole)
      ->check(CLI::Range(0ull, 60'000ull));
  app.add_option("--jitter-ms", r.jitter, "uniform jitter, +/- ms")
      ->check(kWhole)
      ->check(CLI::Range(0ull, 60'000ull));
  app.add_option("--loss", r.loss, "message loss, fraction 0-1 (stops when the faults end)")
      ->check(kFinite)
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--duplicate", r.duplicate, "message duplication, fraction 0-1")
      ->check(kFinite)
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--clock-skew-ms", r.skew, "each node's clock off by up to this, ms")
      ->check(kWhole)
      ->check(CLI::Range(0ull, 60'000ull));
  app.add_option("--byzantine", r.byzantine,
                 "KIND:COUNT per shard (repeatable, the counts add up; replaces a "
                 "--random-faults schedule's); kinds equivocate, double-vote, silent, "
                 "bad-signature, forged-parent, withhold, twin")
      ->take_all();
  app.add_option("--crash", r.crashes,
                 "START-END:IDS[;...] in seconds: crash those validators together and "
                 "restart them (any number: crashes are not Byzantine)");
  app.add_option("--slow", r.slow,
                 "ID:MS[,ID:MS...]: extra one-way latency on a validator's links (at most 60000)");
  app.add_option("--clock-offset", r.offsets,
                 "ID:MS[,ID:MS...]: fixed clock offsets (signed ms, at most 60000 either way) "
                 "of those validators, replacing their seeded --clock-skew-ms");
  app.add_option("--equivocate-split", r.split,
                 "IDS: an equivocating leader's first block goes to these, its second to the rest "
                 "(default: even committee indices first)");
  app.add_option("--withhold-from", r.withhold,
                 "IDS: a withholding leader's blocks never reach these (default: odd indices)");
  app.add_option("--twin-peers", r.twin_peers,
                 "IDS: a twin talks to these, the original to the rest (default: odd indices)");
  app.add_option("--random-faults", r.random_faults,
                 "SEED: the combined fault schedule of the sweep for SEED (other flags apply on "
                 "top of it)")
      ->check(kUnsigned64);
  app.add_option("--warmup", r.warmup_s, "seconds before the after_warmup figures start")
      ->check(kFinite)
      ->check(CLI::Range(0.0, 86400.0));
  app.add_option("--faults-end", r.faults_end_s,
                 "seconds: when loss and --crash-restart stop and liveness is judged from "
                 "(default: 2/3 of the run when there are transient faults, else 0; never "
                 "before the last partition or crash window ends)")
      ->check(kFinite)
      ->check(CLI::Range(0.0, 86400.0));
  app.add_flag("--crash-restart", r.crash_restart,
               "crash and restart validators at seeded times (never more than f)");
  app.add_option("--partition", r.partition,
                 "START-END:IDS[|IDS or >IDS][;...] in seconds, e.g. 5-12:0,1|2,3 (global ids)");
  app.add_option("--crypto", r.crypto_name, "signatures: real (BLS + Ed25519) or mock")
      ->check(CLI::IsMember({"real", "mock"}));
  app.add_option("--execution", r.execution,
                 "on: validators execute the transfers (state votes, certificates, state roots); "
                 "off: consensus only")
      ->check(CLI::IsMember({"on", "off"}));
  app.add_option("--accounts", r.accounts,
                 "funded accounts per shard (default: 8 per offered tx/s of a shard, at least 64)")
      ->check(kWhole)
      ->check(CLI::Range(2u, 10'000'000u));
  app.add_option("--max-in-flight", r.max_in_flight,
                 "hard limit of ordered, unfinished transactions per shard (the soft limit, past "
                 "which a block adds at most half the room left, is half of it)")
      ->check(kWhole)
      ->check(CLI::Range(2u, 1'000'000u));
  app.add_option("--max-pending", r.max_pending,
                 "client submissions a validator holds before ordering; past it they are refused")
      ->check(kWhole)
      ->check(CLI::Range(1u, 10'000'000u));
  app.add_option("--select", r.select,
                 "how a transfer picks its accounts: random, round-robin, zipf:S (hot accounts, "
                 "exponent S) or no-contention (disjoint pairs in turn)")
      ->check(kSelection);
  app.add_flag("--keep-going", r.keep_going,
               "keep running after an invariant breaks (the report lists the first violation of "
               "each invariant)");
  app.add_flag("--json", r.out.json, "print the report as JSON on stdout");
  app.add_flag("--quiet", r.out.quiet, "no live progress line");
  app.add_option("--trace", r.out.trace_path,
                 "FILE: one line per event and action (what the trace hash covers); a name "
                 "ending in .zst is zstd-compressed");
  app.add_option("--trace-limit", r.out.trace_limit, "most lines --trace writes")
      ->check(kUnsigned64);
  app.add_option("--timeline", r.out.timeline_path,
                 "FILE.csv: per simulated second and shard: height, txs, latency, view changes, "
                 "messages, bytes, mempool");
  app.add_option("--html", r.out.html_path,
                 "FILE.html: a self-contained report with SVG plots (opens offline)");
  app.add_option("--max-memory-mb", r.out.max_memory_mb,
                 "refuse runs whose memory estimate is above this (default 0: the machine's "
                 "available memory)")
      ->check(kWhole)
      ->check(CLI::Range(std::uint64_t{0}, kMaxMemoryMb));
  app.add_option("--config", r.config_path,
                 "FILE.toml: flag values as keys (names without --); the command line wins");
  app.add_option("--replay", r.replay_path,
                 "REPORT.json: re-run the report's config and compare trace hashes (exit 3 if "
                 "they differ)");
  app.add_flag("--version", r.version, "print the version and exit");
  // Later occurrences win, so defaults given by a wrapper script can be overridden.
  for (auto* opt : app.get_options())
    if (opt->get_name() != "--byzantine")
      opt->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.option_defaults()->always_capture_default();
  for (auto* opt : app.get_options())
    opt->capture_default_str();
  app.get_option("--faults-end")->default_str("");    // its default depends on the run
  app.get_option("--accounts")->default_str("auto");  // 0: sized from --tps
}

/// Parses `args` (in order) into `r`; -1 when fine, else the exit code.
int parse(CLI::App& app, std::vector<std::string> args, const std::string& source) {
  std::reverse(args.begin(), args.end());  // CLI11 takes them last first
  try {
    app.parse(args);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);  // --help: usage on stdout, exit 0
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    if (!source.empty()) std::fprintf(stderr, "error: in %s:\n", source.c_str());
    app.exit(e);  // prints the error and usage hint
    return 2;     // bad arguments: always 2 (docs/simulator.md)
  }
  return -1;
}

/// A config value as command-line arguments ("--key=value"); empty optional
/// with `error` set when the key is unknown or the value has the wrong shape.
std::optional<std::vector<std::string>> to_args(const std::string& key, const nlohmann::json& value,
                                                const CLI::App& app, std::string& error) {
  const CLI::Option* opt = nullptr;
  try {
    opt = app.get_option("--" + key);
  } catch (const CLI::OptionNotFound&) {
  }
  if (!opt || kCommandOnly.contains(key)) {
    error =
        "unknown key '" + shown(key) + "' (keys are the flag names without '--', e.g. validators)";
    return std::nullopt;
  }
  std::vector<std::string> out;
  auto scalar = [&](const nlohmann::json& v) -> bool {
    if (v.is_boolean()) {
      if (opt->get_expected_min() != 0) return false;  // a value, not a switch
      // "--key=false" too: a false in a file must override a default that
      // --random-faults would set.
      out.push_back("--" + key + (v.get<bool>() ? "" : "=false"));
      return true;
    }
    if (opt->get_expected_min() == 0) return false;  // a switch wants true or false
    if (v.is_string() && v.get_ref<const std::string&>().empty()) return false;
    if (v.is_number_float() && !std::isfinite(v.get<double>())) return false;
    if (v.is_string())
      out.push_back("--" + key + "=" + v.get<std::string>());
    else if (v.is_number_integer() || v.is_number_unsigned() || v.is_number_float())
      out.push_back("--" + key + "=" + v.dump());
    else
      return false;
    return true;
  };
  bool ok = true;
  if (value.is_array()) {
    // One entry per kind is what a run needs; a few more are harmless.
    constexpr std::size_t kMaxListItems = 64;
    if (key != "byzantine" || value.size() > kMaxListItems) ok = false;
    for (const auto& item : value)
      ok = ok && item.is_string() && scalar(item);
  } else {
    ok = scalar(value);
  }
  if (!ok) {
    error = "key '" + shown(key) + "' has a value of the wrong kind (" +
            (opt->get_expected_min() == 0 ? std::string("true or false")
             : key == "byzantine" ? std::string("a list of at most 64 \"KIND:COUNT\" strings")
                                  : std::string("a finite number or a non-empty string")) +
            ")";
    return std::nullopt;
  }
  return out;
}

/// A TOML table as JSON values (scalars and arrays of scalars).
std::optional<nlohmann::json> toml_to_json(const toml::table& table, std::string& error) {
  nlohmann::json out = nlohmann::json::object();
  std::function<std::optional<nlohmann::json>(const toml::node&)> convert =
      [&](const toml::node& node) -> std::optional<nlohmann::json> {
    if (auto v = node.as_boolean()) return nlohmann::json(v->get());
    if (auto v = node.as_integer()) return nlohmann::json(v->get());
    if (auto v = node.as_floating_point()) {
      if (!std::isfinite(v->get())) return std::nullopt;
      return nlohmann::json(v->get());
    }
    if (auto v = node.as_string()) return nlohmann::json(v->get());
    if (auto v = node.as_array()) {
      nlohmann::json a = nlohmann::json::array();
      for (const auto& item : *v) {
        auto j = convert(item);
        if (!j || j->is_array()) return std::nullopt;
        a.push_back(*j);
      }
      return a;
    }
    return std::nullopt;  // tables, dates and times
  };
  for (const auto& [key, node] : table) {
    auto j = convert(node);
    if (!j) {
      error = "key '" + shown(key.str()) +
              "' must be a finite number, string, boolean or list (no tables, dates, nan or inf)";
      return std::nullopt;
    }
    out[std::string(key.str())] = *j;
  }
  return out;
}

/// Keys every report's config holds (config_json writes them whatever the
/// run): a config without one was not written by this simulator.
const char* const kAlwaysInConfig[] = {"shards",        "validators", "duration",      "seed",
                                       "tps",           "crypto",     "latency-ms",    "jitter-ms",
                                       "loss",          "duplicate",  "clock-skew-ms", "warmup",
                                       "crash-restart", "keep-going", "byzantine"};

/// A --json report, checked for what a replay needs: JSON without NUL bytes
/// or repeated keys, a complete "config", a trace hash of 64 lowercase hex
/// digits, and a run that was not interrupted (its hash covers a part).
std::optional<nlohmann::json> parse_report(const std::string& text, std::string& error) {
  if (auto nul = text.find('\0'); nul != std::string::npos) {
    error = "a NUL byte at offset " + std::to_string(nul) + " (not a JSON report)";
    return std::nullopt;
  }
  // Repeated keys in one object: nlohmann keeps the last silently.
  std::vector<std::set<std::string>> keys;
  std::string repeated;
  auto report = nlohmann::json::parse(
      text,
      [&](int, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
        using E = nlohmann::json::parse_event_t;
        if (event == E::object_start) keys.emplace_back();
        if (event == E::object_end && !keys.empty()) keys.pop_back();
        if (event == E::key && !keys.empty() &&
            !keys.back().insert(parsed.get<std::string>()).second && repeated.empty())
          repeated = parsed.get<std::string>();
        return true;
      },
      false);
  const char* expected = " (write a report with --json)";
  if (report.is_discarded() || !report.is_object()) {
    error = std::string("not a JSON object") + expected;
    return std::nullopt;
  }
  if (!repeated.empty()) {
    error = "the key '" + shown(repeated) + "' is given twice in one object";
    return std::nullopt;
  }
  if (!report.contains("config") || !report["config"].is_object()) {
    error = std::string("no \"config\" object") + expected;
    return std::nullopt;
  }
  for (const char* key : kAlwaysInConfig)
    if (!report["config"].contains(key)) {
      error = std::string("its config has no '") + key + "' (every report's config has)";
      return std::nullopt;
    }
  const auto& hash = report["trace_hash"];
  if (!hash.is_string() || hash.get_ref<const std::string&>().size() != 64 ||
      hash.get_ref<const std::string&>().find_first_not_of("0123456789abcdef") !=
          std::string::npos) {
    error = "\"trace_hash\" is not 64 lowercase hex digits";
    return std::nullopt;
  }
  if (report.contains("interrupted") && report["interrupted"] != false) {
    error = "the run was interrupted: its trace hash covers only part of it, nothing to compare";
    return std::nullopt;
  }
  return report;
}

/// The scenario the parsed flags describe; 2 after printing the problem.
int build(const CLI::App& app, Raw& r, Options& o) {
  auto& s = o.scenario;
  auto given = [&](const char* name) { return app.count(name) > 0; };
  o.out = r.out;
  s.sim.shards = r.shards;
  s.sim.validators_per_shard = r.validators;
  s.sim.seed = r.seed;
  s.crash_restart = r.crash_restart;
  o.random_faults = r.random_faults;
  if (r.random_faults) {
    // The sweep's scenario; flags given explicitly still apply on top.
    auto base = simulation::random_fault_scenario(*r.random_faults);
    if (!given("--validators")) s.sim.validators_per_shard = base.sim.validators_per_shard;
    if (!given("--seed")) s.sim.seed = base.sim.seed;
    if (!given("--duration")) r.duration_s = static_cast<double>(base.duration_ms) / 1000.0;
    if (!given("--tps")) r.tps = base.workload.tps;
    if (!given("--jitter-ms")) r.jitter = base.sim.network.jitter_ms;
    if (!given("--clock-skew-ms")) r.skew = base.sim.max_clock_skew_ms;
    if (!given("--loss")) r.loss = static_cast<double>(base.sim.network.loss_ppm) / 1e6;
    if (!given("--duplicate"))
      r.duplicate = static_cast<double>(base.sim.network.duplicate_ppm) / 1e6;
    if (!given("--crash-restart")) s.crash_restart = base.crash_restart;
    if (!given("--byzantine")) s.byzantine = base.byzantine;  // given: replaces, as the others
    s.partitions = base.partitions;
    s.crashes = base.crashes;
    s.faults_end_ms = base.faults_end_ms;
    s.sim.network.extra_latency_ms = base.sim.network.extra_latency_ms;
    std::fprintf(stderr, "random faults %llu: %s\n",
                 static_cast<unsigned long long>(*r.random_faults),
                 simulation::describe_faults(base).c_str());
  }
  s.duration_ms = static_cast<types::TimestampMs>(std::llround(r.duration_s * 1000));
  s.warmup_ms = static_cast<types::TimestampMs>(std::llround(r.warmup_s * 1000));
  if (given("--faults-end"))
    s.faults_end_ms = static_cast<types::TimestampMs>(std::llround(r.faults_end_s * 1000));
  s.workload.tps = r.tps;
  s.execution = r.execution == "on";
  s.sim.node.execution.hard_in_flight = r.max_in_flight;
  s.sim.node.execution.soft_in_flight = r.max_in_flight / 2;
  s.sim.node.mempool.rpc_pending_limit = r.max_pending;
  // Gossip keeps the defaults' room: four times the submission limit.
  s.sim.node.mempool.max_pool_size =
      std::max<std::size_t>(s.sim.node.mempool.max_pool_size, 4ull * r.max_pending);
  if (auto sel = simulation::parse_selection(r.select)) {
    s.workload.selection = sel->first;
    s.workload.zipf_s = sel->second;
  }
  s.workload.accounts_per_shard =
      r.accounts
          ? r.accounts
          : std::max<std::uint32_t>(64, static_cast<std::uint32_t>(std::min<std::uint64_t>(
                                            8ull * r.tps / std::max(r.shards, 1u), 10'000'000)));
  s.sim.crypto = r.crypto_name == "real" ? crypto::SchemeKind::kBls : crypto::SchemeKind::kMock;
  s.sim.network.intra_shard_latency_ms = r.latency;
  s.sim.network.cross_shard_latency_ms = r.latency * 2;
  s.sim.network.jitter_ms = r.jitter;
  s.sim.network.loss_ppm = static_cast<std::uint32_t>(std::llround(r.loss * 1e6));
  s.sim.network.duplicate_ppm = static_cast<std::uint32_t>(std::llround(r.duplicate * 1e6));
  s.sim.max_clock_skew_ms = r.skew;
  s.sim.stop_at_first_violation = !r.keep_going;
  for (const auto& b : r.byzantine) {
    auto colon = b.find(':');
    ByzantineKind kind = ByzantineKind::kNone;
    if (auto parsed = simulation::byzantine_from_string(b.substr(0, colon))) kind = *parsed;
    std::optional<std::uint32_t> count;
    if (colon != std::string::npos)
      count = parse_int<std::uint32_t>(std::string_view(b).substr(colon + 1));
    if (kind == ByzantineKind::kNone || !count || *count == 0) {
      std::fprintf(stderr,
                   "error: --byzantine '%s': expected KIND:COUNT with KIND one of "
                   "equivocate, double-vote, silent, bad-signature, forged-parent, withhold, "
                   "twin and COUNT a whole number from 1\n",
                   shown(b).c_str());
      return 2;
    }
    s.byzantine.emplace_back(kind, *count);
  }
  if (given("--partition")) {
    std::string error;
    auto windows = parse_partitions(r.partition, error);
    if (!windows) {
      std::fprintf(stderr, "error: --partition: %s\n", error.c_str());
      return 2;
    }
    s.partitions = std::move(*windows);
  }
  auto bad = [](const char* flag, const std::string& value, const char* expected) {
    std::fprintf(stderr, "error: %s '%s': expected %s\n", flag, shown(value).c_str(), expected);
    return 2;
  };
  if (given("--crash")) {
    auto c = parse_crashes(r.crashes);
    if (!c)
      return bad("--crash", r.crashes,
                 "START-END:IDS[;...] with seconds from 0 to 86400, END after START, each "
                 "id once per window");
    s.crashes = std::move(*c);
  }
  if (given("--slow")) {
    auto v = parse_id_values<core::DurationMs>(r.slow);
    if (!v) return bad("--slow", r.slow, "ID:MS[,ID:MS...]");
    s.sim.network.extra_latency_ms = std::move(*v);
  }
  if (given("--clock-offset")) {
    auto v = parse_id_values<std::int64_t>(r.offsets);
    if (!v) return bad("--clock-offset", r.offsets, "ID:MS[,ID:MS...] (MS may be negative)");
    s.sim.clock_offsets_ms = std::move(*v);
  }
  for (auto [flag, text, into] :
       {std::tuple{"--equivocate-split", &r.split, &s.sim.equivocation_split},
        std::tuple{"--withhold-from", &r.withhold, &s.sim.withhold_from},
        std::tuple{"--twin-peers", &r.twin_peers, &s.twin_peers}}) {
    if (!given(flag)) continue;  // not given: the default set (given empty: refused)
    auto ids = parse_ids(*text);
    if (!ids) return bad(flag, *text, "IDS: comma-separated validator ids, each once");
    *into = std::move(*ids);
  }
  if (auto problems = simulation::validate(s); !problems.empty()) {
    for (const auto& p : problems)
      std::fprintf(stderr, "error: %s\n", p.c_str());
    return 2;
  }
  return -1;
}

}  // namespace

std::string version_string() {
  return std::string(HS_VERSION) + " (commit " + HS_GIT_COMMIT + ")";
}

std::string seconds_text(types::TimestampMs ms) {
  auto text = std::to_string(ms / 1000);
  if (auto frac = ms % 1000) {
    char buf[8];
    std::snprintf(buf, sizeof buf, ".%03u", static_cast<unsigned>(frac));
    std::string f(buf);
    while (f.back() == '0')
      f.pop_back();
    text += f;
  }
  return text;
}

nlohmann::json config_json(const simulation::Scenario& s) {
  nlohmann::json j = nlohmann::json::object();
  j["shards"] = s.sim.shards;
  j["validators"] = s.sim.validators_per_shard;
  j["duration"] = static_cast<double>(s.duration_ms) / 1000.0;
  j["seed"] = s.sim.seed;
  j["tps"] = s.workload.tps;
  j["crypto"] = s.sim.crypto == crypto::SchemeKind::kBls ? "real" : "mock";
  j["execution"] = s.execution ? "on" : "off";
  j["accounts"] = s.workload.accounts_per_shard;
  j["max-in-flight"] = s.sim.node.execution.hard_in_flight;
  j["max-pending"] = s.sim.node.mempool.rpc_pending_limit;
  j["select"] = simulation::selection_text(s.workload.selection, s.workload.zipf_s);
  j["latency-ms"] = s.sim.network.intra_shard_latency_ms;
  j["jitter-ms"] = s.sim.network.jitter_ms;
  j["loss"] = static_cast<double>(s.sim.network.loss_ppm) / 1e6;
  j["duplicate"] = static_cast<double>(s.sim.network.duplicate_ppm) / 1e6;
  j["clock-skew-ms"] = s.sim.max_clock_skew_ms;
  j["warmup"] = static_cast<double>(s.warmup_ms) / 1000.0;
  j["crash-restart"] = s.crash_restart;
  j["keep-going"] = !s.sim.stop_at_first_violation;
  if (s.faults_end_ms) j["faults-end"] = static_cast<double>(*s.faults_end_ms) / 1000.0;
  nlohmann::json byz = nlohmann::json::array();
  for (const auto& [kind, count] : s.byzantine)
    byz.push_back(std::string(simulation::to_string(kind)) + ":" + std::to_string(count));
  j["byzantine"] = byz;
  // Lists that are empty by default are written only when set: an empty
  // value on the command line is refused, and absent means the default.
  if (!s.partitions.empty()) {
    std::string text;
    for (const auto& p : s.partitions) {
      append_window(text, p.start_ms, p.end_ms, p.side_a);
      if (!p.side_b.empty()) text += (p.one_way ? ">" : "|") + ids_text(p.side_b);
    }
    j["partition"] = text;
  }
  if (!s.crashes.empty()) {
    std::string text;
    for (const auto& c : s.crashes) {
      append_window(text, c.start_ms, c.end_ms, c.ids);
    }
    j["crash"] = text;
  }
  if (!s.sim.network.extra_latency_ms.empty())
    j["slow"] = id_values_text(s.sim.network.extra_latency_ms);
  if (!s.sim.clock_offsets_ms.empty()) j["clock-offset"] = id_values_text(s.sim.clock_offsets_ms);
  if (!s.sim.equivocation_split.empty()) j["equivocate-split"] = ids_text(s.sim.equivocation_split);
  if (!s.sim.withhold_from.empty()) j["withhold-from"] = ids_text(s.sim.withhold_from);
  if (!s.twin_peers.empty()) j["twin-peers"] = ids_text(s.twin_peers);
  return j;
}

std::variant<Options, int> parse_options(int argc, const char* const* argv) {
  std::vector<std::string> command_line(argv + 1, argv + argc);
  const std::string about = "Hyperscale deterministic network simulator";
  // Pass 1: the command line alone (bad flags, --help, --version, which file).
  Raw first;
  CLI::App app1{about, "hyperscale-sim"};
  define(app1, first);
  if (int rc = parse(app1, command_line, ""); rc >= 0) return rc;
  if (first.version) {
    std::printf("hyperscale-sim %s\n", version_string().c_str());
    return 0;
  }
  if (!first.config_path.empty() && !first.replay_path.empty()) {
    std::fprintf(stderr, "error: --config and --replay cannot be combined\n");
    return 2;
  }
  Options o;
  nlohmann::json file_config;
  std::string source;
  if (!first.config_path.empty() || !first.replay_path.empty()) {
    // A config is a few lines and a report's config small; 16 MiB allows
    // reports of the largest networks (one entry per validator) and keeps
    // parsing within a few hundred MiB.
    constexpr std::size_t kMaxFileBytes = 16u << 20;
    bool replay = !first.replay_path.empty();
    source = replay ? first.replay_path : first.config_path;
    std::string error;
    auto text = apps::read_regular_file(source, kMaxFileBytes);
    if (!text) {
      std::fprintf(stderr, "error: %s: %s\n", replay ? "--replay" : "--config",
                   text.error().c_str());
      return 2;
    }
    if (replay) {
      auto report = parse_report(*text, error);
      if (!report) {
        std::fprintf(stderr, "error: --replay '%s': %s\n", source.c_str(), error.c_str());
        return 2;
      }
      file_config = (*report)["config"];
      o.replay_trace_hash = (*report)["trace_hash"].get<std::string>();
      o.replay_path = source;
      if ((*report).contains("version") && (*report)["version"].is_string())
        o.replay_version = (*report)["version"].get<std::string>();
      for (const auto* opt : app1.get_options()) {
        auto name = opt->get_name().substr(2);
        if (opt->count() > 0 && !kOutputFlags.contains(name) && name != "replay") {
          std::fprintf(stderr,
                       "error: --replay re-runs the report's config exactly; --%s would change "
                       "it (only output flags may be added)\n",
                       name.c_str());
          return 2;
        }
      }
    } else {
      try {
        auto table = toml::parse(*text, source);
        auto j = toml_to_json(table, error);
        if (!j) {
          std::fprintf(stderr, "error: --config %s: %s\n", source.c_str(), error.c_str());
          return 2;
        }
        file_config = *j;
      } catch (const toml::parse_error& e) {
        std::fprintf(stderr, "error: --config %s: line %u: %s\n", source.c_str(),
                     static_cast<unsigned>(e.source().begin.line),
                     std::string(e.description()).c_str());
        return 2;
      }
    }
  }
  // Pass 2: the file's keys first, then the command line (which wins: keys
  // it gives are left out of the file's).
  std::vector<std::string> args;
  for (const auto& [key, value] : file_config.items()) {
    std::string error;
    auto more = to_args(key, value, app1, error);
    if (!more) {
      std::fprintf(stderr, "error: in %s: %s\n", source.c_str(), error.c_str());
      return 2;
    }
    if (!o.replay_path.empty() && kOutputFlags.contains(key)) {
      std::fprintf(stderr, "error: in %s: '%s' is not part of a run's config\n", source.c_str(),
                   key.c_str());
      return 2;
    }
    if (app1.count("--" + key) == 0) args.insert(args.end(), more->begin(), more->end());
  }
  args.insert(args.end(), command_line.begin(), command_line.end());
  o.input_path = source;
  Raw raw;
  CLI::App app2{about, "hyperscale-sim"};
  define(app2, raw);
  if (int rc = parse(app2, args, source.empty() ? "" : source + " or the command line"); rc >= 0)
    return rc;
  if (int rc = build(app2, raw, o); rc >= 0) return rc;
  return o;
}

}  // namespace hyperscale::sim_app
