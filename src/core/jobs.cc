#include "core/jobs.h"

#include <algorithm>
#include <map>

#include "crypto/ed25519.h"
#include "crypto/mock_scheme.h"
#include "crypto/signing.h"
#include "types/assert.h"

namespace hyperscale::core {

namespace {

const types::Hash& genesis_of(const JobContext& ctx, types::ShardId shard) {
  static const types::Hash kNone{};
  return shard < ctx.genesis_hashes.size() ? ctx.genesis_hashes[shard] : kNone;
}

crypto::Parallelism& parallel_of(const JobContext& ctx) {
  static thread_local crypto::Sequential sequential;
  return ctx.parallel ? *ctx.parallel : sequential;
}

/// A TC and its high QC, each verified once.
struct CheckedTc {
  Verified<types::TimeoutCertificate> tc;
  Verified<types::QuorumCertificate> high_qc;
};
std::expected<CheckedTc, crypto::VerifyError> check_tc(const JobContext& ctx,
                                                       const types::TimeoutCertificate& tc) {
  if (types::tc_problem(tc)) return std::unexpected(crypto::VerifyError::kMalformed);
  auto qc = crypto::verify_qc_or_genesis(*ctx.verifier, tc.high_qc, genesis_of(ctx, tc.shard));
  if (!qc) return std::unexpected(qc.error());
  auto signed_tc = crypto::verify_tc_signature(*ctx.verifier, tc);
  if (!signed_tc) return std::unexpected(signed_tc.error());
  return CheckedTc{std::move(*signed_tc), std::move(*qc)};
}

ProposalVerified run(const JobContext& ctx, VerifyProposalJob job) {
  ProposalVerified out{job.from, job.proposal, std::unexpected(crypto::VerifyError::kMalformed)};
  const auto& header = job.proposal->header;
  if (types::header_problem(header)) return out;
  // The hash lists must be exactly what the signed roots commit to; the body
  // assembled from them later then needs no second Merkle pass.
  if (job.proposal->compute_roots() != header.roots) return out;
  const auto& genesis = genesis_of(ctx, header.shard);
  auto justify = crypto::verify_qc_or_genesis(*ctx.verifier, header.justify, genesis);
  if (!justify) {
    out.result = std::unexpected(justify.error());
    return out;
  }
  std::optional<Verified<types::TimeoutCertificate>> tc;
  std::optional<Verified<types::QuorumCertificate>> tc_high_qc;
  if (header.timeout_cert) {
    auto checked = check_tc(ctx, *header.timeout_cert);
    if (!checked) {
      out.result = std::unexpected(checked.error());
      return out;
    }
    tc = std::move(checked->tc);
    tc_high_qc = std::move(checked->high_qc);
  }
  auto signed_header = crypto::verify_header_signature(*ctx.verifier, header);
  if (!signed_header) {
    out.result = std::unexpected(signed_header.error());
    return out;
  }
  if (!transaction_certificates_valid(*ctx.verifier, job.proposal->certificates,
                                      parallel_of(ctx))) {
    out.result = std::unexpected(crypto::VerifyError::kBadSignature);
    return out;
  }
  out.result = VerifiedProposal{job.proposal, std::move(*signed_header), std::move(*justify),
                                std::move(tc), std::move(tc_high_qc)};
  return out;
}

VotesVerified run(const JobContext& ctx, VerifyVotesJob job) {
  VotesVerified out;
  const types::BlockVote* any = !job.votes.empty()      ? &job.votes[0]
                                : !job.verified.empty() ? &*job.verified[0]
                                                        : nullptr;
  if (!any) return out;
  out.key = vote_key(*any);
  out.evidence = job.evidence;
  out.block_hash = any->block_hash;
  out.round = any->round;
  std::vector<types::ValidatorId> voters;
  for (const auto& vote : job.votes)
    voters.push_back(vote.voter);
  std::vector<crypto::VerifiedVoteAggregate> aggregates;
  auto results = crypto::verify_block_votes(*ctx.verifier, std::move(job.votes), parallel_of(ctx),
                                            &aggregates);
  for (std::size_t i = 0; i < results.size(); ++i) {
    if (results[i])
      out.valid.push_back(std::move(*results[i]));
    else
      out.invalid.push_back(voters[i]);
  }
  std::vector<Verified<types::BlockVote>> all = job.verified;
  all.insert(all.end(), out.valid.begin(), out.valid.end());
  if (!job.evidence) out.qc = crypto::form_qc(*ctx.verifier, all, aggregates);
  // A QC formed here passes the check a receiver applies; anything else is a bug.
  if (out.qc)
    HS_ASSERT_MSG(crypto::verify_qc(*ctx.verifier, out.qc->get()).has_value(),
                  "a locally formed QC fails verification");
  return out;
}

TimeoutsVerified run(const JobContext& ctx, VerifyTimeoutsJob job) {
  TimeoutsVerified out;
  if (!job.timeouts.empty())
    out.round = job.timeouts[0].round;
  else if (!job.verified.empty())
    out.round = job.verified[0]->round;
  // Timeouts of a round mostly carry the same few certificates: check each once.
  std::map<types::Hash, bool> qc_ok, tc_ok;
  for (auto& t : job.timeouts) {
    auto voter = t.voter;
    const auto& genesis = genesis_of(ctx, t.shard);
    bool ok = t.high_qc.shard == t.shard && t.high_qc.round < t.round &&
              (!t.last_round_tc || t.last_round_tc->round + 1 == t.round);
    if (ok) {
      auto key = types::hash_bytes(types::encode(t.high_qc));
      auto [it, fresh] = qc_ok.emplace(key, false);
      if (fresh) {
        auto qc = crypto::verify_qc_or_genesis(*ctx.verifier, t.high_qc, genesis);
        it->second = qc.has_value();
        if (qc) out.high_qcs.push_back(std::move(*qc));
      }
      ok = it->second;
    }
    if (ok && t.last_round_tc) {
      auto key = types::hash_bytes(types::encode(*t.last_round_tc));
      auto [it, fresh] = tc_ok.emplace(key, false);
      if (fresh) {
        auto checked = check_tc(ctx, *t.last_round_tc);
        it->second = checked.has_value();
        if (checked) {
          out.tcs.push_back(std::move(checked->tc));
          out.high_qcs.push_back(std::move(checked->high_qc));
        }
      }
      ok = it->second;
    }
    auto signed_ok =
        ok ? crypto::verify_timeout_signature(*ctx.verifier, std::move(t))
           : crypto::VerifyResult<types::Timeout>(std::unexpected(crypto::VerifyError::kMalformed));
    if (signed_ok)
      out.valid.push_back(std::move(*signed_ok));
    else
      out.invalid.push_back(voter);
  }
  std::vector<Verified<types::Timeout>> all = job.verified;
  all.insert(all.end(), out.valid.begin(), out.valid.end());
  out.tc = crypto::form_tc(*ctx.verifier, all);
  // A TC formed here passes the check a receiver applies; anything else is a bug.
  if (out.tc)
    HS_ASSERT_MSG(check_tc(ctx, out.tc->get()).has_value(),
                  "a locally formed TC fails the checks a receiver applies");
  return out;
}

TimeoutCertificateVerified run(const JobContext& ctx, VerifyTimeoutCertificateJob job) {
  auto checked = check_tc(ctx, job.tc);
  if (!checked)
    return {job.from, job.probe, job.tc.round, std::unexpected(checked.error()), std::nullopt};
  return {job.from, job.probe, job.tc.round, std::move(checked->tc), std::move(checked->high_qc)};
}

QuorumCertificateVerified run(const JobContext& ctx, VerifyQuorumCertificateJob job) {
  const auto& genesis = genesis_of(ctx, job.qc.shard);
  auto round = job.qc.round;
  auto qc = crypto::verify_qc_or_genesis(*ctx.verifier, std::move(job.qc), genesis);
  if (!qc) return {job.from, job.probe, round, std::unexpected(qc.error())};
  return {job.from, job.probe, round, std::move(*qc)};
}

EquivocationVerified run(const JobContext& ctx, VerifyEquivocationJob job) {
  const auto& a = job.proof.first;
  const auto& b = job.proof.second;
  bool shaped = a.shard == b.shard && a.round == b.round && a.proposer == b.proposer &&
                a.compute_hash() != b.compute_hash() && !types::header_problem(a) &&
                !types::header_problem(b);
  if (!shaped || !crypto::verify_header_signature(*ctx.verifier, a) ||
      !crypto::verify_header_signature(*ctx.verifier, b))
    return {job.from, std::nullopt};
  return {job.from, std::move(job.proof)};
}

std::vector<bool> check_transactions(const JobContext& ctx,
                                     std::span<const types::TransactionRef> txs) {
  if (!ctx.mock_transaction_signatures) return crypto::verify_transactions(txs, parallel_of(ctx));
  std::vector<bool> ok;
  for (const auto& tx : txs)
    ok.push_back(crypto::mock_verify_transaction(*tx));
  return ok;
}

TransactionsVerified run(const JobContext& ctx, VerifyTransactionsJob job) {
  TransactionsVerified out{job.origin, job.block_hash, {}, {}};
  auto ok = check_transactions(ctx, job.txs);
  for (std::size_t i = 0; i < job.txs.size(); ++i) {
    if (ok[i])
      out.valid.push_back(job.txs[i]);
    else
      out.invalid.push_back(job.txs[i]->hash());
  }
  return out;
}

SyncBlocksVerified run(const JobContext& ctx, VerifySyncBlocksJob job) {
  // Cheapest checks first, each over the whole answer, keeping the longest
  // prefix that passes: structure and hash chain (hashing), then the QCs
  // (one pairing each, a QC shared by two blocks checked once), then the
  // proposers' signatures, and the transactions' signatures last.
  SyncBlocksVerified out{job.from, job.by_hash, job.asked_hash, {}, true};
  auto& blocks = job.blocks;
  auto cut = [&](std::size_t at) {
    if (at < blocks.size()) {
      out.complete = false;
      blocks.resize(at);
    }
  };
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    const auto& cb = blocks[i];
    const auto& header = cb.block->header();
    bool chained = i == 0 || header.parent_hash == blocks[i - 1].block->hash();
    bool certifies = !types::header_problem(header) && cb.qc.block_hash == cb.block->hash() &&
                     cb.qc.height == header.height && cb.qc.round == header.round &&
                     cb.qc.parent_hash == header.parent_hash && cb.qc.shard == header.shard;
    if (!chained || !certifies) {
      cut(i);
      break;
    }
  }
  std::vector<std::optional<Verified<types::QuorumCertificate>>> qcs(blocks.size());
  std::vector<std::optional<Verified<types::QuorumCertificate>>> justifies(blocks.size());
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    const auto& header = blocks[i].block->header();
    if (i > 0 && qcs[i - 1] && header.justify == qcs[i - 1]->get()) {
      justifies[i] = qcs[i - 1];
    } else if (auto j = crypto::verify_qc_or_genesis(*ctx.verifier, header.justify,
                                                     genesis_of(ctx, header.shard))) {
      justifies[i] = std::move(*j);
    } else {
      cut(i);
      break;
    }
    if (auto q = crypto::verify_qc(*ctx.verifier, blocks[i].qc)) {
      qcs[i] = std::move(*q);
    } else {
      cut(i);
      break;
    }
  }
  for (std::size_t i = 0; i < blocks.size(); ++i)
    if (!crypto::verify_header_signature(*ctx.verifier, blocks[i].block->header())) {
      cut(i);
      break;
    }
  std::vector<types::TransactionRef> txs;
  std::vector<std::size_t> owner;  // block index of each transaction
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    const auto& body = blocks[i].block->body();
    for (const auto* section : {&body.retry_txs, &body.priority_txs, &body.txs})
      for (const auto& tx : *section) {
        txs.push_back(tx);
        owner.push_back(i);
      }
  }
  auto ok = check_transactions(ctx, txs);
  out.tx_signatures_checked = txs.size();
  for (std::size_t k = 0; k < ok.size(); ++k)
    if (!ok[k]) {
      cut(owner[k]);
      break;
    }
  for (std::size_t i = 0; i < blocks.size(); ++i)
    out.blocks.push_back({blocks[i].block, std::move(*qcs[i]), std::move(*justifies[i])});
  return out;
}

}  // namespace

