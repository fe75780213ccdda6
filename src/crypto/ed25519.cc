#include "crypto/ed25519.h"

#include <sodium.h>

#include "crypto/signing.h"
#include "types/assert.h"

namespace hyperscale::crypto {

namespace {
void ensure_sodium() {
  [[maybe_unused]] static const bool ready = [] {
    HS_ASSERT(sodium_init() >= 0);
    return true;
  }();
}

/// Runs per_item over [0, n) split into one contiguous chunk per worker.
template <class F>
void for_chunks(std::size_t n, Parallelism& parallel, F&& per_item) {
  std::size_t chunks = std::max<std::size_t>(1, std::min(parallel.workers(), n));
  parallel.run(chunks, [&](std::size_t c) {
    for (std::size_t i = n * c / chunks; i < n * (c + 1) / chunks; ++i)
      per_item(i);
  });
}
}  // namespace

Ed25519KeyPair Ed25519KeyPair::from_seed(std::span<const std::uint8_t, 32> seed) {
  ensure_sodium();
  Ed25519KeyPair kp;
  crypto_sign_seed_keypair(kp.public_key_.bytes.data(), kp.secret_.data(), seed.data());
  return kp;
}

Ed25519KeyPair::~Ed25519KeyPair() {
  sodium_memzero(secret_.data(), secret_.size());
}

Ed25519Signature Ed25519KeyPair::sign(types::ByteSpan message) const {
  Ed25519Signature sig;
  crypto_sign_detached(sig.bytes.data(), nullptr, message.data(), message.size(), secret_.data());
  return sig;
}

bool ed25519_verify(const Ed25519PublicKey& key, types::ByteSpan message,
                    const Ed25519Signature& sig) {
  ensure_sodium();
  return crypto_sign_verify_detached(sig.bytes.data(), message.data(), message.size(),
                                     key.bytes.data()) == 0;
}

std::vector<bool> ed25519_verify_batch(std::span<const Ed25519BatchItem> items,
                                       Parallelism& parallel) {
  std::vector<char> ok(items.size(), 0);
  for_chunks(items.size(), parallel, [&](std::size_t i) {
    ok[i] = ed25519_verify(items[i].key, items[i].message, items[i].signature) ? 1 : 0;
  });
  return {ok.begin(), ok.end()};
}

std::vector<Ed25519Signature> sign_transaction(const types::TransactionPayload& payload,
                                               std::span<const Ed25519KeyPair> signers) {
  HS_ASSERT(signers.size() == payload.signers.size());
  Bytes message = transaction_message(types::intent_hash_of(payload));
  std::vector<Ed25519Signature> out;
  out.reserve(signers.size());
  for (std::size_t i = 0; i < signers.size(); ++i) {
    HS_ASSERT(signers[i].public_key() == payload.signers[i]);
    out.push_back(signers[i].sign(message));
  }
  return out;
}

bool verify_transaction_signatures(const types::Transaction& tx) {
  const auto& signers = tx.payload().signers;
  if (signers.empty() || tx.signatures().size() != signers.size()) return false;
  Bytes message = transaction_message(tx.intent_hash());
  for (std::size_t i = 0; i < signers.size(); ++i)
    if (!ed25519_verify(signers[i], message, tx.signatures()[i])) return false;
  return true;
}

std::vector<bool> verify_transactions(std::span<const types::TransactionRef> txs,
                                      Parallelism& parallel) {
  std::vector<char> ok(txs.size(), 0);
  for_chunks(txs.size(), parallel,
             [&](std::size_t i) { ok[i] = verify_transaction_signatures(*txs[i]) ? 1 : 0; });
  return {ok.begin(), ok.end()};
}

}  // namespace hyperscale::crypto
