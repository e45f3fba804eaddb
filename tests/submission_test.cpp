// The whole path without a display: a complaint goes through net/ over HTTPS to the real
// development register, lands in its database intact, and a talon PDF is spooled.
#include "dev_register.h"
#include "kiosk_config.h"
#include "ipp_printer.h"
#include "process.h"
#include "pdf_words.h"
#include "sample_request.h"

#include "kiosk/catalog.h"
#include "kiosk/service.h"
#include "kiosk/submission.h"

#include <nlohmann/json.hpp>
#include <sqlite3.h>

#include <gtest/gtest.h>

#include <array>
#include <fstream>
#include <cstdio>
#include <map>
#include <thread>

using namespace kiosk;
using testsupport::config_for;
using namespace std::chrono_literals;

namespace {

// The register's first service, as the development register lists it.
net::Service sample_service() {
    return {"KZ-GU-001",
            "Регистрация по месту жительства граждан Республики Казахстан",
            "Қазақстан Республикасы азаматтарын тұрғылықты жері бойынша тіркеу",
            "Registration of citizens of the Republic of Kazakhstan at the place of residence",
            "Министерство внутренних дел Республики Казахстан",
            "Қазақстан Республикасы Ішкі істер министрлігі",
            "Ministry of Internal Affairs of the Republic of Kazakhstan"};
}

// The sample, with what a single-official, phone-only complaint would not exercise.
Complaint kazakh_complaint() {
    Complaint c = sample_complaint();
    c.addressee = Addressee::Akim;
    c.akim_unit = "akmola_region";
    c.officials.push_back({"Маман", "Ғабитов", "Ү. І."});
    c.grounds = "Анықтама заңсыз берілмеді.\nСебебі түсіндірілмеді: ҒҚҢӨҰҮҺІ.";
    c.email = "aigul@mail.kz";
    c.signature.push_back({{0.5f, 0.5f}, {0.6f, 0.5f}});
    return c;
}

net::RegisterEndpoint endpoint(const DevRegister& reg) { return endpoint_of(reg, 3000, 10000); }

// What the register defines for the sample's service (GET services/{code}).
net::ServiceDefinition definition_of_sample(const DevRegister& reg) {
    const CatalogResult catalog = fetch_catalog(endpoint(reg));
    EXPECT_TRUE(catalog.ok) << catalog.error;
    const net::ServiceDefinition* d =
        definition_of(catalog.catalog, sample_complaint().service_code);
    EXPECT_NE(d, nullptr) << "the register defines no attributes for the sample's service";
    return d ? *d : net::ServiceDefinition{};
}

// Like the kiosk at start-up: the process runs in the configured zone.
struct AlmatyTime : ::testing::Environment {
    void SetUp() override { set_time_zone("Asia/Almaty"); }
};
const auto* const kZone = ::testing::AddGlobalTestEnvironment(new AlmatyTime);

const auto kFiledAt =
    std::chrono::sys_days{std::chrono::year{2026} / 11 / 27} + std::chrono::hours(5);

// One row of the register's database, read straight from SQLite: the register's own record.
struct Row {
    std::map<std::string, std::string> columns;
    nlohmann::json attributes;
};

std::vector<Row> rows(const DevRegister& reg) {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open_v2(reg.db_path().c_str(), &db, SQLITE_OPEN_READONLY, nullptr),
              SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db, "SELECT * FROM requests ORDER BY id", -1, &st, nullptr);
    std::vector<Row> out;
    while (sqlite3_step(st) == SQLITE_ROW) {
        Row r;
        for (int i = 0; i < sqlite3_column_count(st); ++i) {
            const auto* text = sqlite3_column_text(st, i);
            r.columns[sqlite3_column_name(st, i)] = text ? reinterpret_cast<const char*>(text) : "";
        }
        r.attributes = nlohmann::json::parse(r.columns["attributes"]);
        out.push_back(std::move(r));
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return out;
}

// The PDF's text on one line, as a reader follows it across the roll's line ends.
std::string flat(const std::string& text) {
    std::string out;
    for (char ch : text) {
        const char c = ch == '\n' || ch == '\f' ? ' ' : ch;
        if (c != ' ' || (!out.empty() && out.back() != ' ')) out += c;
    }
    return out;
}

std::string run(const std::string& command) {
    std::string out;
    std::array<char, 4096> buf;
    FILE* p = popen(command.c_str(), "r");
    while (p && fgets(buf.data(), buf.size(), p)) out += buf.data();
    if (p) pclose(p);
    return out;
}

}  // namespace

