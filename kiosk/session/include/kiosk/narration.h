// kiosk/narration: what the kiosk says aloud for a screen, and the keypad's way through it, for
// a citizen who cannot see the screen. It follows the EZ Access convention of public kiosks:
// Up and Down move through a screen's items in reading order, Enter activates, Back goes back,
// Help explains the item, and a text field is typed with the on-screen keyboard, moved through
// by keys. Plain C++ over the screen content (kiosk/screen.h): the UI passes keys in and plays
// what comes out; every word comes from the translations.
#pragma once
#include "kiosk/i18n.h"
#include "kiosk/screen.h"

#include <optional>
#include <string>
#include <vector>

namespace kiosk {

// The keypad's keys (a USB numeric keypad or a tactile kiosk keypad; see the UI for which
// physical keys send which).
enum class KeypadKey { Up, Down, Left, Right, Enter, Back, Help, Repeat, Louder, Quieter, Rate };

// A stretch of speech in one language ("kk", "ru", "en").
struct Phrase {
    std::string text;
    std::string language;
    bool operator==(const Phrase&) const = default;
};
// Said in order; a new utterance stops what is still being said.
using Utterance = std::vector<Phrase>;

class Narrator {
public:
    explicit Narrator(const Translations& tr) : tr_(&tr) {}

    // Once a frame: what the change on the screen calls for (a new screen, errors that appeared,
    // an answer that came, the inactivity countdown, the field the keyboard moved to). Empty
    // when there is nothing to say, and always while speech is off.
    Utterance update(const ScreenContent& c, const Flow& f);

    // A keypad key. With speech off, any key turns it on (and does nothing else).
    struct Outcome {
        std::optional<Intent> intent;  // for the session: the key activated something
        Utterance say;
    };
    Outcome key(KeypadKey k, const ScreenContent& c, const Flow& f);

    // The echo of a key of the on-screen keyboard, touched or pressed with the keypad; of text
    // typed on a physical keyboard. The citizen's own data is not echoed on the loudspeaker.
    Utterance pressed(const Item& key, const Flow& f) const;
    Utterance typed(std::string_view text, const Flow& f) const;

    // The item the keypad is on (its id; "" when speech is off): the view rings it.
    const std::string& focus() const { return typing_ ? key_ : focus_; }
    bool typing() const { return typing_; }

    // How an item is said: label, kind, value, state, error and hint, with the citizen's own data
    // said as "entered" unless `private_listening`.
    Phrase describe(const Item& item, const Flow& f) const;
    // Everything on a screen in reading order, as stepping through it item by item says it.
    std::vector<const Item*> reading_order(const ScreenContent& c) const;

private:
    const std::string& t(const Flow& f, std::string_view key) const;
    Utterance enter_screen(const ScreenContent& c, const Flow& f);
    Utterance move(int by, const ScreenContent& c, const Flow& f);
    Outcome move_key(KeypadKey k, const ScreenContent& c, const Flow& f);
    Outcome activate(const ScreenContent& c, const Flow& f);
    Outcome back(const ScreenContent& c, const Flow& f);
    void out_keyboard(const ScreenContent& c, const Flow& f, Utterance& out);
    Utterance help(const ScreenContent& c, const Flow& f) const;
    std::string key_name(const Item& key, const Flow& f) const;
    const Item* find(const ScreenContent& c, std::string_view id) const;
    void land(const std::vector<const Item*>& order, const Item& item);
    void reset();

    const Translations* tr_;
    bool on_ = false;
    bool introduced_ = false;           // the keys were explained (after the language was chosen)
    std::string screen_;                // the screen last entered: its kind and title
    bool dialog_ = false;               // a dialog was over it
    std::string before_dialog_;         // the focus to go back to when the dialog closes
    std::string focus_;                 // the item the keypad is on
    std::size_t index_ = 0;             // ... and its place, for when it goes away
    bool typing_ = false;               // the keypad is on the on-screen keyboard
    std::string key_;                   // ... on this key
    bool typing_said_ = false;          // ... and what typing is was said
    bool keyboard_explained_ = false;   // how the keyboard works: said once a session
    std::string errors_;                // the error summary last said
    std::string field_;                 // the flow's focused field last seen
    std::vector<std::string> notices_;  // notices and headings on the screen, to tell new ones
    std::string activated_;             // the item Enter last activated, and how it was said before
    std::string activated_said_;
    int countdown_ = -1;  // the inactivity countdown last said
    Utterance last_;      // for Repeat
};

}  // namespace kiosk
