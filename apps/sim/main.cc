// hyperscale-sim: runs a whole network in one process, deterministically.
//
//   hyperscale-sim                                  # 1 shard x 4 validators, 30 s, 1000 tx/s
//   hyperscale-sim --validators 7 --byzantine equivocate:2 --seed 9 --json
//   hyperscale-sim --partition "5-12:0,1|2,3" --loss 0.05

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "simulation/fault_schedule.h"
#include "simulation/scenario.h"

using namespace hyperscale;
using namespace hyperscale::simulation;

namespace {

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
      return {};
    },
    "UINT64");

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

/// "START-END:IDS[;...]" in whole seconds.
std::optional<std::vector<CrashWindow>> parse_crashes(std::string_view text) {
  std::vector<CrashWindow> out;
  while (!text.empty()) {
    auto semi = text.find(';');
    auto item = text.substr(0, semi);
    auto dash = item.find('-');
    auto colon = item.find(':');
    if (dash == std::string_view::npos || colon == std::string_view::npos || dash > colon)
      return std::nullopt;
    auto start = parse_int<std::uint32_t>(item.substr(0, dash));
    auto end = parse_int<std::uint32_t>(item.substr(dash + 1, colon - dash - 1));
    auto ids = parse_ids(item.substr(colon + 1));
    if (!start || !end || !ids || *end <= *start) return std::nullopt;
    out.push_back({types::TimestampMs{*start} * 1000, types::TimestampMs{*end} * 1000, *ids});
    if (semi == std::string_view::npos) break;
    text.remove_prefix(semi + 1);
    if (text.empty()) return std::nullopt;  // a trailing ';'
  }
  if (out.empty()) return std::nullopt;
  return out;
}

