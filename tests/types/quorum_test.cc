// Quorum arithmetic, committees and topologies.

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <array>
#include <limits>
#include <string>
#include <vector>

#include "types/generators.h"
#include "types/topology.h"

namespace hyperscale::types {
namespace {

std::vector<ValidatorInfo> members(const std::vector<VotingPower>& powers,
                                   ValidatorId first_id = 0) {
  std::vector<ValidatorInfo> out;
  for (std::size_t i = 0; i < powers.size(); ++i) {
    ValidatorInfo v;
    v.id = first_id + static_cast<ValidatorId>(i);
    v.power = powers[i];
    out.push_back(v);
  }
  return out;
}

Committee equal_committee(std::uint32_t n, ShardId shard = 0, ValidatorId first_id = 0) {
  return Committee(shard, members(std::vector<VotingPower>(n, 1), first_id));
}

/// The first k of n members.
SignerBitfield first(std::uint32_t k, std::uint32_t n) {
  SignerBitfield b(n);
  for (std::uint32_t i = 0; i < k; ++i)
    b.set(i);
  return b;
}

/// resource_address of "<prefix> <i>": distinct, fixed pseudo-random nodes.
NodeId numbered_node(std::string_view prefix, int i) {
  std::string name(prefix);
  name += ' ';
  name += std::to_string(i);
  return resource_address(name);
}

SignerBitfield of(std::uint32_t n, const std::vector<std::uint32_t>& indices) {
  SignerBitfield b(n);
  for (auto i : indices)
    b.set(i);
  return b;
}

// --- is_quorum ----------------------------------------------------------------------------

TEST(IsQuorum, ExactlyTwoThirdsIsNotAQuorum) {
  for (VotingPower k = 1; k <= 1000; ++k) {
    EXPECT_FALSE(is_quorum(2 * k, 3 * k)) << k;
    EXPECT_TRUE(is_quorum(2 * k + 1, 3 * k)) << k;
  }
  // Also at the largest total the topology admits.
  const VotingPower max_total = limits::kMaxTotalVotingPower / 3 * 3;
  EXPECT_FALSE(is_quorum(max_total / 3 * 2, max_total));
  EXPECT_TRUE(is_quorum(max_total / 3 * 2 + 1, max_total));
  EXPECT_TRUE(is_quorum(limits::kMaxTotalVotingPower, limits::kMaxTotalVotingPower));
}

TEST(IsQuorum, JoinThresholdIsStrictlyMoreThanOneThird) {
  for (VotingPower k = 1; k <= 1000; ++k) {
    EXPECT_FALSE(is_join_threshold(k, 3 * k)) << k;
    EXPECT_TRUE(is_join_threshold(k + 1, 3 * k)) << k;
  }
}

RC_GTEST_PROP(IsQuorum, AgreesWithFloorFormulation, ()) {
  auto total = *rc::gen::inRange<VotingPower>(1, limits::kMaxTotalVotingPower + 1);
  auto power = *rc::gen::inRange<VotingPower>(0, total + 1);
  // 3p > 2t  <=>  p > floor(2t / 3); 2t cannot overflow below the power limit.
  RC_ASSERT(is_quorum(power, total) == (power > 2 * total / 3));
  RC_ASSERT(is_join_threshold(power, total) == (power > total / 3));
}

// --- committees with equal power --------------------------------------------------------

class EqualPowerCommittee : public testing::TestWithParam<std::uint32_t> {};

TEST_P(EqualPowerCommittee, QuorumNeedsFloorTwoThirdsPlusOne) {
  const std::uint32_t n = GetParam();
  Committee c = equal_committee(n);
  const std::uint32_t needed = 2 * n / 3 + 1;
  EXPECT_EQ(c.total_power(), n);
  EXPECT_EQ(c.quorum_power(), needed);
  for (std::uint32_t k = 0; k <= n; ++k)
    EXPECT_EQ(c.has_quorum(first(k, n)), k >= needed) << k << " of " << n;
  // Which members sign does not matter with equal power.
  std::vector<std::uint32_t> last;
  for (std::uint32_t i = n - needed; i < n; ++i)
    last.push_back(i);
  EXPECT_TRUE(c.has_quorum(of(n, last)));
  last.erase(last.begin());
  EXPECT_FALSE(c.has_quorum(of(n, last)));
}

INSTANTIATE_TEST_SUITE_P(Sizes, EqualPowerCommittee, testing::Values(3u, 4u, 7u, 10u, 100u));

/// n = 3f + 1 validators of equal power, f of them faulty.
class ThreeFPlusOneCommittee : public testing::TestWithParam<std::uint32_t> {};

TEST_P(ThreeFPlusOneCommittee, ByzantineBounds) {
  const std::uint32_t n = GetParam();
  ASSERT_EQ(n % 3, 1u);
  const std::uint32_t f = (n - 1) / 3;
  Committee c = equal_committee(n);
  EXPECT_TRUE(c.has_quorum(first(n - f, n)));  // all honest members
  EXPECT_EQ(n - f, 2 * f + 1);
  EXPECT_TRUE(c.has_quorum(first(2 * f + 1, n)));
  EXPECT_FALSE(c.has_quorum(first(2 * f, n)));
  EXPECT_TRUE(c.has_join_threshold(first(f + 1, n)));  // at least one honest member
  EXPECT_FALSE(c.has_join_threshold(first(f, n)));
}

INSTANTIATE_TEST_SUITE_P(Sizes, ThreeFPlusOneCommittee, testing::Values(4u, 7u, 10u, 100u));

// --- unequal power ------------------------------------------------------------------------

TEST(UnequalPower, OneHeavyValidator) {
  Committee c(0, members({10, 1, 1, 1}));  // total 13: a quorum needs 3p > 26, p >= 9
  EXPECT_EQ(c.total_power(), 13u);
  EXPECT_EQ(c.quorum_power(), 9u);
  EXPECT_TRUE(c.has_quorum(of(4, {0})));
  EXPECT_FALSE(c.has_quorum(of(4, {1, 2, 3})));
  EXPECT_EQ(c.power_of(of(4, {1, 2, 3})), 3u);
}

TEST(UnequalPower, PowersOneToFour) {
  Committee c(0, members({1, 2, 3, 4}));  // total 10: a quorum needs p >= 7
  EXPECT_EQ(c.quorum_power(), 7u);
  EXPECT_TRUE(c.has_quorum(of(4, {2, 3})));        // 7
  EXPECT_FALSE(c.has_quorum(of(4, {1, 3})));       // 6
  EXPECT_FALSE(c.has_quorum(of(4, {0, 1, 2})));    // 6
  EXPECT_TRUE(c.has_quorum(of(4, {0, 1, 3})));     // 7
  EXPECT_TRUE(c.has_join_threshold(of(4, {3})));   // 4 > 10/3
  EXPECT_FALSE(c.has_join_threshold(of(4, {2})));  // 3
}

RC_GTEST_PROP(UnequalPower, PowerOfIsTheSumOfTheSigners, ()) {
  auto n = *testgen::uniform_in<std::uint32_t>(1, 20);
  auto powers =
      *rc::gen::container<std::vector<VotingPower>>(n, rc::gen::inRange<VotingPower>(1, 1'000'000));
  Committee c(0, members(powers));
  SignerBitfield s = *testgen::signers_of_size(n);
  VotingPower sum = 0;
  VotingPower total = 0;
  for (std::uint32_t i = 0; i < n; ++i) {
    total += powers[i];
    if (s.test(i)) sum += powers[i];
  }
  RC_ASSERT(c.total_power() == total);
  RC_ASSERT(c.power_of(s) == std::optional<VotingPower>(sum));
  RC_ASSERT(c.has_quorum(s) == (3 * sum > 2 * total));
  RC_ASSERT(is_quorum(c.quorum_power(), total));
  RC_ASSERT(!is_quorum(c.quorum_power() - 1, total));
}

TEST(Committee, PowerOfRejectsABitfieldOfTheWrongSize) {
  Committee c = equal_committee(4);
  EXPECT_EQ(c.power_of(first(4, 4)), 4u);
  for (std::uint32_t size : {0u, 3u, 5u, 8u}) {
    SignerBitfield b = first(std::min(size, 3u), size);
    EXPECT_EQ(c.power_of(b), std::nullopt) << size;
    EXPECT_FALSE(c.has_quorum(b)) << size;
    EXPECT_FALSE(c.has_join_threshold(b)) << size;
  }
}

TEST(Committee, IndexOfFollowsMemberOrder) {
  Committee c(2, members({1, 1, 1}, 40));
  EXPECT_EQ(c.shard(), 2u);
  EXPECT_EQ(c.index_of(40), 0u);
  EXPECT_EQ(c.index_of(42), 2u);
  EXPECT_EQ(c.index_of(43), std::nullopt);
  EXPECT_EQ(c.at(1).id, 41u);
}

// --- topology --------------------------------------------------------------------------------

TEST(Topology, AcceptsAWellFormedTopology) {
  auto t = Topology::make({equal_committee(4, 0, 0), equal_committee(3, 1, 100)});
  ASSERT_TRUE(t.has_value()) << t.error();
  EXPECT_EQ(t->num_shards(), 2u);
  EXPECT_EQ(t->committee(1).size(), 3u);
  EXPECT_EQ(t->shard_of_validator(3), 0u);
  EXPECT_EQ(t->shard_of_validator(101), 1u);
  EXPECT_EQ(t->shard_of_validator(4), std::nullopt);
}

TEST(Topology, RejectsNoShardsAndTooManyShards) {
  EXPECT_FALSE(Topology::make({}).has_value());
  std::vector<Committee> committees;
  for (ShardId s = 0; s <= limits::kMaxShards; ++s)
    committees.push_back(equal_committee(1, s, s));
  EXPECT_FALSE(Topology::make(committees).has_value());
  committees.pop_back();
  EXPECT_TRUE(Topology::make(committees).has_value());
}

TEST(Topology, RejectsDuplicateValidatorIds) {
  // Within one committee...
  std::vector<ValidatorInfo> twice = members({1, 1});
  twice[1].id = twice[0].id;
  EXPECT_FALSE(Topology::make({Committee(0, twice)}).has_value());
  // ...and across committees.
  EXPECT_FALSE(Topology::make({equal_committee(2, 0, 0), equal_committee(2, 1, 1)}).has_value());
  EXPECT_TRUE(Topology::make({equal_committee(2, 0, 0), equal_committee(2, 1, 2)}).has_value());
}

TEST(Topology, RejectsZeroPower) {
  EXPECT_FALSE(Topology::make({Committee(0, members({1, 0, 1}))}).has_value());
}

TEST(Topology, RejectsCommitteesOutOfShardOrder) {
  EXPECT_FALSE(Topology::make({equal_committee(1, 1, 0), equal_committee(1, 0, 1)}).has_value());
  EXPECT_FALSE(
      Topology::make({equal_committee(1, 0, 0), equal_committee(1, 2, 1)}).has_value());  // gap
  EXPECT_FALSE(
      Topology::make({equal_committee(1, 0, 0), equal_committee(1, 0, 1)}).has_value());  // repeat
}

TEST(Topology, RejectsEmptyAndOversizedCommittees) {
  EXPECT_FALSE(Topology::make({Committee(0, {})}).has_value());
  EXPECT_FALSE(Topology::make({equal_committee(1, 0, 0), Committee(1, {})}).has_value());
  EXPECT_TRUE(Topology::make({equal_committee(limits::kMaxCommitteeSize)}).has_value());
  EXPECT_FALSE(Topology::make({equal_committee(limits::kMaxCommitteeSize + 1)}).has_value());
}

TEST(Topology, RejectsTotalPowerAboveTheLimit) {
  EXPECT_TRUE(Topology::make({Committee(0, members({limits::kMaxTotalVotingPower}))}).has_value());
  EXPECT_FALSE(
      Topology::make({Committee(0, members({limits::kMaxTotalVotingPower, 1}))}).has_value());
  EXPECT_FALSE(Topology::make({Committee(0, members({std::numeric_limits<VotingPower>::max()}))})
                   .has_value());
}

TEST(Topology, TotalPowerCannotWrapBackUnderTheLimit) {
  // Powers whose u64 sum wraps to a small number must still be rejected: the
  // first saturates the total, and the second must not bring it back down.
  const VotingPower huge = std::uint64_t{1} << 63;
  const VotingPower wrap = std::numeric_limits<VotingPower>::max() - limits::kMaxTotalVotingPower;
  Committee c(0, members({huge, wrap}));
  EXPECT_GT(c.total_power(), limits::kMaxTotalVotingPower);
  EXPECT_FALSE(Topology::make({c}).has_value());
  Committee many(0, members({limits::kMaxTotalVotingPower, limits::kMaxTotalVotingPower,
                             std::numeric_limits<VotingPower>::max()}));
  EXPECT_GT(many.total_power(), limits::kMaxTotalVotingPower);
  EXPECT_FALSE(Topology::make({many}).has_value());
}

// --- shard assignment ------------------------------------------------------------------------

TEST(ShardOf, IsTheLittleEndianHashPrefixModuloShards) {
  for (std::uint32_t i = 0; i < 100; ++i) {
    NodeId node = numbered_node("node", static_cast<int>(i));
    Hash h = hash_bytes(node.span());
    std::uint64_t prefix = 0;
    for (int b = 7; b >= 0; --b)
      prefix = prefix << 8 | h.bytes[static_cast<std::size_t>(b)];
    EXPECT_EQ(shard_key(node), prefix);
    for (std::uint32_t shards : {1u, 2u, 3u, 4u, 7u, limits::kMaxShards}) {
      EXPECT_EQ(shard_of(node, shards), prefix % shards);
      EXPECT_EQ(shard_of_key(shard_key(node), shards), prefix % shards);
    }
  }
}

RC_GTEST_PROP(ShardOf, DeterministicAndInRange, (const NodeId& node)) {
  auto shards = *testgen::uniform_in<std::uint32_t>(1, limits::kMaxShards + 1);
  ShardId s = shard_of(node, shards);
  RC_ASSERT(s < shards);
  RC_ASSERT(shard_of(node, shards) == s);
  RC_ASSERT(shard_of(node, 1) == 0u);
}

TEST(ShardOf, TopologyUsesItsShardCount) {
  std::vector<Committee> committees;
  for (ShardId s = 0; s < 4; ++s)
    committees.push_back(equal_committee(1, s, s));
  auto t = Topology::make(committees);
  ASSERT_TRUE(t.has_value());
  for (std::uint32_t i = 0; i < 100; ++i) {
    NodeId node = numbered_node("topology", static_cast<int>(i));
    EXPECT_EQ(t->shard_of(node), shard_of(node, 4));
  }
}

TEST(ShardOf, SpreadsEvenlyOverFourShards) {
  // 1000 pseudo-random nodes (fixed, so the test is reproducible). Each count is
  // Binomial(1000, 1/4): mean 250, sd ~13.7; 5 sd either side cannot flake.
  constexpr std::uint32_t kShards = 4;
  constexpr int kNodes = 1000;
  std::array<int, kShards> counts{};
  for (int i = 0; i < kNodes; ++i)
    ++counts[shard_of(numbered_node("spread", i), kShards)];
  for (std::uint32_t s = 0; s < kShards; ++s) {
    EXPECT_GE(counts[s], 250 - 69) << "shard " << s;
    EXPECT_LE(counts[s], 250 + 69) << "shard " << s;
  }
}

}  // namespace
}  // namespace hyperscale::types
