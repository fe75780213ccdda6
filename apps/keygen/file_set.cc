#include "keygen/file_set.h"

namespace hyperscale::keygen {

namespace {

std::string count_of(std::size_t n, const char* what) {
  return std::to_string(n) + " " + what + (n == 1 ? "" : "s");
}

/// Without --force: creates each file in turn; undoes them all on a stop or
/// a failure.
std::expected<void, FileSetFailure> create_all(OutputDir& dir,
                                               const std::vector<PendingFile>& files,
                                               const StopRequested& stop_requested) {
  std::vector<std::string> taken;
  for (const auto& f : files)
    if (dir.exists(f.name)) taken.push_back(f.name);
  if (!taken.empty()) {
    std::string what = (dir.path() / taken[0]).string();
    what += taken.size() == 1 ? " already exists"
                              : " and " + std::to_string(taken.size() - 1) +
                                    " more of the files to write already exist";
    return std::unexpected(
        FileSetFailure{false, what + "; nothing was written (pass --force to replace them)"});
  }
  auto undo = [&](std::size_t made) {
    for (std::size_t j = 0; j < made; ++j)
      dir.discard(files[j].name);
  };
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (stop_requested()) {
      undo(i);
      return std::unexpected(FileSetFailure{true, "removed the " + count_of(i, "file") +
                                                      " this run had written to " +
                                                      dir.path().string() + "; nothing is left"});
    }
    if (auto made = dir.create(files[i].name, files[i].contents, files[i].mode); !made) {
      undo(i);
      return std::unexpected(FileSetFailure{false, made.error()});
    }
  }
  if (auto synced = dir.sync(); !synced)
    return std::unexpected(FileSetFailure{false, synced.error()});
  return {};
}

/// With --force: stages every file, then renames each over its name.
std::expected<void, FileSetFailure> replace_all(OutputDir& dir,
                                                const std::vector<PendingFile>& files,
                                                const StopRequested& stop_requested) {
  std::vector<std::string> staged;
  auto undo = [&] {
    for (const auto& s : staged)
      dir.discard(s);
  };
  for (const auto& f : files) {
    if (stop_requested()) {
      undo();
      return std::unexpected(FileSetFailure{
          true, "removed the " + count_of(staged.size(), "temporary file") +
                    " this run had written; no file in " + dir.path().string() + " was replaced"});
    }
    auto name = dir.stage(f.contents, f.mode);
    if (!name) {
      undo();
      return std::unexpected(FileSetFailure{false, name.error() + "; nothing was replaced"});
    }
    staged.push_back(*name);
  }
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (auto moved = dir.commit(staged[i], files[i].name); !moved) {
      for (std::size_t j = i; j < staged.size(); ++j)
        dir.discard(staged[j]);
      return std::unexpected(FileSetFailure{false, moved.error() + " (" + std::to_string(i) +
                                                       " of " + std::to_string(files.size()) +
                                                       " files were already replaced)"});
    }
  }
  if (auto synced = dir.sync(); !synced)
    return std::unexpected(FileSetFailure{false, synced.error()});
  return {};
}

}  // namespace

std::expected<void, FileSetFailure> write_file_set(OutputDir& dir,
                                                   const std::vector<PendingFile>& files,
                                                   bool force,
                                                   const StopRequested& stop_requested) {
  return force ? replace_all(dir, files, stop_requested) : create_all(dir, files, stop_requested);
}

}  // namespace hyperscale::keygen
