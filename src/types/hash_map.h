#pragma once

// Open-addressing map from Hash to a small value, for the large sets of a
// validator (replay window, pool, in-flight sets): entries live inline in one
// array (one cache miss per lookup instead of a chain of heap nodes). Linear
// probing, power-of-two capacity, load at most 1/2, backward-shift deletion.
// Iteration order is the table's, so it must never reach an output unsorted.
//
// Tables outgrow the caches; a caller with a batch of keys calls prefetch()
// on all of them first, so the misses overlap instead of queueing.

#include <cstdint>
#include <optional>
#include <vector>

#include "types/hash.h"
#include "types/table_mix.h"

namespace hyperscale::types {

template <class V>
class HashMap {
 public:
  HashMap() = default;
  /// A table with its own slot mix (tests); others take TableMix::process().
  explicit HashMap(TableMix mix) : index_(mix) {}

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  bool contains(const Hash& key) const { return find(key) != nullptr; }

  const V* find(const Hash& key) const {
    if (slots_.empty()) return nullptr;
    for (std::size_t i = home(key);; i = next(i)) {
      const Slot& s = slots_[i];
      if (!s.used) return nullptr;
      if (s.key == key) return &s.value;
    }
  }
  V* find(const Hash& key) { return const_cast<V*>(static_cast<const HashMap&>(*this).find(key)); }

  /// Hint that `key` is looked up soon (no effect on contents).
  void prefetch(const Hash& key) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[home(key)]);
  }

  /// Calls f(key, value) for every entry, in table order.
  template <class F>
  void for_each(F&& f) const {
    for (const auto& s : slots_)
      if (s.used) f(s.key, s.value);
  }

  /// Inserts if absent; returns true when inserted.
  bool emplace(const Hash& key, V value) {
    if ((size_ + 1) * 2 > slots_.size()) grow();
    for (std::size_t i = home(key);; i = next(i)) {
      Slot& s = slots_[i];
      if (!s.used) {
        s = Slot{key, std::move(value), true};
        ++size_;
        return true;
      }
      if (s.key == key) return false;
    }
  }

  bool erase(const Hash& key) {
    if (slots_.empty()) return false;
    std::size_t i = home(key);
    for (;; i = next(i)) {
      if (!slots_[i].used) return false;
      if (slots_[i].key == key) break;
    }
    // Backward shift: move later members of the probe run into the hole.
    std::size_t hole = i;
    for (std::size_t j = next(i); slots_[j].used; j = next(j)) {
      if (ProbeIndex::movable(hole, j, home(slots_[j].key))) {
        slots_[hole] = std::move(slots_[j]);
        hole = j;
      }
    }
    slots_[hole] = Slot{};  // releases the value too
    --size_;
    return true;
  }

  void clear() {
    slots_.clear();
    size_ = 0;
  }

 private:
  struct Slot {
    Hash key;
    V value{};
    bool used = false;
  };
  std::size_t home(const Hash& key) const { return index_.home(key); }
  std::size_t next(std::size_t i) const { return index_.next(i); }
  void grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(ProbeIndex::grown(old.size()), Slot{});
    index_.resize(slots_.size());
    size_ = 0;
    for (auto& s : old)
      if (s.used) emplace(s.key, std::move(s.value));
  }

  ProbeIndex index_;
  std::vector<Slot> slots_;
  std::size_t size_ = 0;
};

}  // namespace hyperscale::types
