// The citizen's way through as plain state: transitions, gating, typing, inactivity.
#include "kiosk/flow.h"
#include "kiosk/text.h"

#include <gtest/gtest.h>

using namespace kiosk;
using namespace std::chrono;

namespace {

const sys_days kToday = sys_days{year{2026} / 11 / 27};

void type_into(Flow& f, Field field, const std::string& text, int official = 0) {
    f.focus_on(field, official);
    f.type(text);
}

// Walks a flow to the given screen with valid answers.
Flow flow_at(Screen target) {
    Flow f;
    f.start("ru");
    f.file_complaint();
    auto at = [&] { return f.screen == target; };
    if (at()) return f;
    f.choose_addressee(Addressee::Akim, "akmola_region");
    f.next(kToday);
    if (at()) return f;
    f.choose_service("KZ-GU-001");
    f.next(kToday);
    if (at()) return f;
    type_into(f, Field::Surname, "Иванова");
    type_into(f, Field::FirstName, "Мария");
    type_into(f, Field::Iin, "900101300007");
    type_into(f, Field::PostalAddress, "г. Кокшетау, ул. Абая, 83");
    f.next(kToday);
    if (at()) return f;
    type_into(f, Field::OfficialPosition, "Начальник отдела");
    type_into(f, Field::OfficialSurname, "Петров");
    type_into(f, Field::OfficialInitials, "П. П.");
    f.next(kToday);
    if (at()) return f;
    type_into(f, Field::Grounds, "Справку не выдали без объяснения причин.");
    type_into(f, Field::Demands, "Выдать справку.");
    f.next(kToday);
    if (at()) return f;
    type_into(f, Field::Phone, "87011234567");
    f.next(kToday);
    if (at()) return f;
    f.set_consent(true);
    f.next(kToday);
    return f;
}

}  // namespace

TEST(Flow, AttractLanguageThenFilingSteps) {
    Flow f;
    EXPECT_EQ(f.screen, Screen::Attract);
    EXPECT_EQ(f.language, "kk");  // Kazakh is the default
    f.start("ru");                // a language button on the attract screen starts the session
    EXPECT_EQ(f.screen, Screen::Home);
    EXPECT_EQ(f.language, "ru");
    f.choose_language("en");  // switchable on every screen; the screen stays
    EXPECT_EQ(f.screen, Screen::Home);
    f.choose_language("ru");
    EXPECT_EQ(f.step(), 0);
    f.file_complaint();
    EXPECT_EQ(f.screen, Screen::Addressee);
    EXPECT_EQ(f.step(), 1);
    EXPECT_EQ(Flow::step_count(), 8);
}

TEST(Flow, EveryStepForwardAndBack) {
    const Screen steps[] = {Screen::Addressee, Screen::Service,  Screen::Applicant,
                            Screen::Officials, Screen::Grounds,  Screen::Contact,
                            Screen::Review,    Screen::Signature};
    for (int i = 0; i < 8; ++i) {
        Flow f = flow_at(steps[i]);
        ASSERT_EQ(f.screen, steps[i]) << i;
        EXPECT_EQ(f.step(), i + 1);
        f.back();
        EXPECT_EQ(f.screen, i == 0 ? Screen::Home : steps[i - 1]);
    }
}

TEST(Flow, NextIsRefusedUntilTheScreenIsValid) {
    Flow f = flow_at(Screen::Applicant);
    f.next(kToday);
    EXPECT_EQ(f.screen, Screen::Applicant);
    EXPECT_EQ(f.errors.size(), 4u);  // surname, first name, IIN, address; patronymic optional
    type_into(f, Field::Surname, "Иванова");
    type_into(f, Field::FirstName, "Мария");
    type_into(f, Field::PostalAddress, "г. Кокшетау, ул. Абая, 83");
    f.complaint.iin = "900101300008";  // wrong check digit
    f.next(kToday);
    EXPECT_EQ(f.screen, Screen::Applicant);
    ASSERT_EQ(f.errors.size(), 1u);
    ASSERT_EQ(f.errors_for(Field::Iin).size(), 1u);
    EXPECT_EQ(f.errors_for(Field::Iin)[0].problem, Problem::IinChecksum);
    f.complaint.iin = "900101300007";
    f.next(kToday);
    EXPECT_EQ(f.screen, Screen::Officials);
    EXPECT_TRUE(f.errors.empty());
}

