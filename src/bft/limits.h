#pragma once

// Every bound of the shard consensus in one place (TigerBeetle's
// constants.zig): what a peer can make a validator store or verify, and how
// far sync and fetch reach. Protocol parameters that every validator must
// share (they decide who leads) come first; local bounds follow. A number is
// written once; tests refer to these names.

#include <cstdint>

#include "core/messages.h"
#include "types/limits.h"

namespace hyperscale::bft::limits {

// --- protocol: every validator must use the same values (DESIGN §5) ---------------

/// Leader reputation: committed blocks whose QC signers form the active set.
inline constexpr std::uint32_t kReputationWindow = 10;
/// Leader reputation: at most this many of the last committed blocks'
/// proposers are left out (and never more than ⌊n/3⌋).
inline constexpr std::uint32_t kReputationExcludedProposers = 4;

// --- local bounds: what one peer can make a validator hold or check -----------------

/// Proposals, votes and timeouts for rounds further ahead than this are not
/// stored; the certificate they carry may still be checked alone (a catch-up
/// probe) so that a validator far behind learns where the shard is.
inline constexpr std::uint64_t kMaxRoundsAhead = 16;
/// At most one catch-up probe (a lone certificate check) in flight.
inline constexpr std::uint32_t kMaxProbesInFlight = 1;
/// Distinct vote messages one voter may place in one round: its vote, and
/// one more to prove equivocation.
inline constexpr std::uint32_t kMaxVoteMessagesPerVoterRound = 2;
/// Vote messages of one voter and round that may fail verification before
/// the voter is ignored for the round: a forged copy must not block its real
/// vote, and a voter sending bad signatures must not cost a check each
/// (every member collects votes once a round times out).
inline constexpr std::uint32_t kMaxFailedVotesPerVoterRound = 2;
/// Proposals verified per (round, proposer): the proposal, and one more to
/// prove equivocation.
inline constexpr std::uint32_t kMaxProposalsPerProposerRound = 2;
/// Rounds behind the current one whose votes, timeouts and proposals are
/// still kept (a straggler's QC or TC may still help).
inline constexpr std::uint64_t kRoundsKeptBehind = 2;
/// Evidence bookkeeping (who equivocated, who got a TC back) is kept this
/// many rounds.
inline constexpr std::uint64_t kEvidenceRounds = 100;

/// Blocks certified by a QC this node holds but never received, asked by
/// hash at once; beyond that sync brings them.
inline constexpr std::uint32_t kMaxBlockFetches = 16;
/// Transaction hashes one fetch request may name (a whole block).
inline constexpr std::uint32_t kMaxFetchHashes = types::limits::kMaxTxsPerBlock;

/// Sync: heights ahead of the committed tip that may be requested at once,
/// blocks per request, and requests in flight (DESIGN §5: window 64, ≤ 32
/// blocks per request).
inline constexpr std::uint32_t kSyncWindow = 64;
inline constexpr std::uint32_t kSyncBatch = 32;
inline constexpr std::uint32_t kMaxSyncRequestsInFlight = kSyncWindow / kSyncBatch;
static_assert(kSyncBatch <= core::limits::kMaxSyncBlocksPerResponse);
static_assert(kSyncWindow % kSyncBatch == 0);

/// Blocks held because their timestamp is ahead of the local clock (at most
/// the proposals kept per round, over the rounds ahead kept).
inline constexpr std::uint32_t kMaxHeldBlocks = 8;

/// A proposer's timestamp runs ahead of its parent's by at most the time it
/// saw pass since the parent arrived plus this slack (the network's delay;
/// a quarter of the 2 s lead voters allow).
inline constexpr std::uint64_t kTimestampSlackMs = 500;

}  // namespace hyperscale::bft::limits
