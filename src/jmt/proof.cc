#include "jmt/proof.h"

#include <array>
#include <bit>

namespace hyperscale::jmt {

std::string_view to_string(ProofError e) {
  switch (e) {
    case ProofError::kTooDeep:
      return "proof deeper than 64 levels";
    case ProofError::kLeafOffPath:
      return "end leaf is not on the key's path";
    case ProofError::kWrongValue:
      return "leaf holds another key or value";
    case ProofError::kKeyPresent:
      return "key is present, non-inclusion claimed";
    case ProofError::kNoLeaf:
      return "path ends in an empty slot, inclusion claimed";
    case ProofError::kSlotOccupied:
      return "empty slot claimed where a child is";
    case ProofError::kSlotEmpty:
      return "path goes through a missing child";
    case ProofError::kSiblingCount:
      return "sibling count disagrees with the bitmap";
    case ProofError::kRootMismatch:
      return "recomputed root differs";
  }
  return "unknown proof error";
}

std::optional<ProofError> verify_proof_error(const Hash& root, const Hash& key_hash,
                                             const std::optional<Hash>& value_hash,
                                             const SparseMerkleProof& proof) {
  const auto depth = proof.levels.size();
  if (depth > limits::kMaxDepth) return ProofError::kTooDeep;
  std::optional<Hash> below;  // the hash of the path's child at the current level
  if (proof.leaf) {
    const LeafNode& leaf = *proof.leaf;
    if (!NibblePath(key_hash, depth).is_prefix_of(leaf.key_hash)) return ProofError::kLeafOffPath;
    if (value_hash) {
      if (leaf.key_hash != key_hash || leaf.value_hash != *value_hash)
        return ProofError::kWrongValue;
    } else if (leaf.key_hash == key_hash) {
      return ProofError::kKeyPresent;
    }
    below = leaf_hash(leaf.key_hash, leaf.value_hash);
  } else if (value_hash) {
    return ProofError::kNoLeaf;
  }
  if (depth == 0) {
    Hash computed = below ? *below : Hash::zero();
    return computed == root ? std::nullopt : std::optional(ProofError::kRootMismatch);
  }
  for (std::size_t i = depth; i-- > 0;) {
    const ProofLevel& level = proof.levels[i];
    std::uint8_t nib = nibble_at(key_hash, i);
    auto bit = static_cast<std::uint16_t>(1u << nib);
    bool on_path = (level.bitmap & bit) != 0;
    // Only the last level may end in an empty slot; every level above it
    // holds the path's child.
    if (below && !on_path) return ProofError::kSlotEmpty;
    if (!below && on_path) return ProofError::kSlotOccupied;
    auto children = static_cast<std::size_t>(std::popcount(level.bitmap));
    if (children == 0 || level.siblings.size() != children - (on_path ? 1 : 0))
      return ProofError::kSiblingCount;
    std::array<Hash, limits::kRadix> hashes;
    std::size_t before = static_cast<std::size_t>(
        std::popcount(static_cast<std::uint16_t>(level.bitmap & (bit - 1))));
    std::size_t n = 0;
    for (std::size_t s = 0; s < level.siblings.size(); ++s) {
      if (on_path && s == before) hashes[n++] = *below;
      hashes[n++] = level.siblings[s];
    }
    if (on_path && before == level.siblings.size()) hashes[n++] = *below;
    below = internal_hash(level.bitmap, hashes.data(), n);
  }
  return *below == root ? std::nullopt : std::optional(ProofError::kRootMismatch);
}

}  // namespace hyperscale::jmt

namespace hyperscale::types {

void write(Writer& w, const jmt::ProofLevel& v) {
  w.u16(v.bitmap);
  write_seq(w, v.siblings, [](Writer& w2, const Hash& h) { w2.fixed(h); });
}

void read(Reader& r, jmt::ProofLevel& v) {
  v.bitmap = r.u16();
  read_seq(
      r, v.siblings, jmt::limits::kRadix, "proof siblings",
      [](Reader& r2, Hash& h) { r2.fixed(h, "sibling hash"); }, 32);
  if (r.ok() && v.siblings.size() > static_cast<std::size_t>(std::popcount(v.bitmap)))
    r.fail(DecodeErrorCode::kInconsistent, "more proof siblings than children");
}

void write(Writer& w, const jmt::SparseMerkleProof& v) {
  write_seq(w, v.levels, [](Writer& w2, const jmt::ProofLevel& l) { write(w2, l); });
  w.boolean(v.leaf.has_value());
  if (v.leaf) {
    w.fixed(v.leaf->key_hash);
    w.fixed(v.leaf->value_hash);
  }
}

void read(Reader& r, jmt::SparseMerkleProof& v) {
  read_seq(
      r, v.levels, jmt::limits::kMaxDepth, "proof levels",
      [](Reader& r2, jmt::ProofLevel& l) { read(r2, l); }, 6);
  v.leaf.reset();
  if (r.boolean() && r.ok()) {
    v.leaf.emplace();
    r.fixed(v.leaf->key_hash, "leaf key hash");
    r.fixed(v.leaf->value_hash, "leaf value hash");
  }
}

}  // namespace hyperscale::types
