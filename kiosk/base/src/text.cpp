#include "kiosk/text.h"

namespace kiosk {

// Section: UTF-8

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
