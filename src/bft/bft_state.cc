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

/// Genesis's leader record: the root every record derives from.
core::LeaderRecord genesis_record(const types::Block& genesis) {
  core::LeaderRecord r;
  r.hash = genesis.hash();
  r.height = genesis.header().height;
  r.round = genesis.header().round;
  r.parent = genesis.header().parent_hash;
  r.proposer = genesis.header().proposer;
  return r;
}

std::vector<core::LeaderRecord> leader_history(const RecoveredState& r) {
  if (!r.leader_history.empty()) {
    HS_ASSERT_MSG(r.leader_history.back().hash == r.committed_tip->hash(),
                  "the leader history must end with the committed tip");
    return r.leader_history;
  }
  HS_ASSERT_MSG(r.committed_tip->header().height == 0,
                "a recovered tip above genesis needs its leader history");
  return {genesis_record(*r.committed_tip)};
}

}  // namespace

std::string_view to_string(Ignored reason) {
  static constexpr std::string_view kNames[] = {
      "malformed",  "wrong_leader", "stale",     "too_far_ahead",     "duplicate",
      "over_limit", "equivocator",  "not_asked", "invalid_signature", "invalid_block"};
  static_assert(std::size(kNames) == kIgnoredKinds);
  return kNames[static_cast<std::size_t>(reason)];
}

