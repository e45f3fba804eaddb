// The citizen's screens, drawn from the session's screen content: a header with the office,
// the step indicator, the error summary, the page (scrolling), the keyboard, the footer with
// the way on, and the bar with text size, contrast and language within reach at the bottom.
#include "icons.h"
#include "ui.h"

#include "kiosk/text.h"

#include <printer/qr.h>

#include <imgui.h>
#include <imgui_internal.h>  // ClearActiveID: a drag cancels the press under it

#include <algorithm>
#include <cmath>
#include <numeric>

namespace kiosk::ui {

// Section: colours and building blocks

std::uint32_t colour(Rgb c, float alpha) {
    return IM_COL32(c.r, c.g, c.b, static_cast<int>(alpha * 255));
}

namespace {

constexpr float kPad = 32.f;        // the page's margin
constexpr float kGap = 16.f;        // between things
constexpr float kMeasure = 1150.f;  // about 70 characters of body text: no longer lines

const Palette& pal(const App& app) { return *app.palette; }

// Whole pixels: the software renderer draws half-pixel edges as two faint lines.
ImVec2 snap(ImVec2 v) { return ImVec2(std::floor(v.x), std::floor(v.y)); }

void rect(ImVec2 a, ImVec2 b, Rgb c, float rounding = 0.f) {
    ImGui::GetWindowDrawList()->AddRectFilled(snap(a), snap(b), colour(c), rounding);
}
void frame(ImVec2 a, ImVec2 b, Rgb c, float thickness, float rounding = 0.f) {
    // An outline as filled bands, inside the box, so it stays crisp at any thickness.
    a = snap(a), b = snap(b);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    if (rounding > 0.f) {
        dl->AddRect(ImVec2(a.x + thickness / 2, a.y + thickness / 2),
                    ImVec2(b.x - thickness / 2, b.y - thickness / 2), colour(c), rounding, 0,
                    thickness);
        return;
    }
    dl->AddRectFilled(a, ImVec2(b.x, a.y + thickness), colour(c));
    dl->AddRectFilled(ImVec2(a.x, b.y - thickness), b, colour(c));
    dl->AddRectFilled(a, ImVec2(a.x + thickness, b.y), colour(c));
    dl->AddRectFilled(ImVec2(b.x - thickness, a.y), b, colour(c));
}

ImVec2 text_size(ImFont* font, const std::string& s, float wrap = -1.f) {
    return font->CalcTextSizeA(font->FontSize, FLT_MAX, wrap, s.c_str());
}
void text_at(ImFont* font, ImVec2 at, Rgb c, const std::string& s, float wrap = 0.f) {
    ImGui::GetWindowDrawList()->AddText(font, font->FontSize, snap(at), colour(c), s.c_str(),
                                        nullptr, wrap);
}

// A label with its icon in front (an arrow forward goes after it): the icon glyphs live in the
// same atlas as the letters.
std::string with_icon(Icon icon, const std::string& label) {
    const char* i = icon_text(icon);
    if (!*i) return label;
    return icon == Icon::Next ? label + "  " + i : std::string(i) + "  " + label;
}

float page_width() { return std::min(ImGui::GetContentRegionAvail().x, kMeasure); }

}  // namespace

void paragraph(const std::string& text, Rgb c) {
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(colour(c)));
    ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + page_width());
    ImGui::TextUnformatted(text.c_str());
    ImGui::PopTextWrapPos();
    ImGui::PopStyleColor();
}

bool touch_area(std::string_view id, const ImVec2& size, std::string_view probe_id) {
    ImGui::PushID(id.data(), id.data() + id.size());
    const bool hit = ImGui::InvisibleButton("area", size);
    ImGui::PopID();
    probe().item(probe_id.empty() ? id : probe_id);
    return hit;
}

bool button(App& app, std::string_view id, const std::string& label, Icon icon, Tone tone,
            const ImVec2& size, bool on) {
    const Palette& p = pal(app);
    const ImVec2 pos = ImGui::GetCursorScreenPos();
    const bool hit = touch_area(id, size);
    const bool pressed = ImGui::IsItemActive();
    const ImVec2 end(pos.x + size.x, pos.y + size.y);
    const bool filled = tone == Tone::Primary || on;
    const Rgb back = filled    ? (pressed ? p.primary_pressed : p.primary)
                     : pressed ? p.pressed
                               : p.surface;
    const Rgb fore = filled ? p.on_primary : pressed ? p.text : p.secondary_text;
    rect(pos, end, back, 10.f);
    if (!filled) frame(pos, end, p.secondary_edge, 3.f, 10.f);
    ImFont* font = ImGui::GetFont();
    const std::string shown = with_icon(icon, label);
    const float wrap = size.x - 2 * kGap;
    const ImVec2 ts = text_size(font, shown, wrap);
    const ImVec2 at(pos.x + std::max(kGap, (size.x - ts.x) / 2), pos.y + (size.y - ts.y) / 2);
    text_at(font, at, fore, shown, wrap);
    // Chosen is said by a shape too, not by colour alone: a bar under the label.
    if (on)
        rect(ImVec2(at.x, at.y + ts.y + 3.f),
             ImVec2(at.x + std::min(ts.x, wrap), at.y + ts.y + 8.f), fore);
    return hit;
}

