#include "types/ids.h"

#include "types/assert.h"

namespace hyperscale::types {

std::uint64_t shard_key(const NodeId& node) {
  return hash_bytes(node.span()).prefix_u64();
}

ShardId shard_of(const NodeId& node, std::uint32_t num_shards) {
  HS_ASSERT(num_shards > 0);
  return shard_of_key(shard_key(node), num_shards);
}

namespace {
NodeId address_from(std::string_view tag, ByteSpan body) {
  Hash h = Hasher().update(tag).update(body).finish();
  return copy_prefix<NodeId>(h.span());
}
}  // namespace

NodeId account_address(ByteSpan owner_key) {
  return address_from("hyperscale/account", owner_key);
}

NodeId resource_address(std::string_view name) {
  return address_from("hyperscale/resource", as_bytes(name));
}

}  // namespace hyperscale::types
