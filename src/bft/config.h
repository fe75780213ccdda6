#pragma once

#include <cstdint>

#include "core/events.h"

namespace hyperscale::bft {

using core::DurationMs;

/// Consensus knobs. Defaults follow DESIGN §5.
struct BftConfig {
  DurationMs proposal_tick_ms = 300;       // a waiting leader proposes (empty if need be)
  DurationMs min_block_interval_ms = 150;  // at once only if this long since own last block
  DurationMs round_timeout_base_ms = 3000;
  DurationMs round_timeout_step_ms = 500;  // per consecutive round without a commit
  DurationMs round_timeout_max_ms = 30000;
  std::uint32_t max_txs_per_block = 4096;
  DurationMs tx_fetch_delay_ms = 50;        // age of a pending block before fetching
  DurationMs fetch_retry_ms = 250;          // next peer after this long without an answer
  DurationMs max_timestamp_age_ms = 30000;  // header timestamp >= now - this
  DurationMs max_timestamp_lead_ms = 2000;  // header timestamp <= now + this
  DurationMs sync_retry_ms = 1000;          // first wait for a sync answer (grows if slow)
  DurationMs cleanup_interval_ms = 1000;
  std::uint32_t committed_blocks_kept = 8;  // committed blocks kept in memory (fetch serving)
};
// Bounds (sync window, rounds ahead, per-peer limits) are in bft/limits.h.

}  // namespace hyperscale::bft