namespace {

// Section: the page's items

void heading(App& app, const std::string& text, ImFont* font) {
    ImGui::PushFont(font);
    paragraph(text, pal(app).text);
    ImGui::PopFont();
}

// A framed message: a thick bar on the left in the tone's colour, the icon and the words.
void notice(App& app, const Item& item) {
    const Palette& p = pal(app);
    const Rgb back = item.tone == Tone::Warning   ? p.warning_bg
                     : item.tone == Tone::Error   ? p.error_bg
                     : item.tone == Tone::Success ? p.surface
                                                  : p.info_bg;
    const Rgb edge = item.tone == Tone::Warning   ? p.warning_edge
                     : item.tone == Tone::Error   ? p.error
                     : item.tone == Tone::Success ? p.success
                                                  : p.info_edge;
    const float w = page_width();
    ImFont* font = ImGui::GetFont();
    std::string text = with_icon(item.icon, item.label);
    for (const Row& r : item.rows)
        text += "\n" + (r.label.empty() ? r.value : r.label + ": " + r.value);
    const float inner = w - 3 * kGap - 10.f;
    const ImVec2 ts = text_size(font, text, inner);
    const float actions_h = item.entries.empty() ? 0.f : font->FontSize + 2 * kGap + kGap;
    const ImVec2 pos = ImGui::GetCursorScreenPos();
    const ImVec2 end(pos.x + w, pos.y + ts.y + 2 * kGap + actions_h);
    ImGui::BeginGroup();
    rect(pos, end, back);
    rect(pos, ImVec2(pos.x + 10.f, end.y), edge);
    text_at(font, ImVec2(pos.x + 10.f + 1.5f * kGap, pos.y + kGap), p.text, text, inner);
    ImGui::Dummy(ImVec2(w, ts.y + 2 * kGap));
    for (const Item& a : item.entries) {
        ImGui::SetCursorScreenPos(
            ImVec2(pos.x + 10.f + 1.5f * kGap, ImGui::GetCursorScreenPos().y));
        const float bw = text_size(font, with_icon(a.icon, a.label)).x + 3 * kGap;
        if (button(app, a.id, a.label, a.icon, Tone::Secondary,
                   ImVec2(bw, font->FontSize + 2 * kGap)))
            app.act(a.intent);
        ImGui::Dummy(ImVec2(1, kGap));
    }
    ImGui::EndGroup();
    probe().item(item.id);
}

// A specialist on the way: one line with the time staff were told, and the way to call it off.
void help_bar(App& app, const Item& item, float w) {
    const Palette& p = pal(app);
    ImFont* font = app.fonts.small;
    const ImVec2 pos = ImGui::GetCursorScreenPos();
    const Item* off = item.entries.empty() ? nullptr : &item.entries.front();
    const float bw = off ? text_size(font, with_icon(off->icon, off->label)).x + 3 * kGap : 0.f;
    const float inner = w - bw - 10.f - 3 * kGap;
    const std::string text = with_icon(item.icon, item.label);
    const ImVec2 ts = text_size(font, text, inner);
    const float h = std::max(ts.y, font->FontSize + 20.f) + 2 * 10.f;
    rect(pos, ImVec2(pos.x + w, pos.y + h), p.info_bg);
    rect(pos, ImVec2(pos.x + 10.f, pos.y + h), p.info_edge);
    text_at(font, ImVec2(pos.x + 10.f + kGap, pos.y + (h - ts.y) / 2), p.text, text, inner);
    ImGui::PushFont(font);
    if (off) {
        ImGui::SetCursorScreenPos(ImVec2(pos.x + w - bw - 10.f, pos.y + 10.f));
        if (button(app, off->id, off->label, off->icon, Tone::Secondary, ImVec2(bw, h - 20.f)))
            app.act(off->intent);
    }
    ImGui::PopFont();
    ImGui::SetCursorScreenPos(pos);
    ImGui::Dummy(ImVec2(w, h));
    probe().item(item.id);
}

// "There is a problem", each entry leading to its field.
void error_summary(App& app, const Item& item, float w) {
    const Palette& p = pal(app);
    const ImVec2 pos = ImGui::GetCursorScreenPos();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->ChannelsSplit(2);  // the frame goes behind what is drawn inside it
    dl->ChannelsSetCurrent(1);
    ImGui::SetCursorScreenPos(ImVec2(pos.x + 1.5f * kGap, pos.y + kGap));
    ImGui::BeginGroup();
    heading(app, with_icon(item.icon, item.label), app.fonts.title);
    for (const Item& e : item.entries) {
        ImFont* font = ImGui::GetFont();
        const ImVec2 at = ImGui::GetCursorScreenPos();
        const float inner = w - 3 * kGap;
        const ImVec2 ts = text_size(font, e.label, inner);
        const bool hit = touch_area(e.id, ImVec2(inner, ts.y + kGap));
        text_at(font, at, p.error, e.label, inner);
        // Underlined like a link: it is one.
        rect(ImVec2(at.x, at.y + ts.y + 2), ImVec2(at.x + std::min(ts.x, inner), at.y + ts.y + 4),
             p.error);
        if (hit) app.act(e.intent);
    }
    ImGui::EndGroup();
    const float h = ImGui::GetItemRectSize().y + 2 * kGap;
    dl->ChannelsSetCurrent(0);
    rect(pos, ImVec2(pos.x + w, pos.y + h), p.surface);
    frame(pos, ImVec2(pos.x + w, pos.y + h), p.error, 6.f);
    dl->ChannelsMerge();
    ImGui::SetCursorScreenPos(pos);
    ImGui::Dummy(ImVec2(w, h));
    probe().item(item.id);
}

// Lines of wrapped text as byte ranges, so that the caret can be placed and drawn in them.
struct Line {
    std::size_t from, to;
};
std::vector<Line> wrap_lines(ImFont* font, const std::string& s, float width) {
    std::vector<Line> lines;
    const char* begin = s.c_str();
    const char* end = begin + s.size();
    const char* at = begin;
    while (true) {
        const char* nl = std::find(at, end, '\n');
        const char* cut = font->CalcWordWrapPositionA(1.f, at, nl, width);
        if (cut == at && at < nl) cut = at + 1;  // a single glyph wider than the box
        while (cut < nl && (static_cast<unsigned char>(*cut) & 0xC0) == 0x80) ++cut;
        lines.push_back(
            {static_cast<std::size_t>(at - begin), static_cast<std::size_t>(cut - begin)});
        if (cut >= end) break;
        at = cut;
        if (at == nl)
            ++at;  // past the new line
        else
            while (at < nl && *at == ' ') ++at;  // wrapped: the space is not drawn
        if (at >= end && nl < end) {             // a new line at the very end: one more, empty
            lines.push_back({s.size(), s.size()});
            break;
        }
    }
    return lines;
}

// A text field: label, hint, error, then the box. A tap on the focused box moves the caret.
void field(App& app, const Item& item) {
    const Palette& p = pal(app);
    const Flow& flow = app.session.flow();
    const float w = page_width();
    ImFont* font = ImGui::GetFont();
    const ImVec2 group = ImGui::GetCursorScreenPos();
    const bool has_error = !item.error.empty();
    const float indent = has_error ? 26.f : 0.f;  // the error bar on the left
    ImGui::SetCursorScreenPos(ImVec2(group.x + indent, group.y));
    ImGui::BeginGroup();
    paragraph(item.label, p.text);
    ImGui::PushFont(app.fonts.small);
    if (!item.hint.empty()) paragraph(item.hint, p.muted);
    ImGui::PopFont();
    if (has_error) paragraph(with_icon(Icon::Error, item.error), p.error);
    const float box_w = w - indent;
    const float inner = box_w - 2 * 20.f;
    const std::vector<Line> lines = wrap_lines(font, item.value, inner);
    const float line_h = font->FontSize * 1.25f;
    const float box_h = std::max<int>(item.lines, static_cast<int>(lines.size())) * line_h + 36.f;
    const ImVec2 pos = ImGui::GetCursorScreenPos();
    const bool hit = touch_area(item.id, ImVec2(box_w, box_h));
    const ImVec2 end(pos.x + box_w, pos.y + box_h);
    // Bring a newly focused field into view: the keyboard takes part of the screen.
    if (item.on && app.shown_focus != item.id) {
        const ImDrawList* clip = ImGui::GetWindowDrawList();
        if (pos.y < clip->GetClipRectMin().y || end.y > clip->GetClipRectMax().y) {
            ImGui::SetScrollHereY(0.25f);
            app.unsettled = true;  // the scroll lands next frame
        }
        app.shown_focus = item.id;
    }
    if (item.on) {
        probe().item("focused");  // where the keyboard types, for tests
        rect(ImVec2(pos.x - 6, pos.y - 6), ImVec2(end.x + 6, end.y + 6), p.focus, 4.f);
    }
    rect(pos, end, p.surface);
    frame(pos, end, has_error && !item.on ? p.error : p.field_edge, item.on ? 4.f : 3.f);
    const ImVec2 origin(pos.x + 20.f, pos.y + 18.f);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->PushClipRect(pos, end, true);
    for (std::size_t i = 0; i < lines.size(); ++i)
        dl->AddText(font, font->FontSize, snap(ImVec2(origin.x, origin.y + i * line_h)),
                    colour(p.text), item.value.c_str() + lines[i].from,
                    item.value.c_str() + lines[i].to);
    if (item.on) {
        // The caret: on its line, after the letters before it.
        const std::size_t caret = std::min(flow.caret, item.value.size());
        std::size_t li = 0;
        while (li + 1 < lines.size() && caret > lines[li].to) ++li;
        if (li + 1 < lines.size() && caret == lines[li].to && caret >= lines[li + 1].from) ++li;
        const float x =
            origin.x + font->CalcTextSizeA(font->FontSize, FLT_MAX, 0.f,
                                           item.value.c_str() + lines[li].from,
                                           item.value.c_str() + std::max(caret, lines[li].from))
                           .x;
        const float y = origin.y + li * line_h;
        rect(ImVec2(x, y - 2), ImVec2(x + 4, y + font->FontSize + 4), p.text);
    }
    dl->PopClipRect();
    if (hit) {
        if (!item.on) app.act(item.intent);
        // The letter under the finger: lines by height, letters by width.
        const ImVec2 tap = ImGui::GetIO().MousePos;
        const std::size_t li = std::min(
            lines.size() - 1, static_cast<std::size_t>(std::max(0.f, (tap.y - origin.y) / line_h)));
        std::size_t cps = code_point_count(std::string_view(item.value).substr(0, lines[li].from));
        for (std::size_t at = lines[li].from; at < lines[li].to;) {
            const std::size_t next = next_code_point(item.value, at);
            const float mid =
                font->CalcTextSizeA(font->FontSize, FLT_MAX, 0.f,
                                    item.value.c_str() + lines[li].from, item.value.c_str() + next)
                    .x -
                font->CalcTextSizeA(font->FontSize, FLT_MAX, 0.f, item.value.c_str() + at,
                                    item.value.c_str() + next)
                        .x /
                    2;
            if (tap.x - origin.x < mid) break;
            ++cps;
            at = next;
        }
        app.act({Act::CaretTo, static_cast<int>(cps)});
    }
    ImGui::EndGroup();
    if (has_error) rect(group, ImVec2(group.x + 8.f, ImGui::GetItemRectMax().y), p.error);
    ImGui::Dummy(ImVec2(1, kGap));
}

// One of several choices: a round mark, filled when chosen (shape and words, not colour alone).
void choice(App& app, const Item& item) {
    const Palette& p = pal(app);
    const float w = page_width();
    ImFont* font = ImGui::GetFont();
    const float inner = w - 120.f;
    const ImVec2 ls = text_size(font, item.label, inner);
    const ImVec2 hs = item.hint.empty() ? ImVec2() : text_size(app.fonts.small, item.hint, inner);
    const float h = std::max(110.f, ls.y + hs.y + (item.hint.empty() ? 0.f : 8.f) + 44.f);
    const ImVec2 pos = ImGui::GetCursorScreenPos();
    const bool hit = touch_area(item.id, ImVec2(w, h));
    const ImVec2 end(pos.x + w, pos.y + h);
    rect(pos, end, ImGui::IsItemActive() ? p.pressed : p.surface, 10.f);
    frame(pos, end, item.on ? p.primary : p.muted, item.on ? 5.f : 2.f, 10.f);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 mark(std::floor(pos.x + 56.f), std::floor(pos.y + h / 2));
    dl->AddCircleFilled(mark, 26.f, colour(p.surface), 32);
    dl->AddCircle(mark, 24.f, colour(p.text), 32, 4.f);
    if (item.on) dl->AddCircleFilled(mark, 14.f, colour(p.text), 32);
    const float top = pos.y + (h - ls.y - hs.y - (item.hint.empty() ? 0.f : 8.f)) / 2;
    text_at(font, ImVec2(pos.x + 100.f, top), p.text, item.label, inner);
    if (!item.hint.empty())
        text_at(app.fonts.small, ImVec2(pos.x + 100.f, top + ls.y + 8.f), p.muted, item.hint,
                inner);
    if (hit) app.act(item.intent);
    ImGui::Dummy(ImVec2(1, kGap / 2));
}

// A ready text that a touch adds to the grounds; a tick once it is in.
void template_text(App& app, const Item& item) {
    const float w = page_width();
    ImFont* font = ImGui::GetFont();
    const float h = text_size(font, with_icon(item.icon, item.label), w - 2 * kGap).y + 2 * kGap;
    if (button(app, item.id, item.label, item.icon, Tone::Secondary, ImVec2(w, std::max(90.f, h)),
               item.on))
        app.act(item.intent);
    ImGui::Dummy(ImVec2(1, kGap / 4));
}

// Home: large tiles, two to a row (portrait) or all in one (landscape).
void tiles(App& app, const std::vector<const Item*>& items, float height) {
    const Palette& p = pal(app);
    const float w = ImGui::GetContentRegionAvail().x;
    const ImVec2 display = ImGui::GetIO().DisplaySize;
    const int columns = display.x > display.y ? static_cast<int>(items.size()) : 2;
    const float tile_w = std::floor((w - (columns - 1) * kGap) / columns);
    const int rows = static_cast<int>((items.size() + columns - 1) / columns);
    const float tile_h = std::floor(std::clamp((height - (rows - 1) * kGap) / rows, 220.f, 520.f));
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    for (std::size_t i = 0; i < items.size(); ++i) {
        const Item& item = *items[i];
        const ImVec2 pos(origin.x + (i % columns) * (tile_w + kGap),
                         origin.y + (i / columns) * (tile_h + kGap));
        ImGui::SetCursorScreenPos(pos);
        const bool hit = touch_area(item.id, ImVec2(tile_w, tile_h));
        const bool filled = item.tone == Tone::Primary;
        const bool pressed = ImGui::IsItemActive();
        const Rgb back = filled    ? (pressed ? p.primary_pressed : p.primary)
                         : pressed ? p.pressed
                                   : p.surface;
        const Rgb fore = filled ? p.on_primary : p.text;
        const Rgb sub = filled ? p.on_primary : p.muted;
        const ImVec2 end(pos.x + tile_w, pos.y + tile_h);
        rect(pos, end, back, 14.f);
        if (!filled) frame(pos, end, p.secondary_edge, 3.f, 14.f);
        const float inner = tile_w - 2 * 28.f;
        text_at(app.fonts.huge, ImVec2(pos.x + 28.f, pos.y + 24.f),
                filled ? p.on_primary : p.primary, icon_text(item.icon));
        const float label_y = pos.y + 24.f + app.fonts.huge->FontSize + 12.f;
        text_at(app.fonts.heading, ImVec2(pos.x + 28.f, label_y), fore, item.label, inner);
        const float hint_y = label_y + text_size(app.fonts.heading, item.label, inner).y + 10.f;
        text_at(app.fonts.small, ImVec2(pos.x + 28.f, hint_y), sub, item.hint, inner);
        if (hit) app.act(item.intent);
    }
    ImGui::SetCursorScreenPos(ImVec2(origin.x, origin.y + rows * (tile_h + kGap)));
    ImGui::Dummy(ImVec2(1, 1));
}

// Check your answers: the step's name, "Change", and its answers, label above value.
void card(App& app, const Item& item) {
    const Palette& p = pal(app);
    const float w = page_width();
    const ImVec2 pos = ImGui::GetCursorScreenPos();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->ChannelsSplit(2);
    dl->ChannelsSetCurrent(1);
    ImGui::SetCursorScreenPos(ImVec2(pos.x + 24.f, pos.y + 20.f));
    ImGui::BeginGroup();
    ImFont* font = ImGui::GetFont();
    const bool change = item.intent.act == Act::Change;
    const float change_w =
        change ? text_size(font, with_icon(item.icon, item.value)).x + 3 * kGap : 0.f;
    ImGui::PushFont(app.fonts.heading);
    ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + w - 48.f - change_w - kGap);
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(colour(p.text)));
    ImGui::TextUnformatted(item.label.c_str());
    ImGui::PopStyleColor();
    ImGui::PopTextWrapPos();
    ImGui::PopFont();
    if (change) {
        const ImVec2 back = ImGui::GetCursorScreenPos();
        ImGui::SetCursorScreenPos(ImVec2(pos.x + w - 24.f - change_w, pos.y + 14.f));
        const std::string id = "review.change#" + std::to_string(item.intent.arg);
        if (button(app, id, item.value, item.icon, Tone::Secondary,
                   ImVec2(change_w, font->FontSize + 34.f)))
            app.act(item.intent);
        ImGui::SetCursorScreenPos(ImVec2(back.x, std::max(back.y, pos.y + font->FontSize + 60.f)));
    }
    for (const Row& r : item.rows) {
        ImGui::Dummy(ImVec2(1, 6));
        ImGui::PushFont(app.fonts.small);
        paragraph(r.label, p.muted);
        ImGui::PopFont();
        ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + w - 48.f);
        paragraph(r.value, p.text);
        ImGui::PopTextWrapPos();
    }
    ImGui::EndGroup();
    const float h = ImGui::GetItemRectMax().y - pos.y + 20.f;
    dl->ChannelsSetCurrent(0);
    rect(pos, ImVec2(pos.x + w, pos.y + h), p.surface, 10.f);
    rect(pos, ImVec2(pos.x + w, pos.y + 8.f), p.primary, 0.f);
    dl->ChannelsMerge();
    ImGui::SetCursorScreenPos(pos);
    ImGui::Dummy(ImVec2(w, h + kGap));
    probe().item(item.id);
}

