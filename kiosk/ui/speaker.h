// kiosk/ui/speaker: the voice heard through an SDL audio output device. SDL's audio thread
// pulls the voice's samples; everything else here runs on the UI thread.
#pragma once
#include "kiosk/voice.h"

#include <SDL.h>

#include <atomic>
#include <functional>
#include <string>
#include <vector>

namespace kiosk::ui {

class Speaker {
public:
    // The names of the output devices there now, in SDL's order (SDL_GetNumAudioDevices and
    // SDL_GetAudioDeviceName when none is given; tests give their own).
    using Outputs = std::function<std::vector<std::string>()>;

    // Opens nothing yet; `voice` outlives the Speaker.
    explicit Speaker(Voice& voice, Outputs outputs = {});
    ~Speaker();  // closes the device and SDL's audio
    Speaker(const Speaker&) = delete;
    Speaker& operator=(const Speaker&) = delete;

    // Plays the voice on `device_name` (nullptr: SDL's default output): mono 16-bit at the
    // voice's rate (SDL converts for the device), 512 samples a buffer (23 ms at 22050 Hz).
    // SDL's audio is started here, apart from the video, so that a kiosk without sound still
    // runs. false, with `error` saying why (SDL's words), when SDL's audio cannot start or the
    // device cannot be opened; then the device open before, if any, plays on.
    bool open(const char* device_name, std::string& error);
    void close();
    bool is_open() const { return device_ != 0; }
    SDL_AudioDeviceID device_id() const { return device_; }  // 0 when none is open
    const std::string& device() const { return name_; }      // "" for the default output
    // The open device was not there when SDL's audio started: a headset plugged in since.
    bool headset() const { return asleep_ ? sleeping_headset_ : headset_; }

    // SDL_AUDIODEVICEADDED or SDL_AUDIODEVICEREMOVED from the event loop (others are ignored).
    // An output device added after the start (a headset plugged in) is played on instead; the
    // removal of the open device goes back to the default output. Asleep, any removal looks
    // for the headset among the outputs (SDL does not say which closed device went): gone, it
    // is forgotten and wake() opens the default. true when the output changed (headset() may
    // now be false); `error` then says why nothing plays any more, if so (empty while
    // something plays).
    bool on_device_event(const SDL_AudioDeviceEvent& event, std::string& error);

    void set_volume(float gain);  // 0..1, taken by the next buffer

    // An open device costs CPU even when silent (SDL's audio thread keeps feeding it): closed
    // while nothing is to be said, remembering which device it was and whether it is a
    // headset; wake() opens it again, or the default output when it cannot (gone before SDL
    // said so): then `headset_lost` is true when it was the headset, so that the caller stops
    // speaking privately. false, with `error`, when nothing plays.
    void sleep();
    bool wake(std::string& error, bool& headset_lost);
    bool asleep() const { return asleep_; }

private:
    static void fill(void* self, Uint8* stream, int bytes);
    bool is_output(const std::string& name) const;

    Voice& voice_;
    Outputs outputs_;
    std::atomic<float> volume_{1.f};
    bool audio_started_ = false;  // SDL_InitSubSystem(SDL_INIT_AUDIO) succeeded
    Uint32 started_at_ = 0;       // SDL_GetTicks() then: devices announced by then were there
    SDL_AudioDeviceID device_ = 0;
    std::string name_;
    bool headset_ = false;
    bool asleep_ = false;
    std::string sleeping_name_;
    bool sleeping_headset_ = false;
};

}  // namespace kiosk::ui
