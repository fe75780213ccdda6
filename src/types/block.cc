#include "types/block.h"

#include <algorithm>
#include <utility>

#include "types/assert.h"
#include "types/limits.h"
#include "types/merkle.h"

namespace hyperscale::types {

namespace {

template <class T, class HashFn>
Hash section_root(const std::vector<T>& items, HashFn&& hash_fn) {
  std::vector<Hash> leaves;
  leaves.reserve(items.size());
  for (const auto& item : items)
    leaves.push_back(hash_fn(item));
  return merkle_root(leaves);
}

const Hash& tx_key(const TransactionRef& tx) {
  return tx->hash();
}
const Hash& cert_key(const TransactionCertificateRef& c) {
  return c->tx_hash;
}
const Hash& defer_key(const TransactionDefer& d) {
  return d.loser_tx_hash;
}
const Hash& abort_key(const TransactionAbort& a) {
  return a.tx_hash;
}
std::pair<Hash, ShardId> proof_key(const CommitmentProof& p) {
  return {p.content.tx_hash, p.content.source_shard};
}

void write_header_fields(Writer& w, const BlockHeader& v) {
  w.u32(v.shard);
  w.u64(v.height);
  w.u64(v.round);
  w.fixed(v.parent_hash);
  write(w, v.justify);
  write(w, v.timeout_cert);
  w.u32(v.proposer);
  w.u64(v.timestamp_ms);
  w.fixed(v.state_root);
  w.u64(v.state_version);
  write(w, v.roots);
}

}  // namespace

std::optional<std::string_view> header_problem(const BlockHeader& v) {
  if (v.justify.shard != v.shard) return "justify qc of another shard";
  if (v.height == 0) {
    if (v.round != 0 || !v.parent_hash.is_zero() || v.timeout_cert ||
        v.justify != QuorumCertificate::genesis(v.shard, Hash::zero()))
      return "malformed genesis header";
    return std::nullopt;
  }
  if (v.justify.block_hash != v.parent_hash) return "justify qc does not certify the parent";
  if (v.justify.height + 1 != v.height) return "height is not parent height + 1";
  if (v.round <= v.justify.round) return "round not above the justify qc round";
  if (v.timeout_cert && (v.timeout_cert->round + 1 != v.round || v.timeout_cert->shard != v.shard))
    return "timeout certificate is not for round - 1";
  return std::nullopt;
}

Hash item_hash(const TransactionCertificate& v) {
  return hash_bytes(encode(v));
}
Hash item_hash(const TransactionDefer& v) {
  return hash_bytes(encode(v));
}
Hash item_hash(const TransactionAbort& v) {
  return hash_bytes(encode(v));
}
Hash item_hash(const CommitmentProof& v) {
  return hash_bytes(encode(v));
}

Hash BlockHeader::compute_hash() const {
  Writer w(512);
  write_header_fields(w, *this);
  return hash_bytes(w.bytes());
}

SectionRoots BlockBody::compute_roots() const {
  auto tx_hash = [](const TransactionRef& tx) { return tx->hash(); };
  return SectionRoots{
      section_root(retry_txs, tx_hash),
      section_root(priority_txs, tx_hash),
      section_root(txs, tx_hash),
      section_root(certificates, [](const TransactionCertificateRef& c) { return item_hash(*c); }),
      section_root(deferrals, [](const TransactionDefer& d) { return item_hash(d); }),
      section_root(aborts, [](const TransactionAbort& a) { return item_hash(a); }),
      section_root(proofs, [](const CommitmentProof& p) { return item_hash(p); }),
  };
}

bool operator==(const BlockBody& a, const BlockBody& b) {
  return pointees_equal(a.retry_txs, b.retry_txs) &&
         pointees_equal(a.priority_txs, b.priority_txs) && pointees_equal(a.txs, b.txs) &&
         pointees_equal(a.certificates, b.certificates) && a.deferrals == b.deferrals &&
         a.aborts == b.aborts && a.proofs == b.proofs;
}

Block::Block(BlockHeader header, BlockBody body)
    : header_(std::move(header)), body_(std::move(body)), hash_(header_.compute_hash()) {
  HS_ASSERT_MSG(header_.roots == body_.compute_roots(), "block header roots do not match body");
}

Block::Block(BlockHeader header, BlockBody body, RootsChecked)
    : header_(std::move(header)), body_(std::move(body)), hash_(header_.compute_hash()) {}

std::shared_ptr<const Block> Block::assemble(BlockHeader header, BlockBody body) {
  if (body.compute_roots() != header.roots) return nullptr;
  return std::shared_ptr<const Block>(
      new Block(std::move(header), std::move(body), RootsChecked{}));
}

std::shared_ptr<const Block> Block::assemble_prechecked(BlockHeader header, BlockBody body) {
#ifndef NDEBUG
  HS_ASSERT_MSG(body.compute_roots() == header.roots, "prechecked body does not match its roots");
#endif
  return std::shared_ptr<const Block>(
      new Block(std::move(header), std::move(body), RootsChecked{}));
}

void write(Writer& w, const SectionRoots& v) {
  w.fixed(v.retry_txs);
  w.fixed(v.priority_txs);
  w.fixed(v.txs);
  w.fixed(v.certificates);
  w.fixed(v.deferrals);
  w.fixed(v.aborts);
  w.fixed(v.proofs);
}

void read(Reader& r, SectionRoots& v) {
  r.fixed(v.retry_txs, "retry root");
  r.fixed(v.priority_txs, "priority root");
  r.fixed(v.txs, "txs root");
  r.fixed(v.certificates, "certificates root");
  r.fixed(v.deferrals, "deferrals root");
  r.fixed(v.aborts, "aborts root");
  r.fixed(v.proofs, "proofs root");
}

void write(Writer& w, const BlockHeader& v) {
  write_header_fields(w, v);
  w.fixed(v.proposer_signature);
}

void read(Reader& r, BlockHeader& v) {
  v.shard = r.u32();
  v.height = r.u64();
  v.round = r.u64();
  r.fixed(v.parent_hash, "parent hash");
  read(r, v.justify);
  read(r, v.timeout_cert);
  v.proposer = r.u32();
  v.timestamp_ms = r.u64();
  r.fixed(v.state_root, "state root");
  v.state_version = r.u64();
  read(r, v.roots);
  r.fixed(v.proposer_signature, "proposer signature");
  if (!r.ok()) return;
  if (auto problem = header_problem(v)) r.fail(DecodeErrorCode::kInconsistent, *problem);
}

void write(Writer& w, const BlockBody& v) {
  auto tx = [](Writer& w2, const TransactionRef& t) { write(w2, t); };
  write_seq(w, v.retry_txs, tx);
  write_seq(w, v.priority_txs, tx);
  write_seq(w, v.txs, tx);
  write_seq(w, v.certificates,
            [](Writer& w2, const TransactionCertificateRef& c) { write(w2, c); });
  write_seq(w, v.deferrals, [](Writer& w2, const TransactionDefer& d) { write(w2, d); });
  write_seq(w, v.aborts, [](Writer& w2, const TransactionAbort& a) { write(w2, a); });
  write_seq(w, v.proofs, [](Writer& w2, const CommitmentProof& p) { write(w2, p); });
}

void read(Reader& r, BlockBody& v) {
  auto tx = [](Reader& r2, TransactionRef& t) { read(r2, t); };
  read_seq(r, v.retry_txs, limits::kMaxTxsPerBlock, "retry txs", tx);
  read_seq(r, v.priority_txs, limits::kMaxTxsPerBlock, "priority txs", tx);
  read_seq(r, v.txs, limits::kMaxTxsPerBlock, "txs", tx);
  read_seq(r, v.certificates, limits::kMaxCertificatesPerBlock, "certificates",
           [](Reader& r2, TransactionCertificateRef& c) { read(r2, c); });
  read_seq(r, v.deferrals, limits::kMaxDeferralsPerBlock, "deferrals",
           [](Reader& r2, TransactionDefer& d) { read(r2, d); });
  read_seq(r, v.aborts, limits::kMaxAbortsPerBlock, "aborts",
           [](Reader& r2, TransactionAbort& a) { read(r2, a); });
  read_seq(r, v.proofs, limits::kMaxProofsPerBlock, "proofs",
           [](Reader& r2, CommitmentProof& p) { read(r2, p); });
  if (!r.ok()) return;
  if (v.tx_count() > limits::kMaxTxsPerBlock)
    return r.fail(DecodeErrorCode::kTooLarge, "transactions in block");
  require_strictly_sorted(r, v.retry_txs, tx_key, "retry txs");
  require_strictly_sorted(r, v.priority_txs, tx_key, "priority txs");
  require_strictly_sorted(r, v.txs, tx_key, "txs");
  require_strictly_sorted(r, v.certificates, cert_key, "certificates");
  require_strictly_sorted(r, v.deferrals, defer_key, "deferrals");
  require_strictly_sorted(r, v.aborts, abort_key, "aborts");
  require_strictly_sorted(r, v.proofs, proof_key, "proofs");
  if (!r.ok()) return;
  std::vector<Hash> all;
  all.reserve(v.tx_count());
  for (const auto* section : {&v.retry_txs, &v.priority_txs, &v.txs})
    for (const auto& t : *section)
      all.push_back(t->hash());
  std::sort(all.begin(), all.end());
  if (std::adjacent_find(all.begin(), all.end()) != all.end())
    r.fail(DecodeErrorCode::kDuplicate, "transaction in two sections");
}

void write(Writer& w, const Block& v) {
  write(w, v.header_);
  write(w, v.body_);
}

void read(Reader& r, Block& v) {
  read(r, v.header_);
  read(r, v.body_);
  if (!r.ok()) return;
  if (v.body_.compute_roots() != v.header_.roots)
    return r.fail(DecodeErrorCode::kHashMismatch, "body does not match header section roots");
  v.hash_ = v.header_.compute_hash();
}

}  // namespace hyperscale::types
