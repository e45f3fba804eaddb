// The UI's colours against WCAG 2.2: every text colour on every background the screens use at
// 4.5:1 or more (7:1 in high contrast), and the edges of controls at 3:1 or more.
#include "palette.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace kiosk::ui;

namespace {

// WCAG 2.x relative luminance and contrast ratio.
double luminance(Rgb c) {
    auto channel = [](std::uint8_t v) {
        const double s = v / 255.0;
        return s <= 0.04045 ? s / 12.92 : std::pow((s + 0.055) / 1.055, 2.4);
    };
    return 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
}

double contrast(Rgb a, Rgb b) {
    const double la = luminance(a), lb = luminance(b);
    return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}

void expect_at_least(const std::vector<ColourPair>& pairs, double ratio, const char* palette) {
    for (const ColourPair& p : pairs)
        EXPECT_GE(contrast(p.fore, p.back), ratio)
            << palette << ": " << p.what << " is " << contrast(p.fore, p.back) << ":1";
}

}  // namespace

TEST(Contrast, TheFormulaGivesTheKnownRatios) {
    EXPECT_NEAR(contrast({0, 0, 0}, {255, 255, 255}), 21.0, 1e-9);
    EXPECT_NEAR(contrast({255, 255, 255}, {255, 255, 255}), 1.0, 1e-9);
    EXPECT_NEAR(contrast({0x76, 0x76, 0x76}, {255, 255, 255}), 4.54,
                0.01);  // the well-known #767676
}

TEST(Contrast, NormalTextAtLeast4_5AndControlEdgesAtLeast3) {
    expect_at_least(text_pairs(kNormal), 4.5, "normal");
    expect_at_least(edge_pairs(kNormal), 3.0, "normal");
}

TEST(Contrast, HighContrastTextAtLeast7AndControlEdgesAtLeast3) {
    expect_at_least(text_pairs(kHighContrast), 7.0, "high contrast");
    expect_at_least(edge_pairs(kHighContrast), 3.0, "high contrast");
}

TEST(Contrast, TheDimmedClosedScreenStaysReadable) {
    expect_at_least(text_pairs(kClosed), 4.5, "closed");
    expect_at_least(edge_pairs(kClosed), 3.0, "closed");
}

// The check itself catches a pair that fails: the old pale buttons (1.25:1 against the page).
TEST(Contrast, APaleButtonWouldFail) {
    EXPECT_LT(contrast({0xCC, 0xDE, 0xF2}, {0xF5, 0xF5, 0xF0}), 3.0);
}
