#include "types/transaction.h"

#include <algorithm>

#include "types/limits.h"
#include "types/overloaded.h"

namespace hyperscale::types {

Hash intent_hash_of(const TransactionPayload& payload) {
  return hash_bytes(encode(payload));
}

Hash tx_hash_of(const Hash& intent_hash, std::uint32_t attempt) {
  return Hasher().update(intent_hash).update_u32(attempt).finish();
}

namespace {
/// attempt (u32) ‖ signature count (u32) ‖ signatures, after the payload.
std::size_t tail_size(std::size_t signatures) {
  return 4 + 4 + signatures * Ed25519Signature::kSize;
}
}  // namespace

Transaction::Transaction(TransactionPayload payload, std::uint32_t attempt,
                         std::vector<Ed25519Signature> signatures)
    : payload_(std::move(payload)), attempt_(attempt), signatures_(std::move(signatures)) {
  Bytes encoded = encode(payload_);
  intent_hash_ = hash_bytes(encoded);
  hash_ = tx_hash_of(intent_hash_, attempt_);
  access_ = declared_access(payload_);
  encoded_size_ = encoded.size() + tail_size(signatures_.size());
}

DeclaredAccess declared_access(const TransactionPayload& payload) {
  DeclaredAccess out;
  for (const auto& ins : payload.instructions) {
    std::visit(
        Overloaded{
            [&](const Transfer& t) {
              out.writes.push_back(t.from);
              out.writes.push_back(t.to);
            },
            [&](const Withdraw& t) { out.writes.push_back(t.account); },
            [&](const Deposit& t) { out.writes.push_back(t.account); },
            [&](const CreateAccount& t) { out.writes.push_back(account_address(t.owner.span())); },
        },
        ins);
  }
  std::sort(out.writes.begin(), out.writes.end());
  out.writes.erase(std::unique(out.writes.begin(), out.writes.end()), out.writes.end());
  for (const auto* nodes : {&out.reads, &out.writes})
    for (const auto& n : *nodes)
      out.shard_keys.push_back(shard_key(n));
  std::sort(out.shard_keys.begin(), out.shard_keys.end());
  out.shard_keys.erase(std::unique(out.shard_keys.begin(), out.shard_keys.end()),
                       out.shard_keys.end());
  return out;
}

std::vector<NodeId> debited_accounts(const TransactionPayload& payload) {
  std::vector<NodeId> out;
  for (const auto& ins : payload.instructions) {
    if (const auto* t = std::get_if<Transfer>(&ins)) out.push_back(t->from);
    if (const auto* w = std::get_if<Withdraw>(&ins)) out.push_back(w->account);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

bool signers_cover_debits(const TransactionPayload& payload) {
  std::vector<NodeId> owned;
  owned.reserve(payload.signers.size());
  for (const auto& k : payload.signers)
    owned.push_back(account_address(k.span()));
  std::sort(owned.begin(), owned.end());
  for (const auto& account : debited_accounts(payload))
    if (!std::binary_search(owned.begin(), owned.end(), account)) return false;
  return true;
}

void write(Writer& w, const Instruction& v) {
  w.u8(static_cast<std::uint8_t>(v.index()));
  std::visit(Overloaded{
                 [&](const Transfer& t) {
                   w.fixed(t.from);
                   w.fixed(t.to);
                   w.fixed(t.resource);
                   w.u64(t.amount);
                 },
                 [&](const Withdraw& t) {
                   w.fixed(t.account);
                   w.fixed(t.resource);
                   w.u64(t.amount);
                 },
                 [&](const Deposit& t) {
                   w.fixed(t.account);
                   w.fixed(t.resource);
                   w.u64(t.amount);
                 },
                 [&](const CreateAccount& t) { w.fixed(t.owner); },
             },
             v);
}

void read(Reader& r, Instruction& v) {
  switch (r.tag(std::variant_size_v<Instruction> - 1, "instruction tag")) {
    case 0: {
      Transfer t;
      r.fixed(t.from, "transfer from");
      r.fixed(t.to, "transfer to");
      r.fixed(t.resource, "transfer resource");
      t.amount = r.u64();
      v = t;
      break;
    }
    case 1: {
      Withdraw t;
      r.fixed(t.account, "withdraw account");
      r.fixed(t.resource, "withdraw resource");
      t.amount = r.u64();
      v = t;
      break;
    }
    case 2: {
      Deposit t;
      r.fixed(t.account, "deposit account");
      r.fixed(t.resource, "deposit resource");
      t.amount = r.u64();
      v = t;
      break;
    }
    case 3: {
      CreateAccount t;
      r.fixed(t.owner, "create account owner");
      v = t;
      break;
    }
  }
}

void write(Writer& w, const TransactionPayload& v) {
  write_seq(w, v.instructions, [](Writer& w2, const Instruction& i) { write(w2, i); });
  w.u64(v.nonce);
  w.u64(v.valid_from_ms);
  w.u64(v.valid_until_ms);
  write_seq(w, v.signers, [](Writer& w2, const Ed25519PublicKey& k) { w2.fixed(k); });
}

void read(Reader& r, TransactionPayload& v) {
  read_seq(r, v.instructions, limits::kMaxInstructionsPerTx, "instructions",
           [](Reader& r2, Instruction& i) { read(r2, i); });
  v.nonce = r.u64();
  v.valid_from_ms = r.u64();
  v.valid_until_ms = r.u64();
  read_seq(
      r, v.signers, limits::kMaxSignersPerTx, "signers",
      [](Reader& r2, Ed25519PublicKey& k) { r2.fixed(k, "signer key"); }, Ed25519PublicKey::kSize);
  if (!r.ok()) return;
  if (v.instructions.empty()) return r.fail(DecodeErrorCode::kInvalidValue, "empty manifest");
  if (v.signers.empty()) return r.fail(DecodeErrorCode::kInvalidValue, "no signers");
  if (v.valid_until_ms < v.valid_from_ms ||
      v.valid_until_ms - v.valid_from_ms > limits::kMaxTxValidityWindowMs)
    return r.fail(DecodeErrorCode::kInvalidValue, "validity window");
  require_strictly_sorted(
      r, v.signers, [](const auto& k) -> const auto& { return k; }, "signers");
  if (!r.ok()) return;
  if (!signers_cover_debits(v))
    r.fail(DecodeErrorCode::kInvalidValue, "debited account without its owner as signer");
}

void write(Writer& w, const Transaction& v) {
  write(w, v.payload_);
  w.u32(v.attempt_);
  write_seq(w, v.signatures_, [](Writer& w2, const Ed25519Signature& s) { w2.fixed(s); });
}

void read(Reader& r, Transaction& v) {
  std::size_t start = r.position();
  read(r, v.payload_);
  if (!r.ok()) return;
  // The canonical encoding of the payload is exactly the bytes just read.
  v.intent_hash_ = hash_bytes(r.consumed_since(start));
  v.attempt_ = r.u32();
  read_seq(
      r, v.signatures_, limits::kMaxSignersPerTx, "signatures",
      [](Reader& r2, Ed25519Signature& s) { r2.fixed(s, "signature"); }, Ed25519Signature::kSize);
  if (!r.ok()) return;
  if (r.position() - start > limits::kMaxEncodedTxBytes)
    return r.fail(DecodeErrorCode::kTooLarge, "transaction size");
  if (v.attempt_ > limits::kMaxTxAttempt)
    return r.fail(DecodeErrorCode::kInvalidValue, "attempt above retry limit");
  if (v.signatures_.size() != v.payload_.signers.size())
    return r.fail(DecodeErrorCode::kInconsistent, "one signature per signer");
  v.hash_ = tx_hash_of(v.intent_hash_, v.attempt_);
  v.access_ = declared_access(v.payload_);
  v.encoded_size_ = r.position() - start;
}

void write(Writer& w, const TransactionRef& v) {
  write(w, *v);
}

void read(Reader& r, TransactionRef& v) {
  auto tx = std::make_shared<Transaction>();
  read(r, *tx);
  v = std::move(tx);
}

}  // namespace hyperscale::types
