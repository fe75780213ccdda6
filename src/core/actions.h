#pragma once

// Everything a node asks its runner to do.

#include <string>
#include <variant>
#include <vector>

#include "core/events.h"
#include "core/jobs.h"
#include "core/messages.h"
#include "types/state.h"
#include "types/status.h"

namespace hyperscale::core {

struct SendMessage {
  types::ValidatorId to = 0;
  Message message;
};
/// To every member of the shard's committee except the sender.
struct BroadcastMessage {
  types::ShardId shard = 0;
  Message message;
};
using Outbound = std::variant<SendMessage, BroadcastMessage>;

/// What a validator must never forget: it is written durably before any vote,
/// timeout or proposal that depends on it leaves the node.
struct SafetyState {
  types::Round highest_voted_round = 0;
  types::Round highest_qc_round = 0;
  types::Round highest_proposed_round = 0;
  types::QuorumCertificate high_qc;
  std::optional<types::TimeoutCertificate> high_tc;
  /// The last timeout signed: a later expiry of the same round re-sends it
  /// unchanged, also after a restart, so a validator signs one timeout per
  /// round (DESIGN §9 no_double_vote).
  std::optional<types::Timeout> last_timeout;
  /// The last proposal made (round highest_proposed_round): a leader sends
  /// the same one again to peers that missed it, also after a restart,
  /// instead of losing its round.
  ProposalRef last_proposal;
  friend bool operator==(const SafetyState& a, const SafetyState& b) {
    bool same_proposal =
        a.last_proposal == b.last_proposal ||
        (a.last_proposal && b.last_proposal && *a.last_proposal == *b.last_proposal);
    return a.highest_voted_round == b.highest_voted_round &&
           a.highest_qc_round == b.highest_qc_round &&
           a.highest_proposed_round == b.highest_proposed_round && a.high_qc == b.high_qc &&
           a.high_tc == b.high_tc && a.last_timeout == b.last_timeout && same_proposal;
  }
};

/// fsync `state`, then hand `messages` to the network — in that order, so a
/// crash in between leaves a record of the vote, never a vote without record.
struct PersistSafetyThenSend {
  SafetyState state;
  std::vector<Outbound> messages;
};

struct SetTimer {
  TimerId timer = TimerId::kProposalTick;
  DurationMs after_ms = 0;
};
struct CancelTimer {
  TimerId timer = TimerId::kProposalTick;
};

struct StartJob {
  Job job;
};

/// A block and the QC that certifies it (not yet committed): stored so that
/// peers can sync the certified tip; restart never treats it as committed.
struct StoreCertifiedBlock {
  types::BlockRef block;
  types::QuorumCertificate qc;
};

/// What leader reputation derives from a block and its ancestors (DESIGN §5
/// "Leader"). Chain content only; persisted with each committed block so a
/// restarted validator names the same leaders as its peers.
struct LeaderRecord {
  types::Hash hash;
  types::BlockHeight height = 0;
  types::Round round = 0;
  types::Hash parent;
  types::Round parent_round = 0;
  types::ValidatorId proposer = 0;
  /// Signers of the block's justify QC (which certifies its parent).
  types::SignerBitfield justify_signers;
  /// The newest block that the QCs inside this block's chain commit by the
  /// two-chain rule (its own justify and older ones), and the signers of the
  /// QC that certifies that block; none while nothing is committed that way.
  std::optional<types::Hash> anchor;
  types::BlockHeight anchor_height = 0;
  types::SignerBitfield anchor_qc_signers;
  /// Who the rule named leader of the rounds between the parent's round and
  /// this block's (rounds this chain skips: they failed), newest round first,
  /// each validator once.
  std::vector<types::ValidatorId> skipped_leaders;
  friend bool operator==(const LeaderRecord&, const LeaderRecord&) = default;
};

/// What execution writes with a committed block, in the block's own write
/// batch (DESIGN §6 "lock table", §10 "Storage"): the shard's substate writes
/// and the changes to its ledger of ordered, unfinished transactions (from
/// which the lock table and each transaction's pending duty follow). A
/// restarted validator reloads both instead of replaying its chain.
struct ExecutionWrites {
  /// The block's substate writes on this shard, strictly sorted by key (a
  /// value, or nullopt for a delete).
  std::vector<types::StateEntry> state;
  /// Transactions the block ordered: key the tx hash, value execution's
  /// encoding of the ledger entry (opaque to storage; execution/ledger.h).
  std::vector<std::pair<types::Hash, types::Bytes>> ledger_put;
  /// Transactions whose outcome the block holds: their entries go.
  std::vector<types::Hash> ledger_erase;
  friend bool operator==(const ExecutionWrites&, const ExecutionWrites&) = default;
};

/// A block committed: persist it (with the QC that certifies it, its leader
/// record and execution's writes) in height order, as one write.
struct CommitBlock {
  types::BlockRef block;
  types::QuorumCertificate qc;
  LeaderRecord leader_record;
  /// Empty when the node runs without execution.
  ExecutionWrites execution;
};

struct TransactionStatusUpdate {
  types::Hash tx_hash;
  types::TransactionStatus status;
};

/// Status changes of one step, in order (one action per step, not per tx).
struct EmitTransactionStatuses {
  std::vector<TransactionStatusUpdate> updates;
};

/// A submission the node did not take (back-pressure, duplicate, invalid).
struct SubmissionRejected {
  types::Hash tx_hash;
  std::string reason;
};

/// Two verified votes or proposals by one validator for one round and
/// different blocks.
struct EquivocationDetected {
  types::ValidatorId validator = 0;
  types::Round round = 0;
  types::Hash first;
  types::Hash second;
  bool proposal = false;  // proposals (true) or votes (false)
};

using Action = std::variant<SendMessage, BroadcastMessage, PersistSafetyThenSend, SetTimer,
                            CancelTimer, StartJob, StoreCertifiedBlock, CommitBlock,
                            EmitTransactionStatuses, SubmissionRejected, EquivocationDetected>;

std::string_view action_name(const Action& a);

}  // namespace hyperscale::core
