// printer/atomic_file: temp file, fsync, rename, fsync of the folder.
#include "atomic_file.h"

#include "printer/error.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <system_error>

namespace printer::detail {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void fail(const std::string& doing, const fs::path& path, int err) {
    throw Error("printer: " + doing + " \"" + path.string() +
                "\" failed: " + std::system_category().message(err));
}

// Closes the descriptor on every path out.
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

// Removes the temp file unless the rename went through.
class TempFile {
public:
    explicit TempFile(fs::path path) : path_(std::move(path)) {}
    ~TempFile() {
        if (!kept_) ::unlink(path_.c_str());
    }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
    const fs::path& path() const { return path_; }
    void keep() { kept_ = true; }

private:
    fs::path path_;
    bool kept_ = false;
};

void write_all(int fd, std::string_view bytes, const fs::path& path) {
    for (std::size_t done = 0; done < bytes.size();) {
        const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) fail("writing", path, errno);
        done += static_cast<std::size_t>(n);
    }
}

}  // namespace

void write_atomically(const fs::path& path, std::string_view bytes, mode_t mode) {
    TempFile tmp(path.string() + ".tmp");
    {
        const Fd fd(::open(tmp.path().c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode));
        if (fd.get() < 0) fail("creating", tmp.path(), errno);
        write_all(fd.get(), bytes, tmp.path());
        // Once fsync succeeded the data is on disk, so an error from close has nothing to add.
        if (::fsync(fd.get()) != 0) fail("syncing", tmp.path(), errno);
    }
    if (::rename(tmp.path().c_str(), path.c_str()) != 0) fail("renaming", tmp.path(), errno);
    tmp.keep();

    // The rename lives in the folder's entries; sync them too so it survives a power cut.
    const fs::path dir = path.parent_path().empty() ? fs::path(".") : path.parent_path();
    const Fd folder(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (folder.get() < 0 || ::fsync(folder.get()) != 0) fail("syncing folder", dir, errno);
}

}  // namespace printer::detail
