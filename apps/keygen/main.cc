// hyperscale-keygen: validator keys with proofs of possession, and the
// genesis committee file.
//
//   hyperscale-keygen generate --shards 2 --validators 4 --out devnet/
//   hyperscale-keygen check devnet/genesis.json

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "common/genesis_file.h"
#include "crypto/validator_keys.h"

namespace fs = std::filesystem;
using namespace hyperscale;

namespace {

/// Creates the file owner-only from the start, so the secret is never readable by others.
bool write_secret(const fs::path& path, const crypto::MasterSeed& seed) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) return false;
  std::string text = types::to_hex(seed) + "\n";
  bool ok = ::fchmod(fd, 0600) == 0 &&
            ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  return ::close(fd) == 0 && ok;
}

int generate(std::uint32_t shards, std::uint32_t per_shard, std::uint64_t power,
             const std::string& scheme_name, const std::string& network_seed_hex,
             const fs::path& out_dir) {
  crypto::SchemeKind scheme =
      scheme_name == "mock" ? crypto::SchemeKind::kMock : crypto::SchemeKind::kBls;
  crypto::MasterSeed network_seed{};
  if (network_seed_hex.empty()) {
    if (sodium_init() < 0) return std::fprintf(stderr, "error: libsodium init failed\n"), 1;
    randombytes_buf(network_seed.data(), network_seed.size());
  } else {
    auto raw = types::from_hex(network_seed_hex);
    if (!raw || raw->size() != 32)
      return std::fprintf(stderr, "error: --network-seed must be 64 hex digits\n"), 2;
    std::copy(raw->begin(), raw->end(), network_seed.begin());
  }
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  if (ec)
    return std::fprintf(stderr, "error: cannot create %s: %s\n", out_dir.c_str(),
                        ec.message().c_str()),
           1;

  std::vector<types::Committee> committees;
  for (std::uint32_t s = 0; s < shards; ++s) {
    std::vector<types::ValidatorInfo> members;
    for (std::uint32_t i = 0; i < per_shard; ++i) {
      std::uint32_t id = s * per_shard + i;
      auto seed = crypto::derive_seed(network_seed, id);
      auto keys = crypto::derive_validator_keys(scheme, seed);
      members.push_back(keys.info(id, power));
      auto path = out_dir / ("validator-" + std::to_string(id) + ".seed");
      if (!write_secret(path, seed))
        return std::fprintf(stderr, "error: cannot write %s\n", path.c_str()), 1;
    }
    committees.emplace_back(s, std::move(members));
  }
  auto topology = types::Topology::make(std::move(committees));
  if (!topology) return std::fprintf(stderr, "error: %s\n", topology.error().c_str()), 2;
  apps::GenesisFile genesis{scheme, std::move(*topology)};
  auto path = out_dir / "genesis.json";
  std::ofstream out(path, std::ios::trunc);
  out << apps::genesis_to_json(genesis);
  if (!out.good()) return std::fprintf(stderr, "error: cannot write %s\n", path.c_str()), 1;
  std::printf("wrote %s and %u validator seed files (%s keys, %u shard%s x %u validators)\n",
              path.c_str(), shards * per_shard, scheme_name.c_str(), shards, shards == 1 ? "" : "s",
              per_shard);
  return 0;
}

int check(const fs::path& path) {
  auto genesis = apps::load_genesis(path);
  if (!genesis) return std::fprintf(stderr, "error: %s\n", genesis.error().c_str()), 1;
  std::size_t validators = 0;
  for (const auto& c : genesis->topology.committees())
    validators += c.size();
  auto verifier = crypto::Verifier::make(genesis->scheme, genesis->topology);
  if (!verifier) return std::fprintf(stderr, "error: %s\n", verifier.error().c_str()), 1;
  std::printf(
      "ok: %u shards, %zu validators, every key decodes and every proof of possession "
      "verifies (%s)\n",
      genesis->topology.num_shards(), validators,
      std::string(crypto::to_string(genesis->scheme)).c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Hyperscale validator keys and genesis committee"};
  app.require_subcommand(1);

  auto* gen = app.add_subcommand("generate", "make validator seeds and genesis.json");
  std::uint32_t shards = 1, per_shard = 4;
  std::uint64_t power = 1;
  std::string scheme = "bls", network_seed;
  std::string out_dir = "devnet";
  gen->add_option("--shards", shards, "number of shards")->check(CLI::Range(1u, 1024u));
  gen->add_option("--validators", per_shard, "validators per shard")->check(CLI::Range(1u, 1024u));
  gen->add_option("--power", power, "voting power of each validator")
      ->check(CLI::Range(1ull, 1ull << 40));
  gen->add_option("--scheme", scheme, "signature scheme")->check(CLI::IsMember({"bls", "mock"}));
  gen->add_option("--network-seed", network_seed,
                  "64 hex digits for reproducible keys (default: random)");
  gen->add_option("--out", out_dir, "output folder");

  auto* chk = app.add_subcommand("check", "verify a genesis file's keys and proofs of possession");
  std::string genesis_path;
  chk->add_option("genesis", genesis_path, "path to genesis.json")->required();

  CLI11_PARSE(app, argc, argv);
  if (*gen) return generate(shards, per_shard, power, scheme, network_seed, out_dir);
  return check(genesis_path);
}
