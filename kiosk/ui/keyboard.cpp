// The on-screen keyboard: no physical keyboard exists on the kiosk. Its keys come from the
// screen content (the session knows the layouts; the keypad moves through the same keys): here
// they are only laid out and drawn.
#include "icons.h"
#include "ui.h"

#include <imgui.h>

#include <algorithm>
#include <cmath>

namespace kiosk::ui {
namespace {

constexpr float kKeyH = 84.f, kKeyGap = 8.f;

// Twelve keys fill the row. 15 mm on a 21.5" 1080p panel is about 61 px: a portrait screen
// gives 80 px keys, a landscape one 76 px.
float key_width(float width) {
    return std::max(64.f, std::min((width - 48.f - 11 * kKeyGap) / 12, 96.f));
}

// A key: `on` keys (the layout shown, shift held) are filled. A key with an icon shows only it.
bool key(App& app, const Item& k, float w) {
    const Palette& p = *app.palette;
    const ImVec2 pos = ImGui::GetCursorScreenPos();
    const bool hit = touch_area(k.id, ImVec2(w, kKeyH));
    const bool pressed = ImGui::IsItemActive();
    const ImVec2 end(pos.x + w, pos.y + kKeyH);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const Rgb back = pressed ? p.focus : k.on ? p.primary : p.surface;
    const Rgb fore = pressed ? p.on_focus : k.on ? p.on_primary : p.text;
    dl->AddRectFilled(ImVec2(std::floor(pos.x), std::floor(pos.y)),
                      ImVec2(std::floor(end.x), std::floor(end.y)), colour(back), 8.f);
    if (!k.on && !pressed)
        dl->AddRect(ImVec2(std::floor(pos.x) + 1, std::floor(pos.y) + 1),
                    ImVec2(std::floor(end.x) - 1, std::floor(end.y) - 1), colour(p.muted), 8.f, 0,
                    2.f);
    const char* label = k.icon == Icon::None ? k.label.c_str() : icon_text(k.icon);
    ImFont* font = ImGui::GetFont();
    const ImVec2 ts = font->CalcTextSizeA(font->FontSize, FLT_MAX, 0.f, label);
    dl->AddText(font, font->FontSize,
                ImVec2(std::floor(pos.x + (w - ts.x) / 2), std::floor(pos.y + (kKeyH - ts.y) / 2)),
                colour(fore), label);
    ImGui::SameLine(0, kKeyGap);
    return hit;
}

// A key as wide as its label needs, and at least min_w.
float fit(const std::string& label, float min_w) {
    return std::max(min_w, ImGui::CalcTextSize(label.c_str()).x + 36.f);
}

// Pressed: the session acts, and the voice (when on) says the key.
void press(App& app, const Item& k) {
    app.act(k.intent);
    app.echo(k);
}

}  // namespace

// The keys' rows: no empty band, the page keeps the rest.
float keyboard_height(const ScreenContent& c) { return c.keys.size() * (kKeyH + kKeyGap) + 24.f; }

void draw_keyboard(App& app, const ScreenContent& c, float width) {
    const bool digits = keypad_for(app.session.flow().focus) == Keypad::Digits;
    const float w = digits ? 180.f : key_width(width);
    const Palette& p = *app.palette;
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    const float height = keyboard_height(c);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->AddRectFilled(ImVec2(origin.x, origin.y), ImVec2(origin.x + width, origin.y + height),
                      colour(p.keyboard));
    dl->AddRectFilled(ImVec2(origin.x, origin.y), ImVec2(origin.x + width, origin.y + 2.f),
                      colour(p.muted));
    ImGui::PushFont(app.fonts.key);
    ImGui::SetCursorScreenPos(ImVec2(origin.x, origin.y + 12.f));
    const float left = ImGui::GetCursorPosX();
    for (std::size_t r = 0; r + 1 < c.keys.size(); ++r) {
        const auto& row = c.keys[r];
        const float row_w = row.size() * (w + kKeyGap) - kKeyGap;
        ImGui::SetCursorPosX(left + std::max(8.f, (width - row_w) / 2));
        for (const Item& k : row)
            if (key(app, k, w)) press(app, k);
        ImGui::NewLine();
    }
    // Bottom row: the word keys as wide as their words, space takes what is left, delete is
    // wider and repeats while held; on the digit pad, half-width arrows and Enter.
    ImGui::PushFont(app.fonts.key_small);
    const auto& bottom = c.keys.back();
    ImGui::SetCursorPosX(left +
                         (digits ? std::max(8.f, (width - (3 * w + 2 * kKeyGap)) / 2) : 24.f));
    const float start = ImGui::GetCursorScreenPos().x;
    for (const Item& k : bottom) {
        float kw = w;
        if (digits)
            kw = k.id == "key:backspace" ? w : w / 2 - kKeyGap / 2;
        else if (k.id == "key:backspace")
            kw = 1.5f * w;
        else if (k.id == "key:space") {
            const float used = ImGui::GetCursorScreenPos().x - start;
            const float tail = 3 * (w + kKeyGap) + 1.5f * w + 24.f;
            kw = std::max(w * 1.5f, width - 48.f - used - tail);
        } else if (k.icon == Icon::None)
            kw = fit(k.label, w);
        if (k.id == "key:backspace") ImGui::PushButtonRepeat(true);
        if (key(app, k, kw)) press(app, k);
        if (k.id == "key:backspace") ImGui::PopButtonRepeat();
    }
    ImGui::PopFont();
    ImGui::PopFont();
    ImGui::SetCursorScreenPos(ImVec2(origin.x, origin.y + height));
    ImGui::Dummy(ImVec2(1, 1));
}

}  // namespace kiosk::ui
