// Round trips of every wire type: decode(encode(x)) == x, re-encoding gives
// the same bytes, and hashes derived on decode equal the ones recomputed from
// their definitions. Also the byte layout of the codec primitives and the
// canonical-encoding property (any bytes that decode re-encode to themselves).

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <memory>
#include <set>
#include <vector>

#include "types/generators.h"

namespace hyperscale::types {
namespace {

// Pointee equality for the *Ref types, plain equality otherwise.
template <class T>
bool same(const T& a, const T& b) {
  return a == b;
}
template <class T>
bool same(const std::shared_ptr<const T>& a, const std::shared_ptr<const T>& b) {
  return a && b && *a == *b;
}

/// Checks decode(encode(v)) == v and that the decoded value re-encodes to the
/// same bytes; returns the decoded value for further checks.
template <class T>
T round_trip(const T& value) {
  Bytes bytes = encode(value);
  RC_LOG() << "encoding: " << to_hex(bytes) << '\n';
  DecodeResult<T> decoded = decode<T>(bytes);
  if (!decoded) RC_FAIL("decode failed: " + decoded.error().message());
  RC_ASSERT(same(*decoded, value));
  RC_ASSERT(encode(*decoded) == bytes);
  return std::move(*decoded);
}

// --- codec primitives -----------------------------------------------------------

TEST(CodecPrimitives, IntegersAreLittleEndianFixedWidth) {
  Writer w;
  w.u8(0xab);
  w.u16(0x0102);
  w.u32(0x01020304);
  w.u64(0x0102030405060708);
  w.boolean(true);
  w.boolean(false);
  const Bytes want = {0xab, 0x02, 0x01, 0x04, 0x03, 0x02, 0x01, 0x08, 0x07,
                      0x06, 0x05, 0x04, 0x03, 0x02, 0x01, 0x01, 0x00};
  EXPECT_EQ(w.bytes(), want);

  Reader r(w.bytes());
  EXPECT_EQ(r.u8(), 0xab);
  EXPECT_EQ(r.u16(), 0x0102);
  EXPECT_EQ(r.u32(), 0x01020304u);
  EXPECT_EQ(r.u64(), 0x0102030405060708u);
  EXPECT_TRUE(r.boolean());
  EXPECT_FALSE(r.boolean());
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(CodecPrimitives, VarBytesHaveAU32LengthPrefix) {
  Writer w;
  const Bytes data = {1, 2, 3};
  w.var_bytes(data);
  const Bytes want = {3, 0, 0, 0, 1, 2, 3};
  EXPECT_EQ(w.bytes(), want);
  Reader r(w.bytes());
  EXPECT_EQ(r.var_bytes(3, "data"), data);
  EXPECT_TRUE(r.ok());

  Reader over(w.bytes());
  over.var_bytes(2, "data");
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().code, DecodeErrorCode::kTooLarge);
}

TEST(CodecPrimitives, FirstFailureIsStickyAndReadsReturnZero) {
  const Bytes in = {1, 2, 3};
  Reader r(in);
  EXPECT_EQ(r.u32(), 0u);  // needs 4 bytes
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, DecodeErrorCode::kTruncated);
  EXPECT_EQ(r.error().offset, 0u);
  // Later reads neither advance nor replace the first error.
  EXPECT_EQ(r.u8(), 0u);
  EXPECT_EQ(r.position(), 0u);
  r.fail(DecodeErrorCode::kInvalidValue, "later");
  EXPECT_EQ(r.error().code, DecodeErrorCode::kTruncated);
}

TEST(CodecPrimitives, CountNeedsMinimumBytesPerElement) {
  Writer w;
  w.u32(3);
  for (int i = 0; i < 5; ++i)
    w.u8(0);
  Reader enough(w.bytes());
  EXPECT_EQ(enough.count(10, "items", 1), 3u);
  EXPECT_TRUE(enough.ok());
  Reader short_input(w.bytes());
  short_input.count(10, "items", 2);  // 3 * 2 > 5 bytes left
  ASSERT_FALSE(short_input.ok());
  EXPECT_EQ(short_input.error().code, DecodeErrorCode::kTruncated);
  Reader over(w.bytes());
  over.count(2, "items", 1);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().code, DecodeErrorCode::kTooLarge);
}

