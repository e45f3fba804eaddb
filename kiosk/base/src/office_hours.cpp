#include "kiosk/office_hours.h"

#include <ctime>

namespace kiosk {

// Section: reading a day's hours

namespace {

// "HH:MM" with 00 <= HH <= 24 and 00 <= MM <= 59, 24:00 the only time in the 24th hour.
std::optional<int> minute_of(std::string_view t) {
    if (t.size() != 5 || t[2] != ':') return std::nullopt;
    for (int i : {0, 1, 3, 4})
        if (t[i] < '0' || t[i] > '9') return std::nullopt;
    const int h = (t[0] - '0') * 10 + (t[1] - '0'), m = (t[3] - '0') * 10 + (t[4] - '0');
    if (m > 59 || h > 24 || (h == 24 && m != 0)) return std::nullopt;
    return h * 60 + m;
}

std::string_view trimmed(std::string_view s) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    return s;
}

}  // namespace

std::optional<std::vector<OpenSpan>> parse_office_day(std::string_view text) {
    std::vector<OpenSpan> spans;
    text = trimmed(text);
    if (text.empty() || text == "closed") return spans;
    while (!text.empty()) {
        const auto comma = text.find(',');
        const std::string_view part = trimmed(text.substr(0, comma));
        text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
        if (part.size() != 11 || part[5] != '-') return std::nullopt;
        const auto from = minute_of(part.substr(0, 5)), to = minute_of(part.substr(6));
        if (!from || !to || *from >= *to) return std::nullopt;
        if (!spans.empty() && *from <= spans.back().to) return std::nullopt;  // in order, apart
        spans.push_back({*from, *to});
        if (comma != std::string_view::npos && trimmed(text).empty()) return std::nullopt;
    }
    return spans;
}

// Section: the office's wall clock

LocalMoment local_moment(std::chrono::system_clock::time_point t) {
    const std::time_t s = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    localtime_r(&s, &tm);
    const auto day =
        std::chrono::sys_days(std::chrono::year(tm.tm_year + 1900) /
                              std::chrono::month(static_cast<unsigned>(tm.tm_mon + 1)) /
                              std::chrono::day(static_cast<unsigned>(tm.tm_mday)));
    return {day, tm.tm_hour * 60 + tm.tm_min};
}

int monday_first(std::chrono::sys_days day) {
    return static_cast<int>((std::chrono::weekday(day).c_encoding() + 6) % 7);
}

std::string clock_text(int minute) {
    char out[8];
    std::snprintf(out, sizeof out, "%02d:%02d", minute / 60 % 100, minute % 60);
    return out;
}

// Section: the notice board

std::vector<HoursLine> hours_lines(const OfficeHours& h) {
    std::vector<HoursLine> lines;
    for (int d = 0; d < 7; ++d) {
        const auto& spans = h.days[static_cast<std::size_t>(d)];
        if (!lines.empty() && lines.back().spans == spans)
            lines.back().last_day = d;
        else
            lines.push_back({d, d, spans});
    }
    return lines;
}

}  // namespace kiosk
