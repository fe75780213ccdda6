#pragma once

// Limits of the Jellyfish Merkle Tree. Protocol-wide: every validator must
// compute the same roots and accept the same proofs.

#include <cstddef>
#include <cstdint>

namespace hyperscale::jmt::limits {

/// Nibbles in a key hash (32 bytes × 2): the deepest a node can sit.
inline constexpr std::size_t kMaxDepth = 64;
/// Children of an internal node (one per nibble value).
inline constexpr std::size_t kRadix = 16;
/// Versions a store keeps after pruning, at the least: DESIGN §6 asks for 30
/// blocks of history plus the sync window (64 heights, DESIGN §5).
inline constexpr std::uint64_t kMinRetainedVersions = 30 + 64;

}  // namespace hyperscale::jmt::limits
