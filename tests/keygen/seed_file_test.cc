// keygen seed files: the exact text generate writes, and nothing else.

#include "keygen/seed_file.h"

#include <gtest/gtest.h>

#include "temp_dir.h"

namespace hyperscale::keygen {
namespace {

crypto::MasterSeed counting_seed() {
  crypto::MasterSeed seed{};
  for (std::size_t i = 0; i < seed.size(); ++i)
    seed[i] = static_cast<std::uint8_t>(i * 7 + 1);
  return seed;
}

TEST(SeedFile, TextRoundTrips) {
  auto seed = counting_seed();
  std::string text = seed_to_text(seed);
  EXPECT_EQ(text.size(), 65u);
  EXPECT_EQ(text.back(), '\n');
  EXPECT_EQ(seed_from_text(text).value_or(crypto::MasterSeed{}), seed);
  std::string bare = text.substr(0, 64);
  EXPECT_EQ(seed_from_text(bare).value_or(crypto::MasterSeed{}), seed);
  EXPECT_EQ(seed_from_text(bare + "\r\n").value_or(crypto::MasterSeed{}), seed);
}

TEST(SeedFile, RefusesAnyOtherText) {
  std::string good = seed_to_text(counting_seed()).substr(0, 64);
  for (const std::string& bad :
       {std::string(), good.substr(0, 63), good + "0", good + "\n\n", good + " ", " " + good,
        good.substr(0, 63) + "g", std::string(64, 'z'), good + "\n" + good}) {
    auto seed = seed_from_text(bad);
    ASSERT_FALSE(seed.has_value()) << bad;
    EXPECT_NE(seed.error().find("not a seed file"), std::string::npos);
    // The error never repeats the (secret) text.
    EXPECT_TRUE(bad.size() < 8 || seed.error().find(bad.substr(0, 8)) == std::string::npos);
  }
}

// A seed of the wrong length says so, newline or not; a stray character is
// named by its place, never quoted.
TEST(SeedFile, SaysWhatIsWrong) {
  std::string good = seed_to_text(counting_seed()).substr(0, 64);
  auto error_of = [](const std::string& text) {
    auto seed = seed_from_text(text);
    return seed ? std::string("(accepted)") : seed.error();
  };
  for (const auto& [text, want] : std::vector<std::pair<std::string, std::string>>{
           {good.substr(0, 63) + "\n", "63 hex digits; want exactly 64"},
           {good.substr(0, 63), "63 hex digits; want exactly 64"},
           {good + "a\r\n", "65 hex digits; want exactly 64"},
           {"", "0 hex digits; want exactly 64"},
           {good + "\n\n", "64 hex digits and more text after them"},
           {good.substr(0, 10) + "g" + good.substr(11), "character 11 is not a hex digit"},
           {good + " ", "character 65 is not a hex digit"},
           {good + "\r", "character 65 is not a hex digit"}}) {
    std::string error = error_of(text);
    EXPECT_NE(error.find(want), std::string::npos) << error;
    EXPECT_EQ(error.find("not a hex digit") != std::string::npos,
              want.find("not a hex digit") != std::string::npos)
        << error;
  }
}

TEST(SeedFile, ReadsFromDiskWithinItsLimit) {
  testing::TempDir dir;
  testing::write_text(dir / "s", seed_to_text(counting_seed()));
  EXPECT_EQ(read_seed_file(dir / "s").value_or(crypto::MasterSeed{}), counting_seed());
  testing::write_text(dir / "big", std::string(kMaxSeedFileBytes + 1, '0'));
  auto big = read_seed_file(dir / "big");
  ASSERT_FALSE(big.has_value());
  EXPECT_NE(big.error().find("larger than the limit"), std::string::npos);
  EXPECT_FALSE(read_seed_file("/dev/zero").has_value());
}

}  // namespace
}  // namespace hyperscale::keygen
