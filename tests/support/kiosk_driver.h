#pragma once
// Drives the real kiosk like a citizen: its own X server (Xvfb), taps and strokes with
// xdotool, touch targets found through the kiosk's probe file (KIOSK_UI_PROBE), screenshots
// and the kiosk's log kept in build/artifacts/ui. Needs KIOSK_BIN, KIOSK_ASSETS_DIR and
// KIOSK_BINARY_DIR defined by the build.
#include "dev_register.h"

#include <gtest/gtest.h>
#include "http_get.h"
#include "process.h"
// The kiosk's own screen-to-layout mapping (plain arithmetic): taps on a turned screen.
#include "../../kiosk/ui/rotation.h"

#include <common/utf8.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <csignal>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace testsupport {

using namespace std::chrono_literals;

inline const std::filesystem::path kArtifacts =
    std::filesystem::path(KIOSK_BINARY_DIR) / "artifacts" / "ui";

inline std::string tool(const char* name) {
    for (const char* dir : {"/usr/bin/", "/bin/", "/usr/local/bin/"})
        if (std::filesystem::exists(std::string(dir) + name)) return std::string(dir) + name;
    throw std::runtime_error(std::string(name) + " not installed");
}

// An X server of our own; -displayfd 1 makes it print the display number it chose.
struct Xvfb {
    std::string dir = make_temp_dir("kiosk-xvfb");
    pid_t pid = -1;
    std::string display;

    // Two servers starting at once may pick the same free number and one loses: try again.
    Xvfb(int width, int height) {
        for (int attempt = 0; attempt < 3; ++attempt) {
            std::filesystem::remove(dir + "/xvfb.log");
            pid = spawn({tool("Xvfb"), "-displayfd", "1", "-screen", "0",
                         std::to_string(width) + "x" + std::to_string(height) + "x24", "-nolisten",
                         "tcp", "-br"},
                        dir + "/xvfb.log");
            for (auto deadline = std::chrono::steady_clock::now() + 10s;
                 std::chrono::steady_clock::now() < deadline;) {
                // The display number is a line of its own; Xvfb may first say why it skipped
                // another (one in use by a program running beside).
                std::ifstream in(dir + "/xvfb.log");
                for (std::string line; std::getline(in, line);)
                    if (!line.empty() &&
                        line.find_first_not_of("0123456789") == std::string::npos) {
                        display = ":" + line;
                        return;
                    }
                if (wait_for_exit(pid, 0s)) break;
                std::this_thread::sleep_for(20ms);
            }
            stop(pid, 1s);
        }
        throw std::runtime_error("Xvfb did not start:\n" + read_text(dir + "/xvfb.log"));
    }
    ~Xvfb() {
        stop(pid, 5s);
        std::filesystem::remove_all(dir);
    }
};

// What a test changes in the kiosk it starts.
// "Suite.Name" of the running test: the kiosk's log and screenshots are named after it.
inline std::string suite_and_test() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    return std::string(info->test_suite_name()) + "." + info->name();
}

struct KioskSetup {
    int width = 1080, height = 1920;  // the window on the screen
    // [ui] rotation: the layout is then turned on the window, and taps at the probe's places
    // (the layout's) are turned onto the screen by the kiosk's own mapping.
    int rotation = 0;
    std::string ui_settings;          // extra lines for [ui], e.g. shorter inactivity timings
    std::string printer_target;       // "" = talons to the spool folder
    std::string monitoring_settings;  // extra lines for [monitoring]
    std::string sections;             // whole sections at the end, e.g. [office_hours]
    std::vector<std::string> env;     // extra environment, e.g. NOTIFY_SOCKET
    std::string state_dir = "state";  // relative to the kiosk's folder, or absolute
    // Runs before the kiosk starts, with the state folder's path: a test's outbox, a full disk.
    std::function<void(const std::filesystem::path&)> prepare_state;
};

