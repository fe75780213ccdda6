#pragma once

// Who leads a round (DESIGN §5 "Leader"), after DiemBFT v4's LeaderReputation
// but for every round. The leader of round r is a function of one block B,
// so that everyone who holds B names the same leader:
//   * X = the newest block that the QCs inside B's chain commit by the
//     two-chain rule (B's own justify and older ones);
//   * if X is above genesis, the leader is drawn by a hash of (shard, r, X's
//     hash), weighted by power, among the *active* validators: signers of
//     the QCs of the committed blocks up to X (the last W =
//     limits::kReputationWindow of them, or all while fewer are committed),
//     minus the proposers of the last E of them (E = min(⌊n/3⌋, window),
//     fewer if none would remain), minus the validators this rule named
//     leader of failed rounds (the f = ⌊(n - 1)/3⌋ most recent): rounds
//     after B before r (B names their leaders the same way), rounds B's
//     chain skips above the window and in the window;
//   * otherwise (nothing committed yet), or when nobody is active,
//     committee[r mod n].
// Two departures from DESIGN §5, both measured: it waits for W committed
// blocks before leaving round-robin, where a window that starts with the
// first commit skips a silent validator from the first seconds instead of
// after W blocks (about 40 s with one silent validator of 4, two failed
// rounds per rotation until then); and it counts skipped rounds only up to
// X, where counting them up to B skips a validator whose rounds fail from
// the very next block (a validator that withholds the QCs it forms made the
// shard fail two rounds in a row again and again until two more rounds
// committed). The blame is capped at f because a round also fails when the
// next leader withholds the QC it formed, which blames the honest leader of
// the round: uncapped, every honest validator ended up blamed and the thief
// led every round.
// Silent validators and those whose signatures fail never sign QCs and never
// lead; a validator whose rounds fail is skipped while its failure is in the
// window. Safety never depends on the choice.
//
// Each block's LeaderRecord (its anchor X, the signers of X's QC, the leaders
// of the rounds skipped just before it) is derived once from its parent's,
// so a leader costs O(W) to name. Records of committed blocks are persisted
// with them (CommitBlock) and reloaded on restart.

#include <deque>
#include <map>
#include <optional>
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
  template <class Keep>
  void retain(Keep&& keep) {
    std::erase_if(records_, [&](const auto& kv) {
      return !committed_set_.contains(kv.first) && !keep(kv.first);
    });
    std::erase_if(sequences_, [&](const auto& kv) { return !records_.contains(kv.first); });
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
  mutable std::map<types::Hash, std::vector<types::ValidatorId>> sequences_;
};

}  // namespace hyperscale::bft
