#include "bft/bft_state.h"

#include <gtest/gtest.h>

#include "harness.h"

namespace hyperscale::bft {
namespace {

using testing::all_of;
using testing::Cluster;

std::vector<types::BlockVote> votes_in(const std::vector<core::Action>& actions) {
  std::vector<types::BlockVote> out;
  for (const auto& p : all_of<core::PersistSafetyThenSend>(actions))
    for (const auto& m : p.messages)
      if (const auto* s = std::get_if<core::SendMessage>(&m))
        if (const auto* v = std::get_if<types::BlockVote>(&s->message)) out.push_back(*v);
  return out;
}

TEST(BftState, VotesForAValidProposalAndPersistsFirst) {
  Cluster c(4);
  auto b1 = c.make_block(c.genesis(), 1, c.genesis_qc());
  auto out = c.deliver(1, 2, Cluster::proposal_of(b1));
  auto votes = votes_in(out);
  ASSERT_EQ(votes.size(), 1u);
  EXPECT_EQ(votes[0].block_hash, b1->hash());
  EXPECT_EQ(votes[0].parent_hash, c.genesis()->hash());
  auto persisted = all_of<core::PersistSafetyThenSend>(out);
  ASSERT_EQ(persisted.size(), 1u);
  EXPECT_EQ(persisted[0].state.highest_voted_round, 1u) << "the vote's round is written with it";
  // The vote goes to the leader of the next round.
  auto sends = persisted[0].messages;
  ASSERT_EQ(sends.size(), 1u);
  EXPECT_EQ(std::get<core::SendMessage>(sends[0]).to, c.leader(2));
  // The same proposal again: no second vote.
  EXPECT_TRUE(votes_in(c.deliver(1, 2, Cluster::proposal_of(b1))).empty());
}

TEST(BftState, ProposalFromTheWrongLeaderIsIgnored) {
  Cluster c(4);
  auto b1 = c.make_block(c.genesis(), 1, c.genesis_qc());
  auto p = std::make_shared<core::ProposalMessage>(*Cluster::proposal_of(b1));
  p->header.proposer = 3;  // not leader(1); signed by 1
  EXPECT_TRUE(c.deliver(3, 2, core::ProposalRef(p)).empty()) << "not even verified";
  EXPECT_EQ(c.node(2).stats().ignored[static_cast<std::size_t>(Ignored::kWrongLeader)], 1u);
}

TEST(BftState, TwoChainCommitOnlyOnConsecutiveRounds) {
  Cluster c(4);
  const types::ValidatorId observer = 2;
  // B1 (round 1) certified; round 2 times out (TC carries QC1); B3 (round 3)
  // extends B1 with TC(2). QC3 certifies B3 but 3 != 1 + 1: B1 must not commit.
  auto b1 = c.make_block(c.genesis(), 1, c.genesis_qc());
  auto qc1 = c.make_qc(b1, {0, 1, 2});
  auto tc2 = c.make_tc(2, {{0, qc1}, {1, qc1}, {3, qc1}});
  auto b3 = c.make_block(b1, 3, qc1, tc2);
  auto qc3 = c.make_qc(b3, {0, 1, 3});
  auto b4 = c.make_block(b3, 4, qc3);
  c.deliver(1, observer, Cluster::proposal_of(b1));
  c.deliver(3, observer, Cluster::proposal_of(b3));
  c.deliver(0, observer, Cluster::proposal_of(b4));
  EXPECT_EQ(c.node(observer).committed_height(), 0u) << "non-consecutive two-chain committed B1";
  EXPECT_EQ(c.node(observer).current_round(), 4u);
  // QC4 certifies B4 (round 4), whose parent B3 has round 3: B3 and B1 commit.
  auto qc4 = c.make_qc(b4, {1, 2, 3});
  auto b5 = c.make_block(b4, 5, qc4);
  auto out = c.deliver(1, observer, Cluster::proposal_of(b5));
  auto commits = all_of<core::CommitBlock>(out);
  ASSERT_EQ(commits.size(), 2u);
  EXPECT_EQ(commits[0].block->hash(), b1->hash());
  EXPECT_EQ(commits[1].block->hash(), b3->hash());
  EXPECT_EQ(commits[0].qc, qc1) << "each block commits with the QC that certifies it";
  EXPECT_EQ(commits[1].qc, qc3);
  EXPECT_EQ(c.node(observer).committed_height(), 2u);
}

// DESIGN §12.1, n = 4, validator 3 Byzantine (it signs whatever helps). B1 is
// certified; 0 and 1 vote B2 (round 2) and QC2 forms with 3's vote, unseen by
// the TC of round 2 that 1, 2 and 3 sign with QC1. The Byzantine leader of
// round 3 then proposes both B3' on B2 (with QC2) and B3 on B1 (with TC2), in
// different orders to each honest node, and each honest node times out round
// 3 in between. With a vote lock released on a local timeout, or a commit on
// non-consecutive rounds, B2 and B3 could both commit. Here: one vote per
// honest node in round 3, only one side can be certified, and every honest
// node commits the same chain.
TEST(BftState, ForkAttemptWithAdversarialDeliveryCommitsOneChain) {
  Cluster c(4);
  const types::ValidatorId byzantine = 3;
  ASSERT_EQ(c.leader(3), byzantine);
  auto b1 = c.make_block(c.genesis(), 1, c.genesis_qc());
  for (types::ValidatorId v : {0u, 1u, 2u})
    ASSERT_EQ(votes_in(c.deliver(b1->header().proposer, v, Cluster::proposal_of(b1))).size(), 1u);
  auto qc1 = c.make_qc(b1, {0, 1, 2});
  auto b2 = c.make_block(b1, 2, qc1);
  for (types::ValidatorId v : {0u, 1u})
    ASSERT_EQ(votes_in(c.deliver(b2->header().proposer, v, Cluster::proposal_of(b2))).size(), 1u);
  auto qc2 = c.make_qc(b2, {0, 1, byzantine});
  auto tc2 = c.make_tc(2, {{1, qc1}, {2, qc1}, {byzantine, qc1}});
  auto b3_on_b2 = c.make_block(b2, 3, qc2);
  auto b3_on_b1 = c.make_block(b1, 3, qc1, tc2);

  std::map<types::Hash, std::vector<types::ValidatorId>> round3_votes;
  auto offer = [&](types::ValidatorId v, const types::BlockRef& b) {
    for (const auto& vote : votes_in(c.deliver(byzantine, v, Cluster::proposal_of(b))))
      if (vote.round == 3) round3_votes[vote.block_hash].push_back(v);
  };
  auto time_out = [&](types::ValidatorId v) {
    c.settle(v, c.node(v).on_timer(c.now, core::TimerId::kRoundTimeout));
  };
  offer(0, b3_on_b2);
  time_out(0);
  offer(0, b3_on_b1);
  offer(1, b3_on_b1);
  time_out(1);
  offer(1, b3_on_b2);
  offer(2, b3_on_b1);
  time_out(2);
  offer(2, b3_on_b2);

  std::size_t honest_round3_votes = 0;
  for (const auto& [block, voters] : round3_votes)
    honest_round3_votes += voters.size();
  EXPECT_EQ(honest_round3_votes, 3u) << "each honest node votes once in round 3, timeouts or not";
  EXPECT_EQ(round3_votes[b3_on_b2->hash()], std::vector<types::ValidatorId>{0});
  EXPECT_EQ(round3_votes[b3_on_b1->hash()], (std::vector<types::ValidatorId>{1, 2}));
  // With 3's vote, B3 (on B1) has a quorum; B3' (on B2) has two votes at most.
  auto qc3 = c.make_qc(b3_on_b1, {1, 2, byzantine});
  auto b4 = c.make_block(b3_on_b1, 4, qc3);
  std::vector<types::ValidatorId> b4_voters;
  for (types::ValidatorId v : {2u, 0u, 1u})
    if (!votes_in(c.deliver(b4->header().proposer, v, Cluster::proposal_of(b4))).empty())
      b4_voters.push_back(v);
  ASSERT_GE(b4_voters.size() + 1, 3u) << "honest nodes follow the certified side";
  b4_voters.push_back(byzantine);
  auto qc4 = c.make_qc(b4, b4_voters);
  auto b5 = c.make_block(b4, 5, qc4);
  for (types::ValidatorId v : {1u, 0u, 2u})
    c.deliver(b5->header().proposer, v, Cluster::proposal_of(b5));
  // Node 0 saw B3 second, as an equivocation, so never took it into its
  // tree; QC3 makes it fetch B3 from a signer. Deliver what is queued.
  c.run();
  for (types::ValidatorId v : {0u, 1u, 2u}) {
    // QC4 certifies B4 (round 4) over B3 (round 3): B1 and B3 commit, so B2
    // (the other block at height 2) never can.
    EXPECT_GE(c.node(v).committed_height(), 2u) << v;
    auto tip = c.node(v).committed_hash();
    EXPECT_TRUE(tip == b3_on_b1->hash() || tip == b4->hash()) << v;
  }
}

TEST(BftState, ForgedVoteDoesNotBlockTheRealOne) {
  Cluster c(4);
  const types::ValidatorId leader = 2;  // leader of round 2 collects round-1 votes
  auto b1 = c.make_block(c.genesis(), 1, c.genesis_qc());
  c.deliver(1, leader, Cluster::proposal_of(b1));
  auto forged = c.vote(0, b1);
  forged.signature = c.signer(3).sign(crypto::block_vote_message(forged));  // 3 signs in 0's name
  c.deliver(0, leader, forged);
  c.deliver(1, leader, c.vote(1, b1));
  c.deliver(3, leader, c.vote(3, b1));
  EXPECT_EQ(c.node(leader).stats().qcs_formed, 0u);
  EXPECT_GE(c.node(leader).stats().invalid_messages, 1u);
  c.deliver(0, leader, c.vote(0, b1));
  EXPECT_EQ(c.node(leader).stats().qcs_formed, 1u) << "the real vote of 0 must still count";
  EXPECT_EQ(c.node(leader).safety().high_qc.block_hash, b1->hash());
  EXPECT_EQ(c.node(leader).current_round(), 2u);
}

TEST(BftState, AVoteSigningAnotherParentCannotSpoilTheQuorum) {
  Cluster c(4);
  const types::ValidatorId leader = 2;
  auto b1 = c.make_block(c.genesis(), 1, c.genesis_qc());
  // Validator 3 signs a vote for B1's hash with a made-up parent: a valid
  // signature over a different vote message.
  auto odd = c.vote(3, b1);
  odd.parent_hash = types::hash_bytes("elsewhere");
  odd.signature = c.signer(3).sign(crypto::block_vote_message(odd));
  c.deliver(3, leader, odd);
  c.deliver(0, leader, c.vote(0, b1));
  c.deliver(1, leader, c.vote(1, b1));
  EXPECT_EQ(c.node(leader).stats().qcs_formed, 0u);
  c.deliver(2, leader, c.vote(2, b1));
  EXPECT_EQ(c.node(leader).stats().qcs_formed, 1u);
  EXPECT_EQ(c.node(leader).safety().high_qc.parent_hash, c.genesis()->hash());
}

TEST(BftState, AStragglerTimingOutAnOldRoundIsHandedTheTc) {
  Cluster c(4);
  // 0, 1 and 2 time out round 1 and form TC(1); 3 hears none of it.
  for (types::ValidatorId v : {0u, 1u, 2u})
    c.settle(v, c.node(v).on_timer(c.now, core::TimerId::kRoundTimeout));
  c.run([](const testing::Envelope& e) {
    return e.to != 3 && !std::holds_alternative<core::TimeoutCertificateMessage>(e.message);
  });
  EXPECT_EQ(c.node(0).current_round(), 2u);
  EXPECT_EQ(c.node(3).current_round(), 1u);
  // 3 times out round 1 late; whoever gets its timeout answers with TC(1).
  c.settle(3, c.node(3).on_timer(c.now, core::TimerId::kRoundTimeout));
  c.run([](const testing::Envelope& e) { return e.from == 3 || e.to == 3; });
  EXPECT_EQ(c.node(3).current_round(), 2u);
}

TEST(BftState, UnverifiedCertificatesNeverMoveTheRound) {
  Cluster c(4);
  const types::ValidatorId observer = 2;
  auto b1 = c.make_block(c.genesis(), 1, c.genesis_qc());
  auto qc1 = c.make_qc(b1, {0, 1, 2});
  // A header of round 1000 justified by a QC whose signature is forged.
  auto fake_qc = qc1;
  fake_qc.round = 999;
  auto inflated = c.make_block(b1, 1000, fake_qc);
  c.deliver(0, observer, Cluster::proposal_of(inflated));
  EXPECT_EQ(c.node(observer).current_round(), 1u);
  // A QC with a forged parent hash (the votes signed another parent).
  auto forged_parent = qc1;
  forged_parent.parent_hash.bytes[0] ^= 0xff;
  auto b2 = c.make_block(b1, 2, forged_parent);
  c.deliver(2, observer, Cluster::proposal_of(b2));
  EXPECT_EQ(c.node(observer).current_round(), 1u);
  EXPECT_EQ(c.node(observer).stats().invalid_messages, 2u);
  EXPECT_TRUE(votes_in(c.deliver(2, observer, Cluster::proposal_of(b2))).empty());
  // A timeout for round 50 carrying the forged QC: ignored as well.
  c.deliver(3, observer, c.timeout(3, 50, fake_qc));
  c.deliver(1, observer, c.timeout(1, 50, fake_qc));
  EXPECT_EQ(c.node(observer).current_round(), 1u);
}

TEST(BftState, TimeoutsFormTcAndTheNextLeaderReproposes) {
  Cluster c(4);
  // Leader of round 1 (validator 1) is silent: every other node's timer fires.
  for (types::ValidatorId v : {0u, 2u, 3u})
    c.settle(v, c.node(v).on_timer(c.now, core::TimerId::kRoundTimeout));
  c.run([](const testing::Envelope& e) { return e.from != 1 && e.to != 1; });
  for (types::ValidatorId v : {0u, 2u, 3u}) {
    EXPECT_EQ(c.node(v).current_round(), 2u) << "validator " << v;
    EXPECT_EQ(c.node(v).stats().tcs_formed, 1u);
  }
  // With nothing to order, the leader of round 2 proposes at its next tick,
  // with TC(1) and the genesis QC; the others vote for it under the TC rule.
  EXPECT_EQ(c.node(2).stats().proposals, 0u);
  c.settle(2, c.node(2).on_timer(c.now, core::TimerId::kProposalTick));
  c.run([](const testing::Envelope& e) { return e.from != 1 && e.to != 1; });
  std::uint64_t votes = 0;
  for (types::ValidatorId v : {0u, 2u, 3u})
    votes += c.node(v).stats().votes_sent;
  EXPECT_EQ(c.node(2).stats().proposals, 1u);
  EXPECT_EQ(votes, 3u);
  EXPECT_GE(c.node(c.leader(3)).stats().qcs_formed, 1u);
}

TEST(BftState, JoinsATimeoutOnceMoreThanAThirdTimedOut) {
  Cluster c(4);
  // Validators 0 and 3 time out round 1; 2 has not yet, but f + 1 = 2 timeouts
  // make it join without waiting for its own timer.
  for (types::ValidatorId v : {0u, 3u})
    c.settle(v, c.node(v).on_timer(c.now, core::TimerId::kRoundTimeout));
  c.run([](const testing::Envelope& e) { return e.to == 2 && e.from != 1; });
  EXPECT_EQ(c.node(2).stats().timeouts_sent, 1u);
}

TEST(BftState, EquivocatingProposerIsReported) {
  Cluster c(4);
  auto b1 = c.make_block(c.genesis(), 1, c.genesis_qc());
  auto b1_other = c.make_block(c.genesis(), 1, c.genesis_qc(), std::nullopt, c.now + 1);
  ASSERT_NE(b1->hash(), b1_other->hash());
  c.deliver(1, 2, Cluster::proposal_of(b1));
  auto out = c.deliver(1, 2, Cluster::proposal_of(b1_other));
  auto evidence = all_of<core::EquivocationDetected>(out);
  ASSERT_EQ(evidence.size(), 1u);
  EXPECT_EQ(evidence[0].validator, 1u);
  EXPECT_TRUE(evidence[0].proposal);
  EXPECT_EQ(c.node(2).stats().votes_sent, 1u) << "voted once, for the first block only";
}

TEST(BftState, SyncsMissingBlocksAndCommitsThroughTheSameRule) {
  Cluster c(4);
  const types::ValidatorId late = 3;
  auto b1 = c.make_block(c.genesis(), 1, c.genesis_qc());
  auto qc1 = c.make_qc(b1, {0, 1, 2});
  auto b2 = c.make_block(b1, 2, qc1);
  auto qc2 = c.make_qc(b2, {0, 1, 2});
  auto b3 = c.make_block(b2, 3, qc2);
  auto qc3 = c.make_qc(b3, {0, 1, 2});
  auto b4 = c.make_block(b3, 4, qc3);
  // The late node only sees B4: it learns of QC3 above its tip and asks the
  // sender (which holds the blocks) to sync from height 1.
  const auto proposer = b4->header().proposer;
  auto out = c.deliver(proposer, late, Cluster::proposal_of(b4));
  std::optional<types::ValidatorId> asked;
  for (const auto& s : all_of<core::SendMessage>(out))
    if (const auto* r = std::get_if<core::SyncRequest>(&s.message)) {
      asked = s.to;
      EXPECT_EQ(r->from_height, 1u);
      EXPECT_EQ(r->count, 3u) << "up to the certified block, no further";
    }
  ASSERT_EQ(asked, std::optional<types::ValidatorId>(proposer));
  // A response whose QC does not certify its block is refused, and so is
  // one from a peer nobody asked.
  core::SyncResponse bad;
  bad.blocks = {{b1, qc2}};
  c.deliver(*asked, late, bad);
  EXPECT_EQ(c.node(late).committed_height(), 0u);
  // The refused answer moved the request on to another peer.
  std::optional<types::ValidatorId> again;
  for (auto& e : c.queue())
    if (e.from == late && std::holds_alternative<core::SyncRequest>(e.message)) again = e.to;
  ASSERT_TRUE(again.has_value());
  ASSERT_NE(*again, *asked);
  core::SyncResponse response;
  response.blocks = {{b1, qc1}, {b2, qc2}, {b3, qc3}};
  c.deliver(*asked, late, response);
  EXPECT_EQ(c.node(late).committed_height(), 0u) << "its request moved on: not asked any more";
  auto applied = c.deliver(*again, late, response);
  // B1 and B2 commit (B3 certified in the round after B2); B3 waits for its child.
  auto commits = all_of<core::CommitBlock>(applied);
  ASSERT_EQ(commits.size(), 2u);
  EXPECT_EQ(c.node(late).committed_height(), 2u);
  EXPECT_EQ(c.node(late).current_round(), 4u) << "synced QCs move the round";
  EXPECT_EQ(c.node(late).sync().in_flight(), 0u) << "the certified block is held: sync is done";
}

TEST(BftState, ALeaderThatMissedTheProposalFetchesTheBlockItCertified) {
  Cluster c(4);
  auto b1 = c.make_block(c.genesis(), 1, c.genesis_qc());
  const types::ValidatorId leader2 = c.leader(2);
  const types::ValidatorId proposer = b1->header().proposer;
  // Everyone but the next leader gets the proposal and votes to that leader.
  for (types::ValidatorId v = 0; v < c.size(); ++v)
    if (v != leader2) c.deliver(proposer, v, Cluster::proposal_of(b1));
  bool fetched = false;
  c.run([&](const testing::Envelope& e) {
    if (std::holds_alternative<core::BlockFetchRequest>(e.message)) {
      fetched = true;
      EXPECT_EQ(e.from, leader2);
      EXPECT_EQ(std::get<core::BlockFetchRequest>(e.message).block_hash, b1->hash());
    }
    return true;
  });
  EXPECT_TRUE(fetched) << "the leader asked a signer for the block its QC certifies";
  auto& n = c.node(leader2);
  ASSERT_TRUE(n.tree().contains(b1->hash()));
  EXPECT_EQ(n.safety().high_qc.block_hash, b1->hash());
  EXPECT_EQ(n.stats().timeouts_sent, 0u);
  // So it proposes round 2 on top of B1 at its next tick, without a view change.
  auto out = c.settle(leader2, n.on_timer(c.now, core::TimerId::kProposalTick));
  bool proposed = false;
  for (const auto& p : all_of<core::PersistSafetyThenSend>(out))
    for (const auto& m : p.messages)
      if (const auto* b = std::get_if<core::BroadcastMessage>(&m))
        if (const auto* prop = std::get_if<core::ProposalRef>(&b->message)) {
          proposed = true;
          EXPECT_EQ((*prop)->header.round, 2u);
          EXPECT_EQ((*prop)->header.parent_hash, b1->hash());
        }
  EXPECT_TRUE(proposed);
}

TEST(BftState, AnUnaskedOrWrongBlockInAFetchResponseIsIgnored) {
  Cluster c(4);
  auto b1 = c.make_block(c.genesis(), 1, c.genesis_qc());
  auto other = c.make_block(c.genesis(), 1, c.genesis_qc(), std::nullopt, c.now + 1);
  auto out = c.node(2).on_block_fetch_response(c.now, 1, core::BlockFetchResponse{other});
  EXPECT_TRUE(all_of<core::StartJob>(out).empty());
  out = c.node(2).on_block_fetch_response(c.now, 1, core::BlockFetchResponse{b1});
  EXPECT_TRUE(all_of<core::StartJob>(out).empty()) << "no QC held for it: nothing was asked";
  EXPECT_FALSE(c.node(2).tree().contains(b1->hash()));
}

}  // namespace
}  // namespace hyperscale::bft
