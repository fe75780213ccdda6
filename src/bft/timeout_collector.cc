#include "bft/timeout_collector.h"

#include <set>

namespace hyperscale::bft {

void TimeoutCollector::add_unverified(const types::Timeout& timeout) {
  if (tc_formed_ || verified_.contains(timeout.voter)) return;
  std::size_t from_voter = 0;
  for (const auto& t : unverified_) {
    if (t.voter != timeout.voter) continue;
    if (t == timeout) return;
    ++from_voter;
  }
  if (from_voter >= kMaxUnverifiedPerVoter) return;
  unverified_.push_back(timeout);
}

void TimeoutCollector::add_verified(std::vector<core::Verified<types::Timeout>> timeouts) {
  for (auto& t : timeouts) {
    auto voter = t->voter;
    verified_.emplace(voter, std::move(t));
    std::erase_if(unverified_, [&](const types::Timeout& u) { return u.voter == voter; });
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
  if (in_flight_ || tc_formed_ || unverified_.empty()) return std::nullopt;
  types::VotingPower verified = verified_power(committee);
  types::VotingPower possible = verified;
  std::set<types::ValidatorId> counted;
  for (const auto& [voter, t] : verified_)
    counted.insert(voter);
  for (const auto& u : unverified_) {
    if (!counted.insert(u.voter).second) continue;
    if (auto i = committee.index_of(u.voter)) possible += committee.at(*i).power;
  }
  auto total = committee.total_power();
  bool could_join =
      !types::is_join_threshold(verified, total) && types::is_join_threshold(possible, total);
  bool could_certify = types::is_quorum(possible, total);
  if (!could_join && !could_certify) return std::nullopt;
  core::VerifyTimeoutsJob job;
  job.timeouts = std::move(unverified_);
  unverified_.clear();
  for (const auto& [voter, t] : verified_)
    job.verified.push_back(t);
  in_flight_ = true;
  return job;
}

}  // namespace hyperscale::bft
