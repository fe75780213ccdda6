#include "crypto/verify.h"

#include <gtest/gtest.h>

#include <functional>

#include "crypto/signing.h"
#include "support/expected.h"
#include "test_keys.h"

namespace hyperscale::crypto {
namespace {

using hyperscale::testing::error_of;
using types::Hash;
using types::SignerBitfield;

class VerifyTest : public ::testing::TestWithParam<SchemeKind> {
 protected:
  void SetUp() override {
    net_ = testing::make_network(GetParam(), 2, 4);
    auto v = Verifier::make(GetParam(), net_.topology);
    ASSERT_TRUE(v) << v.error();
    verifier_ = std::move(*v);
  }

  const Signer& signer(types::ValidatorId id) const { return *net_.signers.at(id); }

  /// A QC for shard 0 signed by the committee indices in `who`.
  types::QuorumCertificate make_qc(std::vector<std::uint32_t> who, types::Round round = 5) {
    types::QuorumCertificate qc;
    qc.shard = 0;
    qc.height = 3;
    qc.round = round;
    qc.block_hash = types::hash_bytes("block");
    qc.parent_hash = types::hash_bytes("parent");
    qc.signers = SignerBitfield(4);
    std::vector<types::BlsSignature> sigs;
    for (auto i : who) {
      qc.signers.set(i);
      sigs.push_back(signer(i).sign(block_vote_message(qc)));
    }
    qc.signature = *verifier_->aggregate(sigs);
    return qc;
  }

