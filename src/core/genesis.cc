#include "core/genesis.h"

namespace hyperscale::core {

types::BlockRef genesis_block(types::ShardId shard, const types::Hash& state_root) {
  types::BlockHeader h;
  h.shard = shard;
  h.justify = types::QuorumCertificate::genesis(shard, types::Hash::zero());
  h.state_root = state_root;
  types::BlockBody body;
  h.roots = body.compute_roots();
  return std::make_shared<const types::Block>(std::move(h), std::move(body));
}

}  // namespace hyperscale::core
