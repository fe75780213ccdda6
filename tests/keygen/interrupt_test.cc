// The built hyperscale-keygen, interrupted by a signal while `generate`
// writes a large network: it exits 128 + the signal (130 for SIGINT, 143 for
// SIGTERM) and leaves no file of its own behind (seed file, genesis.json,
// .keygen-*.tmp); with --force the files of the earlier run are intact.
//
// The binary runs in a child with default signal dispositions (a shell's
// background job would ignore SIGINT). Every wait is bounded.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <optional>
#include <thread>

#include "temp_dir.h"

extern char** environ;

namespace hyperscale::keygen {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

/// Until enough files exist (the keys are computed first: about a second).
constexpr auto kStartTimeout = 120s;
/// From the signal until the process has exited.
constexpr auto kExitTimeout = 60s;
constexpr auto kPollInterval = 2ms;
/// Files to wait for before the signal: into the run, far from its end
/// (each file is fsynced; even on a fast disk the rest take a while).
constexpr std::size_t kFilesBeforeSignal = 20;

const std::string kSeedA(64, '1');
const std::string kSeedB(64, '2');

/// hyperscale-keygen running in a child process, stdout and stderr to `log`.
/// Killed and reaped if the test ends first.
class Keygen {
 public:
  Keygen(const std::vector<std::string>& args, const fs::path& log) {
    std::vector<std::string> argv_text = {HS_KEYGEN_BINARY};
    argv_text.insert(argv_text.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_text)
      argv.push_back(a.data());
    argv.push_back(nullptr);

    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t defaults, none;
    sigemptyset(&defaults);
    for (int s : {SIGINT, SIGTERM, SIGHUP})
      sigaddset(&defaults, s);
    sigemptyset(&none);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
    posix_spawn_file_actions_t files;
    posix_spawn_file_actions_init(&files);
    posix_spawn_file_actions_addopen(&files, STDOUT_FILENO, log.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&files, STDOUT_FILENO, STDERR_FILENO);
    if (posix_spawn(&pid_, argv[0], &files, &attr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&files);
    posix_spawnattr_destroy(&attr);
  }
  ~Keygen() {
    if (running()) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  Keygen(const Keygen&) = delete;
  Keygen& operator=(const Keygen&) = delete;

  bool started() const { return pid_ > 0; }
  /// Reaps the child if it has exited; false once it has.
  bool running() {
    if (pid_ > 0 && !status_) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) status_ = status;
    }
    return pid_ > 0 && !status_;
  }
  void signal(int s) { ::kill(pid_, s); }
  /// The wait status, once exited within `timeout`.
  std::optional<int> wait_for_exit(Clock::duration timeout) {
    for (auto end = Clock::now() + timeout; running() && Clock::now() < end;)
      std::this_thread::sleep_for(kPollInterval);
    return status_;
  }

 private:
  pid_t pid_ = -1;
  std::optional<int> status_;
};

struct Entries {
  std::size_t seeds = 0;
  std::size_t temporaries = 0;  // .keygen-<hex>.tmp
  std::size_t total = 0;
};

Entries entries_in(const fs::path& dir) {
  Entries out;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    ++out.total;
    if (name.ends_with(".seed")) ++out.seeds;
    if (name.starts_with(".keygen-") && name.ends_with(".tmp")) ++out.temporaries;
  }
  return out;
}

/// Polls `dir` until `enough` holds or the child exits; false on a timeout
/// or an early exit.
template <class Enough>
bool wait_for_files(Keygen& keygen, const fs::path& dir, Enough enough) {
  for (auto end = Clock::now() + kStartTimeout; Clock::now() < end;) {
    if (enough(entries_in(dir))) return true;
    if (!keygen.running()) return false;
    std::this_thread::sleep_for(kPollInterval);
  }
  return false;
}

std::map<std::string, std::string> contents_of(const fs::path& dir) {
  std::map<std::string, std::string> out;
  for (const auto& entry : fs::directory_iterator(dir))
    out[entry.path().filename().string()] = testing::read_text(entry.path());
  return out;
}

std::string describe(std::optional<int> status) {
  if (!status) return "still running";
  if (WIFEXITED(*status)) return "exit " + std::to_string(WEXITSTATUS(*status));
  if (WIFSIGNALED(*status)) return "killed by signal " + std::to_string(WTERMSIG(*status));
  return "wait status " + std::to_string(*status);
}

