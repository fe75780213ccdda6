#pragma once

// RapidCheck generators for the wire types of hyperscale::types.
//
// Every generated value is VALID: it encodes to bytes that decode back to
// it. The decode rules that shape the generators are noted where they apply
// (sorted and unique sequences, signers covering debited accounts, QC / TC /
// header consistency, section roots computed from the body). Sequences stay
// short (a few elements) so property tests run fast.
//
// Two layers:
//   * hyperscale::types::testgen — parameterised generators for values that
//     must fit a context (a QC of a given shard and round, a certificate for a
//     given tx hash, a header for given section roots, ...);
//   * rc::Arbitrary<T> — one specialisation per wire type, built from them.

#include <rapidcheck.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <numeric>
#include <optional>
#include <tuple>
#include <utility>
#include <variant>
#include <vector>

#include "types/assert.h"
#include "types/block.h"
#include "types/bytes.h"
#include "types/codec.h"
#include "types/consensus.h"
#include "types/hash.h"
#include "types/ids.h"
#include "types/keys.h"
#include "types/limits.h"
#include "types/merkle.h"
#include "types/signer_bitfield.h"
#include "types/state.h"
#include "types/status.h"
#include "types/transaction.h"

namespace hyperscale::types::testgen {

/// Longest sequence a generator makes (entries, shard certificates, section items).
inline constexpr std::size_t kMaxItems = 3;
/// Largest generated committee (bitfield size); above 8 so bitfields span bytes.
inline constexpr std::uint32_t kMaxGeneratedCommitteeSize = 12;
/// Shards used for shard ids; small, so sorted shard sets often collide and dedupe.
inline constexpr std::uint32_t kNumShards = 8;
/// Rounds and heights stay below this so `x + 1` never wraps.
inline constexpr std::uint64_t kMaxRound = std::uint64_t{1} << 40;
inline constexpr std::size_t kMaxBytesLen = 12;  // sort keys and substate values

// --- scalars and byte strings -----------------------------------------------

/// A value uniform over [lo, hi), whatever the test-case size (rc::gen::inRange
/// alone shrinks its range with the size, so early cases would all be `lo`).
template <class T>
rc::Gen<T> uniform_in(T lo, T hi) {
  return rc::gen::resize(rc::kNominalSize, rc::gen::inRange<T>(lo, hi));
}

/// A uniform byte, so hashes and keys are distinct from the first case on.
inline rc::Gen<std::uint8_t> byte() {
  return rc::gen::map(uniform_in<unsigned>(0, 256),
                      [](unsigned b) { return static_cast<std::uint8_t>(b); });
}

/// A FixedBytes-derived value (Hash, NodeId, keys, signatures) of uniform bytes.
/// Not shrunk: a smaller hash says nothing more about a failure.
template <class T>
rc::Gen<T> fixed_bytes() {
  return rc::gen::noShrink(rc::gen::map(
      rc::gen::container<std::array<std::uint8_t, T::kSize>>(byte()), [](const auto& raw) {
        T out;
        out.bytes = raw;
        return out;
      }));
}

inline rc::Gen<Bytes> small_bytes(std::size_t max_len = kMaxBytesLen) {
  return rc::gen::exec([max_len] {
    auto n = *uniform_in<std::size_t>(0, max_len + 1);
    return *rc::gen::container<Bytes>(n, byte());
  });
}

/// A vector of min..max elements of `g`.
template <class T>
rc::Gen<std::vector<T>> small_vector(rc::Gen<T> g, std::size_t min = 0,
                                     std::size_t max = kMaxItems) {
  return rc::gen::exec([g, min, max] {
    auto n = *uniform_in<std::size_t>(min, max + 1);
    return *rc::gen::container<std::vector<T>>(n, g);
  });
}

/// The items ordered by key(x), keeping the first of each run of equal keys:
/// a strictly sorted sequence. Sorts positions rather than items, which keeps
/// element moves (and GCC 12's false -Wmaybe-uninitialized on moved
/// optional<vector> members) out of std::sort.
template <class T, class Key>
std::vector<T> sorted_unique_by(const std::vector<T>& items, Key key) {
  std::vector<std::size_t> order(items.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return key(items[a]) < key(items[b]); });
  std::vector<T> out;
  out.reserve(items.size());
  for (std::size_t i : order)
    if (out.empty() || !(key(out.back()) == key(items[i]))) out.push_back(items[i]);
  return out;
}

