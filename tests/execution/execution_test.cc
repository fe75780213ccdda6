// The chain-derived execution ledger, the block rules voters check, and the
// state store's roots over uncommitted ancestors.

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "engine/substates.h"
#include "execution/block_rules.h"
#include "execution/state_store.h"

namespace hyperscale::execution {
namespace {

using types::Block;
using types::BlockRef;
using types::Hash;
using types::NodeId;
using types::TransactionRef;

types::Ed25519PublicKey key(std::uint64_t i) {
  types::Ed25519PublicKey k;
  Hash h = types::Hasher().update("test key").update_u64(i).finish();
  std::copy(h.bytes.begin(), h.bytes.end(), k.bytes.begin());
  return k;
}
NodeId account(std::uint64_t i) {
  return types::account_address(key(i).span());
}

/// A transfer of `amount` from account `from` to account `to`.
TransactionRef transfer(std::uint64_t from, std::uint64_t to, std::uint64_t nonce = 0,
                        std::uint64_t amount = 1) {
  types::TransactionPayload p;
  p.instructions.push_back(
      types::Transfer{account(from), account(to), engine::native_resource(), amount});
  p.nonce = nonce;
  p.valid_from_ms = 0;
  p.valid_until_ms = 100'000;
  p.signers = {key(from)};
  return std::make_shared<types::Transaction>(std::move(p), 0,
                                              std::vector<types::Ed25519Signature>(1));
}

types::Committee committee(std::uint32_t n) {
  std::vector<types::ValidatorInfo> members;
  for (std::uint32_t i = 0; i < n; ++i)
    members.push_back(types::ValidatorInfo{i, {}, {}, {}, 1});
  return types::Committee(0, std::move(members));
}

types::SignerBitfield signers(std::uint32_t size, std::uint32_t count) {
  types::SignerBitfield b(size);
  for (std::uint32_t i = 0; i < count; ++i)
    b.set(i);
  return b;
}

/// A single-shard outcome for `tx`: success with `writes`, signed by `count` of 4.
types::TransactionCertificateRef outcome(const TransactionRef& tx,
                                         std::vector<types::StateEntry> writes, bool success = true,
                                         std::uint32_t count = 3) {
  // Sorted through a map: GCC 12 at -O1 warns falsely inside std::sort of StateEntry.
  std::map<types::SubstateKey, types::StateEntry> by_key;
  for (auto& w : writes)
    by_key.insert_or_assign(w.key, std::move(w));
  writes.clear();
  for (auto& [k, w] : by_key)
    writes.push_back(std::move(w));
  types::StateCertificate sc;
  sc.content.tx_hash = tx->hash();
  sc.content.shard = 0;
  sc.content.outcome = types::Executed{success, types::entries_root(writes)};
  sc.writes = std::move(writes);
  sc.signers = signers(4, count);
  auto cert = std::make_shared<types::TransactionCertificate>();
  cert->tx_hash = tx->hash();
  cert->shard_certificates.push_back(std::move(sc));
  return cert;
}

types::StateEntry balance(std::uint64_t acct, types::Amount amount) {
  return {engine::balance_key(account(acct), engine::native_resource()),
          engine::encode_amount(amount)};
}

BlockRef block(types::BlockHeight height, std::vector<TransactionRef> txs,
               std::vector<types::TransactionCertificateRef> certs = {}) {
  types::BlockBody body;
  std::sort(txs.begin(), txs.end(),
            [](const auto& a, const auto& b) { return a->hash() < b->hash(); });
  std::sort(certs.begin(), certs.end(),
            [](const auto& a, const auto& b) { return a->tx_hash < b->tx_hash; });
  body.txs = std::move(txs);
  body.certificates = std::move(certs);
  types::BlockHeader h;
  h.height = height;
  h.round = height;
  h.roots = body.compute_roots();
  return Block::assemble(std::move(h), std::move(body));
}

std::optional<BlockViolation> check(const ExecutionLedger& ledger, std::vector<BlockRef> ancestors,
                                    const BlockRef& b) {
  AsOfParent view(ledger, ancestors);
  return check_block(view, *b, committee(4));
}

// --- locks ---------------------------------------------------------------------------------

TEST(LockTable, SharedLocksCoexistAndExclusiveOnesDoNot) {
  LockTable t;
  types::DeclaredAccess read_a{{account(1)}, {}, {}};
  types::DeclaredAccess write_a{{}, {account(1)}, {}};
  Hash t1 = types::hash_bytes("t1"), t2 = types::hash_bytes("t2"), t3 = types::hash_bytes("t3");
  t.lock(t1, read_a);
  EXPECT_TRUE(t.can_lock(read_a));
  EXPECT_FALSE(t.can_lock(write_a));
  t.lock(t2, read_a);
  t.unlock(t1, read_a);
  EXPECT_FALSE(t.can_lock(write_a));
  t.unlock(t2, read_a);
  EXPECT_TRUE(t.can_lock(write_a));
  EXPECT_EQ(t.locked_nodes(), 0u);
  t.lock(t3, write_a);
  EXPECT_FALSE(t.can_lock(read_a));
  EXPECT_FALSE(t.can_lock(write_a));
  // Unless the holder's outcome is known.
  EXPECT_TRUE(t.can_lock(write_a, [&](const Hash& h) { return h == t3; }));
}

// --- the ledger ------------------------------------------------------------------------------

TEST(ExecutionLedger, OrderingLocksAndOutcomesReleaseAndApply) {
  ExecutionLedger ledger(0, 1);
  auto tx = transfer(1, 2);
  auto fx = ledger.commit(*block(1, {tx}));
  ASSERT_EQ(fx.ordered.size(), 1u);
  ASSERT_NE(ledger.pending(tx->hash()), nullptr);
  EXPECT_EQ(ledger.locks().locked_nodes(), 2u);
  auto fx2 = ledger.commit(*block(2, {}, {outcome(tx, {balance(1, 9), balance(2, 11)})}));
  ASSERT_EQ(fx2.finished.size(), 1u);
  EXPECT_EQ(fx2.finished[0].decision, types::Decision::kAccept);
  EXPECT_EQ(fx2.writes.size(), 2u);
  EXPECT_EQ(ledger.pending(tx->hash()), nullptr);
  EXPECT_EQ(ledger.locks().locked_nodes(), 0u);
  // A failed execution finishes as Reject and writes nothing.
  auto tx2 = transfer(1, 2, 7);
  ledger.commit(*block(3, {tx2}));
  auto fx4 = ledger.commit(*block(4, {}, {outcome(tx2, {}, false)}));
  EXPECT_EQ(fx4.finished[0].decision, types::Decision::kReject);
  EXPECT_TRUE(fx4.writes.empty());
}

// --- block rules ------------------------------------------------------------------------------

TEST(BlockRules, ConflictsInsideABlockAreRefused) {
  ExecutionLedger ledger(0, 1);
  EXPECT_EQ(check(ledger, {}, block(1, {transfer(1, 2), transfer(3, 4)})), std::nullopt);
  EXPECT_EQ(check(ledger, {}, block(1, {transfer(1, 2), transfer(2, 3)})),
            BlockViolation::kConflictInBlock);
}

TEST(BlockRules, ConflictsWithCommittedOrAncestorLocksAreRefused) {
  ExecutionLedger ledger(0, 1);
  auto held = transfer(1, 2);
  ledger.commit(*block(1, {held}));
  EXPECT_EQ(check(ledger, {}, block(2, {transfer(2, 5)})), BlockViolation::kConflictWithLock);
  EXPECT_EQ(check(ledger, {}, block(2, {transfer(5, 6)})), std::nullopt);
  // A lock taken by an uncommitted ancestor counts too.
  auto a2 = block(2, {transfer(5, 6)});
  EXPECT_EQ(check(ledger, {a2}, block(3, {transfer(6, 7)})), BlockViolation::kConflictWithLock);
  // An ancestor holding the outcome releases the lock as of the parent.
  auto a3 = block(3, {}, {outcome(held, {balance(1, 0), balance(2, 2)})});
  EXPECT_EQ(check(ledger, {a2, a3}, block(4, {transfer(1, 9)})), std::nullopt);
  // But the block's own outcomes do not release anything before it.
  EXPECT_EQ(check(ledger, {}, block(2, {transfer(1, 9)}, {outcome(held, {balance(1, 0)})})),
            BlockViolation::kConflictWithLock);
}

TEST(BlockRules, OutcomesOnlyForPendingTransactionsAndOnlyOnce) {
  ExecutionLedger ledger(0, 1);
  auto tx = transfer(1, 2);
  auto never = transfer(3, 4);
  // Ordered in this very block: not pending as of the parent.
  EXPECT_EQ(check(ledger, {}, block(1, {tx}, {outcome(tx, {})})),
            BlockViolation::kCertificateNotPending);
  ledger.commit(*block(1, {tx}));
  EXPECT_EQ(check(ledger, {}, block(2, {}, {outcome(never, {})})),
            BlockViolation::kCertificateNotPending);
  EXPECT_EQ(check(ledger, {}, block(2, {}, {outcome(tx, {balance(1, 3)})})), std::nullopt);
  // An outcome already in an ancestor, or committed, cannot come again.
  auto a2 = block(2, {}, {outcome(tx, {balance(1, 3)})});
  EXPECT_EQ(check(ledger, {a2}, block(3, {}, {outcome(tx, {balance(1, 3)})})),
            BlockViolation::kCertificateNotPending);
  ledger.commit(*a2);
  EXPECT_EQ(check(ledger, {}, block(3, {}, {outcome(tx, {balance(1, 3)})})),
            BlockViolation::kCertificateNotPending);
  // Ordered in an ancestor: pending as of the parent.
  auto tx2 = transfer(7, 8);
  auto a3 = block(3, {tx2});
  EXPECT_EQ(check(ledger, {a3}, block(4, {}, {outcome(tx2, {balance(7, 1)})})), std::nullopt);
}

TEST(BlockRules, CertificatesMustBeWellFormed) {
  ExecutionLedger ledger(0, 1);
  auto tx = transfer(1, 2);
  ledger.commit(*block(1, {tx}));
  auto checked = [&](types::TransactionCertificateRef c) {
    return check(ledger, {}, block(2, {}, {std::move(c)}));
  };
  EXPECT_EQ(checked(outcome(tx, {balance(1, 3)}, true, 2)), BlockViolation::kCertificateNoQuorum);
  EXPECT_EQ(checked(outcome(tx, {balance(1, 3)}, false)),
            BlockViolation::kCertificateFailureWrites);
  EXPECT_EQ(checked(outcome(tx, {balance(9, 3)})), BlockViolation::kCertificateWriteOutside);
  auto bad_root = std::make_shared<types::TransactionCertificate>(*outcome(tx, {balance(1, 3)}));
  bad_root->shard_certificates[0].writes[0].value = engine::encode_amount(4);
  EXPECT_EQ(checked(bad_root), BlockViolation::kCertificateWritesRoot);
  auto other_shard = std::make_shared<types::TransactionCertificate>(*outcome(tx, {}));
  other_shard->shard_certificates[0].content.shard = 1;
  EXPECT_EQ(checked(other_shard), BlockViolation::kCertificateShape);
  auto two = std::make_shared<types::TransactionCertificate>(*outcome(tx, {}));
  two->shard_certificates.push_back(two->shard_certificates[0]);
  EXPECT_EQ(checked(two), BlockViolation::kCertificateShape);
  auto aborted = std::make_shared<types::TransactionCertificate>(*outcome(tx, {}));
  aborted->shard_certificates[0].content.outcome = types::Aborted{};
  EXPECT_EQ(checked(aborted), BlockViolation::kCertificateAborted);
}

TEST(BlockRules, CrossShardTransactionsAndSectionsWaitForTheirIssue) {
  // Find two accounts on different shards of 2.
  std::uint64_t other = 2;
  while (types::shard_of(account(other), 2) == types::shard_of(account(1), 2))
    ++other;
  ExecutionLedger ledger(types::shard_of(account(1), 2), 2);
  EXPECT_EQ(check(ledger, {}, block(1, {transfer(1, other)})),
            BlockViolation::kCrossShardTransaction);
  types::BlockBody body;
  body.aborts.push_back(types::TransactionAbort{types::hash_bytes("x"), {}});
  types::BlockHeader h;
  h.height = 1;
  h.roots = body.compute_roots();
  EXPECT_EQ(check(ledger, {}, Block::assemble(h, body)), BlockViolation::kUnsupportedSection);
}

TEST(BlockRules, BlocksBuiltInMemoryGetTheChecksTheDecoderWouldMake) {
  // Found by review: two outcomes of one tx in a block passed, and the
  // ledger's commit then aborted the process.
  ExecutionLedger ledger(0, 1);
  auto tx = transfer(1, 2);
  ledger.commit(*block(1, {tx}));
  auto c = outcome(tx, {balance(1, 3)});
  types::BlockBody body;
  body.certificates = {c, c};
  types::BlockHeader h;
  h.height = 2;
  h.roots = body.compute_roots();
  EXPECT_EQ(check(ledger, {}, Block::assemble(h, body)), BlockViolation::kCertificateDuplicate);
  // Writes out of order inside one outcome.
  auto unsorted =
      std::make_shared<types::TransactionCertificate>(*outcome(tx, {balance(1, 3), balance(2, 4)}));
  auto& w = unsorted->shard_certificates[0].writes;
  std::swap(w[0], w[1]);
  unsorted->shard_certificates[0].content.outcome = types::Executed{true, types::entries_root(w)};
  EXPECT_EQ(check(ledger, {}, block(2, {}, {unsorted})), BlockViolation::kCertificateWritesRoot);
  // A transaction declaring no node would pass every lock check.
  types::TransactionPayload empty;
  empty.valid_until_ms = 1000;
  auto nothing =
      std::make_shared<types::Transaction>(empty, 0, std::vector<types::Ed25519Signature>{});
  EXPECT_EQ(check(ledger, {}, block(2, {nothing})), BlockViolation::kNoDeclaredNodes);
}

TEST(BlockRules, ARetryAttemptWithoutItsCredentialIsRefused) {
  // Found by review: the signatures cover the intent, not the attempt, so a
  // completed transfer re-sent as attempt 1 executed a second time.
  ExecutionLedger ledger(0, 1);
  auto first = transfer(1, 2);
  auto again = std::make_shared<types::Transaction>(first->payload(), 1, first->signatures());
  EXPECT_NE(again->hash(), first->hash());
  EXPECT_EQ(check(ledger, {}, block(1, {again})), BlockViolation::kRetryWithoutCredential);
}

TEST(BlockRules, NothingBuildsOnAnAncestorThatBrokeTheRules) {
  ExecutionLedger ledger(0, 1);
  auto held = transfer(1, 2);
  ledger.commit(*block(1, {held}));
  // A certified ancestor that ordered a conflicting tx (only more than f
  // faulty validators could certify it).
  auto bad = block(2, {transfer(2, 3)});
  EXPECT_EQ(check(ledger, {bad}, block(3, {transfer(7, 8)})), BlockViolation::kBrokenAncestor);
  // Or carried an outcome for a tx that is not pending.
  auto bad2 = block(2, {}, {outcome(transfer(5, 6), {})});
  EXPECT_EQ(check(ledger, {bad2}, block(3, {})), BlockViolation::kBrokenAncestor);
  // Or ordered a pending tx again.
  auto bad3 = block(2, {held});
  EXPECT_EQ(check(ledger, {bad3}, block(3, {})), BlockViolation::kBrokenAncestor);
}

// --- state store -------------------------------------------------------------------------------

TEST(StateStore, RootsOverUncommittedAncestorsEqualTheCommittedRoots) {
  std::vector<types::StateEntry> genesis{balance(1, 10), balance(2, 20), balance(3, 30)};
  StateStore store(genesis);
  StateStore reference(genesis);
  EXPECT_NE(store.root(), Hash::zero());
  std::vector<std::vector<types::StateEntry>> writes{
      {balance(1, 9), balance(2, 21)},
      {},
      {balance(3, 0), {engine::balance_key(account(3), engine::native_resource()), std::nullopt}}};
  writes[2].erase(writes[2].begin());  // keep only the delete
  // Versions 1..3 computed on top of each other, uncommitted.
  std::vector<jmt::TreeUpdateBatch> pending;
  std::vector<const jmt::TreeUpdateBatch*> ancestors;
  for (jmt::Version v = 1; v <= 3; ++v) {
    pending.push_back(store.compute(ancestors, v, writes[v - 1]));
    ancestors.clear();
    for (const auto& p : pending)
      ancestors.push_back(&p);
  }
  EXPECT_EQ(store.version(), 0u);
  EXPECT_EQ(pending[1].root.hash(), pending[0].root.hash());  // no writes: same root
  for (jmt::Version v = 1; v <= 3; ++v) {
    reference.commit(v, writes[v - 1]);
    EXPECT_EQ(reference.root(), pending[v - 1].root.hash()) << "version " << v;
  }
  // Committing the precomputed batches gives the same state.
  store.commit(1, writes[0], std::move(pending[0]));
  store.commit(2, writes[1], std::move(pending[1]));
  store.commit(3, writes[2], std::move(pending[2]));
  EXPECT_EQ(store.root(), reference.root());
  EXPECT_EQ(store.values(), reference.values());
  EXPECT_FALSE(store.get(engine::balance_key(account(3), engine::native_resource())));
  EXPECT_EQ(store.get(engine::balance_key(account(2), engine::native_resource())),
            engine::encode_amount(21));
}

}  // namespace
}  // namespace hyperscale::execution
