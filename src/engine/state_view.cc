#include "engine/state_view.h"

#include <algorithm>
#include <bit>
#include <cstring>

#include "types/assert.h"
#include "types/table_mix.h"

namespace hyperscale::engine {

using types::Bytes;
using types::SubstateKey;

namespace {

/// A 64-bit mix of every byte of the key. Node ids are hash outputs, so this
/// only has to spread them; a view is never fed keys chosen against it.
std::uint64_t key_hash(const SubstateKey& key) {
  std::uint64_t h = 0x243f6a8885a308d3ULL ^ key.partition ^ (key.sort_key.size() << 8);
  auto mix = [&h](const std::uint8_t* p, std::size_t n) {
    for (std::size_t i = 0; i < n; i += 8) {
      std::uint64_t w = 0;
      std::memcpy(&w, p + i, std::min<std::size_t>(8, n - i));
      h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
      h ^= h >> 29;
    }
  };
  mix(key.node.bytes.data(), key.node.bytes.size());
  mix(key.sort_key.data(), key.sort_key.size());
  return h * 0xbf58476d1ce4e5b9ULL;
}

}  // namespace

MapStateView::MapStateView(Map entries) : entries_(std::move(entries)) {
  rebuild_index(std::bit_ceil(std::max<std::size_t>(16, entries_.size() * 2)));
}

MapStateView::MapStateView(std::span<const types::StateEntry> entries) {
  for (const auto& e : entries)
    if (e.value) entries_.insert_or_assign(e.key, *e.value);
  rebuild_index(std::bit_ceil(std::max<std::size_t>(16, entries_.size() * 2)));
}

MapStateView& MapStateView::operator=(const MapStateView& other) {
  if (this != &other) *this = MapStateView(other);
  return *this;
}

std::optional<Bytes> MapStateView::get(const SubstateKey& key) const {
  if (slots_.empty()) return std::nullopt;
  const Slot& s = slots_[find_slot(key, key_hash(key))];
  if (!s.entry) return std::nullopt;
  return s.entry->second;
}

void MapStateView::apply(std::span<const types::StateEntry> writes) {
  for (const auto& w : writes) {
    if (w.value)
      set(w.key, *w.value);
    else
      erase(w.key);
  }
}

void MapStateView::set(SubstateKey key, Bytes value) {
  auto [it, inserted] = entries_.insert_or_assign(std::move(key), std::move(value));
  if (inserted) index(*it);
}

void MapStateView::erase(const SubstateKey& key) {
  auto it = entries_.find(key);
  if (it == entries_.end()) return;
  unindex(*it);
  entries_.erase(it);
}

std::size_t MapStateView::find_slot(const SubstateKey& key, std::uint64_t hash) const {
  std::size_t mask = slots_.size() - 1;
  for (std::size_t i = home(hash);; i = (i + 1) & mask) {
    const Slot& s = slots_[i];
    if (!s.entry || (s.hash == hash && s.entry->first == key)) return i;
  }
}

void MapStateView::index(const Map::value_type& entry) {
  if ((entries_.size() * 2) > slots_.size()) {
    rebuild_index(types::ProbeIndex::grown(slots_.size()));  // indexes `entry` too
    return;
  }
  std::uint64_t hash = key_hash(entry.first);
  Slot& s = slots_[find_slot(entry.first, hash)];
  HS_ASSERT(!s.entry);
  s = Slot{hash, &entry};
}

void MapStateView::unindex(const Map::value_type& entry) {
  std::size_t mask = slots_.size() - 1;
  std::size_t hole = find_slot(entry.first, key_hash(entry.first));
  HS_ASSERT(slots_[hole].entry == &entry);
  // Backward shift: move later members of the probe run into the hole.
  for (std::size_t j = (hole + 1) & mask; slots_[j].entry; j = (j + 1) & mask) {
    if (types::ProbeIndex::movable(hole, j, home(slots_[j].hash))) {
      slots_[hole] = slots_[j];
      hole = j;
    }
  }
  slots_[hole] = Slot{};
}

void MapStateView::rebuild_index(std::size_t capacity) {
  HS_ASSERT(std::has_single_bit(capacity) && capacity >= 2 * entries_.size());
  slots_.assign(capacity, Slot{});
  shift_ = 64 - static_cast<unsigned>(std::countr_zero(capacity));
  std::size_t mask = capacity - 1;
  for (const auto& entry : entries_) {
    std::uint64_t hash = key_hash(entry.first);
    std::size_t i = home(hash);
    while (slots_[i].entry)
      i = (i + 1) & mask;
    slots_[i] = Slot{hash, &entry};
  }
}

}  // namespace hyperscale::engine
