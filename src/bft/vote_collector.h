#pragma once

// A leader's votes for one block: verified voters are counted; unverified
// votes wait until they could complete a quorum, then go to verification in
// one job. A voter is marked seen only after its signature verified, so a
// forged vote in its name cannot block the real one.

#include <map>
#include <optional>
#include <set>
#include <vector>

#include "core/jobs.h"
#include "types/topology.h"

namespace hyperscale::bft {

class VoteCollector {
 public:
  /// Keeps the vote unless its voter is already verified or has sent too many
  /// unverified ones (bound per voter, against floods).
  void add_unverified(const types::BlockVote& vote);
  /// Moves verified votes in; returns true when newly seen voters were added.
  void add_verified(std::vector<core::Verified<types::BlockVote>> votes);
  void forget_unverified_from(types::ValidatorId voter, const types::BlsSignature& sig);
  /// Removes and returns the voter's unverified votes (to check for equivocation).
  std::vector<types::BlockVote> take_unverified_from(types::ValidatorId voter);

  /// A job when verified + unverified power could reach a quorum and no job is in flight.
  std::optional<core::VerifyVotesJob> take_job(const types::Committee& committee);
  void job_finished() { in_flight_ = false; }
  bool done() const { return qc_formed_; }
  types::Round round() const { return round_; }
  void mark_done() { qc_formed_ = true; }

 private:
  static constexpr std::size_t kMaxUnverifiedPerVoter = 2;
  std::map<types::ValidatorId, core::Verified<types::BlockVote>> verified_;
  std::vector<types::BlockVote> unverified_;
  bool in_flight_ = false;
  bool qc_formed_ = false;
  types::Round round_ = 0;
};

}  // namespace hyperscale::bft
