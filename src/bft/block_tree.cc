#include "bft/block_tree.h"

#include <algorithm>

#include "types/assert.h"

namespace hyperscale::bft {

BlockTree::BlockTree(BlockRef committed_tip, types::QuorumCertificate tip_qc,
                     std::uint32_t committed_kept)
    : committed_kept_(committed_kept) {
  HS_ASSERT(committed_tip && committed_kept_ > 0);
  qcs_.emplace(committed_tip->hash(), std::move(tip_qc));
  blocks_.emplace(committed_tip->hash(), committed_tip);
  committed_.push_back(std::move(committed_tip));
}

BlockRef BlockTree::get(const Hash& h) const {
  auto it = blocks_.find(h);
  return it == blocks_.end() ? nullptr : it->second;
}

void BlockTree::insert(BlockRef block) {
  if (block->header().height <= committed_height()) return;
  auto [it, inserted] = blocks_.emplace(block->hash(), block);
  if (inserted) children_.emplace(block->header().parent_hash, block->hash());
}

void BlockTree::add_qc(const types::QuorumCertificate& qc) {
  if (qc.height > committed_height()) qcs_.emplace(qc.block_hash, qc);
}

const types::QuorumCertificate* BlockTree::qc_of(const Hash& h) const {
  auto it = qcs_.find(h);
  return it == qcs_.end() ? nullptr : &it->second;
}

std::optional<std::vector<BlockRef>> BlockTree::uncommitted_chain(const Hash& h) const {
  std::vector<BlockRef> chain;
  Hash cursor = h;
  while (cursor != committed_hash()) {
    BlockRef b = get(cursor);
    if (!b || b->header().height <= committed_height()) return std::nullopt;
    chain.push_back(b);
    cursor = b->header().parent_hash;
  }
  std::reverse(chain.begin(), chain.end());
  return chain;
}

std::vector<BlockRef> BlockTree::children(const Hash& h) const {
  std::vector<BlockRef> out;
  auto [lo, hi] = children_.equal_range(h);
  for (auto it = lo; it != hi; ++it)
    if (auto b = get(it->second)) out.push_back(b);
  return out;
}

void BlockTree::commit(const std::vector<BlockRef>& chain) {
  for (const auto& b : chain) {
    // Every commit extends the committed tip: anything else is a safety breach.
    HS_ASSERT_MSG(
        b->header().parent_hash == committed_hash() && b->header().height == committed_height() + 1,
        "commit does not extend the committed tip");
    committed_.push_back(b);
  }
  while (committed_.size() > committed_kept_)
    committed_.pop_front();
  prune();
}

void BlockTree::prune() {
  // Keep: the committed blocks in memory, every descendant of the tip, and
  // subtrees whose root's parent is unknown and above the tip's child height
  // (they may still connect once sync brings the gap). Drop the rest: forks
  // that can no longer commit.
  std::set<Hash> keep;
  for (const auto& b : committed_)
    keep.insert(b->hash());
  std::vector<Hash> frontier = {committed_hash()};
  for (const auto& [h, b] : blocks_)
    if (b->header().height > committed_height() + 1 && !blocks_.contains(b->header().parent_hash))
      frontier.push_back(h);
  while (!frontier.empty()) {
    Hash h = frontier.back();
    frontier.pop_back();
    if (!keep.insert(h).second && h != committed_hash()) continue;
    auto [lo, hi] = children_.equal_range(h);
    for (auto it = lo; it != hi; ++it)
      if (blocks_.contains(it->second) && !keep.contains(it->second))
        frontier.push_back(it->second);
  }
  for (auto it = blocks_.begin(); it != blocks_.end();) {
    if (keep.contains(it->first))
      ++it;
    else
      it = blocks_.erase(it);
  }
  for (auto it = qcs_.begin(); it != qcs_.end();) {
    if (it->second.height <= committed_height() && !keep.contains(it->first))
      it = qcs_.erase(it);
    else
      ++it;
  }
  for (auto it = children_.begin(); it != children_.end();) {
    if (!blocks_.contains(it->second))
      it = children_.erase(it);
    else
      ++it;
  }
}

}  // namespace hyperscale::bft
