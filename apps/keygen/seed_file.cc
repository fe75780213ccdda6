#include "keygen/seed_file.h"

#include <sodium.h>

#include "common/read_file.h"
#include "types/assert.h"
#include "types/bytes.h"

namespace hyperscale::keygen {

namespace {

bool is_hex_digit(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

}  // namespace

std::string seed_to_text(const crypto::MasterSeed& seed) {
  return types::to_hex(seed) + "\n";
}

std::expected<crypto::MasterSeed, std::string> seed_from_text(std::string_view text) {
  constexpr std::size_t kDigits = 2 * std::tuple_size_v<crypto::MasterSeed>;
  const std::string want =
      "; want exactly " + std::to_string(kDigits) + " hex digits and a newline";
  // The message says what is wrong (the count of digits, the place of a
  // stray character), never which characters: the text is secret.
  std::size_t digits = 0;
  while (digits < text.size() && is_hex_digit(text[digits]))
    ++digits;
  std::string_view rest = text.substr(digits);
  std::size_t newline = rest.starts_with("\n") ? 1 : rest.starts_with("\r\n") ? 2 : 0;
  if (!rest.empty() && newline == 0)
    return std::unexpected("not a seed file: character " + std::to_string(digits + 1) +
                           " is not a hex digit" + want);
  bool more_lines = rest.size() > newline;
  if (digits != kDigits || more_lines)
    return std::unexpected("not a seed file: " + std::to_string(digits) + " hex digits" +
                           (more_lines ? " and more text after them" : "") + want);
  auto raw = types::from_hex(text.substr(0, kDigits));
  HS_ASSERT(raw.has_value());  // every character was checked above
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