inline rc::Gen<ShardId> shard() {
  return uniform_in<ShardId>(0, kNumShards);
}

/// A round (or height) in [lo, hi): half the time near `lo` (size-scaled, so
/// edge values like 0 and 1 come up), half the time anywhere.
inline rc::Gen<Round> round_in(Round lo, Round hi) {
  return rc::gen::oneOf(rc::gen::inRange<Round>(lo, hi), uniform_in<Round>(lo, hi));
}

inline rc::Gen<std::uint32_t> attempt() {
  return uniform_in<std::uint32_t>(0, limits::kMaxTxAttempt + 1);
}

inline rc::Gen<AbortReason> abort_reason() {
  return rc::gen::map(uniform_in<unsigned>(0, unsigned{kMaxAbortReason} + 1),
                      [](unsigned t) { return static_cast<AbortReason>(t); });
}

// --- signer bitfields ---------------------------------------------------------

/// A bitfield of `size` (>= 1) members with at least one bit set.
inline rc::Gen<SignerBitfield> signers_of_size(std::uint32_t size) {
  return rc::gen::exec([size] {
    SignerBitfield b(size);
    for (std::uint32_t i = 0; i < size; ++i)
      if (*rc::gen::arbitrary<bool>()) b.set(i);
    if (b.empty()) b.set(*uniform_in<std::uint32_t>(0, size));
    return b;
  });
}

/// A non-empty bitfield of 1..kMaxGeneratedCommitteeSize members (sizes not a multiple of 8
/// included).
inline rc::Gen<SignerBitfield> signers() {
  return rc::gen::exec([] {
    return *signers_of_size(*uniform_in<std::uint32_t>(1, kMaxGeneratedCommitteeSize + 1));
  });
}

// --- consensus ------------------------------------------------------------------

/// A non-genesis QC of `shard` and `round`: signers non-empty, any height.
inline rc::Gen<QuorumCertificate> quorum_certificate(ShardId shard, Round round,
                                                     BlockHeight height) {
  return rc::gen::exec([shard, round, height] {
    QuorumCertificate qc;
    qc.shard = shard;
    qc.height = height;
    qc.round = round;
    qc.block_hash = *fixed_bytes<Hash>();
    qc.parent_hash = *fixed_bytes<Hash>();
    qc.signers = *signers();
    qc.signature = *fixed_bytes<BlsSignature>();
    return qc;
  });
}

inline rc::Gen<QuorumCertificate> quorum_certificate(ShardId shard, Round round) {
  return rc::gen::exec(
      [shard, round] { return *quorum_certificate(shard, round, *round_in(0, kMaxRound)); });
}

inline rc::Gen<QuorumCertificate> genesis_qc() {
  return rc::gen::exec([] { return QuorumCertificate::genesis(*shard(), *fixed_bytes<Hash>()); });
}

/// A TC of `shard` for `round` (>= 1): one high-QC round per signer, each
/// below `round`, and high_qc the QC of the highest of them.
inline rc::Gen<TimeoutCertificate> timeout_certificate(ShardId shard, Round round) {
  return rc::gen::exec([shard, round] {
    HS_ASSERT(round >= 1);
    TimeoutCertificate tc;
    tc.shard = shard;
    tc.round = round;
    tc.signers = *signers();
    tc.high_qc_rounds =
        *rc::gen::container<std::vector<Round>>(tc.signers.count(), round_in(0, round));
    tc.signature = *fixed_bytes<BlsSignature>();
    tc.high_qc = *quorum_certificate(shard, tc.max_high_qc_round());
    return tc;
  });
}

