// The transaction engine against its rules (DESIGN §6): authorization,
// balances that never go negative or wrap, a worktop that must balance,
// fees that conserve supply, writes that are sorted, minimal and absent on
// failure, and genesis states that partition across shards.

#include "engine/engine.h"

#include <gtest/gtest.h>

#include <random>

#include "crypto/ed25519.h"
#include "engine/genesis.h"
#include "engine/limits.h"
#include "engine/substates.h"

namespace hyperscale::engine {
namespace {

using types::Amount;
using types::Bytes;
using types::Ed25519PublicKey;
using types::Instruction;
using types::NodeId;
using types::StateEntry;
using types::SubstateKey;
using types::Transaction;

constexpr Amount kMax = ~Amount{0};

Ed25519PublicKey test_key(std::uint32_t i) {
  auto seed = types::Hasher().update(std::string_view("engine-test-key")).update_u32(i).finish();
  return crypto::Ed25519KeyPair::from_seed(seed.bytes).public_key();
}

/// Sorted, unique signers; one dummy signature each (the engine does not verify them).
Transaction make_tx(std::vector<Instruction> instructions, std::vector<Ed25519PublicKey> signers,
                    std::uint64_t nonce = 0) {
  std::sort(signers.begin(), signers.end());
  signers.erase(std::unique(signers.begin(), signers.end()), signers.end());
  types::TransactionPayload p;
  p.instructions = std::move(instructions);
  p.nonce = nonce;
  p.valid_from_ms = 0;
  p.valid_until_ms = 60'000;
  p.signers = std::move(signers);
  std::vector<types::Ed25519Signature> sigs(p.signers.size());
  return Transaction(std::move(p), 0, std::move(sigs));
}

const NodeId& gold() {
  static const NodeId id = types::resource_address("gold");
  return id;
}

/// `n` accounts funded by genesis on one shard: native and "gold".
class EngineTest : public ::testing::Test {
 protected:
  static constexpr std::uint32_t kAccounts = 8;
  static constexpr Amount kNative = 1000;
  static constexpr Amount kGold = 50;

  EngineTest() {
    GenesisConfig config;
    for (std::uint32_t i = 0; i < kAccounts; ++i) {
      keys_.push_back(test_key(i));
      accounts_.push_back(types::account_address(keys_.back().span()));
    }
    config.owners = keys_;
    config.native_balance_per_account = kNative;
    config.extra_resources.push_back({"gold", kGold});
    auto entries = genesis_entries(config, 0, 1);
    EXPECT_TRUE(entries.has_value());
    view_ = MapStateView(std::span<const StateEntry>(*entries));
  }

  Transaction transfer(std::uint32_t from, std::uint32_t to, Amount amount,
                       const NodeId& resource = native_resource()) {
    return make_tx({types::Transfer{accounts_[from], accounts_[to], resource, amount}},
                   {keys_[from]});
  }

  Amount balance(const NodeId& account, const NodeId& resource = native_resource()) const {
    auto v = view_.get(balance_key(account, resource));
    return v ? *decode_amount(*v) : 0;
  }

  void expect_failure(const ExecutionOutcome& out, ExecutionError error,
                      std::uint32_t instruction) {
    EXPECT_FALSE(out.success);
    EXPECT_EQ(out.error, error) << to_string(out.error);
    EXPECT_EQ(out.failed_instruction, instruction);
    EXPECT_TRUE(out.writes.empty());
  }

