// A real RAUC for tests: Debian's `rauc service` on a private D-Bus bus (DBUS_STARTER_BUS_TYPE=
// session, as RAUC's own tests run it), two slots in image files, and GRUB's environment block
// written by RAUC's grub back end with grub-editenv. Bundles are signed with image/make-dev-keys's
// development keys, in the plain format: this machine's kernel has no device-mapper for the
// verity format the kiosks take (image/update-check installs verity bundles in QEMU).
// Header only; needs KIOSK_SOURCE_DIR.
#pragma once
#include "process.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

namespace testsupport {

class RaucService {
public:
    // Why this machine cannot run it ("" when it can): root and loop devices (RAUC mounts the
    // bundle), rauc and grub-editenv.
    static std::string unavailable() {
        if (geteuid() != 0 || access("/dev/loop-control", R_OK | W_OK) != 0)
            return "needs root and loop devices (RAUC mounts the bundle)";
        if (access("/usr/bin/rauc", X_OK) != 0 || access("/usr/bin/grub-editenv", X_OK) != 0)
            return "needs rauc and grub-editenv (scripts/install-deps)";
        return "";
    }

    // Slots A and B, A booted and good; the service started from A.
    RaucService() : dir(make_temp_dir("kiosk-rauc")) {
        using namespace std::chrono_literals;
        EXPECT_EQ(
            sh(std::string(KIOSK_SOURCE_DIR) + "/image/make-dev-keys " + dir + "/keys >/dev/null"),
            "");
        EXPECT_EQ(sh("cd " + dir +
                     " && dd if=/dev/zero of=slot-a.img bs=1M count=8 status=none"
                     " && dd if=/dev/zero of=slot-b.img bs=1M count=8 status=none"
                     " && grub-editenv grubenv create"
                     " && grub-editenv grubenv set 'ORDER=A B' A_OK=1 B_OK=0 A_TRY=0 B_TRY=0"),
                  "");
        std::ofstream(conf())
            << "[system]\ncompatible=complaint-kiosk-amd64\nbootloader=grub\ngrubenv=" << dir
            << "/grubenv\nstatusfile=" << dir << "/status.raucs\nbundle-formats=plain\n"
            << "[keyring]\npath=" << dir << "/keys/ca.crt\n"
            << "[slot.rootfs.0]\ndevice=" << dir << "/slot-a.img\ntype=ext4\nbootname=A\n"
            << "[slot.rootfs.1]\ndevice=" << dir << "/slot-b.img\ntype=ext4\nbootname=B\n";
        std::ofstream(dir + "/bus.conf")
            << "<busconfig><type>session</type><listen>unix:path=" << dir
            << "/bus</listen><policy context=\"default\"><allow send_destination=\"*\"/>"
               "<allow receive_sender=\"*\"/><allow own=\"*\"/></policy></busconfig>\n";
        bus_ = spawn({"/usr/bin/dbus-daemon", "--nofork", "--config-file=" + dir + "/bus.conf"},
                     dir + "/bus.log");
        EXPECT_TRUE(eventually([&] { return access((dir + "/bus").c_str(), F_OK) == 0; }, 10s));
        // The kiosk's rauc client and the service find the bus the way RAUC's tests do.
        setenv("DBUS_SESSION_BUS_ADDRESS", ("unix:path=" + dir + "/bus").c_str(), 1);
        setenv("DBUS_STARTER_BUS_TYPE", "session", 1);
        boot("A");
    }

    ~RaucService() {
        using namespace std::chrono_literals;
        if (service_ > 0) stop(service_, 5s);
        if (bus_ > 0) stop(bus_, 5s);
        unsetenv("DBUS_SESSION_BUS_ADDRESS");
        unsetenv("DBUS_STARTER_BUS_TYPE");
        std::filesystem::remove_all(dir);
    }
    RaucService(const RaucService&) = delete;
    RaucService& operator=(const RaucService&) = delete;

    // RAUC's service as the boot loader left it: booted from `slot`.
    void boot(const std::string& slot) {
        using namespace std::chrono_literals;
        if (service_ > 0) stop(service_, 5s);
        service_ =
            spawn({"/usr/bin/rauc", "service", "--conf=" + conf(), "--override-boot-slot=" + slot},
                  dir + "/service.log");
        EXPECT_TRUE(eventually([&] { return sh("rauc status >/dev/null 2>&1").empty(); }, 20s))
            << read_text(dir + "/service.log");
    }

    // A signed plain bundle of a tiny root tree, signed with `keys` (make_keys for another's).
    std::string bundle(const std::string& version, const std::string& keys = "keys") {
        const std::string b = dir + "/b-" + version;
        const std::string out = dir + "/" + version + ".raucb";
        EXPECT_EQ(sh("mkdir -p " + b + "/tree/usr/lib/complaint-kiosk && echo " + version + " >" +
                     b + "/tree/usr/lib/complaint-kiosk/system-version && mkfs.ext4 -q -d " + b +
                     "/tree " + b + "/rootfs.ext4 4M"),
                  "");
        std::ofstream(b + "/manifest.raucm")
            << "[update]\ncompatible=complaint-kiosk-amd64\nversion=" << version
            << "\n[bundle]\nformat=plain\n[image.rootfs]\nfilename=rootfs.ext4\n";
        std::filesystem::remove_all(b + "/tree");
        EXPECT_EQ(sh("rauc bundle --cert " + dir + "/" + keys + "/signing.crt --key " + dir + "/" +
                     keys + "/signing.key " + b + " " + out),
                  "");
        return out;
    }

    void make_keys(const std::string& name) {
        EXPECT_EQ(sh(std::string(KIOSK_SOURCE_DIR) + "/image/make-dev-keys " + dir + "/" + name +
                     " >/dev/null"),
                  "");
    }

    std::string grubenv() {
        using namespace std::chrono_literals;
        const std::string out = dir + "/grubenv.txt";
        run({"/usr/bin/grub-editenv", dir + "/grubenv", "list"}, out, 10s);
        return read_text(out);
    }

    std::string conf() const { return dir + "/system.conf"; }

    // "" when the command succeeded, else what it said.
    std::string sh(const std::string& command) {
        using namespace std::chrono_literals;
        const int rc = run({"/bin/sh", "-c", command}, dir + "/commands.log", 120s);
        return rc == 0 ? ""
                       : "failed (" + std::to_string(rc) + "): " + command + "\n" +
                             read_text(dir + "/commands.log");
    }

    const std::string dir;

private:
    pid_t bus_ = -1, service_ = -1;
};

}  // namespace testsupport
