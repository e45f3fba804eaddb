// The kiosk as a citizen meets it: the real program on an X server (Xvfb), driven by taps
// (xdotool), looked at through screenshots written to build/artifacts/ui/.
#include "dev_register.h"
#include "process.h"

#include <gtest/gtest.h>

#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

using namespace testsupport;
using namespace std::chrono_literals;

namespace {

const std::filesystem::path kArtifacts = std::filesystem::path(KIOSK_BINARY_DIR) / "artifacts" / "ui";

std::string tool(const char* name) {
    for (const char* dir : {"/usr/bin/", "/bin/", "/usr/local/bin/"})
        if (std::filesystem::exists(std::string(dir) + name)) return std::string(dir) + name;
    throw std::runtime_error(std::string(name) + " not installed");
}

// An X server of our own; -displayfd 1 makes it print the display number it chose.
struct Xvfb {
    std::string dir = make_temp_dir("kiosk-xvfb");
    pid_t pid = -1;
    std::string display;

    // Two servers starting at once may pick the same free number and one loses: try again.
    Xvfb(int width, int height) {
        for (int attempt = 0; attempt < 3; ++attempt) {
            std::filesystem::remove(dir + "/xvfb.log");
            pid = spawn({tool("Xvfb"), "-displayfd", "1", "-screen", "0",
                         std::to_string(width) + "x" + std::to_string(height) + "x24", "-nolisten", "tcp"},
                        dir + "/xvfb.log");
            for (auto deadline = std::chrono::steady_clock::now() + 10s; std::chrono::steady_clock::now() < deadline;) {
                std::ifstream in(dir + "/xvfb.log");
                int n = -1;
                if (in >> n && n >= 0) {
                    display = ":" + std::to_string(n);
                    return;
                }
                if (wait_for_exit(pid, 0s)) break;
                std::this_thread::sleep_for(20ms);
            }
            stop(pid, 1s);
        }
        throw std::runtime_error("Xvfb did not start:\n" + read_text(dir + "/xvfb.log"));
    }
    ~Xvfb() {
        stop(pid, 5s);
        std::filesystem::remove_all(dir);
    }
};

// The kiosk on that display, configured against a development register.
struct Kiosk {
    const Xvfb& x;
    std::string dir = make_temp_dir("kiosk-ui");
    pid_t pid = -1;
    int width, height;

    Kiosk(const Xvfb& xvfb, const DevRegister& reg, int w = 1080, int h = 1920) : x(xvfb), width(w), height(h) {
        std::ofstream(dir + "/kiosk.toml")
            << "[kiosk]\nid = \"KSK-UI-TEST\"\noffice = \"Ақмола облысы әкімдігі\"\n"
            << "office_address = \"Көкшетау қ., Абай к-сі, 83\"\nduty_officer = \"Кенжебаева Г. С.\"\n"
            << "state_dir = \"state\"\n[register]\nurl = \"" << reg.url() << "\"\nca_file = \"" << reg.ca_file()
            << "\"\nclient_cert = \"" << reg.client_cert() << "\"\nclient_key = \"" << reg.client_key()
            << "\"\napi_key = \"" << reg.api_key() << "\"\n[printer]\nspool_dir = \"spool\"\n"
            << "[ui]\nfullscreen = false\nassets_dir = \"" << KIOSK_ASSETS_DIR << "\"\n";
        pid = spawn({KIOSK_BIN, "--config", dir + "/kiosk.toml", "--windowed", "--size",
                     std::to_string(width) + "x" + std::to_string(height)},
                    log_path(), {"DISPLAY=" + x.display, "SDL_VIDEODRIVER=x11", "KIOSK_UI_PROBE=" + dir + "/probe.txt"});
        for (auto deadline = std::chrono::steady_clock::now() + 20s; std::chrono::steady_clock::now() < deadline;) {
            if (log().find("kiosk: ready") != std::string::npos) {
                std::this_thread::sleep_for(500ms);   // the first frames
                return;
            }
            if (wait_for_exit(pid, 0s)) break;
            std::this_thread::sleep_for(50ms);
        }
        throw std::runtime_error("kiosk did not become ready:\n" + log());
    }
    ~Kiosk() {
        stop(pid, 10s);
        // The kiosk's own log stays beside the screenshots for whoever reads a failure.
        std::filesystem::create_directories(kArtifacts);
        std::filesystem::copy_file(log_path(), kArtifacts / (std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + ".log"),
                                   std::filesystem::copy_options::overwrite_existing);
        std::filesystem::remove_all(dir);
    }
    std::string log_path() const { return dir + "/kiosk.log"; }
    std::string log() const { return read_text(log_path()); }

