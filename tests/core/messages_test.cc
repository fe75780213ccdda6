// The wire codec of core::Message: every type round-trips canonically, the
// size shortcut matches the encoding, and malformed input is refused with a
// specific error instead of crashing.

#include "core/messages.h"

#include <gtest/gtest.h>

#include <set>

#include "core/message_samples.h"
#include "types/codec.h"

namespace hyperscale::core {
namespace {

using types::DecodeErrorCode;

TEST(MessageCodec, EveryTypeRoundTripsCanonically) {
  auto samples = testing::sample_messages();
  std::set<std::size_t> kinds;
  for (const auto& m : samples) {
    SCOPED_TRACE(message_type_name(m));
    kinds.insert(m.index());
    auto bytes = types::encode(m);
    EXPECT_EQ(encoded_size(m), bytes.size());
    auto decoded = types::decode<Message>(bytes);
    ASSERT_TRUE(decoded) << decoded.error().message();
    EXPECT_EQ(decoded->index(), m.index());
    EXPECT_EQ(types::encode(*decoded), bytes);
    EXPECT_EQ(message_type_name(*decoded), message_type_name(m));
  }
  EXPECT_EQ(kinds.size(), kMessageTypeCount) << "a sample of every message type";
}

TEST(MessageCodec, EveryTruncationIsRefused) {
  for (const auto& m : testing::sample_messages()) {
    SCOPED_TRACE(message_type_name(m));
    auto bytes = types::encode(m);
    for (std::size_t n = 0; n < bytes.size(); ++n) {
      auto decoded = types::decode<Message>(types::ByteSpan(bytes.data(), n));
      ASSERT_FALSE(decoded) << "prefix of " << n << " bytes decoded";
    }
    bytes.push_back(0);
    auto trailing = types::decode<Message>(bytes);
    ASSERT_FALSE(trailing);
    EXPECT_EQ(trailing.error().code, DecodeErrorCode::kTrailingBytes);
  }
}

TEST(MessageCodec, UnknownTagIsAnInvalidValue) {
  types::Bytes bytes{static_cast<std::uint8_t>(kMessageTypeCount)};
  auto decoded = types::decode<Message>(bytes);
  ASSERT_FALSE(decoded);
  EXPECT_EQ(decoded.error().code, DecodeErrorCode::kInvalidValue);
}

TEST(MessageCodec, SyncRequestsAboveTheResponseLimitAreRefused) {
  auto ok = types::encode(Message{SyncRequest{1, limits::kMaxSyncBlocksPerResponse}});
  EXPECT_TRUE(types::decode<Message>(ok));
  auto big = types::encode(Message{SyncRequest{1, limits::kMaxSyncBlocksPerResponse + 1}});
  auto decoded = types::decode<Message>(big);
  ASSERT_FALSE(decoded);
  EXPECT_EQ(decoded.error().code, DecodeErrorCode::kTooLarge);
}

TEST(MessageCodec, AFlippedByteNeverCrashesTheDecoder) {
  // Not a fuzzer (that is fuzz/message_fuzz.cc): every single-byte change of
  // every sample either decodes to something that re-encodes to itself or
  // is refused.
  for (const auto& m : testing::sample_messages()) {
    auto bytes = types::encode(m);
    for (std::size_t i = 0; i < bytes.size(); ++i) {
      auto mutated = bytes;
      mutated[i] ^= 0x41;
      auto decoded = types::decode<Message>(mutated);
      if (decoded) {
        EXPECT_EQ(types::encode(*decoded), mutated) << message_type_name(m) << " @" << i;
      }
    }
  }
}

TEST(ProposalMessage, RootsCommitToEveryHashList) {
  auto samples = testing::sample_messages();
  const auto& p = *std::get<ProposalRef>(samples[0]);
  // Same lists as the block body they describe.
  types::BlockBody body;
  body.txs = std::get<TransactionGossip>(samples[4]).txs;
  EXPECT_EQ(p.compute_roots(), body.compute_roots());
  auto moved = p;
  moved.retry_tx_hashes.push_back(moved.tx_hashes.back());
  moved.tx_hashes.pop_back();
  EXPECT_NE(moved.compute_roots(), p.compute_roots()) << "a hash in another section";
  auto fewer = p;
  fewer.tx_hashes.pop_back();
  EXPECT_NE(fewer.compute_roots(), p.compute_roots());
}

}  // namespace
}  // namespace hyperscale::core
