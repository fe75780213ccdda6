#include "jmt/tree.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstring>
#include <memory>

#include "types/assert.h"

namespace hyperscale::jmt {

std::string_view to_string(TreeError e) {
  switch (e) {
    case TreeError::kUnknownVersion:
      return "version not in the tree store";
    case TreeError::kMissingNode:
      return "tree node missing from the store";
    case TreeError::kVersionNotNewer:
      return "new version not above the base version";
    case TreeError::kUnsortedUpdates:
      return "updates not strictly sorted by key hash";
  }
  return "unknown tree error";
}

namespace {

/// Leaf content while building: a key and its value hash.
struct Entry {
  Hash key_hash;
  Hash value_hash;
};

/// The nodes preload() read at one depth, in path order (nullptr: not in
/// the store), and how many update() took.
struct Level {
  std::vector<NodeKey> keys;
  std::vector<const Node*> nodes;
  std::size_t next = 0;
};

/// A node's children by nibble while it is rebuilt. Absent slots stay
/// uninitialized: every rewritten internal node passes through here, and
/// sixteen optional references were zero-filled (900 bytes, `rep stos`, seen
/// in the profile) before the present ones were written. A slot is written
/// before it is read (present()).
class ChildSlots {
 public:
  /// Bit n: a child at nibble n.
  std::uint16_t present() const { return present_; }
  bool has(std::uint8_t n) const { return (present_ >> n & 1) != 0; }
  /// The child at `n` (has(n)).
  NodeRef get(std::uint8_t n) const {
    NodeRef r;
    std::memcpy(r.hash.bytes.data(), hashes_.data() + 32 * n, 32);
    r.version = versions_[n];
    r.leaf = (leaf_ >> n & 1) != 0;
    return r;
  }
  std::optional<NodeRef> at(std::uint8_t n) const {
    return has(n) ? std::optional<NodeRef>(get(n)) : std::nullopt;
  }
  void set(std::uint8_t n, const Hash& hash, Version version, bool leaf) {
    std::memcpy(hashes_.data() + 32 * n, hash.bytes.data(), 32);
    versions_[n] = version;
    const auto bit = static_cast<std::uint16_t>(1u << n);
    present_ = static_cast<std::uint16_t>(present_ | bit);
    leaf_ = static_cast<std::uint16_t>(leaf ? leaf_ | bit : leaf_ & ~bit);
  }
  void set(std::uint8_t n, const std::optional<NodeRef>& r) {
    if (r)
      set(n, r->hash, r->version, r->leaf);
    else
      present_ = static_cast<std::uint16_t>(present_ & ~(1u << n));
  }

 private:
  static_assert(sizeof(Hash) == 32);
  std::uint16_t present_ = 0;
  std::uint16_t leaf_ = 0;
  std::array<std::uint8_t, 32 * limits::kRadix> hashes_;  // written before read
  std::array<Version, limits::kRadix> versions_;          // written before read
};

/// Nodes per store read in preload(): enough to overlap their misses.
constexpr std::size_t kPreloadChunk = 128;
/// Most updates below a subtree that preload() reads as one region (the
/// largest subtree under at most this many). The walk comes back to the
/// nodes preload() read; with a whole 10k-key batch preloaded at once that
/// is megabytes, evicted by the time the walk reads them (each of those
/// reads then waits on memory alone). A region stays in the L2 cache; the
/// regions of a batch of evenly spread keys hold 16 to 256 updates (about
/// 40 for 10k keys over 1M), and their deeper levels give each store read
/// tens of nodes to overlap. 64 and 1024 measured no better.
constexpr std::size_t kRegionUpdates = 256;

/// One version's update: walks the base tree along the updated keys,
/// rebuilding the touched paths bottom-up. Nodes it writes are keyed by
/// (version, path); nodes it replaces are recorded stale. Above the regions
/// (subtrees under at most kRegionUpdates updates) the walk reads each node
/// as it comes to it; a region is read first by preload(), a level at a
/// time, exactly the nodes the walk will need in it.
class Updater {
 public:
  Updater(const TreeReader& reader, Version version, std::size_t updates)
      : reader_(reader), version_(version), pool_(reader.node_pool()) {
    written_.reserve(4 * updates + 8);  // about the nodes a path rewrites per key
    if (!pool_) {
      own_pool_ = NodePool::make();
      pool_ = own_pool_.get();
    }
  }

