#pragma once

#include "types/block.h"

namespace hyperscale::core {

/// The genesis block of a shard: height 0, round 0, no parent, the genesis QC
/// as justify, timestamp 0, empty body, and the genesis state root.
types::BlockRef genesis_block(types::ShardId shard, const types::Hash& state_root = {});

}  // namespace hyperscale::core
