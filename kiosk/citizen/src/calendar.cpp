// kiosk/calendar: reads the working-day calendar and counts working days on it.
#include "kiosk/calendar.h"

#include "kiosk/toml_reader.h"

#include <toml++/toml.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>
#include <initializer_list>
#include <map>
#include <optional>
#include <sstream>
#include <string_view>
#include <vector>

namespace kiosk {
namespace {

using namespace std::chrono;

constexpr int earliest_year = 2000, latest_year = 2100;  // a typo, not a plan, outside these
constexpr std::string_view weekday_names[] = {"sunday",   "monday", "tuesday", "wednesday",
                                              "thursday", "friday", "saturday"};

std::string iso(sys_days day) {
    const year_month_day d{day};
    char text[16];
    std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(d.year()),
                  static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
    return text;
}

// Section: reading the file, every complaint naming the line and key

struct Holiday {
    sys_days date;
    bool moves;  // off a weekend to the next working day
};

struct Annual {  // a holiday on the same date every year
    month m;
    day d;
    bool moves;
};

struct Transfer {
    sys_days day_off, working_day;
    const toml::node* at;  // for messages about the pair
    std::string key;
};

using Reader = TomlReader<CalendarError>;

// A date inside the year its table is for.
sys_days date_in(const Reader& r, const toml::table& t, const std::string& path,
                 std::string_view key, int in_year) {
    const auto d = r.value<toml::date>(t, path, key, "a date (YYYY-MM-DD)");
    const year_month_day ymd{year{d.year}, month{d.month}, day{d.day}};
    if (!ymd.ok() || d.year != in_year)
        r.fail(t.get(key), Reader::join(path, key), "must be a date in " + std::to_string(in_year));
    return sys_days{ymd};
}

// "MM-DD", a date that exists in every year (so not 02-29).
std::optional<Annual> month_day(std::string_view text) {
    unsigned m = 0, d = 0;
    if (text.size() != 5 || text[2] != '-' ||
        std::from_chars(text.data(), text.data() + 2, m).ptr != text.data() + 2 ||
        std::from_chars(text.data() + 3, text.data() + 5, d).ptr != text.data() + 5)
        return std::nullopt;
    const year_month_day in_common_year{year{2001}, month{m}, day{d}};
    if (!in_common_year.ok()) return std::nullopt;
    return Annual{month{m}, day{d}, false};
}

std::array<bool, 7> read_weekend(const Reader& r, const toml::table& root) {
    std::array<bool, 7> weekend{};
    const toml::array& names = r.array(root, "", "weekend");
    for (std::size_t i = 0; i < names.size(); ++i) {
        const auto name = names[i].value_exact<std::string>();
        const auto* at = name ? std::find(std::begin(weekday_names), std::end(weekday_names), *name)
                              : std::end(weekday_names);
        if (at == std::end(weekday_names))
            r.fail(&names[i], Reader::item("weekend", i),
                   "must be a weekday name in English, lower case");
        weekend[static_cast<std::size_t>(at - std::begin(weekday_names))] = true;
    }
    if (std::count(weekend.begin(), weekend.end(), true) == 7)
        r.fail(&names, "weekend", "leaves no working day in the week");
    return weekend;
}

std::vector<Annual> read_annual(const Reader& r, const toml::table& root) {
    std::vector<Annual> annual;
    const toml::array& list = r.array(root, "", "holiday");
    for (std::size_t i = 0; i < list.size(); ++i) {
        const std::string path = Reader::item("holiday", i);
        const toml::table& h = r.table(list[i], path);
        r.only(h, path, {"date", "name", "moves"});
        const auto date = month_day(r.value<std::string>(h, path, "date", "a string \"MM-DD\""));
        if (!date)
            r.fail(h.get("date"), path + ".date", "must be \"MM-DD\", a date every year has");
        r.value<std::string>(h, path, "name", "a string");
        annual.push_back({date->m, date->d, r.value<bool>(h, path, "moves", "true or false")});
    }
    return annual;
}

// The covered years, which must follow each other, with their tables.
std::map<int, const toml::table*> read_years(const Reader& r, const toml::table& root) {
    const toml::table& years = r.table(r.need(root, "", "year"), "year");
    std::map<int, const toml::table*> out;
    for (const auto& [key, node] : years) {
        int y = 0;
        const std::string_view k = key.str();
        if (std::from_chars(k.data(), k.data() + k.size(), y).ptr != k.data() + k.size() ||
            y < earliest_year || y > latest_year)
            r.fail(&node, "year." + std::string(k),
                   "must be a year from " + std::to_string(earliest_year) + " to " +
                       std::to_string(latest_year));
        out[y] = &r.table(node, "year." + std::string(k));
    }
    if (out.empty()) r.fail(&years, "year", "covers no year");
    for (auto it = std::next(out.begin()); it != out.end(); ++it)
        if (it->first != std::prev(it)->first + 1)
            r.fail(it->second, "year." + std::to_string(it->first),
                   "years must follow each other: " + std::to_string(std::prev(it)->first + 1) +
                       " is missing");
    return out;
}

void read_year(const Reader& r, int y, const toml::table& t, std::vector<Holiday>& holidays,
               std::vector<Transfer>& transfers) {
    const std::string path = "year." + std::to_string(y);
    r.only(t, path, {"holidays", "transfers"});
    const toml::array& own = r.array(t, path, "holidays");
    for (std::size_t i = 0; i < own.size(); ++i) {
        const std::string p = Reader::item(path + ".holidays", i);
        const toml::table& h = r.table(own[i], p);
        r.only(h, p, {"date", "name", "moves"});
        r.value<std::string>(h, p, "name", "a string");
        holidays.push_back(
            {date_in(r, h, p, "date", y), r.value<bool>(h, p, "moves", "true or false")});
    }
    const toml::array& moved = r.array(t, path, "transfers");
    for (std::size_t i = 0; i < moved.size(); ++i) {
        const std::string p = Reader::item(path + ".transfers", i);
        const toml::table& m = r.table(moved[i], p);
        r.only(m, p, {"day_off", "working_day"});
        transfers.push_back(
            {date_in(r, m, p, "day_off", y), date_in(r, m, p, "working_day", y), &moved[i], p});
    }
}

}  // namespace

// Section: building the calendar

WorkingDayCalendar WorkingDayCalendar::load(const std::filesystem::path& file) {
    const Reader r(file.string());
    const toml::table root = r.parse();
    r.only(root, "", {"weekend", "holiday", "year"});

    WorkingDayCalendar cal;
    cal.file_ = file.string();
    cal.weekend_ = read_weekend(r, root);
    const std::vector<Annual> annual = read_annual(r, root);
    const auto years = read_years(r, root);
    cal.first_ = year{years.begin()->first};
    cal.last_ = year{years.rbegin()->first};

    std::vector<Holiday> holidays;
    std::vector<Transfer> transfers;
    for (const auto& [y, table] : years) {
        for (const Annual& a : annual) holidays.push_back({sys_days{year{y} / a.m / a.d}, a.moves});
        read_year(r, y, *table, holidays, transfers);
    }

    // A holiday on a weekend gives its day off to the next working day, in date order, so
    // that holidays falling together take one day each (Nauryz 2026: 24 and 25 March).
    std::sort(holidays.begin(), holidays.end(),
              [](const Holiday& a, const Holiday& b) { return a.date < b.date; });
    for (const Holiday& h : holidays) cal.off_.insert(h.date);
    const auto weekend = [&](sys_days d) { return cal.weekend_[weekday{d}.c_encoding()]; };
    for (const Holiday& h : holidays) {
        if (!h.moves || !weekend(h.date)) continue;
        sys_days day = h.date + days{1};
        while (weekend(day) || cal.off_.contains(day)) day += days{1};
        cal.off_.insert(day);
    }

    for (const Transfer& t : transfers) {
        if (weekend(t.day_off) || cal.off_.contains(t.day_off))
            r.fail(t.at, t.key + ".day_off", iso(t.day_off) + " is a day off already");
        if (!weekend(t.working_day) || cal.off_.contains(t.working_day))
            r.fail(t.at, t.key + ".working_day",
                   iso(t.working_day) + " must be a weekend day that is no holiday");
        cal.off_.insert(t.day_off);
        cal.worked_.insert(t.working_day);
    }
    return cal;
}

// Section: counting working days

void WorkingDayCalendar::check_covered(sys_days day) const {
    const year y = year_month_day{day}.year();
    if (y < first_ || y > last_)
        throw CalendarError("working-day calendar " + file_ + " covers " +
                            std::to_string(static_cast<int>(first_)) + "-" +
                            std::to_string(static_cast<int>(last_)) + ", not " + iso(day) +
                            ": add the year " + std::to_string(static_cast<int>(y)) +
                            " (its holidays and transfers) to it");
}

bool WorkingDayCalendar::is_working_day(sys_days day) const {
    check_covered(day);
    if (worked_.contains(day)) return true;
    return !off_.contains(day) && !weekend_[weekday{day}.c_encoding()];
}

bool WorkingDayCalendar::is_holiday(sys_days day) const {
    const year y = year_month_day{day}.year();
    return y >= first_ && y <= last_ && off_.contains(day);
}

sys_days WorkingDayCalendar::add_working_days(sys_days from, int n) const {
    if (n < 0)
        throw CalendarError("working-day calendar: cannot count " + std::to_string(n) +
                            " working days");
    check_covered(from);
    sys_days day = from;
    // Ends: every week has a working day, or the count leaves the calendar and throws.
    for (int counted = 0; counted < n;) {
        day += days{1};
        if (is_working_day(day)) ++counted;
    }
    return day;
}

}  // namespace kiosk
