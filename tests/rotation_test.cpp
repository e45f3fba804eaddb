// [ui] rotation's mapping between the screen and the layout (plain arithmetic: no display, no
// SDL, no ImGui): every corner, every pixel and point back to itself, all four rotations.
#include "rotation.h"

#include <gtest/gtest.h>

#include <array>

using namespace kiosk::ui;

namespace {

constexpr Size kPanel{1920, 1080};  // a landscape panel's native mode
constexpr std::array<int, 4> kDegrees{0, 90, 180, 270};

}  // namespace

TEST(Rotation, TurnedAQuarterTheLayoutIsPortrait) {
    EXPECT_EQ((Rotation{0, kPanel}.layout()), (Size{1920, 1080}));
    EXPECT_EQ((Rotation{90, kPanel}.layout()), (Size{1080, 1920}));
    EXPECT_EQ((Rotation{180, kPanel}.layout()), (Size{1920, 1080}));
    EXPECT_EQ((Rotation{270, kPanel}.layout()), (Size{1080, 1920}));
    EXPECT_FALSE((Rotation{0, kPanel}.turned()));
    EXPECT_TRUE((Rotation{270, kPanel}.turned()));
}

// The layout's corner pixels, top-left, top-right, bottom-right, bottom-left, on the screen: the
// layout turned clockwise (xrandr's "right" for 90).
TEST(Rotation, EveryCornerPixelLandsOnTheTurnedCorner) {
    const Pixel tl{0, 0}, tr{1919, 0}, br{1919, 1079}, bl{0, 1079};  // of the 1920x1080 screen
    struct Case {
        int degrees;
        std::array<Pixel, 4> screen;  // where the layout's tl, tr, br, bl go
    };
    for (const Case& c : {Case{0, {tl, tr, br, bl}}, Case{90, {tr, br, bl, tl}},
                          Case{180, {br, bl, tl, tr}}, Case{270, {bl, tl, tr, br}}}) {
        const Rotation r{c.degrees, kPanel};
        const Size l = r.layout();
        const std::array<Pixel, 4> corners{Pixel{0, 0}, Pixel{l.width - 1, 0},
                                           Pixel{l.width - 1, l.height - 1},
                                           Pixel{0, l.height - 1}};
        for (std::size_t i = 0; i < corners.size(); ++i) {
            EXPECT_EQ(r.to_screen(corners[i]), c.screen[i]) << c.degrees << " corner " << i;
            EXPECT_EQ(r.to_layout(c.screen[i]), corners[i]) << c.degrees << " corner " << i;
        }
    }
}

// The drawing's corners (continuous coordinates): the layout's whole area covers the screen.
TEST(Rotation, TheLayoutsEdgesAreTheScreensEdges) {
    const Rotation r90{90, kPanel};
    EXPECT_EQ(r90.to_screen(Point{0, 0}), (Point{1920, 0}));
    EXPECT_EQ(r90.to_screen(Point{1080, 0}), (Point{1920, 1080}));
    EXPECT_EQ(r90.to_screen(Point{1080, 1920}), (Point{0, 1080}));
    EXPECT_EQ(r90.to_screen(Point{0, 1920}), (Point{0, 0}));
    const Rotation r270{270, kPanel};
    EXPECT_EQ(r270.to_screen(Point{0, 0}), (Point{0, 1080}));
    EXPECT_EQ(r270.to_screen(Point{1080, 1920}), (Point{1920, 0}));
    const Rotation r180{180, kPanel};
    EXPECT_EQ(r180.to_screen(Point{0, 0}), (Point{1920, 1080}));
    EXPECT_EQ(r180.to_screen(Point{1920, 1080}), (Point{0, 0}));
}

// A point a quarter in from the layout's top-left, to see which way it turns.
TEST(Rotation, TurnsClockwise) {
    const Rotation r{90, kPanel};
    // 100 px from the layout's top and 10 px from its left: 100 px from the screen's right
    // edge, 10 px from its top.
    EXPECT_EQ(r.to_screen(Pixel{10, 100}), (Pixel{1920 - 1 - 100, 10}));
    EXPECT_EQ((Rotation{270, kPanel}.to_screen(Pixel{10, 100})), (Pixel{100, 1080 - 1 - 10}));
}

TEST(Rotation, EveryPixelComesBackToItself) {
    for (int degrees : kDegrees) {
        const Rotation r{degrees, Size{64, 40}};
        const Size l = r.layout();
        for (int y = 0; y < l.height; ++y)
            for (int x = 0; x < l.width; ++x) {
                const Pixel p{x, y}, s = r.to_screen(p);
                ASSERT_GE(s.x, 0);
                ASSERT_LT(s.x, 64);
                ASSERT_GE(s.y, 0);
                ASSERT_LT(s.y, 40);
                ASSERT_EQ(r.to_layout(s), p) << degrees << " at " << x << "," << y;
            }
        for (int y = 0; y < 40; ++y)
            for (int x = 0; x < 64; ++x)
                ASSERT_EQ(r.to_screen(r.to_layout(Pixel{x, y})), (Pixel{x, y})) << degrees;
    }
}

TEST(Rotation, PointsComeBackToThemselves) {
    for (int degrees : kDegrees) {
        const Rotation r{degrees, kPanel};
        for (const Point p : {Point{0, 0}, Point{12.25f, 700.5f}, Point{1079.75f, 1.5f},
                              Point{540, 960}, Point{-3, 2000}}) {
            EXPECT_EQ(r.to_layout(r.to_screen(p)), p) << degrees;
            EXPECT_EQ(r.to_screen(r.to_layout(p)), p) << degrees;
        }
    }
}
