#pragma once
// Child processes for tests: real programs (the register, Xvfb, the kiosk, xdotool) started
// with their output in a file, waited for with a bound, and always reaped.

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace testsupport {

std::string read_text(const std::string& path);

// Polls (bounded) until check() is true; returns its last value. What a test waits on is
// something it can observe (a row, a file, an answer), never a fixed time.
template <class Check>
bool eventually(Check check, std::chrono::steady_clock::duration within) {
    for (auto deadline = std::chrono::steady_clock::now() + within;;
         std::this_thread::sleep_for(std::chrono::milliseconds(50))) {
        if (check()) return true;
        if (std::chrono::steady_clock::now() >= deadline) return false;
    }
}

// A socket listening on 127.0.0.1 at a port the system chose; the caller closes fd. The
// kernel accepts connections into the backlog: a peer that never answers, unless read.
// Throws std::runtime_error when it cannot.
struct LoopbackListener {
    int fd = -1;
    int port = 0;
};
LoopbackListener listen_on_loopback(int backlog);

// A fresh folder under the system temp dir: prefix + random suffix.
std::string make_temp_dir(const std::string& prefix);

// Starts args[0] (a path) with stdout and stderr appended to output_file; env entries
// ("NAME=value") are added to this process's environment for the child.
pid_t spawn(const std::vector<std::string>& args, const std::string& output_file,
            const std::vector<std::string>& env = {});

// The wait status once the child has ended; nullopt if it still runs at the deadline.
std::optional<int> wait_for_exit(pid_t pid, std::chrono::steady_clock::duration timeout);

// SIGTERM, then SIGKILL after the grace time; reaps the child either way.
void stop(pid_t pid, std::chrono::steady_clock::duration grace);

// Runs a command to its end (bounded); returns its exit code, -1 if killed at the deadline.
int run(const std::vector<std::string>& args, const std::string& output_file,
        std::chrono::steady_clock::duration timeout, const std::vector<std::string>& env = {});

}  // namespace testsupport
