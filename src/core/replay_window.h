#pragma once

// The transactions a chain ordered during the last validity window (DESIGN §6
// "Replay"). A transaction's validity window is at most
// limits::kMaxTxValidityWindowMs long and it was ordered inside it, so once
// the committed chain's consensus time is more than that past its block, the
// transaction can never be valid again and leaves the set: the window and the
// validity check together reject every replay, with memory bounded by one
// window of throughput.
//
// Derived from the chain only (bft adds each committed block); the mempool
// reads it to drop gossip of transactions already committed.

#include <algorithm>
#include <cstdint>
#include <deque>
#include <utility>

#include "types/hash_set.h"
#include "types/ids.h"
#include "types/limits.h"

namespace hyperscale::core {

class ReplayWindow {
 public:
  explicit ReplayWindow(std::uint64_t span_ms = types::limits::kMaxTxValidityWindowMs)
      : span_ms_(span_ms) {}

  bool contains(const types::Hash& tx_hash) const { return set_.contains(tx_hash); }
  void prefetch(const types::Hash& tx_hash) const { set_.prefetch(tx_hash); }
  std::size_t size() const { return set_.size(); }
  /// Consensus time of the newest block added (0 before any).
  types::TimestampMs latest_ms() const { return latest_ms_; }

  /// Moves consensus time to a newly committed block's timestamp. Blocks
  /// arrive in chain order, so time never goes back (an older stamp is
  /// ignored: entries are then kept longer, never shorter).
  void advance(types::TimestampMs block_ms) { latest_ms_ = std::max(latest_ms_, block_ms); }

  /// Adds a transaction of the block last passed to advance().
  void add(const types::Hash& tx_hash) {
    if (set_.insert(tx_hash)) order_.emplace_back(latest_ms_, tx_hash);
  }

  /// Forgets transactions committed more than one window before `latest_ms_`.
  void prune() {
    while (!order_.empty() && order_.front().first + span_ms_ < latest_ms_) {
      set_.erase(order_.front().second);
      order_.pop_front();
    }
  }

 private:
  std::uint64_t span_ms_;
  types::TimestampMs latest_ms_ = 0;
  types::HashSet set_;
  std::deque<std::pair<types::TimestampMs, types::Hash>> order_;  // oldest first
};

}  // namespace hyperscale::core
