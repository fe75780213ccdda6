#pragma once

// The voting and timeout rules of DiemBFT v4 / Jolteon with HotStuff-2's
// two-chain commit, in one place (DESIGN §5). Every comparison is written so
// that u64 rounds cannot underflow.

#include <optional>
#include <string_view>

#include "core/actions.h"
#include "types/consensus.h"

namespace hyperscale::bft {

using types::Round;

class SafetyRules {
 public:
  explicit SafetyRules(core::SafetyState state = {}) : state_(std::move(state)) {}

  const core::SafetyState& state() const { return state_; }

  /// Vote for block (round r, justify round qc_round, TC of r - 1 with
  /// max_tc_high_qc_round) only if r > highest_voted_round, r > qc_round, and
  /// r == qc_round + 1, or r == tc_round + 1 and qc_round >= max(tc high QC rounds).
  /// Never reads highest_qc_round.
  static bool safe_to_vote(Round r, Round qc_round, Round highest_voted_round,
                           std::optional<Round> tc_round, Round max_tc_high_qc_round);
  /// Time out round r holding high QC round qc_round only if
  /// qc_round >= highest_qc_round, r + 1 > highest_voted_round, r > qc_round, and
  /// r == qc_round + 1 or r == tc_round + 1.
  static bool safe_to_timeout(Round r, Round qc_round, Round highest_qc_round,
                              Round highest_voted_round, std::optional<Round> tc_round);
  /// Two-chain commit: the certified child is in the next round of its parent.
  static bool commits_parent(Round parent_round, Round certified_child_round) {
    return parent_round < certified_child_round && certified_child_round - parent_round == 1;
  }

  /// Checks the vote rule and, when it holds, raises highest_voted_round to r
  /// and highest_qc_round to qc_round. The caller persists state() before the vote leaves.
  bool try_vote(Round r, Round qc_round, const types::TimeoutCertificate* tc);
  /// Same for a timeout of round r.
  bool try_timeout(Round r, Round qc_round, const types::TimeoutCertificate* tc);
  /// A leader proposes at most once per round, also across restarts.
  bool try_propose(Round r);

  void set_high_qc(const types::QuorumCertificate& qc) { state_.high_qc = qc; }
  void set_high_tc(const types::TimeoutCertificate& tc) { state_.high_tc = tc; }
  /// Records the timeout just signed (its round passed try_timeout).
  void set_last_timeout(const types::Timeout& t) { state_.last_timeout = t; }
  /// Records the proposal just made (its round passed try_propose).
  void set_last_proposal(core::ProposalRef p) { state_.last_proposal = std::move(p); }

  /// Why `s` is not a state a live validator could continue from, or nullopt.
  /// Holds before every persist (asserted) and for every record a restart
  /// reads: highest_qc_round <= high_qc.round (so the timeout rule can pass
  /// again), the voted and proposed rounds at most one above the highest
  /// certificate (votes and proposals need QC(r - 1) or TC(r - 1), processed
  /// before them), and the last timeout no newer than what it was signed with.
  static std::optional<std::string_view> problem(const core::SafetyState& s);

 private:
  core::SafetyState state_;
};

}  // namespace hyperscale::bft
