#pragma once

// What consensus asks of execution (DESIGN §6), kept to three calls so the
// execution rules stay out of bft: what a proposer may put in a block, what
// a voter must refuse, and the commits in order. Implemented by
// execution::ExecutionState; consensus runs without it (then blocks carry no
// outcomes and keep their parent's state root).

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/actions.h"
#include "types/block.h"

namespace hyperscale::core {

class ExecutionView {
 public:
  virtual ~ExecutionView() = default;

  struct Contents {
    /// The transactions ordered by the block: no conflict with each other or
    /// with a lock held as of the parent, within the in-flight limit, in the
    /// order the mempool offered them.
    std::vector<types::TransactionRef> txs;
    /// Outcomes ready for inclusion, sorted by tx hash.
    std::vector<types::TransactionCertificateRef> certificates;
    types::Hash state_root;
    std::uint64_t state_version = 0;
  };

  /// Whether a candidate must stay out of the block being built.
  using Skip = std::function<bool(const types::Transaction&)>;
  /// The proposer's ready transactions (in the mempool's order), leaving out
  /// those `skip` names: the mempool's ready set, seen through execution.
  using Ready = std::function<std::vector<types::TransactionRef>(const Skip& skip)>;

  /// The execution part of a block proposed at `height` on `ancestors` (the
  /// uncommitted chain above the committed tip, oldest first, ending with the
  /// parent; empty when the parent is the committed tip). Transactions come
  /// from `ready`, asked once with a skip that is stateful: it leaves out
  /// candidates whose nodes are locked as of the parent or by a candidate
  /// already kept, cross-shard ones and retries (later issues), and all once
  /// the in-flight room is used, so a locked transaction takes no slot of the
  /// block and comes back when its nodes unlock (DESIGN §6, §11).
  virtual Contents propose(std::span<const types::BlockRef> ancestors, types::BlockHeight height,
                           const Ready& ready) = 0;

  /// Whether a block on `ancestors` would carry an outcome not yet in them:
  /// content worth proposing for, like ready transactions.
  virtual bool has_outcomes(std::span<const types::BlockRef> ancestors) const = 0;

  /// Why a voter must refuse `block` (on `ancestors`, as above), or nullopt:
  /// lock conflicts, outcomes, and the state root every voter recomputes.
  virtual std::optional<std::string> check(const types::Block& block,
                                           std::span<const types::BlockRef> ancestors) = 0;

  /// `block` committed (called in height order, as consensus commits).
  /// `writes` (empty on entry) receives what execution persists with the
  /// block; it goes into the block's CommitBlock action.
  virtual void committed(const types::BlockRef& block, ExecutionWrites& writes,
                         std::vector<Action>& out) = 0;
};

}  // namespace hyperscale::core
