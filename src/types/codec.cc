#include "types/codec.h"

#include <limits>

#include "types/assert.h"

namespace hyperscale::types {

std::string_view to_string(DecodeErrorCode code) {
  switch (code) {
    case DecodeErrorCode::kTruncated:
      return "truncated";
    case DecodeErrorCode::kTrailingBytes:
      return "trailing bytes";
    case DecodeErrorCode::kTooLarge:
      return "too large";
    case DecodeErrorCode::kUnsorted:
      return "unsorted";
    case DecodeErrorCode::kDuplicate:
      return "duplicate";
    case DecodeErrorCode::kHashMismatch:
      return "hash mismatch";
    case DecodeErrorCode::kInvalidValue:
      return "invalid value";
    case DecodeErrorCode::kInconsistent:
      return "inconsistent";
  }
  return "unknown";
}

std::string DecodeError::message() const {
  std::string out(to_string(code));
  out += ": ";
  out += what;
  out += " at byte ";
  out += std::to_string(offset);
  return out;
}

void Writer::var_bytes(ByteSpan data) {
  length(data.size());
  raw(data);
}

void Writer::length(std::size_t n) {
  // Encoders only see values that passed the same limits as decoders; a
  // length above u32 means a caller built an invalid value.
  HS_ASSERT(n <= std::numeric_limits<std::uint32_t>::max());
  u32(static_cast<std::uint32_t>(n));
}

std::uint8_t Reader::u8() {
  return static_cast<std::uint8_t>(get_le(1, "u8"));
}

bool Reader::boolean() {
  std::uint8_t v = u8();
  if (v > 1) fail(DecodeErrorCode::kInvalidValue, "bool");
  return v == 1;
}

ByteSpan Reader::raw(std::size_t n, std::string_view what) {
  if (!ok()) return {};
  if (remaining() < n) {
    fail(DecodeErrorCode::kTruncated, what);
    return {};
  }
  ByteSpan s = in_.subspan(pos_, n);
  pos_ += n;
  return s;
}

Bytes Reader::var_bytes(std::size_t max_len, std::string_view what) {
  std::uint32_t n = u32();
  if (!ok()) return {};
  if (n > max_len) {
    fail(DecodeErrorCode::kTooLarge, what);
    return {};
  }
  ByteSpan s = raw(n, what);
  return Bytes(s.begin(), s.end());
}

std::uint32_t Reader::count(std::size_t max, std::string_view what, std::size_t min_element_bytes) {
  std::uint32_t n = u32();
  if (!ok()) return 0;
  if (n > max) {
    fail(DecodeErrorCode::kTooLarge, what);
    return 0;
  }
  if (static_cast<std::uint64_t>(n) * min_element_bytes > remaining()) {
    fail(DecodeErrorCode::kTruncated, what);
    return 0;
  }
  return n;
}

std::uint8_t Reader::tag(std::uint8_t max_tag, std::string_view what) {
  std::uint8_t t = u8();
  if (ok() && t > max_tag) fail(DecodeErrorCode::kInvalidValue, what);
  return ok() ? t : 0;
}

void Reader::fail(DecodeErrorCode code, std::string_view what) {
  if (!error_) error_ = DecodeError{code, what, pos_};
}

std::uint64_t Reader::get_le(int n, std::string_view what) {
  ByteSpan s = raw(static_cast<std::size_t>(n), what);
  if (s.empty()) return 0;
  std::uint64_t v = 0;
  for (int i = n - 1; i >= 0; --i)
    v = v << 8 | s[static_cast<std::size_t>(i)];
  return v;
}

}  // namespace hyperscale::types
