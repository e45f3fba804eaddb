#include "kiosk/clock.h"

#include <cstdlib>
#include <ctime>

namespace kiosk {
namespace {

std::tm local_tm(WallClock::time_point t) {
    const std::time_t tt = WallClock::to_time_t(t);
    std::tm tm{};
    localtime_r(&tt, &tm);
    return tm;
}

}  // namespace

void set_time_zone(const std::string& zone) {
    setenv("TZ", zone.c_str(), 1);
    tzset();
}

std::string local_time(WallClock::time_point t, const char* format) {
    const std::tm tm = local_tm(t);
    char buf[64];
    return std::string(buf, std::strftime(buf, sizeof buf, format, &tm));
}

std::string iso8601(WallClock::time_point t) {
    std::string s = local_time(t, "%Y-%m-%dT%H:%M:%S%z");  // ...+0500
    if (s.size() >= 5) s.insert(s.size() - 2, ":");        // ISO 8601 extended: +05:00
    return s;
}

std::chrono::sys_days local_day(WallClock::time_point t) {
    const std::tm tm = local_tm(t);
    return std::chrono::sys_days{std::chrono::year{tm.tm_year + 1900} /
                                 std::chrono::month{static_cast<unsigned>(tm.tm_mon + 1)} /
                                 std::chrono::day{static_cast<unsigned>(tm.tm_mday)}};
}

std::chrono::sys_days local_today() { return local_day(WallClock::now()); }

}  // namespace kiosk
