#include "jmt/node.h"

#include <bit>
#include <cstring>

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

std::optional<NodeRef> InternalNode::child(std::uint8_t nibble) const {
  std::uint16_t bit = static_cast<std::uint16_t>(1u << nibble);
  if (!(bitmap & bit)) return std::nullopt;
  auto index =
      static_cast<std::size_t>(std::popcount(static_cast<std::uint16_t>(bitmap & (bit - 1))));
  const Child& c = children[index];
  return NodeRef{c.hash, c.version, (leaf_bitmap & bit) != 0};
}

Hash leaf_hash(const Hash& key_hash, const Hash& value_hash) {
  types::Hasher h;
  h.update_u8(0x00).update(key_hash).update(value_hash);
  return h.finish();
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

Hash node_hash(const Node& node) {
  if (const auto* leaf = std::get_if<LeafNode>(&node))
    return leaf_hash(leaf->key_hash, leaf->value_hash);
  const auto& in = std::get<InternalNode>(node);
  std::array<Hash, limits::kRadix> hashes;
  for (std::size_t i = 0; i < in.children.size(); ++i)
    hashes[i] = in.children[i].hash;
  return internal_hash(in.bitmap, hashes.data(), in.children.size());
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
