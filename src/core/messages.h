#pragma once

// Everything validators send each other. Each message has one canonical
// encoding (write/read), used by production framing and by the simulator's
// traffic accounting.

#include <memory>
#include <string_view>
#include <variant>
#include <vector>

#include "types/block.h"
#include "types/codec.h"
#include "types/consensus.h"
#include "types/transaction.h"

namespace hyperscale::core {

using types::Hash;

/// A proposal: the signed header and the hash lists of its transactions.
/// Validators assemble the body from their mempool and fetch what is
/// missing. Transaction certificates and the livelock and cross-shard
/// sections travel inline: a certificate's signer set depends on who
/// aggregated it, so a peer may hold another certificate for the same outcome.
struct ProposalMessage {
  types::BlockHeader header;
  std::vector<Hash> retry_tx_hashes;
  std::vector<Hash> priority_tx_hashes;
  std::vector<Hash> tx_hashes;
  std::vector<types::TransactionCertificateRef> certificates;
  std::vector<types::TransactionDefer> deferrals;
  std::vector<types::TransactionAbort> aborts;
  std::vector<types::CommitmentProof> proofs;

  std::size_t tx_count() const {
    return retry_tx_hashes.size() + priority_tx_hashes.size() + tx_hashes.size();
  }
  /// The section roots of the body these lists describe (what header.roots
  /// must be): a voter checks this once, before assembling the body.
  types::SectionRoots compute_roots() const;
  friend bool operator==(const ProposalMessage& a, const ProposalMessage& b);
};
using ProposalRef = std::shared_ptr<const ProposalMessage>;

/// The TC of round r - 1, sent to leader(r) by a node entering r through it.
struct TimeoutCertificateMessage {
  types::TimeoutCertificate tc;
  friend bool operator==(const TimeoutCertificateMessage&,
                         const TimeoutCertificateMessage&) = default;
};

struct TransactionGossip {
  std::vector<types::TransactionRef> txs;
  friend bool operator==(const TransactionGossip& a, const TransactionGossip& b);
};

struct TransactionFetchRequest {
  Hash block_hash;
  std::vector<Hash> tx_hashes;
  friend bool operator==(const TransactionFetchRequest&, const TransactionFetchRequest&) = default;
};

struct TransactionFetchResponse {
  Hash block_hash;
  std::vector<types::TransactionRef> txs;
  friend bool operator==(const TransactionFetchResponse& a, const TransactionFetchResponse& b);
};

/// A committed or certified block with the QC that certifies it.
struct CertifiedBlock {
  types::BlockRef block;
  types::QuorumCertificate qc;
  friend bool operator==(const CertifiedBlock& a, const CertifiedBlock& b);
};

struct SyncRequest {
  types::BlockHeight from_height = 0;
  std::uint32_t count = 0;
  friend bool operator==(const SyncRequest&, const SyncRequest&) = default;
};

struct SyncResponse {
  std::vector<CertifiedBlock> blocks;  // consecutive heights
  friend bool operator==(const SyncResponse&, const SyncResponse&) = default;
};

/// A block by hash, asked of a signer of the QC that certifies it: the node
/// holds the QC (it formed it, or got it in a timeout) but missed the proposal.
struct BlockFetchRequest {
  Hash block_hash;
  friend bool operator==(const BlockFetchRequest&, const BlockFetchRequest&) = default;
};

struct BlockFetchResponse {
  types::BlockRef block;
  friend bool operator==(const BlockFetchResponse& a, const BlockFetchResponse& b);
};

/// Two signed headers of one proposer for one round and different blocks:
/// proof that the leader equivocated. A validator that sees both forwards
/// them once, so every peer gives up the round at once (DESIGN §5
/// "Equivocation": kept as evidence and reported).
struct EquivocationProof {
  types::BlockHeader first;
  types::BlockHeader second;
  friend bool operator==(const EquivocationProof&, const EquivocationProof&) = default;
};

/// One validator's state votes (DESIGN §6): the outcomes it executed, sent
/// to its shard's committee and re-sent until certificates form.
struct StateVotesMessage {
  std::vector<types::StateVote> votes;
  friend bool operator==(const StateVotesMessage&, const StateVotesMessage&) = default;
};

/// Transaction certificates formed by the sender, for its shard's proposers.
struct TransactionCertificatesMessage {
  std::vector<types::TransactionCertificateRef> certificates;
  friend bool operator==(const TransactionCertificatesMessage& a,
                         const TransactionCertificatesMessage& b);
};

using Message =
    std::variant<ProposalRef, types::BlockVote, types::Timeout, TimeoutCertificateMessage,
                 TransactionGossip, TransactionFetchRequest, TransactionFetchResponse, SyncRequest,
                 SyncResponse, BlockFetchRequest, BlockFetchResponse, EquivocationProof,
                 StateVotesMessage, TransactionCertificatesMessage>;

/// Stable short name of the message's type ("proposal", "vote", ...).
std::string_view message_type_name(const Message& m);
inline constexpr std::size_t kMessageTypeCount = std::variant_size_v<Message>;
std::string_view message_type_name(std::size_t index);

/// Size of the canonical encoding, without computing it where avoidable.
std::size_t encoded_size(const Message& m);

void write(types::Writer& w, const ProposalMessage& v);
void read(types::Reader& r, ProposalMessage& v);
void write(types::Writer& w, const Message& v);
void read(types::Reader& r, Message& v);

/// Per-message limits of the decoders.
namespace limits {
inline constexpr std::uint32_t kMaxSyncBlocksPerResponse = 64;
inline constexpr std::uint32_t kMaxGossipTxs = 4096;
inline constexpr std::uint32_t kMaxStateVotesPerMessage = 4096;
inline constexpr std::uint32_t kMaxCertificatesPerMessage = 4096;
}  // namespace limits

}  // namespace hyperscale::core
