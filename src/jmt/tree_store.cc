#include "jmt/tree_store.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <type_traits>
#include <utility>

#include "types/assert.h"

namespace hyperscale::jmt {
namespace {
/// How far ahead batch reads and writes prefetch: enough misses in flight
/// to cover memory latency, few enough to stay in the L1 cache.
constexpr std::size_t kAhead = 16;
/// Ring of per-read state between the pipeline's stages (≥ 2 × kAhead).
constexpr std::size_t kRing = 4 * kAhead;
}  // namespace

void TreeReader::nodes(std::span<const NodeKey> keys, std::span<const Node*> out,
                       std::vector<NodePtr>& hold) const {
  HS_ASSERT(keys.size() == out.size());
  for (std::size_t i = 0; i < keys.size(); ++i) {
    NodePtr n = node(keys[i]);
    out[i] = n.get();
    if (n) hold.push_back(std::move(n));
  }
}

NodePtr InMemoryTreeStore::node(const NodeKey& key) const {
  const NodePtr* found = nodes_.find(key);
  return found ? *found : nullptr;
}

void InMemoryTreeStore::nodes(std::span<const NodeKey> keys, std::span<const Node*> out,
                              std::vector<NodePtr>& /*hold: the table holds them*/) const {
  HS_ASSERT(keys.size() == out.size());
  if (nodes_.size() == 0) {
    std::fill(out.begin(), out.end(), nullptr);
    return;
  }
  // A table of millions of nodes misses the cache on every read: the slot,
  // the node, an internal node's children. Three stages `kAhead` reads apart
  // keep those misses in flight together: prefetch the slot; find the key in
  // it and prefetch the node; prefetch the children and take the node.
  std::array<std::size_t, kRing> homes;
  std::array<const NodePtr*, kRing> found;
  const std::size_t n = keys.size();
  for (std::size_t i = 0; i < n + 2 * kAhead; ++i) {
    if (i < n) {
      homes[i % kRing] = nodes_.home(keys[i]);
      nodes_.prefetch(homes[i % kRing]);
    }
    if (i >= kAhead && i - kAhead < n) {
      std::size_t j = i - kAhead;
      const NodePtr* f = nodes_.find(keys[j], homes[j % kRing]);
      found[j % kRing] = f;
      if (f) __builtin_prefetch(f->get());
    }
    if (i >= 2 * kAhead) {
      std::size_t k = i - 2 * kAhead;
      const NodePtr* f = found[k % kRing];
      if (!f) {
        out[k] = nullptr;
        continue;
      }
      if (const auto* in = std::get_if<InternalNode>(f->get())) {
        // Every line the children touch, the last one included when they
        // do not start on a line boundary.
        const auto begin = reinterpret_cast<std::uintptr_t>(in->children.data());
        const std::uintptr_t end = begin + in->children.size_bytes();
        for (std::uintptr_t line = begin & ~std::uintptr_t{63}; line < end; line += 64)
          __builtin_prefetch(reinterpret_cast<const void*>(line));
      }
      out[k] = f->get();
    }
  }
}

std::optional<Root> InMemoryTreeStore::root_at(Version version) const {
  auto it = roots_.find(version);
  if (it == roots_.end()) return std::nullopt;
  return it->second;
}

void InMemoryTreeStore::write(const TreeUpdateBatch& batch) {
  add(batch);
}

void InMemoryTreeStore::write(TreeUpdateBatch&& batch) {
  add(std::move(batch));
}

template <class Batch>
void InMemoryTreeStore::add(Batch&& batch) {
  constexpr bool take = std::is_same_v<Batch, TreeUpdateBatch>;  // an rvalue, not const
  HS_ASSERT_MSG(roots_.empty() || batch.version > roots_.rbegin()->first,
                "tree versions must strictly increase");
  // Each insert lands on a random slot: prefetch it kAhead inserts ahead,
  // with room made first so that no home moves in between. A shared node's
  // reference count is incremented too, on a node the update made long
  // enough ago to be out of cache: prefetched with the slot. A taken node is
  // not read at all.
  auto& added = batch.new_nodes;
  nodes_.reserve(added.size());
  std::array<std::size_t, kRing> homes;
  for (std::size_t i = 0; i < added.size() + kAhead; ++i) {
    if (i < added.size()) {
      homes[i % kRing] = nodes_.home(added[i].first);
      nodes_.prefetch(homes[i % kRing]);
      if constexpr (!take) __builtin_prefetch(added[i].second.get(), 1);
    }
    if (i < kAhead) continue;
    auto& [key, node] = added[i - kAhead];
    HS_ASSERT(key.version == batch.version);
    NodePtr stored;
    if constexpr (take)
      stored = std::move(node);
    else
      stored = node;
    bool inserted = nodes_.insert(key, std::move(stored), homes[(i - kAhead) % kRing]);
    HS_ASSERT_MSG(inserted, "a tree node was written twice");
  }
  for (const auto& s : batch.stale_nodes) {
    HS_ASSERT(s.stale_since == batch.version);
    stale_.push_back(s);
  }
  roots_.emplace(batch.version, batch.root);
}

std::optional<Version> InMemoryTreeStore::latest_version() const {
  if (roots_.empty()) return std::nullopt;
  return roots_.rbegin()->first;
}

std::vector<StaleNode> InMemoryTreeStore::stale_nodes(Version up_to) const {
  std::vector<StaleNode> out;
  for (const auto& s : stale_) {
    if (s.stale_since > up_to) break;
    out.push_back(s);
  }
  return out;
}

std::size_t InMemoryTreeStore::prune(Version oldest_kept) {
  // A node made stale at version s is reached only by roots older than s.
  std::size_t n = 0;
  while (n < stale_.size() && stale_[n].stale_since <= oldest_kept)
    ++n;
  std::size_t deleted = 0;
  if (n > 0 && nodes_.size() > 0) {
    // Each erase misses twice: the slot, then the node whose count it drops
    // (and whose memory goes back to the pool). The same pipeline as nodes():
    // prefetch the slot; find the key and prefetch the node; erase. An erase
    // may shift a later key's slot: erase() probes again from its home.
    std::array<std::size_t, kRing> homes;
    for (std::size_t i = 0; i < n + 2 * kAhead; ++i) {
      if (i < n) {
        homes[i % kRing] = nodes_.home(stale_[i].key);
        nodes_.prefetch(homes[i % kRing]);
      }
      if (i >= kAhead && i - kAhead < n) {
        std::size_t j = i - kAhead;
        if (const NodePtr* f = nodes_.find(stale_[j].key, homes[j % kRing]))
          __builtin_prefetch(f->get(), 1);
      }
      if (i >= 2 * kAhead) {
        std::size_t k = i - 2 * kAhead;
        deleted += nodes_.erase(stale_[k].key, homes[k % kRing]) ? 1 : 0;
      }
    }
  }
  stale_.erase(stale_.begin(), stale_.begin() + static_cast<std::ptrdiff_t>(n));
  roots_.erase(roots_.begin(), roots_.lower_bound(oldest_kept));
  return deleted;
}

void OverlayReader::push(const TreeUpdateBatch& batch) {
  HS_ASSERT_MSG(!root_at(batch.version), "an overlaid version already exists");
  for (const auto& [key, node] : batch.new_nodes)
    nodes_.emplace(key, node);
  roots_.emplace(batch.version, batch.root);
}

void OverlayReader::nodes(std::span<const NodeKey> keys, std::span<const Node*> out,
                          std::vector<NodePtr>& hold) const {
  HS_ASSERT(keys.size() == out.size());
  // The overlay's own nodes first; the rest go to the base as one batch.
  std::vector<NodeKey> below;
  std::vector<std::size_t> where;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    auto it = nodes_.find(keys[i]);
    if (it != nodes_.end()) {
      out[i] = it->second.get();
    } else {
      below.push_back(keys[i]);
      where.push_back(i);
    }
  }
  std::vector<const Node*> got(below.size());
  base_->nodes(below, got, hold);
  for (std::size_t i = 0; i < below.size(); ++i)
    out[where[i]] = got[i];
}

NodePtr OverlayReader::node(const NodeKey& key) const {
  auto it = nodes_.find(key);
  if (it != nodes_.end()) return it->second;
  return base_->node(key);
}

std::optional<Root> OverlayReader::root_at(Version version) const {
  auto it = roots_.find(version);
  if (it != roots_.end()) return it->second;
  return base_->root_at(version);
}

}  // namespace hyperscale::jmt
