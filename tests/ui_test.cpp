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

    Kiosk(const Xvfb& xvfb, const DevRegister& reg) : x(xvfb) {
        std::ofstream(dir + "/kiosk.toml")
            << "[kiosk]\nid = \"KSK-UI-TEST\"\noffice = \"Ақмола облысы әкімдігі\"\n"
            << "office_address = \"Көкшетау қ., Абай к-сі, 83\"\nduty_officer = \"Кенжебаева Г. С.\"\n"
            << "state_dir = \"state\"\n[register]\nurl = \"" << reg.url() << "\"\nca_file = \"" << reg.ca_file()
            << "\"\nclient_cert = \"" << reg.client_cert() << "\"\nclient_key = \"" << reg.client_key()
            << "\"\napi_key = \"" << reg.api_key() << "\"\n[printer]\nspool_dir = \"spool\"\n"
            << "[ui]\nfullscreen = false\nassets_dir = \"" << KIOSK_ASSETS_DIR << "\"\n";
        pid = spawn({KIOSK_BIN, "--config", dir + "/kiosk.toml", "--windowed", "--size", "1080x1920"},
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

    struct Rect { int x, y, w, h; };

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

    // Waits (bounded) for the target to be wholly on screen.
    Rect wait_for(const std::string& id, std::chrono::seconds timeout = 5s) const {
        for (auto deadline = std::chrono::steady_clock::now() + timeout; std::chrono::steady_clock::now() < deadline;) {
            const auto all = targets();
            if (auto it = all.find(id); it != all.end() && it->second.y >= 0 && it->second.y + it->second.h <= 1920)
                return it->second;
            std::this_thread::sleep_for(50ms);
        }
        throw std::runtime_error("no touch target " + id + " on screen");   // ends the test here
    }

    void press(const std::string& id) {
        const Rect r = wait_for(id);
        tap(r.x + r.w / 2, r.y + r.h / 2);
    }

    bool shown(const std::string& id) const { return targets().count(id) > 0; }

    // Types on the on-screen keyboard, one tap per letter, switching layout or shift as a
    // citizen would.
    void type(const std::string& text) {
        for (std::size_t i = 0; i < text.size();) {
            std::size_t len = 1;
            while (i + len < text.size() && (static_cast<unsigned char>(text[i + len]) & 0xC0) == 0x80) ++len;
            const std::string ch = text.substr(i, len) == " " ? "space" : text.substr(i, len);
            i += len;
            if (!shown("key:" + ch))
                for (const char* other : {"key:layout_kk", "key:layout_ru", "key:layout_en", "key:shift"}) {
                    if (shown("key:" + ch)) break;
                    if (shown(other)) press(other);
                    std::this_thread::sleep_for(60ms);
                }
            press("key:" + ch);
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
    kiosk.wait_for("addressee.akim");
    const std::string addressee = kiosk.screenshot("03-addressee-ru");
    EXPECT_NE(image_stat(language, "%#"), image_stat(addressee, "%#"));

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
    EXPECT_NE(k.log().find("kiosk: submission: registered"), std::string::npos) << k.log();
    EXPECT_EQ(k.log().find("Әбілқасымова"), std::string::npos) << "personal data in the log";
    EXPECT_EQ(k.log().find("900101300007"), std::string::npos) << "personal data in the log";
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
