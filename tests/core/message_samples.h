#pragma once

// One valid sample of every wire message, built by hand (no randomness): the
// codec tests round-trip them and the fuzz seed writer starts from them.

#include <memory>
#include <vector>

#include "core/genesis.h"
#include "core/messages.h"
#include "crypto/mock_scheme.h"

namespace hyperscale::testing {

inline types::TransactionRef sample_tx(std::uint64_t nonce) {
  auto seed = types::Hasher().update(std::string_view("sample-key")).finish();
  types::Ed25519PublicKey key;
  std::copy(seed.bytes.begin(), seed.bytes.end(), key.bytes.begin());
  auto from = types::account_address(key.span());
  types::TransactionPayload p;
  p.instructions.push_back(types::Transfer{from,
                                           types::account_address(types::hash_bytes("to").span()),
                                           types::resource_address("xrd"), 7});
  p.nonce = nonce;
  p.valid_from_ms = 1'000;
  p.valid_until_ms = 61'000;
  p.signers = {key};
  std::vector<types::Ed25519Signature> sigs{
      crypto::mock_sign_transaction(key, types::intent_hash_of(p))};
  return std::make_shared<const types::Transaction>(std::move(p), 0, std::move(sigs));
}

inline types::QuorumCertificate sample_qc(std::uint32_t committee = 4) {
  types::QuorumCertificate qc;
  qc.shard = 0;
  qc.height = 4;
  qc.round = 9;
  qc.block_hash = types::hash_bytes("block");
  qc.parent_hash = types::hash_bytes("parent");
  qc.signers = types::SignerBitfield(committee);
  for (std::uint32_t i = 0; i + 1 < committee; ++i)
    qc.signers.set(i);
  qc.signature.bytes[0] = 0xa5;
  return qc;
}

/// Every alternative of core::Message, in tag order.
inline std::vector<core::Message> sample_messages() {
  std::vector<core::Message> out;
  auto txs = std::vector<types::TransactionRef>{sample_tx(1), sample_tx(2)};
  std::sort(txs.begin(), txs.end(),
            [](const auto& a, const auto& b) { return a->hash() < b->hash(); });

  auto proposal = std::make_shared<core::ProposalMessage>();
  proposal->header.shard = 0;
  proposal->header.height = 5;
  proposal->header.round = 10;
  proposal->header.parent_hash = types::hash_bytes("block");
  proposal->header.justify = sample_qc();
  proposal->header.proposer = 2;
  proposal->header.timestamp_ms = 5'000;
  for (const auto& tx : txs)
    proposal->tx_hashes.push_back(tx->hash());
  proposal->header.roots = proposal->compute_roots();
  out.emplace_back(core::ProposalRef(proposal));

  types::BlockVote vote{0, 5, 10, types::hash_bytes("b"), types::hash_bytes("p"), 3, {}};
  vote.signature.bytes[1] = 0x11;
  out.emplace_back(vote);

  types::Timeout timeout{0, 11, sample_qc(), std::nullopt, 1, {}};
  out.emplace_back(timeout);

  types::TimeoutCertificate tc;
  tc.shard = 0;
  tc.round = 10;
  tc.high_qc = sample_qc();
  tc.signers = types::SignerBitfield(4);
  for (std::uint32_t i = 0; i < 3; ++i)
    tc.signers.set(i);
  tc.high_qc_rounds = {9, 9, 9};
  out.emplace_back(core::TimeoutCertificateMessage{tc});

  out.emplace_back(core::TransactionGossip{txs});
  out.emplace_back(core::TransactionFetchRequest{types::hash_bytes("b"), {txs[0]->hash()}});
  out.emplace_back(core::TransactionFetchResponse{types::hash_bytes("b"), {txs[1]}});
  out.emplace_back(core::SyncRequest{1, 32});
  auto genesis = core::genesis_block(0);
  out.emplace_back(core::SyncResponse{
      {core::CertifiedBlock{genesis, types::QuorumCertificate::genesis(0, genesis->hash())}}});
  out.emplace_back(core::BlockFetchRequest{types::hash_bytes("b")});
  out.emplace_back(core::BlockFetchResponse{genesis});
  auto other = proposal->header;
  other.timestamp_ms += 1;
  out.emplace_back(core::EquivocationProof{proposal->header, other});

  types::StateVote sv;
  sv.content.tx_hash = txs[0]->hash();
  sv.content.shard = 0;
  sv.content.outcome = types::Executed{true, types::hash_bytes("outputs")};
  sv.voter = 2;
  sv.signature.bytes.fill(7);
  out.emplace_back(core::StateVotesMessage{{sv}});
  auto cert = std::make_shared<types::TransactionCertificate>();
  cert->tx_hash = txs[0]->hash();
  types::StateCertificate sc;
  sc.content = sv.content;
  sc.content.outcome = types::Executed{false, types::Hash::zero()};
  sc.signers = types::SignerBitfield(4);
  sc.signers.set(0);
  cert->shard_certificates.push_back(sc);
  out.emplace_back(core::TransactionCertificatesMessage{{cert}});
  return out;
}

}  // namespace hyperscale::testing
