// kiosk/clock: the kiosk's two clocks and its local time. The process zone is set once at
// start-up from the configuration (set_time_zone), before any thread starts, so localtime_r is
// safe after.
#pragma once
#include <chrono>
#include <string>

namespace kiosk {

using Clock = std::chrono::steady_clock;      // durations: timeouts, inactivity, frames
using WallClock = std::chrono::system_clock;  // dates people read: talons, logs, the register
using Millis = std::chrono::milliseconds;

void set_time_zone(const std::string& zone);
std::string local_time(WallClock::time_point t, const char* strftime_format);
std::string iso8601(WallClock::time_point t);  // 2026-11-27T10:15:00+05:00
std::chrono::sys_days local_today();
std::chrono::sys_days local_day(WallClock::time_point t);

}  // namespace kiosk
