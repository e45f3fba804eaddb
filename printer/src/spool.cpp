// printer/spool: puts a finished talon on disk so that a power cut never leaves half of one.
#include "printer/talon.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace printer {
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

void write_all(int fd, const std::vector<unsigned char>& bytes, const fs::path& path) {
    for (std::size_t done = 0; done < bytes.size();) {
        const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) fail("writing", path, errno);
        done += static_cast<std::size_t>(n);
    }
}

void check_name(const std::string& name) {
    if (name.empty() || name.front() == '.' ||
        name.find_first_of(std::string("/\0", 2)) != std::string::npos)
        throw Error("printer: bad talon file name \"" + name + "\"");
}

}  // namespace

std::filesystem::path spool_talon(const std::filesystem::path& dir, const std::string& name,
                                  const std::vector<unsigned char>& pdf) {
    check_name(name);
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) fail("creating folder", dir, ec.value());

    const fs::path final_path = dir / (name + ".pdf");
    TempFile tmp(dir / (name + ".pdf.tmp"));
    {
        // 0640: the talon names the applicant, so other users may not read it.
        const Fd fd(::open(tmp.path().c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640));
        if (fd.get() < 0) fail("creating", tmp.path(), errno);
        write_all(fd.get(), pdf, tmp.path());
        // Once fsync succeeded the data is on disk, so an error from close has nothing to add.
        if (::fsync(fd.get()) != 0) fail("syncing", tmp.path(), errno);
    }
    if (::rename(tmp.path().c_str(), final_path.c_str()) != 0) fail("renaming", tmp.path(), errno);
    tmp.keep();

    // The rename lives in the folder's entries; sync them too so it survives a power cut.
    const Fd folder(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (folder.get() < 0 || ::fsync(folder.get()) != 0) fail("syncing folder", dir, errno);
    return final_path;
}

}  // namespace printer
