// UI figures (PRODUCT.md §11): the kiosk against the reference page in Chromium's kiosk mode,
// on the same Xvfb: time from start to the first frame of content, PSS, CPU over 60 idle
// seconds, and the kiosk's longest frame while a submission waits on a register that delays
// 10 s. Prints figures; asserts nothing about time.
#include "kiosk_driver.h"

#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <set>

using namespace testsupport;
using Ms = std::chrono::duration<double, std::milli>;

namespace {

// Section: what a process tree uses, from /proc

std::set<pid_t> tree(pid_t root) {
    std::set<pid_t> pids{root};
    for (bool grew = true; grew;) {
        grew = false;
        for (const auto& e : std::filesystem::directory_iterator("/proc")) {
            const std::string name = e.path().filename();
            if (name.find_first_not_of("0123456789") != std::string::npos) continue;
            std::istringstream stat(read_text(e.path() / "stat"));
            std::string comm_end, skip;
            pid_t pid = 0, ppid = 0;
            stat >> pid;
            std::string rest((std::istreambuf_iterator<char>(stat)), {});
            const auto close = rest.rfind(')');
            if (close == std::string::npos) continue;
            std::istringstream tail(rest.substr(close + 1));
            tail >> skip >> ppid;
            if (pids.count(ppid) && pids.insert(pid).second) grew = true;
        }
    }
    return pids;
}

double pss_mb(pid_t root) {
    double kb = 0;
    for (pid_t pid : tree(root)) {
        std::istringstream in(read_text("/proc/" + std::to_string(pid) + "/smaps_rollup"));
        for (std::string key; in >> key;) {
            double v = 0;
            if (key == "Pss:" && in >> v) kb += v;
        }
    }
    return kb / 1024;
}

double cpu_seconds(pid_t root) {
    double ticks = 0;
    for (pid_t pid : tree(root)) {
        const std::string stat = read_text("/proc/" + std::to_string(pid) + "/stat");
        const auto close = stat.rfind(')');
        if (close == std::string::npos) continue;
        std::istringstream in(stat.substr(close + 2));
        std::string field;
        double utime = 0, stime = 0;
        for (int i = 3; i <= 15 && in >> field; ++i) {
            if (i == 14) utime = std::stod(field);
            if (i == 15) stime = std::stod(field);
        }
        ticks += utime + stime;
    }
    return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

double idle_cpu_percent(pid_t root, std::chrono::seconds span) {
    const double before = cpu_seconds(root);
    std::this_thread::sleep_for(span);
    return (cpu_seconds(root) - before) / span.count() * 100;
}

// Section: the first frame, seen on the X server: the time until a pixel of the page shows

struct Screen {
    Display* display;
    explicit Screen(const std::string& name) : display(XOpenDisplay(name.c_str())) {
        if (!display) throw std::runtime_error("cannot open display " + name);
    }
    ~Screen() { XCloseDisplay(display); }
    unsigned long pixel(int x, int y) const {
        XImage* img = XGetImage(display, DefaultRootWindow(display), x, y, 1, 1, AllPlanes, ZPixmap);
        const unsigned long p = img ? XGetPixel(img, 0, 0) & 0xFFFFFF : 0;
        if (img) XDestroyImage(img);
        return p;
    }
};

// Starts the command and returns the time until the pixel at (x, y) turns `colour`.
double first_frame_ms(const Xvfb& x, const std::vector<std::string>& command, const std::vector<std::string>& env,
                      int px, int py, unsigned long colour, const std::string& log, pid_t& pid) {
    Screen screen(x.display);
    const auto t0 = std::chrono::steady_clock::now();
    pid = spawn(command, log, env);
    while (screen.pixel(px, py) != colour) {
        if (std::chrono::steady_clock::now() - t0 > 60s) throw std::runtime_error("no first frame:\n" + read_text(log));
        std::this_thread::sleep_for(1ms);
    }
    return Ms(std::chrono::steady_clock::now() - t0).count();
}

// Section: the two contenders

struct Figures {
    double first_ms, pss, idle_cpu;
};

void print(const char* who, const Figures& f) {
    std::printf("%-28s first frame %6.0f ms   PSS %6.1f MB   idle CPU %5.2f %%\n", who, f.first_ms, f.pss, f.idle_cpu);
}

Figures measure(const Xvfb& x, const std::vector<std::string>& command, const std::vector<std::string>& env, int px,
                int py, unsigned long colour, const std::string& log, std::chrono::seconds idle) {
    pid_t pid = -1;
    Figures f{};
    f.first_ms = first_frame_ms(x, command, env, px, py, colour, log, pid);
    std::this_thread::sleep_for(3s);   // settled, nobody touching
    f.pss = pss_mb(pid);
    f.idle_cpu = idle_cpu_percent(pid, idle);
    stop(pid, 10s);
    return f;
}

}  // namespace

int main(int argc, char** argv) {
    std::setvbuf(stdout, nullptr, _IOLBF, 0);   // each figure out as soon as it is known
    const std::chrono::seconds idle(argc > 1 ? std::atoi(argv[1]) : 60);
    const std::string chromium = argc > 2 ? argv[2] : "/usr/bin/chromium";
    const std::string dir = make_temp_dir("ui-bench");

    // The kiosk, on its embedded defaults against a development register.
    {
        DevRegister reg;
        Xvfb x(1080, 1920);
        Kiosk config_only(x, reg, "bench-config");   // writes a configuration we reuse, then leaves
        const std::string cfg = dir + "/kiosk.toml";
        std::filesystem::copy_file(config_only.dir + "/kiosk.toml", cfg);
        stop(config_only.pid, 10s);
        config_only.pid = -1;
        std::this_thread::sleep_for(500ms);
        // The attract screen's background, (245, 245, 240), at the centre.
        print("kiosk (SDL2 + Dear ImGui)",
              measure(x, {KIOSK_BIN, "--config", cfg, "--windowed", "--size", "1080x1920"},
                      {"DISPLAY=" + x.display, "SDL_VIDEODRIVER=x11"}, 540, 1800, 0xF5F5F0, dir + "/kiosk.log", idle));
    }

    // The reference page in Chromium's kiosk mode: its blue header is the first frame.
    if (std::filesystem::exists(chromium)) {
        Xvfb x(1080, 1920);
        const std::string page = std::filesystem::path(KIOSK_SOURCE_DIR) / "tests/bench/reference/complaint-form.html";
        print("reference page (Chromium)",
              measure(x, {chromium, "--kiosk", "--no-sandbox", "--disable-gpu", "--no-first-run",
                          "--disable-background-networking", "--disable-component-update", "--disable-sync",
                          "--disable-quic", "--disable-features=Translate", "--window-position=0,0",
                          "--window-size=1080,1920",
                          "--user-data-dir=" + dir + "/chromium", "file://" + page},
                      {"DISPLAY=" + x.display}, 10, 10, 0x1F4E8C, dir + "/chromium.log", idle));
    } else {
        std::printf("reference page (Chromium)    not measured: %s is not installed\n", chromium.c_str());
    }

    // The kiosk's frames while a complaint waits 10 s on the register.
    {
        DevRegister reg({.faults = {"delay=10000,path=requests.json"}});
        Xvfb x(1080, 1920);
        Kiosk k(x, reg, "bench-submit");
        k.press("language:kk");
        k.press("home.file");
        k.press("addressee.provider_head");
        k.press("nav.next");
        k.press("service:KZ-GU-001");
        k.press("nav.next");
        for (auto [field, text] : {std::pair{"field.surname#0", "Әбілқасымова"}, {"field.first_name#0", "Айгүл"},
                                   {"field.iin#0", "900101300007"}, {"field.postal_address#0", "Абай 83"}}) {
            k.press(field);
            k.type(text);
        }
        k.press("nav.next");
        for (auto [field, text] : {std::pair{"field.official_position#0", "басшы"}, {"field.official_surname#0", "Жұмабеков"},
                                   {"field.official_initials#0", "Н."}}) {
            k.press(field);
            k.type(text);
        }
        k.press("nav.next");
        k.press("field.grounds#0");
        k.type("анықтама берілмеді");
        k.press("field.demands#0");
        k.type("анықтама беру");
        k.press("nav.next");
        k.press("field.phone#0");
        k.type("87011234567");
        k.press("nav.next");
        k.press("review.consent");
        k.press("nav.next");
        k.sign();
        const auto t0 = std::chrono::steady_clock::now();
        k.press("nav.next");
        k.wait_for("done.finish", 60s);
        std::this_thread::sleep_for(500ms);
        const std::string log = k.log();
        const auto at = log.find("frames while submitting");
        const auto line = at == std::string::npos ? std::string::npos : log.rfind('\n', at) + 1;
        std::printf("kiosk, submission waiting %.1f s on the register: %s\n",
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(),
                    line == std::string::npos ? "no frame figures in the log" : log.substr(line, log.find('\n', at) - line).c_str());
    }
    std::filesystem::remove_all(dir);
    return 0;
}