// A switch: a track with a knob, "on" also said by a tick inside it.
constexpr float kTrackW = 72.f, kTrackH = 40.f;

void switch_control(App& app, const Item& item, float width, float h) {
    const Palette& p = pal(app);
    ImFont* font = ImGui::GetFont();
    const float inner = width - kTrackW - 24.f;
    const ImVec2 ts = text_size(font, item.label, inner);
    const ImVec2 pos = ImGui::GetCursorScreenPos();
    const bool hit = touch_area(item.id, ImVec2(width, h));
    const ImVec2 track(pos.x + 4.f, std::floor(pos.y + (h - kTrackH) / 2));
    rect(track, ImVec2(track.x + kTrackW, track.y + kTrackH), item.on ? p.primary : p.switch_off,
         kTrackH / 2);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const float r = kTrackH / 2 - 5.f;
    const ImVec2 knob(track.x + (item.on ? kTrackW - kTrackH / 2 : kTrackH / 2),
                      track.y + kTrackH / 2);
    dl->AddCircleFilled(knob, r, colour(p.surface), 32);
    if (item.on) {  // "on" in a shape too, not colour alone: a tick in the track
        const ImVec2 ts2 = text_size(app.fonts.small, icon_text(Icon::Tick));
        text_at(app.fonts.small, ImVec2(track.x + 10.f, track.y + (kTrackH - ts2.y) / 2),
                p.on_primary, icon_text(Icon::Tick));
    }
    text_at(font, ImVec2(pos.x + kTrackW + 16.f, pos.y + (h - ts.y) / 2), p.text, item.label,
            inner);
    if (hit) app.act(item.intent);
}

