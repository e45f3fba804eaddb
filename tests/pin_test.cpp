// Service-mode PIN: hashes, the lockout gate and its file, and kiosk-pin-hash (the config check is
// in config_test).
#include "kiosk/pin.h"

#include <gtest/gtest.h>

#include <crypt.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <future>
#include <sstream>
#include <vector>

using namespace kiosk;
using namespace std::chrono_literals;
using Clock = std::chrono::system_clock;

namespace {

std::string read(const std::filesystem::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// A hash of the same PIN in another crypt scheme (valid for crypt, but not yescrypt).
std::string other_scheme(const char* prefix, const char* pin) {
    crypt_data data{};
    char setting[CRYPT_GENSALT_OUTPUT_SIZE];
    const char* out = crypt_rn(
        pin, crypt_gensalt_rn(prefix, 0, nullptr, 0, setting, sizeof setting), &data, sizeof data);
    return out ? out : "";
}

}  // namespace

// Section: hashing

TEST(PinHash, RoundTrip) {
    const std::string h = hash_pin("2468");
    EXPECT_TRUE(pin_matches("2468", h));
    EXPECT_FALSE(pin_matches("2469", h));
    EXPECT_FALSE(pin_matches("24680", h));
    EXPECT_FALSE(pin_matches("", h));
}

TEST(PinHash, EachHashHasItsOwnSalt) {
    const std::string a = hash_pin("2468"), b = hash_pin("2468");
    EXPECT_NE(a, b);
    EXPECT_TRUE(pin_matches("2468", a));
    EXPECT_TRUE(pin_matches("2468", b));
}

TEST(PinHash, IsYescryptAndHoldsNoPin) {
    const std::string pin = "314159265358", h = hash_pin(pin);
    EXPECT_EQ(h.rfind("$y$", 0), 0u) << h;
    EXPECT_EQ(h.find(pin), std::string::npos);
}

TEST(PinHash, MalformedHashesNeverMatch) {
    const std::string good = hash_pin("1234");
    std::string flipped = good;
    flipped.back() = flipped.back() == 'A' ? 'B' : 'A';
    std::string with_nul = good;
    with_nul.insert(with_nul.begin() + 10, '\0');
    for (const std::string& bad :
         {std::string(), std::string("1234"), std::string("*"), std::string("*0"),
          std::string("*1"), std::string("$y$"), std::string("$y$j9T$"),
          good.substr(0, good.size() - 5), good + "x", flipped, with_nul, std::string(1000, '$'),
          other_scheme("$6$", "1234"), other_scheme("$2b$", "1234")})
        EXPECT_FALSE(pin_matches("1234", bad)) << bad;
}

TEST(PinHash, BadPinsAreRefused) {
    for (const char* bad :
         {"", "123", "1234567890123", "12a4", " 1234", "1234\n", "-123", "12.4", "１２３４"}) {
        EXPECT_FALSE(pin_is_valid(bad)) << bad;
        try {
            hash_pin(bad);
            ADD_FAILURE() << "hashed " << bad;
        } catch (const std::invalid_argument& e) {
            EXPECT_EQ(std::string(e.what()).find(bad[0] ? bad : "\x01"), std::string::npos);
        }
    }
    EXPECT_TRUE(pin_is_valid("0000"));
    EXPECT_TRUE(pin_is_valid("123456789012"));
}

// Section: the gate

namespace {

struct PinLockout : ::testing::Test {
    static inline std::string hash;  // of "2468", made once: yescrypt is slow on purpose
    static void SetUpTestSuite() { hash = hash_pin("2468"); }

