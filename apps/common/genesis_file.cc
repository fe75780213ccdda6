#include "common/genesis_file.h"

#include <algorithm>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <set>
#include <string_view>
#include <vector>

#include "common/read_file.h"

namespace hyperscale::apps {

using nlohmann::json;

std::string genesis_to_json(const GenesisFile& genesis) {
  json doc;
  doc["scheme"] = std::string(crypto::to_string(genesis.scheme));
  json shards = json::array();
  for (const auto& committee : genesis.topology.committees()) {
    json validators = json::array();
    for (const auto& m : committee.members()) {
      validators.push_back({{"id", m.id},
                            {"power", m.power},
                            {"bls_public_key", m.bls_key.hex()},
                            {"bls_pop", m.bls_pop.hex()},
                            {"network_key", m.network_key.hex()}});
    }
    shards.push_back({{"shard", committee.shard()}, {"validators", validators}});
  }
  doc["shards"] = shards;
  return doc.dump(2) + "\n";
}

namespace {

/// Deepest nesting of arrays and objects in `text`, counting no further than
/// `limit + 1`: the check runs before parsing, so a file of a million '['
/// never becomes a million nested values.
std::uint32_t nesting_depth(std::string_view text, std::uint32_t limit) {
  std::uint32_t depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
      if (deepest > limit) return deepest;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

std::expected<void, std::string> only_keys(const json& obj,
                                           std::initializer_list<std::string_view> allowed,
                                           const std::string& where) {
  for (const auto& [key, value] : obj.items())
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end())
      return std::unexpected(where + ": unknown field '" + key + "'");
  return {};
}

template <class T>
std::expected<T, std::string> hex_field(const json& obj, const char* name,
                                        const std::string& where) {
  if (!obj.contains(name) || !obj[name].is_string())
    return std::unexpected(where + ": missing string field '" + name + "'");
  auto v = types::parse_hex<T>(obj[name].get<std::string>());
  if (!v)
    return std::unexpected(where + ": '" + name + "' must be " + std::to_string(2 * T::kSize) +
                           " hex digits");
  return *v;
}

std::expected<std::uint64_t, std::string> uint_field(const json& obj, const char* name,
                                                     const std::string& where, std::uint64_t min,
                                                     std::uint64_t max) {
  if (!obj.contains(name)) return std::unexpected(where + ": missing field '" + name + "'");
  const json& field = obj[name];
  if (!field.is_number_unsigned() || field.get<std::uint64_t>() < min ||
      field.get<std::uint64_t>() > max)
    return std::unexpected(where + ": '" + name + "' must be a whole number from " +
                           std::to_string(min) + " to " + std::to_string(max));
  return field.get<std::uint64_t>();
}

/// Parses JSON, refusing an object that repeats a key: the last value would
/// silently win here while another reader might take the first.
std::expected<json, std::string> parse_json(const std::string& text) {
  std::vector<std::set<std::string>> keys_seen;  // one set per open object
  std::string repeated;
  json::parser_callback_t on_event = [&](int, json::parse_event_t event, json& parsed) {
    if (event == json::parse_event_t::object_start) {
      keys_seen.emplace_back();
    } else if (event == json::parse_event_t::object_end) {
      if (!keys_seen.empty()) keys_seen.pop_back();
    } else if (event == json::parse_event_t::key && !keys_seen.empty() && repeated.empty()) {
      if (!keys_seen.back().insert(parsed.get<std::string>()).second)
        repeated = parsed.get<std::string>();
    }
    return true;
  };
  json doc;
  try {
    doc = json::parse(text, on_event, /*allow_exceptions=*/true);
  } catch (const json::exception& e) {
    std::string where;
    if (const auto* pe = dynamic_cast<const json::parse_error*>(&e))
      where = " (error at byte " + std::to_string(pe->byte) + ")";
    return std::unexpected("genesis: not valid JSON" + where);
  }
  if (!repeated.empty())
    return std::unexpected("genesis: field '" + repeated + "' appears twice in one object");
  return doc;
}

}  // namespace

std::expected<GenesisFile, std::string> genesis_from_json(const std::string& text) {
  // A JSON text never holds a raw NUL (inside a string it must be written
  // \u0000), and nlohmann::json reads one as the end of the input: whatever
  // follows it would be ignored, not refused.
  if (auto nul = text.find('\0'); nul != std::string::npos)
    return std::unexpected("genesis: a NUL byte at byte offset " + std::to_string(nul) +
                           " (a JSON text never contains one)");
  if (nesting_depth(text, kMaxGenesisJsonDepth) > kMaxGenesisJsonDepth)
    return std::unexpected("genesis: nested deeper than the format's " +
                           std::to_string(kMaxGenesisJsonDepth) + " levels");
  auto parsed = parse_json(text);
  if (!parsed) return std::unexpected(parsed.error());
  const json& doc = *parsed;
  if (!doc.is_object()) return std::unexpected("genesis: top level must be an object");
  if (auto ok = only_keys(doc, {"scheme", "shards"}, "genesis"); !ok)
    return std::unexpected(ok.error());
  GenesisFile out;
  std::string scheme = "bls";  // the default when the field is absent
  if (doc.contains("scheme")) {
    if (!doc["scheme"].is_string())
      return std::unexpected("genesis: scheme must be \"bls\" or \"mock\"");
    scheme = doc["scheme"].get<std::string>();
  }
  if (scheme == "bls")
    out.scheme = crypto::SchemeKind::kBls;
  else if (scheme == "mock")
    out.scheme = crypto::SchemeKind::kMock;
  else
    return std::unexpected("genesis: scheme must be \"bls\" or \"mock\"");
  if (!doc.contains("shards") || !doc["shards"].is_array())
    return std::unexpected("genesis: missing array 'shards'");
  const json& shards = doc["shards"];
  std::uint64_t total_validators = 0;
  for (const auto& shard : shards)
    if (shard.is_object() && shard.contains("validators") && shard["validators"].is_array())
      total_validators += shard["validators"].size();
  if (total_validators > kMaxGenesisValidators)
    return std::unexpected("genesis: " + std::to_string(total_validators) +
                           " validators, more than the limit of " +
                           std::to_string(kMaxGenesisValidators));
  std::vector<types::Committee> committees;
  for (std::size_t s = 0; s < shards.size(); ++s) {
    const auto& shard = shards[s];
    std::string where = "genesis: shards[" + std::to_string(s) + "]";
    if (!shard.is_object()) return std::unexpected(where + " must be an object");
    if (auto ok = only_keys(shard, {"shard", "validators"}, where); !ok)
      return std::unexpected(ok.error());
    auto shard_id = uint_field(shard, "shard", where, 0, UINT32_MAX);
    if (!shard_id) return std::unexpected(shard_id.error());
    if (!shard.contains("validators") || !shard["validators"].is_array())
      return std::unexpected(where + ": missing array 'validators'");
    std::vector<types::ValidatorInfo> members;
    for (std::size_t i = 0; i < shard["validators"].size(); ++i) {
      const auto& v = shard["validators"][i];
      std::string vwhere = where + ".validators[" + std::to_string(i) + "]";
      if (!v.is_object()) return std::unexpected(vwhere + " must be an object");
      if (auto ok =
              only_keys(v, {"id", "power", "bls_public_key", "bls_pop", "network_key"}, vwhere);
          !ok)
        return std::unexpected(ok.error());
      types::ValidatorInfo info;
      auto id = uint_field(v, "id", vwhere, 0, UINT32_MAX);
      auto power = uint_field(v, "power", vwhere, 1, UINT64_MAX);
      auto key = hex_field<types::BlsPublicKey>(v, "bls_public_key", vwhere);
      auto pop = hex_field<types::BlsSignature>(v, "bls_pop", vwhere);
      auto net = hex_field<types::Ed25519PublicKey>(v, "network_key", vwhere);
      for (const std::string* e : {id ? nullptr : &id.error(), power ? nullptr : &power.error(),
                                   key ? nullptr : &key.error(), pop ? nullptr : &pop.error(),
                                   net ? nullptr : &net.error()})
        if (e) return std::unexpected(*e);
      info.id = static_cast<types::ValidatorId>(*id);
      info.power = *power;
      info.bls_key = *key;
      info.bls_pop = *pop;
      info.network_key = *net;
      members.push_back(info);
    }
    committees.emplace_back(static_cast<types::ShardId>(*shard_id), std::move(members));
  }
  auto topology = types::Topology::make(std::move(committees));
  if (!topology) return std::unexpected("genesis: " + topology.error());
  out.topology = std::move(*topology);
  return out;
}

std::expected<GenesisFile, std::string> load_genesis(const std::filesystem::path& path) {
  auto text = read_regular_file(path, kMaxGenesisFileBytes);
  if (!text) return std::unexpected(text.error());
  auto genesis = genesis_from_json(*text);
  if (!genesis) return std::unexpected(path.string() + ": " + genesis.error());
  return genesis;
}

}  // namespace hyperscale::apps
