#include "bft/leader_schedule.h"

#include <algorithm>
#include <set>

#include "bft/limits.h"
#include "types/assert.h"
#include "types/hash.h"

namespace hyperscale::bft {

namespace {
// 64 x 64-bit products compared exactly (a rendezvous score times a power).
__extension__ typedef unsigned __int128 U128;
}  // namespace

LeaderSchedule::LeaderSchedule(types::Committee committee, std::vector<core::LeaderRecord> history)
    : committee_(std::move(committee)) {
  HS_ASSERT(committee_.size() > 0 && !history.empty());
  for (auto& r : history) {
    auto hash = r.hash;
    records_.insert_or_assign(hash, std::move(r));
    committed(hash);
  }
}

const core::LeaderRecord* LeaderSchedule::record(const types::Hash& b) const {
  auto it = records_.find(b);
  return it == records_.end() ? nullptr : &it->second;
}

types::ValidatorId LeaderSchedule::round_robin(types::Round r) const {
  return committee_.at(static_cast<std::uint32_t>(r % committee_.size())).id;
}

std::optional<types::ValidatorId> LeaderSchedule::leader(types::Round r,
                                                         const types::Hash& b) const {
  const auto* rec = record(b);
  if (!rec) return std::nullopt;
  if (r <= rec->round) return round_robin(r);  // not a round that B can name
  const auto& seq = sequence(*rec, r);
  auto index = r - rec->round - 1;
  return index < seq.size() ? seq[index] : round_robin(r);
}

const std::vector<types::ValidatorId>& LeaderSchedule::sequence(const core::LeaderRecord& b,
                                                                types::Round upto) const {
  // The leaders B names for rounds B.round + 1, B.round + 2, ...: each one
  // blames the failed rounds before it (all but the last round of the
  // sequence failed, or B would not still be the block of the highest QC).
  auto& seq = sequences_[b.hash];
  auto want = std::min<std::uint64_t>(upto - b.round, kMaxSequence);
  while (seq.size() < want) {
    types::Round k = b.round + 1 + seq.size();
    seq.push_back(draw(k, b, seq).value_or(round_robin(k)));
  }
  return seq;
}

std::optional<types::ValidatorId> LeaderSchedule::draw(
    types::Round r, const core::LeaderRecord& b,
    const std::vector<types::ValidatorId>& failed_since_b) const {
  if (!b.anchor || b.anchor_height == 0) return std::nullopt;
  // The reputation anchor A: X itself while fewer than W blocks are
  // committed, then the ancestor of X at the last multiple of W, so that
  // consecutive blocks name the same leaders (see the header). A node
  // without that much history (it cannot happen within
  // kCommittedRecordsKept of its tip) falls back to the round-robin rule.
  constexpr std::uint64_t w = limits::kReputationWindow;
  const auto* a = record(*b.anchor);
  if (!a) return std::nullopt;
  auto aligned = b.anchor_height < w ? b.anchor_height : b.anchor_height / w * w;
  while (a->height > aligned) {
    a = record(a->parent);
    if (!a) return std::nullopt;
  }
  // The window: A and its ancestors above genesis, at most W, newest first,
  // with the block above each (it holds the QC that certifies it).
  std::vector<const core::LeaderRecord*> window;
  window.reserve(w);
  window.push_back(a);
  while (window.size() < std::min<std::uint64_t>(w, a->height)) {
    const auto* p = record(window.back()->parent);
    if (!p) return std::nullopt;
    window.push_back(p);
  }
  // B's chain from B down to (not including) A.
  std::vector<const core::LeaderRecord*> above;
  for (const auto* rec = &b; rec == nullptr || rec->hash != a->hash; rec = record(rec->parent)) {
    if (!rec || above.size() >= kMaxChainAboveAnchor) return std::nullopt;
    above.push_back(rec);
  }
  if (above.empty()) return std::nullopt;  // B is A: no QC for A inside B's chain
  auto n = committee_.size();
  std::vector<bool> active(n, false);
  auto add_signers = [&](const types::SignerBitfield& s) {
    for (std::uint32_t i = 0; i < n && i < s.size(); ++i)
      if (s.test(i)) active[i] = true;
  };
  // QC(A) is the justify of A's child on B's chain; QC(A_i) below A is
  // A_{i-1}'s justify.
  add_signers(above.back()->justify_signers);
  for (std::size_t i = 1; i < window.size(); ++i)
    add_signers(window[i - 1]->justify_signers);

  // Leaders of failed rounds rest: the rounds B's chain skips (above A,
  // then in the window) and, apart, the rounds after B before r; the f most
  // recent of each. A round also fails when the next leader withholds the
  // QC it formed and a TC forms before the timeout votes certify the block
  // (BftState::timeout_messages), which blames the honest leader of the
  // round, so more than f blamed of one kind means some are honest. Blaming the rounds after B
  // on top of the chain's keeps the leader named for r + 1 after a TC of r
  // the one the block of r named (the draw below is a rendezvous).
  auto f = (n - 1) / 3;
  std::vector<bool> blamed(n, false);
  auto blame_newest = [&](auto first, auto last) {
    std::uint32_t count = 0;
    for (auto it = first; it != last && count < f; ++it)
      if (auto i = committee_.index_of(*it); i && !blamed[*i]) {
        blamed[*i] = true;
        ++count;
      }
  };
  std::vector<types::ValidatorId> chain_failures;
  for (const auto* rec : above)
    chain_failures.insert(chain_failures.end(), rec->skipped_leaders.begin(),
                          rec->skipped_leaders.end());
  for (const auto* rec : window)
    chain_failures.insert(chain_failures.end(), rec->skipped_leaders.begin(),
                          rec->skipped_leaders.end());
  blame_newest(chain_failures.begin(), chain_failures.end());
  std::vector<bool> chain_blamed = blamed;
  std::fill(blamed.begin(), blamed.end(), false);
  blame_newest(failed_since_b.rbegin(), failed_since_b.rend());
  for (std::uint32_t i = 0; i < n; ++i)
    blamed[i] = blamed[i] || chain_blamed[i];
  for (std::uint32_t i = 0; i < n; ++i)
    if (blamed[i]) active[i] = false;

  // The proposers of the last E window blocks rest, unless nobody would remain.
  auto any = [](const std::vector<bool>& set) {
    return std::find(set.begin(), set.end(), true) != set.end();
  };
  if (!any(active)) return std::nullopt;
  auto e = std::min<std::size_t>(n / 3, window.size());
  for (; e > 0; --e) {
    auto candidates = active;
    for (std::size_t i = 0; i < e; ++i)
      if (auto idx = committee_.index_of(window[i]->proposer)) candidates[*idx] = false;
    if (any(candidates)) {
      active = std::move(candidates);
      break;
    }
  }
  // Rendezvous draw: each candidate's score is a hash of (shard, round, A,
  // validator) divided by its power; the lowest wins. Leaving a validator
  // out never changes the winner unless it was the winner.
  std::optional<std::uint32_t> best;
  U128 best_score = 0;
  types::VotingPower best_power = 1;
  for (std::uint32_t i = 0; i < n; ++i) {
    if (!active[i]) continue;
    const auto& m = committee_.at(i);
    auto h = types::Hasher()
                 .update(std::string_view("hyperscale-leader"))
                 .update_u32(committee_.shard())
                 .update_u64(r)
                 .update(a->hash)
                 .update_u32(m.id)
                 .finish();
    std::uint64_t score = 0;
    for (int k = 0; k < 8; ++k)
      score |= static_cast<std::uint64_t>(h.bytes[static_cast<std::size_t>(k)]) << (8 * k);
    // score / power < best_score / best_power, without division.
    auto lhs = static_cast<U128>(score) * best_power;
    auto rhs = best_score * m.power;
    if (!best || lhs < rhs) {
      best = i;
      best_score = score;
      best_power = m.power;
    }
  }
  HS_ASSERT(best);
  return committee_.at(*best).id;
}

bool LeaderSchedule::add(const types::Block& block) {
  const auto& h = block.header();
  if (records_.contains(block.hash())) return true;
  const auto* parent = record(h.parent_hash);
  if (!parent) return false;
  core::LeaderRecord rec;
  rec.hash = block.hash();
  rec.height = h.height;
  rec.round = h.round;
  rec.parent = h.parent_hash;
  rec.parent_round = parent->round;
  rec.proposer = h.proposer;
  rec.justify_signers = h.justify.signers;
  // The block's justify certifies its parent P1; when P1 is in the round
  // after its own parent P2, that QC commits P2 (two-chain). Otherwise the
  // newest commit inside the chain is P1's.
  if (parent->height > 0 && parent->parent_round < parent->round &&
      parent->round - parent->parent_round == 1) {
    rec.anchor = parent->parent;
    rec.anchor_height = parent->height - 1;
    rec.anchor_qc_signers = parent->justify_signers;
  } else {
    rec.anchor = parent->anchor;
    rec.anchor_height = parent->anchor_height;
    rec.anchor_qc_signers = parent->anchor_qc_signers;
  }
  // The rounds between the parent's and this one failed: who the parent
  // named to lead them, newest round first, each once.
  // (The cached sequence may run further than this block's round.)
  if (h.round > parent->round + 1) {
    const auto& seq = sequence(*parent, h.round - 1);
    auto skipped = std::min<std::size_t>(seq.size(), h.round - parent->round - 1);
    std::set<types::ValidatorId> seen;
    for (auto i = skipped; i > 0 && seen.size() < committee_.size(); --i)
      if (seen.insert(seq[i - 1]).second) rec.skipped_leaders.push_back(seq[i - 1]);
  }
  auto hash = rec.hash;
  records_.emplace(hash, std::move(rec));
  uncommitted_.insert(hash);
  return true;
}

void LeaderSchedule::committed(const types::Hash& hash) {
  if (!records_.contains(hash) || committed_set_.contains(hash)) return;
  committed_order_.push_back(hash);
  committed_set_.emplace(hash, true);
  uncommitted_.erase(hash);
  while (committed_order_.size() > kCommittedRecordsKept) {
    records_.erase(committed_order_.front());
    sequences_.erase(committed_order_.front());
    committed_set_.erase(committed_order_.front());
    committed_order_.pop_front();
  }
}

}  // namespace hyperscale::bft
