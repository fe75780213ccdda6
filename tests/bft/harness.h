#pragma once

// Four (or n) BftStates over mock crypto with a tiny synchronous router:
// tests build signed blocks, QCs and TCs, deliver exactly the messages they
// choose, and run delegated jobs inline.

#include <deque>
#include <functional>
#include <memory>
#include <vector>

#include "bft/bft_state.h"
#include "core/genesis.h"
#include "crypto/signing.h"
#include "crypto/test_keys.h"
#include "crypto/verify.h"

namespace hyperscale::bft::testing {

class EmptyMempool final : public core::MempoolView {
 public:
  types::TransactionRef find(const types::Hash&) const override { return nullptr; }
  std::vector<types::TransactionRef> ready_for_proposal(
      std::size_t, types::TimestampMs,
      const std::function<bool(const types::Transaction&)>&) const override {
    return {};
  }
  bool has_ready() const override { return false; }
};

struct Envelope {
  types::ValidatorId from;
  types::ValidatorId to;
  core::Message message;
};

class Cluster {
 public:
  explicit Cluster(std::uint32_t n, BftConfig config = {})
      : net_(hyperscale::testing::make_network(crypto::SchemeKind::kMock, 1, n)),
        genesis_(core::genesis_block(0)) {
    verifier_ = std::move(*crypto::Verifier::make(crypto::SchemeKind::kMock, net_.topology));
    ctx_.verifier = verifier_.get();
    ctx_.genesis_hashes = {genesis_->hash()};
    ctx_.mock_transaction_signatures = true;
    for (std::uint32_t i = 0; i < n; ++i) {
      RecoveredState r;
      r.committed_tip = genesis_;
      r.tip_qc = genesis_qc();
      nodes_.push_back(std::make_unique<BftState>(
          config, net_.topology, i,
          std::shared_ptr<const crypto::Signer>(net_.signers[i].get(), [](auto*) {}), &mempool_,
          std::move(r), replays_.emplace_back()));
    }
  }

  BftState& node(types::ValidatorId v) { return *nodes_.at(v); }
  std::uint32_t size() const { return static_cast<std::uint32_t>(nodes_.size()); }
  const crypto::Signer& signer(types::ValidatorId v) const { return *net_.signers.at(v); }
  const types::BlockRef& genesis() const { return genesis_; }
  types::QuorumCertificate genesis_qc() const {
    return types::QuorumCertificate::genesis(0, genesis_->hash());
  }
  types::TimestampMs now = 1'000;

  /// The leader of `round`: the round-robin rule (what every node names
  /// before anything is committed, DESIGN §5).
  types::ValidatorId leader(types::Round round) const {
    return nodes_.at(0)->leaders().round_robin(round);
  }
  /// The leader of `round` named by `parent` (DESIGN §5), as every holder of
  /// the blocks this harness made computes it.
  types::ValidatorId leader(types::Round round, const types::BlockRef& parent) const {
    return schedule_.leader(round, parent->hash()).value_or(leader(round));
  }

  /// Replaces node v by a fresh BftState recovered from `r` (a restart).
  void restart(types::ValidatorId v, RecoveredState r, BftConfig config = {}) {
    replays_.at(v) = core::ReplayWindow();
    nodes_.at(v) = std::make_unique<BftState>(
        config, net_.topology, v,
        std::shared_ptr<const crypto::Signer>(net_.signers[v].get(), [](auto*) {}), &mempool_,
        std::move(r), replays_.at(v));
  }
  /// Runs a delegated job as the runner would.
  core::JobResult run_job(core::Job job) { return core::run_job(ctx_, std::move(job)); }
  const crypto::Verifier& verifier() const { return *verifier_; }
  const types::Committee& committee() const { return net_.topology.committee(0); }

  /// A signed block with an empty body.
  types::BlockRef make_block(const types::BlockRef& parent, types::Round round,
                             const types::QuorumCertificate& justify,
                             std::optional<types::TimeoutCertificate> tc = std::nullopt,
                             types::TimestampMs timestamp = 0) {
    types::BlockHeader h;
    h.shard = 0;
    h.height = parent->header().height + 1;
    h.round = round;
    h.parent_hash = parent->hash();
    h.justify = justify;
    h.timeout_cert = std::move(tc);
    h.proposer = leader(round, parent);
    h.timestamp_ms = timestamp ? timestamp : now;
    h.state_root = parent->header().state_root;
    h.state_version = parent->header().state_version;
    types::BlockBody body;
    h.roots = body.compute_roots();
    h.proposer_signature = signer(h.proposer).sign(crypto::block_header_message(h.compute_hash()));
    auto block = types::Block::assemble(std::move(h), std::move(body));
    schedule_.add(*block);
    return block;
  }
  /// Blocks made elsewhere (with another body) join the harness's leader view.
  void learn(const types::BlockRef& b) { schedule_.add(*b); }

  static core::ProposalRef proposal_of(const types::BlockRef& b) {
    auto p = std::make_shared<core::ProposalMessage>();
    p->header = b->header();
    return p;
  }

  types::BlockVote vote(types::ValidatorId voter, const types::BlockRef& b) const {
    const auto& h = b->header();
    types::BlockVote v{0, h.height, h.round, b->hash(), h.parent_hash, voter, {}};
    v.signature = signer(voter).sign(crypto::block_vote_message(v));
    return v;
  }