  testing::TestNetwork net_;
  std::unique_ptr<Verifier> verifier_;
};

TEST_P(VerifyTest, BlockVoteSignedByVoter) {
  types::BlockVote vote{0, 3, 5, types::hash_bytes("b"), types::hash_bytes("p"), 2, {}};
  vote.signature = signer(2).sign(block_vote_message(vote));
  ASSERT_TRUE(verify_block_vote(*verifier_, vote));
  auto other = vote;
  other.voter = 1;  // someone else's claim
  EXPECT_EQ(error_of(verify_block_vote(*verifier_, other)), VerifyError::kBadSignature);
  auto moved = vote;
  moved.parent_hash = types::hash_bytes("other parent");  // the parent is signed
  EXPECT_EQ(error_of(verify_block_vote(*verifier_, moved)), VerifyError::kBadSignature);
  auto foreign = vote;
  foreign.voter = 5;  // a member of shard 1, not shard 0
  EXPECT_EQ(error_of(verify_block_vote(*verifier_, foreign)), VerifyError::kUnknownSigner);
  auto nowhere = vote;
  nowhere.shard = 9;
  EXPECT_EQ(error_of(verify_block_vote(*verifier_, nowhere)), VerifyError::kUnknownShard);
}

TEST_P(VerifyTest, QuorumCertificateNeedsQuorumAndValidAggregate) {
  EXPECT_TRUE(verify_qc(*verifier_, make_qc({0, 1, 2})));
  EXPECT_TRUE(verify_qc(*verifier_, make_qc({0, 1, 2, 3})));
  EXPECT_EQ(error_of(verify_qc(*verifier_, make_qc({0, 1}))), VerifyError::kNoQuorum);

  auto qc = make_qc({0, 1, 2});
  qc.signers.set(3);  // claims a signer that did not sign
  EXPECT_EQ(error_of(verify_qc(*verifier_, qc)), VerifyError::kBadSignature);

  auto tampered = make_qc({0, 1, 2});
  tampered.round += 1;
  EXPECT_EQ(error_of(verify_qc(*verifier_, tampered)), VerifyError::kBadSignature);

  auto wrong_size = make_qc({0, 1, 2});
  wrong_size.signers = SignerBitfield(5);
  for (std::uint32_t i = 0; i < 4; ++i)
    wrong_size.signers.set(i);
  EXPECT_EQ(error_of(verify_qc(*verifier_, wrong_size)), VerifyError::kWrongBitfieldSize);

  EXPECT_EQ(error_of(verify_qc(*verifier_, types::QuorumCertificate::genesis(0, Hash{}))),
            VerifyError::kGenesis);
}

TEST_P(VerifyTest, QcWithOneForgedVoteFails) {
  auto qc = make_qc({0, 1, 2});
  std::vector<types::BlsSignature> sigs;
  for (std::uint32_t i = 0; i < 3; ++i) {
    auto msg = block_vote_message(qc);
    if (i == 1) msg.back() ^= 1;  // one voter signed something else
    sigs.push_back(signer(i).sign(msg));
  }
  qc.signature = *verifier_->aggregate(sigs);
  EXPECT_EQ(error_of(verify_qc(*verifier_, qc)), VerifyError::kBadSignature);
}

TEST_P(VerifyTest, QcFormedFromTheVerificationAggregateIsTheSameQc) {
  // Votes arrive out of committee order; the group aggregate found while
  // verifying them is reused as the QC signature, and must equal the one
  // formed from scratch.
  std::vector<types::BlockVote> votes;
  for (types::ValidatorId voter : {2u, 0u, 3u}) {
    types::BlockVote vote{0, 3, 5, types::hash_bytes("b"), types::hash_bytes("p"), voter, {}};
    vote.signature = signer(voter).sign(block_vote_message(vote));
    votes.push_back(vote);
  }
  std::vector<VerifiedVoteAggregate> aggregates;
  Sequential sequential;
  auto results = verify_block_votes(*verifier_, votes, sequential, &aggregates);
  std::vector<Verified<types::BlockVote>> verified;
  for (auto& r : results) {
    ASSERT_TRUE(r);
    verified.push_back(std::move(*r));
  }
  ASSERT_EQ(aggregates.size(), 1u);
  auto reused = form_qc(*verifier_, verified, aggregates);
  auto fresh = form_qc(*verifier_, verified);
  ASSERT_TRUE(reused && fresh);
  EXPECT_EQ(reused->get(), fresh->get());
  EXPECT_TRUE(verify_qc(*verifier_, reused->get()));
  // An aggregate of other signers is not used for this QC.
  auto other = aggregates;
  other[0].signers.set(1);
  auto not_reused = form_qc(*verifier_, verified, other);
  ASSERT_TRUE(not_reused);
  EXPECT_EQ(not_reused->get(), fresh->get());
}

TEST_P(VerifyTest, TimeoutCertificateGroupsSignersByHighQcRound) {
  types::TimeoutCertificate tc;
  tc.shard = 0;
  tc.round = 9;
  tc.signers = SignerBitfield(4);
  std::vector<types::Round> rounds = {4, 7, 4};  // committee indices 0, 1, 3
  std::vector<std::uint32_t> who = {0, 1, 3};
  std::vector<types::BlsSignature> sigs;
  for (std::size_t k = 0; k < who.size(); ++k) {
    tc.signers.set(who[k]);
    sigs.push_back(signer(who[k]).sign(timeout_message(0, 9, rounds[k])));
  }
  tc.high_qc_rounds = rounds;
  tc.signature = *verifier_->aggregate(sigs);
  tc.high_qc = make_qc({0, 1, 2}, 7);
  EXPECT_TRUE(verify_tc_signature(*verifier_, tc));

  // Understating a signer's high-QC round (7 -> 4) breaks the signature.
  auto understated = tc;
  understated.high_qc_rounds = {4, 4, 4};
  EXPECT_EQ(error_of(verify_tc_signature(*verifier_, understated)), VerifyError::kBadSignature);

  auto short_rounds = tc;
  short_rounds.high_qc_rounds.pop_back();
  EXPECT_EQ(error_of(verify_tc_signature(*verifier_, short_rounds)), VerifyError::kMalformed);
}

TEST_P(VerifyTest, TimeoutSignature) {
  types::Timeout t;
  t.shard = 0;
  t.round = 6;
  t.high_qc = make_qc({0, 1, 2}, 5);
  t.voter = 3;
  t.signature = signer(3).sign(timeout_message(0, 6, 5));
  EXPECT_TRUE(verify_timeout_signature(*verifier_, t));
  t.high_qc.round = 4;  // the signed high-QC round no longer matches
  EXPECT_FALSE(verify_timeout_signature(*verifier_, t));
}

TEST_P(VerifyTest, HeaderSignedByProposerOverItsHash) {
  types::BlockHeader h;
  h.shard = 1;
  h.height = 1;
  h.round = 1;
  h.proposer = 5;
  h.justify = types::QuorumCertificate::genesis(1, Hash{});
  h.proposer_signature = signer(5).sign(block_header_message(h.compute_hash()));
  EXPECT_TRUE(verify_header_signature(*verifier_, h));
  auto later = h;
  later.timestamp_ms += 1;
  EXPECT_FALSE(verify_header_signature(*verifier_, later));
  auto other = h;
  other.proposer = 6;
  EXPECT_FALSE(verify_header_signature(*verifier_, other));
}

TEST_P(VerifyTest, ProvisionsAndCommitmentProofs) {
  types::ProvisionContent c;
  c.tx_hash = types::hash_bytes("tx");
  c.source_shard = 1;
  c.target_shard = 0;
  c.commit_height = 10;
  c.commit_timestamp_ms = 1000;
  c.entries.push_back({types::SubstateKey{{}, 0, {1}}, types::Bytes{5}});
  auto msg = state_provision_message(c);

  types::StateProvision p{c, 4, signer(4).sign(msg)};
  EXPECT_TRUE(verify_provision(*verifier_, p));
  p.validator = 0;  // a shard-0 validator cannot provision for shard 1
  EXPECT_EQ(error_of(verify_provision(*verifier_, p)), VerifyError::kUnknownSigner);

  types::CommitmentProof proof{c, SignerBitfield(4), {}};
  std::vector<types::BlsSignature> sigs;
  for (std::uint32_t i : {0u, 2u, 3u}) {
    proof.signers.set(i);
    sigs.push_back(signer(4 + i).sign(msg));
  }
  proof.signature = *verifier_->aggregate(sigs);
  EXPECT_TRUE(verify_commitment_proof(*verifier_, proof));
  auto moved = proof;
  moved.content.entries[0].value = types::Bytes{6};
  EXPECT_EQ(error_of(verify_commitment_proof(*verifier_, moved)), VerifyError::kBadSignature);
}

TEST_P(VerifyTest, StateVotesAndCertificates) {
  types::StateVoteContent c{types::hash_bytes("tx"), 0, types::Executed{true, Hash{}}};
  types::StateVote vote{c, 1, signer(1).sign(state_vote_message(c))};
  EXPECT_TRUE(verify_state_vote(*verifier_, vote));
  auto abort = c;
  abort.outcome = types::Aborted{types::AbortReason::kTimeout, 0};
  vote.content = abort;  // a signature for execute does not cover abort
  EXPECT_FALSE(verify_state_vote(*verifier_, vote));

  types::StateCertificate cert{c, {}, SignerBitfield(4), {}};
  std::vector<types::BlsSignature> sigs;
  for (std::uint32_t i : {1u, 2u, 3u}) {
    cert.signers.set(i);
    sigs.push_back(signer(i).sign(state_vote_message(c)));
  }
  cert.signature = *verifier_->aggregate(sigs);
  EXPECT_TRUE(verify_state_certificate(*verifier_, cert));
  auto thin = cert;
  thin.signers = SignerBitfield(4);
  thin.signers.set(1);
  EXPECT_EQ(error_of(verify_state_certificate(*verifier_, thin)), VerifyError::kNoQuorum);
}

TEST_P(VerifyTest, StateCertificatesAreCheckedAsOneBatch) {
  // Proposals carry hundreds of certificates; checked one by one, each cost a
  // full pairing check. The batch is all or nothing: any bad one fails it.
  std::vector<types::StateCertificate> certs;
  for (std::uint32_t t = 0; t < 12; ++t) {
    types::StateVoteContent c{types::hash_bytes("tx" + std::to_string(t)), t % 2,
                              types::Executed{true, Hash{}}};
    types::StateCertificate cert{c, {}, SignerBitfield(4), {}};
    std::vector<types::BlsSignature> sigs;
    for (std::uint32_t i = 0; i < 4; ++i) {
      if (i == t % 4) continue;  // three of four: a quorum
      cert.signers.set(i);
      sigs.push_back(signer((t % 2) * 4 + i).sign(state_vote_message(c)));
    }
    cert.signature = *verifier_->aggregate(sigs);
    certs.push_back(cert);
  }
  auto all_valid = [&](const std::vector<types::StateCertificate>& list) {
    std::vector<const types::StateCertificate*> refs;
    for (const auto& c : list)
      refs.push_back(&c);
    Sequential seq;
    return state_certificates_valid(*verifier_, refs, seq);
  };
  EXPECT_TRUE(all_valid(certs));
  std::vector<std::function<void(std::vector<types::StateCertificate>&)>> breaks = {
      [](auto& c) { c[2].signature = c[3].signature; },  // another certificate's aggregate
      [](auto& c) { c[5].signers.set(5 % 4); },          // a signer that did not sign
      [](auto& c) {                                      // no quorum
        c[7].signers = SignerBitfield(4);
        c[7].signers.set(0);
      },
      [](auto& c) { c[9].content.shard = 7; },             // no such shard
      [](auto& c) { c[11].signers = SignerBitfield(3); },  // wrong bitfield size
  };
  for (std::size_t k = 0; k < breaks.size(); ++k) {
    auto broken = certs;
    breaks[k](broken);
    EXPECT_FALSE(all_valid(broken)) << k;
    std::size_t refused = 0;
    for (const auto& c : broken)
      refused += verify_state_certificate(*verifier_, c).has_value() ? 0 : 1;
    EXPECT_EQ(refused, 1u) << "one certificate broken by case " << k;
  }
}

TEST_P(VerifyTest, BatchFindsInvalidSignatures) {
  std::vector<types::Bytes> msgs;
  for (int i = 0; i < 16; ++i)
    msgs.push_back({static_cast<std::uint8_t>(i)});
  std::vector<SignedMessage> items;
  for (std::uint32_t i = 0; i < 16; ++i)
    items.push_back({i % 2, i % 4, msgs[i], signer((i % 2) * 4 + i % 4).sign(msgs[i])});
  items[5].signature = items[6].signature;
  items[9].index = 7;  // not a member
  Sequential seq;
  EXPECT_EQ(verifier_->find_invalid(items, seq), (std::vector<std::size_t>{5, 9}));
}

TEST_P(VerifyTest, OnlyRealBlsIsProductionSafe) {
  EXPECT_EQ(verifier_->production_safe(), GetParam() == SchemeKind::kBls);
  EXPECT_EQ(signer(0).production_safe(), GetParam() == SchemeKind::kBls);
}

TEST_P(VerifyTest, BadProofOfPossessionRefusedAtLoad) {
  auto committees = net_.topology.committees();
  auto members = committees[0].members();
  members[2].bls_pop = members[3].bls_pop;
  committees[0] = types::Committee(0, members);
  auto topology = types::Topology::make(committees);
  ASSERT_TRUE(topology);
  EXPECT_FALSE(Verifier::make(GetParam(), *topology).has_value());
}

INSTANTIATE_TEST_SUITE_P(Schemes, VerifyTest,
                         ::testing::Values(SchemeKind::kBls, SchemeKind::kMock),
                         [](const auto& param_info) {
                           return std::string(to_string(param_info.param));
                         });

}  // namespace
}  // namespace hyperscale::crypto
