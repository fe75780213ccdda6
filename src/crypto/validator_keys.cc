#include "crypto/validator_keys.h"

#include "types/hash.h"

namespace hyperscale::crypto {

namespace {
MasterSeed sub_seed(std::string_view tag, std::span<const std::uint8_t, 32> seed) {
  auto h = types::Hasher().update(tag).update(seed).finish();
  return h.bytes;
}
}  // namespace

types::ValidatorInfo ValidatorKeys::info(types::ValidatorId id, types::VotingPower power) const {
  types::ValidatorInfo v;
  v.id = id;
  v.bls_key = bls->public_key();
  v.bls_pop = bls->prove_possession();
  v.network_key = network.public_key();
  v.power = power;
  return v;
}

ValidatorKeys derive_validator_keys(SchemeKind kind, std::span<const std::uint8_t, 32> seed) {
  auto bls_seed = sub_seed("hyperscale/bls", seed);
  auto ed_seed = sub_seed("hyperscale/ed25519", seed);
  return ValidatorKeys{make_signer(kind, bls_seed), Ed25519KeyPair::from_seed(ed_seed)};
}

MasterSeed derive_seed(std::span<const std::uint8_t, 32> network_seed, std::uint32_t index) {
  auto h = types::Hasher()
               .update(std::string_view("hyperscale/network-seed"))
               .update(network_seed)
               .update_u32(index)
               .finish();
  return h.bytes;
}

}  // namespace hyperscale::crypto
