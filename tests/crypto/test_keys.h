#pragma once

// Deterministic validator keys and topologies for tests.

#include <array>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

#include "crypto/parallel.h"
#include "crypto/scheme.h"
#include "types/topology.h"

namespace hyperscale::testing {

inline std::array<std::uint8_t, 32> seed_for(std::uint32_t i) {
  std::array<std::uint8_t, 32> seed{};
  for (int b = 0; b < 4; ++b)
    seed[static_cast<std::size_t>(b)] = static_cast<std::uint8_t>(i >> (8 * b));
  seed[31] = 0x5e;
  return seed;
}

struct TestNetwork {
  std::vector<std::unique_ptr<crypto::Signer>> signers;  // by validator id
  types::Topology topology;
};

/// `shards` committees of `per_shard` validators, ids 0.., powers from `power`.
inline TestNetwork make_network(crypto::SchemeKind kind, std::uint32_t shards,
                                std::uint32_t per_shard,
                                std::vector<types::VotingPower> power = {}) {
  TestNetwork net;
  std::vector<types::Committee> committees;
  for (std::uint32_t s = 0; s < shards; ++s) {
    std::vector<types::ValidatorInfo> members;
    for (std::uint32_t i = 0; i < per_shard; ++i) {
      std::uint32_t id = s * per_shard + i;
      auto seed = seed_for(id);
      auto signer = crypto::make_signer(kind, seed);
      types::ValidatorInfo info;
      info.id = id;
      info.bls_key = signer->public_key();
      info.bls_pop = signer->prove_possession();
      info.power = i < power.size() ? power[i] : 1;
      members.push_back(info);
      net.signers.push_back(std::move(signer));
    }
    committees.emplace_back(s, std::move(members));
  }
  net.topology = *types::Topology::make(std::move(committees));
  return net;
}

/// Parallelism on real threads, for tests and benchmarks only.
class ThreadParallelism final : public crypto::Parallelism {
 public:
  explicit ThreadParallelism(std::size_t workers) : workers_(workers) {}
  std::size_t workers() const override { return workers_; }
  void run(std::size_t tasks, const std::function<void(std::size_t)>& task) override {
    std::vector<std::thread> threads;
    for (std::size_t i = 1; i < tasks; ++i)
      threads.emplace_back([&task, i] { task(i); });
    if (tasks > 0) task(0);
    for (auto& t : threads)
      t.join();
  }

 private:
  std::size_t workers_;
};

}  // namespace hyperscale::testing
