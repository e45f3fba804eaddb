// UI figures (PRODUCT.md §11), each beside what it is held against, since absolute times move
// from machine to machine and ratios much less: the kiosk's first frame against bare SDL2
// opening the same window (bare_sdl.cpp), its PSS and idle CPU against the reference page in
// Chromium's kiosk mode on the same kind of Xvfb, its CPU per frame while a citizen types, and
// its longest frame while a submission waits on a register that delays 10 s. Prints figures
// and whether each target is met; asserts nothing.
#include "kiosk_driver.h"
#include "touch_complaint.h"

#include <X11/Xlib.h>
#include <X11/Xutil.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <optional>
#include <regex>
#include <set>

using namespace testsupport;
using Ms = std::chrono::duration<double, std::milli>;

namespace {

constexpr int kWidth = 1080, kHeight = 1920;
constexpr int kStarts = 5;  // first frames per program; the median is reported

template <typename... Args>
std::string format(const char* f, Args... args) {
    char buf[256];
    std::snprintf(buf, sizeof buf, f, args...);
    return buf;
}

// Nearest rank: a value that was measured, never one between two.
double percentile(std::vector<double> v, double q) {
    if (v.empty()) throw std::runtime_error("no samples");
    std::sort(v.begin(), v.end());
    const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(v.size())));
    return v[std::clamp<std::size_t>(rank, 1, v.size()) - 1];
}

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

// Each thread's time on a CPU, in nanoseconds from schedstat: /proc/PID/stat counts 10 ms
// ticks, and the kiosk idles on a handful of them in a short span, too coarse for a ratio.
std::map<pid_t, double> cpu_ns_by_thread(pid_t root) {
    std::map<pid_t, double> ns;
    for (pid_t pid : tree(root)) {
        std::error_code none;
        for (const auto& task :
             std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", none)) {
            std::istringstream in(read_text(task.path() / "schedstat"));
            if (double on_cpu = 0; in >> on_cpu) ns[std::stoi(task.path().filename())] = on_cpu;
        }
    }
    return ns;
}

// Thread by thread: a thread or process that ends within the span takes its time with it
// (Chromium ends a few), so the reference's figure errs low, against the kiosk.
double idle_cpu_percent(pid_t root, std::chrono::seconds span) {
    const auto before = cpu_ns_by_thread(root);
    std::this_thread::sleep_for(span);
    double ns = 0;
    for (const auto& [tid, after] : cpu_ns_by_thread(root)) {
        const auto it = before.find(tid);
        ns += after - (it == before.end() ? 0 : it->second);
    }
    return ns / 1e9 / static_cast<double>(span.count()) * 100;
}

// Section: the first frame, seen on the X server: the time until a pixel of the program's shows

struct ServerPixels {
    Display* display;
    explicit ServerPixels(const std::string& name) : display(XOpenDisplay(name.c_str())) {
        if (!display) throw std::runtime_error("cannot open display " + name);
    }
    ServerPixels(const ServerPixels&) = delete;
    ServerPixels& operator=(const ServerPixels&) = delete;
    ~ServerPixels() { XCloseDisplay(display); }
    unsigned long pixel(int x, int y) const {
        XImage* img =
            XGetImage(display, DefaultRootWindow(display), x, y, 1, 1, AllPlanes, ZPixmap);
        const unsigned long p = img ? XGetPixel(img, 0, 0) & 0xFFFFFF : 0;
        if (img) XDestroyImage(img);
        return p;
    }
};

// A program under measure, and a pixel its first frame paints in a colour of its own.
struct Program {
    std::string name;
    std::vector<std::string> command, env;
    int x, y;
    unsigned long colour;
    std::string log;
};

// The last program's window may linger on the server for a moment after it ended; measuring
// through it would time nothing.
void wait_until_gone(const ServerPixels& screen, const Program& p) {
    for (auto deadline = std::chrono::steady_clock::now() + 10s;
         screen.pixel(p.x, p.y) == p.colour;) {
        if (std::chrono::steady_clock::now() > deadline)
            throw std::runtime_error("the screen still shows a former window");
        std::this_thread::sleep_for(10ms);
    }
}

