#include "types/merkle.h"

#include "types/assert.h"
#include "types/limits.h"

namespace hyperscale::types {

Hash merkle_leaf(const Hash& item) { return Hasher().update_u8(0x00).update(item).finish(); }

Hash merkle_node(const Hash& left, const Hash& right) {
  return Hasher().update_u8(0x01).update(left).update(right).finish();
}

Hash merkle_root(std::span<const Hash> items) {
  if (items.empty()) return Hash::zero();
  std::vector<Hash> level;
  level.reserve(items.size());
  for (const auto& item : items) level.push_back(merkle_leaf(item));
  while (level.size() > 1) {
    std::size_t out = 0;
    for (std::size_t i = 0; i < level.size(); i += 2)
      level[out++] = i + 1 < level.size() ? merkle_node(level[i], level[i + 1]) : level[i];
    level.resize(out);
  }
  return level[0];
}

MerkleProof merkle_prove(std::span<const Hash> items, std::uint32_t index) {
  HS_ASSERT(index < items.size());
  MerkleProof proof{index, static_cast<std::uint32_t>(items.size()), {}};
  std::vector<Hash> level;
  level.reserve(items.size());
  for (const auto& item : items) level.push_back(merkle_leaf(item));
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
  return used == proof.siblings.size() && node == root;
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
