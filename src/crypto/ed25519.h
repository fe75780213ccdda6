#pragma once

// Ed25519 (libsodium, strict verification: canonical encodings, no
// small-order keys or R) for user transactions and node identities.

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "crypto/parallel.h"
#include "types/bytes.h"
#include "types/keys.h"
#include "types/transaction.h"

namespace hyperscale::crypto {

using types::Ed25519PublicKey;
using types::Ed25519Signature;

class Ed25519KeyPair {
 public:
  static Ed25519KeyPair from_seed(std::span<const std::uint8_t, 32> seed);
  ~Ed25519KeyPair();
  Ed25519KeyPair(const Ed25519KeyPair&) = default;
  Ed25519KeyPair& operator=(const Ed25519KeyPair&) = default;

  const Ed25519PublicKey& public_key() const { return public_key_; }
  Ed25519Signature sign(types::ByteSpan message) const;

 private:
  Ed25519KeyPair() = default;
  Ed25519PublicKey public_key_;
  std::array<std::uint8_t, 64> secret_{};
};

bool ed25519_verify(const Ed25519PublicKey& key, types::ByteSpan message,
                    const Ed25519Signature& sig);

struct Ed25519BatchItem {
  Ed25519PublicKey key;
  types::ByteSpan message;
  Ed25519Signature signature;
};
/// result[i] is whether items[i] verifies; work is split across `parallel`.
std::vector<bool> ed25519_verify_batch(std::span<const Ed25519BatchItem> items,
                                       Parallelism& parallel);

/// Signs a payload with the given keys; the keys must be the payload's signers.
std::vector<Ed25519Signature> sign_transaction(const types::TransactionPayload& payload,
                                               std::span<const Ed25519KeyPair> signers);

/// The one transaction-signature check used on every path a transaction can
/// arrive by (submission, gossip, fetch, sync): one valid signature per
/// required signer, over the intent.
bool verify_transaction_signatures(const types::Transaction& tx);
/// Same check over many transactions, spread across `parallel`.
std::vector<bool> verify_transactions(std::span<const types::TransactionRef> txs,
                                      Parallelism& parallel);

}  // namespace hyperscale::crypto
