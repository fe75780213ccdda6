#pragma once

// Nodes of the Jellyfish Merkle Tree (DESIGN §6; Gao et al., "Jellyfish
// Merkle Tree", 2021): a 16-ary sparse Merkle tree over 256-bit key hashes.
// A leaf sits at the shortest prefix of its key hash that no other key
// shares; internal nodes hold up to 16 children, one per nibble.
//
//   leaf hash     = H(0x00 ‖ key hash ‖ value hash)
//   internal hash = H(0x01 ‖ u16 LE bitmap ‖ child hashes in nibble order)
//   empty tree    = the zero hash
//
// The bitmap (bit i = child at nibble i) is inside the hash, so a child's
// position is committed; the tags keep a leaf from passing for a node.

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <variant>
#include <vector>

#include "jmt/limits.h"
#include "jmt/node_pool.h"
#include "types/hash.h"
#include "types/state.h"

namespace hyperscale::jmt {

using types::Hash;
/// One version per block: version = block height (DESIGN §6).
using Version = std::uint64_t;

/// Nibble i (0 = the high half of byte 0) of a key hash.
inline std::uint8_t nibble_at(const Hash& key, std::size_t i) {
  std::uint8_t b = key.bytes[i / 2];
  return static_cast<std::uint8_t>(i % 2 == 0 ? b >> 4 : b & 0x0f);
}

/// The position of a node: the first `size()` nibbles of a key hash.
class NibblePath {
 public:
  NibblePath() = default;
  /// The first `length` nibbles of `key` (length ≤ 64).
  NibblePath(const Hash& key, std::size_t length);

  std::size_t size() const { return length_; }
  std::uint8_t at(std::size_t i) const;
  /// This path extended by one nibble (size() < 64).
  NibblePath child(std::uint8_t nibble) const;
  /// True when `key` starts with this path.
  bool is_prefix_of(const Hash& key) const;
  const std::array<std::uint8_t, 32>& packed() const { return bytes_; }

  friend bool operator==(const NibblePath&, const NibblePath&) = default;
  friend auto operator<=>(const NibblePath&, const NibblePath&) = default;

 private:
  std::array<std::uint8_t, 32> bytes_{};  // unused nibbles stay zero
  std::uint8_t length_ = 0;
};

/// Where a node is stored: the version that wrote it and its position.
struct NodeKey {
  Version version = 0;
  NibblePath path;
  friend bool operator==(const NodeKey&, const NodeKey&) = default;
  friend auto operator<=>(const NodeKey&, const NodeKey&) = default;
};

/// For unordered stores (lookups only; iteration order never reaches an output).
struct NodeKeyHasher {
  std::size_t operator()(const NodeKey& k) const;
};

/// A reference to a stored node: its hash, the version that wrote it (its
/// NodeKey is that version and the referencing position), and its kind.
struct NodeRef {
  Hash hash;
  Version version = 0;
  bool leaf = false;
  friend bool operator==(const NodeRef&, const NodeRef&) = default;
};

struct LeafNode {
  Hash key_hash;
  Hash value_hash;
  friend bool operator==(const LeafNode&, const LeafNode&) = default;
};

/// Children in nibble order; bit i of `bitmap` marks a child at nibble i, bit
/// i of `leaf_bitmap` marks that child as a leaf.
struct InternalNode {
  struct Child {
    Hash hash;
    Version version = 0;
    friend bool operator==(const Child&, const Child&) = default;
  };
  std::uint16_t bitmap = 0;
  std::uint16_t leaf_bitmap = 0;
  /// One per set bit of `bitmap`. A view: make_internal() keeps them in the
  /// node's own allocation (one allocation and one cache-line run per node),
  /// so share nodes as NodePtr, never copy one out of it.
  std::span<const Child> children;

  /// The child at `nibble`, or nullopt.
  std::optional<NodeRef> child(std::uint8_t nibble) const;
  friend bool operator==(const InternalNode& a, const InternalNode& b) {
    return a.bitmap == b.bitmap && a.leaf_bitmap == b.leaf_bitmap &&
           std::ranges::equal(a.children, b.children);
  }
};

using Node = std::variant<InternalNode, LeafNode>;
using NodePtr = std::shared_ptr<const Node>;

/// An internal node owning a copy of `children` (one per set bit of
/// `bitmap`), allocated from `pool` (which lives while the node does).
NodePtr make_internal(std::uint16_t bitmap, std::uint16_t leaf_bitmap,
                      std::span<const InternalNode::Child> children, NodePool& pool);
/// A leaf node, allocated from `pool`.
NodePtr make_leaf(const Hash& key_hash, const Hash& value_hash, NodePool& pool);

Hash leaf_hash(const Hash& key_hash, const Hash& value_hash);
/// `child_hashes` in nibble order, one per set bit of `bitmap`.
Hash internal_hash(std::uint16_t bitmap, const Hash* child_hashes, std::size_t count);
/// internal_hash() of an internal node's children.
Hash internal_hash(std::uint16_t bitmap, std::span<const InternalNode::Child> children);
Hash node_hash(const Node& node);

/// The tree's key for a substate: H(canonical encoding of the key).
Hash key_hash_of(const types::SubstateKey& key);
/// The tree's value for a substate: H(value bytes).
Hash value_hash_of(types::ByteSpan value);

}  // namespace hyperscale::jmt
