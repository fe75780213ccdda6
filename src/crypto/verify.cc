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

std::unexpected<VerifyError> refuse(VerifyError e) {
  return std::unexpected(e);
}

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
    case VerifyError::kUnknownShard:
      return "unknown shard";
    case VerifyError::kUnknownSigner:
      return "signer not in committee";
    case VerifyError::kWrongBitfieldSize:
      return "signer bitfield does not fit committee";
    case VerifyError::kNoQuorum:
      return "signers are not a quorum";
    case VerifyError::kBadSignature:
      return "signature does not verify";
    case VerifyError::kGenesis:
      return "genesis certificate carries no signature";
    case VerifyError::kMalformed:
      return "malformed certificate";
  }
  return "unknown";
}

VerifyResult<types::BlockVote> verify_block_vote(const Verifier& v, types::BlockVote vote) {
  auto message = block_vote_message(vote);
  return check_single(v, vote.shard, vote.voter, message, vote.signature, std::move(vote));
}

VerifyResult<types::QuorumCertificate> verify_qc(const Verifier& v, types::QuorumCertificate qc) {
  if (qc.is_genesis()) return refuse(VerifyError::kGenesis);
  if (auto e =
          check_quorum_aggregate(v, qc.shard, qc.signers, block_vote_message(qc), qc.signature))
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
  return check_single(v, vote.content.shard, vote.voter, message, vote.signature, std::move(vote));
}

std::vector<VerifyResult<types::StateVote>> verify_state_votes(const Verifier& v,
                                                               std::vector<types::StateVote> votes,
                                                               Parallelism& parallel) {
  std::vector<VerifyResult<types::StateVote>> results(votes.size(),
                                                      refuse(VerifyError::kBadSignature));
  std::vector<types::Bytes> messages(votes.size());
  std::vector<SignedMessage> items;
  std::vector<std::size_t> vote_of;
  for (std::size_t i = 0; i < votes.size(); ++i) {
    auto index = member_index(v, votes[i].content.shard, votes[i].voter);
    if (!index) {
      results[i] = refuse(index.error());
      continue;
    }
    messages[i] = state_vote_message(votes[i].content);
    items.push_back(SignedMessage{votes[i].content.shard, *index, messages[i], votes[i].signature});
    vote_of.push_back(i);
  }
  auto bad = v.find_invalid(items, parallel);
  std::vector<bool> failed(items.size(), false);
  for (auto k : bad)
    failed[k] = true;
  for (std::size_t k = 0; k < items.size(); ++k)
    if (!failed[k]) results[vote_of[k]] = accept(std::move(votes[vote_of[k]]));
  return results;
}

std::optional<types::StateCertificate> form_state_certificate(
    const Verifier& v, std::span<const Verified<types::StateVote>> votes,
    std::vector<types::StateEntry> writes) {
  if (votes.empty()) return std::nullopt;
  const types::StateVoteContent& content = votes[0]->content;
  if (content.shard >= v.topology().num_shards()) return std::nullopt;
  const auto& committee = v.topology().committee(content.shard);
  std::map<std::uint32_t, const types::BlsSignature*> by_index;
  for (const auto& vote : votes) {
    if (!(vote->content == content)) return std::nullopt;
    auto index = committee.index_of(vote->voter);
    if (!index) return std::nullopt;
    by_index.emplace(*index, &vote->signature);
  }
  types::SignerBitfield signers(committee.size());
  std::vector<types::BlsSignature> sigs;
  for (const auto& [index, sig] : by_index) {
    signers.set(index);
    sigs.push_back(*sig);
  }
  if (!committee.has_quorum(signers)) return std::nullopt;
  auto aggregate = v.aggregate(sigs);
  if (!aggregate) return std::nullopt;
  return types::StateCertificate{content, std::move(writes), std::move(signers), *aggregate};
}

bool state_certificates_valid(const Verifier& v,
                              std::span<const types::StateCertificate* const> certs,
                              Parallelism& parallel) {
  std::vector<types::Bytes> messages(certs.size());
  std::vector<AggregateItem> items;
  for (std::size_t i = 0; i < certs.size(); ++i) {
    const auto& c = *certs[i];
    if (c.content.shard >= v.topology().num_shards()) return false;
    const auto& committee = v.topology().committee(c.content.shard);
    if (c.signers.size() != committee.size() || !committee.has_quorum(c.signers)) return false;
    messages[i] = state_vote_message(c.content);
    items.push_back({c.content.shard, &c.signers, messages[i], &c.signature});
  }
  return v.verify_aggregates(items, parallel);
}

