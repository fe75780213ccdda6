// hyperscale-keygen: validator keys with proofs of possession, and the
// genesis committee file. docs/keygen.md describes every command and flag.
//
//   hyperscale-keygen generate --shards 2 --validators 4 --out devnet/
//   hyperscale-keygen check devnet/genesis.json
//   hyperscale-keygen show devnet/validator-0.seed --genesis devnet/genesis.json
//
// Exit codes: 0 success, 1 a failed check or an I/O error, 2 bad arguments,
// 128 + the signal's number when generate is interrupted (130 for SIGINT).

#include <signal.h>
#include <sodium.h>
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "common/genesis_file.h"
#include "crypto/validator_keys.h"
#include "keygen/file_set.h"
#include "keygen/genesis_check.h"
#include "keygen/output_dir.h"
#include "keygen/seed_file.h"
#include "types/assert.h"

namespace fs = std::filesystem;
using namespace hyperscale;

namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;        // a check failed, or a file could not be read or written
constexpr int kExitBadArguments = 2;  // the command line itself is wrong
constexpr int kExitSignalBase = 128;  // + the signal that interrupted generate, as shells report it

/// Mode of genesis.json: public, but written only by its owner.
constexpr mode_t kGenesisFileMode = 0644;

/// A CLI11 check that the whole argument is a decimal integer in [min, max]:
/// CLI11 alone reads "010" as octal 8, "0x10" as 16 and "-1" as 2^64 - 1.
CLI::Validator whole_number(std::uint64_t min, std::uint64_t max) {
  std::string range = std::to_string(min) + " to " + std::to_string(max);
  return CLI::Validator(
      [min, max, range](std::string& text) -> std::string {
        std::uint64_t value = 0;
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        bool decimal = !text.empty() && text[0] != '+' && (text == "0" || text[0] != '0');
        if (!decimal || ec != std::errc() || end != text.data() + text.size() || value < min ||
            value > max)
          return "'" + text + "' is not a whole number from " + range;
        return {};
      },
      "INT in [" + std::to_string(min) + " - " + std::to_string(max) + "]");
}

const CLI::Validator kSeedHex(
    [](std::string& text) -> std::string {
      auto raw = types::from_hex(text);
      if (!raw || raw->size() != 32) return "must be exactly 64 hex digits";
      return {};
    },
    "64 HEX");

/// Paths: an empty one would read as "not given" (--genesis) or fail later
/// with an unclear message.
const CLI::Validator kNonEmpty(
    [](std::string& text) -> std::string { return text.empty() ? "must not be empty" : ""; }, "");

crypto::SchemeKind scheme_from(const std::string& name) {
  return name == "mock" ? crypto::SchemeKind::kMock : crypto::SchemeKind::kBls;
}

std::string seed_file_name(std::uint32_t id) {
  return "validator-" + std::to_string(id) + ".seed";
}

struct GenerateOptions {
  std::uint32_t shards = 1;
  std::uint32_t per_shard = 4;
  std::uint64_t power = 1;
  std::string scheme = "bls";
  std::string network_seed_hex;  // empty: not given, a random seed
  std::string out_dir = "devnet";
  bool force = false;
};

/// Seed files left in `dir` by an earlier, larger run: not in the new genesis.
std::vector<std::string> stale_seed_files(const fs::path& dir, std::uint32_t validators) {
  std::vector<std::string> out;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    std::string_view digits(name);
    if (!digits.starts_with("validator-") || !digits.ends_with(".seed")) continue;
    digits = digits.substr(10, digits.size() - 15);
    std::uint64_t id = 0;
    auto [end_ptr, parse_ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
    if (parse_ec == std::errc() && end_ptr == digits.data() + digits.size() && id >= validators)
      out.push_back(name);
  }
  return out;
}

/// The signal that asked generate to stop, or 0. The handler stores it and
/// generate reads it between files: a lock-free atomic is what a signal
/// handler may safely touch.
std::atomic<int> g_stop_signal{0};
static_assert(std::atomic<int>::is_always_lock_free);

void on_stop_signal(int signal) {
  g_stop_signal.store(signal, std::memory_order_relaxed);
}

bool stop_requested() {
  return g_stop_signal.load(std::memory_order_relaxed) != 0;
}

