#include "crypto/ed25519.h"

#include <gtest/gtest.h>

#include "test_keys.h"

namespace hyperscale::crypto {
namespace {

// RFC 8032 section 7.1, test 1 (empty message) and test 2 (one byte).
TEST(Ed25519, Rfc8032Vectors) {
  struct Vector {
    const char *seed, *pk, *msg, *sig;
  };
  const Vector vectors[] = {
      {"9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
       "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
       "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701c"
       "f9b46bd25bf5f0595bbe24655141438e7a100b"},
      {"4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
       "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
       "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0"
       "f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
  };
  for (const auto& v : vectors) {
    auto seed = *types::from_hex(v.seed);
    std::array<std::uint8_t, 32> s{};
    std::copy(seed.begin(), seed.end(), s.begin());
    auto kp = Ed25519KeyPair::from_seed(s);
    EXPECT_EQ(kp.public_key().hex(), v.pk);
    auto msg = *types::from_hex(v.msg);
    auto sig = kp.sign(msg);
    EXPECT_EQ(sig.hex(), v.sig);
    EXPECT_TRUE(ed25519_verify(kp.public_key(), msg, sig));
    sig.bytes[0] ^= 1;
    EXPECT_FALSE(ed25519_verify(kp.public_key(), msg, sig));
  }
}

TEST(Ed25519, StrictVerificationRejectsNonCanonicalS) {
  auto kp = Ed25519KeyPair::from_seed(testing::seed_for(1));
  types::Bytes msg = {1, 2, 3};
  auto sig = kp.sign(msg);
  // S + L (group order) is the same scalar mod L but non-canonical.
  static constexpr std::uint8_t kOrder[32] = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58,
                                              0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
                                              0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                                              0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10};
  auto malleated = sig;
  unsigned carry = 0;
  for (int i = 0; i < 32; ++i) {
    unsigned sum = malleated.bytes[32 + i] + kOrder[i] + carry;
    malleated.bytes[32 + i] = static_cast<std::uint8_t>(sum);
    carry = sum >> 8;
  }
  EXPECT_TRUE(ed25519_verify(kp.public_key(), msg, sig));
  EXPECT_FALSE(ed25519_verify(kp.public_key(), msg, malleated));
  // The identity (a small-order point) as a public key is refused.
  types::Ed25519PublicKey identity{};
  identity.bytes[0] = 1;
  EXPECT_FALSE(ed25519_verify(identity, msg, sig));
}

types::TransactionPayload payload_for(const std::vector<Ed25519KeyPair>& keys) {
  types::TransactionPayload p;
  for (const auto& k : keys)
    p.signers.push_back(k.public_key());
  std::sort(p.signers.begin(), p.signers.end());
  p.instructions.push_back(types::Transfer{types::account_address(p.signers[0].span()),
                                           types::account_address(p.signers[1].span()),
                                           types::resource_address("xrd"), 5});
  p.nonce = 7;
  p.valid_until_ms = 1000;
  return p;
}

std::vector<Ed25519KeyPair> keys_in_signer_order(std::vector<Ed25519KeyPair> keys) {
  std::sort(keys.begin(), keys.end(),
            [](const auto& a, const auto& b) { return a.public_key() < b.public_key(); });
  return keys;
}

TEST(Ed25519, TransactionSignaturesOverIntent) {
  auto keys = keys_in_signer_order({Ed25519KeyPair::from_seed(testing::seed_for(1)),
                                    Ed25519KeyPair::from_seed(testing::seed_for(2))});
  auto payload = payload_for(keys);
  types::Transaction tx(payload, 0, sign_transaction(payload, keys));
  EXPECT_TRUE(verify_transaction_signatures(tx));
  // A retry (attempt + 1) keeps the intent, so the same signatures hold.
  types::Transaction retry(payload, 1, tx.signatures());
  EXPECT_TRUE(verify_transaction_signatures(retry));
  EXPECT_NE(retry.hash(), tx.hash());
  // Missing one required signature: invalid.
  auto sigs = tx.signatures();
  sigs[1] = sigs[0];
  EXPECT_FALSE(verify_transaction_signatures(types::Transaction(payload, 0, sigs)));
  sigs.pop_back();
  EXPECT_FALSE(verify_transaction_signatures(types::Transaction(payload, 0, sigs)));
  // Changing the payload breaks every signature.
  auto changed = payload;
  changed.nonce += 1;
  EXPECT_FALSE(verify_transaction_signatures(types::Transaction(changed, 0, tx.signatures())));
}

TEST(Ed25519, BatchHelpersSplitAcrossThreads) {
  std::vector<types::TransactionRef> txs;
  for (std::uint32_t i = 0; i < 40; ++i) {
    auto keys = keys_in_signer_order({Ed25519KeyPair::from_seed(testing::seed_for(2 * i)),
                                      Ed25519KeyPair::from_seed(testing::seed_for(2 * i + 1))});
    auto payload = payload_for(keys);
    auto sigs = sign_transaction(payload, keys);
    if (i % 7 == 3) sigs[0].bytes[9] ^= 4;
    txs.push_back(std::make_shared<types::Transaction>(payload, 0, sigs));
  }
  testing::ThreadParallelism two(2);
  Sequential one;
  auto a = verify_transactions(txs, two);
  auto b = verify_transactions(txs, one);
  EXPECT_EQ(a, b);
  for (std::size_t i = 0; i < txs.size(); ++i)
    EXPECT_EQ(a[i], i % 7 != 3) << i;

  std::vector<types::Bytes> msgs(10, types::Bytes{3});
  std::vector<Ed25519BatchItem> items;
  auto kp = Ed25519KeyPair::from_seed(testing::seed_for(99));
  for (std::size_t i = 0; i < msgs.size(); ++i)
    items.push_back({kp.public_key(), msgs[i], kp.sign(msgs[i])});
  items[4].signature.bytes[63] ^= 0x20;
  auto ok = ed25519_verify_batch(items, two);
  for (std::size_t i = 0; i < items.size(); ++i)
    EXPECT_EQ(ok[i], i != 4);
}

}  // namespace
}  // namespace hyperscale::crypto
