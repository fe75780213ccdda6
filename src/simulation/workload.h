#pragma once

// Transfer transactions between accounts of one shard, at a fixed rate,
// signed with the scheme the simulation uses (Ed25519, or the mock one).

#include <functional>
#include <vector>

#include "crypto/ed25519.h"
#include "crypto/scheme.h"
#include "simulation/rng.h"
#include "types/topology.h"
#include "types/transaction.h"

namespace hyperscale::simulation {

struct WorkloadConfig {
  std::uint32_t tps = 1000;
  std::uint32_t accounts_per_shard = 64;
  std::uint64_t validity_ms = 60000;
};

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
};

}  // namespace hyperscale::simulation
