#pragma once

// Expensive work a state machine delegates: it emits a Job action, the runner
// runs it (inline in simulation, on the crypto pool in production) with
// run_job(), and feeds the JobResult back as an event. Results carry
// Verified<T>, which only crypto's verification functions can make.

#include <expected>
#include <functional>
#include <memory>
#include <optional>
#include <variant>
#include <vector>

#include "core/messages.h"
#include "crypto/parallel.h"
#include "crypto/scheme.h"
#include "crypto/verify.h"

namespace hyperscale::core {

template <class T>
using Verified = crypto::Verified<T>;

// --- proposals ------------------------------------------------------------------

struct VerifyProposalJob {
  types::ValidatorId from = 0;
  ProposalRef proposal;
};
struct VerifiedProposal {
  ProposalRef proposal;
  Verified<types::BlockHeader> header;  // proposer's signature checked
  Verified<types::QuorumCertificate> justify;
  std::optional<Verified<types::TimeoutCertificate>> tc;
  std::optional<Verified<types::QuorumCertificate>> tc_high_qc;  // the TC's QC
};
struct ProposalVerified {
  types::ValidatorId from = 0;
  ProposalRef proposal;
  std::expected<VerifiedProposal, crypto::VerifyError> result;
};

// --- votes and QC formation --------------------------------------------------------

/// Votes are grouped by what they sign: H(vote message) (shard, height,
/// round, block hash, parent hash), so a vote with a forged parent or height
/// can never spoil the quorum of the real ones.
types::Hash vote_key(const types::BlockVote& vote);

struct VerifyVotesJob {
  std::vector<types::BlockVote> votes;               // unverified, one vote message
  std::vector<Verified<types::BlockVote>> verified;  // already verified, same message
  /// Checking suspected equivocation only: no QC, no collector bookkeeping.
  bool evidence = false;
};
struct VotesVerified {
  types::Hash key;  // vote_key of the votes
  bool evidence = false;
  types::Hash block_hash;
  types::Round round = 0;
  std::vector<Verified<types::BlockVote>> valid;  // newly verified
  std::vector<types::ValidatorId> invalid;
  /// Formed when valid + verified reach a quorum.
  std::optional<Verified<types::QuorumCertificate>> qc;
};

// --- timeouts and TC formation ----------------------------------------------------

struct VerifyTimeoutsJob {
  std::vector<types::Timeout> timeouts;            // unverified, one round
  std::vector<Verified<types::Timeout>> verified;  // already verified, same round
};
struct TimeoutsVerified {
  types::Round round = 0;
  std::vector<Verified<types::Timeout>> valid;
  /// The certificates the valid timeouts carry, verified (deduplicated),
  /// including the QCs inside those TCs.
  std::vector<Verified<types::QuorumCertificate>> high_qcs;
  std::vector<Verified<types::TimeoutCertificate>> tcs;
  std::vector<types::ValidatorId> invalid;
  std::optional<Verified<types::TimeoutCertificate>> tc;
};

struct VerifyTimeoutCertificateJob {
  types::ValidatorId from = 0;
  types::TimeoutCertificate tc;
  bool probe = false;  // of a TC too far ahead to be kept (one such check at a time)
};
struct TimeoutCertificateVerified {
  types::ValidatorId from = 0;
  bool probe = false;
  types::Round round = 0;  // of the TC checked
  std::expected<Verified<types::TimeoutCertificate>, crypto::VerifyError> result;
  std::optional<Verified<types::QuorumCertificate>> high_qc;  // the TC's QC, when valid
};

/// A lone QC, checked to learn where the shard is: a catch-up probe of a
/// message too far ahead to be kept, or a QC a fetched block needs.
struct VerifyQuorumCertificateJob {
  types::ValidatorId from = 0;
  types::QuorumCertificate qc;
  bool probe = false;  // of a message too far ahead (else a timeout's high QC)
};
struct QuorumCertificateVerified {
  types::ValidatorId from = 0;
  bool probe = false;
  types::Round round = 0;  // of the QC checked
  std::expected<Verified<types::QuorumCertificate>, crypto::VerifyError> result;
};

/// Two headers offered as proof that their proposer equivocated.
struct VerifyEquivocationJob {
  types::ValidatorId from = 0;
  EquivocationProof proof;
};
struct EquivocationVerified {
  types::ValidatorId from = 0;
  /// Set when both headers are of one shard, proposer and round, differ, and
  /// carry valid proposer signatures.
  std::optional<EquivocationProof> proof;
};

// --- transactions ----------------------------------------------------------------

enum class TxOrigin : std::uint8_t { kSubmitted, kGossip, kFetch, kSync };
struct VerifyTransactionsJob {
  TxOrigin origin = TxOrigin::kGossip;
  types::Hash block_hash;  // for fetches
  std::vector<types::TransactionRef> txs;
};
struct TransactionsVerified {
  TxOrigin origin = TxOrigin::kGossip;
  types::Hash block_hash;
  std::vector<types::TransactionRef> valid;
  std::vector<types::Hash> invalid;
};

// --- sync ---------------------------------------------------------------------------

struct VerifySyncBlocksJob {
  types::ValidatorId from = 0;
  std::vector<CertifiedBlock> blocks;
  bool by_hash = false;    // one block asked by hash (BlockFetchRequest), not a sync answer
  types::Hash asked_hash;  // the block asked, when by_hash
};
struct VerifiedSyncBlock {
  types::BlockRef block;
  Verified<types::QuorumCertificate> qc;       // certifies block
  Verified<types::QuorumCertificate> justify;  // the block's own justify
};
struct SyncBlocksVerified {
  types::ValidatorId from = 0;
  bool by_hash = false;
  types::Hash asked_hash;
  /// The longest prefix that checked out: structure and hash chain, both
  /// QCs, proposer signature, and every transaction signature (checked in
  /// that order, cheapest first).
  std::vector<VerifiedSyncBlock> blocks;
  bool complete = true;  // false when something after the prefix failed
  /// Transaction signatures checked (none when a cheaper check already failed).
  std::size_t tx_signatures_checked = 0;
};

// --- execution (DESIGN §6) -----------------------------------------------------------

/// One committed transaction's outcome: success and its exact writes (none
/// on failure), strictly sorted by key.
struct ExecutedTransaction {
  types::Hash tx_hash;
  bool success = false;
  std::vector<types::StateEntry> writes;
  friend bool operator==(const ExecutedTransaction&, const ExecutedTransaction&) = default;
};

/// Executes the transactions a committed block ordered, at that block's
/// state version. `reads` holds every substate of the transactions'
/// declared nodes at that version, strictly sorted by key: the job needs no
/// other state, so it can run on any thread.
struct ExecuteTransactionsJob {
  types::BlockHeight height = 0;
  std::vector<types::TransactionRef> txs;
  std::vector<types::StateEntry> reads;
};
struct TransactionsExecuted {
  types::BlockHeight height = 0;
  std::vector<ExecutedTransaction> results;  // one per job tx, in job order
};

/// The state votes of one transaction that agree with this node's own
/// outcome (its own vote among them), and its writes: verified with every
/// other group of the job in one batch (one multi-pairing, the bad ones found
/// by bisection), then aggregated into a certificate at a quorum.
struct StateVoteGroup {
  types::Hash tx_hash;
  std::vector<types::StateVote> votes;               // unverified
  std::vector<Verified<types::StateVote>> verified;  // verified before
  std::vector<types::StateEntry> writes;             // this node's, for the certificate
};
struct VerifyStateVotesJob {
  std::vector<StateVoteGroup> groups;
};
struct StateVotesVerified {
  struct Group {
    types::Hash tx_hash;
    std::vector<Verified<types::StateVote>> valid;  // newly verified
    std::vector<types::ValidatorId> invalid;
    std::optional<types::StateCertificate> certificate;  // at a quorum of valid + verified
  };
  std::vector<Group> groups;
};

/// Transaction certificates from a peer: each shard certificate's quorum
/// and aggregate signature.
struct VerifyTransactionCertificatesJob {
  types::ValidatorId from = 0;
  std::vector<types::TransactionCertificateRef> certificates;
};
struct TransactionCertificatesVerified {
  types::ValidatorId from = 0;
  std::vector<types::TransactionCertificateRef> valid;
  std::size_t invalid = 0;
};

using Job = std::variant<VerifyProposalJob, VerifyVotesJob, VerifyTimeoutsJob,
                         VerifyTimeoutCertificateJob, VerifyTransactionsJob, VerifySyncBlocksJob,
                         VerifyQuorumCertificateJob, VerifyEquivocationJob, ExecuteTransactionsJob,
                         VerifyStateVotesJob, VerifyTransactionCertificatesJob>;
using JobResult =
    std::variant<ProposalVerified, VotesVerified, TimeoutsVerified, TimeoutCertificateVerified,
                 TransactionsVerified, SyncBlocksVerified, QuorumCertificateVerified,
                 EquivocationVerified, TransactionsExecuted, StateVotesVerified,
                 TransactionCertificatesVerified>;

/// Checks every shard certificate of `cert` (quorum and aggregate signature).
bool transaction_certificate_valid(const crypto::Verifier& v,
                                   const types::TransactionCertificate& cert);
/// Whether every one of `certs` holds, their signatures checked as one batch
/// (crypto::state_certificates_valid; all or nothing).
bool transaction_certificates_valid(const crypto::Verifier& v,
                                    std::span<const types::TransactionCertificateRef> certs,
                                    crypto::Parallelism& parallel);

/// What run_job needs besides the job: the committees' keys and each shard's
/// genesis hash (the genesis QC is not signed).
struct JobContext {
  const crypto::Verifier* verifier = nullptr;
  std::vector<types::Hash> genesis_hashes;  // by shard
  crypto::Parallelism* parallel = nullptr;
  /// Simulation only: transaction signatures are the mock scheme's.
  bool mock_transaction_signatures = false;
  /// Runs the engine over a job's reads (the execution module provides it:
  /// core does not link the engine). Required once execution jobs are issued.
  std::function<TransactionsExecuted(const ExecuteTransactionsJob&)> execute;
};

/// Pure given the context: same job, same result.
JobResult run_job(const JobContext& ctx, Job job);

}  // namespace hyperscale::core