// A declaration the citizen agrees to: a large box, ticked when on, and the words beside it.
void checkbox(App& app, const Item& item, float width) {
    const Palette& p = pal(app);
    ImFont* font = ImGui::GetFont();
    const float box = 64.f, inner = width - box - 36.f;
    const ImVec2 ts = text_size(font, item.label, inner);
    const float h = std::max(box + 24.f, ts.y + 24.f);
    const ImVec2 pos = ImGui::GetCursorScreenPos();
    const bool hit = touch_area(item.id, ImVec2(width, h));
    const ImVec2 a(pos.x + 4.f, std::floor(pos.y + 12.f));
    rect(a, ImVec2(a.x + box, a.y + box), ImGui::IsItemActive() ? p.pressed : p.surface);
    frame(a, ImVec2(a.x + box, a.y + box), item.error.empty() ? p.field_edge : p.error, 4.f);
    if (item.on) {
        const ImVec2 tick = text_size(app.fonts.title, icon_text(Icon::Tick));
        text_at(app.fonts.title, ImVec2(a.x + (box - tick.x) / 2, a.y + (box - tick.y) / 2), p.text,
                icon_text(Icon::Tick));
    }
    text_at(font, ImVec2(pos.x + box + 32.f, pos.y + 12.f), p.text, item.label, inner);
    if (hit) app.act(item.intent);
}

