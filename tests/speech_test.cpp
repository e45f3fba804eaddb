// The kiosk's voice (kiosk/voice.h): espeak-ng speaks each language, a new utterance or
// silence() cuts the old one off, bad data folders are refused with a reason, and the audio
// thread's pull() runs beside say() (scripts/tsan runs this program). Every wait is on what the
// voice reports (speaking(), its counters), bounded by a deadline.
#include "process.h"

#include "kiosk/voice.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <thread>
#include <vector>

namespace {

namespace fs = std::filesystem;
using kiosk::Voice;
using kiosk::VoiceOptions;
using Samples = std::vector<std::int16_t>;

constexpr int kRate = 175;  // espeak-ng's usual words per minute
constexpr auto kDeadline = std::chrono::seconds(60);

// Section: helpers

std::unique_ptr<Voice> open_voice(const VoiceOptions& options = {}) {
    std::string error;
    auto voice = Voice::open(options, error);
    EXPECT_NE(voice, nullptr) << error;
    return voice;
}

// Polls what the voice reports until `done` holds; false at the deadline.
template <class Check>
bool wait_until(Check done) {
    return testsupport::eventually(done, kDeadline);
}

// Pulls as an audio device would and keeps the speech samples (the zeros pull() pads with when
// synthesis is behind are not speech: the counters say how many were), until `enough` holds
// or the voice has nothing more to say.
Samples pull_while(Voice& v, const std::function<bool(const Samples&)>& enough) {
    Samples out, buffer(512);
    const auto until = std::chrono::steady_clock::now() + kDeadline;
    while (v.speaking() && !enough(out)) {
        const auto before = v.counters().samples;
        v.pull(buffer.data(), buffer.size(), 1.f);
        const auto given = static_cast<std::size_t>(v.counters().samples - before);
        out.insert(out.end(), buffer.begin(), buffer.begin() + static_cast<long>(given));
        if (given == 0) std::this_thread::yield();
        if (std::chrono::steady_clock::now() > until) {
            ADD_FAILURE() << "still speaking after " << kDeadline.count() << " s";
            break;
        }
    }
    return out;
}

Samples pull_all(Voice& v) {
    return pull_while(v, [](const Samples&) { return false; });
}

Samples speak(Voice& v, const std::string& text, std::string_view language, int rate = kRate) {
    v.say(text, language, rate);
    return pull_all(v);
}

double rms(const Samples& s) {
    if (s.empty()) return 0;
    double sum = 0;
    for (std::int16_t x : s) sum += static_cast<double>(x) * x;
    return std::sqrt(sum / static_cast<double>(s.size()));
}

constexpr int kQuiet = 300;  // a sample below this is quiet

// The longest run of quiet samples strictly inside the speech (from the first loud sample to
// the last), in milliseconds: espeak-ng's pause at a comma.
double longest_inner_pause_ms(const Samples& s, int sample_rate) {
    std::size_t first = 0, last = s.size();
    while (first < s.size() && std::abs(s[first]) < kQuiet) ++first;
    while (last > first && std::abs(s[last - 1]) < kQuiet) --last;
    std::size_t longest = 0, run = 0;
    for (std::size_t i = first; i < last; ++i) {
        run = std::abs(s[i]) < kQuiet ? run + 1 : 0;
        longest = std::max(longest, run);
    }
    return 1000.0 * static_cast<double>(longest) / sample_rate;
}

// The time with sound: all but the quiet stretches of 50 ms or more.
double sounding_seconds(const Samples& s, int sample_rate) {
    const std::size_t pause = static_cast<std::size_t>(sample_rate) / 20;
    std::size_t quiet = 0, run = 0;
    for (std::size_t i = 0; i <= s.size(); ++i) {
        if (i < s.size() && std::abs(s[i]) < kQuiet) {
            ++run;
            continue;
        }
        if (run >= pause) quiet += run;
        run = 0;
    }
    return static_cast<double>(s.size() - quiet) / sample_rate;
}

double seconds(const Samples& s, const Voice& v) {
    return static_cast<double>(s.size()) / v.sample_rate();
}

// espeak-ng-data as Debian installs it (its place depends on the architecture).
fs::path system_espeak_data() {
    std::error_code ec;
    for (const auto& lib : fs::directory_iterator("/usr/lib", ec))
        if (fs::is_directory(lib.path() / "espeak-ng-data" / "voices", ec))
            return lib.path() / "espeak-ng-data";
    return "/usr/share/espeak-ng-data";
}

class Scratch {
public:
    Scratch() : path_(testsupport::make_temp_dir("speech_test")) {}
    ~Scratch() {
        std::error_code ec;
        if (!path_.empty()) fs::remove_all(path_, ec);
    }
    const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

const std::string kLong =
    "This is a long text that goes on and on, with many words in it, so that it takes well over "
    "ten seconds to say: the kiosk reads out a whole screen at times, a list of services, or "
    "the procedure for an appeal, and a citizen who has heard enough presses a key and expects "
    "the kiosk to stop at once and say the next thing instead of finishing this one.";

// Section: speaking

TEST(Voice, EachLanguageIsSpoken) {
    auto v = open_voice();
    ASSERT_TRUE(v);
    EXPECT_EQ(v->sample_rate(), 22050);
    const std::pair<const char*, const char*> phrases[] = {
        {"kk", "Шағымыңыз тіркелді. Талонды алыңыз."},
        {"ru", "Ваша жалоба зарегистрирована. Возьмите талон."},
        {"en", "Your complaint is registered. Take your talon."}};
    std::uint64_t utterances = 0;
    for (const auto& [language, text] : phrases) {
        const Samples s = speak(*v, text, language);
        EXPECT_GT(seconds(s, *v), 1.0) << language;
        EXPECT_GT(rms(s), 1000.0) << language;
        EXPECT_FALSE(v->speaking()) << language;
        EXPECT_EQ(v->counters().utterances, ++utterances) << language;
    }
}

TEST(Voice, NothingSaidGivesSilence) {
    auto v = open_voice();
    ASSERT_TRUE(v);
    EXPECT_FALSE(v->speaking());
    Samples buffer(2048, 1234);
    v->pull(buffer.data(), buffer.size(), 1.f);
    EXPECT_EQ(rms(buffer), 0.0);
    EXPECT_EQ(v->counters().samples, 0u);
}

TEST(Voice, ANewUtteranceCutsTheOldOneOff) {
    auto v = open_voice();
    ASSERT_TRUE(v);
    const std::string kShort = "Take your talon.";
    const Samples alone = speak(*v, kShort, "en");
    ASSERT_GT(alone.size(), 0u);

    v->say(kLong, "en", kRate);
    // Well into the long text, then the short one instead.
    const Samples begun = pull_while(
        *v, [&](const Samples& s) { return static_cast<int>(s.size()) > v->sample_rate(); });
    ASSERT_GE(static_cast<int>(begun.size()), v->sample_rate());
    v->say(kShort, "en", kRate);
    const Samples after = pull_all(*v);
    // What is heard after the switch is the short text alone (espeak-ng's voice varies a little
    // from one utterance to the next), not the ten seconds and more the long one had left.
    EXPECT_NEAR(static_cast<double>(after.size()), static_cast<double>(alone.size()),
                0.1 * static_cast<double>(alone.size()));
}

TEST(Voice, SilenceStopsSpeech) {
    auto v = open_voice();
    ASSERT_TRUE(v);
    v->say(kLong, "en", kRate);
    ASSERT_TRUE(wait_until([&] { return v->counters().utterances == 1; }));
    Samples buffer(4096);
    v->pull(buffer.data(), buffer.size(), 1.f);
    v->silence();
    // The worker notices at its next buffer; nothing more is queued meanwhile.
    ASSERT_TRUE(wait_until([&] { return !v->speaking(); }));
    const auto given = v->counters().samples;
    v->pull(buffer.data(), buffer.size(), 1.f);
    EXPECT_EQ(rms(buffer), 0.0);
    EXPECT_EQ(v->counters().samples, given);
    // And it speaks again afterwards.
    EXPECT_GT(rms(speak(*v, "Hello.", "en")), 1000.0);
}

TEST(Voice, AnUnknownLanguageSaysNothingAndStopsWhatWasSaid) {
    auto v = open_voice();
    ASSERT_TRUE(v);
    v->say("Hello there.", "de", kRate);
    EXPECT_FALSE(v->speaking());
    v->say(kLong, "en", kRate);
    ASSERT_TRUE(wait_until([&] { return v->counters().utterances == 1; }));
    for (const char* language : {"", "kz", "EN", "en-US", "russian"}) {
        v->say("Hello there.", language, kRate);
        ASSERT_TRUE(wait_until([&] { return !v->speaking(); })) << language;
    }
    Samples buffer(4096);
    v->pull(buffer.data(), buffer.size(), 1.f);
    EXPECT_EQ(rms(buffer), 0.0);
    EXPECT_EQ(v->counters().samples, 0u);
    EXPECT_EQ(v->counters().utterances, 1u);
}

TEST(Voice, RateIsWordsPerMinuteWithinLimits) {
    auto v = open_voice();
    ASSERT_TRUE(v);
    const std::string text = "Your complaint is registered, take your talon from the printer.";
    const double slow = seconds(speak(*v, text, "en", 100), *v);
    const double fast = seconds(speak(*v, text, "en", 300), *v);
    EXPECT_GT(slow, 2.0 * fast);
    // Out of range is clamped to 80..450, never refused.
    const double slowest = seconds(speak(*v, text, "en", 10), *v);
    const double clamped = seconds(speak(*v, text, "en", 80), *v);
    EXPECT_NEAR(slowest, clamped, 0.1 * clamped);
    EXPECT_GT(seconds(speak(*v, text, "en", 100000), *v), 0.2);
}

TEST(Voice, GainScalesTheSamples) {
    auto v = open_voice();
    ASSERT_TRUE(v);
    // The same text at each gain: its loudness, and how much speech was given out.
    const auto spoken_at = [&](float gain) {
        v->say("Take your talon from the printer.", "en", kRate);
        Samples out, buffer(512);
        while (v->speaking()) {
            const auto before = v->counters().samples;
            v->pull(buffer.data(), buffer.size(), gain);
            out.insert(out.end(), buffer.begin(),
                       buffer.begin() + static_cast<long>(v->counters().samples - before));
        }
        return std::pair(rms(out), out.size());
    };
    const auto [full, full_count] = spoken_at(1.f);
    const auto [half, half_count] = spoken_at(0.5f);
    const auto [over, over_count] = spoken_at(7.f);
    const auto [muted, muted_count] = spoken_at(0.f);
    ASSERT_GT(full, 1000.0);
    // espeak-ng's voice varies a little from one utterance to the next.
    EXPECT_NEAR(half / full, 0.5, 0.05);
    EXPECT_NEAR(over / full, 1.0, 0.05);  // beyond 1 is taken as 1
    EXPECT_EQ(muted, 0.0);
    EXPECT_NEAR(static_cast<double>(muted_count), static_cast<double>(full_count),
                0.1 * static_cast<double>(full_count));
}

TEST(Voice, PartsAreSpokenOneAfterTheOtherEachInItsLanguage) {
    auto v = open_voice();
    ASSERT_TRUE(v);
    const std::string kk = "Шағым беру.", ru = "Подать жалобу.", en = "File a complaint.";
    const double each = seconds(speak(*v, kk, "kk"), *v) + seconds(speak(*v, ru, "ru"), *v) +
                        seconds(speak(*v, en, "en"), *v);
    const auto utterances = v->counters().utterances;
    v->say({{kk, "kk"}, {ru, "ru"}, {en, "en"}}, kRate);
    const double together = seconds(pull_all(*v), *v);
    EXPECT_NEAR(together, each, 0.1 * each);
    EXPECT_EQ(v->counters().utterances, utterances + 1);  // one utterance of three parts

    // A part in no language of the kiosk, or with nothing to say, is left out.
    const double english = seconds(speak(*v, en, "en"), *v);
    v->say({{"Guten Tag.", "de"}, {en, "en"}, {"\x01 ", "kk"}}, kRate);
    EXPECT_NEAR(seconds(pull_all(*v), *v), english, 0.1 * english);
    v->say({{"Guten Tag.", "de"}, {"", "en"}}, kRate);
    EXPECT_FALSE(v->speaking());
}

// Section: what espeak-ng makes of the text

TEST(Voice, ACommaGivesAPause) {
    auto v = open_voice();
    ASSERT_TRUE(v);
    const Samples plain = speak(*v, "one two three four", "en");
    const Samples commas = speak(*v, "one, two, three, four", "en");
    const double plain_pause = longest_inner_pause_ms(plain, v->sample_rate());
    const double comma_pause = longest_inner_pause_ms(commas, v->sample_rate());
    EXPECT_GT(comma_pause, plain_pause + 80) << plain_pause << " ms, " << comma_pause << " ms";
    // The commas themselves are not read out: the time with sound is about the same (read out,
    // "one comma two comma ..." sounds 0.7 s longer).
    EXPECT_LT(sounding_seconds(commas, v->sample_rate()),
              sounding_seconds(plain, v->sample_rate()) + 0.35);
}

TEST(Voice, LetterByLetterSpacesCharacters) {
    using kiosk::letter_by_letter;
    EXPECT_EQ(letter_by_letter("ЖТ-2026-000123"), "Ж Т - 2 0 2 6 - 0 0 0 1 2 3");
    EXPECT_EQ(letter_by_letter("  ЖТ  7\n"), "Ж Т 7");
    EXPECT_EQ(letter_by_letter("Ә\xffІ"), "Ә І");
    EXPECT_EQ(letter_by_letter(""), "");
}

TEST(Voice, SpacedDigitsAreReadOneByOne) {
    auto v = open_voice();
    ASSERT_TRUE(v);
    // "one million" against "one zero zero zero zero zero zero", in each language.
    for (const char* language : {"kk", "ru", "en"}) {
        const double number = seconds(speak(*v, "1000000", language), *v);
        const double digits = seconds(speak(*v, kiosk::letter_by_letter("1000000"), language), *v);
        EXPECT_GT(digits, 1.8 * number) << language << ": " << number << " s, " << digits << " s";
    }
}

TEST(Voice, MalformedTextIsSpokenWithoutTheBadBytes) {
    auto v = open_voice();
    ASSERT_TRUE(v);
    EXPECT_GT(rms(speak(*v, "\xff\xfeHello\x01 there\xc3", "en")), 1000.0);
    EXPECT_EQ(speak(*v, "\xff\xfe\x01", "en").size(), 0u);
}

// Section: espeak-ng that cannot start

// A refusal checked before espeak-ng sees the folder, in this process.
TEST(Voice, AFolderWithoutEspeakDataIsRefused) {
    Scratch scratch;
    ASSERT_FALSE(scratch.path().empty());
    for (const fs::path& data : {scratch.path() / "missing", scratch.path()}) {
        std::string error;
        EXPECT_EQ(Voice::open({data}, error), nullptr);
        EXPECT_EQ(error, "no espeak-ng data in " + data.string() +
                             " (the espeak-ng-data folder or the folder holding it)");
    }
    // A refused open leaves espeak-ng free for the next.
    EXPECT_NE(open_voice(), nullptr);
}

// espeak-ng starts once per process and never again (voice.h): starting it on other data is
// seen in a process of its own, re-run from the start ("threadsafe" death tests). The child
// prints "open: " and open()'s error or "speaks", removes its own scratch folder (it made it
// again on its way here) and exits 0.
void open_in_a_fresh_process(const fs::path& data, const fs::path& scratch) {
    std::string error;
    const auto voice = Voice::open({data}, error);
    if (voice) {
        voice->say("Hello.", "en", kRate);
        error = rms(pull_all(*voice)) > 1000.0 ? "speaks" : "says nothing";
    }
    std::fprintf(stderr, "open: %s\n", error.c_str());
    std::error_code ec;
    fs::remove_all(scratch, ec);
    std::_Exit(0);
}

TEST(VoiceStart, AnEmptyDataFolderIsRefusedWithEspeakNgsReason) {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    Scratch scratch;
    ASSERT_FALSE(scratch.path().empty());
    fs::create_directory(scratch.path() / "espeak-ng-data");
    // espeak-ng's own reason, naming the file it missed.
    EXPECT_EXIT(open_in_a_fresh_process(scratch.path(), scratch.path()),
                ::testing::ExitedWithCode(0),
                "open: espeak-ng cannot start: .*espeak-ng-data/phontab");
}

TEST(VoiceStart, DataWithoutTheKazakhVoiceIsRefused) {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    const fs::path system = system_espeak_data();
    ASSERT_TRUE(fs::is_directory(system)) << system;
    Scratch scratch;
    ASSERT_FALSE(scratch.path().empty());
    // The system's data, linked file by file, but for Kazakh's dictionary.
    const fs::path data = scratch.path() / "espeak-ng-data";
    fs::create_directory(data);
    for (const auto& entry : fs::directory_iterator(system))
        if (entry.path().filename() != "kk_dict")
            fs::create_symlink(entry.path(), data / entry.path().filename());
    EXPECT_EXIT(open_in_a_fresh_process(scratch.path(), scratch.path()),
                ::testing::ExitedWithCode(0), "open: espeak-ng has no kk voice");
}

TEST(VoiceStart, TheDataFolderOrTheFolderHoldingItSpeaks) {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    Scratch scratch;
    ASSERT_FALSE(scratch.path().empty());
    fs::create_symlink(system_espeak_data(), scratch.path() / "espeak-ng-data");
    EXPECT_EXIT(open_in_a_fresh_process(scratch.path(), scratch.path()),
                ::testing::ExitedWithCode(0), "open: speaks");
    EXPECT_EXIT(open_in_a_fresh_process(scratch.path() / "espeak-ng-data", scratch.path()),
                ::testing::ExitedWithCode(0), "open: speaks");
}

TEST(Voice, OneVoiceAtATime) {
    auto first = open_voice();
    ASSERT_TRUE(first);
    std::string error;
    EXPECT_EQ(Voice::open({}, error), nullptr);
    EXPECT_NE(error.find("already in use"), std::string::npos) << error;
    first.reset();
    EXPECT_NE(open_voice(), nullptr);
}

TEST(Voice, OneDataFolderPerProcess) {
    // espeak-ng started on the system's data (here, or by an earlier test of this process).
    open_voice().reset();
    Scratch scratch;
    ASSERT_FALSE(scratch.path().empty());
    fs::create_symlink(system_espeak_data(), scratch.path() / "espeak-ng-data");
    std::string error;
    EXPECT_EQ(Voice::open({scratch.path()}, error), nullptr);
    EXPECT_EQ(error,
              "espeak-ng runs on the system's data in this process: another data folder needs a "
              "restart");
}

// Section: threads

TEST(Voice, PullFromTheAudioThreadWhileSayIsCalledOverAndOver) {
    auto v = open_voice();
    ASSERT_TRUE(v);
    std::atomic<std::uint64_t> loud{0};
    std::jthread audio([&](std::stop_token stop) {
        Samples buffer(256);
        while (!stop.stop_requested()) {
            v->pull(buffer.data(), buffer.size(), 0.8f);
            for (std::int16_t s : buffer) loud += s != 0;
        }
    });
    const char* texts[][2] = {{"kk", "Келесі қадам."},
                              {"ru", "Следующий шаг."},
                              {"en", "Next step."},
                              {"xx", "nothing"},
                              {"en", kLong.c_str()}};
    constexpr int kSays = 200;
    for (int i = 0; i < kSays; ++i) {
        const auto& [language, text] = texts[i % 5];
        v->say(text, language, 150 + i);
        if (i % 7 == 0) v->silence();
        // Now and then until the worker has started it, so synthesis and pulls overlap.
        if (i % 10 == 0) {
            const auto started = v->counters().utterances;
            v->say("Шағым.", "kk", kRate);
            ASSERT_TRUE(wait_until([&] { return v->counters().utterances > started; }));
        }
        (void)v->speaking();
    }
    v->say("Соңы.", "kk", kRate);
    ASSERT_TRUE(wait_until([&] { return !v->speaking(); }));
    audio.request_stop();
    audio.join();
    EXPECT_GT(loud.load(), 0u);
    EXPECT_LE(v->counters().utterances, static_cast<std::uint64_t>(kSays + kSays / 10 + 1));
}

TEST(Voice, ClosingWhileSynthesisWaitsForRoomEnds) {
    // Nobody pulls: synthesis fills the queue and waits for room; the destructor still ends it.
    auto v = open_voice();
    ASSERT_TRUE(v);
    std::string text;
    for (int i = 0; i < 12; ++i) text += kLong + " ";  // about four minutes of speech
    v->say(text, "en", kRate);
    const auto full = static_cast<std::uint64_t>(v->sample_rate()) * kiosk::kMaxQueuedSeconds;
    ASSERT_TRUE(wait_until([&] { return v->counters().queued == full; }));
    EXPECT_TRUE(v->speaking());
    v.reset();
}

}  // namespace
