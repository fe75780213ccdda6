#pragma once

// A validator seed file: the 32-byte master seed both of its keys derive from
// (crypto/validator_keys.h), as 64 lower-case hex digits and a newline.

#include <cstddef>
#include <expected>
#include <filesystem>
#include <string>
#include <string_view>

#include "crypto/validator_keys.h"

namespace hyperscale::keygen {

/// The largest seed file read_seed_file reads, in bytes (a seed file is 65).
inline constexpr std::size_t kMaxSeedFileBytes = 1024;
/// Mode of the seed files generate writes: owner read and write only.
inline constexpr unsigned kSeedFileMode = 0600;

/// The file's text: 64 lower-case hex digits and "\n". Secret: the caller
/// wipes it after use.
std::string seed_to_text(const crypto::MasterSeed& seed);
/// Parses a seed file's text: exactly 64 hex digits (either case), then
/// nothing, "\n" or "\r\n". The error does not quote the text (it is secret):
/// it gives the number of hex digits, or the position of the first character
/// that is neither a hex digit nor the line's end.
std::expected<crypto::MasterSeed, std::string> seed_from_text(std::string_view text);
/// Reads and parses the seed file at `path`: a regular file of at most
/// kMaxSeedFileBytes bytes (see apps::read_regular_file). Errors name the path.
std::expected<crypto::MasterSeed, std::string> read_seed_file(const std::filesystem::path& path);

}  // namespace hyperscale::keygen