// Starts the program and returns the time until its pixel shows; pid is the started process.
double first_frame_ms(const ServerPixels& screen, const Program& p, pid_t& pid) {
    wait_until_gone(screen, p);
    const auto t0 = std::chrono::steady_clock::now();
    pid = spawn(p.command, p.log, p.env);
    while (screen.pixel(p.x, p.y) != p.colour) {
        if (std::chrono::steady_clock::now() - t0 > 60s)
            throw std::runtime_error("no first frame:\n" + read_text(p.log));
        std::this_thread::sleep_for(1ms);
    }
    return Ms(std::chrono::steady_clock::now() - t0).count();
}

// The median first frame of each program over kStarts starts, taken in turn (a, b, a, b, ...)
// so that a busy moment of the machine falls on both alike.
std::vector<double> median_first_frames(const ServerPixels& screen,
                                        const std::vector<Program>& programs) {
    std::vector<std::vector<double>> times(programs.size());
    for (int run = 0; run < kStarts; ++run) {
        for (std::size_t i = 0; i < programs.size(); ++i) {
            pid_t pid = -1;
            times[i].push_back(first_frame_ms(screen, programs[i], pid));
            stop(pid, 10s);
        }
    }
    std::vector<double> medians;
    for (std::size_t i = 0; i < programs.size(); ++i) {
        std::printf("%-28s first frames", programs[i].name.c_str());
        for (double t : times[i]) std::printf(" %.0f", t);
        std::printf(" ms\n");
        medians.push_back(percentile(times[i], 0.5));
    }
    return medians;
}

// Section: a program settled on its first screen, nobody touching

struct Figures {
    double first_ms, pss, idle_cpu;
};

Figures settled(const ServerPixels& screen, const Program& p, std::chrono::seconds idle) {
    pid_t pid = -1;
    Figures f{};
    f.first_ms = first_frame_ms(screen, p, pid);
    std::this_thread::sleep_for(3s);
    f.pss = pss_mb(pid);
    f.idle_cpu = idle_cpu_percent(pid, idle);
    // A program gone meanwhile (killed from outside) would read as 0 MB and no CPU.
    if (wait_for_exit(pid, 0s))
        throw std::runtime_error(p.name + " ended while measured:\n" + read_text(p.log));
    stop(pid, 10s);
    std::printf("%-28s first frame %6.0f ms   PSS %6.1f MB   idle CPU %6.3f %%\n", p.name.c_str(),
                f.first_ms, f.pss, f.idle_cpu);
    return f;
}

// Section: the kiosk's frames while a citizen types, from its own log of each frame

// 40 letters and spaces, Kazakh and Russian: shift comes in as a citizen needs it.
constexpr std::string_view kTyped = "Әбілқасымова Айгүл Нұрланқызы Щербинская";

struct FrameCost {
    std::size_t frames = 0;
    double median_ms = 0, p99_ms = 0;
};

// Until the kiosk stops drawing: after an event it draws a few frames more.
void wait_until_still(const Kiosk& k) {
    for (auto deadline = std::chrono::steady_clock::now() + 3s;
         std::chrono::steady_clock::now() < deadline;) {
        const unsigned long before = k.frame().frames;
        std::this_thread::sleep_for(200ms);
        if (k.frame().frames == before) return;
    }
}

// KIOSK_FRAME_LOG lines are "wall_us cpu_us".
FrameCost cpu_per_frame(const std::string& lines) {
    std::istringstream in(lines);
    std::vector<double> cpu_ms;
    for (long long wall_us = 0, cpu_us = 0; in >> wall_us >> cpu_us;)
        cpu_ms.push_back(static_cast<double>(cpu_us) / 1000);
    return {cpu_ms.size(), percentile(cpu_ms, 0.5), percentile(cpu_ms, 0.99)};
}

