#include "jmt/node_pool.h"

#include <algorithm>
#include <cstdint>
#include <new>

#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "types/assert.h"

namespace hyperscale::jmt {

void NodePool::Release::operator()(NodePool* pool) const {
  HS_ASSERT(!pool->released_);
  if (pool->live_ == 0) {
    delete pool;
    return;
  }
  pool->released_ = true;
}

void* NodePool::allocate(std::size_t bytes) {
  HS_ASSERT(bytes > 0);
  if (bytes > kMaxBytes) {
    void* p = ::operator new(bytes);  // may throw: nothing counted yet
    ++live_;
    large_bytes_ += bytes;
    last_end_ = static_cast<std::byte*>(p) + bytes;
    return p;
  }
  const std::size_t c = size_class(bytes);
  std::vector<void*>& free = free_[c];
  if (!free.empty()) {
    void* p = free.back();
    free.pop_back();
    // A later allocation of this size will write there: start its misses
    // now, every line of it (a node is written whole, and a store waiting
    // on a line holds up the ones behind it).
    if (free.size() > kPrefetchAhead) {
      const auto ahead = reinterpret_cast<std::uintptr_t>(free[free.size() - kPrefetchAhead]);
      for (std::uintptr_t line = ahead & ~std::uintptr_t{63}; line < ahead + bytes; line += 64)
        __builtin_prefetch(reinterpret_cast<const void*>(line), 1);
    }
    ++live_;
    last_end_ = static_cast<std::byte*>(p) + bytes;
    return p;
  }
  const std::size_t rounded = c * kGranule;
  if (bump_left_ < rounded) add_block();  // the tail of the previous block is left unused
  void* p = bump_;
  bump_ += rounded;
  bump_left_ -= rounded;
  ++live_;
  last_end_ = static_cast<std::byte*>(p) + bytes;
  return p;
}

void NodePool::add_block() {
  const bool huge = block_bytes_ >= kHugeAfterBytes;
  const std::size_t bytes = huge ? kHugeBlockBytes : kBlockBytes;
  // Room first, growing geometrically (may throw before anything is
  // allocated), so that recording the block cannot throw and leak it.
  if (blocks_.size() == blocks_.capacity())
    blocks_.reserve(std::max<std::size_t>(16, 2 * blocks_.size()));
  std::byte* p = huge ? static_cast<std::byte*>(::operator new (bytes, std::align_val_t{bytes}))
                      : static_cast<std::byte*>(::operator new(bytes));
#ifdef MADV_HUGEPAGE
  if (huge) ::madvise(p, bytes, MADV_HUGEPAGE);  // a hint: failure changes nothing
#endif
  blocks_.push_back({p, bytes});
  block_bytes_ += bytes;
  bump_ = p;
  bump_left_ = bytes;
}

NodePool::~NodePool() {
  for (const Block& b : blocks_) {
    if (b.bytes == kHugeBlockBytes)
      ::operator delete (b.data, std::align_val_t{b.bytes});
    else
      ::operator delete(b.data);
  }
}

void NodePool::deallocate(void* p, std::size_t bytes) {
  HS_ASSERT(live_ > 0);
  if (bytes > kMaxBytes) {
    large_bytes_ -= bytes;
    ::operator delete(p);
  } else {
    free_[size_class(bytes)].push_back(p);
  }
  if (--live_ == 0 && released_) delete this;  // the last node of a released pool
}

}  // namespace hyperscale::jmt