bool transaction_certificate_valid(const crypto::Verifier& v,
                                   const types::TransactionCertificate& cert) {
  if (cert.shard_certificates.empty()) return false;
  for (const auto& sc : cert.shard_certificates)
    if (sc.content.tx_hash != cert.tx_hash || !crypto::verify_state_certificate(v, sc))
      return false;
  return true;
}

bool transaction_certificates_valid(const crypto::Verifier& v,
                                    std::span<const types::TransactionCertificateRef> certs,
                                    crypto::Parallelism& parallel) {
  std::vector<const types::StateCertificate*> shard_certs;
  for (const auto& cert : certs) {
    if (!cert || cert->shard_certificates.empty()) return false;
    for (const auto& sc : cert->shard_certificates) {
      if (sc.content.tx_hash != cert->tx_hash) return false;
      shard_certs.push_back(&sc);
    }
  }
  return crypto::state_certificates_valid(v, shard_certs, parallel);
}

types::Hash vote_key(const types::BlockVote& vote) {
  return types::hash_bytes(crypto::block_vote_message(vote));
}

TransactionsExecuted run(const JobContext& ctx, ExecuteTransactionsJob job) {
  HS_ASSERT_MSG(static_cast<bool>(ctx.execute), "an execution job without an executor");
  return ctx.execute(job);
}

