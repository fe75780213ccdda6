#pragma once

// Canonical codec: little-endian fixed-width integers, u32 length prefixes,
// sorted sequences for maps and sets, no floats. There is exactly one
// encoding of every value, so re-encoding a decoded value gives back the
// input bytes, and content hashes can be computed over input slices.
//
// Each type T provides, in namespace hyperscale::types,
//   void write(Writer&, const T&);
//   void read(Reader&, T&);          // reports failures through the Reader
// and gets encode(T) / decode<T>(bytes) from this header.

#include <cstdint>
#include <expected>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "types/bytes.h"

namespace hyperscale::types {

enum class DecodeErrorCode : std::uint8_t {
  kTruncated,      // input ended inside a value
  kTrailingBytes,  // bytes left after the top-level value
  kTooLarge,       // a length or count above its named limit
  kUnsorted,       // a sorted sequence out of order
  kDuplicate,      // a sorted sequence with a repeated key
  kHashMismatch,   // a recomputed hash or root differs from the one it must equal
  kInvalidValue,   // an enum tag, flag or field outside its domain
  kInconsistent,   // fields that contradict each other (counts, shards, rounds)
};

std::string_view to_string(DecodeErrorCode code);

struct DecodeError {
  DecodeErrorCode code = DecodeErrorCode::kTruncated;
  std::string_view what;  // a static description of the field that failed
  std::size_t offset = 0;

  std::string message() const;
  friend bool operator==(const DecodeError&, const DecodeError&) = default;
};

template <class T>
using DecodeResult = std::expected<T, DecodeError>;

class Writer {
 public:
  Writer() = default;
  explicit Writer(std::size_t reserve) { out_.reserve(reserve); }

  void u8(std::uint8_t v) { out_.push_back(v); }
  void boolean(bool v) { out_.push_back(v ? 1 : 0); }
  void u16(std::uint16_t v) { put_le(v, 2); }
  void u32(std::uint32_t v) { put_le(v, 4); }
  void u64(std::uint64_t v) { put_le(v, 8); }
  void raw(ByteSpan data) { out_.insert(out_.end(), data.begin(), data.end()); }
  template <std::size_t N>
  void fixed(const FixedBytes<N>& v) {
    raw(v.bytes);
  }
  /// u32 length prefix, then the bytes.
  void var_bytes(ByteSpan data);
  void length(std::size_t n);

  std::size_t size() const { return out_.size(); }
  /// Empties the buffer but keeps its capacity, for reuse.
  void clear() { out_.clear(); }
  const Bytes& bytes() const& { return out_; }
  Bytes take() && { return std::move(out_); }

 private:
  void put_le(std::uint64_t v, int n) {
    for (int i = 0; i < n; ++i)
      out_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  }
  Bytes out_;
};

/// Reads canonical bytes. The first failure is sticky: later reads return
/// zeros and do not advance, so decoders may read on and check ok() at the end,
/// but must not act on a value (e.g. allocate by a count) unless ok().
class Reader {
 public:
  explicit Reader(ByteSpan in) : in_(in) {}

  std::uint8_t u8();
  bool boolean();
  std::uint16_t u16() { return static_cast<std::uint16_t>(get_le(2, "u16")); }
  std::uint32_t u32() { return static_cast<std::uint32_t>(get_le(4, "u32")); }
  std::uint64_t u64() { return get_le(8, "u64"); }
  /// The next n bytes, or an empty span on failure.
  ByteSpan raw(std::size_t n, std::string_view what);
  template <std::size_t N>
  void fixed(FixedBytes<N>& v, std::string_view what) {
    ByteSpan s = raw(N, what);
    if (s.size() == N) std::copy(s.begin(), s.end(), v.bytes.begin());
  }
  /// A u32 length-prefixed byte string of at most max_len bytes.
  Bytes var_bytes(std::size_t max_len, std::string_view what);
  /// A u32 element count of at most `max`. Also fails when fewer than
  /// `count * min_element_bytes` bytes remain, so a count never drives a
  /// large allocation on a short input.
  std::uint32_t count(std::size_t max, std::string_view what, std::size_t min_element_bytes = 1);
  /// An enum tag (u8) that must be <= max_tag.
  std::uint8_t tag(std::uint8_t max_tag, std::string_view what);

  void fail(DecodeErrorCode code, std::string_view what);
  bool ok() const { return !error_; }
  const DecodeError& error() const { return *error_; }
  std::size_t position() const { return pos_; }
  std::size_t remaining() const { return in_.size() - pos_; }
  /// Bytes [from, position()) of the input: the canonical encoding just read.
  ByteSpan consumed_since(std::size_t from) const { return in_.subspan(from, pos_ - from); }

 private:
  std::uint64_t get_le(int n, std::string_view what);
  ByteSpan in_;
  std::size_t pos_ = 0;
  std::optional<DecodeError> error_;
};

template <class T>
Bytes encode(const T& value) {
  Writer w;
  write(w, value);
  return std::move(w).take();
}

/// Decodes one T that must span the whole input.
template <class T>
DecodeResult<T> decode(ByteSpan in) {
  Reader r(in);
  T value{};
  read(r, value);
  if (r.ok() && r.remaining() != 0) r.fail(DecodeErrorCode::kTrailingBytes, "trailing bytes");
  if (!r.ok()) return std::unexpected(r.error());
  return value;
}

// --- helpers for composite values -------------------------------------------

/// Element-wise equality of shared immutable payloads (same pointer, or equal values).
template <class T>
bool pointees_equal(const std::vector<std::shared_ptr<const T>>& a,
                    const std::vector<std::shared_ptr<const T>>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i] != b[i] && !(a[i] && b[i] && *a[i] == *b[i])) return false;
  return true;
}

template <class T>
void write(Writer& w, const std::optional<T>& v) {
  w.boolean(v.has_value());
  if (v) write(w, *v);
}

template <class T>
void read(Reader& r, std::optional<T>& v) {
  if (r.boolean() && r.ok()) {
    v.emplace();
    read(r, *v);
  } else {
    v.reset();
  }
}

template <class T, class WriteOne>
void write_seq(Writer& w, const std::vector<T>& items, WriteOne&& write_one) {
  w.length(items.size());
  for (const auto& item : items)
    write_one(w, item);
}

/// Reads a count-prefixed sequence of at most max items.
template <class T, class ReadOne>
void read_seq(Reader& r, std::vector<T>& items, std::size_t max, std::string_view what,
              ReadOne&& read_one, std::size_t min_element_bytes = 1) {
  items.clear();
  std::uint32_t n = r.count(max, what, min_element_bytes);
  if (!r.ok()) return;
  items.reserve(n);
  for (std::uint32_t i = 0; i < n && r.ok(); ++i) {
    items.emplace_back();
    read_one(r, items.back());
  }
}

/// Fails the reader unless key(items[i]) strictly increases.
template <class T, class Key>
void require_strictly_sorted(Reader& r, const std::vector<T>& items, Key&& key,
                             std::string_view what) {
  if (!r.ok()) return;
  for (std::size_t i = 1; i < items.size(); ++i) {
    const auto& a = key(items[i - 1]);
    const auto& b = key(items[i]);
    if (a == b) return r.fail(DecodeErrorCode::kDuplicate, what);
    if (b < a) return r.fail(DecodeErrorCode::kUnsorted, what);
  }
}

}  // namespace hyperscale::types
