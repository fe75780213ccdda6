#pragma once

// A validator's key material, derived from one 32-byte master seed:
//   BLS key     = KeyGen(H("hyperscale/bls" ‖ seed))
//   Ed25519 key = from_seed(H("hyperscale/ed25519" ‖ seed))
// so one secret file restores both keys.

#include <array>
#include <cstdint>
#include <memory>
#include <span>

#include "crypto/ed25519.h"
#include "crypto/scheme.h"
#include "types/topology.h"

namespace hyperscale::crypto {

using MasterSeed = std::array<std::uint8_t, 32>;

struct ValidatorKeys {
  std::unique_ptr<Signer> bls;
  Ed25519KeyPair network;

  /// Public half, as it appears in the genesis committee.
  types::ValidatorInfo info(types::ValidatorId id, types::VotingPower power) const;
};

ValidatorKeys derive_validator_keys(SchemeKind kind, std::span<const std::uint8_t, 32> seed);

/// Seed i of a deterministic network: H("hyperscale/network-seed" ‖ network_seed ‖ i).
MasterSeed derive_seed(std::span<const std::uint8_t, 32> network_seed, std::uint32_t index);

}  // namespace hyperscale::crypto