    void xdotool(const std::vector<std::string>& args) {
        std::vector<std::string> argv = {tool("xdotool")};
        argv.insert(argv.end(), args.begin(), args.end());
        ASSERT_EQ(run(argv, dir + "/xdotool.log", 10s, {"DISPLAY=" + x.display}), 0);
    }

    void tap(int px, int py) {
        xdotool({"mousemove", std::to_string(px), std::to_string(py), "click", "1"});
        std::this_thread::sleep_for(60ms);
    }

    // Section: finding touch targets through the kiosk's probe file

    struct Rect {
        int x = 0, y = 0, w = 0, h = 0;
        bool operator==(const Rect&) const = default;
    };

    std::map<std::string, Rect> targets() const {
        std::map<std::string, Rect> out;
        std::istringstream in(read_text(dir + "/probe.txt"));
        for (std::string line; std::getline(in, line);) {
            const auto cut = line.rfind(' ', line.rfind(' ', line.rfind(' ', line.rfind(' ') - 1) - 1) - 1);
            Rect r{};
            std::istringstream(line.substr(cut + 1)) >> r.x >> r.y >> r.w >> r.h;
            out[line.substr(0, cut)] = r;
        }
        return out;
    }

    // Waits (bounded) for the target to be on screen and, like a person, for the screen to
    // settle: a new screen may scroll its focused field into view on its second frame.
    Rect wait_for(const std::string& id, std::chrono::seconds timeout = 5s) const {
        Rect last;
        bool have_last = false;
        for (auto deadline = std::chrono::steady_clock::now() + timeout; std::chrono::steady_clock::now() < deadline;) {
            const auto all = targets();
            if (auto it = all.find(id); it != all.end()) {
                const Rect& r = it->second;
                if (id.rfind("key:", 0) == 0) return r;   // the keyboard does not move
                if (have_last && last == r) return r;
                last = r;
                have_last = true;
            } else {
                have_last = false;
            }
            std::this_thread::sleep_for(50ms);
        }
        // What the screen showed instead, beside the other artifacts; then the test ends here.
        run({tool("import"), "-display", x.display, "-window", "root", (kArtifacts / "missing-target.png").string()},
            dir + "/import.log", 20s);
        throw std::runtime_error("no touch target " + id + " on screen (see missing-target.png)");
    }

    void press(const std::string& id) {
        const Rect r = wait_for(id);
        tap(r.x + r.w / 2, r.y + r.h / 2);
    }

    // Whether the target shows within a short while: a tap takes a frame or two to show.
    bool appears(const std::string& id, std::chrono::milliseconds within = 300ms) const {
        for (auto deadline = std::chrono::steady_clock::now() + within;; std::this_thread::sleep_for(20ms)) {
            if (targets().count(id)) return true;
            if (std::chrono::steady_clock::now() >= deadline) return false;
        }
    }

    // Types on the on-screen keyboard, one tap per letter, switching layout or shift as a
    // citizen would.
    void type(const std::string& text) {
        for (std::size_t i = 0; i < text.size();) {
            std::size_t len = 1;
            while (i + len < text.size() && (static_cast<unsigned char>(text[i + len]) & 0xC0) == 0x80) ++len;
            const std::string ch = text.substr(i, len) == " " ? "space" : text.substr(i, len);
            i += len;
            find_key(ch);
            press("key:" + ch);
        }
    }

    // Brings the key on screen: this layout, shifted or not, then the others.
    void find_key(const std::string& ch) {
        for (const char* layout : {"", "key:layout_kk", "key:layout_ru", "key:layout_en"}) {
            if (*layout && appears(layout, 0ms)) press(layout);
            if (appears("key:" + ch) || !appears("key:shift", 0ms)) return;
            press("key:shift");
            if (appears("key:" + ch)) return;
            press("key:shift");
        }
    }

    // Drags the page until the target shows, as a finger scrolls: towards the top first, then
    // towards the bottom.
    void scroll_to(const std::string& id) {
        for (int i = 0; i < 8 && !appears(id, 200ms); ++i) {
            const int x0 = width / 2, y0 = height / 3, step = i < 3 ? 40 : -40;
            xdotool({"mousemove", std::to_string(x0), std::to_string(y0 + (step < 0 ? 320 : 0)), "mousedown", "1"});
            for (int n = 1; n <= 8; ++n)
                xdotool({"mousemove", std::to_string(x0), std::to_string(y0 + (step < 0 ? 320 : 0) + n * step)});
            xdotool({"mouseup", "1"});
        }
    }

