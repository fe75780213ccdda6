#include "jmt/tree_store.h"

#include "types/assert.h"

namespace hyperscale::jmt {

NodePtr InMemoryTreeStore::node(const NodeKey& key) const {
  const NodePtr* found = nodes_.find(key);
  return found ? *found : nullptr;
}

std::optional<Root> InMemoryTreeStore::root_at(Version version) const {
  auto it = roots_.find(version);
  if (it == roots_.end()) return std::nullopt;
  return it->second;
}

void InMemoryTreeStore::write(const TreeUpdateBatch& batch) {
  HS_ASSERT_MSG(roots_.empty() || batch.version > roots_.rbegin()->first,
                "tree versions must strictly increase");
  for (const auto& [key, node] : batch.new_nodes) {
    HS_ASSERT(key.version == batch.version);
    bool inserted = nodes_.insert(key, node);
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
  std::size_t deleted = 0;
  // A node made stale at version s is reached only by roots older than s.
  while (!stale_.empty() && stale_.front().stale_since <= oldest_kept) {
    deleted += nodes_.erase(stale_.front().key) ? 1 : 0;
    stale_.pop_front();
  }
  roots_.erase(roots_.begin(), roots_.lower_bound(oldest_kept));
  return deleted;
}

void OverlayReader::push(const TreeUpdateBatch& batch) {
  HS_ASSERT_MSG(!root_at(batch.version), "an overlaid version already exists");
  for (const auto& [key, node] : batch.new_nodes)
    nodes_.emplace(key, node);
  roots_.emplace(batch.version, batch.root);
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
