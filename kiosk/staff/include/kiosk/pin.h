// kiosk/pin: the service-mode PIN. Only a salted yescrypt hash is stored (the /etc/shadow kind),
// and wrong PINs lock the gate for a growing time that survives restarts. No PIN is ever
// logged, thrown or written anywhere.
#pragma once
#include <chrono>
#include <filesystem>
#include <mutex>
#include <string>
#include <string_view>

namespace kiosk {

// 4 to 12 ASCII digits.
bool pin_is_valid(std::string_view pin);

// "$y$..." with a fresh random salt and the default cost; std::invalid_argument for a PIN that
// is not 4 to 12 digits.
std::string hash_pin(std::string_view pin);

// Recomputes and compares in constant time; false for an empty or malformed hash.
bool pin_matches(std::string_view pin, const std::string& hash);

struct LockoutPolicy {
    int free_attempts = 3;           // consecutive wrong PINs before the first lockout
    std::chrono::seconds first{30};  // the first lockout; each further wrong PIN doubles it...
    std::chrono::seconds max{900};   // ...up to this
};

// The gate in front of service mode. Thread-safe: the slow check runs on a worker thread while
// the UI thread asks wait() every frame (wait() never waits for a check). The failure count and
// the locked-until time (wall clock) live in a small text file, replaced atomically.
class PinGate {
public:
    using Clock = std::chrono::system_clock;

    struct Attempt {
        enum Verdict { Accepted, Refused, LockedOut } verdict;
        std::chrono::seconds wait;  // until the next attempt may be made; 0 = now
        int failures;               // consecutive wrong PINs so far
    };

    // A missing, unreadable or garbled file means no lockout.
    PinGate(std::filesystem::path state_file, LockoutPolicy policy = {});

    // 0 when an attempt may be made.
    std::chrono::seconds wait(Clock::time_point now) const;

    // While locked out the PIN is not even checked. An empty hash matches nothing.
    Attempt attempt(std::string_view pin, const std::string& hash, Clock::time_point now);

    int failures() const;

private:
    struct State {
        int failures = 0;
        std::chrono::sys_seconds locked_until{};
    };
    std::chrono::seconds remaining(Clock::time_point now) const;  // mutex_ held
    std::chrono::seconds lockout_for(int failures) const;
    State failed(State s, Clock::time_point now) const;
    void save(const State& s) const;

    std::filesystem::path file_;
    LockoutPolicy policy_;
    std::mutex attempts_;       // one check at a time, held for the whole attempt
    mutable std::mutex mutex_;  // guards state_, held only briefly
    mutable State state_;       // mutable: wait() pulls a lockout back after the clock went back
};

}  // namespace kiosk
