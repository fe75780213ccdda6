#pragma once

// Cross-shard state types: provisions, commitment proofs, state votes and
// certificates, and the livelock records that travel in blocks.

#include <memory>
#include <optional>
#include <variant>
#include <vector>

#include "types/codec.h"
#include "types/hash.h"
#include "types/ids.h"
#include "types/keys.h"
#include "types/signer_bitfield.h"
#include "types/transaction.h"

namespace hyperscale::types {

/// Address of one substate: NodeId ‖ partition ‖ sort key. Ordered bytewise
/// by (node, partition, sort key).
struct SubstateKey {
  NodeId node;
  std::uint8_t partition = 0;
  Bytes sort_key;
  friend auto operator<=>(const SubstateKey&, const SubstateKey&) = default;
  friend bool operator==(const SubstateKey&, const SubstateKey&) = default;
};

/// A substate value, or nullopt for "absent" (in provisions) / "delete" (in writes).
struct StateEntry {
  SubstateKey key;
  std::optional<Bytes> value;
  friend bool operator==(const StateEntry&, const StateEntry&) = default;
};
Hash entry_hash(const StateEntry& e);
/// Merkle root over the entry hashes, in key order (the outputs root of writes).
Hash entries_root(const std::vector<StateEntry>& entries);

/// What every honest validator of `source_shard` signs for one tx and target:
/// fixed by the committing block, so all of them sign the same bytes.
struct ProvisionContent {
  Hash tx_hash;
  ShardId source_shard = 0;
  ShardId target_shard = 0;
  BlockHeight commit_height = 0;
  TimestampMs commit_timestamp_ms = 0;
  std::vector<StateEntry> entries;  // strictly sorted by key
  friend bool operator==(const ProvisionContent&, const ProvisionContent&) = default;
};

struct StateProvision {
  ProvisionContent content;
  ValidatorId validator = 0;
  BlsSignature signature;
  friend bool operator==(const StateProvision&, const StateProvision&) = default;
};

/// A source-shard quorum's aggregate over one ProvisionContent: the target's
/// evidence that the source committed the transaction.
struct CommitmentProof {
  ProvisionContent content;
  SignerBitfield signers;
  BlsSignature signature;
  friend bool operator==(const CommitmentProof&, const CommitmentProof&) = default;
};

enum class AbortReason : std::uint8_t {
  kTimeout = 0,         // proofs still missing 30 blocks after ordering
  kDeferred = 1,        // lost a livelock cycle
  kTooManyRetries = 2,  // deferred at the last attempt
  kExpired = 3,         // validity window passed before ordering
};
inline constexpr std::uint8_t kMaxAbortReason = 3;

/// The shard executed the tx: success flag and the root of all its writes.
struct Executed {
  bool success = false;
  Hash outputs_root;
  friend bool operator==(const Executed&, const Executed&) = default;
};
/// The shard aborted the tx.
struct Aborted {
  AbortReason reason = AbortReason::kTimeout;
  std::uint32_t attempt = 0;
  friend bool operator==(const Aborted&, const Aborted&) = default;
};

struct StateVoteContent {
  Hash tx_hash;
  ShardId shard = 0;
  std::variant<Executed, Aborted> outcome;
  bool is_success() const;
  friend bool operator==(const StateVoteContent&, const StateVoteContent&) = default;
};

struct StateVote {
  StateVoteContent content;
  ValidatorId voter = 0;
  BlsSignature signature;
  friend bool operator==(const StateVote&, const StateVote&) = default;
};

/// A shard quorum's aggregate over one StateVoteContent. An Executed
/// certificate carries all the tx's writes, whose root must be the outputs
/// root (a failed execution has no writes, so the zero root); an Aborted one
/// carries none.
struct StateCertificate {
  StateVoteContent content;
  std::vector<StateEntry> writes;  // strictly sorted by key
  SignerBitfield signers;
  BlsSignature signature;
  friend bool operator==(const StateCertificate&, const StateCertificate&) = default;
};

enum class Decision : std::uint8_t { kAccept = 0, kReject = 1 };

/// The outcome of a transaction: one StateCertificate per shard that has
/// decided, sorted by shard. Whether the set is complete is checked against
/// the transaction's involved shards by the execution layer.
struct TransactionCertificate {
  Hash tx_hash;
  std::vector<StateCertificate> shard_certificates;

  /// Accept iff every certificate executed successfully with one outputs root;
  /// any failure or abort rejects.
  Decision decision() const;
  friend bool operator==(const TransactionCertificate&, const TransactionCertificate&) = default;
};
using TransactionCertificateRef = std::shared_ptr<const TransactionCertificate>;

/// Evidence of a livelock cycle: the winning tx in full (so its declared
/// access can be derived) and its commitment proof from the source shard.
struct CycleProof {
  TransactionRef winner_tx;
  CommitmentProof winner_proof;
  friend bool operator==(const CycleProof& a, const CycleProof& b) {
    bool same_tx =
        a.winner_tx == b.winner_tx || (a.winner_tx && b.winner_tx && *a.winner_tx == *b.winner_tx);
    return same_tx && a.winner_proof == b.winner_proof;
  }
};

struct TransactionDefer {
  Hash loser_tx_hash;
  CycleProof proof;
  friend bool operator==(const TransactionDefer&, const TransactionDefer&) = default;
};

struct TransactionAbort {
  Hash tx_hash;
  AbortReason reason = AbortReason::kTimeout;
  friend bool operator==(const TransactionAbort&, const TransactionAbort&) = default;
};

void write(Writer& w, const SubstateKey& v);
void read(Reader& r, SubstateKey& v);
void write(Writer& w, const StateEntry& v);
void read(Reader& r, StateEntry& v);
void write(Writer& w, const ProvisionContent& v);
void read(Reader& r, ProvisionContent& v);
void write(Writer& w, const StateProvision& v);
void read(Reader& r, StateProvision& v);
void write(Writer& w, const CommitmentProof& v);
void read(Reader& r, CommitmentProof& v);
void write(Writer& w, const StateVoteContent& v);
void read(Reader& r, StateVoteContent& v);
void write(Writer& w, const StateVote& v);
void read(Reader& r, StateVote& v);
void write(Writer& w, const StateCertificate& v);
void read(Reader& r, StateCertificate& v);
void write(Writer& w, const TransactionCertificate& v);
void read(Reader& r, TransactionCertificate& v);
void write(Writer& w, const TransactionCertificateRef& v);
void read(Reader& r, TransactionCertificateRef& v);
void write(Writer& w, const CycleProof& v);
void read(Reader& r, CycleProof& v);
void write(Writer& w, const TransactionDefer& v);
void read(Reader& r, TransactionDefer& v);
void write(Writer& w, const TransactionAbort& v);
void read(Reader& r, TransactionAbort& v);

}  // namespace hyperscale::types
