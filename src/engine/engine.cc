#include "engine/engine.h"

#include <algorithm>
#include <expected>
#include <variant>

#include "engine/limits.h"
#include "engine/substates.h"
#include "types/assert.h"
#include "types/overloaded.h"

namespace hyperscale::engine {

using types::Amount;
using types::Bytes;
using types::NodeId;
using types::Overloaded;
using types::StateEntry;
using types::SubstateKey;

std::string_view to_string(ExecutionError error) {
  switch (error) {
    case ExecutionError::kNone:
      return "none";
    case ExecutionError::kUnknownAccount:
      return "unknown account";
    case ExecutionError::kAccountExists:
      return "account exists";
    case ExecutionError::kUnauthorized:
      return "unauthorized";
    case ExecutionError::kInsufficientBalance:
      return "insufficient balance";
    case ExecutionError::kOverflow:
      return "overflow";
    case ExecutionError::kUnbalancedWorktop:
      return "unbalanced worktop";
    case ExecutionError::kCorruptState:
      return "corrupt state";
    case ExecutionError::kEmptyManifest:
      return "empty manifest";
    case ExecutionError::kTooManyInstructions:
      return "too many instructions";
    case ExecutionError::kUndeclaredAccess:
      return "undeclared access";
  }
  return "unknown execution error";
}

// --- execution ----------------------------------------------------------------------

namespace {

// One substate in the transaction's overlay. Slots order by (account,
// partition, resource), which is their SubstateKey order: partition 0 has an
// empty sort key, partitions 1 and 2 a 30-byte one.
struct Slot {
  NodeId account;
  std::uint8_t partition = kAccountRecordPartition;
  NodeId resource;                // zero for the account record
  bool existed = false;           // the view holds a value
  bool exists = false;            // account record: present now
  types::Ed25519PublicKey owner;  // account record: the owner, when it exists
  Amount original = 0;            // balance / fee vault: the view's value (0 when absent)
  Amount current = 0;             // balance / fee vault: the value now

  bool same_key(const NodeId& a, std::uint8_t p, const NodeId& r) const {
    return partition == p && account == a && resource == r;
  }
  static bool key_less(const Slot& x, const Slot& y) {
    if (auto c = x.account <=> y.account; c != 0) return c < 0;
    if (x.partition != y.partition) return x.partition < y.partition;
    return x.resource < y.resource;
  }
  bool changed() const {
    if (partition == kAccountRecordPartition) return exists != existed;
    bool present = current != 0;  // zero balances are absent
    return present != existed || (existed && current != original);
  }
};

struct WorktopEntry {
  NodeId resource;
  Amount amount = 0;
};

using Result = std::expected<std::size_t, ExecutionError>;  // a slot index

class Execution {
 public:
  Execution(const types::TransactionPayload& payload, const types::DeclaredAccess& access,
            const StateView& view)
      : payload_(payload), access_(access), view_(view) {}

  ExecutionOutcome run(const FeeSchedule& fees) {
    const auto& instructions = payload_.instructions;
    if (instructions.empty()) return failure(ExecutionError::kEmptyManifest, 0);
    if (instructions.size() > types::limits::kMaxInstructionsPerTx)
      return failure(ExecutionError::kTooManyInstructions, types::limits::kMaxInstructionsPerTx);
    auto count = static_cast<std::uint32_t>(instructions.size());
    // At most two accounts per instruction, each with its record and one
    // balance, and the fee payer's balance and vault: no slot ever moves.
    slots_.reserve(instructions.size() * 4 + 2);
    probe_.sort_key.reserve(NodeId::kSize);
    for (std::uint32_t i = 0; i < count; ++i)
      if (auto e = apply(instructions[i]); e != ExecutionError::kNone) return failure(e, i);
    for (const auto& w : worktop_)
      if (w.amount != 0) return failure(ExecutionError::kUnbalancedWorktop, count);
    if (auto e = charge_fee(fees); e != ExecutionError::kNone) return failure(e, count);
    return success();
  }

 private:
  ExecutionError apply(const types::Instruction& ins) {
    return std::visit(Overloaded{
                          [&](const types::Transfer& t) { return transfer(t); },
                          [&](const types::Withdraw& w) { return withdraw(w); },
                          [&](const types::Deposit& d) { return deposit(d); },
                          [&](const types::CreateAccount& c) { return create_account(c); },
                      },
                      ins);
  }

