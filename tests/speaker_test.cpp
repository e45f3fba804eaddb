// The voice through a real SDL audio device (kiosk/ui/speaker.h): SDL's disk driver plays into
// a file in real time, so what the device was given can be read back. No display is needed.
// Waits are on what the voice reports (speaking(), its counters), bounded by a deadline.
#include "process.h"
#include "speaker.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

namespace {

namespace fs = std::filesystem;
using kiosk::Voice;
using kiosk::ui::Speaker;

constexpr auto kDeadline = std::chrono::seconds(60);

// A device added or removed now, after the speaker started (SDL says 0 for the removal of a
// device nobody had open).
SDL_AudioDeviceEvent device_event(Uint32 type, Uint32 which) {
    SDL_AudioDeviceEvent e{};
    e.type = type;
    e.timestamp = SDL_GetTicks() + 1;
    e.which = which;
    return e;
}

class SpeakerTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = testsupport::make_temp_dir("speaker_test");
        play_into("speaker.raw");
        std::string error;
        voice_ = Voice::open({}, error);
        ASSERT_NE(voice_, nullptr) << error;
    }
    void TearDown() override {
        voice_.reset();
        std::error_code ec;
        fs::remove_all(dir_, ec);
        ::unsetenv("SDL_AUDIODRIVER");
        ::unsetenv("SDL_DISKAUDIOFILE");
    }

    // The file SDL's disk driver writes the next device it opens into.
    fs::path play_into(const std::string& name) {
        ::setenv("SDL_AUDIODRIVER", "disk", 1);
        ::setenv("SDL_DISKAUDIOFILE", (dir_ / name).c_str(), 1);
        return dir_ / name;
    }

    // Says `text` and waits until the device has been handed all of it.
    void say_through(const std::string& text) {
        const auto given = voice_->counters().samples;
        voice_->say(text, "kk", 175);
        ASSERT_TRUE(testsupport::eventually([&] { return !voice_->speaking(); }, kDeadline));
        ASSERT_GT(voice_->counters().samples, given);
    }

    fs::path dir_;
    std::unique_ptr<Voice> voice_;
};

// What a closed device wrote: mono 16-bit samples.
std::vector<std::int16_t> played(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::vector<std::int16_t> out;
    std::int16_t s = 0;
    while (in.read(reinterpret_cast<char*>(&s), sizeof s)) out.push_back(s);
    return out;
}

// From the first sound to the last.
double speech_rms(const std::vector<std::int16_t>& s) {
    std::size_t first = 0, last = s.size();
    while (first < last && s[first] == 0) ++first;
    while (last > first && s[last - 1] == 0) --last;
    if (first == last) return 0;
    double sum = 0;
    for (std::size_t i = first; i < last; ++i) sum += static_cast<double>(s[i]) * s[i];
    return std::sqrt(sum / static_cast<double>(last - first));
}

const std::string kPhrase = "Шағымыңыз тіркелді.";

TEST_F(SpeakerTest, TheDeviceIsGivenTheSpeech) {
    const fs::path file = dir_ / "speaker.raw";
    Speaker speaker(*voice_);
    std::string error;
    ASSERT_TRUE(speaker.open(nullptr, error)) << error;
    EXPECT_TRUE(speaker.is_open());
    EXPECT_EQ(speaker.device(), "");
    EXPECT_FALSE(speaker.headset());
    say_through(kPhrase);
    speaker.close();  // the device's thread has written all it was given
    const auto samples = played(file);
    EXPECT_GT(speech_rms(samples), 1000.0);
    // At least the speech: the device plays silence before and after it.
    EXPECT_GE(samples.size(), voice_->counters().samples);
}

// Asleep while nothing is to be said (no device, no audio thread), awake on the same device.
TEST_F(SpeakerTest, AsleepTheDeviceIsClosedAndWakesOnTheSameOne) {
    const fs::path first = dir_ / "speaker.raw";
    Speaker speaker(*voice_);
    std::string error;
    ASSERT_TRUE(speaker.open(nullptr, error)) << error;
    speaker.sleep();
    EXPECT_TRUE(speaker.asleep());
    EXPECT_FALSE(speaker.is_open());
    EXPECT_EQ(speaker.device_id(), 0u);
    const fs::path second = play_into("after-sleep.raw");  // what the default opens next
    bool headset_lost = true;
    ASSERT_TRUE(speaker.wake(error, headset_lost)) << error;
    EXPECT_FALSE(headset_lost);
    EXPECT_FALSE(speaker.asleep());
    EXPECT_TRUE(speaker.is_open());
    say_through(kPhrase);
    speaker.close();
    EXPECT_GT(speech_rms(played(second)), 1000.0);
    EXPECT_EQ(speech_rms(played(first)), 0.0);  // nothing was said before it slept
}

