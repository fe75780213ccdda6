#include "crypto/verify.h"

#include <map>

#include "crypto/signing.h"

namespace hyperscale::crypto {

struct VerifiedMaker {
  template <class T>
  static Verified<T> make(T value) {
    return VerifiedAccess::make(std::move(value));
  }
};

namespace {

template <class T>
VerifyResult<T> accept(T value) {
  return VerifiedMaker::make(std::move(value));
}

std::unexpected<VerifyError> refuse(VerifyError e) { return std::unexpected(e); }

/// Index of `voter` in `shard`'s committee.
std::expected<std::uint32_t, VerifyError> member_index(const Verifier& v, types::ShardId shard,
                                                       types::ValidatorId voter) {
  if (shard >= v.topology().num_shards()) return refuse(VerifyError::kUnknownShard);
  auto index = v.topology().committee(shard).index_of(voter);
  if (!index) return refuse(VerifyError::kUnknownSigner);
  return *index;
}

/// Shared by every quorum-signed type: the bitfield fits the committee, its
/// power is a quorum, and the aggregate verifies over `message`.
std::optional<VerifyError> check_quorum_aggregate(const Verifier& v, types::ShardId shard,
                                                  const types::SignerBitfield& signers,
                                                  const types::Bytes& message,
                                                  const types::BlsSignature& aggregate) {
  if (shard >= v.topology().num_shards()) return VerifyError::kUnknownShard;
  const auto& committee = v.topology().committee(shard);
  if (signers.size() != committee.size()) return VerifyError::kWrongBitfieldSize;
  if (!committee.has_quorum(signers)) return VerifyError::kNoQuorum;
  if (!v.verify_aggregate(shard, signers, message, aggregate)) return VerifyError::kBadSignature;
  return std::nullopt;
}

template <class T>
VerifyResult<T> check_single(const Verifier& v, types::ShardId shard, types::ValidatorId who,
                             const types::Bytes& message, const types::BlsSignature& sig, T value) {
  auto index = member_index(v, shard, who);
  if (!index) return refuse(index.error());
  if (!v.verify(shard, *index, message, sig)) return refuse(VerifyError::kBadSignature);
  return accept(std::move(value));
}

}  // namespace

std::string_view to_string(VerifyError e) {
  switch (e) {
    case VerifyError::kUnknownShard: return "unknown shard";
    case VerifyError::kUnknownSigner: return "signer not in committee";
    case VerifyError::kWrongBitfieldSize: return "signer bitfield does not fit committee";
    case VerifyError::kNoQuorum: return "signers are not a quorum";
    case VerifyError::kBadSignature: return "signature does not verify";
    case VerifyError::kGenesis: return "genesis certificate carries no signature";
    case VerifyError::kMalformed: return "malformed certificate";
  }
  return "unknown";
}

VerifyResult<types::BlockVote> verify_block_vote(const Verifier& v, types::BlockVote vote) {
  auto message = block_vote_message(vote);
  return check_single(v, vote.shard, vote.voter, message, vote.signature, std::move(vote));
}

VerifyResult<types::QuorumCertificate> verify_qc(const Verifier& v, types::QuorumCertificate qc) {
  if (qc.is_genesis()) return refuse(VerifyError::kGenesis);
  if (auto e = check_quorum_aggregate(v, qc.shard, qc.signers, block_vote_message(qc),
                                      qc.signature))
    return refuse(*e);
  return accept(std::move(qc));
}

VerifyResult<types::Timeout> verify_timeout_signature(const Verifier& v, types::Timeout timeout) {
  auto message = timeout_message(timeout.shard, timeout.round, timeout.high_qc.round);
  return check_single(v, timeout.shard, timeout.voter, message, timeout.signature,
                      std::move(timeout));
}

VerifyResult<types::TimeoutCertificate> verify_tc_signature(const Verifier& v,
                                                            types::TimeoutCertificate tc) {
  if (tc.shard >= v.topology().num_shards()) return refuse(VerifyError::kUnknownShard);
  const auto& committee = v.topology().committee(tc.shard);
  if (tc.signers.size() != committee.size()) return refuse(VerifyError::kWrongBitfieldSize);
  auto indices = tc.signers.indices();
  if (indices.size() != tc.high_qc_rounds.size()) return refuse(VerifyError::kMalformed);
  if (!committee.has_quorum(tc.signers)) return refuse(VerifyError::kNoQuorum);
  // Signers that share a high-QC round signed the same message: one group each.
  std::map<types::Round, std::vector<std::uint32_t>> by_round;
  for (std::size_t i = 0; i < indices.size(); ++i)
    by_round[tc.high_qc_rounds[i]].push_back(indices[i]);
  std::vector<types::Bytes> messages;
  messages.reserve(by_round.size());
  std::vector<SignerGroup> groups;
  groups.reserve(by_round.size());
  for (auto& [round, members] : by_round) {
    messages.push_back(timeout_message(tc.shard, tc.round, round));
    groups.push_back(SignerGroup{std::move(members), messages.back()});
  }
  if (!v.verify_groups(tc.shard, groups, tc.signature)) return refuse(VerifyError::kBadSignature);
  return accept(std::move(tc));
}

VerifyResult<types::BlockHeader> verify_header_signature(const Verifier& v,
                                                         types::BlockHeader header) {
  auto message = block_header_message(header.compute_hash());
  return check_single(v, header.shard, header.proposer, message, header.proposer_signature,
                      std::move(header));
}

VerifyResult<types::StateProvision> verify_provision(const Verifier& v,
                                                     types::StateProvision provision) {
  auto message = state_provision_message(provision.content);
  return check_single(v, provision.content.source_shard, provision.validator, message,
                      provision.signature, std::move(provision));
}

VerifyResult<types::CommitmentProof> verify_commitment_proof(const Verifier& v,
                                                             types::CommitmentProof proof) {
  if (auto e = check_quorum_aggregate(v, proof.content.source_shard, proof.signers,
                                      state_provision_message(proof.content), proof.signature))
    return refuse(*e);
  return accept(std::move(proof));
}

VerifyResult<types::StateVote> verify_state_vote(const Verifier& v, types::StateVote vote) {
  auto message = state_vote_message(vote.content);
  return check_single(v, vote.content.shard, vote.voter, message, vote.signature,
                      std::move(vote));
}

VerifyResult<types::StateCertificate> verify_state_certificate(const Verifier& v,
                                                               types::StateCertificate cert) {
  if (auto e = check_quorum_aggregate(v, cert.content.shard, cert.signers,
                                      state_vote_message(cert.content), cert.signature))
    return refuse(*e);
  return accept(std::move(cert));
}

}  // namespace hyperscale::crypto
