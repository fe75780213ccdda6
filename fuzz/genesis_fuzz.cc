// Fuzzes the genesis committee file parser (apps/common/genesis_file.h):
// no input may crash it, and a file it accepts must write back to text that
// parses to the same file.

#include <cstdint>
#include <string>

#include "common/genesis_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto genesis = hyperscale::apps::genesis_from_json(text);
  if (!genesis) return 0;
  auto written = hyperscale::apps::genesis_to_json(*genesis);
  auto again = hyperscale::apps::genesis_from_json(written);
  if (!again || hyperscale::apps::genesis_to_json(*again) != written) __builtin_trap();
  return 0;
}
