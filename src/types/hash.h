#pragma once

#include <cstdint>
#include <string_view>

#include "types/bytes.h"

namespace hyperscale::types {

/// 32-byte BLAKE2b-256 digest. The zero hash is the "no parent" / "empty" marker.
struct Hash : FixedBytes<32> {
  static Hash zero() { return {}; }
  /// First 8 bytes as a little-endian u64 (shard assignment, derived scalars).
  std::uint64_t prefix_u64() const {
    std::uint64_t v = 0;
    for (int i = 7; i >= 0; --i)
      v = v << 8 | bytes[static_cast<std::size_t>(i)];
    return v;
  }
};

/// For unordered containers keyed by hashes (lookups only: iteration order
/// of such containers must never reach an output).
struct HashHasher {
  std::size_t operator()(const Hash& h) const { return static_cast<std::size_t>(h.prefix_u64()); }
};

/// Incremental BLAKE2b-256 over any number of parts.
class Hasher {
 public:
  Hasher();
  Hasher& update(ByteSpan data);
  Hasher& update(std::string_view s) { return update(as_bytes(s)); }
  Hasher& update_u8(std::uint8_t v) { return update(ByteSpan(&v, 1)); }
  Hasher& update_u32(std::uint32_t v);
  Hasher& update_u64(std::uint64_t v);
  Hasher& update(const Hash& h) { return update(h.span()); }
  Hash finish();

 private:
  // Storage for libsodium's crypto_generichash_state (384 bytes, 64-aligned),
  // kept opaque so this header does not pull in sodium.h.
  alignas(64) std::uint8_t state_[384];
};

/// BLAKE2b-256 of one buffer.
Hash hash_bytes(ByteSpan data);
inline Hash hash_bytes(std::string_view s) {
  return hash_bytes(as_bytes(s));
}

}  // namespace hyperscale::types