// The kiosk on that display, configured against a development register. Its management
// server listens on a port the system picks (tests run side by side).
struct Kiosk {
    const Xvfb& x;
    std::string dir = make_temp_dir("kiosk-ui");
    pid_t pid = -1;
    int width, height;  // the layout's (turned, when the screen is)
    kiosk::ui::Rotation turn;

    std::string name;  // the kiosk's log is kept as artifacts/ui/<name>.log

    Kiosk(const Xvfb& xvfb, const DevRegister& reg, std::string log_name,
          const KioskSetup& setup = {})
        : x(xvfb), turn{setup.rotation, {setup.width, setup.height}}, name(std::move(log_name)) {
        width = turn.layout().width, height = turn.layout().height;
        std::ofstream(dir + "/kiosk.toml")
            << "[kiosk]\nid = \"KSK-UI-TEST\"\noffice = \"Ақмола облысы әкімдігі\"\n"
            << "office_address = \"Көкшетау қ., Абай к-сі, 83\"\nduty_officer = \"Кенжебаева Г. "
               "С.\"\n"
            << "state_dir = \"" << setup.state_dir << "\"\n[register]\nurl = \"" << reg.url()
            << "\"\nca_file = \"" << reg.ca_file() << "\"\nclient_cert = \"" << reg.client_cert()
            << "\"\nclient_key = \"" << reg.client_key() << "\"\napi_key = \"" << reg.api_key()
            << "\"\n[printer]\nspool_dir = \"spool\"\ntarget = \"" << setup.printer_target
            << "\"\nprint_timeout_s = 10\n"
            << "[ui]\nfullscreen = false\nassets_dir = \"" << KIOSK_ASSETS_DIR << "\"\n"
            << (setup.rotation ? "rotation = " + std::to_string(setup.rotation) + "\n" : "")
            << setup.ui_settings << "[service]\npin_hash = \"" << kPinHash
            << "\"\npin_lockout_first_s = 5\n"
            << "[monitoring]\nlisten = \"127.0.0.1:0\"\n"
            << setup.monitoring_settings << setup.sections;
        if (setup.prepare_state) {
            const std::filesystem::path state = std::filesystem::path(dir) / setup.state_dir;
            std::filesystem::create_directories(state);
            setup.prepare_state(state);
        }
        std::vector<std::string> env = {"DISPLAY=" + x.display, "SDL_VIDEODRIVER=x11",
                                        "KIOSK_UI_PROBE=" + dir + "/probe.txt"};
        env.insert(env.end(), setup.env.begin(), setup.env.end());
        // A sound card that takes the samples and plays nothing, unless the test chooses (the
        // speech tests write them to a file, or take the audio away).
        if (std::none_of(env.begin(), env.end(),
                         [](const std::string& e) { return e.starts_with("SDL_AUDIODRIVER="); }))
            env.push_back("SDL_AUDIODRIVER=dummy");
        pid = spawn({KIOSK_BIN, "--config", dir + "/kiosk.toml", "--windowed", "--size",
                     std::to_string(setup.width) + "x" + std::to_string(setup.height)},
                    log_path(), env);
        // Ready when a frame is on the screen: the probe is written after each one.
        for (auto deadline = std::chrono::steady_clock::now() + 20s;
             std::chrono::steady_clock::now() < deadline;) {
            if (log().find("kiosk: first frame shown") != std::string::npos && frame().frames > 0)
                return;
            if (wait_for_exit(pid, 0s)) break;
            std::this_thread::sleep_for(50ms);
        }
        throw std::runtime_error("kiosk did not become ready:\n" + log());
    }

    // The staff PIN of every test kiosk is 2468.
    static constexpr const char* kPinHash =
        "$y$j9T$vNfIKPWKSutpdVRi9FgvW1$IWxERkQzAs.K.IQ/GnmzO64Z3.DaZO9v4mX4xMXlGn1";