TEST(Flow, EgovPortalLeadsToExplanationNotSubmission) {
    Flow f = flow_at(Screen::Addressee);
    f.choose_addressee(Addressee::EgovPortal);
    f.next(kToday);
    EXPECT_EQ(f.screen, Screen::EgovInfo);
    f.back();
    EXPECT_EQ(f.screen, Screen::Addressee);
}

TEST(Flow, SignatureThenSubmitThenDone) {
    Flow f = flow_at(Screen::Signature);
    f.next(kToday);
    EXPECT_EQ(f.screen, Screen::Signature);  // no signature yet
    f.add_signature_stroke({{0.1f, 0.1f}, {0.5f, 0.5f}});
    f.next(kToday);
    EXPECT_EQ(f.screen, Screen::Submitting);
    EXPECT_TRUE(f.submit_requested);
    f.submit_failed("failed.not_saved");
    EXPECT_EQ(f.screen, Screen::Failed);
    EXPECT_EQ(f.complaint.surname, "Иванова");  // kept for the retry
    f.retry();
    EXPECT_EQ(f.screen, Screen::Submitting);
    f.submitted("ЖТ-2026-00000001", false);
    EXPECT_EQ(f.screen, Screen::Done);
    f.finish();
    EXPECT_EQ(f.screen, Screen::Attract);
    EXPECT_TRUE(f.complaint.surname.empty());
}

TEST(Flow, TypingRespectsKeypadsAndLimits) {
    Flow f = flow_at(Screen::Applicant);
    f.complaint.iin.clear();
    type_into(f, Field::Iin, "9001a01 30000745");
    EXPECT_EQ(f.complaint.iin, "900101300007");  // letters dropped, stops at 12 digits
    f.complaint.surname.clear();
    type_into(f, Field::Surname, "Ә\x01\nб");
    EXPECT_EQ(f.complaint.surname, "Әб");  // control characters never get in
    f.backspace();
    EXPECT_EQ(f.complaint.surname, "Ә");  // a whole letter, not a byte
    f.focus_on(Field::ServiceDate);
    f.type("27112026");
    EXPECT_EQ(f.complaint.service_date, "27.11.2026");
    f.backspace();
    f.backspace();
    f.backspace();
    f.backspace();
    f.backspace();
    EXPECT_EQ(f.complaint.service_date, "27.1");
}

TEST(Flow, NewlinesOnlyInLongTexts) {
    Flow f = flow_at(Screen::Grounds);
    f.complaint.grounds.clear();
    type_into(f, Field::Grounds, "бір\nекі");
    EXPECT_EQ(f.complaint.grounds, "бір\nекі");
    f.complaint.surname.clear();
    type_into(f, Field::Surname, "А\nБ");
    EXPECT_EQ(f.complaint.surname, "АБ");
}

TEST(Flow, OfficialsCanBeAddedAndRemoved) {
    Flow f = flow_at(Screen::Officials);
    ASSERT_EQ(f.complaint.officials.size(), 1u);
    f.add_official();
    EXPECT_EQ(f.complaint.officials.size(), 2u);
    EXPECT_EQ(f.focus, Field::OfficialPosition);
    EXPECT_EQ(f.focus_official, 1);
    f.next(kToday);
    EXPECT_EQ(f.screen, Screen::Officials);  // the second one is empty
    f.remove_official(1);
    EXPECT_EQ(f.complaint.officials.size(), 1u);
    f.remove_official(0);
    EXPECT_EQ(f.complaint.officials.size(), 1u);  // at least one stays
}

TEST(Flow, LanguageSwitchKeepsEnteredData) {
    Flow f = flow_at(Screen::Contact);
    f.choose_language("kk");
    EXPECT_EQ(f.language, "kk");
    EXPECT_EQ(f.screen, Screen::Contact);
    EXPECT_EQ(f.complaint.surname, "Иванова");
    EXPECT_EQ(f.complaint.officials.at(0).surname, "Петров");
}

