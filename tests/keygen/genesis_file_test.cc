// apps::genesis_from_json and load_genesis: malformed files get an error,
// never a crash, and the limits fit what generate writes.

#include "common/genesis_file.h"

#include <gtest/gtest.h>

#include "temp_dir.h"
#include "types/limits.h"

namespace hyperscale::apps {
namespace {

std::string validator_json(std::uint32_t id) {
  return R"({"id": )" + std::to_string(id) + R"(, "power": 1, "bls_public_key": ")" +
         std::string(96, 'a') + R"(", "bls_pop": ")" + std::string(192, 'b') +
         R"(", "network_key": ")" + std::string(64, 'c') + R"("})";
}

std::string one_validator(const std::string& extra_top = "",
                          const std::string& extra_validator = "") {
  std::string v = validator_json(0);
  v.insert(v.size() - 1, extra_validator);
  return R"({"scheme": "bls", )" + extra_top + R"("shards": [{"shard": 0, "validators": [)" + v +
         "]}]}";
}

std::string error_of(const std::string& text) {
  auto g = genesis_from_json(text);
  return g ? std::string("(accepted)") : g.error();
}

TEST(GenesisFile, ParsesAndRoundTrips) {
  auto g = genesis_from_json(one_validator());
  ASSERT_TRUE(g.has_value()) << g.error();
  auto again = genesis_from_json(genesis_to_json(*g));
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->topology.committees(), g->topology.committees());
}

TEST(GenesisFile, RefusesWrongTypesWithoutThrowing) {
  EXPECT_NE(error_of(R"({"scheme": 1, "shards": []})").find("scheme must be"), std::string::npos);
  EXPECT_NE(error_of(R"({"scheme": null, "shards": []})").find("scheme must be"),
            std::string::npos);
  EXPECT_NE(error_of("[]").find("top level must be an object"), std::string::npos);
  EXPECT_NE(error_of("{").find("not valid JSON"), std::string::npos);
  EXPECT_NE(error_of(std::string("\xff\xfe", 2)).find("not valid JSON"), std::string::npos);
  auto negative = one_validator();
  negative.replace(negative.find(R"("id": 0)"), 7, R"("id": -1)");
  EXPECT_NE(error_of(negative).find("'id' must be a whole number"), std::string::npos);
}

// The range in the message is the field's own: a power is at least 1.
TEST(GenesisFile, OutOfRangeNumbersNameTheirRange) {
  for (const char* bad : {R"("power": 0)", R"("power": -1)", R"("power": 1.5)"}) {
    auto text = one_validator();
    text.replace(text.find(R"("power": 1)"), 10, bad);
    EXPECT_NE(error_of(text).find("'power' must be a whole number from 1 to 18446744073709551615"),
              std::string::npos)
        << bad << ": " << error_of(text);
  }
  auto big_id = one_validator();
  big_id.replace(big_id.find(R"("id": 0)"), 7, R"("id": 4294967296)");
  EXPECT_NE(error_of(big_id).find("'id' must be a whole number from 0 to 4294967295"),
            std::string::npos)
      << error_of(big_id);
}

// nlohmann::json stops reading at a NUL byte: what follows one must not pass
// unseen.
TEST(GenesisFile, RefusesANulByteAnywhere) {
  const std::string good = one_validator();
  ASSERT_EQ(error_of(good), "(accepted)");
  const std::string nul(1, '\0');
  EXPECT_NE(error_of(good + nul + "garbage {{{")
                .find("NUL byte at byte offset " + std::to_string(good.size())),
            std::string::npos)
      << error_of(good + nul + "garbage {{{");
  EXPECT_NE(error_of(good + nul).find("NUL byte"), std::string::npos);
  EXPECT_NE(error_of(nul + good).find("NUL byte at byte offset 0"), std::string::npos);
  auto in_string = good;
  in_string.insert(in_string.find("aaaa"), nul);
  EXPECT_NE(error_of(in_string).find("NUL byte"), std::string::npos);
}

