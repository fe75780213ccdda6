// The Jellyfish Merkle Tree's proof decoder and verifier. Properties:
// decoding never crashes; what decodes re-encodes to the exact input; and a
// proof the verifier accepts tells the truth about a fixed tree — it never
// proves a value a key does not hold, nor the absence of a present key.
//
// Input: byte 0 picks a key (ids 0..255; even ids are in the tree), byte 1
// picks the claim (0: absent, 1: the key's true value, 2+: another value);
// the rest is the encoded proof.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <map>

#include "jmt/tree.h"

namespace {

using namespace hyperscale;

types::Hash key(std::uint64_t i) {
  return types::Hasher().update_u64(i).finish();
}
types::Hash value(std::uint64_t i) {
  return types::Hasher().update_u64(i).update_u8(1).finish();
}

struct FixedTree {
  jmt::InMemoryTreeStore store;
  std::map<types::Hash, types::Hash> truth;
  types::Hash root;
  FixedTree() {
    std::vector<jmt::KeyUpdate> ups;
    for (std::uint64_t i = 0; i < 256; i += 2) {
      ups.push_back({key(i), value(i)});
      truth[key(i)] = value(i);
    }
    jmt::sort_updates(ups);
    store.write(*jmt::apply_updates(store, std::nullopt, 0, ups));
    root = *jmt::root_hash(store, 0);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static FixedTree tree;
  if (size < 2) return 0;
  types::ByteSpan in(data + 2, size - 2);
  auto proof = types::decode<jmt::SparseMerkleProof>(in);
  if (!proof) return 0;
  types::Bytes again = types::encode(*proof);
  if (again.size() != in.size() || !std::equal(again.begin(), again.end(), in.begin()))
    std::abort();

  types::Hash k = key(data[0]);
  std::optional<types::Hash> claim;
  if (data[1] == 1) claim = value(data[0]);
  if (data[1] >= 2) claim = value(static_cast<std::uint64_t>(data[1]) << 8 | data[0]);
  if (!jmt::verify_proof(tree.root, k, claim, *proof)) return 0;
  auto it = tree.truth.find(k);
  std::optional<types::Hash> actual;
  if (it != tree.truth.end()) actual = it->second;
  if (actual != claim) std::abort();  // an accepted proof lied
  return 0;
}
