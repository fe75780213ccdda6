// Writes the seed corpus of every decoder fuzz target: a few valid encodings
// of each type, drawn deterministically from the test generators.
//
//   fuzz_seeds <out-dir>     ->  <out-dir>/<type>/seed-<n>

#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/message_samples.h"
#include "execution/ledger.h"
#include "jmt/tree.h"
#include "types/generators.h"

namespace fs = std::filesystem;
using namespace hyperscale::types;

namespace {

constexpr int kSeedsPerType = 8;

template <class T>
bool write_seeds(const fs::path& root, std::string name) {
  for (auto& c : name)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  fs::path dir = root / name;
  fs::create_directories(dir);
  for (int i = 0; i < kSeedsPerType; ++i) {
    // Fixed seeds and growing sizes: the corpus is the same on every run.
    rc::Random random(static_cast<std::uint64_t>(0x5eed0000 + i));
    T value = rc::gen::arbitrary<T>()(random, 10 + 10 * i).value();
    Bytes bytes = encode(value);
    if (!decode<T>(bytes)) {
      std::fprintf(stderr, "generated %s does not decode\n", name.c_str());
      return false;
    }
    std::ofstream out(dir / ("seed-" + std::to_string(i)), std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
    if (!out) return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <out-dir>\n", argv[0]);
    return 2;
  }
  fs::path root = argv[1];
  bool ok = true;
#define HS_SEEDS(T) ok = write_seeds<T>(root, #T) && ok;
  HS_SEEDS(SignerBitfield)
  HS_SEEDS(MerkleProof)
  HS_SEEDS(QuorumCertificate)
  HS_SEEDS(BlockVote)
  HS_SEEDS(TimeoutCertificate)
  HS_SEEDS(Timeout)
  HS_SEEDS(TransactionPayload)
  HS_SEEDS(Transaction)
  HS_SEEDS(StateEntry)
  HS_SEEDS(ProvisionContent)
  HS_SEEDS(StateProvision)
  HS_SEEDS(CommitmentProof)
  HS_SEEDS(StateVoteContent)
  HS_SEEDS(StateVote)
  HS_SEEDS(StateCertificate)
  HS_SEEDS(TransactionCertificate)
  HS_SEEDS(CycleProof)
  HS_SEEDS(TransactionDefer)
  HS_SEEDS(TransactionAbort)
  HS_SEEDS(BlockHeader)
  HS_SEEDS(BlockBody)
  HS_SEEDS(Block)
#undef HS_SEEDS
  {
    // Wire messages: the hand-built sample of each type.
    fs::path dir = root / "message";
    fs::create_directories(dir);
    int n = 0;
    for (const auto& m : hyperscale::testing::sample_messages()) {
      Bytes bytes = encode(m);
      std::ofstream out(dir / ("seed-" + std::to_string(n++)), std::ios::binary | std::ios::trunc);
      out.write(reinterpret_cast<const char*>(bytes.data()),
                static_cast<std::streamsize>(bytes.size()));
      ok = ok && static_cast<bool>(out);
    }
  }
  {
    // The apps' text formats: simulator configs (TOML, and JSON reports) and
    // a genesis committee file.
    auto write_text = [&](const char* type, const std::vector<std::string>& texts) {
      fs::path dir = root / type;
      fs::create_directories(dir);
      int n = 0;
      for (const auto& text : texts) {
        std::ofstream out(dir / ("seed-" + std::to_string(n++)), std::ios::trunc);
        out << text;
        ok = ok && static_cast<bool>(out);
      }
    };
    write_text("sim_config",
               {"validators = 7\nduration = 6.5\nbyzantine = [\"silent:1\", \"equivocate:1\"]\n"
                "partition = \"1-2:0,1|2,3;3-4.5:5>6\"\ncrash = \"0.5-1:2\"\nkeep-going = true\n",
                "shards = 2\nslow = \"1:30,5:7\"\nclock-offset = \"2:-300\"\nloss = 0.01\n"
                "faults-end = 5\nrandom-faults = 17\nhtml = \"x.html\"\n",
                "{\"config\": {\"validators\": 4, \"duration\": 5.0, \"seed\": 3, \"byzantine\": "
                "[\"twin:1\"], \"twin-peers\": \"1,3\", \"crash\": \"1-2:0\"}, \"trace_hash\": "
                "\"ab\"}"});
    write_text("genesis",
               {"{\"scheme\": \"mock\", \"shards\": [{\"shard\": 0, \"validators\": [{\"id\": 0, "
                "\"power\": 1, \"bls_public_key\": \"" +
                std::string(96, 'a') + "\", \"bls_pop\": \"" + std::string(192, 'b') +
                "\", \"network_key\": \"" + std::string(64, 'c') + "\"}]}]}\n"});
  }
  {
    // Jellyfish Merkle Tree proofs over the fuzz target's tree (even key ids
    // 0..254 hold values), each after its two claim bytes.
    auto key = [](std::uint64_t i) { return Hasher().update_u64(i).finish(); };
    hyperscale::jmt::InMemoryTreeStore store;
    std::vector<hyperscale::jmt::KeyUpdate> ups;
    for (std::uint64_t i = 0; i < 256; i += 2)
      ups.push_back({key(i), Hasher().update_u64(i).update_u8(1).finish()});
    hyperscale::jmt::sort_updates(ups);
    store.write(*hyperscale::jmt::apply_updates(store, std::nullopt, 0, ups));
    fs::path dir = root / "jmt_proof";
    fs::create_directories(dir);
    for (int id_int : {0, 1, 2, 77, 128, 255}) {
      auto id = static_cast<std::uint8_t>(id_int);
      auto proof = hyperscale::jmt::get_with_proof(store, 0, key(id));
      Bytes bytes{id, static_cast<std::uint8_t>(id % 2 == 0 ? 1 : 0)};
      Bytes enc = encode(proof->proof);
      bytes.insert(bytes.end(), enc.begin(), enc.end());
      std::ofstream out(dir / ("seed-" + std::to_string(id)), std::ios::binary | std::ios::trunc);
      out.write(reinterpret_cast<const char*>(bytes.data()),
                static_cast<std::streamsize>(bytes.size()));
      ok = ok && static_cast<bool>(out);
    }
  }
  {
    // Execution's stored ledger entries: generated transactions at a few
    // ordering heights.
    fs::path dir = root / "ledger_entry";
    fs::create_directories(dir);
    for (int i = 0; i < kSeedsPerType; ++i) {
      rc::Random random(static_cast<std::uint64_t>(0x1ed9e000 + i));
      auto tx = rc::gen::arbitrary<TransactionRef>()(random, 10 + 10 * i).value();
      hyperscale::execution::PendingTx p{tx, {}, static_cast<BlockHeight>(1 + 1000 * i)};
      Bytes bytes = hyperscale::execution::encode_ledger_entry(p);
      std::ofstream out(dir / ("seed-" + std::to_string(i)), std::ios::binary | std::ios::trunc);
      out.write(reinterpret_cast<const char*>(bytes.data()),
                static_cast<std::streamsize>(bytes.size()));
      ok = ok && static_cast<bool>(out);
    }
  }
  if (ok) std::printf("wrote seed corpus under %s\n", root.c_str());
  return ok ? 0 : 1;
}
