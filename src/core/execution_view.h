#pragma once

// What consensus asks of execution (DESIGN §6), kept to three calls so the
// execution rules stay out of bft: what a proposer may put in a block, what
// a voter must refuse, and the commits in order. Implemented by
// execution::ExecutionState; consensus runs without it (then blocks carry no
// outcomes and keep their parent's state root).

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
    /// The candidates that may be ordered together on top of the ancestors
    /// (no conflict with each other or with a lock held as of the parent,
    /// within the in-flight limit), in the candidates' order.
    std::vector<types::TransactionRef> txs;
    /// Outcomes ready for inclusion, sorted by tx hash.
    std::vector<types::TransactionCertificateRef> certificates;
    types::Hash state_root;
    std::uint64_t state_version = 0;
  };

  /// The execution part of a block proposed at `height` on `ancestors` (the
  /// uncommitted chain above the committed tip, oldest first, ending with the
  /// parent; empty when the parent is the committed tip), choosing among
  /// `candidates` (sorted by hash).
  virtual Contents propose(std::span<const types::BlockRef> ancestors, types::BlockHeight height,
                           std::vector<types::TransactionRef> candidates) = 0;

  /// Whether `tx` touches a node locked as of the committed chain (or cannot
  /// be executed here at all), so propose() would drop it. Meant for the
  /// proposer's pick from its pool; not used by consensus yet: used as that
  /// filter it slowed outcomes under crash-restart and loss (to be understood).
  virtual bool waits_for_locks(const types::Transaction& tx) const = 0;

  /// Why a voter must refuse `block` (on `ancestors`, as above), or nullopt:
  /// lock conflicts, outcomes, and the state root every voter recomputes.
  virtual std::optional<std::string> check(const types::Block& block,
                                           std::span<const types::BlockRef> ancestors) = 0;

  /// `block` committed (called in height order, as consensus commits).
  virtual void committed(const types::BlockRef& block, std::vector<Action>& out) = 0;
};

}  // namespace hyperscale::core
