#include "crypto/bls.h"

#include <memory>
#include <string_view>
#include <unordered_map>

#include "types/assert.h"
#include "types/hash.h"

namespace hyperscale::crypto {

namespace {

const std::uint8_t* dst_ptr(std::string_view dst) {
  return reinterpret_cast<const std::uint8_t*>(dst.data());
}

blst_p2 hash_to_g2(ByteSpan message, std::string_view dst) {
  blst_p2 h;
  blst_hash_to_g2(&h, message.data(), message.size(), dst_ptr(dst), dst.size(), nullptr, 0);
  return h;
}

/// A blst pairing context on the heap (its size is only known at run time).
class PairingContext {
 public:
  PairingContext()
      : storage_(new std::uint64_t[(blst_pairing_sizeof() + 7) / 8]),
        ctx_(reinterpret_cast<blst_pairing*>(storage_.get())) {
    blst_pairing_init(ctx_, true, dst_ptr(kBlsSignatureDst), kBlsSignatureDst.size());
  }
  blst_pairing* get() { return ctx_; }

 private:
  std::unique_ptr<std::uint64_t[]> storage_;
  blst_pairing* ctx_;
};

bool sum_keys(std::span<const BlsPublicKeyPoint* const> keys, blst_p1_affine& out) {
  if (keys.empty()) return false;
  blst_p1 acc;
  blst_p1_from_affine(&acc, &keys[0]->point);
  for (std::size_t i = 1; i < keys.size(); ++i)
    blst_p1_add_or_double_affine(&acc, &acc, &keys[i]->point);
  blst_p1_to_affine(&out, &acc);
  return !blst_p1_affine_is_inf(&out);
}

/// The batch's scalars: r_i = H(seed ‖ i) truncated to 64 bits, forced
/// non-zero, where seed = H(tag ‖ every key, message hash and signature).
std::vector<std::uint64_t> batch_scalars(std::span<const BlsBatchItem> items) {
  types::Hasher seed_hasher;
  seed_hasher.update(std::string_view("HYPERSCALE_V1_BlsBatchScalars"));
  for (const auto& item : items) {
    std::uint8_t pk[48];
    blst_p1_affine_compress(pk, &item.key->point);
    seed_hasher.update(ByteSpan(pk, 48));
    seed_hasher.update(types::hash_bytes(item.message));
    seed_hasher.update(item.signature.span());
  }
  types::Hash seed = seed_hasher.finish();
  std::vector<std::uint64_t> out(items.size());
  for (std::size_t i = 0; i < items.size(); ++i)
    out[i] = types::Hasher().update(seed).update_u64(i).finish().prefix_u64() | 1;
  return out;
}

/// The items of a batch grouped by message, in order of first appearance.
std::vector<std::vector<std::size_t>> group_by_message(std::span<const BlsBatchItem> items) {
  std::vector<std::vector<std::size_t>> groups;
  std::unordered_map<std::string_view, std::size_t> group_of;
  group_of.reserve(items.size());
  for (std::size_t i = 0; i < items.size(); ++i) {
    std::string_view key(reinterpret_cast<const char*>(items[i].message.data()),
                         items[i].message.size());
    auto [it, fresh] = group_of.emplace(key, groups.size());
    if (fresh) groups.emplace_back();
    groups[it->second].push_back(i);
  }
  return groups;
}

void little_endian(std::uint64_t v, std::uint8_t (&out)[8]) {
  for (int b = 0; b < 8; ++b)
    out[b] = static_cast<std::uint8_t>(v >> (8 * b));
}

/// Adds groups [begin, end) to a fresh context; false when a signature does
/// not decode. A group of one message enters as e(Σ r_i·pk_i, H(m)) against
/// Σ r_i·σ_i: the same equation as one term per item (so just as sound), but
/// one hash to G2 and one Miller loop per message instead of per signature.
bool accumulate(std::span<const BlsBatchItem> items, const std::vector<std::uint64_t>& scalars,
                const std::vector<std::vector<std::size_t>>& groups, std::size_t begin,
                std::size_t end, PairingContext& ctx) {
  for (std::size_t g = begin; g < end; ++g) {
    const auto& group = groups[g];
    const auto& message = items[group[0]].message;
    std::uint8_t scalar[8];
    if (group.size() == 1) {
      auto sig = decode_signature(items[group[0]].signature);
      if (!sig) return false;
      little_endian(scalars[group[0]], scalar);
      // Keys and signatures are already subgroup-checked: no group checks here.
      auto rc = blst_pairing_chk_n_mul_n_aggr_pk_in_g1(ctx.get(), &items[group[0]].key->point,
                                                       false, &sig->point, false, scalar, 64,
                                                       message.data(), message.size(), nullptr, 0);
      if (rc != BLST_SUCCESS) return false;
      continue;
    }
    blst_p1 key_sum, key_term, key;
    blst_p2 sig_sum, sig_term, sig_point;
    for (std::size_t k = 0; k < group.size(); ++k) {
      const auto& item = items[group[k]];
      auto sig = decode_signature(item.signature);
      if (!sig) return false;
      little_endian(scalars[group[k]], scalar);
      blst_p1_from_affine(&key, &item.key->point);
      blst_p1_mult(&key_term, &key, scalar, 64);
      blst_p2_from_affine(&sig_point, &sig->point);
      blst_p2_mult(&sig_term, &sig_point, scalar, 64);
      if (k == 0) {
        key_sum = key_term;
        sig_sum = sig_term;
      } else {
        blst_p1_add_or_double(&key_sum, &key_sum, &key_term);
        blst_p2_add_or_double(&sig_sum, &sig_sum, &sig_term);
      }
    }
    blst_p1_affine key_affine;
    blst_p2_affine sig_affine;
    blst_p1_to_affine(&key_affine, &key_sum);
    blst_p2_to_affine(&sig_affine, &sig_sum);
    auto rc = blst_pairing_aggregate_pk_in_g1(ctx.get(), &key_affine, &sig_affine, message.data(),
                                              message.size(), nullptr, 0);
    if (rc != BLST_SUCCESS) return false;
  }
  blst_pairing_commit(ctx.get());
  return true;
}

}  // namespace

std::optional<BlsPublicKeyPoint> decode_public_key(const BlsPublicKey& key) {
  BlsPublicKeyPoint out;
  if (blst_p1_uncompress(&out.point, key.bytes.data()) != BLST_SUCCESS) return std::nullopt;
  if (blst_p1_affine_is_inf(&out.point) || !blst_p1_affine_in_g1(&out.point)) return std::nullopt;
  return out;
}

std::optional<BlsSignaturePoint> decode_signature(const BlsSignature& sig) {
  BlsSignaturePoint out;
  if (blst_p2_uncompress(&out.point, sig.bytes.data()) != BLST_SUCCESS) return std::nullopt;
  if (blst_p2_affine_is_inf(&out.point) || !blst_p2_affine_in_g2(&out.point)) return std::nullopt;
  return out;
}

BlsPublicKey encode_public_key(const BlsPublicKeyPoint& key) {
  BlsPublicKey out;
  blst_p1_affine_compress(out.bytes.data(), &key.point);
  return out;
}

BlsSignature encode_signature(const BlsSignaturePoint& sig) {
  BlsSignature out;
  blst_p2_affine_compress(out.bytes.data(), &sig.point);
  return out;
}

BlsSecretKey BlsSecretKey::from_seed(std::span<const std::uint8_t, 32> seed) {
  BlsSecretKey sk;
  blst_keygen(&sk.scalar_, seed.data(), seed.size(), nullptr, 0);
  return sk;
}

std::optional<BlsSecretKey> BlsSecretKey::from_bytes(std::span<const std::uint8_t, 32> big_endian) {
  BlsSecretKey sk;
  blst_scalar_from_bendian(&sk.scalar_, big_endian.data());
  if (!blst_sk_check(&sk.scalar_)) return std::nullopt;
  return sk;
}

std::array<std::uint8_t, 192> hash_to_g2_serialized(ByteSpan message, std::string_view dst) {
  blst_p2 h = hash_to_g2(message, dst);
  std::array<std::uint8_t, 192> out;
  blst_p2_serialize(out.data(), &h);
  return out;
}

BlsSecretKey::~BlsSecretKey() {
  // Wipe the scalar; volatile stops the compiler from eliding the stores.
  volatile std::uint8_t* p = scalar_.b;
  for (std::size_t i = 0; i < sizeof(scalar_.b); ++i)
    p[i] = 0;
}

BlsPublicKey BlsSecretKey::public_key() const {
  blst_p1 pk;
  blst_sk_to_pk_in_g1(&pk, &scalar_);
  BlsPublicKey out;
  blst_p1_compress(out.bytes.data(), &pk);
  return out;
}

BlsSignature BlsSecretKey::sign(ByteSpan message) const {
  blst_p2 h = hash_to_g2(message, kBlsSignatureDst);
  blst_p2 sig;
  blst_sign_pk_in_g1(&sig, &h, &scalar_);
  BlsSignature out;
  blst_p2_compress(out.bytes.data(), &sig);
  return out;
}

BlsSignature BlsSecretKey::prove_possession() const {
  BlsPublicKey pk = public_key();
  blst_p2 h = hash_to_g2(pk.span(), kBlsPopDst);
  blst_p2 sig;
  blst_sign_pk_in_g1(&sig, &h, &scalar_);
  BlsSignature out;
  blst_p2_compress(out.bytes.data(), &sig);
  return out;
}

bool bls_verify(const BlsPublicKeyPoint& key, ByteSpan message, const BlsSignaturePoint& sig) {
  return blst_core_verify_pk_in_g1(&key.point, &sig.point, true, message.data(), message.size(),
                                   dst_ptr(kBlsSignatureDst), kBlsSignatureDst.size(), nullptr,
                                   0) == BLST_SUCCESS;
}

bool bls_verify(const BlsPublicKey& key, ByteSpan message, const BlsSignature& sig) {
  auto k = decode_public_key(key);
  auto s = decode_signature(sig);
  return k && s && bls_verify(*k, message, *s);
}

bool bls_verify_possession(const BlsPublicKey& key, const BlsSignature& pop) {
  auto k = decode_public_key(key);
  auto s = decode_signature(pop);
  if (!k || !s) return false;
  return blst_core_verify_pk_in_g1(&k->point, &s->point, true, key.bytes.data(), key.bytes.size(),
                                   dst_ptr(kBlsPopDst), kBlsPopDst.size(), nullptr,
                                   0) == BLST_SUCCESS;
}

std::optional<BlsPublicKeyPoint> aggregate_public_keys(
    std::span<const BlsPublicKeyPoint* const> keys) {
  BlsPublicKeyPoint out;
  if (!sum_keys(keys, out.point)) return std::nullopt;
  return out;
}

std::optional<BlsSignature> aggregate_signatures(std::span<const BlsSignature> sigs) {
  if (sigs.empty()) return std::nullopt;
  blst_p2 acc;
  for (std::size_t i = 0; i < sigs.size(); ++i) {
    // Each input is subgroup-checked: vote batches aggregate signatures
    // before verifying them, and two non-G2 points could cancel in the sum.
    auto s = decode_signature(sigs[i]);
    if (!s) return std::nullopt;
    if (i == 0)
      blst_p2_from_affine(&acc, &s->point);
    else
      blst_p2_add_or_double_affine(&acc, &acc, &s->point);
  }
  BlsSignature out;
  blst_p2_compress(out.bytes.data(), &acc);
  return out;
}

bool verify_same_message(std::span<const BlsPublicKeyPoint* const> keys, ByteSpan message,
                         const BlsSignature& aggregate) {
  BlsPublicKeyPoint sum;
  if (!sum_keys(keys, sum.point)) return false;
  auto sig = decode_signature(aggregate);
  return sig && bls_verify(sum, message, *sig);
}

bool verify_message_groups(std::span<const BlsMessageGroup> groups, const BlsSignature& aggregate) {
  if (groups.empty()) return false;
  auto sig = decode_signature(aggregate);
  if (!sig) return false;
  PairingContext ctx;
  for (std::size_t i = 0; i < groups.size(); ++i) {
    blst_p1_affine sum;
    if (!sum_keys(groups[i].keys, sum)) return false;
    // The aggregate signature enters the context once, with the first group.
    auto rc = blst_pairing_aggregate_pk_in_g1(ctx.get(), &sum, i == 0 ? &sig->point : nullptr,
                                              groups[i].message.data(), groups[i].message.size(),
                                              nullptr, 0);
    if (rc != BLST_SUCCESS) return false;
  }
  blst_pairing_commit(ctx.get());
  return blst_pairing_finalverify(ctx.get(), nullptr);
}

bool verify_batch(std::span<const BlsBatchItem> items, Parallelism& parallel) {
  if (items.empty()) return true;
  if (items.size() == 1) {
    auto sig = decode_signature(items[0].signature);
    return sig && bls_verify(*items[0].key, items[0].message, *sig);
  }
  auto scalars = batch_scalars(items);
  auto groups = group_by_message(items);
  std::size_t chunks = std::min(parallel.workers(), groups.size());
  if (chunks == 0) chunks = 1;
  std::vector<PairingContext> contexts(chunks);
  std::vector<char> ok(chunks, 0);
  parallel.run(chunks, [&](std::size_t c) {
    std::size_t begin = groups.size() * c / chunks;
    std::size_t end = groups.size() * (c + 1) / chunks;
    ok[c] = accumulate(items, scalars, groups, begin, end, contexts[c]) ? 1 : 0;
  });
  for (std::size_t c = 0; c < chunks; ++c) {
    if (!ok[c]) return false;
    if (c > 0 && blst_pairing_merge(contexts[0].get(), contexts[c].get()) != BLST_SUCCESS)
      return false;
  }
  return blst_pairing_finalverify(contexts[0].get(), nullptr);
}

namespace {
void bisect(std::span<const BlsBatchItem> items, std::size_t offset, Parallelism& parallel,
            std::vector<std::size_t>& bad) {
  if (items.empty() || verify_batch(items, parallel)) return;
  if (items.size() == 1) {
    bad.push_back(offset);
    return;
  }
  std::size_t half = items.size() / 2;
  bisect(items.first(half), offset, parallel, bad);
  bisect(items.subspan(half), offset + half, parallel, bad);
}
}  // namespace

std::vector<std::size_t> find_invalid(std::span<const BlsBatchItem> items, Parallelism& parallel) {
  std::vector<std::size_t> bad;
  bisect(items, 0, parallel, bad);
  return bad;
}

std::optional<BlsPublicKeyPoint> PublicKeyCache::get(const BlsPublicKey& key) {
  if (auto it = entries_.find(key); it != entries_.end()) return it->second;
  auto decoded = decode_public_key(key);
  if (!decoded) return std::nullopt;
  if (entries_.size() >= max_entries_) entries_.clear();
  entries_.emplace(key, *decoded);
  return decoded;
}

}  // namespace hyperscale::crypto
