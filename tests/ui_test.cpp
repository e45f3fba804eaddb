// The kiosk as a citizen meets it: the real program on an X server (Xvfb), driven by taps
// (xdotool), looked at through screenshots written to build/artifacts/ui/.
#include "kiosk_driver.h"
#include "process.h"
#include "touch_complaint.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <array>
#include <map>
#include <sstream>
#include <thread>

using namespace testsupport;
using namespace std::chrono_literals;

namespace {

std::string test_name() { return ::testing::UnitTest::GetInstance()->current_test_info()->name(); }

// A cheap fingerprint of what is on screen, and how much it varies (0 for a blank screen).
std::string image_stat(const std::string& png, const char* format) {
    const std::string out = make_temp_dir("kiosk-stat") + "/stat.txt";
    run({tool("convert"), png, "-format", format, "info:"}, out, 20s);
    return read_text(out);
}

}  // namespace

TEST(Ui, StartsDrawsAndAnswersTaps) {
    DevRegister reg;
    Xvfb x(1080, 1920);
    Kiosk kiosk(x, reg, test_name());

    const std::string attract = kiosk.screenshot("01-attract");
    EXPECT_GT(std::stod(image_stat(attract, "%[fx:standard_deviation]")), 0.01) << "blank screen";

    // The three language buttons start the session directly.
    kiosk.press("language:ru");
    kiosk.wait_for("home.file");
    const std::string home = kiosk.screenshot("03-home-ru");
    EXPECT_NE(image_stat(attract, "%#"), image_stat(home, "%#")) << "the tap changed nothing";

    EXPECT_NE(kiosk.log().find("kiosk: ready"), std::string::npos);
    EXPECT_EQ(kiosk.log().find("service catalog:"), std::string::npos)
        << kiosk.log();  // fetched fine
}

