#include "kiosk/text.h"

#include <algorithm>

namespace kiosk {

// Section: UTF-8

std::optional<std::vector<char32_t>> decode_utf8(std::string_view s) {
    std::vector<char32_t> out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
        const auto b0 = static_cast<unsigned char>(s[i]);
        int len = 0;
        char32_t cp = 0, min = 0;
        if (b0 < 0x80) {
            len = 1;
            cp = b0;
        } else if ((b0 & 0xE0) == 0xC0) {
            len = 2;
            cp = b0 & 0x1F;
            min = 0x80;
        } else if ((b0 & 0xF0) == 0xE0) {
            len = 3;
            cp = b0 & 0x0F;
            min = 0x800;
        } else if ((b0 & 0xF8) == 0xF0) {
            len = 4;
            cp = b0 & 0x07;
            min = 0x10000;
        } else
            return std::nullopt;
        if (i + len > s.size()) return std::nullopt;
        for (int k = 1; k < len; ++k) {
            const auto b = static_cast<unsigned char>(s[i + k]);
            if ((b & 0xC0) != 0x80) return std::nullopt;
            cp = (cp << 6) | (b & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return std::nullopt;
        out.push_back(cp);
        i += len;
    }
    return out;
}

void append_utf8(std::string& out, char32_t cp) {
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

std::size_t code_point_count(std::string_view s) {
    return static_cast<std::size_t>(std::count_if(
        s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

namespace {
bool continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }
}  // namespace

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

void pop_code_point(std::string& s) { s.resize(previous_code_point(s, s.size())); }

// Section: character classes

bool is_control(char32_t cp) {
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029 ||
           cp == 0xFEFF || (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E);
}

namespace {
// Kazakh Cyrillic letters beyond the Russian alphabet, upper case then lower case.
constexpr char32_t kKazakhUpper[] = {U'Ә', U'Ғ', U'Қ', U'Ң', U'Ө', U'Ұ', U'Ү', U'Һ', U'І'};
constexpr char32_t kKazakhLower[] = {U'ә', U'ғ', U'қ', U'ң', U'ө', U'ұ', U'ү', U'һ', U'і'};
// Kazakh Latin alphabet (2021) letters beyond ASCII.
// İ pairs with ASCII i, and I with dotless ı, so those two are handled apart.
constexpr char32_t kLatinExtraUpper[] = {U'Ä', U'Ö', U'Ü', U'Ğ', U'Ş', U'Ñ', U'Ū'};
constexpr char32_t kLatinExtraLower[] = {U'ä', U'ö', U'ü', U'ğ', U'ş', U'ñ', U'ū'};

template <std::size_t N>
int index_in(const char32_t (&set)[N], char32_t cp) {
    for (std::size_t i = 0; i < N; ++i)
        if (set[i] == cp) return static_cast<int>(i);
    return -1;
}
}  // namespace

bool is_name_letter(char32_t cp) {
    if ((cp >= U'A' && cp <= U'Z') || (cp >= U'a' && cp <= U'z')) return true;
    if ((cp >= U'А' && cp <= U'я') || cp == U'Ё' || cp == U'ё') return true;
    return index_in(kKazakhUpper, cp) >= 0 || index_in(kKazakhLower, cp) >= 0 ||
           index_in(kLatinExtraUpper, cp) >= 0 || index_in(kLatinExtraLower, cp) >= 0 ||
           cp == U'İ' || cp == U'ı';
}

bool is_digit(char32_t cp) { return cp >= U'0' && cp <= U'9'; }

char32_t to_upper(char32_t cp) {
    if (cp >= U'a' && cp <= U'z') return cp - 32;
    if (cp >= U'а' && cp <= U'я') return cp - 32;
    if (cp == U'ё') return U'Ё';
    if (int i = index_in(kKazakhLower, cp); i >= 0) return kKazakhUpper[i];
    if (int i = index_in(kLatinExtraLower, cp); i >= 0) return kLatinExtraUpper[i];
    if (cp == U'ı') return U'I';
    return cp;
}

// Section: wiping

void wipe(std::string& s) {
    // volatile keeps the compiler from dropping stores to memory that is about to be released.
    volatile char* p = s.data();
    for (std::size_t i = 0; i < s.capacity(); ++i) p[i] = 0;
    s.clear();
    s.shrink_to_fit();
}

}  // namespace kiosk
