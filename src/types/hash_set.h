#pragma once

// Open-addressing set of hashes, the HashMap layout without a value: one
// 32-byte slot per entry, aligned so a probe touches one cache line. The
// all-zero hash marks an empty slot; the zero hash itself, if ever added, is
// kept in a flag. Linear probing, power-of-two capacity, load at most 1/2,
// backward-shift deletion. Iteration order is the table's (never an output).

#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

#include "types/hash.h"
#include "types/table_mix.h"

namespace hyperscale::types {

class HashSet {
 public:
  HashSet() = default;
  /// A table with its own slot mix (tests); others take TableMix::process().
  explicit HashSet(TableMix mix) : index_(mix) {}

  std::size_t size() const { return size_ + (has_zero_ ? 1 : 0); }
  bool empty() const { return size() == 0; }

  bool contains(const Hash& key) const {
    if (is_zero(key)) return has_zero_;
    if (slots_.empty()) return false;
    for (std::size_t i = home(key);; i = next(i)) {
      const Hash& s = slots_[i].key;
      if (is_zero(s)) return false;
      if (s == key) return true;
    }
  }

  /// Hint that `key` is looked up soon (no effect on contents).
  void prefetch(const Hash& key) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[home(key)]);
  }

  /// Inserts if absent; returns true when inserted.
  bool insert(const Hash& key) {
    if (is_zero(key)) return !std::exchange(has_zero_, true);
    if ((size_ + 1) * 2 > slots_.size()) grow();
    for (std::size_t i = home(key);; i = next(i)) {
      Hash& s = slots_[i].key;
      if (is_zero(s)) {
        s = key;
        ++size_;
        return true;
      }
      if (s == key) return false;
    }
  }

  bool erase(const Hash& key) {
    if (is_zero(key)) return std::exchange(has_zero_, false);
    if (slots_.empty()) return false;
    std::size_t i = home(key);
    for (;; i = next(i)) {
      if (is_zero(slots_[i].key)) return false;
      if (slots_[i].key == key) break;
    }
    // Backward shift: move later members of the probe run into the hole.
    std::size_t hole = i;
    for (std::size_t j = next(i); !is_zero(slots_[j].key); j = next(j)) {
      if (ProbeIndex::movable(hole, j, home(slots_[j].key))) {
        slots_[hole] = slots_[j];
        hole = j;
      }
    }
    slots_[hole].key = Hash::zero();
    --size_;
    return true;
  }

  void clear() {
    slots_.clear();
    size_ = 0;
    has_zero_ = false;
  }

 private:
  struct alignas(32) Slot {
    Hash key;
  };
  static bool is_zero(const Hash& h) {
    std::uint64_t w[4];
    std::memcpy(w, h.bytes.data(), sizeof w);
    return (w[0] | w[1] | w[2] | w[3]) == 0;
  }
  std::size_t home(const Hash& key) const { return index_.home(key); }
  std::size_t next(std::size_t i) const { return index_.next(i); }
  void grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(ProbeIndex::grown(old.size()), Slot{});
    index_.resize(slots_.size());
    size_ = 0;
    for (const auto& s : old)
      if (!is_zero(s.key)) insert(s.key);
  }

  ProbeIndex index_;
  std::vector<Slot> slots_;
  std::size_t size_ = 0;  // non-zero keys in slots_
  bool has_zero_ = false;
};

}  // namespace hyperscale::types
