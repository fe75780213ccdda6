// MempoolState on its own: admission, batching, gossip, back-pressure, the
// Pending → Committed / expired lifecycle, and what it offers a proposer.

#include <gtest/gtest.h>

#include "crypto/mock_scheme.h"
#include "crypto/test_keys.h"
#include "mempool/mempool_state.h"

namespace hyperscale::mempool {
namespace {

using types::Hash;
using types::TransactionRef;

template <class T>
std::vector<T> all_of(const std::vector<Action>& actions) {
  std::vector<T> out;
  for (const auto& a : actions)
    if (const auto* t = std::get_if<T>(&a)) out.push_back(*t);
  return out;
}

class MempoolTest : public ::testing::Test {
 protected:
  MempoolTest() : net_(testing::make_network(crypto::SchemeKind::kMock, 2, 4)) {}

  MempoolState make(MempoolConfig config = {}) {
    return MempoolState(config, net_.topology, 0, replay_);
  }

  /// A key whose account lives on `shard`, the i-th such key.
  types::Ed25519PublicKey key_on(types::ShardId shard, std::uint32_t i) {
    for (std::uint32_t n = 0;; ++n) {
      auto h = types::Hasher().update(std::string_view("mempool-test")).update_u32(n).finish();
      types::Ed25519PublicKey k;
      std::copy(h.bytes.begin(), h.bytes.end(), k.bytes.begin());
      if (net_.topology.shard_of(types::account_address(k.span())) != shard) continue;
      if (i-- == 0) return k;
    }
  }

  /// A transfer between two accounts of `shard`, valid in [from, until].
  TransactionRef tx(std::uint64_t nonce, types::TimestampMs until = 100'000,
                    types::ShardId shard = 0, types::TimestampMs from = 0) {
    auto a = key_on(shard, 0), b = key_on(shard, 1);
    types::TransactionPayload p;
    p.instructions.push_back(types::Transfer{types::account_address(a.span()),
                                             types::account_address(b.span()),
                                             types::resource_address("xrd"), 1});
    p.nonce = nonce;
    p.valid_from_ms = from;
    p.valid_until_ms = until;
    p.signers = {a};
    std::vector<types::Ed25519Signature> sigs{
        crypto::mock_sign_transaction(a, types::intent_hash_of(p))};
    return std::make_shared<const types::Transaction>(std::move(p), 0, std::move(sigs));
  }

  /// Commits a block holding `txs` at `timestamp`, as the node does: the
  /// replay window first (bft), then the mempool.
  std::vector<Action> commit(MempoolState& m, std::vector<TransactionRef> txs,
                             types::TimestampMs timestamp) {
    types::BlockBody body;
    body.txs = std::move(txs);
    std::sort(body.txs.begin(), body.txs.end(),
              [](const auto& x, const auto& y) { return x->hash() < y->hash(); });
    types::BlockHeader h;
    h.shard = 0;
    h.height = ++height_;
    h.timestamp_ms = timestamp;
    h.roots = body.compute_roots();
    types::Block block(h, body);
    replay_.advance(timestamp);
    for (const auto& t : block.body().txs)
      replay_.add(t->hash());
    return m.on_block_committed(block);
  }

  /// Submits and verifies `txs` as valid: they become Pending.
  std::vector<Action> admit(MempoolState& m, const std::vector<TransactionRef>& txs) {
    for (const auto& t : txs)
      m.on_submitted(0, t);
    m.on_batch_timer(0);
    std::vector<Hash> added;
    return m.on_verified(0, {core::TxOrigin::kSubmitted, {}, txs, {}}, added);
  }