  /// Reads every node that update(`path`, `root`, `ups`) will read, a level
  /// at a time and `kPreloadChunk` nodes per store call, so the store can
  /// overlap their cache misses where update() alone would wait on one node
  /// at a time. The nodes are borrowed (TreeReader::nodes()) until the next
  /// region replaces this one.
  void preload(const NibblePath& path, const NodeRef& root, std::span<const KeyUpdate> ups) {
    struct Visit {
      std::size_t first = 0, last = 0;  // the updates below the node
      bool leaf = false;
    };
    region_depth_ = path.size();
    for (Level& l : levels_) {
      l.keys.clear();
      l.nodes.clear();
      l.next = 0;
    }
    std::vector<NodePtr>& hold = region_hold_;
    hold.clear();
    std::vector<NodeKey>& keys = scratch_keys_;
    std::vector<NodeKey>& next_keys = scratch_next_keys_;
    std::vector<Visit> visits{Visit{0, ups.size(), root.leaf}}, next_visits;
    keys.assign(1, NodeKey{root.version, path});
    for (std::size_t depth = path.size(), at = 0; !keys.empty(); ++depth, ++at) {
      if (at == levels_.size()) levels_.emplace_back();
      Level& level = levels_[at];
      level.nodes.resize(keys.size());
      next_keys.clear();
      next_visits.clear();
      for (std::size_t c = 0; c < keys.size(); c += kPreloadChunk) {
        const std::size_t count = std::min(kPreloadChunk, keys.size() - c);
        reader_.nodes(std::span(keys).subspan(c, count), std::span(level.nodes).subspan(c, count),
                      hold);
        for (std::size_t k = c; k < c + count; ++k) {
          const auto* in = level.nodes[k] ? std::get_if<InternalNode>(level.nodes[k]) : nullptr;
          // Leaves and missing nodes end the descent; a node of another kind
          // than its parent says, or an internal node where a key hash has no
          // nibble left (a corrupt store), fails in update().
          if (!in || visits[k].leaf || depth >= limits::kMaxDepth) continue;
          // The same descent as update_internal(): one child per run of
          // updates sharing a nibble, where the node has that child.
          for (std::size_t i = visits[k].first, j; i < visits[k].last; i = j) {
            std::uint8_t nib = nibble_at(ups[i].key_hash, depth);
            for (j = i + 1; j < visits[k].last && nibble_at(ups[j].key_hash, depth) == nib; ++j) {
            }
            auto child = in->child(nib);
            if (!child) continue;
            next_keys.push_back(NodeKey{child->version, keys[k].path.child(nib)});
            next_visits.push_back(Visit{i, j, child->leaf});
          }
        }
      }
      level.keys.swap(keys);
      keys.swap(next_keys);
      next_keys.clear();
      visits.swap(next_visits);
    }
  }

  /// The subtree at `path` after applying `ups` (all starting with `path`)
  /// to `existing`; nullopt when it ends up empty.
  std::optional<NodeRef> update(const NibblePath& path, const std::optional<NodeRef>& existing,
                                std::span<const KeyUpdate> ups) {
    if (ups.empty()) return existing;
    if (!existing) return build_from_inserts(path, ups);
    if (!in_region_ && ups.size() <= kRegionUpdates) {
      preload(path, *existing, ups);
      in_region_ = true;
      auto out = update_node(path, *existing, ups);
      in_region_ = false;
      return out;
    }
    return update_node(path, *existing, ups);
  }

  bool failed() const { return failed_; }

 private:
  /// update() of an existing node: read from the region preload() read, or
  /// (above the regions) from the store.
  std::optional<NodeRef> update_node(const NibblePath& path, const NodeRef& existing,
                                     std::span<const KeyUpdate> ups) {
    const NodeKey key{existing.version, path};
    if (!in_region_) {
      NodePtr stored = reader_.node(key);
      return update_stored(path, existing, stored.get(), ups);
    }
    return update_stored(path, existing, take_preloaded(key), ups);
  }

