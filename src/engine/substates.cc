#include "engine/substates.h"

#include <algorithm>

#include "engine/limits.h"

namespace hyperscale::engine {

using types::Amount;
using types::Bytes;
using types::ByteSpan;
using types::NodeId;
using types::SubstateKey;

const NodeId& native_resource() {
  static const NodeId id = types::resource_address(kNativeResourceName);
  return id;
}

namespace {
SubstateKey amount_key(const NodeId& account, std::uint8_t partition, const NodeId& resource) {
  return SubstateKey{account, partition, Bytes(resource.bytes.begin(), resource.bytes.end())};
}
}  // namespace

SubstateKey account_record_key(const NodeId& account) {
  return SubstateKey{account, kAccountRecordPartition, {}};
}

SubstateKey balance_key(const NodeId& account, const NodeId& resource) {
  return amount_key(account, kBalancePartition, resource);
}

SubstateKey fee_vault_key(const NodeId& account, const NodeId& resource) {
  return amount_key(account, kFeeVaultPartition, resource);
}

SubstateKey resource_record_key(const NodeId& resource) {
  return SubstateKey{resource, kResourceRecordPartition, {}};
}

std::optional<AmountKey> parse_amount_key(const SubstateKey& key) {
  if (key.partition != kBalancePartition && key.partition != kFeeVaultPartition)
    return std::nullopt;
  if (key.sort_key.size() != NodeId::kSize) return std::nullopt;
  AmountKey out;
  out.account = key.node;
  out.partition = key.partition;
  std::copy(key.sort_key.begin(), key.sort_key.end(), out.resource.bytes.begin());
  return out;
}

Bytes encode_amount(Amount amount) {
  Bytes out(limits::kAmountBytes);
  for (std::size_t i = 0; i < limits::kAmountBytes; ++i)
    out[i] = static_cast<std::uint8_t>(amount >> (8 * i));
  return out;
}

std::optional<Amount> decode_amount(ByteSpan bytes) {
  if (bytes.size() != limits::kAmountBytes) return std::nullopt;
  Amount v = 0;
  for (std::size_t i = 0; i < limits::kAmountBytes; ++i)
    v |= Amount{bytes[i]} << (8 * i);
  return v;
}

Bytes encode_owner(const types::Ed25519PublicKey& owner) {
  return Bytes(owner.bytes.begin(), owner.bytes.end());
}

std::optional<types::Ed25519PublicKey> decode_owner(ByteSpan bytes) {
  if (bytes.size() != types::Ed25519PublicKey::kSize) return std::nullopt;
  types::Ed25519PublicKey key;
  std::copy(bytes.begin(), bytes.end(), key.bytes.begin());
  return key;
}

bool valid_resource_name(std::string_view name) {
  return !name.empty() && name.size() <= limits::kMaxResourceNameBytes;
}

void write(types::Writer& w, const ResourceRecord& v) {
  w.var_bytes(types::as_bytes(v.name));
  w.u64(v.total_supply);
}

void read(types::Reader& r, ResourceRecord& v) {
  Bytes name = r.var_bytes(limits::kMaxResourceNameBytes, "resource name");
  v.total_supply = r.u64();
  if (!r.ok()) return;
  if (name.empty()) return r.fail(types::DecodeErrorCode::kInvalidValue, "empty resource name");
  v.name.assign(name.begin(), name.end());
}

Bytes encode_resource_record(const ResourceRecord& record) {
  return types::encode(record);
}

types::DecodeResult<ResourceRecord> decode_resource_record(ByteSpan bytes) {
  return types::decode<ResourceRecord>(bytes);
}

namespace {

// Both state shapes (an entry list, a key -> value map) through one walk.
template <class Visit>
void for_each_value(std::span<const types::StateEntry> entries, Visit&& visit) {
  for (const auto& e : entries)
    if (e.value) visit(e.key, *e.value);
}
template <class Visit>
void for_each_value(const std::map<SubstateKey, Bytes>& state, Visit&& visit) {
  for (const auto& [key, value] : state)
    visit(key, value);
}

template <class State>
std::expected<SupplyMap, std::string> sum_amounts(const State& state) {
  SupplyMap out;
  std::string error;
  for_each_value(state, [&](const SubstateKey& key, const Bytes& value) {
    if (!error.empty()) return;
    auto parsed = parse_amount_key(key);
    if (!parsed) return;
    auto amount = decode_amount(value);
    if (!amount) {
      error = "malformed amount at node " + key.node.hex() + " partition " +
              std::to_string(key.partition);
      return;
    }
    Amount& sum = out[parsed->resource];
    if (__builtin_add_overflow(sum, *amount, &sum))
      error = "supply of resource " + parsed->resource.hex() + " above 2^64 - 1";
  });
  if (!error.empty()) return std::unexpected(std::move(error));
  return out;
}

template <class State>
SupplyMap collect_records(const State& state) {
  SupplyMap out;
  for_each_value(state, [&](const SubstateKey& key, const Bytes& value) {
    if (key.partition != kResourceRecordPartition || !key.sort_key.empty()) return;
    auto record = decode_resource_record(value);
    if (record && types::resource_address(record->name) == key.node)
      out[key.node] = record->total_supply;
  });
  return out;
}

}  // namespace

std::expected<SupplyMap, std::string> total_supply(std::span<const types::StateEntry> entries) {
  return sum_amounts(entries);
}

std::expected<SupplyMap, std::string> total_supply(const std::map<SubstateKey, Bytes>& state) {
  return sum_amounts(state);
}

SupplyMap recorded_supply(std::span<const types::StateEntry> entries) {
  return collect_records(entries);
}

SupplyMap recorded_supply(const std::map<SubstateKey, Bytes>& state) {
  return collect_records(state);
}

}  // namespace hyperscale::engine