TEST(Submission, ComplaintArrivesInTheRegisterWithEveryFieldIntact) {
    DevRegister reg;
    const Complaint c = kazakh_complaint();
    const net::ServiceDefinition defined = definition_of_sample(reg);
    const auto rq =
        to_service_request(c, config_for(reg, "/nonexistent"), kiosk_words(), kiosk_procedure(),
                           "kk", kFiledAt, new_idempotency_key(), &defined);
    const auto answer = net::submit_request(endpoint(reg), rq);
    ASSERT_EQ(answer.outcome, net::Outcome::Registered) << answer.error;
    EXPECT_EQ(answer.service_request_id.rfind("ЖТ-", 0), 0u) << answer.service_request_id;

    const auto all = rows(reg);
    ASSERT_EQ(all.size(), 1u);
    const Row& r = all[0];
    EXPECT_EQ(r.columns.at("service_request_id"), answer.service_request_id);
    EXPECT_EQ(r.columns.at("service_code"), "KZ-GU-001");
    EXPECT_EQ(r.columns.at("device_id"), "KSK-TEST-01");
    EXPECT_EQ(r.columns.at("address_string"), "Көкшетау қ., Абай к-сі, 83");
    EXPECT_EQ(r.columns.at("last_name"), "Әбілқасымова");
    EXPECT_EQ(r.columns.at("first_name"), "Айгүл");
    EXPECT_EQ(r.columns.at("phone"), "+77011234567");
    EXPECT_EQ(r.columns.at("email"), "aigul@mail.kz");
    EXPECT_EQ(r.columns.at("description"), c.grounds);  // every field has an attribute
    EXPECT_EQ(r.columns.at("idempotency_key"), rq.idempotency_key);
    const auto& a = r.attributes;
    EXPECT_EQ(a.at("addressee"), "akim");
    EXPECT_EQ(a.at("addressee_unit"), "akmola_region");
    EXPECT_EQ(a.at("service_date"), "20.11.2026");
    EXPECT_EQ(a.at("patronymic"), "Қуанышқызы");
    EXPECT_EQ(a.at("iin"), "900101300007");
    EXPECT_EQ(a.at("postal_address"), c.postal_address);
    EXPECT_EQ(a.at("officials_position"), nlohmann::json({"Бөлім басшысы", "Маман"}));
    EXPECT_EQ(a.at("officials_surname"), nlohmann::json({"Жұмабеков", "Ғабитов"}));
    EXPECT_EQ(a.at("officials_initials"), nlohmann::json({"Н. Ө.", "Ү. І."}));
    EXPECT_EQ(a.at("grounds"), c.grounds);
    EXPECT_EQ(a.at("demands"), c.demands);
    EXPECT_EQ(a.at("consent"), "true");
    EXPECT_EQ(a.at("filed_at"), "2026-11-27T10:00:00+05:00");
    EXPECT_EQ(a.at("language"), "kk");
    EXPECT_EQ(a.at("signature_svg"), signature_svg(c.signature));
    EXPECT_NE(a.at("signature_svg").get<std::string>().find("M100 200l100 40"), std::string::npos);
}

// A service without metadata defines no attributes: everything the citizen gave goes into the
// description as labelled lines after the grounds, nothing as an attribute a plain server drops.
TEST(Submission, WithoutAttributesEveryFieldIsALabelledLineOfTheDescription) {
    DevRegister reg;
    const Complaint c = kazakh_complaint();
    const auto rq =
        to_service_request(c, config_for(reg, "/nonexistent"), kiosk_words(), kiosk_procedure(),
                           "kk", kFiledAt, new_idempotency_key(), nullptr);
    EXPECT_TRUE(rq.attributes.empty());
    const std::string& d = rq.description;
    EXPECT_EQ(d.rfind(c.grounds, 0), 0u) << d;
    for (const std::string& line : std::vector<std::string>{
             "ЖСН (12 цифр) / ИИН (12 цифр): 900101300007",
             "Ақмола облысының әкіміне / Акиму Акмолинской области", "Қуанышқызы", c.postal_address,
             c.demands, "Бөлім басшысы, Жұмабеков Н. Ө.; Маман, Ғабитов Ү. І.", "20.11.2026",
             "27.11.2026 10:00"})
        EXPECT_NE(d.find(line), std::string::npos) << line << " not in:\n" << d;
    EXPECT_EQ(d.find("<svg"), std::string::npos) << "the signature's image is no text";
    const auto answer = net::submit_request(endpoint(reg), rq);
    ASSERT_EQ(answer.outcome, net::Outcome::Registered) << answer.error;
    ASSERT_EQ(rows(reg).size(), 1u);
    EXPECT_EQ(rows(reg)[0].columns.at("description"), d);
}

// [register.attributes] maps the kiosk's names to the register's codes; a required attribute
// the kiosk cannot fill keeps the service from citizens, and staff read why.
TEST(Submission, AttributesGoUnderTheRegistersCodesAndUnfillableServicesAreNotOffered) {
    Config cfg;
    cfg.attribute_codes["iin"] = "IIN";
    ServiceCatalog catalog;
    catalog.services = {{"1", "Realtime"}, {"2", "Wants IIN"}, {"3", "Wants a photo"}};
    for (auto& s : catalog.services) s.metadata = s.code != "1";
    catalog.definitions["2"] = {"2", {{"IIN", true, true, "string", "IIN of the applicant"}}};
    catalog.definitions["3"] = {"3",
                                {{"PHOTO", true, true, "string", "A photo"},
                                 {"NOTE", false, true, "text", "Information only"}}};
    EXPECT_EQ(why_not_offered(catalog, catalog.services[0], cfg), "");
    EXPECT_EQ(why_not_offered(catalog, catalog.services[1], cfg), "");
    EXPECT_NE(why_not_offered(catalog, catalog.services[2], cfg).find("\"PHOTO\""),
              std::string::npos);
    ASSERT_EQ(offered_services(catalog, cfg).size(), 2u);
    Config unmapped;
    EXPECT_NE(why_not_offered(catalog, catalog.services[1], unmapped), "");
    catalog.services.push_back({"4", "Definition refused"});
    catalog.services.back().metadata = true;
    catalog.unreadable["4"] = "HTTP 404";
    EXPECT_NE(why_not_offered(catalog, catalog.services[3], cfg).find("HTTP 404"),
              std::string::npos);

    const auto rq =
        to_service_request(kazakh_complaint(), cfg, kiosk_words(), kiosk_procedure(), "ru",
                           kFiledAt, new_idempotency_key(), definition_of(catalog, "2"));
    ASSERT_EQ(rq.attributes.size(), 1u);
    EXPECT_EQ(rq.attributes[0].code, "IIN");
    EXPECT_EQ(rq.attributes[0].values, std::vector<std::string>{"900101300007"});
    EXPECT_EQ(rq.description.find("900101300007"), std::string::npos) << "said twice";
    EXPECT_NE(rq.description.find("Қуанышқызы"), std::string::npos);
}

