// common/secret_file: private keys on disk. A key that others may read is a leaked key, and one
// that others may write is not ours: it must be a regular file of the effective user, mode 0600
// or 0400. One rule for every key (the register's client key, the talon's signing key).
#pragma once
#include "common/atomic_file.h"

#include <sys/stat.h>

#include <cstddef>
#include <filesystem>
#include <span>
#include <string>

namespace common {

// What is wrong with a secret file whose status is st, "" when nothing is: e.g.
// `/etc/k.key has mode 0644; a private key must be 0600 or 0400 (chmod 600 /etc/k.key)`.
std::string secret_file_problem(const std::filesystem::path& path, const struct stat& st);

// The same for a file that another library opens (TLS keys): stat()s path (following links, as
// the opener will). A missing or unreadable file is a problem too.
std::string secret_file_problem(const std::filesystem::path& path);

// Reads a secret file into out: opened without blocking, checked as above on the open
// descriptor (no window between check and read), at most out.size() bytes (a longer file is an
// error: EFBIG). size is the number of bytes read. The bytes go only into out, which the
// caller wipes; on failure out may hold part of the file. Problems of mode or owner give EPERM.
[[nodiscard]] FileStatus read_secret_file(const std::filesystem::path& path,
                                          std::span<unsigned char> out, std::size_t& size);

}  // namespace common
