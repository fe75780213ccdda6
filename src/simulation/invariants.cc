#include "simulation/invariants.h"

namespace hyperscale::simulation {

void InvariantChecker::violate(const std::string& name, std::string what) {
  auto& slot = results_[name];
  if (!slot) slot = std::move(what);
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

void InvariantChecker::check_liveness(types::TimestampMs now, std::uint32_t num_shards) {
  if (!liveness_ || now < liveness_->heal_ms + liveness_->deadline_ms) return;
  for (types::ShardId s = 0; s < num_shards; ++s) {
    auto it = last_commit_.find(s);
    if (it == last_commit_.end() || it->second < liveness_->heal_ms)
      violate("liveness", "shard " + std::to_string(s) + " committed nothing within " +
                              std::to_string(liveness_->deadline_ms) +
                              " ms after faults stopped at " + std::to_string(liveness_->heal_ms) +
                              " ms");
  }
}

}  // namespace hyperscale::simulation
