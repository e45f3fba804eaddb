// The on-screen keyboard: no physical keyboard exists on the kiosk. Letters of the citizen's
// language, a symbols layer, arrow keys that move the caret, and delete at the caret.
#include "icons.h"
#include "ui.h"

#include "kiosk/text.h"

#include <imgui.h>

#include <algorithm>
#include <cmath>

namespace kiosk::ui {
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

constexpr float kKeyH = 84.f, kKeyGap = 8.f;

// Twelve keys fill the row. 15 mm on a 21.5" 1080p panel is about 61 px: a portrait screen
// gives 80 px keys, a landscape one 76 px.
float key_width(float width) {
    return std::max(64.f, std::min((width - 48.f - 11 * kKeyGap) / 12, 96.f));
}

std::string shifted(const char* key, bool shift) {
    if (!shift) return key;
    const auto cps = decode_utf8(key);
    std::string out;
    for (char32_t cp : *cps) append_utf8(out, to_upper(cp));
    return out;
}

// Names start with a capital letter: the first letter of an empty name field is upper case.
bool wants_capital(const Flow& f) {
    const std::string* text = f.focused_text();
    switch (f.focus) {
    case Field::Surname:
    case Field::FirstName:
    case Field::Patronymic:
    case Field::OfficialSurname:
    case Field::OfficialInitials: {
        if (!text) return false;
        const std::size_t at = std::min(f.caret, text->size());
        const char before = at == 0 ? ' ' : (*text)[at - 1];
        return before == ' ' || before == '-' || before == '.';
    }
    default: return false;
    }
}

// A key: letter keys are probed by their letter, the others by what they do ("key:shift").
// `on` keys (the layout shown, shift held) are filled, with a tick where there is room.
bool key(App& app, std::string_view id, const std::string& label, float w, bool on = false) {
    const Palette& p = *app.palette;
    const ImVec2 pos = ImGui::GetCursorScreenPos();
    const bool hit = touch_area(id, ImVec2(w, kKeyH), std::string("key:").append(id));
    const bool pressed = ImGui::IsItemActive();
    const ImVec2 end(pos.x + w, pos.y + kKeyH);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const Rgb back = pressed ? p.focus : on ? p.primary : p.surface;
    const Rgb fore = pressed ? p.on_focus : on ? p.on_primary : p.text;
    dl->AddRectFilled(ImVec2(std::floor(pos.x), std::floor(pos.y)),
                      ImVec2(std::floor(end.x), std::floor(end.y)), colour(back), 8.f);
    if (!on && !pressed)
        dl->AddRect(ImVec2(std::floor(pos.x) + 1, std::floor(pos.y) + 1),
                    ImVec2(std::floor(end.x) - 1, std::floor(end.y) - 1), colour(p.muted), 8.f, 0,
                    2.f);
    ImFont* font = ImGui::GetFont();
    const ImVec2 ts = font->CalcTextSizeA(font->FontSize, FLT_MAX, 0.f, label.c_str());
    dl->AddText(font, font->FontSize,
                ImVec2(std::floor(pos.x + (w - ts.x) / 2), std::floor(pos.y + (kKeyH - ts.y) / 2)),
                colour(fore), label.c_str());
    ImGui::SameLine(0, kKeyGap);
    return hit;
}

// A key as wide as its label needs, and at least min_w.
float fit(const std::string& label, float min_w) {
    return std::max(min_w, ImGui::CalcTextSize(label.c_str()).x + 36.f);
}

// The layout on the keys now. The letters follow the citizen's language until they switch
// them themselves; e-mail addresses are Latin, and the keyboard shows (and highlights) Latin
// while one is typed.
Layout shown_layout(App& app) {
    const Flow& f = app.session.flow();
    Keyboard& kb = app.keyboard;
    if (kb.language != f.language) {
        kb.language = f.language;
        kb.letters = f.language == "ru"   ? Layout::Russian
                     : f.language == "en" ? Layout::Latin
                                          : Layout::Kazakh;
        kb.layout = kb.letters;
    }
    const Keypad pad = keypad_for(f.focus);
    return pad == Keypad::Digits          ? Layout::Digits
           : kb.layout == Layout::Symbols ? Layout::Symbols
           : pad == Keypad::Email         ? Layout::Latin
                                          : kb.letters;
}

}  // namespace

// The keys of the layout shown and the bottom row: no empty band, the page keeps the rest.
float keyboard_height(App& app, float) {
    return (rows(shown_layout(app)).size() + 1) * (kKeyH + kKeyGap) + 24.f;
}

