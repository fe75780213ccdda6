#pragma once

// The genesis committee file (JSON), shared by the apps:
// {
//   "scheme": "bls",
//   "shards": [ { "shard": 0, "validators": [
//       { "id": 0, "power": 1, "bls_public_key": "<96 hex>",
//         "bls_pop": "<192 hex>", "network_key": "<64 hex>" } ] } ]
// }
// Every key is listed above; any other key, a key given twice in one object,
// nesting deeper than the format needs, or a NUL byte anywhere is refused. docs/keygen.md
// describes each field.

#include <cstddef>
#include <cstdint>
#include <expected>
#include <filesystem>
#include <string>

#include "crypto/scheme.h"
#include "types/topology.h"

namespace hyperscale::apps {

/// The largest genesis file load_genesis reads, in bytes (16 MiB).
inline constexpr std::size_t kMaxGenesisFileBytes = std::size_t{16} * 1024 * 1024;
/// The most validators (over all shards) a genesis file may list. With the
/// largest ids, powers and the indented layout genesis_to_json writes, a file
/// of this many stays under kMaxGenesisFileBytes (tests/keygen checks it).
inline constexpr std::uint32_t kMaxGenesisValidators = 16384;
/// Deepest nesting of arrays and objects the format uses (top object,
/// shards, shard, validators, validator).
inline constexpr std::uint32_t kMaxGenesisJsonDepth = 5;

struct GenesisFile {
  crypto::SchemeKind scheme = crypto::SchemeKind::kBls;
  types::Topology topology;
};

/// The file's text: indented JSON with a final newline.
std::string genesis_to_json(const GenesisFile& genesis);
/// Parses and structurally checks the file (no NUL byte, types, hex lengths,
/// unknown or repeated keys, at most kMaxGenesisValidators validators, and
/// types::Topology::make's rules). Keys are not checked here: proofs of
/// possession by crypto::Verifier::make, uniqueness and key validity by
/// `hyperscale-keygen check`. Every error names the offending field.
std::expected<GenesisFile, std::string> genesis_from_json(const std::string& text);
/// Reads `path` (a regular file of at most kMaxGenesisFileBytes bytes, see
/// read_regular_file) and parses it. Errors name the path.
std::expected<GenesisFile, std::string> load_genesis(const std::filesystem::path& path);

}  // namespace hyperscale::apps