// A citizen files a whole complaint in Kazakh by tapping, and it reaches the register.
TEST(Ui, FilesAComplaintInKazakhByTouch) {
    DevRegister reg;
    Xvfb x(1080, 1920);
    Kiosk k(x, reg, test_name(), {.monitoring_settings = "heartbeat_interval_s = 10\n"});
    EXPECT_EQ(metric(k.management("/metrics").body, "kiosk_complaints_accepted_total"), 0);
    k.press("language:kk");
    k.screenshot("kk-00-home");
    k.press("home.file");
    k.press("addressee.provider_head");
    k.screenshot("kk-01-addressee");
    k.press("nav.next");
    k.press("service:KZ-GU-001");
    k.screenshot("kk-02-service");
    k.press("nav.next");
    touch_applicant(k);
    k.screenshot("kk-03-applicant");
    k.press("nav.next");
    touch_an_official(k);
    k.screenshot("kk-04-officials");
    k.press("nav.next");
    k.press("field.grounds#0");
    k.type("анықтама берілмеді");
    k.press("field.demands#0");
    k.type("анықтама беру");
    k.screenshot("kk-05-grounds");
    k.press("nav.next");
    k.press("field.phone#0");
    k.type("87011234567");
    k.screenshot("kk-06-contact");
    k.press("nav.next");
    k.press("review.consent");
    k.screenshot("kk-07-review");
    k.press("nav.next");
    k.sign();
    k.screenshot("kk-08-signature");
    k.press("nav.next");
    k.wait_for("done.finish", 30s);  // the submission came back
    k.screenshot("kk-09-done");
    k.press("done.finish");
    k.wait_for("language:kk");

    const auto rows = reg.query(
        "SELECT last_name, first_name, phone, json_extract(attributes, '$.iin'), "
        "json_extract(attributes, '$.officials_initials[0]'), json_extract(attributes, "
        "'$.grounds') "
        "FROM requests",
        {});
    ASSERT_EQ(rows.size(), 1u);  // exactly one complaint
    EXPECT_EQ(rows[0], (std::vector<std::string>{"Әбілқасымова", "Айгүл", "+77011234567",
                                                 "900101300007", "Н. Ө.", "анықтама берілмеді"}));

    std::vector<std::filesystem::path> talons;
    for (const auto& e : std::filesystem::directory_iterator(k.spool())) talons.push_back(e.path());
    ASSERT_EQ(talons.size(), 1u);
    EXPECT_EQ(talons[0].extension(), ".pdf");
    EXPECT_NE(k.log().find("kiosk: submission: accepted as KSK-UI-TEST-000001, registered"),
              std::string::npos)
        << k.log();

    // Monitoring saw it: the figures moved, and a heartbeat carried them to the register.
    const std::string metrics = k.management("/metrics").body;
    EXPECT_EQ(metric(metrics, "kiosk_complaints_accepted_total"), 1) << metrics;
    EXPECT_EQ(metric(metrics, "kiosk_complaints_delivered_total"), 1) << metrics;
    std::string heartbeats;
    for (auto deadline = std::chrono::steady_clock::now() + 20s;
         std::chrono::steady_clock::now() < deadline; std::this_thread::sleep_for(500ms)) {
        heartbeats.clear();
        for (const auto& row : reg.query("SELECT body FROM heartbeats ORDER BY received_at", {}))
            heartbeats += row[0] + "\n";
        if (heartbeats.find("\"accepted\":1") != std::string::npos) break;
    }
    EXPECT_NE(heartbeats.find("\"accepted\":1"), std::string::npos) << heartbeats;

    // No personal data in any log, metric, health answer or heartbeat: every value the
    // citizen typed is looked for in all of them.
    std::string outputs = k.log() + metrics + k.management("/healthz").body + heartbeats;
    for (const auto& e : std::filesystem::recursive_directory_iterator(k.dir + "/state"))
        if (e.path().extension() == ".log") outputs += read_text(e.path());
    for (const char* marker :
         {"Әбілқасымова", "Айгүл", "900101300007", "7011234567", "Абай 83", "бөлім басшысы",
          "Жұмабеков", "Н. Ө.", "анықтама берілмеді", "анықтама беру"})
        EXPECT_EQ(outputs.find(marker), std::string::npos)
            << "personal data (" << marker << ") in a log or output";
}

// From home, in Russian, to the applicant step with a surname and first name typed.
void to_russian_applicant(Kiosk& k) {
    k.press("home.file");
    k.press("addressee.akim:akmola_region");
    k.press("nav.next");
    k.press("service:KZ-GU-002");
    k.press("nav.next");
    k.press("field.surname#0");
    k.type("Иванова");
    k.press("field.first_name#0");
    k.type("Мария");
}

