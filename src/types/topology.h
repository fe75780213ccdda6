#pragma once

#include <cstdint>
#include <expected>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "types/ids.h"
#include "types/keys.h"
#include "types/signer_bitfield.h"

namespace hyperscale::types {

/// Strictly more than 2/3 of `total`. Exactly 2/3 is not a quorum.
constexpr bool is_quorum(VotingPower power, VotingPower total) {
  return power * 3 > total * 2;
}
/// Strictly more than 1/3 of `total`: at least one honest member is among them.
constexpr bool is_join_threshold(VotingPower power, VotingPower total) {
  return power * 3 > total;
}

struct ValidatorInfo {
  ValidatorId id = 0;
  BlsPublicKey bls_key;
  /// Proof of possession of bls_key; crypto::verify_topology checks it at load.
  BlsSignature bls_pop;
  /// Node identity for authenticated transport.
  Ed25519PublicKey network_key;
  VotingPower power = 1;

  friend bool operator==(const ValidatorInfo&, const ValidatorInfo&) = default;
};

/// The committee of one shard, in committee-index order.
class Committee {
 public:
  Committee() = default;
  Committee(ShardId shard, std::vector<ValidatorInfo> members);

  ShardId shard() const { return shard_; }
  const std::vector<ValidatorInfo>& members() const { return members_; }
  std::uint32_t size() const { return static_cast<std::uint32_t>(members_.size()); }
  VotingPower total_power() const { return total_power_; }
  std::optional<std::uint32_t> index_of(ValidatorId id) const;
  const ValidatorInfo& at(std::uint32_t index) const { return members_.at(index); }

  /// Power of the signers, or nullopt when the bitfield was not made for this
  /// committee (wrong size). Always summed here, never taken from a message.
  std::optional<VotingPower> power_of(const SignerBitfield& signers) const;
  bool has_quorum(const SignerBitfield& signers) const;
  bool has_join_threshold(const SignerBitfield& signers) const;
  /// Smallest power that is a quorum.
  VotingPower quorum_power() const { return total_power_ * 2 / 3 + 1; }

  friend bool operator==(const Committee&, const Committee&) = default;

 private:
  ShardId shard_ = 0;
  std::vector<ValidatorInfo> members_;
  VotingPower total_power_ = 0;
  std::map<ValidatorId, std::uint32_t> index_;
};

/// Shards and their committees. Immutable once made.
class Topology {
 public:
  /// Checks the structure: 1..kMaxShards shards, one non-empty committee per
  /// shard in shard order, unique validator ids, positive bounded power.
  /// Proofs of possession are checked by crypto::verify_topology.
  static std::expected<Topology, std::string> make(std::vector<Committee> committees);

  std::uint32_t num_shards() const { return static_cast<std::uint32_t>(committees_.size()); }
  const Committee& committee(ShardId shard) const { return committees_.at(shard); }
  const std::vector<Committee>& committees() const { return committees_; }
  ShardId shard_of(const NodeId& node) const { return types::shard_of(node, num_shards()); }
  std::optional<ShardId> shard_of_validator(ValidatorId id) const;

 private:
  std::vector<Committee> committees_;
  std::map<ValidatorId, ShardId> shard_by_validator_;
};

}  // namespace hyperscale::types
