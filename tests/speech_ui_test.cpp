// The kiosk without sight: the real program under Xvfb, driven by keypad keys only (xdotool
// key), its speech written by SDL's file-writing audio driver and listened to as numbers.
#include "kiosk_driver.h"
#include "process.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>

using namespace testsupport;
using namespace std::chrono_literals;

namespace {

std::string test_name() { return ::testing::UnitTest::GetInstance()->current_test_info()->name(); }

// The speech written: mono 16-bit samples at the voice's rate (22050 Hz), in 20 ms windows.
// The disk driver writes silence whenever the voice falls behind (a loaded machine), so speech
// is measured as the sum of its loud windows, never as one unbroken stretch.
struct Audio {
    double seconds = 0, speech_seconds = 0;
    double speech_since = 0;      // speech written after the byte `since` given to listen()
    double trailing_silence = 0;  // silence after everything said
};

Audio listen(const std::string& raw, std::uintmax_t since = 0) {
    std::ifstream in(raw, std::ios::binary);
    const std::vector<char> bytes((std::istreambuf_iterator<char>(in)), {});
    const std::size_t n = bytes.size() / 2;
    const std::size_t window = 441;  // 20 ms
    Audio a;
    a.seconds = n / 22050.0;
    int quiet = 0;
    for (std::size_t at = 0; at + window <= n; at += window) {
        double sum = 0;
        for (std::size_t i = 0; i < window; ++i) {
            std::int16_t v;
            std::memcpy(&v, &bytes[(at + i) * 2], 2);
            sum += double(v) * v;
        }
        const bool loud = std::sqrt(sum / window) > 300;  // speech, well above the dither of none
        if (loud) {
            a.speech_seconds += 0.02;
            if (at * 2 >= since) a.speech_since += 0.02;
            quiet = 0;
        } else {
            ++quiet;
        }
    }
    a.trailing_silence = quiet * 0.02;
    return a;
}

// A citizen with a keypad: moves by listening, which here is reading the probe's keypad line.
struct Keypad {
    Kiosk& k;

    // Down (then up) until the keypad is on the item.
    void to(const std::string& id) {
        for (int i = 0; i < 80 && k.keypad() != id; ++i) {
            const std::string before = k.keypad();
            k.key("KP_2");
            if (k.keypad() == before) break;  // the end of the screen
        }
        for (int i = 0; i < 80 && k.keypad() != id; ++i) k.key("KP_8");
        ASSERT_EQ(k.keypad(), id);
    }
    // Across the on-screen keyboard: rows by height, keys by place.
    bool key_to(const std::string& id) {
        for (int guard = 0; guard < 60; ++guard) {
            const auto t = k.targets();
            const auto at = t.find(k.keypad()), to = t.find(id);
            if (at == t.end() || to == t.end()) return false;
            if (at->first == id) return true;
            const auto& a = at->second;
            const auto& b = to->second;
            if (b.y > a.y + a.h / 2)
                k.key("KP_2");
            else if (b.y + b.h / 2 < a.y)
                k.key("KP_8");
            else
                k.key(b.x > a.x ? "KP_6" : "KP_4");
        }
        return false;
    }
    void type(const std::string& text) {
        for (std::size_t i = 0, next; i < text.size(); i = next) {
            next = common::next_code_point(text, i);
            const std::string ch = text.substr(i, next - i);
            const std::string id = "key:" + (ch == " " ? std::string("space") : ch);
            if (!k.appears(id, 0ms)) {  // a capital, or a sign on the symbols
                for (const char* other : {"key:shift", "key:symbols"}) {
                    if (!k.appears(other, 0ms)) continue;
                    ASSERT_TRUE(key_to(other));
                    k.key("KP_5");
                    if (k.appears(id, 0ms)) break;
                    k.key("KP_5");
                }
            }
            ASSERT_TRUE(key_to(id)) << "no key for " << ch;
            k.key("KP_5");
        }
    }
    // Enter on a field, its text, and 0 off the keyboard.
    void fill(const std::string& field, const std::string& text) {
        to(field);
        k.key("KP_5");
        ASSERT_EQ(k.keypad().rfind("key:", 0), 0u) << k.keypad();
        type(text);
        k.key("KP_0");
        ASSERT_EQ(k.keypad(), field);
    }
    // Down to the way on, and Enter.
    void next() {
        to("nav.next");
        k.key("KP_Enter");
    }
};

}  // namespace