VerifyResult<types::StateCertificate> verify_state_certificate(const Verifier& v,
                                                               types::StateCertificate cert) {
  if (auto e = check_quorum_aggregate(v, cert.content.shard, cert.signers,
                                      state_vote_message(cert.content), cert.signature))
    return refuse(*e);
  return accept(std::move(cert));
}

}  // namespace hyperscale::crypto

namespace hyperscale::crypto {

VerifyResult<types::QuorumCertificate> verify_qc_or_genesis(const Verifier& v,
                                                            types::QuorumCertificate qc,
                                                            const types::Hash& genesis_hash) {
  if (!qc.is_genesis()) return verify_qc(v, std::move(qc));
  if (qc.block_hash != genesis_hash || qc.round != 0 || !qc.parent_hash.is_zero() ||
      !qc.signature.is_zero())
    return refuse(VerifyError::kGenesis);
  return accept(std::move(qc));
}

VerifyResult<types::TimeoutCertificate> verify_tc(const Verifier& v, types::TimeoutCertificate tc,
                                                  const types::Hash& genesis_hash) {
  if (types::tc_problem(tc)) return refuse(VerifyError::kMalformed);
  auto qc = verify_qc_or_genesis(v, tc.high_qc, genesis_hash);
  if (!qc) return refuse(qc.error());
  return verify_tc_signature(v, std::move(tc));
}

VerifyResult<types::Timeout> verify_timeout(const Verifier& v, types::Timeout timeout,
                                            const types::Hash& genesis_hash) {
  if (timeout.high_qc.shard != timeout.shard || timeout.high_qc.round >= timeout.round)
    return refuse(VerifyError::kMalformed);
  if (timeout.last_round_tc && timeout.last_round_tc->round + 1 != timeout.round)
    return refuse(VerifyError::kMalformed);
  auto qc = verify_qc_or_genesis(v, timeout.high_qc, genesis_hash);
  if (!qc) return refuse(qc.error());
  if (timeout.last_round_tc) {
    auto tc = verify_tc(v, *timeout.last_round_tc, genesis_hash);
    if (!tc) return refuse(tc.error());
  }
  return verify_timeout_signature(v, std::move(timeout));
}

std::vector<VerifyResult<types::BlockVote>> verify_block_votes(
    const Verifier& v, std::vector<types::BlockVote> votes, Parallelism& parallel,
    std::vector<VerifiedVoteAggregate>* aggregates) {
  std::vector<std::optional<VerifyError>> verdict(votes.size());
  std::vector<types::Bytes> messages(votes.size());
  // Group the votes of known members by message; a member appears once per group.
  std::map<types::Hash, std::vector<std::size_t>> groups;  // by H(message)
  std::vector<std::size_t> singles;
  std::vector<std::uint32_t> index_of(votes.size(), 0);
  for (std::size_t i = 0; i < votes.size(); ++i) {
    auto index = member_index(v, votes[i].shard, votes[i].voter);
    if (!index) {
      verdict[i] = index.error();
      continue;
    }
    index_of[i] = *index;
    messages[i] = block_vote_message(votes[i]);
    groups[types::hash_bytes(messages[i])].push_back(i);
  }
  for (auto& [message_hash, members] : groups) {
    const types::Bytes& message = messages[members[0]];
    types::ShardId shard = votes[members[0]].shard;
    types::SignerBitfield signers(v.topology().committee(shard).size());
    std::vector<types::BlsSignature> sigs;
    bool distinct = true;
    for (auto i : members) {
      if (signers.test(index_of[i])) distinct = false;
      signers.set(index_of[i]);
      sigs.push_back(votes[i].signature);
    }
    auto aggregate = distinct && members.size() > 1 ? v.aggregate(sigs) : std::nullopt;
    if (aggregate && v.verify_aggregate(shard, signers, message, *aggregate)) {
      if (aggregates) aggregates->push_back({message_hash, signers, *aggregate});
      continue;
    }
    for (auto i : members)
      singles.push_back(i);
  }
  if (!singles.empty()) {
    std::vector<SignedMessage> batch;
    for (auto i : singles)
      batch.push_back({votes[i].shard, index_of[i], messages[i], votes[i].signature});
    for (auto b : v.find_invalid(batch, parallel))
      verdict[singles[b]] = VerifyError::kBadSignature;
  }
  std::vector<VerifyResult<types::BlockVote>> out;
  out.reserve(votes.size());
  for (std::size_t i = 0; i < votes.size(); ++i) {
    if (verdict[i])
      out.push_back(refuse(*verdict[i]));
    else
      out.push_back(accept(std::move(votes[i])));
  }
  return out;
}

std::optional<Verified<types::QuorumCertificate>> form_qc(
    const Verifier& v, std::span<const Verified<types::BlockVote>> votes,
    std::span<const VerifiedVoteAggregate> known) {
  if (votes.empty()) return std::nullopt;
  const types::BlockVote& first = *votes[0];
  if (first.shard >= v.topology().num_shards()) return std::nullopt;
  const auto& committee = v.topology().committee(first.shard);
  // Committee order: index -> signature; one vote per member.
  std::map<std::uint32_t, types::BlsSignature> by_index;
  for (const auto& vote : votes) {
    if (vote->shard != first.shard || vote->height != first.height || vote->round != first.round ||
        vote->block_hash != first.block_hash || vote->parent_hash != first.parent_hash)
      return std::nullopt;
    auto index = committee.index_of(vote->voter);
    if (!index) return std::nullopt;
    by_index.emplace(*index, vote->signature);
  }
  types::QuorumCertificate qc;
  qc.shard = first.shard;
  qc.height = first.height;
  qc.round = first.round;
  qc.block_hash = first.block_hash;
  qc.parent_hash = first.parent_hash;
  qc.signers = types::SignerBitfield(committee.size());
  std::vector<types::BlsSignature> sigs;
  sigs.reserve(by_index.size());
  for (const auto& [index, sig] : by_index) {
    qc.signers.set(index);
    sigs.push_back(sig);
  }
  if (!committee.has_quorum(qc.signers)) return std::nullopt;
  if (!known.empty()) {
    auto message_hash = types::hash_bytes(block_vote_message(first));
    for (const auto& k : known)
      if (k.signers == qc.signers && k.message_hash == message_hash) {
        qc.signature = k.aggregate;
        return VerifiedMaker::make(std::move(qc));
      }
  }
  auto aggregate = v.aggregate(sigs);
  if (!aggregate) return std::nullopt;
  qc.signature = *aggregate;
  return VerifiedMaker::make(std::move(qc));
}

std::optional<Verified<types::TimeoutCertificate>> form_tc(
    const Verifier& v, std::span<const Verified<types::Timeout>> timeouts) {
  if (timeouts.empty()) return std::nullopt;
  const types::Timeout& first = *timeouts[0];
  if (first.shard >= v.topology().num_shards()) return std::nullopt;
  const auto& committee = v.topology().committee(first.shard);
  struct Entry {
    types::Round high_qc_round;
    types::BlsSignature signature;
  };
  // One timeout per signer (the first given); the TC's QC is the highest
  // among exactly those, so it is the QC of the highest signed round.
  std::map<std::uint32_t, Entry> by_index;
  const types::QuorumCertificate* highest = nullptr;
  for (const auto& t : timeouts) {
    if (t->shard != first.shard || t->round != first.round) return std::nullopt;
    auto index = committee.index_of(t->voter);
    if (!index) return std::nullopt;
    if (!by_index.emplace(*index, Entry{t->high_qc.round, t->signature}).second) continue;
    if (!highest || t->high_qc.round > highest->round) highest = &t->high_qc;
  }
  types::TimeoutCertificate tc;
  tc.shard = first.shard;
  tc.round = first.round;
  tc.signers = types::SignerBitfield(committee.size());
  std::vector<types::BlsSignature> sigs;
  for (const auto& [index, e] : by_index) {
    tc.signers.set(index);
    tc.high_qc_rounds.push_back(e.high_qc_round);
    sigs.push_back(e.signature);
  }
  if (!committee.has_quorum(tc.signers)) return std::nullopt;
  auto aggregate = v.aggregate(sigs);
  if (!aggregate) return std::nullopt;
  tc.signature = *aggregate;
  tc.high_qc = *highest;
  return VerifiedMaker::make(std::move(tc));
}

}  // namespace hyperscale::crypto
