// kiosk: the fullscreen touch application. Start-up, the look, and the event loop.
#include "icons.h"
#include "keypad.h"
#include "repaint.h"
#include "rotation.h"
#include "speaker.h"
#include "ui.h"

#include "kiosk/journal.h"
#include "kiosk/monitor.h"
#include "kiosk/systemd.h"

#include <SDL.h>
#include <imgui.h>
#include <backends/imgui_impl_sdl.h>
#include <backends/imgui_impl_sdlrenderer.h>

#include <png.h>

#include <cfloat>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <future>
#include <memory>
#include <tuple>
#include <utility>

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
        if (a == "--config" && i + 1 < argc)
            o.config = argv[++i];
        else if (a == "--windowed")
            o.windowed = true;
        else if (a == "--size" && i + 1 < argc) {
            if (std::sscanf(argv[++i], "%dx%d", &o.width, &o.height) != 2 || o.width < 320 ||
                o.height < 320)
                return false;
        } else
            return false;
    }
    return true;
}

// Section: speech

// The voice and the device it plays on, or neither: then the kiosk runs silently and says why
// (once in the log; service mode, /metrics and /healthz from the health figures).
struct Speech {
    std::unique_ptr<Voice> voice;
    std::unique_ptr<Speaker> speaker;
    bool headset() const { return speaker && speaker->headset(); }
};

Speech open_speech(const Config& cfg, Health& health) {
    Speech s;
    if (!cfg.speech_enabled) {
        health.speech_turned_off();
        return s;
    }
    std::string why;
    s.voice = Voice::open({cfg.speech_data}, why);
    if (s.voice) {
        // Kept without a device too: a headset plugged in later is played on.
        s.speaker = std::make_unique<Speaker>(*s.voice);
        if (s.speaker->open(nullptr, why)) s.speaker->sleep();
    }
    const bool works = s.speaker && (s.speaker->is_open() || s.speaker->asleep());
    health.speech_state(works, works ? "" : why);
    if (!works) log(Priority::Warning, "speech", "speech unavailable: %s", why.c_str());
    return s;
}

// The output changed under the citizen: health says whether anything plays (`why` if not). A
// headset plugged in turns speech on, privately; gone (unplugged, or not there when the device
// woke), the loudspeaker takes over and the citizen's data is no longer said.
void output_changed(Speech& s, Session& session, Health& health, const std::string& why) {
    health.speech_state(why.empty(), why);
    if (!why.empty()) log(Priority::Warning, "speech", "audio output: %s", why.c_str());
    session.act({Act::Speech, s.headset() ? 1 : 2, s.headset() ? 1 : 0});
}

// The device is open only while this citizen has speech on or words are still playing.
void keep_device(Speech& s, Session& session, Health& health) {
    if (!s.speaker) return;
    const bool wanted = session.flow().speech.on;
    if (!wanted && s.speaker->is_open() && !s.voice->speaking()) s.speaker->sleep();
    if (!wanted || !s.speaker->asleep()) return;
    std::string why;
    bool headset_lost = false;
    if (!s.speaker->wake(why, headset_lost) || headset_lost)
        output_changed(s, session, health, why);
}

// An utterance at the citizen's volume and rate: steps of 10 % and a quarter of the rate from
// the configured ones.
void speak(Speech& s, const Config& cfg, const SpeechState& state, const Utterance& u) {
    if (!s.voice || !s.speaker) return;
    s.speaker->set_volume(std::clamp(cfg.speech_volume + 10 * state.volume, 10, 100) / 100.f);
    static constexpr float rates[] = {0.8f, 1.f, 1.25f, 1.5f};
    const int rate = static_cast<int>(cfg.speech_rate * rates[std::clamp(state.rate, -1, 2) + 1]);
    std::vector<SpokenPart> parts;
    for (const Phrase& p : u) parts.push_back({p.text, p.language});
    s.voice->say(std::move(parts), rate);
}

// A headset plugged in or unplugged (also while the device is asleep between citizens).
void on_audio_device(Speech& s, Session& session, Health& health, const SDL_AudioDeviceEvent& e) {
    if (!s.speaker) return;
    std::string why;
    if (s.speaker->on_device_event(e, why)) output_changed(s, session, health, why);
}

