#pragma once

// Updates and proofs over a versioned Jellyfish Merkle Tree (DESIGN §6).
// The functions are pure over a TreeReader: apply_updates() computes a new
// version's nodes without writing them, so the same code serves committed
// blocks (write the batch to the store) and proposals on top of uncommitted
// ancestors (lay the ancestors' batches in an OverlayReader).
//
// The tree commits to value hashes; the values themselves live in the state
// store beside it.

#include <expected>
#include <optional>
#include <span>
#include <string_view>

#include "jmt/node.h"
#include "jmt/proof.h"
#include "jmt/tree_store.h"

namespace hyperscale::jmt {

/// Set `key_hash` to `value_hash`, or delete it when `value_hash` is nullopt.
struct KeyUpdate {
  Hash key_hash;
  std::optional<Hash> value_hash;
  friend bool operator==(const KeyUpdate&, const KeyUpdate&) = default;
};

enum class TreeError : std::uint8_t {
  kUnknownVersion,   // the base version is not in the reader (never written, or pruned)
  kMissingNode,      // a node a root reaches is not in the reader (a corrupt store)
  kVersionNotNewer,  // the new version is not above the base version
  kUnsortedUpdates,  // updates not strictly sorted by key hash
};
std::string_view to_string(TreeError e);

/// The nodes, stale records and root of version `version`: the tree of
/// `base` (nullopt = the empty tree) with `updates` applied. `updates` must be
/// strictly sorted by key hash; deleting an absent key is a no-op; an empty
/// list keeps the base root (the batch then writes no node).
std::expected<TreeUpdateBatch, TreeError> apply_updates(const TreeReader& reader,
                                                        std::optional<Version> base,
                                                        Version version,
                                                        std::span<const KeyUpdate> updates);

/// Sorts `updates` by key hash and keeps the last update of each key.
void sort_updates(std::vector<KeyUpdate>& updates);

struct ValueWithProof {
  std::optional<Hash> value_hash;  // nullopt: the key is absent
  SparseMerkleProof proof;
};

/// The value hash of `key_hash` at `version` with its proof against that
/// version's root.
std::expected<ValueWithProof, TreeError> get_with_proof(const TreeReader& reader, Version version,
                                                        const Hash& key_hash);

/// The root hash of `version` (zero for the empty tree).
std::expected<Hash, TreeError> root_hash(const TreeReader& reader, Version version);

}  // namespace hyperscale::jmt
