#pragma once

// Catch-up by sync (DESIGN §5 "Sync"). A validator that holds a verified QC
// for a block it does not have (with its ancestors down to the committed
// tip) asks peers for the blocks from its committed tip up to that QC, each
// with the QC that certifies it, so that the two-chain rule commits them as
// they arrive. Requests cover at most limits::kSyncWindow heights above the
// committed tip, limits::kSyncBatch blocks each, one peer each; a response
// is taken only from the peer asked and only for the heights asked.
//
// Pure bookkeeping: BftState says what it learnt (note_certified), asks for
// the requests to send (poll), and hands responses through accept().

#include <map>
#include <optional>
#include <vector>

#include "bft/config.h"
#include "bft/limits.h"
#include "core/actions.h"
#include "types/topology.h"

namespace hyperscale::bft {

class BlockSync {
 public:
  explicit BlockSync(const BftConfig& config)
      : base_retry_ms_(config.sync_retry_ms), retry_ms_(config.sync_retry_ms) {}

  /// The block a sync aims at: the highest certified block known to be missing.
  struct Target {
    types::BlockHeight height = 0;
    types::Hash block_hash;
    std::optional<types::ValidatorId> source;  // sent the certificate: it holds the block
  };

  /// A verified QC certifies a block this node does not hold with its
  /// ancestors: aim at it when it is above the current target.
  void note_certified(const types::QuorumCertificate& qc, std::optional<types::ValidatorId> source);
  /// The target is reached (held and connected) or committed: stop aiming.
  void reached() { target_.reset(); }
  const std::optional<Target>& target() const { return target_; }
  /// Requests in flight.
  std::size_t in_flight() const { return requests_.size(); }

  /// Sends the requests that are due: the window above `committed` up to the
  /// target, in batches, each to the next peer (the target's source first);
  /// requests unanswered for the retry period go to another peer. Returns
  /// the delay after which poll should run again (a timer), if any.
  std::optional<core::DurationMs> poll(types::TimestampMs now, types::BlockHeight committed,
                                       const types::Committee& committee, types::ValidatorId self,
                                       std::vector<core::Action>& out);

  /// A response from `from`: the blocks of it that were asked of `from`
  /// (consecutive heights from the request's first), to verify; empty when
  /// nothing was asked of it or the answer does not fit the request.
  std::vector<core::CertifiedBlock> accept(types::TimestampMs now, types::ValidatorId from,
                                           const core::SyncResponse& response,
                                           types::BlockHeight committed);
  /// Verification of `from`'s answer finished; `progress` when it brought
  /// blocks this node did not hold. A peer that answers without progress is
  /// skipped for this target.
  void answered(types::ValidatorId from, bool progress);

  struct Stats {
    std::uint64_t requests = 0;
    std::uint64_t responses_accepted = 0;
    std::uint64_t responses_refused = 0;  // unasked, or not what was asked
    std::uint64_t retries = 0;            // requests that timed out
  };
  const Stats& stats() const { return stats_; }

 private:
  struct Request {
    types::ValidatorId peer = 0;
    std::uint32_t count = 0;
    types::TimestampMs sent_ms = 0;
    types::TimestampMs deadline_ms = 0;
    bool answered = false;  // being verified
  };
  types::ValidatorId next_peer(types::TimestampMs now, const types::Committee& committee,
                               types::ValidatorId self);

  std::optional<Target> target_;
  std::map<types::BlockHeight, Request> requests_;  // by first height
  std::map<types::ValidatorId, bool> unhelpful_;    // answered without progress, this target
  std::uint32_t peer_cursor_ = 0;
  /// Every peer answered without progress: no request before this time.
  types::TimestampMs pause_until_ms_ = 0;
  core::DurationMs base_retry_ms_;
  core::DurationMs retry_ms_;  // grows while requests go unanswered (slow links)
  Stats stats_;
};

}  // namespace hyperscale::bft