void draw_keyboard(App& app, float width) {
    const Flow& f = app.session.flow();
    Keyboard& kb = app.keyboard;
    const Keypad pad = keypad_for(f.focus);
    const Layout shown = shown_layout(app);
    const float w = pad == Keypad::Digits ? 180.f : key_width(width);
    const bool upper = kb.shift || wants_capital(f);
    const Palette& p = *app.palette;
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    const float height = keyboard_height(app, width);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->AddRectFilled(ImVec2(origin.x, origin.y), ImVec2(origin.x + width, origin.y + height),
                      colour(p.keyboard));
    dl->AddRectFilled(ImVec2(origin.x, origin.y), ImVec2(origin.x + width, origin.y + 2.f),
                      colour(p.muted));
    ImGui::PushFont(app.fonts.key);
    const Rows& layout = rows(shown);
    ImGui::SetCursorScreenPos(ImVec2(origin.x, origin.y + 12.f));
    const float left = ImGui::GetCursorPosX();
    for (const auto& row : layout) {
        const float row_w = row.size() * (w + kKeyGap) - kKeyGap;
        ImGui::SetCursorPosX(left + std::max(8.f, (width - row_w) / 2));
        for (const char* k : row) {
            const std::string label = shown == Layout::Symbols || shown == Layout::Digits
                                          ? std::string(k)
                                          : shifted(k, upper);
            if (key(app, label, label, w)) {
                app.act({Act::Type, 0, 0, label});
                kb.shift = false;
            }
        }
        ImGui::NewLine();
    }
    // Bottom row: layouts, symbols, shift, space (takes what is left), the arrows, new line in long
    // texts, and delete, which repeats while held.
    ImGui::PushFont(app.fonts.key_small);
    const bool multiline = f.focus == Field::Grounds || f.focus == Field::Demands;
    const std::string erase = std::string(kIconBackspace);
    ImGui::SetCursorPosX(left + 24.f);
    const float start = ImGui::GetCursorScreenPos().x;
    if (pad != Keypad::Digits) {
        static constexpr std::pair<Layout, const char*> letters[] = {
            {Layout::Kazakh, "kbd.layout_kk"},
            {Layout::Russian, "kbd.layout_ru"},
            {Layout::Latin, "kbd.layout_en"}};
        for (const auto& [layout, name] : letters) {
            const std::string& label = app.t(name);
            if (key(app, std::string_view(name).substr(4), label, fit(label, w), shown == layout)) {
                kb.letters = kb.layout = layout;
            }
        }
        const std::string& sym = app.t("kbd.symbols");
        if (key(app, "symbols", sym, fit(sym, w), shown == Layout::Symbols))
            kb.layout = kb.layout == Layout::Symbols ? kb.letters : Layout::Symbols;
        if (shown != Layout::Symbols && key(app, "shift", kIconShift, w, kb.shift))
            kb.shift = !kb.shift;
        const float used = ImGui::GetCursorScreenPos().x - start;
        const float tail = 3 * (w + kKeyGap) + 1.5f * w + 24.f;
        const float space_w = std::max(w * 1.5f, width - 48.f - used - tail);
        if (key(app, "space", app.t("kbd.space"), space_w)) app.act({Act::Type, 0, 0, " "});
    } else {
        ImGui::SetCursorPosX(left + std::max(8.f, (width - (3 * w + 2 * kKeyGap)) / 2));
    }
    if (key(app, "left", kIconLeft, pad == Keypad::Digits ? w / 2 - kKeyGap / 2 : w))
        app.act({Act::CaretLeft});
    if (key(app, "right", kIconRight, pad == Keypad::Digits ? w / 2 - kKeyGap / 2 : w))
        app.act({Act::CaretRight});
    // Enter: a new line in the long texts, the next field in the others.
    if (key(app, "enter", kIconReturn, pad == Keypad::Digits ? w / 2 - kKeyGap / 2 : w))
        app.act(multiline ? Intent{Act::Type, 0, 0, "\n"} : Intent{Act::NextField});
    ImGui::PushButtonRepeat(true);
    if (key(app, "backspace", erase, pad == Keypad::Digits ? w : 1.5f * w))
        app.act({Act::Backspace});
    ImGui::PopButtonRepeat();
    ImGui::PopFont();
    ImGui::PopFont();
    ImGui::SetCursorScreenPos(ImVec2(origin.x, origin.y + height));
    ImGui::Dummy(ImVec2(1, 1));
}

}  // namespace kiosk::ui
