// Working-day calendar: the shipped data file against the published calendars of 2025 and
// 2026, the expected answer date across holidays and the year's end, and clear errors.
#include "kiosk/calendar.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

namespace {

namespace fs = std::filesystem;
using namespace std::chrono;
using kiosk::CalendarError;
using kiosk::WorkingDayCalendar;

const WorkingDayCalendar& shipped() {
    static const WorkingDayCalendar cal =
        WorkingDayCalendar::load(KIOSK_ASSETS_DIR "/calendar/kz-working-days.toml");
    return cal;
}

constexpr sys_days date(int y, unsigned m, unsigned d) { return year{y} / month{m} / day{d}; }

// YYYY-MM-DD, for readable failures: GCC 12 has no operator<< for chrono dates yet.
std::string show(sys_days d) {
    const year_month_day ymd{d};
    char text[16];
    std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
    return text;
}

// The date n working days after from, on the shipped calendar.
std::string after(sys_days from, int n) { return show(shipped().add_working_days(from, n)); }

// The message of the CalendarError that f throws, or "" if it throws none.
template <class F>
std::string error_of(F f) {
    try {
        f();
    } catch (const CalendarError& e) {
        return e.what();
    }
    return "";
}

// A calendar file with the given body, written to a fresh temp path.
class CalendarFile {
public:
    explicit CalendarFile(const std::string& body)
        : path_(fs::temp_directory_path() /
                ("calendar_test_" + std::to_string(::getpid()) + "_" +
                 ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".toml")) {
        std::ofstream(path_) << body;
    }
    ~CalendarFile() { fs::remove(path_); }
    const fs::path& path() const { return path_; }
    std::string load_error() const {
        return error_of([&] { WorkingDayCalendar::load(path_); });
    }

private:
    fs::path path_;
};

const std::string minimal =
    "weekend = [\"saturday\", \"sunday\"]\n"
    "[[holiday]]\ndate = \"01-01\"\nname = \"New Year\"\nmoves = true\n"
    "[year.2026]\nholidays = []\ntransfers = []\n";

// Section: the shipped calendar

TEST(Calendar, CoversTheYearsItLists) {
    EXPECT_EQ(shipped().first_year(), year{2025});
    EXPECT_EQ(shipped().last_year(), year{2027});
}

TEST(Calendar, WeekendsAreDaysOff) {
    EXPECT_TRUE(shipped().is_working_day(date(2026, 11, 27)));   // Friday
    EXPECT_FALSE(shipped().is_working_day(date(2026, 11, 28)));  // Saturday
    EXPECT_FALSE(shipped().is_working_day(date(2026, 11, 29)));  // Sunday
    EXPECT_TRUE(shipped().is_working_day(date(2026, 11, 30)));   // Monday
}

TEST(Calendar, HolidaysAreDaysOff) {
    for (sys_days d : {date(2026, 1, 1), date(2026, 1, 2), date(2026, 1, 7), date(2026, 3, 23),
                       date(2026, 5, 1), date(2026, 5, 7), date(2026, 5, 27), date(2026, 7, 6),
                       date(2026, 12, 16), date(2025, 6, 6), date(2025, 12, 16)})
        EXPECT_FALSE(shipped().is_working_day(d)) << show(d);
    EXPECT_TRUE(shipped().is_working_day(date(2026, 12, 17)));  // no holiday since 2022
}

// 2026 as published (inform.kz, egov.kz): each holiday on a weekend moves to the next
// working day; Nauryz on Saturday and Sunday moves past Monday 23, itself Nauryz.
TEST(Calendar, HolidaysOnAWeekendMoveToTheNextWorkingDay) {
    for (sys_days d : {date(2026, 3, 9), date(2026, 3, 24), date(2026, 3, 25), date(2026, 5, 11),
                       date(2026, 8, 31), date(2026, 10, 26), date(2025, 3, 10), date(2025, 3, 24),
                       date(2025, 3, 25), date(2025, 7, 7), date(2025, 9, 1), date(2025, 10, 27),
                       date(2027, 1, 4), date(2027, 3, 24), date(2027, 5, 3), date(2027, 5, 10)})
        EXPECT_FALSE(shipped().is_working_day(d)) << show(d);
    EXPECT_TRUE(shipped().is_working_day(date(2026, 3, 26)));
    EXPECT_TRUE(shipped().is_working_day(date(2026, 5, 12)));
}

// Religious holidays are days off on their date only: Kurban Ait on Sunday 16 May 2027.
TEST(Calendar, ReligiousHolidaysDoNotMove) {
    EXPECT_TRUE(shipped().is_working_day(date(2027, 5, 17)));
    EXPECT_TRUE(shipped().is_working_day(date(2027, 5, 18)));
}

// The ministry's order for 2025: Friday 3 January off, Sunday 5 January worked instead.
TEST(Calendar, TransfersMoveADayOff) {
    EXPECT_FALSE(shipped().is_working_day(date(2025, 1, 3)));
    EXPECT_TRUE(shipped().is_working_day(date(2025, 1, 5)));
    EXPECT_EQ(after(date(2025, 1, 2), 1), "2025-01-05");
}

// Section: the expected answer date

TEST(Calendar, FiveWorkingDaysInAnOrdinaryWeek) {
    EXPECT_EQ(after(date(2026, 11, 23), 5), "2026-11-30");  // Mon→Mon
    EXPECT_EQ(after(date(2026, 11, 27), 5), "2026-12-04");  // Fri→Fri
    // Filed on a Saturday: the count starts on Monday.
    EXPECT_EQ(after(date(2026, 11, 28), 5), "2026-12-04");
    EXPECT_EQ(after(date(2026, 11, 27), 0), "2026-11-27");
}

TEST(Calendar, FiveWorkingDaysAcrossHolidays) {
    // Thu 19 March 2026: 20 (Fri), then Nauryz 21-25, then 26, 27, 30, 31 March.
    EXPECT_EQ(after(date(2026, 3, 19), 5), "2026-03-31");
    // Mon 4 May 2026: 5, 6, (7 holiday), 8, (9-10 weekend, 11 moved), 12, 13.
    EXPECT_EQ(after(date(2026, 5, 4), 5), "2026-05-13");
}

TEST(Calendar, FiveWorkingDaysAcrossTheYearsEnd) {
    // Mon 29 December 2025: 30, 31, (1-4 January), 5, 6, (7 Christmas), 8.
    EXPECT_EQ(after(date(2025, 12, 29), 5), "2026-01-08");
    // Tue 28 December 2027 ends in 2028, which the file does not cover.
    const std::string error = error_of([] { shipped().add_working_days(date(2027, 12, 28), 5); });
    EXPECT_NE(error.find("2028-01-01"), std::string::npos) << error;
    EXPECT_NE(error.find("2025-2027"), std::string::npos) << error;
    EXPECT_NE(error.find("kz-working-days.toml"), std::string::npos) << error;
}

TEST(Calendar, DatesOutsideTheCalendarThrow) {
    const std::string error = error_of([] { shipped().is_working_day(date(2024, 12, 31)); });
    EXPECT_NE(error.find("2024-12-31"), std::string::npos) << error;
    EXPECT_NE(error.find("add the year 2024"), std::string::npos) << error;
    EXPECT_THROW(shipped().add_working_days(date(2028, 1, 3), 5), CalendarError);
    EXPECT_THROW(shipped().add_working_days(date(2026, 1, 5), -1), CalendarError);
}

// Section: bad files name the file, the line and the key

TEST(CalendarFile, MinimalFileLoads) {
    const CalendarFile file(minimal);
    const WorkingDayCalendar cal = WorkingDayCalendar::load(file.path());
    EXPECT_FALSE(cal.is_working_day(date(2026, 1, 1)));
    EXPECT_TRUE(cal.is_working_day(date(2026, 1, 2)));
}

TEST(CalendarFile, MissingFileIsNamed) {
    const std::string error =
        error_of([] { WorkingDayCalendar::load("/nonexistent/kz-working-days.toml"); });
    EXPECT_NE(error.find("/nonexistent/kz-working-days.toml"), std::string::npos) << error;
}

TEST(CalendarFile, SyntaxErrorNamesTheLine) {
    const CalendarFile file(minimal + "[year.2027\n");
    const std::string error = file.load_error();
    EXPECT_NE(error.find(file.path().string()), std::string::npos) << error;
    EXPECT_NE(error.find(":9: "), std::string::npos) << error;
}

TEST(CalendarFile, BadValuesNameTheLineAndKey) {
    struct Case {
        std::string body, expected;
    };
    const std::vector<Case> cases = {
        {"weekend = [\"caturday\"]\n" + minimal.substr(minimal.find('\n') + 1), ":1: weekend[0]:"},
        {minimal + "[[holiday]]\ndate = \"02-29\"\nname = \"x\"\nmoves = true\n",
         ":10: holiday[1].date:"},
        {minimal + "[[holiday]]\ndate = \"12-25\"\nname = \"x\"\nmovse = true\n",
         ":12: holiday[1].movse: unknown key"},
        {minimal + "[year.2027]\nholidays = [{ date = 2026-05-27, name = \"x\", moves = false "
                   "}]\ntransfers = []\n",
         ":10: year.2027.holidays[0].date: must be a date in 2027"},
        {minimal + "[year.2028]\nholidays = []\ntransfers = []\n",
         ":9: year.2028: years must follow each other: 2027 is missing"},
        {minimal + "[year.2027]\nholidays = []\n", ":9: year.2027.transfers: missing"},
        // A transfer onto a weekend day, or of a day that is off already, is a mistake.
        {minimal + "[year.2027]\nholidays = []\ntransfers = [{ day_off = 2027-01-09, working_day = "
                   "2027-01-10 }]\n",
         "year.2027.transfers[0].day_off: 2027-01-09 is a day off already"},
        {minimal + "[year.2027]\nholidays = []\ntransfers = [{ day_off = 2027-01-08, working_day = "
                   "2027-01-11 }]\n",
         "year.2027.transfers[0].working_day: 2027-01-11 must be a weekend day"},
        {"weekend = [\"saturday\"]\n[year.2026]\nholidays = []\ntransfers = []\n",
         "holiday: missing"},
    };
    for (const Case& c : cases) {
        const CalendarFile file(c.body);
        const std::string error = file.load_error();
        EXPECT_NE(error.find(c.expected), std::string::npos)
            << "expected \"" << c.expected << "\" in \"" << error << "\" for:\n"
            << c.body;
    }
}

}  // namespace
