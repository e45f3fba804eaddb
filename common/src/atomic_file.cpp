// common/atomic_file: temp file, fsync, rename, fsync of the folder; private folders.
#include "common/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>
#include <utility>
#include <vector>

namespace common {
namespace {

namespace fs = std::filesystem;

constexpr mode_t kPrivateFile = 0600;
constexpr mode_t kPrivateFolder = 0700;

FileStatus failed(std::string_view doing, const fs::path& path, int err) {
    return {err, std::string(doing) + " \"" + path.string() + "\": " +
                     std::system_category().message(err) + " (errno " + std::to_string(err) + ")"};
}

// Closes the descriptor on every path out; close() reports what a late write error says.
class Fd {
public:
    explicit Fd(int fd) : fd_(fd) {}
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return fd_; }
    int close() { return ::close(std::exchange(fd_, -1)); }

private:
    int fd_;
};

// Removes the temp file unless the rename went through.
class TempFile {
public:
    explicit TempFile(fs::path path) : path_(std::move(path)) {}
    ~TempFile() {
        if (armed_) ::unlink(path_.c_str());
    }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
    const fs::path& path() const { return path_; }
    void arm() { armed_ = true; }
    void disarm() { armed_ = false; }

private:
    fs::path path_;
    bool armed_ = false;
};

fs::path folder_of(const fs::path& path) {
    return path.has_parent_path() ? path.parent_path() : fs::path(".");
}

FileStatus write_all(int fd, std::string_view bytes, const fs::path& path) {
    for (std::size_t done = 0; done < bytes.size();) {
        const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return failed("writing", path, n < 0 ? errno : EIO);
        done += static_cast<std::size_t>(n);
    }
    return {};
}

bool is_folder(const fs::path& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// The folder just made by mkdir, opened without following a link put in its place, gets
// exactly 0700.
FileStatus make_private(const fs::path& dir) {
    Fd folder(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (folder.get() < 0) return failed("opening folder", dir, errno);
    if (::fchmod(folder.get(), kPrivateFolder) != 0)
        return failed("setting mode 0700 of folder", dir, errno);
    if (folder.close() != 0) return failed("closing folder", dir, errno);
    return {};
}

}  // namespace

// Section: atomic write

FileStatus write_file_atomically(const fs::path& path, std::string_view bytes,
                                 Durability durability) {
    const bool durable = durability == Durability::power_cut_safe;
    if (path.has_parent_path())
        if (FileStatus s = make_private_dir(path.parent_path()); !s.ok()) return s;
    TempFile tmp(path.string() + ".tmp");
    // A fresh file of our own (not a stale one, nor a link planted there), so fchmod below
    // sets the mode of what gets renamed.
    if (::unlink(tmp.path().c_str()) != 0 && errno != ENOENT)
        return failed("removing stale", tmp.path(), errno);
    Fd fd(::open(tmp.path().c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                 kPrivateFile));
    if (fd.get() < 0) return failed("creating", tmp.path(), errno);
    tmp.arm();
    if (::fchmod(fd.get(), kPrivateFile) != 0)
        return failed("setting mode 0600 of", tmp.path(), errno);
    if (FileStatus s = write_all(fd.get(), bytes, tmp.path()); !s.ok()) return s;
    if (durable && ::fsync(fd.get()) != 0) return failed("syncing", tmp.path(), errno);
    if (fd.close() != 0) return failed("closing", tmp.path(), errno);
    if (::rename(tmp.path().c_str(), path.c_str()) != 0)
        return failed("renaming to \"" + path.string() + "\"", tmp.path(), errno);
    tmp.disarm();
    return durable ? sync_folder(folder_of(path)) : FileStatus{};
}

// Section: private folders

FileStatus make_private_dir(const fs::path& dir) {
    fs::path target = dir.lexically_normal();
    if (target.empty()) return failed("creating folder", dir, ENOENT);
    if (!target.has_filename() && target != target.root_path()) target = target.parent_path();

    // The folders that do not exist yet, deepest first.
    std::vector<fs::path> missing;
    for (fs::path p = target; !p.empty(); p = p.parent_path()) {
        struct stat st {};
        if (::stat(p.c_str(), &st) == 0) {
            if (!S_ISDIR(st.st_mode)) return failed("creating folder", p, ENOTDIR);
            break;
        }
        if (errno != ENOENT) return failed("looking for folder", p, errno);
        missing.push_back(p);
        if (p == p.parent_path()) break;
    }

    for (auto p = missing.rbegin(); p != missing.rend(); ++p) {
        if (::mkdir(p->c_str(), kPrivateFolder) != 0) {
            if (errno == EEXIST && is_folder(*p)) continue;  // made meanwhile by someone else
            return failed("creating folder", *p, errno);
        }
        if (FileStatus s = make_private(*p); !s.ok()) return s;
        if (FileStatus s = sync_folder(folder_of(*p)); !s.ok()) return s;
    }
    return {};
}

// A rename or a new entry lives in the folder; syncing it makes the entry survive a power cut.
FileStatus sync_folder(const fs::path& dir) {
    Fd folder(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (folder.get() < 0) return failed("opening folder", dir, errno);
    if (::fsync(folder.get()) != 0) return failed("syncing folder", dir, errno);
    if (folder.close() != 0) return failed("closing folder", dir, errno);
    return {};
}

}  // namespace common
