// kiosk: the fullscreen touch application. Start-up, the event loop, and background work.
#include "ui.h"

#include "kiosk/catalog.h"
#include "kiosk/journal.h"
#include "kiosk/monitor.h"
#include "kiosk/systemd.h"
#include "kiosk/text.h"

#include <SDL.h>
#include <imgui.h>
#include <backends/imgui_impl_sdl.h>
#include <backends/imgui_impl_sdlrenderer.h>

#include <cfloat>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <thread>
#include <tuple>

namespace kiosk::ui {
namespace {

struct Options {
    std::string config = "/etc/complaint-kiosk/kiosk.toml";
    bool windowed = false;
    int width = 1080, height = 1920;
};

int usage() {
    std::fprintf(stderr, "usage: kiosk [--config FILE] [--windowed] [--size WIDTHxHEIGHT]\n");
    return 2;
}

bool parse_args(int argc, char** argv, Options& o) {
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--config" && i + 1 < argc) o.config = argv[++i];
        else if (a == "--windowed") o.windowed = true;
        else if (a == "--size" && i + 1 < argc) {
            if (std::sscanf(argv[++i], "%dx%d", &o.width, &o.height) != 2 || o.width < 320 || o.height < 320) return false;
        } else return false;
    }
    return true;
}

// Section: look

// ImGui wants the ranges as a zero-terminated array that outlives the font atlas.
const ImWchar* glyph_ranges() {
    static const std::vector<ImWchar> ranges = [] {
        std::vector<ImWchar> r;
        for (const auto& g : ui_glyph_ranges()) r.insert(r.end(), {static_cast<ImWchar>(g.first), static_cast<ImWchar>(g.last)});
        r.push_back(0);
        return r;
    }();
    return ranges.data();
}

Fonts load_fonts(const Config& cfg) {
    ImGuiIO& io = ImGui::GetIO();
    const std::string regular = (cfg.assets_dir / "fonts" / "KioskSans.ttf").string();
    const std::string bold = (cfg.assets_dir / "fonts" / "KioskSans-Bold.ttf").string();
    Fonts f;
    f.body = io.Fonts->AddFontFromFileTTF(regular.c_str(), 34.f, nullptr, glyph_ranges());
    f.title = io.Fonts->AddFontFromFileTTF(bold.c_str(), 48.f, nullptr, glyph_ranges());
    f.huge = io.Fonts->AddFontFromFileTTF(bold.c_str(), 72.f, nullptr, glyph_ranges());
    if (!f.body || !f.title || !f.huge) throw std::runtime_error("cannot load fonts from " + regular);
    return f;
}

// Large targets, dark text on light ground; high contrast is black on white, framed in black,
// with yellow for what is pressed or chosen.
void apply_theme(bool high_contrast) {
    ImGui::StyleColorsLight();
    ImGuiStyle& s = ImGui::GetStyle();
    s.WindowPadding = ImVec2(24, 20);
    s.FramePadding = ImVec2(16, 14);
    s.ItemSpacing = ImVec2(8, 12);
    s.FrameRounding = 10.f;
    s.ScrollbarSize = 36.f;
    s.GrabMinSize = 40.f;
    s.TouchExtraPadding = ImVec2(4, 4);
    s.Colors[ImGuiCol_WindowBg] = ImVec4(0.96f, 0.96f, 0.94f, 1.f);
    s.Colors[ImGuiCol_Text] = ImVec4(0.f, 0.f, 0.f, 1.f);
    s.Colors[ImGuiCol_Button] = ImVec4(0.80f, 0.87f, 0.95f, 1.f);
    s.Colors[ImGuiCol_ButtonHovered] = ImVec4(0.80f, 0.87f, 0.95f, 1.f);   // no hover on touch
    s.Colors[ImGuiCol_ButtonActive] = ImVec4(0.55f, 0.72f, 0.92f, 1.f);
    if (!high_contrast) return;
    s.Colors[ImGuiCol_WindowBg] = s.Colors[ImGuiCol_ChildBg] = ImVec4(1.f, 1.f, 1.f, 1.f);
    s.Colors[ImGuiCol_Button] = s.Colors[ImGuiCol_ButtonHovered] = ImVec4(1.f, 1.f, 1.f, 1.f);
    s.Colors[ImGuiCol_ButtonActive] = ImVec4(1.f, 0.85f, 0.f, 1.f);
    s.Colors[ImGuiCol_Text] = ImVec4(0.f, 0.f, 0.f, 1.f);
    s.Colors[ImGuiCol_Border] = ImVec4(0.f, 0.f, 0.f, 1.f);
    s.FrameBorderSize = 3.f;
}

// The citizen's accessibility choices, applied before the frame is laid out.
void apply_access(const Flow& f, bool& contrast_applied) {
    ImGui::GetIO().FontGlobalScale = f.large_text ? 1.3f : 1.f;
    if (f.high_contrast == contrast_applied) return;
    apply_theme(f.high_contrast);
    contrast_applied = f.high_contrast;
}

// Section: background work

template <class T>
bool ready(const std::future<T>& f) {
    return f.valid() && f.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
}

void start_services_fetch(App& app) {
    const net::RegisterEndpoint ep = register_endpoint(app.config);
    app.services_pending = std::async(std::launch::async, [ep] { return net::fetch_services(ep); });
}

// Service mode: the PIN check, staff actions and the spool listing, each off this thread.
bool poll_service(App& app) {
    ServiceState& s = app.flow.service;
    bool changed = false;
    if (s.pin_check_requested) {
        s.pin_check_requested = false;
        app.pin_pending = std::async(std::launch::async, [&gate = app.pin_gate, pin = s.pin, &hash = app.config.pin_hash]() mutable {
            auto verdict = gate.attempt(pin, hash, WallClock::now());
            wipe(pin);
            return verdict;
        });
        wipe(s.pin);
    }
    if (ready(app.pin_pending)) {
        const PinGate::Attempt a = app.pin_pending.get();
        const bool accepted = a.verdict == PinGate::Attempt::Accepted;
        app.office.health.staff(accepted ? StaffAction::Login : StaffAction::LoginFailed, WallClock::now());
        app.flow.pin_checked(accepted, static_cast<int>(a.wait.count()));
        changed = true;
    }
    // One action at a time: replacing a future of std::async would wait for its task here.
    if (s.requested && !app.staff_pending.valid()) {
        const StaffAction a = *s.requested;
        s.requested.reset();
        if (a == StaffAction::Restart) app.restart_requested = true;
        app.staff_pending = std::async(std::launch::async, [&office = app.office, a, talon = s.talon] { return perform(office, a, talon); });
        changed = true;
    }
    if (ready(app.staff_pending)) {
        const StaffOutcome o = app.staff_pending.get();
        app.flow.staff_done(o.key, o.detail);
        app.monitor.wake();
        changed = true;
    }
    // The spool is listed once per visit to the reprint screen.
    const bool reprinting = app.flow.screen == Screen::ServiceReprint;
    if (reprinting && !app.talons_listed) {
        app.talons_listed = true;
        app.talons_pending = std::async(std::launch::async, printer::recent_talons, app.config.spool_dir, std::size_t{12});
    }
    if (ready(app.talons_pending)) {
        app.talons = app.talons_pending.get();
        changed = true;
    }
    if (!reprinting) app.talons_listed = false;
    return changed;
}

// Returns true when something changed that needs drawing.
bool poll_background(App& app) {
    bool changed = false;
    if (ready(app.services_pending)) {
        net::ServicesResult fetched = app.services_pending.get();
        if (fetched.ok) {
            app.services = std::move(fetched);
            app.services_stale = false;
            app.services_cache_saved = std::async(std::launch::async, save_catalog, std::cref(app.config), app.services->services);
        } else {
            log(Priority::Warning, "catalog", "service catalog: %s", fetched.error.c_str());
            app.services_retry_at = Clock::now() + std::chrono::seconds(10);
            if (!app.services) app.services = std::move(fetched);   // a cached catalog stays
        }
        changed = true;
    }
    if (app.flow.screen == Screen::Service && (!app.services || !app.services->ok || app.services_stale) &&
        !app.services_pending.valid() && Clock::now() >= app.services_retry_at) {
        app.services_stale = false;
        start_services_fetch(app);
    }
    // A second "check" while one is under way waits for it (a new std::async future would block).
    if (app.flow.status_requested && !app.status_pending.valid()) {
        app.flow.status_requested = false;
        app.status_lines.clear();
        app.status_pending = std::async(std::launch::async, [&cfg = app.config, number = app.flow.status_query] {
            return look_up_status(cfg, number);
        });
        changed = true;
    }
    if (ready(app.status_pending)) {
        app.status_lines = app.status_pending.get();
        changed = true;
    }
    if (app.flow.assistance_requested) {
        app.flow.assistance_requested = false;
        // One line appended to a file: not worth a frame, so not on this thread.
        std::thread(record_assistance_request, std::cref(app.office), WallClock::now()).detach();
    }
    if (app.flow.submit_requested) {
        app.flow.submit_requested = false;
        if (app.flow.idempotency_key.empty()) app.flow.idempotency_key = new_idempotency_key();
        app.submission = submit_in_background(app.flow.complaint, app.office, app.flow.language, app.flow.idempotency_key);
        changed = true;
    }
    if (ready(app.submission)) {
        const SubmissionResult r = app.submission.get();
        const OutboxItem& item = r.item;
        if (r.accepted)
            log(Priority::Info, "submission", "submission: accepted as %s, %s", item.local_number.c_str(),
                std::string(delivery_name(item.state)).c_str());
        else log(Priority::Error, "submission", "submission: not accepted: %s", r.error.c_str());
        if (r.accepted && !r.error.empty()) log(Priority::Error, "submission", "submission: %s", r.error.c_str());
        if (!r.talon.empty()) log(Priority::Info, "talon", "talon spooled as %s", r.talon.filename().c_str());
        app.print_problem = r.print.problem;
        app.monitor.wake();
        // Accepted means in the outbox: the citizen leaves with a number either way.
        if (!r.accepted) app.flow.submit_failed("failed.not_saved");
        else if (item.state == Delivery::Registered) app.flow.submitted(item.registration_number, false);
        else app.flow.submitted(item.local_number, true);
        changed = true;
    }
    return poll_service(app) || changed;
}

// Section: drawing

// SDL's software renderer first: the UI redraws only after a touch, so the GPU buys nothing,
// while loading OpenGL (Mesa) costs tens of megabytes per kiosk. SDL_RENDER_DRIVER in the
// environment still chooses another. On the bare display (KMS/DRM) there is no framebuffer to
// draw into without GL: OpenGL ES 2 next (desktop GL there only clears the screen), then
// whatever SDL has.
SDL_Renderer* create_renderer(SDL_Window* window) {
    SDL_SetHintWithPriority(SDL_HINT_RENDER_DRIVER, "software", SDL_HINT_DEFAULT);
    // ... drawn into the window's own framebuffer (XShm on X11), not through a GL texture.
    SDL_SetHintWithPriority(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0", SDL_HINT_DEFAULT);
    if (SDL_Renderer* r = SDL_CreateRenderer(window, -1, 0)) return r;
    for (const char* driver : {"opengles2", ""}) {
        SDL_SetHintWithPriority(SDL_HINT_RENDER_DRIVER, driver, SDL_HINT_OVERRIDE);
        if (SDL_Renderer* r = SDL_CreateRenderer(window, -1, 0)) return r;
    }
    throw std::runtime_error(std::string("SDL renderer: ") + SDL_GetError());
}

// Section: frame times, for the journal and the benchmarks (no frame may stall on I/O)

const Clock::time_point kStarted = Clock::now();

struct FrameTimes {
    Health& health;
    bool first = true;
    int while_submitting = 0;
    Clock::duration longest_submitting{};

    void drawn(Clock::duration took, bool submitting) {
        using ms = std::chrono::duration<double, std::milli>;
        health.frame_drawn(Clock::now(), took);
        if (first) {
            log(Priority::Info, "ready", "first frame shown %.0f ms after start", ms(Clock::now() - kStarted).count());
            notify_ready();   // systemd: the screen is up, not merely the process
            first = false;
        }
        if (submitting) {
            ++while_submitting;
            longest_submitting = std::max(longest_submitting, took);
        } else if (while_submitting > 0) {
            log(Priority::Info, "frames", "%d frames while submitting, longest %.1f ms", while_submitting,
                ms(longest_submitting).count());
            while_submitting = 0;
            longest_submitting = {};
        }
    }
};

// Section: the loop: sleep until an event, draw a few frames after it, sleep again

int run(const Options& opt) {
    const Config cfg = load_config(opt.config);
    const Translations tr = load_translations(cfg.assets_dir / "i18n");
    set_time_zone(cfg.time_zone);
    std::signal(SIGPIPE, SIG_IGN);   // a register that drops the connection is an error, not a death
    net::global_init();

    SDL_SetHint(SDL_HINT_VIDEO_X11_NET_WM_BYPASS_COMPOSITOR, "0");
    if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_TIMER) != 0) throw std::runtime_error(std::string("SDL: ") + SDL_GetError());
    const Uint32 flags = SDL_WINDOW_ALLOW_HIGHDPI | (cfg.fullscreen && !opt.windowed ? SDL_WINDOW_FULLSCREEN_DESKTOP : 0);
    SDL_Window* window = SDL_CreateWindow("Complaint kiosk", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED,
                                          opt.width, opt.height, flags);
    if (!window) throw std::runtime_error(std::string("SDL window: ") + SDL_GetError());
    SDL_Renderer* renderer = create_renderer(window);
    SDL_ShowCursor(SDL_DISABLE);

    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGui::GetIO().IniFilename = nullptr;   // nothing about a session is written to disk
    apply_theme(false);
    bool contrast_applied = false;
    const WorkingDayCalendar calendar = WorkingDayCalendar::load(cfg.assets_dir / "calendar" / "kz-working-days.toml");
    std::filesystem::create_directories(cfg.state_dir);
    printer::PaperCounter paper(cfg.state_dir / "paper", cfg.talons_per_roll, cfg.paper_warn_below);
    Health health(cfg.kiosk_id, std::string(kiosk_version()), WallClock::now());
    DeliveryWorker delivery(outbox_file(cfg), cfg.kiosk_id, register_endpoint(cfg), retry_policy(cfg),
                            std::chrono::hours(cfg.retention_hours), [&health](const DeliveryReport& r) {
                                health.delivery_pass(r.registered, r.refused);
                                if (r.answered_at) health.register_answered(*r.answered_at);
                                if (r.unreachable_at) health.register_failed(*r.unreachable_at, r.error);
                            });
    const Backoffice office{cfg, tr, calendar, delivery, paper, health};
    Monitor monitor(cfg, health, paper);
    PinGate gate(cfg.state_dir / "service_lockout",
                 LockoutPolicy{cfg.pin_free_attempts, std::chrono::seconds(cfg.pin_lockout_first_s),
                               std::chrono::seconds(cfg.pin_lockout_max_s)});
    App app{office, cfg, tr, gate, monitor};
    app.fonts = load_fonts(cfg);
    ImGui_ImplSDL2_InitForSDLRenderer(window);
    ImGui_ImplSDLRenderer_Init(renderer);
    // The cached catalog shows at once; the register's fresh one replaces it when it comes.
    if (auto cached = load_catalog(cfg)) {
        app.services = net::ServicesResult{true, std::move(*cached), ""};
        app.services_stale = true;
    }
    start_services_fetch(app);
    log(Priority::Info, "ready", "ready");

