#pragma once
// ISO 8601 (W3C) datetimes as Open311 writes them, e.g. 2026-11-27T10:15:00+05:00.

#include <ctime>
#include <optional>
#include <string>
#include <string_view>

namespace dev_register {

// In the register's local time with its offset.
std::string iso_datetime(std::time_t when);

// YYYY-MM-DDThh:mm:ss, optional fraction of a second, then Z or ±hh:mm (or ±hhmm); nullopt for
// anything else, including dates that do not exist.
std::optional<std::time_t> parse_iso_datetime(std::string_view text);

}  // namespace dev_register