TEST_F(SpeakerTest, VolumeZeroPlaysSilence) {
    const fs::path file = dir_ / "speaker.raw";
    Speaker speaker(*voice_);
    std::string error;
    ASSERT_TRUE(speaker.open(nullptr, error)) << error;
    speaker.set_volume(0.f);
    say_through(kPhrase);
    speaker.close();
    const auto samples = played(file);
    EXPECT_GE(samples.size(), voice_->counters().samples);
    EXPECT_EQ(speech_rms(samples), 0.0);
}

TEST_F(SpeakerTest, ANamedDevice) {
    // SDL's disk driver takes any name as the file to write.
    const fs::path headset = dir_ / "headset.raw";
    Speaker speaker(*voice_);
    std::string error;
    ASSERT_TRUE(speaker.open(headset.c_str(), error)) << error;
    EXPECT_EQ(speaker.device(), headset.string());
    say_through(kPhrase);
    speaker.close();
    EXPECT_FALSE(speaker.is_open());
    EXPECT_GT(speech_rms(played(headset)), 1000.0);
}

TEST_F(SpeakerTest, NoAudioDriverSaysWhy) {
    ::setenv("SDL_AUDIODRIVER", "nonexistent", 1);
    Speaker speaker(*voice_);
    std::string error;
    EXPECT_FALSE(speaker.open(nullptr, error));
    EXPECT_EQ(error.rfind("SDL audio cannot start: ", 0), 0u) << error;
    EXPECT_NE(error.find("nonexistent"), std::string::npos) << error;  // SDL's own words
    EXPECT_FALSE(speaker.is_open());
}

TEST_F(SpeakerTest, AFileThatCannotBeWrittenIsADeviceThatCannotOpen) {
    Speaker speaker(*voice_);
    std::string error;
    const fs::path nowhere = dir_ / "missing" / "headset.raw";
    EXPECT_FALSE(speaker.open(nowhere.c_str(), error));
    EXPECT_EQ(error.rfind("audio device " + nowhere.string() + ": ", 0), 0u) << error;
    EXPECT_FALSE(speaker.is_open());
    // The default still opens, and a failed switch leaves it playing.
    ASSERT_TRUE(speaker.open(nullptr, error)) << error;
    const SDL_AudioDeviceID playing = speaker.device_id();
    EXPECT_FALSE(speaker.open(nowhere.c_str(), error));
    EXPECT_EQ(speaker.device_id(), playing);
}

TEST_F(SpeakerTest, AHeadsetPluggedInIsPlayedOnAndItsRemovalGoesBack) {
    const fs::path speaker_file = dir_ / "speaker.raw";
    Speaker speaker(*voice_);
    std::string error;
    ASSERT_TRUE(speaker.open(nullptr, error)) << error;
    const SDL_AudioDeviceID first = speaker.device_id();

    // The devices SDL announced at its start are not new: nothing changes.
    int announced = 0;
    for (SDL_Event e; SDL_PollEvent(&e);) {
        if (e.type != SDL_AUDIODEVICEADDED) continue;
        ++announced;
        EXPECT_FALSE(speaker.on_device_event(e.adevice, error));
    }
    EXPECT_GT(announced, 0);
    EXPECT_EQ(speaker.device_id(), first);

    // A device added later (the disk driver's one device, announced again): played on. The
    // disk driver writes its default device into SDL_DISKAUDIOFILE, now another file.
    const fs::path headset_file = play_into("headset.raw");
    SDL_AudioDeviceEvent added = device_event(SDL_AUDIODEVICEADDED, 0);
    added.iscapture = 1;  // a microphone is not a headset's earpiece
    EXPECT_FALSE(speaker.on_device_event(added, error));
    added.iscapture = 0;
    ASSERT_TRUE(speaker.on_device_event(added, error)) << error;
    EXPECT_TRUE(error.empty()) << error;
    EXPECT_TRUE(speaker.headset());
    EXPECT_NE(speaker.device_id(), first);
    EXPECT_NE(speaker.device(), "");
    // Asleep between citizens, it is still the headset (the next citizen's key speaks
    // privately), and wakes on it (the disk driver starts its file again: spoken after).
    const std::string headset_name = speaker.device();
    speaker.sleep();
    EXPECT_TRUE(speaker.headset());
    // Asleep, another device's removal changes nothing: the headset is still an output.
    EXPECT_FALSE(speaker.on_device_event(device_event(SDL_AUDIODEVICEREMOVED, 0), error));
    EXPECT_TRUE(speaker.headset());
    bool headset_lost = true;
    ASSERT_TRUE(speaker.wake(error, headset_lost)) << error;
    EXPECT_FALSE(headset_lost);
    EXPECT_TRUE(speaker.headset());
    EXPECT_EQ(speaker.device(), headset_name);
    say_through(kPhrase);

    // Another device's removal changes nothing; the headset's goes back to the default.
    const fs::path back_file = play_into("speaker-again.raw");
    EXPECT_FALSE(speaker.on_device_event(device_event(SDL_AUDIODEVICEREMOVED, 0), error));
    ASSERT_TRUE(
        speaker.on_device_event(device_event(SDL_AUDIODEVICEREMOVED, speaker.device_id()), error))
        << error;
    EXPECT_TRUE(error.empty()) << error;
    EXPECT_FALSE(speaker.headset());
    EXPECT_EQ(speaker.device(), "");
    EXPECT_TRUE(speaker.is_open());
    say_through(kPhrase);
    speaker.close();

    // Each said phrase went where the output was at the time.
    EXPECT_EQ(speech_rms(played(speaker_file)), 0.0);
    EXPECT_GT(speech_rms(played(headset_file)), 1000.0);
    EXPECT_GT(speech_rms(played(back_file)), 1000.0);
}