/// `shards` x 1024 validators. mock: the keys take a second, not a minute;
/// the files are the same.
std::vector<std::string> network(const fs::path& out, const std::string& seed,
                                 std::uint32_t shards) {
  std::vector<std::string> args = {"generate", "--scheme", "mock", "--validators", "1024"};
  args.insert(args.end(),
              {"--shards", std::to_string(shards), "--out", out.string(), "--network-seed", seed});
  return args;
}

TEST(GenerateInterrupt, SigintRemovesEveryFileTheRunWrote) {
  testing::TempDir tmp;
  ASSERT_FALSE(tmp.path().empty());
  const fs::path out = tmp / "net";
  Keygen keygen(network(out, kSeedA, 16), tmp / "log");
  ASSERT_TRUE(keygen.started());
  ASSERT_TRUE(
      wait_for_files(keygen, out, [](const Entries& e) { return e.seeds >= kFilesBeforeSignal; }))
      << "no " << kFilesBeforeSignal
      << " seed files while it ran: " << testing::read_text(tmp / "log");
  keygen.signal(SIGINT);
  auto status = keygen.wait_for_exit(kExitTimeout);
  std::string log = testing::read_text(tmp / "log");
  ASSERT_TRUE(status && WIFEXITED(*status) && WEXITSTATUS(*status) == 130)
      << describe(status) << ": " << log;
  auto left = entries_in(out);
  EXPECT_EQ(left.seeds, 0u);
  EXPECT_EQ(left.temporaries, 0u);
  EXPECT_EQ(left.total, 0u) << "genesis.json or another file left";
  EXPECT_NE(log.find("interrupted by SIGINT"), std::string::npos) << log;
  EXPECT_NE(log.find("nothing is left"), std::string::npos) << log;

  // A plain rerun is not refused because of files left behind.
  Keygen again({"generate", "--scheme", "mock", "--out", out, "--network-seed", kSeedA},
               tmp / "log2");
  auto rerun = again.wait_for_exit(kExitTimeout);
  EXPECT_TRUE(rerun && WIFEXITED(*rerun) && WEXITSTATUS(*rerun) == 0)
      << describe(rerun) << ": " << testing::read_text(tmp / "log2");
}

TEST(GenerateInterrupt, SigtermWithForceKeepsTheOldFilesAndNoTemporaryFile) {
  testing::TempDir tmp;
  ASSERT_FALSE(tmp.path().empty());
  const fs::path out = tmp / "net";
  // 2049 files: a larger set only makes the test slower on a busy disk.
  constexpr std::uint32_t kShards = 2;
  {
    Keygen first(network(out, kSeedA, kShards), tmp / "log0");
    auto status = first.wait_for_exit(kStartTimeout);
    ASSERT_TRUE(status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0)
        << describe(status) << ": " << testing::read_text(tmp / "log0");
  }
  const auto before = contents_of(out);
  ASSERT_EQ(before.size(), kShards * 1024 + 1);

  auto args = network(out, kSeedB, kShards);
  args.push_back("--force");
  Keygen keygen(args, tmp / "log");
  ASSERT_TRUE(keygen.started());
  ASSERT_TRUE(wait_for_files(keygen, out,
                             [](const Entries& e) { return e.temporaries >= kFilesBeforeSignal; }))
      << "no " << kFilesBeforeSignal
      << " temporary files while it ran: " << testing::read_text(tmp / "log");
  keygen.signal(SIGTERM);
  auto status = keygen.wait_for_exit(kExitTimeout);
  std::string log = testing::read_text(tmp / "log");
  ASSERT_TRUE(status && WIFEXITED(*status) && WEXITSTATUS(*status) == 143)
      << describe(status) << ": " << log;
  EXPECT_EQ(entries_in(out).temporaries, 0u);
  EXPECT_TRUE(contents_of(out) == before) << "an old file was changed, removed or added";
  EXPECT_NE(log.find("interrupted by SIGTERM"), std::string::npos) << log;
  EXPECT_NE(log.find("was replaced"), std::string::npos) << log;
}

}  // namespace
}  // namespace hyperscale::keygen
