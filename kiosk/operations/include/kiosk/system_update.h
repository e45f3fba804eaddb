// kiosk/system_update: the kiosk's side of A/B system updates with RAUC. A signed bundle (from a
// USB stick in service mode, or a path an operator's command names) is installed into the other
// slot by RAUC's service through its `rauc` command, on this object's own thread, and only while
// no citizen is mid-complaint; the reboot into the new slot is the session's, once nobody is at
// the kiosk and the outbox is empty. RAUC checks the bundle's signature; the image's
// kiosk-boot-good marks the new slot good, or rolls back (image/README.md). What happened is
// kept in state_dir/system-update.json, so the next start can say whether the new system came
// up or the old one is back.
#pragma once
#include "kiosk/clock.h"

#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace kiosk {

struct UpdateSettings {
    std::string rauc = "rauc";  // the RAUC client (it talks to RAUC's service over D-Bus)
    // RAUC's system.conf, for `rauc info`'s keyring ("" = RAUC's own /etc/rauc/system.conf).
    std::filesystem::path rauc_conf;
    std::filesystem::path state_dir;     // system-update.json
    std::filesystem::path usb_dir;       // where USB sticks are mounted, one folder each; "" = none
    std::filesystem::path version_file;  // the running slot's version (written by image/build)
};

// What runs, and what the last update did.
struct SystemState {
    std::string slot;     // RAUC's booted slot: "A" or "B"; "" when RAUC is not there
    std::string version;  // the running system's version; "" when unknown
    // idle, waiting (for the citizen to finish), installing, installed (waiting to reboot),
    // checking (installed before this start: which slot came up?), failed, updated (the new
    // slot came up), rolled_back (the old one is back)
    std::string phase = "idle";
    std::string detail;          // the bundle's file name, or RAUC's error
    std::string target_version;  // the version being or last installed
    std::optional<WallClock::time_point> changed_at;
    bool operator==(const SystemState&) const = default;
};

// The running system's version from its file (one line); "" when there is none.
std::string system_version(const std::filesystem::path& version_file);

// The bundles on the mounted USB sticks (*.raucb, one folder deep), sorted.
std::vector<std::filesystem::path> usb_bundles(const std::filesystem::path& usb_dir);

class SystemUpdate {
public:
    explicit SystemUpdate(UpdateSettings settings);
    ~SystemUpdate();  // a running install is cancelled (RAUC leaves the other slot unmarked)
    SystemUpdate(const SystemUpdate&) = delete;
    SystemUpdate& operator=(const SystemUpdate&) = delete;

    // Asks for an install of a bundle file; "" when taken, else why not (one under way, no such
    // file). It starts once citizen_idle(true) has been said.
    std::string install(const std::filesystem::path& bundle);
    // The session, every poll: true on the attract screen with nothing in flight.
    void citizen_idle(bool idle);
    // Installed and waiting for the reboot into the new slot.
    bool reboot_due() const;
    SystemState state() const;

    static constexpr const char* kFileName = "system-update.json";

private:
    void settle(std::stop_token stop);
    void loop(std::stop_token stop);
    void set(SystemState s);  // kept on disk too

    const UpdateSettings settings_;
    mutable std::mutex mutex_;
    std::mutex write_mutex_;  // taken before mutex_, never inside it
    std::condition_variable_any wake_;
    SystemState state_;
    std::optional<std::filesystem::path> wanted_;
    bool idle_ = false;
    std::string from_slot_;  // the slot an installed update was installed from
    std::jthread thread_;    // last: it uses everything above
};

}  // namespace kiosk
