#include "simulation/workload.h"

#include "crypto/mock_scheme.h"
#include "engine/substates.h"
#include "types/assert.h"

namespace hyperscale::simulation {

TransferWorkload::TransferWorkload(WorkloadConfig config, std::uint32_t num_shards,
                                   crypto::SchemeKind scheme, std::uint64_t seed)
    : config_(config),
      scheme_(scheme),
      accounts_(num_shards),
      resource_(engine::native_resource()) {
  HS_ASSERT(config_.accounts_per_shard >= 2);
  // Draw keys until every shard has its accounts (an account's shard follows
  // from its address, which follows from its key).
  std::uint64_t i = 0;
  auto full = [&] {
    for (const auto& a : accounts_)
      if (a.size() < config_.accounts_per_shard) return false;
    return true;
  };
  while (!full()) {
    auto h = types::Hasher()
                 .update(std::string_view("workload"))
                 .update_u64(seed)
                 .update_u64(i++)
                 .finish();
    Account acc;
    if (scheme_ == crypto::SchemeKind::kBls) {
      acc.keypair = crypto::Ed25519KeyPair::from_seed(h.bytes);
      acc.key = acc.keypair->public_key();
    } else {
      std::copy(h.bytes.begin(), h.bytes.end(), acc.key.bytes.begin());
    }
    acc.address = types::account_address(acc.key.span());
    auto shard = types::shard_of(acc.address, num_shards);
    if (accounts_[shard].size() < config_.accounts_per_shard)
      accounts_[shard].push_back(std::move(acc));
  }
}

std::vector<types::Ed25519PublicKey> TransferWorkload::account_keys() const {
  std::vector<types::Ed25519PublicKey> out;
  for (const auto& shard : accounts_)
    for (const auto& a : shard)
      out.push_back(a.key);
  return out;
}

types::TransactionRef TransferWorkload::next(
    const std::function<types::TimestampMs(types::ShardId)>& clock, Rng& rng) {
  auto shard = static_cast<types::ShardId>(rng.below(accounts_.size()));
  const auto& shard_accounts = accounts_[shard];
  auto now_ms = clock(shard);
  auto from = rng.below(shard_accounts.size());
  auto to = rng.below(shard_accounts.size() - 1);
  if (to >= from) ++to;
  const Account& a = shard_accounts[from];
  const Account& b = shard_accounts[to];
  types::TransactionPayload p;
  p.instructions.push_back(types::Transfer{a.address, b.address, resource_, 1 + rng.below(100)});
  p.nonce = nonce_++;
  p.valid_from_ms = now_ms > 1000 ? now_ms - 1000 : 0;
  p.valid_until_ms = p.valid_from_ms + config_.validity_ms;
  p.signers = {a.key};
  std::vector<types::Ed25519Signature> sigs;
  if (a.keypair) {
    sigs = crypto::sign_transaction(p, std::span(&*a.keypair, 1));
  } else {
    sigs.push_back(crypto::mock_sign_transaction(a.key, types::intent_hash_of(p)));
  }
  return std::make_shared<const types::Transaction>(std::move(p), 0, std::move(sigs));
}

}  // namespace hyperscale::simulation
