// Fuzzes the simulator's configuration readers: the input is the content of
// a --config TOML file and of a --replay JSON report. Neither may crash or
// hang, and a configuration that parses must survive config_json() ->
// flags -> parse_options() unchanged (the report's config rebuilds its run).

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "options.h"

using namespace hyperscale::sim_app;

namespace {

std::variant<Options, int> parse(std::vector<std::string> args) {
  args.insert(args.begin(), "hyperscale-sim");
  std::vector<const char*> argv;
  for (const auto& a : args)
    argv.push_back(a.c_str());
  return parse_options(static_cast<int>(argv.size()), argv.data());
}

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

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string path = "/dev/shm/hs_fuzz_sim_config_" + std::to_string(::getpid());
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return 0;
  std::fwrite(data, 1, size, f);
  std::fclose(f);
  for (const char* flag : {"--config", "--replay"}) {
    auto parsed = parse({flag, path, "--quiet"});
    auto* options = std::get_if<Options>(&parsed);
    if (!options) {
      if (std::get<int>(parsed) != 2) __builtin_trap();  // bad input is exit 2, nothing else
      continue;
    }
    auto config = config_json(options->scenario);
    auto again = parse(as_args(config));
    auto* rebuilt = std::get_if<Options>(&again);
    if (!rebuilt || config_json(rebuilt->scenario) != config) __builtin_trap();
  }
  return 0;
}