TEST(Submission, SameIdempotencyKeyFilesOnce) {
    DevRegister reg;
    const auto rq =
        to_service_request(kazakh_complaint(), config_for(reg, "/nonexistent"), kiosk_words(),
                           kiosk_procedure(), "ru", kFiledAt, new_idempotency_key(), nullptr);
    const auto first = net::submit_request(endpoint(reg), rq);
    const auto again = net::submit_request(endpoint(reg), rq);
    ASSERT_EQ(first.outcome, net::Outcome::Registered) << first.error;
    ASSERT_EQ(again.outcome, net::Outcome::Registered) << again.error;
    EXPECT_EQ(first.service_request_id, again.service_request_id);
    EXPECT_EQ(rows(reg).size(), 1u);
}

TEST(Submission, RegisterWithCertificateFromAnotherCaIsRefused) {
    DevRegister reg({.rogue_certificate = true});
    const auto rq =
        to_service_request(kazakh_complaint(), config_for(reg, "/nonexistent"), kiosk_words(),
                           kiosk_procedure(), "kk", kFiledAt, new_idempotency_key(), nullptr);
    const auto answer = net::submit_request(endpoint(reg), rq);
    EXPECT_EQ(answer.outcome, net::Outcome::Unreachable);
    EXPECT_NE(answer.error.find("certificate"), std::string::npos) << answer.error;
    EXPECT_TRUE(rows(reg).empty());  // nothing was sent past the handshake
}

TEST(Submission, MutualTlsNeedsTheKioskCertificate) {
    DevRegister reg({.require_client_cert = true});
    auto ep = endpoint(reg);
    const auto rq =
        to_service_request(kazakh_complaint(), config_for(reg, "/nonexistent"), kiosk_words(),
                           kiosk_procedure(), "kk", kFiledAt, new_idempotency_key(), nullptr);
    EXPECT_EQ(net::submit_request(ep, rq).outcome, net::Outcome::Registered);
    ep.client_cert.clear();
    ep.client_key.clear();
    auto refused = rq;
    refused.idempotency_key = new_idempotency_key();
    EXPECT_EQ(net::submit_request(ep, refused).outcome, net::Outcome::Unreachable);
    EXPECT_EQ(rows(reg).size(), 1u);
}

TEST(Submission, RegisterRefusalsAreRejectedWithTheirReason) {
    DevRegister reg;
    auto ep = endpoint(reg);
    ep.api_key = "wrong";
    const auto rq =
        to_service_request(kazakh_complaint(), config_for(reg, "/nonexistent"), kiosk_words(),
                           kiosk_procedure(), "kk", kFiledAt, new_idempotency_key(), nullptr);
    const auto answer = net::submit_request(ep, rq);
    EXPECT_EQ(answer.outcome, net::Outcome::Rejected);
    EXPECT_EQ(answer.http_status, 403);
    EXPECT_NE(answer.error.find("HTTP 403"), std::string::npos) << answer.error;
    EXPECT_TRUE(rows(reg).empty());
}

TEST(Submission, PlainHttpIsRefusedExceptToLoopback) {
    net::RegisterEndpoint ep{.base_url = "http://register.example.kz/",
                             .ca_file = "/nonexistent",
                             .api_key = "k",
                             .connect_timeout_ms = 1000,
                             .total_timeout_ms = 2000};
    const auto answer = net::submit_request(ep, {});
    EXPECT_EQ(answer.outcome, net::Outcome::Unreachable);
    EXPECT_NE(answer.error.find("https"), std::string::npos) << answer.error;
}

TEST(Submission, CatalogComesFromTheRegister) {
    DevRegister reg;
    const auto services = net::fetch_services(endpoint(reg));
    ASSERT_TRUE(services.ok) << services.error;
    ASSERT_FALSE(services.services.empty());
    EXPECT_EQ(services.services[0].code, "KZ-GU-001");
    EXPECT_FALSE(services.services[0].name_kk.empty());
}

// Spools into a temp folder and keeps the outbox beside it, like the kiosk's back office.
struct Background {
    DevRegister reg;
    std::filesystem::path dir = testsupport::make_temp_dir("kiosk-submit");
    Config cfg;
    Translations tr;
    WorkingDayCalendar calendar = WorkingDayCalendar::load(std::filesystem::path(KIOSK_ASSETS_DIR) /
                                                           "calendar" / "kz-working-days.toml");
    const Procedure& procedure = kiosk_procedure();
    explicit Background(DevRegisterOptions options = {}, std::string printer = "") : reg(options) {
        cfg = config_for(reg, dir / "spool");
        cfg.state_dir = dir / "state";
        cfg.answer_wait_s = 5;
        cfg.public_status_url = "https://talon.example.kz/s/{}";
        cfg.printer_target = std::move(printer);
        cfg.print_timeout_s = 10;
        tr = load_translations(cfg.assets_dir / "i18n");
    }
    ~Background() { std::filesystem::remove_all(dir); }
    // The kiosk's talon key, as enrolment makes it, and the fleet's published public key.
    TalonPublicKey talon_public_key = TalonSigner::create(dir / "talon.key");

    Health health{"KSK-TEST-01", "test", WallClock::now()};

    SubmissionResult submit(const net::RegisterEndpoint& ep, Complaint c = kazakh_complaint());
    int paper_left = 0;
};

// The back office around b's configuration, as the kiosk builds it: a delivery worker (to
// `endpoint`, by default the configured register), a paper counter and the duty specialist.
struct Office {
    DeliveryWorker worker;
    printer::PaperCounter paper;
    DutySpecialist duty;
    TalonSigner signer;
    Backoffice office;
    Office(const Background& b, net::RegisterEndpoint endpoint, PersonalDataPolicy personal = {})
        : worker(outbox_file(b.cfg), b.cfg.kiosk_id, std::move(endpoint), retry_policy(b.cfg),
                 std::move(personal)),
          paper(b.dir / "paper", 100, 10),
          duty(b.cfg.state_dir / DutySpecialist::kFileName, b.cfg.duty_officer),
          signer(TalonSigner::load(b.dir / "talon.key")),
          office{b.cfg, b.tr, b.calendar, b.procedure, worker, paper, duty, &signer} {}
    explicit Office(const Background& b, PersonalDataPolicy personal = {})
        : Office(b, register_endpoint(b.cfg), std::move(personal)) {}
};

