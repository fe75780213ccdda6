#pragma once

// The deterministic transaction engine (DESIGN §6): given a transaction and a
// read-only view of the state (local state plus provisioned remote entries),
// it returns success or failure and the exact substate writes. Pure: no I/O,
// no clock, no randomness; the output is a function of (tx, view, fees).
//
// Rules (each failure names the ExecutionError it returns):
//  * Instructions apply in order over an in-transaction overlay of the view:
//    later instructions see earlier ones' effects.
//  * Transfer{from, to, resource, amount}: both accounts exist
//    (kUnknownAccount); from's owner signed (kUnauthorized); from holds at
//    least amount (kInsufficientBalance); to's balance stays <= 2^64 - 1
//    (kOverflow).
//  * Withdraw{account, resource, amount}: as Transfer's source; the amount
//    goes onto the transaction's worktop (per resource; kOverflow).
//  * Deposit{account, resource, amount}: the account exists
//    (kUnknownAccount); the worktop holds at least amount of the resource
//    (kUnbalancedWorktop); the balance stays <= 2^64 - 1 (kOverflow).
//  * CreateAccount{owner}: the record of account_address(owner) is absent
//    (kAccountExists); it is written with the owner key.
//  * At the end the worktop is empty for every resource (kUnbalancedWorktop):
//    every resource's supply is conserved by construction.
//  * Fee: FeeSchedule::per_transaction of the native resource moves from the
//    first debited account (types::debited_accounts order) into its own fee
//    vault (kInsufficientBalance, kOverflow). A tx that debits nobody pays
//    nothing. Supply is conserved and only declared nodes are written.
//  * Every node read is declared (reads or writes) and every node written is
//    a declared write (kUndeclaredAccess): defensive, a manifest-derived
//    access never trips it. Balances and fee vaults are only loaded to be
//    changed, so loading one needs a declared write.
//  * A stored value that does not decode is kCorruptState.
// A failed transaction writes nothing and pays no fee: its state certificate
// carries no writes (the zero outputs root).

#include <cstdint>
#include <string_view>
#include <vector>

#include "engine/state_view.h"
#include "types/state.h"
#include "types/transaction.h"

namespace hyperscale::engine {

/// Fees, in units of the native resource.
struct FeeSchedule {
  types::Amount per_transaction = 0;
};

enum class ExecutionError : std::uint8_t {
  kNone = 0,
  kUnknownAccount,       // an account an instruction names has no record
  kAccountExists,        // CreateAccount of an account that has a record
  kUnauthorized,         // a debited account's owner is not among the signers
  kInsufficientBalance,  // a debit (or the fee) above the account's balance
  kOverflow,             // a balance, fee vault or worktop above 2^64 - 1
  kUnbalancedWorktop,    // a deposit above the worktop, or a worktop left non-empty
  kCorruptState,         // a stored value that does not decode
  kEmptyManifest,        // no instructions
  kTooManyInstructions,  // above types::limits::kMaxInstructionsPerTx
  kUndeclaredAccess,     // a node outside the declared reads and writes
};
std::string_view to_string(ExecutionError error);

struct ExecutionOutcome {
  bool success = false;
  ExecutionError error = ExecutionError::kNone;
  /// Index of the instruction that failed; the instruction count for checks
  /// made after the last instruction (worktop, fee); 0 on success.
  std::uint32_t failed_instruction = 0;
  /// Strictly sorted by key; exactly the substates whose value changes
  /// (never one equal to what the view holds); empty on failure.
  std::vector<types::StateEntry> writes;
  friend bool operator==(const ExecutionOutcome&, const ExecutionOutcome&) = default;
};

/// Executes `tx` over `view`. Precondition: the tx's signatures were verified
/// upstream; the engine still checks that each debited account's stored
/// owner is among the payload's signers.
ExecutionOutcome execute(const types::Transaction& tx, const StateView& view,
                         const FeeSchedule& fees = {});

/// The same, with the declared access given apart from the payload: what
/// execute(tx) calls with tx.access(). Lets a test declare less than the
/// manifest touches.
ExecutionOutcome execute(const types::TransactionPayload& payload,
                         const types::DeclaredAccess& access, const StateView& view,
                         const FeeSchedule& fees = {});

}  // namespace hyperscale::engine