    // The port the kiosk's management server took, from its log (its own thread says it).
    int management_port() const {
        const std::string marker = "serving /metrics and /healthz on port ";
        for (auto deadline = std::chrono::steady_clock::now() + 5s;;
             std::this_thread::sleep_for(50ms)) {
            const std::string text = log();
            if (const auto at = text.find(marker); at != std::string::npos)
                return std::stoi(text.substr(at + marker.size()));
            if (std::chrono::steady_clock::now() >= deadline)
                throw std::runtime_error("no management port in the log:\n" + text);
        }
    }

    // Staff's way in: five taps in the corner, then the development PIN.
    void service_mode(const std::string& pin = "2468") {
        for (int i = 0; i < 5; ++i) press("corner:service");
        for (char d : pin) press(std::string("pin:") + d);
        press("pin:ok");
    }

    // GET /metrics or /healthz from the running kiosk.
    HttpAnswer management(const std::string& path) const {
        return http_request("http://127.0.0.1:" + std::to_string(management_port()) + path);
    }

    // SIGTERM, as systemd stops it: how long it took to exit, if it did within `within`.
    std::optional<std::chrono::milliseconds> terminate(std::chrono::seconds within) {
        const auto asked = std::chrono::steady_clock::now();
        kill(pid, SIGTERM);
        const auto status = wait_for_exit(pid, within);
        if (!status) return std::nullopt;
        pid = -1;  // reaped: nothing left to stop
        exit_status = *status;
        return std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::steady_clock::now() - asked);
    }
    int exit_status = -1;  // the wait status once terminate() saw it exit

    ~Kiosk() {
        stop(pid, 10s);
        // The kiosk's own log stays beside the screenshots for whoever reads a failure.
        std::filesystem::create_directories(kArtifacts);
        std::filesystem::copy_file(log_path(), kArtifacts / (name + ".log"),
                                   std::filesystem::copy_options::overwrite_existing);
        std::filesystem::remove_all(dir);
    }
    std::string log_path() const { return dir + "/kiosk.log"; }
    std::string log() const { return read_text(log_path()); }

    void xdotool(const std::vector<std::string>& args) {
        std::vector<std::string> argv = {tool("xdotool")};
        argv.insert(argv.end(), args.begin(), args.end());
        if (run(argv, dir + "/xdotool.log", 10s, {"DISPLAY=" + x.display}) != 0)
            throw std::runtime_error("xdotool failed: " + read_text(dir + "/xdotool.log"));
    }

    // Whether the kiosk has exited (a zombie until the test reaps it: its status stays to read).
    bool ended() const {
        const std::string stat = read_text("/proc/" + std::to_string(pid) + "/stat");
        const auto close = stat.rfind(')');
        return stat.empty() ||
               (close != std::string::npos && close + 2 < stat.size() && stat[close + 2] == 'Z');
    }

    // The probe's header: frames drawn, taps seen, and the frame that took the last tap
    // ("frame N taps M at K").
    struct Header {
        unsigned long frames = 0, taps = 0, tap_frame = 0;
    };
    Header frame() const {
        std::istringstream in(read_text(dir + "/probe.txt"));
        std::string word;
        Header h;
        in >> word >> h.frames >> word >> h.taps >> word >> h.tap_frame;
        return h;
    }

    // Until the kiosk has taken the taps so far and drawn the frames after them (it draws three
    // after every event): what a test reads of the screen next is what the tap made of it.
    void settle(unsigned long taps) const {
        for (auto deadline = std::chrono::steady_clock::now() + 10s;;
             std::this_thread::sleep_for(10ms)) {
            const Header h = frame();
            if (h.taps >= taps && h.frames >= h.tap_frame + 2) return;
            if (ended()) return;  // the tap ended the kiosk (staff's restart): nothing more to draw
            if (std::chrono::steady_clock::now() >= deadline)
                throw std::runtime_error("the kiosk did not take a tap");
        }
    }

    // The pointer moved to a place of the layout: where the screen shows it (turned with the
    // kiosk's own mapping when the screen is), then what follows.
    std::vector<std::string> move_to(int px, int py, std::vector<std::string> then = {}) const {
        const kiosk::ui::Pixel at = turn.to_screen(kiosk::ui::Pixel{px, py});
        std::vector<std::string> args = {"mousemove", std::to_string(at.x), std::to_string(at.y)};
        args.insert(args.end(), then.begin(), then.end());
        return args;
    }

    void tap(int px, int py) {
        const unsigned long taps = frame().taps;
        xdotool(move_to(px, py, {"click", "1"}));
        settle(taps + 1);
    }

    // Section: the keypad

    // A key of a keypad or a keyboard by its X name ("KP_8", "KP_Enter", "BackSpace"), taken
    // and drawn before this returns.
    void key(const std::string& name) {
        const unsigned long taps = frame().taps;
        xdotool({"key", name});
        settle(taps + 1);
    }

    // The item the keypad is on, as the probe names it ("" while speech is off).
    std::string keypad() const {
        std::istringstream in(read_text(dir + "/probe.txt"));
        std::string line;
        std::getline(in, line);
        std::getline(in, line);
        return line.rfind("keypad ", 0) == 0 ? line.substr(7) : "";
    }

    // Section: finding touch targets through the kiosk's probe file

    struct Rect {
        int x = 0, y = 0, w = 0, h = 0;
        bool operator==(const Rect&) const = default;
    };

    // The attract screen offers no way in (out of service, closed): the corner for staff, no
    // language buttons.
    bool no_way_in() const {
        const auto t = targets();
        return t.count("corner:service") == 1 && t.count("language:kk") == 0;
    }

    std::map<std::string, Rect> targets() const {
        std::map<std::string, Rect> out;
        std::istringstream in(read_text(dir + "/probe.txt"));
        for (std::string line; std::getline(in, line);) {
            if (line.rfind("frame ", 0) == 0 || line.rfind("keypad ", 0) == 0) continue;
            const auto cut =
                line.rfind(' ', line.rfind(' ', line.rfind(' ', line.rfind(' ') - 1) - 1) - 1);
            Rect r{};
            std::istringstream(line.substr(cut + 1)) >> r.x >> r.y >> r.w >> r.h;
            out[line.substr(0, cut)] = r;
        }
        return out;
    }

    // Waits (bounded) for the target to be on screen and, like a person, for the screen to
    // settle: a new screen may scroll its focused field into view on its second frame.
    Rect wait_for(const std::string& id, std::chrono::seconds timeout = 5s) const {
        Rect last;
        bool have_last = false;
        for (auto deadline = std::chrono::steady_clock::now() + timeout;
             std::chrono::steady_clock::now() < deadline;) {
            const auto all = targets();
            if (auto it = all.find(id); it != all.end()) {
                const Rect& r = it->second;
                if (id.rfind("key:", 0) == 0) return r;  // the keyboard does not move
                if (have_last && last == r) return r;
                last = r;
                have_last = true;
            } else {
                have_last = false;
            }
            std::this_thread::sleep_for(50ms);
        }
        // What the screen showed instead, beside the other artifacts; then the test ends here.
        run({tool("import"), "-display", x.display, "-window", "root",
             (kArtifacts / "missing-target.png").string()},
            dir + "/import.log", 20s);
        throw std::runtime_error("no touch target " + id + " on screen (see missing-target.png)");
    }

    // Like a person: a target below (or above) what is shown is scrolled to first.
    void press(const std::string& id) {
        if (id.rfind("key:", 0) != 0 && !appears(id, 1s)) scroll_to(id);
        const Rect r = wait_for(id);
        tap(r.x + r.w / 2, r.y + r.h / 2);
    }

    // Whether the target shows within a short while: a tap takes a frame or two to show.
    bool appears(const std::string& id, std::chrono::milliseconds within = 300ms) const {
        for (auto deadline = std::chrono::steady_clock::now() + within;;
             std::this_thread::sleep_for(20ms)) {
            if (targets().count(id)) return true;
            if (std::chrono::steady_clock::now() >= deadline) return false;
        }
    }

    // Types on the on-screen keyboard, one tap per letter, switching layout or shift as a
    // citizen would.
    void type(const std::string& text) {
        for (std::size_t i = 0, next; i < text.size(); i = next) {
            next = common::next_code_point(text, i);
            const std::string letter = text.substr(i, next - i);
            const std::string ch = letter == " " ? "space" : letter;
            find_key(ch);
            press("key:" + ch);
        }
    }

    // Brings the key on screen: this layout, shifted or not, then the others.
    void find_key(const std::string& ch) {
        for (const char* layout : {"", "key:layout_kk", "key:layout_ru", "key:layout_en"}) {
            if (*layout && appears(layout, 0ms)) press(layout);
            if (appears("key:" + ch) || !appears("key:shift", 0ms)) return;
            press("key:shift");
            if (appears("key:" + ch)) return;
            press("key:shift");
        }
    }

    // Until the kiosk has drawn a frame after the ones counted so far: a finger's move is seen
    // in its own frame, as on a touch panel, not run together with the next.
    void next_frame() const {
        const unsigned long drawn = frame().frames;
        for (auto deadline = std::chrono::steady_clock::now() + 300ms;
             frame().frames <= drawn && std::chrono::steady_clock::now() < deadline;)
            std::this_thread::sleep_for(5ms);
    }

    // Drags the page until the target shows, as a finger scrolls: towards the top first, then
    // towards the bottom.
    void scroll_to(const std::string& id) {
        for (int i = 0; i < 8 && !appears(id, 200ms); ++i) {
            const int x0 = width / 2, y0 = height / 3 + (i < 3 ? 0 : 320), step = i < 3 ? 40 : -40;
            const unsigned long taps = frame().taps;
            xdotool(move_to(x0, y0, {"mousedown", "1"}));
            next_frame();
            for (int n = 1; n <= 8; ++n) {
                xdotool(move_to(x0, y0 + n * step));
                next_frame();
            }
            xdotool({"mouseup", "1"});
            settle(taps + 1);
        }
    }

    // A finger stroke across the signature pad.
    void sign() {
        const Rect pad = wait_for("signature:pad");
        const unsigned long taps = frame().taps;
        xdotool(move_to(pad.x + 60, pad.y + pad.h / 2, {"mousedown", "1"}));
        next_frame();
        for (int i = 1; i <= 12; ++i) {
            xdotool(move_to(pad.x + 60 + i * 60, pad.y + pad.h / 2 + (i % 2 ? -60 : 60)));
            next_frame();
        }
        xdotool({"mouseup", "1"});
        settle(taps + 1);
    }

    std::filesystem::path spool() const { return dir + "/spool"; }

    // Saves the screen as artifacts/ui/<name>.png and returns its path.
    std::string screenshot(const std::string& name) {
        const std::filesystem::path png_path = kArtifacts / (name + ".png");
        std::filesystem::create_directories(png_path.parent_path());
        const std::string png = png_path.string();
        // The probe is written after the frame is on the screen; a screen that is still laying
        // itself out (a scroll, a new screen) draws a few more: wait until they are done.
        for (auto deadline = std::chrono::steady_clock::now() + 2s;
             std::chrono::steady_clock::now() < deadline;) {
            const unsigned long before = frame().frames;
            std::this_thread::sleep_for(100ms);
            if (frame().frames == before) break;
        }
        if (run({tool("import"), "-display", x.display, "-window", "root", png},
                dir + "/import.log", 20s) != 0)
            throw std::runtime_error("screenshot failed: " + read_text(dir + "/import.log"));
        return png;
    }
};

}  // namespace testsupport