SubmissionResult Background::submit(const net::RegisterEndpoint& ep, Complaint c) {
    Office parts(*this, ep);
    auto pending = submit_in_background(std::move(c), parts.office, "ru", new_idempotency_key(), {},
                                        std::nullopt, sample_service());
    EXPECT_EQ(pending.wait_for(std::chrono::seconds(30)), std::future_status::ready);
    SubmissionResult r = pending.get();
    paper_left = parts.paper.remaining();
    return r;
}

TEST(Submission, InBackgroundRegistersAndSpoolsTheTalon) {
    Background b;
    const SubmissionResult r = b.submit(register_endpoint(b.cfg));
    ASSERT_TRUE(r.accepted) << r.error;
    ASSERT_EQ(r.item.state, Delivery::Registered) << r.item.last_error;
    ASSERT_TRUE(std::filesystem::is_regular_file(r.talon)) << r.error;
    EXPECT_EQ(r.talon.parent_path(), b.dir / "spool");
    const std::string text = run("pdftotext -enc UTF-8 '" + r.talon.string() + "' - 2>/dev/null");
    EXPECT_NE(text.find(r.item.registration_number), std::string::npos) << text;
    EXPECT_NE(text.find("Әбілқасымова А. Қ."), std::string::npos) << text;
    EXPECT_NE(text.find("Тіркеу нөмірі"), std::string::npos) << text;
    EXPECT_NE(text.find("Регистрационный номер"), std::string::npos) << text;
    EXPECT_NE(text.find("KSK-TEST-01"), std::string::npos) << text;
    // To the akim: the procedure gives no figure, so the talon says the law's and invents no date.
    EXPECT_NE(flat(text).find("в сроки, установленные законом"), std::string::npos) << text;
    EXPECT_EQ(text.find(day_text(b.calendar.add_working_days(local_day(WallClock::now()), 5))),
              std::string::npos)
        << text;
    EXPECT_TRUE(r.print.problem.empty());
    // Spooled, not printed on paper: kept for a reprint until the reprint window closes.
    EXPECT_FALSE(Outbox(outbox_file(b.cfg), b.cfg.kiosk_id).find(r.item.id)->talon_printed);
    // The QR code leads to the public status page of this very number, with the talon's code.
    const std::string png = (b.dir / "talon").string();
    run("pdftoppm -r 200 -png -singlefile '" + r.talon.string() + "' '" + png + "'");
    const std::string qr = run("zbarimg --raw -q '" + png + ".png' 2>/dev/null");
    EXPECT_EQ(qr.rfind("https://talon.example.kz/s/%D0%96%D0%A2-", 0), 0u) << qr;
    EXPECT_NE(text.find("talon.example.kz/s/" + r.item.registration_number), std::string::npos)
        << text;
}

TEST(Submission, ToTheProviderTheTalonGivesTheAnswerDateFiveWorkingDaysOn) {
    Background b;
    Complaint c = kazakh_complaint();
    c.addressee = Addressee::ProviderHead;
    const SubmissionResult r = b.submit(register_endpoint(b.cfg), c);
    ASSERT_EQ(r.item.state, Delivery::Registered) << r.item.last_error;
    const std::string text = run("pdftotext -enc UTF-8 '" + r.talon.string() + "' - 2>/dev/null");
    const auto due = expected_answer_day(b.calendar, b.procedure.provider_head, r.item.accepted_at);
    ASSERT_TRUE(due);
    EXPECT_EQ(*due, b.calendar.add_working_days(local_day(r.item.accepted_at), 5));
    EXPECT_NE(text.find(day_text(*due)), std::string::npos) << text;
    EXPECT_FALSE(expected_answer_day(b.calendar, b.procedure.akim, r.item.accepted_at));
}

TEST(Submission, TalonGoesToTheConfiguredPrinter) {
    testsupport::IppPrinter printer;
    Background b({}, printer.uri());
    const SubmissionResult r = b.submit(register_endpoint(b.cfg));
    ASSERT_TRUE(r.accepted) << r.error;
    EXPECT_TRUE(r.print.problem.empty()) << r.print.detail;
    EXPECT_EQ(b.paper_left, 99);
    EXPECT_TRUE(r.print.printed);  // the session counts it in the health figures
    std::vector<std::filesystem::path> received;
    for (const auto& e : std::filesystem::directory_iterator(printer.spool_dir()))
        if (e.path().extension() == ".pdf") received.push_back(e.path());
    ASSERT_EQ(received.size(), 1u);
    EXPECT_EQ(std::filesystem::file_size(received[0]), std::filesystem::file_size(r.talon));
    EXPECT_TRUE(Outbox(outbox_file(b.cfg), b.cfg.kiosk_id).find(r.item.id)->talon_printed);
}

TEST(Submission, NoPaperTheCitizenIsToldAndTheTalonIsKeptForReprint) {
    testsupport::IppPrinter printer;
    printer.set_paper_level(0);
    Background b({}, printer.uri());
    const SubmissionResult r = b.submit(register_endpoint(b.cfg));
    ASSERT_TRUE(r.accepted) << r.error;
    EXPECT_EQ(r.item.state, Delivery::Registered);  // the complaint itself is fine
    EXPECT_EQ(r.print.problem, "print.no_paper") << r.print.detail;
    EXPECT_TRUE(std::filesystem::is_regular_file(r.talon));
    EXPECT_EQ(b.paper_left, 100);
    EXPECT_FALSE(r.print.printed);
    // Not printed: the personal data stays for the reprint, for the reprint window only.
    Outbox outbox(outbox_file(b.cfg), b.cfg.kiosk_id);
    EXPECT_FALSE(outbox.find(r.item.id)->talon_printed);
    EXPECT_EQ(outbox.find(r.item.id)->talon, r.talon);
    const PersonalDataPolicy policy = personal_data_policy(b.cfg);
    EXPECT_EQ(outbox.purge(WallClock::now() + 1h, policy).complaints, 0);
    const PurgeReport later = outbox.purge(WallClock::now() + policy.reprint_window + 1h, policy);
    EXPECT_EQ(later.complaints, 1);
    EXPECT_FALSE(std::filesystem::exists(r.talon));
}