/// Catches SIGINT, SIGTERM and SIGHUP so that generate can remove what it
/// has written before it exits. SA_RESETHAND: a second signal kills at once.
/// SA_RESTART: a write in progress is not cut short. A signal ignored on entry
/// stays ignored (a script's background job ignores SIGINT, nohup SIGHUP).
void catch_stop_signals() {
  for (int signal : {SIGINT, SIGTERM, SIGHUP}) {
    struct sigaction old {};
    if (::sigaction(signal, nullptr, &old) == 0 && old.sa_handler == SIG_IGN) continue;
    struct sigaction action {};
    action.sa_handler = on_stop_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESETHAND | SA_RESTART;
    ::sigaction(signal, &action, nullptr);
  }
}

const char* signal_name(int signal) {
  switch (signal) {
    case SIGINT:
      return "SIGINT";
    case SIGTERM:
      return "SIGTERM";
    case SIGHUP:
      return "SIGHUP";
  }
  return "a signal";
}

/// Reports an interrupt; the exit code is the one a shell gives a process
/// the signal killed (130 for SIGINT, 143 for SIGTERM).
int interrupted(const std::string& what_was_undone) {
  int signal = g_stop_signal.load(std::memory_order_relaxed);
  std::fprintf(stderr, "error: interrupted by %s: %s\n", signal_name(signal),
               what_was_undone.c_str());
  return kExitSignalBase + signal;
}

/// Wipes the seed files' text however generate returns.
struct WipeOnReturn {
  std::vector<keygen::PendingFile>& files;
  ~WipeOnReturn() {
    for (auto& f : files)
      sodium_memzero(f.contents.data(), f.contents.size());
  }
};

/// Others may add names to a folder they can write and, without the sticky
/// bit, rename or delete the files in it: a swapped genesis.json would go
/// unnoticed. Worth a warning, not a refusal (a scratch network in /tmp).
void warn_if_writable_by_others(const keygen::OutputDir& dir) {
  mode_t mode = dir.permissions();
  if ((mode & S_IWOTH) == 0) return;
  std::fprintf(stderr,
               "warning: %s is writable by every user (mode %04o): others can add files to it%s; "
               "keep keys in a folder only you can write\n",
               dir.path().c_str(), static_cast<unsigned>(mode),
               (mode & S_ISVTX) != 0 ? "" : " and rename or delete yours (no sticky bit)");
}

