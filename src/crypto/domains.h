#pragma once

// Every signed message starts with H("HYPERSCALE_V1_" + domain), so no
// signature can be replayed across contexts.

#include <cstdint>
#include <string_view>

#include "types/hash.h"

namespace hyperscale::crypto {

enum class Domain : std::uint8_t {
  kBlockHeader,
  kBlockVote,
  kTimeout,
  kStateProvision,
  kStateVote,
  kCycleProof,
  kTransactionNotarization,
};

std::string_view domain_name(Domain d);
/// H("HYPERSCALE_V1_" + domain_name(d)), computed once per domain.
const types::Hash& domain_prefix(Domain d);

}  // namespace hyperscale::crypto
