#pragma once

// The engine's substate layout: which key holds what, and the bytes of each
// value. Keys are types::SubstateKey {node, partition, sort key}.
//
//   account node = types::account_address(owner key)
//     partition 0, sort key empty      account record: the owner's 32-byte
//                                      Ed25519 public key; present iff the
//                                      account exists
//     partition 1, sort key = resource balance of that resource: u64 LE; a
//                                      zero balance is absent (written as a
//                                      delete), so the state holds none
//     partition 2, sort key = resource fee vault: the fees the account paid in
//                                      that resource, u64 LE; counts in the
//                                      resource's supply, absent when zero
//   resource node = types::resource_address(name)
//     partition 0, sort key empty      resource record: canonical encoding of
//                                      {name: var bytes, 1..64; total supply: u64}
//
// A "resource" sort key is the 30 bytes of the resource's NodeId, so the keys
// of one account sort by (partition, resource id). The native token is the
// resource named kNativeResourceName; fees are paid in it.
//
// Partition 0 does not say whether a node is an account or a resource: only
// the node id does (account_address vs resource_address). The engine never
// needs to ask: it only touches account nodes (resources are addressed through
// the sort keys of balances), so a transaction never reads a resource's shard.
//
// Decoders return nullopt / an error on malformed bytes: a corrupt value is an
// execution failure, never a crash.

#include <cstdint>
#include <expected>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "types/codec.h"
#include "types/ids.h"
#include "types/keys.h"
#include "types/state.h"
#include "types/transaction.h"

namespace hyperscale::engine {

inline constexpr std::string_view kNativeResourceName = "native";

inline constexpr std::uint8_t kAccountRecordPartition = 0;
inline constexpr std::uint8_t kBalancePartition = 1;
inline constexpr std::uint8_t kFeeVaultPartition = 2;
inline constexpr std::uint8_t kResourceRecordPartition = 0;

/// resource_address(kNativeResourceName).
const types::NodeId& native_resource();

types::SubstateKey account_record_key(const types::NodeId& account);
types::SubstateKey balance_key(const types::NodeId& account, const types::NodeId& resource);
types::SubstateKey fee_vault_key(const types::NodeId& account, const types::NodeId& resource);
types::SubstateKey resource_record_key(const types::NodeId& resource);

/// A balance or fee-vault key taken apart: partition 1 or 2 with a 30-byte sort key.
struct AmountKey {
  types::NodeId account;
  std::uint8_t partition = kBalancePartition;
  types::NodeId resource;
  friend bool operator==(const AmountKey&, const AmountKey&) = default;
};
std::optional<AmountKey> parse_amount_key(const types::SubstateKey& key);

/// u64 little-endian, exactly limits::kAmountBytes.
types::Bytes encode_amount(types::Amount amount);
std::optional<types::Amount> decode_amount(types::ByteSpan bytes);

/// The account record: exactly the 32 key bytes.
types::Bytes encode_owner(const types::Ed25519PublicKey& owner);
std::optional<types::Ed25519PublicKey> decode_owner(types::ByteSpan bytes);

struct ResourceRecord {
  std::string name;  // 1..limits::kMaxResourceNameBytes bytes
  types::Amount total_supply = 0;
  friend bool operator==(const ResourceRecord&, const ResourceRecord&) = default;
};
/// 1..limits::kMaxResourceNameBytes bytes.
bool valid_resource_name(std::string_view name);
types::Bytes encode_resource_record(const ResourceRecord& record);
types::DecodeResult<ResourceRecord> decode_resource_record(types::ByteSpan bytes);
void write(types::Writer& w, const ResourceRecord& v);
void read(types::Reader& r, ResourceRecord& v);

/// Amount per resource id, ordered.
using SupplyMap = std::map<types::NodeId, types::Amount>;

/// Sum, per resource, of every balance and fee vault among `entries` (e.g.
/// the union of all shards' states): what conservation checks compare.
/// Entries without a value count as absent. Errors on a malformed amount or a
/// sum above 2^64 - 1 (a state that holds more than a u64 of one resource).
std::expected<SupplyMap, std::string> total_supply(std::span<const types::StateEntry> entries);
std::expected<SupplyMap, std::string> total_supply(
    const std::map<types::SubstateKey, types::Bytes>& state);

/// Total supply per resource as its resource record states it. A partition-0
/// entry counts as a resource record when it decodes as one whose name maps
/// to the entry's node (so an account record is never mistaken for one).
SupplyMap recorded_supply(std::span<const types::StateEntry> entries);
SupplyMap recorded_supply(const std::map<types::SubstateKey, types::Bytes>& state);

}  // namespace hyperscale::engine
