#include "kiosk/flow.h"

#include "kiosk/duty.h"
#include "kiosk/text.h"

#include <algorithm>
#include <tuple>

namespace kiosk {
namespace {

// The filing screens in order; their position is the step indicator.
constexpr Screen kSteps[] = {
    Screen::Addressee, Screen::Service, Screen::Applicant, Screen::Officials,
    Screen::Grounds,   Screen::Contact, Screen::Review,    Screen::Signature,
};

int index_of(Screen s) {
    const auto it = std::find(std::begin(kSteps), std::end(kSteps), s);
    return it == std::end(kSteps) ? -1 : static_cast<int>(it - std::begin(kSteps));
}

// The keyboard starts on the screen's first field when that one takes typing; a screen that
// opens with a choice (addressee, service) opens without the keyboard.
Field first_field(Screen s) {
    const auto fields = fields_of(s);
    return fields.empty() ? Field::Addressee : fields.front();
}

// Dates are typed on the digit pad; the dots come by themselves: 27112026 -> 27.11.2026.
void type_date(std::string& s, char digit) {
    if (s.size() >= 10) return;
    if (s.size() == 2 || s.size() == 5) s += '.';
    s += digit;
}

}  // namespace

// Section: fields

Keypad keypad_for(Field f) {
    switch (f) {
    case Field::Iin:
    case Field::Phone:
    case Field::ServiceDate: return Keypad::Digits;
    case Field::Email: return Keypad::Email;
    default: return Keypad::Letters;
    }
}

std::size_t max_length(Field f) {
    switch (f) {
    case Field::Surname:
    case Field::FirstName:
    case Field::Patronymic:
    case Field::OfficialSurname: return Limits::name;
    case Field::OfficialInitials: return Limits::initials;
    case Field::OfficialPosition: return Limits::position;
    case Field::Iin: return 12;
    case Field::PostalAddress: return Limits::address;
    case Field::Grounds: return Limits::grounds;
    case Field::Demands: return Limits::demands;
    case Field::Phone: return 12;
    case Field::Email: return Limits::email;
    case Field::ServiceDate: return 10;
    case Field::StatusNumber: return 64;
    case Field::DutySpecialist: return DutySpecialist::kMaxCodePoints;
    default: return 0;
    }
}

std::vector<Field> fields_of(Screen s) {
    switch (s) {
    case Screen::Addressee: return {Field::Addressee};
    case Screen::Service: return {Field::ServiceCode, Field::ServiceDate};
    case Screen::Applicant:
        return {Field::Surname, Field::FirstName, Field::Patronymic, Field::Iin,
                Field::PostalAddress};
    case Screen::Officials:
        return {Field::OfficialPosition, Field::OfficialSurname, Field::OfficialInitials};
    case Screen::Grounds: return {Field::Grounds, Field::Demands};
    case Screen::Contact: return {Field::Phone, Field::Email, Field::Contact};
    case Screen::Review: return {Field::Consent};
    case Screen::Signature: return {Field::Signature};
    case Screen::Status: return {Field::StatusNumber};
    case Screen::ServiceDuty: return {Field::DutySpecialist};
    default: return {};
    }
}

const std::string* Flow::focused_text() const { return const_cast<Flow*>(this)->focused_text(); }

std::string* Flow::focused_text() {
    Complaint& c = complaint;
    if (focus == Field::OfficialPosition || focus == Field::OfficialSurname ||
        focus == Field::OfficialInitials) {
        if (focus_official < 0 || focus_official >= static_cast<int>(c.officials.size()))
            return nullptr;
        Official& o = c.officials[focus_official];
        return focus == Field::OfficialPosition  ? &o.position
               : focus == Field::OfficialSurname ? &o.surname
                                                 : &o.initials;
    }
    switch (focus) {
    case Field::ServiceDate: return &c.service_date;
    case Field::Surname: return &c.surname;
    case Field::FirstName: return &c.first_name;
    case Field::Patronymic: return &c.patronymic;
    case Field::Iin: return &c.iin;
    case Field::PostalAddress: return &c.postal_address;
    case Field::Grounds: return &c.grounds;
    case Field::Demands: return &c.demands;
    case Field::Phone: return &c.phone;
    case Field::Email: return &c.email;
    case Field::StatusNumber: return &status_query;
    case Field::DutySpecialist: return &service.duty_name;
    default: return nullptr;
    }
}

// Section: navigation

namespace {
Layout letters_of(std::string_view lang) {
    return lang == "ru" ? Layout::Russian : lang == "en" ? Layout::Latin : Layout::Kazakh;
}
}  // namespace

void Flow::start(std::string_view lang) {
    language = std::string(lang);
    keyboard.letters = letters_of(lang);
    screen = Screen::Home;
}

void Flow::choose_language(std::string_view lang) {
    language = std::string(lang);  // entered data stays: only the words change
    keyboard.letters = letters_of(lang);
}

void Flow::go_home() {
    errors.clear();
    screen = Screen::Home;
}

void Flow::file_complaint() {
    screen = Screen::Addressee;
    focus_on(Field::Addressee);
}

void Flow::check_status() {
    screen = Screen::Status;
    focus_on(Field::StatusNumber);
}

void Flow::how_appeals_work() { screen = Screen::Info; }

void Flow::call_specialist() {
    screen = Screen::Assistance;
    help();
}

void Flow::help() {
    if (assistance_at) return;  // staff were told already: once is enough
    assistance_requested = true;
    assistance_cancelled = false;
}

void Flow::cancel_help() {
    if (!assistance_at && !assistance_requested) return;
    assistance_requested = false;
    assistance_at.reset();
    assistance_cancelled = true;
    if (screen == Screen::Assistance) screen = Screen::Home;
}

void Flow::assistance_told(WallClock::time_point at) {
    if (!assistance_cancelled) assistance_at = at;
}

void Flow::look_up_status() {
    if (status_query.empty()) return;
    status_requested = true;
}

void Flow::add_ground(std::string_view text) {
    std::string& g = complaint.grounds;
    const std::size_t room = Limits::grounds - std::min(Limits::grounds, code_point_count(g));
    if (code_point_count(text) + 1 > room) return;
    if (!g.empty()) g += g.back() == '\n' ? "" : "\n";
    g += text;
    errors.clear();
}

void Flow::choose_addressee(Addressee a, std::string_view akim_unit) {
    complaint.addressee = a;
    complaint.akim_unit = a == Addressee::Akim ? std::string(akim_unit) : std::string();
    errors.clear();
}

void Flow::choose_service(std::string_view code) {
    complaint.service_code = std::string(code);
    errors.clear();
}

void Flow::next(std::chrono::sys_days today) {
    if (screen == Screen::Addressee && complaint.addressee == Addressee::EgovPortal) {
        screen = Screen::EgovInfo;
        return;
    }
    errors.clear();
    for (Field f : fields_of(screen)) {
        auto e = check_field(complaint, f, today);
        errors.insert(errors.end(), e.begin(), e.end());
    }
    // check_field reports every official for each of the three official fields; keep one copy.
    std::sort(errors.begin(), errors.end(), [](const FieldError& a, const FieldError& b) {
        return std::tie(a.official, a.field, a.problem) < std::tie(b.official, b.field, b.problem);
    });
    errors.erase(std::unique(errors.begin(), errors.end()), errors.end());
    if (!errors.empty()) return focus_error(0);

    const int i = index_of(screen);
    if (i < 0) return;
    if (screen == Screen::Signature) {
        screen = Screen::Submitting;
        submit_requested = true;
        return;
    }
    if (back_to_review && screen != Screen::Review) {
        back_to_review = false;
        screen = Screen::Review;
        return focus_on(first_field(screen));
    }
    screen = kSteps[i + 1];
    if (screen == Screen::Officials && complaint.officials.empty())
        complaint.officials.emplace_back();
    focus_on(first_field(screen));
}

void Flow::back() {
    errors.clear();
    cancel_asked = false;
    const int i = index_of(screen);
    if (back_to_review && i >= 0) {  // a step opened from the review goes back there
        back_to_review = false;
        screen = Screen::Review;
        return focus_on(first_field(screen));
    }
    if (screen == Screen::EgovInfo)
        screen = Screen::Addressee;
    else if (screen == Screen::Home)
        expire();
    else if (screen == Screen::Info || screen == Screen::Assistance || screen == Screen::Status ||
             i == 0)
        screen = Screen::Home;
    else if (i > 0) {
        screen = kSteps[i - 1];
        focus_on(first_field(screen));
    }
}

void Flow::change(Screen step) {
    if (screen != Screen::Review || index_of(step) < 0 || step == Screen::Review ||
        step == Screen::Signature)
        return;
    errors.clear();
    back_to_review = true;
    screen = step;
    focus_on(first_field(step));
}

void Flow::cancel() {
    if (step() > 0 || screen == Screen::EgovInfo) cancel_asked = true;
}

void Flow::cancel_confirmed() {
    if (cancel_asked) expire();
}

void Flow::keep_going() { cancel_asked = false; }

void Flow::focus_on(Field f, int official) {
    focus = f;
    focus_official = official;
    const std::string* text = focused_text();
    caret = text ? text->size() : 0;
}

void Flow::next_field() {
    // The screen's typed fields in order; the officials' three repeat for each official.
    std::vector<std::pair<Field, int>> order;
    for (Field f : fields_of(screen)) {
        if (keypad_for(f) == Keypad::Letters && max_length(f) == 0)
            continue;  // a choice, not typed
        if (f == Field::OfficialPosition || f == Field::OfficialSurname ||
            f == Field::OfficialInitials)
            continue;
        order.emplace_back(f, 0);
    }
    if (screen == Screen::Officials)
        for (int i = 0; i < static_cast<int>(complaint.officials.size()); ++i)
            for (Field f :
                 {Field::OfficialPosition, Field::OfficialSurname, Field::OfficialInitials})
                order.emplace_back(f, i);
    const auto at = std::find(order.begin(), order.end(), std::pair(focus, focus_official));
    if (at != order.end() && at + 1 != order.end()) focus_on(at[1].first, at[1].second);
}

void Flow::focus_error(std::size_t index) {
    if (index >= errors.size()) return;
    const FieldError& e = errors[index];
    // Errors of the officials as a whole (none given) belong to the first official's position.
    const Field f = e.field == Field::Officials ? Field::OfficialPosition : e.field;
    focus_on(f, std::max(0, e.official));
}

// Section: typing, at the caret

void Flow::choose_letters(Layout l) {
    if (l == Layout::Symbols || l == Layout::Digits) return;
    keyboard.letters = l;
    keyboard.symbols = false;
}

void Flow::toggle_symbols() { keyboard.symbols = !keyboard.symbols; }

void Flow::toggle_shift() { keyboard.shift = !keyboard.shift; }

void Flow::type(std::string_view utf8) {
    std::string* text = focused_text();
    const auto cps = decode_utf8(utf8);
    keyboard.shift = false;  // for one letter only
    if (!text || !cps) return;
    caret = std::min(caret, text->size());
    for (char32_t cp : *cps) {
        if (is_control(cp) && cp != U'\n') continue;
        if (cp == U'\n' && focus != Field::Grounds && focus != Field::Demands) continue;
        if (code_point_count(*text) >= max_length(focus)) return;
        if (keypad_for(focus) == Keypad::Digits && !is_digit(cp)) continue;
        if (focus == Field::ServiceDate) {  // the dots come by themselves: typed at the end only
            type_date(*text, static_cast<char>(cp));
            caret = text->size();
            continue;
        }
        std::string letter;
        append_utf8(letter, cp);
        text->insert(caret, letter);
        caret += letter.size();
    }
}

void Flow::backspace() {
    std::string* text = focused_text();
    if (!text) return;
    caret = std::min(caret, text->size());
    if (caret == 0) return;
    const std::size_t from = previous_code_point(*text, caret);
    text->erase(from, caret - from);
    caret = from;
    if (focus == Field::ServiceDate && caret == text->size() && !text->empty() &&
        text->back() == '.') {
        text->pop_back();
        caret = text->size();
    }
}

void Flow::caret_left() {
    if (const std::string* text = focused_text())
        caret = previous_code_point(*text, std::min(caret, text->size()));
}

void Flow::caret_right() {
    if (const std::string* text = focused_text())
        caret = next_code_point(*text, std::min(caret, text->size()));
}

void Flow::caret_to(std::size_t code_points) {
    const std::string* text = focused_text();
    if (!text) return;
    caret = 0;
    for (std::size_t i = 0; i < code_points && caret < text->size(); ++i)
        caret = next_code_point(*text, caret);
}

std::size_t Flow::caret_code_points() const {
    const std::string* text = focused_text();
    return text ? code_point_count(std::string_view(*text).substr(0, std::min(caret, text->size())))
                : 0;
}

// Section: officials, consent, signature

void Flow::add_official() {
    if (complaint.officials.size() >= Limits::officials) return;
    complaint.officials.emplace_back();
    focus_on(Field::OfficialPosition, static_cast<int>(complaint.officials.size()) - 1);
}

void Flow::remove_official(int index) {
    auto& list = complaint.officials;
    if (index < 0 || index >= static_cast<int>(list.size()) || list.size() == 1) return;
    wipe(list[index].position), wipe(list[index].surname), wipe(list[index].initials);
    list.erase(list.begin() + index);
    focus_on(Field::OfficialPosition, std::min(index, static_cast<int>(list.size()) - 1));
    errors.clear();
}

void Flow::set_consent(bool given) { complaint.consent = given; }

void Flow::add_signature_stroke(SignatureStroke stroke) {
    if (stroke.size() < 2) return;
    complaint.signature.push_back(std::move(stroke));
    complaint.signed_with_keypad = false;  // drawn after all: the drawing is the signature
}

void Flow::clear_signature() {
    complaint.signature.clear();
    complaint.signed_with_keypad = false;
}

void Flow::sign_with_keypad() {
    complaint.signature.clear();
    complaint.signed_with_keypad = true;
}

// Section: endings

void Flow::submitted(std::string number, bool offline_number) {
    registration_number = std::move(number);
    offline = offline_number;
    screen = Screen::Done;
}

void Flow::submit_failed(std::string reason_key) {
    failure = std::move(reason_key);
    screen = Screen::Failed;
}

void Flow::retry() {
    if (screen != Screen::Failed) return;
    screen = Screen::Submitting;
    submit_requested = true;
}

void Flow::finish() { expire(); }

void Flow::expire() {
    const bool staff_was_in = in_service() && screen != Screen::ServiceLogin;
    wipe(complaint);
    wipe(registration_number);
    wipe(status_query);
    wipe(service.pin);
    *this = Flow{};
    if (staff_was_in) service.requested = StaffAction::Logout;
}

// Section: service mode

void Flow::corner_tap(Clock::time_point now) {
    if (screen != Screen::Attract) return;
    auto& taps = service.corner_taps;
    std::erase_if(taps, [now](Clock::time_point t) { return now - t > std::chrono::seconds(4); });
    taps.push_back(now);
    if (taps.size() < 5) return;
    taps.clear();
    wipe(service.pin);
    service = ServiceState{};
    screen = Screen::ServiceLogin;
}

void Flow::pin_digit(char digit) {
    if (screen != Screen::ServiceLogin || service.checking || digit < '0' || digit > '9' ||
        service.pin.size() >= 12)
        return;
    service.pin += digit;
}

void Flow::pin_backspace() {
    if (screen == Screen::ServiceLogin && !service.checking && !service.pin.empty())
        service.pin.pop_back();
}

void Flow::pin_submit() {
    if (screen != Screen::ServiceLogin || service.checking || service.pin.empty()) return;
    service.pin_check_requested = true;
    service.checking = true;
}

void Flow::pin_checked(bool accepted, int locked_s) {
    wipe(service.pin);
    service.checking = false;
    service.locked_s = locked_s;
    service.result = accepted ? "" : locked_s > 0 ? "staff.locked" : "staff.wrong_pin";
    if (accepted && screen == Screen::ServiceLogin) screen = Screen::ServiceHome;
}

void Flow::open_service(Screen s) {
    if (!in_service() || screen == Screen::ServiceLogin || service.busy ||
        (s != Screen::ServiceHome && s != Screen::ServiceReprint && s != Screen::ServiceLog &&
         s != Screen::ServiceDuty && s != Screen::ServiceUpdate))
        return;
    screen = s;
    if (s != Screen::ServiceDuty) return;
    // A new shift's name, typed afresh with the keyboard on the field.
    service.duty_name.clear();
    service.duty_problem.clear();
    focus_on(Field::DutySpecialist);
}

void Flow::staff_request(StaffAction a, std::filesystem::path talon) {
    if (!in_service() || screen == Screen::ServiceLogin || service.busy) return;
    service.result.clear();
    service.detail.clear();
    service.talon = std::move(talon);
    if (a == StaffAction::Restart || a == StaffAction::Reboot || a == StaffAction::ReplaceOutbox ||
        a == StaffAction::InstallUpdate) {
        service.confirming = a;
        return;
    }
    service.requested = a;
    service.busy = true;
}

void Flow::staff_confirm() {
    if (!service.confirming || service.busy) return;
    service.requested = service.confirming;
    service.confirming.reset();
    service.busy = true;
}

void Flow::staff_cancel() { service.confirming.reset(); }

void Flow::staff_done(std::string result_key, std::string detail) {
    service.busy = false;
    service.result = std::move(result_key);
    service.detail = std::move(detail);
    // The result shows on the home screen.
    if (screen == Screen::ServiceReprint || screen == Screen::ServiceUpdate)
        screen = Screen::ServiceHome;
}

void Flow::duty_save() {
    if (screen != Screen::ServiceDuty || service.busy) return;
    // Checked here at once; the session's save checks again and may still fail to write.
    service.duty_problem = std::string(DutySpecialist::problem(service.duty_name));
    if (!service.duty_problem.empty()) return;
    service.duty_save_requested = true;
    service.busy = true;
}

void Flow::duty_saved(std::string problem_key) {
    service.busy = false;
    if (screen != Screen::ServiceDuty) return;  // staff left meanwhile
    service.duty_problem = std::move(problem_key);
    if (!service.duty_problem.empty()) return;
    service.duty_name.clear();
    service.result = "staff.duty_changed";
    service.detail.clear();
    screen = Screen::ServiceHome;  // where the new name shows
}

void Flow::leave_service() {
    if (in_service()) expire();
}

bool Flow::in_service() const {
    return screen == Screen::ServiceLogin || screen == Screen::ServiceHome ||
           screen == Screen::ServiceReprint || screen == Screen::ServiceLog ||
           screen == Screen::ServiceDuty || screen == Screen::ServiceUpdate;
}

std::vector<FieldError> Flow::errors_for(Field f, int official) const {
    std::vector<FieldError> out;
    for (const auto& e : errors)
        if (e.field == f && (official < 0 || e.official == official)) out.push_back(e);
    return out;
}

int Flow::step() const { return index_of(screen) + 1; }
int Flow::step_count() { return static_cast<int>(std::size(kSteps)); }
Screen Flow::step_screen(int step) { return kSteps[std::clamp(step, 1, step_count()) - 1]; }

Idle Flow::idle(Clock::time_point now, std::chrono::seconds warn_after,
                std::chrono::seconds reset_after) const {
    if (screen == Screen::Attract || screen == Screen::Submitting || service.busy ||
        service.checking)
        return {};
    const auto quiet = std::chrono::duration_cast<std::chrono::seconds>(now - last_touch);
    if (quiet < warn_after) return {};
    const auto left = warn_after + reset_after - quiet;
    if (left <= std::chrono::seconds(0)) return {Idle::Expired, 0};
    return {Idle::Warning, static_cast<int>(left.count())};
}

}  // namespace kiosk
