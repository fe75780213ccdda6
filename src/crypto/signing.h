#pragma once

// The one function per signed type that builds its signing message:
// domain prefix ‖ every field whose change would change the meaning.

#include "types/block.h"
#include "types/consensus.h"
#include "types/state.h"
#include "types/transaction.h"

namespace hyperscale::crypto {

using types::Bytes;

/// domain ‖ block hash. The block hash covers every header field but the signature.
Bytes block_header_message(const types::Hash& block_hash);
/// domain ‖ shard ‖ height ‖ round ‖ block hash ‖ parent hash. Also what a QC's aggregate signs.
Bytes block_vote_message(types::ShardId shard, types::BlockHeight height, types::Round round,
                         const types::Hash& block_hash, const types::Hash& parent_hash);
Bytes block_vote_message(const types::BlockVote& vote);
Bytes block_vote_message(const types::QuorumCertificate& qc);
/// domain ‖ shard ‖ round ‖ high_qc round.
Bytes timeout_message(types::ShardId shard, types::Round round, types::Round high_qc_round);
/// domain ‖ H(encoded provision content): tx, source, target, commit height and
/// timestamp, sorted entries. Also what a CommitmentProof's aggregate signs.
Bytes state_provision_message(const types::ProvisionContent& content);
/// domain ‖ H(encoded vote content): tx, shard, and the execute or abort outcome.
Bytes state_vote_message(const types::StateVoteContent& content);
/// domain ‖ intent hash. Each required signer signs this with Ed25519.
Bytes transaction_message(const types::Hash& intent_hash);

}  // namespace hyperscale::crypto
