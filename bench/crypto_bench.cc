// Cryptography micro-benchmarks: our BLS paths next to the same operations
// called on blst directly ("ours/..." vs "blst/..."), Ed25519 and BLAKE2b.
//
//   ./build/release/bench/crypto_bench
//   ./build/release/bench/crypto_bench --benchmark_filter=qc

#include <benchmark/benchmark.h>

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "../tests/crypto/test_keys.h"
#include "crypto/bls.h"
#include "crypto/ed25519.h"
#include "crypto/scheme.h"
#include "crypto/signing.h"
#include "crypto/verify.h"
#include "ratio_reporter.h"

namespace hyperscale::bench {
namespace {

using crypto::BlsPublicKeyPoint;
using crypto::BlsSecretKey;
using types::Bytes;

constexpr std::string_view kDst = crypto::kBlsSignatureDst;
const std::uint8_t* dst() {
  return reinterpret_cast<const std::uint8_t*>(kDst.data());
}

struct Keys {
  std::vector<BlsSecretKey> secret;
  std::vector<BlsPublicKeyPoint> points;
  std::vector<const BlsPublicKeyPoint*> pointers;
  explicit Keys(std::uint32_t n) {
    for (std::uint32_t i = 0; i < n; ++i) {
      secret.push_back(BlsSecretKey::from_seed(testing::seed_for(i)));
      points.push_back(*crypto::decode_public_key(secret.back().public_key()));
    }
    for (const auto& p : points)
      pointers.push_back(&p);
  }
};

const Keys& keys(std::uint32_t n) {
  static std::map<std::uint32_t, std::unique_ptr<Keys>> cache;
  auto& k = cache[n];
  if (!k) k = std::make_unique<Keys>(n);
  return *k;
}

const Bytes kMessage =
    crypto::block_vote_message(0, 10, 11, types::hash_bytes("block"), types::hash_bytes("parent"));

// --- single signatures -------------------------------------------------------

void BM_OursSign(benchmark::State& state) {
  const auto& k = keys(1);
  for (auto _ : state)
    benchmark::DoNotOptimize(k.secret[0].sign(kMessage));
}
BENCHMARK(BM_OursSign)->Name("ours/bls_sign");

void BM_BlstSign(benchmark::State& state) {
  blst_scalar sk;
  auto seed = testing::seed_for(0);
  blst_keygen(&sk, seed.data(), seed.size(), nullptr, 0);
  for (auto _ : state) {
    blst_p2 h, sig;
    blst_hash_to_g2(&h, kMessage.data(), kMessage.size(), dst(), kDst.size(), nullptr, 0);
    blst_sign_pk_in_g1(&sig, &h, &sk);
    std::uint8_t out[96];
    blst_p2_compress(out, &sig);
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_BlstSign)->Name("blst/bls_sign");

void BM_OursVerify(benchmark::State& state) {
  const auto& k = keys(1);
  auto sig = k.secret[0].sign(kMessage);
  for (auto _ : state) {
    auto s = crypto::decode_signature(sig);
    benchmark::DoNotOptimize(crypto::bls_verify(k.points[0], kMessage, *s));
  }
}
BENCHMARK(BM_OursVerify)->Name("ours/bls_verify");

void BM_BlstVerify(benchmark::State& state) {
  const auto& k = keys(1);
  auto sig = k.secret[0].sign(kMessage);
  for (auto _ : state) {
    blst_p2_affine s;
    blst_p2_uncompress(&s, sig.bytes.data());
    bool ok =
        blst_p2_affine_in_g2(&s) &&
        blst_core_verify_pk_in_g1(&k.points[0].point, &s, true, kMessage.data(), kMessage.size(),
                                  dst(), kDst.size(), nullptr, 0) == BLST_SUCCESS;
    benchmark::DoNotOptimize(ok);
  }
}
BENCHMARK(BM_BlstVerify)->Name("blst/bls_verify");

// --- QC: same-message aggregate over n signers ---------------------------------

struct QcCase {
  testing::TestNetwork net;
  std::unique_ptr<crypto::Verifier> verifier;
  types::QuorumCertificate qc;
};

const QcCase& qc_case(std::uint32_t n) {
  static std::map<std::uint32_t, std::unique_ptr<QcCase>> cache;
  auto& c = cache[n];
  if (c) return *c;
  c = std::make_unique<QcCase>();
  c->net = testing::make_network(crypto::SchemeKind::kBls, 1, n);
  c->verifier = std::move(*crypto::Verifier::make(crypto::SchemeKind::kBls, c->net.topology));
  c->qc.shard = 0;
  c->qc.height = 10;
  c->qc.round = 11;
  c->qc.block_hash = types::hash_bytes("block");
  c->qc.parent_hash = types::hash_bytes("parent");
  c->qc.signers = types::SignerBitfield(n);
  std::vector<types::BlsSignature> sigs;
  for (std::uint32_t i = 0; i < n; ++i) {
    c->qc.signers.set(i);
    sigs.push_back(c->net.signers[i]->sign(crypto::block_vote_message(c->qc)));
  }
  c->qc.signature = *crypto::aggregate_signatures(sigs);
  return *c;
}

void BM_OursQc(benchmark::State& state) {
  const auto& c = qc_case(static_cast<std::uint32_t>(state.range(0)));
  for (auto _ : state) {
    auto r = crypto::verify_qc(*c.verifier, c.qc);
    if (!r) state.SkipWithError("qc did not verify");
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_OursQc)->Name("ours/qc_verify")->Arg(4)->Arg(16)->Arg(100);

void BM_BlstQc(benchmark::State& state) {
  const auto& c = qc_case(static_cast<std::uint32_t>(state.range(0)));
  // The same keys, decoded once, as the Verifier holds them.
  std::vector<blst_p1_affine> pks;
  for (const auto& m : c.net.topology.committee(0).members())
    pks.push_back(crypto::decode_public_key(m.bls_key)->point);
  Bytes msg = crypto::block_vote_message(c.qc);
  for (auto _ : state) {
    blst_p1 acc;
    blst_p1_from_affine(&acc, &pks[0]);
    for (std::size_t i = 1; i < pks.size(); ++i)
      blst_p1_add_or_double_affine(&acc, &acc, &pks[i]);
    blst_p1_affine agg;
    blst_p1_to_affine(&agg, &acc);
    blst_p2_affine sig;
    blst_p2_uncompress(&sig, c.qc.signature.bytes.data());
    bool ok = blst_p2_affine_in_g2(&sig) &&
              blst_core_verify_pk_in_g1(&agg, &sig, true, msg.data(), msg.size(), dst(),
                                        kDst.size(), nullptr, 0) == BLST_SUCCESS;
    if (!ok) state.SkipWithError("qc did not verify");
    benchmark::DoNotOptimize(ok);
  }
}
BENCHMARK(BM_BlstQc)->Name("blst/qc_verify")->Arg(4)->Arg(16)->Arg(100);

// --- 64 distinct messages --------------------------------------------------------

struct BatchCase {
  std::vector<Bytes> msgs;
  std::vector<crypto::BlsBatchItem> items;
  BatchCase() {
    const auto& k = keys(64);
    for (std::uint32_t i = 0; i < 64; ++i)
      msgs.push_back(crypto::timeout_message(0, 100 + i, i));
    for (std::uint32_t i = 0; i < 64; ++i)
      items.push_back({&k.points[i], msgs[i], k.secret[i].sign(msgs[i])});
  }
};
const BatchCase& batch_case() {
  static BatchCase c;
  return c;
}

void BM_OursBatch(benchmark::State& state) {
  const auto& c = batch_case();
  testing::ThreadParallelism parallel(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    bool ok = crypto::verify_batch(c.items, parallel);
    if (!ok) state.SkipWithError("batch did not verify");
  }
  state.SetItemsProcessed(state.iterations() * 64);
}
BENCHMARK(BM_OursBatch)->Name("ours/batch64_threads")->Arg(1)->Arg(2)->UseRealTime();

/// State votes: 16 messages, each signed by 4 validators (one batch).
void BM_OursBatchSharedMessages(benchmark::State& state) {
  static const auto c = [] {
    struct Case {
      std::vector<types::Bytes> msgs;
      std::vector<crypto::BlsBatchItem> items;
    } out;
    const auto& k = keys(64);
    for (std::uint32_t m = 0; m < 16; ++m)
      out.msgs.push_back(crypto::timeout_message(0, 500 + m, m));
    for (std::uint32_t m = 0; m < 16; ++m)
      for (std::uint32_t v = 0; v < 4; ++v)
        out.items.push_back({&k.points[v], out.msgs[m], k.secret[v].sign(out.msgs[m])});
    return out;
  }();
  testing::ThreadParallelism parallel(1);
  for (auto _ : state) {
    bool ok = crypto::verify_batch(c.items, parallel);
    if (!ok) state.SkipWithError("batch did not verify");
  }
  state.SetItemsProcessed(state.iterations() * 64);
}
BENCHMARK(BM_OursBatchSharedMessages)->Name("ours/batch64_16messages_threads/1")->UseRealTime();

void BM_BlstBatch(benchmark::State& state) {
  const auto& c = batch_case();
  std::vector<std::uint64_t> storage((blst_pairing_sizeof() + 7) / 8);
  auto* ctx = reinterpret_cast<blst_pairing*>(storage.data());
  for (auto _ : state) {
    blst_pairing_init(ctx, true, dst(), kDst.size());
    for (std::size_t i = 0; i < c.items.size(); ++i) {
      blst_p2_affine sig;
      blst_p2_uncompress(&sig, c.items[i].signature.bytes.data());
      std::uint64_t scalar = 0x9e3779b97f4a7c15ULL * (i + 1) | 1;
      blst_pairing_chk_n_mul_n_aggr_pk_in_g1(ctx, &c.items[i].key->point, false, &sig, true,
                                             reinterpret_cast<const std::uint8_t*>(&scalar), 64,
                                             c.items[i].message.data(), c.items[i].message.size(),
                                             nullptr, 0);
    }
    blst_pairing_commit(ctx);
    if (!blst_pairing_finalverify(ctx, nullptr)) state.SkipWithError("batch did not verify");
  }
  state.SetItemsProcessed(state.iterations() * 64);
}
BENCHMARK(BM_BlstBatch)->Name("blst/batch64_threads/1")->UseRealTime();

void BM_SixtyFourSingleVerifies(benchmark::State& state) {
  const auto& c = batch_case();
  for (auto _ : state) {
    for (const auto& item : c.items) {
      auto s = crypto::decode_signature(item.signature);
      benchmark::DoNotOptimize(crypto::bls_verify(*item.key, item.message, *s));
    }
  }
  state.SetItemsProcessed(state.iterations() * 64);
}
BENCHMARK(BM_SixtyFourSingleVerifies)->Name("ours/64_single_verifies");

// --- public-key aggregation (time per key) ----------------------------------------

void BM_OursAggregateKeys(benchmark::State& state) {
  const auto& k = keys(100);
  for (auto _ : state)
    benchmark::DoNotOptimize(crypto::aggregate_public_keys(k.pointers));
  state.SetItemsProcessed(state.iterations() * 100);
}
BENCHMARK(BM_OursAggregateKeys)->Name("ours/aggregate_100_keys");

void BM_BlstAggregateKeys(benchmark::State& state) {
  const auto& k = keys(100);
  for (auto _ : state) {
    blst_p1 acc;
    blst_p1_from_affine(&acc, &k.points[0].point);
    for (std::size_t i = 1; i < k.points.size(); ++i)
      blst_p1_add_or_double_affine(&acc, &acc, &k.points[i].point);
    blst_p1_affine out;
    blst_p1_to_affine(&out, &acc);
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations() * 100);
}
BENCHMARK(BM_BlstAggregateKeys)->Name("blst/aggregate_100_keys");

// --- Ed25519 -----------------------------------------------------------------

void BM_Ed25519Verify(benchmark::State& state) {
  auto kp = crypto::Ed25519KeyPair::from_seed(testing::seed_for(1));
  std::vector<Bytes> msgs;
  for (int i = 0; i < 256; ++i)
    msgs.push_back(crypto::transaction_message(types::hash_bytes(std::to_string(i))));
  std::vector<crypto::Ed25519BatchItem> items;
  for (const auto& m : msgs)
    items.push_back({kp.public_key(), m, kp.sign(m)});
  testing::ThreadParallelism parallel(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state)
    benchmark::DoNotOptimize(crypto::ed25519_verify_batch(items, parallel));
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(items.size()));
}
BENCHMARK(BM_Ed25519Verify)->Name("ed25519_verify_256_threads")->Arg(1)->Arg(2)->UseRealTime();

// --- BLAKE2b-256 ---------------------------------------------------------------

void BM_Blake2b(benchmark::State& state) {
  Bytes data(static_cast<std::size_t>(state.range(0)), 0xab);
  for (auto _ : state)
    benchmark::DoNotOptimize(types::hash_bytes(data));
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Blake2b)
    ->Name("blake2b_256_bytes")
    ->Arg(64)
    ->Arg(65)
    ->Arg(515)
    ->Arg(1024)
    ->Arg(1 << 20);

}  // namespace
}  // namespace hyperscale::bench

HS_BENCHMARK_MAIN_WITH_RATIOS()
