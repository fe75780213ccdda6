#pragma once

// State locks (DESIGN §6 "Locks and block validity"): from the commit of the
// block that orders a transaction until the commit of its outcome, the
// transaction holds a shared lock on each declared read and an exclusive
// lock on each declared write, on the nodes this shard owns. Two
// transactions conflict when one writes a node the other reads or writes.

#include <map>
#include <vector>

#include "types/hash.h"
#include "types/ids.h"
#include "types/transaction.h"

namespace hyperscale::execution {

/// The nodes of `access` that shard `shard` of `num_shards` owns, as
/// (reads, writes), each sorted.
types::DeclaredAccess local_access(const types::DeclaredAccess& access, types::ShardId shard,
                                   std::uint32_t num_shards);

/// Who holds each locked node. Ordered maps: the table is persisted and
/// compared, never iterated by hash order.
class LockTable {
 public:
  struct Holders {
    std::optional<types::Hash> exclusive;
    std::vector<types::Hash> shared;  // sorted
    friend bool operator==(const Holders&, const Holders&) = default;
  };

  /// True when every write node is unlocked and no read node is locked
  /// exclusively, ignoring locks held by transactions `released` says are
  /// gone (the outcomes of uncommitted ancestors).
  template <class Released>
  bool can_lock(const types::DeclaredAccess& access, Released&& released) const {
    for (const auto& n : access.writes)
      if (const Holders* h = find(n)) {
        if (h->exclusive && !released(*h->exclusive)) return false;
        for (const auto& s : h->shared)
          if (!released(s)) return false;
      }
    for (const auto& n : access.reads)
      if (const Holders* h = find(n))
        if (h->exclusive && !released(*h->exclusive)) return false;
    return true;
  }
  bool can_lock(const types::DeclaredAccess& access) const {
    return can_lock(access, [](const types::Hash&) { return false; });
  }

  /// Locks `access` for `tx`; the caller checked can_lock (asserted).
  void lock(const types::Hash& tx, const types::DeclaredAccess& access);
  /// Releases what lock(tx, access) took (asserted held).
  void unlock(const types::Hash& tx, const types::DeclaredAccess& access);

  const Holders* find(const types::NodeId& node) const {
    auto it = nodes_.find(node);
    return it == nodes_.end() ? nullptr : &it->second;
  }
  std::size_t locked_nodes() const { return nodes_.size(); }
  const std::map<types::NodeId, Holders>& nodes() const { return nodes_; }
  friend bool operator==(const LockTable&, const LockTable&) = default;

 private:
  std::map<types::NodeId, Holders> nodes_;
};

}  // namespace hyperscale::execution