  /// update() of `node`, the stored node `existing` names (nullptr: missing).
  std::optional<NodeRef> update_stored(const NibblePath& path, const NodeRef& existing,
                                       const Node* node, std::span<const KeyUpdate> ups) {
    // Missing, of another kind than its parent says, or internal below the
    // last nibble of a key hash: a corrupt store.
    if (!node || std::holds_alternative<LeafNode>(*node) != existing.leaf ||
        (!existing.leaf && path.size() >= limits::kMaxDepth)) {
      failed_ = true;
      return existing;
    }
    if (const auto* leaf = std::get_if<LeafNode>(node))
      return update_leaf(path, existing, *leaf, ups);
    const auto& in = std::get<InternalNode>(*node);
    return update_internal(path, existing, in.bitmap, in.leaf_bitmap, in.children, ups);
  }

 public:
  TreeUpdateBatch finish(std::optional<NodeRef> root) {
    TreeUpdateBatch out;
    out.version = version_;
    out.root.node = root;
    // Children before parents, in nibble order: a deterministic order.
    out.new_nodes = std::move(written_);
    out.stale_nodes = std::move(stale_);
    out.hashed_nodes = hashed_nodes_;
    out.hashed_bytes = hashed_bytes_;
    return out;
  }

 private:
  std::optional<NodeRef> update_leaf(const NibblePath& path, const NodeRef& ref,
                                     const LeafNode& leaf, std::span<const KeyUpdate> ups) {
    if (ups.size() == 1 && ups[0].key_hash == leaf.key_hash && ups[0].value_hash) {
      // The common case, a new value for the leaf's own key: no merge.
      retire(NodeKey{ref.version, path});
      const Entry entry{leaf.key_hash, *ups[0].value_hash};
      return build(path, std::span(&entry, 1));
    }
    // Merge the leaf into the sorted updates; the leaf loses to an update of its key.
    std::vector<Entry> merged;
    merged.reserve(ups.size() + 1);
    bool leaf_placed = false, changed = false;
    for (const auto& u : ups) {
      if (!leaf_placed && leaf.key_hash < u.key_hash) {
        merged.push_back({leaf.key_hash, leaf.value_hash});
        leaf_placed = true;
      }
      if (u.key_hash == leaf.key_hash) {
        leaf_placed = true;
        changed = true;
        if (u.value_hash) merged.push_back({u.key_hash, *u.value_hash});
        continue;
      }
      if (u.value_hash) {
        merged.push_back({u.key_hash, *u.value_hash});
        changed = true;
      }
    }
    if (!leaf_placed) merged.push_back({leaf.key_hash, leaf.value_hash});
    if (!changed) return ref;  // only deletes of absent keys
    retire(NodeKey{ref.version, path});
    if (merged.empty()) return std::nullopt;
    return build(path, merged);
  }

  std::optional<NodeRef> update_internal(const NibblePath& path, const NodeRef& ref,
                                         std::uint16_t bitmap, std::uint16_t leaf_bitmap,
                                         std::span<const InternalNode::Child> kids,
                                         std::span<const KeyUpdate> ups) {
    const std::size_t depth = path.size();
    ChildSlots children;
    for (std::uint16_t bits = bitmap, idx = 0; bits != 0; bits &= bits - 1, ++idx) {
      auto n = static_cast<std::uint8_t>(std::countr_zero(bits));
      children.set(n, kids[idx].hash, kids[idx].version, (leaf_bitmap >> n & 1) != 0);
    }
    bool changed = false;
    std::size_t i = 0;
    while (i < ups.size()) {
      std::uint8_t nib = nibble_at(ups[i].key_hash, depth);
      std::size_t j = i + 1;
      while (j < ups.size() && nibble_at(ups[j].key_hash, depth) == nib)
        ++j;
      const std::optional<NodeRef> current = children.at(nib);
      auto updated = update(path.child(nib), current, ups.subspan(i, j - i));
      if (updated != current) {
        changed = true;
        children.set(nib, updated);
      }
      i = j;
    }
    if (!changed) return ref;
    retire(NodeKey{ref.version, path});
    return assemble(path, children);
  }

