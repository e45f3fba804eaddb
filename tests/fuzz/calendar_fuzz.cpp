// Fuzzes the working-day calendar file (kiosk/citizen): the input is the file. A calendar that
// loads must count working days as the header promises: the n-th working day after a date is
// later than it and a working day, or the count leaves the calendar with a CalendarError.
#include "kiosk/calendar.h"

#include "scratch.h"

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace {

using namespace std::chrono;

void require(bool ok, const char* what) {
    if (ok) return;
    std::fprintf(stderr, "calendar fuzz: broken promise: %s\n", what);
    std::abort();
}

// The first of every month of a year, and the answer date five working days later.
void count_through(const kiosk::WorkingDayCalendar& cal, year y) {
    for (unsigned m = 1; m <= 12; ++m) {
        const sys_days from{y / month{m} / day{1}};
        try {
            cal.is_working_day(from);
            const sys_days answer = cal.add_working_days(from, 5);
            require(answer > from, "the answer date is not after the registration");
            require(cal.is_working_day(answer), "the answer date is a day off");
        } catch (const kiosk::CalendarError&) {
            // The count ran past the last covered year: the kiosk then prints no date.
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const fuzz::Scratch scratch;
    const auto file = scratch.write("kz-working-days.toml", fuzz::as_text(data, size));
    try {
        const auto cal = kiosk::WorkingDayCalendar::load(file);
        require(cal.first_year() <= cal.last_year(), "no year covered");
        count_through(cal, cal.first_year());
        count_through(cal, cal.last_year());
    } catch (const kiosk::CalendarError&) {
        // Refused with the line and key named: what a bad file must get.
    }
    return 0;
}
