#pragma once

#include <cstdint>
#include <vector>

#include "types/codec.h"

namespace hyperscale::types {

/// One bit per committee member, bit i = committee index i. The size is the
/// committee size the bitfield was made for; padding bits are always zero.
class SignerBitfield {
 public:
  SignerBitfield() = default;
  explicit SignerBitfield(std::uint32_t size) : size_(size), bytes_((size + 7) / 8, 0) {}

  std::uint32_t size() const { return size_; }
  void set(std::uint32_t index);
  bool test(std::uint32_t index) const;
  std::uint32_t count() const;
  bool empty() const { return count() == 0; }
  /// Set indices in increasing (committee) order.
  std::vector<std::uint32_t> indices() const;

  friend bool operator==(const SignerBitfield&, const SignerBitfield&) = default;
  friend void write(Writer& w, const SignerBitfield& v);
  friend void read(Reader& r, SignerBitfield& v);

 private:
  std::uint32_t size_ = 0;
  std::vector<std::uint8_t> bytes_;
};

}  // namespace hyperscale::types
