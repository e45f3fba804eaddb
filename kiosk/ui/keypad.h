// Key events from a keypad or a physical keyboard, turned into the narrator's keys and typing.
#pragma once
#include "ui.h"

#include <SDL.h>

#include <utility>

namespace kiosk::ui {

class Keys {
public:
    void down(App& app, const SDL_KeyboardEvent& e);
    void text(App& app, const char* utf8);

private:
    static int field_of(const App& app);
    bool skip_text_ = false;  // the key just pressed was on the keypad
    int typed_into_ = -1;     // the field a physical keyboard last typed into
};

}  // namespace kiosk::ui
