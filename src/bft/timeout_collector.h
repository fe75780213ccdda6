#pragma once

// Timeouts of one round. Like VoteCollector, a signer counts only once its
// timeout verified, and has at most one timeout waiting or in a job (a
// voter's later, different timeouts for the round are ignored: an honest
// validator signs one per round, so the TC formed carries the QC of the
// highest round among exactly the timeouts it aggregates). A job is started
// when the timeouts at hand could cross the next threshold (join: > 1/3 of
// power; certificate: > 2/3).

#include <map>
#include <optional>
#include <set>
#include <vector>

#include "core/jobs.h"
#include "types/topology.h"

namespace hyperscale::bft {

class TimeoutCollector {
 public:
  /// Keeps the timeout unless its voter is verified, waiting or in a job;
  /// false when it was not kept.
  bool add_unverified(const types::Timeout& timeout);
  /// The job in flight finished: its valid timeouts count, its voters are free.
  void job_finished(std::vector<core::Verified<types::Timeout>> valid);
  std::optional<core::VerifyTimeoutsJob> take_job(const types::Committee& committee);

  types::VotingPower verified_power(const types::Committee& committee) const;
  const std::map<types::ValidatorId, core::Verified<types::Timeout>>& verified() const {
    return verified_;
  }
  bool tc_formed() const { return tc_formed_; }
  void mark_tc_formed() { tc_formed_ = true; }
  std::size_t size() const { return verified_.size() + waiting_.size() + in_job_.size(); }

 private:
  std::map<types::ValidatorId, core::Verified<types::Timeout>> verified_;
  std::map<types::ValidatorId, types::Timeout> waiting_;
  std::set<types::ValidatorId> in_job_;
  bool tc_formed_ = false;
};

}  // namespace hyperscale::bft