  testing::TestNetwork net_;
  core::ReplayWindow replay_;
  types::BlockHeight height_ = 0;
};

TEST_F(MempoolTest, SubmissionsAreVerifiedInBatchesThenPendingAndGossipedOnce) {
  auto m = make();
  auto t1 = tx(1), t2 = tx(2);
  auto first = m.on_submitted(0, t1);
  ASSERT_EQ(all_of<core::SetTimer>(first).size(), 1U);
  EXPECT_EQ(all_of<core::SetTimer>(first)[0].timer, core::TimerId::kTxBatch);
  EXPECT_TRUE(all_of<core::SetTimer>(m.on_submitted(0, t2)).empty()) << "one timer per batch";

  auto jobs = all_of<core::StartJob>(m.on_batch_timer(0));
  ASSERT_EQ(jobs.size(), 1U);
  const auto& job = std::get<core::VerifyTransactionsJob>(jobs[0].job);
  EXPECT_EQ(job.txs.size(), 2U);
  EXPECT_TRUE(m.on_batch_timer(0).empty()) << "nothing left to verify";

  std::vector<Hash> added;
  auto out = m.on_verified(0, {core::TxOrigin::kSubmitted, {}, {t1, t2}, {}}, added);
  EXPECT_EQ(added.size(), 2U);
  EXPECT_EQ(m.size(), 2U);
  auto statuses = all_of<core::EmitTransactionStatuses>(out);
  ASSERT_EQ(statuses.size(), 1U);
  ASSERT_EQ(statuses[0].updates.size(), 2U);
  for (const auto& u : statuses[0].updates)
    EXPECT_TRUE(std::holds_alternative<types::status::Pending>(u.status.value()));
  auto gossip = all_of<core::BroadcastMessage>(out);
  ASSERT_EQ(gossip.size(), 1U);
  EXPECT_EQ(gossip[0].shard, 0U);
  EXPECT_EQ(std::get<core::TransactionGossip>(gossip[0].message).txs.size(), 2U);
}

TEST_F(MempoolTest, DuplicatesAndOtherShardsAreRefusedWithAReason) {
  auto m = make();
  auto t = tx(1);
  m.on_submitted(0, t);
  auto again = all_of<core::SubmissionRejected>(m.on_submitted(0, t));
  ASSERT_EQ(again.size(), 1U);
  EXPECT_EQ(again[0].reason, "duplicate transaction");
  auto foreign = all_of<core::SubmissionRejected>(m.on_submitted(0, tx(2, 100'000, 1)));
  ASSERT_EQ(foreign.size(), 1U);
  EXPECT_EQ(foreign[0].reason, "transaction does not involve this shard");
  EXPECT_EQ(m.stats().rejected, 2U);
}

TEST_F(MempoolTest, BackPressureRefusesBeyondThePendingLimit) {
  MempoolConfig config;
  config.rpc_pending_limit = 3;
  auto m = make(config);
  admit(m, {tx(1), tx(2)});
  EXPECT_TRUE(all_of<core::SubmissionRejected>(m.on_submitted(0, tx(3))).empty());
  auto full = all_of<core::SubmissionRejected>(m.on_submitted(0, tx(4)));
  ASSERT_EQ(full.size(), 1U);
  EXPECT_EQ(full[0].reason, "mempool full: retry later");
  // Room again once something commits.
  commit(m, {m.find(tx(1)->hash())}, 10);
  EXPECT_TRUE(all_of<core::SubmissionRejected>(m.on_submitted(0, tx(4))).empty());
}

TEST_F(MempoolTest, InvalidSignaturesAreReportedToTheSubmitter) {
  auto m = make();
  auto t = tx(1);
  m.on_submitted(0, t);
  m.on_batch_timer(0);
  std::vector<Hash> added;
  auto out = m.on_verified(0, {core::TxOrigin::kSubmitted, {}, {}, {t->hash()}}, added);
  auto rejected = all_of<core::SubmissionRejected>(out);
  ASSERT_EQ(rejected.size(), 1U);
  EXPECT_EQ(rejected[0].reason, "invalid signature");
  EXPECT_EQ(m.size(), 0U);
  // Not stuck as "being verified": a correct copy can come again.
  EXPECT_TRUE(all_of<core::SubmissionRejected>(m.on_submitted(0, t)).empty());
}

TEST_F(MempoolTest, CommittedTransactionsNeverComeBack) {
  auto m = make();
  auto t = tx(1);
  admit(m, {t});
  auto out = commit(m, {t}, 10);
  auto statuses = all_of<core::EmitTransactionStatuses>(out);
  ASSERT_EQ(statuses.size(), 1U);
  ASSERT_EQ(statuses[0].updates.size(), 1U);
  const auto* committed =
      std::get_if<types::status::Committed>(&statuses[0].updates[0].status.value());
  ASSERT_NE(committed, nullptr);
  EXPECT_EQ(committed->height, 1U);
  EXPECT_EQ(m.size(), 0U);
  EXPECT_TRUE(all_of<core::StartJob>(m.on_gossip(20, 1, {t})).empty())
      << "gossip of a committed tx";
  auto again = all_of<core::SubmissionRejected>(m.on_submitted(20, t));
  ASSERT_EQ(again.size(), 1U);
  EXPECT_EQ(again[0].reason, "duplicate transaction");
}

TEST_F(MempoolTest, ACommitDuringVerificationKeepsTheTransactionOut) {
  auto m = make();
  auto t = tx(1);
  ASSERT_EQ(all_of<core::StartJob>(m.on_gossip(0, 1, {t})).size(), 1U);
  commit(m, {t}, 10);  // another validator's block had it
  std::vector<Hash> added;
  m.on_verified(10, {core::TxOrigin::kGossip, {}, {t}, {}}, added);
  EXPECT_TRUE(added.empty());
  EXPECT_EQ(m.size(), 0U);
}

TEST_F(MempoolTest, RetryAttemptsAreRefusedFromClientsAndDroppedFromGossip) {
  // Found by review: an attempt > 0 without its credential can never be
  // ordered, so a client re-sending attempt-k copies of any transaction
  // filled the pool until they expired.
  auto m = make();
  auto original = tx(1);
  auto retry = std::make_shared<types::Transaction>(original->payload(), 1, original->signatures());
  auto refused = all_of<core::SubmissionRejected>(m.on_submitted(0, retry));
  ASSERT_EQ(refused.size(), 1U);
  EXPECT_EQ(refused[0].reason, "retry attempts are made by validators: submit attempt 0");
  EXPECT_TRUE(all_of<core::StartJob>(m.on_gossip(0, 1, {retry})).empty());
  EXPECT_EQ(m.stats().retries_dropped, 1U);
  EXPECT_EQ(all_of<core::StartJob>(m.on_gossip(0, 1, {original})).size(), 1U);
}

TEST_F(MempoolTest, ExpiredTransactionsAbortAndAreRefusedAfterwards) {
  auto m = make();
  auto short_lived = tx(1, 5'000), long_lived = tx(2, 100'000);
  admit(m, {short_lived, long_lived});
  EXPECT_TRUE(all_of<core::EmitTransactionStatuses>(commit(m, {}, 4'000)).empty());
  auto out = commit(m, {}, 6'000);
  auto statuses = all_of<core::EmitTransactionStatuses>(out);
  ASSERT_EQ(statuses.size(), 1U);
  ASSERT_EQ(statuses[0].updates.size(), 1U);
  EXPECT_EQ(statuses[0].updates[0].tx_hash, short_lived->hash());
  const auto* aborted = std::get_if<types::status::Aborted>(&statuses[0].updates[0].status.value());
  ASSERT_NE(aborted, nullptr);
  EXPECT_EQ(aborted->reason, types::AbortReason::kExpired);
  EXPECT_EQ(m.size(), 1U);
  EXPECT_EQ(m.stats().expired, 1U);
  // Consensus time is past its window: it is not taken again.
  auto stale = tx(3, 5'500);
  EXPECT_TRUE(all_of<core::StartJob>(m.on_gossip(6'000, 1, {stale})).empty());
  auto refused = all_of<core::SubmissionRejected>(m.on_submitted(6'000, stale));
  ASSERT_EQ(refused.size(), 1U);
  EXPECT_EQ(refused[0].reason, "transaction expired");
}

TEST_F(MempoolTest, ProposalsTakeReadyTransactionsInHashOrderWithinTheBudget) {
  auto m = make();
  std::vector<TransactionRef> txs;
  for (std::uint64_t i = 0; i < 10; ++i)
    txs.push_back(tx(i));
  txs.push_back(tx(100, 100'000, 0, 50'000));  // not valid yet at t = 1000
  admit(m, txs);
  std::vector<Hash> sorted;
  for (std::size_t i = 0; i < 10; ++i)
    sorted.push_back(txs[i]->hash());
  std::sort(sorted.begin(), sorted.end());

  auto excluded = sorted[1];
  auto ready = m.ready_for_proposal(
      4, 1'000, [&](const types::Transaction& t) { return t.hash() == excluded; });
  ASSERT_EQ(ready.size(), 4U);
  std::vector<Hash> expected{sorted[0], sorted[2], sorted[3], sorted[4]};
  for (std::size_t i = 0; i < 4; ++i)
    EXPECT_EQ(ready[i]->hash(), expected[i]) << i;

  auto all = m.ready_for_proposal(100, 1'000, [](const types::Transaction&) { return false; });
  EXPECT_EQ(all.size(), 10U) << "the not-yet-valid one stays back";
  auto later = m.ready_for_proposal(100, 60'000, [](const types::Transaction&) { return false; });
  EXPECT_EQ(later.size(), 11U);
}

TEST(ReplayWindow, ForgetsOnlyWhatCanNoLongerBeValid) {
  core::ReplayWindow w(1'000);
  auto h = [](std::uint32_t i) { return types::Hasher().update_u32(i).finish(); };
  w.advance(100);
  w.add(h(1));
  w.advance(600);
  w.add(h(2));
  w.add(h(2));
  EXPECT_EQ(w.size(), 2U);
  w.advance(1'100);
  w.prune();
  EXPECT_TRUE(w.contains(h(1))) << "exactly one window old is kept";
  w.advance(1'101);
  w.prune();
  EXPECT_FALSE(w.contains(h(1)));
  EXPECT_TRUE(w.contains(h(2)));
  w.advance(50);  // an older stamp never moves time back
  EXPECT_EQ(w.latest_ms(), 1'101U);
  w.add(h(3));
  w.advance(2'101);
  w.prune();
  EXPECT_TRUE(w.contains(h(3))) << "kept a full window from the newest time";
  EXPECT_FALSE(w.contains(h(2)));
}

}  // namespace
}  // namespace hyperscale::mempool
