#include "types/state.h"

#include <algorithm>

#include "types/limits.h"
#include "types/merkle.h"

namespace hyperscale::types {

namespace {
const SubstateKey& key_of(const StateEntry& e) {
  return e.key;
}

void write_entries(Writer& w, const std::vector<StateEntry>& entries) {
  write_seq(w, entries, [](Writer& w2, const StateEntry& e) { write(w2, e); });
}

void read_entries(Reader& r, std::vector<StateEntry>& entries, std::string_view what) {
  read_seq(r, entries, limits::kMaxStateEntries, what,
           [](Reader& r2, StateEntry& e) { read(r2, e); });
  require_strictly_sorted(r, entries, key_of, what);
}
}  // namespace

Hash entry_hash(const StateEntry& e) {
  return hash_bytes(encode(e));
}

Hash entries_root(const std::vector<StateEntry>& entries) {
  std::vector<Hash> leaves;
  leaves.reserve(entries.size());
  for (const auto& e : entries)
    leaves.push_back(entry_hash(e));
  return merkle_root(leaves);
}

bool StateVoteContent::is_success() const {
  const auto* e = std::get_if<Executed>(&outcome);
  return e && e->success;
}

Decision TransactionCertificate::decision() const {
  if (shard_certificates.empty()) return Decision::kReject;
  const Hash* root = nullptr;
  for (const auto& cert : shard_certificates) {
    const auto* e = std::get_if<Executed>(&cert.content.outcome);
    if (!e || !e->success) return Decision::kReject;
    if (root && *root != e->outputs_root) return Decision::kReject;
    root = &e->outputs_root;
  }
  return Decision::kAccept;
}

void write(Writer& w, const SubstateKey& v) {
  w.fixed(v.node);
  w.u8(v.partition);
  w.var_bytes(v.sort_key);
}

void read(Reader& r, SubstateKey& v) {
  r.fixed(v.node, "substate node");
  v.partition = r.u8();
  v.sort_key = r.var_bytes(limits::kMaxSortKeyBytes, "substate sort key");
}

void write(Writer& w, const StateEntry& v) {
  write(w, v.key);
  w.boolean(v.value.has_value());
  if (v.value) w.var_bytes(*v.value);
}

void read(Reader& r, StateEntry& v) {
  read(r, v.key);
  if (r.boolean() && r.ok())
    v.value = r.var_bytes(limits::kMaxSubstateValueBytes, "substate value");
  else
    v.value.reset();
}

void write(Writer& w, const ProvisionContent& v) {
  w.fixed(v.tx_hash);
  w.u32(v.source_shard);
  w.u32(v.target_shard);
  w.u64(v.commit_height);
  w.u64(v.commit_timestamp_ms);
  write_entries(w, v.entries);
}

void read(Reader& r, ProvisionContent& v) {
  r.fixed(v.tx_hash, "provision tx hash");
  v.source_shard = r.u32();
  v.target_shard = r.u32();
  v.commit_height = r.u64();
  v.commit_timestamp_ms = r.u64();
  read_entries(r, v.entries, "provision entries");
  if (r.ok() && v.source_shard == v.target_shard)
    r.fail(DecodeErrorCode::kInconsistent, "provision to its own shard");
}

void write(Writer& w, const StateProvision& v) {
  write(w, v.content);
  w.u32(v.validator);
  w.fixed(v.signature);
}

void read(Reader& r, StateProvision& v) {
  read(r, v.content);
  v.validator = r.u32();
  r.fixed(v.signature, "provision signature");
}

void write(Writer& w, const CommitmentProof& v) {
  write(w, v.content);
  write(w, v.signers);
  w.fixed(v.signature);
}

void read(Reader& r, CommitmentProof& v) {
  read(r, v.content);
  read(r, v.signers);
  r.fixed(v.signature, "proof signature");
  if (r.ok() && v.signers.empty()) r.fail(DecodeErrorCode::kInconsistent, "proof without signers");
}

void write(Writer& w, const StateVoteContent& v) {
  w.fixed(v.tx_hash);
  w.u32(v.shard);
  w.u8(static_cast<std::uint8_t>(v.outcome.index()));
  if (const auto* e = std::get_if<Executed>(&v.outcome)) {
    w.boolean(e->success);
    w.fixed(e->outputs_root);
  } else {
    const auto& a = std::get<Aborted>(v.outcome);
    w.u8(static_cast<std::uint8_t>(a.reason));
    w.u32(a.attempt);
  }
}

void read(Reader& r, StateVoteContent& v) {
  r.fixed(v.tx_hash, "vote tx hash");
  v.shard = r.u32();
  if (r.tag(1, "vote outcome") == 0) {
    Executed e;
    e.success = r.boolean();
    r.fixed(e.outputs_root, "outputs root");
    v.outcome = e;
  } else {
    Aborted a;
    a.reason = static_cast<AbortReason>(r.tag(kMaxAbortReason, "abort reason"));
    a.attempt = r.u32();
    if (r.ok() && a.attempt > limits::kMaxTxAttempt)
      r.fail(DecodeErrorCode::kInvalidValue, "abort attempt above retry limit");
    v.outcome = a;
  }
}

void write(Writer& w, const StateVote& v) {
  write(w, v.content);
  w.u32(v.voter);
  w.fixed(v.signature);
}

void read(Reader& r, StateVote& v) {
  read(r, v.content);
  v.voter = r.u32();
  r.fixed(v.signature, "state vote signature");
}

void write(Writer& w, const StateCertificate& v) {
  write(w, v.content);
  write_entries(w, v.writes);
  write(w, v.signers);
  w.fixed(v.signature);
}

void read(Reader& r, StateCertificate& v) {
  read(r, v.content);
  read_entries(r, v.writes, "certificate writes");
  read(r, v.signers);
  r.fixed(v.signature, "certificate signature");
  if (!r.ok()) return;
  if (v.signers.empty())
    return r.fail(DecodeErrorCode::kInconsistent, "certificate without signers");
  if (const auto* e = std::get_if<Executed>(&v.content.outcome)) {
    if (entries_root(v.writes) != e->outputs_root)
      r.fail(DecodeErrorCode::kHashMismatch, "certificate writes do not match outputs root");
  } else if (!v.writes.empty()) {
    r.fail(DecodeErrorCode::kInconsistent, "abort certificate with writes");
  }
}

void write(Writer& w, const TransactionCertificate& v) {
  w.fixed(v.tx_hash);
  write_seq(w, v.shard_certificates, [](Writer& w2, const StateCertificate& c) { write(w2, c); });
}

void read(Reader& r, TransactionCertificate& v) {
  r.fixed(v.tx_hash, "certificate tx hash");
  read_seq(r, v.shard_certificates, limits::kMaxShards, "shard certificates",
           [](Reader& r2, StateCertificate& c) { read(r2, c); });
  if (!r.ok()) return;
  if (v.shard_certificates.empty())
    return r.fail(DecodeErrorCode::kInconsistent, "transaction certificate without shards");
  require_strictly_sorted(
      r, v.shard_certificates, [](const StateCertificate& c) { return c.content.shard; },
      "shard certificates");
  for (const auto& c : v.shard_certificates)
    if (r.ok() && c.content.tx_hash != v.tx_hash)
      r.fail(DecodeErrorCode::kInconsistent, "shard certificate for another tx");
}

void write(Writer& w, const TransactionCertificateRef& v) {
  write(w, *v);
}

void read(Reader& r, TransactionCertificateRef& v) {
  auto cert = std::make_shared<TransactionCertificate>();
  read(r, *cert);
  v = std::move(cert);
}

void write(Writer& w, const CycleProof& v) {
  write(w, v.winner_tx);
  write(w, v.winner_proof);
}

void read(Reader& r, CycleProof& v) {
  read(r, v.winner_tx);
  read(r, v.winner_proof);
  if (r.ok() && v.winner_proof.content.tx_hash != v.winner_tx->hash())
    r.fail(DecodeErrorCode::kHashMismatch, "cycle proof is not for the winner tx");
}

void write(Writer& w, const TransactionDefer& v) {
  w.fixed(v.loser_tx_hash);
  write(w, v.proof);
}

void read(Reader& r, TransactionDefer& v) {
  r.fixed(v.loser_tx_hash, "deferred tx hash");
  read(r, v.proof);
  if (r.ok() && v.loser_tx_hash == v.proof.winner_tx->hash())
    r.fail(DecodeErrorCode::kInconsistent, "a tx cannot defer itself");
}

void write(Writer& w, const TransactionAbort& v) {
  w.fixed(v.tx_hash);
  w.u8(static_cast<std::uint8_t>(v.reason));
}

void read(Reader& r, TransactionAbort& v) {
  r.fixed(v.tx_hash, "aborted tx hash");
  v.reason = static_cast<AbortReason>(r.tag(kMaxAbortReason, "abort reason"));
}

}  // namespace hyperscale::types
