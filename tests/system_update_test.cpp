// The kiosk's side of A/B updates against a real RAUC: Debian's `rauc service` on a private
// D-Bus bus (DBUS_STARTER_BUS_TYPE=session, as RAUC's own tests run it), two slots in image
// files, and GRUB's environment block written by RAUC's grub back end with grub-editenv. The
// bundles are signed with image/make-dev-keys's development keys. Plain-format bundles: this
// machine's kernel has no device-mapper for the verity format the kiosks take (the QEMU checks,
// image/update-check, install verity bundles).
#include "kiosk/system_update.h"

#include "process.h"

#include <gtest/gtest.h>

#include <csignal>
#include <fstream>
#include <unistd.h>

using namespace kiosk;
using namespace std::chrono_literals;

namespace {

std::string sh(const std::string& dir, const std::string& command) {
    const int rc = testsupport::run({"/bin/sh", "-c", command}, dir + "/commands.log", 120s);
    return rc == 0 ? ""
                   : "failed (" + std::to_string(rc) + "): " + command + "\n" +
                         testsupport::read_text(dir + "/commands.log");
}

std::string grubenv(const std::string& dir) {
    std::string out = dir + "/grubenv.txt";
    testsupport::run({"/usr/bin/grub-editenv", dir + "/grubenv", "list"}, out, 10s);
    return testsupport::read_text(out);
}

class Rauc : public ::testing::Test {
protected:
    void SetUp() override {
        if (geteuid() != 0 || access("/usr/bin/rauc", X_OK) != 0 ||
            access("/usr/bin/grub-editenv", X_OK) != 0 ||
            access("/dev/loop-control", R_OK | W_OK) != 0)
            GTEST_SKIP() << "needs root and loop devices (RAUC mounts the bundle), rauc and "
                            "grub-editenv";
        dir = testsupport::make_temp_dir("kiosk-rauc");
        ASSERT_EQ(sh(dir, std::string(KIOSK_SOURCE_DIR) + "/image/make-dev-keys " + dir +
                              "/keys >/dev/null"),
                  "");
        ASSERT_EQ(sh(dir, "cd " + dir +
                              " && dd if=/dev/zero of=slot-a.img bs=1M count=8 status=none"
                              " && dd if=/dev/zero of=slot-b.img bs=1M count=8 status=none"
                              " && grub-editenv grubenv create"
                              " && grub-editenv grubenv set 'ORDER=A B' A_OK=1 B_OK=0 A_TRY=0 "
                              "B_TRY=0"),
                  "");
        std::ofstream(dir + "/system.conf")
            << "[system]\ncompatible=complaint-kiosk-amd64\nbootloader=grub\ngrubenv=" << dir
            << "/grubenv\nstatusfile=" << dir << "/status.raucs\nbundle-formats=plain\n"
            << "[keyring]\npath=" << dir << "/keys/ca.crt\n"
            << "[slot.rootfs.0]\ndevice=" << dir << "/slot-a.img\ntype=ext4\nbootname=A\n"
            << "[slot.rootfs.1]\ndevice=" << dir << "/slot-b.img\ntype=ext4\nbootname=B\n";
        std::ofstream(dir + "/bus.conf")
            << "<busconfig><type>session</type><listen>unix:path=" << dir
            << "/bus</listen><policy context=\"default\"><allow send_destination=\"*\"/>"
               "<allow receive_sender=\"*\"/>"
               "<allow own=\"*\"/></policy></busconfig>\n";
        bus = testsupport::spawn(
            {"/usr/bin/dbus-daemon", "--nofork", "--config-file=" + dir + "/bus.conf"},
            dir + "/bus.log");
        ASSERT_TRUE(testsupport::eventually(
            [&] { return access((dir + "/bus").c_str(), F_OK) == 0; }, 10s));
        // The kiosk's rauc client and the service find the bus the way RAUC's tests do.
        setenv("DBUS_SESSION_BUS_ADDRESS", ("unix:path=" + dir + "/bus").c_str(), 1);
        setenv("DBUS_STARTER_BUS_TYPE", "session", 1);
        start_service("A");
        settings.state_dir = dir + "/state";
        settings.version_file = dir + "/system-version";
        settings.rauc_conf = dir + "/system.conf";
        std::ofstream(settings.version_file) << "1.0.0+20261201.0900\n";
        std::filesystem::create_directories(settings.state_dir);
    }

