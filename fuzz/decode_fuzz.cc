// One libFuzzer target per decoder; HS_FUZZ_TYPE names the type. Property:
// decoding never crashes, and whatever decodes re-encodes to the exact input
// (the codec is canonical) and decodes again to an equal value.

#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "types/block.h"
#include "types/codec.h"
#include "types/consensus.h"
#include "types/merkle.h"
#include "types/signer_bitfield.h"
#include "types/state.h"
#include "types/transaction.h"

#ifndef HS_FUZZ_TYPE
#error "define HS_FUZZ_TYPE to the type under test"
#endif

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace hyperscale::types;
  ByteSpan in(data, size);
  auto decoded = decode<HS_FUZZ_TYPE>(in);
  if (!decoded) return 0;
  Bytes again = encode(*decoded);
  if (again.size() != size || !std::equal(again.begin(), again.end(), data)) std::abort();
  auto twice = decode<HS_FUZZ_TYPE>(again);
  if (!twice || !(*twice == *decoded)) std::abort();
  return 0;
}