TEST(Submission, ATalonAKillCutShortIsPrintedAgainAtStartOrLeftForStaff) {
    testsupport::IppPrinter printer;
    Background b({}, printer.uri());
    Office parts(b);
    const Backoffice& office = parts.office;
    // What a kill during printing leaves: the talon spooled, its print begun, never ended.
    Outbox outbox(outbox_file(b.cfg), b.cfg.kiosk_id);
    auto cut_short = [&](WallClock::time_point accepted, const std::string& name) {
        const auto item = outbox.enqueue(
            to_service_request(kazakh_complaint(), b.cfg, kiosk_words(), kiosk_procedure(), "kk",
                               accepted, new_idempotency_key(), nullptr),
            accepted);
        const auto talon = printer::spool_talon(
            b.cfg.spool_dir, name,
            printer::render_talon(
                make_talon(kazakh_complaint(), office, "kk", item, nullptr, std::nullopt),
                talon_style(b.cfg)));
        outbox.printing(item.id, talon, accepted);
        return item.id;
    };
    const auto recent = cut_short(WallClock::now(), "talon-recent");
    const auto old = cut_short(WallClock::now() - 2h, "talon-old");
    ASSERT_EQ(outbox.interrupted_talons().size(), 2u);

    EXPECT_EQ(finish_interrupted_talons(office, 10min), 1);
    EXPECT_TRUE(outbox.find(recent)->talon_printed);  // its citizen may still be waiting
    EXPECT_FALSE(outbox.find(old)->talon_printed);    // a stranger's by now: staff reprint it
    EXPECT_TRUE(std::filesystem::exists(outbox.find(old)->talon));
    EXPECT_TRUE(outbox.interrupted_talons().empty());
    std::size_t pdfs = 0;
    for (const auto& e : std::filesystem::directory_iterator(printer.spool_dir()))
        pdfs += e.path().extension() == ".pdf";
    EXPECT_EQ(pdfs, 1u);
    EXPECT_EQ(parts.paper.remaining(), 99);
}

TEST(Submission, AStopCutsTheWaitShortAndTheComplaintStaysCommitted) {
    Background b({.faults = {"delay=30000,path=requests.json"}});
    b.cfg.answer_wait_s = 60;
    Office parts(b);
    const Backoffice& office = parts.office;
    std::stop_source stop;
    auto pending = submit_in_background(kazakh_complaint(), office, "kk", new_idempotency_key(),
                                        stop.get_token());
    Outbox outbox(outbox_file(b.cfg), b.cfg.kiosk_id);
    ASSERT_TRUE(testsupport::eventually([&] { return outbox.stats().delivering == 1; }, 10s));
    stop.request_stop();
    parts.worker.stop();
    ASSERT_EQ(pending.wait_for(5s), std::future_status::ready);
    const SubmissionResult r = pending.get();
    EXPECT_TRUE(r.accepted) << r.error;
    EXPECT_TRUE(testsupport::eventually([&] { return outbox.stats().queued == 1; }, 5s));
}

// A blackbox service's register takes the complaint and gives no number: the talon keeps the
// local number and says it is the complaint's for good, not "will be sent".
TEST(Submission, ATalonOfAComplaintTakenWithoutANumberSaysSo) {
    Background b;
    Office parts(b);
    const Backoffice& office = parts.office;
    OutboxItem item;
    item.local_number = "KSK-TEST-01-000007";
    item.accepted_at = WallClock::now();
    item.state = Delivery::Delivered;
    const printer::Talon delivered =
        make_talon(kazakh_complaint(), office, "ru", item, nullptr, std::nullopt);
    EXPECT_EQ(delivered.number, "KSK-TEST-01-000007");
    EXPECT_NE(delivered.number_note.find("номер не присваивается"), std::string::npos)
        << delivered.number_note;
    item.state = Delivery::Queued;
    const printer::Talon waiting =
        make_talon(kazakh_complaint(), office, "ru", item, nullptr, std::nullopt);
    EXPECT_NE(waiting.number_note.find("будет отправлена"), std::string::npos)
        << waiting.number_note;
}

// Section: the talon a citizen takes away (issue 14)

struct Rendered {
    printer::Talon talon;
    std::filesystem::path pdf;
    std::string text;  // flat()
    std::vector<testsupport::Word> words;
};

Rendered render(const Background& b, const Backoffice& office, const Complaint& c,
                const std::string& lang, const OutboxItem& item, WallClock::time_point now) {
    const net::Service service = sample_service();
    const auto registered_at =
        item.state == Delivery::Registered ? std::optional(now) : std::nullopt;
    Rendered r{
        make_talon(c, office, lang, item, &service, registered_at), b.dir / "talon.pdf", {}, {}};
    const auto pdf = printer::render_talon(r.talon, talon_style(b.cfg));
    std::ofstream(r.pdf, std::ios::binary)
        .write(reinterpret_cast<const char*>(pdf.data()), static_cast<std::streamsize>(pdf.size()));
    r.text = flat(run("pdftotext -enc UTF-8 '" + r.pdf.string() + "' - 2>/dev/null"));
    r.words =
        testsupport::words_of_bbox(run("pdftotext -bbox '" + r.pdf.string() + "' - 2>/dev/null"),
                                   (b.cfg.assets_dir / "fonts" / "KioskSans.ttf").string());
    return r;
}

OutboxItem talon_item(bool registered, WallClock::time_point accepted) {
    OutboxItem item;
    item.local_number = "KSK-TEST-01-000009";
    item.accepted_at = accepted;
    item.state = registered ? Delivery::Registered : Delivery::Queued;
    if (registered) item.registration_number = "ЖТ-2026-00000742";
    return item;
}

