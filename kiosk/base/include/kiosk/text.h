// kiosk/text: what a citizen's typed text may contain, checked code point by code point.
#pragma once
#include <common/utf8.h>

#include <cstddef>
#include <string>

namespace kiosk {

// Strict UTF-8 and moving by code points, shared with the printer and the register.
using common::append_utf8;
using common::code_point_count;
using common::decode_utf8;
using common::next_code_point;
using common::previous_code_point;

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
