#pragma once

namespace hyperscale::types {

/// A visitor made of lambdas, one per alternative of a std::variant.
template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

}  // namespace hyperscale::types