FrameCost typing_cost(const std::string& dir) {
    DevRegister reg;
    Xvfb x(kWidth, kHeight);
    const std::string frame_log = dir + "/frames.log";
    Kiosk k(x, reg, "bench-typing", {.env = {"KIOSK_FRAME_LOG=" + frame_log}});
    for (const char* id : {"language:kk", "home.file", "addressee.provider_head", "nav.next",
                           "service:KZ-GU-001", "nav.next", "field.surname#0"})
        k.press(id);
    wait_until_still(k);
    if (!std::filesystem::exists(frame_log))
        throw std::runtime_error("the kiosk keeps no KIOSK_FRAME_LOG: built before it had one?");
    // Marked, not truncated: the kiosk writes on at its own offset, so a truncated log would
    // fill with zero bytes up to it.
    const auto mark = std::filesystem::file_size(frame_log);
    k.type(std::string(kTyped));
    wait_until_still(k);
    const FrameCost cost = cpu_per_frame(read_text(frame_log).substr(mark));
    std::printf(
        "kiosk typing %zu letters       %zu frames, CPU per frame median %.2f ms, p99 %.2f ms\n",
        common::code_point_count(kTyped), cost.frames, cost.median_ms, cost.p99_ms);
    return cost;
}

// Section: the kiosk's frames while a complaint waits 10 s on the register

struct Submitting {
    int frames = 0;
    double longest_ms = 0;
};

void file_a_complaint(Kiosk& k) {
    touch_to_address(k);
    k.press("nav.next");
    touch_an_official(k);
    touch_to_signature(k);
}

// The kiosk logs "N frames while submitting, longest X ms" once the submission is over.
std::optional<Submitting> submission_frames() {
    DevRegister reg({.faults = {"delay=10000,path=requests.json"}});
    Xvfb x(kWidth, kHeight);
    Kiosk k(x, reg, "bench-submit");
    file_a_complaint(k);
    const auto t0 = std::chrono::steady_clock::now();
    k.press("nav.next");
    k.wait_for("done.finish", 60s);
    std::this_thread::sleep_for(500ms);
    const std::string log = k.log();
    std::smatch m;
    const bool found = std::regex_search(
        log, m, std::regex(R"((\d+) frames while submitting, longest ([0-9.]+) ms)"));
    std::printf("kiosk, submission waiting %.1f s on the register: %s\n",
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(),
                found ? m.str(0).c_str() : "no frame figures in the log");
    if (!found) return std::nullopt;
    return Submitting{std::stoi(m.str(1)), std::stod(m.str(2))};
}

// Section: the table

struct Row {
    std::string figure, kiosk, against, ratio, target, met;
};

std::string verdict(bool met) { return met ? "yes" : "NO"; }

Row ratio_row(const std::string& figure, const std::string& kiosk, const std::string& against,
              double ratio, double target) {
    return {figure,
            kiosk,
            against,
            format("%.3f", ratio),
            format("<= %.2f x", target),
            verdict(ratio <= target)};
}

void print_table(const std::vector<Row>& rows) {
    std::printf("\n%-44s %-14s %-22s %-7s %-10s %s\n", "figure", "kiosk", "against", "ratio",
                "target", "met");
    for (const Row& r : rows)
        std::printf("%-44s %-14s %-22s %-7s %-10s %s\n", r.figure.c_str(), r.kiosk.c_str(),
                    r.against.c_str(), r.ratio.c_str(), r.target.c_str(), r.met.c_str());
}

// The kiosk's own configuration against a development register, written once and reused.
std::string kiosk_config(const Xvfb& x, const DevRegister& reg, const std::string& dir) {
    Kiosk config_only(x, reg, "bench-config");
    const std::string cfg = dir + "/kiosk.toml";
    std::filesystem::copy_file(config_only.dir + "/kiosk.toml", cfg);
    return cfg;
}

Program chromium_page(const std::string& chromium, const std::string& display,
                      const std::string& dir) {
    const std::string page =
        std::filesystem::path(KIOSK_SOURCE_DIR) / "tests/bench/reference/complaint-form.html";
    // Its blue header is the page's first frame.
    return {"reference page (Chromium)",
            {chromium, "--kiosk", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-quic", "--disable-features=Translate", "--window-position=0,0",
             "--window-size=" + std::to_string(kWidth) + "," + std::to_string(kHeight),
             "--user-data-dir=" + dir + "/chromium", "file://" + page},
            {"DISPLAY=" + display},
            10,
            10,
            0x1F4E8C,
            dir + "/chromium.log"};
}

