#pragma once

// Open-addressing map from NodeKey to node, for the in-memory tree store:
// a store of a million keys holds over a million nodes, and a chained hash
// map spent most of an update chasing its heap nodes. One 64-byte slot per
// entry (key and pointer inline), linear probing, power-of-two capacity,
// load at most 3/4, backward-shift deletion (types/table_mix.h's ProbeIndex).
// Iteration order is never exposed.

#include <vector>

#include "jmt/node.h"
#include "types/table_mix.h"

namespace hyperscale::jmt {

class NodeTable {
 public:
  std::size_t size() const { return size_; }

  /// The node under `key`, or nullptr.
  const NodePtr* find(const NodeKey& key) const {
    if (slots_.empty()) return nullptr;
    for (std::size_t i = home(key);; i = next(i)) {
      const Slot& s = slots_[i];
      if (!s.node) return nullptr;
      if (s.key == key) return &s.node;
    }
  }

  /// Inserts `node` (non-null) under `key`; false if the key is present.
  bool insert(const NodeKey& key, NodePtr node) {
    if ((size_ + 1) * 4 > slots_.size() * 3) grow();
    std::size_t i = home(key);
    for (; slots_[i].node; i = next(i))
      if (slots_[i].key == key) return false;
    slots_[i] = Slot{key, std::move(node)};
    ++size_;
    return true;
  }

  /// Removes `key`; false if absent.
  bool erase(const NodeKey& key) {
    if (slots_.empty()) return false;
    std::size_t i = home(key);
    for (;; i = next(i)) {
      if (!slots_[i].node) return false;
      if (slots_[i].key == key) break;
    }
    std::size_t hole = i;
    for (std::size_t j = next(i); slots_[j].node; j = next(j)) {
      if (types::ProbeIndex::movable(hole, j, home(slots_[j].key))) {
        slots_[hole] = std::move(slots_[j]);
        hole = j;
      }
    }
    slots_[hole] = Slot{};
    --size_;
    return true;
  }

 private:
  struct alignas(64) Slot {
    NodeKey key;
    NodePtr node;  // nullptr: free
  };
  std::size_t home(const NodeKey& key) const {
    return static_cast<std::size_t>(mix_.slot(NodeKeyHasher{}(key), shift_));
  }
  std::size_t next(std::size_t i) const { return (i + 1) & mask_; }
  void grow() {
    std::vector<Slot> old = std::move(slots_);
    std::size_t capacity = types::ProbeIndex::grown(old.size());
    slots_.assign(capacity, Slot{});
    mask_ = capacity - 1;
    shift_ = 64 - static_cast<unsigned>(std::countr_zero(capacity));
    size_ = 0;
    for (auto& s : old)
      if (s.node) insert(s.key, std::move(s.node));
  }

  types::TableMix mix_ = types::TableMix::process();
  std::vector<Slot> slots_;
  std::size_t mask_ = 0;
  unsigned shift_ = 63;
  std::size_t size_ = 0;
};

}  // namespace hyperscale::jmt
