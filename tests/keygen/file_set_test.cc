// keygen::write_file_set: a stop asked part-way through leaves the folder as
// it was, without --force (no new file) and with it (no temporary file, every
// old file intact). The signal that asks for the stop is tested on the built
// binary in interrupt_test.cc.

#include "keygen/file_set.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "temp_dir.h"

namespace hyperscale::keygen {
namespace {

namespace fs = std::filesystem;
using testing::read_text;
using testing::TempDir;
using testing::write_text;

constexpr std::size_t kFiles = 10;
constexpr std::size_t kStopAfterFiles = 4;

std::vector<PendingFile> numbered_files(const std::string& contents) {
  std::vector<PendingFile> files;
  for (std::size_t i = 0; i < kFiles; ++i)
    files.push_back({"validator-" + std::to_string(i) + ".seed", contents, 0600});
  return files;
}

/// Says stop when asked for the (stop_after + 1)-th time, that is once
/// `stop_after` files are written.
StopRequested stop_after(std::size_t stop_after, std::size_t& asked) {
  return [stop_after, &asked] { return asked++ == stop_after; };
}

std::vector<std::string> names_in(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& entry : fs::directory_iterator(dir))
    out.push_back(entry.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

TEST(FileSet, WritesEveryFile) {
  TempDir tmp;
  auto dir = OutputDir::open(tmp.path());
  ASSERT_TRUE(dir.has_value()) << dir.error();
  std::size_t asked = 0;
  ASSERT_TRUE(write_file_set(*dir, numbered_files("new\n"), false, [] { return false; }));
  EXPECT_EQ(names_in(tmp.path()).size(), kFiles);
  ASSERT_TRUE(write_file_set(*dir, numbered_files("newer\n"), true, stop_after(kFiles, asked)));
  EXPECT_EQ(asked, kFiles);  // asked before each file, never during the renames
  EXPECT_EQ(names_in(tmp.path()).size(), kFiles);
  EXPECT_EQ(read_text(tmp / "validator-9.seed"), "newer\n");
}

TEST(FileSet, AStopRemovesEveryFileItMade) {
  TempDir tmp;
  write_text(tmp / "unrelated", "keep\n");
  auto dir = OutputDir::open(tmp.path());
  ASSERT_TRUE(dir.has_value()) << dir.error();
  std::size_t asked = 0;
  auto written =
      write_file_set(*dir, numbered_files("new\n"), false, stop_after(kStopAfterFiles, asked));
  ASSERT_FALSE(written.has_value());
  EXPECT_TRUE(written.error().interrupted);
  EXPECT_NE(written.error().message.find("removed the 4 files"), std::string::npos)
      << written.error().message;
  EXPECT_EQ(names_in(tmp.path()), std::vector<std::string>{"unrelated"});
  EXPECT_EQ(read_text(tmp / "unrelated"), "keep\n");
}

TEST(FileSet, AStopWithForceReplacesNothingAndLeavesNoTemporaryFile) {
  TempDir tmp;
  auto dir = OutputDir::open(tmp.path());
  ASSERT_TRUE(dir.has_value()) << dir.error();
  ASSERT_TRUE(write_file_set(*dir, numbered_files("old\n"), false, [] { return false; }));
  auto before = names_in(tmp.path());
  std::size_t asked = 0;
  auto written =
      write_file_set(*dir, numbered_files("new\n"), true, stop_after(kStopAfterFiles, asked));
  ASSERT_FALSE(written.has_value());
  EXPECT_TRUE(written.error().interrupted);
  EXPECT_NE(written.error().message.find("removed the 4 temporary files"), std::string::npos)
      << written.error().message;
  EXPECT_NE(written.error().message.find("was replaced"), std::string::npos);
  EXPECT_EQ(names_in(tmp.path()), before);  // no .keygen-*.tmp left
  for (const auto& name : before)
    EXPECT_EQ(read_text(tmp / name), "old\n") << name;
}

TEST(FileSet, AFailureIsNotAnInterrupt) {
  TempDir tmp;
  write_text(tmp / "validator-3.seed", "taken\n");
  auto dir = OutputDir::open(tmp.path());
  ASSERT_TRUE(dir.has_value()) << dir.error();
  auto written = write_file_set(*dir, numbered_files("new\n"), false, [] { return false; });
  ASSERT_FALSE(written.has_value());
  EXPECT_FALSE(written.error().interrupted);
  EXPECT_NE(written.error().message.find("already exists"), std::string::npos);
  EXPECT_EQ(names_in(tmp.path()), std::vector<std::string>{"validator-3.seed"});
}

}  // namespace
}  // namespace hyperscale::keygen