// The kiosk and bare SDL2 on one screen, both marked by the kiosk's header colour at a pixel of
// the bar's right margin: clear of the emblem and the office's name. Then the kiosk settled.
Figures kiosk_against_bare(const std::string& dir, std::chrono::seconds idle,
                           std::vector<Row>& rows) {
    DevRegister reg;
    Xvfb x(kWidth, kHeight);
    const std::string cfg = kiosk_config(x, reg, dir);
    const std::string size = std::to_string(kWidth) + "x" + std::to_string(kHeight);
    const std::vector<std::string> env = {"DISPLAY=" + x.display, "SDL_VIDEODRIVER=x11"};
    const Program kiosk{"kiosk (SDL2 + Dear ImGui)",
                        {KIOSK_BIN, "--config", cfg, "--windowed", "--size", size},
                        env,
                        1060,
                        60,
                        0x0B3B6F,
                        dir + "/kiosk.log"};
    const Program bare{"bare SDL2",      {BARE_SDL_BIN, "0B3B6F", size}, env, 1060, 60, 0x0B3B6F,
                       dir + "/bare.log"};
    ServerPixels screen(x.display);
    const auto medians = median_first_frames(screen, {kiosk, bare});
    rows.push_back(ratio_row(format("first frame, median of %d starts", kStarts),
                             format("%.0f ms", medians[0]), format("bare SDL2 %.0f ms", medians[1]),
                             medians[0] / medians[1], 1.1));
    return settled(screen, kiosk, idle);
}

void kiosk_against_chromium(const Figures& kiosk, const std::string& chromium,
                            const std::string& dir, std::chrono::seconds idle,
                            std::vector<Row>& rows) {
    Xvfb x(kWidth, kHeight);
    ServerPixels screen(x.display);
    const Figures page = settled(screen, chromium_page(chromium, x.display, dir), idle);
    rows.push_back(ratio_row("PSS, 3 s after the first frame", format("%.1f MB", kiosk.pss),
                             format("Chromium %.1f MB", page.pss), kiosk.pss / page.pss, 0.15));
    rows.push_back(
        ratio_row(format("CPU over %lld idle seconds", static_cast<long long>(idle.count())),
                  format("%.3f %%", kiosk.idle_cpu), format("Chromium %.3f %%", page.idle_cpu),
                  kiosk.idle_cpu / page.idle_cpu, 0.1));
    rows.push_back({"first frame (one start each)", format("%.0f ms", kiosk.first_ms),
                    format("Chromium %.0f ms", page.first_ms),
                    format("%.3f", kiosk.first_ms / page.first_ms), "-", "-"});
}

void kiosk_alone(const std::string& dir, std::vector<Row>& rows) {
    const FrameCost typing = typing_cost(dir);
    for (auto [what, ms] : {std::pair{"median", typing.median_ms}, {"p99", typing.p99_ms}})
        rows.push_back({std::string("typing: CPU per frame, ") + what, format("%.2f ms", ms),
                        format("%zu frames", typing.frames), "-", "<= 4 ms", verdict(ms <= 4)});
    if (const auto s = submission_frames())
        rows.push_back({"longest frame, submission waiting 10 s", format("%.1f ms", s->longest_ms),
                        format("%d frames", s->frames), "-", "<= 33 ms",
                        verdict(s->longest_ms <= 33)});
}

struct TempDir {
    std::string path = make_temp_dir("ui-bench");
    ~TempDir() { std::filesystem::remove_all(path); }
};

void run(std::chrono::seconds idle, const std::string& chromium) {
    const TempDir dir;
    std::vector<Row> rows;
    const Figures kiosk = kiosk_against_bare(dir.path, idle, rows);
    if (std::filesystem::exists(chromium))
        kiosk_against_chromium(kiosk, chromium, dir.path, idle, rows);
    else
        std::printf("reference page (Chromium)    not measured: %s is not installed\n",
                    chromium.c_str());
    kiosk_alone(dir.path, rows);
    print_table(rows);
}

}  // namespace

int main(int argc, char** argv) {
    std::setvbuf(stdout, nullptr, _IOLBF, 0);  // each figure out as soon as it is known
    try {
        run(std::chrono::seconds(argc > 1 ? std::atoi(argv[1]) : 60),
            argc > 2 ? argv[2] : "/usr/bin/chromium");
        return 0;
    } catch (const std::exception& e) {  // caught, so that the X servers and folders are cleaned up
        std::fprintf(stderr, "ui_bench: %s\n", e.what());
        return 1;
    }
}
