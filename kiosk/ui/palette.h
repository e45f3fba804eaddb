// The UI's colours as plain data, and every pair of them the screens draw text or a control's
// edge with, so that a test can compute each contrast (WCAG 2.2: text 4.5:1, 7:1 in high
// contrast; edges of controls 3:1). Colours after the GOV.UK Design System's palette.
#pragma once
#include <cstdint>
#include <string_view>
#include <vector>

namespace kiosk::ui {

struct Rgb {
    std::uint8_t r, g, b;
};

struct Palette {
    Rgb page;                 // behind everything
    Rgb surface;              // cards, fields, choices, keys
    Rgb text, muted;          // body text, hints
    Rgb header, on_header;    // the office's bar at the top
    Rgb primary, on_primary;  // the one filled action of a screen
    Rgb primary_pressed;
    Rgb secondary_edge, secondary_text;  // outlined actions
    Rgb pressed;                         // a secondary action or key under the finger
    Rgb field_edge;
    Rgb focus, on_focus;  // the focused field's outline, a pressed key
    Rgb error, error_bg;
    Rgb success, on_success;  // the confirmation panel
    Rgb info_bg, info_edge;
    Rgb warning_bg, warning_edge;
    Rgb step_done, step_todo;  // the step indicator's segments
    Rgb switch_off;            // a switch's track when off (on: primary)
    Rgb keyboard;              // behind the on-screen keyboard
};

constexpr Palette kNormal = {
    .page = {0xF3, 0xF2, 0xF1},
    .surface = {0xFF, 0xFF, 0xFF},
    .text = {0x0B, 0x0C, 0x0C},
    .muted = {0x50, 0x5A, 0x5F},
    .header = {0x0B, 0x3B, 0x6F},
    .on_header = {0xFF, 0xFF, 0xFF},
    .primary = {0x1D, 0x4F, 0x91},
    .on_primary = {0xFF, 0xFF, 0xFF},
    .primary_pressed = {0x0B, 0x3B, 0x6F},
    .secondary_edge = {0x1D, 0x4F, 0x91},
    .secondary_text = {0x1D, 0x4F, 0x91},
    .pressed = {0xDD, 0xE3, 0xEA},
    .field_edge = {0x0B, 0x0C, 0x0C},
    .focus = {0xFF, 0xDD, 0x00},
    .on_focus = {0x0B, 0x0C, 0x0C},
    .error = {0xB1, 0x0E, 0x1E},
    .error_bg = {0xFD, 0xEC, 0xEC},
    .success = {0x00, 0x70, 0x3C},
    .on_success = {0xFF, 0xFF, 0xFF},
    .info_bg = {0xE8, 0xF1, 0xFB},
    .info_edge = {0x1D, 0x4F, 0x91},
    .warning_bg = {0xFF, 0xF4, 0xCC},
    .warning_edge = {0x8A, 0x4B, 0x00},
    .step_done = {0x1D, 0x4F, 0x91},
    .step_todo = {0x6F, 0x77, 0x7B},
    .switch_off = {0x50, 0x5A, 0x5F},
    .keyboard = {0xDD, 0xE3, 0xEA},
};

constexpr Palette kHighContrast = {
    .page = {0xFF, 0xFF, 0xFF},
    .surface = {0xFF, 0xFF, 0xFF},
    .text = {0x00, 0x00, 0x00},
    .muted = {0x00, 0x00, 0x00},
    .header = {0x00, 0x00, 0x00},
    .on_header = {0xFF, 0xFF, 0xFF},
    .primary = {0x00, 0x00, 0x00},
    .on_primary = {0xFF, 0xFF, 0xFF},
    .primary_pressed = {0x33, 0x33, 0x33},
    .secondary_edge = {0x00, 0x00, 0x00},
    .secondary_text = {0x00, 0x00, 0x00},
    .pressed = {0xFF, 0xDD, 0x00},
    .field_edge = {0x00, 0x00, 0x00},
    .focus = {0xFF, 0xDD, 0x00},
    .on_focus = {0x00, 0x00, 0x00},
    .error = {0x8B, 0x00, 0x00},
    .error_bg = {0xFF, 0xFF, 0xFF},
    .success = {0x00, 0x5A, 0x30},
    .on_success = {0xFF, 0xFF, 0xFF},
    .info_bg = {0xFF, 0xFF, 0xFF},
    .info_edge = {0x00, 0x00, 0x00},
    .warning_bg = {0xFF, 0xFF, 0xFF},
    .warning_edge = {0x00, 0x00, 0x00},
    .step_done = {0x00, 0x00, 0x00},
    .step_todo = {0x59, 0x59, 0x59},
    .switch_off = {0x00, 0x00, 0x00},
    .keyboard = {0xFF, 0xFF, 0xFF},
};

// Outside office hours the attract screen is dimmed: light on near-black, less light from the
// panel all night (and less burn-in), still readable at 4.5:1 by a citizen who walks up.
constexpr Palette kClosed = {
    .page = {0x12, 0x14, 0x16},
    .surface = {0x1C, 0x1F, 0x22},
    .text = {0xC8, 0xCC, 0xD0},
    .muted = {0x9A, 0xA0, 0xA6},
    .header = {0x1C, 0x1F, 0x22},
    .on_header = {0xC8, 0xCC, 0xD0},
    .primary = {0x8A, 0xB4, 0xE8},
    .on_primary = {0x12, 0x14, 0x16},
    .primary_pressed = {0xA8, 0xC8, 0xF0},
    .secondary_edge = {0x8A, 0xB4, 0xE8},
    .secondary_text = {0x8A, 0xB4, 0xE8},
    .pressed = {0x2E, 0x33, 0x38},
    .field_edge = {0x9A, 0xA0, 0xA6},
    .focus = {0x1D, 0x4F, 0x91},
    .on_focus = {0xE8, 0xEA, 0xEC},
    .error = {0xF2, 0x8B, 0x82},
    .error_bg = {0x2A, 0x1A, 0x1A},
    .success = {0x81, 0xC9, 0x95},
    .on_success = {0x12, 0x14, 0x16},
    .info_bg = {0x1A, 0x24, 0x30},
    .info_edge = {0x8A, 0xB4, 0xE8},
    .warning_bg = {0x2A, 0x24, 0x14},
    .warning_edge = {0xE0, 0xB0, 0x50},
    .step_done = {0x8A, 0xB4, 0xE8},
    .step_todo = {0x80, 0x88, 0x90},
    .switch_off = {0x80, 0x88, 0x90},
    .keyboard = {0x1C, 0x1F, 0x22},
};

struct ColourPair {
    std::string_view what;
    Rgb fore, back;
};

// Every text colour on every background the screens put it on.
inline std::vector<ColourPair> text_pairs(const Palette& p) {
    return {
        {"text on page", p.text, p.page},
        {"hint on page", p.muted, p.page},
        {"text on surface", p.text, p.surface},
        {"hint on surface", p.muted, p.surface},
        {"office on header", p.on_header, p.header},
        {"primary label", p.on_primary, p.primary},
        {"pressed primary label", p.on_primary, p.primary_pressed},
        {"secondary label", p.secondary_text, p.surface},
        {"pressed secondary label", p.text, p.pressed},
        {"focused key label", p.on_focus, p.focus},
        {"error on page", p.error, p.page},
        {"error on surface", p.error, p.surface},
        {"text on error", p.text, p.error_bg},
        {"error on error", p.error, p.error_bg},
        {"panel text", p.on_success, p.success},
        {"success on page", p.success, p.page},
        {"text on info", p.text, p.info_bg},
        {"text on warning", p.text, p.warning_bg},
        {"switch label", p.on_primary, p.switch_off},
        {"key label on keyboard", p.text, p.keyboard},
    };
}

// Every edge that shows where a control is, against what is around it.
inline std::vector<ColourPair> edge_pairs(const Palette& p) {
    return {
        {"field edge on surface", p.field_edge, p.surface},
        {"field edge on page", p.field_edge, p.page},
        {"secondary edge on page", p.secondary_edge, p.page},
        {"primary on page", p.primary, p.page},
        {"focus outline on page", p.text, p.focus},
        {"key edge on page", p.muted, p.page},
        {"error edge on page", p.error, p.page},
        {"info edge", p.info_edge, p.info_bg},
        {"warning edge", p.warning_edge, p.warning_bg},
        {"step done", p.step_done, p.page},
        {"step to do", p.step_todo, p.page},
        {"switch off", p.switch_off, p.page},
        {"switch on", p.primary, p.page},
        {"key edge on keyboard", p.muted, p.keyboard},
    };
}

}  // namespace kiosk::ui
