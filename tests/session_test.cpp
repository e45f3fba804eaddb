// The citizen's session without a display: intents in, effects run against the real
// development register, results held and wiped, and each screen's content in reading order.
#include "operator_keys.h"
#include "sample_complaint.h"
#include "rauc_service.h"
#include "session_kiosk.h"

#include "kiosk/journal.h"
#include "kiosk/screen.h"
#include "kiosk/session.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <thread>

using namespace kiosk;
using namespace std::chrono_literals;

namespace {

using Kiosk = testsupport::SessionKiosk;

}  // namespace

// The previous citizen's status answer is gone for the next one: screen, results and log.
TEST(Session, AStatusAnswerLeavesWithItsCitizen) {
    Kiosk k;
    k.ask_status("ru", "ЖТ-1999-00000042");
    ASSERT_TRUE(k.until([&] { return !k.s().results().status.empty(); }));
    EXPECT_NE(k.shown().find("ЖТ-1999-00000042"), std::string::npos);
    // Walks away: the warning, then the wipe.
    const auto later = Clock::now() + std::chrono::seconds(k.cfg.inactivity_warning_s +
                                                           k.cfg.inactivity_reset_s + 1);
    k.s().poll(later);
    EXPECT_EQ(k.s().flow().screen, Screen::Attract);
    k.act(Act::Start, 0, 0, "kk");
    k.act(Act::CheckStatus);
    EXPECT_TRUE(k.s().results().status.empty());
    EXPECT_TRUE(k.s().flow().status_query.empty());
    EXPECT_EQ(k.shown().find("ЖТ-1999-00000042"), std::string::npos) << k.shown();
    for (const LogLine& l : recent_log(200))
        EXPECT_EQ(l.message.find("ЖТ-1999-00000042"), std::string::npos) << l.message;
}

// An answer that arrives after its citizen has gone is dropped, not shown to the next one.
TEST(Session, ALateStatusAnswerIsNotShownToTheNextCitizen) {
    Kiosk k;
    k.ask_status("ru", "ЖТ-1999-00000043");
    k.act(Act::Home);
    k.act(Act::Back);  // from home: the session ends at once
    EXPECT_EQ(k.s().flow().screen, Screen::Attract);
    k.act(Act::Start, 0, 0, "kk");
    k.act(Act::CheckStatus);
    ASSERT_TRUE(k.until([&] { return !k.s().looking_up_status(); }));
    EXPECT_TRUE(k.s().results().status.empty());
}

TEST(Session, AComplaintIsFiledAndTheDoneScreenSaysWhatHappensNextThenClosesItself) {
    Kiosk k;
    k.fill(sample_complaint());
    k.act(Act::Next);
    EXPECT_EQ(k.s().flow().screen, Screen::Submitting);
    ASSERT_TRUE(k.until([&] { return k.s().flow().screen == Screen::Done; }, 30s)) << k.shown();
    const std::string number = k.s().flow().registration_number;
    EXPECT_EQ(number.rfind("ЖТ-", 0), 0u) << number;
    const std::string done = k.shown();
    EXPECT_NE(done.find(number), std::string::npos);
    EXPECT_NE(done.find(k.tr.in("kk").get("done.expected")), std::string::npos) << done;
    // To the provider, registered now: five working days on, as a date.
    ASSERT_TRUE(k.s().results().registered_at);
    const auto due =
        expected_answer_day(k.calendar, k.procedure.provider_head, *k.s().results().registered_at);
    ASSERT_TRUE(due);
    EXPECT_NE(done.find(day_text(*due)), std::string::npos) << done;
    EXPECT_NE(done.find("+77011234567"), std::string::npos) << done;  // how the answer comes
    for (const char* key : {"done.title", "done.next", "done.number"})
        EXPECT_NE(done.find(k.tr.in("kk").get(key)), std::string::npos) << key << "\n" << done;
    EXPECT_NE(done.find(format(k.tr.in("kk").get("done.closes"), {"30"})), std::string::npos)
        << done;
    for (const auto& c : k.tr.catalogs)
        EXPECT_TRUE(c.missing.empty()) << c.language << ": " << *c.missing.begin();
    EXPECT_EQ(k.health.figures().accepted, 1u);
    const auto rows = k.reg.query("SELECT last_name FROM requests", {});
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0][0], "Әбілқасымова");
    k.s().poll(Clock::now() + Session::kDoneCloses + 1s);
    EXPECT_EQ(k.s().flow().screen, Screen::Attract);
    EXPECT_TRUE(k.s().flow().complaint.surname.empty());
}

