// Configuration: a good file loads; a bad one names the key and the line.
#include "kiosk/config.h"
#include "kiosk/pin.h"

#include <gtest/gtest.h>

#include <fstream>

using namespace kiosk;

namespace {

struct ConfigFile : ::testing::Test {
    std::filesystem::path dir =
        std::filesystem::temp_directory_path() / ("kiosk-config-" + std::to_string(::getpid()));
    void SetUp() override {
        std::filesystem::create_directories(dir / "certs");
        std::filesystem::create_directories(dir / "assets" / "i18n");
        std::ofstream(dir / "certs" / "ca.crt") << "not read here\n";
    }
    void TearDown() override { std::filesystem::remove_all(dir); }

    static std::string good() {
        return "[kiosk]\n"
               "id = \"KSK-1\"\n"
               "office = \"Акимат\"\n"
               "office_address = \"Кокшетау, Абая 83\"\n"
               "duty_officer = \"Кенжебаева Г. С.\"\n"
               "state_dir = \"state\"\n"
               "[register]\n"
               "url = \"https://127.0.0.1:8443/\"\n"
               "ca_file = \"certs/ca.crt\"\n"
               "api_key = \"k\"\n"
               "[printer]\n"
               "spool_dir = \"spool\"\n"
               "[ui]\n"
               "assets_dir = \"assets\"\n";
    }
    Config load(const std::string& text) {
        std::ofstream(dir / "kiosk.toml") << text;
        return load_config(dir / "kiosk.toml");
    }
    std::string error(const std::string& text) {
        try {
            load(text);
        } catch (const ConfigError& e) {
            return e.what();
        }
        return "(loaded)";
    }
    static std::string replace(std::string s, const std::string& from, const std::string& to) {
        return s.replace(s.find(from), from.size(), to);
    }
};

}  // namespace

TEST_F(ConfigFile, GoodFileLoadsWithDefaultsAndRelativePaths) {
    const Config c = load(good());
    EXPECT_EQ(c.kiosk_id, "KSK-1");
    EXPECT_EQ(c.time_zone, "Asia/Almaty");
    EXPECT_EQ(c.inactivity_warning_s, 60);
    EXPECT_EQ(c.inactivity_reset_s, 30);
    EXPECT_EQ(c.register_ca, dir / "certs" / "ca.crt");
    EXPECT_EQ(c.spool_dir, dir / "spool");
    EXPECT_EQ(c.paper, "roll80");
}

TEST_F(ConfigFile, BadFilesNameKeyAndLine) {
    EXPECT_EQ(error(replace(good(), "https://127.0.0.1:8443/", "http://register.example.kz/")),
              (dir / "kiosk.toml").string() +
                  ":8: register.url: must start with https:// (plain http only to loopback)");
    EXPECT_NE(
        error(replace(good(), "id = \"KSK-1\"", "id = 7")).find(":2: kiosk.id: must be a string"),
        std::string::npos);
    EXPECT_NE(error(replace(good(), "[ui]\n", "[ui]\ninactivity_warning_s = 2\n"))
                  .find(":14: ui.inactivity_warning_s: must be between"),
              std::string::npos);
    EXPECT_NE(error(replace(good(), "[ui]\n", "[ui]\nfulscreen = false\n"))
                  .find(":14: ui.fulscreen: unknown key"),
              std::string::npos);
    EXPECT_NE(error(replace(good(), "state_dir", "time_zone = \"Mars/Olympus\"\nstate_dir"))
                  .find(":6: kiosk.time_zone: unknown time zone"),
              std::string::npos);
    EXPECT_NE(error(replace(good(), "certs/ca.crt", "certs/missing.crt"))
                  .find(":9: register.ca_file: no such file"),
              std::string::npos);
    EXPECT_NE(error(replace(good(), "url = \"https://127.0.0.1:8443/\"",
                            "url = \"https://127.0.0.1:8443\""))
                  .find("must end with '/'"),
              std::string::npos);
    EXPECT_NE(error(replace(good(), "api_key = \"k\"\n", ""))
                  .find("register.api_key: missing (required)"),
              std::string::npos);
    EXPECT_NE(error(replace(good(), "[printer]\n", "[printer]\npaper = \"a5\"\n"))
                  .find(":12: printer.paper"),
              std::string::npos);
    EXPECT_NE(error("[kiosk\nid = 1\n").find("kiosk.toml:1:"), std::string::npos);
    EXPECT_NE(error(replace(good(), "office = \"Акимат\"", "office = \"Ак\\u0007имат\""))
                  .find(":3: kiosk.office: contains a control character"),
              std::string::npos);
}

TEST_F(ConfigFile, ThePinIsOnlyEverAHash) {
    const std::string plain = good() + "[service]\npin_hash = \"1234\"\n";
    EXPECT_NE(error(plain).find(":16: service.pin_hash: must be a yescrypt hash"),
              std::string::npos)
        << error(plain);
    const std::string hash = hash_pin("1234");
    EXPECT_EQ(load(good() + "[service]\npin_hash = \"" + hash + "\"\n").pin_hash, hash);
}

TEST_F(ConfigFile, PlainHttpOnlyToLoopback) {
    EXPECT_EQ(
        load(replace(good(), "https://127.0.0.1:8443/", "http://127.0.0.1:8080/")).register_url,
        "http://127.0.0.1:8080/");
}
