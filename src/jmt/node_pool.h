#pragma once

// Memory for a store's tree nodes. A version writes tens of thousands of
// nodes and pruning frees as many, scattered over gigabytes: the general
// heap then walks its free lists through cold memory, one cache miss per
// allocation and per free. The pool keeps one free stack of addresses per
// size (16-byte classes) in plain vectors, so neither allocating nor freeing
// reads the node memory, and it starts loading the next block of a class
// before it is asked for. Memory freed into a class stays in that class.
// Not thread-safe: nodes are made and released on the store's thread.

#include <array>
#include <cstddef>
#include <memory>
#include <vector>

namespace hyperscale::jmt {

class NodePool {
 public:
  /// Ends the owner's use of the pool: it deletes itself now, or when the
  /// last node allocated from it is freed (nodes may outlive their store).
  struct Release {
    void operator()(NodePool* pool) const;
  };
  using Owner = std::unique_ptr<NodePool, Release>;
  static Owner make() { return Owner(new NodePool()); }

  /// Largest allocation served (bigger ones go to the heap): a node's control
  /// block and 16 children fit.
  static constexpr std::size_t kMaxBytes = 1024;
  /// Bytes taken from the heap at a time while the pool is small: a store of
  /// a few nodes (tests, a fresh validator) stays small.
  static constexpr std::size_t kBlockBytes = std::size_t{64} << 10;
  /// Once the pool holds kHugeAfterBytes, blocks are 2 MiB, aligned and
  /// hinted for huge pages: nodes are read, written and freed at random over
  /// gigabytes, and with 4 KiB pages each of those accesses also misses the
  /// TLB (a page walk costs about as much as the miss itself).
  static constexpr std::size_t kHugeBlockBytes = std::size_t{2} << 20;
  static constexpr std::size_t kHugeAfterBytes = std::size_t{32} << 20;
  static_assert(kBlockBytes != kHugeBlockBytes, "the destructor tells blocks apart by size");

  NodePool(const NodePool&) = delete;
  NodePool& operator=(const NodePool&) = delete;

  /// `bytes` (non-zero), aligned to 16.
  void* allocate(std::size_t bytes);
  /// Gives back what allocate(`bytes`) returned.
  void deallocate(void* p, std::size_t bytes);
  /// The end of what the last allocate() returned (how a node finds the
  /// children stored after it).
  std::byte* last_end() const { return last_end_; }

  /// Bytes taken from the heap (blocks and large allocations in use).
  std::size_t reserved_bytes() const { return block_bytes_ + large_bytes_; }

 private:
  NodePool() = default;
  ~NodePool();
  static constexpr std::size_t kGranule = 16;
  /// How many allocations of a class ahead the pool prefetches its block.
  static constexpr std::size_t kPrefetchAhead = 4;
  static std::size_t size_class(std::size_t bytes) { return (bytes + kGranule - 1) / kGranule; }

  std::array<std::vector<void*>, kMaxBytes / kGranule + 1> free_;  // by size class
  struct Block {
    std::byte* data;
    std::size_t bytes;
  };
  /// Takes a new block from the heap (huge once the pool is large).
  void add_block();
  std::vector<Block> blocks_;  // freed by the destructor
  std::size_t block_bytes_ = 0;
  std::byte* bump_ = nullptr;  // the unused rest of the newest block
  std::size_t bump_left_ = 0;
  std::size_t large_bytes_ = 0;
  std::byte* last_end_ = nullptr;
  std::size_t live_ = 0;   // allocations not given back
  bool released_ = false;  // the owner is gone: delete when live_ reaches 0
};

}  // namespace hyperscale::jmt
