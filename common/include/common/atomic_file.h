// common/atomic_file: state files that a power cut leaves either old or new, never half
// written, and private to the kiosk's user (files 0600, folders 0700) whatever the umask.
#pragma once
#include <filesystem>
#include <string>
#include <string_view>

namespace common {

// The outcome of a file-system step: ok, or which step failed on which path and why.
struct FileStatus {
    int error = 0;        // errno of the step that failed; 0 when every step went through
    std::string message;  // e.g. `creating "/var/lib/x/paper.tmp": Permission denied (errno 13)`
    bool ok() const { return error == 0; }
};

enum class Durability {
    // fsync of the file before the rename and of its folder after: survives a power cut.
    power_cut_safe,
    // Only the rename: readers never see half a file, but a power cut may lose the write. For
    // files that are rewritten every frame and worthless after a reboot (the UI test probe).
    readers_only,
};

// Replaces path with bytes: "<path>.tmp" beside it (created 0600, a link there is refused),
// every byte written, fsync, rename over path, fsync of the folder. The file ends up 0600
// whatever the umask; a missing folder is made as make_private_dir does. One writer per path
// at a time (the temp name is fixed, so a crash leaves at most one stale temp file, replaced
// by the next write). On failure the temp file is removed and path is left as it was, unless
// the failed step is the folder's fsync: then path holds the new bytes, which a power cut may
// still undo.
[[nodiscard]] FileStatus write_file_atomically(const std::filesystem::path& path,
                                               std::string_view bytes,
                                               Durability durability = Durability::power_cut_safe);

// Makes sure dir exists: every missing folder on the way is created 0700 (mkdir, then chmod,
// as the umask may take bits away from what mkdir asks for) and its parent synced. A folder that
// already exists is left as it is (an operator's or systemd's mode stands); a file in its
// place is an error.
[[nodiscard]] FileStatus make_private_dir(const std::filesystem::path& dir);

// fsync of a folder: a rename or a new entry in it survives a power cut only after this.
[[nodiscard]] FileStatus sync_folder(const std::filesystem::path& dir);

}  // namespace common