TEST(Flow, InactivityWarnsThenWipes) {
    Flow f = flow_at(Screen::Grounds);
    const auto t0 = Clock::now();
    f.touched(t0);
    const auto warn = seconds(60), reset = seconds(30);
    EXPECT_EQ(f.idle(t0 + seconds(59), warn, reset).state, Idle::Active);
    const Idle w = f.idle(t0 + seconds(61), warn, reset);
    EXPECT_EQ(w.state, Idle::Warning);
    EXPECT_EQ(w.seconds_left, 29);
    f.touched(t0 + seconds(70));
    EXPECT_EQ(f.idle(t0 + seconds(100), warn, reset).state, Idle::Active);
    EXPECT_EQ(f.idle(t0 + seconds(160), warn, reset).state, Idle::Expired);
    f.expire();
    EXPECT_EQ(f.screen, Screen::Attract);
    EXPECT_TRUE(f.complaint.surname.empty());
    EXPECT_TRUE(f.complaint.grounds.empty());
    EXPECT_EQ(f.language, "kk");
}

TEST(Flow, HomeLeadsToStatusInfoAndAssistance) {
    Flow f;
    f.start("en");
    f.check_status();
    EXPECT_EQ(f.screen, Screen::Status);
    EXPECT_EQ(f.focus, Field::StatusNumber);
    f.look_up_status();
    EXPECT_FALSE(f.status_requested);  // nothing typed yet
    f.type("ЖТ-2026-00000001");
    f.look_up_status();
    EXPECT_TRUE(f.status_requested);
    EXPECT_EQ(f.status_query, "ЖТ-2026-00000001");
    f.back();
    EXPECT_EQ(f.screen, Screen::Home);
    f.how_appeals_work();
    EXPECT_EQ(f.screen, Screen::Info);
    f.go_home();
    f.call_specialist();
    EXPECT_EQ(f.screen, Screen::Assistance);
    EXPECT_TRUE(f.assistance_requested);
    f.expire();
    EXPECT_TRUE(f.status_query.empty());
    EXPECT_FALSE(f.large_text);
}

TEST(Flow, CommonGroundsAppendToTheGrounds) {
    Flow f = flow_at(Screen::Grounds);
    f.complaint.grounds.clear();
    f.add_ground("Нарушен срок оказания услуги.");
    f.add_ground("Потребовали незаконную плату.");
    EXPECT_EQ(f.complaint.grounds, "Нарушен срок оказания услуги.\nПотребовали незаконную плату.");
    f.complaint.grounds = std::string(Limits::grounds - 5, 'x');
    f.add_ground("Потребовали незаконную плату.");  // would not fit: left out whole
    EXPECT_EQ(code_point_count(f.complaint.grounds), Limits::grounds - 5);
}

// Section: service mode

namespace {

Flow staff_logged_in() {
    Flow f;
    const auto t0 = steady_clock::now();
    for (int i = 0; i < 5; ++i) f.corner_tap(t0 + milliseconds(300 * i));
    for (char d : std::string("2468")) f.pin_digit(d);
    f.pin_submit();
    f.pin_checked(true, 0);
    return f;
}

}  // namespace

TEST(Service, FiveCornerTapsWithinFourSecondsOpenThePinPad) {
    Flow f;
    const auto t0 = steady_clock::now();
    for (int i = 0; i < 4; ++i) f.corner_tap(t0 + seconds(i));
    f.corner_tap(t0 + seconds(5));  // the first taps are too old by now
    EXPECT_EQ(f.screen, Screen::Attract);
    for (int i = 1; i <= 4; ++i) f.corner_tap(t0 + seconds(5) + milliseconds(200 * i));
    EXPECT_EQ(f.screen, Screen::ServiceLogin);
    EXPECT_TRUE(f.in_service());

    Flow citizen = flow_at(Screen::Applicant);  // only from the attract screen
    for (int i = 0; i < 5; ++i) citizen.corner_tap(t0);
    EXPECT_EQ(citizen.screen, Screen::Applicant);
}