void qr_code(App& app, const Item& item) {
    const printer::QrSymbol qr = printer::encode_qr(item.value);  // a short address: it always fits
    const int n = qr.width;
    const float quiet = 4.f, cell = std::floor(360.f / (n + 2 * quiet)),
                size = cell * (n + 2 * quiet);
    const ImVec2 pos = snap(ImGui::GetCursorScreenPos());
    rect(pos, ImVec2(pos.x + size, pos.y + size), {0xFF, 0xFF, 0xFF});
    for (int y = 0; y < n; ++y)
        for (int x = 0; x < n; ++x)
            if (qr.at(x, y)) {
                const ImVec2 a(pos.x + (quiet + x) * cell, pos.y + (quiet + y) * cell);
                rect(a, ImVec2(a.x + cell, a.y + cell), {0, 0, 0});
            }
    ImGui::Dummy(ImVec2(size, size));
    probe().item(item.id);
    paragraph(item.label, pal(app).text);
}

// The finger-drawn signature: a framed pad with a line to sign on.
void signature_pad(App& app, const Item& item) {
    const Palette& p = pal(app);
    if (!item.error.empty()) paragraph(with_icon(Icon::Error, item.error), p.error);
    const float w = page_width(), h = std::floor(w * 0.42f);
    const ImVec2 pos = snap(ImGui::GetCursorScreenPos());
    ImGui::InvisibleButton("pad", ImVec2(w, h));
    probe().item(item.id);
    rect(pos, ImVec2(pos.x + w, pos.y + h), p.surface);
    frame(pos, ImVec2(pos.x + w, pos.y + h), item.error.empty() ? p.field_edge : p.error, 3.f);
    rect(ImVec2(pos.x + 60.f, pos.y + h * 0.75f), ImVec2(pos.x + w - 60.f, pos.y + h * 0.75f + 2.f),
         p.muted);
    text_at(app.fonts.title, ImVec2(pos.x + 24.f, pos.y + h * 0.75f - app.fonts.title->FontSize),
            p.muted, "×");
    auto to_pad = [&](ImVec2 m) {
        return SignaturePoint{std::clamp((m.x - pos.x) / w, 0.f, 1.f),
                              std::clamp((m.y - pos.y) / h, 0.f, 1.f)};
    };
    if (ImGui::IsItemActive()) {
        const ImVec2 m = ImGui::GetIO().MousePos;
        const SignaturePoint pt = to_pad(m);
        if (app.stroke.empty() ||
            std::hypot(app.stroke.back().x - pt.x, app.stroke.back().y - pt.y) > 0.002f)
            app.stroke.push_back(pt);
    } else if (!app.stroke.empty()) {
        app.session.sign(std::move(app.stroke));
        app.session.act({Act::StillHere});
        app.stroke.clear();
    }
    ImDrawList* dl = ImGui::GetWindowDrawList();
    auto draw_stroke = [&](const SignatureStroke& s) {
        for (std::size_t i = 1; i < s.size(); ++i)
            dl->AddLine(ImVec2(pos.x + s[i - 1].x * w, pos.y + s[i - 1].y * h),
                        ImVec2(pos.x + s[i].x * w, pos.y + s[i].y * h), colour(p.text), 5.f);
    };
    for (const auto& s : app.session.flow().complaint.signature) draw_stroke(s);
    draw_stroke(app.stroke);
}

// The confirmation panel: a tick, the title, the number in large type.
void panel(App& app, const Item& item) {
    const Palette& p = pal(app);
    const float w = page_width();
    const ImVec2 pos = ImGui::GetCursorScreenPos();
    const float inner = w - 2 * 40.f;
    const std::string title = with_icon(item.icon, item.label);
    const ImVec2 ts = text_size(app.fonts.title, title, inner);
    const ImVec2 hs = text_size(ImGui::GetFont(), item.hint, inner);
    const ImVec2 ns = text_size(app.fonts.huge, item.value, inner);
    const float h = 40.f + ts.y + 28.f + hs.y + 8.f + ns.y + 40.f;
    rect(pos, ImVec2(pos.x + w, pos.y + h), p.success, 12.f);
    float y = pos.y + 40.f;
    text_at(app.fonts.title, ImVec2(pos.x + (w - ts.x) / 2, y), p.on_success, title, inner);
    y += ts.y + 28.f;
    text_at(ImGui::GetFont(), ImVec2(pos.x + (w - hs.x) / 2, y), p.on_success, item.hint, inner);
    y += hs.y + 8.f;
    text_at(app.fonts.huge, ImVec2(pos.x + (w - ns.x) / 2, y), p.on_success, item.value, inner);
    ImGui::Dummy(ImVec2(w, h));
    probe().item(item.id);
    ImGui::Dummy(ImVec2(1, kGap));
}

// Work under way: a band that sweeps across, redrawn while the session is busy.
void progress(App& app, const Item& item, Clock::time_point now) {
    const Palette& p = pal(app);
    paragraph(with_icon(item.icon, item.label), p.text);
    ImGui::Dummy(ImVec2(1, kGap));
    const float w = page_width(), h = 24.f;
    const ImVec2 pos = snap(ImGui::GetCursorScreenPos());
    rect(pos, ImVec2(pos.x + w, pos.y + h), p.surface, h / 2);
    frame(pos, ImVec2(pos.x + w, pos.y + h), p.primary, 2.f, h / 2);
    const double t = std::chrono::duration<double>(now.time_since_epoch()).count();
    const float band = w * 0.25f, x = static_cast<float>(std::fmod(t * 0.6, 1.0)) * (w - band);
    rect(ImVec2(pos.x + x, pos.y), ImVec2(pos.x + x + band, pos.y + h), p.primary, h / 2);
    ImGui::Dummy(ImVec2(w, h));
    probe().item(item.id);
}

void item(App& app, const Item& it) {
    const Palette& p = pal(app);
    if (it.reveal && app.revealed != it.id) {  // an answer that just came: bring it into view
        ImGui::SetScrollHereY(0.2f);
        app.revealed = it.id;
        app.unsettled = true;
    }
    switch (it.kind) {
    case Kind::Heading:
        heading(app, it.label, app.fonts.heading);
        probe().item(it.id);
        break;
    case Kind::Text:
        paragraph(it.label, p.text);
        probe().item(it.id);
        break;
    case Kind::Notice: notice(app, it); break;
    case Kind::ErrorSummary: error_summary(app, it, page_width()); break;
    case Kind::Field: return field(app, it);
    case Kind::Choice: return choice(app, it);
    case Kind::Template: return template_text(app, it);
    case Kind::Tile: return;  // laid out together by tiles()
    case Kind::Action: {
        ImFont* font = ImGui::GetFont();
        const float bw =
            std::min(page_width(), text_size(font, with_icon(it.icon, it.label)).x + 4 * kGap);
        if (button(app, it.id, it.label, it.icon, it.tone, ImVec2(std::max(bw, 320.f), 100.f)))
            app.act(it.intent);
        break;
    }
    case Kind::Card: return card(app, it);
    case Kind::Switch: {
        if (!it.error.empty()) paragraph(with_icon(Icon::Error, it.error), p.error);
        checkbox(app, it, page_width());
        break;
    }
    case Kind::Qr: qr_code(app, it); break;
    case Kind::SignaturePad: signature_pad(app, it); break;
    case Kind::Panel: return panel(app, it);
    case Kind::Countdown:
        paragraph(with_icon(Icon::Clock, it.label), p.muted);
        probe().item(it.id);
        break;
    case Kind::Progress: progress(app, it, Clock::now()); break;
    }
    ImGui::Dummy(ImVec2(1, kGap));
}

