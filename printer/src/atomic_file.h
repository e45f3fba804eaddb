// printer/atomic_file: files that a power cut leaves either old or new, never half written.
#pragma once
#include <sys/types.h>

#include <filesystem>
#include <string_view>

namespace printer::detail {

// Replaces path with bytes: a temp file beside it, fsync, rename, fsync of the folder. The
// folder must exist. mode applies to a newly created file. Throws Error naming the path.
void write_atomically(const std::filesystem::path& path, std::string_view bytes, mode_t mode);

}  // namespace printer::detail
