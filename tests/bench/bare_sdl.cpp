// The floor for the kiosk's first frame: SDL2 alone opening the kiosk's window with the
// kiosk's hints and renderer, presenting one frame cleared to a colour, then waiting. What the
// kiosk takes beyond this is its own start-up (configuration, fonts, ImGui, the first layout).
// usage: bare_sdl RRGGBB WIDTHxHEIGHT
#include <SDL.h>

#include <cstdio>

namespace {

struct Args {
    unsigned colour = 0;
    int width = 0, height = 0;
};

bool parse(int argc, char** argv, Args& a) {
    return argc == 3 && std::sscanf(argv[1], "%6x", &a.colour) == 1 &&
           std::sscanf(argv[2], "%dx%d", &a.width, &a.height) == 2 && a.width > 0 && a.height > 0;
}

// As kiosk/ui/main.cpp opens its window and renderer, so that only the kiosk's own work differs.
SDL_Renderer* open(const Args& a) {
    SDL_SetHint(SDL_HINT_VIDEO_X11_NET_WM_BYPASS_COMPOSITOR, "0");
    if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_TIMER) != 0) return nullptr;
    SDL_Window* window =
        SDL_CreateWindow("bare SDL2", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, a.width,
                         a.height, SDL_WINDOW_ALLOW_HIGHDPI);
    if (!window) return nullptr;
    SDL_SetHintWithPriority(SDL_HINT_RENDER_DRIVER, "software", SDL_HINT_DEFAULT);
    SDL_SetHintWithPriority(SDL_HINT_FRAMEBUFFER_ACCELERATION, "0", SDL_HINT_DEFAULT);
    SDL_Renderer* renderer = SDL_CreateRenderer(window, -1, 0);
    if (renderer) SDL_ShowCursor(SDL_DISABLE);
    return renderer;
}

}  // namespace

int main(int argc, char** argv) {
    Args a;
    if (!parse(argc, argv, a)) {
        std::fprintf(stderr, "usage: bare_sdl RRGGBB WIDTHxHEIGHT\n");
        return 2;
    }
    SDL_Renderer* renderer = open(a);
    if (!renderer) {
        std::fprintf(stderr, "bare_sdl: %s\n", SDL_GetError());
        return 1;
    }
    SDL_SetRenderDrawColor(renderer, a.colour >> 16 & 0xFF, a.colour >> 8 & 0xFF, a.colour & 0xFF,
                           255);
    SDL_RenderClear(renderer);
    SDL_RenderPresent(renderer);
    // SDL turns SIGTERM (and SIGINT) into SDL_QUIT, so one wait covers both.
    for (SDL_Event e; SDL_WaitEvent(&e) && e.type != SDL_QUIT;) {
    }
    SDL_Quit();
    return 0;
}
