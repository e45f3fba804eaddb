// common/secret_file: the owner and mode rule for private keys, and reading one.
#include "common/secret_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <system_error>

namespace common {
namespace {

std::string errno_text(int err) {
    return std::system_category().message(err) + " (errno " + std::to_string(err) + ")";
}

FileStatus failed(int err, std::string message) { return {err, std::move(message)}; }

}  // namespace

std::string secret_file_problem(const std::filesystem::path& path, const struct stat& st) {
    const std::string p = path.string();
    if (!S_ISREG(st.st_mode)) return p + " is not a regular file";
    const unsigned mode = st.st_mode & 07777;
    if (mode != 0600 && mode != 0400) {
        char octal[8];
        std::snprintf(octal, sizeof octal, "%04o", mode);
        return p + " has mode " + octal + "; a private key must be 0600 or 0400 (chmod 600 " + p +
               ")";
    }
    if (st.st_uid != ::geteuid())
        return p + " belongs to uid " + std::to_string(st.st_uid) +
               ", not to the user the kiosk runs as (uid " + std::to_string(::geteuid()) + ")";
    return "";
}

std::string secret_file_problem(const std::filesystem::path& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        const int err = errno;
        if (err == ENOENT) return "no such file: " + path.string();
        return "cannot read " + path.string() + ": " + std::generic_category().message(err);
    }
    return secret_file_problem(path, st);
}

FileStatus read_secret_file(const std::filesystem::path& path, std::span<unsigned char> out,
                            std::size_t& size) {
    size = 0;
    // O_NONBLOCK: a FIFO put in the key's place must not hang the caller.
    const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        const int err = errno;
        return failed(err, "opening \"" + path.string() + "\": " + errno_text(err));
    }
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        const int err = errno;
        return failed(err, "reading \"" + path.string() + "\": " + errno_text(err));
    }
    if (std::string problem = secret_file_problem(path, st); !problem.empty())
        return failed(S_ISREG(st.st_mode) ? EPERM : EINVAL, std::move(problem));
    for (;;) {
        // One byte of room past out tells a file that is too long from one that fits exactly.
        unsigned char probe = 0;
        const bool full = size == out.size();
        const ssize_t n =
            full ? ::read(fd, &probe, 1) : ::read(fd, out.data() + size, out.size() - size);
        probe = 0;
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            const int err = errno;
            return failed(err, "reading \"" + path.string() + "\": " + errno_text(err));
        }
        if (n == 0) return {};
        if (full)
            return failed(EFBIG, path.string() + " is longer than " + std::to_string(out.size()) +
                                     " bytes: not the key expected");
        size += static_cast<std::size_t>(n);
    }
}

}  // namespace common