/// Seconds as a whole string: a finite decimal from 0 to a day, in ms.
std::optional<types::TimestampMs> parse_seconds(std::string_view text) {
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty() ||
      !std::isfinite(value) || value < 0 || value > 86'400)
    return std::nullopt;
  return static_cast<types::TimestampMs>(value * 1000);
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
    auto dash = window.find('-');
    if (colon == std::string::npos || dash == std::string::npos || dash > colon) {
      error = "partition window '" + window + "' is not START-END:IDS[|IDS or >IDS]";
      return std::nullopt;
    }
    PartitionWindow p;
    auto start = parse_seconds(std::string_view(window).substr(0, dash));
    auto stop = parse_seconds(std::string_view(window).substr(dash + 1, colon - dash - 1));
    if (!start || !stop) {
      error = "partition window '" + window + "' has bad times (seconds from 0 to 86400)";
      return std::nullopt;
    }
    p.start_ms = *start;
    p.end_ms = *stop;
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
      error = "partition window '" + window +
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

nlohmann::json to_json(const SimReport& r, const Scenario& s) {
  nlohmann::json j;
  j["config"] = {{"shards", s.sim.shards},
                 {"validators_per_shard", s.sim.validators_per_shard},
                 {"duration_s", static_cast<double>(s.duration_ms) / 1000.0},
                 {"seed", s.sim.seed},
                 {"tps_offered", s.workload.tps},
                 {"crypto", s.sim.crypto == crypto::SchemeKind::kBls ? "real" : "mock"},
                 {"latency_ms", s.sim.network.intra_shard_latency_ms},
                 {"jitter_ms", s.sim.network.jitter_ms},
                 {"loss_ppm", s.sim.network.loss_ppm},
                 {"duplicate_ppm", s.sim.network.duplicate_ppm},
                 {"clock_skew_ms", s.sim.max_clock_skew_ms},
                 {"crash_restart", s.crash_restart},
                 {"warmup_s", static_cast<double>(s.warmup_ms) / 1000.0}};
  nlohmann::json byz = nlohmann::json::array();
  for (const auto& [kind, count] : s.byzantine)
    byz.push_back({{"kind", to_string(kind)}, {"count", count}});
  j["config"]["byzantine"] = byz;
  nlohmann::json parts = nlohmann::json::array();
  for (const auto& p : s.partitions)
    parts.push_back({{"start_ms", p.start_ms},
                     {"end_ms", p.end_ms},
                     {"side_a", p.side_a},
                     {"side_b", p.side_b},
                     {"one_way", p.one_way}});
  j["config"]["partitions"] = parts;
  nlohmann::json crashes = nlohmann::json::array();
  for (const auto& c : s.crashes)
    crashes.push_back({{"start_ms", c.start_ms}, {"end_ms", c.end_ms}, {"ids", c.ids}});
  j["config"]["crashes"] = crashes;
  nlohmann::json slow = nlohmann::json::object();
  for (const auto& [v, ms] : s.sim.network.extra_latency_ms)
    slow[std::to_string(v)] = ms;
  j["config"]["slow_ms"] = slow;
  nlohmann::json offsets = nlohmann::json::object();
  for (const auto& [v, ms] : s.sim.clock_offsets_ms)
    offsets[std::to_string(v)] = ms;
  j["config"]["clock_offsets_ms"] = offsets;
  j["config"]["equivocation_split"] = s.sim.equivocation_split;
  j["config"]["withhold_from"] = s.sim.withhold_from;
  j["config"]["twin_peers"] = s.twin_peers;
  j["committed_blocks"] = r.committed_blocks;
  j["committed_txs"] = r.committed_txs;
  j["submitted_txs"] = r.submitted_txs;
  j["tps"] = r.tps;
  j["latency_ms"] = {{"p50", r.latency_ms.p50},
                     {"p90", r.latency_ms.p90},
                     {"p99", r.latency_ms.p99},
                     {"max", r.latency_ms.max}};
  const auto& w = r.after_warmup;
  j["after_warmup"] = {{"warmup_s", static_cast<double>(s.warmup_ms) / 1000.0},
                       {"tps", w.tps},
                       {"submitted_txs", w.submitted},
                       {"committed_txs", w.committed},
                       {"latency_ms",
                        {{"p50", w.latency_ms.p50},
                         {"p90", w.latency_ms.p90},
                         {"p99", w.latency_ms.p99},
                         {"max", w.latency_ms.max}}}};
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
  nlohmann::json nodes = nlohmann::json::object();
  for (const auto& [v, h] : r.node_heights) {
    const auto& t = r.node_traffic.at(v);
    nodes[std::to_string(v)] = {{"committed_height", h},
                                {"sent_messages", t.sent_messages},
                                {"sent_bytes", t.sent_bytes},
                                {"received_messages", t.received_messages},
                                {"received_bytes", t.received_bytes}};
  }
  j["nodes"] = nodes;
  j["events_processed"] = r.events_processed;
  j["simulated_seconds"] = static_cast<double>(r.simulated_ms) / 1000.0;
  j["stopped_early"] = r.stopped_early;
  j["wall_seconds"] = r.wall_seconds;
  j["sim_seconds_per_wall_second"] = r.sim_seconds_per_wall_second;
  j["trace_hash"] = r.trace_hash;
  nlohmann::json inv = nlohmann::json::object();
  for (const auto& [name, v] : r.invariants) {
    auto unchecked = r.unchecked.find(name);
    inv[name] = v ? *v : unchecked != r.unchecked.end() ? unchecked->second : "ok";
  }
  j["invariants"] = inv;
  return j;
}

void print_summary(const SimReport& r, const Scenario& s) {
  std::printf(
      "\nHyperscale simulation: %u shard(s) x %u validators, %.1f s simulated, seed %llu, %s "
      "crypto\n",
      s.sim.shards, s.sim.validators_per_shard, static_cast<double>(r.simulated_ms) / 1000.0,
      static_cast<unsigned long long>(s.sim.seed),
      s.sim.crypto == crypto::SchemeKind::kBls ? "real" : "mock");
  if (r.stopped_early)
    std::printf("  STOPPED at %.3f s of %.1f s: an invariant broke (below)\n",
                static_cast<double>(r.simulated_ms) / 1000.0,
                static_cast<double>(s.duration_ms) / 1000.0);
  std::printf("  committed: %llu blocks, %llu of %llu txs (%.1f tx/s)\n",
              static_cast<unsigned long long>(r.committed_blocks),
              static_cast<unsigned long long>(r.committed_txs),
              static_cast<unsigned long long>(r.submitted_txs), r.tps);
  std::printf("  commit latency ms: p50 %.0f  p90 %.0f  p99 %.0f  max %.0f\n", r.latency_ms.p50,
              r.latency_ms.p90, r.latency_ms.p99, r.latency_ms.max);
  if (s.warmup_ms)
    std::printf("  after the %.1f s warm-up: %.1f tx/s, latency ms p50 %.0f  p99 %.0f\n",
                static_cast<double>(s.warmup_ms) / 1000.0, r.after_warmup.tps,
                r.after_warmup.latency_ms.p50, r.after_warmup.latency_ms.p99);
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
  std::printf("\n  %llu events in %.2f s wall (%.1f simulated s per wall s)\n",
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

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Hyperscale deterministic network simulator"};
  Scenario s;
  double duration_s = 30, loss = 0, duplicate = 0;
  std::uint32_t tps = 1000;
  std::uint64_t latency = 50, jitter = 10, skew = 0;
  std::vector<std::string> byzantine;
  std::string partition, crypto_name = "mock";
  std::string crashes, slow, offsets, split, withhold, twin_peers;
  std::optional<std::uint64_t> random_faults;
  double warmup_s = 0;
  bool json = false, quiet = false;
  app.add_option("--shards", s.sim.shards, "number of shards")->check(CLI::Range(1u, 64u));
  app.add_option("--validators", s.sim.validators_per_shard, "validators per shard")
      ->check(CLI::Range(1u, 256u));
  app.add_option("--duration", duration_s, "simulated seconds")
      ->check(kFinite)
      ->check(CLI::Range(0.1, 86400.0));
  app.add_option("--seed", s.sim.seed, "seed of the run (same seed, same trace hash)")
      ->check(kUnsigned64);
  app.add_option("--tps", tps, "offered transactions per second (whole network)")
      ->check(CLI::Range(0u, 1'000'000u));
  app.add_option("--latency-ms", latency, "one-way intra-shard latency")
      ->check(CLI::Range(0ull, 60'000ull));
  app.add_option("--jitter-ms", jitter, "uniform jitter, +/-")->check(CLI::Range(0ull, 60'000ull));
  app.add_option("--loss", loss, "message loss, fraction 0-1")
      ->check(kFinite)
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--duplicate", duplicate, "message duplication, fraction 0-1")
      ->check(kFinite)
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--clock-skew-ms", skew, "each node's clock off by up to this")
      ->check(CLI::Range(0ull, 60'000ull));
  app.add_option("--byzantine", byzantine,
                 "KIND:COUNT per shard; kinds equivocate, double-vote, silent, bad-signature, "
                 "forged-parent, withhold, twin")
      ->take_all();
  app.add_option("--crash", crashes,
                 "START-END:IDS[;...] in whole seconds: crash those validators together and "
                 "restart them (any number: crashes are not Byzantine)");
  app.add_option("--slow", slow,
                 "ID:MS[,ID:MS...]: extra one-way latency on a validator's links (at most 60000)");
  app.add_option("--clock-offset", offsets,
                 "ID:MS[,ID:MS...]: fixed clock offsets (signed ms, at most 60000 either way) "
                 "of those validators, replacing their seeded --clock-skew-ms");
  app.add_option("--equivocate-split", split,
                 "IDS: an equivocating leader's first block goes to these, its second to the rest");
  app.add_option("--withhold-from", withhold,
                 "IDS: a withholding leader's blocks never reach these");
  app.add_option("--twin-peers", twin_peers,
                 "IDS: a twin talks to these, the original to the rest (default: odd indices)");
  app.add_option("--random-faults", random_faults,
                 "SEED: the combined fault schedule of the sweep for SEED (other flags apply on "
                 "top of it)")
      ->check(kUnsigned64);
  app.add_option("--warmup", warmup_s, "seconds before the after_warmup figures start")
      ->check(kFinite)
      ->check(CLI::Range(0.0, 86400.0));
  app.add_flag("--crash-restart", s.crash_restart,
               "crash and restart validators at seeded times (never more than f)");
  app.add_option("--partition", partition,
                 "START-END:IDS[|IDS][;...] in seconds, e.g. 5-12:0,1|2,3");
  app.add_option("--crypto", crypto_name, "signatures: real (BLS + Ed25519) or mock")
      ->check(CLI::IsMember({"real", "mock"}));
  app.add_flag("--json", json, "print the report as JSON on stdout");
  app.add_flag("--quiet", quiet, "no live progress line");
  // Later occurrences win, so defaults given by a wrapper script can be overridden.
  for (auto* opt : app.get_options())
    if (opt->get_name() != "--byzantine")
      opt->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);  // --help: usage on stdout, exit 0
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);  // prints the error and usage hint
    return 2;     // bad arguments: always 2 (docs/simulator.md)
  }

  if (random_faults) {
    // The sweep's scenario; flags given explicitly still apply on top.
    auto base = random_fault_scenario(*random_faults);
    auto given = [&](const char* name) { return app.count(name) > 0; };
    if (!given("--validators")) s.sim.validators_per_shard = base.sim.validators_per_shard;
    if (!given("--seed")) s.sim.seed = base.sim.seed;
    if (!given("--duration")) duration_s = static_cast<double>(base.duration_ms) / 1000.0;
    if (!given("--tps")) tps = base.workload.tps;
    if (!given("--jitter-ms")) jitter = base.sim.network.jitter_ms;
    if (!given("--clock-skew-ms")) skew = base.sim.max_clock_skew_ms;
    if (!given("--loss")) loss = static_cast<double>(base.sim.network.loss_ppm) / 1e6;
    if (!given("--duplicate"))
      duplicate = static_cast<double>(base.sim.network.duplicate_ppm) / 1e6;
    if (!given("--crash-restart")) s.crash_restart = base.crash_restart;
    s.byzantine = base.byzantine;
    s.partitions = base.partitions;
    s.crashes = base.crashes;
    s.faults_end_ms = base.faults_end_ms;
    s.sim.network.extra_latency_ms = base.sim.network.extra_latency_ms;
    std::fprintf(stderr, "random faults %llu: %s\n",
                 static_cast<unsigned long long>(*random_faults), describe_faults(base).c_str());
  }
  s.duration_ms = static_cast<types::TimestampMs>(duration_s * 1000);
  s.warmup_ms = static_cast<types::TimestampMs>(warmup_s * 1000);
  s.workload.tps = tps;
  s.sim.crypto = crypto_name == "real" ? crypto::SchemeKind::kBls : crypto::SchemeKind::kMock;
  s.sim.network.intra_shard_latency_ms = latency;
  s.sim.network.cross_shard_latency_ms = latency * 2;
  s.sim.network.jitter_ms = jitter;
  s.sim.network.loss_ppm = static_cast<std::uint32_t>(loss * 1e6);
  s.sim.network.duplicate_ppm = static_cast<std::uint32_t>(duplicate * 1e6);
  s.sim.max_clock_skew_ms = skew;
  for (const auto& b : byzantine) {
    auto colon = b.find(':');
    ByzantineKind kind = ByzantineKind::kNone;
    if (auto parsed = byzantine_from_string(b.substr(0, colon))) kind = *parsed;
    std::optional<std::uint32_t> count;
    if (colon != std::string::npos)
      count = parse_int<std::uint32_t>(std::string_view(b).substr(colon + 1));
    if (kind == ByzantineKind::kNone || !count) {
      std::fprintf(stderr,
                   "error: --byzantine '%s': expected KIND:COUNT with KIND one of "
                   "equivocate, double-vote, silent, bad-signature, forged-parent, withhold, "
                   "twin and COUNT a whole number\n",
                   b.c_str());
      return 2;
    }
    s.byzantine.emplace_back(kind, *count);
  }
  if (app.count("--partition") > 0) {
    std::string error;
    auto windows = parse_partitions(partition, error);
    if (!windows) {
      std::fprintf(stderr, "error: --partition: %s\n", error.c_str());
      return 2;
    }
    s.partitions = std::move(*windows);
  }
  auto bad = [](const char* flag, const std::string& value, const char* expected) {
    std::fprintf(stderr, "error: %s '%s': expected %s\n", flag, value.c_str(), expected);
    return 2;
  };
  if (app.count("--crash") > 0) {
    auto c = parse_crashes(crashes);
    if (!c) return bad("--crash", crashes, "START-END:IDS[;...] with whole seconds, END > START");
    s.crashes = std::move(*c);
  }
  if (app.count("--slow") > 0) {
    auto v = parse_id_values<core::DurationMs>(slow);
    if (!v) return bad("--slow", slow, "ID:MS[,ID:MS...]");
    s.sim.network.extra_latency_ms = std::move(*v);
  }
  if (app.count("--clock-offset") > 0) {
    auto v = parse_id_values<std::int64_t>(offsets);
    if (!v) return bad("--clock-offset", offsets, "ID:MS[,ID:MS...] (MS may be negative)");
    s.sim.clock_offsets_ms = std::move(*v);
  }
  for (auto [flag, text, into] :
       {std::tuple{"--equivocate-split", &split, &s.sim.equivocation_split},
        std::tuple{"--withhold-from", &withhold, &s.sim.withhold_from},
        std::tuple{"--twin-peers", &twin_peers, &s.twin_peers}}) {
    if (app.count(flag) == 0) continue;  // not given: the default set (given empty: refused)
    auto ids = parse_ids(*text);
    if (!ids) return bad(flag, *text, "IDS: comma-separated validator ids, each once");
    *into = std::move(*ids);
  }
  if (auto problems = validate(s); !problems.empty()) {
    for (const auto& p : problems)
      std::fprintf(stderr, "error: %s\n", p.c_str());
    return 2;
  }
  bool live = !quiet && isatty(STDERR_FILENO);
  if (!quiet) {
    s.on_progress = [live, last_txs = std::uint64_t{0}](const SimulationRunner& r) mutable {
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
  }
  auto report = run_scenario(s);
  if (live) std::fprintf(stderr, "\n");
  if (json)
    std::cout << to_json(report, s).dump(2) << std::endl;
  else
    print_summary(report, s);
  return report.ok ? 0 : 1;
}
