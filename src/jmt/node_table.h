#pragma once

// Open-addressing map from NodeKey to node, for the in-memory tree store:
// a store of a million keys holds over a million nodes, and a chained hash
// map spent most of an update chasing its heap nodes. One 64-byte slot per
// entry (key and pointer inline), linear probing, power-of-two capacity,
// load at most 3/4, backward-shift deletion (types/table_mix.h's ProbeIndex).
// Iteration order is never exposed.

#include <array>
#include <memory>
#include <new>
#include <vector>

#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "jmt/node.h"
#include "types/assert.h"
#include "types/table_mix.h"

namespace hyperscale::jmt {

/// Allocates large arrays on 2 MiB boundaries and asks Linux to back them
/// with huge pages: a table of millions of slots is read at random, and with
/// 4 KiB pages nearly every probe also misses the TLB (a page walk costs
/// about as much as the miss itself). Only a hint: without huge pages the
/// memory works the same.
template <class T>
struct HugePageAllocator {
  using value_type = T;
  static constexpr std::size_t kHugePageBytes = std::size_t{2} << 20;
  HugePageAllocator() = default;
  template <class U>
  HugePageAllocator(const HugePageAllocator<U>&) {}  // NOLINT: rebinding
  T* allocate(std::size_t n) {
    std::size_t bytes = n * sizeof(T);
    if (bytes < kHugePageBytes) return std::allocator<T>().allocate(n);
    bytes = (bytes + kHugePageBytes - 1) / kHugePageBytes * kHugePageBytes;
    void* p = ::operator new (bytes, std::align_val_t{kHugePageBytes});
#ifdef MADV_HUGEPAGE
    ::madvise(p, bytes, MADV_HUGEPAGE);  // a hint: failure changes nothing
#endif
    return static_cast<T*>(p);
  }
  void deallocate(T* p, std::size_t n) {
    if (n * sizeof(T) < kHugePageBytes) return std::allocator<T>().deallocate(p, n);
    ::operator delete (p, std::align_val_t{kHugePageBytes});
  }
  template <class U>
  friend bool operator==(const HugePageAllocator&, const HugePageAllocator<U>&) {
    return true;
  }
};

class NodeTable {
 public:
  std::size_t size() const { return size_; }

  /// The node under `key`, or nullptr.
  const NodePtr* find(const NodeKey& key) const {
    return slots_.empty() ? nullptr : find(key, home(key));
  }

  /// The slot a probe for `key` starts at (valid until the table grows):
  /// batch readers compute it once, prefetch it, then find() from it.
  std::size_t home(const NodeKey& key) const {
    return static_cast<std::size_t>(mix_.slot(NodeKeyHasher{}(key), shift_));
  }
  /// Starts loading the cache line of slot `home` (non-empty table).
  void prefetch(std::size_t home) const {
    __builtin_prefetch(&slots_[home]);
    __builtin_prefetch(&slots_[next(home)]);  // a probe often goes one slot on
  }
  /// find() from a home() computed since the last growth (non-empty table).
  const NodePtr* find(const NodeKey& key, std::size_t home) const {
    for (std::size_t i = home;; i = next(i)) {
      const Slot& s = slots_[i];
      if (!s.node) return nullptr;
      if (s.key == key) return &s.node;
    }
  }

  /// Grows now so that `extra` more inserts cannot grow the table (nor move
  /// a home() computed in between).
  void reserve(std::size_t extra) {
    while ((size_ + extra) * 4 > slots_.size() * 3)
      grow();
  }

  /// Inserts `node` (non-null) under `key`; false if the key is present.
  bool insert(const NodeKey& key, NodePtr node) {
    if ((size_ + 1) * 4 > slots_.size() * 3) grow();
    return insert(key, std::move(node), home(key));
  }
  /// insert() from a home() computed after reserve() made room for it.
  bool insert(const NodeKey& key, NodePtr node, std::size_t home) {
    HS_ASSERT((size_ + 1) * 4 <= slots_.size() * 3);
    std::size_t i = home;
    for (; slots_[i].node; i = next(i))
      if (slots_[i].key == key) return false;
    slots_[i] = Slot{key, std::move(node)};
    ++size_;
    return true;
  }

  /// Removes `key`; false if absent.
  bool erase(const NodeKey& key) { return !slots_.empty() && erase(key, home(key)); }
  /// erase() from a home() computed since the last growth (non-empty table).
  bool erase(const NodeKey& key, std::size_t home) {
    std::size_t i = home;
    for (;; i = next(i)) {
      if (!slots_[i].node) return false;
      if (slots_[i].key == key) break;
    }
    std::size_t hole = i;
    for (std::size_t j = next(i); slots_[j].node; j = next(j)) {
      if (types::ProbeIndex::movable(hole, j, this->home(slots_[j].key))) {
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
  std::size_t next(std::size_t i) const { return (i + 1) & mask_; }
  void grow() {
    std::vector<Slot, HugePageAllocator<Slot>> old = std::move(slots_);
    std::size_t capacity = types::ProbeIndex::grown(old.size());
    slots_.assign(capacity, Slot{});
    mask_ = capacity - 1;
    shift_ = 64 - static_cast<unsigned>(std::countr_zero(capacity));
    size_ = 0;
    // Each move lands on a random slot: prefetch it kGrowAhead moves ahead
    // (millions of moves, each a cache miss otherwise).
    std::array<std::pair<std::size_t, std::size_t>, kGrowAhead> queue;  // (old slot, home)
    std::size_t queued = 0;
    auto place = [&](const std::pair<std::size_t, std::size_t>& q) {
      insert(old[q.first].key, std::move(old[q.first].node), q.second);
    };
    for (std::size_t i = 0; i < old.size(); ++i) {
      if (!old[i].node) continue;
      std::size_t h = home(old[i].key);
      prefetch(h);
      auto& q = queue[queued++ % kGrowAhead];
      if (queued > kGrowAhead) place(q);
      q = {i, h};
    }
    for (std::size_t k = queued > kGrowAhead ? queued - kGrowAhead : 0; k < queued; ++k)
      place(queue[k % kGrowAhead]);
  }
  static constexpr std::size_t kGrowAhead = 16;

  types::TableMix mix_ = types::TableMix::process();
  std::vector<Slot, HugePageAllocator<Slot>> slots_;
  std::size_t mask_ = 0;
  unsigned shift_ = 63;
  std::size_t size_ = 0;
};

}  // namespace hyperscale::jmt