// SDL's disk driver has one output, which never goes: a headset that can be unplugged is a list
// of outputs of the test's own, the headset's name being the file the disk driver writes.
class UnpluggedHeadsetTest : public SpeakerTest {
protected:
    void SetUp() override {
        SpeakerTest::SetUp();
        headset_ = dir_ / "usb" / "headset.raw";
        fs::create_directory(dir_ / "usb");
        outputs_ = {"Built-in Audio Analog Stereo", "HDMI", headset_.string()};
    }

    // The headset plugged in after the start: spoken in private.
    void plug_in(Speaker& speaker) {
        std::string error;
        ASSERT_TRUE(speaker.open(nullptr, error)) << error;
        ASSERT_TRUE(speaker.on_device_event(device_event(SDL_AUDIODEVICEADDED, 2), error)) << error;
        ASSERT_TRUE(speaker.headset());
        ASSERT_EQ(speaker.device(), headset_.string());
    }
    // Gone from the outputs, and no longer opens.
    void unplug(const std::string& name) {
        std::erase(outputs_, name);
        if (name == headset_.string()) fs::remove_all(dir_ / "usb");
    }
    static SDL_AudioDeviceEvent removed_unopened() {
        return device_event(SDL_AUDIODEVICEREMOVED, 0);
    }

    Speaker::Outputs outputs() {
        return [this] { return outputs_; };
    }

    fs::path headset_;
    std::vector<std::string> outputs_;
};

// Unplugged while the device is closed between citizens: SDL says only that some device went.
// Forgotten, or the next citizen's first key would turn speech on in private while the
// default output, the loudspeaker, plays.
TEST_F(UnpluggedHeadsetTest, WhileAsleepItIsForgottenAndTheDefaultPlays) {
    Speaker speaker(*voice_, outputs());
    plug_in(speaker);
    speaker.sleep();
    std::string error;
    unplug("HDMI");  // another device: nothing changes
    EXPECT_FALSE(speaker.on_device_event(removed_unopened(), error));
    EXPECT_TRUE(speaker.headset());

    unplug(headset_.string());
    EXPECT_TRUE(speaker.on_device_event(removed_unopened(), error));
    EXPECT_TRUE(error.empty()) << error;
    EXPECT_FALSE(speaker.headset());
    EXPECT_TRUE(speaker.asleep());
    const fs::path loudspeaker = play_into("loudspeaker.raw");
    bool headset_lost = true;
    ASSERT_TRUE(speaker.wake(error, headset_lost)) << error;
    EXPECT_FALSE(headset_lost);  // said by the removal already
    EXPECT_FALSE(speaker.headset());
    EXPECT_EQ(speaker.device(), "");
    say_through(kPhrase);
    speaker.close();
    EXPECT_GT(speech_rms(played(loudspeaker)), 1000.0);
}

// Unplugged, and the device woken before SDL said so: the default plays, and wake() says the
// headset is lost so that the citizen's speech is no longer private.
TEST_F(UnpluggedHeadsetTest, BeforeSDLSaysSoWakeSaysTheHeadsetIsLost) {
    Speaker speaker(*voice_, outputs());
    plug_in(speaker);
    speaker.sleep();
    fs::remove_all(dir_ / "usb");  // SDL's list still has it
    const fs::path loudspeaker = play_into("loudspeaker.raw");
    std::string error;
    bool headset_lost = false;
    ASSERT_TRUE(speaker.wake(error, headset_lost)) << error;
    EXPECT_TRUE(error.empty()) << error;
    EXPECT_TRUE(headset_lost);
    EXPECT_FALSE(speaker.headset());
    EXPECT_EQ(speaker.device(), "");
    say_through(kPhrase);
    speaker.close();
    EXPECT_GT(speech_rms(played(loudspeaker)), 1000.0);
}

}  // namespace
