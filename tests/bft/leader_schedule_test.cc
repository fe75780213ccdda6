// Leader reputation (DESIGN §5 "Leader", bft/leader_schedule.h): a pure
// function of chain content that every holder of a block computes alike.

#include "bft/leader_schedule.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "harness.h"

namespace hyperscale::bft {
namespace {

using testing::Cluster;

core::LeaderRecord genesis_record(const types::Block& g) {
  core::LeaderRecord r;
  r.hash = g.hash();
  r.parent = g.header().parent_hash;
  return r;
}

/// A chain of blocks with the QC of each, over the cluster's committee.
struct Chain {
  explicit Chain(Cluster& cluster) : c(cluster) {
    blocks.push_back(c.genesis());
    qcs.push_back(c.genesis_qc());
  }
  Cluster& c;
  std::vector<types::BlockRef> blocks;
  std::vector<types::QuorumCertificate> qcs;

  /// A child of the last block at `round`, proposed by `proposer`, whose QC
  /// `signers` sign.
  types::BlockRef extend(types::Round round, types::ValidatorId proposer,
                         std::vector<types::ValidatorId> signers = {0, 1, 2}) {
    const auto& parent = blocks.back();
    types::BlockHeader h;
    h.shard = 0;
    h.height = parent->header().height + 1;
    h.round = round;
    h.parent_hash = parent->hash();
    h.justify = qcs.back();
    h.proposer = proposer;
    h.timestamp_ms = 1'000 + round;
    types::BlockBody body;
    h.roots = body.compute_roots();
    auto b = types::Block::assemble(std::move(h), std::move(body));
    blocks.push_back(b);
    qcs.push_back(c.make_qc(b, std::move(signers)));
    return b;
  }
};

LeaderSchedule fresh(const Cluster& c) {
  return LeaderSchedule(c.committee(), {genesis_record(*c.genesis())});
}

/// A chain of `length` blocks where every seventh round fails (skipped).
Chain long_chain(Cluster& c, std::size_t length) {
  Chain chain(c);
  types::Round round = 0;
  for (std::size_t i = 0; i < length; ++i) {
    round += (i % 7 == 6) ? 2 : 1;
    chain.extend(round, static_cast<types::ValidatorId>(round % 4));
  }
  return chain;
}

TEST(LeaderSchedule, RoundRobinUntilSomethingIsCommitted) {
  Cluster c(4);
  auto s = fresh(c);
  Chain chain(c);
  auto b1 = chain.extend(1, 1);
  ASSERT_TRUE(s.add(*b1));
  // B1's chain commits nothing yet (no QC inside it certifies a block with
  // a child in the next round).
  for (types::Round r = 2; r < 10; ++r)
    EXPECT_EQ(s.leader(r, b1->hash()), s.round_robin(r)) << r;
  EXPECT_FALSE(s.leader(2, types::hash_bytes("unknown")).has_value()) << "unheld block: no answer";
}

TEST(LeaderSchedule, EveryHolderNamesTheSameLeaderWhateverTheOrderItLearnt) {
  Cluster c(4);
  auto chain = long_chain(c, 60);
  auto in_order = fresh(c);
  for (std::size_t i = 1; i < chain.blocks.size(); ++i)
    ASSERT_TRUE(in_order.add(*chain.blocks[i]));
  // Another validator learns the blocks in a shuffled order (children first
  // wait for their parents), and asks about leaders in between, so its
  // caches fill in another order.
  auto shuffled = fresh(c);
  std::vector<types::BlockRef> pending(chain.blocks.begin() + 1, chain.blocks.end());
  std::mt19937 rng(7);
  std::shuffle(pending.begin(), pending.end(), rng);
  for (int pass = 0; !pending.empty() && pass < 1000; ++pass)
    std::erase_if(pending, [&](const types::BlockRef& b) {
      if (!shuffled.add(*b)) return false;
      (void)shuffled.leader(b->header().round + 3, b->hash());
      return true;
    });
  ASSERT_TRUE(pending.empty());
  std::size_t by_reputation = 0;
  for (std::size_t i = 1; i < chain.blocks.size(); ++i) {
    const auto& b = chain.blocks[i];
    EXPECT_EQ(*in_order.record(b->hash()), *shuffled.record(b->hash())) << i;
    for (types::Round r = b->header().round + 1; r < b->header().round + 6; ++r) {
      EXPECT_EQ(in_order.leader(r, b->hash()), shuffled.leader(r, b->hash())) << i << " " << r;
      if (in_order.leader(r, b->hash()) != in_order.round_robin(r)) ++by_reputation;
    }
  }
  EXPECT_GT(by_reputation, 50u) << "reputation, not round-robin, names most leaders";
}

TEST(LeaderSchedule, AValidatorThatNeverSignsNeverLeadsOnceAnythingCommitted) {
  Cluster c(4);
  Chain chain(c);
  auto s = fresh(c);
  std::size_t named = 0;
  for (types::Round r = 1; r <= 40; ++r) {
    auto b = chain.extend(r, static_cast<types::ValidatorId>(r % 3), {0, 1, 2});
    ASSERT_TRUE(s.add(*b));
    if (r < 3) continue;  // B's chain commits its grandparent from round 3 on
    for (types::Round next = r + 1; next < r + 4; ++next) {
      EXPECT_NE(s.leader(next, b->hash()), std::optional<types::ValidatorId>(3)) << r;
      ++named;
    }
  }
  EXPECT_GT(named, 100u);
}

TEST(LeaderSchedule, TheLeaderOfAFailedRoundRestsAndTheBlameIsCappedAtF) {
  Cluster c(4);  // f = 1
  Chain chain(c);
  auto s = fresh(c);
  for (types::Round r = 1; r <= 20; ++r)
    ASSERT_TRUE(s.add(*chain.extend(r, static_cast<types::ValidatorId>(r % 4), {0, 1, 2, 3})));
  const auto& tip = chain.blocks.back();
  // Round 21 fails: whoever tip names for it rests in round 22.
  auto failed = *s.leader(21, tip->hash());
  EXPECT_NE(*s.leader(22, tip->hash()), failed);
  // The chain resumes in round 22 and remembers the failure: the blocks
  // after it skip `failed` while it is the newest failure of the chain.
  auto after = chain.extend(22, *s.leader(22, tip->hash()), {0, 1, 2, 3});
  ASSERT_TRUE(s.add(*after));
  EXPECT_EQ(s.record(after->hash())->skipped_leaders, std::vector<types::ValidatorId>{failed});
  for (types::Round r = 23; r < 30; ++r) {
    const auto& b = chain.blocks.back();
    EXPECT_NE(*s.leader(r, b->hash()), failed) << r;
    ASSERT_TRUE(s.add(*chain.extend(r, *s.leader(r, b->hash()), {0, 1, 2, 3})));
  }
  // Two rounds fail in a row after a block: with f = 1 only the newer one's
  // leader rests for the next, besides the chain's newest failure.
  const auto& b = chain.blocks.back();
  auto second = *s.leader(b->header().round + 1, b->hash());
  auto third = *s.leader(b->header().round + 2, b->hash());
  ASSERT_NE(second, third);
  auto next = *s.leader(b->header().round + 3, b->hash());
  EXPECT_NE(next, third);
  EXPECT_NE(next, failed);
}

TEST(LeaderSchedule, AWithholderOfTheNextQcIsTheLeaderTheChainNamesAfterTheTc) {
  // The leader of round r + 1 named by the block of round r gets its votes;
  // if it withholds the QC, the others enter r + 1 through TC(r) and take
  // the leader that block's parent names for r + 1. With the stable anchor
  // and the rendezvous draw it is the same validator (so it is blamed for
  // its own failed round), unless it was the one blamed for round r.
  Cluster c(4);
  auto chain = long_chain(c, 300);
  auto s = fresh(c);
  for (std::size_t i = 1; i < chain.blocks.size(); ++i)
    ASSERT_TRUE(s.add(*chain.blocks[i]));
  std::size_t same = 0, checked = 0;
  for (std::size_t i = 2; i < chain.blocks.size(); ++i) {
    const auto* block = s.record(chain.blocks[i]->hash());
    const auto* parent = s.record(chain.blocks[i - 1]->hash());
    if (block->round != parent->round + 1) continue;
    if (block->anchor_height / limits::kReputationWindow !=
            parent->anchor_height / limits::kReputationWindow ||
        parent->anchor_height < limits::kReputationWindow)
      continue;  // the anchor moved between them
    auto r = block->round;
    auto withholder = *s.leader(r + 1, block->hash);
    if (withholder == *s.leader(r, parent->hash)) continue;  // it is the one blamed for r
    ++checked;
    if (*s.leader(r + 1, parent->hash) == withholder) ++same;
  }
  EXPECT_GT(checked, 10u);
  EXPECT_EQ(same, checked);
}

TEST(LeaderSchedule, PersistedRecordsNameTheSameLeadersAfterARestart) {
  Cluster c(4);
  auto chain = long_chain(c, 50);
  auto live = fresh(c);
  for (std::size_t i = 1; i < chain.blocks.size(); ++i)
    ASSERT_TRUE(live.add(*chain.blocks[i]));
  // Commit up to height 40 and reload from the records a storage would hold.
  std::vector<core::LeaderRecord> history;
  for (std::size_t i = 1; i <= 40; ++i)
    history.push_back(*live.record(chain.blocks[i]->hash()));
  LeaderSchedule restarted(c.committee(), history);
  for (std::size_t i = 41; i < chain.blocks.size(); ++i)
    ASSERT_TRUE(restarted.add(*chain.blocks[i]));
  for (std::size_t i = 41; i < chain.blocks.size(); ++i) {
    const auto& h = chain.blocks[i]->hash();
    EXPECT_EQ(*restarted.record(h), *live.record(h));
    for (types::Round r = chain.blocks[i]->header().round + 1;
         r < chain.blocks[i]->header().round + 4; ++r)
      EXPECT_EQ(restarted.leader(r, h), live.leader(r, h));
  }
}

}  // namespace
}  // namespace hyperscale::bft