    // A finger stroke across the signature pad.
    void sign() {
        const Rect pad = targets().at("signature:pad");
        xdotool({"mousemove", std::to_string(pad.x + 60), std::to_string(pad.y + pad.h / 2), "mousedown", "1"});
        for (int i = 1; i <= 12; ++i)
            xdotool({"mousemove", std::to_string(pad.x + 60 + i * 60), std::to_string(pad.y + pad.h / 2 + (i % 2 ? -60 : 60))});
        xdotool({"mouseup", "1"});
        std::this_thread::sleep_for(200ms);
    }

    std::filesystem::path spool() const { return dir + "/spool"; }

    // Saves the screen as artifacts/ui/<name>.png and returns its path.
    std::string screenshot(const std::string& name) {
        std::filesystem::create_directories(kArtifacts);
        const std::string png = (kArtifacts / (name + ".png")).string();
        std::this_thread::sleep_for(150ms);   // the probe is written just before the frame is shown
        EXPECT_EQ(run({tool("import"), "-display", x.display, "-window", "root", png}, dir + "/import.log", 20s), 0)
            << read_text(dir + "/import.log");
        return png;
    }
};

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
    Kiosk kiosk(x, reg);

    const std::string attract = kiosk.screenshot("01-attract");
    EXPECT_GT(std::stod(image_stat(attract, "%[fx:standard_deviation]")), 0.01) << "blank screen";

    kiosk.tap(540, 960);   // anywhere: the attract screen is one big button
    kiosk.wait_for("language:ru");
    const std::string language = kiosk.screenshot("02-language");
    EXPECT_NE(image_stat(attract, "%#"), image_stat(language, "%#")) << "the tap changed nothing";

    kiosk.press("language:ru");
    kiosk.wait_for("home.file");
    const std::string home = kiosk.screenshot("03-home-ru");
    EXPECT_NE(image_stat(language, "%#"), image_stat(home, "%#"));

    EXPECT_NE(kiosk.log().find("kiosk: ready"), std::string::npos);
    EXPECT_EQ(kiosk.log().find("service catalog:"), std::string::npos) << kiosk.log();   // fetched fine
}

// A citizen files a whole complaint in Kazakh by tapping, and it reaches the register.
TEST(Ui, FilesAComplaintInKazakhByTouch) {
    DevRegister reg;
    Xvfb x(1080, 1920);
    Kiosk k(x, reg);
    k.press("attract");
    k.press("language:kk");
    k.press("home.file");
    k.press("addressee.provider_head");
    k.screenshot("kk-01-addressee");
    k.press("nav.next");
    k.press("service:KZ-GU-001");
    k.screenshot("kk-02-service");
    k.press("nav.next");
    k.press("field.surname#0");
    k.type("Әбілқасымова");
    k.press("field.first_name#0");
    k.type("Айгүл");
    k.press("field.iin#0");
    k.type("900101300007");
    k.press("field.postal_address#0");
    k.type("Көкшетау, Абай 83");
    k.screenshot("kk-03-applicant");
    k.press("nav.next");
    k.press("field.official_position#0");
    k.type("бөлім басшысы");
    k.press("field.official_surname#0");
    k.type("Жұмабеков");
    k.press("field.official_initials#0");
    k.type("Н. Ө.");
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
    k.wait_for("done.finish", 30s);   // the submission came back
    k.screenshot("kk-09-done");
    k.press("done.finish");
    k.wait_for("attract");

    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open_v2(reg.db_path().c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db, "SELECT last_name, first_name, phone, json_extract(attributes, '$.iin'), "
                           "json_extract(attributes, '$.officials_initials[0]'), json_extract(attributes, '$.grounds') "
                           "FROM requests", -1, &st, nullptr);
    ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
    auto col = [&](int i) { return std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, i))); };
    EXPECT_EQ(col(0), "Әбілқасымова");
    EXPECT_EQ(col(1), "Айгүл");
    EXPECT_EQ(col(2), "+77011234567");
    EXPECT_EQ(col(3), "900101300007");
    EXPECT_EQ(col(4), "Н. Ө.");
    EXPECT_EQ(col(5), "анықтама берілмеді");
    EXPECT_EQ(sqlite3_step(st), SQLITE_DONE);   // exactly one complaint
    sqlite3_finalize(st);
    sqlite3_close(db);

    std::vector<std::filesystem::path> talons;
    for (const auto& e : std::filesystem::directory_iterator(k.spool())) talons.push_back(e.path());
    ASSERT_EQ(talons.size(), 1u);
    EXPECT_EQ(talons[0].extension(), ".pdf");
    EXPECT_NE(k.log().find("kiosk: submission: accepted as KSK-UI-TEST-000001, registered"), std::string::npos) << k.log();
    EXPECT_EQ(k.log().find("Әбілқасымова"), std::string::npos) << "personal data in the log";
    EXPECT_EQ(k.log().find("900101300007"), std::string::npos) << "personal data in the log";
}

