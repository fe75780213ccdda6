#pragma once

// Binary Merkle tree over a list of item hashes.
//   leaf = H(0x00 ‖ item), node = H(0x01 ‖ left ‖ right),
//   root = H(0x02 ‖ u32 leaf count ‖ top node)
// so a leaf can never be taken for a node. A level with an odd count promotes
// its last node unchanged (no duplication, which would let two lists share a
// root). The root commits to the leaf count: the path alone does not, so
// without it a proof for item 4 of 5 would also verify as item 2 of 3. The
// root of the empty list is the zero hash.

#include <cstdint>
#include <span>
#include <vector>

#include "types/codec.h"
#include "types/hash.h"

namespace hyperscale::types {

Hash merkle_leaf(const Hash& item);
Hash merkle_node(const Hash& left, const Hash& right);
Hash merkle_root(std::span<const Hash> items);

/// Proof that an item sits at `index` of a list of `leaf_count` items.
struct MerkleProof {
  std::uint32_t index = 0;
  std::uint32_t leaf_count = 0;
  std::vector<Hash> siblings;  // bottom-up; levels where the node was promoted have none

  friend bool operator==(const MerkleProof&, const MerkleProof&) = default;
};

/// Proof for items[index]; index must be < items.size().
MerkleProof merkle_prove(std::span<const Hash> items, std::uint32_t index);
bool merkle_verify(const Hash& root, const Hash& item, const MerkleProof& proof);

void write(Writer& w, const MerkleProof& v);
void read(Reader& r, MerkleProof& v);

}  // namespace hyperscale::types
