#pragma once

// The folder `hyperscale-keygen generate` writes into. It is opened once and
// every file is made relative to that descriptor, by name, never through a
// symbolic link: a link planted where a seed file goes (pointing at a file the
// user can write) is refused, or with --force replaced, but its target is
// never opened.

#include <sys/types.h>

#include <expected>
#include <filesystem>
#include <string>
#include <string_view>

namespace hyperscale::keygen {

class OutputDir {
 public:
  /// Opens the folder at `path`, creating it with mode 0700 when missing
  /// (missing parents get the default mode; a trailing '/' is ignored).
  /// `path` itself may be a link to a folder: it is the user's own choice,
  /// unlike the names inside it.
  static std::expected<OutputDir, std::string> open(const std::filesystem::path& path);

  OutputDir(OutputDir&& other) noexcept;
  OutputDir& operator=(OutputDir&&) = delete;
  OutputDir(const OutputDir&) = delete;
  OutputDir& operator=(const OutputDir&) = delete;
  ~OutputDir();

  const std::filesystem::path& path() const { return path_; }
  /// The folder's permission bits (e.g. 01777 for /tmp), read from the open
  /// descriptor; 0 if they cannot be read.
  mode_t permissions() const;

  /// Whether anything, even a dangling symbolic link, is named `name` here.
  bool exists(const std::string& name) const;

  /// Creates `name` with exactly `mode` (whatever the umask) and writes
  /// `contents`, then fsyncs it. Fails, writing nothing, when `name` already
  /// exists in any form (file, folder, link, dangling link): O_CREAT|O_EXCL|
  /// O_NOFOLLOW. On a later failure the half-written file is removed.
  std::expected<void, std::string> create(const std::string& name, std::string_view contents,
                                          mode_t mode);

  /// Writes `contents` to a new file with a fresh random name in this folder
  /// (".keygen-<32 hex>.tmp"), made as `create` makes files. Returns the name, for commit
  /// or discard.
  std::expected<std::string, std::string> stage(std::string_view contents, mode_t mode);
  /// Renames the staged file to `name`, replacing what was there atomically:
  /// a link named `name` is replaced, its target left alone; a folder named
  /// `name` is an error.
  std::expected<void, std::string> commit(const std::string& staged, const std::string& name);
  /// Removes `name` (a file this run made) and ignores errors.
  void discard(const std::string& name) noexcept;

  /// Fsyncs the folder, so new and renamed entries survive a crash.
  std::expected<void, std::string> sync();

 private:
  OutputDir(std::filesystem::path path, int fd) : path_(std::move(path)), fd_(fd) {}
  std::string describe(const std::string& name) const { return (path_ / name).string(); }

  std::filesystem::path path_;
  int fd_ = -1;
};

}  // namespace hyperscale::keygen
