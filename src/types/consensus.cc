#include "types/consensus.h"

#include <algorithm>

#include "types/limits.h"

namespace hyperscale::types {

QuorumCertificate QuorumCertificate::genesis(ShardId shard, const Hash& genesis_block_hash) {
  QuorumCertificate qc;
  qc.shard = shard;
  qc.block_hash = genesis_block_hash;
  return qc;
}

Round TimeoutCertificate::max_high_qc_round() const {
  return high_qc_rounds.empty() ? 0
                                : *std::max_element(high_qc_rounds.begin(), high_qc_rounds.end());
}

void write(Writer& w, const QuorumCertificate& v) {
  w.u32(v.shard);
  w.u64(v.height);
  w.u64(v.round);
  w.fixed(v.block_hash);
  w.fixed(v.parent_hash);
  write(w, v.signers);
  w.fixed(v.signature);
}

void read(Reader& r, QuorumCertificate& v) {
  v.shard = r.u32();
  v.height = r.u64();
  v.round = r.u64();
  r.fixed(v.block_hash, "qc block hash");
  r.fixed(v.parent_hash, "qc parent hash");
  read(r, v.signers);
  r.fixed(v.signature, "qc signature");
  if (!r.ok()) return;
  // Only the genesis QC (height 0) may have no signers, and it has a zero
  // signature and round; anything else with an empty bitfield is malformed.
  if (v.signers.size() == 0 && (v.height != 0 || v.round != 0 || !v.signature.is_zero()))
    r.fail(DecodeErrorCode::kInconsistent, "qc without signers");
  else if (v.signers.size() != 0 && v.signers.empty())
    r.fail(DecodeErrorCode::kInconsistent, "qc with zero signers");
}

void write(Writer& w, const BlockVote& v) {
  w.u32(v.shard);
  w.u64(v.height);
  w.u64(v.round);
  w.fixed(v.block_hash);
  w.fixed(v.parent_hash);
  w.u32(v.voter);
  w.fixed(v.signature);
}

void read(Reader& r, BlockVote& v) {
  v.shard = r.u32();
  v.height = r.u64();
  v.round = r.u64();
  r.fixed(v.block_hash, "vote block hash");
  r.fixed(v.parent_hash, "vote parent hash");
  v.voter = r.u32();
  r.fixed(v.signature, "vote signature");
}

void write(Writer& w, const TimeoutCertificate& v) {
  w.u32(v.shard);
  w.u64(v.round);
  write(w, v.signers);
  write_seq(w, v.high_qc_rounds, [](Writer& w2, Round x) { w2.u64(x); });
  w.fixed(v.signature);
  write(w, v.high_qc);
}

void read(Reader& r, TimeoutCertificate& v) {
  v.shard = r.u32();
  v.round = r.u64();
  read(r, v.signers);
  read_seq(
      r, v.high_qc_rounds, limits::kMaxCommitteeSize, "tc high qc rounds",
      [](Reader& r2, Round& x) { x = r2.u64(); }, 8);
  r.fixed(v.signature, "tc signature");
  read(r, v.high_qc);
  if (!r.ok()) return;
  if (auto problem = tc_problem(v)) return r.fail(DecodeErrorCode::kInconsistent, *problem);
}

std::optional<std::string_view> tc_problem(const TimeoutCertificate& v) {
  if (v.signers.empty() || v.high_qc_rounds.size() != v.signers.count())
    return "tc rounds do not match signers";
  if (v.high_qc.round != v.max_high_qc_round() || v.high_qc.shard != v.shard)
    return "tc high qc is not the highest signed round";
  // A timeout for round r carries a QC of a lower round (safe-to-timeout).
  if (v.max_high_qc_round() >= v.round) return "tc high qc round not below tc round";
  return std::nullopt;
}

void write(Writer& w, const Timeout& v) {
  w.u32(v.shard);
  w.u64(v.round);
  write(w, v.high_qc);
  write(w, v.last_round_tc);
  w.u32(v.voter);
  w.fixed(v.signature);
}

void read(Reader& r, Timeout& v) {
  v.shard = r.u32();
  v.round = r.u64();
  read(r, v.high_qc);
  read(r, v.last_round_tc);
  v.voter = r.u32();
  r.fixed(v.signature, "timeout signature");
  if (!r.ok()) return;
  if (v.high_qc.shard != v.shard)
    return r.fail(DecodeErrorCode::kInconsistent, "timeout high qc of another shard");
  if (v.high_qc.round >= v.round)
    return r.fail(DecodeErrorCode::kInconsistent, "timeout high qc round not below round");
  if (v.last_round_tc &&
      (v.round == 0 || v.last_round_tc->round + 1 != v.round || v.last_round_tc->shard != v.shard))
    r.fail(DecodeErrorCode::kInconsistent, "timeout tc is not for the previous round");
}

}  // namespace hyperscale::types
