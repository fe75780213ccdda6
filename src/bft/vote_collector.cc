#include "bft/vote_collector.h"

#include <algorithm>

namespace hyperscale::bft {

void VoteCollector::add_unverified(const types::BlockVote& vote) {
  if (qc_formed_ || verified_.contains(vote.voter)) return;
  std::size_t from_voter = 0;
  for (const auto& v : unverified_) {
    if (v.voter != vote.voter) continue;
    if (v.signature == vote.signature) return;  // duplicate delivery
    ++from_voter;
  }
  if (from_voter >= kMaxUnverifiedPerVoter) return;
  round_ = vote.round;
  unverified_.push_back(vote);
}

void VoteCollector::add_verified(std::vector<core::Verified<types::BlockVote>> votes) {
  for (auto& v : votes) {
    auto voter = v->voter;
    verified_.emplace(voter, std::move(v));
    std::erase_if(unverified_, [&](const types::BlockVote& u) { return u.voter == voter; });
  }
}

void VoteCollector::forget_unverified_from(types::ValidatorId voter,
                                           const types::BlsSignature& sig) {
  std::erase_if(unverified_,
                [&](const types::BlockVote& u) { return u.voter == voter && u.signature == sig; });
}

std::vector<types::BlockVote> VoteCollector::take_unverified_from(types::ValidatorId voter) {
  std::vector<types::BlockVote> out;
  for (const auto& u : unverified_)
    if (u.voter == voter) out.push_back(u);
  std::erase_if(unverified_, [&](const types::BlockVote& u) { return u.voter == voter; });
  return out;
}

std::optional<core::VerifyVotesJob> VoteCollector::take_job(const types::Committee& committee) {
  if (in_flight_ || qc_formed_ || unverified_.empty()) return std::nullopt;
  types::VotingPower power = 0;
  std::set<types::ValidatorId> counted;
  for (const auto& [voter, v] : verified_) {
    if (auto i = committee.index_of(voter)) power += committee.at(*i).power;
    counted.insert(voter);
  }
  for (const auto& u : unverified_) {
    if (!counted.insert(u.voter).second) continue;
    if (auto i = committee.index_of(u.voter)) power += committee.at(*i).power;
  }
  if (!types::is_quorum(power, committee.total_power())) return std::nullopt;
  core::VerifyVotesJob job;
  job.votes = std::move(unverified_);
  unverified_.clear();
  for (const auto& [voter, v] : verified_)
    job.verified.push_back(v);
  in_flight_ = true;
  return job;
}

}  // namespace hyperscale::bft
