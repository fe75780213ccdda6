#include "execution/state_store.h"

#include "types/assert.h"

namespace hyperscale::execution {

std::vector<jmt::KeyUpdate> tree_updates(std::span<const types::StateEntry> writes) {
  std::vector<jmt::KeyUpdate> ups;
  ups.reserve(writes.size());
  for (const auto& w : writes) {
    std::optional<types::Hash> value;
    if (w.value) value = jmt::value_hash_of(*w.value);
    ups.push_back({jmt::key_hash_of(w.key), value});
  }
  std::size_t before = ups.size();
  jmt::sort_updates(ups);
  HS_ASSERT_MSG(ups.size() == before, "two writes of one substate in one batch");
  return ups;
}

StateStore::StateStore(std::span<const types::StateEntry> entries, jmt::Version version)
    : version_(version) {
  for (const auto& e : entries) {
    HS_ASSERT(e.value.has_value());
    values_.emplace(e.key, *e.value);
  }
  auto batch = jmt::apply_updates(tree_, std::nullopt, version, tree_updates(entries));
  HS_ASSERT(batch.has_value());
  root_ = batch->root.hash();
  tree_.write(std::move(*batch));
}

std::optional<types::Bytes> StateStore::get(const types::SubstateKey& key) const {
  auto it = values_.find(key);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

// GCC 12 warns falsely (-Wstringop-overread) inside the inlined comparison
// of the empty sort key below.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstringop-overread"
#endif
void StateStore::append_node_entries(const types::NodeId& node,
                                     std::vector<types::StateEntry>& out) const {
  // A node's substates are contiguous: keys order by node first.
  for (auto it = values_.lower_bound(types::SubstateKey{node, 0, {}});
       it != values_.end() && it->first.node == node; ++it)
    out.push_back(types::StateEntry{it->first, it->second});
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

jmt::TreeUpdateBatch StateStore::compute(std::span<const jmt::TreeUpdateBatch* const> ancestors,
                                         jmt::Version version,
                                         std::span<const types::StateEntry> writes) const {
  jmt::OverlayReader overlay(tree_);
  jmt::Version base = version_;
  for (const auto* a : ancestors) {
    HS_ASSERT(a->version > base);
    overlay.push(*a);
    base = a->version;
  }
  auto batch = jmt::apply_updates(overlay, base, version, tree_updates(with_injected(writes)));
  // The committed tree is in memory and complete; an error is a logic bug.
  HS_ASSERT_MSG(batch.has_value(), "state tree update failed");
  return std::move(*batch);
}

void StateStore::commit(jmt::Version version, std::span<const types::StateEntry> writes,
                        std::optional<jmt::TreeUpdateBatch> precomputed) {
  HS_ASSERT(version > version_);
  if (precomputed) {
    HS_ASSERT(precomputed->version == version);
    root_ = precomputed->root.hash();
    tree_.write(std::move(*precomputed));
  } else {
    auto batch = compute({}, version, writes);
    root_ = batch.root.hash();
    tree_.write(std::move(batch));
  }
  for (const auto& w : writes) {
    if (w.value)
      values_.insert_or_assign(w.key, *w.value);
    else
      values_.erase(w.key);
  }
  version_ = version;
  // An injected value stays (folded into every version) until a write replaces it.
  std::erase_if(injected_, [&](const types::StateEntry& e) {
    return std::any_of(writes.begin(), writes.end(),
                       [&](const types::StateEntry& w) { return w.key == e.key; });
  });
  if (version_ >= jmt::limits::kMinRetainedVersions)
    tree_.prune(version_ - jmt::limits::kMinRetainedVersions + 1);
}

void StateStore::inject_for_test(const types::StateEntry& entry) {
  if (entry.value)
    values_.insert_or_assign(entry.key, *entry.value);
  else
    values_.erase(entry.key);
  std::erase_if(injected_, [&](const types::StateEntry& e) { return e.key == entry.key; });
  injected_.push_back(entry);
}

std::vector<types::StateEntry> StateStore::with_injected(
    std::span<const types::StateEntry> writes) const {
  std::vector<types::StateEntry> out(writes.begin(), writes.end());
  for (const auto& e : injected_) {
    bool shadowed = std::any_of(writes.begin(), writes.end(),
                                [&](const types::StateEntry& w) { return w.key == e.key; });
    if (!shadowed) out.push_back(e);
  }
  return out;
}

}  // namespace hyperscale::execution