std::optional<std::uint32_t> BftState::PendingBlock::index_of(const Hash& tx_hash) const {
  std::size_t offset = 0;
  for (const auto* section :
       {&proposal->retry_tx_hashes, &proposal->priority_tx_hashes, &proposal->tx_hashes}) {
    auto it = std::lower_bound(section->begin(), section->end(), tx_hash);
    if (it != section->end() && *it == tx_hash)
      return static_cast<std::uint32_t>(offset + static_cast<std::size_t>(it - section->begin()));
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
                   RecoveredState recovered, core::ReplayWindow& replay,
                   core::ExecutionView* execution)
    : config_(config),
      topology_(std::move(topology)),
      shard_(topology_.shard_of_validator(self).value()),
      self_(self),
      signer_(std::move(signer)),
      mempool_(mempool),
      execution_(execution),
      safety_(recovered.safety),
      tree_(recovered.committed_tip, recovered.tip_qc, config.committed_blocks_kept),
      leaders_(topology_.committee(shard_), leader_history(recovered)),
      sync_(config_),
      replay_(replay) {
  HS_ASSERT(signer_ && mempool_);
  // A fresh node's high QC is the genesis QC; a recovered one keeps the
  // highest it persisted (which may certify a block above its committed tip).
  if (safety_.state().high_qc.round <= recovered.tip_qc.round &&
      safety_.state().high_qc.height <= recovered.tip_qc.height)
    safety_.set_high_qc(recovered.tip_qc);
  HS_ASSERT_MSG(!SafetyRules::problem(safety_.state()),
                "the recovered safety state is not one a validator can continue from");
  // Certified blocks above the tip come back as they were: held and
  // certified, uncommitted (peers may need them; this node may build on
  // them); their QCs count as any verified QC (start() commits what they
  // commit).
  for (const auto& cb : recovered.certified) {
    if (!cb.block || cb.block->header().height <= tree_.committed_height() ||
        cb.qc.block_hash != cb.block->hash())
      continue;
    tree_.insert(cb.block);
    tree_.add_qc(cb.qc);
    add_leader_records(cb.block);
    if (cb.qc.round > safety_.state().high_qc.round) safety_.set_high_qc(cb.qc);
  }
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

types::TransactionRef BftState::find_block_transaction(const Hash& block_hash,
                                                       const Hash& tx_hash) const {
  if (auto b = tree_.get(block_hash)) {
    for (const auto* section : {&b->body().retry_txs, &b->body().priority_txs, &b->body().txs}) {
      auto it = std::lower_bound(
          section->begin(), section->end(), tx_hash,
          [](const types::TransactionRef& t, const Hash& h) { return t->hash() < h; });
      if (it != section->end() && (*it)->hash() == tx_hash) return *it;
    }
    return nullptr;
  }
  if (auto p = pending_.find(block_hash); p != pending_.end())
    if (auto index = p->second.index_of(tx_hash)) return p->second.txs[*index];
  return nullptr;
}

std::optional<types::BlockHeader> BftState::header_of(const Hash& block_hash) const {
  if (auto p = pending_.find(block_hash); p != pending_.end()) return p->second.proposal->header;
  if (auto b = tree_.get(block_hash)) return b->header();
  return std::nullopt;
}

BftMemory BftState::memory() const {
  BftMemory m;
  m.vote_collectors = votes_.size();
  for (const auto& [k, c] : votes_)
    m.votes += c.size();
  m.voter_rounds = voter_rounds_.size();
  m.timeout_rounds = timeouts_.size();
  for (const auto& [r, c] : timeouts_)
    m.timeouts += c.size();
  m.proposal_checks = proposal_checks_.size();
  m.proposals_in_flight = proposals_in_flight_.size();
  m.pending_blocks = pending_.size();
  m.block_fetches = block_fetches_.size();
  m.sync_requests = sync_.in_flight();
  m.held_blocks = held_.size();
  m.tree_blocks = tree_.size();
  m.leader_records = leaders_.size();
  m.evidence = seen_proposals_.size() + equivocators_.size() + tc_replies_.size() +
               tcs_checked_.size() + qcs_checked_.size() + proofs_checked_.size() +
               proposal_resends_.size();
  return m;
}

std::vector<Action> BftState::start(TimestampMs now) {
  std::vector<Action> out;
  append(out, core::SetTimer{core::TimerId::kProposalTick, config_.proposal_tick_ms});
  append(out, core::SetTimer{core::TimerId::kRoundTimeout, round_timeout_ms()});
  append(out, core::SetTimer{core::TimerId::kCleanup, config_.cleanup_interval_ms});
  // What the reloaded certified blocks commit, commits now.
  for (const auto& b : tree_.all_blocks())
    if (tree_.qc_of(b->hash()) && b->header().height > tree_.committed_height())
      try_commit(b->hash(), out);
  // A restarted validator may have persisted a high QC above its committed
  // chain: catch up to it.
  const auto& high_qc = safety_.state().high_qc;
  if (high_qc.height > tree_.committed_height() && !connected(high_qc.block_hash)) {
    sync_.note_certified(high_qc, std::nullopt);
    drive_sync(now, out);
  }
  // Restarted in a round it had proposed in: the proposal may never have
  // left (or been lost): send the same one again, never a second one.
  if (const auto& p = safety_.state().last_proposal; p && p->header.round == current_round_)
    append(out, core::BroadcastMessage{shard_, p});
  maybe_propose(now, false, out);
  return out;
}

core::DurationMs BftState::round_timeout_ms() const {
  core::DurationMs t =
      config_.round_timeout_base_ms + config_.round_timeout_step_ms * rounds_without_commit_;
  return std::min(t, config_.round_timeout_max_ms);
}

// --- inputs ----------------------------------------------------------------------------

std::vector<Action> BftState::on_proposal(TimestampMs now, types::ValidatorId from,
                                          const core::ProposalRef& proposal) {
  std::vector<Action> out;
  const auto& h = proposal->header;
  if (h.shard != shard_ || from != h.proposer || !is_member(from) ||
      (!execution_ && !proposal->certificates.empty())) {
    ignore(Ignored::kMalformed);
    return out;
  }
  if (h.height <= tree_.committed_height() || round_too_old(h.round)) {
    ignore(Ignored::kStale);  // if it was certified, sync brings it with its QC
    return out;
  }
  if (round_too_far(h.round)) {
    ignore(Ignored::kTooFarAhead);
    probe(now, from, h.justify, out);
    return out;
  }
  if (equivocators_.contains({h.round, h.proposer})) {
    ignore(Ignored::kEquivocator);
    return out;
  }
  // The leader is named by the parent; without it the check waits for the
  // vote. Only a parent this node holds, of the right height, is looked up
  // (the fields are not verified yet).
  if (auto parent = tree_.get(h.parent_hash)) {
    if (parent->header().height + 1 != h.height || parent->header().round >= h.round) {
      ignore(Ignored::kMalformed);
      return out;
    }
    if (auto leader = leaders_.leader(h.round, h.parent_hash); leader && *leader != h.proposer) {
      ignore(Ignored::kWrongLeader);
      return out;
    }
  }
  Hash hash = h.compute_hash();
  if (tree_.contains(hash) || pending_.contains(hash) || proposals_in_flight_.contains(hash)) {
    ignore(Ignored::kDuplicate);
    return out;
  }
  auto& checks = proposal_checks_[{h.round, h.proposer}];
  if (checks >= limits::kMaxProposalsPerProposerRound) {
    ignore(Ignored::kOverLimit);
    return out;
  }
  ++checks;
  proposals_in_flight_.insert(hash);
  append(out, core::StartJob{core::VerifyProposalJob{from, proposal}});
  return out;
}

std::vector<Action> BftState::on_vote(TimestampMs, types::ValidatorId from,
                                      const types::BlockVote& vote) {
  std::vector<Action> out;
  if (vote.shard != shard_ || from != vote.voter || !is_member(vote.voter)) {
    ignore(Ignored::kMalformed);
    return out;
  }
  // A vote for a round this node holds a QC of (or older) adds nothing.
  if (vote.round <= safety_.state().high_qc.round || round_too_old(vote.round) ||
      vote.height <= tree_.committed_height()) {
    ignore(Ignored::kStale);
    return out;
  }
  if (round_too_far(vote.round)) {
    ignore(Ignored::kTooFarAhead);
    return out;
  }
  if (equivocators_.contains({vote.round, vote.voter})) {
    ignore(Ignored::kEquivocator);
    return out;
  }
  if (auto block = tree_.get(vote.block_hash);
      block && (block->header().round != vote.round || block->header().height != vote.height)) {
    ignore(Ignored::kMalformed);
    return out;
  }
  // Votes for round r go to leader(r + 1) as named by the voted block, and
  // to everyone when the round times out (time_out_round): any node that
  // gathers a quorum forms the QC, so a collector that withholds or splits
  // the votes fails only its own round, and is blamed for it, instead of
  // the leader whose block was voted. Kept within the per-voter and
  // per-round bounds either way.
  add_vote(vote, out);
  return out;
}

void BftState::add_vote(const types::BlockVote& vote, std::vector<Action>& out) {
  Hash key = core::vote_key(vote);
  auto& vr = voter_rounds_[{vote.round, vote.voter}];
  if (vr.failed >= limits::kMaxFailedVotesPerVoterRound) {
    ignore(Ignored::kOverLimit);
    return;
  }
  if (!vr.first || *vr.first == key) {
    vr.first = key;
    auto it = votes_.try_emplace(key, vote.round).first;
    if (it->second.done()) return;
    it->second.add_unverified(vote);
    start_vote_job(key, out);
    return;
  }
  // A second, different vote message from this voter in this round: kept
  // as evidence (one), checked alone once its first vote verified.
  if (vr.suspect) {
    ignore(Ignored::kOverLimit);
    return;
  }
  vr.suspect = vote;
  if (vr.first_verified) start_evidence_check(vr, out);
}

void BftState::start_evidence_check(VoterRound& vr, std::vector<Action>& out) {
  if (!vr.suspect || vr.suspect_checked) return;
  vr.suspect_checked = true;
  append(out, core::StartJob{core::VerifyVotesJob{{*vr.suspect}, {}, true}});
}

std::vector<Action> BftState::on_timeout(TimestampMs now, types::ValidatorId from,
                                         const types::Timeout& timeout) {
  std::vector<Action> out;
  if (timeout.shard != shard_ || from != timeout.voter || !is_member(timeout.voter)) {
    ignore(Ignored::kMalformed);
    return out;
  }
  if (timeout.round < current_round_) {
    // The sender is behind, still timing out a round we left: hand it the TC
    // that moved us on (once per sender and round), so no one is stranded by
    // a lost certificate.
    // One reply per TC held and sender, whatever old rounds it claims.
    const auto& high_tc = safety_.state().high_tc;
    if (high_tc && high_tc->round >= timeout.round &&
        tc_replies_.insert({high_tc->round, timeout.voter}).second)
      append(out, core::SendMessage{timeout.voter, core::TimeoutCertificateMessage{*high_tc}});
    else
      ignore(Ignored::kStale);
    return out;
  }
  if (round_too_far(timeout.round)) {
    ignore(Ignored::kTooFarAhead);
    const auto* qc = &timeout.high_qc;
    if (timeout.last_round_tc && timeout.last_round_tc->high_qc.round > qc->round)
      qc = &timeout.last_round_tc->high_qc;
    probe(now, from, *qc, out);
    return out;
  }
  // A carried TC for our round or later, or a carried QC that would move us
  // on, is checked by itself, even when the timeouts at hand are too few to
  // be checked as a group (a straggler learns where the others are).
  if (timeout.last_round_tc && timeout.last_round_tc->round >= current_round_ &&
      tcs_checked_.insert(timeout.last_round_tc->round).second)
    append(out, core::StartJob{core::VerifyTimeoutCertificateJob{from, *timeout.last_round_tc}});
  else if (timeout.high_qc.round + 1 > current_round_ &&
           qcs_checked_.insert(timeout.high_qc.round).second)
    append(out, core::StartJob{core::VerifyQuorumCertificateJob{from, timeout.high_qc}});
  if (!timeouts_[timeout.round].add_unverified(timeout)) {
    ignore(Ignored::kDuplicate);
    return out;
  }
  start_timeout_job(timeout.round, out);
  return out;
}

std::vector<Action> BftState::on_timeout_certificate(TimestampMs now, types::ValidatorId from,
                                                     const types::TimeoutCertificate& tc) {
  std::vector<Action> out;
  if (tc.shard != shard_ || !is_member(from)) {
    ignore(Ignored::kMalformed);
    return out;
  }
  // A peer entering this round through TC(r - 1) sends it to the leader:
  // a leader that proposed already sends it the proposal (once per peer),
  // which it may have missed (lost, or cut off when it left).
  const auto& proposed = safety_.state().last_proposal;
  if (tc.round + 1 == current_round_ && proposed && proposed->header.round == current_round_) {
    if (from != self_ && proposal_resends_.insert({current_round_, from}).second)
      append(out, core::SendMessage{from, proposed});
    return out;
  }
  if (tc.round + 1 <= current_round_) {
    ignore(Ignored::kStale);
    return out;
  }
  if (round_too_far(tc.round)) {
    // Too far ahead to keep a check per round: one probe at a time.
    ignore(Ignored::kTooFarAhead);
    if (probes_in_flight_ < limits::kMaxProbesInFlight && !probe_refused(now, from)) {
      ++probes_in_flight_;
      ++stats_.probes;
      append(out, core::StartJob{core::VerifyTimeoutCertificateJob{from, tc, /*probe=*/true}});
    }
    return out;
  }
  if (!tcs_checked_.insert(tc.round).second) {
    ignore(Ignored::kDuplicate);
    return out;
  }
  append(out, core::StartJob{core::VerifyTimeoutCertificateJob{from, tc}});
  return out;
}

std::vector<Action> BftState::on_fetch_response(TimestampMs, types::ValidatorId from,
                                                const core::TransactionFetchResponse& response) {
  std::vector<Action> out;
  auto it = pending_.find(response.block_hash);
  if (it == pending_.end() || !it->second.asked.contains(from) || it->second.verifying) {
    ignore(Ignored::kNotAsked);
    return out;
  }
  // One answer per request: a peer asked once cannot make this node check
  // signatures again and again.
  it->second.asked.erase(from);
  // Only transactions of this block that are still missing, each once.
  core::VerifyTransactionsJob job{core::TxOrigin::kFetch, response.block_hash, {}};
  std::set<Hash> taken;
  for (const auto& tx : response.txs) {
    if (!tx) continue;
    auto index = it->second.index_of(tx->hash());
    if (index && !it->second.txs[*index] && taken.insert(tx->hash()).second) job.txs.push_back(tx);
  }
  if (job.txs.empty()) {
    ignore(Ignored::kNotAsked);
    return out;
  }
  it->second.verifying = true;
  append(out, core::StartJob{std::move(job)});
  return out;
}

std::vector<Action> BftState::on_block_fetch_response(TimestampMs, types::ValidatorId from,
                                                      const core::BlockFetchResponse& response) {
  std::vector<Action> out;
  auto fetch = response.block ? block_fetches_.find(response.block->hash()) : block_fetches_.end();
  // Only a block that was asked, from a peer that was asked, one
  // verification at a time (a failed one is retried by run_fetches).
  if (fetch == block_fetches_.end() || !fetch->second.asked.contains(from) ||
      fetch->second.verifying || tree_.contains(response.block->hash())) {
    ignore(Ignored::kNotAsked);
    return out;
  }
  fetch->second.verifying = true;
  fetch->second.asked.erase(from);  // one answer per peer asked
  // The same checks as a synced block: QC, header signature, transactions.
  append(out, core::StartJob{core::VerifySyncBlocksJob{
                  from, {{response.block, fetch->second.qc}}, /*by_hash=*/true, fetch->first}});
  return out;
}

std::vector<Action> BftState::on_equivocation_proof(TimestampMs, types::ValidatorId from,
                                                    const core::EquivocationProof& proof) {
  std::vector<Action> out;
  const auto& h = proof.first;
  if (h.shard != shard_ || proof.second.shard != shard_ || !is_member(from) ||
      !is_member(h.proposer)) {
    ignore(Ignored::kMalformed);
    return out;
  }
  // Only the current round and the next matter (they can be given up);
  // one proof per (round, proposer) is checked.
  if (h.round < current_round_ || h.round > current_round_ + 1 ||
      equivocators_.contains({h.round, h.proposer}) ||
      !proofs_checked_.insert({h.round, h.proposer}).second) {
    ignore(Ignored::kStale);
    return out;
  }
  append(out, core::StartJob{core::VerifyEquivocationJob{from, proof}});
  return out;
}

std::vector<Action> BftState::on_sync_response(TimestampMs now, types::ValidatorId from,
                                               const core::SyncResponse& response) {
  std::vector<Action> out;
  for (const auto& cb : response.blocks)
    if (!cb.block || cb.block->header().shard != shard_) {
      ignore(Ignored::kMalformed);
      return out;
    }
  auto blocks = sync_.accept(now, from, response, tree_.committed_height());
  if (blocks.empty()) {
    ignore(Ignored::kNotAsked);
    drive_sync(now, out);  // an empty answer frees the request for another peer
    return out;
  }
  append(out, core::StartJob{core::VerifySyncBlocksJob{from, std::move(blocks), false, {}}});
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
      sync_wake_ms_.reset();
      drive_sync(now, out);
      break;
    case core::TimerId::kHeldBlocks:
      held_wake_ms_.reset();
      recheck_held(now, out);
      break;
    case core::TimerId::kCleanup:
      append(out, core::SetTimer{core::TimerId::kCleanup, config_.cleanup_interval_ms});
      prune_rounds();
      drive_sync(now, out);
      break;
    case core::TimerId::kExecution:  // the execution's (the node routes it there)
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
        self.ignore(Ignored::kInvalidSignature);
        // Links are authenticated: the proposer itself sent an invalid proposal.
        const auto& h = r.proposal->header;
        if (r.from == h.proposer) self.leader_failed(now, h.proposer, h.round, out);
        return;
      }
      self.handle_verified_proposal(now, r.from, *r.result, out);
    }
    void operator()(const core::VotesVerified& r) { self.handle_votes_verified(now, r, out); }
    void operator()(const core::TimeoutsVerified& r) { self.handle_timeouts_verified(now, r, out); }
    void operator()(const core::TimeoutCertificateVerified& r) {
      if (r.probe) {
        HS_ASSERT(self.probes_in_flight_ > 0);
        --self.probes_in_flight_;
      }
      if (!r.result) {
        ++self.stats_.invalid_messages;
        self.ignore(Ignored::kInvalidSignature);
        if (r.probe)
          self.probe_refused_until_[r.from] = now + self.config_.round_timeout_base_ms;
        else
          self.tcs_checked_.erase(r.round);  // a forged TC must not shut out the real one
        return;
      }
      if (r.high_qc) self.process_qc(now, *r.high_qc, r.from, out);
      self.process_tc(now, *r.result, out);
    }
    void operator()(const core::QuorumCertificateVerified& r) {
      if (r.probe) {
        HS_ASSERT(self.probes_in_flight_ > 0);
        --self.probes_in_flight_;
      }
      if (!r.result) {
        ++self.stats_.invalid_messages;
        self.ignore(Ignored::kInvalidSignature);
        // A peer whose probe failed is not probed again for a while; a
        // forged QC must not shut out the real one.
        if (r.probe)
          self.probe_refused_until_[r.from] = now + self.config_.round_timeout_base_ms;
        else
          self.qcs_checked_.erase(r.round);
        return;
      }
      self.process_qc(now, *r.result, r.from, out);
    }
    void operator()(const core::TransactionsVerified& r) {
      if (r.origin == core::TxOrigin::kFetch) self.handle_fetched_transactions(now, r, out);
    }
    void operator()(const core::EquivocationVerified& r) {
      if (!r.proof) {
        ++self.stats_.invalid_messages;
        self.ignore(Ignored::kInvalidSignature);
        return;
      }
      const auto& h = r.proof->first;
      self.record_equivocation(h.proposer, h.round, h.compute_hash(),
                               r.proof->second.compute_hash(), true, out);
      self.leader_failed(now, h.proposer, h.round, out);
    }
    void operator()(const core::SyncBlocksVerified& r) { self.handle_sync_verified(now, r, out); }
    // Execution's results go to execution (the node routes them there).
    void operator()(const core::TransactionsExecuted&) {}
    void operator()(const core::StateVotesVerified&) {}
    void operator()(const core::TransactionCertificatesVerified&) {}
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
      if (auto index = pb.index_of(arrived); index && !pb.txs[*index]) {
        ready.push_back(hash);
        break;
      }
  for (const auto& hash : ready)
    try_assemble(now, hash, out);
  maybe_propose(now, false, out);
  return out;
}

