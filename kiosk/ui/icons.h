// The icons the UI draws, as their code points in KioskIcons.ttf (a subset of Material Icons,
// assets/fonts/make-icons), merged into the font atlas so that a label and its icon are one text.
#pragma once
#include "kiosk/screen.h"

namespace kiosk::ui {

// UTF-8 of the icon's private-use code point; "" for Icon::None.
constexpr const char* icon_text(Icon i) {
    switch (i) {
    case Icon::None: return "";
    case Icon::File: return "\xee\xa1\xb3";      // U+E873 description
    case Icon::Search: return "\xee\xa2\xb6";    // U+E8B6 search
    case Icon::Info: return "\xee\xa2\x8e";      // U+E88E info
    case Icon::Help: return "\xef\x83\xa2";      // U+F0E2 support_agent
    case Icon::Back: return "\xee\x97\x84";      // U+E5C4 arrow_back
    case Icon::Next: return "\xee\x97\x88";      // U+E5C8 arrow_forward
    case Icon::Cancel: return "\xee\x97\x89";    // U+E5C9 cancel
    case Icon::Tick: return "\xee\xa1\xac";      // U+E86C check_circle
    case Icon::Warning: return "\xee\x80\x82";   // U+E002 warning
    case Icon::Error: return "\xee\x80\x80";     // U+E000 error
    case Icon::Add: return "\xee\x85\x85";       // U+E145 add
    case Icon::Remove: return "\xee\x85\x9d";    // U+E15D remove_circle_outline
    case Icon::Edit: return "\xee\x8f\x89";      // U+E3C9 edit
    case Icon::Print: return "\xee\xa2\xad";     // U+E8AD print
    case Icon::Clock: return "\xee\xa2\xb5";     // U+E8B5 schedule
    case Icon::Send: return "\xee\x85\xa3";      // U+E163 send
    case Icon::Home: return "\xee\xa2\x8a";      // U+E88A home
    case Icon::Text: return "\xee\x89\x85";      // U+E245 format_size
    case Icon::Contrast: return "\xee\xac\xb7";  // U+EB37 contrast
    case Icon::Language: return "\xee\xa2\x94";  // U+E894 language
    case Icon::Close: return "\xee\x97\x8d";     // U+E5CD close
    case Icon::Speech: return "\xee\x81\x90";    // U+E050 volume_up
    case Icon::Shift: return "\xee\x97\x98";     // U+E5D8 arrow_upward
    case Icon::Left: return "\xee\x8c\x94";      // U+E314 keyboard_arrow_left
    case Icon::Right: return "\xee\x8c\x95";     // U+E315 keyboard_arrow_right
    case Icon::Return: return "\xee\x8c\x9b";    // U+E31B keyboard_return
    case Icon::Erase: return "\xee\x85\x8a";     // U+E14A backspace
    }
    return "";
}

// The page's own: the cue that it goes on below.
inline constexpr const char* kIconMore = "\xee\x97\x8f";  // U+E5CF expand_more

// The ranges the atlas needs for them.
inline constexpr char32_t kIconFirst = 0xE000, kIconLast = 0xF0E2;

}  // namespace kiosk::ui