// Section: around the page

// The office's bar: its emblem and name.
float header(App& app, float width) {
    const Palette& p = pal(app);
    const float h = 120.f * std::min(app.fonts.scale, 1.2f);
    rect(ImVec2(0, 0), ImVec2(width, h), p.header);
    float x = kPad;
    if (app.emblem.texture) {
        const float eh = h - 24.f, ew = eh * app.emblem.width / std::max(1, app.emblem.height);
        ImGui::GetWindowDrawList()->AddImage(app.emblem.texture, ImVec2(x, 12.f),
                                             ImVec2(x + ew, 12.f + eh));
        x += ew + kGap;
    }
    ImFont* font = app.fonts.heading;
    const std::string& office = app.config.office;
    const ImVec2 ts = text_size(font, office, width - x - kPad);
    text_at(font, ImVec2(x, std::max(8.f, (h - ts.y) / 2)), p.on_header, office, width - x - kPad);
    return h;
}

// "Step 3 of 8: Applicant" above eight segments: done ones filled, this one tall.
float steps(App& app, const ScreenContent& c, float top, float width) {
    const Palette& p = pal(app);
    ImFont* font = app.fonts.small;
    text_at(font, ImVec2(kPad, top + 14.f), p.text, c.step);
    const float y = top + 14.f + font->FontSize + 12.f;
    const int n = static_cast<int>(c.steps.size());
    const float seg = std::floor((width - 2 * kPad - (n - 1) * 8.f) / n);
    for (int i = 0; i < n; ++i) {
        const float x = kPad + i * (seg + 8.f);
        const bool done = i + 1 < c.current_step, current = i + 1 == c.current_step;
        if (done || current)
            rect(ImVec2(x, y - (current ? 4.f : 0.f)),
                 ImVec2(x + seg, y + 10.f + (current ? 4.f : 0.f)), p.step_done);
        else
            frame(ImVec2(x, y), ImVec2(x + seg, y + 10.f), p.step_todo, 2.f);
    }
    return y + 24.f - top;
}

// A screen's title at the top of the page.
void page_title(App& app, const ScreenContent& c) {
    if (c.title.empty()) return;
    ImGui::PushFont(app.fonts.title);
    paragraph(c.title, pal(app).text);
    ImGui::PopFont();
    ImGui::Dummy(ImVec2(1, kGap));
}

// A cue that the page goes on below, in its own strip under the page: an arrow and words.
constexpr float kCueHeight = 44.f;

void scroll_cue(App& app, ImVec2 at, float width) {
    const Palette& p = pal(app);
    const std::string cue = std::string(kIconMore) + " " + app.t("nav.more_below");
    const ImVec2 ts = text_size(app.fonts.small, cue);
    const ImVec2 a(at.x + (width - ts.x) / 2 - 20.f, at.y + (kCueHeight - ts.y) / 2 - 4.f);
    const ImVec2 b(a.x + ts.x + 40.f, a.y + ts.y + 8.f);
    rect(a, b, p.surface, 20.f);
    frame(a, b, p.muted, 2.f, 20.f);
    text_at(app.fonts.small, ImVec2(a.x + 20.f, a.y + 4.f), p.text, cue);
}

// Back and Next in the first row (Next the filled one), Cancel and Help below; one row in
// landscape, the quiet ones on the left.
float footer_height(const ScreenContent& c, bool landscape) {
    if (c.footer.empty()) return 0.f;
    const bool two_rows = !landscape && c.footer.size() > 2;
    return two_rows ? 110.f + 12.f + 90.f + 2 * kGap : 110.f + 2 * kGap;
}

void footer(App& app, const ScreenContent& c, float top, float width, bool landscape) {
    std::vector<const Item*> first, second;
    for (const Item& i : c.footer)
        (i.tone == Tone::Primary || i.id == "nav.back" || c.footer.size() <= 2 ? first : second)
            .push_back(&i);
    auto row = [&](const std::vector<const Item*>& items, float y, float h, float x0, float w) {
        if (items.empty()) return;
        float weights = 0.f;
        for (const Item* i : items) weights += i->tone == Tone::Primary ? 2.f : 1.f;
        const float unit = (w - (items.size() - 1) * 12.f) / weights;
        float x = x0;
        for (const Item* i : items) {
            const float bw = std::floor(unit * (i->tone == Tone::Primary ? 2.f : 1.f));
            ImGui::SetCursorScreenPos(ImVec2(x, y));
            if (button(app, i->id, i->label, i->icon, i->tone, ImVec2(bw, h), i->on))
                app.act(i->intent);
            x += bw + 12.f;
        }
    };
    const float w = width - 2 * kPad;
    if (landscape) {
        std::vector<const Item*> all = second;
        all.insert(all.end(), first.begin(), first.end());
        row(all, top + kGap, 110.f, kPad, w);
    } else {
        row(first, top + kGap, 110.f, kPad, w);
        row(second, top + kGap + 110.f + 12.f, 90.f, kPad, w);
    }
}

// Text size, contrast and language: at the bottom, within a seated person's reach.
constexpr float kAccessHeight = 100.f;

// Where the bar's controls go: one row when the switches' words fit beside the languages (a
// label of several words wraps at a space, never inside a word, the longest first); else the
// languages get a row of their own below.
struct AccessLayout {
    std::vector<const Item*> switches, languages;
    std::vector<float> switch_w;
    float lang_w = 0.f;
    bool two_rows = false;
    float height() const { return two_rows ? 2 * kAccessHeight - 24.f : kAccessHeight; }
};

// The language marks ("ҚАЗ") are in the keyboard's type, which large text leaves as it is:
// three short marks, so that the switches' words keep the room.
ImFont* marks_font(const App& app) { return app.fonts.key_small; }

