#pragma once

// The signature scheme behind validators' signatures, as two interfaces:
// Signer (one validator's secret key) and Verifier (every committee's public
// keys, prepared once). Two implementations: real BLS12-381 and a mock
// (keyed hash, constant cost) for large simulations, which is not a
// signature at all: anyone can compute it, so production refuses it.

#include <cstdint>
#include <expected>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "crypto/parallel.h"
#include "types/keys.h"
#include "types/signer_bitfield.h"
#include "types/topology.h"

namespace hyperscale::crypto {

enum class SchemeKind : std::uint8_t { kBls, kMock };
std::string_view to_string(SchemeKind kind);

class Signer {
 public:
  virtual ~Signer() = default;
  virtual SchemeKind kind() const = 0;
  bool production_safe() const { return kind() == SchemeKind::kBls; }
  virtual types::BlsPublicKey public_key() const = 0;
  virtual types::BlsSignature sign(types::ByteSpan message) const = 0;
  virtual types::BlsSignature prove_possession() const = 0;
};

std::unique_ptr<Signer> make_signer(SchemeKind kind, std::span<const std::uint8_t, 32> seed);

/// Signers of one message within a committee, by committee index.
struct SignerGroup {
  std::vector<std::uint32_t> indices;
  types::ByteSpan message;
};

/// One member's signature in a batch.
struct SignedMessage {
  types::ShardId shard = 0;
  std::uint32_t index = 0;  // committee index
  types::ByteSpan message;
  types::BlsSignature signature;
};

/// An aggregate signature of some members of a committee over one message
/// (a quorum certificate, a state certificate). Pointers must outlive the call.
struct AggregateItem {
  types::ShardId shard = 0;
  const types::SignerBitfield* signers = nullptr;
  types::ByteSpan message;
  const types::BlsSignature* signature = nullptr;
};

/// Immutable after construction, so one Verifier can serve a whole crypto pool.
class Verifier {
 public:
  /// Prepares the keys of every committee: decodes them (subgroup check) and
  /// checks every proof of possession. Fails on the first bad key.
  static std::expected<std::unique_ptr<Verifier>, std::string> make(SchemeKind kind,
                                                                    types::Topology topology);
  virtual ~Verifier() = default;

  virtual SchemeKind kind() const = 0;
  bool production_safe() const { return kind() == SchemeKind::kBls; }
  const types::Topology& topology() const { return topology_; }

  /// Signature of committee member `index` of `shard`. False for unknown members.
  virtual bool verify(types::ShardId shard, std::uint32_t index, types::ByteSpan message,
                      const types::BlsSignature& sig) const = 0;
  /// Aggregate of the signers over one message. Does not check quorum.
  virtual bool verify_aggregate(types::ShardId shard, const types::SignerBitfield& signers,
                                types::ByteSpan message,
                                const types::BlsSignature& aggregate) const = 0;
  /// Aggregate of several groups, each signing its own message.
  virtual bool verify_groups(types::ShardId shard, std::span<const SignerGroup> groups,
                             const types::BlsSignature& aggregate) const = 0;
  /// Indices (into `items`) of the signatures that do not verify.
  virtual std::vector<std::size_t> find_invalid(std::span<const SignedMessage> items,
                                                Parallelism& parallel) const = 0;
  /// Whether every aggregate verifies (none names an unknown shard, a
  /// bitfield of the wrong size or no signer): one batch over the summed keys
  /// (random linear combination). No bisection: a failed batch says only that
  /// one is bad, so a sender of many bad ones costs one batch. Does not check
  /// quorum.
  virtual bool verify_aggregates(std::span<const AggregateItem> items,
                                 Parallelism& parallel) const = 0;
  /// Aggregate of signatures, in the order given (callers pass committee order).
  virtual std::optional<types::BlsSignature> aggregate(
      std::span<const types::BlsSignature> sigs) const = 0;

 protected:
  explicit Verifier(types::Topology topology) : topology_(std::move(topology)) {}
  bool known(types::ShardId shard, std::uint32_t index) const {
    return shard < topology_.num_shards() && index < topology_.committee(shard).size();
  }

 private:
  types::Topology topology_;
};

}  // namespace hyperscale::crypto