// Section: look

// ImGui wants the ranges as a zero-terminated array that outlives the font atlas.
const ImWchar* glyph_ranges() {
    static const std::vector<ImWchar> ranges = [] {
        std::vector<ImWchar> r;
        for (const auto& g : ui_glyph_ranges())
            r.insert(r.end(), {static_cast<ImWchar>(g.first), static_cast<ImWchar>(g.last)});
        r.push_back(0);
        return r;
    }();
    return ranges.data();
}

// The font files, read once: the atlas is rebuilt from memory when large text is switched.
struct FontFiles {
    std::vector<char> regular, bold, icons;
};

std::vector<char> read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (bytes.empty()) throw std::runtime_error("cannot read " + path.string());
    return bytes;
}

FontFiles read_fonts(const Config& cfg) {
    const auto dir = cfg.assets_dir / "fonts";
    return {read_file(dir / "KioskSans.ttf"), read_file(dir / "KioskSans-Bold.ttf"),
            read_file(dir / "KioskIcons.ttf")};
}

// Every size is its own font at its own pixel size (large text is a real 1.5x font, not a
// blurred scale), with the icons merged in beside the letters.
Fonts build_fonts(ImFontAtlas* atlas, const FontFiles& files, float scale) {
    atlas->Clear();
    static const ImWchar icon_ranges[] = {static_cast<ImWchar>(kIconFirst),
                                          static_cast<ImWchar>(kIconLast), 0};
    auto add = [&](const std::vector<char>& file, float px, float scale) {
        ImFontConfig cfg;
        cfg.FontDataOwnedByAtlas = false;  // the bytes stay in FontFiles
        cfg.OversampleH = 1;               // whole-pixel glyphs: crisp, and a third of the memory
        ImFont* font = atlas->AddFontFromMemoryTTF(const_cast<char*>(file.data()),
                                                   static_cast<int>(file.size()),
                                                   std::round(px * scale), &cfg, glyph_ranges());
        ImFontConfig merge = cfg;
        merge.MergeMode = true;
        merge.GlyphOffset =
            ImVec2(0, std::round(px * scale * 0.12f));  // icons sit with the letters
        atlas->AddFontFromMemoryTTF(const_cast<char*>(files.icons.data()),
                                    static_cast<int>(files.icons.size()), std::round(px * scale),
                                    &merge, icon_ranges);
        return font;
    };
    Fonts f;
    f.body = add(files.regular, 34.f, scale);
    f.small = add(files.regular, 28.f, scale);
    f.heading = add(files.bold, 36.f, scale);
    f.title = add(files.bold, 46.f, scale);
    f.huge = add(files.bold, 72.f, scale);
    f.key = scale == 1.f ? f.body : add(files.regular, 34.f, 1.f);
    f.key_small = scale == 1.f ? f.small : add(files.regular, 28.f, 1.f);
    f.scale = scale;
    if (!atlas->Build()) throw std::runtime_error("cannot build the font atlas");
    return f;
}

// The font texture: uploaded, then the CPU copies (tens of megabytes at these sizes) freed.
void upload_fonts() {
    ImGui_ImplSDLRenderer_DestroyFontsTexture();
    ImGui_ImplSDLRenderer_CreateFontsTexture();
    ImGui::GetIO().Fonts->ClearTexData();
}

