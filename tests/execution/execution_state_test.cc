// ExecutionState on its own, driven step by step: commit → execute → state
// votes → certificate → proposed outcome → commit → Completed; a restart
// between the ordering commit and the certificate re-derives the duty from
// the chain; the proposer's lock hint.

#include "execution/execution_state.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>

#include "crypto/signing.h"
#include "crypto/test_keys.h"
#include "engine/genesis.h"
#include "engine/substates.h"
#include "mempool/mempool_state.h"

namespace hyperscale::execution {
namespace {

using core::Action;

struct Fixture {
  hyperscale::testing::TestNetwork net =
      hyperscale::testing::make_network(crypto::SchemeKind::kMock, 1, 4);
  std::unique_ptr<crypto::Verifier> verifier =
      std::move(*crypto::Verifier::make(crypto::SchemeKind::kMock, net.topology));
  core::JobContext ctx;
  std::vector<types::Ed25519PublicKey> owners;
  std::vector<types::StateEntry> genesis;

  Fixture() {
    ctx.verifier = verifier.get();
    ctx.execute = [](const core::ExecuteTransactionsJob& j) { return run_execution_job(j, {}); };
    for (std::uint8_t i = 1; i <= 4; ++i) {
      types::Ed25519PublicKey k;
      k.bytes.fill(i);
      owners.push_back(k);
    }
    engine::GenesisConfig g;
    g.owners = owners;
    g.native_balance_per_account = 1000;
    genesis = *engine::genesis_entries(g, 0, 1);
  }
  std::shared_ptr<const crypto::Signer> signer(types::ValidatorId v) {
    return std::shared_ptr<const crypto::Signer>(std::move(net.signers[v]));
  }
  types::NodeId account(std::size_t i) const { return types::account_address(owners[i].span()); }
  types::TransactionRef transfer(std::size_t from, std::size_t to, types::Amount amount) const {
    types::TransactionPayload p;
    p.instructions.push_back(
        types::Transfer{account(from), account(to), engine::native_resource(), amount});
    p.valid_until_ms = 100'000;
    p.signers = {owners[from]};
    return std::make_shared<types::Transaction>(std::move(p), 0,
                                                std::vector<types::Ed25519Signature>(1));
  }
  types::BlockRef block(types::BlockHeight height, std::vector<types::TransactionRef> txs,
                        std::vector<types::TransactionCertificateRef> certs, types::Hash root) {
    types::BlockBody body;
    body.txs = std::move(txs);
    body.certificates = std::move(certs);
    types::BlockHeader h;
    h.height = height;
    h.round = height;
    h.state_root = root;
    h.state_version = height;
    h.roots = body.compute_roots();
    return types::Block::assemble(std::move(h), std::move(body));
  }
};

template <class T>
std::vector<T> jobs_of(const std::vector<Action>& actions) {
  std::vector<T> out;
  for (const auto& a : actions)
    if (const auto* s = std::get_if<core::StartJob>(&a))
      if (const auto* j = std::get_if<T>(&s->job)) out.push_back(*j);
  return out;
}

std::vector<types::TransactionStatus> statuses_of(const std::vector<Action>& actions) {
  std::vector<types::TransactionStatus> out;
  for (const auto& a : actions)
    if (const auto* e = std::get_if<core::EmitTransactionStatuses>(&a))
      for (const auto& u : e->updates)
        out.push_back(u.status);
  return out;
}

/// Signs validator v's vote for the outcome of executing `job` (as an honest peer would).
core::StateVotesMessage peer_votes(Fixture& f, types::ValidatorId v,
                                   const core::ExecuteTransactionsJob& job) {
  auto peer = crypto::make_signer(crypto::SchemeKind::kMock, hyperscale::testing::seed_for(v));
  core::StateVotesMessage m;
  for (const auto& r : run_execution_job(job, {}).results) {
    types::StateVote vote;
    vote.content = {r.tx_hash, 0, types::Executed{r.success, types::entries_root(r.writes)}};
    vote.voter = v;
    vote.signature = peer->sign(crypto::state_vote_message(vote.content));
    m.votes.push_back(vote);
  }
  (void)f;
  return m;
}

/// Commits `block`; returns what execution persists with it.
core::ExecutionWrites commit(ExecutionState& es, const types::BlockRef& block,
                             std::vector<Action>& out) {
  core::ExecutionWrites writes;
  es.committed(block, writes, out);
  return writes;
}

/// Whether a proposer on the committed tip leaves `tx` out of its block.
bool skipped(ExecutionState& es, const types::TransactionRef& tx) {
  return es.propose_among({}, es.ledger().height() + 1, {tx}).txs.empty();
}

TEST(ExecutionState, ATransferGoesFromCommitToCompleted) {
  Fixture f;
  ExecutionState es({}, f.net.topology, 0, f.signer(0), f.genesis, {});
  auto genesis_root = es.state().root();
  auto tx = f.transfer(0, 1, 300);
  // Block 1 orders it: the duty starts with an execution job.
  auto b1 = f.block(1, {tx}, {}, genesis_root);
  EXPECT_EQ(es.check(*b1, {}), std::nullopt);
  std::vector<Action> out;
  commit(es, b1, out);
  auto exec = jobs_of<core::ExecuteTransactionsJob>(out);
  ASSERT_EQ(exec.size(), 1u);
  // Its accounts are locked: a proposer skips a transfer touching them.
  EXPECT_TRUE(skipped(es, f.transfer(1, 2, 5)));
  EXPECT_FALSE(skipped(es, f.transfer(2, 3, 5)));
  // Executed: a signed vote goes to the committee, the status says Executed.
  auto after_exec = es.on_executed(10, f.ctx.execute(exec[0]));
  ASSERT_EQ(statuses_of(after_exec).size(), 1u);
  EXPECT_TRUE(statuses_of(after_exec)[0].is<types::status::Executed>());
  bool broadcast = std::any_of(after_exec.begin(), after_exec.end(), [](const Action& a) {
    const auto* b = std::get_if<core::BroadcastMessage>(&a);
    return b && std::holds_alternative<core::StateVotesMessage>(b->message);
  });
  EXPECT_TRUE(broadcast);
  // Two peers agree: with its own vote, a quorum (3 of 4) → one batch job → a certificate.
  std::vector<Action> more = es.on_state_votes(11, 1, peer_votes(f, 1, exec[0]));
  auto m2 = es.on_state_votes(12, 2, peer_votes(f, 2, exec[0]));
  more.insert(more.end(), m2.begin(), m2.end());
  auto verify = jobs_of<core::VerifyStateVotesJob>(more);
  ASSERT_EQ(verify.size(), 1u);
  auto verified = std::get<core::StateVotesVerified>(core::run_job(f.ctx, verify[0]));
  ASSERT_EQ(verified.groups.size(), 1u);
  EXPECT_TRUE(verified.groups[0].certificate.has_value());
  es.on_votes_verified(13, verified);
  EXPECT_EQ(es.stats().certificates_formed, 1u);
  // A proposer includes the outcome with the state root after its writes.
  auto contents = es.propose_among({}, 2, {});
  ASSERT_EQ(contents.certificates.size(), 1u);
  EXPECT_NE(contents.state_root, genesis_root);
  EXPECT_TRUE(core::transaction_certificate_valid(*f.verifier, *contents.certificates[0]));
  auto b2 = f.block(2, {}, contents.certificates, contents.state_root);
  EXPECT_EQ(es.check(*b2, {}), std::nullopt);
  // An outcome is content a leader proposes for, until an ancestor carries it.
  EXPECT_TRUE(es.has_outcomes({}));
  EXPECT_FALSE(es.has_outcomes(std::vector<types::BlockRef>{b2}));
  // A wrong root is refused and counted.
  auto wrong = f.block(2, {}, contents.certificates, genesis_root);
  EXPECT_EQ(es.check(*wrong, {}), std::optional<std::string>("state root mismatch"));
  EXPECT_EQ(es.stats().state_root_mismatches, 1u);
  // Committed: Completed(Accept), locks released, balances moved.
  out.clear();
  commit(es, b2, out);
  auto st = statuses_of(out);
  ASSERT_EQ(st.size(), 1u);
  EXPECT_TRUE(st[0].is<types::status::Completed>());
  EXPECT_FALSE(skipped(es, f.transfer(1, 2, 5)));
  EXPECT_EQ(es.state().get(engine::balance_key(f.account(0), engine::native_resource())),
            engine::encode_amount(700));
  EXPECT_EQ(es.state().get(engine::balance_key(f.account(1), engine::native_resource())),
            engine::encode_amount(1300));
  EXPECT_EQ(es.state().root(), contents.state_root);
  EXPECT_TRUE(es.ledger().pending().empty());
  EXPECT_FALSE(es.has_outcomes({}));
}

TEST(ExecutionState, ARestartBetweenCommitAndCertificateRederivesTheDuty) {
  Fixture f;
  auto tx = f.transfer(2, 3, 50);
  types::BlockRef b1;
  {
    ExecutionState before({}, f.net.topology, 0, f.signer(0), f.genesis, {});
    b1 = f.block(1, {tx}, {}, before.state().root());
    std::vector<Action> out;
    commit(before, b1, out);
    // ... and the process dies before its execution job returns.
  }
  // Restarted from its chain: the pending duty is there, and start() executes it.
  auto signer = crypto::make_signer(crypto::SchemeKind::kMock, hyperscale::testing::seed_for(0));
  ExecutionState after({}, f.net.topology, 0,
                       std::shared_ptr<const crypto::Signer>(std::move(signer)), f.genesis,
                       std::vector<types::BlockRef>{b1});
  EXPECT_NE(after.ledger().pending(tx->hash()), nullptr);
  EXPECT_TRUE(skipped(after, f.transfer(3, 0, 1)));
  auto started = after.start(0);
  auto exec = jobs_of<core::ExecuteTransactionsJob>(started);
  ASSERT_EQ(exec.size(), 1u);
  ASSERT_EQ(exec[0].txs.size(), 1u);
  EXPECT_EQ(exec[0].txs[0]->hash(), tx->hash());
  auto voted = after.on_executed(1, f.ctx.execute(exec[0]));
  EXPECT_EQ(after.stats().votes_sent, 1u);
  // A lost result is asked again on the resend timer, votes are re-sent.
  auto resent = after.on_timer(2000);
  bool votes_again = std::any_of(resent.begin(), resent.end(), [](const Action& a) {
    const auto* b = std::get_if<core::BroadcastMessage>(&a);
    return b && std::holds_alternative<core::StateVotesMessage>(b->message);
  });
  EXPECT_TRUE(votes_again);
}

/// A validator's execution storage: genesis, then each committed block's
/// ExecutionWrites applied in order (what SimStorage and production keep).
struct Disk {
  std::map<types::SubstateKey, types::Bytes> state;
  std::map<types::Hash, types::Bytes> ledger;
  types::BlockHeight height = 0;
  types::Hash root;
  Disk(const std::vector<types::StateEntry>& genesis, types::Hash genesis_root)
      : root(genesis_root) {
    for (const auto& e : genesis)
      state.emplace(e.key, *e.value);
  }
  void apply(const types::BlockRef& block, const core::ExecutionWrites& w) {
    for (const auto& e : w.state)
      if (e.value)
        state.insert_or_assign(e.key, *e.value);
      else
        state.erase(e.key);
    for (const auto& h : w.ledger_erase)
      ledger.erase(h);
    for (const auto& [h, v] : w.ledger_put)
      ledger.insert_or_assign(h, v);
    height = block->header().height;
    root = block->header().state_root;
  }
  PersistedExecution persisted() const {
    PersistedExecution p;
    p.height = height;
    p.state_root = root;
    for (const auto& [k, v] : state)
      p.state.push_back({k, v});
    p.ledger.assign(ledger.begin(), ledger.end());
    return p;
  }
};

/// Executes `job` on `es`, gathers two peers' agreeing votes and returns the
/// certificates a proposer on the committed tip then includes (with the root).
core::ExecutionView::Contents certify(Fixture& f, ExecutionState& es,
                                      const core::ExecuteTransactionsJob& job,
                                      types::BlockHeight height) {
  es.on_executed(10, f.ctx.execute(job));
  std::vector<Action> more = es.on_state_votes(11, 1, peer_votes(f, 1, job));
  auto m2 = es.on_state_votes(12, 2, peer_votes(f, 2, job));
  more.insert(more.end(), m2.begin(), m2.end());
  for (const auto& v : jobs_of<core::VerifyStateVotesJob>(more))
    es.on_votes_verified(13, std::get<core::StateVotesVerified>(core::run_job(f.ctx, v)));
  return es.propose_among({}, height, {});
}

TEST(ExecutionState, ARestartFromTheStoredWritesEqualsReplayingTheChain) {
  Fixture f;
  ExecutionState es({}, f.net.topology, 0, f.signer(0), f.genesis, {});
  Disk disk(f.genesis, es.state().root());
  std::vector<types::BlockRef> chain;
  std::vector<Action> out;
  // After each block: what the stored writes restore is what replaying the
  // chain gives, and what the live validator holds.
  auto step = [&](const types::BlockRef& b) {
    disk.apply(b, commit(es, b, out));
    chain.push_back(b);
    SCOPED_TRACE(b->header().height);
    auto restored = restore(disk.persisted(), 0, 1);
    ASSERT_TRUE(restored.has_value()) << restored.error();
    auto replayed = replay_chain(f.genesis, chain, 0, 1);
    for (const auto* start : {&*restored, &replayed}) {
      EXPECT_EQ(start->state.root(), es.state().root());
      EXPECT_EQ(start->state.version(), es.state().version());
      EXPECT_EQ(start->state.values(), es.state().values());
      EXPECT_TRUE(start->ledger.same_as(es.ledger()));
    }
    EXPECT_EQ(restored->ledger.entries(), disk.persisted().ledger);
  };
  // Block 1 orders two transfers; block 2 completes both; block 3 orders a
  // third on the accounts they released.
  auto tx1 = f.transfer(0, 1, 100), tx2 = f.transfer(2, 3, 7), tx3 = f.transfer(1, 0, 30);
  step(f.block(1, {tx1, tx2}, {}, es.state().root()));
  EXPECT_EQ(disk.ledger.size(), 2u);
  auto exec = jobs_of<core::ExecuteTransactionsJob>(out);
  ASSERT_EQ(exec.size(), 1u);
  auto contents = certify(f, es, exec[0], 2);
  ASSERT_EQ(contents.certificates.size(), 2u);
  step(f.block(2, {}, contents.certificates, contents.state_root));
  EXPECT_TRUE(disk.ledger.empty());
  step(f.block(3, {tx3}, {}, es.state().root()));
  ASSERT_EQ(disk.ledger.size(), 1u);
  EXPECT_EQ(disk.ledger.begin()->first, tx3->hash());
  // A validator started from the stored writes owes tx3: start() executes it.
  auto restored = restore(disk.persisted(), 0, 1);
  ASSERT_TRUE(restored.has_value());
  auto signer = crypto::make_signer(crypto::SchemeKind::kMock, hyperscale::testing::seed_for(0));
  ExecutionState after({}, f.net.topology, 0,
                       std::shared_ptr<const crypto::Signer>(std::move(signer)),
                       std::move(*restored));
  auto started = jobs_of<core::ExecuteTransactionsJob>(after.start(0));
  ASSERT_EQ(started.size(), 1u);
  ASSERT_EQ(started[0].txs.size(), 1u);
  EXPECT_EQ(started[0].txs[0]->hash(), tx3->hash());
  EXPECT_TRUE(skipped(after, f.transfer(0, 2, 1)));
  EXPECT_EQ(after.state().get(engine::balance_key(f.account(3), engine::native_resource())),
            engine::encode_amount(1007));
}

TEST(ExecutionState, AStoreThatDoesNotCheckOutIsRefusedWithTheReason) {
  Fixture f;
  ExecutionState es({}, f.net.topology, 0, f.signer(0), f.genesis, {});
  Disk disk(f.genesis, es.state().root());
  std::vector<Action> out;
  auto tx1 = f.transfer(0, 1, 100), tx2 = f.transfer(2, 3, 7);
  auto b1 = f.block(1, {tx1, tx2}, {}, es.state().root());
  disk.apply(b1, commit(es, b1, out));
  ASSERT_TRUE(restore(disk.persisted(), 0, 1).has_value());
  auto refused = [&](const PersistedExecution& p, std::string_view why) {
    auto r = restore(p, 0, 1);
    ASSERT_FALSE(r.has_value()) << why;
    EXPECT_NE(r.error().find(why), std::string::npos) << r.error();
  };
  // Every byte of a ledger entry matters: a flip breaks the decoding or the
  // transaction's hash, and the error names the entry.
  const auto good = disk.persisted();
  for (std::size_t i = 0; i < good.ledger[0].second.size(); ++i) {
    auto p = good;
    p.ledger[0].second[i] ^= 0x40;
    auto r = restore(p, 0, 1);
    // A transaction's hash covers its payload and attempt, not its
    // signatures (checked when it was admitted and ordered): a flipped
    // signature byte restores the same ledger.
    if (r) {
      EXPECT_TRUE(r->ledger.same_as(es.ledger())) << "byte " << i;
    } else {
      EXPECT_NE(r.error().find("ledger entry " + good.ledger[0].first.hex().substr(0, 16)),
                std::string::npos)
          << r.error();
    }
  }
  {
    auto p = good;
    p.ledger[0].second.push_back(0);
    refused(p, "trailing");
  }
  {
    auto p = good;
    p.ledger[0].second.resize(5);
    refused(p, "truncated");
  }
  {
    auto p = good;  // an entry stored under another transaction's key
    std::swap(p.ledger[0].first, p.ledger[1].first);
    refused(p, "is not its key");
  }
  {
    auto p = good;  // ordered above the stored tip
    p.height = 0;
    p.state_root = types::Hash();
    refused(p, "above the committed height");
  }
  {
    // Two unfinished transactions on one account: no chain holds both.
    auto p = good;
    auto tx = f.transfer(1, 2, 1);
    p.ledger.emplace_back(tx->hash(), encode_ledger_entry(PendingTx{tx, {}, 1}));
    refused(p, "conflict");
  }
  {
    auto p = good;  // a balance changed behind the protocol's back
    auto key = engine::balance_key(f.account(0), engine::native_resource());
    for (auto& e : p.state)
      if (e.key == key) e.value = engine::encode_amount(5);
    refused(p, "is not the committed tip's");
  }
  {
    auto p = good;
    std::swap(p.state[0], p.state[1]);
    refused(p, "not strictly sorted");
  }
  {
    auto p = good;
    p.state[1].value.reset();
    refused(p, "has no value");
  }
}

TEST(ExecutionState, VotesThatDisagreeOrComeFromStrangersDoNotCount) {
  Fixture f;
  ExecutionState es({}, f.net.topology, 0, f.signer(0), f.genesis, {});
  auto tx = f.transfer(0, 1, 10);
  std::vector<Action> out;
  commit(es, f.block(1, {tx}, {}, es.state().root()), out);
  auto exec = jobs_of<core::ExecuteTransactionsJob>(out);
  es.on_executed(1, f.ctx.execute(exec[0]));
  // Another outcome (a peer with corrupted state) never joins the quorum.
  auto m = peer_votes(f, 1, exec[0]);
  m.votes[0].content.outcome = types::Executed{true, types::hash_bytes("other")};
  auto a = es.on_state_votes(2, 1, m);
  EXPECT_TRUE(jobs_of<core::VerifyStateVotesJob>(a).empty());
  EXPECT_EQ(es.stats().votes_disagreeing, 1u);
  // A vote relayed by someone else than its voter is refused.
  auto relayed = peer_votes(f, 2, exec[0]);
  es.on_state_votes(3, 3, relayed);
  EXPECT_EQ(es.stats().votes_invalid, 1u);
  // A forged signature fails verification and its voter is ignored afterwards.
  auto forged = peer_votes(f, 3, exec[0]);
  forged.votes[0].signature.bytes[0] ^= 1;
  auto b = es.on_state_votes(4, 3, forged);
  auto c = es.on_state_votes(5, 2, peer_votes(f, 2, exec[0]));
  b.insert(b.end(), c.begin(), c.end());
  auto jobs = jobs_of<core::VerifyStateVotesJob>(b);
  ASSERT_EQ(jobs.size(), 1u);
  auto verified = std::get<core::StateVotesVerified>(core::run_job(f.ctx, jobs[0]));
  ASSERT_EQ(verified.groups.size(), 1u);
  EXPECT_EQ(verified.groups[0].invalid, std::vector<types::ValidatorId>{3});
  // Own + validator 2: two of four, no quorum yet.
  EXPECT_FALSE(verified.groups[0].certificate.has_value());
}

/// The voters of each vote a state-vote job asks to verify, in order.
std::vector<types::ValidatorId> voters_of(const core::VerifyStateVotesJob& job) {
  std::vector<types::ValidatorId> out;
  for (const auto& g : job.groups)
    for (const auto& v : g.votes)
      out.push_back(v.voter);
  return out;
}

TEST(ExecutionState, VotesThatCameBeforeTheOwnOutcomeCountOnceItExists) {
  Fixture f;
  ExecutionState es({}, f.net.topology, 0, f.signer(0), f.genesis, {});
  auto tx = f.transfer(0, 1, 10);
  std::vector<Action> out;
  commit(es, f.block(1, {tx}, {}, es.state().root()), out);
  auto exec = jobs_of<core::ExecuteTransactionsJob>(out);
  // Peers are faster: two agreeing votes and one for another outcome wait
  // while this node has no outcome of its own to compare them with.
  auto other = peer_votes(f, 3, exec[0]);
  other.votes[0].content.outcome = types::Executed{true, types::hash_bytes("other")};
  std::vector<Action> early = es.on_state_votes(2, 1, peer_votes(f, 1, exec[0]));
  for (auto& a : es.on_state_votes(3, 2, peer_votes(f, 2, exec[0])))
    early.push_back(std::move(a));
  for (auto& a : es.on_state_votes(4, 3, other))
    early.push_back(std::move(a));
  EXPECT_TRUE(jobs_of<core::VerifyStateVotesJob>(early).empty());
  // Its own outcome makes three agreeing votes of four: a quorum to verify.
  auto a = es.on_executed(5, f.ctx.execute(exec[0]));
  auto jobs = jobs_of<core::VerifyStateVotesJob>(a);
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(voters_of(jobs[0]), (std::vector<types::ValidatorId>{0, 1, 2}));
  EXPECT_EQ(es.stats().votes_disagreeing, 1u);
  auto verified = std::get<core::StateVotesVerified>(core::run_job(f.ctx, jobs[0]));
  ASSERT_EQ(verified.groups.size(), 1u);
  EXPECT_TRUE(verified.groups[0].certificate.has_value());
}

TEST(ExecutionState, VotesThatArriveDuringABatchAreCheckedWhenItReturns) {
  Fixture f;
  ExecutionState es({}, f.net.topology, 0, f.signer(0), f.genesis, {});
  auto tx = f.transfer(0, 1, 10);
  std::vector<Action> out;
  commit(es, f.block(1, {tx}, {}, es.state().root()), out);
  auto exec = jobs_of<core::ExecuteTransactionsJob>(out);
  es.on_executed(1, f.ctx.execute(exec[0]));
  // Own, 1 and a forged 2: a quorum on its face, so a batch goes out.
  auto forged = peer_votes(f, 2, exec[0]);
  forged.votes[0].signature.bytes[0] ^= 1;
  es.on_state_votes(2, 1, peer_votes(f, 1, exec[0]));
  auto first = jobs_of<core::VerifyStateVotesJob>(es.on_state_votes(3, 2, forged));
  ASSERT_EQ(first.size(), 1u);
  // 3's vote comes while that batch is out: no second batch yet.
  EXPECT_TRUE(jobs_of<core::VerifyStateVotesJob>(es.on_state_votes(4, 3, peer_votes(f, 3, exec[0])))
                  .empty());
  // The batch proves own and 1, refuses 2: no certificate; with 3's waiting
  // vote the verified two make a quorum again, so 3 goes out at once.
  auto result = std::get<core::StateVotesVerified>(core::run_job(f.ctx, first[0]));
  ASSERT_EQ(result.groups.size(), 1u);
  EXPECT_FALSE(result.groups[0].certificate.has_value());
  auto second = jobs_of<core::VerifyStateVotesJob>(es.on_votes_verified(5, result));
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(voters_of(second[0]), std::vector<types::ValidatorId>{3});
  ASSERT_EQ(second[0].groups.size(), 1u);
  EXPECT_EQ(second[0].groups[0].verified.size(), 2u);
  auto done = std::get<core::StateVotesVerified>(core::run_job(f.ctx, second[0]));
  ASSERT_EQ(done.groups.size(), 1u);
  EXPECT_TRUE(done.groups[0].certificate.has_value());
}

/// Orders a transfer in block 1 on `es`, executes it, and returns a
/// certificate of its true outcome (changed by `edit`) with a quorum of
/// signers but no valid signature.
types::TransactionCertificateRef unsigned_certificate(
    Fixture& f, ExecutionState& es, const std::function<void(types::StateCertificate&)>& edit) {
  auto tx = f.transfer(0, 1, 10);
  std::vector<Action> out;
  commit(es, f.block(1, {tx}, {}, es.state().root()), out);
  auto exec = jobs_of<core::ExecuteTransactionsJob>(out);
  auto result = f.ctx.execute(exec[0]);
  types::StateCertificate sc;
  sc.content = {tx->hash(), 0,
                types::Executed{true, types::entries_root(result.results[0].writes)}};
  sc.writes = result.results[0].writes;
  sc.signers = types::SignerBitfield(4);
  for (std::uint32_t i = 0; i < 3; ++i)
    sc.signers.set(i);
  edit(sc);
  auto cert = std::make_shared<types::TransactionCertificate>();
  cert->tx_hash = tx->hash();
  cert->shard_certificates.push_back(sc);
  return cert;
}

TEST(ExecutionState, ACertificateWhoseWritesBreakTheRulesIsRefusedOnReceipt) {
  // Found by review: received certificates were checked by signature only
  // (which covers the outputs root, not the writes); duplicated writes then
  // crashed this node when it proposed.
  Fixture f;
  ExecutionState es({}, f.net.topology, 0, f.signer(0), f.genesis, {});
  auto cert = unsigned_certificate(f, es, [](types::StateCertificate& sc) {
    sc.writes.push_back(sc.writes.back());  // a duplicated write: not strictly sorted any more
  });
  auto actions = es.on_certificates(1, 2, core::TransactionCertificatesMessage{{cert}});
  EXPECT_TRUE(jobs_of<core::VerifyTransactionCertificatesJob>(actions).empty());
  EXPECT_EQ(es.stats().certificates_invalid, 1u);
  // Proposing afterwards is fine and carries no outcome yet.
  auto contents = es.propose_among({}, 2, {});
  EXPECT_TRUE(contents.certificates.empty());
}

TEST(ExecutionState, CertificateVerificationIsBoundedPerPeer) {
  // Found by review: every received copy of a certificate started its own
  // verification job, so one peer could keep a core busy by re-sending
  // copies faster than they were verified. Now one job per peer at a time,
  // and a peer sending bad certificates never holds up another peer's.
  Fixture f;
  ExecutionState es({}, f.net.topology, 0, f.signer(0), f.genesis, {});
  auto cert = unsigned_certificate(f, es, [](types::StateCertificate&) {});
  core::TransactionCertificatesMessage m{{cert, cert}};
  auto first = jobs_of<core::VerifyTransactionCertificatesJob>(es.on_certificates(1, 2, m));
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].certificates.size(), 1u) << "a copy inside one message is dropped";
  // The same peer again while its job runs: dropped and counted.
  EXPECT_TRUE(jobs_of<core::VerifyTransactionCertificatesJob>(es.on_certificates(2, 2, m)).empty());
  EXPECT_EQ(es.stats().certificates_deferred, 1u);
  // Another peer's certificate for the same transaction is not held up.
  EXPECT_EQ(jobs_of<core::VerifyTransactionCertificatesJob>(es.on_certificates(2, 3, m)).size(),
            1u);
  // Verified (and refused, no one signed): peer 2 may send again.
  auto verified = std::get<core::TransactionCertificatesVerified>(core::run_job(f.ctx, first[0]));
  EXPECT_EQ(verified.invalid, 1u);
  es.on_certificates_verified(3, verified);
  EXPECT_EQ(jobs_of<core::VerifyTransactionCertificatesJob>(es.on_certificates(4, 2, m)).size(),
            1u);
  EXPECT_EQ(es.stats().certificates_invalid, 1u);
}

