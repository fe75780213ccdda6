#pragma once

// Transfer transactions between accounts of one shard, at a fixed rate,
// signed with the scheme the simulation uses (Ed25519, or the mock one).

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/ed25519.h"
#include "crypto/scheme.h"
#include "simulation/rng.h"
#include "types/topology.h"
#include "types/transaction.h"

namespace hyperscale::simulation {

/// How a transfer picks its two accounts (both on one shard).
enum class AccountSelection : std::uint8_t {
  kRandom,        // uniform, two distinct accounts
  kRoundRobin,    // account i to account i + 1, i advancing per transfer
  kZipf,          // both drawn from a Zipf(s) distribution: a few hot accounts
  kNoContention,  // disjoint pairs in turn: no two transfers share an account
                  // while fewer than accounts / 2 are in flight
};

struct WorkloadConfig {
  std::uint32_t tps = 1000;
  std::uint32_t accounts_per_shard = 64;
  std::uint64_t validity_ms = 60000;
  AccountSelection selection = AccountSelection::kRandom;
  double zipf_s = 1.0;  // kZipf's exponent (> 0)
};

/// "random", "round-robin", "zipf:S" (S > 0, at most 10) or "no-contention";
/// nullopt for anything else.
std::optional<std::pair<AccountSelection, double>> parse_selection(std::string_view text);
/// The text parse_selection() reads.
std::string selection_text(AccountSelection selection, double zipf_s);

class TransferWorkload {
 public:
  TransferWorkload(WorkloadConfig config, const types::Topology& topology,
                   crypto::SchemeKind scheme, std::uint64_t seed)
      : TransferWorkload(config, topology.num_shards(), scheme, seed) {}
  TransferWorkload(WorkloadConfig config, std::uint32_t num_shards, crypto::SchemeKind scheme,
                   std::uint64_t seed);

  /// One transaction: a transfer between two accounts of a random shard,
  /// valid from a second before `clock(shard)` for validity_ms. Validity
  /// windows are in consensus time (DESIGN §6): a client takes it from the
  /// chain it submits to (its own clock when the chain runs ahead).
  types::TransactionRef next(const std::function<types::TimestampMs(types::ShardId)>& clock,
                             Rng& rng);
  const WorkloadConfig& config() const { return config_; }
  /// The owner keys of every account, shard by shard (to fund them at genesis).
  std::vector<types::Ed25519PublicKey> account_keys() const;

 private:
  struct Account {
    types::Ed25519PublicKey key;
    std::optional<crypto::Ed25519KeyPair> keypair;  // real scheme only
    types::NodeId address;
  };
  WorkloadConfig config_;
  crypto::SchemeKind scheme_;
  std::vector<std::vector<Account>> accounts_;  // by shard
  types::NodeId resource_;                      // the transferred resource
  std::uint64_t nonce_ = 0;
  std::vector<std::uint64_t> cursor_;  // by shard: round-robin and no-contention position
  std::vector<double> zipf_cdf_;       // kZipf: cumulative weights of ranks 1..n
  /// Two distinct account indices of `shard` (of n) by the selection mode.
  std::pair<std::size_t, std::size_t> pick(types::ShardId shard, std::size_t n, Rng& rng);
};

}  // namespace hyperscale::simulation
