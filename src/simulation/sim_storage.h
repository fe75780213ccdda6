#pragma once

// One simulated validator's durable state: exactly what production persists
// (safety state, certified blocks, committed blocks with their QCs and
// leader records, and execution's writes: substates and the ledger of
// unfinished transactions), so a restart in the simulator recovers what a
// restarted process would.

#include <map>
#include <memory>
#include <optional>

#include "bft/bft_state.h"
#include "core/actions.h"
#include "core/messages.h"
#include "execution/recovery.h"

namespace hyperscale::simulation {

class SimStorage {
 public:
  /// `genesis_state` is the shard's genesis substates, strictly sorted by
  /// key (shared by every validator's storage; null when the simulation runs
  /// without execution).
  explicit SimStorage(types::BlockRef genesis,
                      std::shared_ptr<const std::vector<types::StateEntry>> genesis_state = {});

  void persist_safety(const core::SafetyState& state) { safety_ = state; }
  void store_certified(const types::BlockRef& block, const types::QuorumCertificate& qc);
  /// Committed blocks arrive in height order, each extending the last, with
  /// their leader records (in one write, as production's write batch).
  void commit(const types::BlockRef& block, const types::QuorumCertificate& qc,
              const core::LeaderRecord& record, const core::ExecutionWrites& execution = {});

  /// What a restarted validator reloads.
  bft::RecoveredState recover() const;
  /// What execution reloads: the genesis state with every committed block's
  /// writes, and the ledger entries left, at the committed tip.
  execution::PersistedExecution recover_execution() const;
  /// Test hook: a stored ledger entry's bytes replaced (a corrupted disk).
  void corrupt_ledger_for_test(const types::Hash& tx_hash, types::Bytes value);
  /// The stored ledger's keys (for tests).
  std::vector<types::Hash> ledger_keys() const;
  /// The shard's genesis substates this storage started from (null without
  /// execution).
  const std::shared_ptr<const std::vector<types::StateEntry>>& genesis_state() const {
    return genesis_state_;
  }
  /// The committed blocks above genesis, in height order (execution
  /// replays them when what recover_execution() gives fails its checks).
  std::vector<types::BlockRef> committed_blocks() const;
  /// Committed blocks from `from_height`, then the certified chain above the
  /// committed tip, at most `count` in all (what a peer answers to sync).
  core::SyncResponse serve_sync(types::BlockHeight from_height, std::uint32_t count) const;

  types::BlockHeight committed_height() const { return committed_.rbegin()->first; }
  /// Consensus time of the committed tip (its header's timestamp).
  types::TimestampMs committed_timestamp() const {
    return committed_.rbegin()->second.block->header().timestamp_ms;
  }
  const std::optional<core::SafetyState>& safety() const { return safety_; }
  std::uint64_t safety_writes() const { return safety_writes_; }
  void count_safety_write() { ++safety_writes_; }

 private:
  std::optional<core::SafetyState> safety_;
  std::map<types::BlockHeight, core::CertifiedBlock> committed_;
  std::map<types::BlockHeight, core::LeaderRecord> records_;  // of committed blocks above genesis
  std::map<types::Hash, core::CertifiedBlock> certified_;     // above the committed tip
  std::shared_ptr<const std::vector<types::StateEntry>> genesis_state_;
  /// Substates written since genesis (nullopt: deleted), so that storages
  /// share the genesis state instead of copying it.
  std::map<types::SubstateKey, std::optional<types::Bytes>> state_writes_;
  std::map<types::Hash, types::Bytes> ledger_;  // tx hash -> ledger entry
  std::uint64_t safety_writes_ = 0;
};

}  // namespace hyperscale::simulation