// The Russian way through: another layout, shift for capitals inside words, a common ground
// chosen by touch, an e-mail on the Latin layout.
TEST(Ui, FilesAComplaintInRussianByTouch) {
    DevRegister reg({.faults = {"delay=2000,path=requests.json"}});  // time to see "sending"
    Xvfb x(1080, 1920);
    Kiosk k(x, reg, test_name());
    k.press("language:ru");
    k.screenshot("ru-00-home");
    to_russian_applicant(k);
    k.press("field.patronymic#0");
    k.type("Петровна");
    k.press("field.iin#0");
    k.type("880229400003");
    k.press("field.postal_address#0");
    k.type("г. Кокшетау, ул. Абая 83");
    k.screenshot("ru-03-applicant");
    k.press("nav.next");
    k.press("field.official_position#0");
    k.type("начальник отдела");
    k.press("field.official_surname#0");
    k.type("Петров");
    k.press("field.official_initials#0");
    k.type("П. П.");
    k.press("nav.next");
    k.scroll_to("ground.deadline");
    k.press("ground.deadline");
    k.scroll_to("field.demands#0");
    k.press("field.demands#0");
    k.type("выдать справку");
    k.screenshot("ru-05-grounds");
    k.press("nav.next");
    k.press("field.email#0");
    k.type("maria@mail.kz");
    k.screenshot("ru-06-contact");
    k.press("nav.next");
    k.press("review.consent");
    k.screenshot("ru-07-review");
    k.press("nav.next");
    k.sign();
    k.screenshot("ru-08-signature");
    k.press("nav.next");
    k.wait_for("progress:submitting");  // the register answers after 2 s: "sending" shows meanwhile
    k.screenshot("ru-09-submitting");
    k.wait_for("done.finish", 30s);
    k.screenshot("ru-10-done");

    const auto rows = reg.query(
        "SELECT last_name, email, json_extract(attributes, '$.patronymic'), "
        "json_extract(attributes, '$.postal_address'), json_extract(attributes, '$.grounds'), "
        "json_extract(attributes, '$.addressee'), json_extract(attributes, '$.language') FROM "
        "requests",
        {});
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0], (std::vector<std::string>{"Иванова", "maria@mail.kz", "Петровна",
                                                 "г. Кокшетау, ул. Абая 83",
                                                 "Нарушен срок оказания услуги.", "akim", "ru"}));

    std::vector<std::filesystem::path> talons;
    for (const auto& e : std::filesystem::directory_iterator(k.spool())) talons.push_back(e.path());
    ASSERT_EQ(talons.size(), 1u);
    const std::string text_file = k.dir + "/talon.txt";
    ASSERT_EQ(run({tool("pdftotext"), "-enc", "UTF-8", talons[0].string(), text_file},
                  k.dir + "/pdftotext.log", 20s),
              0);
    const std::string text = read_text(text_file);
    EXPECT_NE(text.find("Иванова М. П."), std::string::npos) << text;
    EXPECT_NE(text.find("ШАҒЫМДЫ ҚАБЫЛДАУ ТАЛОНЫ"), std::string::npos)
        << text;  // Kazakh beside Russian
}

// The screens beside the filing, in landscape, each photographed.
TEST(Ui, EveryOtherScreenInLandscape) {
    DevRegister reg;
    Xvfb x(1920, 1080);
    Kiosk k(x, reg, test_name(),
            {.width = 1920,
             .height = 1080,
             .ui_settings = "inactivity_warning_s = 10\ninactivity_reset_s = 5\n"});
    k.screenshot("land-01-attract");
    k.press("language:kk");
    k.screenshot("land-03-home");
    k.press("home.info");
    k.screenshot("land-04-info");
    k.press("nav.home");
    k.press("home.assistance");
    k.wait_for("notice:help");
    k.screenshot("land-05-assistance");
    k.press("nav.home");
    k.press("home.status");
    k.type("ЖТ-1999-00000001");
    k.press("status.check");
    k.wait_for("notice:status");
    k.screenshot("land-06-status");
    k.press("nav.home");
    k.press("home.file");
    k.press("addressee.egov");
    k.press("nav.next");
    k.wait_for("egov.qr");
    k.screenshot("land-07-egov");
    k.press("nav.back");
    k.press("addressee.provider_head");
    k.press("nav.next");
    k.press("nav.next");  // no service chosen: the screen says what is missing
    k.wait_for("summary:errors");
    k.screenshot("land-08-service-error");
    k.press("service:KZ-GU-003");
    k.press("nav.next");
    k.press("access.large_text");
    k.press("access.contrast");
    k.wait_for("field.surname#0");
    k.screenshot("land-09-applicant-large-contrast");
    k.press("field.surname#0");
    k.type("Әбілқасымова");
    EXPECT_NE(k.log().find("assistance requested"), std::string::npos) << k.log();

    // Walked away: a warning with a countdown, then everything typed is gone.
    k.wait_for("idle.continue", 20s);
    k.screenshot("land-10-inactivity-warning");
    k.wait_for("language:kk", 20s);
    k.screenshot("land-11-wiped");
    EXPECT_NE(k.log().find("inactivity: form wiped"), std::string::npos) << k.log();
    k.press("language:kk");
    k.press("home.file");
    k.press("addressee.provider_head");
    k.press("nav.next");
    k.press("service:KZ-GU-003");
    k.press("nav.next");
    k.wait_for("field.surname#0");
    k.screenshot("land-12-applicant-empty-again");  // nothing of the last citizen's
}

