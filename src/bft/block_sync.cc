#include "bft/block_sync.h"

#include <algorithm>

#include "types/assert.h"

namespace hyperscale::bft {

namespace {
/// Longest wait for a sync answer: requests to a silent or slow peer move on.
constexpr core::DurationMs kMaxSyncRetryMs = 30'000;
}  // namespace

void BlockSync::note_certified(const types::QuorumCertificate& qc,
                               std::optional<types::ValidatorId> source) {
  if (target_ && qc.height <= target_->height) return;
  target_ = Target{qc.height, qc.block_hash, source};
  unhelpful_.clear();
  pause_until_ms_ = 0;
}

types::ValidatorId BlockSync::next_peer(types::TimestampMs now, const types::Committee& committee,
                                        types::ValidatorId self) {
  auto n = committee.size();
  auto busy = [&](types::ValidatorId v) {
    for (const auto& [first, r] : requests_)
      if (r.peer == v) return true;
    return false;
  };
  // Every peer answered without progress: start over after a pause that
  // grows (the blocks may appear later: a peer restarts with them, or the
  // chain moves on), never a storm of requests nobody can answer.
  bool any_left = false;
  for (std::uint32_t i = 0; i < n; ++i) {
    auto v = committee.at(i).id;
    if (v != self && !unhelpful_.contains(v)) any_left = true;
  }
  if (!any_left) {
    unhelpful_.clear();
    pause_until_ms_ = now + retry_ms_;
    retry_ms_ = std::min(kMaxSyncRetryMs, retry_ms_ * 2);
    return self;
  }
  // Prefer a peer without a request in flight; any non-self peer otherwise.
  std::optional<types::ValidatorId> fallback;
  for (std::uint32_t step = 0; step < n; ++step) {
    auto v = committee.at(peer_cursor_++ % n).id;
    if (v == self || unhelpful_.contains(v)) continue;
    if (!busy(v)) return v;
    if (!fallback) fallback = v;
  }
  return fallback.value_or(self);
}

std::optional<core::DurationMs> BlockSync::poll(types::TimestampMs now,
                                                types::BlockHeight committed,
                                                const types::Committee& committee,
                                                types::ValidatorId self,
                                                std::vector<core::Action>& out) {
  // Unanswered requests past their deadline go to another peer, with a
  // longer wait (the links may just be slow).
  for (auto it = requests_.begin(); it != requests_.end();) {
    auto& r = it->second;
    bool below = it->first + r.count <= committed + 1;
    if (!r.answered && (below || now >= r.deadline_ms)) {
      if (!below) {
        ++stats_.retries;
        retry_ms_ = std::min(kMaxSyncRetryMs, retry_ms_ * 2);
        unhelpful_[r.peer] = true;
      }
      it = requests_.erase(it);
    } else {
      ++it;
    }
  }
  if (target_ && target_->height <= committed) target_.reset();
  if (target_) {
    auto top = std::min<types::BlockHeight>(target_->height, committed + limits::kSyncWindow);
    auto h = committed + 1;
    while (h <= top && requests_.size() < limits::kMaxSyncRequestsInFlight &&
           now >= pause_until_ms_) {
      // Skip heights an in-flight request covers.
      auto next = requests_.upper_bound(h);
      if (next != requests_.begin()) {
        auto prev = std::prev(next);
        if (prev->first + prev->second.count > h) {
          h = prev->first + prev->second.count;
          continue;
        }
      }
      auto end = std::min<types::BlockHeight>(top, h + limits::kSyncBatch - 1);
      if (next != requests_.end()) end = std::min(end, next->first - 1);
      types::ValidatorId peer;
      if (target_->source && *target_->source != self && !unhelpful_.contains(*target_->source) &&
          requests_.empty())
        peer = *target_->source;
      else
        peer = next_peer(now, committee, self);
      if (peer == self) break;  // a committee of one: nobody to ask
      auto count = static_cast<std::uint32_t>(end - h + 1);
      out.emplace_back(core::SendMessage{peer, core::SyncRequest{h, count}});
      requests_[h] = Request{peer, count, now, now + retry_ms_, false};
      ++stats_.requests;
      h = end + 1;
    }
  }
  std::optional<core::DurationMs> wake;
  for (const auto& [first, r] : requests_)
    if (!r.answered) {
      auto in = r.deadline_ms > now ? r.deadline_ms - now : 1;
      wake = wake ? std::min(*wake, in) : in;
    }
  if (target_ && pause_until_ms_ > now) {
    auto in = pause_until_ms_ - now;
    wake = wake ? std::min(*wake, in) : in;
  }
  return wake;
}

std::vector<core::CertifiedBlock> BlockSync::accept(types::TimestampMs now, types::ValidatorId from,
                                                    const core::SyncResponse& response,
                                                    types::BlockHeight committed) {
  // The request this answers: asked of `from`, starting at the first height.
  auto match = requests_.end();
  for (auto it = requests_.begin(); it != requests_.end(); ++it) {
    if (it->second.peer != from || it->second.answered) continue;
    if (response.blocks.empty() || !response.blocks.front().block ||
        response.blocks.front().block->header().height == it->first) {
      match = it;
      break;
    }
  }
  if (match == requests_.end()) {
    ++stats_.responses_refused;
    return {};
  }
  auto first = match->first;
  auto& r = match->second;
  std::vector<core::CertifiedBlock> blocks;
  for (const auto& cb : response.blocks) {
    if (blocks.size() >= r.count) break;
    if (!cb.block || cb.block->header().height != first + blocks.size()) break;
    blocks.push_back(cb);
  }
  // Heights committed meanwhile need no check.
  std::erase_if(blocks, [&](const auto& cb) { return cb.block->header().height <= committed; });
  if (blocks.empty()) {
    unhelpful_[from] = true;
    requests_.erase(match);
    ++stats_.responses_refused;
    return {};
  }
  ++stats_.responses_accepted;
  r.answered = true;
  // An answer came: wait about as long as this one took (at least the configured retry).
  auto took = now > r.sent_ms ? now - r.sent_ms : 0;
  retry_ms_ = std::max(base_retry_ms_, std::min(retry_ms_, 4 * took));
  return blocks;
}

void BlockSync::answered(types::ValidatorId from, bool progress) {
  for (auto it = requests_.begin(); it != requests_.end(); ++it)
    if (it->second.peer == from && it->second.answered) {
      requests_.erase(it);
      break;
    }
  if (!progress) unhelpful_[from] = true;
}

}  // namespace hyperscale::bft
