#include "bft/bft_state.h"

#include <algorithm>

#include "crypto/signing.h"
#include "types/assert.h"
#include "types/limits.h"

namespace hyperscale::bft {

using types::Hash;
using types::Round;
using types::TimestampMs;

namespace {

template <class T>
void append(std::vector<Action>& out, T&& action) {
  out.emplace_back(std::forward<T>(action));
}

/// The hash of the i-th transaction of a proposal, in body order.
const Hash& proposal_tx_hash(const core::ProposalMessage& p, std::size_t i) {
  if (i < p.retry_tx_hashes.size()) return p.retry_tx_hashes[i];
  i -= p.retry_tx_hashes.size();
  if (i < p.priority_tx_hashes.size()) return p.priority_tx_hashes[i];
  return p.tx_hashes[i - p.priority_tx_hashes.size()];
}

bool strictly_sorted(const std::vector<Hash>& v) {
  for (std::size_t i = 1; i < v.size(); ++i)
    if (!(v[i - 1] < v[i])) return false;
  return true;
}

}  // namespace

std::optional<std::uint32_t> BftState::PendingBlock::missing_index(const Hash& tx_hash) const {
  std::size_t offset = 0;
  for (const auto* section :
       {&proposal->retry_tx_hashes, &proposal->priority_tx_hashes, &proposal->tx_hashes}) {
    auto it = std::lower_bound(section->begin(), section->end(), tx_hash);
    if (it != section->end() && *it == tx_hash) {
      auto index =
          static_cast<std::uint32_t>(offset + static_cast<std::size_t>(it - section->begin()));
      if (!txs[index]) return index;
      return std::nullopt;
    }
    offset += section->size();
  }
  return std::nullopt;
}

std::vector<Hash> BftState::PendingBlock::missing_sorted() const {
  std::vector<Hash> out;
  out.reserve(missing);
  for (std::size_t i = 0; i < txs.size(); ++i)
    if (!txs[i]) out.push_back(proposal_tx_hash(*proposal, i));
  std::sort(out.begin(), out.end());
  return out;
}

void BftState::PendingBlock::fill(std::uint32_t index, types::TransactionRef tx) {
  HS_ASSERT(!txs[index] && missing > 0);
  txs[index] = std::move(tx);
  --missing;
}

BftState::BftState(BftConfig config, types::Topology topology, types::ValidatorId self,
                   std::shared_ptr<const crypto::Signer> signer, const core::MempoolView* mempool,
                   RecoveredState recovered, core::ReplayWindow& replay)
    : config_(config),
      topology_(std::move(topology)),
      shard_(topology_.shard_of_validator(self).value()),
      self_(self),
      signer_(std::move(signer)),
      mempool_(mempool),
      safety_(recovered.safety),
      tree_(recovered.committed_tip, recovered.tip_qc, config.committed_blocks_kept),
      replay_(replay) {
  HS_ASSERT(signer_ && mempool_);
  // A fresh node's high QC is the genesis QC; a recovered one keeps the
  // highest it persisted (which may certify a block above its committed tip).
  if (safety_.state().high_qc.round <= recovered.tip_qc.round &&
      safety_.state().high_qc.height <= recovered.tip_qc.height)
    safety_.set_high_qc(recovered.tip_qc);
  Round high_tc_round = safety_.state().high_tc ? safety_.state().high_tc->round : 0;
  current_round_ = std::max(safety_.state().high_qc.round, high_tc_round) + 1;
  if (safety_.state().high_tc && safety_.state().high_tc->round + 1 == current_round_)
    last_round_tc_ = safety_.state().high_tc;
  // Oldest first, so each entry keeps its own block's time (storage may list
  // them newest first).
  auto recent = std::move(recovered.recent_committed_txs);
  std::stable_sort(recent.begin(), recent.end(),
                   [](const auto& a, const auto& b) { return a.second < b.second; });
  for (const auto& [tx, ts] : recent) {
    replay_.advance(ts);
    replay_.add(tx);
  }
  replay_.advance(recovered.committed_tip->header().timestamp_ms);
  replay_.prune();
}

types::ValidatorId BftState::leader_of(Round r) const {
  const auto& c = committee();
  return c.at(static_cast<std::uint32_t>(r % c.size())).id;
}

types::TransactionRef BftState::find_transaction_in_tree(const Hash& tx_hash) const {
  for (const auto& b : tree_.all_blocks())
    for (const auto* section : {&b->body().retry_txs, &b->body().priority_txs, &b->body().txs})
      for (const auto& tx : *section)
        if (tx->hash() == tx_hash) return tx;
  return nullptr;
}

std::vector<Action> BftState::start(TimestampMs now) {
  std::vector<Action> out;
  append(out, core::SetTimer{core::TimerId::kProposalTick, config_.proposal_tick_ms});
  append(out, core::SetTimer{core::TimerId::kRoundTimeout, round_timeout_ms()});
  append(out, core::SetTimer{core::TimerId::kCleanup, config_.cleanup_interval_ms});
  const auto& high_qc = safety_.state().high_qc;
  if (!tree_.contains(high_qc.block_hash) && high_qc.height > tree_.committed_height())
    request_sync(now, std::nullopt, high_qc.height, out);
  maybe_propose(now, false, out);
  return out;
}

core::DurationMs BftState::round_timeout_ms() const {
  core::DurationMs t =
      config_.round_timeout_base_ms + config_.round_timeout_step_ms * rounds_without_commit_;
  return std::min(t, config_.round_timeout_max_ms);
}

// --- inputs ----------------------------------------------------------------------------

std::vector<Action> BftState::on_proposal(TimestampMs, types::ValidatorId from,
                                          const core::ProposalRef& proposal) {
  std::vector<Action> out;
  const auto& h = proposal->header;
  if (h.shard != shard_ || from != h.proposer || leader_of(h.round) != h.proposer ||
      !proposal->certificate_hashes.empty()) {
    ++stats_.invalid_messages;
    return out;
  }
  if (h.height <= tree_.committed_height()) return out;
  // Too old to be voted on; if it was certified, sync brings it with its QC.
  if (h.round + 2 < current_round_) return out;
  if (h.round > current_round_ + config_.max_pending_rounds_ahead) return out;
  if (equivocators_.contains({h.round, h.proposer})) return out;
  Hash hash = h.compute_hash();
  if (tree_.contains(hash) || pending_.contains(hash) || proposals_in_flight_.contains(hash))
    return out;
  proposals_in_flight_.insert(hash);
  append(out, core::StartJob{core::VerifyProposalJob{from, proposal}});
  return out;
}

std::vector<Action> BftState::on_vote(TimestampMs, types::ValidatorId from,
                                      const types::BlockVote& vote) {
  std::vector<Action> out;
  if (vote.shard != shard_ || from != vote.voter || !is_member(vote.voter)) {
    ++stats_.invalid_messages;
    return out;
  }
  // Votes for round r go to leader(r + 1); older rounds than the high QC are useless.
  if (leader_of(vote.round + 1) != self_ || vote.round < safety_.state().high_qc.round) return out;
  if (vote.round > current_round_ + config_.max_pending_rounds_ahead) return out;
  if (vote.height <= tree_.committed_height()) return out;
  if (equivocators_.contains({vote.round, vote.voter})) return out;
  Hash key = core::vote_key(vote);
  // A second vote message from a voter already verified in this round: check
  // that vote alone, for evidence (it will never join a quorum).
  if (auto seen = seen_votes_.find({vote.round, vote.voter});
      seen != seen_votes_.end() && seen->second != key) {
    if (evidence_checked_.insert({vote.round, vote.voter}).second)
      append(out, core::StartJob{core::VerifyVotesJob{{vote}, {}, true}});
    return out;
  }
  auto& collector = votes_[key];
  if (collector.done()) return out;
  collector.add_unverified(vote);
  start_vote_job(key, out);
  return out;
}

std::vector<Action> BftState::on_timeout(TimestampMs, types::ValidatorId from,
                                         const types::Timeout& timeout) {
  std::vector<Action> out;
  if (timeout.shard != shard_ || from != timeout.voter || !is_member(timeout.voter)) {
    ++stats_.invalid_messages;
    return out;
  }
  if (timeout.round > current_round_ + config_.max_pending_rounds_ahead) return out;
  if (timeout.round < current_round_) {
    // The sender is behind, still timing out a round we left: hand it the TC
    // that moved us on (once per sender and round), so no one is stranded by
    // a lost certificate.
    const auto& high_tc = safety_.state().high_tc;
    if (high_tc && high_tc->round >= timeout.round &&
        tc_replies_.insert({timeout.round, timeout.voter}).second)
      append(out, core::SendMessage{timeout.voter, core::TimeoutCertificateMessage{*high_tc}});
    return out;
  }
  // A carried TC for our round or later moves us on by itself, even when the
  // timeouts at hand are too few to be checked as a group.
  if (timeout.last_round_tc && timeout.last_round_tc->round >= current_round_ &&
      tcs_checked_.insert(timeout.last_round_tc->round).second)
    append(out, core::StartJob{core::VerifyTimeoutCertificateJob{from, *timeout.last_round_tc}});
  timeouts_[timeout.round].add_unverified(timeout);
  start_timeout_job(timeout.round, out);
  return out;
}

std::vector<Action> BftState::on_timeout_certificate(TimestampMs, types::ValidatorId from,
                                                     const types::TimeoutCertificate& tc) {
  std::vector<Action> out;
  if (tc.shard != shard_) {
    ++stats_.invalid_messages;
    return out;
  }
  if (tc.round + 1 <= current_round_ || !tcs_checked_.insert(tc.round).second) return out;
  append(out, core::StartJob{core::VerifyTimeoutCertificateJob{from, tc}});
  return out;
}

std::vector<Action> BftState::on_fetch_response(TimestampMs, types::ValidatorId,
                                                const core::TransactionFetchResponse& response) {
  std::vector<Action> out;
  auto it = pending_.find(response.block_hash);
  if (it == pending_.end()) return out;
  core::VerifyTransactionsJob job{core::TxOrigin::kFetch, response.block_hash, {}};
  for (const auto& tx : response.txs)
    if (tx && it->second.missing_index(tx->hash())) job.txs.push_back(tx);
  if (!job.txs.empty()) append(out, core::StartJob{std::move(job)});
  return out;
}

std::vector<Action> BftState::on_block_fetch_response(TimestampMs, types::ValidatorId from,
                                                      const core::BlockFetchResponse& response) {
  std::vector<Action> out;
  if (!response.block) return out;
  const Hash& hash = response.block->hash();
  auto fetch = block_fetches_.find(hash);
  if (fetch == block_fetches_.end() || tree_.contains(hash)) return out;
  // Only from a peer that was asked, and one verification at a time (a failed
  // one is retried by run_fetches after fetch_retry_ms).
  if (!fetch->second.asked.contains(from) || fetch->second.verifying) return out;
  const auto* qc = tree_.qc_of(hash);
  if (!qc) return out;
  fetch->second.verifying = true;
  // The same checks as a synced block: QC, header signature, transactions.
  append(out, core::StartJob{core::VerifySyncBlocksJob{from, {{response.block, *qc}}}});
  return out;
}

std::vector<Action> BftState::on_sync_response(TimestampMs, types::ValidatorId from,
                                               const core::SyncResponse& response) {
  std::vector<Action> out;
  core::VerifySyncBlocksJob job{from, {}};
  for (const auto& cb : response.blocks) {
    if (!cb.block || cb.block->header().shard != shard_) {
      ++stats_.invalid_messages;
      return out;
    }
    if (cb.block->header().height <= tree_.committed_height()) continue;
    if (job.blocks.size() >= config_.sync_batch) break;
    job.blocks.push_back(cb);
  }
  if (!job.blocks.empty()) append(out, core::StartJob{std::move(job)});
  return out;
}

std::vector<Action> BftState::on_timer(TimestampMs now, core::TimerId timer) {
  std::vector<Action> out;
  switch (timer) {
    case core::TimerId::kProposalTick:
      append(out, core::SetTimer{core::TimerId::kProposalTick, config_.proposal_tick_ms});
      maybe_propose(now, true, out);
      break;
    case core::TimerId::kRoundTimeout:
      time_out_round(now, out);
      break;
    case core::TimerId::kFetch:
      fetch_timer_set_ = false;
      run_fetches(now, out);
      break;
    case core::TimerId::kSync:
      if (sync_target_ > tree_.committed_height() && now >= sync_deadline_ms_) {
        sync_deadline_ms_ = 0;
        sync_requested_up_to_ = 0;
        request_sync(now, std::nullopt, sync_target_, out);
      }
      break;
    case core::TimerId::kCleanup:
      append(out, core::SetTimer{core::TimerId::kCleanup, config_.cleanup_interval_ms});
      prune_rounds();
      break;
    case core::TimerId::kTxBatch:
      break;  // the mempool's
  }
  return out;
}

std::vector<Action> BftState::on_job(TimestampMs now, const core::JobResult& result) {
  std::vector<Action> out;
  struct Visitor {
    BftState& self;
    TimestampMs now;
    std::vector<Action>& out;
    void operator()(const core::ProposalVerified& r) {
      Hash hash = r.proposal->header.compute_hash();
      self.proposals_in_flight_.erase(hash);
      if (!r.result) {
        ++self.stats_.invalid_messages;
        return;
      }
      self.handle_verified_proposal(now, r.from, *r.result, out);
    }
    void operator()(const core::VotesVerified& r) { self.handle_votes_verified(now, r, out); }
    void operator()(const core::TimeoutsVerified& r) { self.handle_timeouts_verified(now, r, out); }
    void operator()(const core::TimeoutCertificateVerified& r) {
      if (!r.result) {
        ++self.stats_.invalid_messages;
        self.tcs_checked_.erase(r.round);  // a forged TC must not shut out the real one
        return;
      }
      if (r.high_qc) self.process_qc(now, *r.high_qc, r.from, out);
      self.process_tc(now, *r.result, out);
    }
    void operator()(const core::TransactionsVerified& r) {
      if (r.origin == core::TxOrigin::kFetch) self.handle_fetched_transactions(now, r, out);
    }
    void operator()(const core::SyncBlocksVerified& r) { self.handle_sync_verified(now, r, out); }
  };
  std::visit(Visitor{*this, now, out}, result);
  return out;
}

std::vector<Action> BftState::on_transactions_available(TimestampMs now,
                                                        const std::vector<Hash>& tx_hashes) {
  std::vector<Action> out;
  std::vector<Hash> ready;
  for (const auto& [hash, pb] : pending_)
    for (const auto& arrived : tx_hashes)
      if (pb.missing_index(arrived)) {
        ready.push_back(hash);
        break;
      }
  for (const auto& hash : ready)
    try_assemble(now, hash, out);
  maybe_propose(now, false, out);
  return out;
}

// --- verified inputs --------------------------------------------------------------------

void BftState::handle_verified_proposal(TimestampMs now, types::ValidatorId from,
                                        core::VerifiedProposal vp, std::vector<Action>& out) {
  const auto& h = vp.proposal->header;
  Hash hash = h.compute_hash();
  auto [it, fresh] = seen_proposals_.emplace(std::make_pair(h.round, h.proposer), hash);
  if (!fresh && it->second != hash) {
    record_equivocation(h.proposer, h.round, it->second, hash, true, out);
    return;
  }
  process_qc(now, vp.justify, from, out);
  if (vp.tc_high_qc) process_qc(now, *vp.tc_high_qc, from, out);
  if (vp.tc) process_tc(now, *vp.tc, out);
  if (tree_.contains(hash) || pending_.contains(hash) || h.height <= tree_.committed_height())
    return;

  const auto& p = *vp.proposal;
  if (!strictly_sorted(p.retry_tx_hashes) || !strictly_sorted(p.priority_tx_hashes) ||
      !strictly_sorted(p.tx_hashes) || p.tx_count() > config_.max_txs_per_block) {
    ++stats_.invalid_messages;
    return;
  }
  PendingBlock pb{vp.header, vp.proposal, h.proposer, {}, {}, now, now + config_.tx_fetch_delay_ms,
                  0};
  // Each list is strictly sorted; one transaction in two lists is invalid too.
  std::vector<Hash> all;
  all.reserve(p.tx_count());
  for (const auto* section : {&p.retry_tx_hashes, &p.priority_tx_hashes, &p.tx_hashes})
    all.insert(all.end(), section->begin(), section->end());
  std::sort(all.begin(), all.end());
  if (std::adjacent_find(all.begin(), all.end()) != all.end()) {
    ++stats_.invalid_messages;
    return;
  }
  pb.txs.resize(p.tx_count());
  pb.missing = pb.txs.size();
  pending_.emplace(hash, std::move(pb));
  try_assemble(now, hash, out);
  if (pending_.contains(hash)) schedule_fetch(now, out);
}

void BftState::handle_votes_verified(TimestampMs now, core::VotesVerified result,
                                     std::vector<Action>& out) {
  stats_.invalid_messages += result.invalid.size();
  std::vector<Verified<types::BlockVote>> accepted;
  for (auto& v : result.valid) {
    auto who = std::make_pair(v->round, v->voter);
    auto [it, fresh] = seen_votes_.emplace(who, result.key);
    if (!fresh && it->second != result.key) {
      record_equivocation(v->voter, v->round, it->second, result.key, false, out);
      continue;
    }
    if (equivocators_.contains(who) || result.evidence) continue;
    if (fresh) {
      // Votes from this voter for other messages of the round, still
      // unverified, are equivocation candidates: check them now.
      for (auto& [other_key, other] : votes_) {
        if (other_key == result.key || other.round() != v->round) continue;
        auto suspects = other.take_unverified_from(v->voter);
        if (!suspects.empty() && evidence_checked_.insert(who).second)
          append(out, core::StartJob{core::VerifyVotesJob{std::move(suspects), {}, true}});
      }
    }
    accepted.push_back(std::move(v));
  }
  if (result.evidence) return;  // no collector had this job in flight
  auto it = votes_.find(result.key);
  if (it != votes_.end()) {
    it->second.job_finished();
    it->second.add_verified(std::move(accepted));
  }
  if (result.qc) {
    if (it != votes_.end()) it->second.mark_done();
    ++stats_.qcs_formed;
    process_qc(now, *result.qc, std::nullopt, out);
  } else if (it != votes_.end()) {
    start_vote_job(result.key, out);
  }
}

void BftState::handle_timeouts_verified(TimestampMs now, core::TimeoutsVerified result,
                                        std::vector<Action>& out) {
  stats_.invalid_messages += result.invalid.size();
  Round round = result.round;
  auto it = timeouts_.find(round);
  if (it != timeouts_.end()) {
    it->second.job_finished();
    it->second.add_verified(std::move(result.valid));
  }
  for (const auto& qc : result.high_qcs)
    process_qc(now, qc, std::nullopt, out);
  for (const auto& tc : result.tcs)
    process_tc(now, tc, out);
  it = timeouts_.find(round);  // processing certificates may have pruned it
  if (result.tc && (it == timeouts_.end() || !it->second.tc_formed())) {
    if (it != timeouts_.end()) it->second.mark_tc_formed();
    ++stats_.tcs_formed;
    process_tc(now, *result.tc, out);
  }
  it = timeouts_.find(round);
  if (it == timeouts_.end()) return;
  // Join: timeouts from more than 1/3 of the power mean at least one honest
  // validator gave up on this round.
  if (round == current_round_ && !timed_out_current_round_ &&
      types::is_join_threshold(it->second.verified_power(committee()), committee().total_power()))
    time_out_round(now, out);
  start_timeout_job(round, out);
}

void BftState::handle_fetched_transactions(TimestampMs now, const core::TransactionsVerified& r,
                                           std::vector<Action>& out) {
  stats_.invalid_messages += r.invalid.size();
  auto it = pending_.find(r.block_hash);
  if (it == pending_.end()) return;
  for (const auto& tx : r.valid)
    if (auto index = it->second.missing_index(tx->hash())) it->second.fill(*index, tx);
  try_assemble(now, r.block_hash, out);
}

void BftState::handle_sync_verified(TimestampMs now, core::SyncBlocksVerified result,
                                    std::vector<Action>& out) {
  if (!result.complete) ++stats_.invalid_messages;
  auto committed_before = tree_.committed_height();
  std::size_t known_before = tree_.size();
  for (const auto& vb : result.blocks) {
    insert_block(now, vb.block, out);
    process_qc(now, vb.justify, result.from, out);
    process_qc(now, vb.qc, result.from, out);
  }
  // Ask again at once only when this answer made progress; otherwise the sync
  // timer retries with another peer (no request storm while a certified tip
  // waits for its child).
  bool progress = tree_.committed_height() > committed_before || tree_.size() > known_before;
  if (progress && sync_target_ > tree_.committed_height()) {
    sync_deadline_ms_ = 0;
    sync_requested_up_to_ = 0;
    request_sync(now, result.from, sync_target_, out);
  }
}

// --- certificates and rounds ---------------------------------------------------------------

void BftState::process_qc(TimestampMs now, const Verified<types::QuorumCertificate>& qc,
                          std::optional<types::ValidatorId> source, std::vector<Action>& out) {
  if (qc->shard != shard_) return;
  if (qc->round > safety_.state().high_qc.round) safety_.set_high_qc(*qc);
  if (qc->height > tree_.committed_height() && !tree_.qc_of(qc->block_hash)) {
    tree_.add_qc(*qc);
    if (auto block = tree_.get(qc->block_hash)) {
      append(out, core::StoreCertifiedBlock{block, *qc});
      try_commit(qc->block_hash, out);
    } else if (tree_.contains(qc->parent_hash) || pending_.contains(qc->block_hash)) {
      request_block(now, *qc, out);  // only this block is missing: no sync needed
    } else {
      request_sync(now, source, qc->height, out);
      request_block(now, *qc, out);
    }
  }
  advance_round(now, qc->round + 1, nullptr, out);
}

void BftState::process_tc(TimestampMs now, const Verified<types::TimeoutCertificate>& tc,
                          std::vector<Action>& out) {
  if (tc->shard != shard_) return;
  if (!safety_.state().high_tc || tc->round > safety_.state().high_tc->round)
    safety_.set_high_tc(*tc);
  if (tc->round + 1 > current_round_) {
    ++stats_.rounds_entered_by_tc;
    advance_round(now, tc->round + 1, &*tc, out);
    // A node entering round r through a TC sends it to leader(r).
    auto leader = leader_of(current_round_);
    if (leader != self_)
      append(out, core::SendMessage{leader, core::TimeoutCertificateMessage{*tc}});
  }
}

void BftState::advance_round(TimestampMs now, Round round, const types::TimeoutCertificate* via_tc,
                             std::vector<Action>& out) {
  if (round <= current_round_) return;
  rounds_without_commit_ = committed_since_round_start_ ? 0 : rounds_without_commit_ + 1;
  current_round_ = round;
  committed_since_round_start_ = false;
  timed_out_current_round_ = false;
  if (via_tc)
    last_round_tc_ = *via_tc;
  else if (!last_round_tc_ || last_round_tc_->round + 1 != round)
    last_round_tc_.reset();
  append(out, core::SetTimer{core::TimerId::kRoundTimeout, round_timeout_ms()});
  prune_rounds();
  maybe_propose(now, false, out);
}

// --- blocks, commit, sync ---------------------------------------------------------------

void BftState::try_assemble(TimestampMs now, const Hash& block_hash, std::vector<Action>& out) {
  auto it = pending_.find(block_hash);
  if (it == pending_.end()) return;
  PendingBlock& pb = it->second;
  const auto& p = *pb.proposal;
  if (pb.missing > 0) {
    for (std::uint32_t i = 0; i < pb.txs.size(); ++i)
      if (!pb.txs[i]) mempool_->prefetch(proposal_tx_hash(p, i));
    for (std::uint32_t i = 0; i < pb.txs.size(); ++i)
      if (!pb.txs[i])
        if (auto tx = mempool_->find(proposal_tx_hash(p, i))) pb.fill(i, std::move(tx));
    if (pb.missing > 0) return;
  }
  types::BlockBody body;
  auto next = pb.txs.begin();
  auto take = [&](std::size_t n, std::vector<types::TransactionRef>& section) {
    section.assign(std::make_move_iterator(next),
                   std::make_move_iterator(next + static_cast<std::ptrdiff_t>(n)));
    next += static_cast<std::ptrdiff_t>(n);
  };
  take(p.retry_tx_hashes.size(), body.retry_txs);
  take(p.priority_tx_hashes.size(), body.priority_txs);
  take(p.tx_hashes.size(), body.txs);
  body.deferrals = p.deferrals;
  body.aborts = p.aborts;
  body.proofs = p.proofs;
  types::BlockHeader header = *pb.header;
  pending_.erase(it);
  // The verification job matched the hash lists to the signed roots, and
  // every slot holds the transaction with its list's hash.
  insert_block(now, types::Block::assemble_prechecked(std::move(header), std::move(body)), out);
}

void BftState::insert_block(TimestampMs now, BlockRef block, std::vector<Action>& out) {
  const Hash& hash = block->hash();
  if (tree_.contains(hash) || block->header().height <= tree_.committed_height()) return;
  tree_.insert(block);
  block_fetches_.erase(hash);
  if (const auto* qc = tree_.qc_of(hash)) {
    append(out, core::StoreCertifiedBlock{block, *qc});
    try_commit(hash, out);
  }
  for (const auto& child : tree_.children(hash)) {
    if (tree_.qc_of(child->hash())) try_commit(child->hash(), out);
    try_vote(now, child, out);  // it waited for this parent
  }
  // A gap deeper than one block may just have closed under the certified tip.
  try_commit(safety_.state().high_qc.block_hash, out);
  try_vote(now, block, out);
  if (hash == safety_.state().high_qc.block_hash) maybe_propose(now, false, out);
}

void BftState::try_commit(const Hash& certified_hash, std::vector<Action>& out) {
  BlockRef child = tree_.get(certified_hash);
  if (!child || !tree_.qc_of(certified_hash)) return;
  BlockRef parent = tree_.get(child->header().parent_hash);
  if (!parent || parent->header().height <= tree_.committed_height()) return;
  if (!SafetyRules::commits_parent(parent->header().round, child->header().round)) return;
  auto chain = tree_.uncommitted_chain(parent->hash());
  if (!chain) return;  // a gap below: sync fills it, then this runs again
  // Each block's certificate is the justify of the next block on the chain.
  std::vector<types::QuorumCertificate> qcs;
  for (std::size_t i = 0; i + 1 < chain->size(); ++i)
    qcs.push_back((*chain)[i + 1]->header().justify);
  qcs.push_back(child->header().justify);
  tree_.commit(*chain);
  for (std::size_t i = 0; i < chain->size(); ++i) {
    const auto& b = (*chain)[i];
    append(out, core::CommitBlock{b, qcs[i]});
    ++stats_.commits;
    replay_.advance(b->header().timestamp_ms);
    for (const auto* section : {&b->body().retry_txs, &b->body().priority_txs, &b->body().txs})
      for (const auto& tx : *section)
        replay_.prefetch(tx->hash());
    for (const auto* section : {&b->body().retry_txs, &b->body().priority_txs, &b->body().txs})
      for (const auto& tx : *section)
        replay_.add(tx->hash());
  }
  committed_since_round_start_ = true;
  rounds_without_commit_ = 0;
  replay_.prune();
  auto committed = tree_.committed_height();
  std::erase_if(pending_, [&](const auto& kv) { return kv.second.header->height <= committed; });
}

void BftState::request_sync(TimestampMs now, std::optional<types::ValidatorId> peer,
                            types::BlockHeight target_height, std::vector<Action>& out) {
  sync_target_ = std::max(sync_target_, target_height);
  auto committed = tree_.committed_height();
  if (sync_target_ <= committed) return;
  if (sync_requested_up_to_ > committed && now < sync_deadline_ms_) return;  // one in flight
  auto count = static_cast<std::uint32_t>(std::min<types::BlockHeight>(
      {sync_target_ - committed, config_.sync_batch, config_.sync_window}));
  types::ValidatorId to;
  if (peer && *peer != self_ && is_member(*peer)) {
    to = *peer;
  } else {
    const auto& c = committee();
    do {
      to = c.at(sync_peer_cursor_++ % c.size()).id;
    } while (to == self_ && c.size() > 1);
  }
  if (to == self_) return;
  append(out, core::SendMessage{to, core::SyncRequest{committed + 1, count}});
  sync_requested_up_to_ = committed + count;
  sync_deadline_ms_ = now + config_.sync_retry_ms;
  append(out, core::SetTimer{core::TimerId::kSync, config_.sync_retry_ms});
  ++stats_.sync_requests;
}

std::vector<Hash> BftState::ancestor_txs(const std::vector<BlockRef>& ancestors) {
  std::vector<Hash> out;
  for (const auto& b : ancestors)
    for (const auto* section : {&b->body().retry_txs, &b->body().priority_txs, &b->body().txs})
      for (const auto& t : *section)
        out.push_back(t->hash());
  std::sort(out.begin(), out.end());
  return out;
}

bool BftState::already_ordered(const Hash& tx, const std::vector<Hash>& ancestor_txs) const {
  return replay_.contains(tx) || std::binary_search(ancestor_txs.begin(), ancestor_txs.end(), tx);
}

std::optional<std::string_view> BftState::block_problem(TimestampMs now, const types::Block& block,
                                                        const types::Block& parent) const {
  const auto& h = block.header();
  const auto& ph = parent.header();
  if (h.height != ph.height + 1) return "height";
  if (h.timestamp_ms < ph.timestamp_ms) return "timestamp below parent";
  if (h.timestamp_ms + config_.max_timestamp_age_ms < now) return "timestamp too old";
  if (h.timestamp_ms > now + config_.max_timestamp_lead_ms) return "timestamp in the future";
  if (h.state_root != ph.state_root || h.state_version != ph.state_version) return "state root";
  if (block.body().tx_count() > config_.max_txs_per_block) return "too many transactions";
  if (!block.body().certificates.empty() || !block.body().deferrals.empty() ||
      !block.body().aborts.empty() || !block.body().proofs.empty())
    return "cross-shard sections are not accepted until execution lands";
  auto ancestors = tree_.uncommitted_chain(parent.hash());
  if (!ancestors) return "parent does not extend the committed chain";
  auto ordered = ancestor_txs(*ancestors);
  for (const auto* section :
       {&block.body().retry_txs, &block.body().priority_txs, &block.body().txs})
    for (const auto& tx : *section)
      replay_.prefetch(tx->hash());
  for (const auto* section :
       {&block.body().retry_txs, &block.body().priority_txs, &block.body().txs})
    for (const auto& tx : *section) {
      const auto& p = tx->payload();
      if (h.timestamp_ms < p.valid_from_ms || h.timestamp_ms > p.valid_until_ms)
        return "transaction outside its validity window";
      if (already_ordered(tx->hash(), ordered)) return "transaction already ordered";
    }
  return std::nullopt;
}

// --- voting, proposing, timing out -------------------------------------------------------

void BftState::try_vote(TimestampMs now, const BlockRef& block, std::vector<Action>& out) {
  const auto& h = block->header();
  if (h.round != current_round_ || equivocators_.contains({h.round, h.proposer})) return;
  BlockRef parent = tree_.get(h.parent_hash);
  if (!parent) return;
  if (auto problem = block_problem(now, *block, *parent)) {
    (void)problem;
    ++stats_.invalid_messages;
    return;
  }
  const types::TimeoutCertificate* tc = h.timeout_cert ? &*h.timeout_cert : nullptr;
  if (!safety_.try_vote(h.round, h.justify.round, tc)) return;
  types::BlockVote vote{shard_, h.height, h.round, block->hash(), h.parent_hash, self_, {}};
  vote.signature = signer_->sign(crypto::block_vote_message(vote));
  ++stats_.votes_sent;
  core::PersistSafetyThenSend persist{safety_.state(), {}};
  persist.messages.push_back(core::SendMessage{leader_of(h.round + 1), vote});
  append(out, std::move(persist));
}

void BftState::maybe_propose(TimestampMs now, bool tick, std::vector<Action>& out) {
  Round r = current_round_;
  if (leader_of(r) != self_ || safety_.state().highest_proposed_round >= r) return;
  const auto& high_qc = safety_.state().high_qc;
  bool has_qc = high_qc.round + 1 == r;
  bool has_tc = last_round_tc_ && last_round_tc_->round + 1 == r;
  if (!has_qc && !has_tc) return;
  bool has_content = mempool_->has_ready();
  bool rested = last_proposal_ms_ == 0 || now >= last_proposal_ms_ + config_.min_block_interval_ms;
  if (!tick && !(has_content && rested)) return;
  BlockRef parent = tree_.get(high_qc.block_hash);
  if (!parent) return;
  auto ancestors = tree_.uncommitted_chain(parent->hash());
  if (!ancestors) return;
  TimestampMs timestamp = std::max(now, parent->header().timestamp_ms);

  types::BlockBody body;
  auto ordered = ancestor_txs(*ancestors);
  body.txs =
      mempool_->ready_for_proposal(config_.max_txs_per_block, timestamp,
                                   [&](const Hash& tx) { return already_ordered(tx, ordered); });
  HS_ASSERT(safety_.try_propose(r));

  types::BlockHeader h;
  h.shard = shard_;
  h.height = parent->header().height + 1;
  h.round = r;
  h.parent_hash = parent->hash();
  h.justify = high_qc;
  if (!has_qc) h.timeout_cert = last_round_tc_;
  h.proposer = self_;
  h.timestamp_ms = timestamp;
  h.state_root = parent->header().state_root;
  h.state_version = parent->header().state_version;
  h.roots = body.compute_roots();
  h.proposer_signature = signer_->sign(crypto::block_header_message(h.compute_hash()));

  auto proposal = std::make_shared<core::ProposalMessage>();
  proposal->header = h;
  for (const auto& tx : body.txs)
    proposal->tx_hashes.push_back(tx->hash());
  auto block = types::Block::assemble(std::move(h), std::move(body));
  HS_ASSERT(block);
  seen_proposals_.emplace(std::make_pair(r, self_), block->hash());
  last_proposal_ms_ = now;
  ++stats_.proposals;

  // The proposal and the leader's own vote leave after one durable write.
  core::PersistSafetyThenSend persist{{}, {}};
  persist.messages.push_back(core::BroadcastMessage{shard_, core::ProposalRef(proposal)});
  std::vector<Action> vote_actions;
  tree_.insert(block);
  try_vote(now, block, vote_actions);
  for (auto& a : vote_actions) {
    if (auto* p = std::get_if<core::PersistSafetyThenSend>(&a)) {
      for (auto& m : p->messages)
        persist.messages.push_back(std::move(m));
    } else {
      out.push_back(std::move(a));
    }
  }
  persist.state = safety_.state();
  append(out, std::move(persist));
}

void BftState::time_out_round(TimestampMs now, std::vector<Action>& out) {
  (void)now;
  Round r = current_round_;
  const auto& high_qc = safety_.state().high_qc;
  const types::TimeoutCertificate* tc = last_round_tc_ ? &*last_round_tc_ : nullptr;
  // Re-arm first: the timer re-broadcasts this round's timeout on every expiry.
  append(out, core::SetTimer{core::TimerId::kRoundTimeout, round_timeout_ms()});
  if (!safety_.try_timeout(r, high_qc.round, tc)) return;
  types::Timeout timeout{shard_, r, high_qc, last_round_tc_, self_, {}};
  timeout.signature = signer_->sign(crypto::timeout_message(shard_, r, high_qc.round));
  timed_out_current_round_ = true;
  ++stats_.timeouts_sent;
  core::PersistSafetyThenSend persist{safety_.state(), {}};
  persist.messages.push_back(core::BroadcastMessage{shard_, timeout});
  persist.messages.push_back(core::SendMessage{self_, timeout});
  append(out, std::move(persist));
}

void BftState::start_vote_job(const Hash& block_hash, std::vector<Action>& out) {
  auto it = votes_.find(block_hash);
  if (it == votes_.end()) return;
  if (auto job = it->second.take_job(committee())) append(out, core::StartJob{std::move(*job)});
}

void BftState::start_timeout_job(Round round, std::vector<Action>& out) {
  auto it = timeouts_.find(round);
  if (it == timeouts_.end()) return;
  if (auto job = it->second.take_job(committee())) append(out, core::StartJob{std::move(*job)});
}

void BftState::record_equivocation(types::ValidatorId who, Round round, const Hash& first,
                                   const Hash& second, bool proposal, std::vector<Action>& out) {
  if (!equivocators_.insert({round, who}).second) return;
  ++stats_.equivocations;
  append(out, core::EquivocationDetected{who, round, first, second, proposal});
}

void BftState::prune_rounds() {
  std::erase_if(timeouts_, [&](const auto& kv) { return kv.first + 2 < current_round_; });
  std::erase_if(votes_, [&](const auto& kv) { return kv.second.round() + 2 < current_round_; });
  // These are ordered by round first: drop from the front (cost ∝ removed).
  constexpr Round kEvidenceRounds = 100;
  auto drop_front = [](auto& ordered, auto&& is_old) {
    while (!ordered.empty() && is_old(*ordered.begin()))
      ordered.erase(ordered.begin());
  };
  auto old = [&](const auto& key) { return key.first + kEvidenceRounds < current_round_; };
  drop_front(seen_votes_, [&](const auto& kv) { return old(kv.first); });
  drop_front(seen_proposals_, [&](const auto& kv) { return old(kv.first); });
  drop_front(equivocators_, old);
  drop_front(evidence_checked_, old);
  drop_front(tc_replies_, old);
  drop_front(tcs_checked_, [&](Round r) { return r + 2 < current_round_; });
  std::erase_if(pending_,
                [&](const auto& kv) { return kv.second.header->round + 2 < current_round_; });
}

void BftState::request_block(TimestampMs now, const types::QuorumCertificate& qc,
                             std::vector<Action>& out) {
  // Still assembling it from the proposal: the transaction fetch covers it.
  if (pending_.contains(qc.block_hash) || tree_.contains(qc.block_hash)) return;
  constexpr std::size_t kMaxBlockFetches = 64;  // beyond that, sync catches up
  if (block_fetches_.size() >= kMaxBlockFetches) return;
  auto [it, fresh] = block_fetches_.try_emplace(qc.block_hash, BlockFetch{qc, 0, 0, {}, false});
  if (!fresh) return;
  send_block_fetch(now, qc.block_hash, it->second, out);
  schedule_fetch(now, out);
}

void BftState::send_block_fetch(TimestampMs now, const Hash& hash, BlockFetch& fetch,
                                std::vector<Action>& out) {
  // Every signer voted, so holds the whole block: ask them in turn.
  const auto& c = committee();
  std::vector<types::ValidatorId> signers;
  for (std::uint32_t i = 0; i < c.size() && i < fetch.qc.signers.size(); ++i)
    if (fetch.qc.signers.test(i) && c.at(i).id != self_) signers.push_back(c.at(i).id);
  fetch.next_ms = now + config_.fetch_retry_ms;
  if (signers.empty()) return;
  auto to = signers[fetch.attempts++ % signers.size()];
  fetch.asked.insert(to);
  fetch.verifying = false;
  append(out, core::SendMessage{to, core::BlockFetchRequest{hash}});
}

void BftState::schedule_fetch(TimestampMs, std::vector<Action>& out) {
  if (fetch_timer_set_) return;
  fetch_timer_set_ = true;
  append(out, core::SetTimer{core::TimerId::kFetch, config_.tx_fetch_delay_ms});
}

void BftState::run_fetches(TimestampMs now, std::vector<Action>& out) {
  const auto& c = committee();
  bool waiting = false;
  for (auto& [hash, pb] : pending_) {
    if (pb.missing == 0) continue;
    waiting = true;
    if (now < pb.next_fetch_ms) continue;
    // The proposer first, then the other members in turn.
    types::ValidatorId to = pb.proposer;
    if (pb.fetch_attempts > 0) {
      to = c.at((pb.fetch_attempts - 1) % c.size()).id;
      if (to == self_) to = c.at(pb.fetch_attempts % c.size()).id;
    }
    ++pb.fetch_attempts;
    pb.next_fetch_ms = now + config_.fetch_retry_ms;
    if (to == self_) continue;
    core::TransactionFetchRequest request{hash, pb.missing_sorted()};
    append(out, core::SendMessage{to, std::move(request)});
  }
  for (auto it = block_fetches_.begin(); it != block_fetches_.end();) {
    auto& [hash, fetch] = *it;
    if (tree_.contains(hash) || fetch.qc.height <= tree_.committed_height()) {
      it = block_fetches_.erase(it);
      continue;
    }
    waiting = true;
    if (now >= fetch.next_ms) send_block_fetch(now, hash, fetch, out);
    ++it;
  }
  if (waiting) {
    fetch_timer_set_ = true;
    append(out, core::SetTimer{core::TimerId::kFetch, config_.fetch_retry_ms});
  }
}

}  // namespace hyperscale::bft