/// A timeout of `shard` for `round` (>= 1), with a TC of round - 1 when one can exist.
inline rc::Gen<Timeout> timeout(ShardId shard, Round round) {
  return rc::gen::exec([shard, round] {
    HS_ASSERT(round >= 1);
    Timeout t;
    t.shard = shard;
    t.round = round;
    t.high_qc = *quorum_certificate(shard, *round_in(0, round));
    // A TC of round - 1 needs a high-QC round below round - 1, so round >= 2.
    if (round >= 2 && *rc::gen::arbitrary<bool>())
      t.last_round_tc = *timeout_certificate(shard, round - 1);
    t.voter = *rc::gen::arbitrary<ValidatorId>();
    t.signature = *fixed_bytes<BlsSignature>();
    return t;
  });
}

// --- transactions -----------------------------------------------------------------

/// An instruction with unconstrained fields (valid on its own, not in a payload).
inline rc::Gen<Instruction> instruction() {
  return rc::gen::oneOf(rc::gen::exec([]() -> Instruction {
                          return Transfer{*fixed_bytes<NodeId>(), *fixed_bytes<NodeId>(),
                                          *fixed_bytes<NodeId>(), *rc::gen::arbitrary<Amount>()};
                        }),
                        rc::gen::exec([]() -> Instruction {
                          return Withdraw{*fixed_bytes<NodeId>(), *fixed_bytes<NodeId>(),
                                          *rc::gen::arbitrary<Amount>()};
                        }),
                        rc::gen::exec([]() -> Instruction {
                          return Deposit{*fixed_bytes<NodeId>(), *fixed_bytes<NodeId>(),
                                         *rc::gen::arbitrary<Amount>()};
                        }),
                        rc::gen::exec([]() -> Instruction {
                          return CreateAccount{*fixed_bytes<Ed25519PublicKey>()};
                        }));
}

/// An instruction whose debited account (Transfer.from, Withdraw.account) is one of `owned`.
inline rc::Gen<Instruction> instruction_debiting(std::vector<NodeId> owned) {
  return rc::gen::exec([owned]() -> Instruction {
    Instruction ins = *instruction();
    if (auto* t = std::get_if<Transfer>(&ins)) t->from = *rc::gen::elementOf(owned);
    if (auto* w = std::get_if<Withdraw>(&ins)) w->account = *rc::gen::elementOf(owned);
    return ins;
  });
}

/// A validity window [from, until] of length 0..kMaxTxValidityWindowMs, both ends included.
inline rc::Gen<std::pair<TimestampMs, TimestampMs>> validity_window() {
  return rc::gen::exec([] {
    constexpr auto kMax = limits::kMaxTxValidityWindowMs;
    auto length =
        *rc::gen::weightedOneOf<std::uint64_t>({{1, rc::gen::just(std::uint64_t{0})},
                                                {1, rc::gen::just(std::uint64_t{kMax})},
                                                {4, uniform_in<std::uint64_t>(0, kMax + 1)}});
    auto from = *rc::gen::inRange<TimestampMs>(0, std::numeric_limits<TimestampMs>::max() - kMax);
    return std::pair{from, from + length};
  });
}

/// A payload that decodes: 1..kMaxItems sorted unique signers, 1..kMaxItems + 1
/// instructions debiting only signer-owned accounts, a window within the limit.
inline rc::Gen<TransactionPayload> payload() {
  return rc::gen::exec([] {
    TransactionPayload p;
    p.signers = sorted_unique_by(*small_vector(fixed_bytes<Ed25519PublicKey>(), 1),
                                 [](const Ed25519PublicKey& k) { return k; });
    std::vector<NodeId> owned;
    for (const auto& k : p.signers)
      owned.push_back(account_address(k.span()));
    p.instructions = *small_vector(instruction_debiting(owned), 1, kMaxItems + 1);
    p.nonce = *rc::gen::arbitrary<std::uint64_t>();
    std::tie(p.valid_from_ms, p.valid_until_ms) = *validity_window();
    return p;
  });
}

inline rc::Gen<Transaction> transaction() {
  return rc::gen::exec([] {
    TransactionPayload p = *payload();
    auto sigs = *rc::gen::container<std::vector<Ed25519Signature>>(p.signers.size(),
                                                                   fixed_bytes<Ed25519Signature>());
    return Transaction(std::move(p), *attempt(), std::move(sigs));
  });
}