TEST(Session, TwoAndThreeOfficialsReachTheRegisterAsTyped) {
    Kiosk k;
    Complaint c = sample_complaint();
    c.officials = {{"Бөлім басшысы", "Жұмабеков", "Н. Ө."},
                   {"Маман", "Сейітова", "Ә. Б."},
                   {"Инспектор", "Ли", "В."}};
    k.fill(c);
    // Back from the signature to the officials: edit the second, remove the first.
    for (int i = 0; i < 4; ++i) k.act(Act::Back);
    ASSERT_EQ(k.s().flow().screen, Screen::Officials) << k.shown();
    k.act(Act::Focus, static_cast<int>(Field::OfficialPosition), 1);
    k.act(Act::Type, 0, 0, " бас");
    k.act(Act::RemoveOfficial, 0);
    for (int i = 0; i < 4; ++i) k.act(Act::Next);
    ASSERT_EQ(k.s().flow().screen, Screen::Signature) << k.shown();
    k.act(Act::Next);
    ASSERT_TRUE(k.until([&] { return k.s().flow().screen == Screen::Done; }, 30s)) << k.shown();
    const auto rows = k.reg.query(
        "SELECT json_extract(attributes, '$.officials_position'), "
        "json_extract(attributes, '$.officials_surname') FROM requests",
        {});
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0][0], "[\"Маман бас\",\"Инспектор\"]");
    EXPECT_EQ(rows[0][1], "[\"Сейітова\",\"Ли\"]");
}

TEST(Session, CancelMidFormAsksOnceThenWipesEverything) {
    Kiosk k;
    k.fill(sample_complaint());
    k.act(Act::Cancel);
    EXPECT_NE(k.shown().find(k.tr.in("kk").get("cancel.title")), std::string::npos);
    k.act(Act::KeepGoing);
    EXPECT_EQ(k.s().flow().screen, Screen::Signature);
    k.act(Act::Cancel);
    k.act(Act::CancelConfirmed);
    EXPECT_EQ(k.s().flow().screen, Screen::Attract);
    EXPECT_TRUE(k.s().flow().complaint.surname.empty());
    EXPECT_TRUE(k.s().flow().complaint.signature.empty());
    EXPECT_TRUE(k.reg.query("SELECT id FROM requests", {}).empty());
}

TEST(Session, HelpFromAMiddleStepTellsStaffAndCanBeCalledOff) {
    Kiosk k;
    k.act(Act::Start, 0, 0, "en");
    k.act(Act::FileComplaint);
    k.act(Act::ChooseAddressee, static_cast<int>(Addressee::Akim), 0, "akmola_region");
    k.act(Act::Next);
    k.act(Act::Help);
    EXPECT_EQ(k.s().flow().screen, Screen::Service);  // the citizen stays where they were
    ASSERT_TRUE(k.s().flow().assistance_at);
    EXPECT_EQ(k.health.figures().assistance_requests, 1u);
    EXPECT_NE(
        k.shown().find("Staff were told at " + local_time(*k.s().flow().assistance_at, "%H:%M")),
        std::string::npos);
    k.act(Act::Help);  // once is enough
    EXPECT_EQ(k.health.figures().assistance_requests, 1u);
    k.act(Act::CancelHelp);
    EXPECT_FALSE(k.s().flow().assistance_at);
    ASSERT_TRUE(k.until([&] {
        std::ifstream in(k.cfg.state_dir / "assistance_requests.log");
        const std::string text((std::istreambuf_iterator<char>(in)), {});
        return text.find("assistance no longer needed") != std::string::npos;
    }));
}

