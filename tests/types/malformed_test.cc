// Malformed inputs are rejected with the specific DecodeErrorCode of the rule
// they break: truncation, trailing bytes, counts above the named limits,
// unsorted and duplicate sequences, hashes and roots that do not match,
// out-of-domain tags and flags, and fields that contradict each other.

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <array>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "types/generators.h"

namespace hyperscale::types {
namespace {

using Code = DecodeErrorCode;

// --- helpers -----------------------------------------------------------------------

template <class T>
testing::AssertionResult rejects_bytes(ByteSpan bytes, Code want) {
  DecodeResult<T> r = decode<T>(bytes);
  if (r) return testing::AssertionFailure() << "decoded, expected " << to_string(want);
  if (r.error().code != want)
    return testing::AssertionFailure()
           << "got \"" << r.error().message() << "\", expected " << to_string(want);
  return testing::AssertionSuccess();
}

/// Encodes `value` as is (encoders do not validate) and expects decode to fail with `want`.
template <class T>
testing::AssertionResult rejects(const T& value, Code want) {
  return rejects_bytes<T>(encode(value), want);
}

template <class T>
testing::AssertionResult accepts(const T& value) {
  DecodeResult<T> r = decode<T>(encode(value));
  if (!r) return testing::AssertionFailure() << "rejected: " << r.error().message();
  return testing::AssertionSuccess();
}

/// RC_ASSERT for AssertionResult, keeping its message.
void require(const testing::AssertionResult& r) {
  if (!r) RC_FAIL(r.message());
}

Bytes concat(const Bytes& a, const Bytes& b) {
  Bytes out = a;
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

Bytes with_byte(Bytes bytes, std::size_t offset, std::uint8_t value) {
  bytes.at(offset) = value;
  return bytes;
}

// Deterministic values for hand-built cases.

Ed25519PublicKey key(unsigned i) {
  return copy_prefix<Ed25519PublicKey>(hash_bytes("key " + std::to_string(i)).span());
}

/// `n` distinct keys in strictly increasing order.
std::vector<Ed25519PublicKey> sorted_keys(std::size_t n) {
  std::vector<Ed25519PublicKey> keys;
  for (unsigned i = 0; i < n; ++i)
    keys.push_back(key(i));
  std::sort(keys.begin(), keys.end());
  return keys;
}

NodeId node(unsigned i) {
  return resource_address("node " + std::to_string(i));
}

/// A valid payload of `instructions` deposits (which debit no account) and the given signers.
TransactionPayload deposit_payload(std::vector<Ed25519PublicKey> signers,
                                   std::size_t instructions = 1, std::uint64_t nonce = 7) {
  TransactionPayload p;
  for (std::size_t i = 0; i < instructions; ++i)
    p.instructions.push_back(Deposit{node(1), node(2), i + 1});
  p.nonce = nonce;
  p.valid_from_ms = 1'000;
  p.valid_until_ms = 2'000;
  p.signers = std::move(signers);
  return p;
}

Transaction signed_tx(TransactionPayload p, std::uint32_t attempt = 0) {
  std::vector<Ed25519Signature> sigs(p.signers.size());
  return Transaction(std::move(p), attempt, std::move(sigs));
}

TransactionRef tx_ref(std::uint64_t nonce) {
  return std::make_shared<const Transaction>(signed_tx(deposit_payload({key(0)}, 1, nonce)));
}

/// `n` distinct transactions sorted by hash.
std::vector<TransactionRef> sorted_txs(std::size_t n) {
  std::vector<TransactionRef> txs;
  for (std::size_t i = 0; i < n; ++i)
    txs.push_back(tx_ref(i));
  std::sort(txs.begin(), txs.end(),
            [](const TransactionRef& a, const TransactionRef& b) { return a->hash() < b->hash(); });
  return txs;
}

StateEntry entry(unsigned node_index, std::uint8_t partition = 0) {
  return StateEntry{SubstateKey{node(node_index), partition, {}}, Bytes{1, 2, 3}};
}

/// `n` entries strictly sorted by key.
std::vector<StateEntry> sorted_entries(std::size_t n) {
  std::vector<StateEntry> es;
  for (unsigned i = 0; i < n; ++i)
    es.push_back(entry(i));
  return testgen::sorted_unique_by(es,
                                   [](const StateEntry& e) -> const SubstateKey& { return e.key; });
}

SignerBitfield one_signer(std::uint32_t size = 4) {
  SignerBitfield b(size);
  b.set(0);
  return b;
}

ProvisionContent provision(std::vector<StateEntry> entries) {
  ProvisionContent c;
  c.tx_hash = hash_bytes("tx");
  c.source_shard = 0;
  c.target_shard = 1;
  c.entries = std::move(entries);
  return c;
}

StateCertificate executed_certificate(std::vector<StateEntry> writes, ShardId shard = 0,
                                      Hash tx = hash_bytes("tx")) {
  StateCertificate c;
  c.content.tx_hash = tx;
  c.content.shard = shard;
  c.content.outcome = Executed{true, entries_root(writes)};
  c.writes = std::move(writes);
  c.signers = one_signer();
  return c;
}

// --- truncation and trailing bytes ---------------------------------------------------

/// Every strict prefix of a valid encoding (the empty one included) is truncated.
template <class T>
void check_every_prefix_is_truncated(const T& value) {
  Bytes bytes = encode(value);
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    auto r = decode<T>(ByteSpan(bytes.data(), n));
    if (r) RC_FAIL("prefix of " + std::to_string(n) + " bytes decoded");
    if (r.error().code != Code::kTruncated)
      RC_FAIL("prefix of " + std::to_string(n) + " bytes: " + r.error().message());
  }
}

/// A valid encoding followed by any byte is rejected for the trailing byte.
template <class T>
void check_trailing_byte_is_rejected(const T& value) {
  Bytes bytes = encode(value);
  bytes.push_back(*testgen::byte());
  require(rejects_bytes<T>(bytes, Code::kTrailingBytes));
}

template <class... T>
void check_truncation_and_trailing(const T&... values) {
  (check_every_prefix_is_truncated(values), ...);
  (check_trailing_byte_is_rejected(values), ...);
}

RC_GTEST_PROP(Truncation, ConsensusTypes,
              (const SignerBitfield& b, const MerkleProof& m, const QuorumCertificate& qc,
               const BlockVote& v, const TimeoutCertificate& tc, const Timeout& t)) {
  check_truncation_and_trailing(b, m, qc, v, tc, t);
}

RC_GTEST_PROP(Truncation, TransactionTypes,
              (const Instruction& i, const TransactionPayload& p, const Transaction& tx)) {
  check_truncation_and_trailing(i, p, tx);
}

RC_GTEST_PROP(Truncation, StateTypes,
              (const StateEntry& e, const ProvisionContent& pc, const StateProvision& sp,
               const CommitmentProof& cp, const StateVote& sv, const StateCertificate& sc,
               const TransactionCertificate& tc, const TransactionAbort& ta)) {
  check_truncation_and_trailing(e, pc, sp, cp, sv, sc, tc, ta);
}

RC_GTEST_PROP(Truncation, LivelockTypes, (const CycleProof& c, const TransactionDefer& d)) {
  check_truncation_and_trailing(c, d);
}

RC_GTEST_PROP(Truncation, BlockTypes,
              (const SectionRoots& r, const BlockHeader& h, const Block& b)) {
  check_truncation_and_trailing(r, h, b);
}

TEST(Truncation, EmptyInputIsTruncatedForEveryType) {
  const Bytes empty;
  EXPECT_TRUE(rejects_bytes<SignerBitfield>(empty, Code::kTruncated));
  EXPECT_TRUE(rejects_bytes<Transaction>(empty, Code::kTruncated));
  EXPECT_TRUE(rejects_bytes<BlockBody>(empty, Code::kTruncated));
  EXPECT_TRUE(rejects_bytes<Block>(empty, Code::kTruncated));
  EXPECT_TRUE(rejects_bytes<TransactionAbort>(empty, Code::kTruncated));
}

TEST(Truncation, CountWithinLimitButTooFewBytesIsTruncated) {
  // A signature count at the limit with no signature bytes after it: the
  // count must not drive an allocation on a short input.
  Transaction tx = signed_tx(deposit_payload({key(0)}));
  Writer w;
  write(w, tx.payload());
  w.u32(0);
  w.u32(limits::kMaxSignersPerTx);
  EXPECT_TRUE(rejects_bytes<Transaction>(w.bytes(), Code::kTruncated));
}

// --- counts above the named limits ------------------------------------------------

TEST(Limits, InstructionsPerTx) {
  EXPECT_TRUE(accepts(deposit_payload({key(0)}, limits::kMaxInstructionsPerTx)));
  EXPECT_TRUE(
      rejects(deposit_payload({key(0)}, limits::kMaxInstructionsPerTx + 1), Code::kTooLarge));
}

TEST(Limits, SignersPerTx) {
  EXPECT_TRUE(accepts(signed_tx(deposit_payload(sorted_keys(limits::kMaxSignersPerTx)))));
  EXPECT_TRUE(rejects(deposit_payload(sorted_keys(limits::kMaxSignersPerTx + 1)), Code::kTooLarge));
}

TEST(Limits, SignaturesPerTx) {
  TransactionPayload p = deposit_payload(sorted_keys(limits::kMaxSignersPerTx));
  Transaction tx(p, 0, std::vector<Ed25519Signature>(limits::kMaxSignersPerTx + 1));
  EXPECT_TRUE(rejects(tx, Code::kTooLarge));
}

TEST(Limits, SortKeyBytes) {
  StateEntry e = entry(0);
  e.key.sort_key.assign(limits::kMaxSortKeyBytes, 0xaa);
  EXPECT_TRUE(accepts(e));
  e.key.sort_key.push_back(0xaa);
  EXPECT_TRUE(rejects(e, Code::kTooLarge));
}

TEST(Limits, SubstateValueBytes) {
  StateEntry e = entry(0);
  e.value = Bytes(limits::kMaxSubstateValueBytes, 0x55);
  EXPECT_TRUE(accepts(e));
  e.value->push_back(0x55);
  EXPECT_TRUE(rejects(e, Code::kTooLarge));
}

TEST(Limits, StateEntriesPerProvisionAndCertificate) {
  auto entries = sorted_entries(limits::kMaxStateEntries + 1);
  auto at_limit = std::vector<StateEntry>(entries.begin(), entries.end() - 1);
  EXPECT_TRUE(accepts(provision(at_limit)));
  EXPECT_TRUE(rejects(provision(entries), Code::kTooLarge));
  EXPECT_TRUE(accepts(executed_certificate(at_limit)));
  EXPECT_TRUE(rejects(executed_certificate(entries), Code::kTooLarge));
}

TEST(Limits, BitfieldSize) {
  EXPECT_TRUE(accepts(one_signer(limits::kMaxCommitteeSize)));
  EXPECT_TRUE(rejects(one_signer(limits::kMaxCommitteeSize + 1), Code::kTooLarge));
}

TEST(Limits, TimeoutCertificateRounds) {
  Writer w;
  w.u32(0);  // shard
  w.u64(5);  // round
  write(w, one_signer());
  w.u32(limits::kMaxCommitteeSize + 1);  // high_qc_rounds count
  EXPECT_TRUE(rejects_bytes<TimeoutCertificate>(w.bytes(), Code::kTooLarge));
}

TEST(Limits, MerkleProofDepth) {
  MerkleProof p{0, 2, std::vector<Hash>(limits::kMaxMerkleProofDepth)};
  EXPECT_TRUE(accepts(p));
  p.siblings.emplace_back();
  EXPECT_TRUE(rejects(p, Code::kTooLarge));
}

TEST(Limits, ShardCertificatesPerTransactionCertificate) {
  Writer w;
  w.fixed(hash_bytes("tx"));
  w.u32(limits::kMaxShards + 1);
  EXPECT_TRUE(rejects_bytes<TransactionCertificate>(w.bytes(), Code::kTooLarge));
}

TEST(Limits, EachBlockSection) {
  const std::array<std::uint32_t, 7> section_limits = {
      limits::kMaxTxsPerBlock,          limits::kMaxTxsPerBlock,       limits::kMaxTxsPerBlock,
      limits::kMaxCertificatesPerBlock, limits::kMaxDeferralsPerBlock, limits::kMaxAbortsPerBlock,
      limits::kMaxProofsPerBlock};
  for (std::size_t s = 0; s < section_limits.size(); ++s) {
    Writer w;
    for (std::size_t before = 0; before < s; ++before)
      w.u32(0);  // earlier sections empty
    w.u32(section_limits[s] + 1);
    EXPECT_TRUE(rejects_bytes<BlockBody>(w.bytes(), Code::kTooLarge)) << "section " << s;
  }
}

TEST(Limits, TransactionsOverAllThreeSections) {
  // Each section is within the limit; their sum is one above it.
  auto txs = sorted_txs(limits::kMaxTxsPerBlock + 1);
  BlockBody body;
  const std::size_t half = txs.size() / 2;
  body.retry_txs.assign(txs.begin(), txs.begin() + half);
  body.txs.assign(txs.begin() + half, txs.end());
  EXPECT_TRUE(rejects(body, Code::kTooLarge));
  body.txs.pop_back();
  EXPECT_TRUE(accepts(body));
}

// --- sorted sequences ------------------------------------------------------------------

TEST(Sorting, TransactionSigners) {
  auto keys = sorted_keys(2);
  EXPECT_TRUE(accepts(deposit_payload({keys[0], keys[1]})));
  EXPECT_TRUE(rejects(deposit_payload({keys[1], keys[0]}), Code::kUnsorted));
  EXPECT_TRUE(rejects(deposit_payload({keys[0], keys[0]}), Code::kDuplicate));
}

TEST(Sorting, StateEntries) {
  auto es = sorted_entries(3);
  EXPECT_TRUE(accepts(provision(es)));
  EXPECT_TRUE(rejects(provision({es[0], es[2], es[1]}), Code::kUnsorted));
  EXPECT_TRUE(rejects(provision({es[0], es[1], es[1]}), Code::kDuplicate));
  // Keys equal but values different are still one key twice.
  StateEntry other_value = es[1];
  other_value.value = Bytes{9};
  EXPECT_TRUE(rejects(provision({es[0], es[1], other_value}), Code::kDuplicate));
  EXPECT_TRUE(rejects(executed_certificate({es[1], es[0]}), Code::kUnsorted));
  EXPECT_TRUE(rejects(executed_certificate({es[0], es[0]}), Code::kDuplicate));
}

TEST(Sorting, SubstateKeysOrderByNodeThenPartitionThenSortKey) {
  StateEntry a = entry(0, 0);
  StateEntry b = entry(0, 1);
  EXPECT_TRUE(accepts(provision({a, b})));
  EXPECT_TRUE(rejects(provision({b, a}), Code::kUnsorted));
  StateEntry c = a;
  c.key.sort_key = {0};  // a's empty sort key sorts first
  EXPECT_TRUE(accepts(provision({a, c})));
  EXPECT_TRUE(rejects(provision({c, a}), Code::kUnsorted));
}

TEST(Sorting, ShardCertificates) {
  Hash tx = hash_bytes("tx");
  TransactionCertificate cert{tx,
                              {executed_certificate({}, 1, tx), executed_certificate({}, 2, tx)}};
  EXPECT_TRUE(accepts(cert));
  std::swap(cert.shard_certificates[0], cert.shard_certificates[1]);
  EXPECT_TRUE(rejects(cert, Code::kUnsorted));
  cert.shard_certificates[0] = cert.shard_certificates[1];
  EXPECT_TRUE(rejects(cert, Code::kDuplicate));
}

/// Checks a body alone and inside a block (header roots made to match it).
void expect_body_rejected(const BlockBody& body, Code want) {
  EXPECT_TRUE(rejects(body, want));
  BlockHeader h;
  h.justify = QuorumCertificate::genesis(0, Hash::zero());
  h.roots = body.compute_roots();
  EXPECT_TRUE(rejects(Block(h, body), want));
}

TEST(Sorting, EachTransactionSection) {
  auto txs = sorted_txs(2);
  using Section = std::vector<TransactionRef> BlockBody::*;
  for (Section section : {&BlockBody::retry_txs, &BlockBody::priority_txs, &BlockBody::txs}) {
    BlockBody body;
    body.*section = {txs[0], txs[1]};
    EXPECT_TRUE(accepts(body));
    body.*section = {txs[1], txs[0]};
    expect_body_rejected(body, Code::kUnsorted);
    body.*section = {txs[0], txs[0]};
    expect_body_rejected(body, Code::kDuplicate);
  }
}

TEST(Sorting, TransactionInTwoSections) {
  auto txs = sorted_txs(2);
  BlockBody body;
  body.retry_txs = {txs[0]};
  body.txs = {txs[1]};
  EXPECT_TRUE(accepts(body));
  body.priority_txs = {txs[1]};
  expect_body_rejected(body, Code::kDuplicate);
}

/// Two distinct items of a section sorted by `key`, ascending.
template <class T, class Key>
std::pair<T, T> ascending_pair(T a, T b, Key key) {
  if (key(b) < key(a)) std::swap(a, b);
  return {a, b};
}

RC_GTEST_PROP(Sorting, CertificateDeferralAbortAndProofSections, ()) {
  auto [c0, c1] = ascending_pair(*testgen::transaction_certificate_ref(),
                                 *testgen::transaction_certificate_ref(),
                                 [](const TransactionCertificateRef& c) { return c->tx_hash; });
  auto [d0, d1] = ascending_pair(*testgen::transaction_defer(), *testgen::transaction_defer(),
                                 [](const TransactionDefer& d) { return d.loser_tx_hash; });
  auto [a0, a1] = ascending_pair(*testgen::transaction_abort(), *testgen::transaction_abort(),
                                 [](const TransactionAbort& a) { return a.tx_hash; });
  RC_PRE(c0->tx_hash != c1->tx_hash && d0.loser_tx_hash != d1.loser_tx_hash &&
         a0.tx_hash != a1.tx_hash);
  auto check = [](auto member, auto x0, auto x1) {
    BlockBody body;
    body.*member = {x0, x1};
    require(accepts(body));
    body.*member = {x1, x0};
    require(rejects(body, Code::kUnsorted));
    body.*member = {x0, x0};
    require(rejects(body, Code::kDuplicate));
  };
  check(&BlockBody::certificates, c0, c1);
  check(&BlockBody::deferrals, d0, d1);
  check(&BlockBody::aborts, a0, a1);

  // Proofs are keyed by (tx hash, source shard): one tx from two shards is fine.
  CommitmentProof p0 = *testgen::commitment_proof(hash_bytes("tx"));
  CommitmentProof p1 = p0;
  p1.content.source_shard = p0.content.source_shard + 1;
  p1.content.target_shard = p0.content.source_shard;
  check(&BlockBody::proofs, p0, p1);
}

// --- hashes and roots that must match ---------------------------------------------------

RC_GTEST_PROP(HashMismatch, BodyOfAnotherBlock, (const Block& a, const Block& b)) {
  RC_PRE(a.header().roots != b.header().roots);
  require(rejects_bytes<Block>(concat(encode(a.header()), encode(b.body())), Code::kHashMismatch));
}

RC_GTEST_PROP(HashMismatch, AnySectionRootOfTheHeader, (const Block& b)) {
  Bytes bytes = encode(b);
  const std::size_t roots_offset =
      encode(b.header()).size() - BlsSignature::kSize - 7 * Hash::kSize;
  auto section = *testgen::uniform_in<std::size_t>(0, 7);
  auto at =
      roots_offset + section * Hash::kSize + *testgen::uniform_in<std::size_t>(0, Hash::kSize);
  bytes[at] ^= 0x01;
  require(rejects_bytes<Block>(bytes, Code::kHashMismatch));
}

RC_GTEST_PROP(HashMismatch, CertificateWritesAgainstOutputsRoot, ()) {
  auto writes =
      *rc::gen::suchThat(testgen::sorted_entries(), [](const auto& es) { return !es.empty(); });
  StateCertificate c = executed_certificate(writes);
  require(accepts(c));

  StateCertificate wrong_root = c;
  std::get<Executed>(wrong_root.content.outcome).outputs_root.bytes[0] ^= 1;
  require(rejects(wrong_root, Code::kHashMismatch));

  StateCertificate changed_write = c;
  changed_write.writes.back().value =
      changed_write.writes.back().value ? std::nullopt : std::optional<Bytes>(Bytes{});
  require(rejects(changed_write, Code::kHashMismatch));

  StateCertificate dropped_write = c;
  dropped_write.writes.pop_back();
  require(rejects(dropped_write, Code::kHashMismatch));

  // A failed execution writes nothing: its root is the zero root.
  StateCertificate failed_with_writes = c;
  failed_with_writes.content.outcome = Executed{false, Hash::zero()};
  require(rejects(failed_with_writes, Code::kHashMismatch));
}

RC_GTEST_PROP(HashMismatch, CycleProofForAnotherTransaction, (const TransactionDefer& d)) {
  TransactionDefer wrong_hash = d;
  wrong_hash.proof.winner_proof.content.tx_hash.bytes[0] ^= 1;
  require(rejects(wrong_hash.proof, Code::kHashMismatch));
  require(rejects(wrong_hash, Code::kHashMismatch));

  // Same intent, another attempt: another tx hash, so the proof does not cover it.
  const Transaction& winner = *d.proof.winner_tx;
  std::uint32_t other = (winner.attempt() + 1) % (limits::kMaxTxAttempt + 1);
  TransactionDefer retried = d;
  retried.proof.winner_tx =
      std::make_shared<const Transaction>(winner.payload(), other, winner.signatures());
  require(rejects(retried.proof, Code::kHashMismatch));
}

// --- tags, flags and values outside their domain -----------------------------------------

RC_GTEST_PROP(InvalidValue, InstructionTag, (const Instruction& ins)) {
  auto tag = *testgen::uniform_in<unsigned>(std::variant_size_v<Instruction>, 256);
  require(rejects_bytes<Instruction>(with_byte(encode(ins), 0, static_cast<std::uint8_t>(tag)),
                                     Code::kInvalidValue));
}

TEST(InvalidValue, InstructionTagInsideATransaction) {
  Bytes bytes = encode(signed_tx(deposit_payload({key(0)})));
  const std::size_t first_tag = 4;  // after the instruction count
  EXPECT_TRUE(rejects_bytes<Transaction>(
      with_byte(bytes, first_tag, std::variant_size_v<Instruction>), Code::kInvalidValue));
}

TEST(InvalidValue, StateVoteOutcomeTagAndAbortReason) {
  StateVoteContent executed{hash_bytes("tx"), 3, Executed{true, hash_bytes("root")}};
  const std::size_t tag_at = Hash::kSize + 4;
  EXPECT_TRUE(
      rejects_bytes<StateVoteContent>(with_byte(encode(executed), tag_at, 2), Code::kInvalidValue));
  // The success flag is a bool: 0 or 1 only.
  EXPECT_TRUE(rejects_bytes<StateVoteContent>(with_byte(encode(executed), tag_at + 1, 2),
                                              Code::kInvalidValue));

  StateVoteContent aborted{hash_bytes("tx"), 3, Aborted{AbortReason::kExpired, 1}};
  EXPECT_TRUE(accepts(aborted));
  EXPECT_TRUE(rejects_bytes<StateVoteContent>(
      with_byte(encode(aborted), tag_at + 1, kMaxAbortReason + 1), Code::kInvalidValue));
}

TEST(InvalidValue, TransactionAbortReason) {
  TransactionAbort a{hash_bytes("tx"), AbortReason::kTooManyRetries};
  for (unsigned reason = kMaxAbortReason + 1; reason < 256; ++reason)
    EXPECT_TRUE(rejects_bytes<TransactionAbort>(
        with_byte(encode(a), Hash::kSize, static_cast<std::uint8_t>(reason)), Code::kInvalidValue))
        << reason;
}

TEST(InvalidValue, AttemptAboveRetryLimit) {
  EXPECT_TRUE(accepts(signed_tx(deposit_payload({key(0)}), limits::kMaxTxAttempt)));
  EXPECT_TRUE(rejects(signed_tx(deposit_payload({key(0)}), limits::kMaxTxAttempt + 1),
                      Code::kInvalidValue));
  StateVoteContent aborted{hash_bytes("tx"), 0,
                           Aborted{AbortReason::kDeferred, limits::kMaxTxAttempt + 1}};
  EXPECT_TRUE(rejects(aborted, Code::kInvalidValue));
}

RC_GTEST_PROP(InvalidValue, BoolByteTwo, (const StateEntry& e, const Timeout& t)) {
  // StateEntry: key, then the value-present flag.
  require(rejects_bytes<StateEntry>(with_byte(encode(e), encode(e.key).size(), 2),
                                    Code::kInvalidValue));
  // Timeout: shard, round, high QC, then the TC-present flag.
  require(rejects_bytes<Timeout>(with_byte(encode(t), 4 + 8 + encode(t.high_qc).size(), 2),
                                 Code::kInvalidValue));
}

RC_GTEST_PROP(InvalidValue, HeaderTimeoutCertificateFlag, (const BlockHeader& h)) {
  const std::size_t flag_at = 4 + 8 + 8 + Hash::kSize + encode(h.justify).size();
  require(rejects_bytes<BlockHeader>(with_byte(encode(h), flag_at, 2), Code::kInvalidValue));
}

TEST(InvalidValue, BitfieldPaddingBits) {
  for (std::uint32_t size = 1; size <= 23; ++size) {
    if (size % 8 == 0) continue;
    SignerBitfield b = one_signer(size);
    Bytes bytes = encode(b);
    for (std::uint32_t bit = size % 8; bit < 8; ++bit) {
      Bytes padded = bytes;
      padded.back() = static_cast<std::uint8_t>(padded.back() | (1u << bit));
      EXPECT_TRUE(rejects_bytes<SignerBitfield>(padded, Code::kInvalidValue))
          << "size " << size << " bit " << bit;
    }
  }
}

RC_GTEST_PROP(InvalidValue, BitfieldPaddingInsideAQuorumCertificate,
              (const QuorumCertificate& qc)) {
  RC_PRE(qc.signers.size() % 8 != 0);
  Bytes bytes = encode(qc);
  const std::size_t bitfield_at = 4 + 8 + 8 + 2 * Hash::kSize;
  const std::size_t last_byte = bitfield_at + 4 + (qc.signers.size() + 7) / 8 - 1;
  bytes[last_byte] |= static_cast<std::uint8_t>(0x80);
  require(rejects_bytes<QuorumCertificate>(bytes, Code::kInvalidValue));
}

TEST(InvalidValue, EmptyManifestOrNoSigners) {
  EXPECT_TRUE(rejects(deposit_payload({key(0)}, 0), Code::kInvalidValue));
  EXPECT_TRUE(rejects(deposit_payload({}, 1), Code::kInvalidValue));
}

TEST(InvalidValue, ValidityWindow) {
  TransactionPayload p = deposit_payload({key(0)});
  p.valid_until_ms = p.valid_from_ms + limits::kMaxTxValidityWindowMs;
  EXPECT_TRUE(accepts(p));
  p.valid_until_ms += 1;
  EXPECT_TRUE(rejects(p, Code::kInvalidValue));
  p.valid_until_ms = p.valid_from_ms;
  EXPECT_TRUE(accepts(p));
  p.valid_until_ms = p.valid_from_ms - 1;  // ends before it starts
  EXPECT_TRUE(rejects(p, Code::kInvalidValue));
  // Near the top of the range the window length must not wrap.
  p.valid_from_ms = std::numeric_limits<TimestampMs>::max() - limits::kMaxTxValidityWindowMs;
  p.valid_until_ms = std::numeric_limits<TimestampMs>::max();
  EXPECT_TRUE(accepts(p));
  p.valid_from_ms -= 1;
  EXPECT_TRUE(rejects(p, Code::kInvalidValue));
}

TEST(InvalidValue, DebitedAccountNeedsItsOwnerAsSigner) {
  Ed25519PublicKey alice = key(1);
  NodeId alices = account_address(alice.span());
  NodeId bobs = account_address(key(2).span());
  TransactionPayload p = deposit_payload({alice});
  p.instructions = {Transfer{alices, bobs, node(9), 5}, Withdraw{alices, node(9), 1},
                    Deposit{bobs, node(9), 1}};
  EXPECT_TRUE(accepts(p));  // crediting someone else needs no signature of theirs

  TransactionPayload transfer_from_bob = p;
  transfer_from_bob.instructions.push_back(Transfer{bobs, alices, node(9), 1});
  EXPECT_TRUE(rejects(transfer_from_bob, Code::kInvalidValue));

  TransactionPayload withdraw_from_bob = p;
  withdraw_from_bob.instructions.push_back(Withdraw{bobs, node(9), 1});
  EXPECT_TRUE(rejects(withdraw_from_bob, Code::kInvalidValue));
}

RC_GTEST_PROP(InvalidValue, AnyDebitFromANonSignerAccount, (const TransactionPayload& p)) {
  TransactionPayload q = p;
  auto& ins = q.instructions[*testgen::uniform_in<std::size_t>(0, q.instructions.size())];
  NodeId stranger = *rc::gen::arbitrary<NodeId>();
  if (*rc::gen::arbitrary<bool>())
    ins = Transfer{stranger, *rc::gen::arbitrary<NodeId>(), *rc::gen::arbitrary<NodeId>(), 1};
  else
    ins = Withdraw{stranger, *rc::gen::arbitrary<NodeId>(), 1};
  require(rejects(q, Code::kInvalidValue));
  require(rejects(signed_tx(q), Code::kInvalidValue));
}

// --- contradicting fields -----------------------------------------------------------------

RC_GTEST_PROP(Inconsistent, TimeoutCertificate, (const TimeoutCertificate& tc)) {
  TimeoutCertificate extra_round = tc;
  extra_round.high_qc_rounds.push_back(0);
  require(rejects(extra_round, Code::kInconsistent));

  TimeoutCertificate missing_round = tc;
  missing_round.high_qc_rounds.pop_back();
  if (!missing_round.high_qc_rounds.empty())
    missing_round.high_qc.round = missing_round.max_high_qc_round();
  require(rejects(missing_round, Code::kInconsistent));

  TimeoutCertificate no_signers = tc;
  no_signers.signers = SignerBitfield(tc.signers.size());
  no_signers.high_qc_rounds.clear();
  require(rejects(no_signers, Code::kInconsistent));

  TimeoutCertificate not_highest = tc;
  not_highest.high_qc.round += 1;
  require(rejects(not_highest, Code::kInconsistent));

  TimeoutCertificate other_shard = tc;
  other_shard.high_qc.shard ^= 1;
  require(rejects(other_shard, Code::kInconsistent));

  TimeoutCertificate not_below = tc;
  not_below.round = tc.max_high_qc_round();
  require(rejects(not_below, Code::kInconsistent));
}

RC_GTEST_PROP(Inconsistent, QuorumCertificate, (const QuorumCertificate& qc)) {
  QuorumCertificate no_bits = qc;
  no_bits.signers = SignerBitfield(qc.signers.size());
  require(rejects(no_bits, Code::kInconsistent));

  // No signers at all is only the genesis QC: height 0, round 0, zero signature.
  QuorumCertificate genesis = QuorumCertificate::genesis(qc.shard, qc.block_hash);
  require(accepts(genesis));
  QuorumCertificate high = genesis;
  high.height = *testgen::round_in(1, testgen::kMaxRound);
  require(rejects(high, Code::kInconsistent));
  QuorumCertificate late = genesis;
  late.round = *testgen::round_in(1, testgen::kMaxRound);
  require(rejects(late, Code::kInconsistent));
  QuorumCertificate signed_genesis = genesis;
  signed_genesis.signature = qc.signature;
  RC_PRE(!qc.signature.is_zero());
  require(rejects(signed_genesis, Code::kInconsistent));
}

RC_GTEST_PROP(Inconsistent, Timeout, (const Timeout& t)) {
  Timeout other_shard = t;
  other_shard.high_qc.shard ^= 1;
  require(rejects(other_shard, Code::kInconsistent));

  Timeout qc_not_below = t;
  qc_not_below.high_qc.round = t.round;
  require(rejects(qc_not_below, Code::kInconsistent));

  Timeout tc_same_round = t;
  tc_same_round.last_round_tc = *testgen::timeout_certificate(t.shard, t.round);
  require(rejects(tc_same_round, Code::kInconsistent));

  if (t.round >= 2) {
    Timeout tc_other_shard = t;
    tc_other_shard.last_round_tc = *testgen::timeout_certificate(t.shard ^ 1, t.round - 1);
    require(rejects(tc_other_shard, Code::kInconsistent));
  }
}

TEST(Inconsistent, MerkleIndexBeyondLeafCount) {
  EXPECT_TRUE(accepts(MerkleProof{2, 3, {}}));
  EXPECT_TRUE(rejects(MerkleProof{3, 3, {}}, Code::kInconsistent));
  EXPECT_TRUE(rejects(MerkleProof{0, 0, {}}, Code::kInconsistent));
}

RC_GTEST_PROP(Inconsistent, ProvisionToItsOwnShard, (const StateProvision& sp)) {
  StateProvision own = sp;
  own.content.target_shard = own.content.source_shard;
  require(rejects(own, Code::kInconsistent));
  require(rejects(own.content, Code::kInconsistent));
}

RC_GTEST_PROP(Inconsistent, AggregatesWithoutSigners,
              (const CommitmentProof& p, const StateCertificate& c)) {
  CommitmentProof unsigned_proof = p;
  unsigned_proof.signers = SignerBitfield(p.signers.size());
  require(rejects(unsigned_proof, Code::kInconsistent));
  unsigned_proof.signers = SignerBitfield();
  require(rejects(unsigned_proof, Code::kInconsistent));

  StateCertificate unsigned_cert = c;
  unsigned_cert.signers = SignerBitfield(c.signers.size());
  require(rejects(unsigned_cert, Code::kInconsistent));
}

TEST(Inconsistent, AbortCertificateWithWrites) {
  StateCertificate c = executed_certificate(sorted_entries(1));
  c.content.outcome = Aborted{AbortReason::kTimeout, 0};
  EXPECT_TRUE(rejects(c, Code::kInconsistent));
  c.writes.clear();
  EXPECT_TRUE(accepts(c));
}

RC_GTEST_PROP(Inconsistent, TransactionCertificate, (const TransactionCertificate& cert)) {
  TransactionCertificate empty = cert;
  empty.shard_certificates.clear();
  require(rejects(empty, Code::kInconsistent));

  TransactionCertificate other_tx = cert;
  auto i = *testgen::uniform_in<std::size_t>(0, cert.shard_certificates.size());
  other_tx.shard_certificates[i].content.tx_hash.bytes[0] ^= 1;
  require(rejects(other_tx, Code::kInconsistent));
}

RC_GTEST_PROP(Inconsistent, DeferralOfTheWinnerItself, (const TransactionDefer& d)) {
  TransactionDefer self = d;
  self.loser_tx_hash = d.proof.winner_tx->hash();
  require(rejects(self, Code::kInconsistent));
}

TEST(Inconsistent, OneSignaturePerSigner) {
  TransactionPayload p = deposit_payload(sorted_keys(2));
  EXPECT_TRUE(rejects(Transaction(p, 0, std::vector<Ed25519Signature>(1)), Code::kInconsistent));
  EXPECT_TRUE(rejects(Transaction(p, 0, std::vector<Ed25519Signature>(3)), Code::kInconsistent));
  EXPECT_TRUE(rejects(Transaction(p, 0, {}), Code::kInconsistent));
}

RC_GTEST_PROP(Inconsistent, ChildHeader, ()) {
  BlockHeader h = *testgen::child_header(*testgen::shard(), *testgen::section_roots());
  require(accepts(h));

  BlockHeader other_shard = h;
  other_shard.shard ^= 1;
  require(rejects(other_shard, Code::kInconsistent));

  BlockHeader not_parent = h;
  not_parent.parent_hash.bytes[0] ^= 1;
  require(rejects(not_parent, Code::kInconsistent));

  BlockHeader skipped_height = h;
  skipped_height.height += 1;
  require(rejects(skipped_height, Code::kInconsistent));

  BlockHeader stale_round = h;
  stale_round.round = h.justify.round;
  stale_round.timeout_cert.reset();
  require(rejects(stale_round, Code::kInconsistent));

  if (h.timeout_cert) {
    BlockHeader tc_wrong_round = h;
    tc_wrong_round.round += 1;
    require(rejects(tc_wrong_round, Code::kInconsistent));

    BlockHeader tc_other_shard = h;
    tc_other_shard.timeout_cert->shard ^= 1;
    tc_other_shard.timeout_cert->high_qc.shard ^= 1;  // so the TC alone is well-formed
    require(rejects(tc_other_shard, Code::kInconsistent));
  }
}

RC_GTEST_PROP(Inconsistent, GenesisHeader, ()) {
  ShardId shard = *testgen::shard();
  BlockHeader g = *testgen::genesis_header(shard, *testgen::section_roots());
  require(accepts(g));

  BlockHeader with_round = g;
  with_round.round = 1;
  require(rejects(with_round, Code::kInconsistent));

  BlockHeader with_parent = g;
  with_parent.parent_hash = *rc::gen::arbitrary<Hash>();
  RC_PRE(!with_parent.parent_hash.is_zero());
  require(rejects(with_parent, Code::kInconsistent));

  BlockHeader with_tc = g;
  with_tc.timeout_cert = *testgen::timeout_certificate(shard, 1);
  require(rejects(with_tc, Code::kInconsistent));

  BlockHeader justify_other_block = g;
  justify_other_block.justify.block_hash = *rc::gen::arbitrary<Hash>();
  require(rejects(justify_other_block, Code::kInconsistent));

  BlockHeader signed_justify = g;
  signed_justify.justify = *testgen::quorum_certificate(shard, 0, 0);
  require(rejects(signed_justify, Code::kInconsistent));
}

}  // namespace
}  // namespace hyperscale::types
