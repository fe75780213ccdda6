#include "simulation/runner.h"

#include <algorithm>

#include "core/genesis.h"
#include "crypto/signing.h"
#include "crypto/validator_keys.h"
#include "engine/substates.h"
#include "execution/state_store.h"
#include "types/assert.h"

namespace hyperscale::simulation {

using core::Action;
using core::Message;
using types::TimestampMs;
using types::ValidatorId;

std::string_view to_string(ByzantineKind kind) {
  switch (kind) {
    case ByzantineKind::kNone:
      return "none";
    case ByzantineKind::kEquivocate:
      return "equivocate";
    case ByzantineKind::kDoubleVote:
      return "double-vote";
    case ByzantineKind::kSilent:
      return "silent";
    case ByzantineKind::kBadSignature:
      return "bad-signature";
    case ByzantineKind::kForgedParent:
      return "forged-parent";
    case ByzantineKind::kWithhold:
      return "withhold";
    case ByzantineKind::kTwin:
      return "twin";
  }
  return "unknown";
}

std::optional<ByzantineKind> byzantine_from_string(std::string_view name) {
  for (auto k : {ByzantineKind::kEquivocate, ByzantineKind::kDoubleVote, ByzantineKind::kSilent,
                 ByzantineKind::kBadSignature, ByzantineKind::kForgedParent,
                 ByzantineKind::kWithhold, ByzantineKind::kTwin})
    if (to_string(k) == name) return k;
  return std::nullopt;
}

namespace {

/// Small, cheap digest of a message for the trace (not its encoding).
void digest(types::Writer& w, const Message& m) {
  w.u8(static_cast<std::uint8_t>(m.index()));
  struct Visitor {
    types::Writer& w;
    void operator()(const core::ProposalRef& p) {
      w.fixed(p->header.compute_hash());
      w.u32(static_cast<std::uint32_t>(p->tx_count()));
    }
    void operator()(const types::BlockVote& v) {
      w.fixed(v.block_hash);
      w.u64(v.round);
      w.u32(v.voter);
      w.raw(types::ByteSpan(v.signature.bytes.data(), 8));
    }
    void operator()(const types::Timeout& t) {
      w.u64(t.round);
      w.u32(t.voter);
      w.u64(t.high_qc.round);
    }
    void operator()(const core::TimeoutCertificateMessage& t) { w.u64(t.tc.round); }
    void operator()(const core::TransactionGossip& g) {
      w.u32(static_cast<std::uint32_t>(g.txs.size()));
      if (!g.txs.empty()) w.fixed(g.txs.front()->hash());
    }
    void operator()(const core::TransactionFetchRequest& r) {
      w.fixed(r.block_hash);
      w.u32(static_cast<std::uint32_t>(r.tx_hashes.size()));
    }
    void operator()(const core::TransactionFetchResponse& r) {
      w.fixed(r.block_hash);
      w.u32(static_cast<std::uint32_t>(r.txs.size()));
    }
    void operator()(const core::SyncRequest& r) {
      w.u64(r.from_height);
      w.u32(r.count);
    }
    void operator()(const core::BlockFetchRequest& r) { w.fixed(r.block_hash); }
    void operator()(const core::BlockFetchResponse& r) { w.fixed(r.block->hash()); }
    void operator()(const core::EquivocationProof& p) {
      w.fixed(p.first.compute_hash());
      w.fixed(p.second.compute_hash());
    }
    void operator()(const core::SyncResponse& r) {
      w.u32(static_cast<std::uint32_t>(r.blocks.size()));
      if (!r.blocks.empty()) w.fixed(r.blocks.front().block->hash());
    }
    void operator()(const core::StateVotesMessage& m) {
      w.u32(static_cast<std::uint32_t>(m.votes.size()));
      if (!m.votes.empty()) w.fixed(m.votes.front().content.tx_hash);
    }
    void operator()(const core::TransactionCertificatesMessage& m) {
      w.u32(static_cast<std::uint32_t>(m.certificates.size()));
      if (!m.certificates.empty()) w.fixed(m.certificates.front()->tx_hash);
    }
  };
  std::visit(Visitor{w}, m);
}

void digest(types::Writer& w, const core::Event& e) {
  w.u8(static_cast<std::uint8_t>(e.index()));
  if (const auto* m = std::get_if<core::MessageReceived>(&e)) {
    w.u32(m->from);
    digest(w, m->message);
  } else if (const auto* t = std::get_if<core::TimerFired>(&e)) {
    w.u8(static_cast<std::uint8_t>(t->timer));
  } else if (const auto* s = std::get_if<core::TransactionSubmitted>(&e)) {
    w.fixed(s->tx->hash());
  } else if (const auto* jc = std::get_if<core::JobCompleted>(&e)) {
    const core::JobResult& j = *jc->result;
    w.u8(static_cast<std::uint8_t>(j.index()));
    if (const auto* v = std::get_if<core::VotesVerified>(&j)) {
      w.fixed(v->block_hash);
      w.u32(static_cast<std::uint32_t>(v->valid.size()));
      w.boolean(v->qc.has_value());
    } else if (const auto* t2 = std::get_if<core::TimeoutsVerified>(&j)) {
      w.u64(t2->round);
      w.u32(static_cast<std::uint32_t>(t2->valid.size()));
      w.boolean(t2->tc.has_value());
    } else if (const auto* tx = std::get_if<core::TransactionsVerified>(&j)) {
      w.u32(static_cast<std::uint32_t>(tx->valid.size()));
      w.u32(static_cast<std::uint32_t>(tx->invalid.size()));
    } else if (const auto* p = std::get_if<core::ProposalVerified>(&j)) {
      w.fixed(p->proposal->header.compute_hash());
      w.boolean(p->result.has_value());
    } else if (const auto* ex = std::get_if<core::TransactionsExecuted>(&j)) {
      w.u64(ex->height);
      for (const auto& r : ex->results) {
        w.raw(types::ByteSpan(r.tx_hash.bytes.data(), 8));
        w.boolean(r.success);
      }
    } else if (const auto* sv = std::get_if<core::StateVotesVerified>(&j)) {
      for (const auto& g : sv->groups) {
        w.raw(types::ByteSpan(g.tx_hash.bytes.data(), 8));
        w.u32(static_cast<std::uint32_t>(g.valid.size()));
        w.boolean(g.certificate.has_value());
      }
    }
  }
}

void digest(types::Writer& w, const Action& a) {
  w.u8(static_cast<std::uint8_t>(a.index()));
  if (const auto* s = std::get_if<core::SendMessage>(&a)) {
    w.u32(s->to);
    digest(w, s->message);
  } else if (const auto* b = std::get_if<core::BroadcastMessage>(&a)) {
    w.u32(b->shard);
    digest(w, b->message);
  } else if (const auto* p = std::get_if<core::PersistSafetyThenSend>(&a)) {
    w.u64(p->state.highest_voted_round);
    w.u64(p->state.highest_qc_round);
    w.u64(p->state.highest_proposed_round);
    w.u32(static_cast<std::uint32_t>(p->messages.size()));
  } else if (const auto* t = std::get_if<core::SetTimer>(&a)) {
    w.u8(static_cast<std::uint8_t>(t->timer));
    w.u64(t->after_ms);
  } else if (const auto* c = std::get_if<core::CommitBlock>(&a)) {
    w.fixed(c->block->hash());
  } else if (const auto* st = std::get_if<core::EmitTransactionStatuses>(&a)) {
    w.u32(static_cast<std::uint32_t>(st->updates.size()));
    for (const auto& u : st->updates) {
      w.raw(types::ByteSpan(u.tx_hash.bytes.data(), 8));
      w.u8(static_cast<std::uint8_t>(u.status.value().index()));
    }
  }
}

}  // namespace

SimulationRunner::SimulationRunner(SimConfig config)
    : config_(std::move(config)),
      rng_(config_.seed),
      network_(config_.network,
               [this](ValidatorId v) { return topology_.shard_of_validator(v).value_or(0); }),
      trace_(std::make_unique<types::Hasher>()) {
  HS_ASSERT(config_.shards > 0 && config_.validators_per_shard > 0);
  // Keys are derived from the seed: validator i's master seed is H(seed, i).
  crypto::MasterSeed network_seed{};
  for (int i = 0; i < 8; ++i)
    network_seed[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(config_.seed >> (8 * i));
  std::vector<types::Committee> committees;
  std::map<ValidatorId, std::shared_ptr<const crypto::Signer>> signers;
  for (types::ShardId s = 0; s < config_.shards; ++s) {
    std::vector<types::ValidatorInfo> members;
    for (std::uint32_t i = 0; i < config_.validators_per_shard; ++i) {
      ValidatorId id = s * config_.validators_per_shard + i;
      auto keys =
          crypto::derive_validator_keys(config_.crypto, crypto::derive_seed(network_seed, id));
      members.push_back(keys.info(id, 1));
      signers[id] = std::shared_ptr<const crypto::Signer>(std::move(keys.bls));
    }
    committees.emplace_back(s, std::move(members));
  }
  topology_ = std::move(*types::Topology::make(std::move(committees)));
  verifier_ = std::move(*crypto::Verifier::make(config_.crypto, topology_));
  job_context_.verifier = verifier_.get();
  job_context_.mock_transaction_signatures = config_.crypto == crypto::SchemeKind::kMock;
  HS_ASSERT(config_.genesis_state.empty() || config_.genesis_state.size() == config_.shards);
  for (types::ShardId s = 0; s < config_.shards; ++s) {
    types::Hash root;
    if (!config_.genesis_state.empty()) {
      root = execution::StateStore(config_.genesis_state[s]).root();
      auto sorted = config_.genesis_state[s];
      std::sort(sorted.begin(), sorted.end(),
                [](const auto& a, const auto& b) { return a.key < b.key; });
      genesis_states_.push_back(
          std::make_shared<const std::vector<types::StateEntry>>(std::move(sorted)));
    } else {
      genesis_states_.push_back(nullptr);
    }
    genesis_blocks_.push_back(core::genesis_block(s, root));
    job_context_.genesis_hashes.push_back(genesis_blocks_.back()->hash());
  }
  if (!config_.genesis_state.empty()) {
    outcomes_.resize(config_.shards);
    invariants_.enable_execution();
  }
  if (!config_.genesis_state.empty())
    job_context_.execute =
        [fees = config_.node.execution.fees](const core::ExecuteTransactionsJob& j) {
          return execution::run_execution_job(j, fees);
        };
  for (auto& [id, signer] : signers) {
    NodeSlot slot;
    slot.signer = signer;
    auto shard = *topology_.shard_of_validator(id);
    slot.storage = std::make_unique<SimStorage>(genesis_blocks_[shard], genesis_states_[shard]);
    if (config_.max_clock_skew_ms)
      slot.skew_ms = rng_.between(-static_cast<std::int64_t>(config_.max_clock_skew_ms),
                                  static_cast<std::int64_t>(config_.max_clock_skew_ms));
    if (auto it = config_.clock_offsets_ms.find(id); it != config_.clock_offsets_ms.end())
      slot.skew_ms = it->second;
    nodes_.emplace(id, std::move(slot));
  }
}

SimulationRunner::~SimulationRunner() = default;

std::vector<ValidatorId> SimulationRunner::validators() const {
  std::vector<ValidatorId> out;
  for (const auto& [id, slot] : nodes_)
    if (!(id & kTwinBit)) out.push_back(id);
  return out;
}

void SimulationRunner::add_twin(ValidatorId v, std::vector<ValidatorId> peers) {
  auto& original = nodes_.at(v);
  HS_ASSERT_MSG(!original.machine, "twins are added before start()");
  NodeSlot twin;
  twin.signer = original.signer;
  auto shard = *topology_.shard_of_validator(v);
  twin.storage = std::make_unique<SimStorage>(genesis_blocks_[shard], genesis_states_[shard]);
  twin.skew_ms = original.skew_ms;
  twin.byzantine = ByzantineKind::kTwin;
  twin.twin_peers = peers;
  original.byzantine = ByzantineKind::kTwin;
  original.twin_peers = std::move(peers);
  nodes_.emplace(v | kTwinBit, std::move(twin));
}

bool SimulationRunner::twin_link(Instance from, Instance to) const {
  auto listed = [](const NodeSlot& slot, ValidatorId peer) {
    return std::find(slot.twin_peers.begin(), slot.twin_peers.end(), peer) != slot.twin_peers.end();
  };
  // Each end that belongs to a twin pair decides by its side: the twin
  // instance talks only with its listed peers, the original only with the rest.
  for (auto [self, other] : {std::pair{from, to}, std::pair{to, from}}) {
    const auto& slot = nodes_.at(self);
    if (slot.byzantine != ByzantineKind::kTwin) continue;
    if (validator_of(self) == validator_of(other)) return false;  // the two halves never talk
    bool is_twin = (self & kTwinBit) != 0;
    if (listed(slot, validator_of(other)) != is_twin) return false;
  }
  return true;
}

std::vector<ValidatorId> SimulationRunner::validators_of(types::ShardId shard) const {
  std::vector<ValidatorId> out;
  for (const auto& m : topology_.committee(shard).members())
    out.push_back(m.id);
  return out;
}

types::BlockHeight SimulationRunner::committed_height(types::ShardId shard) const {
  types::BlockHeight h = 0;
  for (auto v : validators_of(shard))
    h = std::max(h, nodes_.at(v).storage->committed_height());
  return h;
}

types::TimestampMs SimulationRunner::consensus_time(types::ShardId shard) const {
  types::TimestampMs t = 0;
  for (auto v : validators_of(shard))
    t = std::max(t, nodes_.at(v).storage->committed_timestamp());
  return t;
}

std::uint64_t SimulationRunner::committed_block_count() const {
  std::uint64_t n = 0;
  for (types::ShardId s = 0; s < config_.shards; ++s)
    n += committed_height(s);
  return n;
}

std::uint64_t SimulationRunner::view_changes() const {
  std::uint64_t n = 0;
  for (const auto& [id, slot] : nodes_) {
    auto v = slot.past_rounds_entered_by_tc;
    if (slot.machine) v += slot.machine->bft().stats().rounds_entered_by_tc;
    n = std::max(n, v);
  }
  return n;
}

std::uint64_t SimulationRunner::timeouts_sent() const {
  std::uint64_t n = 0;
  for (const auto& [id, slot] : nodes_) {
    n += slot.past_timeouts_sent;
    if (slot.machine) n += slot.machine->bft().stats().timeouts_sent;
  }
  return n;
}

OfferedLoad SimulationRunner::offered_load(TimestampMs from_ms, TimestampMs to_ms) const {
  OfferedLoad out;
  auto first = (from_ms + kSubmissionSlotMs - 1) / kSubmissionSlotMs;
  auto end =
      std::min<std::size_t>(slots_.size(), (to_ms + kSubmissionSlotMs - 1) / kSubmissionSlotMs);
  for (auto i = first; i < end; ++i) {
    out.offered += slots_[i].offered;
    out.refused += slots_[i].refused;
    out.committed += slots_[i].committed;
  }
  return out;
}

SubmissionSlot& SimulationRunner::slot_of(TimestampMs submitted_ms) {
  auto i = submitted_ms / kSubmissionSlotMs;
  if (i >= slots_.size()) slots_.resize(i + 1);
  return slots_[i];
}

std::vector<ValidatorView> SimulationRunner::validator_views() const {
  std::vector<ValidatorView> out;
  out.reserve(nodes_.size());
  for (const auto& [id, slot] : nodes_)
    if (!(id & kTwinBit))
      out.push_back({id, topology_.shard_of_validator(id).value_or(0),
                     slot.storage->committed_height(),
                     slot.machine ? slot.machine->bft().current_round() : 0,
                     slot.machine != nullptr && slot.byzantine == ByzantineKind::kNone});
  return out;
}

void SimulationRunner::trace_line(Instance v, char kind, std::string_view name) {
  std::string line = std::to_string(now_) + ' ' + std::to_string(validator_of(v));
  if (v & kTwinBit) line += '\'';
  line += ' ';
  line += kind;
  line += ' ';
  line += name;
  line += ' ';
  line += types::to_hex(trace_buffer_.bytes());
  trace_sink_(line);
}

ValidatorCounters SimulationRunner::counters(ValidatorId v) const {
  const auto& slot = nodes_.at(v);
  ValidatorCounters c;
  c.proposals = slot.past_proposals;
  c.timeouts_sent = slot.past_timeouts_sent;
  c.rounds_entered_by_tc = slot.past_rounds_entered_by_tc;
  c.crashes = slot.crashes;
  c.up = slot.machine != nullptr;
  if (slot.machine) {
    c.round = slot.machine->bft().current_round();
    c.proposals += slot.machine->bft().stats().proposals;
    c.timeouts_sent += slot.machine->bft().stats().timeouts_sent;
    c.rounds_entered_by_tc += slot.machine->bft().stats().rounds_entered_by_tc;
  }
  return c;
}

types::Hash SimulationRunner::trace_hash() const {
  types::Hasher copy = *trace_;
  return copy.finish();
}

void SimulationRunner::boot(Instance v, bool fresh) {
  auto& slot = nodes_.at(v);
  auto recovered = slot.storage->recover();
  if (!fresh)
    invariants_.on_restart(v, recovered.committed_tip->header().height,
                           recovered.committed_tip->hash(), now_);
  slot.committed = recovered.committed_tip->header().height;
  std::optional<execution::ExecutionStart> execution;
  if (executes()) execution = start_execution(v, fresh);
  slot.machine = std::make_unique<node::NodeStateMachine>(config_.node, topology_, validator_of(v),
                                                          slot.signer, std::move(recovered),
                                                          std::move(execution));
  slot.timer_seq.clear();
  auto skewed = static_cast<std::int64_t>(now_) + slot.skew_ms;
  slot.machine->set_time(static_cast<TimestampMs>(std::max<std::int64_t>(0, skewed)));
  execute(v, slot.machine->start());
}

execution::ExecutionStart SimulationRunner::start_execution(Instance v, bool fresh) {
  auto& slot = nodes_.at(v);
  auto shard = *topology_.shard_of_validator(validator_of(v));
  auto restored = execution::restore(slot.storage->recover_execution(), shard, config_.shards);
  auto replay = [&] {
    return execution::replay_chain(*genesis_states_[shard], slot.storage->committed_blocks(), shard,
                                   config_.shards);
  };
  if (!restored) {
    // A corrupted store: the chain it also holds gives the same start.
    HS_ASSERT_MSG(!fresh, "a fresh storage fails its own checks");
    ++stats_.execution_replays;
    last_execution_restore_error_ = restored.error();
    return replay();
  }
  if (fresh) return std::move(*restored);
  // The stored ledger must be the one the stored chain derives (a check
  // production cannot afford on every start; here it is cheap).
  ++stats_.execution_restores;
  execution::ExecutionLedger derived(shard, config_.shards);
  for (const auto& block : slot.storage->committed_blocks())
    derived.commit(*block);
  if (!restored->ledger.same_as(derived))
    invariants_.report_execution("restored_ledger",
                                 "validator " + std::to_string(validator_of(v)) +
                                     ": the ledger its storage kept differs from the one its "
                                     "chain derives");
  return std::move(*restored);
}

void SimulationRunner::start() {
  invariants_.set_instances(nodes_.size());
  for (const auto& [instance, slot] : nodes_)
    boot(instance, true);
}

void SimulationRunner::push(TimestampMs at, core::EventPriority priority, Instance node,
                            QueueItem item) {
  queue_.emplace(EventKey{at, priority, node, seq_++}, std::move(item));
}

void SimulationRunner::schedule(TimestampMs at, std::function<void(SimulationRunner&)> fn) {
  push(std::max(at, now_), core::EventPriority::kInternal, UINT32_MAX, std::move(fn));
}

void SimulationRunner::submit(const types::TransactionRef& tx, ValidatorId to) {
  const auto& access = tx->access();
  types::ShardId shard = access.writes.empty() ? 0 : topology_.shard_of(access.writes.front());
  if (txs_.emplace(tx->hash(), TxRecord{shard, now_, tx->payload().valid_until_ms})) {
    ++submitted_txs_;
    ++slot_of(now_).offered;
  }
  push(now_, core::EventPriority::kClient, to,
       NodeEvent{to, std::nullopt, core::TransactionSubmitted{tx}});
}

void SimulationRunner::crash(ValidatorId v, bool after_next_persist) {
  auto& slot = nodes_.at(v);
  if (!slot.machine) return;
  if (after_next_persist) {
    slot.crash_after_next_persist = true;
    return;
  }
  const auto& stats = slot.machine->bft().stats();
  slot.past_timeouts_sent += stats.timeouts_sent;
  slot.past_rounds_entered_by_tc += stats.rounds_entered_by_tc;
  slot.past_proposals += stats.proposals;
  ++slot.crashes;
  if (!(v & kTwinBit)) crash_log_.push_back({now_, v, true});
  slot.machine.reset();
  ++slot.incarnation;
  slot.crash_after_next_persist = false;
  // Timers and in-flight job results die with the process.
  for (auto it = queue_.begin(); it != queue_.end();) {
    const auto* e = std::get_if<NodeEvent>(&it->second);
    if (e && e->node == v && e->incarnation)
      it = queue_.erase(it);
    else
      ++it;
  }
  ++stats_.crashes;
}

void SimulationRunner::restart(ValidatorId v) {
  if (nodes_.at(v).machine) return;
  ++stats_.restarts;
  if (!(v & kTwinBit)) crash_log_.push_back({now_, v, false});
  statuses_.erase(v);
  boot(v, false);
}

void SimulationRunner::run_until(TimestampMs until_ms) {
  while (!queue_.empty() && queue_.begin()->first.time <= until_ms) {
    auto node = queue_.extract(queue_.begin());
    now_ = node.key().time;
    if (auto* fn = std::get_if<std::function<void(SimulationRunner&)>>(&node.mapped())) {
      (*fn)(*this);
      continue;
    }
    auto& e = std::get<NodeEvent>(node.mapped());
    auto& slot = nodes_.at(e.node);
    if (!slot.machine) continue;  // addressed to a crashed node
    if (e.incarnation && *e.incarnation != slot.incarnation) continue;
    if (const auto* t = std::get_if<core::TimerFired>(&e.event)) {
      auto it = slot.timer_seq.find(t->timer);
      if (it == slot.timer_seq.end() || it->second != node.key().seq) continue;  // replaced
      slot.timer_seq.erase(it);
    }
    deliver(e.node, e.event);
    sample_liveness();
    if (should_stop()) return;  // the first violation, or Ctrl-C
  }
  now_ = std::max(now_, until_ms);
  sample_liveness();
}

void SimulationRunner::sample_liveness() {
  if (now_ < next_sample_ms_) return;
  next_sample_ms_ = now_ + kLivenessSampleMs;
  auto views = validator_views();
  invariants_.sample(now_, views);
  expire_pending();
}

void SimulationRunner::expire_pending() {
  constexpr core::DurationMs kExpiryScanMs = 1000;
  if (now_ < next_expiry_ms_) return;
  next_expiry_ms_ = now_ + kExpiryScanMs;
  std::vector<types::TimestampMs> consensus(config_.shards);
  for (types::ShardId s = 0; s < config_.shards; ++s)
    consensus[s] = consensus_time(s);
  std::vector<types::Hash> expired;
  txs_.for_each([&](const types::Hash& hash, const TxRecord& rec) {
    if (rec.valid_until_ms < consensus[rec.shard]) expired.push_back(hash);
  });
  for (const auto& hash : expired)
    txs_.erase(hash);
  expired_txs_ += expired.size();
}

void SimulationRunner::deliver(Instance v, const core::Event& event) {
  auto& slot = nodes_.at(v);
  // Sync requests are answered by the runner from the node's storage, as the
  // production runner answers them from RocksDB.
  if (const auto* m = std::get_if<core::MessageReceived>(&event))
    if (const auto* req = std::get_if<core::SyncRequest>(&m->message)) {
      ++stats_.events_processed;
      serve_sync(v, m->from, *req);
      return;
    }
  ++stats_.events_processed;
  auto& w = trace_buffer_;
  w.clear();
  w.u64(now_);
  w.u32(v);
  digest(w, event);
  trace_->update(w.bytes());
  if (trace_sink_) {
    const auto* m = std::get_if<core::MessageReceived>(&event);
    trace_line(v, 'E', m ? core::message_type_name(m->message) : core::event_name(event));
  }
  auto skewed = static_cast<std::int64_t>(now_) + slot.skew_ms;
  slot.machine->set_time(static_cast<TimestampMs>(std::max<std::int64_t>(0, skewed)));
  execute(v, slot.machine->handle(event));
}

void SimulationRunner::execute(Instance v, std::vector<Action> actions) {
  for (auto& action : actions) {
    auto& slot = nodes_.at(v);
    if (!slot.machine) return;  // crashed inside this step
    ++stats_.actions;
    auto& w = trace_buffer_;
    w.clear();
    digest(w, action);
    trace_->update(w.bytes());
    if (trace_sink_) trace_line(v, 'A', core::action_name(action));
    std::visit(
        [&](auto& a) {
          using T = std::decay_t<decltype(a)>;
          if constexpr (std::is_same_v<T, core::SendMessage>) {
            send_outbound(v, a);
          } else if constexpr (std::is_same_v<T, core::BroadcastMessage>) {
            send_outbound(v, a);
          } else if constexpr (std::is_same_v<T, core::PersistSafetyThenSend>) {
            slot.storage->persist_safety(a.state);
            slot.storage->count_safety_write();
            if (slot.crash_after_next_persist) {
              crash(v, false);
              return;
            }
            for (const auto& out : a.messages)
              send_outbound(v, out);
          } else if constexpr (std::is_same_v<T, core::SetTimer>) {
            auto seq = seq_;
            push(now_ + a.after_ms, core::EventPriority::kTimer, v,
                 NodeEvent{v, slot.incarnation, core::TimerFired{a.timer}});
            slot.timer_seq[a.timer] = seq;
          } else if constexpr (std::is_same_v<T, core::CancelTimer>) {
            slot.timer_seq.erase(a.timer);
          } else if constexpr (std::is_same_v<T, core::StartJob>) {
            ++stats_.jobs;
            auto result = run_job(std::move(a.job));
            auto delay = config_.max_job_delay_ms ? rng_.below(config_.max_job_delay_ms + 1) : 0;
            push(now_ + delay, core::EventPriority::kInternal, v,
                 NodeEvent{v, slot.incarnation,
                           core::JobCompleted{
                               std::make_shared<const core::JobResult>(std::move(result))}});
          } else if constexpr (std::is_same_v<T, core::StoreCertifiedBlock>) {
            slot.storage->store_certified(a.block, a.qc);
          } else if constexpr (std::is_same_v<T, core::CommitBlock>) {
            slot.storage->commit(a.block, a.qc, a.leader_record, a.execution);
            auto shard = a.block->header().shard;
            invariants_.on_commit(v, shard, *a.block, now_, slot.byzantine == ByzantineKind::kNone);
            if (executes() && slot.byzantine == ByzantineKind::kNone) check_state_root(v, *a.block);
            slot.committed = a.block->header().height;
            ++slot.commits;
            // The first validator to commit a height records its txs (agreement
            // makes every later commit of that height the same block).
            auto& recorded = recorded_height_[shard];
            if (a.block->header().height > recorded) {
              recorded = a.block->header().height;
              for (const auto* section : {&a.block->body().retry_txs, &a.block->body().priority_txs,
                                          &a.block->body().txs})
                for (const auto& tx : *section) {
                  auto* rec = txs_.find(tx->hash());
                  if (!rec) continue;  // not submitted here, or counted already
                  auto latency = now_ - rec->submitted_ms;
                  ++committed_txs_;
                  ++slot_of(rec->submitted_ms).committed;
                  latencies_.add(latency);
                  if (now_ >= measure_from_ms_) ++measured_commits_;
                  if (rec->submitted_ms >= measure_from_ms_) measured_latencies_.add(latency);
                  if (record_latencies_)
                    commit_latencies_[shard].push_back(static_cast<std::uint32_t>(latency));
                  if (executes())
                    completing_.emplace(tx->hash(), Completing{rec->submitted_ms, now_});
                  txs_.erase(tx->hash());
                }
              if (executes()) record_outcomes(v, *a.block);
            }
          } else if constexpr (std::is_same_v<T, core::EmitTransactionStatuses>) {
            if (executes() && slot.byzantine == ByzantineKind::kNone) check_statuses(v, a);
          } else if constexpr (std::is_same_v<T, core::SubmissionRejected>) {
            ++stats_.submissions_rejected;
            if (auto* rec = txs_.find(a.tx_hash)) {
              ++slot_of(rec->submitted_ms).refused;
              txs_.erase(a.tx_hash);  // a refused submission never commits
            }
          } else if constexpr (std::is_same_v<T, core::EquivocationDetected>) {
            ++stats_.equivocations_reported;
          }
        },
        action);
  }
}

void SimulationRunner::check_state_root(Instance v, const types::Block& block) {
  const auto* node = nodes_.at(v).machine.get();
  const auto* ex = node ? node->execution() : nullptr;
  if (!ex || ex->state().version() != block.header().height) return;  // a later commit of the step
  if (ex->state().root() != block.header().state_root)
    invariants_.report_execution(
        "state_root", "validator " + std::to_string(validator_of(v)) + " holds state root " +
                          ex->state().root().hex().substr(0, 16) + " at height " +
                          std::to_string(block.header().height) + ", the chain " +
                          block.header().state_root.hex().substr(0, 16));
}

void SimulationRunner::check_statuses(Instance v, const core::EmitTransactionStatuses& update) {
  auto& table = statuses_[v];
  for (const auto& u : update.updates) {
    if (auto* last = table.find(u.tx_hash)) {
      if (!last->can_transition_to(u.status))
        invariants_.report_execution("status_lifecycle",
                                     "validator " + std::to_string(validator_of(v)) + ": tx " +
                                         u.tx_hash.hex().substr(0, 16) + " went from " +
                                         last->to_string() + " to " + u.status.to_string());
      *last = u.status;
    } else {
      table.emplace(u.tx_hash, u.status);
    }
    if (u.status.is_final()) table.erase(u.tx_hash);
  }
}

void SimulationRunner::record_outcomes(Instance v, const types::Block& block) {
  (void)v;
  auto shard = block.header().shard;
  for (const auto& cert : block.body().certificates) {
    if (!outcomes_[shard].insert(cert->tx_hash)) {
      invariants_.report_execution("completed_once", "tx " + cert->tx_hash.hex().substr(0, 16) +
                                                         " has a second outcome at height " +
                                                         std::to_string(block.header().height));
      continue;
    }
    if (cert->decision() == types::Decision::kAccept)
      ++completed_txs_;
    else
      ++rejected_txs_;
    if (now_ >= measure_from_ms_) ++measured_completions_;
    if (auto* c = completing_.find(cert->tx_hash)) {
      completion_latencies_.add(now_ - c->submitted_ms);
      if (c->submitted_ms >= measure_from_ms_)
        measured_completion_latencies_.add(now_ - c->submitted_ms);
      completing_.erase(cert->tx_hash);
    }
  }
}

std::size_t SimulationRunner::in_flight_committed_before(types::TimestampMs t) const {
  std::size_t n = 0;
  completing_.for_each([&](const types::Hash&, const Completing& c) {
    if (c.committed_ms < t) ++n;
  });
  return n;
}

void SimulationRunner::finish_execution(types::TimestampMs faults_end_ms,
                                        core::DurationMs bound_ms) {
  if (!executes()) return;
  if (stats_.execution_restores == 0)
    invariants_.execution_unchecked(
        "restored_ledger",
        "not checked: no restart reloaded a stored ledger (" + std::to_string(stats_.restarts) +
            " restarts, " + std::to_string(stats_.execution_replays) +
            " of them replayed their chain over a store that failed its checks)");
  for (types::ShardId shard = 0; shard < config_.shards; ++shard) {
    // The tallest honest live validator of the shard speaks for it.
    const execution::ExecutionState* ex = nullptr;
    Instance who = 0;
    for (auto v : validators_of(shard)) {
      const auto& slot = nodes_.at(v);
      if (!slot.machine || slot.byzantine != ByzantineKind::kNone) continue;
      const auto* e = slot.machine->execution();
      if (e && (!ex || e->state().version() > ex->state().version())) {
        ex = e;
        who = v;
      }
    }
    if (!ex) {
      invariants_.execution_unchecked("supply", "not checked: no honest validator of shard " +
                                                    std::to_string(shard) + " is up");
      continue;
    }
    auto genesis = engine::total_supply(config_.genesis_state[shard]);
    auto now_supply = engine::total_supply(ex->state().values());
    if (!genesis || !now_supply || *genesis != *now_supply)
      invariants_.report_execution(
          "supply", "shard " + std::to_string(shard) + ": the supply of validator " +
                        std::to_string(validator_of(who)) + "'s state differs from genesis");
    // Balances: genesis plus every transfer whose Accept outcome the chain holds.
    std::map<types::Hash, const types::Transaction*> ordered;
    std::map<types::NodeId, std::int64_t> delta;
    auto blocks = nodes_.at(who).storage->committed_blocks();
    for (const auto& b : blocks)
      for (const auto* section : {&b->body().retry_txs, &b->body().priority_txs, &b->body().txs})
        for (const auto& tx : *section)
          ordered.emplace(tx->hash(), tx.get());
    for (const auto& b : blocks)
      for (const auto& cert : b->body().certificates) {
        if (cert->decision() != types::Decision::kAccept) continue;
        auto it = ordered.find(cert->tx_hash);
        if (it == ordered.end()) continue;
        for (const auto& ins : it->second->payload().instructions)
          if (const auto* t = std::get_if<types::Transfer>(&ins); t && t->from != t->to) {
            delta[t->from] -= static_cast<std::int64_t>(t->amount);
            delta[t->to] += static_cast<std::int64_t>(t->amount);
          }
      }
    engine::MapStateView genesis_view(config_.genesis_state[shard]);
    for (const auto& [account, d] : delta) {
      auto key = engine::balance_key(account, engine::native_resource());
      auto before = genesis_view.get(key);
      auto after = ex->state().get(key);
      std::int64_t b0 =
          before ? static_cast<std::int64_t>(engine::decode_amount(*before).value_or(0)) : 0;
      std::int64_t b1 =
          after ? static_cast<std::int64_t>(engine::decode_amount(*after).value_or(0)) : 0;
      if (b0 + d != b1) {
        invariants_.report_execution("balances", "shard " + std::to_string(shard) +
                                                     ": an account holds " + std::to_string(b1) +
                                                     ", the chain's transfers give " +
                                                     std::to_string(b0 + d));
        break;
      }
    }
  }
  // Completion: every transaction committed `bound_ms` before the end (and
  // after the faults stopped) has its outcome committed.
  if (now_ < faults_end_ms + bound_ms) {
    invariants_.execution_unchecked(
        "completion",
        "not checked: the run ended less than " + std::to_string(bound_ms) +
            " ms after the faults stopped (every committed transaction gets that long to "
            "complete); run longer");
    return;
  }
  std::size_t late = 0;
  completing_.for_each([&](const types::Hash&, const Completing& c) {
    if (std::max(c.committed_ms, faults_end_ms) + bound_ms <= now_) ++late;
  });
  if (late > 0)
    invariants_.report_execution("completion",
                                 std::to_string(late) + " committed transactions have no outcome " +
                                     std::to_string(bound_ms) + " ms after their commit");
}

core::JobResult SimulationRunner::run_job(core::Job job) {
  const auto* pj = std::get_if<core::VerifyProposalJob>(&job);
  if (!pj || !pj->proposal) return core::run_job(job_context_, std::move(job));
  auto from = pj->from;
  auto it = proposal_memo_.find(pj->proposal.get());
  if (it == proposal_memo_.end()) {
    constexpr std::size_t kMemoSize = 256;
    if (proposal_memo_order_.size() == kMemoSize) {
      proposal_memo_.erase(proposal_memo_order_.front().get());
      proposal_memo_order_.pop_front();
    }
    proposal_memo_order_.push_back(pj->proposal);
    auto key = pj->proposal.get();
    auto result = std::get<core::ProposalVerified>(core::run_job(job_context_, std::move(job)));
    it = proposal_memo_.emplace(key, std::move(result)).first;
  }
  auto out = it->second;
  out.from = from;
  return out;
}

void SimulationRunner::send_outbound(Instance from, const core::Outbound& out) {
  if (const auto* s = std::get_if<core::SendMessage>(&out)) {
    send(from, s->to, s->message);
    return;
  }
  const auto& b = std::get<core::BroadcastMessage>(out);
  auto size = core::encoded_size(b.message);  // once for every recipient
  for (const auto& m : topology_.committee(b.shard).members())
    if (m.id != validator_of(from)) send(from, m.id, b.message, size);
}

void SimulationRunner::send(Instance from, ValidatorId to, const Message& message,
                            std::optional<std::size_t> known_size) {
  auto& slot = nodes_.at(from);
  std::vector<std::pair<ValidatorId, Message>> copies;
  if (slot.byzantine == ByzantineKind::kNone)
    copies.emplace_back(to, message);
  else
    copies = byzantine_transform(from, to, message);
  for (auto& [dest, msg] : copies) {
    if (slot.byzantine == ByzantineKind::kNone) {
      if (const auto* vote = std::get_if<types::BlockVote>(&msg))
        invariants_.on_vote_sent(from, vote->round, vote->block_hash);
      if (const auto* timeout = std::get_if<types::Timeout>(&msg)) {
        types::Timeout unsigned_copy = *timeout;
        unsigned_copy.signature = {};
        invariants_.on_timeout_sent(from, timeout->round,
                                    types::hash_bytes(types::encode(unsigned_copy)));
      }
    }
    // Every instance of the destination validator (a twin pair has two).
    for (Instance target : {Instance{dest}, dest | kTwinBit}) {
      if (!nodes_.contains(target)) continue;
      if (target == from) {  // loopback: no network
        push(now_, core::EventPriority::kNetwork, target,
             NodeEvent{target, std::nullopt, core::MessageReceived{validator_of(from), msg}});
        continue;
      }
      if (!twin_link(from, target)) continue;
      ++stats_.messages_sent;
      auto delays = network_.route(validator_of(from), dest, rng_);
      if (delays.empty()) {
        ++stats_.messages_dropped;
        traffic_.record_dropped();
        continue;
      }
      auto size = known_size && slot.byzantine == ByzantineKind::kNone ? *known_size
                                                                       : core::encoded_size(msg);
      for (auto d : delays) {
        traffic_.record(validator_of(from), dest, msg.index(), size);
        push(now_ + d, core::EventPriority::kNetwork, target,
             NodeEvent{target, std::nullopt, core::MessageReceived{validator_of(from), msg}});
      }
    }
  }
}

void SimulationRunner::serve_sync(Instance server, ValidatorId requester,
                                  const core::SyncRequest& request) {
  auto count = std::min<std::uint32_t>(request.count, core::limits::kMaxSyncBlocksPerResponse);
  auto response = nodes_.at(server).storage->serve_sync(request.from_height, count);
  send(server, requester, Message{std::move(response)});
}

std::vector<std::pair<ValidatorId, Message>> SimulationRunner::byzantine_transform(
    Instance from, ValidatorId to, const Message& message) {
  const auto& slot = nodes_.at(from);
  const auto& signer = *slot.signer;
  std::vector<std::pair<ValidatorId, Message>> out;
  auto resign_proposal = [&](core::ProposalMessage p) {
    p.header.proposer_signature =
        signer.sign(crypto::block_header_message(p.header.compute_hash()));
    return Message{core::ProposalRef(std::make_shared<const core::ProposalMessage>(std::move(p)))};
  };
  switch (slot.byzantine) {
    case ByzantineKind::kNone:
    case ByzantineKind::kTwin:  // each instance is honest; together they equivocate
      out.emplace_back(to, message);
      break;
    case ByzantineKind::kSilent:
      break;
    case ByzantineKind::kWithhold: {
      // Blocks (proposals, and any block it serves) never reach the chosen peers.
      bool carries_block = std::holds_alternative<core::ProposalRef>(message) ||
                           std::holds_alternative<core::BlockFetchResponse>(message) ||
                           std::holds_alternative<core::SyncResponse>(message) ||
                           std::holds_alternative<core::TransactionFetchResponse>(message);
      const auto& listed = config_.withhold_from;
      bool withheld =
          listed.empty()
              ? topology_.committee(*topology_.shard_of_validator(to)).index_of(to).value_or(0) %
                        2 ==
                    1
              : std::find(listed.begin(), listed.end(), to) != listed.end();
      if (!(carries_block && withheld)) out.emplace_back(to, message);
      break;
    }
    case ByzantineKind::kBadSignature: {
      // A signature by the right key over the wrong message: a valid point
      // that fails verification under real BLS, and under the mock scheme
      // (whose aggregate is a XOR) one that two bad signatures cannot
      // cancel out of a group, as flipping the same bit in both would.
      auto bad = [&](const types::BlsSignature& sig) {
        auto h = types::Hasher()
                     .update(std::string_view("bad-signature"))
                     .update(types::ByteSpan(sig.bytes.data(), sig.bytes.size()))
                     .finish();
        return signer.sign(h.span());
      };
      Message m = message;
      if (auto* v = std::get_if<types::BlockVote>(&m)) v->signature = bad(v->signature);
      if (auto* t = std::get_if<types::Timeout>(&m)) t->signature = bad(t->signature);
      if (auto* p = std::get_if<core::ProposalRef>(&m)) {
        auto copy = **p;
        copy.header.proposer_signature = bad(copy.header.proposer_signature);
        m = core::ProposalRef(std::make_shared<const core::ProposalMessage>(std::move(copy)));
      }
      out.emplace_back(to, std::move(m));
      break;
    }
    case ByzantineKind::kDoubleVote: {
      out.emplace_back(to, message);
      if (const auto* v = std::get_if<types::BlockVote>(&message)) {
        types::BlockVote other = *v;
        other.block_hash =
            types::Hasher().update(v->block_hash).update(std::string_view("double")).finish();
        other.signature = signer.sign(crypto::block_vote_message(other));
        out.emplace_back(to, other);
      }
      break;
    }
    case ByzantineKind::kEquivocate: {
      const auto* p = std::get_if<core::ProposalRef>(&message);
      if (!p) {
        out.emplace_back(to, message);
        break;
      }
      core::ProposalMessage alt = **p;
      alt.header.timestamp_ms += 1;
      const auto& split = config_.equivocation_split;
      if (!split.empty()) {
        // The chosen validators get the block, the others a conflicting one.
        if (std::find(split.begin(), split.end(), to) != split.end())
          out.emplace_back(to, message);
        else
          out.emplace_back(to, resign_proposal(std::move(alt)));
        break;
      }
      // Half the committee gets the block, the other half a conflicting one;
      // every other member gets both, so equivocation is seen.
      auto index = topology_.committee(alt.header.shard).index_of(to).value_or(0);
      if (index % 2 == 0) out.emplace_back(to, message);
      if (index % 2 == 1 || index % 4 == 0) out.emplace_back(to, resign_proposal(std::move(alt)));
      break;
    }
    case ByzantineKind::kForgedParent: {
      Message m = message;
      if (const auto* p = std::get_if<core::ProposalRef>(&m)) {
        core::ProposalMessage forged = **p;
        if (!forged.header.justify.is_genesis()) {
          forged.header.justify.parent_hash.bytes[0] ^= 0xff;
          m = resign_proposal(std::move(forged));
        }
      } else if (auto* t = std::get_if<types::Timeout>(&m)) {
        if (!t->high_qc.is_genesis()) t->high_qc.parent_hash.bytes[0] ^= 0xff;
      }
      out.emplace_back(to, std::move(m));
      break;
    }
  }
  return out;
}

}  // namespace hyperscale::simulation
