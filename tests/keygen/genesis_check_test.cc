// check_genesis and identity_key_problem: every way `hyperscale-keygen check`
// must refuse a genesis, each against a genesis that passes.

#include "keygen/genesis_check.h"

#include <gtest/gtest.h>

#include "crypto/validator_keys.h"

namespace hyperscale::keygen {
namespace {

/// One shard of `n` validators derived from a fixed network seed.
apps::GenesisFile make_genesis(crypto::SchemeKind scheme, std::uint32_t n,
                               std::uint8_t network_byte = 7) {
  crypto::MasterSeed network{};
  network.fill(network_byte);
  std::vector<types::ValidatorInfo> members;
  for (std::uint32_t id = 0; id < n; ++id)
    members.push_back(
        crypto::derive_validator_keys(scheme, crypto::derive_seed(network, id)).info(id, 1));
  auto topology = types::Topology::make({types::Committee(0, std::move(members))});
  EXPECT_TRUE(topology.has_value());
  return {scheme, std::move(*topology)};
}

/// The genesis with validator `index` of shard 0 changed by `edit`.
template <class Edit>
apps::GenesisFile edited(const apps::GenesisFile& g, std::uint32_t index, Edit edit) {
  auto members = g.topology.committee(0).members();
  edit(members[index], members);
  auto topology = types::Topology::make({types::Committee(0, std::move(members))});
  EXPECT_TRUE(topology.has_value());
  return {g.scheme, std::move(*topology)};
}

bool mentions(const GenesisCheck& c, const std::string& text) {
  for (const auto& p : c.problems)
    if (p.find(text) != std::string::npos) return true;
  return false;
}

std::string all_problems(const GenesisCheck& c) {
  std::string s;
  for (const auto& p : c.problems)
    s += p + "\n";
  return s;
}

template <std::size_t N>
types::FixedBytes<N> filled(std::uint8_t b) {
  types::FixedBytes<N> out;
  out.bytes.fill(b);
  return out;
}

TEST(GenesisCheck, AcceptsGeneratedGenesisAndCountsEveryCheck) {
  auto result = check_genesis(make_genesis(crypto::SchemeKind::kBls, 4));
  EXPECT_TRUE(result.ok()) << all_problems(result);
  EXPECT_EQ(result.validators, 4u);
  EXPECT_EQ(result.distinct_bls_keys, 4u);
  EXPECT_EQ(result.valid_bls_keys, 4u);
  EXPECT_EQ(result.valid_pops, 4u);
  EXPECT_EQ(result.distinct_identity_keys, 4u);
  EXPECT_EQ(result.valid_identity_keys, 4u);
  EXPECT_NE(result.summary().find("4 distinct BLS public keys"), std::string::npos);
  EXPECT_NE(result.summary().find("4 valid proofs of possession"), std::string::npos);
  EXPECT_NE(result.summary().find("4 distinct identity keys"), std::string::npos);
}

TEST(GenesisCheck, RefusesTwoValidatorsWithOneBlsKeyAndProof) {
  auto g = edited(make_genesis(crypto::SchemeKind::kBls, 4), 2, [](auto& v, const auto& all) {
    v.bls_key = all[0].bls_key;
    v.bls_pop = all[0].bls_pop;
  });
  auto result = check_genesis(g);
  EXPECT_FALSE(result.ok());
  EXPECT_TRUE(mentions(result, "validator 2 (shard 0): BLS public key is the same as validator 0"))
      << all_problems(result);
  EXPECT_EQ(result.distinct_bls_keys, 3u);
}

TEST(GenesisCheck, RefusesADuplicateIdentityKey) {
  auto g = edited(make_genesis(crypto::SchemeKind::kBls, 4), 3,
                  [](auto& v, const auto& all) { v.network_key = all[1].network_key; });
  auto result = check_genesis(g);
  EXPECT_TRUE(mentions(result, "validator 3 (shard 0): identity key is the same as validator 1"))
      << all_problems(result);
}

TEST(GenesisCheck, RefusesAllZeroAndAllFfIdentityKeys) {
  for (std::uint8_t b : {std::uint8_t{0x00}, std::uint8_t{0xff}}) {
    auto g = edited(make_genesis(crypto::SchemeKind::kBls, 4), 1, [b](auto& v, const auto&) {
      v.network_key = types::Ed25519PublicKey{filled<32>(b)};
    });
    auto result = check_genesis(g);
    EXPECT_TRUE(mentions(result, b == 0 ? "all zeros" : "all 0xff")) << all_problems(result);
    EXPECT_EQ(result.valid_identity_keys, 3u);
  }
}

TEST(GenesisCheck, IdentityKeyMustBeACanonicalPrimeOrderPoint) {
  auto valid = make_genesis(crypto::SchemeKind::kBls, 1).topology.committee(0).at(0).network_key;
  EXPECT_EQ(identity_key_problem(valid), std::nullopt);
  auto key = [](std::string_view hex) {
    auto k = types::parse_hex<types::Ed25519PublicKey>(hex);
    EXPECT_TRUE(k.has_value()) << hex;
    return *k;
  };
  // Small order: the neutral element (order 1), (0, -1) (order 2), and a
  // point of order 8. Then y = p, a non-canonical encoding of y = 0.
  for (auto hex : {"0100000000000000000000000000000000000000000000000000000000000000",
                   "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
                   "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
                   "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"}) {
    auto problem = identity_key_problem(key(hex));
    ASSERT_TRUE(problem.has_value()) << hex;
    EXPECT_NE(problem->find("not a valid Ed25519 public key"), std::string::npos);
  }
}

TEST(GenesisCheck, RefusesAProofOfPossessionOfAnotherKey) {
  auto g = edited(make_genesis(crypto::SchemeKind::kBls, 4), 1,
                  [](auto& v, const auto& all) { v.bls_pop = all[0].bls_pop; });
  auto result = check_genesis(g);
  EXPECT_TRUE(mentions(result, "validator 1 (shard 0): proof of possession does not verify"))
      << all_problems(result);
  EXPECT_EQ(result.valid_pops, 3u);
}

TEST(GenesisCheck, RefusesAProofOfPossessionThatIsNotAPoint) {
  auto g = edited(make_genesis(crypto::SchemeKind::kBls, 2), 0,
                  [](auto& v, const auto&) { v.bls_pop = types::BlsSignature{filled<96>(0xff)}; });
  EXPECT_TRUE(mentions(check_genesis(g), "not a valid compressed G2 point"));
}

TEST(GenesisCheck, RefusesTheIdentityAndNonPointBlsKeys) {
  types::BlsPublicKey infinity;
  infinity.bytes[0] = 0xc0;  // compressed encoding of the point at infinity
  auto g = edited(make_genesis(crypto::SchemeKind::kBls, 2), 0,
                  [&](auto& v, const auto&) { v.bls_key = infinity; });
  EXPECT_TRUE(mentions(check_genesis(g), "is the identity point"));
  g = edited(make_genesis(crypto::SchemeKind::kBls, 2), 1,
             [](auto& v, const auto&) { v.bls_key = types::BlsPublicKey{filled<48>(0x8f)}; });
  auto result = check_genesis(g);
  EXPECT_TRUE(
      mentions(result, "validator 1 (shard 0): BLS public key is not a valid compressed G1"))
      << all_problems(result);
  EXPECT_EQ(result.valid_bls_keys, 1u);
}

TEST(GenesisCheck, MockSchemeChecksItsProofsAndUniqueness) {
  auto g = make_genesis(crypto::SchemeKind::kMock, 3);
  auto ok = check_genesis(g);
  EXPECT_TRUE(ok.ok()) << all_problems(ok);
  EXPECT_NE(ok.summary().find("mock"), std::string::npos);
  auto bad = edited(g, 2, [](auto& v, const auto& all) { v.bls_pop = all[0].bls_pop; });
  EXPECT_TRUE(mentions(check_genesis(bad), "validator 2 (shard 0): mock proof of possession"));
  auto dup = edited(g, 2, [](auto& v, const auto& all) {
    v.bls_key = all[0].bls_key;
    v.bls_pop = all[0].bls_pop;
  });
  EXPECT_TRUE(mentions(check_genesis(dup), "BLS public key is the same as validator 0"));
}

TEST(GenesisCheck, ListsAtMostABoundedNumberOfProblems) {
  std::uint32_t n = kMaxListedProblems + 10;
  auto g = make_genesis(crypto::SchemeKind::kMock, n);
  auto all_zero = edited(g, 0, [](auto&, auto& all) {
    for (auto& v : all)
      v.network_key = types::Ed25519PublicKey{};
  });
  auto result = check_genesis(all_zero);
  EXPECT_EQ(result.problems.size(), kMaxListedProblems);
  // n all-zero keys, and n - 1 of them repeat the first.
  EXPECT_EQ(result.problems.size() + result.unlisted_problems, 2 * n - 1);
}

}  // namespace
}  // namespace hyperscale::keygen
