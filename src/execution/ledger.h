#pragma once

// What the chain says about execution (DESIGN §6): which transactions are
// ordered and unfinished here, and the locks they hold. Derived from
// committed blocks only — never from a mempool — and persisted with each
// committed block (one entry per unfinished transaction), so a restarted
// validator reloads what it owes (recovery.h).
//
// AsOfParent lays a block's uncommitted ancestors over the committed ledger:
// the view a voter checks a block against (block_rules.h).

#include <expected>
#include <map>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "execution/lock_table.h"
#include "types/block.h"
#include "types/codec.h"

namespace hyperscale::execution {

/// A transaction ordered and not yet finished on this shard.
struct PendingTx {
  types::TransactionRef tx;
  types::DeclaredAccess local;  // the nodes it locks here (local_access of its declared access)
  types::BlockHeight ordered_height = 0;
};

/// A transaction whose outcome committed.
struct FinishedTx {
  types::Hash tx_hash;
  types::Decision decision = types::Decision::kAccept;
};

/// What committing one block did.
struct BlockEffects {
  types::BlockHeight height = 0;
  /// Now Committed: each is executed at this block's state version.
  std::vector<types::TransactionRef> ordered;
  /// Now Completed, in the block's certificate order.
  std::vector<FinishedTx> finished;
  /// The writes of the block's Accept outcomes on this shard, strictly
  /// sorted by key: the block's state batch.
  std::vector<types::StateEntry> writes;
};

/// The writes of `block`'s Accept outcomes that land on `shard`, strictly
/// sorted by key. Keys of two outcomes never collide in a valid block
/// (exclusive locks); asserted.
std::vector<types::StateEntry> block_writes(const types::Block& block, types::ShardId shard,
                                            std::uint32_t num_shards);
/// The same over a block's certificates section.
std::vector<types::StateEntry> block_writes(
    std::span<const types::TransactionCertificateRef> certificates, types::ShardId shard,
    std::uint32_t num_shards);

/// A ledger entry as persisted with the block that ordered it
/// (core::ExecutionWrites::ledger_put, keyed by the tx hash): the ordering
/// height (u64), then the transaction's canonical encoding.
types::Bytes encode_ledger_entry(const PendingTx& pending);

/// Decodes what encode_ledger_entry() wrote under `key`, for `shard` of
/// `num_shards` (the locks are re-derived from the transaction). Errors (a
/// corrupt store): the transaction's decode errors, kTrailingBytes,
/// kHashMismatch when the transaction's hash is not `key`, kInvalidValue for
/// ordering height 0 (genesis orders nothing).
types::DecodeResult<PendingTx> decode_ledger_entry(const types::Hash& key, types::ByteSpan value,
                                                   types::ShardId shard, std::uint32_t num_shards);

class ExecutionLedger {
 public:
  ExecutionLedger(types::ShardId shard, std::uint32_t num_shards)
      : shard_(shard), num_shards_(num_shards) {}

  /// The ledger at committed height `height` from its persisted entries
  /// (tx hash, encode_ledger_entry bytes; any order, distinct keys). Errors,
  /// each naming the entry: one that does not decode, one ordered above
  /// `height`, one whose locks conflict with another's (no chain holds both
  /// unfinished).
  static std::expected<ExecutionLedger, std::string> restore(
      types::ShardId shard, std::uint32_t num_shards, types::BlockHeight height,
      std::span<const std::pair<types::Hash, types::Bytes>> entries);
  /// The entries restore() takes back, in key order: what the blocks'
  /// ExecutionWrites left in storage.
  std::vector<std::pair<types::Hash, types::Bytes>> entries() const;
  /// Same height, same unfinished transactions (hash, ordering height,
  /// local access) and so the same locks.
  bool same_as(const ExecutionLedger& other) const;

  /// Applies a committed block (which passed check_block against this
  /// ledger): its outcomes release their locks and finish, then its
  /// transactions lock and become pending.
  BlockEffects commit(const types::Block& block);

  const PendingTx* pending(const types::Hash& tx_hash) const {
    auto it = pending_.find(tx_hash);
    return it == pending_.end() ? nullptr : &it->second;
  }
  const std::map<types::Hash, PendingTx>& pending() const { return pending_; }
  const LockTable& locks() const { return locks_; }
  types::BlockHeight height() const { return height_; }
  types::ShardId shard() const { return shard_; }
  std::uint32_t num_shards() const { return num_shards_; }

 private:
  types::ShardId shard_;
  std::uint32_t num_shards_;
  types::BlockHeight height_ = 0;
  LockTable locks_;
  std::map<types::Hash, PendingTx> pending_;
};

/// The ledger as of a block's parent: the committed ledger with the
/// uncommitted ancestors (above the committed tip, oldest first, ending with
/// the parent) applied on top. Holds references to both.
class AsOfParent {
 public:
  AsOfParent(const ExecutionLedger& ledger, std::span<const types::BlockRef> ancestors);

  /// The transaction if it is ordered and unfinished as of the parent.
  const PendingTx* unfinished(const types::Hash& tx_hash) const;
  /// Whether `local` (nodes on this shard) can be locked as of the parent.
  bool can_lock(const types::DeclaredAccess& local) const;
  /// Transactions ordered and unfinished as of the parent.
  std::size_t unfinished_count() const {
    return ledger_.pending().size() - finished_.size() + ordered_.size();
  }
  const ExecutionLedger& ledger() const { return ledger_; }
  /// True when an ancestor broke the block rules (a conflicting lock, an
  /// outcome for a transaction not pending): only a quorum with more than f
  /// faulty validators certifies such a block, and nothing is built on it.
  bool broken() const { return broken_; }

 private:
  const ExecutionLedger& ledger_;
  std::set<types::Hash> finished_;            // outcomes in the ancestors
  std::map<types::Hash, PendingTx> ordered_;  // ordered in the ancestors, still unfinished
  LockTable ordered_locks_;                   // the locks of ordered_
  bool broken_ = false;
};

}  // namespace hyperscale::execution
