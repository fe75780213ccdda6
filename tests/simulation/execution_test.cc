// Transactions executed end to end in the simulator (DESIGN §6): every
// validator executes what its shard commits, state votes form certificates,
// outcomes commit, and every validator ends with the same state.

#include <gtest/gtest.h>

#include <cstdio>
#include <functional>
#include <map>
#include <set>

#include "core/genesis.h"
#include "engine/substates.h"
#include "simulation/scenario.h"
#include "simulation/sim_storage.h"
#include "simulation/workload.h"

namespace hyperscale::simulation {
namespace {

struct Seen {
  std::vector<types::Hash> roots;
  std::vector<types::BlockHeight> heights;
  std::vector<execution::ExecutionStats> stats;
  std::vector<std::size_t> pending;
  std::vector<engine::SupplyMap> supply;
};

Scenario transfers(std::uint64_t seed) {
  Scenario s;
  s.sim.seed = seed;
  s.duration_ms = 20'000;
  s.workload.tps = 200;
  s.workload.accounts_per_shard = 2000;
  s.execution = true;
  s.faults_end_ms = 0;
  return s;
}

Seen observe(SimulationRunner& r) {
  Seen seen;
  for (auto v : r.validators()) {
    const auto* node = r.node(v);
    if (!node || !node->execution()) continue;
    const auto& ex = *node->execution();
    seen.roots.push_back(ex.state().root());
    seen.heights.push_back(ex.state().version());
    seen.stats.push_back(ex.stats());
    seen.pending.push_back(ex.ledger().pending().size());
    auto supply = engine::total_supply(ex.state().values());
    EXPECT_TRUE(supply.has_value());
    if (supply) seen.supply.push_back(*supply);
  }
  return seen;
}

// The simulated disk: genesis substates (shared) with each block's writes
// over them — new keys, overwrites and deletes — and the ledger's puts and
// erases, read back in key order at the tip.
TEST(SimStorage, KeepsExecutionsWritesOverTheSharedGenesisState) {
  auto key = [](std::uint8_t i) {
    types::SubstateKey k;
    k.node.bytes.fill(i);
    return k;
  };
  auto value = [](std::uint8_t v) { return std::optional<types::Bytes>(types::Bytes{v}); };
  auto genesis_state = std::make_shared<const std::vector<types::StateEntry>>(
      std::vector<types::StateEntry>{{key(1), value(1)}, {key(3), value(3)}, {key(5), value(5)}});
  auto genesis = core::genesis_block(0);
  SimStorage disk(genesis, genesis_state);
  auto child = [](const types::BlockRef& parent) {
    types::BlockHeader h;
    h.height = parent->header().height + 1;
    h.round = h.height;
    h.parent_hash = parent->hash();
    h.state_root = types::hash_bytes("root");
    return types::Block::assemble(std::move(h), types::BlockBody{});
  };
  auto record = [](const types::BlockRef& b) {
    core::LeaderRecord r;
    r.hash = b->hash();
    r.height = b->header().height;
    return r;
  };
  types::Hash tx1 = types::hash_bytes("tx1"), tx2 = types::hash_bytes("tx2");
  auto b1 = child(genesis);
  core::ExecutionWrites w1;
  w1.state = {{key(0), value(10)}, {key(3), std::nullopt}, {key(5), value(50)}, {key(6), value(6)}};
  w1.ledger_put = {{tx1, types::Bytes{1}}, {tx2, types::Bytes{2}}};
  disk.commit(b1, types::QuorumCertificate{}, record(b1), w1);
  auto b2 = child(b1);
  core::ExecutionWrites w2;
  w2.state = {{key(6), std::nullopt}, {key(1), value(11)}};
  w2.ledger_erase = {tx1};
  disk.commit(b2, types::QuorumCertificate{}, record(b2), w2);
  auto p = disk.recover_execution();
  EXPECT_EQ(p.height, 2u);
  EXPECT_EQ(p.state_root, types::hash_bytes("root"));
  std::vector<types::StateEntry> expected{
      {key(0), value(10)}, {key(1), value(11)}, {key(5), value(50)}};
  EXPECT_EQ(p.state, expected);
  ASSERT_EQ(p.ledger.size(), 1u);
  EXPECT_EQ(p.ledger[0].first, tx2);
  EXPECT_EQ(p.ledger[0].second, types::Bytes{2});
  // The genesis state itself is untouched (other validators share it).
  EXPECT_EQ(genesis_state->size(), 3u);
  EXPECT_EQ((*genesis_state)[1].value, value(3));
}

TEST(Workload, SelectionModesPickAccountsAsNamed) {
  auto accounts_of = [](AccountSelection mode, std::size_t count) {
    WorkloadConfig c;
    c.accounts_per_shard = 100;
    c.selection = mode;
    c.zipf_s = 1.5;
    TransferWorkload w(c, 1, crypto::SchemeKind::kMock, 1);
    Rng rng(9);
    std::vector<std::pair<types::NodeId, types::NodeId>> out;
    for (std::size_t i = 0; i < count; ++i) {
      auto tx = w.next([](types::ShardId) { return types::TimestampMs{5000}; }, rng);
      const auto& t = std::get<types::Transfer>(tx->payload().instructions.front());
      EXPECT_NE(t.from, t.to);
      out.emplace_back(t.from, t.to);
    }
    return out;
  };
  // No contention: any 50 consecutive transfers touch 100 distinct accounts.
  auto nc = accounts_of(AccountSelection::kNoContention, 120);
  for (std::size_t start = 0; start + 50 <= nc.size(); start += 7) {
    std::set<types::NodeId> seen;
    for (std::size_t i = start; i < start + 50; ++i) {
      seen.insert(nc[i].first);
      seen.insert(nc[i].second);
    }
    EXPECT_EQ(seen.size(), 100u);
  }
  // Round-robin: each transfer's target is the next one's source.
  auto rr = accounts_of(AccountSelection::kRoundRobin, 150);
  for (std::size_t i = 0; i + 1 < rr.size(); ++i)
    EXPECT_EQ(rr[i].second, rr[i + 1].first);
  // Zipf: the hottest account takes a large share; uniform does not.
  auto share_of_top = [](const std::vector<std::pair<types::NodeId, types::NodeId>>& v) {
    std::map<types::NodeId, std::size_t> count;
    for (const auto& [a, b] : v) {
      ++count[a];
      ++count[b];
    }
    std::size_t top = 0;
    for (const auto& [k, n] : count)
      top = std::max(top, n);
    return static_cast<double>(top) / static_cast<double>(2 * v.size());
  };
  EXPECT_GT(share_of_top(accounts_of(AccountSelection::kZipf, 2000)), 0.2);
  EXPECT_LT(share_of_top(accounts_of(AccountSelection::kRandom, 2000)), 0.05);
  // The text forms round-trip; anything else is refused.
  for (const char* text : {"random", "round-robin", "no-contention", "zipf:1.5", "zipf:0.25"}) {
    auto parsed = parse_selection(text);
    ASSERT_TRUE(parsed) << text;
    EXPECT_EQ(selection_text(parsed->first, parsed->second), text);
  }
  for (const char* bad : {"zipf:0", "zipf:", "zipf:-1", "zipf:1e3", "zipf:nan", "Random", ""})
    EXPECT_FALSE(parse_selection(bad)) << bad;
}

TEST(ExecutionSim, TransfersCompleteAndEveryValidatorHoldsTheSameState) {
  auto s = transfers(3);
  Seen seen;
  s.on_finish = [&](SimulationRunner& r) { seen = observe(r); };
  auto report = run_scenario(s);
  for (const auto& [name, violation] : report.invariants)
    EXPECT_FALSE(violation) << name << ": " << *violation;
  EXPECT_TRUE(report.ok);
  EXPECT_GT(report.committed_txs, 3000u);
  ASSERT_TRUE(report.execution.has_value());
  EXPECT_GT(report.execution->completed_txs, 3000u);
  EXPECT_LE(report.execution->completed_txs + report.execution->in_flight_at_end,
            report.committed_txs);
  EXPECT_GT(report.execution->completion_latency_ms.p50, report.latency_ms.p50);
  ASSERT_EQ(report.execution->state_roots.size(), 1u);
  EXPECT_FALSE(report.execution->state_roots[0].second.is_zero());
  for (const char* name : {"state_root", "completed_once", "supply", "balances", "completion"})
    EXPECT_TRUE(report.invariants.contains(name)) << name;
  ASSERT_EQ(seen.roots.size(), 4u);
  std::printf(
      "committed %llu txs; validator 0: completed %llu accept / %llu reject, %zu pending, "
      "%llu certificates formed, %llu votes disagreeing, peak locked nodes %zu\n",
      static_cast<unsigned long long>(report.committed_txs),
      static_cast<unsigned long long>(seen.stats[0].completed_accept),
      static_cast<unsigned long long>(seen.stats[0].completed_reject), seen.pending[0],
      static_cast<unsigned long long>(seen.stats[0].certificates_formed),
      static_cast<unsigned long long>(seen.stats[0].votes_disagreeing),
      seen.stats[0].peak_locked_nodes);
  for (std::size_t i = 0; i < seen.roots.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(seen.stats[i].state_root_mismatches, 0u);
    EXPECT_EQ(seen.stats[i].diverged_commits, 0u);
    EXPECT_GT(seen.stats[i].completed_accept, 1000u);
    if (seen.heights[i] == seen.heights[0]) {
      EXPECT_EQ(seen.roots[i], seen.roots[0]);
    }
    // Supply: 2000 accounts funded with 1e9 each, never more or less.
    ASSERT_EQ(seen.supply[i].size(), 1u);
    EXPECT_EQ(seen.supply[i].begin()->second, std::uint64_t{2000} * 1'000'000'000);
  }
}

/// Final balances recomputed from the committed chain alone (genesis plus
/// every transfer the chain ordered), against each validator's executed
/// state; and nothing left pending once the workload stopped long enough ago.
void expect_chain_balances(SimulationRunner& r, types::Amount genesis_balance) {
  auto validators = r.validators();
  types::ValidatorId tallest = validators.front();
  for (auto v : validators)
    if (r.storage(v).committed_blocks().size() > r.storage(tallest).committed_blocks().size())
      tallest = v;
  std::map<types::NodeId, std::int64_t> delta;
  std::size_t transfers = 0;
  for (const auto& block : r.storage(tallest).committed_blocks())
    for (const auto& tx : block->body().txs)
      for (const auto& ins : tx->payload().instructions)
        if (const auto* t = std::get_if<types::Transfer>(&ins)) {
          delta[t->from] -= static_cast<std::int64_t>(t->amount);
          delta[t->to] += static_cast<std::int64_t>(t->amount);
          ++transfers;
        }
  EXPECT_GT(transfers, 0u);
  for (auto v : validators) {
    const auto* node = r.node(v);
    if (!node || !node->execution()) continue;  // down at the end
    SCOPED_TRACE("validator " + std::to_string(v) + " at height " +
                 std::to_string(node->execution()->state().version()) + " of " +
                 std::to_string(r.storage(tallest).committed_height()));
    const auto& ex = *node->execution();
    EXPECT_EQ(ex.ledger().pending().size(), 0u) << "transactions still pending";
    EXPECT_EQ(ex.stats().state_root_mismatches, 0u);
    EXPECT_EQ(ex.stats().diverged_commits, 0u);
    for (const auto& [account, d] : delta) {
      auto stored = ex.state().get(engine::balance_key(account, engine::native_resource()));
      ASSERT_TRUE(stored.has_value());
      auto amount = engine::decode_amount(*stored);
      ASSERT_TRUE(amount.has_value());
      EXPECT_EQ(static_cast<std::int64_t>(*amount), static_cast<std::int64_t>(genesis_balance) + d);
    }
  }
}

// A proposer at its in-flight limit orders nothing new (policy, not a
// fault): a load above what the limit allows waits in the pool. Progress
// must not call that a halt; it owes only what the limit lets through (a
// chain that ordered nothing would still break it).
TEST(ExecutionSim, ALoadAboveTheInFlightLimitIsNotCalledAHalt) {
  auto s = transfers(8);
  s.duration_ms = 12'000;
  s.sim.node.execution.hard_in_flight = 8;
  s.sim.node.execution.soft_in_flight = 4;
  auto report = run_scenario(s);
  for (const auto& [name, violation] : report.invariants)
    EXPECT_FALSE(violation) << name << ": " << *violation;
  EXPECT_TRUE(report.ok);
  EXPECT_FALSE(report.unchecked.contains("progress")) << report.unchecked.at("progress");
  ASSERT_TRUE(report.invariants.contains("progress"));
  // Far below the offered 200 tx/s, yet moving: limit-bound, not halted.
  ASSERT_TRUE(report.execution.has_value());
  EXPECT_GT(report.execution->completed_txs, 20u);
  EXPECT_LT(report.committed_txs, report.submitted_txs / 4);
}

/// 10,000 transfers (500 tx/s for 20 s), then 10 s to finish; faults by
/// `setup`. At least `min_committed` of them must commit (submissions to a
/// gateway that crashes are lost with its pool: a mempool matter, not
/// execution's); every one that committed must complete.
SimReport run_transfers(std::uint64_t seed, std::uint64_t min_committed,
                        const std::function<void(Scenario&)>& setup,
                        const std::function<void(SimulationRunner&)>& at_end = {}) {
  Scenario s;
  s.sim.seed = seed;
  s.duration_ms = 30'000;
  s.workload.tps = 500;
  s.workload.accounts_per_shard = 5000;
  s.execution = true;
  setup(s);
  // The workload runs 20 s; the rest of the run lets every outcome commit.
  std::uint64_t submitted = 0;
  s.on_finish = [&](SimulationRunner& r) {
    submitted = r.submitted_tx_count();
    expect_chain_balances(r, s.genesis_balance);
    if (at_end) at_end(r);
  };
  s.workload_stop_ms = 20'000;
  auto report = run_scenario(s);
  for (const auto& [name, violation] : report.invariants)
    EXPECT_FALSE(violation) << name << ": " << *violation;
  EXPECT_GE(submitted, 9'900u);
  EXPECT_GE(report.committed_txs, min_committed);
  return report;
}

TEST(ExecutionSim, TenThousandTransfersEndWithTheChainsBalances) {
  run_transfers(5, 9'900, [](Scenario&) {});
}

TEST(ExecutionSim, CrashRestartsRederiveAndFinishTheirDuties) {
  std::uint64_t restarts = 0, restores = 0, replays = 0;
  auto report = run_transfers(
      6, 7'000,
      [](Scenario& s) {
        s.crash_restart = true;
        s.faults_end_ms = 18'000;
      },
      [&](SimulationRunner& r) {
        restarts = r.stats().restarts;
        restores = r.stats().execution_restores;
        replays = r.stats().execution_replays;
      });
  // Every restart started from the stored state and ledger (none needed the
  // chain replayed), and each stored ledger was the one its chain derives.
  EXPECT_GT(restarts, 0u);
  EXPECT_EQ(restores, restarts);
  EXPECT_EQ(replays, 0u);
  ASSERT_TRUE(report.execution.has_value());
  EXPECT_EQ(report.execution->restarts_restored, restarts);
  EXPECT_FALSE(report.unchecked.contains("restored_ledger"))
      << report.unchecked.at("restored_ledger");
}

TEST(ExecutionSim, ACorruptedStoredLedgerIsReplacedByTheChainsOnRestart) {
  std::uint64_t replays = 0;
  std::string error;
  std::string corrupted_key;
  auto report = run_transfers(
      10, 9'000,
      [&](Scenario& s) {
        // At 6 s validator 2 goes down; an entry of its stored ledger is
        // overwritten (a bad sector); at 8 s it restarts.
        s.events.emplace_back(6'000, [&](SimulationRunner& r) {
          r.crash(2);
          auto keys = r.storage(2).ledger_keys();
          ASSERT_FALSE(keys.empty()) << "nothing pending at the crash: pick another time";
          corrupted_key = keys.front().hex().substr(0, 16);
          r.storage_for_test(2).corrupt_ledger_for_test(keys.front(), types::Bytes{1, 2, 3});
        });
        s.events.emplace_back(8'000, [](SimulationRunner& r) { r.restart(2); });
        s.faults_end_ms = 8'000;
      },
      [&](SimulationRunner& r) {
        replays = r.stats().execution_replays;
        error = r.last_execution_restore_error();
      });
  // The restart refused the store, said why, replayed its chain, and the
  // validator finished every duty with the right balances (checked above).
  EXPECT_EQ(replays, 1u);
  EXPECT_NE(error.find("ledger entry " + corrupted_key), std::string::npos) << error;
  EXPECT_NE(error.find("truncated"), std::string::npos) << error;
  // No restart reloaded a stored ledger: the comparison could not be made.
  ASSERT_TRUE(report.unchecked.contains("restored_ledger"));
  EXPECT_NE(report.unchecked.at("restored_ledger").find("1 of them replayed"), std::string::npos)
      << report.unchecked.at("restored_ledger");
}

TEST(ExecutionSim, MessageLossDelaysButLosesNoOutcome) {
  run_transfers(7, 9'000, [](Scenario& s) {
    s.sim.network.loss_ppm = 50'000;
    s.faults_end_ms = 18'000;
    s.events.emplace_back(18'000, [](SimulationRunner& r) { r.network().config().loss_ppm = 0; });
  });
}

// A validator cut off for a while catches up by sync, which commits several
// blocks in one step: a transaction ordered by one of them and finished by
// a later one must still read Committed before Completed (the mempool's
// statuses for a block come before execution's for the blocks after it).
TEST(ExecutionSim, CatchingUpSeveralBlocksAtOnceKeepsTheStatusOrder) {
  auto s = transfers(1);
  s.duration_ms = 25'000;
  s.workload.tps = 1000;
  s.workload.accounts_per_shard = 8000;
  s.partitions.push_back({5'000, 12'000, {1}, {}, false});
  s.sim.stop_at_first_violation = false;
  auto report = run_scenario(s);
  ASSERT_TRUE(report.invariants.contains("status_lifecycle"));
  EXPECT_FALSE(report.invariants.at("status_lifecycle"))
      << *report.invariants.at("status_lifecycle");
  for (const auto& [name, violation] : report.invariants)
    EXPECT_FALSE(violation) << name << ": " << *violation;
}

// A silent validator that restarts behind never catches up (its sync
// requests never leave) and its round timer only grows: that must not
// stretch the deadlines the honest validators are held to, or completion
// could never be judged.
TEST(ExecutionSim, ARestartedSilentValidatorDoesNotStretchTheCompletionDeadline) {
  auto s = transfers(3);
  s.duration_ms = 30'000;
  s.workload.tps = 1000;
  s.workload.accounts_per_shard = 8000;
  s.byzantine = {{ByzantineKind::kSilent, 1}};
  s.crashes.push_back({3'000, 5'000, {3}});
  auto report = run_scenario(s);
  EXPECT_FALSE(report.unchecked.contains("completion")) << report.unchecked.at("completion");
  for (const auto& [name, violation] : report.invariants)
    EXPECT_FALSE(violation) << name << ": " << *violation;
}

TEST(ExecutionSim, AByzantineValidatorCannotStopOutcomes) {
  run_transfers(8, 9'500, [](Scenario& s) { s.byzantine = {{ByzantineKind::kEquivocate, 1}}; });
}

TEST(ExecutionSim, ACorruptedValidatorRefusesToVoteAndTheShardGoesOn) {
  auto s = transfers(9);
  const types::ValidatorId corrupted = 3;
  // At 5 s validator 3's disk loses an account's balance: its state roots
  // differ from the chain's from then on.
  s.events.emplace_back(5'000, [&](SimulationRunner& r) {
    TransferWorkload accounts(s.workload, s.sim.shards, s.sim.crypto, s.sim.seed);
    auto account = types::account_address(accounts.account_keys().front().span());
    r.node_for_test(corrupted)->execution_for_test()->corrupt_for_test(
        {engine::balance_key(account, engine::native_resource()), engine::encode_amount(7)});
  });
  s.faults_end_ms = 5'000;
  s.sim.stop_at_first_violation = false;
  Seen seen;
  s.on_finish = [&](SimulationRunner& r) { seen = observe(r); };
  auto report = run_scenario(s);
  // The state_root invariant names the corrupted validator; nothing else breaks.
  for (const auto& [name, violation] : report.invariants) {
    if (name == "state_root") {
      ASSERT_TRUE(violation.has_value());
      EXPECT_NE(violation->find("validator 3 "), std::string::npos) << *violation;
    } else {
      EXPECT_FALSE(violation) << name << ": " << *violation;
    }
  }
  ASSERT_EQ(seen.stats.size(), 4u);
  // It reports the mismatch, as a voter and at every commit, and refuses to vote.
  EXPECT_GT(seen.stats[corrupted].state_root_mismatches, 10u);
  EXPECT_GT(seen.stats[corrupted].diverged_commits, 10u);
  EXPECT_GT(seen.stats[corrupted].blocks_refused, 10u);
  // The others agree with each other and keep completing transfers.
  // (They refuse the corrupted validator's own proposals: their roots are wrong.)
  for (types::ValidatorId v = 0; v < 3; ++v) {
    SCOPED_TRACE(v);
    EXPECT_EQ(seen.stats[v].diverged_commits, 0u);
    EXPECT_GT(seen.stats[v].completed_accept, 3000u);
    if (seen.heights[v] == seen.heights[0]) {
      EXPECT_EQ(seen.roots[v], seen.roots[0]);
    }
  }
  EXPECT_NE(seen.roots[corrupted], seen.roots[0]);
}

}  // namespace
}  // namespace hyperscale::simulation