const printer::TalonLine* line_labelled(const printer::Talon& t, const Translations& tr,
                                        std::string_view key) {
    for (const auto& line : t.lines)
        if (!line.label.empty() && line.label.front() == tr.in("kk").get(key)) return &line;
    return nullptr;
}

// Every addressee, registered or not, in each language: the talon names the service, the
// provider, the addressee with the akim's unit and the duty specialist; its time limit is the
// procedure's (a date only for a registered complaint to the provider, counted from
// registration); progress is the канцелярия's to tell; nothing is under 9 pt.
TEST(Talon, EachAddresseeOnlineAndOfflineInEachLanguage) {
    Background b;
    Office parts(b);
    std::string problem;
    ASSERT_TRUE(parts.duty.set("Сейтқали Н. Б.", &problem)) << problem;
    const WallClock::time_point now = WallClock::now();
    const std::string five_days_on = day_text(b.calendar.add_working_days(local_day(now), 5));
    const struct {
        Addressee to;
        std::string unit, ru_name;
    } addressees[] = {{Addressee::ProviderHead, "", "Руководителю услугодателя"},
                      {Addressee::Akim, "akmola_region", "Акиму Акмолинской области"},
                      {Addressee::Akim, "kokshetau_city", "Акиму города Кокшетау"}};
    for (const auto& a : addressees)
        for (bool registered : {true, false})
            for (const std::string lang : {"kk", "ru", "en"}) {
                SCOPED_TRACE(a.ru_name + (registered ? ", registered, " : ", offline, ") + lang);
                Complaint c = kazakh_complaint();
                c.addressee = a.to;
                c.akim_unit = a.unit;
                const Rendered r =
                    render(b, parts.office, c, lang, talon_item(registered, now), now);
                // Kept to be looked at, as the UI tests keep their screenshots.
                const auto kept = std::filesystem::path(KIOSK_BINARY_DIR) / "artifacts" / "talons";
                std::filesystem::create_directories(kept);
                std::filesystem::copy_file(
                    r.pdf,
                    kept / ((a.unit.empty() ? "provider_head" : a.unit) +
                            (registered ? "-registered-" : "-offline-") + lang + ".pdf"),
                    std::filesystem::copy_options::overwrite_existing);
                const std::string& t = r.text;
                EXPECT_NE(t.find(a.ru_name), std::string::npos) << t;
                EXPECT_NE(t.find("Қазақстан Республикасы азаматтарын тұрғылықты жері бойынша"),
                          std::string::npos)
                    << t;
                EXPECT_NE(t.find("Регистрация по месту жительства"), std::string::npos) << t;
                EXPECT_NE(t.find("Министерство внутренних дел"), std::string::npos) << t;
                EXPECT_NE(t.find("через киоск KSK-TEST-01, дежурный специалист Сейтқали Н. Б."),
                          std::string::npos)
                    << t;
                if (lang == "en") {
                    EXPECT_NE(t.find("Ministry of Internal Affairs"), std::string::npos) << t;
                    EXPECT_NE(t.find("duty specialist Сейтқали Н. Б."), std::string::npos) << t;
                }
                const printer::TalonLine* limit = line_labelled(r.talon, b.tr, "talon.deadline");
                ASSERT_NE(limit, nullptr);
                EXPECT_TRUE(limit->boxed);
                if (a.to == Addressee::Akim) {
                    EXPECT_NE(t.find("в сроки, установленные законом"), std::string::npos) << t;
                    EXPECT_EQ(t.find(five_days_on), std::string::npos) << t;
                } else if (registered) {
                    EXPECT_NE(t.find("до " + five_days_on + ": 5 рабочих дней со дня регистрации"),
                              std::string::npos)
                        << t;
                } else {
                    EXPECT_NE(t.find("в течение 5 рабочих дней со дня регистрации"),
                              std::string::npos)
                        << t;
                    EXPECT_EQ(t.find(five_days_on), std::string::npos) << t;
                    EXPECT_NE(t.find("Срок рассмотрения начинается со дня регистрации"),
                              std::string::npos)
                        << t;
                }
                EXPECT_NE(t.find("сообщают должностные лица канцелярии услугодателя"),
                          std::string::npos)
                    << t;
                EXPECT_NE(t.find("Информация о порядке обжалования: call-центр"), std::string::npos)
                    << t;
                ASSERT_GT(r.words.size(), 60u);
                for (const auto& w : r.words)
                    EXPECT_GE(w.size(), 9 - testsupport::kSizeEpsilon) << w.text;
            }
}

// The QR code leads to the public status page, with the talon's code in it; with no public
// page configured there is no QR code (never the register's API) and the code is printed.
TEST(Talon, TheQrCodeLeadsToThePublicStatusPageAndNoneWithoutOne) {
    Background b;
    Office parts(b);
    const WallClock::time_point now = WallClock::now();
    const Rendered r =
        render(b, parts.office, kazakh_complaint(), "ru", talon_item(true, now), now);
    const std::string png = (b.dir / "talon").string();
    run("pdftoppm -r 203 -png -singlefile '" + r.pdf.string() + "' '" + png + "'");
    std::string qr = run("zbarimg --raw -q '" + png + ".png' 2>/dev/null");
    while (!qr.empty() && std::isspace(static_cast<unsigned char>(qr.back()))) qr.pop_back();
    EXPECT_EQ(qr, r.talon.qr_url);
    EXPECT_EQ(qr.rfind("https://talon.example.kz/s/%D0%96%D0%A2-2026-00000742?", 0), 0u) << qr;
    EXPECT_NE(r.text.find("talon.example.kz/s/ЖТ-2026-00000742"), std::string::npos) << r.text;
    const auto scanned = parse_talon_url(qr);
    ASSERT_TRUE(scanned);
    EXPECT_EQ(scanned->facts.number, "ЖТ-2026-00000742");
    EXPECT_EQ(scanned->facts.kiosk_id, "KSK-TEST-01");
    EXPECT_EQ(scanned->facts.addressee, "akim:akmola_region");

    b.cfg.public_status_url.clear();
    const Rendered plain =
        render(b, parts.office, kazakh_complaint(), "ru", talon_item(true, now), now);
    EXPECT_TRUE(plain.talon.qr_url.empty());
    run("pdftoppm -r 203 -png -singlefile '" + plain.pdf.string() + "' '" + png + "'");
    EXPECT_EQ(run("zbarimg --raw -q '" + png + ".png' 2>/dev/null"), "");
    EXPECT_NE(line_labelled(plain.talon, b.tr, "talon.code"), nullptr);  // typed to check it
}