TEST(ExecutionState, LockedTransactionsTakeNoSlotOfTheBlock) {
  // The proposer reads the mempool's ready set through execution's skip, so
  // a block of at most one transaction takes the one that can lock whatever
  // the hashes. Before, the pool offered the first by hash and the proposer
  // then dropped it when locked, leaving the block empty (here 6 of 7 times).
  Fixture f;
  ExecutionState es({}, f.net.topology, 0, f.signer(0), f.genesis, {});
  std::vector<Action> out;
  commit(es, f.block(1, {f.transfer(0, 1, 5)}, {}, es.state().root()), out);
  core::ReplayWindow replay(1'000);
  mempool::MempoolState pool({}, f.net.topology, 0, replay);
  std::vector<types::TransactionRef> offered;
  for (types::Amount a = 1; a <= 3; ++a) {
    offered.push_back(f.transfer(0, 2, a));  // account 0 is locked
    offered.push_back(f.transfer(3, 1, a));  // account 1 is locked
  }
  auto free_tx = f.transfer(2, 3, 1);
  offered.push_back(free_tx);
  pool.on_gossip(0, 1, offered);
  std::vector<types::Hash> added;
  pool.on_verified(0, {core::TxOrigin::kGossip, {}, offered, {}}, added);
  ASSERT_EQ(added.size(), offered.size());
  auto contents =
      es.propose(std::span<const types::BlockRef>{}, 2, [&](const core::ExecutionView::Skip& skip) {
        return pool.ready_for_proposal(1, 1'000, skip);
      });
  ASSERT_EQ(contents.txs.size(), 1u);
  EXPECT_EQ(contents.txs[0]->hash(), free_tx->hash());
}

TEST(ExecutionState, ProposersLeaveRetryAttemptsInThePool) {
  Fixture f;
  ExecutionState es({}, f.net.topology, 0, f.signer(0), f.genesis, {});
  auto tx = f.transfer(0, 1, 10);
  auto retry = std::make_shared<types::Transaction>(tx->payload(), 1, tx->signatures());
  auto contents = es.propose_among({}, 1, {retry, f.transfer(2, 3, 1)});
  ASSERT_EQ(contents.txs.size(), 1u);
  EXPECT_EQ(contents.txs[0]->attempt(), 0u);
}

}  // namespace
}  // namespace hyperscale::execution
