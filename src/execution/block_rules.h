#pragma once

// The execution rules a voter checks before voting on a block (DESIGN §6
// "Locks and block validity", "Certificates in blocks"), from chain content
// only — the block and the ledger as of its parent, never a mempool. Kept
// apart from consensus: bft asks through check_block() alone.
//
// Cross-shard transactions and the deferral, abort and proof sections come
// with the cross-shard issue; until then they are refused here.

#include <optional>
#include <string_view>

#include "execution/ledger.h"
#include "types/topology.h"

namespace hyperscale::execution {

enum class BlockViolation : std::uint8_t {
  kCrossShardTransaction,     // a transaction touching another shard (not supported yet)
  kNoDeclaredNodes,           // a transaction that declares no node (an empty manifest)
  kRetryWithoutCredential,    // attempt > 0: orderable only with attempt - 1's abort
                              // certificate (DESIGN §6, §8), which comes with livelock
  kBrokenAncestor,            // an uncommitted ancestor broke these rules: nothing builds on it
  kConflictInBlock,           // two transactions of the block conflict on a node
  kConflictWithLock,          // a transaction conflicts with a lock held as of the parent
  kUnsupportedSection,        // deferrals, aborts or commitment proofs
  kCertificateNotPending,     // an outcome for a tx not ordered-and-unfinished as of the parent
  kCertificateDuplicate,      // two outcomes for one tx in the block
  kCertificateShape,          // not exactly one certificate, of this shard, for this tx
  kCertificateNoQuorum,       // signers below a quorum of the committee's power
  kCertificateAborted,        // an abort outcome (no abort path for single-shard txs)
  kCertificateWritesRoot,     // writes not strictly sorted, or whose root is not the outputs root
  kCertificateFailureWrites,  // a failed execution that carries writes
  kCertificateWriteOutside,   // a write to a node the tx did not declare as written here
};
std::string_view to_string(BlockViolation v);

/// nullopt when one outcome keeps the rules as of `view`: for a transaction
/// unfinished there, this shard's certificate alone, signed by a quorum of
/// `committee` (counted, not verified), executed, writes strictly sorted with
/// the outputs root and only on nodes the transaction declared as written here.
std::optional<BlockViolation> check_certificate(const AsOfParent& view,
                                                const types::TransactionCertificate& cert,
                                                const types::Committee& committee);

/// nullopt when `block` keeps every execution rule as of its parent (`view`).
/// `committee` is this shard's. Signatures are not checked here (the
/// certificate's aggregate is verified with the block's other signatures).
std::optional<BlockViolation> check_block(const AsOfParent& view, const types::Block& block,
                                          const types::Committee& committee);

}  // namespace hyperscale::execution