  types::QuorumCertificate make_qc(const types::BlockRef& b,
                                   std::vector<types::ValidatorId> voters) {
    std::vector<crypto::Verified<types::BlockVote>> votes;
    for (auto v : voters)
      votes.push_back(*crypto::verify_block_vote(*verifier_, vote(v, b)));
    return crypto::form_qc(*verifier_, votes).value().get();
  }

  types::Timeout timeout(types::ValidatorId voter, types::Round round,
                         const types::QuorumCertificate& high_qc,
                         std::optional<types::TimeoutCertificate> last_tc = std::nullopt) const {
    types::Timeout t{0, round, high_qc, std::move(last_tc), voter, {}};
    t.signature = signer(voter).sign(crypto::timeout_message(0, round, high_qc.round));
    return t;
  }

  types::TimeoutCertificate make_tc(
      types::Round round,
      std::vector<std::pair<types::ValidatorId, types::QuorumCertificate>> who) {
    std::vector<crypto::Verified<types::Timeout>> ts;
    for (auto& [v, qc] : who)
      ts.push_back(*crypto::verify_timeout(*verifier_, timeout(v, round, qc), genesis_->hash()));
    return crypto::form_tc(*verifier_, ts).value().get();
  }

  /// Runs every StartJob in `actions` (and in what their results produce) and
  /// queues every outbound message. Returns the other actions.
  std::vector<core::Action> settle(types::ValidatorId at, std::vector<core::Action> actions) {
    std::vector<core::Action> rest;
    std::deque<core::Action> work(actions.begin(), actions.end());
    for (int guard = 0; !work.empty() && guard < 10'000; ++guard) {
      auto a = std::move(work.front());
      work.pop_front();
      if (auto* job = std::get_if<core::StartJob>(&a)) {
        auto more = node(at).on_job(now, core::run_job(ctx_, std::move(job->job)));
        work.insert(work.end(), more.begin(), more.end());
      } else if (auto* p = std::get_if<core::PersistSafetyThenSend>(&a)) {
        for (auto& m : p->messages)
          outbound(at, m);
        rest.push_back(std::move(a));
      } else if (auto* s = std::get_if<core::SendMessage>(&a)) {
        outbound(at, *s);
        rest.push_back(std::move(a));
      } else if (auto* b = std::get_if<core::BroadcastMessage>(&a)) {
        outbound(at, *b);
        rest.push_back(std::move(a));
      } else {
        rest.push_back(std::move(a));
      }
    }
    return rest;
  }

  /// Delivers one message to `to` and settles the result.
  std::vector<core::Action> deliver(types::ValidatorId from, types::ValidatorId to,
                                    const core::Message& m) {
    auto& n = node(to);
    std::vector<core::Action> out;
    if (auto* p = std::get_if<core::ProposalRef>(&m)) out = n.on_proposal(now, from, *p);
    if (auto* v = std::get_if<types::BlockVote>(&m)) out = n.on_vote(now, from, *v);
    if (auto* t = std::get_if<types::Timeout>(&m)) out = n.on_timeout(now, from, *t);
    if (auto* c = std::get_if<core::TimeoutCertificateMessage>(&m))
      out = n.on_timeout_certificate(now, from, c->tc);
    if (auto* r = std::get_if<core::SyncResponse>(&m)) out = n.on_sync_response(now, from, *r);
    if (auto* r = std::get_if<core::BlockFetchRequest>(&m))  // served as the node serves it
      if (auto b = n.find_block(r->block_hash))
        out.push_back(core::SendMessage{from, core::BlockFetchResponse{std::move(b)}});
    if (auto* r = std::get_if<core::BlockFetchResponse>(&m))
      out = n.on_block_fetch_response(now, from, *r);
    return settle(to, std::move(out));
  }

  /// Delivers queued messages (those `keep` accepts) until none are left.
  void run(const std::function<bool(const Envelope&)>& keep = {}) {
    for (int guard = 0; !queue_.empty() && guard < 100'000; ++guard) {
      auto e = std::move(queue_.front());
      queue_.pop_front();
      if (keep && !keep(e)) continue;
      deliver(e.from, e.to, e.message);
    }
  }
  std::deque<Envelope>& queue() { return queue_; }

 private:
  void outbound(types::ValidatorId from, const core::Outbound& o) {
    if (auto* s = std::get_if<core::SendMessage>(&o)) {
      queue_.push_back({from, s->to, s->message});
      return;
    }
    const auto& b = std::get<core::BroadcastMessage>(o);
    for (std::uint32_t v = 0; v < size(); ++v)
      if (v != from) queue_.push_back({from, v, b.message});
  }

  hyperscale::testing::TestNetwork net_;
  types::BlockRef genesis_;
  std::unique_ptr<crypto::Verifier> verifier_;
  core::JobContext ctx_;
  EmptyMempool mempool_;
  std::deque<core::ReplayWindow> replays_;  // one per node, addresses stable
  std::vector<std::unique_ptr<BftState>> nodes_;
  std::deque<Envelope> queue_;
  LeaderSchedule schedule_{net_.topology.committee(0), {genesis_record()}};

  core::LeaderRecord genesis_record() const {
    core::LeaderRecord r;
    r.hash = genesis_->hash();
    r.parent = genesis_->header().parent_hash;
    return r;
  }
};

/// Actions of type T among `actions`.
template <class T>
std::vector<T> all_of(const std::vector<core::Action>& actions) {
  std::vector<T> out;
  for (const auto& a : actions)
    if (const auto* t = std::get_if<T>(&a)) out.push_back(*t);
  return out;
}

}  // namespace hyperscale::bft::testing
