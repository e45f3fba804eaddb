// kiosk/ui/speaker: the voice heard through an SDL audio output device. SDL's audio thread
// pulls the voice's samples; everything else here runs on the UI thread.
#pragma once
#include "kiosk/voice.h"

#include <SDL.h>

#include <atomic>
#include <string>

namespace kiosk::ui {

class Speaker {
public:
    explicit Speaker(Voice& voice);  // opens nothing yet; `voice` outlives the Speaker
    ~Speaker();                      // closes the device and SDL's audio
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
    // removal of the open device goes back to the default output. true when the output changed;
    // `error` then says why nothing plays any more, if so (empty while something plays).
    bool on_device_event(const SDL_AudioDeviceEvent& event, std::string& error);

    void set_volume(float gain);  // 0..1, taken by the next buffer

    // An open device costs CPU even when silent (SDL's audio thread keeps feeding it): closed
    // while nothing is to be said, remembering which device it was and whether it is a
    // headset; wake() opens it again (the default output when it has gone meanwhile).
    void sleep();
    bool wake(std::string& error);
    bool asleep() const { return asleep_; }

private:
    static void fill(void* self, Uint8* stream, int bytes);

    Voice& voice_;
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
