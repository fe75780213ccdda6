#include "bft/timeout_collector.h"

namespace hyperscale::bft {

bool TimeoutCollector::add_unverified(const types::Timeout& timeout) {
  if (tc_formed_ || verified_.contains(timeout.voter) || in_job_.contains(timeout.voter))
    return false;
  return waiting_.try_emplace(timeout.voter, timeout).second;
}

void TimeoutCollector::job_finished(std::vector<core::Verified<types::Timeout>> valid) {
  in_job_.clear();
  for (auto& t : valid) {
    auto voter = t->voter;
    verified_.emplace(voter, std::move(t));
    waiting_.erase(voter);
  }
}

types::VotingPower TimeoutCollector::verified_power(const types::Committee& committee) const {
  types::VotingPower power = 0;
  for (const auto& [voter, t] : verified_)
    if (auto i = committee.index_of(voter)) power += committee.at(*i).power;
  return power;
}

std::optional<core::VerifyTimeoutsJob> TimeoutCollector::take_job(
    const types::Committee& committee) {
  if (!in_job_.empty() || tc_formed_ || waiting_.empty()) return std::nullopt;
  types::VotingPower verified = verified_power(committee);
  types::VotingPower possible = verified;
  for (const auto& [voter, t] : waiting_)
    if (auto i = committee.index_of(voter)) possible += committee.at(*i).power;
  auto total = committee.total_power();
  bool could_join =
      !types::is_join_threshold(verified, total) && types::is_join_threshold(possible, total);
  bool could_certify = types::is_quorum(possible, total);
  if (!could_join && !could_certify) return std::nullopt;
  core::VerifyTimeoutsJob job;
  for (auto& [voter, t] : waiting_) {
    in_job_.insert(voter);
    job.timeouts.push_back(std::move(t));
  }
  waiting_.clear();
  for (const auto& [voter, t] : verified_)
    job.verified.push_back(t);
  return job;
}

}  // namespace hyperscale::bft
