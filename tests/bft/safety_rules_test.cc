#include "bft/safety_rules.h"

#include <gtest/gtest.h>

#include <limits>

namespace hyperscale::bft {
namespace {

constexpr Round kMax = std::numeric_limits<Round>::max();

TEST(SafeToVote, NeedsHigherRoundThanLastVoteAndJustify) {
  EXPECT_TRUE(SafetyRules::safe_to_vote(5, 4, 4, std::nullopt, 0));
  EXPECT_FALSE(SafetyRules::safe_to_vote(5, 4, 5, std::nullopt, 0)) << "already voted in 5";
  EXPECT_FALSE(SafetyRules::safe_to_vote(5, 4, 6, std::nullopt, 0)) << "voted higher";
  EXPECT_FALSE(SafetyRules::safe_to_vote(5, 5, 0, std::nullopt, 0)) << "round not above qc";
  EXPECT_FALSE(SafetyRules::safe_to_vote(5, 6, 0, std::nullopt, 0));
}

TEST(SafeToVote, GapNeedsTimeoutCertificateOfPreviousRound) {
  // Round 7 with a QC of round 4: only with TC(6) whose highest QC round <= 4.
  EXPECT_FALSE(SafetyRules::safe_to_vote(7, 4, 4, std::nullopt, 0));
  EXPECT_TRUE(SafetyRules::safe_to_vote(7, 4, 4, Round{6}, 4));
  EXPECT_TRUE(SafetyRules::safe_to_vote(7, 4, 4, Round{6}, 3));
  EXPECT_FALSE(SafetyRules::safe_to_vote(7, 4, 4, Round{6}, 5)) << "the TC knows a higher QC";
  EXPECT_FALSE(SafetyRules::safe_to_vote(7, 4, 4, Round{5}, 4)) << "TC not of round - 1";
  EXPECT_FALSE(SafetyRules::safe_to_vote(7, 4, 4, Round{7}, 4));
}

TEST(SafeToVote, NoUnderflowOrOverflowAtTheEdges) {
  EXPECT_FALSE(SafetyRules::safe_to_vote(0, 0, 0, std::nullopt, 0));
  EXPECT_FALSE(SafetyRules::safe_to_vote(0, 0, 0, Round{kMax}, 0));
  EXPECT_TRUE(SafetyRules::safe_to_vote(kMax, kMax - 1, 0, std::nullopt, 0));
  EXPECT_FALSE(SafetyRules::safe_to_vote(kMax, kMax, 0, std::nullopt, 0));
  EXPECT_FALSE(SafetyRules::safe_to_vote(2, 0, 0, Round{kMax}, 0));
  EXPECT_TRUE(SafetyRules::safe_to_vote(1, 0, 0, Round{kMax}, 0)) << "r == qc + 1 needs no TC";
}

TEST(SafeToTimeout, Rules) {
  // r = qc + 1.
  EXPECT_TRUE(SafetyRules::safe_to_timeout(5, 4, 4, 5, std::nullopt));
  // Timing out the round one voted in is allowed (r + 1 > highest voted).
  EXPECT_TRUE(SafetyRules::safe_to_timeout(5, 4, 0, 5, std::nullopt));
  EXPECT_FALSE(SafetyRules::safe_to_timeout(5, 4, 0, 6, std::nullopt)) << "voted in a later round";
  EXPECT_FALSE(SafetyRules::safe_to_timeout(5, 3, 4, 0, std::nullopt))
      << "qc below highest qc round";
  EXPECT_FALSE(SafetyRules::safe_to_timeout(5, 5, 0, 0, std::nullopt));
  EXPECT_FALSE(SafetyRules::safe_to_timeout(6, 4, 0, 0, std::nullopt)) << "gap without TC";
  EXPECT_TRUE(SafetyRules::safe_to_timeout(6, 4, 0, 0, Round{5}));
  EXPECT_FALSE(SafetyRules::safe_to_timeout(6, 4, 0, 0, Round{4}));
  EXPECT_FALSE(SafetyRules::safe_to_timeout(kMax, kMax, 0, 0, Round{kMax}));
}

TEST(CommitRule, OnlyConsecutiveRounds) {
  EXPECT_TRUE(SafetyRules::commits_parent(4, 5));
  EXPECT_FALSE(SafetyRules::commits_parent(4, 6)) << "a TC in between breaks the two-chain";
  EXPECT_FALSE(SafetyRules::commits_parent(4, 4));
  EXPECT_FALSE(SafetyRules::commits_parent(5, 4));
  EXPECT_FALSE(SafetyRules::commits_parent(kMax, 0));
  EXPECT_TRUE(SafetyRules::commits_parent(kMax - 1, kMax));
}

TEST(SafetyRules, StateRisesWithVotesAndTimeoutsOnly) {
  SafetyRules rules;
  EXPECT_TRUE(rules.try_vote(1, 0, nullptr));
  EXPECT_EQ(rules.state().highest_voted_round, 1u);
  EXPECT_FALSE(rules.try_vote(1, 0, nullptr)) << "never twice in a round";
  EXPECT_TRUE(rules.try_timeout(2, 1, nullptr));
  EXPECT_EQ(rules.state().highest_voted_round, 2u);
  EXPECT_EQ(rules.state().highest_qc_round, 1u);
  EXPECT_FALSE(rules.try_vote(2, 1, nullptr)) << "a timeout of round 2 forbids voting in it";
  EXPECT_TRUE(rules.try_vote(3, 2, nullptr));
  EXPECT_EQ(rules.state().highest_qc_round, 2u);
  // The vote rule ignores highest_qc_round: a block justified by a lower QC
  // but carrying TC(r - 1) is still votable.
  types::TimeoutCertificate tc;
  tc.round = 4;
  tc.high_qc_rounds = {1, 1, 1};
  EXPECT_TRUE(rules.try_vote(5, 1, &tc));
  EXPECT_EQ(rules.state().highest_qc_round, 2u) << "never lowered";
}

TEST(SafetyRules, ProposesOncePerRoundAcrossRestarts) {
  SafetyRules rules;
  EXPECT_TRUE(rules.try_propose(3));
  EXPECT_FALSE(rules.try_propose(3));
  SafetyRules restarted(rules.state());
  EXPECT_FALSE(restarted.try_propose(3));
  EXPECT_FALSE(restarted.try_propose(2));
  EXPECT_TRUE(restarted.try_propose(4));
}

TEST(SafetyRules, ARecordARestartCannotContinueFromIsNamed) {
  core::SafetyState s;
  EXPECT_FALSE(SafetyRules::problem(s).has_value());
  // The record: after a vote on a block learnt by sync,
  // highest_qc_round 2 with a high QC of round 1. Restarted from it, the
  // timeout rule (q.round >= highest_qc_round) refused every timeout.
  s.highest_voted_round = 3;
  s.highest_qc_round = 2;
  s.high_qc.round = 1;
  ASSERT_TRUE(SafetyRules::problem(s).has_value());
  EXPECT_FALSE(SafetyRules::safe_to_timeout(2, s.high_qc.round, s.highest_qc_round,
                                            s.highest_voted_round, std::nullopt))
      << "this is why it was stuck";
  s.high_qc.round = 2;
  EXPECT_FALSE(SafetyRules::problem(s).has_value());
  // Voted or proposed more than one round above its certificates.
  s.highest_voted_round = 4;
  EXPECT_TRUE(SafetyRules::problem(s).has_value());
  s.highest_voted_round = 3;
  s.highest_proposed_round = 4;
  EXPECT_TRUE(SafetyRules::problem(s).has_value());
  s.highest_proposed_round = 3;
  // A last timeout newer than what it was signed with.
  types::Timeout t;
  t.round = 4;
  s.last_timeout = t;
  EXPECT_TRUE(SafetyRules::problem(s).has_value()) << "above highest_voted_round";
  s.last_timeout->round = 3;
  EXPECT_FALSE(SafetyRules::problem(s).has_value());
}

}  // namespace
}  // namespace hyperscale::bft
