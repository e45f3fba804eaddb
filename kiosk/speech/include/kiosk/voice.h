// kiosk/voice: the kiosk's voice for blind citizens, in Kazakh, Russian and English, with
// espeak-ng on a thread of its own. It knows no SDL: an audio device's thread pulls the samples.
//
// What espeak-ng does with the text (espeak-ng 1.51, measured in tests/speech_test.cpp):
// - Plain text, never SSML: what a citizen typed may hold '<' or '&'. Punctuation is not read
//   out; a comma or a full stop gives a pause.
// - Letters and digits one by one (a registration number): put spaces between the characters,
//   as letter_by_letter() does: "ЖТ-2026" -> "Ж Т - 2 0 2 6" is read "жэ тэ, екі нөл екі алты"
//   (a lone letter is read by its name, a lone digit as a digit, a lone '-' is a short pause).
//   Written together "2026" is read as a number ("two thousand and twenty-six"). SSML's
//   <say-as interpret-as="characters"> spells too, but reads '-' as "hyphen" in English in
//   every language, and in English names Cyrillic letters "Cyrillic zhe": not used.
#pragma once
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace kiosk {

// A stretch of text in one language ("kk", "ru", "en").
struct SpokenPart {
    std::string text;
    std::string language;
};

struct VoiceOptions {
    std::filesystem::path data;  // the folder holding espeak-ng-data (or that folder itself);
                                 // empty: the system's
};

// Counters for tests and the benchmark.
struct VoiceCounters {
    std::uint64_t utterances = 0;  // utterances whose synthesis started
    std::uint64_t samples = 0;     // samples of speech pull() gave out (not the silence after)
    std::uint64_t queued = 0;      // samples synthesized and not yet given out
    // When pull() gave out the first non-zero sample of the newest say(); {} until then.
    std::chrono::steady_clock::time_point first_sound{};
    // When synthesis of the newest say() first queued samples; {} until then.
    std::chrono::steady_clock::time_point first_queued{};
};

// The longest text say() takes, in bytes (about five minutes of speech); longer is cut at a space.
inline constexpr std::size_t kMaxSpokenText = 8192;
// Synthesis runs at most this far ahead of pull(), then waits for room.
inline constexpr int kMaxQueuedSeconds = 60;

// Speech synthesis with espeak-ng on its own thread (espeak-ng is not thread-safe: every call to
// it happens there). say() replaces what is being said; pull() is called from the audio device's
// thread and never waits beyond a short lock. espeak-ng keeps its state in globals: one Voice at
// a time per process, and one data folder per process (espeak-ng is started by the first open
// and stays loaded until the process ends: espeak-ng 1.51 hangs when terminated twice). Its
// start sets the process's LC_CTYPE to C.UTF-8 (espeak-ng does so).
class Voice {
public:
    // nullptr when espeak-ng cannot start or lacks the kk, ru or en voice; `error` says why in
    // words for the log and service mode (no text spoken is ever logged). Waits for espeak-ng to
    // load its data and the three voices (tens of milliseconds).
    static std::unique_ptr<Voice> open(const VoiceOptions& options, std::string& error);
    ~Voice();  // stops the thread (a jthread/stop_token; no detached threads)
    Voice(const Voice&) = delete;
    Voice& operator=(const Voice&) = delete;

    int sample_rate() const;  // of the samples pull() gives (espeak-ng's own, 22050)
    // Speaks `text` (UTF-8; "kk", "ru" or "en"; anything else: nothing) at `rate` words per minute
    // (clamped to 80..450). What was being said or queued stops at once, whatever the language.
    // Malformed UTF-8 is skipped, control characters read as spaces. Never waits on synthesis.
    void say(std::string text, std::string_view language, int rate);
    // The parts one after the other, each in its own voice (the attract screen's three
    // languages); what was being said stops, as above.
    void say(std::vector<SpokenPart> parts, int rate);
    void silence();
    // Mono 16-bit samples; silence (zeros) when nothing is said. gain 0..1.
    void pull(std::int16_t* out, std::size_t count, float gain);
    bool speaking() const;  // words queued or still playing
    VoiceCounters counters() const;

    struct Shared;  // what the calling threads, the worker and the audio thread share

private:
    explicit Voice(std::unique_ptr<Shared> shared);
    std::unique_ptr<Shared> shared_;
    std::jthread worker_;  // last: stopped and joined before shared_ goes
};

// `text` with a space between every two characters, so that espeak-ng reads letters and digits
// one by one ("ЖТ-2026" -> "Ж Т - 2 0 2 6"); spaces, control characters and malformed bytes
// in `text` only separate.
std::string letter_by_letter(std::string_view text);

}  // namespace kiosk