AccessLayout access_layout(const App& app, const ScreenContent& c, float width) {
    AccessLayout l;
    for (const Item& i : c.access)
        (i.kind == Kind::Choice ? l.languages : l.switches).push_back(&i);
    l.lang_w = 88.f;
    for (const Item* i : l.languages)
        l.lang_w = std::max(l.lang_w, text_size(marks_font(app), i->label).x + 2.5f * kGap);
    const float langs = l.languages.size() * (l.lang_w + 10.f);
    std::vector<float> label_w, word_w;
    for (const Item* i : l.switches) {
        label_w.push_back(text_size(app.fonts.small, i->label).x);
        float widest = 0.f;
        for (std::size_t at = 0; at < i->label.size();) {
            const std::size_t end = std::min(i->label.find(' ', at), i->label.size());
            widest = std::max(widest, text_size(app.fonts.small, i->label.substr(at, end - at)).x);
            at = end + 1;
        }
        word_w.push_back(widest);
    }
    std::vector<std::size_t> longest_first(l.switches.size());
    std::iota(longest_first.begin(), longest_first.end(), 0);
    std::sort(longest_first.begin(), longest_first.end(),
              [&](std::size_t a, std::size_t b) { return label_w[a] > label_w[b]; });
    for (bool two_rows : {false, true}) {
        float over = -(width - 2 * kPad - (two_rows ? 0.f : langs));
        for (float w : label_w) over += w + kTrackW + 24.f + kGap / 2;
        l.switch_w = label_w;
        for (std::size_t n : longest_first) {
            const float cut = std::clamp(l.switch_w[n] - word_w[n], 0.f, std::max(over, 0.f));
            l.switch_w[n] -= cut;
            over -= cut;
        }
        l.two_rows = two_rows;
        if (over <= 0.f) break;
    }
    for (float& w : l.switch_w) w = std::ceil(w) + kTrackW + 24.f;
    return l;
}

void access_bar(App& app, const AccessLayout& l, float top, float width) {
    const Palette& p = pal(app);
    rect(ImVec2(0, top), ImVec2(width, top + l.height()), p.surface);
    rect(ImVec2(0, top), ImVec2(width, top + 2.f), p.muted);
    ImGui::PushFont(app.fonts.small);
    const float h = kAccessHeight - 24.f;
    float x = kPad;
    for (std::size_t n = 0; n < l.switches.size(); ++n) {
        ImGui::SetCursorScreenPos(ImVec2(x, top + 12.f));
        switch_control(app, *l.switches[n], l.switch_w[n], h);
        x += l.switch_w[n] + kGap / 2;
    }
    float lx = width - kPad - l.languages.size() * (l.lang_w + 10.f) + 10.f;
    const float ly = top + 12.f + (l.two_rows ? kAccessHeight - 24.f : 0.f);
    ImGui::PushFont(marks_font(app));
    for (const Item* i : l.languages) {
        ImGui::SetCursorScreenPos(ImVec2(lx, ly));
        if (button(app, i->id, i->label, Icon::None, Tone::Secondary, ImVec2(l.lang_w, h), i->on))
            app.act(i->intent);
        lx += l.lang_w + 10.f;
    }
    ImGui::PopFont();
    ImGui::PopFont();
}

// A question over the page; what is behind it is dimmed to nearly nothing, so keys and fields
// do not show through.
void dialog(App& app, const ScreenContent& c) {
    if (c.dialog.empty()) {
        // Answered or gone (the citizen touched the screen): closed here, or ImGui would keep
        // it open unseen and take the next touch for it.
        if (ImGui::IsPopupOpen("dialog") && ImGui::BeginPopupModal("dialog")) {
            ImGui::CloseCurrentPopup();
            ImGui::EndPopup();
        }
        return;
    }
    const Palette& p = pal(app);
    const ImVec2 size = ImGui::GetIO().DisplaySize;
    ImGui::OpenPopup("dialog");
    ImGui::SetNextWindowPos(ImVec2(size.x / 2, size.y / 2), ImGuiCond_Always, ImVec2(0.5f, 0.5f));
    ImGui::SetNextWindowSize(ImVec2(std::min(size.x * 0.86f, 1000.f), 0));
    ImGui::PushStyleColor(ImGuiCol_PopupBg, ImGui::ColorConvertU32ToFloat4(colour(p.surface)));
    ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(40, 36));
    if (ImGui::BeginPopupModal("dialog", nullptr,
                               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_AlwaysAutoResize)) {
        const float w = ImGui::GetContentRegionAvail().x;
        for (const Item& i : c.dialog) {
            if (i.kind == Kind::Heading)
                heading(app, i.label, app.fonts.title);
            else if (i.kind == Kind::Action) {
                if (button(app, i.id, i.label, i.icon, i.tone, ImVec2(w, 110.f))) app.act(i.intent);
            } else
                paragraph(i.kind == Kind::Countdown ? with_icon(Icon::Clock, i.label) : i.label,
                          p.text);
            probe().item(i.id);
            ImGui::Dummy(ImVec2(1, kGap));
        }
        ImGui::EndPopup();
    }
    ImGui::PopStyleVar();
    ImGui::PopStyleColor();
}

// Section: the attract screen: the office, the invitation in three languages, three buttons

void attract(App& app, const ScreenContent& c, Clock::time_point now) {
    const Palette& p = pal(app);
    const ImVec2 size = ImGui::GetIO().DisplaySize;
    const bool landscape = size.x > size.y;
    const float top = header(app, size.x);
    // A drift of ten pixels a minute, through seven places: no line stays on the same pixels
    // for long (burn-in), and the screen is seen to change; a frame between costs next to
    // nothing, as nothing else moves.
    const auto minute =
        std::chrono::duration_cast<std::chrono::minutes>(now.time_since_epoch()).count();
    const float drift = static_cast<float>(minute % 7 - 3) * 10.f;
    std::vector<const Item*> titles, languages;
    for (const Item& i : c.page) (i.kind == Kind::Action ? languages : titles).push_back(&i);
    const float measure = std::min(size.x - 2 * kPad, kMeasure);
    const float bw = landscape ? 500.f : std::min(760.f, size.x - 2 * kPad), bh = 150.f;
    // Each language's invitation, then its button: a citizen finds their own words and touches
    // the button under them; Kazakh first and largest.
    auto block_h = [&](std::size_t n) {
        ImFont* font = n == 0 ? app.fonts.huge : app.fonts.title;
        return text_size(font, titles[n]->label, measure).y + 12.f +
               text_size(app.fonts.body, titles[n]->hint, measure).y;
    };
    float total = 0.f;
    for (std::size_t n = 0; n < titles.size(); ++n) total += block_h(n) + 40.f;
    total += landscape ? bh : languages.size() * (bh + 28.f);
    float y = std::floor(top + std::max(40.f, (size.y - top - total) / 2) + drift);
    // Each wrapped line centred on its own.
    auto centred = [&](ImFont* font, const std::string& text, Rgb c) {
        for (const Line& l : wrap_lines(font, text, measure)) {
            const std::string line = text.substr(l.from, l.to - l.from);
            text_at(font, ImVec2((size.x - text_size(font, line).x) / 2, y), c, line);
            y += font->FontSize * 1.2f;
        }
    };
    for (std::size_t n = 0; n < titles.size(); ++n) {
        centred(n == 0 ? app.fonts.huge : app.fonts.title, titles[n]->label, p.text);
        y += 6.f;
        centred(app.fonts.body, titles[n]->hint, p.muted);
        y += 34.f;
    }
    ImGui::PushFont(app.fonts.title);
    for (std::size_t n = 0; n < languages.size(); ++n) {
        const Item& i = *languages[n];
        const ImVec2 at = landscape ? ImVec2((size.x - 3 * bw - 2 * 40.f) / 2 + n * (bw + 40.f), y)
                                    : ImVec2((size.x - bw) / 2, y + n * (bh + 28.f));
        ImGui::SetCursorScreenPos(at);
        if (button(app, i.id, i.label, Icon::Next, Tone::Primary, ImVec2(bw, bh)))
            app.act(i.intent);
    }
    ImGui::PopFont();
    // Staff's hidden way in: five taps in the top-left corner.
    ImGui::SetCursorScreenPos(ImVec2(0, 0));
    if (ImGui::InvisibleButton("service", ImVec2(120, 120))) app.session.corner_tap(Clock::now());
    probe().item("corner:service");
}