bool BftState::probe_refused(TimestampMs now, types::ValidatorId from) const {
  auto it = probe_refused_until_.find(from);
  return it != probe_refused_until_.end() && now < it->second;
}

void BftState::probe(TimestampMs now, types::ValidatorId from, const types::QuorumCertificate& qc,
                     std::vector<Action>& out) {
  if (probes_in_flight_ >= limits::kMaxProbesInFlight) return;
  if (qc.round <= safety_.state().high_qc.round) return;  // it would teach nothing
  if (probe_refused(now, from)) return;
  ++probes_in_flight_;
  ++stats_.probes;
  append(out, core::StartJob{core::VerifyQuorumCertificateJob{from, qc, /*probe=*/true}});
}

// --- verified inputs --------------------------------------------------------------------

void BftState::handle_verified_proposal(TimestampMs now, types::ValidatorId from,
                                        core::VerifiedProposal vp, std::vector<Action>& out) {
  const auto& h = vp.proposal->header;
  Hash hash = h.compute_hash();
  auto [it, fresh] = seen_proposals_.emplace(std::make_pair(h.round, h.proposer), hash);
  if (!fresh && it->second != hash) {
    // Report the proof to the committee (once): peers that saw one of the
    // two learn the leader is faulty and give up the round at once too.
    if (!equivocators_.contains({h.round, h.proposer}))
      if (auto first = header_of(it->second)) {
        proofs_checked_.insert({h.round, h.proposer});
        append(out, core::BroadcastMessage{shard_, core::EquivocationProof{*first, h}});
      }
    record_equivocation(h.proposer, h.round, it->second, hash, true, out);
    leader_failed(now, h.proposer, h.round, out);
    return;
  }
  // Certificates first: what the proposal proves holds whatever its body.
  process_qc(now, vp.justify, from, out);
  if (vp.tc_high_qc) process_qc(now, *vp.tc_high_qc, from, out);
  if (vp.tc) process_tc(now, *vp.tc, out);
  if (tree_.contains(hash) || pending_.contains(hash) || h.height <= tree_.committed_height())
    return;

  const auto& p = *vp.proposal;
  if (!strictly_sorted(p.retry_tx_hashes) || !strictly_sorted(p.priority_tx_hashes) ||
      !strictly_sorted(p.tx_hashes) || p.tx_count() > config_.max_txs_per_block) {
    ignore(Ignored::kMalformed);
    return;
  }
  // Each list is strictly sorted; one transaction in two lists is invalid too.
  std::vector<Hash> all;
  all.reserve(p.tx_count());
  for (const auto* section : {&p.retry_tx_hashes, &p.priority_tx_hashes, &p.tx_hashes})
    all.insert(all.end(), section->begin(), section->end());
  std::sort(all.begin(), all.end());
  if (std::adjacent_find(all.begin(), all.end()) != all.end()) {
    ignore(Ignored::kMalformed);
    return;
  }
  PendingBlock pb{vp.header, vp.proposal, h.proposer, {}, 0, now + config_.tx_fetch_delay_ms,
                  0,         {}};
  pb.txs.resize(p.tx_count());
  pb.missing = pb.txs.size();
  pending_.emplace(hash, std::move(pb));
  try_assemble(now, hash, out);
  if (pending_.contains(hash)) schedule_fetch(out);
}

