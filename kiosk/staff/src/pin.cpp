// kiosk/pin: the service PIN hashed with yescrypt (libxcrypt), and the lockout gate in front of it.
#include "kiosk/pin.h"
#include "kiosk/journal.h"

#include <common/atomic_file.h>
#include <crypt.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <memory>
#include <stdexcept>

namespace kiosk {
namespace {

using namespace std::chrono_literals;
using std::chrono::seconds;

// Section: yescrypt

// libxcrypt's 32 KiB work area, on the heap and wiped on the way out: it holds the PIN.
struct CryptArea {
    crypt_data data{};
    ~CryptArea() { explicit_bzero(&data, sizeof data); }
};

// The PIN goes into the area's own input field, so wiping the area wipes the only copy made.
const char* phrase(CryptArea& area, std::string_view pin) {
    if (pin.size() >= sizeof area.data.input || pin.find('\0') != std::string_view::npos)
        return nullptr;
    std::memcpy(area.data.input, pin.data(), pin.size());
    area.data.input[pin.size()] = '\0';
    return area.data.input;
}

// Constant time over the bytes: how much of a hash matched must not show in the timing.
bool same(const char* a, const std::string& b) {
    if (std::strlen(a) != b.size()) return false;  // the length of a hash is no secret
    volatile unsigned char diff = 0;
    for (std::size_t i = 0; i < b.size(); ++i)
        diff = diff | static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

// Section: the lockout file, "failures N\nlocked_until T\n" (T in Unix seconds)

bool field(std::string_view& text, std::string_view key, long long& out) {
    if (text.size() <= key.size() || text.substr(0, key.size()) != key || text[key.size()] != ' ')
        return false;
    text.remove_prefix(key.size() + 1);
    const char* end = text.data() + text.size();
    const auto [p, ec] = std::from_chars(text.data(), end, out);
    if (ec != std::errc() || p == end || *p != '\n') return false;
    text.remove_prefix(static_cast<std::size_t>(p - text.data()) + 1);
    return true;
}

constexpr int kMaxFailures = 1000000;           // far past any lockout's cap; keeps the count sane
constexpr long long kMaxUntil = 9'000'000'000;  // year 2255: system_clock's nanoseconds end in 2262

}  // namespace

// Section: hashing

bool pin_is_valid(std::string_view pin) {
    return pin.size() >= 4 && pin.size() <= 12 &&
           std::all_of(pin.begin(), pin.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string hash_pin(std::string_view pin) {
    if (!pin_is_valid(pin)) throw std::invalid_argument("a PIN is 4 to 12 digits");
    auto area = std::make_unique<CryptArea>();
    // count 0 = libxcrypt's default cost; no random bytes given = a salt from the OS
    if (!crypt_gensalt_rn("$y$", 0, nullptr, 0, area->data.setting, sizeof area->data.setting))
        throw std::runtime_error(std::string("yescrypt: cannot make a salt: ") +
                                 std::strerror(errno));
    const char* out =
        crypt_rn(phrase(*area, pin), area->data.setting, &area->data, sizeof area->data);
    if (!out || out[0] == '*') throw std::runtime_error("yescrypt: hashing failed");
    return out;
}

bool pin_matches(std::string_view pin, const std::string& hash) {
    // Only yescrypt: an empty hash, a "*" failure token or an old weak scheme lets no one in.
    if (hash.rfind("$y$", 0) != 0 || hash.size() >= CRYPT_OUTPUT_SIZE ||
        hash.find('\0') != std::string::npos)
        return false;
    auto area = std::make_unique<CryptArea>();
    const char* input = phrase(*area, pin);
    if (!input) return false;
    std::memcpy(area->data.setting, hash.c_str(), hash.size() + 1);
    const char* out = crypt_rn(input, area->data.setting, &area->data, sizeof area->data);
    return out && out[0] != '*' && same(out, hash);
}

// Section: the gate

PinGate::PinGate(std::filesystem::path state_file, LockoutPolicy policy)
    : file_(std::move(state_file)), policy_(policy) {
    policy_.free_attempts = std::max(1, policy_.free_attempts);
    policy_.first = std::max(policy_.first, seconds(1));
    policy_.max = std::max(policy_.max, policy_.first);

    // POSIX reads: a folder or a bad sector is just "unreadable" here, never an exception.
    char buf[257];
    ssize_t n = -1;
    if (const int fd = ::open(file_.c_str(), O_RDONLY | O_CLOEXEC); fd >= 0) {
        n = ::read(fd, buf, sizeof buf);  // a small file: one read
        ::close(fd);
    } else if (errno == ENOENT) {
        return;  // first start: nothing locked
    }
    const std::string text(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
    std::string_view rest = text;
    long long failures = 0, until = 0;
    if (n < 0 || text.size() >= sizeof buf || !field(rest, "failures", failures) ||
        !field(rest, "locked_until", until) || !rest.empty() || failures < 0 ||
        failures > kMaxFailures || until < 0 || until > kMaxUntil) {
        log(Priority::Warning, "staff",
            "service lockout: %s unreadable or garbled; starting without a lockout", file_.c_str());
        return;
    }
    state_.failures = static_cast<int>(failures);
    state_.locked_until = std::chrono::sys_seconds(seconds(until));
}

seconds PinGate::lockout_for(int failures) const {
    if (failures < policy_.free_attempts) return 0s;
    seconds t = policy_.first;
    for (int i = policy_.free_attempts; i < failures && t < policy_.max; ++i) t *= 2;
    return std::min(t, policy_.max);
}

PinGate::State PinGate::failed(State s, Clock::time_point now) const {
    s.failures = std::min(s.failures + 1, kMaxFailures);
    if (const seconds lock = lockout_for(s.failures); lock > 0s)
        s.locked_until = std::chrono::floor<seconds>(now + lock);  // whole seconds, as in the file
    return s;
}

seconds PinGate::remaining(Clock::time_point now) const {
    const auto left = state_.locked_until - now;
    if (left <= 0s) return 0s;
    const seconds longest = lockout_for(state_.failures);
    if (left > longest + 1s) {
        // Only a clock set back (or a lowered policy) gets here: no lockout outlasts its step.
        state_.locked_until = std::chrono::floor<seconds>(now + longest);
        log(Priority::Warning, "staff",
            "service lockout: the clock went back; lockout cut to %lld s",
            static_cast<long long>(longest.count()));
        save(state_);
        return longest;
    }
    return std::chrono::ceil<seconds>(left);
}

seconds PinGate::wait(Clock::time_point now) const {
    std::lock_guard lock(mutex_);
    return remaining(now);
}

int PinGate::failures() const {
    std::lock_guard lock(mutex_);
    return state_.failures;
}

PinGate::Attempt PinGate::attempt(std::string_view pin, const std::string& hash,
                                  Clock::time_point now) {
    std::lock_guard one_at_a_time(attempts_);
    State wrong;
    {
        std::lock_guard lock(mutex_);
        if (const seconds left = remaining(now); left > 0s)
            return {Attempt::LockedOut, left, state_.failures};
        // Saved as wrong before the check: pulling the plug mid-check cannot undo the attempt.
        wrong = failed(state_, now);
        save(wrong);
    }
    const bool right = pin_matches(pin, hash);  // the slow part, with wait() free to answer
    std::lock_guard lock(mutex_);
    state_ = right ? State{} : wrong;
    if (right) {
        save(state_);
        return {Attempt::Accepted, 0s, 0};
    }
    return {Attempt::Refused, remaining(now), state_.failures};
}

// Atomic and private (0600, a missing state folder 0700): after a power cut the file is the old
// one or the new one, never half of each.
void PinGate::save(const State& s) const {
    const std::string text =
        "failures " + std::to_string(s.failures) + "\nlocked_until " +
        std::to_string(static_cast<long long>(s.locked_until.time_since_epoch().count())) + "\n";
    if (const auto saved = common::write_file_atomically(file_, text); !saved.ok())
        log(Priority::Warning, "staff", "service lockout: not saved for sure: %s; kept in memory",
            saved.message.c_str());
}

}  // namespace kiosk
