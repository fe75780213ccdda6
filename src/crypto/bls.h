#pragma once

// BLS12-381 min-pk (public keys in G1, signatures in G2) with the
// proof-of-possession ciphersuite, on blst.

#include <blst.h>

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "crypto/parallel.h"
#include "types/bytes.h"
#include "types/keys.h"

namespace hyperscale::crypto {

using types::BlsPublicKey;
using types::BlsSignature;
using types::ByteSpan;

inline constexpr std::string_view kBlsSignatureDst = "BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_";
inline constexpr std::string_view kBlsPopDst = "BLS_POP_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_";

/// A decoded, subgroup-checked, non-identity public key.
struct BlsPublicKeyPoint {
  blst_p1_affine point;
};
/// A decoded, subgroup-checked signature.
struct BlsSignaturePoint {
  blst_p2_affine point;
};

std::optional<BlsPublicKeyPoint> decode_public_key(const BlsPublicKey& key);
std::optional<BlsSignaturePoint> decode_signature(const BlsSignature& sig);
BlsPublicKey encode_public_key(const BlsPublicKeyPoint& key);
BlsSignature encode_signature(const BlsSignaturePoint& sig);

class BlsSecretKey {
 public:
  /// KeyGen (IETF draft) from a 32-byte seed.
  static BlsSecretKey from_seed(std::span<const std::uint8_t, 32> seed);
  /// A raw big-endian scalar; nullopt unless 0 < scalar < group order.
  static std::optional<BlsSecretKey> from_bytes(std::span<const std::uint8_t, 32> big_endian);
  ~BlsSecretKey();
  BlsSecretKey(const BlsSecretKey&) = default;
  BlsSecretKey& operator=(const BlsSecretKey&) = default;

  BlsPublicKey public_key() const;
  BlsSignature sign(ByteSpan message) const;
  /// Signature over the compressed public key with the POP tag.
  BlsSignature prove_possession() const;

 private:
  BlsSecretKey() = default;
  blst_scalar scalar_{};
};

/// hash_to_curve(message) in G2 with the given DST, serialized uncompressed
/// (x.c1 ‖ x.c0 ‖ y.c1 ‖ y.c0, big-endian). Exposed for known-answer tests.
std::array<std::uint8_t, 192> hash_to_g2_serialized(ByteSpan message, std::string_view dst);

bool bls_verify(const BlsPublicKeyPoint& key, ByteSpan message, const BlsSignaturePoint& sig);
bool bls_verify(const BlsPublicKey& key, ByteSpan message, const BlsSignature& sig);
bool bls_verify_possession(const BlsPublicKey& key, const BlsSignature& pop);

/// Sum of points. Empty input gives nullopt.
std::optional<BlsPublicKeyPoint> aggregate_public_keys(
    std::span<const BlsPublicKeyPoint* const> keys);
/// Sum of signatures, each decoded and subgroup-checked. nullopt on empty
/// input or a signature that does not decode.
std::optional<BlsSignature> aggregate_signatures(std::span<const BlsSignature> sigs);

/// One message signed by every key (QCs, commitment proofs): aggregate the
/// keys, one pairing check. Safe only for keys with a verified POP.
bool verify_same_message(std::span<const BlsPublicKeyPoint* const> keys, ByteSpan message,
                         const BlsSignature& aggregate);

/// Groups of keys, each group signing its own message, under one aggregate
/// signature (timeout certificates): one multi-pairing over the groups.
struct BlsMessageGroup {
  std::vector<const BlsPublicKeyPoint*> keys;
  ByteSpan message;
};
bool verify_message_groups(std::span<const BlsMessageGroup> groups, const BlsSignature& aggregate);

/// One independently signed message of a batch.
struct BlsBatchItem {
  const BlsPublicKeyPoint* key;
  ByteSpan message;
  BlsSignature signature;
};

/// All-or-nothing check of a batch of distinct messages with random linear
/// combination: 64-bit scalars derived from H(domain ‖ whole batch), so no
/// one who fixed the batch can predict them. Work is split over `parallel`.
bool verify_batch(std::span<const BlsBatchItem> items, Parallelism& parallel);
/// Indices of the invalid items, found by bisection after a failed batch.
std::vector<std::size_t> find_invalid(std::span<const BlsBatchItem> items, Parallelism& parallel);

/// Decodes keys once; keys are subgroup-checked at decode, so repeated
/// verifications skip it. Bounded: when full, it is cleared. Not thread-safe.
class PublicKeyCache {
 public:
  explicit PublicKeyCache(std::size_t max_entries = 4096) : max_entries_(max_entries) {}
  std::optional<BlsPublicKeyPoint> get(const BlsPublicKey& key);
  std::size_t size() const { return entries_.size(); }

 private:
  std::size_t max_entries_;
  std::map<BlsPublicKey, BlsPublicKeyPoint> entries_;
};

}  // namespace hyperscale::crypto