TEST(CodecPrimitives, TagAboveMaxIsInvalid) {
  const Bytes in = {2};
  Reader ok_reader(in);
  EXPECT_EQ(ok_reader.tag(2, "tag"), 2u);
  EXPECT_TRUE(ok_reader.ok());
  Reader bad(in);
  bad.tag(1, "tag");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, DecodeErrorCode::kInvalidValue);
}

TEST(CodecPrimitives, ErrorCodesHaveDistinctNames) {
  const DecodeErrorCode all[] = {DecodeErrorCode::kTruncated,    DecodeErrorCode::kTrailingBytes,
                                 DecodeErrorCode::kTooLarge,     DecodeErrorCode::kUnsorted,
                                 DecodeErrorCode::kDuplicate,    DecodeErrorCode::kHashMismatch,
                                 DecodeErrorCode::kInvalidValue, DecodeErrorCode::kInconsistent};
  std::set<std::string_view> names;
  for (auto c : all) {
    EXPECT_FALSE(to_string(c).empty());
    names.insert(to_string(c));
  }
  EXPECT_EQ(names.size(), std::size(all));
  DecodeError e{DecodeErrorCode::kTooLarge, "signers", 17};
  EXPECT_NE(e.message().find(std::string(to_string(DecodeErrorCode::kTooLarge))),
            std::string::npos);
  EXPECT_NE(e.message().find("signers"), std::string::npos);
  EXPECT_NE(e.message().find("17"), std::string::npos);
}

// --- byte-string order (sorted sequences and section keys rely on it) ---------------

/// `a` against a copy that differs from some position on: the order must be
/// that of the first differing byte, whatever the size and position.
template <class T>
void check_order_is_bytewise(const T& a) {
  T b = a;
  auto from = *testgen::uniform_in<std::size_t>(0, T::kSize);
  for (std::size_t i = from; i < T::kSize; ++i)
    if (*rc::gen::arbitrary<bool>()) b.bytes[i] = *testgen::byte();
  auto want = std::lexicographical_compare_three_way(a.bytes.begin(), a.bytes.end(),
                                                     b.bytes.begin(), b.bytes.end());
  RC_ASSERT((a <=> b) == want);
  RC_ASSERT((b <=> a) == (0 <=> want));
  RC_ASSERT((a == b) == (want == 0));
  RC_ASSERT((a <=> a) == std::strong_ordering::equal);
}

RC_GTEST_PROP(FixedBytesOrder, IsBytewiseLexicographic,
              (const NodeId& n, const Hash& h, const BlsPublicKey& k, const Ed25519Signature& e,
               const BlsSignature& s)) {
  check_order_is_bytewise(n);  // 30 bytes: not a whole number of words
  check_order_is_bytewise(h);
  check_order_is_bytewise(k);
  check_order_is_bytewise(e);
  check_order_is_bytewise(s);
}

TEST(FixedBytesOrder, EarlierByteDominatesEveryLaterOne) {
  for (std::size_t i = 0; i < NodeId::kSize; ++i) {
    NodeId low;
    NodeId high;
    high.bytes[i] = 1;
    for (std::size_t j = i + 1; j < NodeId::kSize; ++j)
      low.bytes[j] = 0xff;
    EXPECT_LT(low, high) << i;
    EXPECT_GT(high, low) << i;
    EXPECT_NE(low, high) << i;
  }
}

// Sizes follow from the field lists in the headers: fixed-width fields only.
TEST(CodecLayout, FixedSizeMessagesHaveTheSumOfTheirFieldSizes) {
  EXPECT_EQ(encode(BlockVote{}).size(),
            4u + 8 + 8 + Hash::kSize + Hash::kSize + 4 + BlsSignature::kSize);
  EXPECT_EQ(encode(TransactionAbort{}).size(), Hash::kSize + 1);
  EXPECT_EQ(encode(SectionRoots{}).size(), 7 * Hash::kSize);
  for (std::uint32_t n = 0; n <= 17; ++n)
    EXPECT_EQ(encode(SignerBitfield(n)).size(), 4u + (n + 7) / 8) << n;
}

TEST(CodecLayout, SignerBitIsCommitteeIndexLsbFirst) {
  SignerBitfield b(10);
  b.set(0);
  b.set(9);
  const Bytes want = {10, 0, 0, 0, 0x01, 0x02};
  EXPECT_EQ(encode(b), want);
  EXPECT_EQ(b.count(), 2u);
  EXPECT_EQ(b.indices(), (std::vector<std::uint32_t>{0, 9}));
  EXPECT_TRUE(b.test(9));
  EXPECT_FALSE(b.test(8));
  EXPECT_FALSE(b.test(10));  // out of range is simply unset
}