// A whole complaint in Kazakh with the keypad alone: speech turned on by the first key, every
// field typed on the on-screen keyboard moved through by 8, 2, 4 and 6, signed with the keypad,
// found in the register; the audio written is speech wherever something was said.
TEST(Speech, AComplaintIsFiledInKazakhWithKeypadKeysOnly) {
    DevRegister reg;
    Xvfb x(1080, 1920);
    const std::string audio = make_temp_dir("kiosk-audio") + "/speech.raw";
    Kiosk k(x, reg, test_name(), {.env = {"SDL_AUDIODRIVER=disk", "SDL_DISKAUDIOFILE=" + audio}});
    Keypad pad{k};
    k.key("KP_5");  // any key: speech on, the keypad on the first language
    EXPECT_EQ(k.keypad(), "language:kk");
    k.key("KP_5");
    k.wait_for("home.file");
    EXPECT_EQ(k.keypad(), "home.file");
    k.screenshot("speech-01-home");
    k.key("KP_5");
    pad.to("addressee.provider_head");
    k.key("KP_5");
    pad.next();
    k.wait_for("service:KZ-GU-001", 20s);  // the catalog, fetched in the background
    pad.to("service:KZ-GU-001");
    k.key("KP_5");
    pad.next();
    pad.fill("field.surname#0", "Әлиева");
    k.screenshot("speech-02-applicant");
    pad.fill("field.first_name#0", "Гүл");
    pad.fill("field.iin#0", "900101300007");
    pad.fill("field.postal_address#0", "Көкшетау, Абай 83");
    pad.next();
    pad.fill("field.official_position#0", "Маман");
    pad.fill("field.official_surname#0", "Омаров");
    pad.fill("field.official_initials#0", "А.Б.");
    pad.next();
    pad.to("ground.deadline");
    k.key("KP_5");
    pad.fill("field.demands#0", "Беріңіз");
    pad.next();
    pad.fill("field.phone#0", "87011234567");
    pad.next();
    pad.to("review.consent");
    k.key("KP_5");
    pad.next();
    pad.to("signature:pad");
    k.key("KP_5");
    k.screenshot("speech-03-signed");
    pad.next();
    k.wait_for("panel:done", 30s);
    const std::uintmax_t done_at = std::filesystem::file_size(audio);
    k.screenshot("speech-04-done");
    const auto rows = reg.query("SELECT last_name, first_name, attributes FROM requests", {});
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0][0], "Әлиева");
    EXPECT_EQ(rows[0][1], "Гүл");
    EXPECT_NE(rows[0][2].find("keypad"), std::string::npos);
    // The done screen says its number and where the talon is: listened to once it has ended
    // (a second of silence written after it), while the kiosk is still running.
    Audio a;
    eventually(
        [&] {
            a = listen(audio, done_at);
            return a.trailing_silence >= 1.0 && a.speech_since > 4.0;
        },
        90s);
    EXPECT_GE(a.trailing_silence, 1.0) << "the done screen's speech did not end";
    EXPECT_GT(a.speech_since, 4.0) << "the done screen said too little to hold the number";
    EXPECT_GT(a.speech_seconds, 8.0) << a.seconds << " s written";
    EXPECT_LT(a.speech_seconds, a.seconds - 1.0) << "no silence: noise, not speech";
}

// No audio device: the kiosk starts and works, and says speech is unavailable where staff and
// operators look; the keypad still moves the ring through the screen.
TEST(Speech, WithoutAnAudioDeviceTheKioskWorksAndReportsSpeechUnavailable) {
    DevRegister reg;
    Xvfb x(1080, 1920);
    Kiosk k(x, reg, test_name(), {.env = {"SDL_AUDIODRIVER=none-such"}});
    const std::string metrics = k.management("/metrics").body;
    EXPECT_NE(metrics.find("kiosk_speech_available 0"), std::string::npos) << metrics;
    const HttpAnswer health = k.management("/healthz");
    EXPECT_EQ(health.status, 200);
    EXPECT_NE(health.body.find("speech unavailable"), std::string::npos) << health.body;
    k.press("language:ru");
    k.wait_for("home.file");
    EXPECT_FALSE(k.appears("access.speech", 300ms));  // nothing to turn on
    // Keys the kiosk does not use do nothing: no keypad ring, the same screen.
    k.key("F7");
    k.key("a");  // no field here takes letters
    EXPECT_EQ(k.keypad(), "");
    EXPECT_TRUE(k.appears("home.file", 0ms));
    k.key("KP_2");
    EXPECT_FALSE(k.keypad().empty());
    EXPECT_FALSE(k.appears("notice:speech", 300ms));  // no voice: nothing claims to speak
    // A physical keyboard types into the focused field (an empty one would look nothing up).
    k.press("home.status");
    k.wait_for("status.check");
    const unsigned long taps = k.frame().taps;
    k.xdotool({"type", "--delay", "20", "ZT-42"});
    k.settle(taps + 5);
    k.press("status.check");
    k.wait_for("notice:status", 20s);
    k.screenshot("speech-05-typed-status");
    // Said once in the log, however often speech was asked for.
    const std::string log = k.log();
    std::size_t said = 0;
    for (std::size_t at = 0; (at = log.find("speech unavailable", at)) != std::string::npos; ++at)
        ++said;
    EXPECT_EQ(said, 1u) << log;
}

// The Speech switch in the bottom bar turns speech on (the keypad's ring appears, and the
// notice that the citizen's data is not read aloud) and off again.
TEST(Speech, TheSpeechSwitchTurnsItOnAndOff) {
    DevRegister reg;
    Xvfb x(1080, 1920);
    Kiosk k(x, reg, test_name());
    k.press("language:en");
    k.wait_for("home.file");
    EXPECT_EQ(k.keypad(), "");
    k.press("access.speech");
    k.wait_for("notice:speech");
    EXPECT_EQ(k.keypad(), "home.file");
    k.screenshot("speech-06-switch-on");
    k.press("speech.aloud");  // "read my details aloud"
    k.press("access.speech");
    EXPECT_FALSE(k.appears("notice:speech", 500ms));
    EXPECT_EQ(k.keypad(), "");
    const std::string metrics = k.management("/metrics").body;
    EXPECT_NE(metrics.find("kiosk_speech_available 1"), std::string::npos) << metrics;
    EXPECT_NE(metrics.find("kiosk_speech_sessions_total 1"), std::string::npos) << metrics;
}
