#include "bft/safety_rules.h"

#include <algorithm>

namespace hyperscale::bft {

bool SafetyRules::safe_to_vote(Round r, Round qc_round, Round highest_voted_round,
                               std::optional<Round> tc_round, Round max_tc_high_qc_round) {
  if (r <= highest_voted_round || r <= qc_round) return false;
  if (r - qc_round == 1) return true;
  return tc_round && *tc_round < r && r - *tc_round == 1 && qc_round >= max_tc_high_qc_round;
}

bool SafetyRules::safe_to_timeout(Round r, Round qc_round, Round highest_qc_round,
                                  Round highest_voted_round, std::optional<Round> tc_round) {
  if (qc_round < highest_qc_round) return false;
  if (r < highest_voted_round) return false;  // r + 1 > highest_voted_round, without overflow
  if (r <= qc_round) return false;
  if (r - qc_round == 1) return true;
  return tc_round && *tc_round < r && r - *tc_round == 1;
}

bool SafetyRules::try_vote(Round r, Round qc_round, const types::TimeoutCertificate* tc) {
  std::optional<Round> tc_round;
  Round max_tc = 0;
  if (tc) {
    tc_round = tc->round;
    max_tc = tc->max_high_qc_round();
  }
  if (!safe_to_vote(r, qc_round, state_.highest_voted_round, tc_round, max_tc)) return false;
  state_.highest_voted_round = r;
  state_.highest_qc_round = std::max(state_.highest_qc_round, qc_round);
  return true;
}

bool SafetyRules::try_timeout(Round r, Round qc_round, const types::TimeoutCertificate* tc) {
  std::optional<Round> tc_round;
  if (tc) tc_round = tc->round;
  if (!safe_to_timeout(r, qc_round, state_.highest_qc_round, state_.highest_voted_round, tc_round))
    return false;
  state_.highest_voted_round = std::max(state_.highest_voted_round, r);
  state_.highest_qc_round = std::max(state_.highest_qc_round, qc_round);
  return true;
}

std::optional<std::string_view> SafetyRules::problem(const core::SafetyState& s) {
  if (s.highest_qc_round > s.high_qc.round) return "highest_qc_round above the high QC's round";
  Round top = s.high_qc.round;
  if (s.high_tc) {
    if (s.high_tc->high_qc.round > s.high_qc.round) return "high TC carries a QC above the high QC";
    top = std::max(top, s.high_tc->round);
  }
  if (s.highest_voted_round > top + 1) return "voted above the round its certificates allow";
  if (s.highest_proposed_round > top + 1) return "proposed above the round its certificates allow";
  if (s.last_proposal && s.last_proposal->header.round != s.highest_proposed_round)
    return "last proposal is not of highest_proposed_round";
  if (s.last_timeout) {
    if (s.last_timeout->round > s.highest_voted_round)
      return "last timeout above highest_voted_round";
    if (s.last_timeout->high_qc.round > s.high_qc.round)
      return "last timeout's QC above the high QC";
  }
  return std::nullopt;
}

bool SafetyRules::try_propose(Round r) {
  if (r <= state_.highest_proposed_round) return false;
  state_.highest_proposed_round = r;
  return true;
}

}  // namespace hyperscale::bft
