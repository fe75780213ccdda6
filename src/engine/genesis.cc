#include "engine/genesis.h"

#include <algorithm>

#include "engine/limits.h"
#include "engine/substates.h"
#include "types/assert.h"
#include "types/limits.h"

namespace hyperscale::engine {

using types::Amount;
using types::NodeId;
using types::StateEntry;

std::expected<void, std::string> validate_genesis(const GenesisConfig& config) {
  if (config.owners.size() > limits::kMaxGenesisAccounts)
    return std::unexpected("more than " + std::to_string(limits::kMaxGenesisAccounts) +
                           " genesis accounts");
  if (config.extra_resources.size() > limits::kMaxGenesisExtraResources)
    return std::unexpected("more than " + std::to_string(limits::kMaxGenesisExtraResources) +
                           " extra resources");
  auto owners = config.owners;
  std::sort(owners.begin(), owners.end());
  if (auto dup = std::adjacent_find(owners.begin(), owners.end()); dup != owners.end())
    return std::unexpected("owner key " + dup->hex() + " listed twice");

  std::vector<std::string_view> names{kNativeResourceName};
  for (const auto& r : config.extra_resources) {
    if (!valid_resource_name(r.name))
      return std::unexpected("resource name '" + r.name + "' must be 1 to " +
                             std::to_string(limits::kMaxResourceNameBytes) + " bytes");
    if (r.name == kNativeResourceName)
      return std::unexpected("resource name '" + r.name + "' is the native resource's");
    if (std::find(names.begin(), names.end(), r.name) != names.end())
      return std::unexpected("resource name '" + r.name + "' used twice");
    names.push_back(r.name);
  }

  auto fits = [&](Amount per_account) {
    Amount total = 0;
    return !__builtin_mul_overflow(Amount{owners.size()}, per_account, &total);
  };
  if (!fits(config.native_balance_per_account))
    return std::unexpected(std::string("native supply (accounts × balance) above 2^64 - 1"));
  for (const auto& r : config.extra_resources)
    if (!fits(r.balance_per_account))
      return std::unexpected("supply of '" + r.name + "' (accounts × balance) above 2^64 - 1");
  return {};
}

std::expected<std::vector<StateEntry>, std::string> genesis_entries(const GenesisConfig& config,
                                                                    types::ShardId shard,
                                                                    std::uint32_t num_shards) {
  if (num_shards == 0 || num_shards > types::limits::kMaxShards || shard >= num_shards)
    return std::unexpected("shard " + std::to_string(shard) + " of " + std::to_string(num_shards) +
                           " shards (at most " + std::to_string(types::limits::kMaxShards) + ")");
  if (auto valid = validate_genesis(config); !valid) return std::unexpected(valid.error());

  struct Resource {
    NodeId id;
    std::string name;
    Amount per_account;
  };
  std::vector<Resource> resources{
      {native_resource(), std::string(kNativeResourceName), config.native_balance_per_account}};
  for (const auto& r : config.extra_resources)
    resources.push_back({types::resource_address(r.name), r.name, r.balance_per_account});

  std::vector<StateEntry> out;
  for (const auto& r : resources) {
    if (types::shard_of(r.id, num_shards) != shard) continue;
    // validate_genesis() bounds owners × balance by 2^64 - 1.
    Amount supply = Amount{config.owners.size()} * r.per_account;
    out.push_back({resource_record_key(r.id), encode_resource_record({r.name, supply})});
  }
  for (const auto& owner : config.owners) {
    NodeId account = types::account_address(owner.span());
    if (types::shard_of(account, num_shards) != shard) continue;
    out.push_back({account_record_key(account), encode_owner(owner)});
    for (const auto& r : resources)
      if (r.per_account != 0)
        out.push_back({balance_key(account, r.id), encode_amount(r.per_account)});
  }
  std::sort(out.begin(), out.end(),
            [](const StateEntry& a, const StateEntry& b) { return a.key < b.key; });
  // Distinct owners give distinct accounts; an account equal to a resource
  // node would be a hash collision.
  for (std::size_t i = 1; i < out.size(); ++i)
    HS_ASSERT(out[i - 1].key < out[i].key);
  return out;
}

}  // namespace hyperscale::engine
