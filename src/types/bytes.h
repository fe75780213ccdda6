#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hyperscale::types {

using Bytes = std::vector<std::uint8_t>;
using ByteSpan = std::span<const std::uint8_t>;

/// Lower-case hexadecimal form of `data`.
std::string to_hex(ByteSpan data);

/// Parses lower- or upper-case hex; nullopt on odd length or a non-hex digit.
std::optional<Bytes> from_hex(std::string_view hex);

inline ByteSpan as_bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

/// A fixed-size byte string (hashes, keys, signatures). Ordered bytewise.
template <std::size_t N>
struct FixedBytes {
  static constexpr std::size_t kSize = N;
  std::array<std::uint8_t, N> bytes{};

  ByteSpan span() const { return bytes; }
  std::string hex() const { return to_hex(bytes); }
  bool is_zero() const {
    for (auto b : bytes)
      if (b != 0) return false;
    return true;
  }
  // Bytewise lexicographic order, compared eight bytes at a time (hashes are
  // compared constantly: map keys, sorted sections); most differ in the first word.
  friend std::strong_ordering operator<=>(const FixedBytes& a, const FixedBytes& b) {
    static_assert(std::endian::native == std::endian::little, "word compare assumes little endian");
    std::size_t i = 0;
    for (; i + 8 <= N; i += 8) {
      std::uint64_t x, y;
      std::memcpy(&x, a.bytes.data() + i, 8);
      std::memcpy(&y, b.bytes.data() + i, 8);
      if (x != y) return __builtin_bswap64(x) <=> __builtin_bswap64(y);
    }
    for (; i < N; ++i)
      if (a.bytes[i] != b.bytes[i]) return a.bytes[i] <=> b.bytes[i];
    return std::strong_ordering::equal;
  }
  friend bool operator==(const FixedBytes& a, const FixedBytes& b) {
    return (a <=> b) == std::strong_ordering::equal;
  }
};

/// Parses exactly 2 * T::kSize hex digits into a FixedBytes-derived T.
template <class T>
std::optional<T> parse_hex(std::string_view hex) {
  auto raw = from_hex(hex);
  if (!raw || raw->size() != T::kSize) return std::nullopt;
  T out;
  std::copy(raw->begin(), raw->end(), out.bytes.begin());
  return out;
}

/// The first T::kSize bytes of `s` (zero-padded if shorter).
template <class T>
T copy_prefix(ByteSpan s) {
  T out;
  for (std::size_t i = 0; i < T::kSize && i < s.size(); ++i)
    out.bytes[i] = s[i];
  return out;
}

}  // namespace hyperscale::types
