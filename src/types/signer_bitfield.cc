#include "types/signer_bitfield.h"

#include <bit>

#include "types/assert.h"
#include "types/limits.h"

namespace hyperscale::types {

void SignerBitfield::set(std::uint32_t index) {
  HS_ASSERT(index < size_);
  bytes_[index / 8] = static_cast<std::uint8_t>(bytes_[index / 8] | (1u << (index % 8)));
}

bool SignerBitfield::test(std::uint32_t index) const {
  return index < size_ && (bytes_[index / 8] >> (index % 8) & 1u) != 0;
}

std::uint32_t SignerBitfield::count() const {
  std::uint32_t n = 0;
  for (auto b : bytes_)
    n += static_cast<std::uint32_t>(std::popcount(b));
  return n;
}

std::vector<std::uint32_t> SignerBitfield::indices() const {
  std::vector<std::uint32_t> out;
  for (std::uint32_t i = 0; i < size_; ++i)
    if (test(i)) out.push_back(i);
  return out;
}

void write(Writer& w, const SignerBitfield& v) {
  w.u32(v.size_);
  w.raw(v.bytes_);
}

void read(Reader& r, SignerBitfield& v) {
  std::uint32_t size = r.u32();
  if (!r.ok()) return;
  if (size > limits::kMaxCommitteeSize) return r.fail(DecodeErrorCode::kTooLarge, "bitfield size");
  ByteSpan raw = r.raw((size + 7) / 8, "bitfield bytes");
  if (!r.ok()) return;
  v.size_ = size;
  v.bytes_.assign(raw.begin(), raw.end());
  if (size % 8 != 0 && (v.bytes_.back() >> (size % 8)) != 0)
    r.fail(DecodeErrorCode::kInvalidValue, "bitfield padding bits");
}

}  // namespace hyperscale::types