void BftState::handle_votes_verified(TimestampMs now, core::VotesVerified result,
                                     std::vector<Action>& out) {
  stats_.invalid_messages += result.invalid.size();
  if (!result.invalid.empty()) ignore(Ignored::kInvalidSignature);
  if (result.evidence) {
    // A voter's second vote message of the round verified: equivocation.
    for (const auto& v : result.valid) {
      auto vr = voter_rounds_.find({v->round, v->voter});
      if (vr != voter_rounds_.end() && vr->second.first && *vr->second.first != result.key)
        record_equivocation(v->voter, v->round, *vr->second.first, result.key, false, out);
    }
    return;
  }
  for (const auto& v : result.valid) {
    auto& vr = voter_rounds_[{v->round, v->voter}];
    vr.first_verified = true;
    start_evidence_check(vr, out);
  }
  // A voter whose vote failed is free again; its other message (if any)
  // takes the place of the first.
  for (auto voter : result.invalid) {
    auto vr = voter_rounds_.find({result.round, voter});
    if (vr == voter_rounds_.end() || vr->second.first != result.key) continue;
    ++vr->second.failed;
    vr->second.first.reset();
    if (auto suspect = std::move(vr->second.suspect)) {
      vr->second.suspect.reset();
      add_vote(*suspect, out);
    }
  }
  std::vector<Verified<types::BlockVote>> accepted;
  for (auto& v : result.valid)
    if (!equivocators_.contains({v->round, v->voter})) accepted.push_back(std::move(v));
  auto it = votes_.find(result.key);
  if (it != votes_.end()) it->second.job_finished(std::move(accepted));
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
  if (!result.invalid.empty()) ignore(Ignored::kInvalidSignature);
  Round round = result.round;
  auto it = timeouts_.find(round);
  if (it != timeouts_.end()) it->second.job_finished(std::move(result.valid));
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
  it->second.verifying = false;
  for (const auto& tx : r.valid)
    if (auto index = it->second.index_of(tx->hash()); index && !it->second.txs[*index])
      it->second.fill(*index, tx);
  try_assemble(now, r.block_hash, out);
}

