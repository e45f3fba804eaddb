// kiosk/flow: the citizen's way through the screens as plain state and intents. The UI draws
// a Flow and calls its intents; everything here is testable without a display.
#pragma once
#include "kiosk/complaint.h"

#include <chrono>
#include <string>
#include <vector>

namespace kiosk {

enum class Screen {
    Attract, Language, Home, Info, Assistance, Status,
    Addressee, EgovInfo, Service, Applicant, Officials, Grounds, Contact, Review, Signature,
    Submitting, Done, Failed,
};

// Which on-screen keyboard a field wants.
enum class Keypad { Letters, Digits, Email };

using Clock = std::chrono::steady_clock;

// What the kiosk says while nobody touches it: nothing, a countdown, or time's up.
struct Idle {
    enum State { Active, Warning, Expired } state = Active;
    int seconds_left = 0;
};

struct Flow {
    Screen screen = Screen::Attract;
    std::string language = "kk";
    Complaint complaint;
    Field focus = Field::Surname;          // where the on-screen keyboard types
    int focus_official = 0;
    std::vector<FieldError> errors;        // of the current screen, after a refused next()
    bool submit_requested = false;         // the app starts the submission and clears it
    std::string idempotency_key;           // one per complaint, kept across retries
    std::string registration_number;       // on Done: the register's, or the local one
    bool offline = false;                  // on Done: the register has not numbered it yet
    std::string failure;                   // translation key on Failed
    std::string status_query;              // the number typed on the status screen
    bool status_requested = false;         // the app looks it up and clears it
    bool assistance_requested = false;     // the app tells staff and clears it
    bool large_text = false;               // accessibility, until the citizen leaves
    bool high_contrast = false;

    // Section: intents from the screens
    void start();                          // attract: the citizen touched the screen
    void choose_language(std::string_view lang);
    void go_home();
    void file_complaint();                 // home: the four choices
    void check_status();
    void how_appeals_work();
    void call_specialist();
    void look_up_status();                 // status screen: "check"
    void add_ground(std::string_view text);   // a common ground, appended to the grounds
    void choose_addressee(Addressee a);
    void choose_service(std::string_view code);
    void next(std::chrono::sys_days today);
    void back();
    void focus_on(Field f, int official = 0);
    void type(std::string_view utf8);      // one key of the on-screen keyboard
    void backspace();
    void add_official();
    void remove_official(int index);
    void set_consent(bool given);
    void add_signature_stroke(SignatureStroke stroke);
    void clear_signature();
    void finish();                         // back to attract from Done/Failed/EgovInfo; wipes

    // Section: results of background work, reported by the app
    void submitted(std::string number, bool offline_number);
    void submit_failed(std::string reason_key);
    void retry();                          // Failed -> Submitting, same complaint and key

    // Section: what the screens show
    std::string* focused_text();
    std::vector<FieldError> errors_for(Field f, int official = -1) const;
    int step() const;                      // 1-based step of the filing, 0 outside it
    static int step_count();

    // Section: inactivity
    void touched(Clock::time_point now) { last_touch = now; }
    Idle idle(Clock::time_point now, std::chrono::seconds warn_after,
              std::chrono::seconds reset_after) const;
    void expire();                         // wipe everything typed, back to attract

    Clock::time_point last_touch{};
};

Keypad keypad_for(Field f);
std::size_t max_length(Field f);           // in code points
std::vector<Field> fields_of(Screen s);    // validated on next()

}  // namespace kiosk
