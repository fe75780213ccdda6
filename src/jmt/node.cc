#include "jmt/node.h"

#include <bit>
#include <cstring>
#include <memory>
#include <type_traits>

#include "types/assert.h"
#include "types/codec.h"

namespace hyperscale::jmt {

NibblePath::NibblePath(const Hash& key, std::size_t length) {
  HS_ASSERT(length <= limits::kMaxDepth);
  length_ = static_cast<std::uint8_t>(length);
  std::memcpy(bytes_.data(), key.bytes.data(), length / 2);
  if (length % 2 == 1) bytes_[length / 2] = key.bytes[length / 2] & 0xf0;
}

std::uint8_t NibblePath::at(std::size_t i) const {
  HS_ASSERT(i < length_);
  std::uint8_t b = bytes_[i / 2];
  return static_cast<std::uint8_t>(i % 2 == 0 ? b >> 4 : b & 0x0f);
}

NibblePath NibblePath::child(std::uint8_t nibble) const {
  HS_ASSERT(length_ < limits::kMaxDepth && nibble < 16);
  NibblePath out = *this;
  std::size_t i = length_;
  out.bytes_[i / 2] |= static_cast<std::uint8_t>(i % 2 == 0 ? nibble << 4 : nibble);
  out.length_ = static_cast<std::uint8_t>(length_ + 1);
  return out;
}

bool NibblePath::is_prefix_of(const Hash& key) const {
  return NibblePath(key, length_) == *this;
}

std::size_t NodeKeyHasher::operator()(const NodeKey& k) const {
  // The path's first bytes are key-hash bytes (uniform); mix in version and length.
  std::uint64_t a = 0, b = 0;
  std::memcpy(&a, k.path.packed().data(), 8);
  std::memcpy(&b, k.path.packed().data() + 8, 8);
  std::uint64_t x = a ^ (b * 0x9e3779b97f4a7c15ULL) ^ (k.version * 0xff51afd7ed558ccdULL) ^
                    (static_cast<std::uint64_t>(k.path.size()) << 56);
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 29;
  return static_cast<std::size_t>(x);
}

namespace {

/// Allocates a shared node's control block from a NodePool, with
/// `tail_bytes` more after it: an internal node's children share its
/// allocation. The copy the control block keeps frees it.
template <class T>
struct PoolAllocator {
  using value_type = T;
  NodePool* pool;
  std::size_t tail_bytes;
  PoolAllocator(NodePool* p, std::size_t tail) : pool(p), tail_bytes(tail) {}
  template <class U>
  PoolAllocator(const PoolAllocator<U>& other)  // NOLINT: rebinding
      : pool(other.pool), tail_bytes(other.tail_bytes) {}
  std::size_t bytes() const {
    constexpr std::size_t align = alignof(InternalNode::Child);
    return (sizeof(T) + align - 1) / align * align + tail_bytes;
  }
  T* allocate(std::size_t n) {
    HS_ASSERT(n == 1);
    return static_cast<T*>(pool->allocate(bytes()));
  }
  void deallocate(T* p, std::size_t) { pool->deallocate(p, bytes()); }
  template <class U>
  friend bool operator==(const PoolAllocator& a, const PoolAllocator<U>& b) {
    return a.pool == b.pool;
  }
};

}  // namespace

NodePtr make_internal(std::uint16_t bitmap, std::uint16_t leaf_bitmap,
                      std::span<const InternalNode::Child> children, NodePool& pool) {
  HS_ASSERT(static_cast<std::size_t>(std::popcount(bitmap)) == children.size());
  HS_ASSERT((leaf_bitmap & ~bitmap) == 0);
  // Child is trivially destructible: the control block frees its bytes
  // without destroying them.
  static_assert(std::is_trivially_destructible_v<InternalNode::Child>);
  const std::size_t tail = children.size() * sizeof(InternalNode::Child);
  auto node = std::allocate_shared<Node>(PoolAllocator<Node>(&pool, tail),
                                         std::in_place_type<InternalNode>);
  // The children go at the end of the allocation just made.
  auto* kids = reinterpret_cast<InternalNode::Child*>(pool.last_end() - tail);
  std::uninitialized_copy(children.begin(), children.end(), kids);
  auto& in = std::get<InternalNode>(*node);
  in.bitmap = bitmap;
  in.leaf_bitmap = leaf_bitmap;
  in.children = std::span<const InternalNode::Child>(kids, children.size());
  return node;
}

NodePtr make_leaf(const Hash& key_hash, const Hash& value_hash, NodePool& pool) {
  return std::allocate_shared<const Node>(PoolAllocator<const Node>(&pool, 0),
                                          LeafNode{key_hash, value_hash});
}

std::optional<NodeRef> InternalNode::child(std::uint8_t nibble) const {
  std::uint16_t bit = static_cast<std::uint16_t>(1u << nibble);
  if (!(bitmap & bit)) return std::nullopt;
  auto index =
      static_cast<std::size_t>(std::popcount(static_cast<std::uint16_t>(bitmap & (bit - 1))));
  const Child& c = children[index];
  return NodeRef{c.hash, c.version, (leaf_bitmap & bit) != 0};
}

Hash leaf_hash(const Hash& key_hash, const Hash& value_hash) {
  // One buffer and one BLAKE2b call (cheaper than three updates).
  std::array<std::uint8_t, 1 + 32 + 32> buf;
  buf[0] = 0x00;
  std::memcpy(buf.data() + 1, key_hash.bytes.data(), 32);
  std::memcpy(buf.data() + 33, value_hash.bytes.data(), 32);
  return types::hash_bytes(types::ByteSpan(buf.data(), buf.size()));
}

Hash internal_hash(std::uint16_t bitmap, const Hash* child_hashes, std::size_t count) {
  HS_ASSERT(static_cast<std::size_t>(std::popcount(bitmap)) == count);
  // One contiguous buffer: a single BLAKE2b call is cheaper than 17 updates.
  std::array<std::uint8_t, 3 + 32 * limits::kRadix> buf;
  buf[0] = 0x01;
  buf[1] = static_cast<std::uint8_t>(bitmap);
  buf[2] = static_cast<std::uint8_t>(bitmap >> 8);
  for (std::size_t i = 0; i < count; ++i)
    std::memcpy(buf.data() + 3 + 32 * i, child_hashes[i].bytes.data(), 32);
  return types::hash_bytes(types::ByteSpan(buf.data(), 3 + 32 * count));
}

Hash internal_hash(std::uint16_t bitmap, std::span<const InternalNode::Child> children) {
  HS_ASSERT(static_cast<std::size_t>(std::popcount(bitmap)) == children.size());
  // The same bytes as internal_hash() over the hashes, without gathering them first.
  std::array<std::uint8_t, 3 + 32 * limits::kRadix> buf;
  buf[0] = 0x01;
  buf[1] = static_cast<std::uint8_t>(bitmap);
  buf[2] = static_cast<std::uint8_t>(bitmap >> 8);
  for (std::size_t i = 0; i < children.size(); ++i)
    std::memcpy(buf.data() + 3 + 32 * i, children[i].hash.bytes.data(), 32);
  return types::hash_bytes(types::ByteSpan(buf.data(), 3 + 32 * children.size()));
}

Hash node_hash(const Node& node) {
  if (const auto* leaf = std::get_if<LeafNode>(&node))
    return leaf_hash(leaf->key_hash, leaf->value_hash);
  const auto& in = std::get<InternalNode>(node);
  return internal_hash(in.bitmap, in.children);
}

Hash key_hash_of(const types::SubstateKey& key) {
  types::Writer w(64);
  types::write(w, key);
  return types::hash_bytes(w.bytes());
}

Hash value_hash_of(types::ByteSpan value) {
  return types::hash_bytes(value);
}

}  // namespace hyperscale::jmt
