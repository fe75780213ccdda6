#include "core/messages.h"

#include "types/limits.h"
#include "types/merkle.h"

namespace hyperscale::core {

namespace {
void write_hashes(types::Writer& w, const std::vector<Hash>& v) {
  types::write_seq(w, v, [](types::Writer& w2, const Hash& h) { w2.fixed(h); });
}
void read_hashes(types::Reader& r, std::vector<Hash>& v, std::size_t max, std::string_view what) {
  types::read_seq(
      r, v, max, what, [what](types::Reader& r2, Hash& h) { r2.fixed(h, what); }, Hash::kSize);
}
void write_txs(types::Writer& w, const std::vector<types::TransactionRef>& v) {
  types::write_seq(w, v, [](types::Writer& w2, const types::TransactionRef& t) { write(w2, t); });
}
void read_txs(types::Reader& r, std::vector<types::TransactionRef>& v) {
  types::read_seq(r, v, limits::kMaxGossipTxs, "txs",
                  [](types::Reader& r2, types::TransactionRef& t) { read(r2, t); });
}
}  // namespace

bool operator==(const ProposalMessage& a, const ProposalMessage& b) {
  return a.header == b.header && a.retry_tx_hashes == b.retry_tx_hashes &&
         a.priority_tx_hashes == b.priority_tx_hashes && a.tx_hashes == b.tx_hashes &&
         types::pointees_equal(a.certificates, b.certificates) && a.deferrals == b.deferrals &&
         a.aborts == b.aborts && a.proofs == b.proofs;
}
bool operator==(const TransactionCertificatesMessage& a, const TransactionCertificatesMessage& b) {
  return types::pointees_equal(a.certificates, b.certificates);
}
bool operator==(const TransactionGossip& a, const TransactionGossip& b) {
  return types::pointees_equal(a.txs, b.txs);
}
bool operator==(const TransactionFetchResponse& a, const TransactionFetchResponse& b) {
  return a.block_hash == b.block_hash && types::pointees_equal(a.txs, b.txs);
}
bool operator==(const CertifiedBlock& a, const CertifiedBlock& b) {
  bool same_block = a.block == b.block || (a.block && b.block && *a.block == *b.block);
  return same_block && a.qc == b.qc;
}
bool operator==(const BlockFetchResponse& a, const BlockFetchResponse& b) {
  return a.block == b.block || (a.block && b.block && *a.block == *b.block);
}

std::string_view message_type_name(std::size_t index) {
  static constexpr std::string_view kNames[] = {"proposal",
                                                "vote",
                                                "timeout",
                                                "timeout_certificate",
                                                "tx_gossip",
                                                "tx_fetch_request",
                                                "tx_fetch_response",
                                                "sync_request",
                                                "sync_response",
                                                "block_fetch_request",
                                                "block_fetch_response",
                                                "equivocation_proof",
                                                "state_votes",
                                                "transaction_certificates"};
  static_assert(std::size(kNames) == kMessageTypeCount);
  return index < kMessageTypeCount ? kNames[index] : "unknown";
}

std::string_view message_type_name(const Message& m) {
  return message_type_name(m.index());
}

std::size_t encoded_size(const Message& m) {
  // The frequent messages have sizes that are cheap to compute exactly.
  if (std::holds_alternative<types::BlockVote>(m)) return 1 + 4 + 8 + 8 + 32 + 32 + 4 + 96;
  auto txs_size = [](const std::vector<types::TransactionRef>& txs) {
    std::size_t n = 4;
    for (const auto& tx : txs)
      n += tx->encoded_size();
    return n;
  };
  if (const auto* g = std::get_if<TransactionGossip>(&m)) return 1 + txs_size(g->txs);
  if (const auto* f = std::get_if<TransactionFetchResponse>(&m))
    return 1 + Hash::kSize + txs_size(f->txs);
  types::Writer w;
  write(w, m);
  return w.size();
}

types::SectionRoots ProposalMessage::compute_roots() const {
  auto items_root = [](const auto& items) {
    std::vector<Hash> leaves;
    leaves.reserve(items.size());
    for (const auto& item : items) {
      if constexpr (requires { *item; })
        leaves.push_back(types::item_hash(*item));
      else
        leaves.push_back(types::item_hash(item));
    }
    return types::merkle_root(leaves);
  };
  return types::SectionRoots{types::merkle_root(retry_tx_hashes),
                             types::merkle_root(priority_tx_hashes),
                             types::merkle_root(tx_hashes),
                             items_root(certificates),
                             items_root(deferrals),
                             items_root(aborts),
                             items_root(proofs)};
}

void write(types::Writer& w, const ProposalMessage& v) {
  write(w, v.header);
  write_hashes(w, v.retry_tx_hashes);
  write_hashes(w, v.priority_tx_hashes);
  write_hashes(w, v.tx_hashes);
  types::write_seq(
      w, v.certificates,
      [](types::Writer& w2, const types::TransactionCertificateRef& c) { write(w2, c); });
  types::write_seq(w, v.deferrals,
                   [](types::Writer& w2, const types::TransactionDefer& d) { write(w2, d); });
  types::write_seq(w, v.aborts,
                   [](types::Writer& w2, const types::TransactionAbort& a) { write(w2, a); });
  types::write_seq(w, v.proofs,
                   [](types::Writer& w2, const types::CommitmentProof& p) { write(w2, p); });
}

void read(types::Reader& r, ProposalMessage& v) {
  namespace tl = types::limits;
  read(r, v.header);
  read_hashes(r, v.retry_tx_hashes, tl::kMaxTxsPerBlock, "retry tx hashes");
  read_hashes(r, v.priority_tx_hashes, tl::kMaxTxsPerBlock, "priority tx hashes");
  read_hashes(r, v.tx_hashes, tl::kMaxTxsPerBlock, "tx hashes");
  types::read_seq(r, v.certificates, tl::kMaxCertificatesPerBlock, "certificates",
                  [](types::Reader& r2, types::TransactionCertificateRef& c) { read(r2, c); });
  types::require_strictly_sorted(
      r, v.certificates, [](const types::TransactionCertificateRef& c) { return c->tx_hash; },
      "certificates by tx hash");
  types::read_seq(r, v.deferrals, tl::kMaxDeferralsPerBlock, "deferrals",
                  [](types::Reader& r2, types::TransactionDefer& d) { read(r2, d); });
  types::read_seq(r, v.aborts, tl::kMaxAbortsPerBlock, "aborts",
                  [](types::Reader& r2, types::TransactionAbort& a) { read(r2, a); });
  types::read_seq(r, v.proofs, tl::kMaxProofsPerBlock, "proofs",
                  [](types::Reader& r2, types::CommitmentProof& p) { read(r2, p); });
  if (r.ok() && v.tx_count() > tl::kMaxTxsPerBlock)
    r.fail(types::DecodeErrorCode::kTooLarge, "transactions in proposal");
}

void write(types::Writer& w, const Message& v) {
  w.u8(static_cast<std::uint8_t>(v.index()));
  struct Visitor {
    types::Writer& w;
    void operator()(const ProposalRef& p) { write(w, *p); }
    void operator()(const types::BlockVote& m) { write(w, m); }
    void operator()(const types::Timeout& m) { write(w, m); }
    void operator()(const TimeoutCertificateMessage& m) { write(w, m.tc); }
    void operator()(const TransactionGossip& m) { write_txs(w, m.txs); }
    void operator()(const TransactionFetchRequest& m) {
      w.fixed(m.block_hash);
      write_hashes(w, m.tx_hashes);
    }
    void operator()(const TransactionFetchResponse& m) {
      w.fixed(m.block_hash);
      write_txs(w, m.txs);
    }
    void operator()(const SyncRequest& m) {
      w.u64(m.from_height);
      w.u32(m.count);
    }
    void operator()(const SyncResponse& m) {
      types::write_seq(w, m.blocks, [](types::Writer& w2, const CertifiedBlock& b) {
        write(w2, *b.block);
        write(w2, b.qc);
      });
    }
    void operator()(const BlockFetchRequest& m) { w.fixed(m.block_hash); }
    void operator()(const BlockFetchResponse& m) { write(w, *m.block); }
    void operator()(const EquivocationProof& m) {
      write(w, m.first);
      write(w, m.second);
    }
    void operator()(const StateVotesMessage& m) {
      types::write_seq(w, m.votes,
                       [](types::Writer& w2, const types::StateVote& sv) { write(w2, sv); });
    }
    void operator()(const TransactionCertificatesMessage& m) {
      types::write_seq(
          w, m.certificates,
          [](types::Writer& w2, const types::TransactionCertificateRef& c) { write(w2, c); });
    }
  };
  std::visit(Visitor{w}, v);
}

void read(types::Reader& r, Message& v) {
  switch (r.tag(kMessageTypeCount - 1, "message tag")) {
    case 0: {
      auto p = std::make_shared<ProposalMessage>();
      read(r, *p);
      v = ProposalRef(std::move(p));
      break;
    }
    case 1: {
      types::BlockVote m;
      read(r, m);
      v = m;
      break;
    }
    case 2: {
      types::Timeout m;
      read(r, m);
      v = std::move(m);
      break;
    }
    case 3: {
      TimeoutCertificateMessage m;
      read(r, m.tc);
      v = std::move(m);
      break;
    }
    case 4: {
      TransactionGossip m;
      read_txs(r, m.txs);
      v = std::move(m);
      break;
    }
    case 5: {
      TransactionFetchRequest m;
      r.fixed(m.block_hash, "fetch block hash");
      read_hashes(r, m.tx_hashes, types::limits::kMaxTxsPerBlock, "fetch tx hashes");
      v = std::move(m);
      break;
    }
    case 6: {
      TransactionFetchResponse m;
      r.fixed(m.block_hash, "fetch block hash");
      read_txs(r, m.txs);
      v = std::move(m);
      break;
    }
    case 7: {
      SyncRequest m;
      m.from_height = r.u64();
      m.count = r.u32();
      if (r.ok() && m.count > limits::kMaxSyncBlocksPerResponse)
        r.fail(types::DecodeErrorCode::kTooLarge, "sync request count");
      v = m;
      break;
    }
    case 8: {
      SyncResponse m;
      types::read_seq(r, m.blocks, limits::kMaxSyncBlocksPerResponse, "sync blocks",
                      [](types::Reader& r2, CertifiedBlock& b) {
                        auto block = std::make_shared<types::Block>();
                        read(r2, *block);
                        b.block = std::move(block);
                        read(r2, b.qc);
                      });
      v = std::move(m);
      break;
    }
    case 9: {
      BlockFetchRequest m;
      r.fixed(m.block_hash, "block fetch hash");
      v = m;
      break;
    }
    case 10: {
      auto block = std::make_shared<types::Block>();
      read(r, *block);
      v = BlockFetchResponse{std::move(block)};
      break;
    }
    case 11: {
      EquivocationProof m;
      read(r, m.first);
      read(r, m.second);
      v = std::move(m);
      break;
    }
    case 12: {
      StateVotesMessage m;
      types::read_seq(r, m.votes, limits::kMaxStateVotesPerMessage, "state votes",
                      [](types::Reader& r2, types::StateVote& sv) { read(r2, sv); });
      v = std::move(m);
      break;
    }
    case 13: {
      TransactionCertificatesMessage m;
      types::read_seq(r, m.certificates, limits::kMaxCertificatesPerMessage, "certificates",
                      [](types::Reader& r2, types::TransactionCertificateRef& c) { read(r2, c); });
      v = std::move(m);
      break;
    }
  }
}

}  // namespace hyperscale::core