    std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                ("kiosk-pin-" + std::to_string(::getpid()) + "-" +
                                 ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::path file = dir / "service_lockout";
    LockoutPolicy policy{3, 2s, 8s};
    Clock::time_point t0 = std::chrono::floor<std::chrono::seconds>(Clock::now());

    void SetUp() override { std::filesystem::create_directories(dir); }
    void TearDown() override { std::filesystem::remove_all(dir); }

    void fail_until_locked(PinGate& gate, Clock::time_point at) {
        for (int i = 0; i < policy.free_attempts; ++i) gate.attempt("1111", hash, at);
    }
};

using Verdict = PinGate::Attempt::Verdict;

}  // namespace

TEST_F(PinLockout, WrongPinsLockAfterFreeAttemptsWithGrowingDelaysUpToMax) {
    PinGate gate(file, policy);
    EXPECT_EQ(gate.wait(t0), 0s);
    for (int i = 1; i < 3; ++i) {
        const auto a = gate.attempt("1111", hash, t0);
        EXPECT_EQ(a.verdict, Verdict::Refused);
        EXPECT_EQ(a.wait, 0s);
        EXPECT_EQ(a.failures, i);
    }
    auto at = t0;
    for (auto expected : {2s, 4s, 8s, 8s}) {
        const auto a = gate.attempt("1111", hash, at);
        EXPECT_EQ(a.verdict, Verdict::Refused);
        EXPECT_EQ(a.wait, expected);
        EXPECT_EQ(gate.wait(at), expected);
        EXPECT_EQ(gate.wait(at + expected - 1s), 1s);
        at += expected;
        EXPECT_EQ(gate.wait(at), 0s);
    }
    EXPECT_EQ(gate.failures(), 6);
}

TEST_F(PinLockout, RightPinWaitsOutTheLockoutThenResetsFailures) {
    PinGate gate(file, policy);
    fail_until_locked(gate, t0);
    auto a = gate.attempt("2468", hash, t0 + 1s);
    EXPECT_EQ(a.verdict, Verdict::LockedOut);
    EXPECT_EQ(a.wait, 1s);
    EXPECT_EQ(a.failures, 3);  // not counted: the PIN was not even looked at
    a = gate.attempt("2468", hash, t0 + 2s);
    EXPECT_EQ(a.verdict, Verdict::Accepted);
    EXPECT_EQ(a.wait, 0s);
    EXPECT_EQ(a.failures, 0);
    a = gate.attempt("1111", hash, t0 + 2s);  // counting starts again from zero
    EXPECT_EQ(a.verdict, Verdict::Refused);
    EXPECT_EQ(a.failures, 1);
    EXPECT_EQ(a.wait, 0s);
}

TEST_F(PinLockout, LockoutSurvivesARestart) {
    {
        PinGate gate(file, policy);
        fail_until_locked(gate, t0);
    }
    PinGate again(file, policy);
    EXPECT_EQ(again.failures(), 3);
    EXPECT_EQ(again.wait(t0), 2s);
    EXPECT_EQ(again.attempt("2468", hash, t0 + 1s).verdict, Verdict::LockedOut);
    EXPECT_EQ(again.attempt("1111", hash, t0 + 2s).wait, 4s);  // the count went on
    EXPECT_FALSE(std::filesystem::exists(dir / "service_lockout.tmp"));
    EXPECT_EQ(std::filesystem::status(file).permissions(),
              std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

TEST_F(PinLockout, StateFileHoldsNoPin) {
    PinGate gate(file, policy);
    gate.attempt("97531", hash, t0);
    const std::string text = read(file);
    EXPECT_EQ(text.find("97531"), std::string::npos);
    EXPECT_EQ(text.find("failures 1\n"), 0u) << text;
}

TEST_F(PinLockout, GarbledOrUnreadableFileMeansNoLockout) {
    for (const std::string& text :
         {std::string(), std::string("failures banana\nlocked_until 1\n"),
          std::string("failures -3\nlocked_until 99999999999\n"), std::string("failures 5\n"),
          std::string("failures 5\nlocked_until 99999999999999\n"),
          std::string("failures 5\nlocked_until 99999999999\nmore\n"), std::string(10000, '7')}) {
        std::ofstream(file, std::ios::trunc) << text;
        PinGate gate(file, policy);
        EXPECT_EQ(gate.wait(t0), 0s) << text;
        EXPECT_EQ(gate.failures(), 0) << text;
    }
    std::filesystem::remove(file);
    std::filesystem::create_directory(file);  // a folder where the file should be: unreadable
    PinGate gate(file, policy);
    EXPECT_EQ(gate.wait(t0), 0s);
    EXPECT_EQ(gate.attempt("2468", hash, t0).verdict,
              Verdict::Accepted);  // still usable, in memory
}

TEST_F(PinLockout, ClockSetBackNeverLocksLongerThanMax) {
    PinGate gate(file, policy);
    fail_until_locked(gate, t0 + 24h);  // the failures happened while the clock ran a day ahead
    EXPECT_LE(gate.wait(t0), policy.max);
    EXPECT_EQ(gate.attempt("2468", hash, t0 + policy.max).verdict, Verdict::Accepted);

    // A file from a far future, as after the clock was corrected, both live and after a restart.
    std::ofstream(file, std::ios::trunc) << "failures 9\nlocked_until 4102444800\n";  // 2100-01-01
    PinGate restarted(file, policy);
    EXPECT_LE(restarted.wait(t0), policy.max);
    EXPECT_LE(PinGate(file, policy).wait(t0 + 1s), policy.max);
    EXPECT_EQ(restarted.attempt("2468", hash, t0 + policy.max).verdict, Verdict::Accepted);
}

TEST_F(PinLockout, EmptyHashMatchesNothing) {
    PinGate gate(file, policy);
    for (const char* pin : {"", "0000", "2468"})
        EXPECT_EQ(gate.attempt(pin, "", t0).verdict, Verdict::Refused);
}

TEST_F(PinLockout, ConcurrentAttemptsAreCountedOneByOne) {
    PinGate gate(file, policy);
    std::vector<std::future<PinGate::Attempt>> attempts;
    for (int i = 0; i < 8; ++i)
        attempts.push_back(
            std::async(std::launch::async, [&] { return gate.attempt("1111", hash, t0); }));
    int refused = 0, locked = 0;
    for (auto& a : attempts) (a.get().verdict == Verdict::Refused ? refused : locked)++;
    EXPECT_EQ(refused, 3);
    EXPECT_EQ(locked, 5);
    EXPECT_EQ(gate.failures(), 3);
}

// Section: kiosk-pin-hash

namespace {

struct Ran {
    int code;
    std::string out;
};

Ran run(const std::string& command) {
    FILE* p = ::popen(command.c_str(), "r");
    std::string out;
    char buf[256];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
    const int status = ::pclose(p);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

const std::string tool = std::string("'") + KIOSK_PIN_HASH + "'";

}  // namespace

TEST(PinTool, PrintsALineWhoseHashMatchesThePinFed) {
    for (const char* input : {"4711\\n", "4711", "4711\\r\\n"}) {
        const Ran r = run(std::string("printf '") + input + "' | " + tool + " 2>/dev/null");
        ASSERT_EQ(r.code, 0) << input;
        const std::string prefix = "pin_hash = \"";
        ASSERT_EQ(r.out.rfind(prefix + "$y$", 0), 0u) << r.out;
        ASSERT_EQ(r.out.substr(r.out.size() - 2), "\"\n");
        const std::string h = r.out.substr(prefix.size(), r.out.size() - prefix.size() - 2);
        EXPECT_TRUE(pin_matches("4711", h)) << h;
        EXPECT_FALSE(pin_matches("4712", h));
    }
}

TEST(PinTool, RefusesWhatIsNotAPin) {
    for (const char* input : {"12a4\\n", "123\\n", "", "\\n", "1234567890123\\n"}) {
        const Ran r = run(std::string("printf '") + input + "' | " + tool + " 2>&1");
        EXPECT_EQ(r.code, 1) << input;
        EXPECT_EQ(r.out.find("pin_hash"), std::string::npos) << r.out;
        EXPECT_EQ(r.out.find("12a4"), std::string::npos) << r.out;
    }
}

TEST(PinTool, RefusesThePinAsAnArgument) {
    const Ran out = run(tool + " 4711 </dev/null 2>/dev/null");
    EXPECT_EQ(out.code, 2);
    EXPECT_EQ(out.out, "");
    const Ran err = run(tool + " 4711 </dev/null 2>&1 >/dev/null");
    EXPECT_EQ(err.out.find("4711"), std::string::npos) << err.out;
    EXPECT_NE(err.out.find("usage:"), std::string::npos) << err.out;
}