// The next citizen sees nothing of the last one's status look-up: not on the screen, not in
// the probe, not in the log.
TEST(Ui, AStatusAnswerIsGoneForTheNextCitizen) {
    DevRegister reg;
    Xvfb x(1080, 1920);
    Kiosk k(x, reg, test_name(),
            {.ui_settings = "inactivity_warning_s = 10\ninactivity_reset_s = 5\n"});
    k.press("language:ru");
    k.press("home.status");
    k.type("ЖТ-1999-00000077");
    k.press("status.check");
    k.wait_for("notice:status");
    const std::string asked = k.screenshot("privacy-01-status-answer");
    k.wait_for("language:kk", 30s);  // walked away: warned, then wiped
    k.press("language:kk");
    k.press("home.status");
    k.wait_for("status.check");
    const std::string next = k.screenshot("privacy-02-next-citizen");
    EXPECT_FALSE(k.appears("notice:status", 500ms)) << "the last citizen's answer is on the screen";
    EXPECT_EQ(k.log().find("ЖТ-1999-00000077"), std::string::npos) << k.log();
    EXPECT_NE(image_stat(asked, "%#"), image_stat(next, "%#"));
}

// Reaches the officials step with valid answers before it.
void to_officials(Kiosk& k) {
    touch_to_address(k);
    k.press("nav.next");
}

// From the officials to the done screen.
void to_done(Kiosk& k) {
    touch_to_signature(k);
    touch_submit(k);
}

TEST(Ui, TwoAndThreeOfficialsAddedEditedAndTheFirstRemoved) {
    DevRegister reg;
    Xvfb x(1080, 1920);
    Kiosk k(x, reg, test_name());
    to_officials(k);
    const std::vector<std::array<const char*, 3>> officials = {
        {"бөлім басшысы", "Жұмабеков", "Н. Ө."},
        {"маман", "Сейітова", "Ә. Б."},
        {"инспектор", "Ли", "В."}};
    for (std::size_t i = 0; i < officials.size(); ++i) {
        if (i > 0) {
            k.scroll_to("officials.add");
            k.press("officials.add");
        }
        const std::string n = "#" + std::to_string(i);
        for (const auto& [field, text] : {std::pair{"field.official_position", officials[i][0]},
                                          std::pair{"field.official_surname", officials[i][1]},
                                          std::pair{"field.official_initials", officials[i][2]}}) {
            k.scroll_to(field + n);
            k.press(field + n);
            k.type(text);
        }
    }
    k.screenshot("officials-01-three");
    // The second one's surname corrected: a tap puts the caret at its end, delete, type.
    k.scroll_to("field.official_surname#1");
    k.press("field.official_surname#1");
    k.type("-Нұрова");
    k.scroll_to("officials.remove#0");
    k.press("officials.remove#0");
    k.screenshot("officials-02-first-removed");
    to_done(k);
    const auto rows = reg.query(
        "SELECT json_extract(attributes, '$.officials_position'), "
        "json_extract(attributes, '$.officials_surname'), "
        "json_extract(attributes, '$.officials_initials') FROM requests",
        {});
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0],
              (std::vector<std::string>{"[\"маман\",\"инспектор\"]", "[\"Сейітова-Нұрова\",\"Ли\"]",
                                        "[\"Ә. Б.\",\"В.\"]"}));
}

