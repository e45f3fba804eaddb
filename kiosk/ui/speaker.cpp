// kiosk/ui/speaker: the voice through an SDL audio output device.
#include "speaker.h"

#include <algorithm>
#include <cstdint>

namespace kiosk::ui {

namespace {

// 23 ms at 22050 Hz: what the device asks for at a time, so speech starts soon after say().
constexpr Uint16 kBufferSamples = 512;

// SDL's output devices now: cheap (SDL keeps the list), so fine on the UI thread.
std::vector<std::string> sdl_outputs() {
    std::vector<std::string> names;
    const int count = SDL_GetNumAudioDevices(0);
    for (int i = 0; i < count; ++i) {
        const char* name = SDL_GetAudioDeviceName(i, 0);
        names.emplace_back(name ? name : "");
    }
    return names;
}

}  // namespace

Speaker::Speaker(Voice& voice, Outputs outputs)
    : voice_(voice), outputs_(outputs ? std::move(outputs) : Outputs(sdl_outputs)) {}

Speaker::~Speaker() {
    close();
    if (audio_started_) SDL_QuitSubSystem(SDL_INIT_AUDIO);
}

// Called on SDL's audio thread.
void Speaker::fill(void* self, Uint8* stream, int bytes) {
    auto& speaker = *static_cast<Speaker*>(self);
    speaker.voice_.pull(reinterpret_cast<std::int16_t*>(stream),
                        static_cast<std::size_t>(bytes) / sizeof(std::int16_t),
                        speaker.volume_.load(std::memory_order_relaxed));
}

bool Speaker::open(const char* device_name, std::string& error) {
    if (!audio_started_) {
        if (SDL_InitSubSystem(SDL_INIT_AUDIO) != 0) {
            error = std::string("SDL audio cannot start: ") + SDL_GetError();
            return false;
        }
        audio_started_ = true;
        started_at_ = SDL_GetTicks();
    }
    SDL_AudioSpec want{};
    want.freq = voice_.sample_rate();
    want.format = AUDIO_S16SYS;
    want.channels = 1;
    want.samples = kBufferSamples;
    want.callback = &Speaker::fill;
    want.userdata = this;
    // No changes allowed: SDL converts to whatever the device takes.
    asleep_ = false;  // a device chosen now replaces the one asleep
    const SDL_AudioDeviceID opened = SDL_OpenAudioDevice(device_name, 0, &want, nullptr, 0);
    if (opened == 0) {
        error = std::string("audio device ") + (device_name ? device_name : "(default)") + ": " +
                SDL_GetError();
        return false;
    }
    // The new device plays before the old one closes: no gap when switching.
    close();
    device_ = opened;
    name_ = device_name ? device_name : "";
    headset_ = false;
    SDL_PauseAudioDevice(device_, 0);
    return true;
}

void Speaker::close() {
    if (device_ != 0) SDL_CloseAudioDevice(device_);  // waits for the audio thread to end
    device_ = 0;
    name_.clear();
    headset_ = false;
}

bool Speaker::on_device_event(const SDL_AudioDeviceEvent& event, std::string& error) {
    if (event.iscapture || !audio_started_) return false;
    if (event.type == SDL_AUDIODEVICEADDED) {
        // SDL announces every device present when its audio starts: those are not new.
        if (static_cast<Sint32>(event.timestamp - started_at_) <= 0) return false;
        const std::vector<std::string> outputs = outputs_();
        if (event.which >= outputs.size()) return false;
        const std::string added = outputs[event.which];
        std::string why;
        if (!open(added.c_str(), why)) {
            // Still on the old device, if any: nothing changed.
            if (!is_open()) error = why;
            return false;
        }
        headset_ = true;
        error.clear();
        return true;
    }
    if (event.type != SDL_AUDIODEVICEREMOVED) return false;
    if (device_ != 0 && event.which == device_) {
        close();
        if (!open(nullptr, error)) return true;  // nothing plays: `error` says why
        error.clear();
        return true;
    }
    // Another device went (SDL says 0 for one nobody had open): maybe the headset asleep
    // between citizens. Forgotten when gone, or the next citizen's first key would speak
    // privately on the loudspeaker.
    if (asleep_ && sleeping_headset_ && !is_output(sleeping_name_)) {
        sleeping_name_.clear();
        sleeping_headset_ = false;
        error.clear();
        return true;
    }
    return false;
}

bool Speaker::is_output(const std::string& name) const {
    const std::vector<std::string> outputs = outputs_();
    return std::find(outputs.begin(), outputs.end(), name) != outputs.end();
}

void Speaker::sleep() {
    if (device_ == 0) return;
    sleeping_name_ = name_;
    sleeping_headset_ = headset_;
    close();
    asleep_ = true;
}

bool Speaker::wake(std::string& error, bool& headset_lost) {
    headset_lost = false;
    if (!asleep_) return is_open();
    asleep_ = false;
    if (!sleeping_name_.empty()) {
        if (open(sleeping_name_.c_str(), error)) {
            headset_ = sleeping_headset_;
            return true;
        }
        // Gone while asleep, before SDL said so: the default output, which is no headset.
        headset_lost = sleeping_headset_;
        sleeping_name_.clear();
        sleeping_headset_ = false;
    }
    if (!open(nullptr, error)) return false;
    error.clear();  // a device slept on that did not open: something plays all the same
    return true;
}

void Speaker::set_volume(float gain) {
    volume_.store(std::clamp(gain, 0.f, 1.f), std::memory_order_relaxed);
}

}  // namespace kiosk::ui
