#pragma once

// The simulator's command line: every flag parsed strictly, a TOML --config
// file and a --replay of a JSON report giving the same keys (the flag names
// without "--"), and the canonical configuration a report carries so that
// its run can be rebuilt exactly (docs/simulator.md, "Reproducing a run").

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <variant>

#include "simulation/scenario.h"

namespace hyperscale::sim_app {

/// What the simulator writes besides its summary; never part of the run.
struct Outputs {
  bool json = false;
  bool quiet = false;
  std::string trace_path;                 // --trace; a ".zst" name is compressed
  std::uint64_t trace_limit = 1'000'000;  // --trace-limit, lines
  std::string timeline_path;              // --timeline (CSV)
  std::string html_path;                  // --html
  /// --max-memory-mb: refuse a run whose estimate exceeds this; 0 = the
  /// machine's available memory.
  std::uint64_t max_memory_mb = 0;
};

struct Options {
  simulation::Scenario scenario;
  Outputs out;
  /// --replay: the report's trace hash, which the re-run must reproduce.
  std::optional<std::string> replay_trace_hash;
  /// --replay: the version that wrote the report, when it says.
  std::optional<std::string> replay_version;
  std::string replay_path;
  /// The --config or --replay file read (empty: none).
  std::string input_path;
  /// --random-faults SEED, when given (the scenario already holds its faults).
  std::optional<std::uint64_t> random_faults;
};

/// "0.1.0 (commit abc1234)": the project version and the commit built.
std::string version_string();

/// Parses the command line and the --config or --replay file it names.
/// Returns the options, or the exit code to leave with: 2 after printing
/// what is wrong (naming the flag or key) to stderr, 0 after --help or
/// --version. Values on the command line win over a --config file; with
/// --replay only output flags may be added.
std::variant<Options, int> parse_options(int argc, const char* const* argv);

/// The scenario as flag values (key = flag name without "--"): every field
/// the command line can set, so that parse_options() of these keys (in a
/// --config file or a report's "config") rebuilds the same scenario.
/// Defaults are written too, so a report does not depend on them.
nlohmann::json config_json(const simulation::Scenario& scenario);

/// Seconds from ms, shortest exact decimal ("30", "0.25", "5.001").
std::string seconds_text(types::TimestampMs ms);

}  // namespace hyperscale::sim_app
