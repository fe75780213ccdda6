// libFuzzer target for the wire message decoder (core::Message). Property:
// decoding never crashes, and whatever decodes re-encodes to the exact input
// (the codec is canonical), twice.

#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "core/messages.h"
#include "types/codec.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace hyperscale;
  types::ByteSpan in(data, size);
  auto decoded = types::decode<core::Message>(in);
  if (!decoded) return 0;
  types::Bytes again = types::encode(*decoded);
  if (again.size() != size || !std::equal(again.begin(), again.end(), data)) std::abort();
  if (core::encoded_size(*decoded) != size) std::abort();
  auto twice = types::decode<core::Message>(again);
  if (!twice || types::encode(*twice) != again) std::abort();
  return 0;
}
