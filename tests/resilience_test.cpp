// The real kiosk when things go wrong around it: stopped by systemd while the register hangs,
// started on a damaged outbox or a full disk. It must stop in time with nothing lost, and come
// up saying "out of service" (to the citizen, to /healthz) instead of crash-looping.
#include "kiosk_driver.h"

#include "kiosk/outbox.h"

#include <gtest/gtest.h>

#include <sys/mount.h>

#include <cerrno>
#include <cstring>

using namespace testsupport;
using namespace std::chrono_literals;

namespace {

std::string test_name() {
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    for (char& c : name)
        if (c == '/') c = '-';
    return name;
}

net::ServiceRequest waiting_request(int n) {
    net::ServiceRequest r;
    r.service_code = "KZ-GU-001";
    r.address_string = "Көкшетау қ., Абай к-сі, 83";
    r.description = "Жалоба номер " + std::to_string(n);
    r.device_id = "KSK-UI-TEST";
    r.first_name = "Айгүл";
    r.last_name = "Әбілқасымова";
    r.idempotency_key = net::new_idempotency_key();
    return r;
}

kiosk::Outbox outbox_in(const std::filesystem::path& state) {
    return kiosk::Outbox(state / "outbox.sqlite", "KSK-UI-TEST");
}

}  // namespace

// Section: SIGTERM while the register takes 30 s to answer

class Shutdown : public ::testing::TestWithParam<int> {};

TEST_P(Shutdown, EndsWithinFiveSecondsAndEveryComplaintStaysQueued) {
    const int waiting = GetParam();
    DevRegister reg({.faults = {"delay=30000,path=requests.json"}});
    Xvfb x(1080, 1920);
    std::vector<std::string> keys;
    std::filesystem::path state;
    KioskSetup setup;
    setup.prepare_state = [&](const std::filesystem::path& dir) {
        state = dir;
        kiosk::Outbox outbox = outbox_in(dir);
        for (int n = 0; n < waiting; ++n)
            keys.push_back(
                outbox.enqueue(waiting_request(n), kiosk::WallClock::now()).idempotency_key);
    };
    Kiosk k(x, reg, test_name(), setup);
    // The delivery worker is inside a call to the register that will not end for 30 s.
    ASSERT_TRUE(eventually([&] { return outbox_in(state).stats().delivering == 1; }, 20s))
        << k.log();

    const auto took = k.terminate(5s);
    ASSERT_TRUE(took) << "still running 5 s after SIGTERM\n" << k.log();
    EXPECT_TRUE(WIFEXITED(k.exit_status) && WEXITSTATUS(k.exit_status) == 0) << k.exit_status;
    RecordProperty("shutdown_ms", static_cast<int>(took->count()));

    kiosk::Outbox outbox = outbox_in(state);
    const kiosk::OutboxStats stats = outbox.stats();
    EXPECT_EQ(stats.queued, waiting);
    EXPECT_EQ(stats.delivering + stats.registered + stats.needs_staff, 0);
    std::vector<std::string> still;
    for (const auto& item : outbox.recent(waiting + 10)) {
        still.push_back(item.idempotency_key);
        EXPECT_FALSE(item.purged);
    }
    std::sort(still.begin(), still.end());
    std::sort(keys.begin(), keys.end());
    EXPECT_EQ(still, keys);  // the same complaints under the same keys: none lost, none new
    const auto cut = std::count_if(still.begin(), still.end(), [&](const std::string& key) {
        for (const auto& item : outbox.recent(waiting))
            if (item.idempotency_key == key) return item.last_error == "interrupted by shutdown";
        return false;
    });
    EXPECT_EQ(cut, 1);  // the one in flight, due again at once at the next start
}

INSTANTIATE_TEST_SUITE_P(Queued, Shutdown, ::testing::Values(3, 50));

// Section: a kiosk that cannot use its outbox comes up out of service

namespace {

// /healthz names the outbox as the trouble.
bool says_outbox_unusable(const Kiosk& k) {
    const HttpAnswer h = k.management("/healthz");
    return h.status == 503 && h.body.find("outbox unusable") != std::string::npos;
}

}  // namespace

