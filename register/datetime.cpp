#include "datetime.h"

#include <chrono>
#include <cstdio>

namespace dev_register {

std::string iso_datetime(std::time_t when) {
    std::tm local{};
    localtime_r(&when, &local);
    char text[40];
    const std::size_t length = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &local);
    const long offset = local.tm_gmtoff;
    const long minutes = (offset < 0 ? -offset : offset) / 60;
    std::snprintf(text + length, sizeof text - length, "%c%02ld:%02ld", offset < 0 ? '-' : '+',
                  minutes / 60, minutes % 60);
    return text;
}

namespace {

// Reads `digits` decimal digits at text[at] and moves past them.
std::optional<int> digits(std::string_view text, std::size_t& at, std::size_t count) {
    if (at + count > text.size()) return std::nullopt;
    int value = 0;
    for (std::size_t i = 0; i < count; ++i) {
        const char c = text[at + i];
        if (c < '0' || c > '9') return std::nullopt;
        value = value * 10 + (c - '0');
    }
    at += count;
    return value;
}

bool skip(std::string_view text, std::size_t& at, char expected) {
    if (at >= text.size() || text[at] != expected) return false;
    ++at;
    return true;
}

// Z, ±hh:mm or ±hhmm as seconds east of UTC.
std::optional<long> zone_offset(std::string_view text, std::size_t& at) {
    if (skip(text, at, 'Z')) return 0;
    if (at >= text.size() || (text[at] != '+' && text[at] != '-')) return std::nullopt;
    const long sign = text[at++] == '-' ? -1 : 1;
    const auto hours = digits(text, at, 2);
    skip(text, at, ':');
    const auto minutes = digits(text, at, 2);
    if (!hours || !minutes || *hours > 23 || *minutes > 59) return std::nullopt;
    return sign * (*hours * 3600L + *minutes * 60L);
}

}  // namespace

std::optional<std::time_t> parse_iso_datetime(std::string_view text) {
    std::size_t at = 0;
    const auto year = digits(text, at, 4);
    const bool dash1 = skip(text, at, '-');
    const auto month = digits(text, at, 2);
    const bool dash2 = skip(text, at, '-');
    const auto day = digits(text, at, 2);
    const bool t = skip(text, at, 'T');
    const auto hour = digits(text, at, 2);
    const bool colon1 = skip(text, at, ':');
    const auto minute = digits(text, at, 2);
    const bool colon2 = skip(text, at, ':');
    const auto second = digits(text, at, 2);
    if (!year || !month || !day || !hour || !minute || !second || !dash1 || !dash2 || !t ||
        !colon1 || !colon2 || *hour > 23 || *minute > 59 || *second > 59)
        return std::nullopt;
    if (skip(text, at, '.')) {
        const std::size_t first = at;
        while (at < text.size() && text[at] >= '0' && text[at] <= '9') ++at;
        if (at == first) return std::nullopt;
    }
    const auto offset = zone_offset(text, at);
    if (!offset || at != text.size()) return std::nullopt;
    const std::chrono::year_month_day date{std::chrono::year(*year),
                                           std::chrono::month(static_cast<unsigned>(*month)),
                                           std::chrono::day(static_cast<unsigned>(*day))};
    if (!date.ok()) return std::nullopt;
    const auto days = std::chrono::sys_days(date).time_since_epoch().count();
    return static_cast<std::time_t>(days) * 86400 + *hour * 3600 + *minute * 60 + *second - *offset;
}

}  // namespace dev_register
