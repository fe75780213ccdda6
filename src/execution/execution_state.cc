#include "execution/execution_state.h"

#include <algorithm>
#include <set>
#include <utility>

#include "crypto/signing.h"
#include "types/assert.h"

namespace hyperscale::execution {

using core::Action;
using types::Hash;

core::TransactionsExecuted run_execution_job(const core::ExecuteTransactionsJob& job,
                                             const engine::FeeSchedule& fees) {
  engine::MapStateView view(job.reads);
  core::TransactionsExecuted out;
  out.height = job.height;
  out.results.reserve(job.txs.size());
  for (const auto& tx : job.txs) {
    // The job's transactions were ordered together, so they touch disjoint
    // nodes: each reads what the committing block's version held.
    auto outcome = engine::execute(*tx, view, fees);
    out.results.push_back(
        core::ExecutedTransaction{tx->hash(), outcome.success, std::move(outcome.writes)});
  }
  return out;
}

ExecutionState::ExecutionState(ExecutionConfig config, types::Topology topology,
                               types::ValidatorId self,
                               std::shared_ptr<const crypto::Signer> signer, ExecutionStart start)
    : config_(config),
      topology_(std::move(topology)),
      shard_(topology_.shard_of_validator(self).value()),
      self_(self),
      signer_(std::move(signer)),
      state_(std::move(start.state)),
      ledger_(std::move(start.ledger)) {
  HS_ASSERT(ledger_.shard() == shard_ && ledger_.num_shards() == topology_.num_shards());
  HS_ASSERT_MSG(state_.version() == ledger_.height(), "state and ledger at different heights");
  for (const auto& [hash, pending] : ledger_.pending())
    duties_.emplace(hash, Duty{});
}

ExecutionState::ExecutionState(ExecutionConfig config, types::Topology topology,
                               types::ValidatorId self,
                               std::shared_ptr<const crypto::Signer> signer,
                               std::span<const types::StateEntry> genesis,
                               std::span<const types::BlockRef> committed)
    : ExecutionState(config, topology, self, std::move(signer),
                     replay_chain(genesis, committed, topology.shard_of_validator(self).value(),
                                  topology.num_shards())) {}

std::vector<Action> ExecutionState::start(types::TimestampMs now) {
  (void)now;
  std::vector<Action> out;
  std::vector<types::TransactionRef> txs;
  for (const auto& [hash, pending] : ledger_.pending())
    txs.push_back(pending.tx);
  if (!txs.empty()) execute(txs, ledger_.height(), out);
  out.push_back(core::SetTimer{core::TimerId::kExecution, config_.resend_ms});
  return out;
}

// --- consensus's questions ---------------------------------------------------------------

const jmt::TreeUpdateBatch& ExecutionState::batch_for(const types::Block& block,
                                                      std::span<const types::BlockRef> ancestors) {
  if (auto it = batches_.find(block.hash()); it != batches_.end()) return *it->second;
  std::vector<const jmt::TreeUpdateBatch*> below;
  for (std::size_t i = 0; i < ancestors.size(); ++i)
    below.push_back(&batch_for(*ancestors[i], ancestors.first(i)));
  auto writes = block_writes(block, shard_, topology_.num_shards());
  auto batch =
      std::make_unique<jmt::TreeUpdateBatch>(state_.compute(below, block.header().height, writes));
  return *batches_.emplace(block.hash(), std::move(batch)).first->second;
}

core::ExecutionView::Contents ExecutionState::propose(std::span<const types::BlockRef> ancestors,
                                                      types::BlockHeight height,
                                                      const Ready& ready) {
  Contents out;
  AsOfParent view(ledger_, ancestors);
  // Nothing is built on an ancestor that broke the rules (only more than f
  // faulty validators certify one): no root is computed over it, and voters
  // refuse the block whatever it holds.
  if (view.broken()) return out;
  // Outcomes first: they release locks for later blocks.
  const auto& committee = topology_.committee(shard_);
  for (const auto& [hash, duty] : duties_) {
    if (out.certificates.size() >= config_.max_certificates_per_block) break;
    if (duty.certificate && !check_certificate(view, *duty.certificate, committee))
      out.certificates.push_back(duty.certificate);
  }
  // New transactions, within the in-flight limit, none conflicting.
  std::size_t in_flight = view.unfinished_count();
  std::size_t room = in_flight >= config_.hard_in_flight ? 0 : config_.hard_in_flight - in_flight;
  if (in_flight >= config_.soft_in_flight) room /= 2;
  LockTable in_block;
  std::size_t kept = 0;
  auto skip = [&](const types::Transaction& tx) {
    if (kept >= room) return true;
    const auto& access = tx.access();
    if (access.reads.empty() && access.writes.empty()) return true;
    if (tx.attempt() != 0) return true;  // retries need their credential (livelock's issue)
    auto local = local_access(access, shard_, topology_.num_shards());
    if (local.reads.size() != access.reads.size() || local.writes.size() != access.writes.size())
      return true;  // cross-shard: not executed until its issue
    if (!view.can_lock(local) || !in_block.can_lock(local)) return true;
    in_block.lock(tx.hash(), local);
    ++kept;
    return false;
  };
  if (room > 0) out.txs = ready(skip);
  HS_ASSERT_MSG(out.txs.size() == kept, "the mempool kept a transaction the skip refused");
  std::vector<const jmt::TreeUpdateBatch*> below;
  for (std::size_t i = 0; i < ancestors.size(); ++i)
    below.push_back(&batch_for(*ancestors[i], ancestors.first(i)));
  auto writes = block_writes(out.certificates, shard_, topology_.num_shards());
  auto batch = state_.compute(below, height, writes);
  out.state_root = batch.root.hash();
  out.state_version = height;
  return out;
}

core::ExecutionView::Contents ExecutionState::propose_among(
    std::span<const types::BlockRef> ancestors, types::BlockHeight height,
    std::vector<types::TransactionRef> candidates) {
  return propose(ancestors, height, [&](const Skip& skip) {
    std::vector<types::TransactionRef> kept;
    for (auto& tx : candidates)
      if (!skip(*tx)) kept.push_back(std::move(tx));
    return kept;
  });
}

bool ExecutionState::has_outcomes(std::span<const types::BlockRef> ancestors) const {
  std::set<types::Hash> included;
  for (const auto& block : ancestors)
    for (const auto& cert : block->body().certificates)
      included.insert(cert->tx_hash);
  for (const auto& [hash, duty] : duties_)
    if (duty.certificate && ledger_.pending(hash) && !included.contains(hash)) return true;
  return false;
}

std::optional<std::string> ExecutionState::check(const types::Block& block,
                                                 std::span<const types::BlockRef> ancestors) {
  AsOfParent view(ledger_, ancestors);
  if (auto v = check_block(view, block, topology_.committee(shard_))) {
    ++stats_.blocks_refused;
    return std::string(to_string(*v));
  }
  const auto& h = block.header();
  if (h.state_version != h.height) {
    ++stats_.blocks_refused;
    return "state version is not the height";
  }
  if (batch_for(block, ancestors).root.hash() != h.state_root) {
    ++stats_.blocks_refused;
    ++stats_.state_root_mismatches;
    return "state root mismatch";
  }
  return std::nullopt;
}

void ExecutionState::committed(const types::BlockRef& block, core::ExecutionWrites& writes_out,
                               std::vector<Action>& out) {
  const auto height = block->header().height;
  HS_ASSERT_MSG(height == state_.version() + 1, "blocks commit in height order");
  const auto& batch = batch_for(*block, {});
  // A committed root other than this node's own means its state diverged
  // (a corrupted store): reported, and its votes stop counting by themselves.
  if (batch.root.hash() != block->header().state_root) ++stats_.diverged_commits;
  auto fx = ledger_.commit(*block);
  // The store takes the batch's nodes (no reference counts to touch).
  auto entry = batches_.extract(block->hash());
  state_.commit(height, fx.writes, std::move(*entry.mapped()));
  // What storage keeps with the block: its writes and the ledger's changes.
  for (const auto& f : fx.finished)
    writes_out.ledger_erase.push_back(f.tx_hash);
  for (const auto& tx : fx.ordered)
    writes_out.ledger_put.emplace_back(tx->hash(),
                                       encode_ledger_entry(*ledger_.pending(tx->hash())));
  writes_out.state = std::move(fx.writes);
  for (const auto& f : fx.finished) {
    duties_.erase(f.tx_hash);
    if (f.decision == types::Decision::kAccept)
      ++stats_.completed_accept;
    else
      ++stats_.completed_reject;
    emit_status(f.tx_hash, types::TransactionStatus(types::status::Completed{f.decision}), out);
  }
  for (const auto& tx : fx.ordered)
    duties_.emplace(tx->hash(), Duty{});
  if (!fx.ordered.empty()) execute(fx.ordered, height, out);
  stats_.peak_locked_nodes = std::max(stats_.peak_locked_nodes, ledger_.locks().locked_nodes());
  std::erase_if(batches_, [&](const auto& kv) { return kv.second->version <= height; });
  if (!statuses_.empty())
    out.push_back(core::EmitTransactionStatuses{std::exchange(statuses_, {})});
}

// --- executing and voting --------------------------------------------------------------------

void ExecutionState::execute(const std::vector<types::TransactionRef>& txs,
                             types::BlockHeight height, std::vector<Action>& out) {
  core::ExecuteTransactionsJob job;
  job.height = height;
  std::set<types::NodeId> nodes;
  for (const auto& tx : txs) {
    duties_[tx->hash()].executing = true;
    for (const auto* list : {&tx->access().reads, &tx->access().writes})
      nodes.insert(list->begin(), list->end());
    job.txs.push_back(tx);
  }
  for (const auto& node : nodes)
    state_.append_node_entries(node, job.reads);
  stats_.executed += txs.size();
  out.push_back(core::StartJob{std::move(job)});
}

std::vector<Action> ExecutionState::on_executed(types::TimestampMs now,
                                                const core::TransactionsExecuted& result) {
  (void)now;
  std::vector<Action> out;
  core::StateVotesMessage message;
  for (const auto& r : result.results) {
    auto it = duties_.find(r.tx_hash);
    if (it == duties_.end()) continue;  // its outcome committed meanwhile
    Duty& duty = it->second;
    duty.executing = false;
    if (duty.own_vote) continue;
    types::StateVote vote;
    vote.content.tx_hash = r.tx_hash;
    vote.content.shard = shard_;
    vote.content.outcome = types::Executed{r.success, types::entries_root(r.writes)};
    vote.voter = self_;
    vote.signature = signer_->sign(crypto::state_vote_message(vote.content));
    duty.own_vote = vote;
    duty.own_writes = r.writes;
    duty.waiting[self_] = vote;  // verified like any other before it counts
    // Votes that came before this one are judged against it now.
    duty.waiting_power = 0;
    duty.waiting_disagreeing = 0;
    for (const auto& [voter, waiting] : duty.waiting)
      count_waiting(duty, waiting);
    unscheduled_.insert(r.tx_hash);
    message.votes.push_back(vote);
    auto decision = r.success ? types::Decision::kAccept : types::Decision::kReject;
    emit_status(r.tx_hash, types::TransactionStatus(types::status::Executed{decision}), out);
  }
  if (!message.votes.empty()) {
    stats_.votes_sent += message.votes.size();
    out.push_back(core::BroadcastMessage{shard_, std::move(message)});
  }
  schedule_verification(out);
  if (!statuses_.empty())
    out.push_back(core::EmitTransactionStatuses{std::exchange(statuses_, {})});
  return out;
}

std::vector<Action> ExecutionState::on_state_votes(types::TimestampMs now, types::ValidatorId from,
                                                   const core::StateVotesMessage& message) {
  (void)now;
  std::vector<Action> out;
  const auto& committee = topology_.committee(shard_);
  if (!committee.index_of(from)) return out;
  for (const auto& vote : message.votes) {
    if (vote.voter != from || vote.content.shard != shard_) {
      ++stats_.votes_invalid;
      continue;
    }
    auto it = duties_.find(vote.content.tx_hash);
    if (it == duties_.end()) continue;  // not pending here (yet): the sender sends again
    Duty& duty = it->second;
    if (duty.certificate || duty.refused.contains(from) || duty.verified.contains(from) ||
        duty.in_job.contains(from) || duty.waiting.contains(from))
      continue;
    ++stats_.votes_received;
    duty.waiting.emplace(from, vote);
    count_waiting(duty, vote);
    unscheduled_.insert(vote.content.tx_hash);
  }
  schedule_verification(out);
  return out;
}

void ExecutionState::count_waiting(Duty& duty, const types::StateVote& vote) const {
  if (!duty.own_vote) return;
  if (vote.content == duty.own_vote->content) {
    const auto& committee = topology_.committee(shard_);
    // Only members' votes wait (on_state_votes checks the sender).
    if (auto index = committee.index_of(vote.voter))
      duty.waiting_power += committee.at(*index).power;
  } else {
    ++duty.waiting_disagreeing;
  }
}

void ExecutionState::schedule_verification(std::vector<Action>& out) {
  if (verifying_) return;
  const auto& committee = topology_.committee(shard_);
  core::VerifyStateVotesJob job;
  for (const Hash& hash : std::exchange(unscheduled_, {})) {
    auto found = duties_.find(hash);
    if (found == duties_.end()) continue;  // completed meanwhile
    Duty& duty = found->second;
    if (!duty.own_vote || duty.certificate || duty.waiting.empty()) continue;
    if (duty.waiting_disagreeing > 0) {
      // A vote for another outcome never counts toward this one's quorum.
      std::erase_if(duty.waiting, [&](const auto& entry) {
        return entry.second.content != duty.own_vote->content;
      });
      stats_.votes_disagreeing += duty.waiting_disagreeing;
      duty.waiting_disagreeing = 0;
    }
    const types::VotingPower agreeing = duty.verified_power + duty.waiting_power;
    if (duty.waiting.empty() || agreeing < committee.quorum_power()) continue;
    core::StateVoteGroup group;
    group.tx_hash = hash;
    for (auto& [voter, v] : duty.waiting) {
      group.votes.push_back(std::move(v));
      duty.in_job.insert(voter);
    }
    duty.waiting.clear();
    duty.waiting_power = 0;
    for (const auto& [voter, v] : duty.verified)
      group.verified.push_back(v);
    group.writes = duty.own_writes;
    job.groups.push_back(std::move(group));
  }
  if (job.groups.empty()) return;
  verifying_ = true;
  out.push_back(core::StartJob{std::move(job)});
}

std::vector<Action> ExecutionState::on_votes_verified(types::TimestampMs now,
                                                      const core::StateVotesVerified& result) {
  std::vector<Action> out;
  verifying_ = false;
  const auto& committee = topology_.committee(shard_);
  for (const auto& g : result.groups) {
    auto it = duties_.find(g.tx_hash);
    if (it == duties_.end()) continue;
    Duty& duty = it->second;
    duty.in_job.clear();
    unscheduled_.insert(g.tx_hash);  // votes that waited meanwhile may now make a quorum
    for (const auto& v : g.valid)
      if (duty.verified.emplace(v->voter, v).second) {
        // Only members' votes reach a job (on_state_votes checks the sender).
        if (auto index = committee.index_of(v->voter))
          duty.verified_power += committee.at(*index).power;
      }
    for (auto voter : g.invalid) {
      duty.refused.insert(voter);
      ++stats_.votes_invalid;
    }
    if (g.certificate && !duty.certificate) {
      auto cert = std::make_shared<types::TransactionCertificate>();
      cert->tx_hash = g.tx_hash;
      cert->shard_certificates.push_back(*g.certificate);
      duty.certificate = std::move(cert);
      duty.certificate_since = now;
      ++stats_.certificates_formed;
    }
  }
  schedule_verification(out);
  return out;
}

std::vector<Action> ExecutionState::on_certificates(
    types::TimestampMs now, types::ValidatorId from,
    const core::TransactionCertificatesMessage& message) {
  (void)now;
  std::vector<Action> out;
  if (!topology_.committee(shard_).index_of(from)) return out;
  if (certificate_jobs_.contains(from)) {
    ++stats_.certificates_deferred;
    return out;
  }
  core::VerifyTransactionCertificatesJob job;
  job.from = from;
  std::set<types::Hash> in_job;
  AsOfParent committed_view(ledger_, {});
  const auto& committee = topology_.committee(shard_);
  for (const auto& cert : message.certificates) {
    if (!cert) continue;
    auto it = duties_.find(cert->tx_hash);
    if (it == duties_.end() || it->second.certificate) continue;
    if (!in_job.insert(cert->tx_hash).second) continue;  // a copy in the same message
    // Everything but the signature first (the signature covers the content,
    // not the writes): a certificate whose writes break the rules would
    // make every block this node proposes invalid.
    if (check_certificate(committed_view, *cert, committee)) {
      ++stats_.certificates_invalid;
      continue;
    }
    job.certificates.push_back(cert);
  }
  if (!job.certificates.empty()) {
    certificate_jobs_.insert(from);
    out.push_back(core::StartJob{std::move(job)});
  }
  return out;
}

std::vector<Action> ExecutionState::on_certificates_verified(
    types::TimestampMs now, const core::TransactionCertificatesVerified& result) {
  std::vector<Action> out;
  certificate_jobs_.erase(result.from);
  stats_.certificates_invalid += result.invalid;
  for (const auto& cert : result.valid) {
    auto it = duties_.find(cert->tx_hash);
    if (it == duties_.end() || it->second.certificate) continue;
    it->second.certificate = cert;
    it->second.certificate_since = now;
    ++stats_.certificates_received;
  }
  return out;
}

std::vector<Action> ExecutionState::on_timer(types::TimestampMs now) {
  std::vector<Action> out;
  out.push_back(core::SetTimer{core::TimerId::kExecution, config_.resend_ms});
  core::StateVotesMessage votes;
  core::TransactionCertificatesMessage certs;
  std::vector<types::TransactionRef> lost;  // executions whose result never came
  auto flush_votes = [&] {
    if (votes.votes.empty()) return;
    stats_.votes_sent += votes.votes.size();
    out.push_back(core::BroadcastMessage{shard_, std::exchange(votes, {})});
  };
  auto flush_certs = [&] {
    if (certs.certificates.empty()) return;
    out.push_back(core::BroadcastMessage{shard_, std::exchange(certs, {})});
  };
  for (auto& [hash, duty] : duties_) {
    if (duty.certificate) {
      // Still no outcome in a block: peers (a proposer) may lack it.
      if (now >= duty.certificate_since + config_.resend_ms) {
        certs.certificates.push_back(duty.certificate);
        if (certs.certificates.size() >= core::limits::kMaxCertificatesPerMessage) flush_certs();
      }
    } else if (duty.own_vote) {
      votes.votes.push_back(*duty.own_vote);
      if (votes.votes.size() >= core::limits::kMaxStateVotesPerMessage) flush_votes();
    } else if (!duty.executing) {
      if (const auto* p = ledger_.pending(hash)) lost.push_back(p->tx);
    }
  }
  flush_votes();
  flush_certs();
  if (!lost.empty()) execute(lost, ledger_.height(), out);
  return out;
}

void ExecutionState::emit_status(const Hash& tx, types::TransactionStatus status,
                                 std::vector<Action>& out) {
  (void)out;
  statuses_.push_back(core::TransactionStatusUpdate{tx, std::move(status)});
}

void ExecutionState::corrupt_for_test(const types::StateEntry& entry) {
  state_.inject_for_test(entry);
  batches_.clear();  // computed before the corruption
}

}  // namespace hyperscale::execution
