// Keys: a USB numeric keypad or a tactile kiosk keypad moves through the screen (the narrator
// decides what each key does), and a physical keyboard types into the focused field.
#include "keypad.h"

#include <optional>

namespace kiosk::ui {
namespace {

// EZ Access on a numeric keypad: 8 and 2 (or the arrows) move, 5 or Enter activates, 0 goes
// back, * is help, . repeats, + and - are the volume, / the rate. By scancode: the same with
// NumLock on or off.
std::optional<KeypadKey> keypad_key(SDL_Scancode s, bool shift) {
    switch (s) {
    case SDL_SCANCODE_UP:
    case SDL_SCANCODE_KP_8: return KeypadKey::Up;
    case SDL_SCANCODE_DOWN:
    case SDL_SCANCODE_KP_2: return KeypadKey::Down;
    case SDL_SCANCODE_LEFT:
    case SDL_SCANCODE_KP_4: return KeypadKey::Left;
    case SDL_SCANCODE_RIGHT:
    case SDL_SCANCODE_KP_6: return KeypadKey::Right;
    case SDL_SCANCODE_TAB: return shift ? KeypadKey::Up : KeypadKey::Down;
    case SDL_SCANCODE_RETURN:
    case SDL_SCANCODE_KP_ENTER:
    case SDL_SCANCODE_KP_5: return KeypadKey::Enter;
    case SDL_SCANCODE_BACKSPACE:
    case SDL_SCANCODE_ESCAPE:
    case SDL_SCANCODE_KP_0: return KeypadKey::Back;
    case SDL_SCANCODE_KP_MULTIPLY:
    case SDL_SCANCODE_F1: return KeypadKey::Help;
    case SDL_SCANCODE_KP_PERIOD:
    case SDL_SCANCODE_KP_DECIMAL: return KeypadKey::Repeat;
    case SDL_SCANCODE_KP_PLUS: return KeypadKey::Louder;
    case SDL_SCANCODE_KP_MINUS: return KeypadKey::Quieter;
    case SDL_SCANCODE_KP_DIVIDE: return KeypadKey::Rate;
    default: return std::nullopt;
    }
}

bool on_keypad(SDL_Scancode s) {
    return s >= SDL_SCANCODE_KP_DIVIDE && s <= SDL_SCANCODE_KP_PERIOD;
}

}  // namespace

void Keys::down(App& app, const SDL_KeyboardEvent& e) {
    const SDL_Scancode s = e.keysym.scancode;
    // With NumLock on, a keypad digit also arrives as text: it is a key here, not a letter.
    skip_text_ = on_keypad(s);
    const auto k = keypad_key(s, (e.keysym.mod & KMOD_SHIFT) != 0);
    if (!k) return;  // a key the kiosk does not use does nothing
    const ScreenContent c = screen_content(app.session, Clock::now());
    app.session.act({Act::StillHere});  // any key: the citizen is there
    // Backspace erases while typing (on a physical keyboard, or the keypad on the on-screen
    // one, which 0 leaves); elsewhere it goes back.
    if (s == SDL_SCANCODE_BACKSPACE && !c.keys.empty() &&
        (typed_into_ == field_of(app) || app.narrator.typing())) {
        for (const Item& key : c.keys.back())
            if (key.intent.act == Act::Backspace) {
                app.act(key.intent);
                app.echo(key);
            }
        return;
    }
    if (e.repeat && *k != KeypadKey::Up && *k != KeypadKey::Down && *k != KeypadKey::Left &&
        *k != KeypadKey::Right)
        return;  // a held Enter or Back acts once
    Narrator::Outcome out = app.narrator.key(*k, c, app.session.flow());
    if (out.intent) app.act(*out.intent);
    app.say(out.say);
}

void Keys::text(App& app, const char* utf8) {
    if (std::exchange(skip_text_, false)) return;
    const ScreenContent c = screen_content(app.session, Clock::now());
    if (!c.keyboard) return;  // no field takes letters here
    typed_into_ = field_of(app);
    app.act({Act::Type, 0, 0, utf8});
    app.say(app.narrator.typed(utf8, app.session.flow()));
}

int Keys::field_of(const App& app) {
    const Flow& f = app.session.flow();
    return static_cast<int>(f.screen) * 10000 + static_cast<int>(f.focus) * 100 + f.focus_official;
}

}  // namespace kiosk::ui
