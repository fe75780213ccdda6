#pragma once

// Where execution starts from (DESIGN §6 "lock table", §10 "Storage"). Each
// committed block's write batch carries execution's writes (substates and
// ledger entries: core::ExecutionWrites), so a restarted validator reloads
// its state and what it owes from storage, in time proportional to the state
// rather than to the chain. Replaying the stored chain from genesis gives
// the same start and remains the fallback when what storage holds does not
// check out.

#include <expected>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "execution/ledger.h"
#include "execution/state_store.h"

namespace hyperscale::execution {

/// What a validator's storage holds for execution at its committed tip: the
/// genesis state and every committed block's ExecutionWrites applied in order.
struct PersistedExecution {
  types::BlockHeight height = 0;
  /// The committed tip header's state root (what `state` must hash to).
  types::Hash state_root;
  /// Every substate of the shard, each with a value.
  std::vector<types::StateEntry> state;
  /// The ledger entries (tx hash, encode_ledger_entry bytes).
  std::vector<std::pair<types::Hash, types::Bytes>> ledger;
};

/// The state and ledger an ExecutionState starts from.
struct ExecutionStart {
  StateStore state;
  ExecutionLedger ledger;
};

/// A fresh start: `genesis` at version 0, nothing pending.
ExecutionStart start_from_genesis(std::span<const types::StateEntry> genesis, types::ShardId shard,
                                  std::uint32_t num_shards);

/// `genesis` with `committed` (the blocks above it, in height order) applied:
/// their writes, locks and outcomes.
ExecutionStart replay_chain(std::span<const types::StateEntry> genesis,
                            std::span<const types::BlockRef> committed, types::ShardId shard,
                            std::uint32_t num_shards);

/// What `persisted` holds, checked. The tree is rebuilt from the substates
/// at version `persisted.height` (its root depends on the contents only),
/// without the older versions. Errors (a corrupt or inconsistent store):
/// a substate without a value or stored twice; a root other than the tip's;
/// the ledger's errors (ExecutionLedger::restore).
std::expected<ExecutionStart, std::string> restore(const PersistedExecution& persisted,
                                                   types::ShardId shard, std::uint32_t num_shards);

}  // namespace hyperscale::execution
