#pragma once

#include <memory>
#include <variant>
#include <vector>

#include "types/codec.h"
#include "types/hash.h"
#include "types/ids.h"
#include "types/keys.h"

namespace hyperscale::types {

using Amount = std::uint64_t;

/// Moves `amount` of `resource` from account `from` to account `to`.
struct Transfer {
  NodeId from;
  NodeId to;
  NodeId resource;
  Amount amount = 0;
  friend bool operator==(const Transfer&, const Transfer&) = default;
};
/// Takes `amount` of `resource` out of `account` into the transaction's
/// worktop; every withdrawal must be matched by deposits of the same resource.
struct Withdraw {
  NodeId account;
  NodeId resource;
  Amount amount = 0;
  friend bool operator==(const Withdraw&, const Withdraw&) = default;
};
struct Deposit {
  NodeId account;
  NodeId resource;
  Amount amount = 0;
  friend bool operator==(const Deposit&, const Deposit&) = default;
};
/// Creates the account owned by `owner` (its address is account_address(owner)).
struct CreateAccount {
  Ed25519PublicKey owner;
  friend bool operator==(const CreateAccount&, const CreateAccount&) = default;
};

using Instruction = std::variant<Transfer, Withdraw, Deposit, CreateAccount>;

/// What the signers agree to: everything but signatures and the retry attempt.
struct TransactionPayload {
  std::vector<Instruction> instructions;
  /// Any u64 the sender picks, so two identical transfers have distinct intents.
  std::uint64_t nonce = 0;
  /// Validity window in consensus time, at most kMaxTxValidityWindowMs long.
  TimestampMs valid_from_ms = 0;
  TimestampMs valid_until_ms = 0;
  /// Required signers, strictly sorted; one signature each.
  std::vector<Ed25519PublicKey> signers;

  friend bool operator==(const TransactionPayload&, const TransactionPayload&) = default;
};

/// intent hash = H(encoded payload).
Hash intent_hash_of(const TransactionPayload& payload);
/// tx hash = H(intent hash ‖ attempt): signatures are outside it, so no one can
/// make a second hash for the same attempt.
Hash tx_hash_of(const Hash& intent_hash, std::uint32_t attempt);

/// Nodes a transaction reads and writes, derived from its manifest by the
/// node (never taken from the wire). Both sorted, unique and disjoint: a node
/// that is written is not also listed as read.
struct DeclaredAccess {
  std::vector<NodeId> reads;
  std::vector<NodeId> writes;
  /// shard_key() of every read and write node, sorted and unique: the shards
  /// a tx involves follow with one modulo each.
  std::vector<std::uint64_t> shard_keys;
  friend bool operator==(const DeclaredAccess&, const DeclaredAccess&) = default;
};
DeclaredAccess declared_access(const TransactionPayload& payload);

/// A signed transaction. Immutable; its hashes are computed when it is made
/// (or decoded), never read from the wire.
class Transaction {
 public:
  Transaction() = default;
  Transaction(TransactionPayload payload, std::uint32_t attempt,
              std::vector<Ed25519Signature> signatures);

  const TransactionPayload& payload() const { return payload_; }
  std::uint32_t attempt() const { return attempt_; }
  const std::vector<Ed25519Signature>& signatures() const { return signatures_; }
  const Hash& intent_hash() const { return intent_hash_; }
  const Hash& hash() const { return hash_; }
  /// Derived from the manifest when the transaction is made or decoded.
  const DeclaredAccess& access() const { return access_; }
  /// Length of the canonical encoding.
  std::size_t encoded_size() const { return encoded_size_; }

  friend bool operator==(const Transaction& a, const Transaction& b) {
    return a.hash_ == b.hash_ && a.signatures_ == b.signatures_ && a.payload_ == b.payload_;
  }
  friend void write(Writer& w, const Transaction& v);
  friend void read(Reader& r, Transaction& v);

 private:
  TransactionPayload payload_;
  std::uint32_t attempt_ = 0;
  std::vector<Ed25519Signature> signatures_;
  Hash intent_hash_;
  Hash hash_;
  DeclaredAccess access_;
  std::size_t encoded_size_ = 0;
};

using TransactionRef = std::shared_ptr<const Transaction>;

/// Accounts whose funds the payload moves; each owner must be a signer.
std::vector<NodeId> debited_accounts(const TransactionPayload& payload);
/// True when the owner of every debited account is among the signers.
bool signers_cover_debits(const TransactionPayload& payload);

void write(Writer& w, const Instruction& v);
void read(Reader& r, Instruction& v);
void write(Writer& w, const TransactionPayload& v);
void read(Reader& r, TransactionPayload& v);
void write(Writer& w, const TransactionRef& v);
void read(Reader& r, TransactionRef& v);

}  // namespace hyperscale::types
