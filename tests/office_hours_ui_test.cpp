// Office hours and staff's system update as the citizen and staff see them (issue 17): the real
// kiosk under Xvfb. Outside the hours the attract screen is dimmed and closed, with the hours;
// inside, the usual invitation. Staff find the update on a USB stick in service mode.
#include "kiosk_driver.h"
#include "process.h"

#include <gtest/gtest.h>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <string>

using namespace testsupport;
using namespace std::chrono_literals;

namespace {

// Every day the same hours, as the kiosk's [office_hours] has them.
std::string every_day(const std::string& hours) {
    std::string s = "[office_hours]\nholidays = \"open\"\n";
    for (const char* day : {"mon", "tue", "wed", "thu", "fri", "sat", "sun"})
        s += std::string(day) + " = \"" + hours + "\"\n";
    return s;
}

// Hours that do not hold the office's time now (Asia/Almaty, the kiosk's default zone), nor for
// the next hours of the test: the morning when it is afternoon there, and the other way round.
std::string hours_not_now() {
    setenv("TZ", "Asia/Almaty", 1);
    tzset();
    const std::time_t now = std::time(nullptr);
    std::tm local{};
    localtime_r(&now, &local);
    return local.tm_hour < 12 ? "18:00-23:00" : "06:00-11:00";
}

}  // namespace

TEST(AfterHours, TheKioskIsClosedWithItsHoursStaffStillGetInAndInsideItIsOpen) {
    DevRegister reg;
    Xvfb x(1080, 1920);
    KioskSetup setup;
    setup.sections = every_day(hours_not_now()) + "[update]\nusb_dir = \"usb\"\n";
    {
        Kiosk k(x, reg, suite_and_test(), setup);
        ASSERT_TRUE(eventually([&] { return k.no_way_in(); }, 10s)) << k.log();
        EXPECT_NE(k.log().find("closed: outside office hours"), std::string::npos);
        k.screenshot("closed-after-hours");
        // Staff restock paper after hours: service mode works, says why it is closed, and
        // offers the update on the stick.
        std::filesystem::create_directories(k.dir + "/usb/sdb1");
        std::ofstream(k.dir + "/usb/sdb1/kiosk-1.1.0+20261203.raucb") << "a bundle";
        k.service_mode();
        k.wait_for("staff.update_usb", 10s);
        k.screenshot("closed-after-hours-staff");
        k.press("staff.update_usb");
        k.wait_for("bundle:kiosk-1.1.0+20261203.raucb", 10s);
        k.screenshot("service-update-usb");
        k.press("bundle:kiosk-1.1.0+20261203.raucb");
        k.wait_for("staff.yes", 10s);
        k.screenshot("service-update-confirm");
        k.press("staff.no");
        k.press("staff.exit");
        ASSERT_TRUE(eventually([&] { return k.no_way_in(); }, 10s));
    }
    // Open around the clock: the usual invitation.
    setup.sections = every_day("00:00-24:00");
    Kiosk k(x, reg, suite_and_test() + ".open", setup);
    k.wait_for("language:kk", 10s);
    EXPECT_EQ(k.log().find("closed: outside office hours"), std::string::npos);
}