  /// A node at `path` over `children`: nothing, the lone leaf moved up, or
  /// an internal node.
  std::optional<NodeRef> assemble(const NibblePath& path, const ChildSlots& kids) {
    const std::uint16_t present = kids.present();
    if (present == 0) return std::nullopt;
    const auto count = static_cast<std::size_t>(std::popcount(present));
    const auto last = static_cast<std::uint8_t>(std::bit_width(present) - 1);
    if (count == 1 && kids.get(last).leaf) {
      // A lone leaf sits at the shortest unique prefix: move it up here.
      const NodeRef lone = kids.get(last);
      NodeKey from{lone.version, path.child(last)};
      NodePtr leaf;
      if (from.version == version_ && !written_.empty() && written_.back().first == from) {
        // Written by this version a level down, and last: the other children
        // ended empty, and an empty subtree writes nothing. Never stored.
        leaf = std::move(written_.back().second);
        written_.pop_back();
      } else {
        // A stored child of this very version, a missing node, or one of
        // another kind than its parent says: a corrupt store, an error.
        if (from.version < version_) leaf = reader_.node(from);
        if (!leaf || !std::holds_alternative<LeafNode>(*leaf)) {
          failed_ = true;
          return std::nullopt;
        }
        retire(from);
      }
      written_.emplace_back(NodeKey{version_, path}, std::move(leaf));
      return NodeRef{lone.hash, version_, true};
    }
    std::uint16_t bitmap = 0, leaf_bitmap = 0;
    // Raw storage: a zeroed array of 16 children would cost more than filling it.
    alignas(InternalNode::Child) std::array<std::byte, sizeof(InternalNode::Child) * limits::kRadix>
        raw;
    auto* children = reinterpret_cast<InternalNode::Child*>(raw.data());
    std::size_t added = 0;
    for (std::uint16_t bits = present; bits != 0; bits &= bits - 1) {
      auto n = static_cast<std::uint8_t>(std::countr_zero(bits));
      const NodeRef kid = kids.get(n);
      auto bit = static_cast<std::uint16_t>(1u << n);
      bitmap |= bit;
      if (kid.leaf) leaf_bitmap |= bit;
      std::construct_at(children + added++, InternalNode::Child{kid.hash, kid.version});
    }
    std::span<const InternalNode::Child> made(children, count);
    Hash h = internal_hash(bitmap, made);
    count_hash(3 + 32 * count);
    written_.emplace_back(NodeKey{version_, path},
                          make_internal(bitmap, leaf_bitmap, made, *pool_));
    return NodeRef{h, version_, false};
  }

  std::optional<NodeRef> build_from_inserts(const NibblePath& path,
                                            std::span<const KeyUpdate> ups) {
    std::vector<Entry> entries;
    entries.reserve(ups.size());
    for (const auto& u : ups)
      if (u.value_hash) entries.push_back({u.key_hash, *u.value_hash});
    if (entries.empty()) return std::nullopt;
    return build(path, entries);
  }

  /// A fresh subtree at `path` over sorted, distinct `entries` (non-empty).
  NodeRef build(const NibblePath& path, std::span<const Entry> entries) {
    if (entries.size() == 1) {
      NodePtr leaf = make_leaf(entries[0].key_hash, entries[0].value_hash, *pool_);
      Hash h = leaf_hash(entries[0].key_hash, entries[0].value_hash);
      count_hash(65);
      written_.emplace_back(NodeKey{version_, path}, std::move(leaf));
      return NodeRef{h, version_, true};
    }
    const std::size_t depth = path.size();
    HS_ASSERT_MSG(depth < limits::kMaxDepth, "two equal key hashes in one batch");
    ChildSlots kids;
    std::size_t i = 0;
    while (i < entries.size()) {
      std::uint8_t nib = nibble_at(entries[i].key_hash, depth);
      std::size_t j = i + 1;
      while (j < entries.size() && nibble_at(entries[j].key_hash, depth) == nib)
        ++j;
      kids.set(nib, build(path.child(nib), entries.subspan(i, j - i)));
      i = j;
    }
    auto ref = assemble(path, kids);
    HS_ASSERT(ref.has_value());
    return *ref;
  }

  /// The node preload() read for `key`. update() reads each depth's nodes
  /// in path order, the order preload() listed them in.
  const Node* take_preloaded(const NodeKey& key) {
    HS_ASSERT(key.path.size() >= region_depth_ && key.path.size() - region_depth_ < levels_.size());
    Level& level = levels_[key.path.size() - region_depth_];
    HS_ASSERT(level.next < level.keys.size() && level.keys[level.next] == key);
    return level.nodes[level.next++];
  }