// Large targets and no hover (touch); the view draws in the palette's colours. The whole style
// is reset each time, so nothing of a former look stays behind.
void apply_theme(const Palette& p) {
    ImGuiStyle& s = ImGui::GetStyle();
    s = ImGuiStyle();
    s.WindowPadding = ImVec2(0, 0);
    s.FramePadding = ImVec2(16, 14);
    s.ItemSpacing = ImVec2(8, 12);
    s.WindowBorderSize = s.ChildBorderSize = s.PopupBorderSize = s.FrameBorderSize = 0.f;
    s.ScrollbarSize = 24.f;
    s.ScrollbarRounding = 12.f;
    s.GrabMinSize = 40.f;
    s.TouchExtraPadding = ImVec2(4, 4);
    auto c = [](Rgb x) { return ImGui::ColorConvertU32ToFloat4(colour(x)); };
    s.Colors[ImGuiCol_Text] = c(p.text);
    // The page's colour is the background the repaint lays under every changed area: the
    // windows need not fill it again, pixel by pixel.
    s.Colors[ImGuiCol_WindowBg] = s.Colors[ImGuiCol_ChildBg] = ImVec4(0, 0, 0, 0);
    s.Colors[ImGuiCol_PopupBg] = c(p.surface);
    s.Colors[ImGuiCol_ScrollbarBg] = c(p.page);
    s.Colors[ImGuiCol_ScrollbarGrab] = s.Colors[ImGuiCol_ScrollbarGrabHovered] = c(p.muted);
    s.Colors[ImGuiCol_ScrollbarGrabActive] = c(p.text);
    s.Colors[ImGuiCol_Border] = c(p.field_edge);
    // Behind a question, the page is dimmed to nearly nothing: it does not show through.
    s.Colors[ImGuiCol_ModalWindowDimBg] = ImGui::ColorConvertU32ToFloat4(colour(p.text, 0.85f));
}

// The emblem as a texture, from a PNG (libpng's simplified API).
Emblem load_emblem(SDL_Renderer* renderer, const std::filesystem::path& file) {
    if (file.empty()) return {};
    png_image image{};
    image.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_file(&image, file.c_str()))
        throw ConfigError(file.string() + ": ui.emblem: not a PNG image (" + image.message + ")");
    image.format = PNG_FORMAT_RGBA;
    std::vector<unsigned char> pixels(PNG_IMAGE_SIZE(image));
    if (!png_image_finish_read(&image, nullptr, pixels.data(), 0, nullptr))
        throw ConfigError(file.string() + ": ui.emblem: " + image.message);
    SDL_Texture* t =
        SDL_CreateTexture(renderer, SDL_PIXELFORMAT_ABGR8888, SDL_TEXTUREACCESS_STATIC,
                          static_cast<int>(image.width), static_cast<int>(image.height));
    if (!t || SDL_UpdateTexture(t, nullptr, pixels.data(), static_cast<int>(image.width * 4)) != 0)
        throw std::runtime_error(std::string("emblem texture: ") + SDL_GetError());
    SDL_SetTextureBlendMode(t, SDL_BLENDMODE_BLEND);
    SDL_SetTextureScaleMode(t, SDL_ScaleModeLinear);
    return {t, static_cast<int>(image.width), static_cast<int>(image.height)};
}

// An operator's update: fetched and handed to the updater; none here (no RAUC), refused. One
// under way is never overwritten by the next download (RAUC may be reading its file).
std::function<ActionResult(const BundleOrder&, std::stop_token)> remote_update(
    const Config& cfg, std::optional<SystemUpdate>& update) {
    if (!update) return {};
    return [&cfg, &update](const BundleOrder& order, std::stop_token stop) {
        const std::string phase = update->state().phase;
        if (phase == "waiting" || phase == "installing" || phase == "installed")
            return ActionResult::failed("an update is already under way (" + phase + ")");
        return fetch_update(cfg, order, stop, [&update](const std::filesystem::path& p) {
            return update->install(p);
        });
    };
}