TEST(Session, ErrorsShowAsASummaryFirstWithEachEntryLeadingToItsField) {
    Kiosk k;
    ASSERT_NO_FATAL_FAILURE(k.to_applicant("ru"));
    k.type(Field::Surname, "Иванова");
    k.act(Act::Next);  // first name, IIN and address missing
    const ScreenContent c = screen_content(k.s(), Clock::now());
    ASSERT_EQ(c.banner.size(), 1u);  // above the page, in view however it scrolls
    ASSERT_EQ(c.banner[0].kind, Kind::ErrorSummary);
    ASSERT_EQ(c.banner[0].entries.size(), 3u);
    EXPECT_NE(c.banner[0].entries[0].label.find(k.tr.in("ru").get("field.first_name")),
              std::string::npos);
    EXPECT_EQ(k.s().flow().focus, Field::FirstName);  // focus moved to the first problem
    k.s().act(c.banner[0].entries[2].intent);
    EXPECT_EQ(k.s().flow().focus, Field::PostalAddress);
    // The field says its own error too, in words.
    const ScreenContent again = screen_content(k.s(), Clock::now());
    for (const Item& i : again.page) {
        if (i.id == "field.postal_address#0") {
            EXPECT_EQ(i.error, k.tr.in("ru").get("error.missing"));
        }
    }
}

// Every screen's content, in every language: a title, words (never a key) on everything, and
// fields with label, value, state and error, in the order they are read.
TEST(Session, EveryScreenListsItsContentInReadingOrderInEveryLanguage) {
    Kiosk k;
    for (auto lang : kLanguages) {
        auto check = [&] {
            const ScreenContent c = screen_content(k.s(), Clock::now());
            EXPECT_FALSE(c.title.empty())
                << lang << " screen " << static_cast<int>(k.s().flow().screen);
            for (const auto* list : {&c.banner, &c.page, &c.footer, &c.access})
                for (const Item& i : *list)
                    for (const std::string* w : {&i.label, &i.hint, &i.error})
                        EXPECT_EQ(k.tr.in(lang).missing.count(*w), 0u)
                            << lang << " shows a key: " << *w;
            EXPECT_FALSE(c.footer.empty());
            EXPECT_EQ(c.access.size(), 5u);  // text size, contrast, three languages
            return c;
        };
        k.act(Act::Start, 0, 0, std::string(lang));
        for (Act a : {Act::HowAppealsWork, Act::CheckStatus, Act::CallSpecialist}) {
            k.act(a);
            check();
            k.act(Act::Home);
        }
        k.act(Act::Back);
        int step = 0;
        k.fill(
            sample_complaint(),
            [&] {
                const ScreenContent c = check();
                ++step;
                EXPECT_EQ(c.current_step, step);
                ASSERT_EQ(c.steps.size(), static_cast<std::size_t>(Flow::step_count()));
                EXPECT_NE(c.step.find(c.steps[step - 1]), std::string::npos) << c.step;
                // Fields read as label, value, state and error, in the order of the screen.
                std::vector<std::string> fields;
                for (const Item& i : c.page)
                    if (i.kind == Kind::Field) fields.push_back(i.id);
                if (k.s().flow().screen == Screen::Applicant) {
                    EXPECT_EQ(fields,
                              (std::vector<std::string>{"field.surname#0", "field.first_name#0",
                                                        "field.patronymic#0", "field.iin#0",
                                                        "field.postal_address#0"}));
                }
            },
            std::string(lang));
        EXPECT_EQ(step, Flow::step_count());
        for (const auto& c : k.tr.catalogs)
            EXPECT_TRUE(c.missing.empty()) << c.language << ": " << *c.missing.begin();
        k.s().end();
    }
}

// Section: an outbox that cannot take complaints

TEST(Session, ABrokenOutboxShowsOutOfServiceAndLetsNoCitizenStart) {
    Kiosk k(true);
    // The worker tells the session, then the health figures: both are waited for.
    ASSERT_TRUE(k.until(
        [&] { return k.s().out_of_service() && !k.health.figures().outbox_problem.empty(); }));
    EXPECT_NE(k.health.figures().outbox_problem.find("not a database"), std::string::npos);
    const ScreenContent c = screen_content(k.s(), Clock::now());
    for (const auto* lang : {"kk", "ru", "en"}) {
        const Catalog& words = k.tr.in(lang);
        const std::string shown = k.shown();
        EXPECT_NE(shown.find(words.get("attract.out_of_service")), std::string::npos) << lang;
        EXPECT_NE(shown.find(words.get("attract.out_of_service_hint")), std::string::npos) << lang;
    }
    for (const Item& i : c.page) EXPECT_NE(i.kind, Kind::Action) << i.id;  // no way in
    k.act(Act::Start, 0, 0, "ru");
    EXPECT_EQ(k.s().flow().screen, Screen::Attract);

    // Staff replace it from service mode; the kiosk takes citizens again.
    EXPECT_EQ(perform(*k.office, k.health, StaffAction::ReplaceOutbox).key,
              "staff.outbox_replaced");
    ASSERT_TRUE(k.until([&] { return !k.s().out_of_service(); }));
    k.act(Act::Start, 0, 0, "ru");
    EXPECT_EQ(k.s().flow().screen, Screen::Home);
    EXPECT_EQ(k.health.figures().outbox_problem, "");
}

