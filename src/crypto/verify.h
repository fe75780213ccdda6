#pragma once

// Signature checks of every signed type, against a Verifier's committees.
// Each returns the value wrapped in Verified<T>, or why it was refused.
// Quorums are always summed from the signer bitfield by the committee.

#include <expected>
#include <optional>
#include <span>
#include <string_view>

#include "crypto/parallel.h"
#include "crypto/scheme.h"
#include "crypto/verified.h"
#include "types/block.h"
#include "types/consensus.h"
#include "types/state.h"

namespace hyperscale::crypto {

enum class VerifyError : std::uint8_t {
  kUnknownShard,
  kUnknownSigner,      // not a member of the committee it claims
  kWrongBitfieldSize,  // bitfield not made for this committee
  kNoQuorum,           // signers' power is not more than 2/3
  kBadSignature,
  kGenesis,    // genesis QCs are not signed; callers compare the block hash
  kMalformed,  // structure contradicts itself (e.g. TC rounds vs signers)
};
std::string_view to_string(VerifyError e);

template <class T>
using VerifyResult = std::expected<Verified<T>, VerifyError>;

VerifyResult<types::BlockVote> verify_block_vote(const Verifier& v, types::BlockVote vote);
VerifyResult<types::QuorumCertificate> verify_qc(const Verifier& v, types::QuorumCertificate qc);
/// The timeout's own signature. Its high QC and TC are verified separately.
VerifyResult<types::Timeout> verify_timeout_signature(const Verifier& v, types::Timeout timeout);
/// The TC's aggregate over the per-round groups. Its high QC is verified separately.
VerifyResult<types::TimeoutCertificate> verify_tc_signature(const Verifier& v,
                                                            types::TimeoutCertificate tc);
/// The proposer's signature over the header's hash.
VerifyResult<types::BlockHeader> verify_header_signature(const Verifier& v,
                                                         types::BlockHeader header);
VerifyResult<types::StateProvision> verify_provision(const Verifier& v,
                                                     types::StateProvision provision);
/// A quorum of the source committee signed the provision content.
VerifyResult<types::CommitmentProof> verify_commitment_proof(const Verifier& v,
                                                             types::CommitmentProof proof);
/// The genesis QC is not signed: it is valid when it names this shard's genesis block.
VerifyResult<types::QuorumCertificate> verify_qc_or_genesis(const Verifier& v,
                                                            types::QuorumCertificate qc,
                                                            const types::Hash& genesis_hash);
/// A whole TC: the per-round aggregate and its high QC.
VerifyResult<types::TimeoutCertificate> verify_tc(const Verifier& v, types::TimeoutCertificate tc,
                                                  const types::Hash& genesis_hash);
/// A whole timeout: its signature, its high QC and the TC it carries.
VerifyResult<types::Timeout> verify_timeout(const Verifier& v, types::Timeout timeout,
                                            const types::Hash& genesis_hash);

/// Verifies many votes at once. Votes over the same message are checked as
/// one aggregate (one pairing); only when that fails are they checked one by
/// one to find the bad ones. results[i] belongs to votes[i].
/// The aggregate signature of a group of votes over one message, found valid
/// while verifying them: QC formation reuses it instead of decoding and
/// adding the same signatures again.
struct VerifiedVoteAggregate {
  types::Hash message_hash;  // H(block_vote_message)
  types::SignerBitfield signers;
  types::BlsSignature aggregate;
};

/// `aggregates`, when given, receives each group that verified as one.
std::vector<VerifyResult<types::BlockVote>> verify_block_votes(
    const Verifier& v, std::vector<types::BlockVote> votes, Parallelism& parallel,
    std::vector<VerifiedVoteAggregate>* aggregates = nullptr);

/// Aggregates verified votes for one block into a QC, signatures in committee
/// order. nullopt unless the voters' power is a quorum. An entry of `known`
/// with exactly the QC's signers and message supplies the signature.
std::optional<Verified<types::QuorumCertificate>> form_qc(
    const Verifier& v, std::span<const Verified<types::BlockVote>> votes,
    std::span<const VerifiedVoteAggregate> known = {});
/// Aggregates verified timeouts of one round into a TC, one per signer (a
/// signer's later timeouts are ignored); the TC carries the QC of the
/// highest round among those used. nullopt unless a quorum.
std::optional<Verified<types::TimeoutCertificate>> form_tc(
    const Verifier& v, std::span<const Verified<types::Timeout>> timeouts);

VerifyResult<types::StateVote> verify_state_vote(const Verifier& v, types::StateVote vote);
/// Many state votes (of many transactions) at once: one batch check over
/// distinct messages (Verifier::find_invalid), the bad ones found by
/// bisection. results[i] belongs to votes[i].
std::vector<VerifyResult<types::StateVote>> verify_state_votes(const Verifier& v,
                                                               std::vector<types::StateVote> votes,
                                                               Parallelism& parallel);
/// Aggregates verified state votes over one content into a certificate with
/// `writes` (signatures in committee order). nullopt unless a quorum, or
/// when the votes disagree on the content.
std::optional<types::StateCertificate> form_state_certificate(
    const Verifier& v, std::span<const Verified<types::StateVote>> votes,
    std::vector<types::StateEntry> writes);
VerifyResult<types::StateCertificate> verify_state_certificate(const Verifier& v,
                                                               types::StateCertificate cert);
/// Whether every state certificate holds (a quorum of its committee, a
/// valid aggregate signature), the signatures checked as one batch: per
/// certificate one Miller loop instead of a full pairing check. All or
/// nothing: many bad certificates cost one batch, not a search for each.
bool state_certificates_valid(const Verifier& v,
                              std::span<const types::StateCertificate* const> certs,
                              Parallelism& parallel);

}  // namespace hyperscale::crypto
