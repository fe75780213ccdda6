// apps::read_regular_file: only regular files, never more than the limit.

#include "common/read_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>

#include "temp_dir.h"

namespace hyperscale::apps {
namespace {

using testing::TempDir;
using testing::write_text;

TEST(ReadRegularFile, ReadsAFileUpToExactlyTheLimit) {
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  write_text(dir / "f", std::string(100, 'x'));
  auto text = read_regular_file(dir / "f", 100);
  ASSERT_TRUE(text.has_value()) << text.error();
  EXPECT_EQ(*text, std::string(100, 'x'));
  write_text(dir / "empty", "");
  EXPECT_EQ(read_regular_file(dir / "empty", 100).value_or("?"), "");
}

TEST(ReadRegularFile, RefusesAFileOneByteOverTheLimit) {
  TempDir dir;
  write_text(dir / "f", std::string(101, 'x'));
  auto text = read_regular_file(dir / "f", 100);
  ASSERT_FALSE(text.has_value());
  EXPECT_NE(text.error().find("larger than the limit of 100 bytes"), std::string::npos);
}

TEST(ReadRegularFile, FollowsALinkToARegularFile) {
  TempDir dir;
  write_text(dir / "f", "hello");
  std::filesystem::create_symlink(dir / "f", dir / "link");
  EXPECT_EQ(read_regular_file(dir / "link", 100).value_or("?"), "hello");
}

TEST(ReadRegularFile, RefusesWhatIsNotARegularFile) {
  TempDir dir;
  ASSERT_EQ(::mkfifo((dir / "fifo").c_str(), 0600), 0);
  auto start = std::chrono::steady_clock::now();
  // A FIFO with no writer: a blocking open would never return.
  auto fifo = read_regular_file(dir / "fifo", 100);
  ASSERT_FALSE(fifo.has_value());
  EXPECT_NE(fifo.error().find("is a FIFO"), std::string::npos);
  auto zero = read_regular_file("/dev/zero", 100);
  ASSERT_FALSE(zero.has_value());
  EXPECT_NE(zero.error().find("character device"), std::string::npos);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  auto folder = read_regular_file(dir.path(), 100);
  ASSERT_FALSE(folder.has_value());
  EXPECT_NE(folder.error().find("is a directory"), std::string::npos);
}

TEST(ReadRegularFile, NamesAMissingPath) {
  TempDir dir;
  auto text = read_regular_file(dir / "missing", 100);
  ASSERT_FALSE(text.has_value());
  EXPECT_NE(text.error().find((dir / "missing").string()), std::string::npos);
  EXPECT_NE(text.error().find("No such file"), std::string::npos);
}

}  // namespace
}  // namespace hyperscale::apps
