#include "keyboard.h"

#include "kiosk/text.h"

#include <algorithm>

namespace kiosk {
namespace {

using Rows = std::vector<std::vector<const char*>>;

// Rows of keys; each key is one UTF-8 letter. Kazakh puts its nine own letters above the
// Russian ones, as the standard Kazakh layout does. Digits are on every layout: addresses.
const Rows& rows(Layout l) {
    static const Rows kazakh = {
        {"1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "-"},
        {"ә", "і", "ң", "ғ", "ү", "ұ", "қ", "ө", "һ", "'", ","},
        {"й", "ц", "у", "к", "е", "н", "г", "ш", "щ", "з", "х", "ъ"},
        {"ф", "ы", "в", "а", "п", "р", "о", "л", "д", "ж", "э"},
        {"я", "ч", "с", "м", "и", "т", "ь", "б", "ю", "ё", "."},
    };
    static const Rows russian = {
        {"1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "-"},
        {"й", "ц", "у", "к", "е", "н", "г", "ш", "щ", "з", "х", "ъ"},
        {"ф", "ы", "в", "а", "п", "р", "о", "л", "д", "ж", "э"},
        {"я", "ч", "с", "м", "и", "т", "ь", "б", "ю", "ё", ".", ","},
    };
    static const Rows latin = {
        {"1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "-"},
        {"q", "w", "e", "r", "t", "y", "u", "i", "o", "p", "@"},
        {"a", "s", "d", "f", "g", "h", "j", "k", "l", "_", "'"},
        {"z", "x", "c", "v", "b", "n", "m", ".", ",", "/"},
    };
    static const Rows symbols = {
        {"1", "2", "3", "4", "5", "6", "7", "8", "9", "0"},
        {"?", "!", "(", ")", "«", "»", "\"", "№", ":", ";"},
        {"%", "+", "=", "/", "-", "'", ",", ".", "@", "_"},
    };
    static const Rows digits = {
        {"1", "2", "3"},
        {"4", "5", "6"},
        {"7", "8", "9"},
        {"0"},
    };
    switch (l) {
    case Layout::Kazakh: return kazakh;
    case Layout::Russian: return russian;
    case Layout::Latin: return latin;
    case Layout::Symbols: return symbols;
    case Layout::Digits: return digits;
    }
    return kazakh;
}

// The layout on the keys now: digits for numbers, Latin for e-mail, else the citizen's letters
// or the symbols.
Layout shown_layout(const Flow& f) {
    const Keypad pad = keypad_for(f.focus);
    return pad == Keypad::Digits  ? Layout::Digits
           : f.keyboard.symbols   ? Layout::Symbols
           : pad == Keypad::Email ? Layout::Latin
                                  : f.keyboard.letters;
}

// Names start with a capital letter: the first letter of a name is upper case by itself.
bool wants_capital(const Flow& f) {
    const std::string* text = f.focused_text();
    switch (f.focus) {
    case Field::Surname:
    case Field::FirstName:
    case Field::Patronymic:
    case Field::OfficialSurname:
    case Field::OfficialInitials:
    case Field::DutySpecialist: {
        if (!text) return false;
        const std::size_t at = std::min(f.caret, text->size());
        const char before = at == 0 ? ' ' : (*text)[at - 1];
        return before == ' ' || before == '-' || before == '.';
    }
    default: return false;
    }
}

std::string shifted(const char* key, bool shift) {
    if (!shift) return key;
    const auto cps = decode_utf8(key);
    std::string out;
    for (char32_t cp : *cps) append_utf8(out, to_upper(cp));
    return out;
}

Item key(std::string id, std::string label, Intent intent, Icon icon = Icon::None,
         bool on = false) {
    return {.kind = Kind::Action,
            .id = "key:" + id,
            .label = std::move(label),
            .icon = icon,
            .on = on,
            .intent = std::move(intent)};
}

}  // namespace

std::vector<std::vector<Item>> keyboard_keys(const Session& s) {
    const Flow& f = s.flow();
    const Layout shown = shown_layout(f);
    const bool letters = shown != Layout::Symbols && shown != Layout::Digits;
    const bool upper = letters && (f.keyboard.shift || wants_capital(f));
    std::vector<std::vector<Item>> out;
    for (const auto& row : rows(shown)) {
        auto& keys = out.emplace_back();
        for (const char* k : row) {
            std::string label = shifted(k, upper);
            keys.push_back(key(label, label, {Act::Type, 0, 0, label}));
        }
    }
    // The bottom row: layouts, symbols, shift, space, the caret's arrows, Enter (a new line in
    // the long texts, the next field in the others) and delete.
    auto& bottom = out.emplace_back();
    if (shown != Layout::Digits) {
        static constexpr std::pair<Layout, const char*> layouts[] = {{Layout::Kazakh, "layout_kk"},
                                                                     {Layout::Russian, "layout_ru"},
                                                                     {Layout::Latin, "layout_en"}};
        for (const auto& [layout, name] : layouts)
            bottom.push_back(key(name, s.t(std::string("kbd.") + name),
                                 {Act::KeyboardLetters, static_cast<int>(layout)}, Icon::None,
                                 shown == layout));
        bottom.push_back(key("symbols", s.t("kbd.symbols"), {Act::KeyboardSymbols}, Icon::None,
                             shown == Layout::Symbols));
        if (shown != Layout::Symbols)
            bottom.push_back(
                key("shift", s.t("kbd.shift"), {Act::Shift}, Icon::Shift, f.keyboard.shift));
        bottom.push_back(key("space", s.t("kbd.space"), {Act::Type, 0, 0, " "}));
    }
    bottom.push_back(key("left", s.t("kbd.left"), {Act::CaretLeft}, Icon::Left));
    bottom.push_back(key("right", s.t("kbd.right"), {Act::CaretRight}, Icon::Right));
    const bool multiline = f.focus == Field::Grounds || f.focus == Field::Demands;
    bottom.push_back(key("enter", s.t(multiline ? "kbd.enter" : "kbd.next_field"),
                         multiline ? Intent{Act::Type, 0, 0, "\n"} : Intent{Act::NextField},
                         Icon::Return));
    bottom.push_back(key("backspace", s.t("kbd.backspace"), {Act::Backspace}, Icon::Erase));
    return out;
}

}  // namespace kiosk
