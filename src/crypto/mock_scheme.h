#pragma once

// SIMULATION ONLY. A stand-in for BLS with constant, tiny cost:
//   public key = H("mock-pk" ‖ seed) stretched to 48 bytes
//   sign(m)    = H("mock-sig" ‖ public key ‖ m) in the first 32 of 96 bytes
//   aggregate  = XOR of signatures
// Anyone who knows a public key can "sign" for it, so it proves nothing
// against a real adversary; it only keeps honest-vs-Byzantine behaviour
// (a wrong or missing signature is still detected) in simulations.
// The validator binary refuses to start with it (Signer::production_safe()).

#include <expected>
#include <memory>
#include <span>
#include <string>

#include "crypto/scheme.h"
#include "types/transaction.h"

namespace hyperscale::crypto {

std::unique_ptr<Signer> make_mock_signer(std::span<const std::uint8_t, 32> seed);
std::expected<std::unique_ptr<Verifier>, std::string> make_mock_verifier(types::Topology topology);

/// Mock transaction signatures (same caveat): signature = intent hash ‖ key,
/// 64 bytes, checked by comparison. Anyone can make one (as with any mock);
/// it lets large simulations skip Ed25519 (and hashing) costs while still
/// rejecting a wrong, altered, misplaced or missing signature.
types::Ed25519Signature mock_sign_transaction(const types::Ed25519PublicKey& key,
                                              const types::Hash& intent_hash);
bool mock_verify_transaction(const types::Transaction& tx);

/// The mock signature of `key` over `message`.
types::BlsSignature mock_sign(const types::BlsPublicKey& key, types::ByteSpan message);

}  // namespace hyperscale::crypto