// --- round trips: consensus ---------------------------------------------------------

RC_GTEST_PROP(CodecRoundTrip, SignerBitfield, (const SignerBitfield& v)) {
  auto d = round_trip(v);
  RC_ASSERT(d.count() == v.count());
  RC_ASSERT(d.indices() == v.indices());
}

RC_GTEST_PROP(CodecRoundTrip, MerkleProof, (const MerkleProof& v)) {
  round_trip(v);
}

RC_GTEST_PROP(CodecRoundTrip, QuorumCertificate, (const QuorumCertificate& v)) {
  RC_ASSERT(!round_trip(v).is_genesis());
}

RC_GTEST_PROP(CodecRoundTrip, GenesisQuorumCertificate, ()) {
  auto qc = *testgen::genesis_qc();
  RC_ASSERT(round_trip(qc).is_genesis());
}

RC_GTEST_PROP(CodecRoundTrip, BlockVote, (const BlockVote& v)) {
  round_trip(v);
}

RC_GTEST_PROP(CodecRoundTrip, TimeoutCertificate, (const TimeoutCertificate& v)) {
  auto d = round_trip(v);
  RC_ASSERT(d.high_qc.round == d.max_high_qc_round());
  RC_ASSERT(d.high_qc_rounds.size() == d.signers.count());
}

RC_GTEST_PROP(CodecRoundTrip, Timeout, (const Timeout& v)) {
  round_trip(v);
}

// --- round trips: transactions ------------------------------------------------------

RC_GTEST_PROP(CodecRoundTrip, Instruction, (const Instruction& v)) {
  round_trip(v);
}

RC_GTEST_PROP(CodecRoundTrip, TransactionPayload, (const TransactionPayload& v)) {
  auto d = round_trip(v);
  RC_ASSERT(intent_hash_of(d) == hash_bytes(encode(v)));
  RC_ASSERT(signers_cover_debits(d));
}

RC_GTEST_PROP(CodecRoundTrip, Transaction, (const Transaction& tx)) {
  auto d = round_trip(tx);
  RC_ASSERT(d.attempt() == tx.attempt());
  RC_ASSERT(d.intent_hash() == intent_hash_of(d.payload()));
  RC_ASSERT(d.hash() == tx_hash_of(intent_hash_of(d.payload()), d.attempt()));
  RC_ASSERT(d.hash() == tx.hash());
  RC_ASSERT(d.intent_hash() == tx.intent_hash());
  // Derived on decode and on construction alike.
  RC_ASSERT(d.access() == declared_access(d.payload()));
  RC_ASSERT(tx.access() == d.access());
  RC_ASSERT(d.encoded_size() == encode(tx).size());
  RC_ASSERT(tx.encoded_size() == encode(tx).size());
}

RC_GTEST_PROP(CodecRoundTrip, TransactionRef, (const TransactionRef& tx)) {
  auto d = round_trip(tx);
  RC_ASSERT(d->hash() == tx_hash_of(intent_hash_of(d->payload()), d->attempt()));
}

// The tx hash covers the intent and the attempt, not the signatures.
RC_GTEST_PROP(TransactionHash, AttemptChangesHashSignaturesDoNot, (const Transaction& tx)) {
  auto other_attempt =
      *rc::gen::suchThat(testgen::attempt(), [&](std::uint32_t a) { return a != tx.attempt(); });
  Transaction retried(tx.payload(), other_attempt, tx.signatures());
  RC_ASSERT(retried.intent_hash() == tx.intent_hash());
  RC_ASSERT(retried.hash() != tx.hash());

  auto sigs = tx.signatures();
  sigs[0].bytes[0] ^= 1;
  Transaction resigned(tx.payload(), tx.attempt(), sigs);
  RC_ASSERT(resigned.hash() == tx.hash());
  RC_ASSERT(!(resigned == tx));  // still a different value
}

RC_GTEST_PROP(TransactionHash, NonceChangesIntent, (const TransactionPayload& p)) {
  TransactionPayload q = p;
  q.nonce ^= 1;
  RC_ASSERT(intent_hash_of(q) != intent_hash_of(p));
  RC_ASSERT(tx_hash_of(intent_hash_of(p), 0) != tx_hash_of(intent_hash_of(p), 1));
}