inline rc::Gen<TransactionRef> transaction_ref() {
  return rc::gen::map(transaction(), [](Transaction tx) -> TransactionRef {
    return std::make_shared<const Transaction>(std::move(tx));
  });
}

// --- state --------------------------------------------------------------------------

/// A substate key; nodes come from a small pool half of the time so sorted
/// entry lists hold keys that differ only in partition or sort key.
inline rc::Gen<SubstateKey> substate_key() {
  return rc::gen::exec([] {
    SubstateKey k;
    k.node = *rc::gen::arbitrary<bool>()
                 ? *fixed_bytes<NodeId>()
                 : copy_prefix<NodeId>(hash_bytes(Bytes{*uniform_in<std::uint8_t>(0, 2)}).span());
    k.partition = *uniform_in<std::uint8_t>(0, 3);
    k.sort_key = *small_bytes(3);
    return k;
  });
}

inline rc::Gen<StateEntry> state_entry() {
  return rc::gen::exec([] {
    StateEntry e;
    e.key = *substate_key();
    if (*rc::gen::arbitrary<bool>()) e.value = *small_bytes();
    return e;
  });
}

/// 0..kMaxItems entries strictly sorted by key.
inline rc::Gen<std::vector<StateEntry>> sorted_entries() {
  return rc::gen::map(small_vector(state_entry()), [](std::vector<StateEntry> es) {
    return sorted_unique_by(std::move(es), [](const StateEntry& e) { return e.key; });
  });
}

inline rc::Gen<ProvisionContent> provision_content(Hash tx_hash) {
  return rc::gen::exec([tx_hash] {
    ProvisionContent c;
    c.tx_hash = tx_hash;
    c.source_shard = *shard();
    // Any other shard: a provision never targets its own source.
    c.target_shard = (c.source_shard + *uniform_in<ShardId>(1, kNumShards)) % kNumShards;
    c.commit_height = *rc::gen::arbitrary<BlockHeight>();
    c.commit_timestamp_ms = *rc::gen::arbitrary<TimestampMs>();
    c.entries = *sorted_entries();
    return c;
  });
}

inline rc::Gen<CommitmentProof> commitment_proof(Hash tx_hash) {
  return rc::gen::exec([tx_hash] {
    return CommitmentProof{*provision_content(tx_hash), *signers(), *fixed_bytes<BlsSignature>()};
  });
}

/// The outcome alone; executed outcomes get an arbitrary outputs root.
inline rc::Gen<std::variant<Executed, Aborted>> outcome() {
  return rc::gen::oneOf(rc::gen::exec([]() -> std::variant<Executed, Aborted> {
                          return Executed{*rc::gen::arbitrary<bool>(), *fixed_bytes<Hash>()};
                        }),
                        rc::gen::exec([]() -> std::variant<Executed, Aborted> {
                          return Aborted{*abort_reason(), *attempt()};
                        }));
}

inline rc::Gen<StateVoteContent> state_vote_content(Hash tx_hash, ShardId shard) {
  return rc::gen::exec([tx_hash, shard] { return StateVoteContent{tx_hash, shard, *outcome()}; });
}

/// A certificate of `shard` for `tx_hash`. Successful executions carry sorted
/// writes whose root is the outputs root; failures carry none (zero root);
/// aborts carry none.
inline rc::Gen<StateCertificate> state_certificate(Hash tx_hash, ShardId shard) {
  return rc::gen::exec([tx_hash, shard] {
    StateCertificate c;
    c.content = *state_vote_content(tx_hash, shard);
    if (auto* e = std::get_if<Executed>(&c.content.outcome)) {
      if (e->success) c.writes = *sorted_entries();
      e->outputs_root = entries_root(c.writes);
    }
    c.signers = *signers();
    c.signature = *fixed_bytes<BlsSignature>();
    return c;
  });
}

/// 1..kMaxItems shard certificates for `tx_hash`, strictly sorted by shard.
inline rc::Gen<TransactionCertificate> transaction_certificate(Hash tx_hash) {
  return rc::gen::exec([tx_hash] {
    TransactionCertificate tc;
    tc.tx_hash = tx_hash;
    auto shards = sorted_unique_by(*small_vector(shard(), 1), [](ShardId s) { return s; });
    for (ShardId s : shards)
      tc.shard_certificates.push_back(*state_certificate(tx_hash, s));
    return tc;
  });
}