TEST(Service, ThePinIsTypedCheckedOnceAndWiped) {
    Flow f;
    const auto t0 = steady_clock::now();
    for (int i = 0; i < 5; ++i) f.corner_tap(t0);
    f.pin_submit();  // nothing typed: nothing to check
    EXPECT_FALSE(f.service.pin_check_requested);
    for (char d : std::string("12x3")) f.pin_digit(d);
    EXPECT_EQ(f.service.pin, "123");
    f.pin_backspace();
    f.pin_digit('9');
    f.pin_submit();
    EXPECT_TRUE(f.service.pin_check_requested);
    f.pin_digit('7');  // no typing while it is checked
    EXPECT_EQ(f.service.pin, "129");
    f.pin_checked(false, 0);
    EXPECT_EQ(f.screen, Screen::ServiceLogin);
    EXPECT_EQ(f.service.result, "staff.wrong_pin");
    EXPECT_TRUE(f.service.pin.empty());
    f.pin_digit('1');
    f.pin_submit();
    f.pin_checked(false, 30);
    EXPECT_EQ(f.service.result, "staff.locked");
    f.pin_digit('1');
    f.pin_submit();
    f.pin_checked(true, 0);
    EXPECT_EQ(f.screen, Screen::ServiceHome);
}

TEST(Service, RestartAndRebootAskOnceMore) {
    Flow f = staff_logged_in();
    f.staff_request(StaffAction::Reboot);
    EXPECT_FALSE(f.service.requested);
    ASSERT_TRUE(f.service.confirming);
    f.staff_cancel();
    EXPECT_FALSE(f.service.confirming);
    f.staff_request(StaffAction::Restart);
    f.staff_confirm();
    EXPECT_EQ(f.service.requested, StaffAction::Restart);
    EXPECT_TRUE(f.service.busy);
    f.staff_request(StaffAction::TestPrint);  // one action at a time
    EXPECT_EQ(f.service.requested, StaffAction::Restart);
    f.service.requested.reset();
    f.staff_done("staff.done", "");
    f.staff_request(StaffAction::TestPrint);
    EXPECT_EQ(f.service.requested, StaffAction::TestPrint);
}

TEST(Service, ReprintNamesItsTalonAndReturnsToTheOverview) {
    Flow f = staff_logged_in();
    f.open_service(Screen::ServiceReprint);
    EXPECT_EQ(f.screen, Screen::ServiceReprint);
    f.staff_request(StaffAction::Reprint, "/spool/talon-KSK-1-000001.pdf");
    EXPECT_EQ(f.service.talon, "/spool/talon-KSK-1-000001.pdf");
    f.staff_done("print.no_paper", "media-empty");
    EXPECT_EQ(f.screen, Screen::ServiceHome);
    EXPECT_EQ(f.service.result, "print.no_paper");
}

TEST(Service, LeavingOrWalkingAwayLogsOut) {
    Flow f = staff_logged_in();
    f.leave_service();
    EXPECT_EQ(f.screen, Screen::Attract);
    EXPECT_EQ(f.service.requested, StaffAction::Logout);

    f = staff_logged_in();
    f.touched(steady_clock::now() - seconds(200));
    EXPECT_EQ(f.idle(steady_clock::now(), seconds(120), seconds(10)).state, Idle::Expired);
    f.expire();
    EXPECT_EQ(f.screen, Screen::Attract);
    EXPECT_EQ(f.service.requested, StaffAction::Logout);

    Flow at_pin_pad;  // nobody logged in: nothing to log out
    for (int i = 0; i < 5; ++i) at_pin_pad.corner_tap(steady_clock::now());
    at_pin_pad.pin_digit('1');
    at_pin_pad.expire();
    EXPECT_FALSE(at_pin_pad.service.requested);
    EXPECT_TRUE(at_pin_pad.service.pin.empty());
}

