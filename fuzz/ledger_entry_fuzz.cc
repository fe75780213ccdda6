// The decoder of execution's stored ledger entries (what a restarted
// validator reads back: execution/ledger.h) and the restore that checks
// them. Properties: decoding never crashes; what decodes re-encodes to the
// exact input, under the key of its own transaction, ordered above genesis;
// one entry restores at its ordering height and is refused below it.
//
// Input: the entry's bytes (u64 ordering height, then a transaction); the
// key is the hash of the transaction they hold when it decodes.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <utility>
#include <vector>

#include "execution/ledger.h"

using namespace hyperscale;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  types::ByteSpan in(data, size);
  types::Hash key;
  if (size >= 8) {
    types::Reader r(in.subspan(8));
    types::TransactionRef tx;
    read(r, tx);
    if (r.ok()) key = tx->hash();
  }
  auto entry = execution::decode_ledger_entry(key, in, 0, 2);
  if (!entry) return 0;
  types::Bytes again = execution::encode_ledger_entry(*entry);
  if (again.size() != size || !std::equal(again.begin(), again.end(), in.begin())) std::abort();
  if (entry->tx->hash() != key || entry->ordered_height == 0) std::abort();
  std::vector<std::pair<types::Hash, types::Bytes>> one{{key, types::Bytes(in.begin(), in.end())}};
  auto restored = execution::ExecutionLedger::restore(0, 2, entry->ordered_height, one);
  if (!restored || restored->entries() != one) std::abort();
  if (execution::ExecutionLedger::restore(0, 2, entry->ordered_height - 1, one)) std::abort();
  return 0;
}
