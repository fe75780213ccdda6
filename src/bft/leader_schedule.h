#pragma once

// Who leads a round (DESIGN §5 "Leader"), after DiemBFT v4's LeaderReputation
// but for every round. The leader of round r is a function of one block B,
// so that everyone who holds B names the same leader:
//   * X = the newest block that the QCs inside B's chain commit by the
//     two-chain rule (B's own justify and older ones); the reputation anchor
//     A = X while fewer than W = limits::kReputationWindow blocks are
//     committed, then X's ancestor at the last multiple of W;
//   * the *active* validators are the signers of the QCs of the committed
//     blocks up to A (the last W of them, or all while fewer), minus the
//     leaders of failed rounds: the f = ⌊(n - 1)/3⌋ most recent that B's
//     chain skips (above A, then in the window), and the f most recent of
//     the rounds after B before r (which B names the same way); minus the
//     proposers of the last E = min(⌊n/3⌋, window) window blocks (fewer if
//     none would remain);
//   * the leader is the active validator with the lowest hash(shard, r, A,
//     validator) / power (a rendezvous draw, so more power leads more often);
//   * before anything is committed, or when nobody is active,
//     committee[r mod n].
// Silent validators and those whose signatures fail never sign QCs and never
// lead; a validator whose rounds fail rests while its failure is recent.
// Safety never depends on the choice.
//
// Where this departs from DESIGN §5, and why (each measured in the
// simulator's fault sweep):
//   * reputation starts with the first commit instead of after W blocks:
//     one silent validator of 4 cost two failed rounds per rotation for
//     about 40 s before;
//   * failures count up to B and after it, not only up to X: a failure
//     counts from the very next block;
//   * the anchor moves every W blocks and the draw is a rendezvous: a
//     validator that withholds the QC it forms as leader of r + 1 (named by
//     the block of round r) is then also the leader the chain names for r + 1
//     after the TC of r, so its own round fails and it is blamed; with a
//     per-block anchor a different, honest leader took round r + 1, the
//     honest leader of round r took the blame, and the withholder (a QC
//     thief, or a pair of twins) kept failing every other round;
//   * at most f validators are blamed for the chain's failed rounds, and f
//     for the rounds since B, so honest validators blamed for another's
//     fault never leave only faulty ones to lead.
//
// Each block's LeaderRecord (its anchor X, the signers of X's QC, the leaders
// of the rounds skipped just before it) is derived once from its parent's.
// Records of committed blocks are persisted with them (CommitBlock) and
// reloaded on restart.

#include <deque>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "core/actions.h"
#include "types/topology.h"

namespace hyperscale::bft {

class LeaderSchedule {
 public:
  /// `history`: records of the last committed blocks, oldest first, ending
  /// with the committed tip's (at least the tip's).
  LeaderSchedule(types::Committee committee, std::vector<core::LeaderRecord> history);

  /// The leader of round `r` named by block `b`; nullopt when this node has
  /// no record of `b` (it does not hold the block).
  std::optional<types::ValidatorId> leader(types::Round r, const types::Hash& b) const;
  /// Derives the record of `block` from its parent's; false when the parent
  /// has no record yet (call again once it has). Idempotent.
  bool add(const types::Block& block);
  const core::LeaderRecord* record(const types::Hash& b) const;
  /// `hash` committed: its record joins the persisted history (bounded);
  /// records of blocks that can no longer commit are dropped with `keep`.
  void committed(const types::Hash& hash);
  /// Drops uncommitted records for which `keep` is false (pruned forks).
  /// Walks the uncommitted records only: it runs on every commit, and the
  /// committed ones (kCommittedRecordsKept) made it a tenth of a 16-validator
  /// simulation.
  template <class Keep>
  void retain(Keep&& keep) {
    for (auto it = uncommitted_.begin(); it != uncommitted_.end();) {
      if (keep(*it)) {
        ++it;
        continue;
      }
      records_.erase(*it);
      sequences_.erase(*it);
      it = uncommitted_.erase(it);
    }
  }
  /// The round-robin rule (before there is history, or nobody is active).
  types::ValidatorId round_robin(types::Round r) const;
  std::size_t size() const { return records_.size(); }

  /// Committed records kept: the window reaches below the committed tip by
  /// the blocks a single commit can take, and W more.
  static constexpr std::size_t kCommittedRecordsKept = 256;
  /// Rounds after a block for which it names leaders by reputation (beyond,
  /// round-robin): consecutive failed rounds after one block are that many
  /// round timers, hours at the 30 s cap.
  static constexpr std::uint64_t kMaxSequence = 4096;
  /// Blocks between B and X whose skipped rounds count (uncommitted ones).
  static constexpr std::size_t kMaxChainAboveAnchor = 256;

 private:
  /// The reputation rule for round r named by b, given the leaders b named
  /// for the rounds since it (which failed); nullopt: round-robin.
  std::optional<types::ValidatorId> draw(
      types::Round r, const core::LeaderRecord& b,
      const std::vector<types::ValidatorId>& failed_since_b) const;
  /// Leaders b names for rounds b.round + 1 .. upto (cached).
  const std::vector<types::ValidatorId>& sequence(const core::LeaderRecord& b,
                                                  types::Round upto) const;

  types::Committee committee_;
  std::map<types::Hash, core::LeaderRecord> records_;
  std::deque<types::Hash> committed_order_;  // oldest first
  std::map<types::Hash, bool> committed_set_;
  std::set<types::Hash> uncommitted_;  // records added and not committed
  mutable std::map<types::Hash, std::vector<types::ValidatorId>> sequences_;
};

}  // namespace hyperscale::bft
