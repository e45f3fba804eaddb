// kiosk/flow: the citizen's way through the screens as plain state and intents. The UI draws
// a Flow and calls its intents; everything here is testable without a display.
#pragma once
#include "kiosk/clock.h"
#include "kiosk/complaint.h"
#include "kiosk/staff_action.h"

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace kiosk {

enum class Screen {
    Attract,
    Home,
    Info,
    Assistance,
    Status,
    Addressee,
    EgovInfo,
    Service,
    Applicant,
    Officials,
    Grounds,
    Contact,
    Review,
    Signature,
    Submitting,
    Done,
    Failed,
    ServiceLogin,
    ServiceHome,
    ServiceReprint,
    ServiceLog,  // staff, behind the gesture and PIN
    // ... the duty specialist's name, typed on the on-screen keyboard
    ServiceDuty,
    ServiceUpdate,  // ... a system update from a USB stick
};

// Which on-screen keyboard a field wants.
enum class Keypad { Letters, Digits, Email };

// The on-screen keyboard's layouts, and what the citizen switched on it.
enum class Layout { Kazakh, Russian, Latin, Symbols, Digits };
struct KeyboardState {
    Layout letters = Layout::Kazakh;  // follows the language until the citizen picks others
    bool symbols = false;             // the symbols layer instead of the letters
    bool shift = false;               // the next letter in capitals
};

// Speech for a citizen who cannot see the screen (EN 301 549 5.1): on for this session only.
struct SpeechState {
    bool on = false;
    bool headset = false;  // it plays in a headset: personal data may be spoken
    bool aloud = false;    // the citizen allowed their data on the loudspeaker
    int volume = 0;        // steps of 10 % from the configured volume, volume_min..volume_max
    int volume_min = -4, volume_max = 4;  // as far as 10..100 % allows (set when speech starts)
    int rate = 0;  // 0 configured, 1 faster, 2 fastest, -1 slower: '/' goes round
    bool private_listening() const { return headset || aloud; }
};

// What the kiosk says while nobody touches it: nothing, a countdown, or time's up.
struct Idle {
    enum State { Active, Warning, Expired } state = Active;
    int seconds_left = 0;
};

// Service mode's state: the PIN typed so far and what staff asked for.
struct ServiceState {
    std::string pin;                        // digits; wiped on every way out
    bool pin_check_requested = false;       // the session checks it off the UI thread and clears it
    bool checking = false;                  // ... and reports with pin_checked()
    int locked_s = 0;                       // lockout left when the last check was refused
    std::optional<StaffAction> requested;   // the session performs it and clears it
    std::filesystem::path talon;            // for Reprint; for InstallUpdate, the bundle
    std::optional<StaffAction> confirming;  // Restart, Reboot and others ask once more
    bool busy = false;                      // an action is under way
    std::string result;                     // translation key of the last result
    std::string detail;                     // its detail for staff (printer state, error)
    std::string duty_name;                  // typed on the duty screen (staff's, for the talon)
    bool duty_save_requested = false;       // the session saves it off the UI thread and clears it
    std::string duty_problem;               // translation key: why the name was not taken
    std::vector<Clock::time_point> corner_taps;
};

struct Flow {
    Screen screen = Screen::Attract;
    std::string language = "kk";
    Complaint complaint;
    Field focus = Field::Surname;  // where the on-screen keyboard types
    int focus_official = 0;
    std::size_t caret = 0;              // in the focused text, in bytes, on a code point boundary
    std::vector<FieldError> errors;     // of the current screen, after a refused next()
    bool back_to_review = false;        // a step opened by "Change" on the review screen
    bool cancel_asked = false;          // "Cancel" waits for its confirmation
    bool submit_requested = false;      // the session starts the submission and clears it
    std::string idempotency_key;        // one per complaint, kept across retries
    std::string registration_number;    // on Done: the register's, or the local one
    bool offline = false;               // on Done: the register has not numbered it yet
    std::string failure;                // translation key on Failed
    std::string status_query;           // the number typed on the status screen
    bool status_requested = false;      // the session looks it up and clears it
    bool assistance_requested = false;  // the session tells staff and clears it
    bool assistance_cancelled = false;  // ... or that the citizen no longer needs them
    std::optional<WallClock::time_point> assistance_at;  // when staff were told
    bool large_text = false;                             // accessibility, until the citizen leaves
    bool high_contrast = false;
    SpeechState speech;
    KeyboardState keyboard;

    // Section: intents from the screens
    void start(std::string_view lang);  // attract: one of the three language buttons
    void choose_language(std::string_view lang);
    void go_home();
    void file_complaint();  // home: the four choices
    void check_status();
    void how_appeals_work();
    void call_specialist();  // home: asks for help and says so on a screen
    void help();             // any step: asks for help, the citizen stays put
    void cancel_help();
    void assistance_told(WallClock::time_point at);  // from the session
    void look_up_status();                           // status screen: "check"
    void add_ground(std::string_view text);          // a common ground, appended to the grounds
    void choose_addressee(Addressee a, std::string_view akim_unit = {});
    void choose_service(std::string_view code);
    void next(std::chrono::sys_days today);
    void back();
    void change(Screen step);  // review: "Change" opens a step, Next comes back
    void cancel();             // asks once...
    void cancel_confirmed();   // ...then wipes everything
    void keep_going();
    void focus_on(Field f, int official = 0);  // the caret goes to the end of the text
    void focus_error(std::size_t index);       // an entry of the error summary
    void next_field();                         // the keyboard's Enter in a one-line field
    void type(std::string_view utf8);          // one key of the on-screen keyboard, at the caret
    void choose_letters(Layout l);             // the keyboard's letters (not symbols or digits)
    void toggle_symbols();
    void toggle_shift();
    void backspace();  // the letter before the caret
    void caret_left();
    void caret_right();
    void caret_to(std::size_t code_points);  // a tap in the text
    void add_official();
    void remove_official(int index);
    void set_consent(bool given);
    void add_signature_stroke(SignatureStroke stroke);
    void clear_signature();
    void sign_with_keypad();  // a citizen who cannot draw: Enter on the keypad confirms
    void finish();            // back to attract from Done/Failed/EgovInfo; wipes

    // Section: results of background work, reported by the app
    void submitted(std::string number, bool offline_number);
    void submit_failed(std::string reason_key);
    void retry();  // Failed -> Submitting, same complaint and key

    // Section: service mode (staff). The gesture: five taps within 4 s in the attract screen's
    // top-left corner open the PIN pad.
    ServiceState service;
    void corner_tap(Clock::time_point now);
    void pin_digit(char digit);
    void pin_backspace();
    void pin_submit();
    void pin_checked(bool accepted, int locked_s);  // from the app
    void open_service(Screen s);  // ServiceHome, ServiceReprint, ServiceLog, ServiceDuty
    void staff_request(StaffAction a, std::filesystem::path talon = {});
    void staff_confirm();
    void staff_cancel();
    void staff_done(std::string result_key, std::string detail);  // from the app
    // The duty screen's Save: a name that passes the checks is saved, and once it is taken
    // ("" from the app) staff are back on the overview; else told why.
    void duty_save();
    void duty_saved(std::string problem_key);
    void leave_service();  // back to attract; the app records the logout
    bool in_service() const;

    // Section: what the screens show
    std::string* focused_text();
    const std::string* focused_text() const;
    std::size_t caret_code_points() const;  // the caret as letters from the start
    std::vector<FieldError> errors_for(Field f, int official = -1) const;
    int step() const;  // 1-based step of the filing, 0 outside it
    static int step_count();
    static Screen step_screen(int step);  // 1-based

    // Section: inactivity
    void touched(Clock::time_point now) { last_touch = now; }
    Idle idle(Clock::time_point now, std::chrono::seconds warn_after,
              std::chrono::seconds reset_after) const;
    void expire();  // wipe everything typed, back to attract

    Clock::time_point last_touch{};
};

Keypad keypad_for(Field f);
std::size_t max_length(Field f);         // in code points
std::vector<Field> fields_of(Screen s);  // validated on next()

}  // namespace kiosk
