#include "crypto/signing.h"

#include "crypto/domains.h"

namespace hyperscale::crypto {

namespace {
types::Writer start(Domain d) {
  types::Writer w(128);
  w.fixed(domain_prefix(d));
  return w;
}
}  // namespace

Bytes block_header_message(const types::Hash& block_hash) {
  auto w = start(Domain::kBlockHeader);
  w.fixed(block_hash);
  return std::move(w).take();
}

Bytes block_vote_message(types::ShardId shard, types::BlockHeight height, types::Round round,
                         const types::Hash& block_hash, const types::Hash& parent_hash) {
  auto w = start(Domain::kBlockVote);
  w.u32(shard);
  w.u64(height);
  w.u64(round);
  w.fixed(block_hash);
  w.fixed(parent_hash);
  return std::move(w).take();
}

Bytes block_vote_message(const types::BlockVote& v) {
  return block_vote_message(v.shard, v.height, v.round, v.block_hash, v.parent_hash);
}

Bytes block_vote_message(const types::QuorumCertificate& qc) {
  return block_vote_message(qc.shard, qc.height, qc.round, qc.block_hash, qc.parent_hash);
}

Bytes timeout_message(types::ShardId shard, types::Round round, types::Round high_qc_round) {
  auto w = start(Domain::kTimeout);
  w.u32(shard);
  w.u64(round);
  w.u64(high_qc_round);
  return std::move(w).take();
}

Bytes state_provision_message(const types::ProvisionContent& content) {
  auto w = start(Domain::kStateProvision);
  w.fixed(types::hash_bytes(types::encode(content)));
  return std::move(w).take();
}

Bytes state_vote_message(const types::StateVoteContent& content) {
  auto w = start(Domain::kStateVote);
  w.fixed(types::hash_bytes(types::encode(content)));
  return std::move(w).take();
}

Bytes transaction_message(const types::Hash& intent_hash) {
  auto w = start(Domain::kTransactionNotarization);
  w.fixed(intent_hash);
  return std::move(w).take();
}

}  // namespace hyperscale::crypto
