#pragma once

// Where the tree's nodes live. The tree reads through TreeReader; a store
// takes whole versions (TreeUpdateBatch) and forgets what no retained version
// reaches. This file holds the in-memory store and an overlay that lays
// not-yet-committed versions over a store; the production node puts RocksDB
// behind the same interface.

#include <deque>
#include <map>
#include <optional>
#include <span>
#include <unordered_map>
#include <vector>

#include "jmt/node.h"
#include "jmt/node_table.h"

namespace hyperscale::jmt {

/// The root of one version: the empty tree (no node) or a node stored at
/// NodeKey{node->version, empty path}.
struct Root {
  std::optional<NodeRef> node;
  Hash hash() const { return node ? node->hash : Hash::zero(); }
  friend bool operator==(const Root&, const Root&) = default;
};

/// A node that version `stale_since` replaced: no root of that version or a
/// later one reaches it, so it may be deleted once no earlier root is kept.
struct StaleNode {
  Version stale_since = 0;
  NodeKey key;
  friend bool operator==(const StaleNode&, const StaleNode&) = default;
};

/// Everything one version adds: its root, the nodes it wrote, the nodes it
/// made stale. Produced by apply_updates(); written as one unit.
struct TreeUpdateBatch {
  Version version = 0;
  Root root;
  std::vector<std::pair<NodeKey, NodePtr>> new_nodes;
  std::vector<StaleNode> stale_nodes;
  /// Work done: nodes hashed and bytes fed to BLAKE2b (for benchmarks).
  std::size_t hashed_nodes = 0;
  std::size_t hashed_bytes = 0;
};

class TreeReader {
 public:
  virtual ~TreeReader() = default;
  /// The node stored under `key`, or nullptr.
  virtual NodePtr node(const NodeKey& key) const = 0;
  /// The nodes under `keys`, into `out` (of the same size; nullptr when
  /// absent), borrowed: each stays valid while this reader is not written
  /// or pruned and `hold` lives. A reader that makes nodes as it reads them
  /// (decoding from disk) appends their references to `hold`; one that
  /// stores them hands out its own without touching their reference counts
  /// (an atomic increment and decrement per node read otherwise). The tree
  /// reads a level of a batch at once through this, so a store can overlap
  /// the loads (prefetch, multi-get); the default asks node() one by one.
  virtual void nodes(std::span<const NodeKey> keys, std::span<const Node*> out,
                     std::vector<NodePtr>& hold) const;
  /// The root of `version`, or nullopt when the version was never written or
  /// was pruned.
  virtual std::optional<Root> root_at(Version version) const = 0;
  /// Where apply_updates() allocates the nodes it writes over this reader: a
  /// store's own pool, or nullptr (each update then makes a pool of its own).
  virtual NodePool* node_pool() const { return nullptr; }
};

class TreeStore : public TreeReader {
 public:
  /// Adds one version. Versions must strictly increase (asserted).
  virtual void write(const TreeUpdateBatch& batch) = 0;
  /// write() that may take the batch's nodes instead of sharing them (the
  /// in-memory store then neither reads the nodes nor touches their
  /// reference counts); `batch` is left valid but unspecified. The default
  /// shares them.
  virtual void write(TreeUpdateBatch&& batch) { write(static_cast<const TreeUpdateBatch&>(batch)); }
  /// The newest version written, or nullopt for an empty store.
  virtual std::optional<Version> latest_version() const = 0;
  /// Stale-node records with stale_since ≤ `up_to`, oldest first.
  virtual std::vector<StaleNode> stale_nodes(Version up_to) const = 0;
  /// Keeps the roots of versions ≥ `oldest_kept` and every node they reach;
  /// deletes the rest. Returns the number of nodes deleted.
  virtual std::size_t prune(Version oldest_kept) = 0;
};

/// The whole tree in memory. Not thread-safe.
class InMemoryTreeStore final : public TreeStore {
 public:
  NodePtr node(const NodeKey& key) const override;
  void nodes(std::span<const NodeKey> keys, std::span<const Node*> out,
             std::vector<NodePtr>& hold) const override;
  std::optional<Root> root_at(Version version) const override;
  void write(const TreeUpdateBatch& batch) override;
  void write(TreeUpdateBatch&& batch) override;
  std::optional<Version> latest_version() const override;
  std::vector<StaleNode> stale_nodes(Version up_to) const override;
  std::size_t prune(Version oldest_kept) override;

  NodePool* node_pool() const override { return pool_.get(); }

  std::size_t node_count() const { return nodes_.size(); }
  std::size_t root_count() const { return roots_.size(); }
  std::size_t stale_count() const { return stale_.size(); }

 private:
  /// write()'s body: takes the nodes of a batch passed as an rvalue.
  template <class Batch>
  void add(Batch&& batch);

  NodePool::Owner pool_ = NodePool::make();
  NodeTable nodes_;
  std::map<Version, Root> roots_;
  std::deque<StaleNode> stale_;  // in stale_since order: versions only increase
};

/// A store seen with some not-yet-written versions laid over it (the
/// certified-but-uncommitted blocks of DESIGN §6): a proposer or voter
/// computes a block's state root on top of its ancestors without writing them.
/// Holds a reference to `base`, which must outlive the overlay; a pushed
/// batch's nodes are shared, so the batch itself may go.
class OverlayReader final : public TreeReader {
 public:
  explicit OverlayReader(const TreeReader& base) : base_(&base) {}
  /// Lays `batch` over what is already there (its version must be new).
  void push(const TreeUpdateBatch& batch);

  NodePtr node(const NodeKey& key) const override;
  void nodes(std::span<const NodeKey> keys, std::span<const Node*> out,
             std::vector<NodePtr>& hold) const override;
  std::optional<Root> root_at(Version version) const override;
  NodePool* node_pool() const override { return base_->node_pool(); }

 private:
  const TreeReader* base_;
  std::unordered_map<NodeKey, NodePtr, NodeKeyHasher> nodes_;
  std::map<Version, Root> roots_;
};

}  // namespace hyperscale::jmt