    void TearDown() override {
        if (service > 0) testsupport::stop(service, 5s);
        if (bus > 0) testsupport::stop(bus, 5s);
        unsetenv("DBUS_SESSION_BUS_ADDRESS");
        unsetenv("DBUS_STARTER_BUS_TYPE");
        if (!dir.empty()) std::filesystem::remove_all(dir);
    }

    // RAUC's service as the boot loader left it: booted from `slot`.
    void start_service(const std::string& slot) {
        if (service > 0) testsupport::stop(service, 5s);
        service = testsupport::spawn({"/usr/bin/rauc", "service", "--conf=" + dir + "/system.conf",
                                      "--override-boot-slot=" + slot},
                                     dir + "/service.log");
        ASSERT_TRUE(testsupport::eventually(
            [&] { return sh(dir, "rauc status >/dev/null 2>&1").empty(); }, 20s))
            << testsupport::read_text(dir + "/service.log");
    }

    // A signed plain bundle of a tiny root tree, with the given signer ("keys" or another's).
    std::string bundle(const std::string& version, const std::string& keys = "keys") {
        const std::string b = dir + "/b-" + version;
        const std::string out = dir + "/" + version + ".raucb";
        EXPECT_EQ(sh(dir, "mkdir -p " + b + "/tree/usr/lib/complaint-kiosk && echo " + version +
                              " >" + b +
                              "/tree/usr/lib/complaint-kiosk/system-version"
                              " && mkfs.ext4 -q -d " +
                              b + "/tree " + b + "/rootfs.ext4 4M"),
                  "");
        std::ofstream(b + "/manifest.raucm")
            << "[update]\ncompatible=complaint-kiosk-amd64\nversion=" << version
            << "\n[bundle]\nformat=plain\n[image.rootfs]\nfilename=rootfs.ext4\n";
        std::filesystem::remove_all(b + "/tree");
        EXPECT_EQ(sh(dir, "rauc bundle --cert " + dir + "/" + keys + "/signing.crt --key " + dir +
                              "/" + keys + "/signing.key " + b + " " + out),
                  "");
        return out;
    }

    bool phase_is(const SystemUpdate& u, const std::string& phase) {
        return testsupport::eventually([&] { return u.state().phase == phase; }, 60s);
    }

