#pragma once

#include <utility>

namespace hyperscale::crypto {

class VerifiedAccess;

/// A value whose signatures were checked. Only the verification functions in
/// crypto/verify.h can make one; decoding bytes never can, so a function that
/// takes Verified<T> cannot be handed unchecked data.
template <class T>
class Verified {
 public:
  const T& get() const { return value_; }
  const T& operator*() const { return value_; }
  const T* operator->() const { return &value_; }

 private:
  friend class VerifiedAccess;
  explicit Verified(T value) : value_(std::move(value)) {}
  T value_;
};

/// The only maker of Verified<T>; used by crypto/verify.cc.
class VerifiedAccess {
 private:
  template <class T>
  static Verified<T> make(T value) {
    return Verified<T>(std::move(value));
  }
  friend struct VerifiedMaker;
};

}  // namespace hyperscale::crypto