  ExecutionError transfer(const types::Transfer& t) {
    if (auto e = require_owner_signed(t.from); e != ExecutionError::kNone) return e;
    if (auto e = require_account(t.to); e != ExecutionError::kNone) return e;
    auto from = amount_slot(t.from, kBalancePartition, t.resource);
    if (!from) return from.error();
    if (slots_[*from].current < t.amount) return ExecutionError::kInsufficientBalance;
    auto to = amount_slot(t.to, kBalancePartition, t.resource);
    if (!to) return to.error();
    // Debit first: with from == to the credit then restores the balance.
    slots_[*from].current -= t.amount;
    if (__builtin_add_overflow(slots_[*to].current, t.amount, &slots_[*to].current))
      return ExecutionError::kOverflow;
    return ExecutionError::kNone;
  }

  ExecutionError withdraw(const types::Withdraw& w) {
    if (auto e = require_owner_signed(w.account); e != ExecutionError::kNone) return e;
    auto from = amount_slot(w.account, kBalancePartition, w.resource);
    if (!from) return from.error();
    if (slots_[*from].current < w.amount) return ExecutionError::kInsufficientBalance;
    Amount& held = worktop(w.resource);
    if (__builtin_add_overflow(held, w.amount, &held)) return ExecutionError::kOverflow;
    slots_[*from].current -= w.amount;
    return ExecutionError::kNone;
  }

  ExecutionError deposit(const types::Deposit& d) {
    if (auto e = require_account(d.account); e != ExecutionError::kNone) return e;
    Amount& held = worktop(d.resource);
    if (held < d.amount) return ExecutionError::kUnbalancedWorktop;
    auto to = amount_slot(d.account, kBalancePartition, d.resource);
    if (!to) return to.error();
    if (__builtin_add_overflow(slots_[*to].current, d.amount, &slots_[*to].current))
      return ExecutionError::kOverflow;
    held -= d.amount;
    return ExecutionError::kNone;
  }

  ExecutionError create_account(const types::CreateAccount& c) {
    NodeId account = types::account_address(c.owner.span());
    auto rec = record_slot(account);
    if (!rec) return rec.error();
    if (!declared_write(account)) return ExecutionError::kUndeclaredAccess;
    Slot& s = slots_[*rec];
    if (s.exists) return ExecutionError::kAccountExists;
    s.exists = true;
    s.owner = c.owner;
    return ExecutionError::kNone;
  }

  /// The fee moves from the payer's native balance into its own fee vault.
  ExecutionError charge_fee(const FeeSchedule& fees) {
    if (fees.per_transaction == 0) return ExecutionError::kNone;
    const NodeId* payer = first_debited_account();
    if (!payer) return ExecutionError::kNone;
    auto balance = amount_slot(*payer, kBalancePartition, native_resource());
    if (!balance) return balance.error();
    if (slots_[*balance].current < fees.per_transaction)
      return ExecutionError::kInsufficientBalance;
    auto vault = amount_slot(*payer, kFeeVaultPartition, native_resource());
    if (!vault) return vault.error();
    slots_[*balance].current -= fees.per_transaction;
    if (__builtin_add_overflow(slots_[*vault].current, fees.per_transaction,
                               &slots_[*vault].current))
      return ExecutionError::kOverflow;
    return ExecutionError::kNone;
  }

  /// types::debited_accounts(payload).front(), without building the list.
  const NodeId* first_debited_account() const {
    const NodeId* first = nullptr;
    auto consider = [&](const NodeId& n) {
      if (!first || n < *first) first = &n;
    };
    for (const auto& ins : payload_.instructions) {
      if (const auto* t = std::get_if<types::Transfer>(&ins)) consider(t->from);
      if (const auto* w = std::get_if<types::Withdraw>(&ins)) consider(w->account);
    }
    return first;
  }

  ExecutionError require_account(const NodeId& account) {
    auto rec = record_slot(account);
    if (!rec) return rec.error();
    return slots_[*rec].exists ? ExecutionError::kNone : ExecutionError::kUnknownAccount;
  }

  /// A debit needs the account's stored owner among the signers.
  ExecutionError require_owner_signed(const NodeId& account) {
    auto rec = record_slot(account);
    if (!rec) return rec.error();
    const Slot& s = slots_[*rec];
    if (!s.exists) return ExecutionError::kUnknownAccount;
    const auto& signers = payload_.signers;
    if (std::find(signers.begin(), signers.end(), s.owner) == signers.end())
      return ExecutionError::kUnauthorized;
    return ExecutionError::kNone;
  }

  Amount& worktop(const NodeId& resource) {
    for (auto& w : worktop_)
      if (w.resource == resource) return w.amount;
    HS_ASSERT(worktop_.size() < limits::kMaxWorktopResources);
    return worktop_.emplace_back(WorktopEntry{resource, 0}).amount;
  }