TEST(Service, TheDutySpecialistIsTypedCheckedAndSavedBackOnTheOverview) {
    Flow f = staff_logged_in();
    f.open_service(Screen::ServiceDuty);
    ASSERT_EQ(f.screen, Screen::ServiceDuty);
    EXPECT_TRUE(f.in_service());
    EXPECT_EQ(f.focus, Field::DutySpecialist);
    EXPECT_EQ(fields_of(Screen::ServiceDuty), std::vector{Field::DutySpecialist});
    EXPECT_EQ(keypad_for(Field::DutySpecialist), Keypad::Letters);

    // A name that is not one is refused at once, with its reason, and nothing is saved.
    f.type("Сейтқали 2");
    f.duty_save();
    EXPECT_EQ(f.service.duty_problem, "staff.duty_not_a_name");
    EXPECT_FALSE(f.service.duty_save_requested);
    EXPECT_FALSE(f.service.busy);

    f.backspace();
    f.backspace();
    f.type(" А. Қ.");
    EXPECT_EQ(f.service.duty_name, "Сейтқали А. Қ.");
    f.duty_save();
    EXPECT_EQ(f.service.duty_problem, "");
    EXPECT_TRUE(f.service.duty_save_requested);
    EXPECT_TRUE(f.service.busy);
    f.open_service(Screen::ServiceHome);  // no way off while it is saved
    EXPECT_EQ(f.screen, Screen::ServiceDuty);

    // The file could not be written: staff stay, told why, the name still typed.
    f.service.duty_save_requested = false;
    f.duty_saved("staff.duty_not_saved");
    EXPECT_EQ(f.screen, Screen::ServiceDuty);
    EXPECT_EQ(f.service.duty_problem, "staff.duty_not_saved");
    EXPECT_EQ(f.service.duty_name, "Сейтқали А. Қ.");

    f.duty_save();
    f.duty_saved("");
    EXPECT_EQ(f.screen, Screen::ServiceHome);
    EXPECT_EQ(f.service.result, "staff.duty_changed");
    EXPECT_FALSE(f.service.busy);

    // Opened again: a fresh field for the next shift; Cancel is the way back to the overview.
    f.open_service(Screen::ServiceDuty);
    EXPECT_EQ(f.service.duty_name, "");
    EXPECT_EQ(f.service.duty_problem, "");
    for (int i = 0; i < 70; ++i) f.type("ә");
    EXPECT_EQ(code_point_count(f.service.duty_name), 60u);
    f.open_service(Screen::ServiceHome);
    EXPECT_EQ(f.screen, Screen::ServiceHome);
}

// Section: editing at the caret, officials, cancel, help, change from the review

TEST(Flow, TypingHappensAtTheCaret) {
    Flow f = flow_at(Screen::Applicant);
    f.complaint.postal_address.clear();
    type_into(f, Field::PostalAddress, "Абай 83");
    for (int i = 0; i < 3; ++i) f.caret_left();  // before "83"... and the space
    EXPECT_EQ(f.caret_code_points(), 4u);
    f.caret_right();
    f.type("к-сі ");
    EXPECT_EQ(f.complaint.postal_address, "Абай к-сі 83");
    f.backspace();  // the space before the caret
    EXPECT_EQ(f.complaint.postal_address, "Абай к-сі83");
    f.caret_to(0);
    f.backspace();  // nothing before the caret: nothing happens
    f.type("ә");
    EXPECT_EQ(f.complaint.postal_address, "әАбай к-сі83");
    f.caret_to(1000);  // past the end: at the end
    f.type("!");
    EXPECT_EQ(f.complaint.postal_address, "әАбай к-сі83!");
    f.focus_on(Field::Surname);  // another field: the caret goes to its end
    EXPECT_EQ(f.caret, f.complaint.surname.size());
}

TEST(Flow, DatesKeepTheirDotsWhereverTheCaretWas) {
    Flow f = flow_at(Screen::Service);
    type_into(f, Field::ServiceDate, "0111");
    f.caret_to(0);
    f.type("2026");
    EXPECT_EQ(f.complaint.service_date, "01.11.2026");
    f.backspace();
    f.backspace();
    f.backspace();
    f.backspace();
    EXPECT_EQ(f.complaint.service_date, "01.11");
}

