#pragma once

// Consensus messages and certificates of one shard's HotStuff-2 chain.

#include <optional>
#include <string_view>
#include <vector>

#include "types/codec.h"
#include "types/hash.h"
#include "types/ids.h"
#include "types/keys.h"
#include "types/signer_bitfield.h"

namespace hyperscale::types {

/// A quorum of the committee voted for block `block_hash`. Its signature is
/// the aggregate of the vote signatures over the BlockVote message
/// (shard, height, round, block hash, parent hash), aggregated in committee order.
struct QuorumCertificate {
  ShardId shard = 0;
  BlockHeight height = 0;
  Round round = 0;
  Hash block_hash;
  Hash parent_hash;
  SignerBitfield signers;
  BlsSignature signature;

  /// The genesis QC certifies the genesis block by definition: no signers.
  static QuorumCertificate genesis(ShardId shard, const Hash& genesis_block_hash);
  bool is_genesis() const { return height == 0 && signers.size() == 0; }

  friend bool operator==(const QuorumCertificate&, const QuorumCertificate&) = default;
};

struct BlockVote {
  ShardId shard = 0;
  BlockHeight height = 0;
  Round round = 0;
  Hash block_hash;
  Hash parent_hash;
  ValidatorId voter = 0;
  BlsSignature signature;

  friend bool operator==(const BlockVote&, const BlockVote&) = default;
};

/// A quorum timed out in `round`. Signers sharing a high-QC round signed the
/// same Timeout message; high_qc_rounds holds each signer's round in
/// committee order, and high_qc is the full QC of the highest of them.
struct TimeoutCertificate {
  ShardId shard = 0;
  Round round = 0;
  SignerBitfield signers;
  std::vector<Round> high_qc_rounds;
  BlsSignature signature;
  QuorumCertificate high_qc;

  Round max_high_qc_round() const;
  friend bool operator==(const TimeoutCertificate&, const TimeoutCertificate&) = default;
};

/// A validator's timeout for `round`, carrying its highest QC and, when it
/// entered `round` through one, the TC of round - 1.
struct Timeout {
  ShardId shard = 0;
  Round round = 0;
  QuorumCertificate high_qc;
  std::optional<TimeoutCertificate> last_round_tc;
  ValidatorId voter = 0;
  BlsSignature signature;

  friend bool operator==(const Timeout&, const Timeout&) = default;
};

/// The structural rules of a TC (DESIGN §5), the same for one received and
/// one formed locally: one high-QC round per signer, the carried QC is of
/// the shard and of the highest signed round, and that round is below the
/// TC's. nullopt if it holds; signatures are checked by crypto.
std::optional<std::string_view> tc_problem(const TimeoutCertificate& tc);

void write(Writer& w, const QuorumCertificate& v);
void read(Reader& r, QuorumCertificate& v);
void write(Writer& w, const BlockVote& v);
void read(Reader& r, BlockVote& v);
void write(Writer& w, const TimeoutCertificate& v);
void read(Reader& r, TimeoutCertificate& v);
void write(Writer& w, const Timeout& v);
void read(Reader& r, Timeout& v);

}  // namespace hyperscale::types
