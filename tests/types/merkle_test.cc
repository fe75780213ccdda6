// Merkle roots and proofs, checked against an independent recursive
// definition of the tree (split at the largest power of two below n, which is
// the shape that promoting the odd last node level by level produces).

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <bit>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "types/generators.h"

namespace hyperscale::types {
namespace {

constexpr std::uint32_t kMaxTestedSize = 17;

Hash item(std::uint32_t i) {
  return hash_bytes("item " + std::to_string(i));
}

std::vector<Hash> items(std::uint32_t n) {
  std::vector<Hash> out;
  for (std::uint32_t i = 0; i < n; ++i)
    out.push_back(item(i));
  return out;
}

// --- the reference tree (from the description in merkle.h) ----------------------------

Hash ref_leaf(const Hash& x) {
  return Hasher().update_u8(0x00).update(x).finish();
}
Hash ref_node(const Hash& l, const Hash& r) {
  return Hasher().update_u8(0x01).update(l).update(r).finish();
}

/// Root of the subtree over `xs` (non-empty): left part is the largest power of two < n.
Hash ref_subtree(std::span<const Hash> xs) {
  if (xs.size() == 1) return ref_leaf(xs[0]);
  std::size_t k = std::bit_floor(xs.size() - 1);
  return ref_node(ref_subtree(xs.first(k)), ref_subtree(xs.subspan(k)));
}

/// The root commits to the leaf count, so a proof cannot claim another list size.
Hash ref_root(std::span<const Hash> xs) {
  if (xs.empty()) return Hash::zero();
  return Hasher()
      .update_u8(0x02)
      .update_u32(static_cast<std::uint32_t>(xs.size()))
      .update(ref_subtree(xs))
      .finish();
}

/// Number of siblings on the path of `index` in a tree of n leaves.
std::size_t ref_depth(std::size_t index, std::size_t n) {
  if (n == 1) return 0;
  std::size_t k = std::bit_floor(n - 1);
  return 1 + (index < k ? ref_depth(index, k) : ref_depth(index - k, n - k));
}

// --- roots ---------------------------------------------------------------------------------

TEST(MerkleRoot, MatchesTheReferenceForSizesUpTo17) {
  for (std::uint32_t n = 0; n <= kMaxTestedSize; ++n)
    EXPECT_EQ(merkle_root(items(n)), ref_root(items(n))) << "n = " << n;
}

TEST(MerkleRoot, EmptyListHasTheZeroRoot) {
  EXPECT_EQ(merkle_root({}), Hash::zero());
  EXPECT_NE(merkle_root(items(1)), Hash::zero());
}

TEST(MerkleRoot, AllSizesAndOrdersGiveDistinctRoots) {
  std::vector<Hash> roots;
  for (std::uint32_t n = 1; n <= kMaxTestedSize; ++n) {
    auto xs = items(n);
    roots.push_back(merkle_root(xs));
    if (n >= 2) {
      std::swap(xs[0], xs[n - 1]);
      roots.push_back(merkle_root(xs));
    }
  }
  std::sort(roots.begin(), roots.end());
  EXPECT_EQ(std::adjacent_find(roots.begin(), roots.end()), roots.end());
}

TEST(MerkleRoot, NoDuplicationOfTheOddLastNode) {
  // Duplicating the last node of an odd level would make [a, b, c] and
  // [a, b, c, c] share a root.
  for (std::uint32_t n = 1; n <= kMaxTestedSize; n += 2) {
    auto xs = items(n);
    auto padded = xs;
    padded.push_back(xs.back());
    EXPECT_NE(merkle_root(xs), merkle_root(padded)) << "n = " << n;
  }
}

TEST(MerkleTagging, LeafAndNodeCannotBeConfused) {
  Hash a = item(0);
  Hash b = item(1);
  EXPECT_EQ(merkle_leaf(a), ref_leaf(a));
  EXPECT_EQ(merkle_node(a, b), ref_node(a, b));
  EXPECT_NE(merkle_leaf(a), hash_bytes(a.span()));  // tagged, not the bare hash
  // The inner node of [a, b], offered as one item, is a different tree.
  Hash inner = merkle_node(merkle_leaf(a), merkle_leaf(b));
  const std::vector<Hash> two = {a, b};
  const std::vector<Hash> one = {inner};
  EXPECT_NE(merkle_root(two), merkle_root(one));
  // ...and no proof makes it a member of [a, b]: as a one-leaf list, or as an
  // item of a two-leaf list whose sibling is chosen freely.
  EXPECT_FALSE(merkle_verify(merkle_root(two), inner, MerkleProof{0, 1, {}}));
  EXPECT_FALSE(merkle_verify(merkle_root(two), inner, MerkleProof{0, 2, {merkle_leaf(b)}}));
  EXPECT_FALSE(
      merkle_verify(merkle_root(two), merkle_leaf(a), MerkleProof{0, 2, {merkle_leaf(b)}}));
}

// --- proofs --------------------------------------------------------------------------------

TEST(MerkleProofs, VerifyForEveryIndexOfEverySize) {
  for (std::uint32_t n = 1; n <= kMaxTestedSize; ++n) {
    auto xs = items(n);
    Hash root = merkle_root(xs);
    for (std::uint32_t i = 0; i < n; ++i) {
      MerkleProof p = merkle_prove(xs, i);
      EXPECT_EQ(p.index, i);
      EXPECT_EQ(p.leaf_count, n);
      EXPECT_EQ(p.siblings.size(), ref_depth(i, n)) << "n = " << n << " i = " << i;
      EXPECT_LE(p.siblings.size(), limits::kMaxMerkleProofDepth);
      EXPECT_TRUE(merkle_verify(root, xs[i], p)) << "n = " << n << " i = " << i;
      // The proof survives the wire.
      auto decoded = decode<MerkleProof>(encode(p));
      ASSERT_TRUE(decoded.has_value());
      EXPECT_TRUE(merkle_verify(root, xs[i], *decoded));
    }
  }
}

Hash flip(Hash h, std::size_t byte) {
  h.bytes[byte] ^= 0x01;
  return h;
}

TEST(MerkleProofs, FailWhenAnyByteOfItemSiblingOrRootChanges) {
  for (std::uint32_t n = 1; n <= kMaxTestedSize; ++n) {
    auto xs = items(n);
    Hash root = merkle_root(xs);
    for (std::uint32_t i = 0; i < n; ++i) {
      MerkleProof p = merkle_prove(xs, i);
      for (std::size_t b = 0; b < Hash::kSize; ++b) {
        EXPECT_FALSE(merkle_verify(root, flip(xs[i], b), p)) << n << "/" << i << " item " << b;
        EXPECT_FALSE(merkle_verify(flip(root, b), xs[i], p)) << n << "/" << i << " root " << b;
        for (std::size_t s = 0; s < p.siblings.size(); ++s) {
          MerkleProof q = p;
          q.siblings[s] = flip(q.siblings[s], b);
          EXPECT_FALSE(merkle_verify(root, xs[i], q)) << n << "/" << i << " sibling " << s;
        }
      }
      // Another item of the list is not at this index.
      for (std::uint32_t j = 0; j < n; ++j) {
        if (j != i) {
          EXPECT_FALSE(merkle_verify(root, xs[j], p)) << n << "/" << i << " item " << j;
        }
      }
    }
  }
}

TEST(MerkleProofs, FailWhenTheIndexOrLeafCountChanges) {
  for (std::uint32_t n = 1; n <= kMaxTestedSize; ++n) {
    auto xs = items(n);
    Hash root = merkle_root(xs);
    for (std::uint32_t i = 0; i < n; ++i) {
      MerkleProof p = merkle_prove(xs, i);
      // Any other claimed position, in a list of this or any other length.
      for (std::uint32_t count = 0; count <= 2 * kMaxTestedSize; ++count) {
        for (std::uint32_t index = 0; index <= 2 * kMaxTestedSize; ++index) {
          if (count == n && index == i) continue;
          MerkleProof q = p;
          q.index = index;
          q.leaf_count = count;
          EXPECT_FALSE(merkle_verify(root, xs[i], q))
              << "item " << i << " of " << n << " as " << index << " of " << count;
        }
      }
      // Any single byte of the encoded index or leaf count (bytes 0..7 of the encoding).
      Bytes enc = encode(p);
      for (std::size_t b = 0; b < 8; ++b) {
        for (std::uint8_t mask : {std::uint8_t{0x01}, std::uint8_t{0x80}}) {
          Bytes changed = enc;
          changed[b] = static_cast<std::uint8_t>(changed[b] ^ mask);
          auto q = decode<MerkleProof>(changed);
          if (q) {
            EXPECT_FALSE(merkle_verify(root, xs[i], *q)) << n << "/" << i << " byte " << b;
          }
        }
      }
    }
  }
}

TEST(MerkleProofs, LastOfFiveIsNotLastOfThree) {
  // Both paths are one left sibling above a promoted leaf: only the leaf count
  // in the root tells them apart.
  auto xs = items(5);
  MerkleProof p = merkle_prove(xs, 4);
  ASSERT_EQ(p.siblings.size(), 1u);
  EXPECT_TRUE(merkle_verify(merkle_root(xs), xs[4], p));
  EXPECT_FALSE(merkle_verify(merkle_root(xs), xs[4], MerkleProof{2, 3, p.siblings}));
}

TEST(MerkleProofs, FailWithASiblingMissingOrExtra) {
  for (std::uint32_t n = 1; n <= kMaxTestedSize; ++n) {
    auto xs = items(n);
    Hash root = merkle_root(xs);
    for (std::uint32_t i = 0; i < n; ++i) {
      MerkleProof p = merkle_prove(xs, i);
      MerkleProof extra = p;
      extra.siblings.push_back(item(99));
      EXPECT_FALSE(merkle_verify(root, xs[i], extra));
      if (!p.siblings.empty()) {
        MerkleProof missing = p;
        missing.siblings.pop_back();
        EXPECT_FALSE(merkle_verify(root, xs[i], missing));
      }
    }
  }
}

RC_GTEST_PROP(MerkleProofs, RandomListsProveEveryMember, ()) {
  auto n = *testgen::uniform_in<std::uint32_t>(1, 64);
  auto xs = *rc::gen::container<std::vector<Hash>>(n, rc::gen::arbitrary<Hash>());
  Hash root = merkle_root(xs);
  RC_ASSERT(root == ref_root(xs));
  auto i = *testgen::uniform_in<std::uint32_t>(0, n);
  MerkleProof p = merkle_prove(xs, i);
  RC_ASSERT(merkle_verify(root, xs[i], p));
  auto changed = *rc::gen::arbitrary<Hash>();
  RC_PRE(changed != xs[i]);
  RC_ASSERT(!merkle_verify(root, changed, p));
  xs[i] = changed;
  RC_ASSERT(merkle_root(xs) != root);
}

}  // namespace
}  // namespace hyperscale::types
