#include "types/merkle.h"

#include <algorithm>

#include "types/assert.h"
#include "types/limits.h"

namespace hyperscale::types {

// One-shot hashes of stack buffers: the tree is hashed for every block by
// every validator, so this avoids the incremental hasher's set-up.
Hash merkle_leaf(const Hash& item) {
  std::uint8_t buf[1 + Hash::kSize];
  buf[0] = 0x00;
  std::copy(item.bytes.begin(), item.bytes.end(), buf + 1);
  return hash_bytes(ByteSpan(buf, sizeof buf));
}

Hash merkle_node(const Hash& left, const Hash& right) {
  std::uint8_t buf[1 + 2 * Hash::kSize];
  buf[0] = 0x01;
  std::copy(left.bytes.begin(), left.bytes.end(), buf + 1);
  std::copy(right.bytes.begin(), right.bytes.end(), buf + 1 + Hash::kSize);
  return hash_bytes(ByteSpan(buf, sizeof buf));
}

namespace {
/// Binds the leaf count into the root (see merkle.h).
Hash commit_leaf_count(std::uint64_t leaf_count, const Hash& top) {
  HS_ASSERT(leaf_count <= UINT32_MAX);
  return Hasher()
      .update_u8(0x02)
      .update_u32(static_cast<std::uint32_t>(leaf_count))
      .update(top)
      .finish();
}
}  // namespace

Hash merkle_root(std::span<const Hash> items) {
  if (items.empty()) return Hash::zero();
  std::vector<Hash> level;
  level.reserve(items.size());
  for (const auto& item : items)
    level.push_back(merkle_leaf(item));
  while (level.size() > 1) {
    std::size_t out = 0;
    for (std::size_t i = 0; i < level.size(); i += 2)
      level[out++] = i + 1 < level.size() ? merkle_node(level[i], level[i + 1]) : level[i];
    level.resize(out);
  }
  return commit_leaf_count(items.size(), level[0]);
}

MerkleProof merkle_prove(std::span<const Hash> items, std::uint32_t index) {
  HS_ASSERT(index < items.size());
  MerkleProof proof{index, static_cast<std::uint32_t>(items.size()), {}};
  std::vector<Hash> level;
  level.reserve(items.size());
  for (const auto& item : items)
    level.push_back(merkle_leaf(item));
  std::size_t pos = index;
  while (level.size() > 1) {
    std::size_t sibling = pos ^ 1;
    if (sibling < level.size()) proof.siblings.push_back(level[sibling]);
    std::size_t out = 0;
    for (std::size_t i = 0; i < level.size(); i += 2)
      level[out++] = i + 1 < level.size() ? merkle_node(level[i], level[i + 1]) : level[i];
    level.resize(out);
    pos /= 2;
  }
  return proof;
}

bool merkle_verify(const Hash& root, const Hash& item, const MerkleProof& proof) {
  if (proof.index >= proof.leaf_count) return false;
  Hash node = merkle_leaf(item);
  std::uint64_t pos = proof.index;
  std::uint64_t width = proof.leaf_count;
  std::size_t used = 0;
  while (width > 1) {
    std::uint64_t sibling = pos ^ 1;
    if (sibling < width) {
      if (used >= proof.siblings.size()) return false;
      const Hash& s = proof.siblings[used++];
      node = (pos & 1) ? merkle_node(s, node) : merkle_node(node, s);
    }
    pos /= 2;
    width = (width + 1) / 2;
  }
  return used == proof.siblings.size() && commit_leaf_count(proof.leaf_count, node) == root;
}

void write(Writer& w, const MerkleProof& v) {
  w.u32(v.index);
  w.u32(v.leaf_count);
  write_seq(w, v.siblings, [](Writer& w2, const Hash& h) { w2.fixed(h); });
}

void read(Reader& r, MerkleProof& v) {
  v.index = r.u32();
  v.leaf_count = r.u32();
  read_seq(
      r, v.siblings, limits::kMaxMerkleProofDepth, "merkle siblings",
      [](Reader& r2, Hash& h) { r2.fixed(h, "merkle sibling"); }, Hash::kSize);
  if (r.ok() && v.index >= v.leaf_count)
    r.fail(DecodeErrorCode::kInconsistent, "merkle index beyond leaf count");
}

}  // namespace hyperscale::types