// Outside office hours the attract screen says closed with the hours in every language, and no
// citizen starts; a citizen at the kiosk when it closes finishes; inside them, all is as usual.
TEST(Session, OutsideOfficeHoursTheKioskIsClosedAndSaysWhenItOpens) {
    Kiosk k;
    k.act(Act::Start, 0, 0, "ru");  // a citizen already at the kiosk
    OfficeHours& hours = k.cfg.office_hours;
    hours.set = true;
    hours.closed_on_holidays = false;  // tomorrow may be one
    // Open only tomorrow, from 09:00 to 18:00: closed now, whatever the time.
    const int tomorrow = (monday_first(local_today()) + 1) % 7;
    hours.days[static_cast<std::size_t>(tomorrow)] = {{9 * 60, 18 * 60}};
    ASSERT_TRUE(k.until([&] { return k.s().closed_for_hours(); }));
    EXPECT_EQ(k.s().flow().screen, Screen::Home);  // the citizen goes on
    k.s().end();
    ASSERT_TRUE(k.s().opens_at());
    EXPECT_EQ(k.s().opens_at()->day, local_today() + std::chrono::days(1));
    const ScreenContent c = screen_content(k.s(), Clock::now());
    for (const Item& i : c.page) EXPECT_NE(i.kind, Kind::Action) << i.id;  // no way in
    const std::string shown = k.shown();
    for (const auto* lang : {"kk", "ru", "en"}) {
        const Catalog& words = k.tr.in(lang);
        EXPECT_NE(shown.find(words.get("closed.title")), std::string::npos) << lang;
        EXPECT_NE(shown.find(words.get("closed.hours")), std::string::npos) << lang;
        EXPECT_NE(shown.find(words.get("day.short." + std::to_string(tomorrow)) + "  09:00–18:00"),
                  std::string::npos)
            << lang << shown;
        EXPECT_NE(
            shown.find(format(words.get("closed.opens"), {words.get("day.tomorrow") + ", 09:00"})),
            std::string::npos)
            << lang;
        EXPECT_EQ(shown.find(words.get("closed.holidays")), std::string::npos) << lang;
    }
    k.act(Act::Start, 0, 0, "kk");
    EXPECT_EQ(k.s().flow().screen, Screen::Attract);

    // Open around the clock: the usual invitation, and a citizen starts.
    for (auto& day : hours.days) day = {{0, 24 * 60}};
    ASSERT_TRUE(k.until([&] { return !k.s().closed_for_hours(); }));
    EXPECT_FALSE(k.s().opens_at());
    EXPECT_NE(k.shown().find(k.tr.in("kk").get("attract.title")), std::string::npos);
    k.act(Act::Start, 0, 0, "kk");
    EXPECT_EQ(k.s().flow().screen, Screen::Home);
}

