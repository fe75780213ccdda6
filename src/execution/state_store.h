#pragma once

// A shard's state (DESIGN §6): the substate values and the Jellyfish Merkle
// Tree over them, one tree version per block height (a block without writes
// keeps the root). Values are read at the committed tip: a transaction's
// declared nodes are locked from its ordering commit until its outcome
// commits, so what it reads equals what its committing block's version held.
// The tree keeps past versions for proofs and sync, pruned past
// jmt::limits::kMinRetainedVersions.
//
// compute() gives a block's state root on top of its uncommitted ancestors
// without writing anything (proposers and voters); commit() writes a
// committed block's batch.

#include <map>
#include <span>
#include <vector>

#include "engine/state_view.h"
#include "jmt/tree.h"
#include "types/state.h"

namespace hyperscale::execution {

/// The tree updates of `writes` (any order; one per key): key hash to value hash, or a delete.
std::vector<jmt::KeyUpdate> tree_updates(std::span<const types::StateEntry> writes);

class StateStore final : public engine::StateView {
 public:
  /// Version 0 holds `genesis` (entries with values; any order, distinct keys).
  explicit StateStore(std::span<const types::StateEntry> genesis) : StateStore(genesis, 0) {}
  /// Version `version` holds `entries` (as above), built in one batch with no
  /// older version: a restart from stored substates (recovery.h).
  StateStore(std::span<const types::StateEntry> entries, jmt::Version version);

  std::optional<types::Bytes> get(const types::SubstateKey& key) const override;
  /// Appends every committed substate of `node`, in key order.
  void append_node_entries(const types::NodeId& node, std::vector<types::StateEntry>& out) const;
  types::Hash root() const { return root_; }
  jmt::Version version() const { return version_; }

  /// Version `version`'s tree batch: the committed tree with `ancestors` (the
  /// batches of uncommitted ancestors, oldest first) laid over it, plus
  /// `writes`. `version` is above the last of them.
  jmt::TreeUpdateBatch compute(std::span<const jmt::TreeUpdateBatch* const> ancestors,
                               jmt::Version version,
                               std::span<const types::StateEntry> writes) const;

  /// Commits version `version` (above the committed one) with `writes`.
  /// `precomputed`, if given, is compute()'s batch for exactly these writes
  /// on the committed version: the tree takes it as is.
  void commit(jmt::Version version, std::span<const types::StateEntry> writes,
              std::optional<jmt::TreeUpdateBatch> precomputed = std::nullopt);

  /// Test hook: a substate changed behind the protocol's back (a corrupted
  /// read; the storage this store was loaded from keeps the true value, so
  /// a restart heals it). The value changes at once and every later version's tree holds
  /// it (until a write replaces it), so this store's roots differ from its
  /// peers' from then on.
  void inject_for_test(const types::StateEntry& entry);

  const jmt::InMemoryTreeStore& tree() const { return tree_; }
  const std::map<types::SubstateKey, types::Bytes>& values() const { return values_; }

 private:
  std::map<types::SubstateKey, types::Bytes> values_;
  jmt::InMemoryTreeStore tree_;
  jmt::Version version_ = 0;
  types::Hash root_;
  std::vector<types::StateEntry> injected_;  // test hook: folded into the next version
  /// `writes` with the injected entries under them (writes win a shared key).
  std::vector<types::StateEntry> with_injected(std::span<const types::StateEntry> writes) const;
};

}  // namespace hyperscale::execution