inline rc::Gen<TransactionCertificateRef> transaction_certificate_ref() {
  return rc::gen::exec([]() -> TransactionCertificateRef {
    return std::make_shared<const TransactionCertificate>(
        *transaction_certificate(*fixed_bytes<Hash>()));
  });
}

/// The winner tx and a commitment proof for exactly its hash.
inline rc::Gen<CycleProof> cycle_proof() {
  return rc::gen::exec([] {
    CycleProof p;
    p.winner_tx = *transaction_ref();
    p.winner_proof = *commitment_proof(p.winner_tx->hash());
    return p;
  });
}

/// A deferral whose loser is not the winner.
inline rc::Gen<TransactionDefer> transaction_defer() {
  return rc::gen::exec([] {
    TransactionDefer d;
    d.proof = *cycle_proof();
    d.loser_tx_hash = *fixed_bytes<Hash>();
    if (d.loser_tx_hash == d.proof.winner_tx->hash()) d.loser_tx_hash.bytes[0] ^= 1;
    return d;
  });
}

inline rc::Gen<TransactionAbort> transaction_abort() {
  return rc::gen::exec([] { return TransactionAbort{*fixed_bytes<Hash>(), *abort_reason()}; });
}

// --- blocks ---------------------------------------------------------------------------

inline rc::Gen<SectionRoots> section_roots() {
  return rc::gen::exec([] {
    return SectionRoots{*fixed_bytes<Hash>(), *fixed_bytes<Hash>(), *fixed_bytes<Hash>(),
                        *fixed_bytes<Hash>(), *fixed_bytes<Hash>(), *fixed_bytes<Hash>(),
                        *fixed_bytes<Hash>()};
  });
}

/// Fills the header fields that no decode rule constrains.
inline void fill_free_header_fields(BlockHeader& h) {
  h.proposer = *rc::gen::arbitrary<ValidatorId>();
  h.timestamp_ms = *rc::gen::arbitrary<TimestampMs>();
  h.state_root = *fixed_bytes<Hash>();
  h.state_version = *rc::gen::arbitrary<std::uint64_t>();
  h.proposer_signature = *fixed_bytes<BlsSignature>();
}

/// Genesis header of `shard`: height 0, round 0, zero parent, the genesis QC of
/// the zero hash, no TC.
inline rc::Gen<BlockHeader> genesis_header(ShardId shard, SectionRoots roots) {
  return rc::gen::exec([shard, roots] {
    BlockHeader h;
    h.shard = shard;
    h.justify = QuorumCertificate::genesis(shard, Hash::zero());
    h.roots = roots;
    fill_free_header_fields(h);
    return h;
  });
}

/// A non-genesis header of `shard`: justify certifies the parent at height - 1
/// with a lower round (the genesis QC when height is 1, some of the time), and
/// a TC of round - 1 some of the time.
inline rc::Gen<BlockHeader> child_header(ShardId shard, SectionRoots roots) {
  return rc::gen::exec([shard, roots] {
    BlockHeader h;
    h.shard = shard;
    h.height = *round_in(1, kMaxRound);
    h.parent_hash = *fixed_bytes<Hash>();
    if (h.height == 1 && *rc::gen::arbitrary<bool>())
      h.justify = QuorumCertificate::genesis(shard, h.parent_hash);
    else
      h.justify = *quorum_certificate(shard, *round_in(0, kMaxRound), h.height - 1);
    h.justify.block_hash = h.parent_hash;
    bool with_tc = *rc::gen::arbitrary<bool>();
    // A TC of round - 1 needs round - 1 >= 1.
    Round lowest = std::max<Round>(h.justify.round + 1, with_tc ? 2 : 1);
    h.round = lowest + *round_in(0, 4);
    if (with_tc) h.timeout_cert = *timeout_certificate(shard, h.round - 1);
    h.roots = roots;
    fill_free_header_fields(h);
    return h;
  });
}