// Staff pick a bundle on a USB stick; it installs once they have left and nobody is at the kiosk,
// and the reboot into it waits for the outbox to be empty.
TEST(Session, StaffUpdateFromAUsbStickInstallsWhenNobodyIsAtTheKioskThenReboots) {
    if (const std::string why = testsupport::RaucService::unavailable(); !why.empty())
        GTEST_SKIP() << why;
    testsupport::RaucService rauc;
    Kiosk k;
    k.cfg.pin_hash = hash_pin("2468");
    k.cfg.update_usb_dir = rauc.dir + "/usb";
    std::filesystem::create_directories(rauc.dir + "/usb/sdb1");
    std::filesystem::rename(rauc.bundle("1.1.0"), rauc.dir + "/usb/sdb1/kiosk-1.1.0.raucb");
    SystemUpdate update({.rauc_conf = rauc.conf(),
                         .state_dir = k.cfg.state_dir,
                         .usb_dir = k.cfg.update_usb_dir,
                         .version_file = rauc.dir + "/none"});
    k.with(k.parts(nullptr, nullptr, &update));
    ASSERT_TRUE(k.until([&] { return k.health.figures().system.slot == "A"; }));

    for (int i = 0; i < 5; ++i) k.s().corner_tap(Clock::now());
    for (char d : std::string("2468")) k.act(Act::PinDigit, 0, 0, std::string(1, d));
    k.act(Act::PinOk);
    ASSERT_TRUE(k.until([&] { return k.s().flow().screen == Screen::ServiceHome; }));
    k.act(Act::StaffOpen, static_cast<int>(Screen::ServiceUpdate));
    ASSERT_EQ(k.s().flow().screen, Screen::ServiceUpdate);
    ASSERT_TRUE(k.until([&] { return !k.s().bundles().empty(); }));
    ASSERT_EQ(k.s().bundles().size(), 1u);
    k.act(Act::StaffDo, static_cast<int>(StaffAction::InstallUpdate), 0,
          k.s().bundles()[0].string());
    EXPECT_EQ(k.s().flow().service.confirming, StaffAction::InstallUpdate);  // asks once more
    k.act(Act::StaffConfirm);
    ASSERT_TRUE(k.until([&] { return k.s().flow().service.result == "staff.update_taken"; }));
    EXPECT_EQ(k.health.figures().staff[std::size_t(StaffAction::InstallUpdate)], 1u);
    // Staff are still in service mode: nothing installs under them.
    EXPECT_EQ(update.state().phase, "waiting");
    k.act(Act::StaffLeave);
    ASSERT_TRUE(k.until([&] { return update.state().phase == "installed"; }, 60s))
        << update.state().detail;
    EXPECT_NE(rauc.grubenv().find("ORDER=B A"), std::string::npos);
    ASSERT_TRUE(k.until([&] { return k.health.figures().system.phase == "installed"; }));
    EXPECT_EQ(k.health.figures().system.target_version, "1.1.0");
    // Idle with an empty outbox: the reboot is asked of logind (refused here, and logged).
    ASSERT_TRUE(k.until([&] {
        for (const LogLine& l : recent_log(40))
            if (l.message.find("rebooting into the installed update 1.1.0") != std::string::npos)
                return true;
        return false;
    }));
    EXPECT_TRUE(k.until([&] { return k.reboots_asked == 1; }));
}

// Section: operators' commands

// A restart or reboot the operators ask for waits until nobody is at the kiosk. The reboot is
// recorded as done when asked; logind refusing it then is reported to them as failed after all.
TEST(Session, AnOperatorsRebootWaitsForTheCitizenAndARefusalIsReportedBack) {
    Kiosk k;
    testsupport::Operator op;
    CommandLedger ledger(k.cfg.state_dir);
    RemoteRequests remote;
    RemoteActions actions;
    remote.wire_into(actions);
    k.with(k.parts(&remote, &ledger));
    const auto command = [&](const std::string& id, const std::string& name) {
        const auto now = WallClock::now();
        const std::vector<net::SignedCommand> signed_command{
            op.sign(testsupport::command_payload(k.cfg.kiosk_id, id, name, now))};
        const auto report =
            ledger.take(signed_command, {k.cfg.kiosk_id, {op.public_key}}, &actions, now);
        return report.empty() ? CommandResult::Refused : report[0].result;
    };

    k.act(Act::Start, 0, 0, "ru");  // a citizen is at the kiosk
    EXPECT_EQ(command("b-1", "reboot"), CommandResult::Done);
    EXPECT_EQ(command("r-1", "restart"), CommandResult::Done);
    k.s().poll(Clock::now());  // polled under the citizen: nothing happens
    EXPECT_EQ(k.reboots_asked, 0);
    EXPECT_FALSE(k.s().restart_requested());

    k.act(Act::Back);  // from home: the session ends at once
    ASSERT_EQ(k.s().flow().screen, Screen::Attract);
    ASSERT_TRUE(k.until([&] {
        const auto entry = ledger.find("b-1");
        return entry && entry->result == CommandResult::Failed;
    }));
    EXPECT_EQ(k.reboots_asked, 1);
    EXPECT_TRUE(k.s().restart_requested());
    const auto pending = ledger.unreported();
    const auto amended = std::find_if(pending.begin(), pending.end(),
                                      [](const CommandReport& r) { return r.id == "b-1"; });
    ASSERT_NE(amended, pending.end());
    EXPECT_EQ(amended->result, CommandResult::Failed);
    EXPECT_EQ(amended->reason, std::string("logind: ") + Kiosk::kRebootRefused);
    EXPECT_EQ(CommandLedger(k.cfg.state_dir).find("b-1")->result, CommandResult::Failed);  // kept
    // Asked once: the refusal is not tried again by itself.
    k.s().poll(Clock::now());
    EXPECT_EQ(k.reboots_asked, 1);
}

