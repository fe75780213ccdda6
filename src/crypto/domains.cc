#include "crypto/domains.h"

#include <array>
#include <string>

namespace hyperscale::crypto {

std::string_view domain_name(Domain d) {
  switch (d) {
    case Domain::kBlockHeader:
      return "BlockHeader";
    case Domain::kBlockVote:
      return "BlockVote";
    case Domain::kTimeout:
      return "Timeout";
    case Domain::kStateProvision:
      return "StateProvision";
    case Domain::kStateVote:
      return "StateVote";
    case Domain::kCycleProof:
      return "CycleProof";
    case Domain::kTransactionNotarization:
      return "TransactionNotarization";
  }
  return "";
}

const types::Hash& domain_prefix(Domain d) {
  // Constant data derived from constants; initialised once, thread-safely.
  static const std::array<types::Hash, 7> prefixes = [] {
    std::array<types::Hash, 7> out;
    for (std::size_t i = 0; i < out.size(); ++i) {
      std::string s = "HYPERSCALE_V1_";
      s += domain_name(static_cast<Domain>(i));
      out[i] = types::hash_bytes(s);
    }
    return out;
  }();
  return prefixes[static_cast<std::size_t>(d)];
}

}  // namespace hyperscale::crypto
