// Consensus hardening: bounds on what one peer can make a validator hold or
// check (limits.h), certificates formed locally pass the receivers' checks,
// blocks from the future are held (not dropped), and a validator restarted
// from any safety record it persisted votes, times out and catches up.

#include <gtest/gtest.h>

#include <random>

#include "bft/bft_state.h"
#include "core/message_samples.h"
#include "harness.h"

namespace hyperscale::bft {
namespace {

using testing::all_of;
using testing::Cluster;

std::size_t jobs_in(const std::vector<core::Action>& actions) {
  return all_of<core::StartJob>(actions).size();
}

std::uint64_t ignored(const BftState& n, Ignored why) {
  return n.stats().ignored[static_cast<std::size_t>(why)];
}

types::Hash nth_hash(std::uint64_t i) {
  return types::Hasher().update(std::string_view("flood")).update_u64(i).finish();
}

// --- §4: work and memory a peer can cause are bounded ------------------------------------

TEST(Bounds, VotesForDistinctBlocksFromOneVoterKeepOneCollector) {
  Cluster c(4);
  auto& leader = c.node(2);  // leader of round 2 collects round-1 votes
  std::size_t jobs = 0;
  constexpr std::uint64_t kFlood = 200'000;
  for (std::uint64_t i = 0; i < kFlood; ++i) {
    types::BlockVote v{0, 1, 1, nth_hash(i), c.genesis()->hash(), 3, {}};
    jobs += jobs_in(leader.on_vote(c.now, 3, v));
  }
  auto m = leader.memory();
  EXPECT_EQ(m.vote_collectors, 1u) << "one vote message per voter and round enters a collector";
  EXPECT_EQ(m.votes, 1u);
  EXPECT_EQ(m.voter_rounds, 1u);
  EXPECT_EQ(jobs, 0u) << "one voter alone is never a quorum: nothing is verified";
  EXPECT_EQ(ignored(leader, Ignored::kOverLimit), kFlood - 2) << "the first, and one as evidence";
}

TEST(Bounds, VotesForFarRoundsAreNotKept) {
  Cluster c(4);
  auto& n = c.node(1);
  for (types::Round r = 1; r <= 5'000; ++r) {
    types::BlockVote v{0, r, r, nth_hash(r), nth_hash(r + 1), 3, {}};
    n.on_vote(c.now, 3, v);
  }
  EXPECT_LE(n.memory().voter_rounds, limits::kMaxRoundsAhead + 1);
  EXPECT_EQ(ignored(n, Ignored::kTooFarAhead), 5'000 - limits::kMaxRoundsAhead - 1);
}

TEST(Bounds, AVoterWhoseVotesFailVerificationIsIgnoredForTheRound) {
  // Every member collects votes once a round times out: a voter sending bad
  // signatures must not cost a verification each (a forged copy still must
  // not block its real vote: ForgedVoteDoesNotBlockTheRealOne).
  Cluster c(4);
  const types::ValidatorId leader = 2;
  auto b1 = c.make_block(c.genesis(), 1, c.genesis_qc());
  c.deliver(1, leader, Cluster::proposal_of(b1));
  c.queue().clear();
  c.deliver(0, leader, c.vote(0, b1));
  c.deliver(1, leader, c.vote(1, b1));
  std::size_t jobs = 0;
  for (int i = 0; i < 50; ++i) {
    auto bad = c.vote(3, b1);
    bad.signature = c.signer(1).sign(crypto::block_vote_message(bad));
    auto out = c.node(leader).on_vote(c.now, 3, bad);
    jobs += jobs_in(out);
    c.settle(leader, std::move(out));
  }
  EXPECT_EQ(jobs, limits::kMaxFailedVotesPerVoterRound) << "one check per allowed failure";
  EXPECT_EQ(c.node(leader).stats().qcs_formed, 0u);
  // The honest quorum still forms without 3.
  c.deliver(2, leader, c.vote(2, b1));
  EXPECT_EQ(c.node(leader).stats().qcs_formed, 1u);
}

TEST(Bounds, TimeoutsFromOneVoterKeepOnePerRoundAndProbeOneAtATime) {
  Cluster c(4);
  auto& n = c.node(0);
  // Many different timeouts for round 1 from one voter: one is kept.
  for (std::uint64_t i = 0; i < 10'000; ++i) {
    auto t = c.timeout(3, 1, c.genesis_qc());
    t.signature.bytes[0] = static_cast<std::uint8_t>(i);
    t.signature.bytes[1] = static_cast<std::uint8_t>(i >> 8);
    EXPECT_EQ(jobs_in(n.on_timeout(c.now, 3, t)), 0u);
  }
  EXPECT_EQ(n.memory().timeouts, 1u);
  // Timeouts for rounds far ahead, each carrying a (forged) QC of its round:
  // none is kept, and their certificates are checked one at a time.
  std::size_t probes = 0;
  for (types::Round r = 100; r < 10'100; ++r) {
    auto qc = c.genesis_qc();
    qc.round = r - 1;
    qc.height = r - 1;
    qc.block_hash = nth_hash(r);
    qc.signers = types::SignerBitfield(4);
    auto t = c.timeout(3, r, qc);
    probes += jobs_in(n.on_timeout(c.now, 3, t));
  }
  EXPECT_EQ(probes, limits::kMaxProbesInFlight);
  EXPECT_LE(n.memory().timeout_rounds, limits::kMaxRoundsAhead + 1);
}

TEST(Bounds, TimeoutCertificatesForDistinctRoundsAreCheckedWithinTheWindowOnly) {
  Cluster c(4);
  auto& n = c.node(0);
  std::size_t jobs = 0;
  for (types::Round r = 1; r < 20'000; ++r) {
    auto tc = c.make_tc(1, {{0, c.genesis_qc()}, {1, c.genesis_qc()}, {2, c.genesis_qc()}});
    tc.round = r;  // signatures no longer match: each would fail verification
    jobs += jobs_in(n.on_timeout_certificate(c.now, 3, tc));
  }
  EXPECT_LE(jobs, limits::kMaxRoundsAhead + 1 + limits::kMaxProbesInFlight);
  EXPECT_LE(n.memory().evidence, limits::kMaxRoundsAhead + 1);
}

TEST(Bounds, ProposalsFromTheLeaderAreVerifiedTwicePerRoundAtMost) {
  Cluster c(4);
  auto& n = c.node(2);
  std::size_t jobs = 0;
  for (std::uint64_t i = 0; i < 10'000; ++i) {
    auto b = c.make_block(c.genesis(), 1, c.genesis_qc(), std::nullopt, 1'000 + i);
    jobs += jobs_in(n.on_proposal(c.now, b->header().proposer, Cluster::proposal_of(b)));
  }
  EXPECT_EQ(jobs, limits::kMaxProposalsPerProposerRound);
  EXPECT_LE(n.memory().proposals_in_flight, limits::kMaxProposalsPerProposerRound);
}

TEST(Bounds, EquivocationProofsAreCheckedOncePerRoundAndProposer) {
  Cluster c(4);
  auto& n = c.node(0);
  std::size_t jobs = 0;
  for (std::uint64_t i = 0; i < 5'000; ++i) {
    auto a = c.make_block(c.genesis(), 1, c.genesis_qc(), std::nullopt, 2'000 + i);
    auto b = c.make_block(c.genesis(), 1, c.genesis_qc(), std::nullopt, 9'000 + i);
    jobs += jobs_in(n.on_equivocation_proof(c.now, 3, {a->header(), b->header()}));
  }
  EXPECT_EQ(jobs, 1u);
}

TEST(Bounds, ResponsesAreTakenOnlyFromThePeerAskedAndOnlyForWhatWasAsked) {
  Cluster c(4);
  auto& n = c.node(3);
  auto b1 = c.make_block(c.genesis(), 1, c.genesis_qc());
  auto qc1 = c.make_qc(b1, {0, 1, 2});
  // Nothing was asked: no sync answer, block or transactions are verified.
  EXPECT_EQ(jobs_in(n.on_sync_response(c.now, 1, core::SyncResponse{{{b1, qc1}}})), 0u);
  EXPECT_EQ(jobs_in(n.on_block_fetch_response(c.now, 1, core::BlockFetchResponse{b1})), 0u);
  EXPECT_EQ(
      jobs_in(n.on_fetch_response(c.now, 1, {b1->hash(), {hyperscale::testing::sample_tx(1)}})),
      0u);
  EXPECT_EQ(ignored(n, Ignored::kNotAsked), 3u);
  EXPECT_EQ(n.memory().sync_requests, 0u);
}

TEST(Bounds, ASyncAnswerIsCheckedCheapestFirst) {
  // A block with a forged QC and transactions: the QC fails before any
  // transaction signature is looked at.
  Cluster c(4);
  auto b1 = c.make_block(c.genesis(), 1, c.genesis_qc());
  types::BlockBody body;
  body.txs = {hyperscale::testing::sample_tx(1), hyperscale::testing::sample_tx(2)};
  std::sort(body.txs.begin(), body.txs.end(),
            [](const auto& x, const auto& y) { return x->hash() < y->hash(); });
  auto h = b1->header();
  h.roots = body.compute_roots();
  h.proposer_signature = c.signer(h.proposer).sign(crypto::block_header_message(h.compute_hash()));
  auto with_txs = types::Block::assemble(h, body);
  ASSERT_TRUE(with_txs);
  auto qc = c.make_qc(with_txs, {0, 1, 2});
  auto forged = qc;
  forged.signature.bytes[3] ^= 0x40;
  auto bad = std::get<core::SyncBlocksVerified>(
      c.run_job(core::VerifySyncBlocksJob{0, {{with_txs, forged}}, false, {}}));
  EXPECT_TRUE(bad.blocks.empty());
  EXPECT_EQ(bad.tx_signatures_checked, 0u);
  auto good = std::get<core::SyncBlocksVerified>(
      c.run_job(core::VerifySyncBlocksJob{0, {{with_txs, qc}}, false, {}}));
  EXPECT_EQ(good.blocks.size(), 1u);
  EXPECT_EQ(good.tx_signatures_checked, 2u);
}

TEST(Bounds, FetchesAreServedFromTheNamedBlockByIndex) {
  Cluster c(4);
  // Node 1 proposes round 1 with two transactions; node 2 assembles it from
  // its own copies (the mempool here is empty, so the leader's block is used).
  auto b1 = c.make_block(c.genesis(), 1, c.genesis_qc());
  c.deliver(b1->header().proposer, 2, Cluster::proposal_of(b1));
  auto tx = hyperscale::testing::sample_tx(1);
  EXPECT_EQ(c.node(2).find_block_transaction(b1->hash(), tx->hash()), nullptr)
      << "not in that block";
  EXPECT_EQ(c.node(2).find_block_transaction(nth_hash(1), tx->hash()), nullptr)
      << "an unknown block serves nothing";
}

// --- §3: a certificate formed locally passes the receivers' checks ------------------------

TEST(Certificates, ATcFormedWhileAByzantineVoterSentTwoTimeoutsIsValidForOthers) {
  // Everyone is in round 2 (TC of round 1, high QC genesis), and round 2
  // fails. Validator 2 verifies the timeouts of 0 and 1; while that job is
  // in flight, Byzantine 3 sends it two timeouts for round 2 with different
  // high QCs: genesis, and QC1 (a QC for B1 that only it holds).
  Cluster c(4);
  const types::ValidatorId collector = 2;
  auto& n = c.node(collector);
  auto tc1 = c.make_tc(1, {{0, c.genesis_qc()}, {1, c.genesis_qc()}, {3, c.genesis_qc()}});
  c.deliver(0, collector, core::TimeoutCertificateMessage{tc1});
  c.queue().clear();
  ASSERT_EQ(n.current_round(), 2u);
  auto b1 = c.make_block(c.genesis(), 1, c.genesis_qc());
  auto qc1 = c.make_qc(b1, {0, 1, 3});
  std::vector<core::Job> pending;
  auto take = [&](const std::vector<core::Action>& actions) {
    for (const auto& a : actions)
      if (const auto* j = std::get_if<core::StartJob>(&a)) pending.push_back(j->job);
  };
  take(n.on_timeout(c.now, 0, c.timeout(0, 2, c.genesis_qc(), tc1)));
  take(n.on_timeout(c.now, 1, c.timeout(1, 2, c.genesis_qc(), tc1)));
  ASSERT_EQ(pending.size(), 1u) << "the honest timeouts are in a job";
  take(n.on_timeout(c.now, 3, c.timeout(3, 2, c.genesis_qc(), tc1)));
  take(n.on_timeout(c.now, 3, c.timeout(3, 2, qc1, tc1)));
  EXPECT_EQ(pending.size(), 1u);
  EXPECT_EQ(n.memory().timeouts, 3u) << "0 and 1 in the job, 3's first timeout waiting";
  // Run the jobs as results arrive; the collector joins (times out itself)
  // and its own timeout comes back to it over the loopback.
  std::optional<types::TimeoutCertificate> formed;
  for (std::size_t i = 0; i < pending.size() && i < 16; ++i) {
    auto result = c.run_job(pending[i]);
    if (const auto* tv = std::get_if<core::TimeoutsVerified>(&result); tv && tv->tc)
      formed = tv->tc->get();
    auto out = n.on_job(c.now, result);
    take(out);
    for (const auto& p : all_of<core::PersistSafetyThenSend>(out))
      for (const auto& m : p.messages)
        if (const auto* send = std::get_if<core::SendMessage>(&m); send && send->to == collector)
          take(n.on_timeout(c.now, collector, std::get<types::Timeout>(send->message)));
  }
  ASSERT_TRUE(formed.has_value()) << "0, 1, 2 and 3 time out: a TC forms";
  EXPECT_FALSE(types::tc_problem(*formed).has_value());
  EXPECT_EQ(formed->high_qc.round, formed->max_high_qc_round());
  EXPECT_EQ(n.current_round(), 3u);
  // Every other validator takes it.
  c.deliver(collector, 0, core::TimeoutCertificateMessage{*formed});
  EXPECT_EQ(c.node(0).current_round(), 3u);
}

TEST(Certificates, FormingATcIgnoresASecondTimeoutOfTheSameVoter) {
  // crypto::form_tc given two timeouts of one voter with different high QCs
  // takes the first, and carries the QC of the highest round it signed.
  Cluster c(4);
  auto b1 = c.make_block(c.genesis(), 1, c.genesis_qc());
  auto qc1 = c.make_qc(b1, {0, 1, 2});
  auto v = [&](types::Timeout t) {
    return *crypto::verify_timeout(c.verifier(), t, c.genesis()->hash());
  };
  std::vector<crypto::Verified<types::Timeout>> ts = {
      v(c.timeout(0, 2, c.genesis_qc())), v(c.timeout(1, 2, c.genesis_qc())),
      v(c.timeout(3, 2, c.genesis_qc())), v(c.timeout(3, 2, qc1))};
  auto tc = crypto::form_tc(c.verifier(), ts);
  ASSERT_TRUE(tc.has_value());
  EXPECT_FALSE(types::tc_problem(tc->get()).has_value());
  EXPECT_EQ(tc->get().high_qc.round, 0u);
  EXPECT_TRUE(crypto::verify_tc(c.verifier(), tc->get(), c.genesis()->hash()).has_value());
}

TEST(Certificates, AnHonestValidatorSendsTheSameTimeoutAgainAfterItsHighQcRose) {
  // Validator 3 enters round 2 by TC(1) and times it out (high QC genesis).
  // Then it learns QC1 from round 2's proposal (it can no longer vote in
  // round 2). The next expiry re-sends the same timeout: two different
  // timeouts of one honest validator for one round could make a collector
  // form a TC whose QC is not of its highest signed round.
  Cluster c(4);
  const types::ValidatorId v = 3;
  auto& n = c.node(v);
  auto tc1 = c.make_tc(1, {{0, c.genesis_qc()}, {1, c.genesis_qc()}, {2, c.genesis_qc()}});
  c.deliver(0, v, core::TimeoutCertificateMessage{tc1});
  c.queue().clear();
  ASSERT_EQ(n.current_round(), 2u);
  auto first = c.settle(v, n.on_timer(c.now, core::TimerId::kRoundTimeout));
  auto persisted = all_of<core::PersistSafetyThenSend>(first);
  ASSERT_EQ(persisted.size(), 1u);
  auto timeout =
      std::get<types::Timeout>(std::get<core::BroadcastMessage>(persisted[0].messages[0]).message);
  EXPECT_EQ(timeout.high_qc.round, 0u);
  auto b1 = c.make_block(c.genesis(), 1, c.genesis_qc());
  auto qc1 = c.make_qc(b1, {0, 1, 2});
  c.deliver(b1->header().proposer, v, Cluster::proposal_of(b1));
  auto b2 = c.make_block(b1, 2, qc1);
  c.deliver(b2->header().proposer, v, Cluster::proposal_of(b2));
  c.queue().clear();
  ASSERT_EQ(n.safety().high_qc.round, 1u) << "its high QC rose";
  ASSERT_EQ(n.current_round(), 2u);
  c.now += 3'500;
  auto again = c.settle(v, n.on_timer(c.now, core::TimerId::kRoundTimeout));
  EXPECT_TRUE(all_of<core::PersistSafetyThenSend>(again).empty()) << "nothing new is signed";
  auto resent = all_of<core::BroadcastMessage>(again);
  ASSERT_EQ(resent.size(), 1u);
  EXPECT_EQ(std::get<types::Timeout>(resent[0].message), timeout) << "the very same timeout";
  EXPECT_EQ(n.stats().timeouts_sent, 1u);
}

// --- timeout votes: a collector cannot fail a round for the leader before it ---------------

TEST(TimeoutVotes, ARoundThatTimesOutSendsItsVoteToEveryoneBeforeItsTimeout) {
  Cluster c(4);
  const types::ValidatorId voter = 0;
  auto b1 = c.make_block(c.genesis(), 1, c.genesis_qc());
  auto voted = c.deliver(b1->header().proposer, voter, Cluster::proposal_of(b1));
  ASSERT_EQ(all_of<core::PersistSafetyThenSend>(voted).size(), 1u) << "it voted for B1";
  c.queue().clear();
  auto out = c.settle(voter, c.node(voter).on_timer(c.now, core::TimerId::kRoundTimeout));
  auto persisted = all_of<core::PersistSafetyThenSend>(out);
  ASSERT_EQ(persisted.size(), 1u);
  const auto& m = persisted[0].messages;
  ASSERT_EQ(m.size(), 4u) << "vote to all and itself, then the timeout to all and itself";
  const auto& first = std::get<core::BroadcastMessage>(m[0]).message;
  ASSERT_TRUE(std::holds_alternative<types::BlockVote>(first));
  EXPECT_EQ(std::get<types::BlockVote>(first), c.vote(voter, b1));
  EXPECT_TRUE(
      std::holds_alternative<types::Timeout>(std::get<core::BroadcastMessage>(m[2]).message));
  // A node that did not vote in the round sends its timeout only.
  auto idle = c.settle(3, c.node(3).on_timer(c.now, core::TimerId::kRoundTimeout));
  auto idle_persisted = all_of<core::PersistSafetyThenSend>(idle);
  ASSERT_EQ(idle_persisted.size(), 1u);
  EXPECT_EQ(idle_persisted[0].messages.size(), 2u);
  // The next expiry re-sends both, the vote first, and signs nothing new.
  c.now += 2'000;
  auto again = c.settle(voter, c.node(voter).on_timer(c.now, core::TimerId::kRoundTimeout));
  EXPECT_TRUE(all_of<core::PersistSafetyThenSend>(again).empty());
  auto resent = all_of<core::BroadcastMessage>(again);
  ASSERT_EQ(resent.size(), 2u);
  EXPECT_TRUE(std::holds_alternative<types::BlockVote>(resent[0].message));
}

TEST(TimeoutVotes, ANodeThatDoesNotCollectFormsTheQcFromVotesSentToAll) {
  // Round 1's collector (the leader of round 2) withholds or splits the
  // votes; they reach validator 0 when the round times out, and 0 forms the
  // QC that certifies B1 (before: "not for me", ignored).
  Cluster c(4);
  auto b1 = c.make_block(c.genesis(), 1, c.genesis_qc());
  const auto collector = c.leader(2, b1);
  types::ValidatorId other = 0;
  while (other == collector)
    ++other;
  c.deliver(b1->header().proposer, other, Cluster::proposal_of(b1));
  c.queue().clear();
  for (types::ValidatorId v = 0; v < 4; ++v)
    if (v != collector) c.deliver(v, other, c.vote(v, b1));
  EXPECT_EQ(c.node(other).stats().qcs_formed, 1u);
  EXPECT_EQ(c.node(other).safety().high_qc.block_hash, b1->hash());
  EXPECT_EQ(c.node(other).current_round(), 2u);
}

// --- §2: a block from the future is held, then voted -----------------------------------

TEST(ClockSkew, ABlockAheadOfTheLocalClockIsHeldAndVotedWhenTimeAllows) {
  Cluster c(4);
  const types::ValidatorId voter = 2;
  // The proposer's clock is 3.5 s ahead of the voter's (lead allowed: 2 s).
  auto b1 = c.make_block(c.genesis(), 1, c.genesis_qc(), std::nullopt, c.now + 3'500);
  auto out = c.deliver(b1->header().proposer, voter, Cluster::proposal_of(b1));
  EXPECT_TRUE(all_of<core::PersistSafetyThenSend>(out).empty()) << "not voted yet";
  auto timers = all_of<core::SetTimer>(out);
  auto held = std::find_if(timers.begin(), timers.end(),
                           [](const auto& t) { return t.timer == core::TimerId::kHeldBlocks; });
  ASSERT_NE(held, timers.end());
  EXPECT_EQ(held->after_ms, 1'500u) << "until timestamp - lead";
  EXPECT_EQ(c.node(voter).stats().blocks_held, 1u);
  c.now += held->after_ms;
  auto later = c.settle(voter, c.node(voter).on_timer(c.now, core::TimerId::kHeldBlocks));
  auto persisted = all_of<core::PersistSafetyThenSend>(later);
  ASSERT_EQ(persisted.size(), 1u) << "voted once the local clock allows the timestamp";
  EXPECT_EQ(persisted[0].state.highest_voted_round, 1u);
}

TEST(ClockSkew, AProposerWhoseClockIsBehindProposesWithTheParentsTimestamp) {
  // The leader of round 2 holds B1 whose timestamp is 5 s ahead of its
  // clock, and QC1: it proposes at once, with B1's timestamp (which every
  // peer that certified B1 accepts), and holds only its own vote.
  Cluster c(4);
  auto b1 = c.make_block(c.genesis(), 1, c.genesis_qc(), std::nullopt, c.now + 5'000);
  const auto leader2 = c.leader(2, b1);
  c.deliver(b1->header().proposer, leader2, Cluster::proposal_of(b1));
  std::vector<core::Action> out;
  for (types::ValidatorId v = 0; v < 4; ++v)
    if (v != leader2) {
      auto a = c.deliver(v, leader2, c.vote(v, b1));
      out.insert(out.end(), a.begin(), a.end());
    }
  ASSERT_EQ(c.node(leader2).current_round(), 2u);
  // Nothing to order: it proposes (an empty block) at the proposal tick.
  auto tick = c.settle(leader2, c.node(leader2).on_timer(c.now, core::TimerId::kProposalTick));
  out.insert(out.end(), tick.begin(), tick.end());
  EXPECT_EQ(c.node(leader2).stats().proposals, 1u);
  std::optional<core::ProposalRef> proposal;
  for (const auto& p : all_of<core::PersistSafetyThenSend>(out))
    for (const auto& m : p.messages)
      if (const auto* b = std::get_if<core::BroadcastMessage>(&m))
        if (const auto* pr = std::get_if<core::ProposalRef>(&b->message)) proposal = *pr;
  ASSERT_TRUE(proposal.has_value());
  EXPECT_EQ((*proposal)->header.timestamp_ms, b1->header().timestamp_ms);
  EXPECT_EQ(c.node(leader2).safety().highest_voted_round, 0u) << "its own vote waits";
}

// --- §5: a restarted validator is never worse off than before it crashed ---------------

/// What a restart from `state` would recover, given the blocks the node had
/// stored as certified (`certified`) above genesis.
RecoveredState recovered(const Cluster& c, const core::SafetyState& state,
                         const std::vector<core::CertifiedBlock>& certified) {
  RecoveredState r;
  r.safety = state;
  r.committed_tip = c.genesis();
  r.tip_qc = c.genesis_qc();
  for (const auto& cb : certified)
    if (cb.block->header().height > 0) r.certified.push_back(cb);
  return r;
}

TEST(Restart, FromEveryPersistedRecordAValidatorVotesTimesOutAndCatchesUp) {
  // A scripted run seen from validator 3: it votes on proposals, learns
  // blocks through sync (already certified), times out, enters rounds by TC,
  // and leads once. Every safety record it persists is then used for a
  // restart, which must vote, time out and catch up.
  Cluster c(4);
  const types::ValidatorId v = 3;
  std::vector<core::SafetyState> records;
  auto note = [&](const std::vector<core::Action>& actions) {
    for (const auto& p : all_of<core::PersistSafetyThenSend>(actions)) {
      EXPECT_FALSE(SafetyRules::problem(p.state).has_value());
      records.push_back(p.state);
    }
  };
  std::vector<core::CertifiedBlock> chain;  // the cluster's chain, certified
  auto b1 = c.make_block(c.genesis(), 1, c.genesis_qc());
  auto qc1 = c.make_qc(b1, {0, 1, 2});
  note(c.deliver(b1->header().proposer, v, Cluster::proposal_of(b1)));  // votes in round 1
  auto b2 = c.make_block(b1, 2, qc1);
  auto qc2 = c.make_qc(b2, {0, 1, 2});
  auto b3 = c.make_block(b2, 3, qc2);
  auto qc3 = c.make_qc(b3, {0, 1, 2});
  chain = {{b1, qc1}, {b2, qc2}, {b3, qc3}};
  // It missed B2 and B3; B4 shows QC3: it syncs them (certified, so no vote),
  // then votes for B4 in round 4.
  auto b4 = c.make_block(b3, 4, qc3);
  note(c.deliver(b4->header().proposer, v, Cluster::proposal_of(b4)));
  std::optional<types::ValidatorId> asked;
  for (auto& e : c.queue())
    if (e.from == v && std::holds_alternative<core::SyncRequest>(e.message)) asked = e.to;
  ASSERT_TRUE(asked);
  c.queue().clear();
  note(c.deliver(*asked, v, core::SyncResponse{chain}));
  // The repro of the issue: voting on a synced block persisted a record a
  // restart could not time out from. Here no synced block gets a vote.
  auto qc4 = c.make_qc(b4, {0, 1, 2});
  chain.push_back({b4, qc4});
  // Round 5 fails: it times out, a TC of round 5 moves everyone to round 6.
  c.now += 3'500;
  ASSERT_EQ(c.node(v).safety().highest_voted_round, 4u) << "it voted for B4 once B3 arrived";
  note(c.settle(v, c.node(v).on_timer(c.now, core::TimerId::kRoundTimeout)));
  auto tc5 = c.make_tc(5, {{0, qc4}, {1, qc4}, {2, qc4}});
  note(c.deliver(0, v, core::TimeoutCertificateMessage{tc5}));
  c.queue().clear();
  ASSERT_GE(records.size(), 3u);

  for (std::size_t i = 0; i < records.size(); ++i) {
    SCOPED_TRACE("record " + std::to_string(i));
    const auto& state = records[i];
    ASSERT_FALSE(SafetyRules::problem(state).has_value());
    // The node stored as certified whatever its high QC certifies.
    std::vector<core::CertifiedBlock> stored;
    for (const auto& cb : chain)
      if (cb.block->header().height <= state.high_qc.height) stored.push_back(cb);
    c.restart(v, recovered(c, state, stored));
    auto& n = c.node(v);
    c.settle(v, n.start(c.now));
    c.queue().clear();
    auto round = n.current_round();
    EXPECT_GT(round, state.highest_voted_round > 0 ? state.highest_voted_round - 1 : 0);
    // Times out its round (or sends the same timeout again).
    c.now += 3'500;
    auto t = c.settle(v, n.on_timer(c.now, core::TimerId::kRoundTimeout));
    bool timed_out = false;
    for (const auto& p : all_of<core::PersistSafetyThenSend>(t))
      for (const auto& m : p.messages)
        if (const auto* b = std::get_if<core::BroadcastMessage>(&m))
          timed_out = timed_out || std::holds_alternative<types::Timeout>(b->message);
    for (const auto& b : all_of<core::BroadcastMessage>(t))
      timed_out = timed_out || std::holds_alternative<types::Timeout>(b.message);
    EXPECT_TRUE(timed_out) << "a restarted validator must be able to time out round " << round;
    c.queue().clear();
    // Votes: the others' TC of its round moves it on, and it votes for the
    // next round's proposal (justify = the highest QC, with the TC).
    const auto& high = n.safety().high_qc;
    BlockRef parent = high.height == 0 ? c.genesis() : chain[high.height - 1].block;
    auto tc = c.make_tc(round, {{0, high}, {1, high}, {2, high}});
    c.deliver(0, v, core::TimeoutCertificateMessage{tc});
    ASSERT_EQ(n.current_round(), round + 1);
    auto next = c.make_block(parent, round + 1, high, tc);
    auto voted = c.deliver(next->header().proposer, v, Cluster::proposal_of(next));
    EXPECT_EQ(all_of<core::PersistSafetyThenSend>(voted).size(), 1u)
        << "a restarted validator must be able to vote in round " << round + 1;
    c.queue().clear();
  }
  // Catching up is covered end to end by the simulation tests (restarts at
  // every persist point of the crash-restart scenarios).
}

}  // namespace
}  // namespace hyperscale::bft
