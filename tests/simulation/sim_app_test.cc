// The simulator's command line, config files and reports (apps/sim).

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "memory_estimate.h"
#include "options.h"
#include "report.h"
#include "simulation/fault_schedule.h"

namespace hyperscale::sim_app {
namespace {

std::variant<Options, int> parse(std::vector<std::string> args) {
  args.insert(args.begin(), "hyperscale-sim");
  std::vector<const char*> argv;
  for (const auto& a : args)
    argv.push_back(a.c_str());
  return parse_options(static_cast<int>(argv.size()), argv.data());
}

/// The config as command-line arguments, the way a file's keys become them.
std::vector<std::string> as_args(const nlohmann::json& config) {
  std::vector<std::string> args;
  for (const auto& [key, value] : config.items()) {
    if (value.is_boolean()) {
      if (value.get<bool>()) args.push_back("--" + key);
    } else if (value.is_array()) {
      for (const auto& item : value)
        args.push_back("--" + key + "=" + item.get<std::string>());
    } else {
      args.push_back("--" + key + "=" +
                     (value.is_string() ? value.get<std::string>() : value.dump()));
    }
  }
  return args;
}

struct TempFile {
  std::filesystem::path path;
  TempFile(const std::string& name, const std::string& text)
      : path(std::filesystem::temp_directory_path() / (name + "." + std::to_string(::getpid()))) {
    std::ofstream(path) << text;
  }
  ~TempFile() { std::filesystem::remove(path); }
};

TEST(SimConfig, SecondsTextRoundTripsEveryMillisecond) {
  EXPECT_EQ(seconds_text(30'000), "30");
  EXPECT_EQ(seconds_text(250), "0.25");
  EXPECT_EQ(seconds_text(5'001), "5.001");
  EXPECT_EQ(seconds_text(0), "0");
}

// A report's config rebuilds its scenario: every random fault schedule of
// the sweep (partitions, crashes, slow links, loss, duplication, skew,
// Byzantine kinds, faults' end) survives config -> flags -> config.
TEST(SimConfig, EveryRandomFaultScenarioRoundTripsThroughItsConfig) {
  for (std::uint64_t seed = 0; seed < 300; ++seed) {
    auto config = config_json(simulation::random_fault_scenario(seed));
    auto parsed = parse(as_args(config));
    ASSERT_TRUE(std::holds_alternative<Options>(parsed)) << "seed " << seed << ": " << config;
    EXPECT_EQ(config_json(std::get<Options>(parsed).scenario), config) << "seed " << seed;
  }
}

/// The config as a TOML file's text (what a user would write).
std::string as_toml(const nlohmann::json& config) {
  std::string text;
  for (const auto& [key, value] : config.items()) {
    text += key + " = ";
    if (value.is_number_unsigned() && value.get<std::uint64_t>() > INT64_MAX)
      text += "\"" + std::to_string(value.get<std::uint64_t>()) + "\"";  // TOML ints are signed
    else
      text += value.dump();
    text += "\n";
  }
  return text;
}

// The config rebuilds the run itself, not only its config: through a TOML
// file and through a JSON report (the readers users go through), the rebuilt
// scenario runs to the same trace hash as the original.
TEST(SimConfig, ARunRebuiltFromItsTomlOrReportHasTheSameTraceHash) {
  for (std::uint64_t seed : {1, 2, 3, 7, 11}) {
    auto original = simulation::random_fault_scenario(seed);
    original.duration_ms = 8'000;
    auto config = config_json(original);
    TempFile toml("hs_sim_rebuild.toml", as_toml(config));
    nlohmann::json report_doc;
    report_doc["config"] = config;
    report_doc["trace_hash"] = std::string(64, '0');
    TempFile report("hs_sim_rebuild.json", report_doc.dump());
    auto want = simulation::run_scenario(original).trace_hash;
    for (std::vector<std::string> args : {std::vector<std::string>{"--config", toml.path.string()},
                                          {"--replay", report.path.string()}}) {
      auto parsed = parse(args);
      ASSERT_TRUE(std::holds_alternative<Options>(parsed)) << "seed " << seed << " " << args[0];
      EXPECT_EQ(simulation::run_scenario(std::get<Options>(parsed).scenario).trace_hash, want)
          << "seed " << seed << " through " << args[0];
    }
  }
}

TEST(SimConfig, AFalseInAFileOverridesARandomFaultsDefaultAndByzantineReplacesIt) {
  // Seed 0's schedule crash-restarts (random_fault_scenario); find one that does.
  std::uint64_t seed = 0;
  while (!simulation::random_fault_scenario(seed).crash_restart)
    ++seed;
  TempFile file("hs_sim_false.toml",
                "random-faults = " + std::to_string(seed) + "\ncrash-restart = false\n");
  auto parsed = parse({"--config", file.path.string()});
  ASSERT_TRUE(std::holds_alternative<Options>(parsed));
  EXPECT_FALSE(std::get<Options>(parsed).scenario.crash_restart);
  // A Byzantine schedule given with --random-faults replaces the seed's.
  std::uint64_t byz = 0;
  while (simulation::random_fault_scenario(byz).byzantine.empty())
    ++byz;
  auto replaced = parse({"--random-faults", std::to_string(byz), "--byzantine", "silent:1"});
  ASSERT_TRUE(std::holds_alternative<Options>(replaced));
  const auto& list = std::get<Options>(replaced).scenario.byzantine;
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].first, simulation::ByzantineKind::kSilent);
}

TEST(SimConfig, ReportsThatCannotBeReplayedAreRefusedBeforeRunning) {
  nlohmann::json good;
  good["config"] = config_json(simulation::Scenario{});
  good["trace_hash"] = std::string(64, 'a');
  auto refused = [](const std::string& text) {
    TempFile file("hs_sim_bad_report.json", text);
    auto parsed = parse({"--replay", file.path.string()});
    return std::holds_alternative<int>(parsed) && std::get<int>(parsed) == 2;
  };
  EXPECT_FALSE(refused(good.dump()));
  auto interrupted = good;
  interrupted["interrupted"] = true;
  EXPECT_TRUE(refused(interrupted.dump()));
  auto missing = good;
  missing["config"].erase("seed");
  EXPECT_TRUE(refused(missing.dump()));
  auto empty = good;
  empty["config"] = nlohmann::json::object();
  EXPECT_TRUE(refused(empty.dump()));
  for (const char* hash :
       {"abc", "", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}) {
    auto bad = good;
    bad["trace_hash"] = hash;
    EXPECT_TRUE(refused(bad.dump())) << hash;
  }
  auto text = good.dump();
  EXPECT_TRUE(refused(text + std::string(1, '\0') + "garbage"));
  // A key twice in one object: the last would silently win.
  auto twice = text;
  twice.insert(twice.find("\"seed\""), "\"seed\": 2, ");
  EXPECT_TRUE(refused(twice));
}

TEST(SimConfig, AHandWrittenScenarioWithEveryFieldRoundTrips) {
  auto parsed = parse({"--shards",
                       "2",
                       "--validators",
                       "10",
                       "--duration",
                       "12.345",
                       "--seed",
                       "18446744073709551615",
                       "--tps",
                       "77",
                       "--latency-ms",
                       "20",
                       "--jitter-ms",
                       "3",
                       "--loss",
                       "0.000123",
                       "--duplicate",
                       "0.3",
                       "--clock-skew-ms",
                       "40",
                       "--byzantine",
                       "twin:1",
                       "--byzantine",
                       "equivocate:1",
                       "--byzantine",
                       "withhold:1",
                       "--twin-peers",
                       "1,3,11,13",
                       "--crash",
                       "1.5-2.25:0,2;3-4:9",
                       "--partition",
                       "0.5-1:0,1|2,3;2-3:8>9;4-5:10",
                       "--slow",
                       "4:30,11:7",
                       "--clock-offset",
                       "5:-300",
                       "--equivocate-split",
                       "0,1,10,11",
                       "--withhold-from",
                       "2,12",
                       "--warmup",
                       "1.5",
                       "--faults-end",
                       "6",
                       "--keep-going",
                       "--crypto",
                       "real"});
  ASSERT_TRUE(std::holds_alternative<Options>(parsed));
  const auto& s = std::get<Options>(parsed).scenario;
  EXPECT_EQ(s.duration_ms, 12'345u);
  EXPECT_EQ(s.sim.network.loss_ppm, 123u);  // not 122: decimal fractions are rounded
  EXPECT_FALSE(s.sim.stop_at_first_violation);
  ASSERT_EQ(s.crashes.size(), 2u);
  EXPECT_EQ(s.crashes[0].start_ms, 1'500u);
  EXPECT_EQ(s.crashes[0].end_ms, 2'250u);
  ASSERT_EQ(s.partitions.size(), 3u);
  EXPECT_TRUE(s.partitions[1].one_way);
  auto config = config_json(s);
  auto again = parse(as_args(config));
  ASSERT_TRUE(std::holds_alternative<Options>(again));
  EXPECT_EQ(config_json(std::get<Options>(again).scenario), config);
}

TEST(SimConfig, ATomlFileGivesTheSameKeysAndTheCommandLineWins) {
  TempFile file("hs_sim_config.toml",
                "# comment\nvalidators = 7\nduration = 6.5\nbyzantine = [\"silent:1\"]\n"
                "partition = \"1-2:0,1|2,3\"\nkeep-going = true\nhtml = \"x.html\"\n");
  auto parsed = parse({"--config", file.path.string(), "--duration", "3"});
  ASSERT_TRUE(std::holds_alternative<Options>(parsed));
  const auto& o = std::get<Options>(parsed);
  EXPECT_EQ(o.scenario.sim.validators_per_shard, 7u);
  EXPECT_EQ(o.scenario.duration_ms, 3'000u);  // the command line's
  ASSERT_EQ(o.scenario.byzantine.size(), 1u);
  EXPECT_EQ(o.scenario.partitions.size(), 1u);
  EXPECT_FALSE(o.scenario.sim.stop_at_first_violation);
  EXPECT_EQ(o.out.html_path, "x.html");
  // A --byzantine on the command line replaces the file's list.
  auto replaced = parse({"--config", file.path.string(), "--byzantine", "equivocate:2"});
  ASSERT_TRUE(std::holds_alternative<Options>(replaced));
  ASSERT_EQ(std::get<Options>(replaced).scenario.byzantine.size(), 1u);
  EXPECT_EQ(std::get<Options>(replaced).scenario.byzantine[0].second, 2u);
}

TEST(SimConfig, BadConfigFilesAreRefusedWithExitTwo) {
  for (const char* text :
       {"validatorz = 3\n", "validators = \"x\"\n", "validators = [1, 2]\n", "validators = \n",
        "[table]\nkey = 1\n", "crash-restart = 1\n", "config = \"other.toml\"\n",
        "replay = \"r.json\"\n", "duration = nan\n", "seed = -1\n", "loss = 2.0\n",
        "partition = \"\"\n", "when = 1979-05-27\n", "byzantine = [1]\n"}) {
    TempFile file("hs_sim_bad.toml", text);
    auto parsed = parse({"--config", file.path.string()});
    ASSERT_TRUE(std::holds_alternative<int>(parsed)) << text;
    EXPECT_EQ(std::get<int>(parsed), 2) << text;
  }
  auto missing = parse({"--config", "/nonexistent/x.toml"});
  ASSERT_TRUE(std::holds_alternative<int>(missing));
  EXPECT_EQ(std::get<int>(missing), 2);
  auto device = parse({"--config", "/dev/zero"});  // never read to the end
  ASSERT_TRUE(std::holds_alternative<int>(device));
  EXPECT_EQ(std::get<int>(device), 2);
}

TEST(SimConfig, AReplayTakesTheReportsConfigAndRefusesChangesToIt) {
  nlohmann::json report;
  report["config"] = config_json(simulation::random_fault_scenario(17));
  report["trace_hash"] = std::string(64, 'c');
  TempFile file("hs_sim_report.json", report.dump());
  auto parsed = parse({"--replay", file.path.string(), "--json", "--quiet"});
  ASSERT_TRUE(std::holds_alternative<Options>(parsed));
  const auto& o = std::get<Options>(parsed);
  EXPECT_EQ(o.replay_trace_hash, std::string(64, 'c'));
  EXPECT_EQ(config_json(o.scenario), report["config"]);
  EXPECT_TRUE(o.out.json);
  auto changed = parse({"--replay", file.path.string(), "--seed", "2"});
  ASSERT_TRUE(std::holds_alternative<int>(changed));
  EXPECT_EQ(std::get<int>(changed), 2);
  TempFile not_report("hs_sim_not_report.json", "{\"config\": 1}");
  auto bad = parse({"--replay", not_report.path.string()});
  ASSERT_TRUE(std::holds_alternative<int>(bad));
  EXPECT_EQ(std::get<int>(bad), 2);
}

TEST(SimConfig, AWarmUpOrFaultsEndPastTheRunIsRefused) {
  for (std::vector<std::string> args :
       {std::vector<std::string>{"--warmup", "10", "--duration", "5"}, {"--faults-end", "40"}}) {
    auto parsed = parse(args);
    ASSERT_TRUE(std::holds_alternative<int>(parsed)) << args[0];
    EXPECT_EQ(std::get<int>(parsed), 2);
  }
}

// The HTML report's series stay bounded however long the run: past twice
// the limit, neighbouring points merge (rates averaged over their time).
TEST(Timeline, KeptPointsStayBoundedAndMergeByTime) {
  simulation::Scenario s;
  s.duration_ms = 60'000;
  s.workload.tps = 200;
  TimelineRecorder timeline(nullptr, true, 5);
  s.record_commit_latencies = true;
  s.on_progress = [&](simulation::SimulationRunner& r) { timeline.sample(r); };
  auto report = simulation::run_scenario(s);
  ASSERT_TRUE(report.ok);
  const auto& points = timeline.points();
  ASSERT_GE(points.size(), 5u);
  ASSERT_LT(points.size(), 10u);
  double seconds = 0;
  std::uint64_t txs = 0;
  for (const auto& p : points) {
    seconds += p.shards[0].seconds;
    txs += p.shards[0].committed_txs;
  }
  EXPECT_DOUBLE_EQ(seconds, 60.0);
  EXPECT_EQ(txs, report.committed_txs);
  EXPECT_EQ(points.back().shards[0].height, report.shard_heights[0]);
  EXPECT_EQ(points.back().heights.size(), 4u);
}

/// The estimate of a run given on the command line.
double estimate_mib(std::vector<std::string> args) {
  auto parsed = parse(std::move(args));
  const auto* o = std::get_if<Options>(&parsed);
  EXPECT_NE(o, nullptr);
  return o ? static_cast<double>(estimate_memory(o->scenario).bytes) / (1 << 20) : 0.0;
}

// Peak RSS measured on the release build (docs/performance.md, "Simulator
// memory"): the estimate refuses runs that would not fit, so it must never
// fall below what a run really needs.
TEST(MemoryEstimate, StaysAboveMeasuredPeaks) {
  struct Measured {
    std::vector<std::string> args;
    double peak_mib;
  };
  const std::vector<Measured> runs = {
      {{"--duration", "8", "--crypto", "mock"}, 161},
      {{"--duration", "16", "--crypto", "mock"}, 212},
      {{"--duration", "60", "--crypto", "mock"}, 309},
      {{"--duration", "120", "--crypto", "mock"}, 434},
      {{"--validators", "16", "--duration", "3", "--crypto", "mock"}, 314},
      {{"--validators", "32", "--duration", "3", "--crypto", "mock"}, 655},
      {{"--validators", "64", "--duration", "3", "--crypto", "mock"}, 1575},
      {{"--validators", "32", "--duration", "8", "--crypto", "mock"}, 1174},
  };
  for (const auto& run : runs) {
    std::string line;
    for (const auto& a : run.args)
      line += a + " ";
    EXPECT_GE(estimate_mib(run.args), run.peak_mib) << line;
  }
}

// The state tree keeps its retained versions' nodes, then reuses pruned
// memory: the estimate grows faster while that window fills than after.
TEST(MemoryEstimate, TheTreePartStopsGrowingOnceItsWindowIsFull) {
  auto at = [](int seconds) {
    return estimate_mib({"--duration", std::to_string(seconds), "--crypto", "mock"});
  };
  const double early = at(10) - at(5);    // the tree's window still filling
  const double late = at(305) - at(300);  // full: only the stored chain grows
  EXPECT_GT(late, 0.0);
  EXPECT_GT(early, 1.5 * late);
  // Linear once the window is full (the replay windows are full by 120 s).
  EXPECT_NEAR(at(600) - at(300), at(900) - at(600), 1.0);
}

}  // namespace
}  // namespace hyperscale::sim_app
