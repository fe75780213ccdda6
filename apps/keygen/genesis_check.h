#pragma once

// `hyperscale-keygen check`: every key of a parsed genesis file, one by one
// and against each other. The structure (fields, ids, powers, shard order)
// is checked earlier, by apps::genesis_from_json.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/genesis_file.h"

namespace hyperscale::keygen {

/// The most problems a GenesisCheck lists one by one; the rest are counted.
inline constexpr std::size_t kMaxListedProblems = 32;

/// What check_genesis found. Counts are over all shards.
struct GenesisCheck {
  crypto::SchemeKind scheme = crypto::SchemeKind::kBls;
  std::uint32_t shards = 0;
  std::uint32_t validators = 0;
  std::uint32_t distinct_bls_keys = 0;
  std::uint32_t valid_bls_keys = 0;  // decode to a non-identity G1 subgroup point (bls only)
  std::uint32_t valid_pops = 0;
  std::uint32_t distinct_identity_keys = 0;
  std::uint32_t valid_identity_keys = 0;
  /// One line per problem, naming the validator; at most kMaxListedProblems.
  std::vector<std::string> problems;
  std::size_t unlisted_problems = 0;

  bool ok() const { return problems.empty(); }
  /// One line saying what was verified, e.g. "1 shard, 4 validators with
  /// unique ids; 4 distinct BLS public keys, each ...".
  std::string summary() const;
};

/// Checks that every BLS public key is distinct and (bls scheme) decodes to a
/// point of the G1 prime-order subgroup other than the identity, that every
/// proof of possession verifies against its key, and that every identity
/// (network) key is distinct and acceptable (identity_key_problem). Never
/// stops at the first problem. Costs one pairing check per validator.
GenesisCheck check_genesis(const apps::GenesisFile& genesis);

/// Why `key` cannot be a node identity key, or nullopt when it is a canonical
/// encoding of an Ed25519 point in the prime-order subgroup: not all zeros,
/// not all 0xff, not of small order (libsodium
/// crypto_core_ed25519_is_valid_point).
std::optional<std::string> identity_key_problem(const types::Ed25519PublicKey& key);

}  // namespace hyperscale::keygen
