#include "simulation/workload.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

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
  cursor_.assign(num_shards, 0);
  if (config_.selection == AccountSelection::kZipf) {
    HS_ASSERT(config_.zipf_s > 0);
    double total = 0;
    zipf_cdf_.reserve(config_.accounts_per_shard);
    for (std::uint32_t rank = 1; rank <= config_.accounts_per_shard; ++rank) {
      total += 1.0 / std::pow(static_cast<double>(rank), config_.zipf_s);
      zipf_cdf_.push_back(total);
    }
  }
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

std::optional<std::pair<AccountSelection, double>> parse_selection(std::string_view text) {
  if (text == "random") return std::pair{AccountSelection::kRandom, 1.0};
  if (text == "round-robin") return std::pair{AccountSelection::kRoundRobin, 1.0};
  if (text == "no-contention") return std::pair{AccountSelection::kNoContention, 1.0};
  if (text.starts_with("zipf:")) {
    std::string number(text.substr(5));
    if (number.empty() || number.size() > 16 ||
        number.find_first_not_of("0123456789.") != std::string::npos)
      return std::nullopt;
    char* end = nullptr;
    double s = std::strtod(number.c_str(), &end);
    if (end != number.c_str() + number.size() || !(s > 0) || s > 10) return std::nullopt;
    return std::pair{AccountSelection::kZipf, s};
  }
  return std::nullopt;
}

std::string selection_text(AccountSelection selection, double zipf_s) {
  switch (selection) {
    case AccountSelection::kRandom:
      return "random";
    case AccountSelection::kRoundRobin:
      return "round-robin";
    case AccountSelection::kNoContention:
      return "no-contention";
    case AccountSelection::kZipf: {
      char buf[32];
      std::snprintf(buf, sizeof buf, "zipf:%g", zipf_s);
      return buf;
    }
  }
  return "random";
}

std::pair<std::size_t, std::size_t> TransferWorkload::pick(types::ShardId shard, std::size_t n,
                                                           Rng& rng) {
  switch (config_.selection) {
    case AccountSelection::kRoundRobin: {
      auto i = cursor_[shard]++ % n;
      return {i, (i + 1) % n};
    }
    case AccountSelection::kNoContention: {
      auto pairs = n / 2;
      auto k = cursor_[shard]++ % pairs;
      return {2 * k, 2 * k + 1};
    }
    case AccountSelection::kZipf: {
      auto draw = [&] {
        // Inverse of the cumulative weights; uniform in [0, total).
        double u = static_cast<double>(rng.below(1u << 30)) / static_cast<double>(1u << 30) *
                   zipf_cdf_.back();
        auto it = std::upper_bound(zipf_cdf_.begin(), zipf_cdf_.end(), u);
        return static_cast<std::size_t>(
            std::min<std::ptrdiff_t>(it - zipf_cdf_.begin(), static_cast<std::ptrdiff_t>(n - 1)));
      };
      auto from = draw();
      auto to = draw();
      if (to == from) to = (from + 1) % n;
      return {from, to};
    }
    case AccountSelection::kRandom:
      break;
  }
  auto from = rng.below(n);
  auto to = rng.below(n - 1);
  if (to >= from) ++to;
  return {from, to};
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
  auto [from, to] = pick(shard, shard_accounts.size(), rng);
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
