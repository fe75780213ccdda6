#include "common/genesis_file.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

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
                                                     const std::string& where, std::uint64_t max) {
  if (!obj.contains(name) || !obj[name].is_number_unsigned())
    return std::unexpected(where + ": missing unsigned field '" + name + "'");
  auto v = obj[name].get<std::uint64_t>();
  if (v > max) return std::unexpected(where + ": '" + name + "' out of range");
  return v;
}

}  // namespace

std::expected<GenesisFile, std::string> genesis_from_json(const std::string& text) {
  json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return std::unexpected("genesis: not valid JSON");
  if (!doc.is_object()) return std::unexpected("genesis: top level must be an object");
  GenesisFile out;
  std::string scheme = doc.value("scheme", std::string("bls"));
  if (scheme == "bls")
    out.scheme = crypto::SchemeKind::kBls;
  else if (scheme == "mock")
    out.scheme = crypto::SchemeKind::kMock;
  else
    return std::unexpected("genesis: scheme must be \"bls\" or \"mock\"");
  if (!doc.contains("shards") || !doc["shards"].is_array())
    return std::unexpected("genesis: missing array 'shards'");
  std::vector<types::Committee> committees;
  for (std::size_t s = 0; s < doc["shards"].size(); ++s) {
    const auto& shard = doc["shards"][s];
    std::string where = "genesis: shards[" + std::to_string(s) + "]";
    if (!shard.is_object()) return std::unexpected(where + " must be an object");
    auto shard_id = uint_field(shard, "shard", where, UINT32_MAX);
    if (!shard_id) return std::unexpected(shard_id.error());
    if (!shard.contains("validators") || !shard["validators"].is_array())
      return std::unexpected(where + ": missing array 'validators'");
    std::vector<types::ValidatorInfo> members;
    for (std::size_t i = 0; i < shard["validators"].size(); ++i) {
      const auto& v = shard["validators"][i];
      std::string vwhere = where + ".validators[" + std::to_string(i) + "]";
      if (!v.is_object()) return std::unexpected(vwhere + " must be an object");
      types::ValidatorInfo info;
      auto id = uint_field(v, "id", vwhere, UINT32_MAX);
      auto power = uint_field(v, "power", vwhere, UINT64_MAX);
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
  std::ifstream in(path);
  if (!in) return std::unexpected("cannot read " + path.string());
  std::stringstream buf;
  buf << in.rdbuf();
  return genesis_from_json(buf.str());
}

}  // namespace hyperscale::apps
