#include "execution/recovery.h"

namespace hyperscale::execution {

ExecutionStart start_from_genesis(std::span<const types::StateEntry> genesis, types::ShardId shard,
                                  std::uint32_t num_shards) {
  return ExecutionStart{StateStore(genesis), ExecutionLedger(shard, num_shards)};
}

ExecutionStart replay_chain(std::span<const types::StateEntry> genesis,
                            std::span<const types::BlockRef> committed, types::ShardId shard,
                            std::uint32_t num_shards) {
  auto start = start_from_genesis(genesis, shard, num_shards);
  for (const auto& block : committed) {
    start.state.commit(block->header().height, block_writes(*block, shard, num_shards));
    start.ledger.commit(*block);
  }
  return start;
}

std::expected<ExecutionStart, std::string> restore(const PersistedExecution& persisted,
                                                   types::ShardId shard, std::uint32_t num_shards) {
  for (std::size_t i = 0; i < persisted.state.size(); ++i) {
    const auto& e = persisted.state[i];
    if (!e.value) return std::unexpected("a stored substate has no value");
    if (i > 0 && !(persisted.state[i - 1].key < e.key))
      return std::unexpected("stored substates are not strictly sorted by key");
  }
  auto ledger = ExecutionLedger::restore(shard, num_shards, persisted.height, persisted.ledger);
  if (!ledger) return std::unexpected(ledger.error());
  StateStore state(persisted.state, persisted.height);
  if (state.root() != persisted.state_root)
    return std::unexpected("the stored state's root " + state.root().hex().substr(0, 16) +
                           " is not the committed tip's " +
                           persisted.state_root.hex().substr(0, 16));
  return ExecutionStart{std::move(state), std::move(*ledger)};
}

}  // namespace hyperscale::execution