// The talon's code proves it: genuine as printed; a changed date, number or kiosk is not, and
// a kiosk the fleet does not publish is named as unknown.
TEST(Talon, ItsCodeIsGenuineAndAChangedDateNumberOrKioskIsNot) {
    Background b;
    Office parts(b);
    const WallClock::time_point now = WallClock::now();
    const Complaint c = kazakh_complaint();
    const printer::Talon t = make_talon(c, parts.office, "kk", talon_item(true, now), nullptr, now);
    const printer::TalonLine* code = line_labelled(t, b.tr, "talon.code");
    ASSERT_NE(code, nullptr);
    const TalonFacts printed{"ЖТ-2026-00000742", local_time(now, "%d.%m.%Y %H:%M"), "KSK-TEST-01",
                             "akim:akmola_region", "Әбілқасымова А. Қ."};
    const std::filesystem::path other_key = b.dir / "other.key";
    FleetKeys fleet;
    fleet.by_kiosk["KSK-TEST-01"] = b.talon_public_key;
    fleet.by_kiosk["KSK-TEST-02"] = TalonSigner::create(other_key);
    EXPECT_EQ(verify_talon(printed, code->value, fleet), TalonVerdict::Genuine);
    TalonFacts f = printed;
    f.accepted_at = local_time(now + std::chrono::hours(24), "%d.%m.%Y %H:%M");
    EXPECT_EQ(verify_talon(f, code->value, fleet), TalonVerdict::Forged);
    f = printed;
    f.number = "ЖТ-2026-00000743";
    EXPECT_EQ(verify_talon(f, code->value, fleet), TalonVerdict::Forged);
    f = printed;
    f.kiosk_id = "KSK-TEST-02";
    EXPECT_EQ(verify_talon(f, code->value, fleet), TalonVerdict::Forged);
    f.kiosk_id = "KSK-ELSEWHERE-09";
    EXPECT_EQ(verify_talon(f, code->value, fleet), TalonVerdict::UnknownKiosk);
    // Scanned from the QR code, with the applicant as printed.
    auto scanned = parse_talon_url(t.qr_url);
    ASSERT_TRUE(scanned);
    scanned->facts.applicant = printed.applicant;
    EXPECT_EQ(verify_talon(scanned->facts, scanned->code, fleet), TalonVerdict::Genuine);
}

TEST(Submission, UnreachablePrinterIsReportedAsSuch) {
    Background b({}, "ipp://127.0.0.1:" + std::to_string(testsupport::IppPrinter::closed_port()) +
                         "/ipp/print");
    const SubmissionResult r = b.submit(register_endpoint(b.cfg));
    ASSERT_TRUE(r.accepted) << r.error;
    EXPECT_EQ(r.print.problem, "print.offline") << r.print.detail;
    EXPECT_TRUE(std::filesystem::is_regular_file(r.talon));
}

TEST(Submission, OfflineTheCitizenStillGetsATalonWithTheLocalNumber) {
    Background b;
    auto nowhere = register_endpoint(b.cfg);
    nowhere.base_url = "https://127.0.0.1:9/";  // nothing listens there
    const SubmissionResult r = b.submit(nowhere);
    ASSERT_TRUE(r.accepted) << r.error;
    EXPECT_EQ(r.item.state, Delivery::Queued);
    EXPECT_EQ(r.item.local_number, "KSK-TEST-01-000001");
    const std::string text = run("pdftotext -enc UTF-8 '" + r.talon.string() + "' - 2>/dev/null");
    EXPECT_NE(text.find("KSK-TEST-01-000001"), std::string::npos) << text;
    EXPECT_NE(text.find("Шағымның киоскідегі нөмірі"), std::string::npos) << text;

    // Back online, the worker delivers the very same complaint.
    DeliveryWorker worker(outbox_file(b.cfg), b.cfg.kiosk_id, register_endpoint(b.cfg),
                          {100ms, 1s});
    Outbox outbox(outbox_file(b.cfg), b.cfg.kiosk_id);
    outbox.due_now(WallClock::now());
    worker.wake();
    for (auto deadline = std::chrono::steady_clock::now() + 10s;
         std::chrono::steady_clock::now() < deadline &&
         outbox.find(r.item.id)->state != Delivery::Registered;)
        std::this_thread::sleep_for(20ms);
    EXPECT_EQ(outbox.find(r.item.id)->state, Delivery::Registered);
    EXPECT_EQ(rows(b.reg).size(), 1u);
}

// Section: staff's actions in service mode (reboot is left to the image's boot check: here it
// could reboot the machine running the tests)