TEST(GenesisFile, RefusesUnknownAndRepeatedFields) {
  EXPECT_NE(error_of(one_validator(R"("extra": 1, )")).find("unknown field 'extra'"),
            std::string::npos);
  EXPECT_NE(error_of(one_validator("", R"(, "stake": 5)")).find("unknown field 'stake'"),
            std::string::npos);
  EXPECT_NE(error_of(one_validator(R"("scheme": "mock", )")).find("'scheme' appears twice"),
            std::string::npos);
  EXPECT_NE(error_of(one_validator("", R"(, "power": 7)")).find("'power' appears twice"),
            std::string::npos);
}

TEST(GenesisFile, RefusesDeepNestingBeforeParsing) {
  EXPECT_NE(error_of(std::string(1'000'000, '[')).find("nested deeper"), std::string::npos);
  // Brackets inside strings do not count.
  auto in_string = one_validator(R"("x": "[[[[[[[[[[", )");
  EXPECT_NE(error_of(in_string).find("unknown field 'x'"), std::string::npos);
}

TEST(GenesisFile, RefusesMoreValidatorsThanTheLimit) {
  std::string text = R"({"shards": [)";
  std::uint32_t id = 0;
  for (std::uint32_t s = 0; id <= kMaxGenesisValidators; ++s) {
    text +=
        (s ? "," : "") + std::string(R"({"shard": )") + std::to_string(s) + R"(, "validators": [)";
    for (std::uint32_t i = 0; i < 1024 && id <= kMaxGenesisValidators; ++i, ++id)
      text += (i ? "," : "") + validator_json(id);
    text += "]}";
  }
  text += "]}";
  EXPECT_NE(error_of(text).find("more than the limit of " + std::to_string(kMaxGenesisValidators)),
            std::string::npos);
}

// The largest genesis generate may write (kMaxGenesisValidators validators,
// 10-digit ids, the largest power a full committee may give each member)
// must load: it has to fit in kMaxGenesisFileBytes.
TEST(GenesisFile, TheLargestGenesisFitsTheFileLimit) {
  constexpr std::uint32_t kPerShard = 1024;
  static_assert(kMaxGenesisValidators % kPerShard == 0);
  std::vector<types::Committee> committees;
  for (std::uint32_t s = 0; s < kMaxGenesisValidators / kPerShard; ++s) {
    std::vector<types::ValidatorInfo> members(kPerShard);
    for (std::uint32_t i = 0; i < kPerShard; ++i) {
      members[i].id = UINT32_MAX - (s * kPerShard + i);
      members[i].power = types::limits::kMaxTotalVotingPower / kPerShard;
    }
    committees.emplace_back(s, std::move(members));
  }
  auto topology = types::Topology::make(std::move(committees));
  ASSERT_TRUE(topology.has_value()) << topology.error();
  std::string text = genesis_to_json({crypto::SchemeKind::kBls, std::move(*topology)});
  EXPECT_LE(text.size(), kMaxGenesisFileBytes);
}

TEST(GenesisFile, LoadNamesThePathAndRefusesOversizedFiles) {
  testing::TempDir dir;
  testing::write_text(dir / "g.json", "not json");
  auto bad = load_genesis(dir / "g.json");
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().find((dir / "g.json").string()), std::string::npos);
  std::string padded = one_validator();
  padded.resize(kMaxGenesisFileBytes, ' ');
  testing::write_text(dir / "limit.json", padded);
  EXPECT_TRUE(load_genesis(dir / "limit.json").has_value());
  testing::write_text(dir / "over.json", padded + " ");
  auto over = load_genesis(dir / "over.json");
  ASSERT_FALSE(over.has_value());
  EXPECT_NE(over.error().find("larger than the limit"), std::string::npos);
}

}  // namespace
}  // namespace hyperscale::apps