// Next with a problem below the fold: the summary is on the screen and the focus (where the
// keyboard types) is on the field, in view.
TEST(Ui, ErrorsBelowTheFoldAreSummarisedAndTheFieldFocused) {
    DevRegister reg;
    Xvfb x(1080, 1920);
    Kiosk k(x, reg, test_name());
    k.press("language:ru");
    to_russian_applicant(k);
    k.press("field.iin#0");
    k.type("880229400003");
    // The address, at the bottom of the form and under the keyboard, stays empty.
    k.press("nav.next");
    k.wait_for("summary:errors");
    const auto t = k.targets();
    ASSERT_TRUE(t.count("focused")) << "no field has the focus";
    ASSERT_TRUE(t.count("field.postal_address#0"))
        << "the field with the problem is not on the screen";
    EXPECT_EQ(t.at("focused"), t.at("field.postal_address#0"));
    EXPECT_GT(t.at("field.postal_address#0").h, 40);  // in view, not clipped to a sliver
    k.screenshot("errors-01-summary-and-focus");
    k.type("г. Кокшетау, ул. Абая 83");
    k.press("nav.next");
    k.wait_for("field.official_position#0");
}

// Typing "Абай 83", three steps left, " к-сі": the register holds what the caret made of it.
TEST(Ui, TheCaretEditsInTheMiddleOfATextAndTheRegisterHoldsTheResult) {
    DevRegister reg;
    Xvfb x(1080, 1920);
    Kiosk k(x, reg, test_name());
    touch_to_address(k);
    for (int i = 0; i < 3; ++i) k.press("key:left");
    k.type(" к-сі");
    k.screenshot("caret-01-inserted");
    // Symbols come from their own layer.
    k.press("key:right");
    k.press("key:right");
    k.press("key:right");
    k.press("key:symbols");
    k.press("key:№");
    k.press("key:symbols");
    k.press("nav.next");
    k.press("field.official_position#0");
    k.type("маман");
    k.press("field.official_surname#0");
    k.type("Ли");
    k.press("field.official_initials#0");
    k.type("В.");
    to_done(k);
    const auto rows =
        reg.query("SELECT json_extract(attributes, '$.postal_address') FROM requests", {});
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0][0], "Көкшетау, Абай к-сі 83№");
}

// Cancel asks once, then everything is gone; Help from a middle step reaches staff, the
// metrics and the register's heartbeats.
TEST(Ui, CancelWipesAndHelpFromAMiddleStepReachesMonitoring) {
    DevRegister reg;
    Xvfb x(1080, 1920);
    Kiosk k(x, reg, test_name(), {.monitoring_settings = "heartbeat_interval_s = 10\n"});
    to_officials(k);
    k.press("nav.help");
    k.wait_for("notice:help");
    k.screenshot("help-01-told");
    EXPECT_EQ(metric(k.management("/metrics").body, "kiosk_assistance_requests_total"), 1);
    k.press("nav.cancel");
    k.wait_for("cancel.confirm");
    k.screenshot("cancel-01-asked");
    k.press("cancel.keep");
    k.wait_for("field.official_position#0");
    k.press("nav.cancel");
    k.press("cancel.confirm");
    k.wait_for("language:kk");
    k.press("language:kk");
    k.press("home.file");
    k.press("addressee.provider_head");
    k.press("nav.next");
    k.press("service:KZ-GU-001");
    k.press("nav.next");
    k.wait_for("field.surname#0");
    const std::string empty = k.screenshot("cancel-02-empty-again");
    EXPECT_TRUE(reg.query("SELECT id FROM requests", {}).empty());
    std::string heartbeats;
    for (auto deadline = std::chrono::steady_clock::now() + 25s;
         std::chrono::steady_clock::now() < deadline; std::this_thread::sleep_for(250ms)) {
        heartbeats.clear();
        for (const auto& row : reg.query("SELECT body FROM heartbeats", {}))
            heartbeats += row[0] + "\n";
        if (heartbeats.find("\"assistance_requests\":1") != std::string::npos) break;
    }
    EXPECT_NE(heartbeats.find("\"assistance_requests\":1"), std::string::npos) << heartbeats;
}

