#include "types/hash_map.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <map>
#include <memory>
#include <set>

#include "types/hash_set.h"

namespace hyperscale::types {
namespace {

Hash key(std::uint32_t i) {
  return Hasher().update_u32(i).finish();
}

/// Keys whose home slot collides in a table with the identity mix (same top
/// 16 bits of prefix_u64), to exercise probe runs and backward-shift deletion
/// across the wrap-around (0xff.. homes to the last slot).
Hash colliding_key(std::uint32_t i) {
  Hash h = key(i);
  h.bytes[7] = 0xff;
  h.bytes[6] = 0xfe;
  return h;
}

TEST(HashMap, InsertFindErase) {
  HashMap<int> m;
  EXPECT_FALSE(m.contains(key(1)));
  EXPECT_TRUE(m.emplace(key(1), 10));
  EXPECT_FALSE(m.emplace(key(1), 11)) << "no overwrite";
  ASSERT_NE(m.find(key(1)), nullptr);
  EXPECT_EQ(*m.find(key(1)), 10);
  EXPECT_TRUE(m.erase(key(1)));
  EXPECT_FALSE(m.erase(key(1)));
  EXPECT_FALSE(m.contains(key(1)));
  EXPECT_TRUE(m.empty());
}

TEST(HashMap, CollidingKeysSurviveDeletesInTheirRun) {
  HashMap<std::uint32_t> m(TableMix::identity());
  for (std::uint32_t i = 0; i < 20; ++i)
    ASSERT_TRUE(m.emplace(colliding_key(i), i));
  for (std::uint32_t i = 0; i < 20; i += 3)
    ASSERT_TRUE(m.erase(colliding_key(i)));
  for (std::uint32_t i = 0; i < 20; ++i) {
    auto* v = m.find(colliding_key(i));
    if (i % 3 == 0) {
      EXPECT_EQ(v, nullptr) << i;
    } else {
      ASSERT_NE(v, nullptr) << i;
      EXPECT_EQ(*v, i);
    }
  }
}

RC_GTEST_PROP(HashMap, BehavesLikeStdMap, (const std::vector<std::pair<std::uint8_t, bool>>& ops)) {
  HashMap<std::uint32_t> m(TableMix::identity());
  std::map<Hash, std::uint32_t> model;
  std::uint32_t n = 0;
  for (const auto& [k, insert] : ops) {
    // Small key space and colliding keys: many hits, long runs.
    Hash h = k % 2 ? key(k) : colliding_key(k);
    if (insert) {
      RC_ASSERT(m.emplace(h, n) == model.emplace(h, n).second);
    } else {
      RC_ASSERT(m.erase(h) == (model.erase(h) == 1));
    }
    ++n;
    RC_ASSERT(m.size() == model.size());
  }
  for (std::uint32_t k = 0; k < 256; ++k)
    for (Hash h : {key(k), colliding_key(k)}) {
      auto it = model.find(h);
      auto* v = m.find(h);
      RC_ASSERT((it == model.end()) == (v == nullptr));
      if (v) RC_ASSERT(*v == it->second);
    }
}

TEST(HashMap, ForEachVisitsEveryEntryOnce) {
  HashMap<std::uint32_t> m;
  for (std::uint32_t i = 0; i < 100; ++i)
    m.emplace(i % 2 ? key(i) : colliding_key(i), i);
  m.erase(key(51));
  std::set<std::uint32_t> seen;
  m.for_each([&](const Hash& h, std::uint32_t v) {
    EXPECT_EQ(h, v % 2 ? key(v) : colliding_key(v));
    EXPECT_TRUE(seen.insert(v).second) << "visited twice: " << v;
  });
  EXPECT_EQ(seen.size(), 99U);
  EXPECT_FALSE(seen.contains(51));
}

TEST(HashMap, KeysChosenToCollideInLowBitsSpreadUnderTheProcessMix) {
  // 512 keys with the same low 32 bits of prefix (cheap to grind) would all
  // share one home slot under a low-bits index; the keyed mix spreads them.
  HashMap<std::uint32_t> m;
  std::set<std::size_t> homes;
  for (std::uint32_t i = 0; i < 512; ++i) {
    Hash h = key(i);
    for (std::size_t b = 0; b < 4; ++b)
      h.bytes[b] = 0x5a;
    m.emplace(h, i);
    homes.insert(static_cast<std::size_t>(TableMix::process().slot(h.prefix_u64(), 54)));
  }
  EXPECT_GT(homes.size(), 300u) << "in 1024 slots";
  EXPECT_EQ(m.size(), 512u);
}

TEST(HashMap, EraseReleasesTheValue) {
  auto value = std::make_shared<int>(7);
  HashMap<std::shared_ptr<int>> m;
  m.emplace(key(1), value);
  EXPECT_EQ(value.use_count(), 2);
  m.erase(key(1));
  EXPECT_EQ(value.use_count(), 1);
}

TEST(HashSet, ZeroHashIsAnOrdinaryMember) {
  HashSet s;
  EXPECT_FALSE(s.contains(Hash::zero()));
  EXPECT_TRUE(s.insert(Hash::zero()));
  EXPECT_FALSE(s.insert(Hash::zero()));
  EXPECT_TRUE(s.contains(Hash::zero()));
  EXPECT_FALSE(s.contains(key(0)));
  EXPECT_EQ(s.size(), 1U);
  EXPECT_TRUE(s.erase(Hash::zero()));
  EXPECT_FALSE(s.contains(Hash::zero()));
  EXPECT_TRUE(s.empty());
}

RC_GTEST_PROP(HashSet, BehavesLikeStdSet, (const std::vector<std::pair<std::uint8_t, bool>>& ops)) {
  HashSet s(TableMix::identity());
  std::set<Hash> model;
  auto pick = [](std::uint8_t k) {
    return k == 0 ? Hash::zero() : k % 2 ? key(k) : colliding_key(k);
  };
  for (const auto& [k, insert] : ops) {
    Hash h = pick(k);
    if (insert)
      RC_ASSERT(s.insert(h) == model.insert(h).second);
    else
      RC_ASSERT(s.erase(h) == (model.erase(h) == 1));
    RC_ASSERT(s.size() == model.size());
  }
  for (std::uint32_t k = 0; k < 256; ++k) {
    Hash h = pick(static_cast<std::uint8_t>(k));
    RC_ASSERT(s.contains(h) == model.contains(h));
  }
}

}  // namespace
}  // namespace hyperscale::types