// Section: a plain Open311 register

// Its description holds the details it has no attribute for; a complaint too long for
// GeoReport's 4,000 characters is caught before signing, on the step where it is shortened.
TEST(Session, AComplaintTooLongForAPlainRegisterIsShortenedBeforeSigning) {
    Kiosk k(false, {.profile = "stock"});
    Complaint c = sample_complaint();
    c.service_code = "1";  // no metadata: every detail goes into the description
    c.grounds.clear();
    while (c.grounds.size() < 5600) c.grounds += "Қызмет көрсетілмеді. ";  // 2,800 letters
    c.demands = std::string(1400, 'a');
    k.to_review(
        c, [] {}, "ru");
    k.act(Act::Next);
    EXPECT_EQ(k.s().flow().screen, Screen::Grounds);
    ASSERT_EQ(k.s().flow().errors.size(), 1u);
    EXPECT_EQ(k.s().flow().errors[0].problem, Problem::TooLongForRegister);
    EXPECT_NE(k.shown().find("больше, чем принимает система регистрации обращений"),
              std::string::npos)
        << k.shown();
    // Shortened: the review again, then the signature.
    k.act(Act::Focus, static_cast<int>(Field::Demands));
    for (int i = 0; i < 1400; ++i) k.act(Act::Backspace);
    k.act(Act::Type, 0, 0, "Анықтаманы беруді талап етемін.");
    k.act(Act::Next);
    EXPECT_EQ(k.s().flow().screen, Screen::Review) << k.shown();
    k.act(Act::Next);
    EXPECT_EQ(k.s().flow().screen, Screen::Signature) << k.shown();
}

// The same complaint to this project's register: every detail has its attribute there.
TEST(Session, ARegisterWithAttributesTakesTheLongestComplaint) {
    Kiosk k;
    Complaint c = sample_complaint();
    c.grounds.clear();
    while (c.grounds.size() < 5600) c.grounds += "Қызмет көрсетілмеді. ";
    c.demands = std::string(1400, 'a');
    k.fill(
        c, [] {}, "ru");
}

// Services whose definition requires an attribute the kiosk does not fill are not offered;
// an empty catalog says where to get help.
TEST(Session, OnlyServicesTheKioskCanFileForAreOfferedAndNoneSaysWhereToGo) {
    Kiosk k(false, {.profile = "stock"});
    k.act(Act::Start, 0, 0, "en");
    k.act(Act::FileComplaint);
    k.act(Act::ChooseAddressee, static_cast<int>(Addressee::Akim), 0, "akmola_region");
    k.act(Act::Next);
    ASSERT_TRUE(k.until([&] {
        return k.s().catalog().services && !k.s().catalog().stale && k.s().catalog().services->ok;
    }));
    std::vector<std::string> offered;
    for (const auto& sv : k.s().catalog().services->services) offered.push_back(sv.code);
    EXPECT_EQ(offered, (std::vector<std::string>{"1", "3", "4", "5"}));
    EXPECT_NE(why_not_offered(k.s().catalog().whole, k.s().catalog().whole.services.at(1), k.cfg),
              "");

    // The register lists nothing (cached so), and cannot be asked for more.
    k.session.reset();
    ASSERT_TRUE(save_catalog(k.cfg, {}));
    k.reg.stop();
    k.with(k.parts());
    k.act(Act::Start, 0, 0, "en");
    k.act(Act::FileComplaint);
    k.act(Act::ChooseAddressee, static_cast<int>(Addressee::Akim), 0, "akmola_region");
    k.act(Act::Next);
    ASSERT_TRUE(k.until([&] { return k.s().catalog().services.has_value(); }));
    EXPECT_NE(k.shown().find("Complaints cannot be filed at this kiosk at the moment"),
              std::string::npos)
        << k.shown();
}

