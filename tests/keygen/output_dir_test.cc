// keygen::OutputDir: files are created exclusively, with an exact mode, and
// no symbolic link in the folder is ever followed.

#include "keygen/output_dir.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "temp_dir.h"

namespace hyperscale::keygen {
namespace {

namespace fs = std::filesystem;
using testing::read_text;
using testing::TempDir;
using testing::write_text;

unsigned mode_of(const fs::path& path) {
  struct stat st {};
  EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

/// Runs the test body under umask 0, restoring the previous one after, so
/// modes must come from the code and not from a helpful umask.
class OutputDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(tmp_.path().empty());
    old_umask_ = ::umask(0);
  }
  void TearDown() override { ::umask(old_umask_); }
  TempDir tmp_;
  mode_t old_umask_ = 0;
};

TEST_F(OutputDirTest, CreatesAMissingFolderOwnerOnly) {
  auto dir = OutputDir::open(tmp_ / "a/b/out");
  ASSERT_TRUE(dir.has_value()) << dir.error();
  EXPECT_EQ(mode_of(tmp_ / "a/b/out"), 0700u);
  EXPECT_TRUE(OutputDir::open(tmp_ / "a/b/out").has_value());        // opening again is fine
  ASSERT_TRUE(OutputDir::open(tmp_.path() / "slash/").has_value());  // a trailing '/' too
  EXPECT_EQ(mode_of(tmp_ / "slash"), 0700u);
}

// generate warns on a folder others can write; the mode comes from the open
// folder.
TEST_F(OutputDirTest, ReportsTheFolderPermissions) {
  auto dir = OutputDir::open(tmp_ / "out");
  ASSERT_TRUE(dir.has_value()) << dir.error();
  EXPECT_EQ(dir->permissions(), 0700u);
  fs::permissions(tmp_ / "out", fs::perms::all | fs::perms::sticky_bit);
  EXPECT_EQ(dir->permissions(), 01777u);
}

TEST_F(OutputDirTest, CreateWritesTheExactModeAndContents) {
  auto dir = OutputDir::open(tmp_.path());
  ASSERT_TRUE(dir.has_value());
  ASSERT_TRUE(dir->create("secret", "abc\n", 0600).has_value());
  ASSERT_TRUE(dir->create("public", "{}\n", 0644).has_value());
  EXPECT_EQ(mode_of(tmp_ / "secret"), 0600u);
  EXPECT_EQ(mode_of(tmp_ / "public"), 0644u);
  EXPECT_EQ(read_text(tmp_ / "secret"), "abc\n");
}

TEST_F(OutputDirTest, CreateNeverOverwrites) {
  auto dir = OutputDir::open(tmp_.path());
  ASSERT_TRUE(dir.has_value());
  write_text(tmp_ / "seed", "old");
  auto made = dir->create("seed", "new", 0600);
  ASSERT_FALSE(made.has_value());
  EXPECT_NE(made.error().find("already exists (use --force"), std::string::npos);
  EXPECT_EQ(read_text(tmp_ / "seed"), "old");
  EXPECT_TRUE(dir->exists("seed"));
}

TEST_F(OutputDirTest, CreateNeverFollowsALink) {
  auto dir = OutputDir::open(tmp_.path());
  ASSERT_TRUE(dir.has_value());
  write_text(tmp_ / "victim", "victim");
  fs::create_symlink(tmp_ / "victim", tmp_ / "seed");
  fs::create_symlink(tmp_ / "not-there", tmp_ / "dangling");
  EXPECT_FALSE(dir->create("seed", "secret", 0600).has_value());
  EXPECT_FALSE(dir->create("dangling", "secret", 0600).has_value());
  EXPECT_EQ(read_text(tmp_ / "victim"), "victim");
  EXPECT_FALSE(fs::exists(tmp_ / "not-there"));
  EXPECT_TRUE(dir->exists("dangling"));  // a dangling link still takes the name
}

TEST_F(OutputDirTest, CommitReplacesALinkNotItsTarget) {
  auto dir = OutputDir::open(tmp_.path());
  ASSERT_TRUE(dir.has_value());
  write_text(tmp_ / "victim", "victim");
  fs::create_symlink(tmp_ / "victim", tmp_ / "seed");
  auto staged = dir->stage("secret", 0600);
  ASSERT_TRUE(staged.has_value()) << staged.error();
  EXPECT_EQ(mode_of(tmp_ / *staged), 0600u);
  ASSERT_TRUE(dir->commit(*staged, "seed").has_value());
  EXPECT_FALSE(fs::is_symlink(tmp_ / "seed"));
  EXPECT_EQ(read_text(tmp_ / "seed"), "secret");
  EXPECT_EQ(mode_of(tmp_ / "seed"), 0600u);
  EXPECT_EQ(read_text(tmp_ / "victim"), "victim");
  EXPECT_FALSE(fs::exists(tmp_ / *staged));
}

TEST_F(OutputDirTest, CommitOverAFolderFailsAndDiscardCleansUp) {
  auto dir = OutputDir::open(tmp_.path());
  ASSERT_TRUE(dir.has_value());
  fs::create_directory(tmp_ / "seed");
  auto staged = dir->stage("secret", 0600);
  ASSERT_TRUE(staged.has_value());
  EXPECT_FALSE(dir->commit(*staged, "seed").has_value());
  EXPECT_TRUE(fs::is_directory(tmp_ / "seed"));
  dir->discard(*staged);
  EXPECT_FALSE(dir->exists(*staged));
  EXPECT_TRUE(dir->sync().has_value());
}

}  // namespace
}  // namespace hyperscale::keygen
