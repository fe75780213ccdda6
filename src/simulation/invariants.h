#pragma once

// Checkers that watch a running simulation and record the first violation of
// each property, with enough detail to debug it from the seed.

#include <map>
#include <optional>
#include <set>
#include <string>

#include "types/block.h"

namespace hyperscale::simulation {

class InvariantChecker {
 public:
  /// Agreement (one block per shard height) and commit-extends-tip (per node).
  void on_commit(types::ValidatorId node, types::ShardId shard, const types::Block& block);
  /// No honest validator signs two votes (or two timeouts) for one round,
  /// across restarts too: called for every vote leaving an honest node.
  void on_vote_sent(types::ValidatorId node, types::Round round, const types::Hash& block);
  /// A restarted node starts over from its stored tip.
  void on_restart(types::ValidatorId node, types::BlockHeight height, const types::Hash& hash);

  /// Liveness: after faults stop at `heal_ms`, every shard must commit within
  /// `deadline_ms`. Holds as soon as every shard has committed after heal_ms;
  /// broken if the deadline passes first (checked by check_liveness).
  void expect_liveness(types::TimestampMs heal_ms, std::uint64_t deadline_ms,
                       std::uint32_t num_shards);
  void check_liveness(types::TimestampMs now);
  void note_commit_time(types::ShardId shard, types::TimestampMs now);
  /// The run ended at `now`: a liveness expectation neither met nor broken
  /// by then is reported as not checked (never silently "ok").
  void finish(types::TimestampMs now);

  bool ok() const;
  /// Some invariant broke: the runner stops at once.
  bool broken() const { return broken_; }
  /// Invariant name -> nullopt when it held, or the first violation.
  const std::map<std::string, std::optional<std::string>>& results() const { return results_; }
  /// Invariant name -> why it could not be decided in this run.
  const std::map<std::string, std::string>& unchecked() const { return unchecked_; }

 private:
  void violate(const std::string& name, std::string what);

  struct Liveness {
    types::TimestampMs heal_ms;
    std::uint64_t deadline_ms;
    std::uint32_t num_shards;
    std::set<types::ShardId> committed_since_heal;
    bool decided = false;
  };
  std::map<std::pair<types::ShardId, types::BlockHeight>, types::Hash> committed_;
  std::map<types::ValidatorId, std::pair<types::BlockHeight, types::Hash>> tips_;
  std::map<std::pair<types::ValidatorId, types::Round>, types::Hash> votes_;
  std::optional<Liveness> liveness_;
  std::map<std::string, std::string> unchecked_;
  bool broken_ = false;
  std::map<std::string, std::optional<std::string>> results_ = {
      {"agreement", std::nullopt},
      {"commit_extends_tip", std::nullopt},
      {"no_double_vote", std::nullopt},
      {"liveness", std::nullopt},
  };
};

}  // namespace hyperscale::simulation
