#include "crypto/bls.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "test_keys.h"

namespace hyperscale::crypto {
namespace {

using types::Bytes;

std::array<std::uint8_t, 32> bytes32(std::string_view hex) {
  auto raw = types::from_hex(hex);
  EXPECT_TRUE(raw && raw->size() == 32) << hex;
  std::array<std::uint8_t, 32> out{};
  if (raw) std::copy(raw->begin(), raw->end(), out.begin());
  return out;
}

BlsSecretKey secret(std::string_view hex) {
  auto sk = BlsSecretKey::from_bytes(bytes32(hex));
  EXPECT_TRUE(sk.has_value());
  return *sk;
}

// Published Ethereum consensus-spec BLS vectors (POP ciphersuite, min-pk):
// (secret key, public key) and (secret key, 32-byte message, signature).
struct KeyVector {
  const char* sk;
  const char* pk;
};
constexpr KeyVector kKeyVectors[] = {
    {"263dbd792f5b1be47ed85f8938c0f29586af0d3ac7b977f21c278fe1462040e3",
     "a491d1b0ecd9bb917989f0e74f0dea0422eac4a873e5e2644f368dffb9a6e20fd6e10c1b77654d067c0618f6e5a7f"
     "79a"},
    {"47b8192d77bf871b62e87859d653922725724a5c031afeabc60bcef5ff665138",
     "b301803f8b5ac4a1133581fc676dfedc60d891dd5fa99028805e5ea5b08d3491af75d0707adab3b70c6a6a580217b"
     "f81"},
    {"328388aff0d4a5b7dc9205abd374e7e98f3cd9f3418edb4eafda5fb16473d216",
     "b53d21a4cfd562c469cc81514d4ce5a6b577d8403d32a394dc265dd190b47fa9f829fdd7963afdf972e5e77854051"
     "f6f"},
};

struct SignVector {
  const char* sk;
  const char* msg;
  const char* sig;
};
constexpr SignVector kSignVectors[] = {
    {"263dbd792f5b1be47ed85f8938c0f29586af0d3ac7b977f21c278fe1462040e3",
     "0000000000000000000000000000000000000000000000000000000000000000",
     "b6ed936746e01f8ecf281f020953fbf1f01debd5657c4a383940b020b26507f6076334f91e2366c96e9ab279fb515"
     "8"
     "090352ea1c5b0c9274504f4f0e7053af24802e51e4568d164fe986834f41e55c8e850ce1f98458c0cfc9ab380b552"
     "85a"
     "55"},
    {"47b8192d77bf871b62e87859d653922725724a5c031afeabc60bcef5ff665138",
     "5656565656565656565656565656565656565656565656565656565656565656",
     "af1390c3c47acdb37131a51216da683c509fce0e954328a59f93aebda7e4ff974ba208d9a4a2a2389f892a9d418d6"
     "1"
     "8418dd7f7a6bc7aa0da999a9d3a5b815bc085e14fd001f6a1948768a3f4afefc8b8240dda329f984cb345c6363272"
     "ba4"
     "fe"},
    {"328388aff0d4a5b7dc9205abd374e7e98f3cd9f3418edb4eafda5fb16473d216",
     "5656565656565656565656565656565656565656565656565656565656565656",
     "a4efa926610b8bd1c8330c918b7a5e9bf374e53435ef8b7ec186abf62e1b1f65aeaaeb365677ac1d1172a1f5b44b4"
     "e"
     "6d022c252c58486c0a759fbdc7de15a756acc4d343064035667a594b4c2a6f0b0b421975977f297dba63ee2f63ffe"
     "47b"
     "b6"},
};

TEST(BlsKnownAnswer, PublicKeysFromSecretKeys) {
  for (const auto& v : kKeyVectors) {
    EXPECT_EQ(secret(v.sk).public_key().hex(), v.pk);
  }
}

TEST(BlsKnownAnswer, SignaturesMatchPublishedVectors) {
  for (const auto& v : kSignVectors) {
    auto msg = *types::from_hex(v.msg);
    auto sk = secret(v.sk);
    BlsSignature sig = sk.sign(msg);
    EXPECT_EQ(sig.hex(), v.sig);
    EXPECT_TRUE(bls_verify(sk.public_key(), msg, sig));
    msg[0] ^= 1;
    EXPECT_FALSE(bls_verify(sk.public_key(), msg, sig));
  }
}

TEST(BlsKnownAnswer, VerifiesPublishedSignatureOfAnotherImplementation) {
  auto pk = types::parse_hex<BlsPublicKey>(
      "b5e8f551c28abd6ef8253581ffad0834bfd8fafa9948d09b337c9c5f21d6e7fd6065a1ee35ac5146ac17344f97"
      "490301");
  auto sig = types::parse_hex<BlsSignature>(
      "ab51f352e90509ca5085ec43af9ad3ea4ae42bf30c91af7dcdc113ef79cfc8601b756f18d8cf634436d8b6b009"
      "5fc5680066f382eb3728a7090c55c9afb66e8f94b44d2682db8ef5de4b89928d1744824df174e0c800b9e934b0"
      "ad14e6388163");
  auto msg = *types::from_hex("95b8e2ba063ab62f68ebe7db0a9669ab9e7906aa4e060e1cc0b67b294ce8c5e4");
  ASSERT_TRUE(pk && sig);
  EXPECT_TRUE(bls_verify(*pk, msg, *sig));
  msg[31] ^= 0x80;
  EXPECT_FALSE(bls_verify(*pk, msg, *sig));
}

// The hash-to-curve vectors blst ships (from the CFRG draft), read from the
// blst folder that scripts/setup.sh unpacked.
TEST(BlsKnownAnswer, HashToG2MatchesCfrgVectors) {
  std::ifstream in(std::string(HS_BLST_DIR) +
                   "/bindings/vectors/hash_to_curve/BLS12381G2_XMD_SHA-256_SSWU_RO_.json");
  ASSERT_TRUE(in.good()) << "hash_to_curve vectors missing under " << HS_BLST_DIR;
  auto doc = nlohmann::json::parse(in);
  std::string dst = doc.at("dst");
  int checked = 0;
  for (const auto& v : doc.at("vectors")) {
    auto coords = [](const std::string& pair) {
      // "0x<c0>,0x<c1>" -> c1 ‖ c0 (the serialized order).
      auto comma = pair.find(',');
      return pair.substr(comma + 3) + pair.substr(2, comma - 2);
    };
    std::string expected = coords(v.at("P").at("x")) + coords(v.at("P").at("y"));
    std::string msg = v.at("msg");
    auto got = hash_to_g2_serialized(types::as_bytes(msg), dst);
    EXPECT_EQ(types::to_hex(got), expected) << "msg=" << msg;
    ++checked;
  }
  EXPECT_GE(checked, 5);
}

TEST(Bls, SecretKeyRangeChecked) {
  std::array<std::uint8_t, 32> zero{};
  EXPECT_FALSE(BlsSecretKey::from_bytes(zero).has_value());
  std::array<std::uint8_t, 32> ones;
  ones.fill(0xff);  // above the group order
  EXPECT_FALSE(BlsSecretKey::from_bytes(ones).has_value());
}

TEST(Bls, DecodingRejectsInvalidPoints) {
  auto sk = BlsSecretKey::from_seed(testing::seed_for(1));
  auto pk = sk.public_key();
  ASSERT_TRUE(decode_public_key(pk).has_value());
  BlsPublicKey bad = pk;
  bad.bytes[47] ^= 1;  // almost surely off the curve
  EXPECT_FALSE(decode_public_key(bad).has_value());
  BlsPublicKey infinity{};
  infinity.bytes[0] = 0xc0;  // compressed point at infinity
  EXPECT_FALSE(decode_public_key(infinity).has_value());
  BlsSignature sig = sk.sign(types::as_bytes("m"));
  BlsSignature bad_sig = sig;
  bad_sig.bytes[95] ^= 1;
  EXPECT_FALSE(decode_signature(bad_sig).has_value());
  EXPECT_FALSE(bls_verify(pk, types::as_bytes("m"), bad_sig));
}

TEST(Bls, ProofOfPossessionBindsKeyAndTag) {
  auto a = BlsSecretKey::from_seed(testing::seed_for(1));
  auto b = BlsSecretKey::from_seed(testing::seed_for(2));
  EXPECT_TRUE(bls_verify_possession(a.public_key(), a.prove_possession()));
  EXPECT_FALSE(bls_verify_possession(b.public_key(), a.prove_possession()));
  // A plain signature over the key bytes (signature tag) is not a POP.
  EXPECT_FALSE(bls_verify_possession(a.public_key(), a.sign(a.public_key().span())));
}

struct QcFixture {
  std::vector<BlsSecretKey> keys;
  std::vector<BlsPublicKeyPoint> points;
  explicit QcFixture(std::uint32_t n) {
    for (std::uint32_t i = 0; i < n; ++i) {
      keys.push_back(BlsSecretKey::from_seed(testing::seed_for(i)));
      points.push_back(*decode_public_key(keys.back().public_key()));
    }
  }
  std::vector<const BlsPublicKeyPoint*> pointers() const {
    std::vector<const BlsPublicKeyPoint*> out;
    for (const auto& p : points)
      out.push_back(&p);
    return out;
  }
};

TEST(Bls, SameMessageAggregateVerifies) {
  QcFixture f(7);
  Bytes msg = {1, 2, 3};
  std::vector<BlsSignature> sigs;
  for (const auto& k : f.keys)
    sigs.push_back(k.sign(msg));
  auto agg = aggregate_signatures(sigs);
  ASSERT_TRUE(agg);
  EXPECT_TRUE(verify_same_message(f.pointers(), msg, *agg));
  // Missing one key from the set: fails.
  auto fewer = f.pointers();
  fewer.pop_back();
  EXPECT_FALSE(verify_same_message(fewer, msg, *agg));
}

TEST(Bls, QcWithOneBadSignatureFails) {
  QcFixture f(4);
  Bytes msg = {9, 9};
  Bytes other = {9, 8};
  std::vector<BlsSignature> sigs;
  for (std::size_t i = 0; i < f.keys.size(); ++i)
    sigs.push_back(f.keys[i].sign(i == 2 ? other : msg));
  auto agg = aggregate_signatures(sigs);
  ASSERT_TRUE(agg);
  EXPECT_FALSE(verify_same_message(f.pointers(), msg, *agg));
}

TEST(Bls, RogueKeyAttackNeedsNoPopAndIsStoppedByIt) {
  // The attacker publishes pk_rogue = pk_attacker - pk_victim, so that
  // pk_victim + pk_rogue = pk_attacker and its own signature passes as an
  // aggregate "signed by both".
  auto victim = BlsSecretKey::from_seed(testing::seed_for(10));
  auto attacker = BlsSecretKey::from_seed(testing::seed_for(11));
  auto pv = *decode_public_key(victim.public_key());
  auto pa = *decode_public_key(attacker.public_key());
  blst_p1 neg_victim;
  blst_p1_from_affine(&neg_victim, &pv.point);
  blst_p1_cneg(&neg_victim, true);
  blst_p1 rogue;
  blst_p1_add_or_double_affine(&rogue, &neg_victim, &pa.point);
  BlsPublicKeyPoint rogue_point;
  blst_p1_to_affine(&rogue_point.point, &rogue);
  BlsPublicKey rogue_key = encode_public_key(rogue_point);

  Bytes msg = {4, 2};
  BlsSignature forged = attacker.sign(msg);
  std::vector<const BlsPublicKeyPoint*> both = {&pv, &rogue_point};
  EXPECT_TRUE(verify_same_message(both, msg, forged)) << "the attack works without POP";

  // With proofs of possession checked at load, the rogue key is refused:
  // the attacker cannot sign for pk_rogue, whatever it offers as a POP.
  EXPECT_FALSE(bls_verify_possession(rogue_key, attacker.prove_possession()));
  EXPECT_FALSE(bls_verify_possession(rogue_key, attacker.sign(rogue_key.span())));
  std::vector<types::ValidatorInfo> members(2);
  members[0].id = 0;
  members[0].bls_key = victim.public_key();
  members[0].bls_pop = victim.prove_possession();
  members[1].id = 1;
  members[1].bls_key = rogue_key;
  members[1].bls_pop = attacker.prove_possession();
  auto topology = types::Topology::make({types::Committee(0, members)});
  ASSERT_TRUE(topology);
  auto verifier = Verifier::make(SchemeKind::kBls, *topology);
  ASSERT_FALSE(verifier.has_value());
  EXPECT_NE(verifier.error().find("proof of possession"), std::string::npos) << verifier.error();
}

class BatchTest : public ::testing::TestWithParam<std::size_t> {};

TEST_P(BatchTest, BisectionFindsExactlyTheBadEntries) {
  QcFixture f(8);
  std::vector<Bytes> msgs;
  for (std::uint32_t i = 0; i < 64; ++i)
    msgs.push_back({static_cast<std::uint8_t>(i), 7});
  std::vector<BlsBatchItem> items;
  for (std::uint32_t i = 0; i < 64; ++i)
    items.push_back({&f.points[i % 8], msgs[i], f.keys[i % 8].sign(msgs[i])});
  testing::ThreadParallelism parallel(GetParam());
  EXPECT_TRUE(verify_batch(items, parallel));
  EXPECT_TRUE(find_invalid(items, parallel).empty());

  std::vector<std::size_t> bad = {0, 3, 17, 40, 63};
  items[0].signature = f.keys[1].sign(msgs[0]);  // wrong key
  items[3].signature = f.keys[3].sign(msgs[4]);  // wrong message
  items[17].signature.bytes[5] ^= 0x10;          // corrupt bytes
  items[40].signature = items[41].signature;     // valid point, wrong pair
  items[63].signature = BlsSignature{};          // not a point
  EXPECT_FALSE(verify_batch(items, parallel));
  EXPECT_EQ(find_invalid(items, parallel), bad);
}

TEST_P(BatchTest, SwappedSignaturesAreCaught) {
  // Two wrong signatures whose errors cancel in a plain sum: random scalars stop it.
  QcFixture f(2);
  Bytes m0 = {0}, m1 = {1};
  BlsSignature s0 = f.keys[0].sign(m0), s1 = f.keys[1].sign(m1);
  std::vector<BlsBatchItem> items = {{&f.points[0], m0, s1}, {&f.points[1], m1, s0}};
  testing::ThreadParallelism parallel(GetParam());
  EXPECT_FALSE(verify_batch(items, parallel));
  EXPECT_EQ(find_invalid(items, parallel), (std::vector<std::size_t>{0, 1}));
}

TEST_P(BatchTest, SignersOfOneMessageAreCheckedOneByOne) {
  // State votes: several validators sign each message. The batch folds a
  // message's signers into one pairing, each still with its own scalar: two
  // wrong signatures on one message whose errors cancel in a plain sum, or a
  // signature moved to another signer of the same message, are caught.
  QcFixture f(4);
  std::vector<Bytes> msgs;
  for (std::uint32_t m = 0; m < 12; ++m)
    msgs.push_back({static_cast<std::uint8_t>(m), 9});
  std::vector<BlsBatchItem> items;
  for (std::uint32_t m = 0; m < 12; ++m)
    for (std::uint32_t k = 0; k < 3; ++k)
      items.push_back({&f.points[(m + k) % 4], msgs[m], f.keys[(m + k) % 4].sign(msgs[m])});
  testing::ThreadParallelism parallel(GetParam());
  EXPECT_TRUE(verify_batch(items, parallel));

  // Items 3 and 4 sign message 1: add Δ to one and subtract it from the other.
  auto s3 = *decode_signature(items[3].signature), s4 = *decode_signature(items[4].signature);
  auto delta = *decode_signature(f.keys[0].sign(Bytes{0xde, 0x17}));
  blst_p2 a, b, d;
  blst_p2_from_affine(&a, &s3.point);
  blst_p2_from_affine(&b, &s4.point);
  blst_p2_from_affine(&d, &delta.point);
  blst_p2_add_or_double(&a, &a, &d);
  blst_p2_cneg(&d, true);
  blst_p2_add_or_double(&b, &b, &d);
  BlsSignaturePoint moved_a, moved_b;
  blst_p2_to_affine(&moved_a.point, &a);
  blst_p2_to_affine(&moved_b.point, &b);
  items[3].signature = encode_signature(moved_a);
  items[4].signature = encode_signature(moved_b);
  // Message 5: two signers' signatures swapped.
  std::swap(items[15].signature, items[16].signature);
  EXPECT_FALSE(verify_batch(items, parallel));
  EXPECT_EQ(find_invalid(items, parallel), (std::vector<std::size_t>{3, 4, 15, 16}));
}

INSTANTIATE_TEST_SUITE_P(Workers, BatchTest, ::testing::Values(1, 2, 3));

TEST(Bls, MessageGroupsVerifyOneAggregate) {
  QcFixture f(5);
  Bytes ma = {1}, mb = {2};
  std::vector<BlsSignature> sigs;
  for (std::size_t i = 0; i < 5; ++i)
    sigs.push_back(f.keys[i].sign(i < 3 ? ma : mb));
  auto agg = *aggregate_signatures(sigs);
  std::vector<BlsMessageGroup> groups = {{{&f.points[0], &f.points[1], &f.points[2]}, ma},
                                         {{&f.points[3], &f.points[4]}, mb}};
  EXPECT_TRUE(verify_message_groups(groups, agg));
  // Claiming signer 2 signed mb instead of ma fails.
  std::vector<BlsMessageGroup> wrong = {{{&f.points[0], &f.points[1]}, ma},
                                        {{&f.points[2], &f.points[3], &f.points[4]}, mb}};
  EXPECT_FALSE(verify_message_groups(wrong, agg));
}

TEST(Bls, PublicKeyCacheDecodesOnceAndStaysBounded) {
  PublicKeyCache cache(2);
  auto k1 = BlsSecretKey::from_seed(testing::seed_for(1)).public_key();
  auto k2 = BlsSecretKey::from_seed(testing::seed_for(2)).public_key();
  auto k3 = BlsSecretKey::from_seed(testing::seed_for(3)).public_key();
  ASSERT_TRUE(cache.get(k1));
  ASSERT_TRUE(cache.get(k1));
  EXPECT_EQ(cache.size(), 1u);
  ASSERT_TRUE(cache.get(k2));
  ASSERT_TRUE(cache.get(k3));
  EXPECT_LE(cache.size(), 2u);
  EXPECT_EQ(encode_public_key(*cache.get(k3)), k3);
  BlsPublicKey bad = k1;
  bad.bytes[10] ^= 0xff;
  EXPECT_FALSE(cache.get(bad));
}

}  // namespace
}  // namespace hyperscale::crypto
