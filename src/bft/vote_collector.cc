#include "bft/vote_collector.h"

namespace hyperscale::bft {

void VoteCollector::add_unverified(const types::BlockVote& vote) {
  if (qc_formed_ || verified_.contains(vote.voter) || in_job_.contains(vote.voter)) return;
  waiting_.try_emplace(vote.voter, vote);
}

void VoteCollector::job_finished(std::vector<core::Verified<types::BlockVote>> valid) {
  in_job_.clear();
  for (auto& v : valid) {
    auto voter = v->voter;
    verified_.emplace(voter, std::move(v));
    waiting_.erase(voter);
  }
}

std::optional<core::VerifyVotesJob> VoteCollector::take_job(const types::Committee& committee) {
  if (!in_job_.empty() || qc_formed_ || waiting_.empty()) return std::nullopt;
  types::VotingPower power = 0;
  for (const auto& [voter, v] : verified_)
    if (auto i = committee.index_of(voter)) power += committee.at(*i).power;
  for (const auto& [voter, v] : waiting_)
    if (auto i = committee.index_of(voter)) power += committee.at(*i).power;
  if (!types::is_quorum(power, committee.total_power())) return std::nullopt;
  core::VerifyVotesJob job;
  for (auto& [voter, v] : waiting_) {
    in_job_.insert(voter);
    job.votes.push_back(std::move(v));
  }
  waiting_.clear();
  for (const auto& [voter, v] : verified_)
    job.verified.push_back(v);
  return job;
}

}  // namespace hyperscale::bft
