// kiosk/journal: the kiosk's log. Under systemd each line goes to the journal with its priority
// and structured fields (KIOSK_EVENT=...); elsewhere to stderr as "kiosk: message". The latest
// lines stay in memory for service mode. Callers write only counts, states, numbers the kiosk
// made and reasons: never what a citizen typed.
#pragma once
#include <chrono>
#include <string>
#include <vector>

namespace kiosk {

enum class Priority { Error = 3, Warning = 4, Notice = 5, Info = 6 };

struct LogLine {
    std::chrono::system_clock::time_point at;
    Priority priority = Priority::Info;
    std::string event;  // a short fixed word: "submission", "printer", "staff", ...
    std::string message;
};

// printf-style; thread-safe.
void log(Priority priority, const char* event, const char* format, ...)
    __attribute__((format(printf, 3, 4)));

// The newest lines, oldest first (at most max; the journal keeps them all).
std::vector<LogLine> recent_log(std::size_t max);

}  // namespace kiosk
