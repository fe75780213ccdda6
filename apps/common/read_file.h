#pragma once

// Reading a small input file (genesis, seed) whole, with a bound: a path the
// user names may be a device (/dev/zero), a FIFO or a huge file, and none of
// them may hang the tool or exhaust its memory.

#include <cstddef>
#include <expected>
#include <filesystem>
#include <string>

namespace hyperscale::apps {

/// The whole content of the regular file at `path` (symbolic links are
/// followed). Errors, each a message naming the path: the path is missing or
/// unreadable; it is not a regular file (directory, FIFO, socket, device such
/// as /dev/zero) — checked on the open descriptor, and the open never blocks
/// on a FIFO; the file is larger than `max_bytes` bytes. At most
/// `max_bytes + 1` bytes are ever read, so a file that grows while it is read
/// is refused too, and memory stays below that bound.
std::expected<std::string, std::string> read_regular_file(const std::filesystem::path& path,
                                                          std::size_t max_bytes);

}  // namespace hyperscale::apps
