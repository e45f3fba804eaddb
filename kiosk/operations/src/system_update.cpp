#include "kiosk/system_update.h"

#include "kiosk/journal.h"

#include <common/atomic_file.h>
#include <common/printable.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <cstring>
#include <fstream>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace kiosk {

namespace {

// Section: running the RAUC client

struct Run {
    int exit = -1;       // the exit status; -1 when it could not start or was stopped
    std::string output;  // stdout and stderr, at most 64 KiB
};

// Runs argv (found on PATH) with its output gathered; a stop request ends it (SIGTERM).
Run run(const std::vector<std::string>& argv, std::stop_token stop) {
    Run r;
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
        r.output = std::string("pipe: ") + std::strerror(errno);
        return r;
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDERR_FILENO);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_t pid = -1;
    const int spawned = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    if (spawned != 0) {
        close(fds[0]);
        r.output = argv[0] + ": " + std::strerror(spawned);
        return r;
    }
    bool stopped = false;
    for (char buf[4096];;) {
        if (stop.stop_requested() && !stopped) {
            kill(pid, SIGTERM);
            stopped = true;
        }
        pollfd p{.fd = fds[0], .events = POLLIN, .revents = 0};
        if (poll(&p, 1, 200) == 0) continue;
        const ssize_t n = read(fds[0], buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        if (r.output.size() < 65536) r.output.append(buf, static_cast<std::size_t>(n));
    }
    close(fds[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!stopped && WIFEXITED(status)) r.exit = WEXITSTATUS(status);
    return r;
}

// RAUC's reason for a failure: its "LastError: ..." line, else its last line; one line,
// printable, bounded (it goes to the journal, the metrics and the register).
std::string rauc_error(const std::string& output) {
    std::string line;
    std::size_t at = output.find("LastError: ");
    if (at != std::string::npos) {
        line = output.substr(at + 11, output.find('\n', at) - at - 11);
    } else {
        std::string trimmed = output;
        while (!trimmed.empty() && trimmed.back() == '\n') trimmed.pop_back();
        line = trimmed.substr(trimmed.rfind('\n') + 1);
    }
    return common::printable(line, 200);
}

// The JSON document in a rauc command's output: its line starting with '{' (rauc's messages on
// stderr share the pipe).
nlohmann::json json_in(const std::string& output) {
    const std::size_t at = output.starts_with('{') ? 0 : output.find("\n{");
    if (at == std::string::npos)
        throw nlohmann::json::parse_error::create(101, 0, "no JSON", nullptr);
    const std::size_t from = at == 0 ? 0 : at + 1;
    return nlohmann::json::parse(output.substr(from, output.find('\n', from) - from));
}

// Section: the record on disk

nlohmann::json to_json(const SystemState& s, const std::string& from_slot) {
    nlohmann::json j = {{"phase", s.phase},
                        {"detail", s.detail},
                        {"target_version", s.target_version},
                        {"from_slot", from_slot}};
    if (s.changed_at)
        j["changed_at"] =
            std::chrono::duration_cast<std::chrono::seconds>(s.changed_at->time_since_epoch())
                .count();
    return j;
}

}  // namespace

// Section: bundles on USB sticks

std::string system_version(const std::filesystem::path& file) {
    std::ifstream in(file);
    std::string line;
    if (!in || !std::getline(in, line)) return "";
    return common::printable(line, 64);
}

std::vector<std::filesystem::path> usb_bundles(const std::filesystem::path& usb_dir) {
    std::vector<std::filesystem::path> found;
    std::error_code ec;
    if (usb_dir.empty() || !std::filesystem::is_directory(usb_dir, ec)) return found;
    for (const auto& stick : std::filesystem::directory_iterator(usb_dir, ec)) {
        std::error_code inner;
        if (!stick.is_directory(inner)) continue;
        for (const auto& f : std::filesystem::directory_iterator(stick.path(), inner))
            if (f.path().extension() == ".raucb" && f.is_regular_file(inner))
                found.push_back(f.path());
    }
    std::sort(found.begin(), found.end());
    return found;
}

// Section: the updater

SystemUpdate::SystemUpdate(UpdateSettings settings) : settings_(std::move(settings)) {
    state_.version = system_version(settings_.version_file);
    try {
        std::ifstream in(settings_.state_dir / kFileName);
        if (in) {
            const auto j = nlohmann::json::parse(in);
            state_.phase = j.value("phase", "idle");
            state_.detail = j.value("detail", "");
            state_.target_version = j.value("target_version", "");
            from_slot_ = j.value("from_slot", "");
            if (j.contains("changed_at"))
                state_.changed_at =
                    WallClock::time_point(std::chrono::seconds(j["changed_at"].get<long long>()));
        }
    } catch (const nlohmann::json::exception& e) {
        log(Priority::Warning, "update", "%s unreadable, started afresh: %s", kFileName, e.what());
        state_ = SystemState{.version = state_.version};
    }
    // Installed before this start: which slot came up is RAUC's to say (settle); until then it
    // is no update waiting for a reboot (that reboot has happened).
    if (state_.phase == "installed") state_.phase = "checking";
    // Cut short by a stop or a power cut before RAUC finished: nothing was switched (RAUC marks
    // the other slot only at its end), so the next request starts afresh.
    if (state_.phase == "installing" || state_.phase == "waiting") {
        SystemState s = state_;
        s.phase = "failed";
        s.detail = "interrupted by a restart";
        set(s);
    }
    thread_ = std::jthread([this](std::stop_token stop) { loop(stop); });
}

SystemUpdate::~SystemUpdate() {
    thread_.request_stop();
    wake_.notify_all();
}

std::string SystemUpdate::install(const std::filesystem::path& bundle) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(bundle, ec)) return "no such bundle: " + bundle.string();
    SystemState s;
    {
        std::lock_guard lock(mutex_);
        if (wanted_ || state_.phase == "installing" || state_.phase == "installed" ||
            state_.phase == "checking")
            return "an update is already under way (" + state_.phase + ")";
        wanted_ = bundle;
        s = state_;
    }
    s.phase = "waiting";
    s.detail = bundle.filename().string();
    set(s);  // kept: a restart before it runs is told
    wake_.notify_all();
    return "";
}

