// kiosk UI: an immediate-mode view of the citizen's session. It draws the session's screen
// content and reports what was touched as intents; the session owns the state and does the
// work. The only code that knows SDL and Dear ImGui.
#pragma once
#include "palette.h"

#include "kiosk/narration.h"
#include "kiosk/screen.h"
#include "kiosk/session.h"

#include <array>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

struct ImDrawList;
struct ImFont;
struct ImVec2;

namespace kiosk::ui {

struct Fonts {
    ImFont* body = nullptr;
    ImFont* small = nullptr;    // hints, the keyboard's word keys
    ImFont* heading = nullptr;  // bold, a little larger than the body
    ImFont* title = nullptr;
    ImFont* huge = nullptr;       // the registration number
    ImFont* key = nullptr;        // the keyboard's letters and word keys: the same size in large
    ImFont* key_small = nullptr;  // text, so that every row still fits the screen
    float scale = 1.f;            // 1.5 when the atlas was built for large text
};

// An emblem image uploaded as a texture (nullptr when none is configured).
struct Emblem {
    void* texture = nullptr;
    int width = 0, height = 0;
};

// What the view keeps between frames; none of it is the citizen's data.
struct App {
    Session& session;
    const Config& config;
    Narrator narrator;
    std::function<void(const Utterance&)> speak;  // plays it; nothing when there is no voice
    Fonts fonts;
    Emblem emblem;
    const Palette* palette = &kNormal;
    SignatureStroke stroke;                 // being drawn right now
    std::string shown_focus;                // the field last scrolled into view
    std::string revealed;                   // the answer last scrolled into view
    Screen shown_screen = Screen::Attract;  // the screen the page was last laid out for
    bool unsettled = false;                 // this frame moved things: draw more
    bool scroll_to_top = false;             // an error summary just appeared

    const std::string& t(std::string_view key) const { return session.t(key); }
    // What a touch did is laid out over the next frames (a popup sizes itself on its first):
    // draw them now, not at the next touch.
    bool headset = false;  // speech plays in a headset: speech turned on by a key is private
    void act(Intent i) {
        if (i.act == Act::Speech && i.arg == 1) i.arg2 = headset ? 1 : i.arg2;
        session.act(i);
        unsettled = true;
    }
    void say(const Utterance& u) {
        if (speak && !u.empty()) speak(u);
    }
    void echo(const Item& key) { say(narrator.pressed(key, session.flow())); }
};

// Where each touchable thing was drawn this frame, for tests that tap like a citizen: when
// KIOSK_UI_PROBE names a file, each frame's list ("id x y w h" per line) is written there after
// the frame is on screen, headed by "frame N taps M at K" (K: the frame that took the last tap)
// so a test can wait until a tap's effect is drawn.
struct Probe {
    std::string path;  // empty: off
    std::string frame, last_written;
    std::string ring;  // the keypad's item: ringed where it is drawn, and named in the header
    unsigned long frames = 0, taps = 0, tap_frame = 0;
    void tapped() { ++taps, tap_frame = frames + 1; }
    std::string ringed;               // ... last brought into view
    ImDrawList* ring_list = nullptr;  // ... where it was drawn this frame
    std::array<float, 4> ring_at{}, ring_clip{};
    void item(std::string_view id);  // the last ImGui item
    void end_frame();
    void find_ring();
    void draw_ring();  // after the frame's items, before it is rendered
};
Probe& probe();

// Section: drawing (view.cpp)

std::uint32_t colour(Rgb c, float alpha = 1.f);
// An invisible touchable area of this size at the cursor, named for the probe (its id, or
// probe_id); true when it was tapped.
bool touch_area(std::string_view id, const ImVec2& size, std::string_view probe_id = {});
void paragraph(const std::string& text, Rgb c);
// A button in the palette's primary (filled) or secondary (outlined) look, with an icon.
bool button(App& app, std::string_view id, const std::string& label, Icon icon, Tone tone,
            const ImVec2& size, bool on = false);

// Draws the whole screen for this frame and reports the intents of what was touched.
void draw(App& app, const ScreenContent& c, Clock::time_point now);

// Service mode's screens (service_screens.cpp), drawn from the health figures.
void service_screen(App& app, float width);
void service_footer(App& app, float width);

// The on-screen keyboard (keyboard.cpp), drawn from the content's keys; the height it needs.
float keyboard_height(const ScreenContent& c);
void draw_keyboard(App& app, const ScreenContent& c, float width);

}  // namespace kiosk::ui
