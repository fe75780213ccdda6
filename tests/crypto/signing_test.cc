#include "crypto/signing.h"

#include <gtest/gtest.h>

#include <set>

#include "crypto/domains.h"

namespace hyperscale::crypto {
namespace {

TEST(Domains, PrefixesAreDistinctHashesOfTheirNames) {
  std::set<types::Hash> seen;
  for (int d = 0; d <= static_cast<int>(Domain::kTransactionNotarization); ++d) {
    auto domain = static_cast<Domain>(d);
    EXPECT_EQ(domain_prefix(domain),
              types::hash_bytes("HYPERSCALE_V1_" + std::string(domain_name(domain))));
    EXPECT_TRUE(seen.insert(domain_prefix(domain)).second);
  }
  EXPECT_EQ(seen.size(), 7u);
}

TEST(Signing, MessagesStartWithTheirDomain) {
  auto starts_with = [](const types::Bytes& m, Domain d) {
    const auto& p = domain_prefix(d);
    return m.size() >= 32 && std::equal(p.bytes.begin(), p.bytes.end(), m.begin());
  };
  types::Hash h = types::hash_bytes("x");
  EXPECT_TRUE(starts_with(block_header_message(h), Domain::kBlockHeader));
  EXPECT_TRUE(starts_with(block_vote_message(0, 1, 2, h, h), Domain::kBlockVote));
  EXPECT_TRUE(starts_with(timeout_message(0, 1, 0), Domain::kTimeout));
  EXPECT_TRUE(starts_with(state_provision_message({}), Domain::kStateProvision));
  EXPECT_TRUE(starts_with(state_vote_message({}), Domain::kStateVote));
  EXPECT_TRUE(starts_with(transaction_message(h), Domain::kTransactionNotarization));
}

TEST(Signing, VoteMessageCoversEveryField) {
  types::Hash b = types::hash_bytes("b"), p = types::hash_bytes("p");
  auto base = block_vote_message(1, 2, 3, b, p);
  EXPECT_NE(base, block_vote_message(2, 2, 3, b, p));
  EXPECT_NE(base, block_vote_message(1, 3, 3, b, p));
  EXPECT_NE(base, block_vote_message(1, 2, 4, b, p));
  EXPECT_NE(base, block_vote_message(1, 2, 3, p, p));
  EXPECT_NE(base, block_vote_message(1, 2, 3, b, b));
  EXPECT_NE(timeout_message(1, 5, 3), timeout_message(1, 5, 4));
  EXPECT_NE(timeout_message(1, 5, 3), timeout_message(2, 5, 3));
}

TEST(Signing, ProvisionMessageCoversContent) {
  types::ProvisionContent c;
  c.source_shard = 1;
  auto base = state_provision_message(c);
  auto c2 = c;
  c2.target_shard = 2;
  EXPECT_NE(base, state_provision_message(c2));
  auto c3 = c;
  c3.commit_timestamp_ms = 1;
  EXPECT_NE(base, state_provision_message(c3));
  auto c4 = c;
  c4.entries.push_back({{}, std::nullopt});  // an absent-key marker is content too
  EXPECT_NE(base, state_provision_message(c4));
}

}  // namespace
}  // namespace hyperscale::crypto
