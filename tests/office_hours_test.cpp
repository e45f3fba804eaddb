// Office hours: the notice board's text read, open and closed moments, the next opening, and the
// lines the closed screen lists.
#include "kiosk/office_hours.h"

#include <gtest/gtest.h>

#include <set>

namespace kiosk {
namespace {

using namespace std::chrono;

constexpr sys_days kMonday = 2026y / December / 7;  // a Monday
constexpr auto kNoHolidays = [](sys_days) { return false; };

OfficeHours weekdays_and_saturday() {
    OfficeHours h;
    h.set = true;
    for (int d = 0; d < 5; ++d) h.days[d] = *parse_office_day("09:00-13:00, 14:00-18:00");
    h.days[5] = *parse_office_day("10:00-14:00");
    return h;
}

TEST(OfficeHours, ADayIsReadAsTheNoticeBoardWritesIt) {
    EXPECT_EQ(*parse_office_day("09:00-18:00"), (std::vector<OpenSpan>{{540, 1080}}));
    EXPECT_EQ(*parse_office_day(" 09:00-13:00,14:00-24:00 "),
              (std::vector<OpenSpan>{{540, 780}, {840, 1440}}));
    EXPECT_TRUE(parse_office_day("")->empty());
    EXPECT_TRUE(parse_office_day("closed")->empty());
    for (const char* bad :
         {"9:00-18:00", "09:00 - 18:00", "09:00-18:00,", "18:00-09:00", "09:00-09:00",
          "09:00-13:00, 13:00-18:00", "14:00-18:00, 09:00-13:00", "09:60-18:00", "24:30-24:40",
          "25:00-26:00", "00:00-24:01", "always", "09:00-18:00; 19:00-20:00", "０９:00-18:00"})
        EXPECT_FALSE(parse_office_day(bad)) << bad;
}

TEST(OfficeHours, OpenInsideItsSpansClosedOutsideAndOnHolidays) {
    const OfficeHours h = weekdays_and_saturday();
    EXPECT_FALSE(office_open(h, {kMonday, 8 * 60 + 59}, kNoHolidays));
    EXPECT_TRUE(office_open(h, {kMonday, 9 * 60}, kNoHolidays));
    EXPECT_TRUE(office_open(h, {kMonday, 12 * 60 + 59}, kNoHolidays));
    EXPECT_FALSE(office_open(h, {kMonday, 13 * 60 + 30}, kNoHolidays));  // lunch
    EXPECT_FALSE(office_open(h, {kMonday, 18 * 60}, kNoHolidays));       // the end is out
    EXPECT_TRUE(office_open(h, {kMonday + days(5), 10 * 60}, kNoHolidays));
    EXPECT_FALSE(office_open(h, {kMonday + days(6), 10 * 60}, kNoHolidays));  // Sunday
    const auto monday_off = [](sys_days d) { return d == kMonday; };
    EXPECT_FALSE(office_open(h, {kMonday, 10 * 60}, monday_off));
    OfficeHours open_on_holidays = h;
    open_on_holidays.closed_on_holidays = false;
    EXPECT_TRUE(office_open(open_on_holidays, {kMonday, 10 * 60}, monday_off));
    EXPECT_TRUE(office_open(OfficeHours{}, {kMonday + days(6), 3 * 60}, kNoHolidays));
}

TEST(OfficeHours, TheNextOpeningSkipsLunchNightsSundaysAndHolidays) {
    const OfficeHours h = weekdays_and_saturday();
    auto next = next_opening(h, {kMonday, 13 * 60 + 10}, kNoHolidays);
    ASSERT_TRUE(next);
    EXPECT_EQ(next->day, kMonday);
    EXPECT_EQ(next->minute, 14 * 60);
    next = next_opening(h, {kMonday, 19 * 60}, kNoHolidays);
    EXPECT_EQ(next->day, kMonday + days(1));
    EXPECT_EQ(next->minute, 9 * 60);
    next = next_opening(h, {kMonday + days(5), 15 * 60}, kNoHolidays);  // Saturday afternoon
    EXPECT_EQ(next->day, kMonday + days(7));
    const std::set<sys_days> new_year{kMonday + days(7), kMonday + days(8)};
    next = next_opening(h, {kMonday + days(6), 12 * 60},
                        [&](sys_days d) { return new_year.count(d) > 0; });
    EXPECT_EQ(next->day, kMonday + days(9));
    EXPECT_FALSE(next_opening(h, {kMonday, 0}, [](sys_days) { return true; }));
}

TEST(OfficeHours, DaysWithTheSameHoursShareALine) {
    const auto lines = hours_lines(weekdays_and_saturday());
    ASSERT_EQ(lines.size(), 3u);
    EXPECT_EQ(lines[0].first_day, 0);
    EXPECT_EQ(lines[0].last_day, 4);
    EXPECT_EQ(lines[0].spans.size(), 2u);
    EXPECT_EQ(lines[1].first_day, 5);
    EXPECT_EQ(lines[1].last_day, 5);
    EXPECT_EQ(lines[2].first_day, 6);
    EXPECT_TRUE(lines[2].spans.empty());
    EXPECT_EQ(clock_text(0), "00:00");
    EXPECT_EQ(clock_text(9 * 60 + 5), "09:05");
    EXPECT_EQ(clock_text(24 * 60), "24:00");
}

TEST(OfficeHours, TheWallClockIsTheOfficesZone) {
    setenv("TZ", "Asia/Almaty", 1);
    tzset();
    // 2026-12-07 04:30 UTC is 09:30 or 10:30 in Almaty (UTC+5 since 2024, +6 before): a
    // Monday morning either way.
    const LocalMoment m = local_moment(sys_days{kMonday} + hours(4) + minutes(30));
    EXPECT_EQ(m.day, kMonday);
    EXPECT_TRUE(m.minute == 9 * 60 + 30 || m.minute == 10 * 60 + 30) << m.minute;
    EXPECT_EQ(monday_first(kMonday), 0);
    EXPECT_EQ(monday_first(kMonday + days(6)), 6);
}

}  // namespace
}  // namespace kiosk
