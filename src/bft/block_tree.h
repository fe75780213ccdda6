#pragma once

// Blocks known to one validator above (and just below) its committed tip,
// the QCs that certify them, and the committed tip itself.

#include <deque>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "types/block.h"

namespace hyperscale::bft {

using types::BlockRef;
using types::Hash;

class BlockTree {
 public:
  BlockTree(BlockRef committed_tip, types::QuorumCertificate tip_qc, std::uint32_t committed_kept);

  bool contains(const Hash& h) const { return blocks_.contains(h); }
  BlockRef get(const Hash& h) const;
  void insert(BlockRef block);

  void add_qc(const types::QuorumCertificate& qc);
  const types::QuorumCertificate* qc_of(const Hash& h) const;

  const BlockRef& committed_tip() const { return committed_.back(); }
  types::BlockHeight committed_height() const { return committed_tip()->header().height; }
  const Hash& committed_hash() const { return committed_tip()->hash(); }

  /// Blocks from the committed tip (exclusive) up to `h` (inclusive), lowest
  /// first; nullopt when a block on the way is unknown or `h` does not
  /// descend from the committed tip.
  std::optional<std::vector<BlockRef>> uncommitted_chain(const Hash& h) const;

  /// Commits `chain` (from uncommitted_chain) and prunes what can no longer
  /// be committed. Each block's certifying QC must be known.
  void commit(const std::vector<BlockRef>& chain);

  /// Committed blocks still in memory (oldest first), for fetch serving.
  const std::deque<BlockRef>& recent_committed() const { return committed_; }
  std::size_t size() const { return blocks_.size(); }
  std::vector<BlockRef> all_blocks() const {
    std::vector<BlockRef> out;
    for (const auto& [h, b] : blocks_)
      out.push_back(b);
    return out;
  }
  /// Known blocks whose parent is `h`.
  std::vector<BlockRef> children(const Hash& h) const;

 private:
  void prune();

  std::map<Hash, BlockRef> blocks_;
  std::map<Hash, types::QuorumCertificate> qcs_;
  std::multimap<Hash, Hash> children_;  // parent -> child
  std::deque<BlockRef> committed_;
  std::uint32_t committed_kept_;
};

}  // namespace hyperscale::bft
