// kiosk/ui/rotation: a panel mounted turned from its native mode ([ui] rotation). The UI is
// laid out for the turned size (a 1920x1080 panel turned by 90 gets the 1080x1920 portrait
// layout), its drawing is turned onto the screen, and a finger's place on the screen is turned
// back into the layout. Plain arithmetic, no SDL or ImGui: the unit tests check it without a
// display, and the UI tests tap through the very same mapping.
#pragma once
#include <cmath>

namespace kiosk::ui {

// What is drawn: continuous coordinates (x = 0 is the left edge of the first pixel).
struct Point {
    float x = 0, y = 0;
    bool operator==(const Point&) const = default;
};
// Where a finger or the mouse is: a whole pixel, by its index.
struct Pixel {
    int x = 0, y = 0;
    bool operator==(const Pixel&) const = default;
};
struct Size {
    int width = 0, height = 0;
    bool operator==(const Size&) const = default;
};

// The layout turned clockwise by `degrees` (0, 90, 180 or 270; the configuration takes no
// other) on a screen of `screen` pixels, as xrandr --rotate right does for 90: its top edge
// along the screen's right edge, for a panel mounted with its native right edge up.
struct Rotation {
    int degrees = 0;
    Size screen;

    bool turned() const { return degrees != 0; }
    Size layout() const {
        return degrees == 90 || degrees == 270 ? Size{screen.height, screen.width} : screen;
    }

    Point to_screen(Point p) const {
        const float w = static_cast<float>(layout().width), h = static_cast<float>(layout().height);
        switch (degrees) {
        case 90: return {h - p.y, p.x};
        case 180: return {w - p.x, h - p.y};
        case 270: return {p.y, w - p.x};
        default: return p;
        }
    }
    Point to_layout(Point s) const {
        const float w = static_cast<float>(screen.width), h = static_cast<float>(screen.height);
        switch (degrees) {
        case 90: return {s.y, w - s.x};
        case 180: return {w - s.x, h - s.y};
        case 270: return {h - s.y, s.x};
        default: return s;
        }
    }

    // A whole pixel goes by its centre, so that a corner pixel lands on the corner pixel and
    // every pixel comes back to itself.
    Pixel to_screen(Pixel p) const { return whole(to_screen(centre(p))); }
    Pixel to_layout(Pixel p) const { return whole(to_layout(centre(p))); }

private:
    static Point centre(Pixel p) {
        return {static_cast<float>(p.x) + 0.5f, static_cast<float>(p.y) + 0.5f};
    }
    static Pixel whole(Point p) {
        return {static_cast<int>(std::floor(p.x)), static_cast<int>(std::floor(p.y))};
    }
};

}  // namespace kiosk::ui