int generate(const GenerateOptions& o) {
  std::uint64_t total = std::uint64_t{o.shards} * o.per_shard;
  if (total > apps::kMaxGenesisValidators) {
    std::fprintf(stderr,
                 "error: --shards %u x --validators %u = %llu validators, more than a genesis "
                 "file may hold (%u)\n",
                 o.shards, o.per_shard, static_cast<unsigned long long>(total),
                 apps::kMaxGenesisValidators);
    return kExitBadArguments;
  }
  if (sodium_init() < 0) {
    std::fprintf(stderr, "error: libsodium failed to initialise\n");
    return kExitFailed;
  }
  catch_stop_signals();
  crypto::MasterSeed network_seed{};
  if (o.network_seed_hex.empty()) {
    randombytes_buf(network_seed.data(), network_seed.size());
  } else {
    auto raw = types::from_hex(o.network_seed_hex);
    HS_ASSERT(raw && raw->size() == network_seed.size());  // kSeedHex checked it
    std::copy(raw->begin(), raw->end(), network_seed.begin());
    sodium_memzero(raw->data(), raw->size());
  }

  // Every file is made in memory first: nothing touches the disk unless all
  // of it can be written.
  crypto::SchemeKind scheme = scheme_from(o.scheme);
  std::vector<keygen::PendingFile> files;
  WipeOnReturn wipe{files};
  std::vector<types::Committee> committees;
  for (std::uint32_t s = 0; s < o.shards; ++s) {
    std::vector<types::ValidatorInfo> members;
    for (std::uint32_t i = 0; i < o.per_shard; ++i) {
      if (stop_requested()) {
        sodium_memzero(network_seed.data(), network_seed.size());
        return interrupted("no file was written");
      }
      std::uint32_t id = s * o.per_shard + i;
      auto seed = crypto::derive_seed(network_seed, id);
      members.push_back(crypto::derive_validator_keys(scheme, seed).info(id, o.power));
      files.push_back({seed_file_name(id), keygen::seed_to_text(seed), keygen::kSeedFileMode});
      sodium_memzero(seed.data(), seed.size());
    }
    committees.emplace_back(s, std::move(members));
  }
  sodium_memzero(network_seed.data(), network_seed.size());
  auto topology = types::Topology::make(std::move(committees));
  if (!topology) {
    std::fprintf(stderr, "error: %s\n", topology.error().c_str());
    return kExitBadArguments;
  }
  apps::GenesisFile genesis{scheme, std::move(*topology)};
  files.push_back({"genesis.json", apps::genesis_to_json(genesis), kGenesisFileMode});

  auto dir = keygen::OutputDir::open(o.out_dir);
  if (!dir) {
    std::fprintf(stderr, "error: %s\n", dir.error().c_str());
    return kExitFailed;
  }
  warn_if_writable_by_others(*dir);
  auto written = keygen::write_file_set(*dir, files, o.force, stop_requested);
  if (!written && written.error().interrupted) return interrupted(written.error().message);
  if (!written) {
    std::fprintf(stderr, "error: %s\n", written.error().message.c_str());
    return kExitFailed;
  }
  auto genesis_path = dir->path() / "genesis.json";
  std::printf(
      "wrote %s (mode 0644) and %llu validator seed files validator-0.seed .. "
      "validator-%llu.seed (mode 0600): %s keys, %u shard%s x %u validators\n",
      genesis_path.c_str(), static_cast<unsigned long long>(total),
      static_cast<unsigned long long>(total - 1), o.scheme.c_str(), o.shards,
      o.shards == 1 ? "" : "s", o.per_shard);
  auto stale = stale_seed_files(dir->path(), static_cast<std::uint32_t>(total));
  if (!stale.empty())
    std::fprintf(stderr,
                 "warning: %zu seed file%s in %s (e.g. %s) %s not part of this genesis: "
                 "left from an earlier run\n",
                 stale.size(), stale.size() == 1 ? "" : "s", dir->path().c_str(), stale[0].c_str(),
                 stale.size() == 1 ? "is" : "are");
  return kExitOk;
}

int check(const fs::path& path) {
  auto genesis = apps::load_genesis(path);
  if (!genesis) {
    std::fprintf(stderr, "error: %s\n", genesis.error().c_str());
    return kExitFailed;
  }
  auto result = keygen::check_genesis(*genesis);
  if (!result.ok()) {
    for (const auto& p : result.problems)
      std::fprintf(stderr, "error: %s: %s\n", path.c_str(), p.c_str());
    if (result.unlisted_problems > 0)
      std::fprintf(stderr, "error: %s: %zu more problems not listed\n", path.c_str(),
                   result.unlisted_problems);
    std::size_t n = result.problems.size() + result.unlisted_problems;
    std::fprintf(stderr, "error: %s: failed the check (%zu problem%s)\n", path.c_str(), n,
                 n == 1 ? "" : "s");
    return kExitFailed;
  }
  std::printf("ok: %s: %s\n", path.c_str(), result.summary().c_str());
  return kExitOk;
}