// --- round trips: state ------------------------------------------------------------------

RC_GTEST_PROP(CodecRoundTrip, SubstateKey, (const SubstateKey& v)) {
  round_trip(v);
}
RC_GTEST_PROP(CodecRoundTrip, StateEntry, (const StateEntry& v)) {
  round_trip(v);
  RC_ASSERT(entry_hash(v) == hash_bytes(encode(v)));
}
RC_GTEST_PROP(CodecRoundTrip, ProvisionContent, (const ProvisionContent& v)) {
  round_trip(v);
}
RC_GTEST_PROP(CodecRoundTrip, StateProvision, (const StateProvision& v)) {
  round_trip(v);
}
RC_GTEST_PROP(CodecRoundTrip, CommitmentProof, (const CommitmentProof& v)) {
  round_trip(v);
}
RC_GTEST_PROP(CodecRoundTrip, StateVoteContent, (const StateVoteContent& v)) {
  round_trip(v);
}
RC_GTEST_PROP(CodecRoundTrip, StateVote, (const StateVote& v)) {
  round_trip(v);
}

RC_GTEST_PROP(CodecRoundTrip, StateCertificate, (const StateCertificate& v)) {
  auto d = round_trip(v);
  if (const auto* e = std::get_if<Executed>(&d.content.outcome)) {
    std::vector<Hash> leaves;
    for (const auto& w : d.writes)
      leaves.push_back(hash_bytes(encode(w)));
    RC_ASSERT(e->outputs_root == merkle_root(leaves));
    RC_ASSERT(e->outputs_root == entries_root(d.writes));
  } else {
    RC_ASSERT(d.writes.empty());
  }
}

RC_GTEST_PROP(CodecRoundTrip, TransactionCertificate, (const TransactionCertificate& v)) {
  auto d = round_trip(v);
  RC_ASSERT(item_hash(d) == hash_bytes(encode(v)));
}
RC_GTEST_PROP(CodecRoundTrip, TransactionCertificateRef, (const TransactionCertificateRef& v)) {
  round_trip(v);
}

RC_GTEST_PROP(CodecRoundTrip, CycleProof, (const CycleProof& v)) {
  auto d = round_trip(v);
  RC_ASSERT(d.winner_proof.content.tx_hash == d.winner_tx->hash());
}

RC_GTEST_PROP(CodecRoundTrip, TransactionDefer, (const TransactionDefer& v)) {
  auto d = round_trip(v);
  RC_ASSERT(item_hash(d) == hash_bytes(encode(v)));
}

RC_GTEST_PROP(CodecRoundTrip, TransactionAbort, (const TransactionAbort& v)) {
  auto d = round_trip(v);
  RC_ASSERT(item_hash(d) == hash_bytes(encode(v)));
}

// --- round trips: blocks ---------------------------------------------------------------

RC_GTEST_PROP(CodecRoundTrip, SectionRoots, (const SectionRoots& v)) {
  round_trip(v);
}

RC_GTEST_PROP(CodecRoundTrip, BlockHeader, (const BlockHeader& v)) {
  auto d = round_trip(v);
  // The hash covers every field but the trailing proposer signature.
  Bytes bytes = encode(v);
  ByteSpan unsigned_part(bytes.data(), bytes.size() - BlsSignature::kSize);
  RC_ASSERT(d.compute_hash() == hash_bytes(unsigned_part));
}

RC_GTEST_PROP(CodecRoundTrip, BlockBody, (const BlockBody& v)) {
  round_trip(v);
}

/// Section root: the Merkle root of the section's item hashes, in order.
template <class T, class F>
Hash root_of(const std::vector<T>& items, F item) {
  std::vector<Hash> leaves;
  for (const auto& x : items)
    leaves.push_back(item(x));
  return merkle_root(leaves);
}

