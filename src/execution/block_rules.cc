#include "execution/block_rules.h"

#include <algorithm>
#include <set>

namespace hyperscale::execution {

std::string_view to_string(BlockViolation v) {
  switch (v) {
    case BlockViolation::kCrossShardTransaction:
      return "cross-shard transaction";
    case BlockViolation::kRetryWithoutCredential:
      return "a retry attempt without its credential";
    case BlockViolation::kNoDeclaredNodes:
      return "transaction declares no node";
    case BlockViolation::kBrokenAncestor:
      return "an ancestor broke the execution rules";
    case BlockViolation::kCertificateDuplicate:
      return "two outcomes for one tx";
    case BlockViolation::kConflictInBlock:
      return "conflicting transactions in the block";
    case BlockViolation::kConflictWithLock:
      return "transaction conflicts with a held lock";
    case BlockViolation::kUnsupportedSection:
      return "deferrals, aborts or proofs";
    case BlockViolation::kCertificateNotPending:
      return "outcome for a tx not pending";
    case BlockViolation::kCertificateShape:
      return "malformed transaction certificate";
    case BlockViolation::kCertificateNoQuorum:
      return "state certificate without a quorum";
    case BlockViolation::kCertificateAborted:
      return "abort outcome for a single-shard tx";
    case BlockViolation::kCertificateWritesRoot:
      return "writes do not match the outputs root";
    case BlockViolation::kCertificateFailureWrites:
      return "failed execution with writes";
    case BlockViolation::kCertificateWriteOutside:
      return "write outside the declared writes";
  }
  return "unknown block violation";
}

std::optional<BlockViolation> check_certificate(const AsOfParent& view,
                                                const types::TransactionCertificate& cert,
                                                const types::Committee& committee) {
  const PendingTx* pending = view.unfinished(cert.tx_hash);
  if (!pending) return BlockViolation::kCertificateNotPending;
  const auto shard = view.ledger().shard();
  if (cert.shard_certificates.size() != 1) return BlockViolation::kCertificateShape;
  const types::StateCertificate& sc = cert.shard_certificates.front();
  if (sc.content.shard != shard || sc.content.tx_hash != cert.tx_hash)
    return BlockViolation::kCertificateShape;
  if (sc.signers.size() != committee.size()) return BlockViolation::kCertificateShape;
  if (!committee.has_quorum(sc.signers)) return BlockViolation::kCertificateNoQuorum;
  const auto* executed = std::get_if<types::Executed>(&sc.content.outcome);
  if (!executed) return BlockViolation::kCertificateAborted;
  if (!executed->success && !sc.writes.empty()) return BlockViolation::kCertificateFailureWrites;
  for (std::size_t i = 1; i < sc.writes.size(); ++i)
    if (!(sc.writes[i - 1].key < sc.writes[i].key)) return BlockViolation::kCertificateWritesRoot;
  if (types::entries_root(sc.writes) != executed->outputs_root)
    return BlockViolation::kCertificateWritesRoot;
  const auto& writable = pending->local.writes;  // sorted
  for (const auto& w : sc.writes)
    if (!std::binary_search(writable.begin(), writable.end(), w.key.node))
      return BlockViolation::kCertificateWriteOutside;
  return std::nullopt;
}

std::optional<BlockViolation> check_block(const AsOfParent& view, const types::Block& block,
                                          const types::Committee& committee) {
  const auto& body = block.body();
  if (!body.deferrals.empty() || !body.aborts.empty() || !body.proofs.empty())
    return BlockViolation::kUnsupportedSection;
  if (view.broken()) return BlockViolation::kBrokenAncestor;
  const auto shard = view.ledger().shard();
  const auto num_shards = view.ledger().num_shards();
  LockTable in_block;
  for (const auto* section : {&body.retry_txs, &body.priority_txs, &body.txs})
    for (const auto& tx : *section) {
      if (tx->access().reads.empty() && tx->access().writes.empty())
        return BlockViolation::kNoDeclaredNodes;
      // The signatures cover the intent, not the attempt: without this, a
      // completed transfer re-sent as attempt 1 would execute again.
      if (tx->attempt() != 0) return BlockViolation::kRetryWithoutCredential;
      types::DeclaredAccess local = local_access(tx->access(), shard, num_shards);
      if (local.reads.size() != tx->access().reads.size() ||
          local.writes.size() != tx->access().writes.size())
        return BlockViolation::kCrossShardTransaction;
      if (!in_block.can_lock(local)) return BlockViolation::kConflictInBlock;
      if (!view.can_lock(local)) return BlockViolation::kConflictWithLock;
      in_block.lock(tx->hash(), local);
    }
  // Sections arrive sorted from the decoder, but blocks are also built in
  // memory: an outcome is checked against the ones before it in the block.
  std::set<types::Hash> outcomes;
  for (const auto& cert : body.certificates) {
    if (!outcomes.insert(cert->tx_hash).second) return BlockViolation::kCertificateDuplicate;
    if (auto v = check_certificate(view, *cert, committee)) return v;
  }
  return std::nullopt;
}

}  // namespace hyperscale::execution
