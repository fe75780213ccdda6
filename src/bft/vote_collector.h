#pragma once

// A leader's votes for one vote message (block, height, round, parent):
// verified voters are counted; unverified votes wait until they could
// complete a quorum, then go to verification in one job. A voter is counted
// only after its signature verified (DESIGN §12.3), and has at most one vote
// waiting or in a job (limits: one message per voter and round in a job;
// BftState keeps a voter's second message of a round apart, as evidence).

#include <map>
#include <optional>
#include <set>
#include <vector>

#include "core/jobs.h"
#include "types/topology.h"

namespace hyperscale::bft {

class VoteCollector {
 public:
  explicit VoteCollector(types::Round round) : round_(round) {}

  /// Keeps the vote unless its voter is verified, waiting or in a job.
  void add_unverified(const types::BlockVote& vote);
  /// The job in flight finished: its valid votes count, its voters are free.
  void job_finished(std::vector<core::Verified<types::BlockVote>> valid);

  /// A job when verified + waiting power could reach a quorum and no job is in flight.
  std::optional<core::VerifyVotesJob> take_job(const types::Committee& committee);
  bool done() const { return qc_formed_; }
  types::Round round() const { return round_; }
  void mark_done() { qc_formed_ = true; }
  std::size_t size() const { return verified_.size() + waiting_.size() + in_job_.size(); }

 private:
  types::Round round_;
  std::map<types::ValidatorId, core::Verified<types::BlockVote>> verified_;
  std::map<types::ValidatorId, types::BlockVote> waiting_;
  std::set<types::ValidatorId> in_job_;
  bool qc_formed_ = false;
};

}  // namespace hyperscale::bft