    FrameTimes frames{health};
    // The watchdog is fed after a frame reached the screen, never from another thread: a UI
    // that cannot draw (a stuck display, a blocked loop) stops feeding it and systemd restarts
    // the kiosk. With nobody touching the screen a frame is still drawn this often: half the
    // watchdog's interval (as sd_watchdog_enabled asks), or often enough for /healthz to see
    // a screen that stopped drawing (HealthLimits::frozen_after).
    const auto watchdog = watchdog_interval();
    const Clock::duration keepalive = watchdog ? std::chrono::duration_cast<Clock::duration>(*watchdog / 2)
                                               : std::chrono::duration_cast<Clock::duration>(std::chrono::seconds(30));
    Clock::time_point last_frame = Clock::now();
    int frames_to_draw = 3;   // popups and layout settle over a couple of frames
    // Where the finger is, from the events themselves: ImGui 1.86's SDL backend reads the
    // pointer through SDL_GetMouseState, which stops following a held finger on some setups
    // (the signature pad saw one point per stroke).
    ImVec2 pointer(-FLT_MAX, -FLT_MAX);
    const auto warn_after = std::chrono::seconds(cfg.inactivity_warning_s);
    const auto reset_after = std::chrono::seconds(cfg.inactivity_reset_s);
    const auto service_after = std::chrono::seconds(cfg.service_inactivity_s);
    for (bool running = true; running;) {
        // Service screens show live figures and a lockout countdown: four frames a second.
        const bool busy = app.submission.valid() || app.services_pending.valid() || app.status_pending.valid() ||
                          app.flow.screen == Screen::Submitting || app.flow.in_service();
        const auto now = Clock::now();
        const Idle idle_now = app.flow.idle(now, warn_after, reset_after);
        const int timeout = frames_to_draw > 0 ? 0 : busy ? (app.flow.in_service() ? 250 : 100) : idle_now.state == Idle::Warning ? 250 : 1000;
        SDL_Event e;
        if (SDL_WaitEventTimeout(&e, timeout)) {
            do {
                ImGui_ImplSDL2_ProcessEvent(&e);
                if (e.type == SDL_QUIT) running = false;
                if (e.type == SDL_MOUSEMOTION) pointer = ImVec2(static_cast<float>(e.motion.x), static_cast<float>(e.motion.y));
                if (e.type == SDL_MOUSEBUTTONDOWN || e.type == SDL_MOUSEBUTTONUP)
                    pointer = ImVec2(static_cast<float>(e.button.x), static_cast<float>(e.button.y));
                if (e.type == SDL_MOUSEBUTTONDOWN || e.type == SDL_FINGERDOWN || e.type == SDL_MOUSEMOTION)
                    app.flow.touched(Clock::now());
                frames_to_draw = 3;
            } while (SDL_PollEvent(&e));
        }
        if (poll_background(app)) frames_to_draw = 3;
        const Idle idle = app.flow.in_service() ? app.flow.idle(Clock::now(), service_after, std::chrono::seconds(10))
                                                : app.flow.idle(Clock::now(), warn_after, reset_after);
        if (idle.state == Idle::Expired) {
            const bool staff = app.flow.in_service();
            app.flow.expire();
            if (!staff) health.inactivity_wipe();
            log(Priority::Info, "inactivity", staff ? "inactivity: service mode closed" : "inactivity: form wiped");
            frames_to_draw = 3;
        }
        if (app.restart_requested && !app.staff_pending.valid()) running = false;
        if (Clock::now() - last_frame >= keepalive) frames_to_draw = std::max(frames_to_draw, 1);
        if (idle.state != idle_now.state || idle.seconds_left != idle_now.seconds_left || busy) frames_to_draw = std::max(frames_to_draw, 1);
        if (frames_to_draw == 0) continue;
        --frames_to_draw;
        const auto frame_start = Clock::now();

        apply_access(app.flow, contrast_applied);
        ImGui_ImplSDLRenderer_NewFrame();
        ImGui_ImplSDL2_NewFrame();
        ImGui::GetIO().MousePos = pointer;
        ImGui::NewFrame();
        const auto before = std::tuple(app.flow.screen, app.flow.focus, app.flow.focus_official);
        ImGui::PushFont(app.fonts.body);
        draw(app, local_today(), idle);
        ImGui::PopFont();
        // A new screen, focus or scroll is laid out over the next frames: draw them now, not at
        // the next touch, so the page never moves under a finger.
        if (app.unsettled || before != std::tuple(app.flow.screen, app.flow.focus, app.flow.focus_official))
            frames_to_draw = std::max(frames_to_draw, 3);
        app.unsettled = false;
        ImGui::Render();
        probe().end_frame();
        SDL_SetRenderDrawColor(renderer, 245, 245, 240, 255);
        SDL_RenderClear(renderer);
        ImGui_ImplSDLRenderer_RenderDrawData(ImGui::GetDrawData());
        SDL_RenderPresent(renderer);
        // The font atlas lives in the renderer's texture from the first frame on; the CPU copies
        // (tens of megabytes at these sizes) are not needed again.
        if (frames.first) ImGui::GetIO().Fonts->ClearTexData();
        last_frame = Clock::now();
        frames.drawn(last_frame - frame_start, app.flow.screen == Screen::Submitting);
        if (watchdog) notify_watchdog();
    }
    notify_stopping();
    if (app.restart_requested) log(Priority::Notice, "staff", "restarting at staff's request");
    if (app.submission.valid()) app.submission.wait();   // a complaint in flight is not dropped
    app.flow.expire();
    ImGui_ImplSDLRenderer_Shutdown();
    ImGui_ImplSDL2_Shutdown();
    ImGui::DestroyContext();
    SDL_DestroyRenderer(renderer);
    SDL_DestroyWindow(window);
    SDL_Quit();
    return 0;
}

}  // namespace
}  // namespace kiosk::ui

int main(int argc, char** argv) {
    kiosk::ui::Options opt;
    if (!kiosk::ui::parse_args(argc, argv, opt)) return kiosk::ui::usage();
    try {
        return kiosk::ui::run(opt);
    } catch (const kiosk::ConfigError& e) {
        kiosk::log(kiosk::Priority::Error, "configuration", "configuration: %s", e.what());
    } catch (const kiosk::CalendarError& e) {
        kiosk::log(kiosk::Priority::Error, "configuration", "working-day calendar: %s", e.what());
    } catch (const std::exception& e) {
        kiosk::log(kiosk::Priority::Error, "fatal", "%s", e.what());
    }
    return 1;
}