TEST(Flow, SecondAndThirdOfficialsAreEditedAndTheFirstRemoved) {
    Flow f = flow_at(Screen::Officials);
    f.add_official();
    EXPECT_EQ(f.focus, Field::OfficialPosition);
    EXPECT_EQ(f.focus_official, 1);
    f.type("Маман");
    f.add_official();
    type_into(f, Field::OfficialSurname, "Сейітов", 2);
    type_into(f, Field::OfficialSurname, "-Ахметов", 1);
    ASSERT_EQ(f.complaint.officials.size(), 3u);
    EXPECT_EQ(f.complaint.officials[1].surname, "-Ахметов");
    EXPECT_EQ(f.complaint.officials[2].surname, "Сейітов");
    f.remove_official(0);
    ASSERT_EQ(f.complaint.officials.size(), 2u);
    EXPECT_EQ(f.complaint.officials[0].position, "Маман");
    EXPECT_EQ(f.complaint.officials[1].surname, "Сейітов");
    EXPECT_EQ(f.focus_official, 0);
}

TEST(Flow, RefusedNextFocusesTheFirstProblemAndEachSummaryEntryLeadsToItsField) {
    Flow f = flow_at(Screen::Applicant);  // nothing typed yet
    f.focus_on(Field::Iin);
    f.next(kToday);
    ASSERT_EQ(f.errors.size(), 4u);  // surname, first name, IIN, address
    EXPECT_EQ(f.focus, Field::Surname);
    f.focus_error(3);
    EXPECT_EQ(f.focus, Field::PostalAddress);
    Flow o = flow_at(Screen::Officials);
    type_into(o, Field::OfficialPosition, "Маман");
    type_into(o, Field::OfficialSurname, "Петров");
    type_into(o, Field::OfficialInitials, "П. П.");
    o.add_official();  // an empty second official
    o.next(kToday);
    ASSERT_FALSE(o.errors.empty());
    EXPECT_EQ(o.focus_official, 1);
}

TEST(Flow, CancelAsksOnceThenWipes) {
    Flow f = flow_at(Screen::Grounds);
    f.cancel();
    EXPECT_TRUE(f.cancel_asked);
    f.keep_going();
    EXPECT_EQ(f.screen, Screen::Grounds);
    EXPECT_EQ(f.complaint.surname, "Иванова");
    f.cancel_confirmed();  // not asked now: nothing happens
    EXPECT_EQ(f.screen, Screen::Grounds);
    f.cancel();
    f.cancel_confirmed();
    EXPECT_EQ(f.screen, Screen::Attract);
    EXPECT_TRUE(f.complaint.surname.empty());
}

TEST(Flow, HelpFromAnyStepKeepsTheCitizenWhereTheyAre) {
    Flow f = flow_at(Screen::Officials);
    f.help();
    EXPECT_TRUE(f.assistance_requested);
    EXPECT_EQ(f.screen, Screen::Officials);
    f.assistance_requested = false;
    const auto at = WallClock::now();
    f.assistance_told(at);
    EXPECT_EQ(f.assistance_at, at);
    f.help();  // told already: once is enough
    EXPECT_FALSE(f.assistance_requested);
    f.cancel_help();
    EXPECT_FALSE(f.assistance_at);
    EXPECT_TRUE(f.assistance_cancelled);
}

TEST(Flow, ChangeFromTheReviewComesBackToIt) {
    Flow f = flow_at(Screen::Review);
    f.change(Screen::Applicant);
    EXPECT_EQ(f.screen, Screen::Applicant);
    f.next(kToday);
    EXPECT_EQ(f.screen, Screen::Review);  // not on to the officials
    f.change(Screen::Contact);
    f.back();
    EXPECT_EQ(f.screen, Screen::Review);
    f.change(Screen::Signature);  // not a step one changes from the review
    EXPECT_EQ(f.screen, Screen::Review);
}

TEST(Flow, EnterMovesToTheNextFieldOfTheScreen) {
    Flow f = flow_at(Screen::Applicant);
    f.focus_on(Field::Surname);
    for (Field want : {Field::FirstName, Field::Patronymic, Field::Iin, Field::PostalAddress,
                       Field::PostalAddress}) {
        f.next_field();
        EXPECT_EQ(f.focus, want);
    }
    Flow o = flow_at(Screen::Officials);
    o.add_official();
    o.focus_on(Field::OfficialInitials, 0);
    o.next_field();
    EXPECT_EQ(o.focus, Field::OfficialPosition);
    EXPECT_EQ(o.focus_official, 1);
}
