// Canonical codec: encode and decode of a block of 4096 transactions (decode
// recomputes every tx hash and the section Merkle roots).
//
//   ./build/release/bench/codec_bench

#include <benchmark/benchmark.h>

#include <algorithm>

#include "types/block.h"
#include "types/limits.h"

namespace hyperscale::bench {
namespace {

using namespace types;

Block make_block(std::uint32_t n_txs) {
  BlockBody body;
  for (std::uint32_t i = 0; i < n_txs; ++i) {
    TransactionPayload p;
    Ed25519PublicKey signer;
    Hash h = hash_bytes(std::to_string(i));
    std::copy(h.bytes.begin(), h.bytes.end(), signer.bytes.begin());
    p.signers = {signer};
    p.instructions.push_back(Transfer{account_address(signer.span()),
                                      account_address(hash_bytes(std::to_string(i + 1)).span()),
                                      resource_address("xrd"), 10 + i});
    p.nonce = i;
    p.valid_from_ms = 1000;
    p.valid_until_ms = 61000;
    Ed25519Signature sig;
    sig.bytes.fill(static_cast<std::uint8_t>(i));
    body.txs.push_back(std::make_shared<Transaction>(std::move(p), 0, std::vector{sig}));
  }
  std::sort(body.txs.begin(), body.txs.end(),
            [](const auto& a, const auto& b) { return a->hash() < b->hash(); });
  BlockHeader header;
  header.shard = 0;
  header.height = 7;
  header.round = 9;
  header.parent_hash = hash_bytes("parent");
  header.justify.shard = 0;
  header.justify.height = 6;
  header.justify.round = 8;
  header.justify.block_hash = header.parent_hash;
  header.justify.signers = SignerBitfield(4);
  for (std::uint32_t i = 0; i < 3; ++i)
    header.justify.signers.set(i);
  header.timestamp_ms = 5000;
  header.roots = body.compute_roots();
  return Block(std::move(header), std::move(body));
}

const Block& block() {
  static Block b = make_block(limits::kMaxTxsPerBlock);
  return b;
}

void BM_EncodeBlock(benchmark::State& state) {
  const Block& b = block();
  std::size_t size = 0;
  for (auto _ : state) {
    auto bytes = encode(b);
    size = bytes.size();
    benchmark::DoNotOptimize(bytes);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(size));
  state.counters["bytes"] = static_cast<double>(size);
}
BENCHMARK(BM_EncodeBlock)->Name("encode_block_4096_txs")->Unit(benchmark::kMillisecond);

void BM_DecodeBlock(benchmark::State& state) {
  auto bytes = encode(block());
  for (auto _ : state) {
    auto decoded = decode<Block>(bytes);
    if (!decoded) state.SkipWithError(decoded.error().message().c_str());
    benchmark::DoNotOptimize(decoded);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(bytes.size()));
}
BENCHMARK(BM_DecodeBlock)->Name("decode_block_4096_txs")->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace hyperscale::bench

BENCHMARK_MAIN();
