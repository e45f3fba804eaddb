// kiosk/screen: what each screen of the citizen's way shows, in reading order, as plain data:
// its title, text, fields with label, value, state and error, choices and actions. The touch
// view draws it; a speech view reads it aloud. Every word comes from the translations.
#pragma once
#include "kiosk/session.h"

#include <string>
#include <vector>

namespace kiosk {

// Icons the view draws beside labels (from the icon font).
enum class Icon {
    None,
    File,
    Search,
    Info,
    Help,
    Back,
    Next,
    Cancel,
    Tick,
    Warning,
    Error,
    Add,
    Remove,
    Edit,
    Print,
    Clock,
    Send,
    Home,
    Text,
    Contrast,
    Language,
    Close,
    Speech,
    // the keyboard's own
    Shift,
    Left,
    Right,
    Return,
    Erase,
};

enum class Kind {
    Heading,       // a heading inside the page (an official's number, a group)
    Text,          // a paragraph
    Notice,        // a framed message: tone says what kind (info, warning, success)
    ErrorSummary,  // "There is a problem": entries, each leading to its field
    Field,         // a text field: label, hint, value, error; focused when the keyboard types there
    Choice,        // one of several: chosen or not
    Template,      // a ready text that a touch adds (common grounds)
    Tile,          // a large choice on the home screen: icon, label, hint
    Action,        // a button
    Card,          // check your answers: a step's answers and a "Change" action
    Switch,        // on or off (consent)
    Qr,            // a QR code of value
    SignaturePad,  // the finger-drawn signature
    Panel,         // the confirmation panel: title, number in large type, rows
    Countdown,     // a line that counts down (value: seconds left)
    Progress,      // work under way that the citizen waits for: it moves, so it is not frozen
};

enum class Tone { Normal, Primary, Secondary, Info, Warning, Error, Success };

struct Row {
    std::string label, value;
    bool personal = false;  // the citizen's own data: spoken only in private (see SpeechState)
};

// One thing on a screen. `id` is stable across languages (tests and probes find it by id).
struct Item {
    Kind kind = Kind::Text;
    std::string id;
    std::string label;
    std::string value;
    std::string hint;
    std::string error;  // a field's problem in words; empty when fine
    Icon icon = Icon::None;
    Tone tone = Tone::Normal;
    bool on = false;  // chosen, focused, switched on
    bool required = false;
    bool reveal = false;        // scrolled into view when it appears (an answer to a question)
    bool personal = false;      // its value is the citizen's own data (a name, the IIN, a phone)
    std::string language;       // its words' language when not the citizen's (the attract screen)
    int lines = 1;              // a field's height in lines
    Intent intent;              // what touching it does
    std::vector<Row> rows;      // a card's answers, a panel's lines
    std::vector<Item> entries;  // an error summary's entries (each an Action with its intent)
};

// Where the view puts what: the page scrolls; the footer and the dialog stay put.
struct ScreenContent {
    std::string title;
    std::string step;                     // "Step 3 of 8: Applicant", empty outside the filing
    std::vector<std::string> steps;       // every step's short name, for the indicator
    int current_step = 0;                 // 1-based, 0 outside the filing
    std::vector<Item> banner;             // above the page, in view however it scrolls: the error
                                          // summary, a specialist on the way
    std::vector<Item> page;               // reading order
    std::vector<Item> footer;             // back, next, cancel, help
    std::vector<Item> access;             // text size, contrast, language: the bottom bar
    std::vector<Item> dialog;             // a question over the page (cancel, inactivity), modal
    bool keyboard = false;                // a text field has the focus...
    std::vector<std::vector<Item>> keys;  // ...and these are the keyboard's rows
};

// The content of the session's current screen at `now`. Service mode's screens carry only their
// title (they are for sighted staff and drawn from the health figures).
ScreenContent screen_content(const Session& s, Clock::time_point now);

}  // namespace kiosk
