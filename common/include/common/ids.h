// common/ids: the two ids every part of the fleet passes around, each by one rule (the kiosk,
// net, the talon and the development register all link common). Header only.
#pragma once
#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>

namespace common {

// Section: the kiosk's id

// [kiosk] id: it names the talon's file and the local number, the kiosk's host name, the
// register's device_id, the Pushgateway's path and `kiosk` label and the client certificate's
// CN: only characters every one of them takes as they are. A-Z, 0-9 and '-', not first or last.
inline constexpr std::size_t kMaxKioskIdChars = 32;

inline bool kiosk_id_ok(std::string_view id) {
    return !id.empty() && id.size() <= kMaxKioskIdChars && id.front() != '-' && id.back() != '-' &&
           id.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") == std::string_view::npos;
}

// Section: a remote command's id

// The contract's command id (issue 16): 1..64 of A-Za-z0-9-_. It goes into the diagnostics
// upload's path and the journal as it is.
inline constexpr std::size_t kMaxCommandIdChars = 64;

inline bool command_id_ok(std::string_view id) {
    return !id.empty() && id.size() <= kMaxCommandIdChars &&
           std::all_of(id.begin(), id.end(), [](char c) {
               return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_';
           });
}

}  // namespace common
