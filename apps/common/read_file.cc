#include "common/read_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <limits>

#include "types/assert.h"

namespace hyperscale::apps {

namespace {

/// Closes the descriptor on every return path.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

std::string describe_type(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  return "not a regular file";
}

}  // namespace

std::expected<std::string, std::string> read_regular_file(const std::filesystem::path& path,
                                                          std::size_t max_bytes) {
  HS_ASSERT(max_bytes < std::numeric_limits<std::size_t>::max());  // max_bytes + 1 must fit
  const std::string name = path.string();
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  if (fd.get() < 0) return std::unexpected("cannot open " + name + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0)
    return std::unexpected("cannot stat " + name + ": " + std::strerror(errno));
  if (!S_ISREG(st.st_mode))
    return std::unexpected(name + " is " + describe_type(st.st_mode) + ", not a regular file");
  const std::string too_big =
      name + " is larger than the limit of " + std::to_string(max_bytes) + " bytes";
  if (static_cast<std::uint64_t>(st.st_size) > max_bytes) return std::unexpected(too_big);

  std::string out;
  out.resize(static_cast<std::size_t>(st.st_size) + 1);
  std::size_t used = 0;
  // Reads until end of file or until one byte past the limit: the size seen
  // by fstat is only a hint, the file may grow (or shrink) meanwhile.
  while (used <= max_bytes) {
    if (used == out.size()) out.resize(std::min(max_bytes + 1, 2 * out.size() + 4096));
    ssize_t n = ::read(fd.get(), out.data() + used, out.size() - used);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::unexpected("cannot read " + name + ": " + std::strerror(errno));
    if (n == 0) break;
    used += static_cast<std::size_t>(n);
  }
  if (used > max_bytes) return std::unexpected(too_big);
  out.resize(used);
  return out;
}

}  // namespace hyperscale::apps