RC_GTEST_PROP(CodecRoundTrip, Block, (const Block& b)) {
  auto d = round_trip(b);
  RC_ASSERT(d.hash() == d.header().compute_hash());
  RC_ASSERT(d.hash() == b.hash());
  const BlockBody& body = d.body();
  const SectionRoots& roots = d.header().roots;
  RC_ASSERT(roots == body.compute_roots());
  auto tx = [](const TransactionRef& t) { return t->hash(); };
  auto encoded = [](const auto& x) { return hash_bytes(encode(x)); };
  RC_ASSERT(roots.retry_txs == root_of(body.retry_txs, tx));
  RC_ASSERT(roots.priority_txs == root_of(body.priority_txs, tx));
  RC_ASSERT(roots.txs == root_of(body.txs, tx));
  RC_ASSERT(roots.certificates ==
            root_of(body.certificates,
                    [](const TransactionCertificateRef& c) { return hash_bytes(encode(*c)); }));
  RC_ASSERT(roots.deferrals == root_of(body.deferrals, encoded));
  RC_ASSERT(roots.aborts == root_of(body.aborts, encoded));
  RC_ASSERT(roots.proofs == root_of(body.proofs, encoded));
}

RC_GTEST_PROP(BlockAssemble, OnlyWhenTheBodyMatchesTheHeaderRoots,
              (const Block& a, const Block& b)) {
  auto same = Block::assemble(a.header(), a.body());
  RC_ASSERT(same != nullptr);
  RC_ASSERT(*same == a);
  RC_ASSERT(same->hash() == a.header().compute_hash());
  RC_PRE(a.header().roots != b.header().roots);
  RC_ASSERT(Block::assemble(a.header(), b.body()) == nullptr);
}

RC_GTEST_PROP(BlockHash, SignatureIsOutsideTheHashEveryOtherFieldInside, (const BlockHeader& h)) {
  BlockHeader resigned = h;
  resigned.proposer_signature.bytes[0] ^= 1;
  RC_ASSERT(resigned.compute_hash() == h.compute_hash());

  std::vector<BlockHeader> changed(8, h);
  changed[0].shard ^= 1;
  changed[1].height ^= 1;
  changed[2].round ^= 1;
  changed[3].parent_hash.bytes[31] ^= 1;
  changed[4].justify.block_hash.bytes[0] ^= 1;
  changed[5].proposer ^= 1;
  changed[6].state_version ^= 1;
  changed[7].roots.proofs.bytes[5] ^= 1;
  for (const auto& c : changed)
    RC_ASSERT(c.compute_hash() != h.compute_hash());
}

// --- canonical encoding ----------------------------------------------------------------

/// Whatever decodes re-encodes to exactly the input: flipping any byte of a
/// valid encoding gives either an error or another value's canonical bytes.
template <class T>
void check_mutations_are_canonical(const T& value) {
  Bytes bytes = encode(value);
  RC_PRE(!bytes.empty());
  auto pos = *testgen::uniform_in<std::size_t>(0, bytes.size());
  auto flip = *testgen::uniform_in<unsigned>(1, 256);
  bytes[pos] = static_cast<std::uint8_t>(bytes[pos] ^ flip);
  auto decoded = decode<T>(bytes);
  if (decoded) RC_ASSERT(encode(*decoded) == bytes);
}

RC_GTEST_PROP(CanonicalEncoding, MutatedConsensusMessages,
              (const Timeout& t, const TimeoutCertificate& tc, const QuorumCertificate& qc)) {
  check_mutations_are_canonical(t);
  check_mutations_are_canonical(tc);
  check_mutations_are_canonical(qc);
}

RC_GTEST_PROP(CanonicalEncoding, MutatedTransactionsAndState,
              (const Transaction& tx, const StateCertificate& sc,
               const TransactionCertificate& cert, const TransactionDefer& d)) {
  check_mutations_are_canonical(tx);
  check_mutations_are_canonical(sc);
  check_mutations_are_canonical(cert);
  check_mutations_are_canonical(d);
}

RC_GTEST_PROP(CanonicalEncoding, MutatedBlocks, (const Block& b)) {
  check_mutations_are_canonical(b);
}

RC_GTEST_PROP(CanonicalEncoding, RandomBytesDecodeOnlyToTheirOwnEncoding, ()) {
  auto bytes = *rc::gen::container<Bytes>(testgen::byte());
  auto check = [&](auto tag) {
    using T = decltype(tag);
    auto decoded = decode<T>(bytes);
    if (decoded) RC_ASSERT(encode(*decoded) == bytes);
  };
  check(SignerBitfield{});
  check(MerkleProof{});
  check(QuorumCertificate{});
  check(BlockVote{});
  check(Instruction{});
  check(StateEntry{});
  check(StateVoteContent{});
  check(TransactionAbort{});
  check(Transaction{});
  check(BlockHeader{});
  check(BlockBody{});
}

