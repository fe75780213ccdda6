#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "types/codec.h"
#include "types/consensus.h"
#include "types/hash.h"
#include "types/ids.h"
#include "types/keys.h"
#include "types/state.h"
#include "types/transaction.h"

namespace hyperscale::types {

/// Merkle roots of the seven body sections, in section order.
struct SectionRoots {
  Hash retry_txs;
  Hash priority_txs;
  Hash txs;
  Hash certificates;
  Hash deferrals;
  Hash aborts;
  Hash proofs;
  friend bool operator==(const SectionRoots&, const SectionRoots&) = default;
};

struct BlockHeader {
  ShardId shard = 0;
  BlockHeight height = 0;
  Round round = 0;
  Hash parent_hash;
  QuorumCertificate justify;                       // certifies the parent
  std::optional<TimeoutCertificate> timeout_cert;  // TC of round - 1, when entered by timeout
  ValidatorId proposer = 0;
  TimestampMs timestamp_ms = 0;
  Hash state_root;
  std::uint64_t state_version = 0;
  SectionRoots roots;
  /// Proposer's BLS signature over the BlockHeader message (which holds the
  /// block hash). Not part of the hash, so the hash can be signed.
  BlsSignature proposer_signature;

  /// H(encoding of every field but proposer_signature).
  Hash compute_hash() const;
  friend bool operator==(const BlockHeader&, const BlockHeader&) = default;
};

/// Structural consistency of a header, checked by the decoder and again by
/// every verification of a header held in memory: justify certifies the
/// parent (same shard, parent hash, height - 1, lower round), the TC if any is
/// of round - 1, genesis has neither parent nor certificates. nullopt if fine.
std::optional<std::string_view> header_problem(const BlockHeader& h);

/// A header with its body. Sections are each strictly sorted by hash: txs by
/// tx hash, certificates by tx hash, deferrals by loser tx hash, aborts by tx
/// hash, proofs by (tx hash, source shard). The header's section roots are
/// the Merkle roots of the sections' item hashes.
struct BlockBody {
  std::vector<TransactionRef> retry_txs;
  std::vector<TransactionRef> priority_txs;
  std::vector<TransactionRef> txs;
  std::vector<TransactionCertificateRef> certificates;
  std::vector<TransactionDefer> deferrals;
  std::vector<TransactionAbort> aborts;
  std::vector<CommitmentProof> proofs;

  SectionRoots compute_roots() const;
  std::size_t tx_count() const { return retry_txs.size() + priority_txs.size() + txs.size(); }
  friend bool operator==(const BlockBody&, const BlockBody&);
};

/// Immutable block with its hash computed once.
class Block {
 public:
  Block() = default;
  /// The header's roots must be body.compute_roots() (asserted).
  Block(BlockHeader header, BlockBody body);
  /// The block, or nullptr when the body does not match the header's roots.
  /// Computes the roots once.
  static std::shared_ptr<const Block> assemble(BlockHeader header, BlockBody body);
  /// For a caller that already knows the body matches the header's roots
  /// (consensus checks a proposal's hash lists against the roots, then fills
  /// exactly those items); checked again only in debug builds.
  static std::shared_ptr<const Block> assemble_prechecked(BlockHeader header, BlockBody body);

  const BlockHeader& header() const { return header_; }
  const BlockBody& body() const { return body_; }
  const Hash& hash() const { return hash_; }

  friend bool operator==(const Block& a, const Block& b) {
    return a.hash_ == b.hash_ && a.header_ == b.header_ && a.body_ == b.body_;
  }
  friend void write(Writer& w, const Block& v);
  friend void read(Reader& r, Block& v);

 private:
  struct RootsChecked {};
  Block(BlockHeader header, BlockBody body, RootsChecked);
  BlockHeader header_;
  BlockBody body_;
  Hash hash_;
};
using BlockRef = std::shared_ptr<const Block>;

/// Item hashes the section roots are built from.
Hash item_hash(const TransactionCertificate& v);
Hash item_hash(const TransactionDefer& v);
Hash item_hash(const TransactionAbort& v);
Hash item_hash(const CommitmentProof& v);

void write(Writer& w, const SectionRoots& v);
void read(Reader& r, SectionRoots& v);
void write(Writer& w, const BlockHeader& v);
void read(Reader& r, BlockHeader& v);
void write(Writer& w, const BlockBody& v);
void read(Reader& r, BlockBody& v);

}  // namespace hyperscale::types
