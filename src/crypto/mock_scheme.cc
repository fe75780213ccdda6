#include "crypto/mock_scheme.h"

#include <algorithm>

#include "types/hash.h"

namespace hyperscale::crypto {

namespace {

void xor_into(types::BlsSignature& acc, const types::BlsSignature& s) {
  for (std::size_t i = 0; i < acc.bytes.size(); ++i)
    acc.bytes[i] ^= s.bytes[i];
}

types::BlsSignature mock_pop(const types::BlsPublicKey& key) {
  types::Writer w;
  w.raw(types::as_bytes("mock-pop"));
  return mock_sign(key, w.bytes());
}

class MockSigner final : public Signer {
 public:
  explicit MockSigner(std::span<const std::uint8_t, 32> seed) {
    auto h1 = types::Hasher().update(std::string_view("mock-pk-1")).update(seed).finish();
    auto h2 = types::Hasher().update(std::string_view("mock-pk-2")).update(seed).finish();
    std::copy(h1.bytes.begin(), h1.bytes.end(), key_.bytes.begin());
    std::copy(h2.bytes.begin(), h2.bytes.begin() + 16, key_.bytes.begin() + 32);
  }
  SchemeKind kind() const override { return SchemeKind::kMock; }
  types::BlsPublicKey public_key() const override { return key_; }
  types::BlsSignature sign(types::ByteSpan message) const override {
    return mock_sign(key_, message);
  }
  types::BlsSignature prove_possession() const override { return mock_pop(key_); }

 private:
  types::BlsPublicKey key_;
};

class MockVerifier final : public Verifier {
 public:
  explicit MockVerifier(types::Topology topology) : Verifier(std::move(topology)) {}
  SchemeKind kind() const override { return SchemeKind::kMock; }

  bool verify(types::ShardId shard, std::uint32_t index, types::ByteSpan message,
              const types::BlsSignature& sig) const override {
    return known(shard, index) && mock_sign(key(shard, index), message) == sig;
  }

  bool verify_aggregate(types::ShardId shard, const types::SignerBitfield& signers,
                        types::ByteSpan message,
                        const types::BlsSignature& aggregate) const override {
    if (shard >= topology().num_shards() || signers.size() != topology().committee(shard).size() ||
        signers.empty())
      return false;
    types::BlsSignature acc;
    for (auto i : signers.indices())
      xor_into(acc, mock_sign(key(shard, i), message));
    return acc == aggregate;
  }

  bool verify_groups(types::ShardId shard, std::span<const SignerGroup> groups,
                     const types::BlsSignature& aggregate) const override {
    if (groups.empty()) return false;
    types::BlsSignature acc;
    for (const auto& g : groups) {
      if (g.indices.empty()) return false;
      for (auto i : g.indices) {
        if (!known(shard, i)) return false;
        xor_into(acc, mock_sign(key(shard, i), g.message));
      }
    }
    return acc == aggregate;
  }

  std::vector<std::size_t> find_invalid(std::span<const SignedMessage> items,
                                        Parallelism&) const override {
    std::vector<std::size_t> bad;
    for (std::size_t i = 0; i < items.size(); ++i)
      if (!verify(items[i].shard, items[i].index, items[i].message, items[i].signature))
        bad.push_back(i);
    return bad;
  }

  bool verify_aggregates(std::span<const AggregateItem> items, Parallelism&) const override {
    return std::all_of(items.begin(), items.end(), [&](const AggregateItem& item) {
      return verify_aggregate(item.shard, *item.signers, item.message, *item.signature);
    });
  }

  std::optional<types::BlsSignature> aggregate(
      std::span<const types::BlsSignature> sigs) const override {
    if (sigs.empty()) return std::nullopt;
    types::BlsSignature acc;
    for (const auto& s : sigs)
      xor_into(acc, s);
    return acc;
  }

 private:
  const types::BlsPublicKey& key(types::ShardId shard, std::uint32_t index) const {
    return topology().committee(shard).at(index).bls_key;
  }
};

}  // namespace

types::BlsSignature mock_sign(const types::BlsPublicKey& key, types::ByteSpan message) {
  auto h = types::Hasher()
               .update(std::string_view("mock-sig"))
               .update(key.span())
               .update(message)
               .finish();
  types::BlsSignature sig;
  std::copy(h.bytes.begin(), h.bytes.end(), sig.bytes.begin());
  return sig;
}

types::Ed25519Signature mock_sign_transaction(const types::Ed25519PublicKey& key,
                                              const types::Hash& intent_hash) {
  types::Ed25519Signature sig;
  static_assert(sizeof(sig.bytes) == sizeof(intent_hash.bytes) + sizeof(key.bytes));
  std::copy(intent_hash.bytes.begin(), intent_hash.bytes.end(), sig.bytes.begin());
  std::copy(key.bytes.begin(), key.bytes.end(), sig.bytes.begin() + intent_hash.bytes.size());
  return sig;
}

bool mock_verify_transaction(const types::Transaction& tx) {
  const auto& signers = tx.payload().signers;
  if (signers.empty() || signers.size() != tx.signatures().size()) return false;
  for (std::size_t i = 0; i < signers.size(); ++i)
    if (mock_sign_transaction(signers[i], tx.intent_hash()) != tx.signatures()[i]) return false;
  return true;
}

std::unique_ptr<Signer> make_mock_signer(std::span<const std::uint8_t, 32> seed) {
  return std::make_unique<MockSigner>(seed);
}

std::expected<std::unique_ptr<Verifier>, std::string> make_mock_verifier(types::Topology topology) {
  for (const auto& committee : topology.committees())
    for (const auto& m : committee.members())
      if (mock_pop(m.bls_key) != m.bls_pop)
        return std::unexpected("validator " + std::to_string(m.id) +
                               ": mock proof of possession does not verify");
  return std::make_unique<MockVerifier>(std::move(topology));
}

}  // namespace hyperscale::crypto