// The citizen's choices, applied before the frame is laid out: the palette at once, the
// atlas rebuilt for large text (one frame's work, at a touch).
void apply_access(App& app, const FontFiles& files, Repaint& repaint) {
    const Flow& f = app.session.flow();
    const Palette* wanted = f.screen == Screen::Attract && app.session.closed_for_hours() ? &kClosed
                            : f.high_contrast ? &kHighContrast
                                              : &kNormal;
    if (app.palette != wanted) {
        app.palette = wanted;
        apply_theme(*wanted);
        repaint.everything();  // the page's colour too, where nothing is drawn over it
    }
    const float scale = f.large_text ? 1.5f : 1.f;
    if (app.fonts.scale != scale) {
        app.fonts = build_fonts(ImGui::GetIO().Fonts, files, scale);
        upload_fonts();
        repaint.everything();
        app.shown_focus.clear();
        app.unsettled = true;
    }
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

// Section: a panel mounted turned ([ui] rotation)

// How the layout is turned on the window's pixels, read again for each frame and each batch of
// events (a window resized, a display's mode changed).
Rotation rotation_of(SDL_Window* window, int degrees) {
    int w = 0, h = 0;
    SDL_GetWindowSize(window, &w, &h);
    return {degrees, {w, h}};
}

// Where a finger is in the layout, from its place on the screen. Only mouse events carry it:
// SDL (and X's own pointer emulation) turn a touch into mouse events in window pixels, and the
// finger events' own positions are never read (they only count as "still here").
ImVec2 layout_pointer(const Rotation& turn, int x, int y) {
    const Pixel p = turn.to_layout(Pixel{x, y});
    return ImVec2(static_cast<float>(p.x), static_cast<float>(p.y));
}

// The frame, laid out for the turned size, turned onto the screen after ImGui::Render(): every
// vertex and every clip rectangle (a quarter turn keeps a rectangle a rectangle), and the frame's
// size. Turning the draw data rather than drawing into a texture and copying it turned
// (SDL_RenderCopyEx): it is the same arithmetic for every SDL_Renderer backend (software,
// opengles2, whatever SDL falls back to), needs no render target, and keeps the software
// renderer's partial repaint (Repaint hashes and redraws tiles of the screen as it is), where a
// texture would be copied whole on the CPU, tens of milliseconds, for every frame. SDL's software
// renderer blits only upright or mirrored rectangles (180 is both mirrors); a glyph turned by 90 or
// 270 it rasterises as two triangles, which turn the texture too. Screenshots read the screen,
// so they show the turned picture a citizen sees.
void turn_onto_screen(ImDrawData& frame, const Rotation& turn) {
    if (!turn.turned()) return;
    for (int n = 0; n < frame.CmdListsCount; ++n) {
        ImDrawList& list = *frame.CmdLists[n];
        for (ImDrawVert& v : list.VtxBuffer) {
            const Point s = turn.to_screen(Point{v.pos.x, v.pos.y});
            v.pos = ImVec2(s.x, s.y);
        }
        for (ImDrawCmd& cmd : list.CmdBuffer) {
            const Point a = turn.to_screen(Point{cmd.ClipRect.x, cmd.ClipRect.y});
            const Point b = turn.to_screen(Point{cmd.ClipRect.z, cmd.ClipRect.w});
            cmd.ClipRect = ImVec4(std::min(a.x, b.x), std::min(a.y, b.y), std::max(a.x, b.x),
                                  std::max(a.y, b.y));
        }
    }
    frame.DisplaySize =
        ImVec2(static_cast<float>(turn.screen.width), static_cast<float>(turn.screen.height));
}

// Section: frame times, for the journal and the benchmarks (no frame may stall on I/O)

const Clock::time_point kStarted = Clock::now();

// The UI thread's own CPU time (not the process's: the workers' would blur a frame's cost).
std::chrono::microseconds thread_cpu() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return std::chrono::seconds(ts.tv_sec) + std::chrono::duration_cast<std::chrono::microseconds>(
                                                 std::chrono::nanoseconds(ts.tv_nsec));
}

struct FrameTimes {
    Health& health;
    // KIOSK_FRAME_LOG names a file that gets a line per frame, "wall_us cpu_us", for the
    // benchmarks; off otherwise.
    std::FILE* log_file =
        std::getenv("KIOSK_FRAME_LOG") ? std::fopen(std::getenv("KIOSK_FRAME_LOG"), "w") : nullptr;
    bool first = true;
    int while_submitting = 0;
    Clock::duration longest_submitting{};

    ~FrameTimes() {
        if (log_file) std::fclose(log_file);
    }

