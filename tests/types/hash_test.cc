// BLAKE2b-256 (RFC 7693, 32-byte digest, no key) as every hash in the
// protocol uses it: known answers, and the incremental Hasher agreeing with
// the one-shot hash_bytes() however its input is split (both start from a
// copied initial state, so a reused or interleaved state would show here).

#include "types/hash.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace hyperscale::types {
namespace {

// Digests from an independent BLAKE2b implementation (Python's hashlib,
// blake2b(digest_size=32)).
TEST(Blake2b256, KnownAnswers) {
  EXPECT_EQ(hash_bytes(ByteSpan{}).hex(),
            "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8");
  EXPECT_EQ(hash_bytes(std::string_view("abc")).hex(),
            "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319");
  std::vector<std::uint8_t> kb(1024);
  for (std::size_t i = 0; i < kb.size(); ++i)
    kb[i] = static_cast<std::uint8_t>(i);
  EXPECT_EQ(hash_bytes(ByteSpan(kb.data(), kb.size())).hex(),
            "f1551feeb252c7e60bb362205bd1ac2f70b145260a91d41e8c5d0a187549a5f2");
}

TEST(Blake2b256, HasherMatchesOneShotForEverySplit) {
  std::vector<std::uint8_t> data(300);
  for (std::size_t i = 0; i < data.size(); ++i)
    data[i] = static_cast<std::uint8_t>(i * 7 + 3);
  const Hash whole = hash_bytes(ByteSpan(data.data(), data.size()));
  for (std::size_t cut = 0; cut <= data.size(); cut += 13) {
    Hasher h;
    h.update(ByteSpan(data.data(), cut)).update(ByteSpan(data.data() + cut, data.size() - cut));
    EXPECT_EQ(h.finish(), whole) << "split at " << cut;
  }
}

TEST(Blake2b256, InterleavedHashersDoNotShareState) {
  Hasher a, b;
  a.update(std::string_view("a"));
  b.update(std::string_view("ab"));
  a.update(std::string_view("bc"));
  b.update(std::string_view("c"));
  const Hash ha = a.finish();
  const Hash hb = b.finish();
  EXPECT_EQ(ha, hash_bytes(std::string_view("abc")));
  EXPECT_EQ(hb, hash_bytes(std::string_view("abc")));
  // A fresh hasher after others finished starts from the empty message.
  EXPECT_EQ(Hasher().finish(), hash_bytes(ByteSpan{}));
}

}  // namespace
}  // namespace hyperscale::types