void BftState::handle_sync_verified(TimestampMs now, core::SyncBlocksVerified result,
                                    std::vector<Action>& out) {
  if (!result.complete) {
    ++stats_.invalid_messages;
    ignore(Ignored::kInvalidSignature);
  }
  // A block fetched by hash comes back through this job too; a failed one
  // is asked again of another signer by run_fetches.
  if (result.by_hash)
    if (auto f = block_fetches_.find(result.asked_hash); f != block_fetches_.end())
      f->second.verifying = false;
  bool progress = false;
  for (const auto& vb : result.blocks) {
    // The certificates first: the block is certified, so this node never
    // votes for it, and its safety state never runs ahead of its high QC.
    process_qc(now, vb.justify, result.from, out);
    if (!tree_.qc_of(vb.block->hash())) tree_.add_qc(vb.qc.get());
    if (!tree_.contains(vb.block->hash()) && vb.block->header().height > tree_.committed_height())
      progress = true;
    insert_block(now, vb.block, out);
    process_qc(now, vb.qc, result.from, out);
  }
  if (!result.by_hash) sync_.answered(result.from, progress);
  drive_sync(now, out);
}

// --- certificates and rounds ---------------------------------------------------------------

void BftState::process_qc(TimestampMs now, const Verified<types::QuorumCertificate>& qc,
                          std::optional<types::ValidatorId> source, std::vector<Action>& out) {
  if (qc->shard != shard_) return;
  if (qc->round > safety_.state().high_qc.round) safety_.set_high_qc(*qc);
  if (qc->height > tree_.committed_height()) {
    bool fresh = !tree_.qc_of(qc->block_hash);
    if (fresh) tree_.add_qc(*qc);
    if (auto block = tree_.get(qc->block_hash)) {
      if (fresh) {
        append(out, core::StoreCertifiedBlock{block, *qc});
        try_commit(qc->block_hash, out);
      }
    }
    if (!connected(qc->block_hash)) {
      if (connected(qc->parent_hash) || pending_.contains(qc->block_hash)) {
        request_block(now, *qc, out);  // only this block is missing: no sync needed
      } else {
        sync_.note_certified(*qc, source);
        request_block(now, *qc, out);
        drive_sync(now, out);
      }
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
    // A node entering round r through a TC sends it to leader(r), named by
    // the TC's high QC's block (when this node holds it).
    auto leader = leaders_.leader(current_round_, tc->high_qc.block_hash);
    if (leader && *leader != self_)
      append(out, core::SendMessage{*leader, core::TimeoutCertificateMessage{*tc}});
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
  // Held blocks of rounds now past are dropped (only the current round can
  // be voted).
  std::erase_if(held_, [&](const auto& kv) {
    auto b = tree_.get(kv.first);
    return !b || b->header().round < round;
  });
  // Timeouts of the new round from more than a third of the power may be
  // at hand already (verified while this node was behind): join them.
  if (auto t = timeouts_.find(round);
      t != timeouts_.end() && !timed_out_current_round_ &&
      types::is_join_threshold(t->second.verified_power(committee()), committee().total_power()))
    time_out_round(now, out);
  // A proposal of the new round may already be held, waiting for its round
  // (it arrived before the certificate that opens the round was processed).
  for (const auto& child : tree_.children(safety_.state().high_qc.block_hash))
    if (child->header().round == round) try_vote(now, child, out);
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
  body.certificates = p.certificates;
  body.deferrals = p.deferrals;
  body.aborts = p.aborts;
  body.proofs = p.proofs;
  types::BlockHeader header = *pb.header;
  pending_.erase(it);
  // The verification job matched the hash lists to the signed roots, and
  // every slot holds the transaction with its list's hash.
  insert_block(now, types::Block::assemble_prechecked(std::move(header), std::move(body)), out);
}

std::vector<BlockRef> BftState::add_leader_records(const BlockRef& block) {
  // Records derive from the parent's: a block whose parent arrived later
  // (sync, fetch) gets its record then, and so do its held descendants.
  std::vector<BlockRef> recorded;
  std::vector<BlockRef> work = {block};
  while (!work.empty()) {
    auto b = std::move(work.back());
    work.pop_back();
    bool had = leaders_.record(b->hash()) != nullptr;
    if (!leaders_.add(*b)) continue;
    if (!had) recorded.push_back(b);
    for (auto& child : tree_.children(b->hash()))
      if (!leaders_.record(child->hash())) work.push_back(std::move(child));
  }
  return recorded;
}

void BftState::insert_block(TimestampMs now, BlockRef block, std::vector<Action>& out) {
  const Hash& hash = block->hash();
  if (tree_.contains(hash) || block->header().height <= tree_.committed_height()) return;
  tree_.insert(block);
  auto recorded = add_leader_records(block);
  arrival_ms_.emplace(hash, now);
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
  // Blocks deeper down that just got their leader record may be voted now.
  for (const auto& b : recorded)
    if (b != block && b->header().round == current_round_) try_vote(now, b, out);
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
    const auto* record = leaders_.record(b->hash());
    HS_ASSERT_MSG(record, "a committed block has no leader record");
    auto at = out.size();
    append(out, core::CommitBlock{b, qcs[i], *record, {}});
    if (execution_) {
      // Execution's actions follow the commit; its writes join the commit's batch.
      core::ExecutionWrites writes;
      execution_->committed(b, writes, out);
      std::get<core::CommitBlock>(out[at]).execution = std::move(writes);
    }
    leaders_.committed(b->hash());
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
  std::erase_if(held_, [&](const auto& kv) { return !tree_.contains(kv.first); });
  std::erase_if(arrival_ms_, [&](const auto& kv) { return !tree_.contains(kv.first); });
  leaders_.retain([&](const Hash& h) { return tree_.contains(h); });
}

bool BftState::connected(const Hash& h) const {
  return tree_.contains(h) && tree_.uncommitted_chain(h).has_value();
}

void BftState::drive_sync(TimestampMs now, std::vector<Action>& out) {
  if (const auto& target = sync_.target();
      target && (target->height <= tree_.committed_height() || connected(target->block_hash)))
    sync_.reached();
  auto before = sync_.stats().requests;
  auto wake = sync_.poll(now, tree_.committed_height(), committee(), self_, out);
  stats_.sync_requests += sync_.stats().requests - before;
  if (!wake) return;
  auto at = now + *wake;
  if (sync_wake_ms_ && *sync_wake_ms_ <= at && *sync_wake_ms_ > now) return;
  sync_wake_ms_ = at;
  append(out, core::SetTimer{core::TimerId::kSync, *wake});
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

BftState::BlockProblem BftState::block_problem(TimestampMs now, const types::Block& block,
                                               const types::Block& parent) const {
  const auto& h = block.header();
  const auto& ph = parent.header();
  if (h.height != ph.height + 1) return BlockProblem::kInvalid;
  if (h.timestamp_ms < ph.timestamp_ms) return BlockProblem::kInvalid;
  if (h.timestamp_ms + config_.max_timestamp_age_ms < now) return BlockProblem::kInvalid;
  if (block.body().tx_count() > config_.max_txs_per_block) return BlockProblem::kInvalid;
  auto ancestors = tree_.uncommitted_chain(parent.hash());
  if (!ancestors) return BlockProblem::kInvalid;  // the parent does not extend the committed chain
  if (execution_) {
    // Locks, outcomes and the state root (DESIGN §6), from chain content.
    if (execution_->check(block, *ancestors)) return BlockProblem::kInvalid;
  } else {
    if (h.state_root != ph.state_root || h.state_version != ph.state_version)
      return BlockProblem::kInvalid;
    if (!block.body().certificates.empty() || !block.body().deferrals.empty() ||
        !block.body().aborts.empty() || !block.body().proofs.empty())
      return BlockProblem::kInvalid;
  }
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
        return BlockProblem::kInvalid;
      if (already_ordered(tx->hash(), ordered)) return BlockProblem::kInvalid;
    }
  // Everything else holds: a timestamp ahead of the local clock is a matter
  // of time, never a reason to drop the block (DESIGN §5).
  if (h.timestamp_ms > now + config_.max_timestamp_lead_ms) return BlockProblem::kFuture;
  return BlockProblem::kNone;
}

// --- voting, proposing, timing out -------------------------------------------------------

void BftState::try_vote(TimestampMs now, const BlockRef& block, std::vector<Action>& out) {
  const auto& h = block->header();
  if (h.round != current_round_ || equivocators_.contains({h.round, h.proposer})) return;
  // A certified block needs no vote (and a synced one must not get one).
  if (tree_.qc_of(block->hash())) return;
  BlockRef parent = tree_.get(h.parent_hash);
  if (!parent) return;
  auto leader = leaders_.leader(h.round, h.parent_hash);
  if (!leader) return;  // the parent's record comes with its ancestors
  if (*leader != h.proposer) {
    ignore(Ignored::kWrongLeader);
    return;
  }
  switch (block_problem(now, *block, *parent)) {
    case BlockProblem::kNone:
      break;
    case BlockProblem::kFuture:
      hold(now, block, h.timestamp_ms - config_.max_timestamp_lead_ms, out);
      return;
    case BlockProblem::kInvalid:
      ++stats_.invalid_messages;
      ignore(Ignored::kInvalidBlock);
      return;
  }
  const types::TimeoutCertificate* tc = h.timeout_cert ? &*h.timeout_cert : nullptr;
  if (!safety_.try_vote(h.round, h.justify.round, tc)) return;
  held_.erase(block->hash());
  types::BlockVote vote{shard_, h.height, h.round, block->hash(), h.parent_hash, self_, {}};
  vote.signature = signer_->sign(crypto::block_vote_message(vote));
  last_vote_ = vote;
  ++stats_.votes_sent;
  // Votes for round r go to leader(r + 1) named by the voted block.
  auto next =
      leaders_.leader(h.round + 1, block->hash()).value_or(leaders_.round_robin(h.round + 1));
  persist_then_send({core::SendMessage{next, vote}}, out);
}

void BftState::hold(TimestampMs now, const BlockRef& block, TimestampMs at,
                    std::vector<Action>& out) {
  if (!held_.contains(block->hash())) {
    if (held_.size() >= limits::kMaxHeldBlocks) {
      // Room first from blocks whose round passed, then from the one due last.
      std::erase_if(held_, [&](const auto& kv) {
        auto b = tree_.get(kv.first);
        return !b || b->header().round < current_round_;
      });
      if (held_.size() >= limits::kMaxHeldBlocks) {
        auto latest =
            std::max_element(held_.begin(), held_.end(),
                             [](const auto& a, const auto& b) { return a.second < b.second; });
        if (latest->second <= at) {
          ignore(Ignored::kOverLimit);
          return;
        }
        held_.erase(latest);
      }
    }
    held_.emplace(block->hash(), at);
    ++stats_.blocks_held;
  }
  TimestampMs wake = UINT64_MAX;
  for (const auto& [hash, t] : held_)
    wake = std::min(wake, t);
  if (held_wake_ms_ && *held_wake_ms_ <= wake && *held_wake_ms_ > now) return;
  held_wake_ms_ = std::max(wake, now + 1);
  append(out, core::SetTimer{core::TimerId::kHeldBlocks, *held_wake_ms_ - now});
}

void BftState::recheck_held(TimestampMs now, std::vector<Action>& out) {
  std::vector<BlockRef> due;
  for (auto it = held_.begin(); it != held_.end();) {
    auto block = tree_.get(it->first);
    if (!block || block->header().round < current_round_) {
      it = held_.erase(it);  // its round passed
    } else {
      if (it->second <= now && block->header().round == current_round_) due.push_back(block);
      ++it;
    }
  }
  for (const auto& b : due) {
    held_.erase(b->hash());
    try_vote(now, b, out);  // holds it again if the clock is still short
  }
  if (held_.empty() || held_wake_ms_) return;
  TimestampMs wake = UINT64_MAX;
  for (const auto& [hash, t] : held_)
    wake = std::min(wake, t);
  held_wake_ms_ = std::max(wake, now + 1);
  append(out, core::SetTimer{core::TimerId::kHeldBlocks, *held_wake_ms_ - now});
}

void BftState::persist_then_send(std::vector<core::Outbound> messages, std::vector<Action>& out) {
  const auto& state = safety_.state();
  if (auto problem = SafetyRules::problem(state)) HS_ASSERT_MSG(false, problem->data());
  append(out, core::PersistSafetyThenSend{state, std::move(messages)});
}

void BftState::maybe_propose(TimestampMs now, bool tick, std::vector<Action>& out) {
  Round r = current_round_;
  if (safety_.state().highest_proposed_round >= r) return;
  const auto& high_qc = safety_.state().high_qc;
  BlockRef parent = tree_.get(high_qc.block_hash);
  if (!parent) return;
  if (leaders_.leader(r, parent->hash()) != self_) return;
  bool has_qc = high_qc.round + 1 == r;
  bool has_tc = last_round_tc_ && last_round_tc_->round + 1 == r;
  if (!has_qc && !has_tc) return;
  bool rested = last_proposal_ms_ == 0 || now >= last_proposal_ms_ + config_.min_block_interval_ms;
  if (!tick && !rested) return;
  auto ancestors = tree_.uncommitted_chain(parent->hash());
  if (!ancestors) return;
  // Between ticks a leader proposes as soon as it has content: ready
  // transactions, or outcomes its ancestors do not carry yet.
  if (!tick && !mempool_->has_ready() && !(execution_ && execution_->has_outcomes(*ancestors)))
    return;
  // A proposer whose clock is behind the parent's timestamp still proposes:
  // the block takes the parent's timestamp, which every peer that accepted
  // the parent accepts; only its own vote waits for its clock (held).
  TimestampMs timestamp = proposal_timestamp(now, *parent);

  types::BlockBody body;
  auto ordered = ancestor_txs(*ancestors);
  auto ready = [&](const core::ExecutionView::Skip& skip) {
    return mempool_->ready_for_proposal(
        config_.max_txs_per_block, timestamp, [&](const types::Transaction& tx) {
          return already_ordered(tx.hash(), ordered) || (skip && skip(tx));
        });
  };
  if (!execution_) body.txs = ready(nullptr);
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
  if (execution_) {
    auto contents = execution_->propose(*ancestors, parent->header().height + 1, ready);
    body.txs = std::move(contents.txs);
    body.certificates = std::move(contents.certificates);
    h.state_root = contents.state_root;
    h.state_version = contents.state_version;
  }
  h.roots = body.compute_roots();
  h.proposer_signature = signer_->sign(crypto::block_header_message(h.compute_hash()));

  auto proposal = std::make_shared<core::ProposalMessage>();
  proposal->header = h;
  for (const auto& tx : body.txs)
    proposal->tx_hashes.push_back(tx->hash());
  proposal->certificates = body.certificates;
  auto block = types::Block::assemble(std::move(h), std::move(body));
  HS_ASSERT(block);
  arrival_ms_.emplace(block->hash(), now);
  seen_proposals_.emplace(std::make_pair(r, self_), block->hash());
  safety_.set_last_proposal(proposal);
  last_proposal_ms_ = now;
  ++stats_.proposals;

  // The proposal and the leader's own vote leave after one durable write.
  std::vector<core::Outbound> messages;
  messages.push_back(core::BroadcastMessage{shard_, core::ProposalRef(proposal)});
  std::vector<Action> vote_actions;
  tree_.insert(block);
  add_leader_records(block);
  try_vote(now, block, vote_actions);
  for (auto& a : vote_actions) {
    if (auto* p = std::get_if<core::PersistSafetyThenSend>(&a)) {
      for (auto& m : p->messages)
        messages.push_back(std::move(m));
    } else {
      out.push_back(std::move(a));
    }
  }
  persist_then_send(std::move(messages), out);
}

TimestampMs BftState::proposal_timestamp(TimestampMs now, const types::Block& parent) const {
  // DESIGN §5: max(now, parent's timestamp), except that it runs ahead of
  // the parent's by at most the time this node saw pass since the parent
  // arrived, plus a slack for the network. The parent's timestamp was within
  // the lead of a quorum's clocks, and durations are the same on every
  // clock, so a validator whose clock runs fast cannot drag consensus time
  // (and every slower peer's votes) ahead of the others; a synchronized
  // proposer is never capped (now - parent's time is about the latency).
  TimestampMs ts = now;
  if (auto arrived = arrival_ms_.find(parent.hash()); arrived != arrival_ms_.end()) {
    auto elapsed = now - std::min(now, arrived->second);
    ts = std::min(now, parent.header().timestamp_ms + elapsed + limits::kTimestampSlackMs);
    // Never so far behind this node's own clock that honest voters would
    // find it too old: where messages take longer than the slack, the cap
    // would otherwise pull consensus time back by the difference every block.
    ts = std::max(ts, now - std::min(now, config_.max_timestamp_age_ms / 2));
  }
  return std::max(ts, parent.header().timestamp_ms);
}

void BftState::time_out_round(TimestampMs now, std::vector<Action>& out) {
  (void)now;
  Round r = current_round_;
  // Re-arm first: the timer re-broadcasts this round's timeout on every expiry.
  append(out, core::SetTimer{core::TimerId::kRoundTimeout, round_timeout_ms()});
  // Signed already (maybe before a restart): the same timeout again, never a
  // second one for the round.
  if (const auto& last = safety_.state().last_timeout; last && last->round == r) {
    timed_out_current_round_ = true;
    for (auto& m : timeout_messages(r, *last))
      std::visit([&](auto&& message) { append(out, std::move(message)); }, std::move(m));
    return;
  }
  const auto& high_qc = safety_.state().high_qc;
  const types::TimeoutCertificate* tc = last_round_tc_ ? &*last_round_tc_ : nullptr;
  if (!safety_.try_timeout(r, high_qc.round, tc)) return;
  types::Timeout timeout{shard_, r, high_qc, last_round_tc_, self_, {}};
  timeout.signature = signer_->sign(crypto::timeout_message(shard_, r, high_qc.round));
  safety_.set_last_timeout(timeout);
  timed_out_current_round_ = true;
  ++stats_.timeouts_sent;
  persist_then_send(timeout_messages(r, timeout), out);
}

std::vector<core::Outbound> BftState::timeout_messages(Round r,
                                                       const types::Timeout& timeout) const {
  std::vector<core::Outbound> messages;
  // The vote of the round goes to everyone first (DiemBFT's timeout votes,
  // sent apart): if a quorum voted for the block, every node forms its QC,
  // ideally before the TC, so the round's block is certified and a
  // collector that withheld or split the votes leads (and fails) next.
  if (last_vote_ && last_vote_->round == r) {
    messages.emplace_back(core::BroadcastMessage{shard_, *last_vote_});
    messages.emplace_back(core::SendMessage{self_, *last_vote_});
  }
  messages.emplace_back(core::BroadcastMessage{shard_, timeout});
  messages.emplace_back(core::SendMessage{self_, timeout});
  return messages;
}

void BftState::leader_failed(TimestampMs now, types::ValidatorId leader, Round round,
                             std::vector<Action>& out) {
  if (timed_out_current_round_) return;
  bool leads = false;
  if (round == current_round_) {
    // Named by the block a proposal of this round would extend.
    leads = leaders_.leader(round, safety_.state().high_qc.block_hash) == leader;
  } else if (round == current_round_ + 1 && last_vote_ && last_vote_->round == current_round_) {
    // The leader of the next round, named by the block voted for, got the votes.
    leads = leaders_.leader(round, last_vote_->block_hash) == leader;
  }
  if (!leads) return;
  ++stats_.fast_timeouts;
  time_out_round(now, out);
}

void BftState::start_vote_job(const Hash& key, std::vector<Action>& out) {
  auto it = votes_.find(key);
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
  auto old = [&](Round r) { return round_too_old(r); };
  std::erase_if(timeouts_, [&](const auto& kv) { return old(kv.first); });
  std::erase_if(votes_, [&](const auto& kv) { return old(kv.second.round()); });
  // These are ordered by round first: drop from the front (cost ∝ removed).
  auto drop_front = [](auto& ordered, auto&& is_old) {
    while (!ordered.empty() && is_old(*ordered.begin()))
      ordered.erase(ordered.begin());
  };
  auto evidence_old = [&](const auto& key) {
    return key.first + limits::kEvidenceRounds < current_round_;
  };
  drop_front(voter_rounds_, [&](const auto& kv) { return old(kv.first.first); });
  drop_front(proposal_checks_, [&](const auto& kv) { return old(kv.first.first); });
  drop_front(seen_proposals_, [&](const auto& kv) { return evidence_old(kv.first); });
  drop_front(equivocators_, evidence_old);
  drop_front(tc_replies_, evidence_old);
  drop_front(proposal_resends_, [&](const auto& key) { return old(key.first); });
  drop_front(tcs_checked_, old);
  drop_front(qcs_checked_, old);
  drop_front(proofs_checked_, [&](const auto& key) { return old(key.first); });
  std::erase_if(pending_, [&](const auto& kv) { return old(kv.second.header->round); });
}

void BftState::request_block(TimestampMs now, const types::QuorumCertificate& qc,
                             std::vector<Action>& out) {
  // Still assembling it from the proposal: the transaction fetch covers it.
  if (pending_.contains(qc.block_hash) || tree_.contains(qc.block_hash)) return;
  if (block_fetches_.contains(qc.block_hash)) return;
  // Beyond the bound, sync brings it (its target covers every height up to it).
  if (block_fetches_.size() >= limits::kMaxBlockFetches) return;
  auto it = block_fetches_.emplace(qc.block_hash, BlockFetch{qc, 0, 0, {}, false}).first;
  ++stats_.block_fetches;
  send_block_fetch(now, qc.block_hash, it->second, out);
  schedule_fetch(out);
}

void BftState::send_block_fetch(TimestampMs now, const Hash& hash, BlockFetch& fetch,
                                std::vector<Action>& out) {
  // Every signer voted, so held the whole block: ask them in turn, then the
  // rest of the committee (a signer may have lost it in a crash; whoever
  // formed the QC stored it).
  const auto& c = committee();
  std::vector<types::ValidatorId> order;
  for (bool signer : {true, false})
    for (std::uint32_t i = 0; i < c.size(); ++i)
      if (c.at(i).id != self_ &&
          (i < fetch.qc.signers.size() && fetch.qc.signers.test(i)) == signer)
        order.push_back(c.at(i).id);
  fetch.next_ms = now + config_.fetch_retry_ms;
  if (order.empty()) return;
  auto to = order[fetch.attempts++ % order.size()];
  fetch.asked.insert(to);
  fetch.verifying = false;
  append(out, core::SendMessage{to, core::BlockFetchRequest{hash}});
}

void BftState::schedule_fetch(std::vector<Action>& out) {
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
    pb.asked.insert(to);
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
