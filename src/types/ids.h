#pragma once

#include <cstdint>

#include "types/bytes.h"
#include "types/hash.h"

namespace hyperscale::types {

using ValidatorId = std::uint32_t;
using ShardId = std::uint32_t;
using BlockHeight = std::uint64_t;
using Round = std::uint64_t;
using VotingPower = std::uint64_t;
/// Milliseconds of consensus time (a block header's signed timestamp).
using TimestampMs = std::uint64_t;

/// A 30-byte state owner address (an account or a resource).
struct NodeId : FixedBytes<30> {};

/// Shard owning `node`: first 8 bytes of H(node) as little-endian u64, mod `num_shards`.
ShardId shard_of(const NodeId& node, std::uint32_t num_shards);
/// The u64 that shard_of reduces: lets callers cache it per node.
std::uint64_t shard_key(const NodeId& node);
inline ShardId shard_of_key(std::uint64_t key, std::uint32_t num_shards) {
  return static_cast<ShardId>(key % num_shards);
}

/// Address of the account owned by an Ed25519 key: first 30 bytes of H("account" ‖ key).
/// Deriving it from the key lets a node check signer coverage without reading state.
NodeId account_address(ByteSpan owner_key);

/// Address of a resource from its creator-chosen name.
NodeId resource_address(std::string_view name);

}  // namespace hyperscale::types