    std::string dir;
    pid_t bus = -1, service = -1;
    UpdateSettings settings;
};

// A bundle waits for the citizen to finish, goes into slot B, and the boot loader is told to
// try B next; the next start on B says the update came up, on A that it was rolled back.
TEST_F(Rauc, ABundleIsInstalledOnlyWithNoCitizenMidComplaintAndItsOutcomeIsToldAfterTheReboot) {
    const std::string b = bundle("1.1.0+20261203.1000");
    {
        SystemUpdate u(settings);
        ASSERT_TRUE(testsupport::eventually([&] { return u.state().slot == "A"; }, 20s));
        EXPECT_EQ(u.state().version, "1.0.0+20261201.0900");
        EXPECT_EQ(u.install(b), "");
        EXPECT_EQ(u.state().phase, "waiting");  // a citizen is at the kiosk
        EXPECT_NE(u.install(b), "");            // one at a time
        EXPECT_NE(grubenv(dir).find("ORDER=A B"), std::string::npos);
        u.citizen_idle(true);
        ASSERT_TRUE(phase_is(u, "installed")) << u.state().detail;
        EXPECT_TRUE(u.reboot_due());
        EXPECT_EQ(u.state().target_version, "1.1.0+20261203.1000");
        const std::string env = grubenv(dir);
        EXPECT_NE(env.find("ORDER=B A"), std::string::npos) << env;
        EXPECT_NE(env.find("B_OK=1"), std::string::npos) << env;
    }
    // The reboot: the boot loader took B and it came up.
    start_service("B");
    {
        SystemUpdate u(settings);
        ASSERT_TRUE(phase_is(u, "updated")) << u.state().detail;
        EXPECT_EQ(u.state().slot, "B");
        EXPECT_FALSE(u.reboot_due());
    }
    // Another install, and this time the boot loader fell back to A.
    const std::string again = bundle("1.2.0+20261204.1000");
    {
        SystemUpdate u(settings);
        u.citizen_idle(true);
        ASSERT_TRUE(testsupport::eventually([&] { return u.state().slot == "B"; }, 20s));
        EXPECT_EQ(u.install(again), "");
        ASSERT_TRUE(phase_is(u, "installed")) << u.state().detail;
    }
    start_service("B");  // B still runs: the new A did not come up
    SystemUpdate u(settings);
    ASSERT_TRUE(phase_is(u, "rolled_back"));
    EXPECT_NE(u.state().detail.find("slot B runs again"), std::string::npos);
}

// RAUC refuses a bundle signed by anyone but the fleet's key: nothing is written, and why is
// told; so is a file that is no bundle at all, or none.
TEST_F(Rauc, ABundleSignedByAnotherKeyIsRefusedAndNothingChanges) {
    ASSERT_EQ(sh(dir, std::string(KIOSK_SOURCE_DIR) + "/image/make-dev-keys " + dir +
                          "/other >/dev/null"),
              "");
    const std::string forged = bundle("6.6.6", "other");
    SystemUpdate u(settings);
    u.citizen_idle(true);
    EXPECT_EQ(u.install(forged), "");
    ASSERT_TRUE(phase_is(u, "failed"));
    EXPECT_NE(u.state().detail.find("not a bundle for this kiosk"), std::string::npos)
        << u.state().detail;
    EXPECT_NE(u.state().detail.find("signature"), std::string::npos) << u.state().detail;
    EXPECT_NE(grubenv(dir).find("ORDER=A B"), std::string::npos);
    std::ofstream(dir + "/junk.raucb") << "not a bundle";
    const auto before = u.state().changed_at;
    EXPECT_EQ(u.install(dir + "/junk.raucb"), "");
    ASSERT_TRUE(testsupport::eventually(
        [&] { return u.state().phase == "failed" && u.state().changed_at != before; }, 60s));
    EXPECT_NE(u.state().detail.find("not a bundle for this kiosk"), std::string::npos);
    EXPECT_NE(u.install(dir + "/none.raucb").find("no such bundle"), std::string::npos);
}

// A kiosk stopped while an update waits says so at its next start; nothing was installed.
TEST_F(Rauc, AnUpdateCutShortByARestartIsToldAsFailed) {
    const std::string b = bundle("1.1.0");
    {
        SystemUpdate u(settings);
        EXPECT_EQ(u.install(b), "");
    }
    SystemUpdate u(settings);
    ASSERT_TRUE(phase_is(u, "failed"));
    EXPECT_EQ(u.state().detail, "interrupted by a restart");
    EXPECT_NE(grubenv(dir).find("ORDER=A B"), std::string::npos);
}

TEST(UsbBundles, OnlyBundlesOneFolderDeepAreOffered) {
    const std::string dir = testsupport::make_temp_dir("kiosk-usb");
    std::filesystem::create_directories(dir + "/sdb1/deeper");
    std::filesystem::create_directories(dir + "/sdc1");
    std::ofstream(dir + "/sdb1/kiosk-1.2.0.raucb") << "x";
    std::ofstream(dir + "/sdb1/notes.txt") << "x";
    std::ofstream(dir + "/sdb1/deeper/old.raucb") << "x";
    std::ofstream(dir + "/sdc1/kiosk-1.3.0.raucb") << "x";
    std::ofstream(dir + "/loose.raucb") << "x";
    const auto found = usb_bundles(dir);
    ASSERT_EQ(found.size(), 2u);
    EXPECT_EQ(found[0].filename(), "kiosk-1.2.0.raucb");
    EXPECT_EQ(found[1].filename(), "kiosk-1.3.0.raucb");
    EXPECT_TRUE(usb_bundles(dir + "/none").empty());
    EXPECT_TRUE(usb_bundles("").empty());
    std::filesystem::remove_all(dir);
}

}  // namespace
