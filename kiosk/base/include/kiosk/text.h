// kiosk/text: what a citizen's typed text may contain, checked code point by code point.
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kiosk {

// Decodes strict UTF-8 (no overlongs, surrogates or values past U+10FFFF); nullopt if malformed.
std::optional<std::vector<char32_t>> decode_utf8(std::string_view s);
void append_utf8(std::string& out, char32_t cp);

// Number of code points; the caller checked well-formedness.
std::size_t code_point_count(std::string_view s);

// Byte offsets of the code point boundary before and after pos (a caret moving by a letter).
std::size_t previous_code_point(std::string_view s, std::size_t pos);
std::size_t next_code_point(std::string_view s, std::size_t pos);

// Removes the last code point.
void pop_code_point(std::string& s);

bool is_control(char32_t cp);      // C0, DEL, C1, line/paragraph separators
bool is_name_letter(char32_t cp);  // Kazakh, Russian and Latin letters
bool is_digit(char32_t cp);
char32_t to_upper(char32_t cp);  // for the letters is_name_letter accepts

// Overwrites the bytes before releasing them, so a walked-away citizen's text does not linger
// in freed memory.
void wipe(std::string& s);

}  // namespace kiosk