TEST(OutOfService, DamagedOutboxStaffMoveItAsideAndTheKioskTakesComplaintsAgain) {
    DevRegister reg;
    Xvfb x(1080, 1920);
    KioskSetup setup;
    std::filesystem::path state;
    setup.prepare_state = [&](const std::filesystem::path& dir) {
        state = dir;
        std::ofstream(dir / "outbox.sqlite") << std::string(8192, 'x');  // not a database
    };
    Kiosk k(x, reg, test_name(), setup);
    ASSERT_TRUE(eventually([&] { return says_outbox_unusable(k); }, 20s))
        << k.management("/healthz").body << k.log();
    EXPECT_NE(k.management("/metrics").body.find("kiosk_outbox_usable 0"), std::string::npos);
    ASSERT_TRUE(eventually([&] { return k.no_way_in(); }, 10s));
    k.screenshot("out-of-service");

    // Staff: the gesture, the PIN, and the way out, confirmed once more.
    k.service_mode();
    k.press("staff.replace_outbox");
    k.screenshot("out-of-service-staff");
    k.press("staff.yes");
    ASSERT_TRUE(eventually([&] { return !says_outbox_unusable(k); }, 20s)) << k.log();
    k.press("staff.exit");
    k.wait_for("language:kk", 10s);

    // The damaged file is kept beside the new outbox, as it was, for a specialist.
    int kept = 0;
    for (const auto& e : std::filesystem::directory_iterator(state))
        if (e.path().filename().string().rfind("outbox.broken-", 0) == 0 &&
            e.path().extension() == ".sqlite") {
            EXPECT_EQ(read_text(e.path().string()), std::string(8192, 'x'));
            ++kept;
        }
    EXPECT_EQ(kept, 1);
    EXPECT_EQ(outbox_in(state).stats().queued, 0);
}

// A tmpfs of its own, filled to the last byte before the kiosk starts.
struct FullDisk {
    std::filesystem::path dir = make_temp_dir("kiosk-full");
    bool mounted = false;
    std::string why;
    FullDisk() {
        if (::mount("tmpfs", dir.c_str(), "tmpfs", 0, "size=512k,mode=0700") != 0) {
            why = std::string("cannot mount a tmpfs here: ") + std::strerror(errno);
            return;
        }
        mounted = true;
        std::ofstream fill(dir / "filler", std::ios::binary);
        const std::string block(4096, '\0');
        while (fill.write(block.data(), block.size())) {
        }
    }
    ~FullDisk() {
        if (mounted) ::umount2(dir.c_str(), MNT_DETACH);
        std::filesystem::remove_all(dir);
    }
};

TEST(OutOfService, FullDiskAtStartTheScreenAndHealthzSayWhy) {
    FullDisk disk;
    if (!disk.mounted) GTEST_SKIP() << disk.why;
    DevRegister reg;
    Xvfb x(1080, 1920);
    KioskSetup setup;
    setup.state_dir = disk.dir.string();
    {
        Kiosk k(x, reg, test_name(), setup);
        ASSERT_TRUE(eventually([&] { return says_outbox_unusable(k); }, 20s))
            << k.management("/healthz").body << k.log();
        ASSERT_TRUE(eventually([&] { return k.no_way_in(); }, 10s));
        k.screenshot("out-of-service-full-disk");
        // Space comes back: the kiosk finds out by itself and takes complaints again.
        std::filesystem::remove(disk.dir / "filler");
        EXPECT_TRUE(eventually([&] { return !says_outbox_unusable(k); }, 60s))
            << k.management("/healthz").body;
        k.wait_for("language:kk", 10s);
    }
}

// Section: a complaint the register refused as sent

bool metric_says(const Kiosk& k, const std::string& line) {
    return k.management("/metrics").body.find(line) != std::string::npos;
}

// Refused for the key, say: held for staff, never lost. /healthz, /metrics and service mode
// say so with the register's words; once it is fixed, "Send held complaints again" files it.
TEST(HeldForStaff, TheRegistersRefusalIsShownAndStaffSendItAgain) {
    DevRegister reg({.faults = {"status=403,description=api_key+is+not+valid,count=1,"
                                "path=requests.json"}});
    Xvfb x(1080, 1920);
    KioskSetup setup;
    setup.prepare_state = [](const std::filesystem::path& dir) {
        outbox_in(dir).enqueue(waiting_request(1), kiosk::WallClock::now());
    };
    Kiosk k(x, reg, test_name(), setup);
    ASSERT_TRUE(eventually([&] { return metric_says(k, "kiosk_outbox_needs_staff 1"); }, 30s))
        << k.log();
    EXPECT_NE(k.management("/healthz").body.find("complaints held for staff"), std::string::npos);
    EXPECT_EQ(reg.rows("requests"), 0);

    k.service_mode();
    k.wait_for("staff.requeue", 10s);
    k.screenshot("held-for-staff");
    k.press("staff.requeue");
    ASSERT_TRUE(eventually([&] { return reg.rows("requests") == 1; }, 30s)) << k.log();
    EXPECT_TRUE(eventually([&] { return metric_says(k, "kiosk_outbox_needs_staff 0"); }, 30s));
    EXPECT_TRUE(metric_says(k, "kiosk_staff_actions_total{action=\"requeue\"} 1"))
        << k.management("/metrics").body;
}