// --- derived data ------------------------------------------------------------------------

RC_GTEST_PROP(DeclaredAccess, WritesAreTheSortedTouchedAccounts, (const TransactionPayload& p)) {
  std::set<NodeId> touched;
  for (const auto& ins : p.instructions) {
    if (const auto* t = std::get_if<Transfer>(&ins)) touched.insert({t->from, t->to});
    if (const auto* w = std::get_if<Withdraw>(&ins)) touched.insert(w->account);
    if (const auto* d = std::get_if<Deposit>(&ins)) touched.insert(d->account);
    if (const auto* c = std::get_if<CreateAccount>(&ins))
      touched.insert(account_address(c->owner.span()));
  }
  DeclaredAccess a = declared_access(p);
  RC_ASSERT(a.writes == std::vector<NodeId>(touched.begin(), touched.end()));
  for (const auto& r : a.reads)
    RC_ASSERT(!touched.contains(r));
  RC_ASSERT(std::is_sorted(a.reads.begin(), a.reads.end()));
  RC_ASSERT(std::adjacent_find(a.reads.begin(), a.reads.end()) == a.reads.end());
  // One shard key per distinct node, so the involved shards follow by a modulo.
  std::set<std::uint64_t> keys;
  for (const auto& n : a.reads)
    keys.insert(shard_key(n));
  for (const auto& n : a.writes)
    keys.insert(shard_key(n));
  RC_ASSERT(a.shard_keys == std::vector<std::uint64_t>(keys.begin(), keys.end()));
}

TEST(DebitedAccounts, OnlyTransferSourcesAndWithdrawalsAreDebited) {
  Ed25519PublicKey alice;
  alice.bytes[0] = 1;
  NodeId alice_account = account_address(alice.span());
  NodeId other = resource_address("other");
  NodeId xrd = resource_address("xrd");
  TransactionPayload p;
  p.signers = {alice};
  p.instructions = {Transfer{alice_account, other, xrd, 5}, Deposit{other, xrd, 5},
                    CreateAccount{alice}};
  EXPECT_EQ(debited_accounts(p), std::vector<NodeId>{alice_account});
  EXPECT_TRUE(signers_cover_debits(p));
  p.instructions.push_back(Withdraw{other, xrd, 1});
  EXPECT_FALSE(signers_cover_debits(p));
  p.signers.clear();
  p.instructions = {Deposit{other, xrd, 5}};
  EXPECT_TRUE(debited_accounts(p).empty());
  EXPECT_TRUE(signers_cover_debits(p));
}

TEST(Addresses, AccountAndResourceAddressesAreDomainSeparated) {
  const std::string_view name = "same-bytes";
  EXPECT_NE(account_address(as_bytes(name)), resource_address(name));
  EXPECT_EQ(resource_address(name), resource_address(name));
  EXPECT_NE(resource_address("a"), resource_address("b"));
}

StateCertificate executed_cert(ShardId shard, bool success, Hash root) {
  StateCertificate c;
  c.content.shard = shard;
  c.content.outcome = Executed{success, root};
  return c;
}

TEST(CertificateDecision, AcceptOnlyWhenEveryShardSucceededWithOneRoot) {
  Hash root = hash_bytes("root");
  Hash other = hash_bytes("other");
  TransactionCertificate cert;
  EXPECT_EQ(cert.decision(), Decision::kReject);  // no shards decided
  cert.shard_certificates = {executed_cert(0, true, root), executed_cert(1, true, root)};
  EXPECT_EQ(cert.decision(), Decision::kAccept);
  cert.shard_certificates[1] = executed_cert(1, true, other);
  EXPECT_EQ(cert.decision(), Decision::kReject);
  cert.shard_certificates[1] = executed_cert(1, false, root);
  EXPECT_EQ(cert.decision(), Decision::kReject);
  cert.shard_certificates[1].content.outcome = Aborted{AbortReason::kTimeout, 0};
  EXPECT_EQ(cert.decision(), Decision::kReject);
  EXPECT_TRUE(cert.shard_certificates[0].content.is_success());
  EXPECT_FALSE(cert.shard_certificates[1].content.is_success());
}

}  // namespace
}  // namespace hyperscale::types
