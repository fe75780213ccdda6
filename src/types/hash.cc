#include "types/hash.h"

#include <sodium.h>

#include <cstring>

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

/// The state of a fresh unkeyed BLAKE2b-256, made once: copying it costs
/// less than initializing one (libsodium's init clears the whole state, a
/// quarter of the cost of hashing a 64-byte message). The state is plain
/// bytes (no pointers), so a copy is a valid state.
const crypto_generichash_state& initial_state() {
  static const crypto_generichash_state state = [] {
    ensure_sodium();
    crypto_generichash_state s;
    int rc = crypto_generichash_init(&s, nullptr, 0, Hash::kSize);
    HS_ASSERT(rc == 0);
    return s;
  }();
  return state;
}
}  // namespace

Hasher::Hasher() {
  std::memcpy(state_, &initial_state(), sizeof(crypto_generichash_state));
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
  crypto_generichash_state state;
  std::memcpy(&state, &initial_state(), sizeof state);
  crypto_generichash_update(&state, data.data(), data.size());
  Hash out;
  crypto_generichash_final(&state, out.bytes.data(), Hash::kSize);
  return out;
}

}  // namespace hyperscale::types
