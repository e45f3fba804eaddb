// Speech figures through a real SDL audio device (SDL's disk driver writing to /dev/null in real
// time, unless SDL_AUDIODRIVER says otherwise): the time from say() to the first non-zero sample
// handed to the device's callback, the memory espeak-ng and the device add, and the CPU used
// while speaking and while idle. Prints figures; asserts nothing about time.
//   speech_bench [phrases, default 50]
#include "speaker.h"

#include "kiosk/narration.h"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

using kiosk::Voice;
using kiosk::ui::Speaker;
using Clock = std::chrono::steady_clock;
using Ms = std::chrono::duration<double, std::milli>;

namespace {

double percentile(std::vector<double> v, double p) {
    std::sort(v.begin(), v.end());
    return v[static_cast<std::size_t>(p * static_cast<double>(v.size() - 1))];
}

// The process's proportional set size (shared pages divided among their users), in MB.
double pss_mb() {
    std::ifstream in("/proc/self/smaps_rollup");
    for (std::string line; std::getline(in, line);)
        if (line.rfind("Pss:", 0) == 0) return std::strtod(line.c_str() + 4, nullptr) / 1024;
    return -1;
}

// Pss by what is mapped (a library's path, "[heap]", "anonymous"), in MB.
std::map<std::string, double> pss_by_mapping() {
    std::map<std::string, double> out;
    std::ifstream in("/proc/self/smaps");
    std::string name = "anonymous";
    for (std::string line; std::getline(in, line);) {
        if (line.rfind("Pss:", 0) == 0) {
            out[name] += std::strtod(line.c_str() + 4, nullptr) / 1024;
        } else if (const auto dash = line.find('-');
                   dash != std::string::npos && dash < 16 && line.find(':') > dash) {
            // A mapping's first line: "start-end perms offset dev inode [path]".
            std::istringstream fields(line);
            std::string range, perms, offset, dev, inode, path;
            fields >> range >> perms >> offset >> dev >> inode >> path;
            name = path.empty() ? "anonymous" : path;
        }
    }
    return out;
}

// The mappings whose PSS grew most between two snapshots.
void print_growth(const std::map<std::string, double>& before,
                  const std::map<std::string, double>& after) {
    std::vector<std::pair<double, std::string>> growth;
    for (const auto& [name, mb] : after) {
        const auto was = before.find(name);
        growth.emplace_back(mb - (was == before.end() ? 0 : was->second), name);
    }
    std::sort(growth.rbegin(), growth.rend());
    for (std::size_t i = 0; i < growth.size() && i < 6 && growth[i].first >= 0.05; ++i)
        std::printf("  +%.2f MB %s\n", growth[i].first, growth[i].second.c_str());
}

double cpu_seconds() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    const auto s = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
    return s(u.ru_utime) + s(u.ru_stime);
}

// Polls every `step`: often for the latencies (their times come from the voice itself), seldom
// while CPU is measured.
void wait_until(const std::function<bool()>& done,
                std::chrono::milliseconds step = std::chrono::milliseconds(1)) {
    const auto until = Clock::now() + std::chrono::seconds(120);
    while (!done()) {
        if (Clock::now() > until) {
            std::fprintf(stderr, "speech_bench: the voice did not get there within 120 s\n");
            std::exit(1);
        }
        std::this_thread::sleep_for(step);
    }
}

// About 13 seconds of English at 175 words a minute.
const std::string kLongText =
    "Your complaint has been registered. The registration number is on the screen and on the "
    "talon. The head of the service provider answers within five working days, by telephone or "
    "by e-mail, as you chose. Take your talon from the printer below.";

struct Phrase {
    const char* language;
    const char* text;
};

// What the kiosk says most: a control's name and state, a step's title.
const Phrase kPhrases[] = {
    {"kk", "Келесі, батырма."},
    {"ru", "Далее, кнопка."},
    {"en", "Next, button."},
    {"kk", "Үшінші қадам, сегізден: сіз туралы."},
    {"ru", "Шаг три из восьми: о вас."},
    {"en", "Step 3 of 8: about you."},
    {"kk", "Тегі, мәтін өрісі, толтырылмаған."},
    {"ru", "Фамилия, текстовое поле, не заполнено."},
    {"en", "Surname, text field, empty."},
};

struct Latency {
    std::vector<double> queued;  // ms from say() to its first samples synthesized
    std::vector<double> sound;   // ms from say() to its first non-zero sample at the device
};

