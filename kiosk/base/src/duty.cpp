#include "kiosk/duty.h"

#include "kiosk/journal.h"
#include "kiosk/text.h"

#include <common/atomic_file.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>

namespace kiosk {
namespace {

// A name is at most 60 code points of 4 bytes and a newline: anything longer is not ours.
constexpr std::size_t kMaxFileBytes = 1024;

std::string_view trimmed(std::string_view s) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    return s;
}

bool separator(char32_t cp) {
    return cp == U' ' || cp == U'.' || cp == U'-' || cp == U'\'' || cp == U'’';
}

// The file's bytes, or nullopt with errno set (ENOENT: there is none; EFBIG: too large).
std::optional<std::string> read_small_file(const std::filesystem::path& file) {
    const int fd = ::open(file.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return std::nullopt;
    std::string bytes;
    char buf[512];
    for (;;) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0 || bytes.size() + static_cast<std::size_t>(n) > kMaxFileBytes) {
            const int err = n < 0 ? errno : n > 0 ? EFBIG : 0;
            ::close(fd);
            if (err != 0) {
                errno = err;
                return std::nullopt;
            }
            return bytes;
        }
        bytes.append(buf, static_cast<std::size_t>(n));
    }
}

}  // namespace

// Section: the rules for a name

std::string_view DutySpecialist::problem(std::string_view name) {
    const std::string_view s = trimmed(name);
    if (s.empty()) return "error.missing";
    const auto cps = decode_utf8(s);
    if (!cps) return "error.bad_utf8";
    if (cps->size() > kMaxCodePoints) return "error.too_long";
    bool letter = false;
    for (char32_t cp : *cps) {
        if (is_name_letter(cp))
            letter = true;
        else if (!separator(cp))
            return "staff.duty_not_a_name";
    }
    return letter ? "" : "staff.duty_not_a_name";
}

// Section: kept across restarts

DutySpecialist::DutySpecialist(std::filesystem::path file, std::string default_name)
    : file_(std::move(file)), name_(std::move(default_name)) {
    const auto bytes = read_small_file(file_);
    if (!bytes) {
        if (errno != ENOENT)  // none yet is the usual case: the configured name stands
            log(Priority::Warning, "duty",
                "duty specialist: cannot read %s: %s; the configured "
                "one stands",
                file_.c_str(), std::strerror(errno));
        return;
    }
    std::string_view saved = *bytes;
    if (!saved.empty() && saved.back() == '\n') saved.remove_suffix(1);
    if (!problem(saved).empty()) {
        log(Priority::Warning, "duty",
            "duty specialist: %s holds no acceptable name; the configured one stands",
            file_.c_str());
        return;
    }
    name_ = std::string(trimmed(saved));
}

std::string DutySpecialist::name() const {
    std::lock_guard lock(mutex_);
    return name_;
}

bool DutySpecialist::set(std::string_view name, std::string* problem_key) {
    const std::string_view why = problem(name);
    if (!why.empty()) {
        if (problem_key) *problem_key = std::string(why);
        return false;
    }
    const std::string taken(trimmed(name));
    if (const common::FileStatus s = common::write_file_atomically(file_, taken + "\n"); !s.ok()) {
        log(Priority::Error, "duty", "duty specialist not saved: %s", s.message.c_str());
        if (problem_key) *problem_key = "staff.duty_not_saved";
        return false;
    }
    std::lock_guard lock(mutex_);
    name_ = taken;
    return true;
}

}  // namespace kiosk