TEST(Staff, ActionsAreDoneCountedAndReported) {
    testsupport::IppPrinter printer;
    Background b({}, printer.uri());
    const SubmissionResult filed = b.submit(register_endpoint(b.cfg));
    ASSERT_TRUE(std::filesystem::is_regular_file(filed.talon)) << filed.error;

    // Printed talons stay for an hour here, so that staff can reprint this one.
    b.cfg.retention_hours = 1;
    Office parts(b, personal_data_policy(b.cfg));
    const Backoffice& office = parts.office;
    auto received = [&] {
        std::vector<std::filesystem::path> pdfs;
        for (const auto& e : std::filesystem::directory_iterator(printer.spool_dir()))
            if (e.path().extension() == ".pdf") pdfs.push_back(e.path());
        return pdfs;
    };

    StaffOutcome o = perform(office, b.health, StaffAction::TestPrint);
    EXPECT_EQ(o.key, "staff.printed") << o.detail;
    ASSERT_EQ(received().size(), 2u);  // the citizen's talon, then the test page
    EXPECT_EQ(parts.paper.remaining(),
              98);  // the submission's counter was a fresh one: 99, then this
    o = perform(office, b.health, StaffAction::PaperRestocked);
    EXPECT_EQ(o.key, "staff.restocked");
    EXPECT_EQ(o.detail, "100");
    o = perform(office, b.health, StaffAction::Reprint, filed.talon);
    EXPECT_EQ(o.key, "staff.printed") << o.detail;
    EXPECT_EQ(received().size(), 3u);
    // Only the kiosk's own spool: a path from elsewhere is refused, not printed.
    EXPECT_EQ(perform(office, b.health, StaffAction::Reprint, "/etc/passwd").key, "staff.no_talon");
    EXPECT_EQ(perform(office, b.health, StaffAction::Reprint, b.cfg.spool_dir / "../paper").key,
              "staff.no_talon");
    EXPECT_EQ(received().size(), 3u);
    EXPECT_EQ(perform(office, b.health, StaffAction::DeliverNow).key, "staff.delivering");
    // The reprint came out: the complaint's personal data need not wait any longer.
    EXPECT_TRUE(Outbox(outbox_file(b.cfg), b.cfg.kiosk_id).find(filed.item.id)->talon_printed);

    const Figures f = b.health.figures();
    auto count = [&](StaffAction a) { return f.staff[static_cast<std::size_t>(a)]; };
    EXPECT_EQ(count(StaffAction::TestPrint), 1u);
    EXPECT_EQ(count(StaffAction::PaperRestocked), 1u);
    EXPECT_EQ(count(StaffAction::Reprint), 3u);
    EXPECT_EQ(count(StaffAction::DeliverNow), 1u);
    EXPECT_EQ(f.staff_events.size(), 6u);
    const std::string heartbeat = heartbeat_json(f, {}, WallClock::now());
    EXPECT_NE(heartbeat.find("\"action\":\"test_print\""), std::string::npos) << heartbeat;
}

TEST(Staff, TestPrintWithoutAPrinterGoesToTheSpool) {
    Background b;
    Office parts(b);
    const Backoffice& office = parts.office;
    EXPECT_EQ(perform(office, b.health, StaffAction::TestPrint).key, "staff.spooled");
    const auto test_pages = printer::recent_talons(b.cfg.spool_dir / "test", 5);
    ASSERT_EQ(test_pages.size(), 1u);
    const std::string text =
        run("pdftotext -enc UTF-8 '" + test_pages[0].string() + "' - 2>/dev/null");
    EXPECT_NE(text.find("Сынақ басып шығару"), std::string::npos) << text;
    EXPECT_NE(text.find("Пробная"), std::string::npos) << text;
    EXPECT_NE(text.find("KSK-TEST-01"), std::string::npos) << text;
    // Not among the citizens' talons offered for reprint.
    EXPECT_TRUE(printer::recent_talons(b.cfg.spool_dir, 5).empty() ||
                printer::recent_talons(b.cfg.spool_dir, 5)[0].parent_path() == b.cfg.spool_dir);
}

TEST(Status, LocalNumbersAndRegisterNumbersAreLookedUp) {
    Background b;
    const SubmissionResult r = b.submit(register_endpoint(b.cfg));
    ASSERT_EQ(r.item.state, Delivery::Registered) << r.item.last_error;
    const auto by_number = look_up_status(b.cfg, r.item.registration_number);
    ASSERT_FALSE(by_number.empty());
    EXPECT_EQ(by_number[0], (StatusLine{"status.open", ""}));
    const auto by_local = look_up_status(b.cfg, r.item.local_number);
    ASSERT_GE(by_local.size(), 2u);
    EXPECT_EQ(by_local[0], (StatusLine{"status.registered_as", r.item.registration_number}));
    EXPECT_EQ(by_local[1], (StatusLine{"status.open", ""}));
    EXPECT_EQ(look_up_status(b.cfg, "ЖТ-1999-99999999"),
              (std::vector<StatusLine>{{"status.not_found", ""}}));
}

TEST(Catalog, CachedCopyServesWhenTheRegisterIsAway) {
    Background b;
    const CatalogResult fresh = fetch_catalog(register_endpoint(b.cfg));
    ASSERT_TRUE(fresh.ok) << fresh.error;
    EXPECT_FALSE(load_catalog(b.cfg));
    ASSERT_TRUE(save_catalog(b.cfg, fresh.catalog));
    EXPECT_EQ(std::filesystem::status(b.cfg.state_dir / "services.json").permissions(),
              std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    const auto cached = load_catalog(b.cfg);
    ASSERT_TRUE(cached);
    ASSERT_EQ(cached->services.size(), fresh.catalog.services.size());
    EXPECT_EQ(cached->services.at(0).name_kk, fresh.catalog.services[0].name_kk);
    EXPECT_EQ(cached->services.at(0).metadata, fresh.catalog.services[0].metadata);
    ASSERT_EQ(cached->definitions.size(), fresh.catalog.definitions.size());
    const auto& [code, d] = *fresh.catalog.definitions.begin();
    ASSERT_EQ(cached->definitions.at(code).attributes.size(), d.attributes.size());
    EXPECT_EQ(cached->definitions.at(code).attributes[0].code, d.attributes[0].code);
    std::ofstream(b.cfg.state_dir / "services.json") << "[{\"service_code\": 7}]";
    EXPECT_FALSE(load_catalog(b.cfg));  // an old or damaged cache is read again, not trusted
}
