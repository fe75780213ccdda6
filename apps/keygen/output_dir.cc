#include "keygen/output_dir.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>

#include "types/bytes.h"

namespace hyperscale::keygen {

namespace fs = std::filesystem;

namespace {

std::string error_text(int err) {
  return std::strerror(err);
}

/// Writes all of `data`, retrying short writes and interrupted calls.
bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

/// Attempts at a fresh staging name before giving up (each is 128 random bits,
/// so a second attempt only happens if someone else made that name).
constexpr int kMaxStageAttempts = 8;

}  // namespace

std::expected<OutputDir, std::string> OutputDir::open(const fs::path& given) {
  if (sodium_init() < 0) return std::unexpected("libsodium failed to initialise");
  // "devnet/" names the folder "devnet": without this, its parent would be
  // "devnet" and be made with the default mode.
  fs::path path = given.has_filename() ? given : given.parent_path();
  if (path.empty()) path = given;
  std::error_code ec;
  if (path.has_parent_path() && !path.parent_path().empty()) {
    fs::create_directories(path.parent_path(), ec);
    if (ec)
      return std::unexpected("cannot create " + path.parent_path().string() + ": " + ec.message());
  }
  if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST)
    return std::unexpected("cannot create " + path.string() + ": " + error_text(errno));
  int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return std::unexpected("cannot open folder " + path.string() + ": " + error_text(errno));
  return OutputDir(path, fd);
}

OutputDir::OutputDir(OutputDir&& other) noexcept : path_(std::move(other.path_)), fd_(other.fd_) {
  other.fd_ = -1;
}

OutputDir::~OutputDir() {
  if (fd_ >= 0) ::close(fd_);
}

mode_t OutputDir::permissions() const {
  struct stat st {};
  return ::fstat(fd_, &st) == 0 ? st.st_mode & 07777 : 0;
}

bool OutputDir::exists(const std::string& name) const {
  struct stat st {};
  return ::fstatat(fd_, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 || errno != ENOENT;
}

std::expected<void, std::string> OutputDir::create(const std::string& name,
                                                   std::string_view contents, mode_t mode) {
  // O_EXCL with O_CREAT fails on any existing name, a symbolic link included
  // (dangling or not), so no link is ever followed; O_NOFOLLOW says it twice.
  int fd = ::openat(fd_, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0) {
    int err = errno;
    if (err == EEXIST)
      return std::unexpected(describe(name) + " already exists (use --force to replace it)");
    return std::unexpected("cannot create " + describe(name) + ": " + error_text(err));
  }
  // The umask may have cleared bits of `mode` at creation; fchmod sets them
  // exactly (the umask only ever removes permissions, never adds any).
  int err = 0;
  if (::fchmod(fd, mode) != 0 || !write_all(fd, contents) || ::fsync(fd) != 0) err = errno;
  if (::close(fd) != 0 && err == 0) err = errno;
  if (err != 0) {
    ::unlinkat(fd_, name.c_str(), 0);
    return std::unexpected("cannot write " + describe(name) + ": " + error_text(err));
  }
  return {};
}

std::expected<std::string, std::string> OutputDir::stage(std::string_view contents, mode_t mode) {
  for (int attempt = 0; attempt < kMaxStageAttempts; ++attempt) {
    std::array<std::uint8_t, 16> random{};
    randombytes_buf(random.data(), random.size());
    std::string name = ".keygen-" + types::to_hex(random) + ".tmp";
    auto written = create(name, contents, mode);
    if (written) return name;
    if (exists(name)) continue;  // someone else made this very name: draw another
    return std::unexpected(written.error());
  }
  return std::unexpected("cannot find a free temporary name in " + path_.string());
}

std::expected<void, std::string> OutputDir::commit(const std::string& staged,
                                                   const std::string& name) {
  // rename replaces the directory entry `name` itself: a link there is
  // replaced, never followed.
  if (::renameat(fd_, staged.c_str(), fd_, name.c_str()) != 0)
    return std::unexpected("cannot replace " + describe(name) + ": " + error_text(errno));
  return {};
}

void OutputDir::discard(const std::string& name) noexcept {
  ::unlinkat(fd_, name.c_str(), 0);
}

std::expected<void, std::string> OutputDir::sync() {
  if (::fsync(fd_) != 0)
    return std::unexpected("cannot sync folder " + path_.string() + ": " + error_text(errno));
  return {};
}

}  // namespace hyperscale::keygen
