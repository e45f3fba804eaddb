// common/utf8: strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing past U+10FFFF.
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace common {

struct CodePoint {
    char32_t value;
    std::size_t bytes;  // 1 to 4
};

// The code point that starts at s[at]; nullopt when the bytes there are not UTF-8 (a stray
// continuation byte, an overlong form, a surrogate, past U+10FFFF, cut short) or at is past
// the end. A caller that replaces malformed bytes moves on by one byte.
std::optional<CodePoint> decode_code_point(std::string_view s, std::size_t at);

// Every code point of s; nullopt if any of it is malformed.
std::optional<std::vector<char32_t>> decode_utf8(std::string_view s);
bool is_utf8(std::string_view s);

// Appends cp as UTF-8; a surrogate or a value past U+10FFFF becomes U+FFFD.
void append_utf8(std::string& out, char32_t cp);

// Number of code points; the caller checked well-formedness.
std::size_t code_point_count(std::string_view s);

// Byte offsets of the code point boundary before and after pos (a caret moving by a letter).
std::size_t previous_code_point(std::string_view s, std::size_t pos);
std::size_t next_code_point(std::string_view s, std::size_t pos);

}  // namespace common
