#pragma once

#include <functional>
#include <vector>

#include "types/transaction.h"

namespace hyperscale::core {

/// What consensus needs from the mempool: transactions by hash (to assemble
/// proposed blocks) and the ready set (to propose). Implemented by
/// mempool::MempoolState; block validity never depends on it.
class MempoolView {
 public:
  virtual ~MempoolView() = default;
  virtual types::TransactionRef find(const types::Hash& tx_hash) const = 0;
  /// Hint: find(tx_hash) follows soon (for batches of lookups).
  virtual void prefetch(const types::Hash&) const {}
  /// Up to `max` ready transactions sorted by hash, valid at consensus time
  /// `timestamp_ms`, skipping those `excluded` names (already ordered, or
  /// waiting for locked nodes: they come back once the nodes unlock).
  virtual std::vector<types::TransactionRef> ready_for_proposal(
      std::size_t max, types::TimestampMs timestamp_ms,
      const std::function<bool(const types::Transaction&)>& excluded) const = 0;
  virtual bool has_ready() const = 0;
};

}  // namespace hyperscale::core
