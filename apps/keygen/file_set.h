#pragma once

// Writing the files of one `hyperscale-keygen generate` run as a set: every
// file, or (on a refusal, a failure or an interrupt) as close to none as the
// file system allows. Secret contents are the caller's to wipe.

#include <sys/types.h>

#include <expected>
#include <functional>
#include <string>
#include <vector>

#include "keygen/output_dir.h"

namespace hyperscale::keygen {

/// A file to write, held in memory until every file is ready.
struct PendingFile {
  std::string name;
  std::string contents;
  mode_t mode = 0;
};

/// Why write_file_set did not write the set.
struct FileSetFailure {
  /// True when stop_requested asked write_file_set to stop; the message then
  /// says what was undone.
  bool interrupted = false;
  std::string message;
};

/// Asked before each file is written; true stops the run.
using StopRequested = std::function<bool()>;

/// Writes every file of `files` into `dir` and fsyncs the folder.
///
/// Without `force`, nothing is written when any name is taken; each file is
/// made with OutputDir::create. With `force`, every file is staged first
/// (OutputDir::stage) and the renames come last, so a failure or a stop while
/// staging replaces nothing.
///
/// `stop_requested` is asked before each file is created or staged; when it
/// answers true, or a file cannot be written, every file this call made (and
/// every staged file) is removed and the set is left as it was. It is not
/// asked once the renames begin: they take a fraction of a second, and
/// finishing them is the only way to leave a set that is whole (all old or
/// all new) rather than mixed.
std::expected<void, FileSetFailure> write_file_set(OutputDir& dir,
                                                   const std::vector<PendingFile>& files,
                                                   bool force, const StopRequested& stop_requested);

}  // namespace hyperscale::keygen