  void retire(const NodeKey& key) { stale_.push_back(StaleNode{version_, key}); }
  void count_hash(std::size_t bytes) {
    ++hashed_nodes_;
    hashed_bytes_ += bytes;
  }

  const TreeReader& reader_;
  Version version_;
  NodePool::Owner own_pool_;      // when the reader has no pool
  NodePool* pool_;                // where new nodes go
  std::vector<Level> levels_;     // the region preload() read, by depth below its root
  std::size_t region_depth_ = 0;  // the depth of the region's root
  bool in_region_ = false;        // the walk is inside the region
  std::vector<NodeKey> scratch_keys_, scratch_next_keys_;  // preload()'s, kept for capacity
  std::vector<NodePtr> region_hold_;  // what the reader made for the region (TreeReader::nodes())
  std::vector<std::pair<NodeKey, NodePtr>> written_;  // in post-order
  std::vector<StaleNode> stale_;
  std::size_t hashed_nodes_ = 0;
  std::size_t hashed_bytes_ = 0;
  bool failed_ = false;
};

}  // namespace

std::expected<TreeUpdateBatch, TreeError> apply_updates(const TreeReader& reader,
                                                        std::optional<Version> base,
                                                        Version version,
                                                        std::span<const KeyUpdate> updates) {
  for (std::size_t i = 1; i < updates.size(); ++i)
    if (!(updates[i - 1].key_hash < updates[i].key_hash))
      return std::unexpected(TreeError::kUnsortedUpdates);
  Root base_root;
  if (base) {
    if (version <= *base) return std::unexpected(TreeError::kVersionNotNewer);
    auto r = reader.root_at(*base);
    if (!r) return std::unexpected(TreeError::kUnknownVersion);
    base_root = *r;
  }
  Updater updater(reader, version, updates.size());
  auto root = updater.update(NibblePath{}, base_root.node, updates);
  if (updater.failed()) return std::unexpected(TreeError::kMissingNode);
  return updater.finish(root);
}

void sort_updates(std::vector<KeyUpdate>& updates) {
  std::stable_sort(updates.begin(), updates.end(),
                   [](const KeyUpdate& a, const KeyUpdate& b) { return a.key_hash < b.key_hash; });
  // Keep the last of each run of equal keys.
  std::vector<KeyUpdate> out;
  out.reserve(updates.size());
  for (std::size_t i = 0; i < updates.size(); ++i)
    if (i + 1 == updates.size() || updates[i + 1].key_hash != updates[i].key_hash)
      out.push_back(updates[i]);
  updates = std::move(out);
}

std::expected<ValueWithProof, TreeError> get_with_proof(const TreeReader& reader, Version version,
                                                        const Hash& key_hash) {
  auto root = reader.root_at(version);
  if (!root) return std::unexpected(TreeError::kUnknownVersion);
  ValueWithProof out;
  std::optional<NodeRef> at = root->node;
  NibblePath path;
  while (at) {
    NodePtr node = reader.node(NodeKey{at->version, path});
    if (!node) return std::unexpected(TreeError::kMissingNode);
    if (const auto* leaf = std::get_if<LeafNode>(node.get())) {
      out.proof.leaf = *leaf;
      if (leaf->key_hash == key_hash) out.value_hash = leaf->value_hash;
      break;
    }
    // An internal node below the last nibble of a key hash: a corrupt store.
    if (path.size() >= limits::kMaxDepth) return std::unexpected(TreeError::kMissingNode);
    const auto& in = std::get<InternalNode>(*node);
    std::uint8_t nib = nibble_at(key_hash, path.size());
    ProofLevel level;
    level.bitmap = in.bitmap;
    std::optional<NodeRef> next = in.child(nib);
    for (std::uint8_t n = 0, idx = 0; n < limits::kRadix; ++n) {
      if (!(in.bitmap & (1u << n))) continue;
      if (n != nib) level.siblings.push_back(in.children[idx].hash);
      ++idx;
    }
    out.proof.levels.push_back(std::move(level));
    if (!next) break;
    at = next;
    path = path.child(nib);
  }
  return out;
}

std::expected<Hash, TreeError> root_hash(const TreeReader& reader, Version version) {
  auto root = reader.root_at(version);
  if (!root) return std::unexpected(TreeError::kUnknownVersion);
  return root->hash();
}

}  // namespace hyperscale::jmt
