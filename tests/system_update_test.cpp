// The kiosk's side of A/B updates against a real RAUC (tests/support/rauc_service.h): waiting for
// the citizen, installing, the boot loader told, the outcome after the reboot, and refusals.
#include "kiosk/system_update.h"

#include "process.h"
#include "rauc_service.h"

#include <gtest/gtest.h>

#include <fstream>
#include <optional>

using namespace kiosk;
using namespace std::chrono_literals;

namespace {

class Rauc : public ::testing::Test {
protected:
    void SetUp() override {
        if (const std::string why = testsupport::RaucService::unavailable(); !why.empty())
            GTEST_SKIP() << why;
        rauc.emplace();
        settings.rauc_conf = rauc->conf();
        settings.state_dir = rauc->dir + "/state";
        settings.version_file = rauc->dir + "/system-version";
        std::ofstream(settings.version_file) << "1.0.0+20261201.0900\n";
        std::filesystem::create_directories(settings.state_dir);
    }

    bool phase_is(const SystemUpdate& u, const std::string& phase) {
        return testsupport::eventually([&] { return u.state().phase == phase; }, 60s);
    }

    std::optional<testsupport::RaucService> rauc;
    UpdateSettings settings;
};

// A bundle waits for the citizen to finish, goes into slot B, and the boot loader is told to
// try B next; the next start on B says the update came up, on A that it was rolled back.
TEST_F(Rauc, ABundleIsInstalledOnlyWithNoCitizenMidComplaintAndItsOutcomeIsToldAfterTheReboot) {
    const std::string b = rauc->bundle("1.1.0+20261203.1000");
    {
        SystemUpdate u(settings);
        ASSERT_TRUE(testsupport::eventually([&] { return u.state().slot == "A"; }, 20s));
        EXPECT_EQ(u.state().version, "1.0.0+20261201.0900");
        EXPECT_EQ(u.install(b), "");
        EXPECT_EQ(u.state().phase, "waiting");  // a citizen is at the kiosk
        EXPECT_NE(u.install(b), "");            // one at a time
        EXPECT_NE(rauc->grubenv().find("ORDER=A B"), std::string::npos);
        u.citizen_idle(true);
        ASSERT_TRUE(phase_is(u, "installed")) << u.state().detail;
        EXPECT_TRUE(u.reboot_due());
        EXPECT_EQ(u.state().target_version, "1.1.0+20261203.1000");
        const std::string env = rauc->grubenv();
        EXPECT_NE(env.find("ORDER=B A"), std::string::npos) << env;
        EXPECT_NE(env.find("B_OK=1"), std::string::npos) << env;
    }
    // The reboot: the boot loader took B and it came up. The update installed before this
    // start is never taken for one still to reboot into (that reboot happened).
    rauc->boot("B");
    {
        SystemUpdate u(settings);
        EXPECT_FALSE(u.reboot_due());
        ASSERT_TRUE(phase_is(u, "updated")) << u.state().detail;
        EXPECT_EQ(u.state().slot, "B");
        EXPECT_FALSE(u.reboot_due());
    }
    // Another install, and this time the boot loader fell back to A.
    const std::string again = rauc->bundle("1.2.0+20261204.1000");
    {
        SystemUpdate u(settings);
        u.citizen_idle(true);
        ASSERT_TRUE(testsupport::eventually([&] { return u.state().slot == "B"; }, 20s));
        EXPECT_EQ(u.install(again), "");
        ASSERT_TRUE(phase_is(u, "installed")) << u.state().detail;
    }
    rauc->boot("B");  // B still runs: the new A did not come up
    SystemUpdate u(settings);
    ASSERT_TRUE(phase_is(u, "rolled_back"));
    EXPECT_NE(u.state().detail.find("slot B runs again"), std::string::npos);
}

// RAUC refuses a bundle signed by anyone but the fleet's key: nothing is written, and why is
// told; so is a file that is no bundle at all, or none.
TEST_F(Rauc, ABundleSignedByAnotherKeyIsRefusedAndNothingChanges) {
    rauc->make_keys("other");
    const std::string forged = rauc->bundle("6.6.6", "other");
    SystemUpdate u(settings);
    u.citizen_idle(true);
    EXPECT_EQ(u.install(forged), "");
    ASSERT_TRUE(phase_is(u, "failed"));
    EXPECT_NE(u.state().detail.find("not a bundle for this kiosk"), std::string::npos)
        << u.state().detail;
    EXPECT_NE(u.state().detail.find("signature"), std::string::npos) << u.state().detail;
    EXPECT_NE(rauc->grubenv().find("ORDER=A B"), std::string::npos);
    const std::string dir = rauc->dir;
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
    const std::string b = rauc->bundle("1.1.0");
    {
        SystemUpdate u(settings);
        EXPECT_EQ(u.install(b), "");
    }
    SystemUpdate u(settings);
    ASSERT_TRUE(phase_is(u, "failed"));
    EXPECT_EQ(u.state().detail, "interrupted by a restart");
    EXPECT_NE(rauc->grubenv().find("ORDER=A B"), std::string::npos);
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
