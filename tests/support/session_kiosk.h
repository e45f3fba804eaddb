// A kiosk's parts around one citizen session, without a display, against a development
// register of its own: for the session's and the narration's tests.
#pragma once
#include "dev_register.h"
#include "kiosk_config.h"

#include "kiosk/screen.h"
#include "kiosk/session.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <thread>
#include <unistd.h>

namespace testsupport {

using namespace kiosk;
using namespace std::chrono_literals;

// A kiosk's worth of parts around one session, against a register of its own.
struct SessionKiosk {
    DevRegister reg;
    std::filesystem::path dir =
        std::filesystem::temp_directory_path() / ("session-test-" + std::to_string(::getpid()));
    Config cfg;
    Translations tr;
    WorkingDayCalendar calendar = WorkingDayCalendar::load(std::filesystem::path(KIOSK_ASSETS_DIR) /
                                                           "calendar" / "kz-working-days.toml");
    Procedure procedure;
    std::unique_ptr<DeliveryWorker> delivery;
    std::unique_ptr<printer::PaperCounter> paper;
    std::unique_ptr<DutySpecialist> duty;
    Health health{"KSK-SESSION-01", "test", WallClock::now()};
    std::unique_ptr<PinGate> gate;
    std::unique_ptr<Backoffice> office;
    std::unique_ptr<Session> session;

    // broken_outbox: the outbox file is garbage before the kiosk starts.
    explicit SessionKiosk(bool broken_outbox = false, const DevRegisterOptions& options = {})
        : reg(options) {
        std::filesystem::remove_all(dir);
        cfg = testsupport::config_for(reg, dir / "spool");
        cfg.kiosk_id = "KSK-SESSION-01";
        cfg.state_dir = dir / "state";
        cfg.answer_wait_s = 5;
        set_time_zone(cfg.time_zone);
        tr = load_translations(cfg.assets_dir / "i18n");
        procedure = load_procedure(procedure_file(cfg.assets_dir, cfg.region), tr);
        std::filesystem::create_directories(cfg.state_dir);
        if (broken_outbox) std::ofstream(outbox_file(cfg)) << std::string(4096, 'x');
        delivery = std::make_unique<DeliveryWorker>(
            outbox_file(cfg), cfg.kiosk_id, register_endpoint(cfg), retry_policy(cfg),
            personal_data_policy(cfg), nullptr,
            [this](const std::string& why) { health.outbox_problem(why); });
        paper = std::make_unique<printer::PaperCounter>(dir / "paper", 100, 10);
        gate = std::make_unique<PinGate>(cfg.state_dir / "lockout");
        duty = std::make_unique<DutySpecialist>(cfg.state_dir / DutySpecialist::kFileName,
                                                cfg.duty_officer);
        office = std::make_unique<Backoffice>(
            Backoffice{cfg, tr, calendar, procedure, *delivery, *paper, *duty});
        session = std::make_unique<Session>(parts());
    }
    // The worker is joined before its folder goes and before `health` (declared after it, so
    // destroyed first), which it reports to from its own thread.
    ~SessionKiosk() {
        session.reset();
        delivery->stop();
        delivery.reset();
        std::filesystem::remove_all(dir);
    }

    // What the session stands on, with logind as the tests have it: a reboot asked is counted
    // and refused (the machine running the tests is never rebooted).
    SessionParts parts(RemoteRequests* remote = nullptr, CommandLedger* ledger = nullptr,
                       SystemUpdate* update = nullptr) {
        SessionParts p{*office, health, *gate, {}, remote, ledger, update};
        p.reboot = [this] {
            ++reboots_asked;
            return std::string(kRebootRefused);
        };
        return p;
    }
    static constexpr const char* kRebootRefused = "Interactive authentication required.";
    std::atomic<int> reboots_asked{0};

    // The session again, on other parts (the same office, outbox and health).
    void with(SessionParts p) {
        session.reset();
        session = std::make_unique<Session>(std::move(p));
    }

