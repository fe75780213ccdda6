#pragma once

// Timeouts of one round. Like VoteCollector, a signer counts only once its
// timeout verified; a job is started when the timeouts at hand could cross the
// next threshold (join: > 1/3 of power; certificate: > 2/3).

#include <map>
#include <optional>
#include <vector>

#include "core/jobs.h"
#include "types/topology.h"

namespace hyperscale::bft {

class TimeoutCollector {
 public:
  void add_unverified(const types::Timeout& timeout);
  void add_verified(std::vector<core::Verified<types::Timeout>> timeouts);
  std::optional<core::VerifyTimeoutsJob> take_job(const types::Committee& committee);
  void job_finished() { in_flight_ = false; }

  types::VotingPower verified_power(const types::Committee& committee) const;
  const std::map<types::ValidatorId, core::Verified<types::Timeout>>& verified() const {
    return verified_;
  }
  bool tc_formed() const { return tc_formed_; }
  void mark_tc_formed() { tc_formed_ = true; }

 private:
  static constexpr std::size_t kMaxUnverifiedPerVoter = 2;
  std::map<types::ValidatorId, core::Verified<types::Timeout>> verified_;
  std::vector<types::Timeout> unverified_;
  bool in_flight_ = false;
  bool tc_formed_ = false;
};

}  // namespace hyperscale::bft
