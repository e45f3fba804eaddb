// kiosk/office_hours: when the office is open to citizens ([office_hours] in kiosk.toml). Outside
// them the kiosk shows a dimmed "closed" screen with the hours and takes no complaints: nobody
// is there to help, to restock paper or to call. Plain data and arithmetic on the office's
// local time; the session decides what to show.
#pragma once
#include <array>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kiosk {

// One stretch of a day in minutes from local midnight: from inclusive, to exclusive.
struct OpenSpan {
    int from = 0, to = 0;
    bool operator==(const OpenSpan&) const = default;
};

struct OfficeHours {
    bool set = false;  // no [office_hours]: open around the clock
    // Monday first, as the office's notice board reads; an empty day is closed.
    std::array<std::vector<OpenSpan>, 7> days;
    bool closed_on_holidays = true;  // the working-day calendar's holidays and days off
};

// "09:00-18:00", "09:00-13:00, 14:00-18:00" (ascending, not overlapping, within the day;
// "24:00" ends one), or "" / "closed". Nullopt for anything else.
std::optional<std::vector<OpenSpan>> parse_office_day(std::string_view text);

// A moment on the office's wall clock.
struct LocalMoment {
    std::chrono::sys_days day;
    int minute = 0;  // from midnight
    bool operator==(const LocalMoment&) const = default;
};
LocalMoment local_moment(std::chrono::system_clock::time_point t);  // in the process's zone

int monday_first(std::chrono::sys_days day);  // 0 = Monday ... 6 = Sunday

// Whether the office is open then; holiday(day) says whether a day is a holiday or day off.
template <class IsHoliday>
bool office_open(const OfficeHours& h, LocalMoment at, IsHoliday holiday) {
    if (!h.set) return true;
    if (h.closed_on_holidays && holiday(at.day)) return false;
    for (const OpenSpan& s : h.days[static_cast<std::size_t>(monday_first(at.day))])
        if (at.minute >= s.from && at.minute < s.to) return true;
    return false;
}

// When it next opens after a closed moment, within two weeks; nullopt when it never does.
template <class IsHoliday>
std::optional<LocalMoment> next_opening(const OfficeHours& h, LocalMoment at, IsHoliday holiday) {
    for (int d = 0; d <= 14; ++d) {
        const std::chrono::sys_days day = at.day + std::chrono::days(d);
        if (h.closed_on_holidays && holiday(day)) continue;
        for (const OpenSpan& s : h.days[static_cast<std::size_t>(monday_first(day))])
            if (d > 0 || s.from > at.minute) return LocalMoment{day, s.from};
    }
    return std::nullopt;
}

// Days with the same hours, run together as a notice board has them: {first, last, spans}.
struct HoursLine {
    int first_day = 0, last_day = 0;  // Monday first
    std::vector<OpenSpan> spans;      // empty: closed
};
std::vector<HoursLine> hours_lines(const OfficeHours& h);

std::string clock_text(int minute);  // "09:00"

}  // namespace kiosk