void SystemUpdate::citizen_idle(bool idle) {
    std::lock_guard lock(mutex_);
    if (idle == idle_) return;
    idle_ = idle;
    wake_.notify_all();
}

bool SystemUpdate::reboot_due() const {
    std::lock_guard lock(mutex_);
    return state_.phase == "installed";
}

SystemState SystemUpdate::state() const {
    std::lock_guard lock(mutex_);
    return state_;
}

void SystemUpdate::set(SystemState s) {
    std::lock_guard writing(write_mutex_);  // install() and the thread: one writer of the file
    s.changed_at = WallClock::now();
    const auto written = common::write_file_atomically(settings_.state_dir / kFileName,
                                                       to_json(s, s.slot).dump() + "\n");
    if (!written.ok())
        log(Priority::Error, "update", "cannot keep the update's state: %s",
            written.message.c_str());
    log(Priority::Notice, "update", "%s%s%s", s.phase.c_str(), s.detail.empty() ? "" : ": ",
        s.detail.c_str());
    std::lock_guard lock(mutex_);
    state_ = std::move(s);
}

// Which slot runs, and what became of an update left unfinished by the last start: the new slot
// running means it came up; the old one means the boot loader went back to it.
void SystemUpdate::settle(std::stop_token stop) {
    const Run status = run({settings_.rauc, "status", "--output-format=json"}, stop);
    std::string slot;
    try {
        if (status.exit == 0) slot = json_in(status.output).value("booted", "");
    } catch (const nlohmann::json::exception&) {
    }
    if (status.exit != 0 && !stop.stop_requested())
        log(Priority::Warning, "update", "no RAUC here (%s): updates unavailable",
            rauc_error(status.output).c_str());
    SystemState s = state();
    s.slot = common::printable(slot, 8);
    if (s.phase == "checking" && s.slot.empty()) {
        s.phase = "failed";
        s.detail = "RAUC did not say which slot runs";
        set(s);
    } else if (s.phase == "checking") {  // installed before this start: install() refuses
        const bool moved = from_slot_ != s.slot;
        s.phase = moved ? "updated" : "rolled_back";
        s.detail = moved ? "" : "the new system did not come up; slot " + s.slot + " runs again";
        set(s);
    } else {
        std::lock_guard lock(mutex_);
        state_.slot = s.slot;
    }
}

void SystemUpdate::loop(std::stop_token stop) {
    settle(stop);
    while (!stop.stop_requested()) {
        std::filesystem::path bundle;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, stop, [&] { return wanted_ && idle_; });
            if (stop.stop_requested()) return;
            bundle = *wanted_;
            wanted_.reset();
        }
        SystemState s = state();
        // Checked here first (signature, compatible) for a clear word before RAUC's service
        // takes it, and for the version it brings.
        std::vector<std::string> info_args{settings_.rauc, "info", "--output-format=json"};
        if (!settings_.rauc_conf.empty())
            info_args.push_back("--conf=" + settings_.rauc_conf.string());
        info_args.push_back(bundle.string());
        const Run info = run(info_args, stop);
        s.target_version.clear();
        try {
            if (info.exit == 0)
                s.target_version = common::printable(json_in(info.output).value("version", ""), 64);
        } catch (const nlohmann::json::exception&) {
        }
        if (info.exit != 0) {
            if (stop.stop_requested()) return;
            s.phase = "failed";
            s.detail = "not a bundle for this kiosk: " + rauc_error(info.output);
            set(s);
            continue;
        }
        s.phase = "installing";
        s.detail = bundle.filename().string();
        set(s);
        const Run installed = run({settings_.rauc, "install", bundle.string()}, stop);
        if (stop.stop_requested()) return;  // the next start says it was interrupted
        s.phase = installed.exit == 0 ? "installed" : "failed";
        s.detail = installed.exit == 0 ? bundle.filename().string() : rauc_error(installed.output);
        set(s);
    }
}

}  // namespace kiosk
