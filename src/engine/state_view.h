#pragma once

// What the engine reads state through: a read-only view of substates (local
// state plus provisioned remote entries), and a map-backed view for tests,
// genesis and the simulator.

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <vector>

#include "types/state.h"

namespace hyperscale::engine {

/// Read-only access to substates. get() returns the value, or nullopt when
/// the substate is absent.
class StateView {
 public:
  virtual ~StateView() = default;
  virtual std::optional<types::Bytes> get(const types::SubstateKey& key) const = 0;
};

/// A StateView over an ordered map (tests, genesis, the simulator's oracle).
/// Point lookups go through a flat open-addressing index over the map's
/// entries (their addresses are stable): get() touches one index slot and
/// one entry instead of ~log2(n) scattered tree nodes.
class MapStateView final : public StateView {
 public:
  using Map = std::map<types::SubstateKey, types::Bytes>;

  MapStateView() = default;
  explicit MapStateView(Map entries);
  /// From entries; those without a value are skipped.
  explicit MapStateView(std::span<const types::StateEntry> entries);
  MapStateView(const MapStateView& other) : MapStateView(other.entries_) {}
  MapStateView& operator=(const MapStateView& other);
  MapStateView(MapStateView&&) = default;
  MapStateView& operator=(MapStateView&&) = default;

  std::optional<types::Bytes> get(const types::SubstateKey& key) const override;

  /// Applies writes: a value sets the substate, nullopt deletes it.
  void apply(std::span<const types::StateEntry> writes);
  void set(types::SubstateKey key, types::Bytes value);
  void erase(const types::SubstateKey& key);
  const Map& entries() const { return entries_; }

 private:
  struct Slot {
    std::uint64_t hash = 0;
    const Map::value_type* entry = nullptr;  // null: free
  };
  std::size_t home(std::uint64_t hash) const { return static_cast<std::size_t>(hash >> shift_); }
  std::size_t find_slot(const types::SubstateKey& key, std::uint64_t hash) const;
  void index(const Map::value_type& entry);
  void unindex(const Map::value_type& entry);
  void rebuild_index(std::size_t capacity);

  Map entries_;
  std::vector<Slot> slots_;  // power-of-two size, at most half full, linear probing
  unsigned shift_ = 64;      // home = top log2(slots) bits of the key hash
};

}  // namespace hyperscale::engine
