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

// Valid UTF-8 without control characters other than \n and \t.
bool is_clean_text(std::string_view text);

}  // namespace dev_register