// A blackbox service's register takes the complaint and gives no number: the done screen shows
// the kiosk's number and says it is the complaint's, not that it waits to be sent.
TEST(Session, ADoneScreenForAComplaintTakenWithoutANumberSaysSo) {
    Kiosk k(false, {.profile = "stock"});
    Complaint c = sample_complaint();
    c.service_code = "4";
    k.fill(
        c, [] {}, "en");
    k.act(Act::Next);
    ASSERT_TRUE(k.until([&] { return k.s().flow().screen == Screen::Done; }, 30s)) << k.shown();
    const std::string done = k.shown();
    EXPECT_EQ(k.s().flow().registration_number, "KSK-SESSION-01-000001");
    EXPECT_NE(done.find("This service gives no registration number"), std::string::npos) << done;
    EXPECT_EQ(done.find("will be sent automatically"), std::string::npos) << done;
}

// Staff set the duty specialist at the start of a shift with the citizen's keyboard: taken for
// the talon, kept for the next start, counted and in the heartbeat, never in the journal.
TEST(Session, StaffSetTheDutySpecialistWithTheOnScreenKeyboard) {
    Kiosk k;
    k.cfg.pin_hash = hash_pin("2468");
    for (int i = 0; i < 5; ++i) k.s().corner_tap(Clock::now());
    for (char d : std::string("2468")) k.act(Act::PinDigit, 0, 0, std::string(1, d));
    k.act(Act::PinOk);
    ASSERT_TRUE(k.until([&] { return k.s().flow().screen == Screen::ServiceHome; }));
    EXPECT_EQ(k.office->duty.name(), k.cfg.duty_officer);

    k.act(Act::StaffOpen, static_cast<int>(Screen::ServiceDuty));
    ASSERT_EQ(k.s().flow().screen, Screen::ServiceDuty);
    // Each touch goes to the key the screen shows, as a finger would.
    auto press = [&](const std::string& id) {
        const ScreenContent c = screen_content(k.s(), Clock::now());
        for (const auto* list : {&c.page, &c.footer})
            for (const Item& i : *list)
                if (i.id == id) return k.s().act(i.intent);
        for (const auto& row : c.keys)
            for (const Item& key : row)
                if (key.id == id) return k.s().act(key.intent);
        ADD_FAILURE() << "no " << id << " on the screen:\n" << k.shown();
    };
    const ScreenContent c = screen_content(k.s(), Clock::now());
    ASSERT_TRUE(c.keyboard);
    ASSERT_FALSE(c.page.empty());
    EXPECT_NE(k.shown().find(k.cfg.duty_officer), std::string::npos) << k.shown();
    // A name starts with a capital by itself, on the Kazakh, Russian or Latin letters.
    press("key:layout_ru");
    press("key:layout_kk");
    press("key:С");
    for (const char* key : {"key:е", "key:й", "key:т", "key:қ", "key:а", "key:л", "key:и",
                            "key:space", "key:А", "key:.", "key:space", "key:Қ", "key:."})
        press(key);
    EXPECT_EQ(k.s().flow().service.duty_name, "Сейтқали А. Қ.");

    press("staff.duty_save");
    ASSERT_TRUE(k.until([&] { return k.s().flow().screen == Screen::ServiceHome; })) << k.shown();
    EXPECT_EQ(k.s().flow().service.result, "staff.duty_changed");
    EXPECT_EQ(k.office->duty.name(), "Сейтқали А. Қ.");
    EXPECT_EQ(k.health.figures().duty_specialist, "Сейтқали А. Қ.");
    EXPECT_EQ(k.health.figures().staff[static_cast<std::size_t>(StaffAction::SetDutySpecialist)],
              1u);
    EXPECT_EQ(DutySpecialist(k.cfg.state_dir / DutySpecialist::kFileName, "").name(),
              "Сейтқали А. Қ.");

    // A name that is not one: staff stay on the screen and are told why, in their language.
    k.act(Act::Language, 0, 0, "en");
    k.act(Act::StaffOpen, static_cast<int>(Screen::ServiceDuty));
    k.act(Act::Type, 0, 0, "Smith 2");
    press("staff.duty_save");
    EXPECT_EQ(k.s().flow().screen, Screen::ServiceDuty);
    EXPECT_NE(k.shown().find(k.tr.in("en").get("staff.duty_not_a_name")), std::string::npos)
        << k.shown();
    press("staff.duty_cancel");
    EXPECT_EQ(k.s().flow().screen, Screen::ServiceHome);
    EXPECT_EQ(k.office->duty.name(), "Сейтқали А. Қ.");

    for (const LogLine& line : recent_log(500)) {
        EXPECT_EQ(line.message.find("Сейтқали"), std::string::npos) << line.message;
        EXPECT_EQ(line.message.find("Smith"), std::string::npos) << line.message;
    }
}