inline rc::Gen<BlockHeader> block_header(ShardId shard, SectionRoots roots) {
  return rc::gen::weightedOneOf<BlockHeader>(
      {{1, genesis_header(shard, roots)}, {4, child_header(shard, roots)}});
}

/// A body whose sections are strictly sorted by their keys, with no tx in two
/// tx sections. Proofs sometimes share a tx hash (and differ by source shard).
inline rc::Gen<BlockBody> block_body() {
  return rc::gen::exec([] {
    BlockBody b;
    auto txs = sorted_unique_by(*small_vector(transaction_ref(), 0, 4),
                                [](const TransactionRef& t) { return t->hash(); });
    for (auto& tx : txs) {
      switch (*uniform_in(0, 3)) {
        case 0:
          b.retry_txs.push_back(tx);
          break;
        case 1:
          b.priority_txs.push_back(tx);
          break;
        default:
          b.txs.push_back(tx);
          break;
      }
    }
    b.certificates =
        sorted_unique_by(*small_vector(transaction_certificate_ref(), 0, 2),
                         [](const TransactionCertificateRef& c) { return c->tx_hash; });
    b.deferrals = sorted_unique_by(*small_vector(transaction_defer(), 0, 2),
                                   [](const TransactionDefer& d) { return d.loser_tx_hash; });
    b.aborts = sorted_unique_by(*small_vector(transaction_abort()),
                                [](const TransactionAbort& a) { return a.tx_hash; });
    Hash shared_tx = *fixed_bytes<Hash>();
    auto proof_gen = rc::gen::exec([shared_tx] {
      return *commitment_proof(*rc::gen::arbitrary<bool>() ? shared_tx : *fixed_bytes<Hash>());
    });
    b.proofs = sorted_unique_by(*small_vector(proof_gen), [](const CommitmentProof& p) {
      return std::pair{p.content.tx_hash, p.content.source_shard};
    });
    return b;
  });
}

/// A block whose header roots are the body's roots.
inline rc::Gen<Block> block() {
  return rc::gen::exec([] {
    BlockBody body = *block_body();
    BlockHeader header = *block_header(*shard(), body.compute_roots());
    return Block(std::move(header), std::move(body));
  });
}

// --- merkle ---------------------------------------------------------------------------

/// A real proof for one item of a list of 1..17 items.
inline rc::Gen<MerkleProof> merkle_proof() {
  return rc::gen::exec([] {
    auto n = *uniform_in<std::uint32_t>(1, 18);
    auto items = *rc::gen::container<std::vector<Hash>>(n, fixed_bytes<Hash>());
    return merkle_prove(items, *uniform_in<std::uint32_t>(0, n));
  });
}

// --- status -----------------------------------------------------------------------------

inline rc::Gen<TransactionStatus> transaction_status() {
  using V = TransactionStatus::Value;
  auto decision = rc::gen::element(Decision::kAccept, Decision::kReject);
  return rc::gen::map(
      rc::gen::oneOf(
          rc::gen::just<V>(status::Pending{}),
          rc::gen::map(rc::gen::arbitrary<BlockHeight>(),
                       [](BlockHeight h) -> V { return status::Committed{h}; }),
          rc::gen::map(decision, [](Decision d) -> V { return status::Executed{d}; }),
          rc::gen::map(decision, [](Decision d) -> V { return status::Completed{d}; }),
          rc::gen::map(fixed_bytes<Hash>(), [](Hash h) -> V { return status::Deferred{h}; }),
          rc::gen::map(fixed_bytes<Hash>(), [](Hash h) -> V { return status::Retried{h}; }),
          rc::gen::map(abort_reason(), [](AbortReason r) -> V { return status::Aborted{r}; })),
      [](V v) { return TransactionStatus(std::move(v)); });
}

}  // namespace hyperscale::types::testgen

