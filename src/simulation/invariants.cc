#include "simulation/invariants.h"

#include <algorithm>
#include <set>

namespace hyperscale::simulation {

namespace {

std::string ms(std::uint64_t v) {
  return std::to_string(v) + " ms";
}

std::string fixed2(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

/// Three decimals: a fraction just under its floor must not print as the floor.
std::string fixed3(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  return buf;
}

}  // namespace

void InvariantChecker::violate(const std::string& name, std::string what) {
  auto& slot = results_[name];
  if (!slot) slot = std::move(what);
  unchecked_.erase(name);
  broken_ = true;
}

void InvariantChecker::enable_execution() {
  for (const char* name : {"state_root", "completed_once", "supply", "balances", "completion",
                           "status_lifecycle", "restored_ledger"})
    results_.emplace(name, std::nullopt);
}

bool InvariantChecker::ok() const {
  for (const auto& [name, v] : results_)
    if (v) return false;
  return true;
}

void InvariantChecker::on_commit(types::ValidatorId node, types::ShardId shard,
                                 const types::Block& block, types::TimestampMs now, bool honest) {
  ++commits_;
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
  instance_shard_[node] = shard;
  if (commits_ % kPruneEvery == 0) forget_held_heights();
  if (!honest) return;
  auto& history = tip_history_[shard];
  if (history.empty() || h.height > history.back().second) {
    history.emplace_back(now, h.height);
    const auto& body = block.body();
    auto& txs = tx_history_[shard];
    std::uint64_t total = txs.empty() ? 0 : txs.back().second;
    total += body.retry_txs.size() + body.priority_txs.size() + body.txs.size();
    txs.emplace_back(now, total);
  }
}

void InvariantChecker::on_restart(types::ValidatorId node, types::BlockHeight height,
                                  const types::Hash& hash, types::TimestampMs now) {
  tips_[node] = {height, hash};
  restarted_ms_[node] = now;
}

void InvariantChecker::forget_held_heights() {
  if (instances_ == 0 || instance_shard_.size() < instances_) return;
  std::map<types::ShardId, types::BlockHeight> lowest;
  for (const auto& [node, shard] : instance_shard_) {
    auto height = tips_.at(node).first;
    auto [it, fresh] = lowest.emplace(shard, height);
    if (!fresh) it->second = std::min(it->second, height);
  }
  for (const auto& [shard, height] : lowest)
    committed_.erase(committed_.lower_bound({shard, 0}), committed_.lower_bound({shard, height}));
}

bool InvariantChecker::in_window(types::ValidatorId node, types::Round round) {
  auto& top = top_round_[node];
  if (round > top) {
    top = round;
    if (top > kDoubleVoteWindowRounds) {
      auto floor = std::make_pair(node, top - kDoubleVoteWindowRounds);
      votes_.erase(votes_.lower_bound({node, 0}), votes_.lower_bound(floor));
      timeouts_.erase(timeouts_.lower_bound({node, 0}), timeouts_.lower_bound(floor));
    }
  }
  return round + kDoubleVoteWindowRounds >= top;
}

void InvariantChecker::on_vote_sent(types::ValidatorId node, types::Round round,
                                    const types::Hash& block) {
  if (!in_window(node, round)) return;
  auto [it, fresh] = votes_.emplace(std::make_pair(node, round), block);
  if (!fresh && it->second != block)
    violate("no_double_vote", "validator " + std::to_string(node) +
                                  " voted for two blocks in round " + std::to_string(round));
}

void InvariantChecker::on_timeout_sent(types::ValidatorId node, types::Round round,
                                       const types::Hash& content) {
  if (!in_window(node, round)) return;
  auto [it, fresh] = timeouts_.emplace(std::make_pair(node, round), content);
  if (!fresh && it->second != content)
    violate("no_double_vote", "validator " + std::to_string(node) +
                                  " signed two different timeouts for round " +
                                  std::to_string(round));
}

namespace {

/// The value of a (time, value) history at time `t`: the last entry at or
/// before `t`, 0 before the first.
std::uint64_t value_at(const std::vector<std::pair<types::TimestampMs, std::uint64_t>>* history,
                       types::TimestampMs t) {
  if (!history) return 0;
  auto after = std::upper_bound(history->begin(), history->end(), t,
                                [](types::TimestampMs v, const auto& e) { return v < e.first; });
  return after == history->begin() ? 0 : std::prev(after)->second;
}

template <class Map>
const typename Map::mapped_type* find_in(const Map& map, types::ShardId shard) {
  auto it = map.find(shard);
  return it == map.end() ? nullptr : &it->second;
}

}  // namespace

types::BlockHeight InvariantChecker::shard_height_at(types::ShardId shard,
                                                     types::TimestampMs t) const {
  return value_at(find_in(tip_history_, shard), t);
}

std::uint64_t InvariantChecker::shard_txs_at(types::ShardId shard, types::TimestampMs t) const {
  return value_at(find_in(tx_history_, shard), t);
}

types::Round InvariantChecker::shard_round_at(types::ShardId shard, types::TimestampMs t) const {
  return value_at(find_in(round_history_, shard), t);
}

void InvariantChecker::expect_liveness(LivenessPolicy policy, std::uint32_t num_shards) {
  liveness_ = Liveness{std::move(policy), num_shards, std::nullopt, std::nullopt};
}

std::optional<types::TimestampMs> InvariantChecker::steady_since() const {
  return liveness_ ? liveness_->steady_ms : std::nullopt;
}

void InvariantChecker::sample(types::TimestampMs now, std::span<const ValidatorView> validators) {
  if (!liveness_ || now < liveness_->policy.heal_ms) return;
  auto& live = *liveness_;
  const auto& p = live.policy;
  auto reference = now >= p.lag_tolerance_ms ? now - p.lag_tolerance_ms : 0;
  // Shards whose first sample with a running honest validator this is.
  std::set<types::ShardId> fresh;
  for (const auto& v : validators)
    if (v.counted && !lowest_at_heal_.contains(v.shard)) fresh.insert(v.shard);
  for (const auto& v : validators) {
    if (!v.counted) continue;
    if (fresh.contains(v.shard)) {
      auto [it, added] = lowest_at_heal_.try_emplace(v.shard, v.committed_height);
      if (!added) it->second = std::min(it->second, v.committed_height);
    }
    auto& rounds = round_history_[v.shard];
    if (rounds.empty() || v.round > rounds.back().second) rounds.emplace_back(now, v.round);
  }
  // Behind: a lower committed height than the shard had a lag tolerance
  // ago, or (taking no part) a lower round than an honest peer was in then.
  const ValidatorView* behind = nullptr;
  types::BlockHeight behind_target = 0;
  const ValidatorView* stale = nullptr;
  types::Round stale_target = 0;
  restarting_behind_.clear();
  for (const auto& v : validators) {
    if (!v.counted) continue;
    auto target = shard_height_at(v.shard, reference);
    auto round_target = shard_round_at(v.shard, reference);
    bool lagging = v.committed_height < target || v.round < round_target;
    // A validator restarted after the faults stopped has the deadline to
    // catch up from its restart.
    if (auto r = restarted_ms_.find(v.id); r != restarted_ms_.end() && r->second > p.heal_ms &&
                                           now <= r->second + p.catch_up_deadline_ms) {
      if (lagging) restarting_behind_.emplace_back(v.id, r->second);
      continue;
    }
    if (v.committed_height < target &&
        (!behind || target - v.committed_height > behind_target - behind->committed_height)) {
      behind = &v;
      behind_target = target;
    }
    if (v.round < round_target && !stale) {
      stale = &v;
      stale_target = round_target;
    }
  }
  bool round_only = !behind && stale;
  auto describe_behind = [&] {
    if (round_only)
      return "validator " + std::to_string(stale->id) + " in round " +
             std::to_string(stale->round) + " while an honest validator of shard " +
             std::to_string(stale->shard) + " was in round " + std::to_string(stale_target) + " " +
             ms(p.lag_tolerance_ms) + " earlier (it takes no part in consensus)";
    return "validator " + std::to_string(behind->id) + " at committed height " +
           std::to_string(behind->committed_height) + " while shard " +
           std::to_string(behind->shard) + " was at " + std::to_string(behind_target) + " " +
           ms(p.lag_tolerance_ms) + " earlier";
  };
  if (round_only) behind = stale;
  // Lagging is allowed until the deadline (recovery may take round timers);
  // from then on every counted validator stays within the tolerance.
  if (!behind) {
    if (!live.caught_up_ms) live.caught_up_ms = now;
  } else if (now > p.heal_ms + p.catch_up_deadline_ms) {
    violate("catch_up", describe_behind() + ", " + ms(now - p.heal_ms) +
                            " after the faults stopped at " + ms(p.heal_ms) + " (deadline " +
                            ms(p.catch_up_deadline_ms) + ")");
    return;
  }
  if (!live.caught_up_ms) return;
  if (!live.steady_ms) {
    // Steady once every shard is warm and has committed since the faults
    // stopped: a shard that lost its quorum restarts with round timers grown
    // during the outage, and that recovery is judged by the commit gap, not
    // by the rate.
    bool warm = true;
    for (types::ShardId s = 0; s < live.num_shards; ++s)
      warm = warm && shard_height_at(s, now) >= p.warmup_height &&
             shard_height_at(s, now) > shard_height_at(s, p.heal_ms);
    if (warm) live.steady_ms = now;
  }
  for (types::ShardId s = 0; s < live.num_shards; ++s) {
    types::TimestampMs last = *live.caught_up_ms;
    if (auto it = tip_history_.find(s); it != tip_history_.end() && !it->second.empty())
      last = std::max(last, it->second.back().first);
    if (now > last + p.max_commit_gap_ms) {
      violate("progress", "shard " + std::to_string(s) + " committed nothing for " +
                              ms(now - last) + " in the steady part (since " +
                              ms(*live.caught_up_ms) + "; limit " + ms(p.max_commit_gap_ms) + ", " +
                              p.floor + ")");
      return;
    }
  }
}

void InvariantChecker::finish(
    types::TimestampMs now,
    const std::function<OfferedLoad(types::TimestampMs, types::TimestampMs)>& load,
    bool interrupted) {
  if (commits_ == 0) {
    for (const char* name : {"agreement", "commit_extends_tip"})
      if (!results_.at(name)) unchecked_[name] = "not checked: nothing was committed";
  }
  if (honest_validators_ == 0) {
    if (!results_.at("no_double_vote"))
      unchecked_["no_double_vote"] = "not checked: no validator is honest";
  } else if (votes_.empty() && timeouts_.empty() && !results_.at("no_double_vote")) {
    unchecked_["no_double_vote"] = "not checked: no honest validator signed a vote or timeout";
  }
  if (interrupted) {
    for (const char* name : {"catch_up", "progress"})
      if (!results_.at(name))
        unchecked_[name] = "not checked: the run was interrupted at " +
                           fixed2(static_cast<double>(now) / 1000.0) + " s, before its end";
    return;
  }
  if (!liveness_) {
    for (const char* name : {"catch_up", "progress"})
      if (!results_.at(name))
        unchecked_[name] = "not checked: the run ended before the faults stopped";
    return;
  }
  const auto& live = *liveness_;
  const auto& p = live.policy;
  // Catching up means reaching a height some validator lacked when the
  // faults stopped: a target (the tip a lag tolerance before the end) that
  // every validator already held then asked nothing of anyone (a chain
  // halted since, or a tolerance reaching back to the start).
  if (!results_.at("catch_up") && !unchecked_.contains("catch_up") && honest_validators_ != 0) {
    auto reference = now - std::min(now, p.lag_tolerance_ms);
    for (types::ShardId s = 0; s < live.num_shards; ++s) {
      auto low = lowest_at_heal_.find(s);
      auto target = shard_height_at(s, reference);
      if (low == lowest_at_heal_.end() || target > low->second) continue;
      bool halted = shard_height_at(s, now) <= shard_height_at(s, p.heal_ms);
      unchecked_["catch_up"] =
          halted ? "not checked: shard " + std::to_string(s) +
                       " committed nothing after the faults stopped at " + ms(p.heal_ms) +
                       " and every validator running then already held its tip (" +
                       std::to_string(target) + "): nothing to catch up to"
                 : "not checked: every validator of shard " + std::to_string(s) +
                       " running when the faults stopped already held height " +
                       std::to_string(target) + ", the tip a lag tolerance (" +
                       ms(p.lag_tolerance_ms) + ") before the end, at " + ms(p.heal_ms) +
                       ": the run asked nothing of them; run longer";
      break;
    }
  }
  if (results_.at("catch_up") || results_.at("progress")) return;
  if (!restarting_behind_.empty() && honest_validators_ != 0) {
    auto [id, at] = restarting_behind_.front();
    unchecked_["catch_up"] = "not checked: validator " + std::to_string(id) + " restarted at " +
                             ms(at) + " and was still catching up when the run ended, before " +
                             "its deadline of " + ms(p.catch_up_deadline_ms) +
                             " after the restart; run longer";
  }
  if (honest_validators_ == 0) {
    unchecked_["catch_up"] = "not checked: no validator is honest";
    unchecked_["progress"] = "not checked: no validator is honest";
    return;
  }
  if (!live.caught_up_ms || !live.steady_ms) {
    auto since = now - std::min(now, p.heal_ms);
    if (!live.caught_up_ms) {
      unchecked_["catch_up"] = "not checked: the run ended " + ms(since) +
                               " after the faults stopped, before every validator caught up "
                               "and before the deadline of " +
                               ms(p.catch_up_deadline_ms) + "; run longer";
      unchecked_["progress"] = "not checked: the steady part (everyone caught up) never began";
    } else {
      std::string why = "had not reached the warm-up height " + std::to_string(p.warmup_height) +
                        " (" + p.floor + ")";
      for (types::ShardId s = 0; s < live.num_shards; ++s)
        if (shard_height_at(s, now) <= shard_height_at(s, p.heal_ms))
          why = "had not committed since the faults stopped at " + ms(p.heal_ms);
      unchecked_["progress"] =
          "not checked: no steady part: a shard " + why + " by the end; run longer";
    }
    return;
  }
  auto start = *live.steady_ms;
  auto length = now - std::min(now, start);
  if (length < std::max(p.min_steady_ms, p.stall_allowance_ms)) {
    unchecked_["progress"] = "not checked: the steady part lasted " + ms(length) + " (from " +
                             ms(start) + "), less than the " +
                             ms(std::max(p.min_steady_ms, p.stall_allowance_ms)) +
                             " needed to judge a rate; run longer";
    return;
  }
  // One stall of up to stall_allowance_ms is allowed anywhere in the steady
  // part: the rate is owed over the rest.
  double seconds = static_cast<double>(length - std::min(length, p.stall_allowance_ms)) / 1000.0;
  // The transactions offered to one shard over the steady part (not refused).
  double offered_per_shard = 0;
  if (load && p.transactions_unjudged.empty()) {
    auto l = load(start, now);
    offered_per_shard = static_cast<double>(l.offered - std::min(l.offered, l.refused)) /
                        static_cast<double>(live.num_shards);
  }
  std::string fuller_blocks;  // why a shard below the block floor is not crawling
  for (types::ShardId s = 0; s < live.num_shards; ++s) {
    auto blocks = shard_height_at(s, now) - shard_height_at(s, start);
    double owed = p.min_blocks_per_s * seconds;
    // A shard that orders all it is offered is not crawling when its blocks
    // are fewer: after faults it drains a backlog in fuller blocks.
    auto ordered = shard_txs_at(s, now) - shard_txs_at(s, start);
    bool carries_its_load =
        offered_per_shard >= 1 && static_cast<double>(ordered) >= offered_per_shard;
    if (static_cast<double>(blocks) < owed && carries_its_load) {
      fuller_blocks += ", except shard " + std::to_string(s) + ": " + std::to_string(blocks) +
                       " blocks, below it, but ordering all " + std::to_string(ordered) +
                       " transactions it was offered (a backlog in fuller blocks)";
    } else if (static_cast<double>(blocks) < owed) {
      violate("progress", "shard " + std::to_string(s) + " committed " + std::to_string(blocks) +
                              " blocks in the steady part of " + ms(length) + " (floor " +
                              fixed2(p.min_blocks_per_s) + "/s over " + ms(length) + " minus " +
                              ms(p.stall_allowance_ms) + ": " + fixed2(owed) + ", " + p.floor +
                              ")");
      return;
    }
  }
  // Transactions offered early enough to commit before the end, even after
  // a stall; a window under a second judges nothing.
  auto tail = p.drain_ms + p.stall_allowance_ms;
  if (!p.transactions_unjudged.empty() && load && load(start, now).offered > 0) {
    unchecked_["progress"] = "blocks held their floor" + fuller_blocks +
                             "; transactions not checked: " + p.transactions_unjudged;
  } else if (now <= start + tail + 1000 && load && load(start, now).offered > 0) {
    unchecked_["progress"] = "blocks held their floor" + fuller_blocks +
                             "; transactions not checked: the steady part (" + ms(length) +
                             ") is not a second longer than the stall allowance and the drain (" +
                             ms(tail) + "); run longer";
  } else if (load) {
    auto l = load(start, now - tail);
    auto judged = l.offered - std::min(l.offered, l.refused);
    // Under an in-flight bound, what the limit lets through is owed, not
    // the whole offered load.
    double owed = static_cast<double>(judged);
    if (p.bounded_tps > 0)
      owed = std::min(owed, p.bounded_tps * static_cast<double>(now - tail - start) / 1000.0);
    if (judged > 0 && owed > 0) {
      double fraction = static_cast<double>(l.committed) / owed;
      if (fraction < p.min_committed_fraction)
        violate("progress",
                "committed " + std::to_string(l.committed) + " of " +
                    (owed < static_cast<double>(judged)
                         ? std::to_string(static_cast<std::uint64_t>(owed)) + " owed (" +
                               p.bounded_why + ") of "
                         : std::string()) +
                    std::to_string(judged) + " transactions offered in the steady part (" +
                    std::to_string(l.refused) + " refused by back-pressure): " + fixed3(fraction) +
                    ", floor " + fixed3(p.min_committed_fraction) + " (" + p.floor + ")");
    }
  }
}

}  // namespace hyperscale::simulation