  bool declared_write(const NodeId& node) const {
    return std::binary_search(access_.writes.begin(), access_.writes.end(), node);
  }
  bool declared_read(const NodeId& node) const {
    return declared_write(node) ||
           std::binary_search(access_.reads.begin(), access_.reads.end(), node);
  }

  std::optional<std::size_t> find_slot(const NodeId& account, std::uint8_t partition,
                                       const NodeId& resource) const {
    for (std::size_t i = 0; i < slots_.size(); ++i)
      if (slots_[i].same_key(account, partition, resource)) return i;
    return std::nullopt;
  }

  std::optional<Bytes> read(const NodeId& account, std::uint8_t partition, const NodeId* resource) {
    probe_.node = account;
    probe_.partition = partition;
    probe_.sort_key.clear();
    if (resource) probe_.sort_key.assign(resource->bytes.begin(), resource->bytes.end());
    return view_.get(probe_);
  }

  std::size_t push(Slot slot) {
    HS_ASSERT(slots_.size() < limits::kMaxSubstatesPerTx);
    slots_.push_back(slot);
    return slots_.size() - 1;
  }

  // An account record is read (existence, owner); CreateAccount checks the
  // write separately. A balance or fee vault is loaded only to change it.
  Result record_slot(const NodeId& account) {
    if (auto i = find_slot(account, kAccountRecordPartition, NodeId{})) return *i;
    if (!declared_read(account)) return std::unexpected(ExecutionError::kUndeclaredAccess);
    Slot s;
    s.account = account;
    s.partition = kAccountRecordPartition;
    if (auto value = read(account, kAccountRecordPartition, nullptr)) {
      auto owner = decode_owner(*value);
      if (!owner) return std::unexpected(ExecutionError::kCorruptState);
      s.existed = s.exists = true;
      s.owner = *owner;
    }
    return push(s);
  }

  Result amount_slot(const NodeId& account, std::uint8_t partition, const NodeId& resource) {
    if (auto i = find_slot(account, partition, resource)) return *i;
    if (!declared_write(account)) return std::unexpected(ExecutionError::kUndeclaredAccess);
    Slot s;
    s.account = account;
    s.partition = partition;
    s.resource = resource;
    if (auto value = read(account, partition, &resource)) {
      auto amount = decode_amount(*value);
      if (!amount) return std::unexpected(ExecutionError::kCorruptState);
      s.existed = true;
      s.original = s.current = *amount;
    }
    return push(s);
  }

  ExecutionOutcome failure(ExecutionError error, std::uint32_t instruction) const {
    HS_ASSERT(error != ExecutionError::kNone);
    return ExecutionOutcome{false, error, instruction, {}};
  }

  ExecutionOutcome success() {
    ExecutionOutcome out{true, ExecutionError::kNone, 0, {}};
    std::erase_if(slots_, [](const Slot& s) { return !s.changed(); });
    std::sort(slots_.begin(), slots_.end(), Slot::key_less);
    out.writes.reserve(slots_.size());
    for (const Slot& s : slots_) {
      StateEntry& e = out.writes.emplace_back();
      e.key.node = s.account;
      e.key.partition = s.partition;
      if (s.partition == kAccountRecordPartition) {
        HS_ASSERT(s.exists && !s.existed);  // accounts are only ever created
        e.value = encode_owner(s.owner);
      } else {
        e.key.sort_key.assign(s.resource.bytes.begin(), s.resource.bytes.end());
        if (s.current != 0) e.value = encode_amount(s.current);
      }
    }
    for (std::size_t i = 1; i < out.writes.size(); ++i)
      HS_ASSERT(out.writes[i - 1].key < out.writes[i].key);
    return out;
  }

  const types::TransactionPayload& payload_;
  const types::DeclaredAccess& access_;
  const StateView& view_;
  std::vector<Slot> slots_;  // the overlay; a handful of entries, scanned linearly
  std::vector<WorktopEntry> worktop_;
  SubstateKey probe_;  // reused key for view reads (keeps its sort-key buffer)
};

}  // namespace

ExecutionOutcome execute(const types::Transaction& tx, const StateView& view,
                         const FeeSchedule& fees) {
  return execute(tx.payload(), tx.access(), view, fees);
}

ExecutionOutcome execute(const types::TransactionPayload& payload,
                         const types::DeclaredAccess& access, const StateView& view,
                         const FeeSchedule& fees) {
  return Execution(payload, access, view).run(fees);
}

}  // namespace hyperscale::engine