  std::vector<Ed25519PublicKey> keys_;
  std::vector<NodeId> accounts_;
  MapStateView view_;
};

// --- transfers -----------------------------------------------------------------------

TEST_F(EngineTest, TransferMovesTheAmountBetweenBalances) {
  auto out = execute(transfer(0, 1, 300), view_);
  ASSERT_TRUE(out.success) << to_string(out.error);
  // Sorted through a map (std::sort of StateEntry trips a GCC 12 -O1 false
  // maybe-uninitialized warning).
  std::map<SubstateKey, std::optional<Bytes>> sorted{
      {balance_key(accounts_[0], native_resource()), encode_amount(kNative - 300)},
      {balance_key(accounts_[1], native_resource()), encode_amount(kNative + 300)},
  };
  std::vector<StateEntry> expected;
  for (const auto& [key, value] : sorted)
    expected.push_back({key, value});
  EXPECT_EQ(out.writes, expected);
}

TEST_F(EngineTest, OverdraftIsRefusedWithoutWrites) {
  expect_failure(execute(transfer(0, 1, kNative + 1), view_), ExecutionError::kInsufficientBalance,
                 0);
  expect_failure(execute(transfer(0, 1, kGold + 1, gold()), view_),
                 ExecutionError::kInsufficientBalance, 0);
  // A later instruction overdrawing what an earlier one left fails the whole tx.
  auto tx = make_tx({types::Transfer{accounts_[0], accounts_[1], native_resource(), 600},
                     types::Transfer{accounts_[0], accounts_[2], native_resource(), 600}},
                    {keys_[0]});
  expect_failure(execute(tx, view_), ExecutionError::kInsufficientBalance, 1);
}

TEST_F(EngineTest, TransferOfAResourceNeverHeldIsAnOverdraft) {
  auto none = types::resource_address("never-minted");
  expect_failure(execute(transfer(0, 1, 1, none), view_), ExecutionError::kInsufficientBalance, 0);
}

TEST_F(EngineTest, TransferSignedByAnotherKeyIsUnauthorized) {
  auto tx =
      make_tx({types::Transfer{accounts_[0], accounts_[1], native_resource(), 1}}, {keys_[1]});
  expect_failure(execute(tx, view_), ExecutionError::kUnauthorized, 0);
}

TEST_F(EngineTest, WithdrawSignedByAnotherKeyIsUnauthorized) {
  auto tx = make_tx({types::Withdraw{accounts_[0], native_resource(), 5},
                     types::Deposit{accounts_[1], native_resource(), 5}},
                    {keys_[1], keys_[2]});
  expect_failure(execute(tx, view_), ExecutionError::kUnauthorized, 0);
}

TEST_F(EngineTest, TransferFromAnUnknownAccountIsRefused) {
  auto stranger = test_key(1000);
  auto tx = make_tx({types::Transfer{types::account_address(stranger.span()), accounts_[1],
                                     native_resource(), 1}},
                    {stranger});
  expect_failure(execute(tx, view_), ExecutionError::kUnknownAccount, 0);
}

TEST_F(EngineTest, TransferToAnUnknownAccountIsRefused) {
  auto nobody = types::account_address(test_key(1000).span());
  auto tx = make_tx({types::Transfer{accounts_[0], nobody, native_resource(), 1}}, {keys_[0]});
  expect_failure(execute(tx, view_), ExecutionError::kUnknownAccount, 0);
}

TEST_F(EngineTest, DepositIntoAnUnknownAccountIsRefused) {
  auto nobody = types::account_address(test_key(1000).span());
  auto tx = make_tx({types::Withdraw{accounts_[0], native_resource(), 5},
                     types::Deposit{nobody, native_resource(), 5}},
                    {keys_[0]});
  expect_failure(execute(tx, view_), ExecutionError::kUnknownAccount, 1);
}

TEST_F(EngineTest, RecipientBalanceOverflowIsRefused) {
  view_.set(balance_key(accounts_[1], native_resource()), encode_amount(kMax - 5));
  expect_failure(execute(transfer(0, 1, 6), view_), ExecutionError::kOverflow, 0);
  auto ok = execute(transfer(0, 1, 5), view_);
  ASSERT_TRUE(ok.success);
  view_.apply(ok.writes);
  EXPECT_EQ(balance(accounts_[1]), kMax);

  auto deposit = make_tx({types::Withdraw{accounts_[0], native_resource(), 6},
                          types::Deposit{accounts_[1], native_resource(), 6}},
                         {keys_[0]});
  expect_failure(execute(deposit, view_), ExecutionError::kOverflow, 1);
}

TEST_F(EngineTest, WorktopOverflowIsRefused) {
  Amount half = Amount{1} << 63;
  view_.set(balance_key(accounts_[0], gold()), encode_amount(half));
  view_.set(balance_key(accounts_[1], gold()), encode_amount(half));
  auto tx = make_tx(
      {types::Withdraw{accounts_[0], gold(), half}, types::Withdraw{accounts_[1], gold(), half},
       types::Deposit{accounts_[2], gold(), half}, types::Deposit{accounts_[2], gold(), half}},
      {keys_[0], keys_[1]});
  expect_failure(execute(tx, view_), ExecutionError::kOverflow, 1);
}

// --- the worktop ---------------------------------------------------------------------

TEST_F(EngineTest, WithdrawWithoutDepositLeavesAnUnbalancedWorktop) {
  auto tx = make_tx({types::Withdraw{accounts_[0], native_resource(), 5}}, {keys_[0]});
  expect_failure(execute(tx, view_), ExecutionError::kUnbalancedWorktop, 1);
  // Deposited in part, or in another resource: still unbalanced.
  auto partial = make_tx({types::Withdraw{accounts_[0], native_resource(), 5},
                          types::Deposit{accounts_[1], native_resource(), 4}},
                         {keys_[0]});
  expect_failure(execute(partial, view_), ExecutionError::kUnbalancedWorktop, 2);
}

TEST_F(EngineTest, DepositWithoutWithdrawIsUnbalanced) {
  auto tx = make_tx({types::Deposit{accounts_[1], native_resource(), 5}}, {keys_[0]});
  expect_failure(execute(tx, view_), ExecutionError::kUnbalancedWorktop, 0);
  auto other = make_tx({types::Withdraw{accounts_[0], native_resource(), 5},
                        types::Deposit{accounts_[1], gold(), 5}},
                       {keys_[0]});
  expect_failure(execute(other, view_), ExecutionError::kUnbalancedWorktop, 1);
  auto more = make_tx({types::Withdraw{accounts_[0], native_resource(), 5},
                       types::Deposit{accounts_[1], native_resource(), 6}},
                      {keys_[0]});
  expect_failure(execute(more, view_), ExecutionError::kUnbalancedWorktop, 1);
}

TEST_F(EngineTest, WithdrawAndDepositsMoveFundsThroughTheWorktop) {
  auto tx = make_tx({types::Withdraw{accounts_[0], native_resource(), 10},
                     types::Withdraw{accounts_[1], native_resource(), 20},
                     types::Deposit{accounts_[2], native_resource(), 25},
                     types::Deposit{accounts_[3], native_resource(), 5}},
                    {keys_[0], keys_[1]});
  auto out = execute(tx, view_);
  ASSERT_TRUE(out.success) << to_string(out.error);
  view_.apply(out.writes);
  EXPECT_EQ(balance(accounts_[0]), kNative - 10);
  EXPECT_EQ(balance(accounts_[1]), kNative - 20);
  EXPECT_EQ(balance(accounts_[2]), kNative + 25);
  EXPECT_EQ(balance(accounts_[3]), kNative + 5);
}

// --- accounts ------------------------------------------------------------------------

TEST_F(EngineTest, CreatingAnExistingAccountIsRefused) {
  auto tx = make_tx({types::CreateAccount{keys_[3]}}, {keys_[0]});
  expect_failure(execute(tx, view_), ExecutionError::kAccountExists, 0);
  auto key = test_key(1000);
  auto twice = make_tx({types::CreateAccount{key}, types::CreateAccount{key}}, {keys_[0]});
  expect_failure(execute(twice, view_), ExecutionError::kAccountExists, 1);
}

TEST_F(EngineTest, CreatedAccountIsSeenByLaterInstructions) {
  auto key = test_key(1000);
  auto account = types::account_address(key.span());
  auto tx = make_tx(
      {types::CreateAccount{key}, types::Transfer{accounts_[0], account, native_resource(), 7}},
      {keys_[0]});
  auto out = execute(tx, view_);
  ASSERT_TRUE(out.success) << to_string(out.error);
  view_.apply(out.writes);
  EXPECT_EQ(view_.get(account_record_key(account)), encode_owner(key));
  EXPECT_EQ(balance(account), 7u);
  // The new owner can now spend.
  auto back = make_tx({types::Transfer{account, accounts_[0], native_resource(), 7}}, {key});
  EXPECT_TRUE(execute(back, view_).success);
}

// --- corrupt state -------------------------------------------------------------------

TEST_F(EngineTest, CorruptStoredValuesAreExecutionFailures) {
  view_.set(balance_key(accounts_[0], native_resource()), Bytes(7, 0xff));
  expect_failure(execute(transfer(0, 1, 1), view_), ExecutionError::kCorruptState, 0);
  view_.set(balance_key(accounts_[0], native_resource()), Bytes(9, 0x01));
  expect_failure(execute(transfer(0, 1, 1), view_), ExecutionError::kCorruptState, 0);
  // A corrupt recipient balance and a corrupt owner record too.
  view_.set(balance_key(accounts_[0], native_resource()), encode_amount(kNative));
  view_.set(balance_key(accounts_[1], native_resource()), Bytes{});
  expect_failure(execute(transfer(0, 1, 1), view_), ExecutionError::kCorruptState, 0);
  view_.set(account_record_key(accounts_[2]), Bytes(31, 0));
  expect_failure(execute(transfer(2, 3, 1), view_), ExecutionError::kCorruptState, 0);
}

// --- fees ----------------------------------------------------------------------------

TEST_F(EngineTest, FeeMovesFromTheFirstDebitedAccountIntoItsVault) {
  FeeSchedule fees{3};
  auto tx =
      make_tx({types::Withdraw{accounts_[4], gold(), 10}, types::Withdraw{accounts_[5], gold(), 10},
               types::Deposit{accounts_[6], gold(), 20}},
              {keys_[4], keys_[5]});
  NodeId payer = types::debited_accounts(tx.payload()).front();
  auto before = total_supply(view_.entries());
  auto out = execute(tx, view_, fees);
  ASSERT_TRUE(out.success) << to_string(out.error);
  view_.apply(out.writes);
  EXPECT_EQ(balance(payer), kNative - 3);
  EXPECT_EQ(view_.get(fee_vault_key(payer, native_resource())), encode_amount(3));
  for (const auto& w : out.writes)
    EXPECT_TRUE(w.key.node == payer || w.key.partition == kBalancePartition);
  EXPECT_EQ(total_supply(view_.entries()), before);
  // Fees accumulate in the vault.
  auto again = execute(tx, view_, fees);
  ASSERT_TRUE(again.success);
  view_.apply(again.writes);
  EXPECT_EQ(view_.get(fee_vault_key(payer, native_resource())), encode_amount(6));
}

TEST_F(EngineTest, FeeAboveTheBalanceFailsTheTransaction) {
  expect_failure(execute(transfer(0, 1, kNative), view_, FeeSchedule{1}),
                 ExecutionError::kInsufficientBalance, 1);
  EXPECT_TRUE(execute(transfer(0, 1, kNative - 1), view_, FeeSchedule{1}).success);
}

TEST_F(EngineTest, FeeVaultOverflowIsRefused) {
  view_.set(fee_vault_key(accounts_[0], native_resource()), encode_amount(kMax));
  expect_failure(execute(transfer(0, 1, 1), view_, FeeSchedule{1}), ExecutionError::kOverflow, 1);
}

TEST_F(EngineTest, CorruptFeeVaultIsAnExecutionFailure) {
  view_.set(fee_vault_key(accounts_[0], native_resource()), Bytes(3, 0));
  expect_failure(execute(transfer(0, 1, 1), view_, FeeSchedule{1}), ExecutionError::kCorruptState,
                 1);
}

TEST_F(EngineTest, ZeroFeeTouchesNoVault) {
  auto out = execute(transfer(0, 1, 1), view_, FeeSchedule{0});
  ASSERT_TRUE(out.success);
  EXPECT_EQ(out.writes.size(), 2u);
  for (const auto& w : out.writes)
    EXPECT_EQ(w.key.partition, kBalancePartition);
}

TEST_F(EngineTest, TransactionThatDebitsNobodyPaysNoFee) {
  auto key = test_key(1000);
  auto out = execute(make_tx({types::CreateAccount{key}}, {keys_[0]}), view_, FeeSchedule{50});
  ASSERT_TRUE(out.success);
  ASSERT_EQ(out.writes.size(), 1u);
  EXPECT_EQ(out.writes[0].key, account_record_key(types::account_address(key.span())));
}

// --- writes --------------------------------------------------------------------------

TEST_F(EngineTest, WritesAreSortedAndOnlyTheChangedSubstates) {
  // Net-zero effects write nothing.
  for (const auto& tx :
       {transfer(0, 0, 5), transfer(0, 1, 0),
        make_tx({types::Withdraw{accounts_[0], native_resource(), 5},
                 types::Deposit{accounts_[0], native_resource(), 5}},
                {keys_[0]}),
        make_tx({types::Transfer{accounts_[0], accounts_[1], native_resource(), 5},
                 types::Transfer{accounts_[1], accounts_[0], native_resource(), 5}},
                {keys_[0], keys_[1]})}) {
    auto out = execute(tx, view_);
    ASSERT_TRUE(out.success);
    EXPECT_TRUE(out.writes.empty());
  }
  // Many accounts and resources: strictly sorted, and each differs from the view.
  std::vector<Instruction> ins;
  std::vector<Ed25519PublicKey> signers;
  for (std::uint32_t i = 0; i + 1 < kAccounts; ++i) {
    ins.push_back(types::Transfer{accounts_[i], accounts_[i + 1], native_resource(), 1 + i});
    ins.push_back(types::Transfer{accounts_[i + 1], accounts_[i], gold(), 2});
    signers.push_back(keys_[i]);
    signers.push_back(keys_[i + 1]);
  }
  auto out = execute(make_tx(ins, signers), view_, FeeSchedule{1});
  ASSERT_TRUE(out.success) << to_string(out.error);
  for (std::size_t i = 1; i < out.writes.size(); ++i)
    EXPECT_LT(out.writes[i - 1].key, out.writes[i].key);
  for (const auto& w : out.writes)
    EXPECT_NE(view_.get(w.key), w.value);
}

TEST_F(EngineTest, ZeroBalanceIsWrittenAsADelete) {
  auto out = execute(transfer(0, 1, kGold, gold()), view_);
  ASSERT_TRUE(out.success);
  auto key = balance_key(accounts_[0], gold());
  auto it = std::find_if(out.writes.begin(), out.writes.end(),
                         [&](const auto& w) { return w.key == key; });
  ASSERT_NE(it, out.writes.end());
  EXPECT_FALSE(it->value.has_value());
  // A stored zero (not canonical, but decodable) is deleted when touched.
  view_.set(balance_key(accounts_[2], gold()), encode_amount(0));
  auto tx = make_tx({types::Transfer{accounts_[2], accounts_[3], gold(), 0}}, {keys_[2]});
  auto cleaned = execute(tx, view_);
  ASSERT_TRUE(cleaned.success);
  ASSERT_EQ(cleaned.writes.size(), 1u);
  EXPECT_EQ(cleaned.writes[0].key, balance_key(accounts_[2], gold()));
  EXPECT_FALSE(cleaned.writes[0].value.has_value());
}

// --- manifest checks -----------------------------------------------------------------

TEST_F(EngineTest, EmptyManifestIsRefused) {
  expect_failure(execute(make_tx({}, {keys_[0]}), view_), ExecutionError::kEmptyManifest, 0);
}

TEST_F(EngineTest, ManifestAboveTheInstructionLimitIsRefused) {
  std::vector<Instruction> ins(types::limits::kMaxInstructionsPerTx + 1,
                               types::Transfer{accounts_[0], accounts_[1], native_resource(), 1});
  expect_failure(execute(make_tx(ins, {keys_[0]}), view_), ExecutionError::kTooManyInstructions,
                 types::limits::kMaxInstructionsPerTx);
  ins.pop_back();
  EXPECT_TRUE(execute(make_tx(ins, {keys_[0]}), view_).success);
}

TEST_F(EngineTest, UndeclaredAccessIsRefused) {
  auto tx = transfer(0, 1, 1);
  auto access = tx.access();
  ASSERT_EQ(access.writes.size(), 2u);
  for (std::size_t drop = 0; drop < 2; ++drop) {
    auto partial = access;
    partial.writes.erase(partial.writes.begin() + static_cast<std::ptrdiff_t>(drop));
    expect_failure(execute(tx.payload(), partial, view_), ExecutionError::kUndeclaredAccess, 0);
  }
  // Declared as read only: the record may be read, the balance not written.
  auto read_only = access;
  read_only.reads = {accounts_[1]};
  std::erase(read_only.writes, accounts_[1]);
  expect_failure(execute(tx.payload(), read_only, view_), ExecutionError::kUndeclaredAccess, 0);
  auto create = make_tx({types::CreateAccount{test_key(1000)}}, {keys_[0]});
  auto create_access = create.access();
  create_access.reads = create_access.writes;
  create_access.writes.clear();
  expect_failure(execute(create.payload(), create_access, view_), ExecutionError::kUndeclaredAccess,
                 0);
  EXPECT_TRUE(execute(tx.payload(), access, view_).success);
}

// --- conservation and determinism over random workloads --------------------------------

struct RandomRun {
  std::vector<ExecutionOutcome> outcomes;
  std::map<SubstateKey, Bytes> final_state;
};

/// Random transfers and withdraw/deposit manifests (some overdrawing, some
/// unauthorized, some with an unbalanced worktop) among the fixture's
/// accounts, applied one after another.
RandomRun run_random(MapStateView view, const std::vector<Ed25519PublicKey>& keys,
                     const std::vector<NodeId>& accounts, std::uint64_t seed, int txs,
                     const FeeSchedule& fees) {
  std::mt19937_64 rng(seed);
  auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
  const NodeId resources[] = {native_resource(), gold()};
  RandomRun run;
  auto before = total_supply(view.entries());
  EXPECT_TRUE(before.has_value());
  for (int i = 0; i < txs; ++i) {
    std::size_t a = pick(accounts.size()), b = pick(accounts.size()), c = pick(accounts.size());
    const NodeId& res = resources[pick(2)];
    Amount amount = rng() % 400;
    Transaction tx;
    auto signer = pick(20) == 0 ? keys[b] : keys[a];  // 5 % unauthorized
    switch (pick(4)) {
      case 0:
        tx = make_tx({types::Transfer{accounts[a], accounts[b], res, amount}}, {signer}, i);
        break;
      case 1:
        tx = make_tx({types::Withdraw{accounts[a], res, amount},
                      types::Deposit{accounts[b], res, amount / 2},
                      types::Deposit{accounts[c], res, amount - amount / 2}},
                     {signer}, i);
        break;
      case 2: {
        // Deposits one unit more or less than withdrawn, or exactly as much.
        Amount deposited = amount + 1 - std::min<Amount>(amount, rng() % 3);
        tx = make_tx({types::Withdraw{accounts[a], res, amount},
                      types::Deposit{accounts[b], res, deposited}},
                     {signer}, i);
        break;
      }
      default:
        tx = make_tx({types::Withdraw{accounts[a], res, amount},
                      types::Withdraw{accounts[c], res, amount / 3},
                      types::Deposit{accounts[b], res, amount + amount / 3}},
                     {signer, keys[c]}, i);
        break;
    }
    auto out = execute(tx, view, fees);
    if (!out.success) {
      EXPECT_TRUE(out.writes.empty());
    }
    for (std::size_t w = 0; w < out.writes.size(); ++w) {
      if (w > 0) {
        EXPECT_LT(out.writes[w - 1].key, out.writes[w].key);
      }
      EXPECT_NE(view.get(out.writes[w].key), out.writes[w].value);
      if (out.writes[w].value && parse_amount_key(out.writes[w].key)) {
        EXPECT_NE(*decode_amount(*out.writes[w].value), 0u) << "zero balance stored";
      }
    }
    view.apply(out.writes);
    run.outcomes.push_back(std::move(out));
  }
  auto after = total_supply(view.entries());
  EXPECT_TRUE(after.has_value()) << after.error();
  EXPECT_EQ(after, before);
  EXPECT_EQ(*after, recorded_supply(view.entries()));
  run.final_state = view.entries();
  return run;
}

TEST_F(EngineTest, RandomTransfersConserveEverySupply) {
  constexpr std::uint64_t kSeed = 0x5eed;
  for (Amount fee : {Amount{0}, Amount{2}}) {
    auto run = run_random(view_, keys_, accounts_, kSeed, 5000, FeeSchedule{fee});
    std::size_t ok = 0;
    std::map<ExecutionError, std::size_t> errors;
    for (const auto& o : run.outcomes) {
      ok += o.success;
      ++errors[o.error];
    }
    // The workload exercises both sides of the rules.
    EXPECT_GT(ok, 1000u);
    EXPECT_GT(errors[ExecutionError::kInsufficientBalance], 100u);
    EXPECT_GT(errors[ExecutionError::kUnauthorized], 50u);
    EXPECT_GT(errors[ExecutionError::kUnbalancedWorktop], 100u);
  }
}

TEST_F(EngineTest, SameInputsGiveIdenticalOutputs) {
  auto first = run_random(view_, keys_, accounts_, 42, 2000, FeeSchedule{1});
  auto second = run_random(view_, keys_, accounts_, 42, 2000, FeeSchedule{1});
  EXPECT_EQ(first.outcomes, second.outcomes);
  EXPECT_EQ(first.final_state, second.final_state);
  // And a copy of the view answers like the original.
  MapStateView copy(view_.entries());
  auto tx = transfer(0, 1, 9);
  EXPECT_EQ(execute(tx, view_, FeeSchedule{1}), execute(tx, copy, FeeSchedule{1}));
}

// --- MapStateView ---------------------------------------------------------------------

TEST(MapStateViewTest, LookupsMatchTheMapThroughInsertsAndDeletes) {
  // Few nodes, many keys per node and partition: long probe runs, growth and
  // backward-shift deletion all get exercised.
  std::mt19937_64 rng(11);
  std::map<SubstateKey, Bytes> oracle;
  MapStateView view;
  auto random_key = [&] {
    SubstateKey k;
    k.node.bytes[0] = static_cast<std::uint8_t>(rng() % 4);
    k.partition = static_cast<std::uint8_t>(rng() % 3);
    k.sort_key.assign(rng() % 3, static_cast<std::uint8_t>(rng() % 64));
    return k;
  };
  for (int step = 0; step < 20'000; ++step) {
    auto key = random_key();
    if (rng() % 3 == 0) {
      oracle.erase(key);
      view.erase(key);
    } else {
      Bytes value(1 + rng() % 4, static_cast<std::uint8_t>(step));
      oracle[key] = value;
      view.set(key, value);
    }
    auto probe = random_key();
    auto it = oracle.find(probe);
    ASSERT_EQ(view.get(probe), it == oracle.end() ? std::nullopt : std::optional(it->second));
  }
  ASSERT_EQ(view.entries(), oracle);
  for (const auto& [key, value] : oracle)
    ASSERT_EQ(view.get(key), value);

  // A copy has its own index: later changes to either side stay apart.
  MapStateView copy = view;
  auto first = oracle.begin()->first;
  view.erase(first);
  EXPECT_FALSE(view.get(first).has_value());
  EXPECT_EQ(copy.get(first), oracle.begin()->second);
  MapStateView moved = std::move(copy);
  EXPECT_EQ(moved.get(first), oracle.begin()->second);
}

// --- substates -----------------------------------------------------------------------

TEST(SubstatesTest, AmountsAreEightBytesLittleEndian) {
  EXPECT_EQ(encode_amount(0x0102030405060708), (Bytes{8, 7, 6, 5, 4, 3, 2, 1}));
  EXPECT_EQ(decode_amount(encode_amount(kMax)), kMax);
  EXPECT_FALSE(decode_amount(Bytes(7, 0)).has_value());
  EXPECT_FALSE(decode_amount(Bytes(9, 0)).has_value());
  EXPECT_FALSE(decode_owner(Bytes(31, 0)).has_value());
  EXPECT_FALSE(decode_owner(Bytes(33, 0)).has_value());
}

TEST(SubstatesTest, ResourceRecordsRoundTripAndRejectMalformedBytes) {
  ResourceRecord r{"gold", 12345};
  EXPECT_EQ(decode_resource_record(encode_resource_record(r)), r);
  EXPECT_FALSE(decode_resource_record(encode_resource_record({"", 1})).has_value());
  EXPECT_FALSE(
      decode_resource_record(encode_resource_record({std::string(65, 'x'), 1})).has_value());
  EXPECT_TRUE(
      decode_resource_record(encode_resource_record({std::string(64, 'x'), 1})).has_value());
  auto bytes = encode_resource_record(r);
  bytes.push_back(0);
  EXPECT_FALSE(decode_resource_record(bytes).has_value());
  bytes.resize(bytes.size() - 2);
  EXPECT_FALSE(decode_resource_record(bytes).has_value());
}

TEST(SubstatesTest, TotalSupplyRefusesMalformedAmountsAndOverflow) {
  auto a = types::account_address(test_key(1).span());
  auto b = types::account_address(test_key(2).span());
  std::vector<StateEntry> entries{{balance_key(a, gold()), encode_amount(kMax)},
                                  {fee_vault_key(b, gold()), encode_amount(1)}};
  EXPECT_FALSE(total_supply(entries).has_value());
  entries[1].value = Bytes(3, 0);
  EXPECT_FALSE(total_supply(entries).has_value());
  entries[1].value.reset();  // absent
  EXPECT_EQ(total_supply(entries), (SupplyMap{{gold(), kMax}}));
}

// --- genesis -------------------------------------------------------------------------

GenesisConfig genesis_config(std::uint32_t accounts) {
  GenesisConfig config;
  for (std::uint32_t i = 0; i < accounts; ++i)
    config.owners.push_back(test_key(i));
  config.native_balance_per_account = 1'000'000;
  config.extra_resources = {{"gold", 7}, {"silver", 0}, {"bronze", 3}};
  return config;
}

TEST(GenesisTest, ShardsPartitionTheWholeState) {
  auto config = genesis_config(64);
  auto whole = genesis_entries(config, 0, 1);
  ASSERT_TRUE(whole.has_value()) << whole.error();
  constexpr std::uint32_t kShards = 4;
  std::map<SubstateKey, std::optional<Bytes>> joined;
  std::size_t joined_count = 0;
  for (types::ShardId s = 0; s < kShards; ++s) {
    auto part = genesis_entries(config, s, kShards);
    ASSERT_TRUE(part.has_value()) << part.error();
    EXPECT_FALSE(part->empty());
    for (std::size_t i = 0; i < part->size(); ++i) {
      EXPECT_EQ(types::shard_of((*part)[i].key.node, kShards), s);
      if (i > 0) {
        EXPECT_LT((*part)[i - 1].key, (*part)[i].key);
      }
    }
    for (const auto& e : *part)
      joined.emplace(e.key, e.value);
    joined_count += part->size();
  }
  // Disjoint (no key twice) and complete.
  EXPECT_EQ(joined_count, joined.size());
  std::vector<StateEntry> joined_entries;
  for (const auto& [key, value] : joined)
    joined_entries.push_back({key, value});
  EXPECT_EQ(joined_entries, *whole);
  // 64 records and 3 non-zero balances per account, plus 4 resource records.
  EXPECT_EQ(whole->size(), 64u * 4 + 4);
}

TEST(GenesisTest, SupplyIsAccountsTimesBalance) {
  auto config = genesis_config(64);
  auto entries = genesis_entries(config, 0, 1);
  ASSERT_TRUE(entries.has_value());
  SupplyMap expected{{native_resource(), 64 * 1'000'000},
                     {types::resource_address("gold"), 64 * 7},
                     {types::resource_address("bronze"), 64 * 3}};
  EXPECT_EQ(total_supply(*entries), expected);
  expected[types::resource_address("silver")] = 0;  // recorded, but held by nobody
  EXPECT_EQ(recorded_supply(*entries), expected);
  MapStateView view(*entries);
  auto native = decode_resource_record(*view.get(resource_record_key(native_resource())));
  ASSERT_TRUE(native.has_value());
  EXPECT_EQ(native->name, kNativeResourceName);
}

TEST(GenesisTest, InvalidConfigsAreRefusedWithAMessage) {
  auto refused = [](const GenesisConfig& c, types::ShardId shard = 0, std::uint32_t shards = 1) {
    auto r = genesis_entries(c, shard, shards);
    if (r) return false;
    EXPECT_FALSE(r.error().empty());
    return true;
  };
  auto base = genesis_config(4);
  EXPECT_FALSE(refused(base));
  {
    auto c = base;
    c.owners.push_back(c.owners[1]);
    EXPECT_TRUE(refused(c));
  }
  {
    auto c = base;
    c.extra_resources.push_back({"gold", 1});
    EXPECT_TRUE(refused(c));
  }
  {
    auto c = base;
    c.extra_resources.push_back({std::string(kNativeResourceName), 1});
    EXPECT_TRUE(refused(c));
  }
  {
    auto c = base;
    c.extra_resources.push_back({"", 1});
    EXPECT_TRUE(refused(c));
  }
  {
    auto c = base;
    c.extra_resources.push_back({std::string(limits::kMaxResourceNameBytes + 1, 'x'), 1});
    EXPECT_TRUE(refused(c));
    c.extra_resources.back().name.pop_back();
    EXPECT_FALSE(refused(c));
  }
  {
    auto c = base;  // 4 accounts × 2^62 = 2^64: one too many
    c.native_balance_per_account = Amount{1} << 62;
    EXPECT_TRUE(refused(c));
    c.native_balance_per_account = (Amount{1} << 62) - 1;
    EXPECT_FALSE(refused(c));
    c.extra_resources.push_back({"huge", Amount{1} << 62});
    EXPECT_TRUE(refused(c));
  }
  EXPECT_TRUE(refused(base, 0, 0));
  EXPECT_TRUE(refused(base, 2, 2));
  EXPECT_TRUE(refused(base, 0, types::limits::kMaxShards + 1));
}

}  // namespace
}  // namespace hyperscale::engine
