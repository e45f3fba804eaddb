// The on-screen keyboard: no physical keyboard exists on the kiosk.
#include "ui.h"

#include "kiosk/text.h"

#include <imgui.h>

namespace kiosk::ui {
namespace {

// Rows of keys; each key is one UTF-8 letter. Kazakh puts its nine own letters above the
// Russian ones, as the standard Kazakh layout does. Digits are on every layout: addresses.
const std::vector<std::vector<const char*>>& rows(Layout l) {
    static const std::vector<std::vector<const char*>> kazakh = {
        {"1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "/"},
        {"ә", "і", "ң", "ғ", "ү", "ұ", "қ", "ө", "һ", "-", "'"},
        {"й", "ц", "у", "к", "е", "н", "г", "ш", "щ", "з", "х", "ъ"},
        {"ф", "ы", "в", "а", "п", "р", "о", "л", "д", "ж", "э"},
        {"я", "ч", "с", "м", "и", "т", "ь", "б", "ю", "ё", ".", ","},
    };
    static const std::vector<std::vector<const char*>> russian = {
        {"1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "-", "'"},
        {"й", "ц", "у", "к", "е", "н", "г", "ш", "щ", "з", "х", "ъ"},
        {"ф", "ы", "в", "а", "п", "р", "о", "л", "д", "ж", "э"},
        {"я", "ч", "с", "м", "и", "т", "ь", "б", "ю", "ё", ".", ","},
    };
    static const std::vector<std::vector<const char*>> latin = {
        {"1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "-", "'"},
        {"q", "w", "e", "r", "t", "y", "u", "i", "o", "p", "@"},
        {"a", "s", "d", "f", "g", "h", "j", "k", "l", "_"},
        {"z", "x", "c", "v", "b", "n", "m", ".", ",", "/"},
    };
    static const std::vector<std::vector<const char*>> digits = {
        {"1", "2", "3"}, {"4", "5", "6"}, {"7", "8", "9"}, {"0"},
    };
    switch (l) {
    case Layout::Kazakh: return kazakh;
    case Layout::Russian: return russian;
    case Layout::Latin: return latin;
    case Layout::Digits: return digits;
    }
    return kazakh;
}

// Twelve keys fill the row. 15 mm on a 21.5" 1080p panel is about 61 px: a portrait screen
// gives 80 px keys, a landscape one 96 px.
float key_width(float width) {
    const float spacing = ImGui::GetStyle().ItemSpacing.x;
    return std::max(64.f, std::min((width - 48.f - 11 * spacing) / 12, 96.f));
}
float key_height() { return 80.f; }

std::string shifted(const char* key, bool shift) {
    if (!shift) return key;
    const auto cps = decode_utf8(key);
    std::string out;
    for (char32_t cp : *cps) append_utf8(out, to_upper(cp));
    return out;
}

// Names start with a capital letter: the first letter of an empty name field is upper case.
bool wants_capital(const Flow& f, const std::string* text) {
    switch (f.focus) {
    case Field::Surname: case Field::FirstName: case Field::Patronymic:
    case Field::OfficialSurname: case Field::OfficialInitials:
        return text && (text->empty() || text->back() == ' ' || text->back() == '-' || text->back() == '.');
    default: return false;
    }
}

// Letter keys are probed by their letter, the others by what they do ("key:shift").
bool key(std::string_view id, const char* label, float w, float h, bool pressed_look = false) {
    if (pressed_look) ImGui::PushStyleColor(ImGuiCol_Button, ImGui::GetStyleColorVec4(ImGuiCol_ButtonActive));
    const bool hit = ImGui::Button(label, ImVec2(w, h));
    probe().item(std::string("key:").append(id));
    if (pressed_look) ImGui::PopStyleColor();
    return hit;
}

// A key as wide as its label needs, and at least min_w.
float fit(const std::string& label, float min_w) {
    return std::max(min_w, ImGui::CalcTextSize(label.c_str()).x + 2 * ImGui::GetStyle().FramePadding.x);
}

void layout_switch(App& app, float w, float h) {
    static constexpr std::pair<Layout, const char*> choices[] = {
        {Layout::Kazakh, "kbd.layout_kk"}, {Layout::Russian, "kbd.layout_ru"}, {Layout::Latin, "kbd.layout_en"}};
    for (const auto& [layout, name] : choices) {
        if (key(std::string_view(name).substr(4), app.t(name).c_str(), fit(app.t(name), w), h, app.keyboard.layout == layout))
            app.keyboard.layout = layout;
        ImGui::SameLine();
    }
}


}  // namespace

// The tallest layout (Kazakh: five rows) plus the bottom row, so the page does not jump
// when the citizen switches layouts.
float keyboard_height(float) { return 6 * (key_height() + 8.f) + 16.f; }

void draw_keyboard(App& app, float width) {
    Flow& f = app.flow;
    // The layout follows the citizen's language until they switch it themselves.
    if (app.keyboard.language != f.language) {
        app.keyboard.language = f.language;
        app.keyboard.layout = f.language == "ru" ? Layout::Russian : f.language == "en" ? Layout::Latin : Layout::Kazakh;
    }
    std::string* text = f.focused_text();
    const Keypad pad = keypad_for(f.focus);
    Layout layout = pad == Keypad::Digits ? Layout::Digits
                  : pad == Keypad::Email && app.keyboard.layout != Layout::Latin ? Layout::Latin
                                                                                : app.keyboard.layout;
    const float w = pad == Keypad::Digits ? 160.f : key_width(width), h = key_height();
    const bool upper = app.keyboard.shift || wants_capital(f, text);
    // Keys keep their size and labels in large-text mode: the letters are already large, and
    // the rows must still fit the screen.
    const float unscale = 1.f / ImGui::GetIO().FontGlobalScale;
    ImGui::SetWindowFontScale(unscale);
    for (const auto& row : rows(layout)) {
        const float row_w = row.size() * (w + ImGui::GetStyle().ItemSpacing.x);
        ImGui::SetCursorPosX(std::max(8.f, (width - row_w) / 2));
        for (const char* k : row) {
            const std::string label = shifted(k, upper);
            if (key(label, label.c_str(), w, h)) {
                f.type(label);
                app.keyboard.shift = false;
            }
            ImGui::SameLine();
        }
        ImGui::NewLine();
    }
    // Bottom row: layouts, shift, space (takes what is left), new line in long texts, and
    // backspace, which repeats while held.
    const float spacing = ImGui::GetStyle().ItemSpacing.x;
    const std::string& shift = app.t("kbd.shift");
    const std::string& enter = app.t("kbd.enter");
    const std::string& erase = app.t("kbd.backspace");
    const bool multiline = f.focus == Field::Grounds || f.focus == Field::Demands;
    ImGui::SetWindowFontScale(0.85f * unscale);   // the word keys' labels, so the row fits
    const float erase_w = fit(erase, w * 1.5f);
    ImGui::SetCursorPosX(24.f);
    if (pad != Keypad::Digits) {
        layout_switch(app, w, h);
        const float shift_w = fit(shift, w), enter_w = multiline ? fit(enter, w) + spacing : 0.f;
        const float layouts_w = ImGui::GetCursorPosX() - 24.f;   // drawn just before
        const float space_w = std::max(w * 1.5f, width - 48.f - layouts_w - shift_w - enter_w - erase_w - 2 * spacing);
        if (key("shift", shift.c_str(), shift_w, h, app.keyboard.shift)) app.keyboard.shift = !app.keyboard.shift;
        ImGui::SameLine();
        if (key("space", app.t("kbd.space").c_str(), space_w, h)) f.type(" ");
        ImGui::SameLine();
        if (multiline) {
            if (key("enter", enter.c_str(), enter_w - spacing, h)) f.type("\n");
            ImGui::SameLine();
        }
    } else {
        ImGui::SetCursorPosX(std::max(8.f, (width - 3 * (w + spacing)) / 2));
    }
    ImGui::PushButtonRepeat(true);
    if (key("backspace", erase.c_str(), pad == Keypad::Digits ? 2 * w + spacing : erase_w, h)) f.backspace();
    ImGui::PopButtonRepeat();
    ImGui::SetWindowFontScale(1.f);
}

}  // namespace kiosk::ui
