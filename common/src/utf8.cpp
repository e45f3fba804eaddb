// common/utf8: one decoder for the kiosk's typed text, the talon and the development register.
#include "common/utf8.h"

#include <algorithm>

namespace common {
namespace {

constexpr char32_t kReplacement = 0xFFFD;

bool continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

bool scalar(char32_t cp) { return cp <= 0x10FFFF && (cp < 0xD800 || cp > 0xDFFF); }

}  // namespace

// Section: decoding

std::optional<CodePoint> decode_code_point(std::string_view s, std::size_t at) {
    if (at >= s.size()) return std::nullopt;
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[at + k]); };
    const unsigned char lead = byte(0);
    if (lead < 0x80) return CodePoint{lead, 1};
    // 0x80..0xBF only continue a sequence, 0xC0 and 0xC1 only start overlong forms, and
    // 0xF5.. only start values past U+10FFFF.
    const std::size_t len = lead < 0xC2   ? 0
                            : lead < 0xE0 ? 2
                            : lead < 0xF0 ? 3
                            : lead < 0xF5 ? 4
                                          : 0;
    if (len == 0 || s.size() - at < len) return std::nullopt;
    char32_t cp = lead & (0x7F >> len);
    for (std::size_t k = 1; k < len; ++k) {
        if (!continuation(static_cast<char>(byte(k)))) return std::nullopt;
        cp = (cp << 6) | (byte(k) & 0x3F);
    }
    constexpr char32_t shortest[] = {0, 0, 0x80, 0x800, 0x10000};  // less is an overlong form
    if (cp < shortest[len] || !scalar(cp)) return std::nullopt;
    return CodePoint{cp, len};
}

std::optional<std::vector<char32_t>> decode_utf8(std::string_view s) {
    std::vector<char32_t> out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
        const auto cp = decode_code_point(s, i);
        if (!cp) return std::nullopt;
        out.push_back(cp->value);
        i += cp->bytes;
    }
    return out;
}

bool is_utf8(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        const auto cp = decode_code_point(s, i);
        if (!cp) return false;
        i += cp->bytes;
    }
    return true;
}

// Section: encoding

void append_utf8(std::string& out, char32_t cp) {
    if (!scalar(cp)) cp = kReplacement;
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

// Section: moving by code points

std::size_t code_point_count(std::string_view s) {
    return static_cast<std::size_t>(
        std::count_if(s.begin(), s.end(), [](char c) { return !continuation(c); }));
}

std::size_t previous_code_point(std::string_view s, std::size_t pos) {
    pos = std::min(pos, s.size());
    while (pos > 0 && continuation(s[--pos])) {
    }
    return pos;
}

std::size_t next_code_point(std::string_view s, std::size_t pos) {
    if (pos >= s.size()) return s.size();
    while (++pos < s.size() && continuation(s[pos])) {
    }
    return pos;
}

}  // namespace common
