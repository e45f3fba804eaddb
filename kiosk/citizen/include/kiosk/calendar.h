// kiosk/calendar: working days of the five-day week with Kazakhstan's public holidays, read
// from a data file (assets/calendar/kz-working-days.toml), for the expected answer date on
// the talon: five working days after registration.
#pragma once
#include <array>
#include <chrono>
#include <filesystem>
#include <set>
#include <stdexcept>
#include <string>

namespace kiosk {

struct CalendarError : std::runtime_error {
    // ".../kz-working-days.toml:118: year.2027.holidays[0].date: must be a date in 2027"
    using std::runtime_error::runtime_error;
};

// Days are calendar dates where the office is: pass the local date of the registration time
// (in the configured zone, Asia/Almaty by default), not its UTC date.
class WorkingDayCalendar {
public:
    // Throws CalendarError naming the file, and the line and key of what is wrong in it.
    static WorkingDayCalendar load(const std::filesystem::path& file);

    // Throws CalendarError naming the day when its year is not in the file.
    bool is_working_day(std::chrono::sys_days day) const;

    // The n-th working day after from; from itself does not count, as a deadline starts the
    // next day. The expected answer date is add_working_days(registration date, 5). Throws
    // CalendarError naming the first day outside the calendar, or for a negative n.
    std::chrono::sys_days add_working_days(std::chrono::sys_days from, int n) const;

    // A public holiday or a day off moved onto a weekday (not an ordinary weekend); false for a
    // day outside the calendar, which then knows of none.
    bool is_holiday(std::chrono::sys_days day) const;

    std::chrono::year first_year() const { return first_; }
    std::chrono::year last_year() const { return last_; }

private:
    WorkingDayCalendar() = default;
    void check_covered(std::chrono::sys_days day) const;

    std::string file_;                        // its name, for messages
    std::chrono::year first_{0}, last_{0};    // the years the file covers
    std::array<bool, 7> weekend_{};           // by weekday, Sunday first
    std::set<std::chrono::sys_days> off_;     // holidays, and days off moved or transferred
    std::set<std::chrono::sys_days> worked_;  // weekend days made working by a transfer
};

}  // namespace kiosk
