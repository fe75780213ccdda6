#include "types/hash.h"

#include <sodium.h>

#include "types/assert.h"

namespace hyperscale::types {

static_assert(sizeof(crypto_generichash_state) <= 384);
static_assert(alignof(crypto_generichash_state) <= 64);

namespace {
// sodium_init selects the fastest BLAKE2b implementation for this CPU; it is
// idempotent and thread-safe, so a function-local static suffices.
void ensure_sodium() {
  [[maybe_unused]] static const bool ready = [] {
    HS_ASSERT(sodium_init() >= 0);
    return true;
  }();
}
}  // namespace

Hasher::Hasher() {
  ensure_sodium();
  int rc = crypto_generichash_init(reinterpret_cast<crypto_generichash_state*>(state_), nullptr, 0,
                                   Hash::kSize);
  HS_ASSERT(rc == 0);
}

Hasher& Hasher::update(ByteSpan data) {
  crypto_generichash_update(reinterpret_cast<crypto_generichash_state*>(state_), data.data(),
                            data.size());
  return *this;
}

Hasher& Hasher::update_u32(std::uint32_t v) {
  std::uint8_t b[4];
  for (int i = 0; i < 4; ++i)
    b[i] = static_cast<std::uint8_t>(v >> (8 * i));
  return update(ByteSpan(b, 4));
}

Hasher& Hasher::update_u64(std::uint64_t v) {
  std::uint8_t b[8];
  for (int i = 0; i < 8; ++i)
    b[i] = static_cast<std::uint8_t>(v >> (8 * i));
  return update(ByteSpan(b, 8));
}

Hash Hasher::finish() {
  Hash out;
  crypto_generichash_final(reinterpret_cast<crypto_generichash_state*>(state_), out.bytes.data(),
                           Hash::kSize);
  return out;
}

Hash hash_bytes(ByteSpan data) {
  ensure_sodium();
  Hash out;
  crypto_generichash(out.bytes.data(), Hash::kSize, data.data(), data.size(), nullptr, 0);
  return out;
}

}  // namespace hyperscale::types
