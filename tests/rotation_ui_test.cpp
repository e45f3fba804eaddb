// A panel mounted turned from its native mode ([ui] rotation, issue 17): the real kiosk under
// Xvfb on a 1920x1080 landscape screen, laid out as the 1080x1920 portrait kiosk, drawn turned
// by 90 degrees, and tapped where the turned screen shows each target (the driver turns the
// probe's layout places with the kiosk's own mapping, kiosk/ui/rotation.h).
#include "kiosk_driver.h"
#include "process.h"
#include "touch_complaint.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

using namespace testsupport;
using namespace std::chrono_literals;

namespace {

KioskSetup turned_by_90() { return {.width = 1920, .height = 1080, .rotation = 90}; }

// The number ImageMagick prints for a command (its answer goes to stderr for compare).
std::string magick(const std::vector<std::string>& args) {
    const std::string out = make_temp_dir("kiosk-magick") + "/out.txt";
    run(args, out, 30s);
    const std::string text = read_text(out);
    std::filesystem::remove_all(std::filesystem::path(out).parent_path());
    return text;
}

}  // namespace

// A citizen files a complaint by touch on the turned screen, and it reaches the register.
TEST(Rotated, AComplaintIsFiledByTouchOnAPanelTurnedBy90) {
    DevRegister reg;
    Xvfb x(1920, 1080);
    Kiosk k(x, reg, suite_and_test(), turned_by_90());
    EXPECT_NE(k.log().find("turned by 90 degrees: laid out 1080x1920 on a 1920x1080 screen"),
              std::string::npos)
        << k.log();
    k.press("language:kk");
    k.wait_for("home.file");
    // The portrait layout: every target within 1080 px across, some below 1080 px down.
    bool below = false;
    for (const auto& [id, r] : k.targets()) {
        EXPECT_LE(r.x + r.w, 1080) << id;
        below = below || r.y + r.h > 1080;
    }
    EXPECT_TRUE(below) << "not laid out for 1080x1920";
    k.screenshot("rotated-90-home");
    touch_home_to_address(k);
    k.screenshot("rotated-90");  // a form and the keyboard, turned
    k.press("nav.next");
    touch_an_official(k);
    touch_to_signature(k);
    k.screenshot("rotated-90-signature");
    touch_submit(k);
    k.screenshot("rotated-90-done");
    k.press("done.finish");
    k.wait_for("language:kk");

    const auto rows = reg.query(
        "SELECT last_name, first_name, phone, json_extract(attributes, '$.iin'), "
        "json_extract(attributes, '$.grounds') FROM requests",
        {});
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0], (std::vector<std::string>{"Әбілқасымова", "Айгүл", "+77011234567",
                                                 "900101300007", "анықтама берілмеді"}));
}

// What the turned panel shows is the portrait kiosk's screen turned clockwise. Not pixel for
// pixel: the software renderer blits an upright rectangle but rasterises a turned one as two
// triangles, and their edges round differently by a pixel; a picture a few pixels off, or turned
// the other way, correlates far less (0.88 for 3 px, 0.09 for the wrong way).
TEST(Rotated, TheTurnedScreenIsThePortraitScreenTurned) {
    DevRegister reg;
    std::string portrait, turned;
    {
        Xvfb x(1080, 1920);
        Kiosk k(x, reg, suite_and_test() + "-portrait");
        k.press("language:kk");
        k.wait_for("home.file");
        portrait = k.screenshot("rotated-reference-portrait");
    }
    {
        Xvfb x(1920, 1080);
        Kiosk k(x, reg, suite_and_test() + "-turned", turned_by_90());
        k.press("language:kk");
        k.wait_for("home.file");
        turned = k.screenshot("rotated-90-home-compared");
    }
    const std::string expected = (kArtifacts / "rotated-reference-turned.png").string();
    magick({tool("convert"), portrait, "-rotate", "90", expected});
    EXPECT_EQ(magick({tool("convert"), turned, "-format", "%wx%h", "info:"}), "1920x1080");
    // Normalised cross-correlation: 1 for the same picture.
    const std::string same = magick({tool("compare"), "-metric", "NCC", expected, turned, "null:"});
    EXPECT_GT(std::stod(same), 0.95) << same;
}
