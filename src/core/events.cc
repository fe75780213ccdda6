#include "core/events.h"

#include "core/actions.h"

namespace hyperscale::core {

std::string_view timer_name(TimerId id) {
  switch (id) {
    case TimerId::kProposalTick:
      return "proposal_tick";
    case TimerId::kRoundTimeout:
      return "round_timeout";
    case TimerId::kFetch:
      return "fetch";
    case TimerId::kSync:
      return "sync";
    case TimerId::kCleanup:
      return "cleanup";
    case TimerId::kTxBatch:
      return "tx_batch";
    case TimerId::kHeldBlocks:
      return "held_blocks";
    case TimerId::kExecution:
      return "execution";
  }
  return "unknown";
}

EventPriority priority_of(const Event& e) {
  switch (e.index()) {
    case 0:
      return EventPriority::kNetwork;
    case 1:
      return EventPriority::kTimer;
    case 2:
      return EventPriority::kClient;
    default:
      return EventPriority::kInternal;
  }
}

std::string_view event_name(const Event& e) {
  static constexpr std::string_view kNames[] = {"message_received", "timer_fired",
                                                "transaction_submitted", "job_completed"};
  return kNames[e.index()];
}

std::string_view action_name(const Action& a) {
  static constexpr std::string_view kNames[] = {"send",
                                                "broadcast",
                                                "persist_safety_then_send",
                                                "set_timer",
                                                "cancel_timer",
                                                "start_job",
                                                "store_certified_block",
                                                "commit_block",
                                                "emit_transaction_statuses",
                                                "submission_rejected",
                                                "equivocation_detected"};
  static_assert(std::size(kNames) == std::variant_size_v<Action>);
  return kNames[a.index()];
}

}  // namespace hyperscale::core
