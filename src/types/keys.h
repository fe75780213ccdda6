#pragma once

#include "types/bytes.h"

namespace hyperscale::types {

/// Compressed BLS12-381 G1 point (min-pk public key). Validity is checked by crypto.
struct BlsPublicKey : FixedBytes<48> {};
/// Compressed BLS12-381 G2 point (signature or aggregate signature).
struct BlsSignature : FixedBytes<96> {};
struct Ed25519PublicKey : FixedBytes<32> {};
struct Ed25519Signature : FixedBytes<64> {};

}  // namespace hyperscale::types