namespace rc {

// One specialisation per wire type, each forwarding to testgen. The macro
// only saves spelling out the namespaces.
#define HS_ARBITRARY(Type, ...)                         \
  template <>                                           \
  struct Arbitrary<::hyperscale::types::Type> {         \
    static Gen<::hyperscale::types::Type> arbitrary() { \
      using namespace ::hyperscale::types;              \
      using namespace ::hyperscale::types::testgen;     \
      return __VA_ARGS__;                               \
    }                                                   \
  };

HS_ARBITRARY(Hash, fixed_bytes<Hash>())
HS_ARBITRARY(NodeId, fixed_bytes<NodeId>())
HS_ARBITRARY(BlsPublicKey, fixed_bytes<BlsPublicKey>())
HS_ARBITRARY(BlsSignature, fixed_bytes<BlsSignature>())
HS_ARBITRARY(Ed25519PublicKey, fixed_bytes<Ed25519PublicKey>())
HS_ARBITRARY(Ed25519Signature, fixed_bytes<Ed25519Signature>())
HS_ARBITRARY(SignerBitfield, signers())
HS_ARBITRARY(MerkleProof, merkle_proof())

// Consensus. QCs are non-genesis (testgen::genesis_qc() makes the other kind).
HS_ARBITRARY(QuorumCertificate,
             gen::exec([] { return *quorum_certificate(*shard(), *round_in(0, kMaxRound)); }))
HS_ARBITRARY(BlockVote, gen::exec([] {
               return BlockVote{*shard(),
                                *gen::arbitrary<BlockHeight>(),
                                *gen::arbitrary<Round>(),
                                *fixed_bytes<Hash>(),
                                *fixed_bytes<Hash>(),
                                *gen::arbitrary<ValidatorId>(),
                                *fixed_bytes<BlsSignature>()};
             }))
HS_ARBITRARY(TimeoutCertificate,
             gen::exec([] { return *timeout_certificate(*shard(), *round_in(1, kMaxRound)); }))
HS_ARBITRARY(Timeout, gen::exec([] { return *timeout(*shard(), *round_in(1, kMaxRound)); }))

// Transactions.
HS_ARBITRARY(Instruction, instruction())
HS_ARBITRARY(TransactionPayload, payload())
HS_ARBITRARY(Transaction, transaction())
HS_ARBITRARY(TransactionRef, transaction_ref())

// State.
HS_ARBITRARY(AbortReason, abort_reason())
HS_ARBITRARY(SubstateKey, substate_key())
HS_ARBITRARY(StateEntry, state_entry())
HS_ARBITRARY(ProvisionContent, gen::exec([] { return *provision_content(*fixed_bytes<Hash>()); }))
HS_ARBITRARY(StateProvision, gen::exec([] {
               return StateProvision{*provision_content(*fixed_bytes<Hash>()),
                                     *gen::arbitrary<ValidatorId>(), *fixed_bytes<BlsSignature>()};
             }))
HS_ARBITRARY(CommitmentProof, gen::exec([] { return *commitment_proof(*fixed_bytes<Hash>()); }))
HS_ARBITRARY(StateVoteContent,
             gen::exec([] { return *state_vote_content(*fixed_bytes<Hash>(), *shard()); }))
HS_ARBITRARY(StateVote, gen::exec([] {
               return StateVote{*state_vote_content(*fixed_bytes<Hash>(), *shard()),
                                *gen::arbitrary<ValidatorId>(), *fixed_bytes<BlsSignature>()};
             }))
HS_ARBITRARY(StateCertificate,
             gen::exec([] { return *state_certificate(*fixed_bytes<Hash>(), *shard()); }))
HS_ARBITRARY(TransactionCertificate,
             gen::exec([] { return *transaction_certificate(*fixed_bytes<Hash>()); }))
HS_ARBITRARY(TransactionCertificateRef, transaction_certificate_ref())
HS_ARBITRARY(CycleProof, cycle_proof())
HS_ARBITRARY(TransactionDefer, transaction_defer())
HS_ARBITRARY(TransactionAbort, transaction_abort())

// Blocks.
HS_ARBITRARY(SectionRoots, section_roots())
HS_ARBITRARY(BlockHeader, gen::exec([] { return *block_header(*shard(), *section_roots()); }))
HS_ARBITRARY(BlockBody, block_body())
HS_ARBITRARY(Block, block())

// Not a wire type, but status tests draw from every state.
HS_ARBITRARY(TransactionStatus, transaction_status())

#undef HS_ARBITRARY

}  // namespace rc
