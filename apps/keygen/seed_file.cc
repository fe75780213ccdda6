#include "keygen/seed_file.h"

#include <sodium.h>

#include "common/read_file.h"
#include "types/assert.h"
#include "types/bytes.h"

namespace hyperscale::keygen {

std::string seed_to_text(const crypto::MasterSeed& seed) {
  return types::to_hex(seed) + "\n";
}

std::expected<crypto::MasterSeed, std::string> seed_from_text(std::string_view text) {
  constexpr std::size_t kDigits = 2 * std::tuple_size_v<crypto::MasterSeed>;
  std::string_view rest = text.size() >= kDigits ? text.substr(kDigits) : std::string_view{};
  if (text.size() < kDigits || !(rest.empty() || rest == "\n" || rest == "\r\n"))
    return std::unexpected("not a seed file: want exactly " + std::to_string(kDigits) +
                           " hex digits and a newline");
  auto raw = types::from_hex(text.substr(0, kDigits));
  if (!raw) return std::unexpected("not a seed file: a character is not a hex digit");
  HS_ASSERT(raw->size() == std::tuple_size_v<crypto::MasterSeed>);
  crypto::MasterSeed seed{};
  std::copy(raw->begin(), raw->end(), seed.begin());
  sodium_memzero(raw->data(), raw->size());
  return seed;
}

std::expected<crypto::MasterSeed, std::string> read_seed_file(const std::filesystem::path& path) {
  auto text = apps::read_regular_file(path, kMaxSeedFileBytes);
  if (!text) return std::unexpected(text.error());
  auto seed = seed_from_text(*text);
  sodium_memzero(text->data(), text->size());
  if (!seed) return std::unexpected(path.string() + ": " + seed.error());
  return seed;
}

}  // namespace hyperscale::keygen
