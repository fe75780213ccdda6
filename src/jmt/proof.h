#pragma once

// Inclusion and non-inclusion proofs of the Jellyfish Merkle Tree. A proof
// lists, from the root down, each internal node on the key's nibble path
// (its bitmap and the hashes of every child but the one on the path), and
// ends in one of:
//   - the key's own leaf (inclusion: the value hash is checked);
//   - another key's leaf at the key's position (non-inclusion: in a tree
//     built by the rules, a leaf sits where no other key shares its prefix);
//   - an empty child slot on the path, or the empty tree (non-inclusion).
// verify_proof() needs only the root.

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "jmt/node.h"
#include "types/codec.h"

namespace hyperscale::jmt {

/// One internal node on the path: its bitmap, and its children's hashes in
/// nibble order without the one at the path's nibble.
struct ProofLevel {
  std::uint16_t bitmap = 0;
  std::vector<Hash> siblings;
  friend bool operator==(const ProofLevel&, const ProofLevel&) = default;
};

struct SparseMerkleProof {
  std::vector<ProofLevel> levels;  // root first; at most 64
  std::optional<LeafNode> leaf;    // the leaf the path ends in, if any
  friend bool operator==(const SparseMerkleProof&, const SparseMerkleProof&) = default;
};

/// Why a proof was refused; nullopt from verify_proof_error() means it holds.
enum class ProofError : std::uint8_t {
  kTooDeep,       // more than 64 levels
  kLeafOffPath,   // the end leaf's key does not start with the path
  kWrongValue,    // inclusion claimed, the leaf holds another key or value
  kKeyPresent,    // non-inclusion claimed, the leaf is the key's own
  kNoLeaf,        // inclusion claimed, the path ends in an empty slot
  kSlotOccupied,  // an empty slot claimed where the bitmap has a child
  kSlotEmpty,     // the path goes through a child the bitmap lacks
  kSiblingCount,  // the sibling count disagrees with the bitmap
  kRootMismatch,  // the recomputed root is not the given root
};
std::string_view to_string(ProofError e);

/// Checks that, in the tree of root `root`, `key_hash` maps to `value_hash`
/// (inclusion) or, when `value_hash` is nullopt, is absent (non-inclusion).
std::optional<ProofError> verify_proof_error(const Hash& root, const Hash& key_hash,
                                             const std::optional<Hash>& value_hash,
                                             const SparseMerkleProof& proof);
inline bool verify_proof(const Hash& root, const Hash& key_hash,
                         const std::optional<Hash>& value_hash, const SparseMerkleProof& proof) {
  return !verify_proof_error(root, key_hash, value_hash, proof);
}

}  // namespace hyperscale::jmt

namespace hyperscale::types {
// Canonical codec (types/codec.h). Decoding bounds levels (≤ 64) and siblings
// (≤ 16, and ≤ the bitmap's child count); whether a proof holds is
// verify_proof()'s job, not the decoder's.
void write(Writer& w, const jmt::ProofLevel& v);
void read(Reader& r, jmt::ProofLevel& v);
void write(Writer& w, const jmt::SparseMerkleProof& v);
void read(Reader& r, jmt::SparseMerkleProof& v);
}  // namespace hyperscale::types