    Session& s() { return *session; }
    void act(Act a, int arg = 0, int arg2 = 0, std::string text = {}) {
        session->act({a, arg, arg2, std::move(text)});
    }
    void type(Field f, const std::string& text, int official = 0) {
        act(Act::Focus, static_cast<int>(f), official);
        act(Act::Type, 0, 0, text);
    }

    // Polls like the UI loop until the condition holds (bounded).
    template <class Pred>
    bool until(Pred done, std::chrono::seconds within = 20s) {
        for (auto deadline = Clock::now() + within; Clock::now() < deadline;
             std::this_thread::sleep_for(10ms)) {
            session->poll(Clock::now());
            if (done()) return true;
        }
        return false;
    }

    // From the attract screen to the applicant step: a complaint to the akim about the
    // catalog's first service (waited for: it comes from the register in the background).
    void to_applicant(const std::string& lang) {
        act(Act::Start, 0, 0, lang);
        act(Act::FileComplaint);
        act(Act::ChooseAddressee, static_cast<int>(Addressee::Akim), 0, "akmola_region");
        act(Act::Next);
        ASSERT_TRUE(until([&] { return s().catalog().services.has_value(); }));
        act(Act::ChooseService, 0, 0, "KZ-GU-001");
        act(Act::Next);
    }

    // A status look-up of `number` from the home screen, answered or not.
    void ask_status(const std::string& lang, const std::string& number) {
        act(Act::Start, 0, 0, lang);
        act(Act::CheckStatus);
        act(Act::Type, 0, 0, number);
        act(Act::LookUpStatus);
    }

    // Everything the screen shows, as one text: what a reader (or a voice) would get.
    std::string shown() const {
        const ScreenContent c = screen_content(*session, Clock::now());
        std::string all = c.title + "\n";
        auto add = [&](const Item& i, auto&& self) -> void {
            all += i.label + "|" + i.value + "|" + i.hint + "|" + i.error + "\n";
            for (const Row& r : i.rows) all += r.label + "|" + r.value + "\n";
            for (const Item& e : i.entries) self(e, self);
        };
        for (const auto* list : {&c.banner, &c.page, &c.footer, &c.access, &c.dialog})
            for (const Item& i : *list) add(i, add);
        return all;
    }

    // Walks a valid complaint to the signature, as the screens would, looking at each step.
    void fill(
        const Complaint& c, const std::function<void()>& each_step = [] {},
        std::string lang = "kk") {
        to_review(c, each_step, std::move(lang));
        act(Act::Next);
        each_step();
        ASSERT_EQ(s().flow().screen, Screen::Signature) << shown();
        s().sign({{0.1f, 0.5f}, {0.4f, 0.6f}});
    }

    // ... up to the review, consent given.
    void to_review(
        const Complaint& c, const std::function<void()>& each_step = [] {},
        std::string lang = "kk") {
        act(Act::Start, 0, 0, lang);
        act(Act::FileComplaint);
        each_step();
        act(Act::ChooseAddressee, static_cast<int>(c.addressee), 0, c.akim_unit);
        act(Act::Next);
        each_step();
        ASSERT_TRUE(until([&] { return s().catalog().services && s().catalog().services->ok; }));
        act(Act::ChooseService, 0, 0, c.service_code);
        act(Act::Next);
        each_step();
        type(Field::Surname, c.surname);
        type(Field::FirstName, c.first_name);
        type(Field::Iin, c.iin);
        type(Field::PostalAddress, c.postal_address);
        act(Act::Next);
        each_step();
        for (std::size_t i = 0; i < c.officials.size(); ++i) {
            if (i > 0) act(Act::AddOfficial);
            type(Field::OfficialPosition, c.officials[i].position, static_cast<int>(i));
            type(Field::OfficialSurname, c.officials[i].surname, static_cast<int>(i));
            type(Field::OfficialInitials, c.officials[i].initials, static_cast<int>(i));
        }
        act(Act::Next);
        each_step();
        type(Field::Grounds, c.grounds);
        type(Field::Demands, c.demands);
        act(Act::Next);
        each_step();
        type(Field::Phone, c.phone);
        act(Act::Next);
        each_step();
        act(Act::Consent);
    }
};

}  // namespace testsupport
