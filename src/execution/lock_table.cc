#include "execution/lock_table.h"

#include <algorithm>

#include "types/assert.h"

namespace hyperscale::execution {

types::DeclaredAccess local_access(const types::DeclaredAccess& access, types::ShardId shard,
                                   std::uint32_t num_shards) {
  types::DeclaredAccess out;
  for (const auto& n : access.reads)
    if (types::shard_of(n, num_shards) == shard) out.reads.push_back(n);
  for (const auto& n : access.writes)
    if (types::shard_of(n, num_shards) == shard) out.writes.push_back(n);
  return out;
}

void LockTable::lock(const types::Hash& tx, const types::DeclaredAccess& access) {
  HS_ASSERT_MSG(can_lock(access), "locking a node another transaction holds");
  for (const auto& n : access.writes)
    nodes_[n].exclusive = tx;
  for (const auto& n : access.reads) {
    auto& shared = nodes_[n].shared;
    shared.insert(std::upper_bound(shared.begin(), shared.end(), tx), tx);
  }
}

void LockTable::unlock(const types::Hash& tx, const types::DeclaredAccess& access) {
  for (const auto& n : access.writes) {
    auto it = nodes_.find(n);
    HS_ASSERT(it != nodes_.end() && it->second.exclusive == tx);
    it->second.exclusive.reset();
    if (it->second.shared.empty()) nodes_.erase(it);
  }
  for (const auto& n : access.reads) {
    auto it = nodes_.find(n);
    HS_ASSERT(it != nodes_.end());
    auto& shared = it->second.shared;
    auto pos = std::lower_bound(shared.begin(), shared.end(), tx);
    HS_ASSERT(pos != shared.end() && *pos == tx);
    shared.erase(pos);
    if (shared.empty() && !it->second.exclusive) nodes_.erase(it);
  }
}

}  // namespace hyperscale::execution
