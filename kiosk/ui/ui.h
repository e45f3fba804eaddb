// kiosk UI: immediate-mode screens over state owned by the App. The only code that knows SDL
// and Dear ImGui.
#pragma once
#include "kiosk/config.h"
#include "kiosk/flow.h"
#include "kiosk/i18n.h"
#include "kiosk/monitor.h"
#include "kiosk/pin.h"
#include "kiosk/service.h"
#include "kiosk/submission.h"

#include <net/register_client.h>

#include <future>
#include <optional>

struct ImFont;

namespace kiosk::ui {

// Layouts of the on-screen keyboard.
enum class Layout { Kazakh, Russian, Latin, Digits };

struct Keyboard {
    Layout layout = Layout::Kazakh;
    bool shift = false;
    std::string language;   // the citizen's language the layout was last set for
};

struct Fonts {
    ImFont* body = nullptr;
    ImFont* title = nullptr;
    ImFont* huge = nullptr;
};

// Everything the screens draw from. The flow is the citizen's state; the rest is the app's.
struct App {
    const Backoffice& office;
    const Config& config;
    const Translations& tr;
    PinGate& pin_gate;
    Monitor& monitor;                                // told to look again after prints and staff actions
    Flow flow;
    Keyboard keyboard;
    Fonts fonts;
    SignatureStroke stroke;                          // being drawn right now
    std::pair<Field, int> shown_focus{};             // the field last scrolled into view
    bool unsettled = false;                          // this frame moved things: draw more
    std::optional<net::ServicesResult> services;     // the register's catalog, once fetched
    std::future<net::ServicesResult> services_pending;
    Clock::time_point services_retry_at{};           // a failed fetch waits before the next
    bool services_stale = false;                     // shown from the cache, not yet refreshed
    std::future<bool> services_cache_saved;
    std::future<SubmissionResult> submission;
    std::future<std::vector<StatusLine>> status_pending;   // "check status", being looked up
    std::vector<StatusLine> status_lines;                  // its answer, translated when drawn
    std::string print_problem;                             // on Done: why there is no talon
    // Service mode's background work: the slow PIN hash, staff actions, the spool listing.
    std::future<PinGate::Attempt> pin_pending;
    std::future<StaffOutcome> staff_pending;
    std::future<std::vector<std::filesystem::path>> talons_pending;
    std::vector<std::filesystem::path> talons;             // offered for reprint
    bool talons_listed = false;                            // asked for on this visit
    bool restart_requested = false;                        // staff asked: the loop ends

    const std::string& t(std::string_view key) const { return tr.in(flow.language).get(key); }
};

// Where each touchable thing was drawn this frame, for tests that tap like a citizen: when
// KIOSK_UI_PROBE names a file, each changed frame's list ("id x y w h" per line) is written there.
struct Probe {
    std::string path;                                // empty: off
    std::string frame, last_written;
    void item(std::string_view id);                  // the last ImGui item
    void end_frame();
};
Probe& probe();

// The dark (true) and light modules of a QR code, row by row; empty if it cannot be made.
std::vector<bool> qr_modules(const std::string& text);

// Building blocks every screen uses (screens.cpp).
void title(App& app, std::string_view key);
void paragraph(const std::string& text);
bool big_button(std::string_view id, const std::string& label, float width, float height = 110.f);

// Service mode's screens (service_screens.cpp) and their footer.
void service_login(App& app);
void service_home(App& app);
void service_reprint(App& app);
void service_log(App& app);
void service_footer(App& app, float half_width);

// Draws the whole screen for this frame and applies the intents of what was touched.
void draw(App& app, std::chrono::sys_days today, const Idle& idle);

// The keyboard at the bottom of the screen; height it needs for the given width.
float keyboard_height(float width);
void draw_keyboard(App& app, float width);

}  // namespace kiosk::ui
