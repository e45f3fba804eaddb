#include "kiosk/journal.h"

#include <systemd/sd-journal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <mutex>

namespace kiosk {
namespace {

constexpr std::size_t kKept = 200;

// systemd's documented test: stderr is the journal when its device and inode are the ones
// JOURNAL_STREAM names. Then structured entries replace the plain line.
bool stderr_is_journal() {
    const char* stream = std::getenv("JOURNAL_STREAM");
    if (!stream) return false;
    unsigned long long dev = 0, ino = 0;
    struct stat st {};
    return std::sscanf(stream, "%llu:%llu", &dev, &ino) == 2 && fstat(STDERR_FILENO, &st) == 0 &&
           st.st_dev == dev && st.st_ino == ino;
}

struct Journal {
    std::mutex mutex;
    std::deque<LogLine> lines;
    const bool structured = stderr_is_journal();
};

Journal& journal() {
    static Journal j;
    return j;
}

}  // namespace

void log(Priority priority, const char* event, const char* format, ...) {
    char text[1024];
    va_list args;
    va_start(args, format);
    std::vsnprintf(text, sizeof text, format, args);
    va_end(args);
    Journal& j = journal();
    // A journal that does not take the entry still gets the line through stderr.
    if (!j.structured ||
        sd_journal_send("MESSAGE=%s", text, "PRIORITY=%d", static_cast<int>(priority),
                        "KIOSK_EVENT=%s", event, "SYSLOG_IDENTIFIER=kiosk", nullptr) < 0)
        std::fprintf(stderr, "kiosk: %s\n", text);
    std::lock_guard lock(j.mutex);
    j.lines.push_back({std::chrono::system_clock::now(), priority, event, text});
    if (j.lines.size() > kKept) j.lines.pop_front();
}

std::vector<LogLine> recent_log(std::size_t max) {
    Journal& j = journal();
    std::lock_guard lock(j.mutex);
    const std::size_t n = std::min(max, j.lines.size());
    return {j.lines.end() - static_cast<std::ptrdiff_t>(n), j.lines.end()};
}

}  // namespace kiosk