// Every screen of the filing in English, large text and high contrast, portrait.
TEST(Ui, TheFilingInLargeTextAndHighContrast) {
    DevRegister reg;
    Xvfb x(1080, 1920);
    Kiosk k(x, reg, test_name());
    k.press("language:en");
    k.press("access.large_text");
    k.press("access.contrast");
    k.screenshot("en-large-contrast-00-home");
    k.press("home.file");
    k.press("addressee.akim:akmola_region");
    k.screenshot("en-large-contrast-01-addressee");
    k.press("nav.next");
    k.press("service:KZ-GU-001");
    k.press("nav.next");
    k.press("field.surname#0");
    k.type("Smith");
    k.screenshot("en-large-contrast-03-applicant");
    k.press("access.contrast");  // back to the normal look: nothing of high contrast stays
    k.screenshot("en-large-03-applicant-normal");
}

// A region's procedure with a time limit the kiosk cannot state stops it at start, with the
// file, line and key named, before any citizen reads a word of it.
TEST(Ui, RefusesABadProcedureNamingFileLineAndKey) {
    const std::filesystem::path dir = make_temp_dir("kiosk-badregion");
    const auto assets = dir / "assets";
    std::filesystem::create_directories(assets / "procedure");
    for (const char* part : {"i18n", "fonts", "calendar"})
        std::filesystem::create_directory_symlink(std::filesystem::path(KIOSK_ASSETS_DIR) / part,
                                                  assets / part);
    std::ifstream shipped(std::filesystem::path(KIOSK_ASSETS_DIR) / "procedure" / "akmola.toml");
    std::string text((std::istreambuf_iterator<char>(shipped)), {});
    text.replace(text.find("deadline = \"by_law\""), 19, "deadline = \"in_due_course\"");
    std::ofstream(assets / "procedure" / "akmola.toml") << text;
    std::ofstream(dir / "ca.crt") << "not checked before the procedure\n";
    std::ofstream(dir / "kiosk.toml")
        << "[kiosk]\nid = \"KSK-UI-TEST\"\noffice = \"Office\"\noffice_address = \"Address\"\n"
        << "duty_officer = \"Кенжебаева Г. С.\"\nstate_dir = \"state\"\n"
        << "[register]\nurl = \"https://127.0.0.1:1/\"\nca_file = \"ca.crt\"\napi_key = \"k\"\n"
        << "[printer]\nspool_dir = \"spool\"\n[ui]\nassets_dir = \"assets\"\n";
    const int code = run({KIOSK_BIN, "--config", (dir / "kiosk.toml").string(), "--windowed"},
                         (dir / "out.log").string(), 20s);
    EXPECT_EQ(code, 1);
    const std::string log = read_text((dir / "out.log").string());
    const int line = 1 + static_cast<int>(std::count(
                             text.begin(), text.begin() + text.find("in_due_course"), '\n'));
    EXPECT_NE(log.find("appeal procedure: " + (assets / "procedure" / "akmola.toml").string() +
                       ":" + std::to_string(line) + ": addressee.akim.deadline: must be"),
              std::string::npos)
        << log;
    std::filesystem::remove_all(dir);
}

TEST(Ui, RefusesABadConfigurationNamingKeyAndLine) {
    const std::string dir = make_temp_dir("kiosk-badcfg");
    std::ofstream(dir + "/kiosk.toml") << "[kiosk]\nid = 42\n";
    const int code =
        run({KIOSK_BIN, "--config", dir + "/kiosk.toml", "--windowed"}, dir + "/out.log", 20s);
    EXPECT_EQ(code, 1);
    EXPECT_NE(read_text(dir + "/out.log").find("kiosk.toml:2: kiosk.id: must be a string"),
              std::string::npos)
        << read_text(dir + "/out.log");
    std::filesystem::remove_all(dir);
}