StateVotesVerified run(const JobContext& ctx, VerifyStateVotesJob job) {
  StateVotesVerified out;
  std::vector<types::StateVote> all;
  for (auto& g : job.groups)
    for (auto& v : g.votes)
      all.push_back(v);
  auto results = crypto::verify_state_votes(*ctx.verifier, std::move(all), parallel_of(ctx));
  std::size_t next = 0;
  for (auto& g : job.groups) {
    StateVotesVerified::Group r;
    r.tx_hash = g.tx_hash;
    for (auto& v : g.votes) {
      auto& res = results[next++];
      if (res)
        r.valid.push_back(std::move(*res));
      else
        r.invalid.push_back(v.voter);
    }
    std::vector<Verified<types::StateVote>> quorum = g.verified;
    quorum.insert(quorum.end(), r.valid.begin(), r.valid.end());
    r.certificate = crypto::form_state_certificate(*ctx.verifier, quorum, std::move(g.writes));
    out.groups.push_back(std::move(r));
  }
  return out;
}

TransactionCertificatesVerified run(const JobContext& ctx, VerifyTransactionCertificatesJob job) {
  TransactionCertificatesVerified out;
  out.from = job.from;
  // All or nothing: honest peers send only valid certificates (and re-send
  // them), so a message with a bad one is dropped whole, at the cost of one
  // batch however many bad ones it carries.
  if (transaction_certificates_valid(*ctx.verifier, job.certificates, parallel_of(ctx)))
    out.valid = std::move(job.certificates);
  else
    out.invalid = job.certificates.size();
  return out;
}

JobResult run_job(const JobContext& ctx, Job job) {
  return std::visit([&](auto&& j) -> JobResult { return run(ctx, std::move(j)); }, std::move(job));
}

}  // namespace hyperscale::core
