#include "crypto/scheme.h"

#include "crypto/bls.h"
#include "crypto/mock_scheme.h"

namespace hyperscale::crypto {

std::string_view to_string(SchemeKind kind) {
  return kind == SchemeKind::kBls ? "bls" : "mock";
}

namespace {

class BlsSigner final : public Signer {
 public:
  explicit BlsSigner(std::span<const std::uint8_t, 32> seed)
      : key_(BlsSecretKey::from_seed(seed)), public_key_(key_.public_key()) {}
  SchemeKind kind() const override { return SchemeKind::kBls; }
  types::BlsPublicKey public_key() const override { return public_key_; }
  types::BlsSignature sign(types::ByteSpan message) const override { return key_.sign(message); }
  types::BlsSignature prove_possession() const override { return key_.prove_possession(); }

 private:
  BlsSecretKey key_;
  types::BlsPublicKey public_key_;
};

class BlsVerifier final : public Verifier {
 public:
  BlsVerifier(types::Topology topology, std::vector<std::vector<BlsPublicKeyPoint>> keys)
      : Verifier(std::move(topology)), keys_(std::move(keys)) {}

  SchemeKind kind() const override { return SchemeKind::kBls; }

  bool verify(types::ShardId shard, std::uint32_t index, types::ByteSpan message,
              const types::BlsSignature& sig) const override {
    if (!known(shard, index)) return false;
    auto s = decode_signature(sig);
    return s && bls_verify(keys_[shard][index], message, *s);
  }

  bool verify_aggregate(types::ShardId shard, const types::SignerBitfield& signers,
                        types::ByteSpan message,
                        const types::BlsSignature& aggregate) const override {
    auto points = points_of(shard, signers);
    return !points.empty() && verify_same_message(points, message, aggregate);
  }

  bool verify_groups(types::ShardId shard, std::span<const SignerGroup> groups,
                     const types::BlsSignature& aggregate) const override {
    std::vector<BlsMessageGroup> bls_groups;
    bls_groups.reserve(groups.size());
    for (const auto& g : groups) {
      BlsMessageGroup bg{{}, g.message};
      for (auto index : g.indices) {
        if (!known(shard, index)) return false;
        bg.keys.push_back(&keys_[shard][index]);
      }
      if (bg.keys.empty()) return false;
      bls_groups.push_back(std::move(bg));
    }
    return verify_message_groups(bls_groups, aggregate);
  }

  std::vector<std::size_t> find_invalid(std::span<const SignedMessage> items,
                                        Parallelism& parallel) const override {
    // Unknown signers are invalid outright; the rest go through the batch.
    std::vector<std::size_t> bad;
    std::vector<BlsBatchItem> batch;
    std::vector<std::size_t> position;
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (!known(items[i].shard, items[i].index)) {
        bad.push_back(i);
        continue;
      }
      batch.push_back(
          {&keys_[items[i].shard][items[i].index], items[i].message, items[i].signature});
      position.push_back(i);
    }
    for (std::size_t b : crypto::find_invalid(batch, parallel))
      bad.push_back(position[b]);
    std::sort(bad.begin(), bad.end());
    return bad;
  }

  bool verify_aggregates(std::span<const AggregateItem> items,
                         Parallelism& parallel) const override {
    std::vector<BlsPublicKeyPoint> sums;
    sums.reserve(items.size());  // BlsBatchItem points into it
    std::vector<BlsBatchItem> batch;
    for (const auto& item : items) {
      auto points = points_of(item.shard, *item.signers);
      if (points.empty()) return false;
      auto sum = aggregate_public_keys(points);
      if (!sum) return false;
      sums.push_back(*sum);
      batch.push_back({&sums.back(), item.message, *item.signature});
    }
    return crypto::verify_batch(batch, parallel);
  }

  std::optional<types::BlsSignature> aggregate(
      std::span<const types::BlsSignature> sigs) const override {
    return aggregate_signatures(sigs);
  }

 private:
  std::vector<const BlsPublicKeyPoint*> points_of(types::ShardId shard,
                                                  const types::SignerBitfield& signers) const {
    std::vector<const BlsPublicKeyPoint*> out;
    if (shard >= keys_.size() || signers.size() != keys_[shard].size()) return out;
    out.reserve(signers.size());
    for (std::uint32_t i = 0; i < signers.size(); ++i)
      if (signers.test(i)) out.push_back(&keys_[shard][i]);
    return out;
  }

  std::vector<std::vector<BlsPublicKeyPoint>> keys_;  // [shard][committee index]
};

std::expected<std::unique_ptr<Verifier>, std::string> make_bls_verifier(types::Topology topology) {
  std::vector<std::vector<BlsPublicKeyPoint>> keys;
  for (const auto& committee : topology.committees()) {
    auto& points = keys.emplace_back();
    for (const auto& m : committee.members()) {
      auto who =
          "validator " + std::to_string(m.id) + " of shard " + std::to_string(committee.shard());
      auto point = decode_public_key(m.bls_key);
      if (!point) return std::unexpected(who + ": BLS public key is not a valid G1 point");
      if (!bls_verify_possession(m.bls_key, m.bls_pop))
        return std::unexpected(who + ": proof of possession does not verify");
      points.push_back(*point);
    }
  }
  return std::make_unique<BlsVerifier>(std::move(topology), std::move(keys));
}

}  // namespace

std::unique_ptr<Signer> make_signer(SchemeKind kind, std::span<const std::uint8_t, 32> seed) {
  if (kind == SchemeKind::kMock) return make_mock_signer(seed);
  return std::make_unique<BlsSigner>(seed);
}

std::expected<std::unique_ptr<Verifier>, std::string> Verifier::make(SchemeKind kind,
                                                                     types::Topology topology) {
  if (kind == SchemeKind::kMock) return make_mock_verifier(std::move(topology));
  return make_bls_verifier(std::move(topology));
}

}  // namespace hyperscale::crypto
