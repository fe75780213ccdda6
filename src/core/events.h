#pragma once

// Everything that can happen to a node. Runners order events at the same
// instant by priority: Internal < Timer < Network < Client.

#include <cstdint>
#include <memory>
#include <string_view>
#include <variant>

#include "core/jobs.h"
#include "core/messages.h"

namespace hyperscale::core {

using DurationMs = std::uint64_t;

enum class EventPriority : std::uint8_t { kInternal = 0, kTimer = 1, kNetwork = 2, kClient = 3 };

enum class TimerId : std::uint8_t {
  kProposalTick,  // every proposal_tick_ms: a leader that waited proposes
  kRoundTimeout,  // the pacemaker's round timer
  kFetch,         // missing transactions of pending blocks
  kSync,          // sync requests that got no answer
  kCleanup,       // periodic pruning
  kTxBatch,       // the mempool verifies client submissions in batches
  kHeldBlocks,    // blocks whose timestamp was ahead of the local clock may be voted now
  kExecution,     // state votes and certificates without an outcome yet are sent again
};
inline constexpr std::size_t kTimerCount = 8;
std::string_view timer_name(TimerId id);

struct MessageReceived {
  types::ValidatorId from = 0;
  Message message;
};
struct TimerFired {
  TimerId timer = TimerId::kProposalTick;
};
/// A client (RPC, simulator workload) submits a transaction to this node.
struct TransactionSubmitted {
  types::TransactionRef tx;
};
/// A delegated job finished.
/// Boxed: results are large (a verified proposal is ~2 KB) and events are
/// queued by value.
struct JobCompleted {
  std::shared_ptr<const JobResult> result;
};

using Event = std::variant<MessageReceived, TimerFired, TransactionSubmitted, JobCompleted>;

EventPriority priority_of(const Event& e);
std::string_view event_name(const Event& e);

}  // namespace hyperscale::core
