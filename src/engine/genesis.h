#pragma once

// The initial state: funded accounts and the resource records, split by
// shard. Every validator of a shard derives the same entries from the same
// config, so the genesis state root follows from it.

#include <cstdint>
#include <expected>
#include <string>
#include <vector>

#include "types/ids.h"
#include "types/keys.h"
#include "types/state.h"
#include "types/transaction.h"

namespace hyperscale::engine {

struct GenesisResource {
  std::string name;  // 1..limits::kMaxResourceNameBytes bytes, not kNativeResourceName
  types::Amount balance_per_account = 0;
};

struct GenesisConfig {
  /// One account per key; distinct, at most limits::kMaxGenesisAccounts.
  std::vector<types::Ed25519PublicKey> owners;
  types::Amount native_balance_per_account = 0;
  /// Distinct names, at most limits::kMaxGenesisExtraResources.
  std::vector<GenesisResource> extra_resources;
};

/// Why a config is refused, or nothing. Checks names, distinct owners and
/// that every resource's supply (owners × balance) fits in a u64.
std::expected<void, std::string> validate_genesis(const GenesisConfig& config);

/// The substates of `shard` (of `num_shards`), strictly sorted by key: each
/// account whose node is on the shard, with its record and a balance of the
/// native and every extra resource (zero balances are absent), and the
/// record of each resource whose node is on the shard, with total supply =
/// owners × balance. The union over all shards is the whole genesis state.
std::expected<std::vector<types::StateEntry>, std::string> genesis_entries(
    const GenesisConfig& config, types::ShardId shard, std::uint32_t num_shards);

}  // namespace hyperscale::engine
