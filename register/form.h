#pragma once
// application/x-www-form-urlencoded bodies and the text rules their fields must follow.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dev_register {

struct FormField {
    std::string name;
    std::string value;
};

// Decodes a form body keeping field order and repeated names (multi-value attributes);
// nullopt when a %-escape is malformed.
std::optional<std::vector<FormField>> parse_form(std::string_view body);

// One %-escaped component ('+' a space); nullopt when an escape is malformed.
std::optional<std::string> decode_component(std::string_view encoded);

// Valid UTF-8 without control characters other than \n, \r and \t, and without U+FFFE and
// U+FFFF (which XML cannot carry).
bool is_clean_text(std::string_view text);

// Clean text without \n, \r or \t.
bool is_one_line(std::string_view text);

}  // namespace dev_register