int show(const fs::path& seed_path, const std::string& scheme_name,
         const std::string& genesis_path) {
  auto seed = keygen::read_seed_file(seed_path);
  if (!seed) {
    std::fprintf(stderr, "error: %s\n", seed.error().c_str());
    return kExitFailed;
  }
  struct stat st {};
  if (::stat(seed_path.c_str(), &st) == 0 && (st.st_mode & 077) != 0)
    std::fprintf(stderr,
                 "warning: %s is readable or writable by others (mode %04o); chmod 600 it\n",
                 seed_path.c_str(), static_cast<unsigned>(st.st_mode & 07777));
  std::optional<apps::GenesisFile> genesis;
  crypto::SchemeKind scheme = scheme_from(scheme_name);
  if (!genesis_path.empty()) {
    auto loaded = apps::load_genesis(genesis_path);
    if (!loaded) {
      std::fprintf(stderr, "error: %s\n", loaded.error().c_str());
      return kExitFailed;
    }
    genesis = std::move(*loaded);
    scheme = genesis->scheme;
  }
  auto keys = crypto::derive_validator_keys(scheme, *seed);
  sodium_memzero(seed->data(), seed->size());
  auto info = keys.info(0, 1);
  if (genesis) {
    const types::ValidatorInfo* match = nullptr;
    types::ShardId shard = 0;
    for (const auto& c : genesis->topology.committees())
      for (const auto& m : c.members())
        if (!match && (m.bls_key == info.bls_key || m.network_key == info.network_key))
          match = &m, shard = c.shard();
    if (!match) {
      std::fprintf(stderr, "error: the keys of %s are not in %s\n", seed_path.c_str(),
                   genesis_path.c_str());
      return kExitFailed;
    }
    if (match->bls_key != info.bls_key || match->network_key != info.network_key) {
      std::fprintf(stderr, "error: %s lists validator %u with only one of the keys of %s\n",
                   genesis_path.c_str(), match->id, seed_path.c_str());
      return kExitFailed;
    }
    std::printf("validator: %u\nshard: %u\n", match->id, shard);
  }
  std::printf("scheme: %s\nbls_public_key: %s\nbls_pop: %s\nnetwork_key: %s\n",
              std::string(crypto::to_string(scheme)).c_str(), info.bls_key.hex().c_str(),
              info.bls_pop.hex().c_str(), info.network_key.hex().c_str());
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Hyperscale validator keys and genesis committee (docs/keygen.md)"};
  app.option_defaults()->always_capture_default();  // --help shows every default
  app.require_subcommand(1);
  app.set_version_flag(
      "--version",
      std::string("hyperscale-keygen ") + HS_VERSION + " (commit " + HS_GIT_COMMIT + ")",
      "print the version and exit");

  GenerateOptions g;
  auto* gen = app.add_subcommand("generate", "make validator seed files and genesis.json");
  gen->add_option("--shards", g.shards, "number of shards")->check(whole_number(1, 1024));
  gen->add_option("--validators", g.per_shard, "validators per shard")
      ->check(whole_number(1, 1024));
  gen->add_option("--power", g.power, "voting power of each validator")
      ->check(whole_number(1, std::uint64_t{1} << 40));
  gen->add_option("--scheme", g.scheme, "signature scheme: bls, or mock for simulations only")
      ->check(CLI::IsMember({"bls", "mock"}));
  gen->add_option("--network-seed", g.network_seed_hex,
                  "64 hex digits from which every seed derives, for reproducible test networks "
                  "(anyone who knows it knows every key); omit it for a random seed")
      ->check(kSeedHex);
  gen->add_option("--out", g.out_dir, "output folder (made with mode 0700 when missing)")
      ->check(kNonEmpty);
  gen->add_flag("--force", g.force,
                "replace existing seed files and genesis.json (atomically, by rename)")
      ->disable_flag_override();  // "--force=2" is an error, not a yes

  auto* chk = app.add_subcommand(
      "check", "verify a genesis file: structure, distinct and valid keys, proofs of possession");
  std::string check_path;
  chk->add_option("genesis", check_path, "path to genesis.json")->required()->check(kNonEmpty);

  auto* shw = app.add_subcommand("show", "print the public keys of a validator seed file");
  std::string seed_path, show_scheme = "bls", show_genesis;
  shw->add_option("seed", seed_path, "path to a validator-N.seed file")
      ->required()
      ->check(kNonEmpty);
  auto* scheme_opt = shw->add_option("--scheme", show_scheme, "signature scheme of the keys")
                         ->check(CLI::IsMember({"bls", "mock"}));
  shw->add_option("--genesis", show_genesis,
                  "also find the validator in this genesis file (its scheme is used, and its "
                  "keys must match)")
      ->excludes(scheme_opt)
      ->check(kNonEmpty);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help prints usage on stdout and exits 0; any other parse error prints
    // the message (naming the flag) on stderr.
    return app.exit(e) == 0 ? kExitOk : kExitBadArguments;
  }
  if (*gen) return generate(g);
  if (*chk) return check(check_path);
  return show(seed_path, show_scheme, show_genesis);
}
