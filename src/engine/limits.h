#pragma once

// Every bound of the engine in one place. A number is written once; tests
// refer to these names.

#include <cstddef>
#include <cstdint>

#include "types/limits.h"

namespace hyperscale::engine::limits {

/// A resource name is 1..64 bytes (the resource record's name field).
inline constexpr std::size_t kMaxResourceNameBytes = 64;
/// A balance or fee-vault value: one u64, little-endian.
inline constexpr std::size_t kAmountBytes = 8;

/// Substates one transaction can touch: per instruction at most two accounts,
/// each with its record and one balance, plus the fee payer's native balance
/// and fee vault. Bounds the in-transaction overlay.
inline constexpr std::size_t kMaxSubstatesPerTx = types::limits::kMaxInstructionsPerTx * 4 + 2;
/// Distinct resources on one transaction's worktop (one per withdrawal at most).
inline constexpr std::size_t kMaxWorktopResources = types::limits::kMaxInstructionsPerTx;

/// Genesis bounds: accounts and extra resources a configuration may name.
inline constexpr std::size_t kMaxGenesisAccounts = std::size_t{1} << 24;
inline constexpr std::size_t kMaxGenesisExtraResources = 64;

static_assert(kMaxSubstatesPerTx <= types::limits::kMaxStateEntries,
              "a transaction's writes must fit in one state certificate");
static_assert(kMaxResourceNameBytes + 4 + kAmountBytes <= types::limits::kMaxSubstateValueBytes);

}  // namespace hyperscale::engine::limits