// The Russian way through: another layout, shift for capitals inside words, a common ground
// chosen by touch, an e-mail on the Latin layout.
TEST(Ui, FilesAComplaintInRussianByTouch) {
    DevRegister reg;
    Xvfb x(1080, 1920);
    Kiosk k(x, reg);
    k.press("attract");
    k.press("language:ru");
    k.screenshot("ru-00-home");
    k.press("home.file");
    k.press("addressee.akim");
    k.press("nav.next");
    k.press("service:KZ-GU-002");
    k.press("nav.next");
    k.press("field.surname#0");
    k.type("Иванова");
    k.press("field.first_name#0");
    k.type("Мария");
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
    k.press("nav.next");
    k.wait_for("done.finish", 30s);
    k.screenshot("ru-09-done");

    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open_v2(reg.db_path().c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db, "SELECT last_name, email, json_extract(attributes, '$.patronymic'), "
                           "json_extract(attributes, '$.postal_address'), json_extract(attributes, '$.grounds'), "
                           "json_extract(attributes, '$.addressee'), json_extract(attributes, '$.language') FROM requests",
                       -1, &st, nullptr);
    ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
    auto col = [&](int i) { return std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, i))); };
    EXPECT_EQ(col(0), "Иванова");
    EXPECT_EQ(col(1), "maria@mail.kz");
    EXPECT_EQ(col(2), "Петровна");
    EXPECT_EQ(col(3), "г. Кокшетау, ул. Абая 83");
    EXPECT_EQ(col(4), "Нарушен срок оказания услуги.");
    EXPECT_EQ(col(5), "akim");
    EXPECT_EQ(col(6), "ru");
    sqlite3_finalize(st);
    sqlite3_close(db);

    std::vector<std::filesystem::path> talons;
    for (const auto& e : std::filesystem::directory_iterator(k.spool())) talons.push_back(e.path());
    ASSERT_EQ(talons.size(), 1u);
    const std::string text_file = k.dir + "/talon.txt";
    ASSERT_EQ(run({tool("pdftotext"), "-enc", "UTF-8", talons[0].string(), text_file}, k.dir + "/pdftotext.log", 20s), 0);
    const std::string text = read_text(text_file);
    EXPECT_NE(text.find("Иванова М. П."), std::string::npos) << text;
    EXPECT_NE(text.find("ШАҒЫМДЫ ҚАБЫЛДАУ ТАЛОНЫ"), std::string::npos) << text;   // Kazakh beside Russian
}

// The screens beside the filing, in landscape, each photographed.
TEST(Ui, EveryOtherScreenInLandscape) {
    DevRegister reg;
    Xvfb x(1920, 1080);
    Kiosk k(x, reg, 1920, 1080);
    k.screenshot("land-01-attract");
    k.press("attract");
    k.screenshot("land-02-language");
    k.press("language:kk");
    k.screenshot("land-03-home");
    k.press("home.info");
    k.screenshot("land-04-info");
    k.press("nav.home");
    k.press("home.assistance");
    k.screenshot("land-05-assistance");
    k.press("nav.home");
    k.press("home.status");
    k.type("ЖТ-1999-00000001");
    k.press("status.check");
    std::this_thread::sleep_for(1s);
    k.screenshot("land-06-status");
    k.press("nav.home");
    k.press("home.file");
    k.press("addressee.egov");
    k.press("nav.next");
    k.screenshot("land-07-egov");
    k.press("nav.back");
    k.press("addressee.provider_head");
    k.press("nav.next");
    k.press("nav.next");   // no service chosen: the screen says what is missing
    k.screenshot("land-08-service-error");
    k.press("service:KZ-GU-003");
    k.press("nav.next");
    k.press("access.large_text");
    k.press("access.contrast");
    k.screenshot("land-09-applicant-large-contrast");
    EXPECT_NE(k.log().find("assistance requested"), std::string::npos) << k.log();
}

TEST(Ui, RefusesABadConfigurationNamingKeyAndLine) {
    const std::string dir = make_temp_dir("kiosk-badcfg");
    std::ofstream(dir + "/kiosk.toml") << "[kiosk]\nid = 42\n";
    const int code = run({KIOSK_BIN, "--config", dir + "/kiosk.toml", "--windowed"}, dir + "/out.log", 20s);
    EXPECT_EQ(code, 1);
    EXPECT_NE(read_text(dir + "/out.log").find("kiosk.toml:2: kiosk.id: must be a string"), std::string::npos)
        << read_text(dir + "/out.log");
    std::filesystem::remove_all(dir);
}
