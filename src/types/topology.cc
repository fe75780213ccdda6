#include "types/topology.h"

#include "types/limits.h"

namespace hyperscale::types {

Committee::Committee(ShardId shard, std::vector<ValidatorInfo> members)
    : shard_(shard), members_(std::move(members)) {
  for (std::uint32_t i = 0; i < members_.size(); ++i) {
    index_.emplace(members_[i].id, i);
    // Saturate instead of wrapping, and stay saturated: once the total is above
    // the limit, `limit - total` would wrap and let a later power bring the sum
    // back under it. Topology::make rejects totals above the limit.
    VotingPower p = members_[i].power;
    bool over = total_power_ > limits::kMaxTotalVotingPower ||
                p > limits::kMaxTotalVotingPower - total_power_;
    total_power_ = over ? limits::kMaxTotalVotingPower + 1 : total_power_ + p;
  }
}

std::optional<std::uint32_t> Committee::index_of(ValidatorId id) const {
  auto it = index_.find(id);
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

std::optional<VotingPower> Committee::power_of(const SignerBitfield& signers) const {
  if (signers.size() != size()) return std::nullopt;
  VotingPower sum = 0;
  for (std::uint32_t i : signers.indices())
    sum += members_[i].power;
  return sum;
}

bool Committee::has_quorum(const SignerBitfield& signers) const {
  auto p = power_of(signers);
  return p && is_quorum(*p, total_power_);
}

bool Committee::has_join_threshold(const SignerBitfield& signers) const {
  auto p = power_of(signers);
  return p && is_join_threshold(*p, total_power_);
}

std::expected<Topology, std::string> Topology::make(std::vector<Committee> committees) {
  if (committees.empty() || committees.size() > limits::kMaxShards)
    return std::unexpected("topology needs between 1 and " + std::to_string(limits::kMaxShards) +
                           " shards");
  Topology t;
  for (std::size_t s = 0; s < committees.size(); ++s) {
    const Committee& c = committees[s];
    std::string where = "shard " + std::to_string(s);
    if (c.shard() != s) return std::unexpected(where + ": committees must be in shard order");
    if (c.size() == 0 || c.size() > limits::kMaxCommitteeSize)
      return std::unexpected(where + ": committee size must be 1.." +
                             std::to_string(limits::kMaxCommitteeSize));
    if (c.total_power() > limits::kMaxTotalVotingPower)
      return std::unexpected(where + ": total voting power above limit");
    for (const auto& m : c.members()) {
      if (m.power == 0) return std::unexpected(where + ": validator with zero power");
      if (!t.shard_by_validator_.emplace(m.id, c.shard()).second)
        return std::unexpected(where + ": duplicate validator id " + std::to_string(m.id));
    }
  }
  t.committees_ = std::move(committees);
  return t;
}

std::optional<ShardId> Topology::shard_of_validator(ValidatorId id) const {
  auto it = shard_by_validator_.find(id);
  if (it == shard_by_validator_.end()) return std::nullopt;
  return it->second;
}

}  // namespace hyperscale::types
