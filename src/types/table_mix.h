#pragma once

// Where an open-addressing table (HashMap, HashSet) puts a key: a keyed mix
// of the key's first 8 bytes, top bits of ((prefix ^ xor) * mult). Without the
// key a peer cannot choose transaction hashes that pile into one probe run
// (grinding 64-bit prefixes is out of reach; grinding the few low bits a raw
// index uses is not). Each table takes the process-wide mix when it is made;
// a production node sets it from OS randomness at startup. Nothing may depend
// on table order (every output that iterates a table sorts first), so the
// mix never changes behaviour, only speed under attack.

#include <bit>
#include <cstddef>
#include <cstdint>

#include "types/hash.h"

namespace hyperscale::types {

struct TableMix {
  std::uint64_t xor_key = 0x243f6a8885a308d3ULL;
  std::uint64_t multiplier = 0x9e3779b97f4a7c15ULL;  // odd

  /// The slot of a key among 2^(64 - shift) slots.
  std::uint64_t slot(std::uint64_t prefix, unsigned shift) const {
    return ((prefix ^ xor_key) * multiplier) >> shift;
  }

  /// The mix every new table takes.
  static TableMix process() { return process_mix(); }
  /// Sets the process-wide mix from `seed`; call before any table exists.
  static void set_process_seed(std::uint64_t seed) {
    auto next = [&seed] {  // splitmix64
      std::uint64_t z = (seed += 0x9e3779b97f4a7c15ULL);
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
      return z ^ (z >> 31);
    };
    process_mix().xor_key = next();
    process_mix().multiplier = next() | 1;
  }
  /// Slot = top bits of the prefix itself (tests that need collisions).
  static TableMix identity() { return TableMix{0, 1}; }

 private:
  static TableMix& process_mix() {
    static TableMix mix;
    return mix;
  }
};

/// Slot arithmetic shared by the open-addressing tables: a power-of-two
/// capacity, the home slot of a key, linear probing, and the backward-shift
/// rule that keeps probe runs unbroken on deletion.
class ProbeIndex {
 public:
  explicit ProbeIndex(TableMix mix = TableMix::process()) : mix_(mix) {}

  /// Capacity after growing from `current` (0 for a new table).
  static std::size_t grown(std::size_t current) { return current ? current * 2 : 64; }
  void resize(std::size_t capacity) {
    mask_ = capacity - 1;
    shift_ = 64 - static_cast<unsigned>(std::countr_zero(capacity));
  }
  std::size_t home(const Hash& key) const {
    return static_cast<std::size_t>(mix_.slot(key.prefix_u64(), shift_));
  }
  std::size_t next(std::size_t i) const { return (i + 1) & mask_; }
  /// May the entry at slot `j`, whose home is `h`, move back into `hole`
  /// (that is, is the hole on its probe path, wrapping around)?
  static bool movable(std::size_t hole, std::size_t j, std::size_t h) {
    return hole <= j ? (h <= hole || h > j) : (h <= hole && h > j);
  }

 private:
  TableMix mix_;
  std::size_t mask_ = 0;
  unsigned shift_ = 63;  // set by resize() before any use
};

}  // namespace hyperscale::types
