#include "simulation/invariants.h"

namespace hyperscale::simulation {

void InvariantChecker::violate(const std::string& name, std::string what) {
  auto& slot = results_[name];
  if (!slot) slot = std::move(what);
  broken_ = true;
}

bool InvariantChecker::ok() const {
  for (const auto& [name, v] : results_)
    if (v) return false;
  return true;
}

void InvariantChecker::on_commit(types::ValidatorId node, types::ShardId shard,
                                 const types::Block& block) {
  const auto& h = block.header();
  auto [it, fresh] = committed_.emplace(std::make_pair(shard, h.height), block.hash());
  if (!fresh && it->second != block.hash())
    violate("agreement", "shard " + std::to_string(shard) + " height " + std::to_string(h.height) +
                             ": validator " + std::to_string(node) + " committed " +
                             block.hash().hex().substr(0, 16) + " but another committed " +
                             it->second.hex().substr(0, 16));
  auto tip = tips_.find(node);
  if (tip != tips_.end() &&
      (h.height != tip->second.first + 1 || h.parent_hash != tip->second.second))
    violate("commit_extends_tip", "validator " + std::to_string(node) + " committed height " +
                                      std::to_string(h.height) + " on top of height " +
                                      std::to_string(tip->second.first));
  tips_[node] = {h.height, block.hash()};
}

void InvariantChecker::on_restart(types::ValidatorId node, types::BlockHeight height,
                                  const types::Hash& hash) {
  tips_[node] = {height, hash};
}

void InvariantChecker::on_vote_sent(types::ValidatorId node, types::Round round,
                                    const types::Hash& block) {
  auto [it, fresh] = votes_.emplace(std::make_pair(node, round), block);
  if (!fresh && it->second != block)
    violate("no_double_vote", "validator " + std::to_string(node) +
                                  " voted for two blocks in round " + std::to_string(round));
}

void InvariantChecker::expect_liveness(types::TimestampMs heal_ms, std::uint64_t deadline_ms,
                                       std::uint32_t num_shards) {
  liveness_ = Liveness{heal_ms, deadline_ms, num_shards, {}, false};
  unchecked_.erase("liveness");
}

void InvariantChecker::note_commit_time(types::ShardId shard, types::TimestampMs now) {
  check_liveness(now);  // a commit after the deadline is too late
  if (!liveness_ || liveness_->decided || now < liveness_->heal_ms) return;
  liveness_->committed_since_heal.insert(shard);
  if (liveness_->committed_since_heal.size() == liveness_->num_shards) liveness_->decided = true;
}

void InvariantChecker::check_liveness(types::TimestampMs now) {
  if (!liveness_ || liveness_->decided || now <= liveness_->heal_ms + liveness_->deadline_ms)
    return;
  liveness_->decided = true;
  for (types::ShardId s = 0; s < liveness_->num_shards; ++s)
    if (!liveness_->committed_since_heal.contains(s)) {
      violate("liveness", "shard " + std::to_string(s) + " committed nothing within " +
                              std::to_string(liveness_->deadline_ms) +
                              " ms after faults stopped at " + std::to_string(liveness_->heal_ms) +
                              " ms");
      return;
    }
}

void InvariantChecker::finish(types::TimestampMs now) {
  check_liveness(now);
  if (!liveness_) {
    unchecked_["liveness"] = "not checked: no expectation was set";
  } else if (!liveness_->decided) {
    unchecked_["liveness"] =
        "not checked: the run ended " + std::to_string(now - std::min(now, liveness_->heal_ms)) +
        " ms after the faults stopped, before every shard committed and before the deadline of " +
        std::to_string(liveness_->deadline_ms) + " ms; run longer";
  }
}

}  // namespace hyperscale::simulation
