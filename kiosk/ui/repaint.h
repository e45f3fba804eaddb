// kiosk/ui/repaint: draws only what changed since the last frame. SDL's software renderer
// fills every pixel of every triangle itself; a whole 1080x1920 frame costs tens of
// milliseconds of CPU, while a key press changes a key and a line. Triangles are hashed into
// screen tiles; tiles whose hash differs from the last frame are redrawn, the rest of the
// window keeps its pixels (the software renderer draws into the window's own framebuffer).
#pragma once
#include "palette.h"

#include <cstdint>
#include <vector>

struct ImDrawData;
struct SDL_Renderer;

namespace kiosk::ui {

class Repaint {
public:
    explicit Repaint(SDL_Renderer* renderer);

    // Draws the frame: the changed tiles, or everything when asked to or when the renderer
    // does not keep its pixels between frames (OpenGL ES on the bare display).
    void draw(const ImDrawData& frame, Rgb background);
    void everything() { everything_ = true; }  // after the fonts changed

private:
    struct Rect {
        int x, y, w, h;
    };
    void hash_tiles(const ImDrawData& frame);
    std::vector<Rect> changed_bands() const;
    void draw_within(const ImDrawData& frame, const Rect& area, Rgb background);

    SDL_Renderer* renderer_;
    bool keeps_pixels_ = false;
    bool everything_ = true;
    int width_ = 0, height_ = 0, columns_ = 0, rows_ = 0;
    std::vector<std::uint64_t> tiles_, previous_;
    std::vector<int> indices_;  // scratch: the triangles of one command inside the area
    struct {
        float x = -1, y = -1;
    } white_;  // the atlas's white pixel: shapes of one colour
};

}  // namespace kiosk::ui
