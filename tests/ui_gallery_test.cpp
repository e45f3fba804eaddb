// Every screen a citizen reaches without typing, in every language, portrait and landscape,
// normal and with large text and high contrast, photographed into build/artifacts/ui/gallery/;
// each must show its own content (not blank, not the screen before).
#include "kiosk_driver.h"

#include <gtest/gtest.h>

#include <algorithm>

using namespace testsupport;
using namespace std::chrono_literals;

namespace {

struct Look {
    const char* lang;
    int width, height;
    bool large_contrast;
};

std::string name(const Look& l) {
    return std::string(l.lang) + (l.width > l.height ? "-landscape" : "-portrait") +
           (l.large_contrast ? "-large-contrast" : "");
}

// How ctest names each case.
void PrintTo(const Look& l, std::ostream* out) { *out << name(l); }

class Gallery : public ::testing::TestWithParam<Look> {};

}  // namespace

TEST_P(Gallery, EveryScreenWithoutTyping) {
    const Look look = GetParam();
    DevRegister reg;
    Xvfb x(look.width, look.height);
    Kiosk k(x, reg, "gallery-" + name(look), {.width = look.width, .height = look.height});
    std::vector<std::string> shots;
    auto shot = [&](const std::string& screen, const std::string& shows) {
        k.wait_for(shows);
        shots.push_back(k.screenshot("gallery/" + name(look) + "-" + screen));
    };
    shot("01-attract", "language:kk");
    k.press(std::string("language:") + look.lang);
    if (look.large_contrast) {
        k.press("access.large_text");
        k.press("access.contrast");
    }
    shot("02-home", "home.file");
    k.press("home.info");
    shot("03-info", "nav.home");
    k.press("nav.home");
    k.press("home.status");
    shot("04-status", "status.check");
    k.press("nav.home");
    k.press("home.assistance");
    shot("05-assistance", "notice:help");
    k.press("help.cancel");
    k.press("home.file");
    k.press("nav.next");
    shot("06-addressee-error", "summary:errors");
    k.press("addressee.egov");
    k.press("nav.next");
    shot("07-egov", "egov.qr");
    k.press("nav.back");
    k.press("addressee.provider_head");
    k.press("nav.next");
    shot("08-service", "service:KZ-GU-001");
    k.press("service:KZ-GU-001");
    k.press("nav.next");
    k.press("nav.next");
    shot("09-applicant-errors", "summary:errors");
    k.press("nav.cancel");
    shot("10-cancel", "cancel.confirm");
    for (std::size_t i = 1; i < shots.size(); ++i)
        EXPECT_NE(read_text(shots[i]), read_text(shots[i - 1]))
            << shots[i] << " shows the same as the screen before";
}

INSTANTIATE_TEST_SUITE_P(
    Ui, Gallery,
    ::testing::Values(Look{"kk", 1080, 1920, false}, Look{"ru", 1080, 1920, false},
                      Look{"en", 1080, 1920, false}, Look{"kk", 1920, 1080, false},
                      Look{"ru", 1920, 1080, false}, Look{"en", 1920, 1080, false},
                      Look{"kk", 1080, 1920, true}, Look{"ru", 1080, 1920, true},
                      Look{"en", 1080, 1920, true}, Look{"kk", 1920, 1080, true},
                      Look{"ru", 1920, 1080, true}, Look{"en", 1920, 1080, true}),
    [](const ::testing::TestParamInfo<Look>& i) {
        std::string n = name(i.param);
        std::replace(n.begin(), n.end(), '-', '_');
        return n;
    });
