// common/printable: other programs' words (a server's answer, an action's reason, a file
// system's message) made safe for one line of the journal or of a report. Header only.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace common {

// Printable ASCII, at most max bytes: anything else (control characters, bytes of UTF-8)
// becomes `instead`.
inline std::string printable(std::string_view s, std::size_t max, char instead = '?') {
    std::string out;
    for (char c : s) {
        if (out.size() == max) break;
        out += c >= 0x20 && c < 0x7F ? c : instead;
    }
    return out;
}

}  // namespace common
