#pragma once

// The genesis committee file (JSON), shared by the apps:
// {
//   "scheme": "bls",
//   "shards": [ { "shard": 0, "validators": [
//       { "id": 0, "power": 1, "bls_public_key": "<96 hex>",
//         "bls_pop": "<192 hex>", "network_key": "<64 hex>" } ] } ]
// }

#include <expected>
#include <filesystem>
#include <string>

#include "crypto/scheme.h"
#include "types/topology.h"

namespace hyperscale::apps {

struct GenesisFile {
  crypto::SchemeKind scheme = crypto::SchemeKind::kBls;
  types::Topology topology;
};

std::string genesis_to_json(const GenesisFile& genesis);
/// Parses and structurally checks the file; proofs of possession are checked
/// by crypto::Verifier::make. Every error names the offending field.
std::expected<GenesisFile, std::string> genesis_from_json(const std::string& text);
std::expected<GenesisFile, std::string> load_genesis(const std::filesystem::path& path);

}  // namespace hyperscale::apps