    void drawn(Clock::duration took, std::chrono::microseconds cpu, bool submitting) {
        using ms = std::chrono::duration<double, std::milli>;
        health.frame_drawn(Clock::now(), took);
        if (log_file) {
            std::fprintf(log_file, "%lld %lld\n",
                         static_cast<long long>(
                             std::chrono::duration_cast<std::chrono::microseconds>(took).count()),
                         static_cast<long long>(cpu.count()));
            std::fflush(log_file);
        }
        if (first) {
            log(Priority::Info, "ready", "first frame shown %.0f ms after start",
                ms(Clock::now() - kStarted).count());
            notify_ready();  // systemd: the screen is up, not merely the process
            first = false;
        }
        if (submitting) {
            ++while_submitting;
            longest_submitting = std::max(longest_submitting, took);
        } else if (while_submitting > 0) {
            log(Priority::Info, "frames", "%d frames while submitting, longest %.1f ms",
                while_submitting, ms(longest_submitting).count());
            while_submitting = 0;
            longest_submitting = {};
        }
    }
};

// Section: the loop: sleep until an event, draw a few frames after it, sleep again

// Section: start-up that never crash-loops on the kiosk's own state

// A damaged counter file is moved aside and counting starts again from a full roll: a
// wrong paper estimate is better than a kiosk that never comes up. Staff restock to set it.
std::unique_ptr<printer::PaperCounter> open_paper_counter(const Config& cfg) {
    const auto file = cfg.state_dir / "paper";
    try {
        return std::make_unique<printer::PaperCounter>(file, cfg.talons_per_roll,
                                                       cfg.paper_warn_below);
    } catch (const printer::Error& e) {
        log(Priority::Error, "paper", "%s", e.what());
        const auto aside = file.string() + ".broken";
        const bool moved = std::rename(file.c_str(), aside.c_str()) == 0;
        if (!moved)
            log(Priority::Error, "paper", "cannot move %s aside: %s", file.c_str(),
                std::strerror(errno));
        return std::make_unique<printer::PaperCounter>(
            moved ? file.string() : file.string() + ".new", cfg.talons_per_roll,
            cfg.paper_warn_below);
    }
}