// Section: the page between the bars

void page(App& app, const ScreenContent& c, float page_height) {
    if (std::none_of(c.page.begin(), c.page.end(), [](const Item& i) { return i.reveal; }))
        app.revealed.clear();
    page_title(app, c);
    std::vector<const Item*> tile_items;
    for (const Item& i : c.page)
        if (i.kind == Kind::Tile) tile_items.push_back(&i);
    for (const Item& i : c.page)
        if (i.kind != Kind::Tile) item(app, i);
    if (!tile_items.empty()) tiles(app, tile_items, page_height - ImGui::GetCursorPosY() - kGap);
}

}  // namespace

void draw(App& app, const ScreenContent& c, Clock::time_point now) {
    const ImVec2 size = ImGui::GetIO().DisplaySize;
    const bool landscape = size.x > size.y;
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(size);
    constexpr ImGuiWindowFlags full = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                                      ImGuiWindowFlags_NoSavedSettings |
                                      ImGuiWindowFlags_NoBringToFrontOnFocus;
    ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(0, 0));
    ImGui::Begin("kiosk", nullptr, full);
    ImGui::PopStyleVar();
    const Flow& flow = app.session.flow();
    if (flow.screen == Screen::Attract) {
        attract(app, c, now);
    } else if (flow.in_service() && flow.screen != Screen::ServiceDuty) {  // it has a keyboard
        const float top = header(app, size.x);
        ImGui::SetCursorScreenPos(ImVec2(kPad, top + kGap));
        const AccessLayout bar = access_layout(app, c, size.x);
        const float footer_top = size.y - bar.height() - 140.f;
        ImGui::BeginChild("service", ImVec2(size.x - 2 * kPad, footer_top - top - kGap), false);
        page_title(app, c);
        service_screen(app, ImGui::GetContentRegionAvail().x);
        ImGui::EndChild();
        ImGui::SetCursorScreenPos(ImVec2(kPad, footer_top + kGap));
        service_footer(app, size.x - 2 * kPad);
        access_bar(app, bar, size.y - bar.height(), size.x);
    } else {
        float top = header(app, size.x);
        if (c.current_step > 0) top += steps(app, c, top, size.x);
        const AccessLayout bar = access_layout(app, c, size.x);
        const float access_top = size.y - bar.height();
        const float footer_top = access_top - footer_height(c, landscape);
        const bool beside = c.keyboard && landscape;
        const float keyboard_w = beside ? std::floor(size.x * 0.5f) : size.x;
        // The banners (the error summary, a specialist on the way) stay in view above the page,
        // however far it scrolls; in landscape over the page's column, clear of the keyboard.
        const float banner_w = (beside ? size.x - keyboard_w : size.x) - 2 * kPad;
        for (const Item& i : c.banner) {
            ImGui::SetCursorScreenPos(ImVec2(kPad, top + kGap));
            ImGui::BeginGroup();
            if (i.kind == Kind::ErrorSummary)
                error_summary(app, i, banner_w);
            else
                help_bar(app, i, banner_w);
            ImGui::EndGroup();
            top = ImGui::GetItemRectMax().y;
        }
        const float below = c.keyboard && !beside ? keyboard_height(c) : 0.f;
        // Under the page, a strip of its own for the "more below" cue: it covers nothing.
        const float page_h = footer_top - below - top - kGap - kCueHeight;
        const float page_w = (beside ? size.x - keyboard_w : size.x) - 2 * kPad;
        ImGui::SetCursorScreenPos(ImVec2(kPad, top + kGap));
        ImGui::BeginChild("page", ImVec2(page_w, page_h), false);
        // Each screen opens at its top, not where the last one was scrolled to.
        if (app.shown_screen != flow.screen) {
            ImGui::SetScrollY(0.f);
            app.shown_screen = flow.screen;
            app.unsettled = true;
        }
        // Touch scrolling: a finger that moves more than a tap would moves the page, even when
        // it landed on a button (which then is not pressed). The signature pad keeps its strokes.
        if (flow.screen != Screen::Signature &&
            ImGui::IsWindowHovered(ImGuiHoveredFlags_AllowWhenBlockedByActiveItem |
                                   ImGuiHoveredFlags_ChildWindows) &&
            ImGui::IsMouseDragging(ImGuiMouseButton_Left, 16.f)) {
            ImGui::SetScrollY(ImGui::GetScrollY() - ImGui::GetIO().MouseDelta.y);
            ImGui::ClearActiveID();
        }
        ImGui::PushTextWrapPos(0.f);
        page(app, c, page_h);
        ImGui::PopTextWrapPos();
        ImGui::Dummy(ImVec2(1, kGap));
        const bool more =
            ImGui::GetScrollMaxY() > 0.f && ImGui::GetScrollY() < ImGui::GetScrollMaxY() - 2.f;
        ImGui::EndChild();
        if (more) scroll_cue(app, ImVec2(kPad, top + kGap + page_h), page_w);
        if (beside) {
            ImGui::SetCursorScreenPos(ImVec2(size.x - keyboard_w, footer_top - keyboard_height(c)));
            draw_keyboard(app, c, keyboard_w);
        } else if (c.keyboard) {
            ImGui::SetCursorScreenPos(ImVec2(0, footer_top - below));
            draw_keyboard(app, c, size.x);
        }
        footer(app, c, footer_top, size.x, landscape);
        access_bar(app, bar, access_top, size.x);
    }
    dialog(app, c);
    ImGui::End();
}

}  // namespace kiosk::ui
