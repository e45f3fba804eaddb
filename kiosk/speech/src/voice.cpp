// kiosk/voice: espeak-ng on its own thread, its samples in a ring the audio thread drains.
#include "kiosk/voice.h"

#include "kiosk/journal.h"
#include "kiosk/text.h"

#include <espeak-ng/espeak_ng.h>

#include <algorithm>
#include <array>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <future>
#include <mutex>
#include <optional>
#include <stop_token>

namespace kiosk {

namespace {

// The three voices the kiosk speaks with; espeak-ng's voice names are the language codes.
constexpr std::array<std::string_view, 3> kLanguages = {"kk", "ru", "en"};
constexpr int kMinRate = 80, kMaxRate = 450;
// espeak-ng hands samples over in buffers of at least 60 ms (its floor) however small this is.
constexpr int kSynthBufferMs = 20;

// espeak-ng keeps its state in globals: one engine per process, used by one Voice at a time.
// It is started once and never terminated: espeak-ng 1.51 (Debian 12) hangs in its second
// espeak_ng_Terminate (fifo.c leaves my_command_is_running set by the first, so fifo_stop waits
// for a thread that is idle). A Voice's worker makes every call while it runs; the next Voice's
// worker starts after the last one was joined, so no two threads ever call it at once.
struct Engine {
    std::mutex m;
    bool in_use = false;                        // a Voice is open or opening
    std::optional<std::filesystem::path> data;  // what espeak-ng started on (empty: the system's)
    int sample_rate = 0;
};
Engine g_engine;

bool known_language(std::string_view language) {
    return std::find(kLanguages.begin(), kLanguages.end(), language) != kLanguages.end();
}

// espeak-ng's message for a status, with the file it names when it has an error context.
std::string status_message(espeak_ng_STATUS status, espeak_ng_ERROR_CONTEXT context) {
    char* text = nullptr;
    std::size_t size = 0;
    std::string out;
    if (FILE* f = ::open_memstream(&text, &size)) {
        espeak_ng_PrintStatusCodeMessage(status, f, context);
        std::fclose(f);
        out.assign(text, size);
        std::free(text);
    }
    if (out.empty()) {
        char buffer[256] = {};
        espeak_ng_GetStatusCodeMessage(status, buffer, sizeof buffer);
        out = buffer;
    }
    while (!out.empty() && (out.back() == '\n' || out.back() == '.')) out.pop_back();
    return out;
}

// The text as espeak-ng gets it: well-formed UTF-8 without control characters, at most
// kMaxSpokenText bytes, cut at a space when longer.
std::string speakable(const std::string& text) {
    std::string out;
    out.reserve(std::min(text.size(), kMaxSpokenText));
    for (std::size_t at = 0; at < text.size();) {
        const auto cp = common::decode_code_point(text, at);
        if (!cp) {
            ++at;  // a stray byte: skipped
            continue;
        }
        if (out.size() + cp->bytes > kMaxSpokenText) {
            const std::size_t space = out.rfind(' ');
            if (space != std::string::npos) out.resize(space);
            break;
        }
        if (is_control(cp->value))
            out += ' ';
        else
            out.append(text, at, cp->bytes);
        at += cp->bytes;
    }
    if (out.find_first_not_of(' ') == std::string::npos) out.clear();
    return out;
}

}  // namespace

// Section: what the threads share

// Samples waiting for the audio device, oldest first; the storage is allocated untouched, so
// only what was ever queued costs memory.
class SampleRing {
public:
    explicit SampleRing(std::size_t capacity)
        : data_(new std::int16_t[capacity]), capacity_(capacity) {}
    std::size_t size() const { return size_; }
    std::size_t room() const { return capacity_ - size_; }
    void clear() { head_ = size_ = 0; }
    std::size_t push(const std::int16_t* in, std::size_t count) {
        count = std::min(count, room());
        for (std::size_t i = 0; i < count; ++i) data_[(head_ + size_ + i) % capacity_] = in[i];
        size_ += count;
        return count;
    }
    std::int16_t pop() {
        const std::int16_t s = data_[head_];
        head_ = (head_ + 1) % capacity_;
        --size_;
        return s;
    }

private:
    std::unique_ptr<std::int16_t[]> data_;
    std::size_t capacity_;
    std::size_t head_ = 0, size_ = 0;
};

struct Request {
    std::vector<SpokenPart> parts;  // said one after the other, each in its language
    int rate = 175;
    std::uint64_t generation = 0;
};

struct Voice::Shared {
    explicit Shared(int rate)
        : sample_rate(rate), ring(static_cast<std::size_t>(rate) * kMaxQueuedSeconds) {}
    const int sample_rate;
    mutable std::mutex m;
    std::condition_variable_any wake;  // the worker waits here for a request or for room
    std::optional<Request> request;    // the newest say() the worker has not taken yet
    std::uint64_t generation = 0;      // bumped by say() and silence(): older speech is dropped
    std::uint64_t synthesizing = 0;    // the generation being synthesized, 0 when none
    bool waiting_for_room = false;     // the worker waits for pull() to drain the ring
    bool sounded = false;              // the newest say() has given out a non-zero sample
    SampleRing ring;
    VoiceCounters counters;
};

// Section: the worker thread (every espeak-ng call happens here)

namespace {

// espeak-ng's synthesis callback has no user pointer in synchronous mode: the worker's own.
thread_local Voice::Shared* t_shared = nullptr;
thread_local std::stop_token t_stop;

// Called by espeak-ng inside espeak_ng_Synthesize with each buffer; 1 aborts the synthesis.
int take_samples(short* wav, int count, espeak_EVENT*) {
    Voice::Shared& s = *t_shared;
    std::unique_lock lock(s.m);
    const auto superseded = [&] {
        return s.generation != s.synthesizing || t_stop.stop_requested();
    };
    if (!wav || count <= 0) return superseded() ? 1 : 0;
    std::size_t done = 0;
    // espeak-ng starts some utterances with silence (39 ms in Kazakh): skipped, to be heard sooner.
    if (s.counters.first_queued == std::chrono::steady_clock::time_point{})
        while (done < static_cast<std::size_t>(count) && wav[done] == 0) ++done;
    while (done < static_cast<std::size_t>(count)) {
        if (superseded()) return 1;
        if (s.ring.room() == 0) {
            s.waiting_for_room = true;
            s.wake.wait(lock, t_stop, [&] { return s.ring.room() > 0 || superseded(); });
            s.waiting_for_room = false;
            continue;
        }
        if (s.counters.first_queued == std::chrono::steady_clock::time_point{})
            s.counters.first_queued = std::chrono::steady_clock::now();
        done += s.ring.push(wav + done, static_cast<std::size_t>(count) - done);
    }
    return 0;
}

// The reason `options` cannot be used, before espeak-ng sees it; empty when it can.
std::string check_data(const VoiceOptions& options) {
    if (options.data.empty()) return "";
    std::error_code ec;
    if (std::filesystem::is_directory(options.data / "espeak-ng-data", ec) ||
        std::filesystem::is_regular_file(options.data / "phontab", ec))
        return "";
    return "no espeak-ng data in " + options.data.string() +
           " (the espeak-ng-data folder or the folder holding it)";
}

// A word in each language, spoken at open: espeak-ng loads a voice whose dictionary is
// missing without an error (it tells only stderr), and then says nothing.
constexpr std::array<std::pair<const char*, const char*>, 3> kProbes = {
    {{"kk", "сәлем"}, {"ru", "привет"}, {"en", "hello"}}};

thread_local bool t_probe_sounded = false;

int probe_samples(short* wav, int count, espeak_EVENT*) {
    for (int i = 0; wav && i < count; ++i) t_probe_sounded |= wav[i] != 0;
    return 0;
}

// Whether the loaded voice gives any sound for `word`.
bool sounds(const char* word) {
    t_probe_sounded = false;
    espeak_SetSynthCallback(probe_samples);
    const espeak_ng_STATUS status = espeak_ng_Synthesize(
        word, std::strlen(word) + 1, 0, POS_CHARACTER, 0, espeakCHARS_UTF8, nullptr, nullptr);
    return status == ENS_OK && t_probe_sounded;
}

// Starts espeak-ng if this process has not yet, then loads each language's voice (each open:
// the data may have been mended since). Empty when all went well, else why not.
std::string start_espeak(const VoiceOptions& options, int& sample_rate) {
    bool started = false;
    {
        std::lock_guard lock(g_engine.m);
        started = g_engine.data.has_value();
        sample_rate = g_engine.sample_rate;
    }
    if (!started) {
        // espeak-ng takes path/espeak-ng-data, else the path itself, else falls back to the
        // system's data: check_data saw to it that the path has data.
        espeak_ng_InitializePath(options.data.empty() ? nullptr : options.data.c_str());
        espeak_ng_ERROR_CONTEXT context = nullptr;
        espeak_ng_STATUS status = espeak_ng_Initialize(&context);
        if (status != ENS_OK) {
            std::string why = "espeak-ng cannot start: " + status_message(status, context);
            espeak_ng_ClearErrorContext(&context);
            return why;
        }
        status = espeak_ng_InitializeOutput(ENOUTPUT_MODE_SYNCHRONOUS, kSynthBufferMs, nullptr);
        if (status != ENS_OK) return "espeak-ng output: " + status_message(status, nullptr);
        sample_rate = espeak_ng_GetSampleRate();
        std::lock_guard lock(g_engine.m);
        g_engine.data = options.data;
        g_engine.sample_rate = sample_rate;
    }
    if (sample_rate <= 0) return "espeak-ng reports no sample rate";
    for (const auto& [language, word] : kProbes) {
        const espeak_ng_STATUS status = espeak_ng_SetVoiceByName(language);
        if (status != ENS_OK)
            return std::string("espeak-ng has no ") + language +
                   " voice: " + status_message(status, nullptr);
        if (!sounds(word))
            return std::string("espeak-ng has no ") + language +
                   " voice: it says nothing (its voice or dictionary file is missing or damaged)";
    }
    espeak_SetSynthCallback(take_samples);
    return "";
}

// One utterance, part by part, until it ends or a newer one or the stop cuts it short.
void synthesize(const Request& r, std::string& voice_language) {
    for (const SpokenPart& part : r.parts) {
        {
            std::lock_guard lock(t_shared->m);
            if (t_shared->generation != r.generation || t_stop.stop_requested()) return;
        }
        espeak_ng_STATUS status = ENS_OK;
        if (part.language != voice_language) {
            status = espeak_ng_SetVoiceByName(part.language.c_str());
            voice_language = status == ENS_OK ? part.language : "";
        }
        if (status == ENS_OK) status = espeak_ng_SetParameter(espeakRATE, r.rate, 0);
        if (status == ENS_OK)
            status = espeak_ng_Synthesize(part.text.c_str(), part.text.size() + 1, 0, POS_CHARACTER,
                                          0, espeakCHARS_UTF8, nullptr, nullptr);
        if (status != ENS_OK && status != ENS_SPEECH_STOPPED)
            log(Priority::Warning, "speech", "espeak-ng could not speak a %s text: %s",
                part.language.c_str(), status_message(status, nullptr).c_str());
    }
}

void run(std::stop_token stop, Voice::Shared& s) {
    t_shared = &s;
    t_stop = stop;
    std::string voice_language;  // the voice espeak-ng has loaded
    while (true) {
        std::unique_lock lock(s.m);
        s.wake.wait(lock, stop, [&] { return s.request.has_value(); });
        if (stop.stop_requested()) break;
        Request r = std::move(*s.request);
        s.request.reset();
        s.synthesizing = r.generation;
        ++s.counters.utterances;
        lock.unlock();
        synthesize(r, voice_language);
        for (SpokenPart& part : r.parts)
            wipe(part.text);  // what a citizen typed does not linger in freed memory
        lock.lock();
        s.synthesizing = 0;
    }
}

}  // namespace

// Section: Voice

std::unique_ptr<Voice> Voice::open(const VoiceOptions& options, std::string& error) {
    if (std::string why = check_data(options); !why.empty()) {
        error = std::move(why);
        return nullptr;
    }
    {
        std::lock_guard lock(g_engine.m);
        if (g_engine.in_use) {
            error = "espeak-ng is already in use by another voice of this process";
            return nullptr;
        }
        if (g_engine.data && *g_engine.data != options.data) {
            error = "espeak-ng runs on " +
                    (g_engine.data->empty() ? "the system's data" : g_engine.data->string()) +
                    " in this process: another data folder needs a restart";
            return nullptr;
        }
        g_engine.in_use = true;
    }
    // espeak-ng is called from the worker only. The promise lives in the worker, which is the
    // last to touch it.
    std::promise<std::string> started;
    std::future<std::string> result = started.get_future();
    std::unique_ptr<Shared> shared;
    std::jthread worker(
        [&options, &shared, started = std::move(started)](std::stop_token stop) mutable {
            int rate = 0;
            if (std::string why = start_espeak(options, rate); !why.empty()) {
                started.set_value(std::move(why));
                return;
            }
            shared = std::make_unique<Shared>(rate);
            Shared& s = *shared;
            started.set_value("");
            run(stop, s);
        });
    if (std::string why = result.get(); !why.empty()) {
        worker.join();
        std::lock_guard lock(g_engine.m);
        g_engine.in_use = false;
        error = std::move(why);
        return nullptr;
    }
    std::unique_ptr<Voice> voice(new Voice(std::move(shared)));
    voice->worker_ = std::move(worker);
    return voice;
}

Voice::Voice(std::unique_ptr<Shared> shared) : shared_(std::move(shared)) {}

Voice::~Voice() {
    worker_.request_stop();  // wakes the worker from its waits through the stop token
    worker_.join();
    std::lock_guard lock(g_engine.m);
    g_engine.in_use = false;
}

int Voice::sample_rate() const { return shared_->sample_rate; }

void Voice::say(std::string text, std::string_view language, int rate) {
    std::vector<SpokenPart> parts;
    parts.push_back({std::move(text), std::string(language)});
    say(std::move(parts), rate);
}

void Voice::say(std::vector<SpokenPart> parts, int rate) {
    std::vector<SpokenPart> spoken;
    for (SpokenPart& part : parts) {
        if (known_language(part.language))
            if (std::string words = speakable(part.text); !words.empty())
                spoken.push_back({std::move(words), std::move(part.language)});
        wipe(part.text);
    }
    {
        std::lock_guard lock(shared_->m);
        ++shared_->generation;
        shared_->ring.clear();
        shared_->sounded = false;
        shared_->counters.first_sound = {};
        shared_->counters.first_queued = {};
        shared_->request.reset();
        if (!spoken.empty())
            shared_->request = Request{std::move(spoken), std::clamp(rate, kMinRate, kMaxRate),
                                       shared_->generation};
    }
    shared_->wake.notify_all();
}

void Voice::silence() { say("", "", 0); }

void Voice::pull(std::int16_t* out, std::size_t count, float gain) {
    gain = std::clamp(gain, 0.f, 1.f);
    std::size_t given = 0;
    bool room_made = false;
    {
        std::lock_guard lock(shared_->m);
        Shared& s = *shared_;
        given = std::min(count, s.ring.size());
        for (std::size_t i = 0; i < given; ++i) {
            const std::int16_t sample = s.ring.pop();
            if (sample != 0 && !s.sounded) {
                s.sounded = true;
                s.counters.first_sound = std::chrono::steady_clock::now();
            }
            out[i] = static_cast<std::int16_t>(static_cast<float>(sample) * gain);
        }
        s.counters.samples += given;
        room_made = given > 0 && s.waiting_for_room;
    }
    std::fill(out + given, out + count, std::int16_t{0});
    if (room_made) shared_->wake.notify_all();
}

bool Voice::speaking() const {
    std::lock_guard lock(shared_->m);
    return shared_->request || shared_->synthesizing != 0 || shared_->ring.size() > 0;
}

VoiceCounters Voice::counters() const {
    std::lock_guard lock(shared_->m);
    VoiceCounters c = shared_->counters;
    c.queued = shared_->ring.size();
    return c;
}

// Section: spelling

std::string letter_by_letter(std::string_view text) {
    std::string out;
    for (std::size_t at = 0; at < text.size();) {
        const auto cp = common::decode_code_point(text, at);
        const std::size_t bytes = cp ? cp->bytes : 1;
        const bool space = !cp || cp->value == ' ' || is_control(cp->value);
        if (!space) {
            if (!out.empty()) out += ' ';
            out.append(text.substr(at, bytes));
        }
        at += bytes;
    }
    return out;
}

}  // namespace kiosk
