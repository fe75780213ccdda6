#include "keygen/genesis_check.h"

#include <sodium.h>

#include <algorithm>
#include <map>

#include "crypto/bls.h"
#include "types/assert.h"

namespace hyperscale::keygen {

namespace {

bool all_bytes_are(const types::Ed25519PublicKey& key, std::uint8_t value) {
  return std::all_of(key.bytes.begin(), key.bytes.end(),
                     [value](std::uint8_t b) { return b == value; });
}

/// The compressed encoding of the G1 identity: flags 0b110 (compressed,
/// infinity), then zeros.
bool is_g1_identity_encoding(const types::BlsPublicKey& key) {
  return key.bytes[0] == 0xc0 &&
         std::all_of(key.bytes.begin() + 1, key.bytes.end(), [](std::uint8_t b) { return b == 0; });
}

std::string name_of(const types::ValidatorInfo& v, types::ShardId shard) {
  return "validator " + std::to_string(v.id) + " (shard " + std::to_string(shard) + ")";
}

/// The problem list, bounded: a file of 16384 copies of one key must not
/// print 16384 lines.
class Problems {
 public:
  explicit Problems(GenesisCheck& out) : out_(out) {}
  void add(std::string problem) {
    if (out_.problems.size() < kMaxListedProblems)
      out_.problems.push_back(std::move(problem));
    else
      ++out_.unlisted_problems;
  }

 private:
  GenesisCheck& out_;
};

/// Checks the BLS key and proof of possession of `v`, counting what holds.
void check_bls(const types::ValidatorInfo& v, const std::string& who, GenesisCheck& out,
               Problems& problems) {
  auto key = crypto::decode_public_key(v.bls_key);
  if (!key) {
    problems.add(who + ": BLS public key " +
                 (is_g1_identity_encoding(v.bls_key)
                      ? std::string("is the identity point (point at infinity)")
                      : std::string("is not a valid compressed G1 point in the prime-order "
                                    "subgroup")) +
                 "; its proof of possession cannot be checked");
    return;
  }
  ++out.valid_bls_keys;
  if (!crypto::decode_signature(v.bls_pop))
    problems.add(who + ": proof of possession is not a valid compressed G2 point");
  else if (!crypto::bls_verify_possession(v.bls_key, v.bls_pop))
    problems.add(who + ": proof of possession does not verify for its BLS public key");
  else
    ++out.valid_pops;
}

/// The mock scheme's keys are not points; its own verifier decides whether
/// the mock proof of possession matches the key.
void check_mock(const types::ValidatorInfo& v, const std::string& who, GenesisCheck& out,
                Problems& problems) {
  auto alone = types::Topology::make({types::Committee(0, {v})});
  HS_ASSERT(alone.has_value());  // one member that passed the whole topology's checks
  if (crypto::Verifier::make(crypto::SchemeKind::kMock, std::move(*alone)))
    ++out.valid_pops;
  else
    problems.add(who + ": mock proof of possession does not match its key");
}

}  // namespace

std::optional<std::string> identity_key_problem(const types::Ed25519PublicKey& key) {
  if (all_bytes_are(key, 0x00)) return "identity key is all zeros";
  if (all_bytes_are(key, 0xff)) return "identity key is all 0xff bytes";
  if (sodium_init() < 0) return "cannot be checked: libsodium failed to initialise";
  if (crypto_core_ed25519_is_valid_point(key.bytes.data()) != 1)
    return "identity key is not a valid Ed25519 public key (not a canonical encoding of a point "
           "in the prime-order subgroup, or of small order)";
  return std::nullopt;
}

GenesisCheck check_genesis(const apps::GenesisFile& genesis) {
  GenesisCheck out;
  Problems problems(out);
  out.scheme = genesis.scheme;
  out.shards = genesis.topology.num_shards();
  std::map<types::BlsPublicKey, std::string> bls_owner;
  std::map<types::Ed25519PublicKey, std::string> identity_owner;
  for (const auto& committee : genesis.topology.committees()) {
    for (const auto& v : committee.members()) {
      ++out.validators;
      std::string who = name_of(v, committee.shard());
      if (auto [it, fresh] = bls_owner.emplace(v.bls_key, who); fresh)
        ++out.distinct_bls_keys;
      else
        problems.add(who + ": BLS public key is the same as " + it->second + "'s");
      if (auto [it, fresh] = identity_owner.emplace(v.network_key, who); fresh)
        ++out.distinct_identity_keys;
      else
        problems.add(who + ": identity key is the same as " + it->second + "'s");
      if (auto problem = identity_key_problem(v.network_key))
        problems.add(who + ": " + *problem);
      else
        ++out.valid_identity_keys;
      if (genesis.scheme == crypto::SchemeKind::kBls)
        check_bls(v, who, out, problems);
      else
        check_mock(v, who, out, problems);
    }
  }
  return out;
}

std::string GenesisCheck::summary() const {
  auto plural = [](std::uint32_t n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
  };
  std::string s = std::string(crypto::to_string(scheme)) + " scheme, " +
                  plural(shards, "shard", "shards") + ", " +
                  plural(validators, "validator", "validators") + " with unique ids; ";
  if (scheme == crypto::SchemeKind::kBls)
    s += std::to_string(distinct_bls_keys) + " distinct BLS public keys, " +
         std::to_string(valid_bls_keys) + " valid non-identity G1 subgroup points, with " +
         std::to_string(valid_pops) + " valid proofs of possession; ";
  else
    s += std::to_string(distinct_bls_keys) + " distinct mock keys with " +
         std::to_string(valid_pops) +
         " matching mock proofs of possession (mock: simulation only, no real signatures); ";
  s += std::to_string(distinct_identity_keys) + " distinct identity keys, " +
       std::to_string(valid_identity_keys) +
       " valid Ed25519 points (canonical, prime order, not small-order)";
  return s;
}

}  // namespace hyperscale::keygen