int run(const Options& opt) {
    const Config cfg = load_config(opt.config);
    const Translations tr = load_translations(cfg.assets_dir / "i18n");
    const Procedure procedure = load_procedure(procedure_file(cfg.assets_dir, cfg.region), tr);
    const FontFiles font_files = read_fonts(cfg);
    // The font atlas (glyphs rasterised at five sizes, then made RGBA) is built on the other
    // core while SDL opens the window: the first frame waits for whichever takes longer.
    ImFontAtlas atlas;
    std::future<Fonts> fonts_built = std::async(std::launch::async, [&atlas, &font_files] {
        Fonts f = build_fonts(&atlas, font_files, 1.f);
        unsigned char* pixels = nullptr;
        int w = 0, h = 0;
        atlas.GetTexDataAsRGBA32(&pixels, &w, &h);
        return f;
    });
    set_time_zone(cfg.time_zone);
    std::signal(SIGPIPE, SIG_IGN);  // a register that drops the connection is an error, not a death
    net::global_init();

    SDL_SetHint(SDL_HINT_VIDEO_X11_NET_WM_BYPASS_COMPOSITOR, "0");
    // The screen never blanks: a kiosk waits for hours between citizens, and a dark panel looks
    // switched off (burn-in is the attract screen's drift). SDL's default, made explicit so that
    // no SDL_VIDEO_ALLOW_SCREENSAVER in the environment turns it back on.
    SDL_SetHintWithPriority(SDL_HINT_VIDEO_ALLOW_SCREENSAVER, "0", SDL_HINT_OVERRIDE);
    if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_TIMER) != 0)
        throw std::runtime_error(std::string("SDL: ") + SDL_GetError());
    const Uint32 flags = SDL_WINDOW_ALLOW_HIGHDPI |
                         (cfg.fullscreen && !opt.windowed ? SDL_WINDOW_FULLSCREEN_DESKTOP : 0);
    SDL_Window* window = SDL_CreateWindow("Complaint kiosk", SDL_WINDOWPOS_CENTERED,
                                          SDL_WINDOWPOS_CENTERED, opt.width, opt.height, flags);
    if (!window) throw std::runtime_error(std::string("SDL window: ") + SDL_GetError());
    SDL_Renderer* renderer = create_renderer(window);
    SDL_ShowCursor(SDL_DISABLE);
    SDL_DisableScreenSaver();
    if (cfg.rotation != 0) {
        const Rotation turn = rotation_of(window, cfg.rotation);
        log(Priority::Info, "screen", "turned by %d degrees: laid out %dx%d on a %dx%d screen",
            cfg.rotation, turn.layout().width, turn.layout().height, turn.screen.width,
            turn.screen.height);
    }

    IMGUI_CHECKVERSION();
    ImGui::CreateContext(&atlas);
    ImGui::GetIO().IniFilename = nullptr;  // nothing about a session is written to disk
    apply_theme(kNormal);
    const WorkingDayCalendar calendar =
        WorkingDayCalendar::load(cfg.assets_dir / "calendar" / "kz-working-days.toml");
    const std::unique_ptr<printer::PaperCounter> paper_counter = open_paper_counter(cfg);
    printer::PaperCounter& paper = *paper_counter;
    Health health(cfg.kiosk_id, std::string(kiosk_version()), WallClock::now());
    // The shift's name staff last set, or the configuration's until they set one.
    DutySpecialist duty(cfg.state_dir / DutySpecialist::kFileName, cfg.duty_officer);
    health.duty_specialist(duty.name());
    health.office(cfg.office);
    // A full disk or a damaged outbox never stops the kiosk from coming up: the worker says
    // why, the screen says "out of service", /healthz says why, staff can replace it.
    DeliveryWorker delivery(
        outbox_file(cfg), cfg.kiosk_id, register_endpoint(cfg), retry_policy(cfg),
        personal_data_policy(cfg),
        [&health](const DeliveryReport& r) {
            health.delivery_pass(r.registered, r.refused);
            if (r.answered_at) health.register_answered(*r.answered_at);
            if (r.unreachable_at) health.register_failed(*r.unreachable_at, r.error);
        },
        [&health](const std::string& why) { health.outbox_problem(why); });
    // The talon's signing key, made at enrolment; none configured: talons carry no code.
    const std::optional<TalonSigner> signer =
        cfg.talon_key.empty() ? std::nullopt : std::optional(TalonSigner::load(cfg.talon_key));
    const Backoffice office{cfg,      tr,    calendar, procedure,
                            delivery, paper, duty,     signer ? &*signer : nullptr};
    // A/B system updates through RAUC, where the system has it (the kiosk image).
    std::optional<SystemUpdate> update;
    if (std::error_code ec; std::filesystem::is_regular_file(cfg.rauc_conf, ec))
        update.emplace(UpdateSettings{.rauc_conf = cfg.rauc_conf,
                                      .state_dir = cfg.state_dir,
                                      .usb_dir = cfg.update_usb_dir,
                                      .version_file = cfg.system_version_file});
    else
        log(Priority::Info, "update", "no %s: system updates unavailable here",
            cfg.rauc_conf.c_str());
    health.system(update ? update->state()
                         : SystemState{.version = system_version(cfg.system_version_file)});
    // Operators' commands: read before the first frame, so a kiosk they took out of service
    // comes up closed. What only the UI thread may do, it does when nobody is at the kiosk.
    CommandLedger ledger(cfg.state_dir);
    RemoteRequests remote;
    RemoteActions actions{.send_now =
                              [&office] {
                                  send_outbox_now(office);
                                  return ActionResult::ok();
                              },
                          .diagnostic_bundle =
                              [&cfg, &health](const std::string& id, std::stop_token stop) {
                                  return send_diagnostic_bundle(cfg, health, id, stop);
                              },
                          .update = remote_update(cfg, update)};
    remote.wire_into(actions);
    Monitor monitor(cfg, health, paper, &actions, &ledger);
    PinGate gate(cfg.state_dir / "service_lockout",
                 LockoutPolicy{cfg.pin_free_attempts, std::chrono::seconds(cfg.pin_lockout_first_s),
                               std::chrono::seconds(cfg.pin_lockout_max_s)});
    Session session({office, health, gate, [&monitor] { monitor.wake(); }, &remote, &ledger,
                     update ? &*update : nullptr});
    App app{session, cfg, Narrator(tr)};
    Keys keys;
    Speech speech = open_speech(cfg, health);
    bool speaking = false;  // this citizen turned speech on
    app.speak = [&](const Utterance& u) { speak(speech, cfg, session.flow().speech, u); };
    app.fonts = fonts_built.get();
    ImGui_ImplSDL2_InitForSDLRenderer(window);
    ImGui_ImplSDLRenderer_Init(renderer);
    app.emblem = load_emblem(renderer, cfg.emblem);
    Repaint repaint(renderer);
    log(Priority::Info, "ready", "ready");

    FrameTimes frames{health};
    // The watchdog is fed after a frame reached the screen, never from another thread: a UI
    // that cannot draw (a stuck display, a blocked loop) stops feeding it and systemd restarts
    // the kiosk. With nobody touching the screen a frame is still drawn this often: half the
    // watchdog's interval (as sd_watchdog_enabled asks), or often enough for /healthz to see
    // a screen that stopped drawing (HealthLimits::frozen_after).
    const auto watchdog = watchdog_interval();
    const Clock::duration keepalive =
        watchdog ? std::chrono::duration_cast<Clock::duration>(*watchdog / 2)
                 : std::chrono::duration_cast<Clock::duration>(std::chrono::seconds(30));
    // The attract screen drifts this often (burn-in, and a screen seen to change).
    constexpr auto kDrift = std::chrono::seconds(60);
    Clock::time_point last_frame = Clock::now();
    int frames_to_draw = 3;  // popups and layout settle over a couple of frames
    // Where the finger is, from the events themselves: ImGui 1.86's SDL backend reads the
    // pointer through SDL_GetMouseState, which stops following a held finger on some setups
    // (the signature pad saw one point per stroke).
    ImVec2 pointer(-FLT_MAX, -FLT_MAX);
    for (bool running = true; running;) {
        const auto now = Clock::now();
        const bool busy = session.busy();
        const Idle idle_before = session.idle(now);
        const int done_before = session.done_seconds_left(now);
        // Service screens show live figures and a lockout countdown: four frames a second.
        const int timeout =
            frames_to_draw > 0 ? 0
            : busy             ? (session.flow().in_service() ? 250 : 100)
            : idle_before.state == Idle::Warning || session.flow().screen == Screen::Done ? 250
                                                                                          : 1000;
        SDL_Event e;
        if (SDL_WaitEventTimeout(&e, timeout)) {
            const Rotation turn = rotation_of(window, cfg.rotation);
            do {
                ImGui_ImplSDL2_ProcessEvent(&e);
                if (e.type == SDL_QUIT) running = false;
                // A window shown, exposed or resized may have a new framebuffer: draw all of it.
                if (e.type == SDL_WINDOWEVENT) repaint.everything();
                if (e.type == SDL_MOUSEMOTION)
                    pointer = layout_pointer(turn, e.motion.x, e.motion.y);
                if (e.type == SDL_MOUSEBUTTONDOWN || e.type == SDL_MOUSEBUTTONUP)
                    pointer = layout_pointer(turn, e.button.x, e.button.y);
                if (e.type == SDL_MOUSEBUTTONUP) probe().tapped();
                if (e.type == SDL_KEYDOWN) {
                    keys.down(app, e.key);
                    probe().tapped();
                }
                if (e.type == SDL_TEXTINPUT) keys.text(app, e.text.text);
                if (e.type == SDL_AUDIODEVICEADDED || e.type == SDL_AUDIODEVICEREMOVED) {
                    on_audio_device(speech, session, health, e.adevice);
                    app.headset = speech.headset();  // as it is now for a key later in this batch
                }
                if (e.type == SDL_MOUSEBUTTONDOWN || e.type == SDL_FINGERDOWN ||
                    e.type == SDL_MOUSEMOTION)
                    session.act({Act::StillHere}, Clock::now());
                frames_to_draw = 3;
            } while (SDL_PollEvent(&e));
        }
        if (session.poll(Clock::now())) frames_to_draw = 3;
        if (session.restart_requested()) running = false;
        const auto since = Clock::now() - last_frame;
        if (since >= keepalive || (session.flow().screen == Screen::Attract && since >= kDrift))
            frames_to_draw = std::max(frames_to_draw, 1);
        const Idle idle = session.idle(Clock::now());
        // A countdown on the screen (inactivity, the done screen) is drawn when its second changes.
        const bool counting = session.flow().screen == Screen::Done &&
                              session.done_seconds_left(Clock::now()) != done_before;
        if (idle.state != idle_before.state || idle.seconds_left != idle_before.seconds_left ||
            busy || counting)
            frames_to_draw = std::max(frames_to_draw, 1);
        if (frames_to_draw == 0) continue;
        --frames_to_draw;
        const auto frame_start = Clock::now();
        const auto cpu_start = thread_cpu();

        apply_access(app, font_files, repaint);
        const Rotation turn = rotation_of(window, cfg.rotation);
        ImGui_ImplSDLRenderer_NewFrame();
        ImGui_ImplSDL2_NewFrame();
        if (turn.turned())  // laid out for the turned size
            ImGui::GetIO().DisplaySize = ImVec2(static_cast<float>(turn.layout().width),
                                                static_cast<float>(turn.layout().height));
        ImGui::GetIO().MousePos = pointer;
        ImGui::NewFrame();
        const auto before = std::tuple(session.flow().screen, session.flow().focus,
                                       session.flow().focus_official, session.flow().errors.size());
        ImGui::PushFont(app.fonts.body);
        const ScreenContent content = screen_content(session, Clock::now());
        keep_device(speech, session, health);
        app.headset = speech.headset();
        app.say(app.narrator.update(content, session.flow()));
        // The session ended (finished, wiped, cancelled): what was still being said stops with
        // it; the next citizen hears nothing of the last one.
        if (speech.voice && !session.flow().speech.on && std::exchange(speaking, false))
            speech.voice->silence();
        speaking = speaking || session.flow().speech.on;
        probe().ring = session.flow().speech.on ? app.narrator.focus() : "";
        draw(app, content, Clock::now());
        ImGui::PopFont();
        // A new screen, focus or scroll is laid out over the next frames: draw them now, not at
        // the next touch, so the page never moves under a finger.
        if (app.unsettled ||
            before != std::tuple(session.flow().screen, session.flow().focus,
                                 session.flow().focus_official, session.flow().errors.size()))
            frames_to_draw = std::max(frames_to_draw, 3);
        app.unsettled = false;
        probe().draw_ring();
        ImGui::Render();
        turn_onto_screen(*ImGui::GetDrawData(), turn);
        repaint.draw(*ImGui::GetDrawData(), app.palette->page);
        SDL_RenderPresent(renderer);
        probe().end_frame();  // after the frame is on screen: what a test reads is what it sees
        last_frame = Clock::now();
        frames.drawn(last_frame - frame_start, thread_cpu() - cpu_start,
                     session.flow().screen == Screen::Submitting);
        if (watchdog) notify_watchdog();
    }
    notify_stopping();
    if (session.restart_requested())
        log(Priority::Notice, "staff", "restarting at staff's request");
    // Everything is told to stop at once, then waited for: calls to the register and the
    // printer end within about a second, far inside systemd's stop timeout. What was in
    // flight stays in the outbox under its key; a talon cut short prints at the next start.
    delivery.stop();
    session.shutdown();
    session.end();
    if (app.emblem.texture) SDL_DestroyTexture(static_cast<SDL_Texture*>(app.emblem.texture));
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
    } catch (const kiosk::ProcedureError& e) {
        kiosk::log(kiosk::Priority::Error, "configuration", "appeal procedure: %s", e.what());
    } catch (const kiosk::CalendarError& e) {
        kiosk::log(kiosk::Priority::Error, "configuration", "working-day calendar: %s", e.what());
    } catch (const std::exception& e) {
        kiosk::log(kiosk::Priority::Error, "fatal", "%s", e.what());
    }
    return 1;
}
