// TransactionStatus: the full transition matrix, lock holding, finality and
// the text form. The expected matrix is written from the life cycle described
// in status.h, not read back from the implementation.

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <array>
#include <set>
#include <string>
#include <vector>

#include "types/generators.h"

namespace hyperscale::types {
namespace {

// Variant order of TransactionStatus::Value.
enum Kind : std::size_t {
  kPending,
  kCommitted,
  kExecuted,
  kCompleted,
  kDeferred,
  kRetried,
  kAborted,
  kKinds
};
static_assert(std::variant_size_v<TransactionStatus::Value> == kKinds);

//   Pending → Committed(h) → Executed(decision) → Completed(decision)
//   Committed → Completed (a Reject outcome arrives before local execution)
//   Committed → Deferred{by} → Retried{new_tx} | Aborted{TooManyRetries}
//   Pending → Aborted{Expired}
constexpr std::array<std::array<bool, kKinds>, kKinds> kAllowed = [] {
  std::array<std::array<bool, kKinds>, kKinds> m{};
  m[kPending][kCommitted] = true;
  m[kPending][kAborted] = true;
  m[kCommitted][kExecuted] = true;
  m[kCommitted][kCompleted] = true;
  m[kCommitted][kDeferred] = true;
  m[kExecuted][kCompleted] = true;
  m[kDeferred][kRetried] = true;
  m[kDeferred][kAborted] = true;
  return m;
}();

constexpr std::array<bool, kKinds> kHoldsLocks = {false, true, true, false, false, false, false};
constexpr std::array<bool, kKinds> kFinal = {false, false, false, true, false, true, true};

const char* const kNames[kKinds] = {"pending",  "committed", "executed", "completed",
                                    "deferred", "retried",   "aborted"};

/// Several values of each kind, so payloads (decision, reason, hash) vary.
std::vector<TransactionStatus> samples_of(Kind k) {
  using V = TransactionStatus::Value;
  Hash h = hash_bytes("some tx");
  std::vector<V> values;
  switch (k) {
    case kPending:
      values = {status::Pending{}};
      break;
    case kCommitted:
      values = {status::Committed{0}, status::Committed{12}};
      break;
    case kExecuted:
      values = {status::Executed{Decision::kAccept}, status::Executed{Decision::kReject}};
      break;
    case kCompleted:
      values = {status::Completed{Decision::kAccept}, status::Completed{Decision::kReject}};
      break;
    case kDeferred:
      values = {status::Deferred{h}, status::Deferred{Hash::zero()}};
      break;
    case kRetried:
      values = {status::Retried{h}};
      break;
    case kAborted:
      values = {status::Aborted{AbortReason::kTimeout}, status::Aborted{AbortReason::kDeferred},
                status::Aborted{AbortReason::kTooManyRetries},
                status::Aborted{AbortReason::kExpired}};
      break;
    case kKinds:
      break;
  }
  return std::vector<TransactionStatus>(values.begin(), values.end());
}

TEST(StatusTransitions, FullMatrix) {
  for (std::size_t from = 0; from < kKinds; ++from)
    for (std::size_t to = 0; to < kKinds; ++to)
      for (const auto& a : samples_of(static_cast<Kind>(from)))
        for (const auto& b : samples_of(static_cast<Kind>(to)))
          EXPECT_EQ(a.can_transition_to(b), kAllowed[from][to])
              << a.to_string() << " -> " << b.to_string();
}

TEST(StatusTransitions, NoStatusTransitionsToItself) {
  for (std::size_t k = 0; k < kKinds; ++k)
    for (const auto& s : samples_of(static_cast<Kind>(k)))
      EXPECT_FALSE(s.can_transition_to(s)) << s.to_string();
}

TEST(StatusTransitions, FinalStatusesHaveNoWayOutAndOthersHaveOne) {
  for (std::size_t from = 0; from < kKinds; ++from) {
    bool any_out = false;
    for (std::size_t to = 0; to < kKinds; ++to)
      for (const auto& b : samples_of(static_cast<Kind>(to)))
        any_out = any_out || samples_of(static_cast<Kind>(from))[0].can_transition_to(b);
    EXPECT_EQ(any_out, !kFinal[from]) << kNames[from];
  }
}

TEST(StatusTransitions, DefaultIsPending) {
  TransactionStatus s;
  EXPECT_TRUE(s.is<status::Pending>());
  EXPECT_EQ(s.value().index(), std::size_t{kPending});
}

TEST(StatusProperties, HoldsLocksAndIsFinal) {
  for (std::size_t k = 0; k < kKinds; ++k) {
    for (const auto& s : samples_of(static_cast<Kind>(k))) {
      EXPECT_EQ(s.holds_locks(), kHoldsLocks[k]) << s.to_string();
      EXPECT_EQ(s.is_final(), kFinal[k]) << s.to_string();
    }
  }
}

RC_GTEST_PROP(StatusProperties, AgreeWithTheMatrixForAnyValues,
              (const TransactionStatus& a, const TransactionStatus& b)) {
  const std::size_t from = a.value().index();
  const std::size_t to = b.value().index();
  RC_ASSERT(a.can_transition_to(b) == kAllowed[from][to]);
  RC_ASSERT(a.holds_locks() == kHoldsLocks[from]);
  RC_ASSERT(a.is_final() == kFinal[from]);
  RC_ASSERT(!(a.holds_locks() && a.is_final()));
}

// --- text form ---------------------------------------------------------------------------------

TEST(StatusText, CommittedShowsTheHeight) {
  EXPECT_EQ(TransactionStatus(status::Committed{12}).to_string(), "committed(12)");
  EXPECT_EQ(TransactionStatus(status::Committed{0}).to_string(), "committed(0)");
}

RC_GTEST_PROP(StatusText, NamesTheKindAndItsPayload, (const TransactionStatus& s)) {
  const std::string text = s.to_string();
  const std::string name = kNames[s.value().index()];
  RC_ASSERT(text.starts_with(name));
  if (s.is<status::Pending>()) {
    RC_ASSERT(text == name);
    return;
  }
  RC_ASSERT(text.size() > name.size() + 2);
  RC_ASSERT(text[name.size()] == '(');
  RC_ASSERT(text.back() == ')');
  const std::string inner = text.substr(name.size() + 1, text.size() - name.size() - 2);
  struct Payload {
    std::string operator()(const status::Pending&) const { return ""; }
    std::string operator()(const status::Committed& c) const { return std::to_string(c.height); }
    std::string operator()(const status::Executed& e) const {
      return std::string(to_string(e.decision));
    }
    std::string operator()(const status::Completed& c) const {
      return std::string(to_string(c.decision));
    }
    std::string operator()(const status::Deferred& d) const { return d.by.hex(); }
    std::string operator()(const status::Retried& r) const { return r.new_tx.hex(); }
    std::string operator()(const status::Aborted& a) const {
      return std::string(to_string(a.reason));
    }
  };
  RC_ASSERT(inner == std::visit(Payload{}, s.value()));
}

TEST(StatusText, DistinctValuesHaveDistinctTexts) {
  std::set<std::string> texts;
  std::size_t count = 0;
  for (std::size_t k = 0; k < kKinds; ++k)
    for (const auto& s : samples_of(static_cast<Kind>(k))) {
      texts.insert(s.to_string());
      ++count;
    }
  EXPECT_EQ(texts.size(), count);
}

TEST(StatusText, ReasonAndDecisionNamesAreDistinct) {
  std::set<std::string_view> reasons;
  for (unsigned r = 0; r <= kMaxAbortReason; ++r) {
    auto name = to_string(static_cast<AbortReason>(r));
    EXPECT_FALSE(name.empty());
    EXPECT_EQ(name.find_first_of("() "), std::string_view::npos) << name;
    reasons.insert(name);
  }
  EXPECT_EQ(reasons.size(), std::size_t{kMaxAbortReason} + 1);
  EXPECT_NE(to_string(Decision::kAccept), to_string(Decision::kReject));
  EXPECT_FALSE(to_string(Decision::kAccept).empty());
  EXPECT_FALSE(to_string(Decision::kReject).empty());
}

}  // namespace
}  // namespace hyperscale::types
