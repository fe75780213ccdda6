// The invariant checker on its own, fed by hand: each check must fail the
// runs it is about (a stuck validator, a halted or crawling chain, a
// validator signing two timeouts) and hold on a healthy one, and say "not
// checked" when it cannot decide.

#include "simulation/invariants.h"

#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <algorithm>

#include "core/genesis.h"
#include "simulation/latency.h"

namespace hyperscale::simulation {
namespace {

/// A chain of empty blocks above genesis.
/// `length` blocks on genesis, each ordering `txs_per_block` transactions.
std::vector<types::BlockRef> chain(std::size_t length, std::size_t txs_per_block = 0) {
  std::vector<types::BlockRef> out{core::genesis_block(0)};
  auto tx = std::make_shared<const types::Transaction>(types::TransactionPayload{}, 0,
                                                       std::vector<types::Ed25519Signature>{});
  for (std::size_t i = 1; i <= length; ++i) {
    types::BlockHeader h;
    h.height = i;
    h.round = i;
    h.parent_hash = out.back()->hash();
    h.justify = types::QuorumCertificate::genesis(0, out.back()->hash());
    h.justify.height = i - 1;
    h.timestamp_ms = i * 100;
    types::BlockBody body;
    body.txs.assign(txs_per_block, tx);
    h.roots = body.compute_roots();
    out.push_back(types::Block::assemble(std::move(h), std::move(body)));
  }
  return out;
}

LivenessPolicy policy() {
  LivenessPolicy p;
  p.heal_ms = 0;
  p.catch_up_deadline_ms = 5'000;
  p.lag_tolerance_ms = 1'000;
  p.max_commit_gap_ms = 4'000;
  p.min_blocks_per_s = 4;
  p.min_committed_fraction = 0.9;
  p.drain_ms = 1'000;
  p.min_steady_ms = 2'000;
  p.floor = "test floor";
  return p;
}

/// Four validators; `height_of(v, t)` says what each has committed at t
/// (and `round_of(v, t)` which round it is in: one per 100 ms by default).
/// Commits and samples every 100 ms up to `until`.
template <class Height, class RoundOf>
InvariantChecker run(Height height_of, types::TimestampMs until, const OfferedLoad& load,
                     RoundOf round_of, const LivenessPolicy& p = policy(),
                     std::size_t txs_per_block = 0) {
  InvariantChecker c;
  c.set_honest_validators(4);
  c.expect_liveness(p, 1);
  auto blocks = chain(1'000, txs_per_block);
  std::vector<types::BlockHeight> at(4, 0);
  for (types::TimestampMs t = 0; t <= until && !c.broken(); t += 100) {
    std::vector<ValidatorView> views;
    for (types::ValidatorId v = 0; v < 4; ++v) {
      for (auto want = height_of(v, t); at[v] < want;)
        c.on_commit(v, 0, *blocks[++at[v]], t, true);
      views.push_back({v, 0, at[v], round_of(v, t), true});
    }
    c.on_vote_sent(0, t / 100 + 1, blocks[1]->hash());
    c.sample(t, views);
  }
  c.finish(until, [&](types::TimestampMs, types::TimestampMs) { return load; });
  return c;
}

template <class Height>
InvariantChecker run(Height height_of, types::TimestampMs until, const OfferedLoad& load = {}) {
  return run(height_of, until, load,
             [](types::ValidatorId, types::TimestampMs t) { return t / 100 + 1; });
}

TEST(InvariantChecker, AHealthyRunHolds) {
  auto c = run([](types::ValidatorId, types::TimestampMs t) { return t / 100; }, 20'000,
               {1'000, 0, 1'000});
  EXPECT_TRUE(c.ok());
  EXPECT_TRUE(c.unchecked().empty());
}

TEST(InvariantChecker, AValidatorLeftBehindBreaksCatchUp) {
  // Validator 3 stops at height 26 while the others go on (the crash-restart
  // seed 4 case): "ok" before, a violation at the deadline now.
  auto c = run(
      [](types::ValidatorId v, types::TimestampMs t) {
        return v == 3 ? std::min<types::BlockHeight>(t / 100, 26) : t / 100;
      },
      20'000);
  ASSERT_TRUE(c.results().at("catch_up").has_value());
  EXPECT_NE(c.results().at("catch_up")->find("validator 3"), std::string::npos);
}

TEST(InvariantChecker, AHaltedChainBreaksProgress) {
  auto c = run([](types::ValidatorId,
                  types::TimestampMs t) { return std::min<types::BlockHeight>(t / 100, 20); },
               20'000);
  ASSERT_TRUE(c.results().at("progress").has_value());
  EXPECT_NE(c.results().at("progress")->find("committed nothing"), std::string::npos);
  EXPECT_FALSE(c.results().at("catch_up").has_value()) << "everyone is at the same (stuck) height";
}

TEST(InvariantChecker, AChainCrawlingBelowTheFloorBreaksProgress) {
  // One block every 2 s (the clock-skew case: 6 blocks in 30 s was "ok").
  auto c = run([](types::ValidatorId, types::TimestampMs t) { return t / 2'000; }, 30'000);
  ASSERT_TRUE(c.results().at("progress").has_value());
  EXPECT_NE(c.results().at("progress")->find("floor"), std::string::npos);
}

TEST(InvariantChecker, AShardDrainingItsLoadInFullerBlocksIsNotCrawling) {
  // One block every 2 s, below the 4/s floor, but each orders 100
  // transactions: 1,400 in the steady part against 1,000 offered. That is a
  // backlog drained in fuller blocks (10% loss, then recovery), not a crawl.
  auto crawl = [](types::ValidatorId, types::TimestampMs t) { return t / 2'000; };
  auto round = [](types::ValidatorId, types::TimestampMs t) { return t / 100 + 1; };
  auto full = run(crawl, 30'000, {1'000, 0, 1'000}, round, policy(), 100);
  EXPECT_FALSE(full.results().at("progress").has_value()) << *full.results().at("progress");
  // Ordering less than it is offered, the same blocks are a crawl.
  auto behind = run(crawl, 30'000, {2'000, 0, 1'900}, round, policy(), 100);
  ASSERT_TRUE(behind.results().at("progress").has_value());
  EXPECT_NE(behind.results().at("progress")->find("floor"), std::string::npos);
}

TEST(InvariantChecker, TheOfferedLoadMustBeCommitted) {
  auto c = run([](types::ValidatorId, types::TimestampMs t) { return t / 100; }, 20'000,
               {1'000, 100, 500});
  ASSERT_TRUE(c.results().at("progress").has_value());
  EXPECT_NE(c.results().at("progress")->find("transactions"), std::string::npos);
  // What back-pressure refused is not owed.
  auto refused = run([](types::ValidatorId, types::TimestampMs t) { return t / 100; }, 20'000,
                     {1'000, 500, 500});
  EXPECT_TRUE(refused.ok());
}

TEST(InvariantChecker, AnInFlightBoundOwesWhatTheLimitLetsThroughNotNothing) {
  // The steady part runs from 100 ms to 20 s, judged up to 19 s: 18.9 s at
  // 10 tx/s owes 189. 20,000 offered, 200 committed: the limit, not a halt.
  auto p = policy();
  p.bounded_tps = 10;
  p.bounded_why = "test limit";
  auto height = [](types::ValidatorId, types::TimestampMs t) { return t / 100; };
  auto round = [](types::ValidatorId, types::TimestampMs t) { return t / 100 + 1; };
  EXPECT_TRUE(run(height, 20'000, {20'000, 0, 200}, round, p).ok());
  // A chain whose blocks keep coming but order nothing still breaks it (the
  // share was not judged at all under such a bound before).
  auto halted = run(height, 20'000, {20'000, 0, 0}, round, p);
  ASSERT_TRUE(halted.results().at("progress").has_value());
  EXPECT_NE(halted.results().at("progress")->find("owed (test limit)"), std::string::npos)
      << *halted.results().at("progress");
  // Without the bound the same 200 of 20,000 breaks it.
  EXPECT_FALSE(run(height, 20'000, {20'000, 0, 200}).ok());
}

TEST(InvariantChecker, ATransactionWindowTooShortToJudgeIsNotChecked) {
  // A steady part of 2 s (from the first commit, at 100 ms) with a 1 s
  // drain leaves under a second of offered load to judge: nothing was
  // committed, yet it said "ok" before (the ten validators with three twins
  // and a partition crawled at 20 %).
  auto c =
      run([](types::ValidatorId, types::TimestampMs t) { return t / 100; }, 2'100, {1'000, 0, 0});
  EXPECT_TRUE(c.ok());
  ASSERT_TRUE(c.unchecked().contains("progress"));
  EXPECT_NE(c.unchecked().at("progress").find("transactions not checked"), std::string::npos);
  // Without offered load there is nothing to judge and nothing to say.
  auto idle = run([](types::ValidatorId, types::TimestampMs t) { return t / 100; }, 2'100);
  EXPECT_TRUE(idle.unchecked().empty());
}

/// Validators 0-2 commit a block per 100 ms; validator 3 is down until
/// `restart_ms`, then restarts at height 0 and stays there. Samples from
/// `from` to `until`.
struct RestartRun {
  InvariantChecker c;
  std::vector<types::BlockRef> blocks = chain(300);
  types::TimestampMs restart_ms;

  explicit RestartRun(types::TimestampMs restart) : restart_ms(restart) {
    c.set_honest_validators(4);
    c.expect_liveness(policy(), 1);
  }
  void run(types::TimestampMs from, types::TimestampMs until) {
    for (types::TimestampMs t = from; t <= until; t += 100) {
      std::vector<ValidatorView> views;
      for (types::ValidatorId v = 0; v < 3; ++v) {
        c.on_commit(v, 0, *blocks[t / 100], t, true);
        views.push_back({v, 0, t / 100, t / 100 + 1, true});
      }
      if (t == restart_ms) c.on_restart(3, 0, blocks[0]->hash(), t);
      views.push_back({3, 0, 0, 1, t >= restart_ms});
      c.sample(t, views);
    }
  }
};

TEST(InvariantChecker, ARestartedValidatorHasTheDeadlineFromItsRestart) {
  RestartRun run(8'000);  // down until 8 s, then far behind
  run.run(0, 10'000);
  EXPECT_FALSE(run.c.results().at("catch_up").has_value()) << "within 5 s of its restart";
  run.run(10'100, 14'000);
  EXPECT_TRUE(run.c.results().at("catch_up").has_value()) << "still at 0 past restart + deadline";
}

TEST(InvariantChecker, AValidatorThatCommitsButStaysInAnOldRoundBreaksCatchUp) {
  // Validator 2 keeps its committed height (sync brings the blocks) but its
  // consensus stays in round 30: it votes and times out nowhere. Before,
  // only heights were compared and this was "ok".
  auto c = run([](types::ValidatorId, types::TimestampMs t) { return t / 100; }, 20'000,
               {1'000, 0, 1'000},
               [](types::ValidatorId v, types::TimestampMs t) {
                 return v == 2 ? std::min<types::Round>(t / 100 + 1, 30) : t / 100 + 1;
               });
  ASSERT_TRUE(c.results().at("catch_up").has_value());
  EXPECT_NE(c.results().at("catch_up")->find("validator 2 in round 30"), std::string::npos)
      << *c.results().at("catch_up");
}

TEST(InvariantChecker, ARestartWhoseDeadlinePassesTheEndIsNotChecked) {
  // Restarted at 9 s, far behind at the end (10 s), its deadline (5 s)
  // still running: neither ok nor a violation.
  RestartRun run(9'000);
  run.run(0, 10'000);
  run.c.finish(10'000, [](types::TimestampMs, types::TimestampMs) { return OfferedLoad{}; });
  EXPECT_FALSE(run.c.results().at("catch_up").has_value());
  ASSERT_TRUE(run.c.unchecked().contains("catch_up"));
  EXPECT_NE(run.c.unchecked().at("catch_up").find("validator 3 restarted"), std::string::npos);
}

TEST(InvariantChecker, TwoDifferentTimeoutsOfOneRoundBreakNoDoubleVote) {
  InvariantChecker c;
  c.on_timeout_sent(1, 5, types::hash_bytes("a"));
  c.on_timeout_sent(1, 5, types::hash_bytes("a"));  // sent again: the same timeout
  EXPECT_FALSE(c.results().at("no_double_vote").has_value());
  c.on_timeout_sent(1, 5, types::hash_bytes("b"));
  EXPECT_TRUE(c.results().at("no_double_vote").has_value());
}

TEST(InvariantChecker, WithNoCommitAfterTheFaultsCatchUpHasNothingToJudge) {
  // More than f crashed until the end: everyone "caught up" to a chain that
  // never moved again was "ok" before.
  auto p = policy();
  p.heal_ms = 10'000;
  auto every_round = [](types::ValidatorId, types::TimestampMs t) { return t / 100 + 1; };
  auto halted = run([](types::ValidatorId,
                       types::TimestampMs t) { return std::min<types::BlockHeight>(t / 100, 20); },
                    10'000, {}, every_round, p);
  ASSERT_TRUE(halted.unchecked().contains("catch_up"));
  EXPECT_NE(halted.unchecked().at("catch_up").find("nothing to catch up to"), std::string::npos);
  // A first commit after the faults within the lag tolerance of the end
  // asks nothing of anyone either (as a slow link's tolerance reaching back
  // to genesis did: `--slow 1:1000000 --duration 10` was "ok" with
  // validator 1 at height 0 of 54).
  auto late = run(
      [](types::ValidatorId v, types::TimestampMs t) -> types::BlockHeight {
        if (t < 10'500) return std::min<types::BlockHeight>(t / 100, 20);
        return v == 3 ? 20 : 21;
      },
      11'000, {}, every_round, p);
  ASSERT_TRUE(late.unchecked().contains("catch_up"))
      << late.results().at("catch_up").value_or("ok");
  EXPECT_NE(late.unchecked().at("catch_up").find("asked nothing of them"), std::string::npos);
}

TEST(InvariantChecker, TheRateIsOwedFromTheFirstCommitAfterTheFaults) {
  // A shard that lost its quorum until 10 s restarts with round timers grown
  // during the outage and commits again at 13 s: judging the rate from 10 s
  // failed a run that recovers (a longer run of the same faults passed).
  auto p = policy();
  p.heal_ms = 10'000;
  auto recovering = [](types::ValidatorId, types::TimestampMs t) -> types::BlockHeight {
    if (t < 13'000) return std::min<types::BlockHeight>(t / 100, 20);
    return 20 + (t - 13'000) / 100;
  };
  auto every_round = [](types::ValidatorId, types::TimestampMs t) { return t / 100 + 1; };
  auto c = run(recovering, 14'000, {}, every_round, p);
  EXPECT_TRUE(c.ok()) << c.results().at("progress").value_or("");
  ASSERT_TRUE(c.unchecked().contains("progress"));
  EXPECT_NE(c.unchecked().at("progress").find("run longer"), std::string::npos);
  // Run long enough, the same recovery is judged, and holds.
  auto longer = run(recovering, 20'000, {}, every_round, p);
  EXPECT_TRUE(longer.ok()) << longer.results().at("progress").value_or("");
  EXPECT_TRUE(longer.unchecked().empty()) << longer.unchecked().begin()->second;
}

TEST(InvariantChecker, WhatCannotBeDecidedSaysSo) {
  InvariantChecker nothing;
  nothing.set_honest_validators(4);
  nothing.finish(1'000, {});
  EXPECT_TRUE(nothing.ok());
  EXPECT_NE(nothing.unchecked().at("agreement").find("nothing was committed"), std::string::npos);
  EXPECT_NE(nothing.unchecked().at("no_double_vote").find("no honest validator signed"),
            std::string::npos);
  EXPECT_NE(nothing.unchecked().at("progress").find("before the faults stopped"),
            std::string::npos);
  InvariantChecker all_byzantine;
  all_byzantine.set_honest_validators(0);
  all_byzantine.expect_liveness(policy(), 1);
  all_byzantine.finish(60'000, {});
  EXPECT_NE(all_byzantine.unchecked().at("no_double_vote").find("no validator is honest"),
            std::string::npos);
  EXPECT_NE(all_byzantine.unchecked().at("catch_up").find("no validator is honest"),
            std::string::npos);
}

}  // namespace
}  // namespace hyperscale::simulation

namespace hyperscale::simulation {
namespace {

// Bounded memory for long runs: a double vote is caught within a
// validator's last kDoubleVoteWindowRounds rounds, however many rounds
// came before.
TEST(InvariantChecker, ADoubleVoteIsCaughtInsideTheWindowAfterAnyNumberOfRounds) {
  InvariantChecker c;
  c.set_honest_validators(1);
  types::Hash a{}, b{};
  b.bytes[0] = 1;
  for (types::Round r = 1; r <= 100'000; ++r)
    c.on_vote_sent(0, r, a);
  EXPECT_FALSE(c.broken());
  c.on_vote_sent(0, 100'000 - InvariantChecker::kDoubleVoteWindowRounds + 1, b);
  EXPECT_TRUE(c.broken());
  EXPECT_TRUE(c.results().at("no_double_vote"));
}

// The agreement check forgets heights only when every instance of the
// shard holds them: a lagging instance's late, conflicting commit of an old
// height is still caught after thousands of commits by the others.
TEST(InvariantChecker, AgreementKeepsTheHeightsALaggingInstanceHasNotCommitted) {
  InvariantChecker c;
  c.set_honest_validators(3);
  c.set_instances(3);
  auto blocks = chain(3'000);
  types::TimestampMs t = 0;
  for (types::BlockHeight h = 1; h <= 10; ++h)
    c.on_commit(2, 0, *blocks[h], ++t, true);
  for (types::BlockHeight h = 1; h <= 3'000; ++h)
    for (types::ValidatorId v : {0u, 1u})
      c.on_commit(v, 0, *blocks[h], ++t, true);
  ASSERT_FALSE(c.broken());
  // Validator 2 now commits a different block at height 11.
  auto fork = chain(11);
  types::BlockHeader h = fork[11]->header();
  h.parent_hash = blocks[10]->hash();
  h.timestamp_ms = 987'654;
  types::BlockBody body;
  h.roots = body.compute_roots();
  c.on_commit(2, 0, *types::Block::assemble(std::move(h), std::move(body)), ++t, true);
  EXPECT_TRUE(c.results().at("agreement"));
}

TEST(LatencyHistogram, PercentilesAreTheSortedValueAtRoundedRank) {
  rc::check([](std::vector<std::uint32_t> raw) {
    LatencyHistogram h;
    std::vector<std::uint64_t> values;
    for (auto v : raw) {
      // Both sides of the dense/sparse boundary.
      std::uint64_t ms = v % 3 == 0 ? v % 200'000 : v % 2'000;
      values.push_back(ms);
      h.add(ms);
    }
    std::sort(values.begin(), values.end());
    RC_ASSERT(h.count() == values.size());
    for (double q : {0.0, 0.5, 0.9, 0.99, 1.0}) {
      std::uint64_t want = 0;
      if (!values.empty()) {
        auto i = static_cast<std::size_t>(q * static_cast<double>(values.size() - 1) + 0.5);
        want = values[std::min(i, values.size() - 1)];
      }
      RC_ASSERT(h.quantile(q) == want);
    }
  });
}

}  // namespace
}  // namespace hyperscale::simulation