// Says each phrase from silence (or, `interrupting`, while the previous one is a third of a
// second into playing) and times its first samples.
Latency first_sounds(Voice& v, int count, bool interrupting) {
    Latency out;
    std::mt19937 random(2026);
    std::uniform_int_distribution<int> pause(0, 40'000);
    const auto third = static_cast<std::uint64_t>(v.sample_rate() / 3);
    for (int i = 0; i < count; ++i) {
        const Phrase& p = kPhrases[static_cast<std::size_t>(i) % std::size(kPhrases)];
        if (!interrupting) {
            v.silence();
            wait_until([&] { return !v.speaking(); });
        }
        // A citizen's key press falls anywhere within the device's buffer period: the waits
        // above end just after a callback, so a random pause breaks that step.
        std::this_thread::sleep_for(std::chrono::microseconds(pause(random)));
        const auto t0 = Clock::now();
        v.say(p.text, p.language, 175);
        wait_until([&] { return v.counters().first_sound != Clock::time_point{}; });
        out.queued.push_back(Ms(v.counters().first_queued - t0).count());
        out.sound.push_back(Ms(v.counters().first_sound - t0).count());
        if (interrupting) {
            const auto at = v.counters().samples;
            wait_until([&] { return v.counters().samples >= at + third || !v.speaking(); });
        }
    }
    return out;
}

// The applicant step as its screen content gives it, in Kazakh words from the .po file: what a
// keypad key moves through.
kiosk::ScreenContent applicant(const kiosk::Translations& tr) {
    using namespace kiosk;
    const Catalog& kk = tr.in("kk");
    ScreenContent c;
    c.title = kk.get("applicant.title");
    c.step = kk.get("step.applicant");
    for (const char* key : {"field.surname", "field.first_name", "field.patronymic", "field.iin",
                            "field.postal_address"})
        c.page.push_back({.kind = Kind::Field,
                          .id = std::string(key) + "#0",
                          .label = kk.get(key),
                          .required = true,
                          .personal = true});
    for (const char* key : {"nav.back", "nav.next", "nav.cancel", "nav.help"})
        c.footer.push_back({.kind = Kind::Action, .id = key, .label = kk.get(key)});
    return c;
}

// A keypad key through the narrator (the screen's item described in words) to the voice, and
// the first sound of it at the device: what a citizen waits for after pressing 2.
Latency keys_to_sound(Voice& v, const kiosk::Translations& tr, int count) {
    using namespace kiosk;
    Latency out;
    Flow flow;
    flow.speech.on = true;
    Narrator narrator(tr);
    const ScreenContent screen = applicant(tr);
    narrator.update(screen, flow);
    std::mt19937 random(2026);
    std::uniform_int_distribution<int> pause(0, 40'000);
    for (int i = 0; i < count; ++i) {
        v.silence();
        wait_until([&] { return !v.speaking(); });
        std::this_thread::sleep_for(std::chrono::microseconds(pause(random)));
        const auto t0 = Clock::now();
        const Narrator::Outcome said =
            narrator.key(i % 12 < 6 ? KeypadKey::Down : KeypadKey::Up, screen, flow);
        std::vector<kiosk::SpokenPart> parts;
        for (const auto& p : said.say) parts.push_back({p.text, p.language});
        out.queued.push_back(Ms(Clock::now() - t0).count());  // here: the narrator's own part
        v.say(std::move(parts), 175);
        wait_until([&] { return v.counters().first_sound != Clock::time_point{}; });
        out.sound.push_back(Ms(v.counters().first_sound - t0).count());
    }
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    const int phrases = argc > 1 ? std::max(1, std::atoi(argv[1])) : 50;
    ::setenv("SDL_AUDIODRIVER", "disk", 0);
    ::setenv("SDL_DISKAUDIOFILE", "/dev/null", 0);
    std::printf("audio driver: %s\n", std::getenv("SDL_AUDIODRIVER"));

    // Section: memory and start-up
    const double pss_before = pss_mb();
    const auto mappings_before = pss_by_mapping();
    const auto open_start = Clock::now();
    std::string error;
    std::unique_ptr<Voice> voice = Voice::open({}, error);
    if (!voice) {
        std::fprintf(stderr, "speech_bench: %s\n", error.c_str());
        return 1;
    }
    const double open_ms = Ms(Clock::now() - open_start).count();
    const double pss_voice = pss_mb();
    std::printf("Voice::open (espeak-ng, kk ru en voices loaded and tried): %.1f ms\n", open_ms);

    // Section: CPU while nothing is said, without and with the device open
    const auto idle_cpu = [](const char* what, int seconds) {
        const double cpu0 = cpu_seconds();
        const auto t0 = Clock::now();
        std::this_thread::sleep_for(std::chrono::seconds(seconds));
        const double wall = std::chrono::duration<double>(Clock::now() - t0).count();
        std::printf("CPU, nothing said, %s, %.0f s: %.3f %% of one core\n", what, wall,
                    100 * (cpu_seconds() - cpu0) / wall);
    };
    idle_cpu("no audio device", 5);

    // Section: synthesis alone, pulled as fast as it comes
    {
        const double cpu0 = cpu_seconds();
        const auto t0 = Clock::now();
        voice->say(kLongText, "en", 175);
        std::vector<std::int16_t> buffer(4096);
        while (voice->speaking()) voice->pull(buffer.data(), buffer.size(), 1.f);
        const double wall = std::chrono::duration<double>(Clock::now() - t0).count();
        const double spoken = static_cast<double>(voice->counters().samples) / voice->sample_rate();
        std::printf(
            "synthesis alone: %.1f s of speech in %.0f ms (%.0f times real time), %.0f ms "
            "of CPU\n",
            spoken, wall * 1000, spoken / wall, (cpu_seconds() - cpu0) * 1000);
    }
    Speaker speaker(*voice);
    const auto device_start = Clock::now();
    if (!speaker.open(nullptr, error)) {
        std::fprintf(stderr, "speech_bench: %s\n", error.c_str());
        return 1;
    }
    std::printf("Speaker::open (SDL's audio started, the device opened): %.1f ms\n",
                Ms(Clock::now() - device_start).count());
    idle_cpu("the audio device open", 10);

    // Section: from say() to the first sound handed to the device
    const auto report = [](const char* what, const Latency& l) {
        std::printf("%s (%zu phrases):\n", what, l.sound.size());
        std::printf(
            "  say() to first sound at the device: median %.1f ms, p99 %.1f ms, max %.1f ms\n",
            percentile(l.sound, 0.5), percentile(l.sound, 0.99),
            *std::max_element(l.sound.begin(), l.sound.end()));
        std::printf(
            "  say() to first samples synthesized: median %.1f ms, p99 %.1f ms, max %.1f ms\n",
            percentile(l.queued, 0.5), percentile(l.queued, 0.99),
            *std::max_element(l.queued.begin(), l.queued.end()));
    };
    report("from silence, the language changing each phrase", first_sounds(*voice, phrases, false));
    report("cutting the previous phrase off, the language changing each phrase",
           first_sounds(*voice, phrases, true));
    {
        const kiosk::Translations tr = kiosk::load_translations(KIOSK_ASSETS_DIR "/i18n");
        const Latency keys = keys_to_sound(*voice, tr, phrases);
        std::printf("a keypad key through the narrator (%zu keys on the applicant step, kk):\n",
                    keys.sound.size());
        std::printf(
            "  key to first sound at the device: median %.1f ms, p99 %.1f ms, max %.1f ms\n",
            percentile(keys.sound, 0.5), percentile(keys.sound, 0.99),
            *std::max_element(keys.sound.begin(), keys.sound.end()));
        std::printf("  of which the narrator (the item in words): median %.3f ms, p99 %.3f ms\n",
                    percentile(keys.queued, 0.5), percentile(keys.queued, 0.99));
    }

    // Section: CPU while speaking about ten seconds
    {
        voice->silence();
        wait_until([&] { return !voice->speaking(); });
        const auto given = voice->counters().samples;
        const double cpu0 = cpu_seconds();
        const auto t0 = Clock::now();
        voice->say(kLongText, "en", 175);
        wait_until([&] { return !voice->speaking(); }, std::chrono::milliseconds(100));
        const double wall = std::chrono::duration<double>(Clock::now() - t0).count();
        const double spoken =
            static_cast<double>(voice->counters().samples - given) / voice->sample_rate();
        std::printf("CPU while speaking %.1f s of speech (%.1f s wall): %.2f %% of one core\n",
                    spoken, wall, 100 * (cpu_seconds() - cpu0) / wall);
    }

    const double pss_after = pss_mb();
    std::printf(
        "PSS: %.1f MB before Voice::open, %.1f MB after it (+%.1f), %.1f MB after "
        "speaking through the device (+%.1f in all)\n",
        pss_before, pss_voice, pss_voice - pss_before, pss_after, pss_after - pss_before);
    print_growth(mappings_before, pss_by_mapping());
    return 0;
}
