// Configuration: a good file loads; a bad one names the key and the line.
#include "kiosk/config.h"
#include "kiosk/pin.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <map>

using namespace kiosk;

namespace {

struct ConfigFile : ::testing::Test {
    std::filesystem::path dir =
        std::filesystem::temp_directory_path() / ("kiosk-config-" + std::to_string(::getpid()));
    void SetUp() override {
        std::filesystem::create_directories(dir / "certs");
        std::filesystem::create_directories(dir / "assets" / "i18n");
        std::filesystem::create_directories(dir / "assets" / "procedure");
        std::ofstream(dir / "assets" / "procedure" / "akmola.toml") << "# read by load_procedure\n";
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
    // The good file with mutual TLS: the key at certs/client.key with MODE.
    std::string with_client_key(mode_t mode) {
        std::ofstream(dir / "certs" / "client.crt") << "not read here\n";
        std::ofstream(dir / "certs" / "client.key") << "not read here\n";
        EXPECT_EQ(::chmod((dir / "certs" / "client.key").c_str(), mode), 0);
        return replace(good(), "api_key",
                       "client_cert = \"certs/client.crt\"\nclient_key = \"certs/client.key\"\n"
                       "api_key");
    }
    std::string prefix(int line, const std::string& key) {
        return (dir / "kiosk.toml").string() + ":" + std::to_string(line) + ": " + key + ": ";
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

TEST_F(ConfigFile, OfficeHoursAreReadDayByDayAndADayLeftOutIsClosed) {
    EXPECT_FALSE(load(good()).office_hours.set);  // none: open around the clock
    const Config c = load(good() +
                          "[office_hours]\nmon = \"09:00-13:00, 14:00-18:00\"\n"
                          "fri = \"09:00-17:00\"\nsun = \"closed\"\nholidays = \"open\"\n");
    EXPECT_TRUE(c.office_hours.set);
    EXPECT_EQ(c.office_hours.days[0], (std::vector<OpenSpan>{{540, 780}, {840, 1080}}));
    EXPECT_TRUE(c.office_hours.days[1].empty());
    EXPECT_EQ(c.office_hours.days[4], (std::vector<OpenSpan>{{540, 1020}}));
    EXPECT_FALSE(c.office_hours.closed_on_holidays);
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
    for (const char* path : {"/etc/passwd", "../../../etc/passwd", "/usr/share/zoneinfo/UTC"})
        EXPECT_NE(error(replace(good(), "state_dir",
                                "time_zone = \"" + std::string(path) + "\"\nstate_dir"))
                      .find("kiosk.time_zone: unknown time zone"),
                  std::string::npos)
            << path;
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
                  .find(":7: register.api_key: missing from [register] (required)"),
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
    for (const std::string url : {"http://127.0.0.1:8080/", "http://localhost/", "http://[::1]:8/"})
        EXPECT_EQ(load(replace(good(), "https://127.0.0.1:8443/", url)).register_url, url);
    // By host, not by how the URL starts.
    for (const std::string url : {"http://127.evil.example/", "http://localhost.evil.example/",
                                  "http://[::1].evil.example/"})
        EXPECT_EQ(
            error(replace(good(), "https://127.0.0.1:8443/", url)),
            prefix(8, "register.url") + "must start with https:// (plain http only to loopback)")
            << url;
}

TEST_F(ConfigFile, TheKioskIdIsCapitalsDigitsAndDashes) {
    for (const std::string& id :
         {std::string("KSK-AKM-0001"), std::string("A"), std::string("0"), std::string(32, 'K')})
        EXPECT_EQ(load(replace(good(), "KSK-1", id)).kiosk_id, id);
    // A '/' would make the talon's file name a path: no talon, nothing purged.
    for (const std::string id :
         {"KSK/1", "../KSK", "ksk-1", "KSK_1", "KSK 1", "-KSK", "KSK-", "ҚСК-1", "KSK.1"})
        EXPECT_EQ(
            error(replace(good(), "KSK-1", id)).rfind(prefix(2, "kiosk.id") + "only A-Z, 0-9", 0),
            0u)
            << id << ": " << error(replace(good(), "KSK-1", id));
    EXPECT_EQ(error(replace(good(), "KSK-1", std::string(33, 'K'))),
              prefix(2, "kiosk.id") + "longer than 32 bytes");
    EXPECT_EQ(error(replace(good(), "KSK-1", "")), prefix(2, "kiosk.id") + "must not be empty");
}

TEST_F(ConfigFile, OnlyRootOrTheKiosksUserMayChangeIt) {
    EXPECT_EQ(load(good()).kiosk_id, "KSK-1");
    const auto file = dir / "kiosk.toml";
    ASSERT_EQ(::chmod(file.c_str(), 0666), 0);
    try {
        load_config(file);
        ADD_FAILURE() << "a world-writable file loaded";
    } catch (const ConfigError& e) {
        EXPECT_EQ(std::string(e.what()),
                  file.string() + ": anyone may change it: chmod o-w " + file.string());
    }
    ASSERT_EQ(::chmod(file.c_str(), 0640), 0);
    EXPECT_EQ(load_config(file).kiosk_id, "KSK-1");  // enrol's 0640 root:kiosk
    if (::geteuid() != 0) return;                    // only root can give it away
    ASSERT_EQ(::chown(file.c_str(), 65534, 65534), 0);
    EXPECT_THROW(load_config(file), ConfigError);
}

TEST_F(ConfigFile, OnlyARegularFileOfBoundedSizeIsRead) {
    const auto fifo = dir / "fifo.toml";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    try {
        load_config(fifo);  // with no writer, a blocking open would never return
        ADD_FAILURE() << "a FIFO loaded";
    } catch (const ConfigError& e) {
        EXPECT_EQ(std::string(e.what()), fifo.string() + ": not a regular file");
    }
    EXPECT_THROW(load_config(dir / "certs"), ConfigError);
    EXPECT_THROW(load_config(dir / "absent.toml"), ConfigError);
    // Padding in comments: still a valid file, only too large.
    const std::string comment = "# " + std::string(1000, 'x') + "\n";
    std::string large = good();
    while (large.size() <= 64 * 1024) large += comment;
    EXPECT_EQ(error(large),
              (dir / "kiosk.toml").string() + ": larger than 64 KiB: not a kiosk configuration");
    large.resize(64 * 1024 - comment.size());
    EXPECT_EQ(load(large).kiosk_id, "KSK-1");
}

TEST_F(ConfigFile, TheClientKeyIsReadableByTheKiosksUserAlone) {
    EXPECT_EQ(load(with_client_key(0600)).client_key, dir / "certs" / "client.key");
    EXPECT_EQ(load(with_client_key(0400)).client_key, dir / "certs" / "client.key");
    const auto key = (dir / "certs" / "client.key").string();
    for (const mode_t mode : {0644, 0640, 0604, 0700, 0660, 04600})
        EXPECT_EQ(error(with_client_key(mode))
                      .rfind(prefix(11, "register.client_key") + key + " has mode ", 0),
                  0u)
            << std::oct << mode << ": " << error(with_client_key(mode));
    EXPECT_EQ(error(with_client_key(0644)),
              prefix(11, "register.client_key") + key +
                  " has mode 0644; a private key must be 0600 or 0400 (chmod 600 " + key + ")");
    const std::string no_key = with_client_key(0600);
    std::filesystem::remove(key);
    EXPECT_EQ(error(no_key), prefix(11, "register.client_key") + "no such file: " + key);
}

TEST_F(ConfigFile, TheClientKeyBelongsToTheKiosksUser) {
    if (::geteuid() != 0) GTEST_SKIP() << "giving a file to another user needs root";
    const std::string text = with_client_key(0600);
    ASSERT_EQ(::chown((dir / "certs" / "client.key").c_str(), 65534, 65534), 0);
    EXPECT_NE(error(text).find(prefix(11, "register.client_key")), std::string::npos)
        << error(text);
    EXPECT_NE(error(text).find("belongs to uid 65534, not to the user the kiosk runs as (uid 0)"),
              std::string::npos)
        << error(text);
}

TEST_F(ConfigFile, EveryRefusalNamesFileLineAndKey) {
    const struct {
        std::string text;
        int line;
        std::string key;
    } cases[] = {
        // A key left out: the line of its section.
        {replace(good(), "api_key = \"k\"\n", ""), 7, "register.api_key"},
        {replace(good(), "[register]\n", "[register]\nclient_cert = \"certs/ca.crt\"\n"), 8,
         "register.client_cert"},
        {replace(good(), "\"assets\"", "\"nowhere\""), 14, "ui.assets_dir"},
        {good() + "[service]\npin_lockout_first_s = 1000\n", 16, "service.pin_lockout_first_s"},
        {good() + "[service]\npin_lockout_max_s = 10\npin_lockout_first_s = 20\n", 16,
         "service.pin_lockout_max_s"},
        {good() + "[monitoring]\nlisten = \"somewhere\"\n", 16, "monitoring.listen"},
        // Office hours: each day as the notice board has it, and open on some day.
        {good() + "[office_hours]\nmon = \"9:00-18:00\"\n", 16, "office_hours.mon"},
        {good() + "[office_hours]\nmon = \"09:00-13:00, 12:00-18:00\"\n", 16, "office_hours.mon"},
        {good() + "[office_hours]\nmon = \"18:00-09:00\"\n", 16, "office_hours.mon"},
        {good() + "[office_hours]\nsat = 9\n", 16, "office_hours.sat"},
        {good() + "[office_hours]\nmon = \"closed\"\n", 15, "office_hours"},
        {good() + "[office_hours]\nmon = \"09:00-18:00\"\nholidays = \"maybe\"\n", 17,
         "office_hours.holidays"},
        {good() + "[office_hours]\nmon = \"09:00-18:00\"\nmonday = \"09:00-18:00\"\n", 17,
         "office_hours.monday"},
        // The local address: plain HTTP, so loopback only, and not the management port.
        {good() + "[monitoring]\nlocal_listen = \"0.0.0.0:9465\"\n", 16, "monitoring.local_listen"},
        {good() + "[monitoring]\nlocal_listen = \"127.0.0.1:9464\"\n", 16,
         "monitoring.local_listen"},
        {good() + "stray = 1\n", 15, "ui.stray"},
        {replace(good(), "office = \"Акимат\"", "office = \"" + std::string(201, 'a') + "\""), 3,
         "kiosk.office"},
        // The region's procedure, the канцелярия's phone, the talon's key and public page.
        {replace(good(), "[kiosk]\n", "[kiosk]\nregion = \"mangystau\"\n"), 2, "kiosk.region"},
        {replace(good(), "[kiosk]\n", "[kiosk]\nregion = \"../akmola\"\n"), 2, "kiosk.region"},
        {replace(good(), "[kiosk]\n", "[kiosk]\nchancellery_phone = \"ask at desk 3\"\n"), 2,
         "kiosk.chancellery_phone"},
        {replace(good(), "[kiosk]\n", "[kiosk]\ntalon_key = \"certs/ca.crt\"\n"), 2,
         "kiosk.talon_key"},
        {replace(good(), "[printer]\n",
                 "[printer]\npublic_status_url = \"http://talon.kz/s/{}\"\n"),
         12, "printer.public_status_url"},
        {replace(good(), "[printer]\n", "[printer]\npublic_status_url = \"https://t.kz/s?n={}\"\n"),
         12, "printer.public_status_url"},
    };
    for (const auto& c : cases)
        EXPECT_EQ(error(c.text).rfind(prefix(c.line, c.key), 0), 0u)
            << "expected " << prefix(c.line, c.key) << "\n     got " << error(c.text);
}

TEST_F(ConfigFile, SpeechHasDefaultsAndItsOwnLimits) {
    const Config d = load(good());
    EXPECT_TRUE(d.speech_enabled);
    EXPECT_EQ(d.speech_volume, 80);
    EXPECT_EQ(d.speech_rate, 150);
    EXPECT_TRUE(d.speech_data.empty());  // the system's espeak-ng data

    // The data folder itself, or the folder holding espeak-ng-data, relative to the file.
    std::filesystem::create_directories(dir / "voices" / "espeak-ng-data");
    std::ofstream(dir / "voices" / "espeak-ng-data" / "phontab") << "not read here\n";
    const Config c = load(good() +
                          "[speech]\nenabled = false\nvolume = 10\nrate = 300\n"
                          "data = \"voices\"\n");
    EXPECT_FALSE(c.speech_enabled);
    EXPECT_EQ(c.speech_volume, 10);
    EXPECT_EQ(c.speech_rate, 300);
    EXPECT_EQ(c.speech_data, dir / "voices");
    EXPECT_EQ(load(good() + "[speech]\ndata = \"voices/espeak-ng-data\"\n").speech_data,
              dir / "voices" / "espeak-ng-data");
    EXPECT_TRUE(load(good() + "[speech]\ndata = \"\"\n").speech_data.empty());

    const struct {
        std::string setting, message;
    } bad[] = {
        {"enabled = \"no\"", "must be a boolean (true or false)"},
        {"enabled = 0", "must be a boolean (true or false)"},
        {"volume = 9", "must be between 10 and 100"},
        {"volume = 101", "must be between 10 and 100"},
        {"volume = 0.5", "must be a whole number"},
        {"rate = 79", "must be between 80 and 300"},
        {"rate = 301", "must be between 80 and 300"},
        {"rate = \"fast\"", "must be a whole number"},
        {"data = 1", "must be a string"},
        {"data = \"nowhere\"", "no espeak-ng data in " + (dir / "nowhere").string() +
                                   " (the espeak-ng-data folder or the folder holding it)"},
        {"data = \"certs\"", "no espeak-ng data in " + (dir / "certs").string() +
                                 " (the espeak-ng-data folder or the folder holding it)"},
        {"voice = \"kk\"", "unknown key"},
    };
    for (const auto& b : bad) {
        const std::string key = "speech." + b.setting.substr(0, b.setting.find(' '));
        EXPECT_EQ(error(good() + "[speech]\n" + b.setting + "\n"), prefix(16, key) + b.message)
            << b.setting;
    }
}

// Any Open311 server: its jurisdiction, its format and its attribute codes.
TEST_F(ConfigFile, OperatorKeysAreEd25519PublicKeysInBase64) {
    EXPECT_TRUE(load(good()).operator_keys.empty());  // none: remote commands refused
    // Two real public keys (kiosk-command keygen) on lines 17 and 18.
    const std::string a = "hfQlosA8iorZ7GN8iGV1/59N3sQOic1mEs72NkU8JY8=";
    const std::string b = "1eHWcYeZz5MCpgDb8VBg49q8EXqBqkfE1gQTPG69XJQ=";
    const std::string two =
        good() + "[remote]\noperator_keys = [\n  \"" + a + "\",\n  \"" + b + "\",\n]\n";
    const Config c = load(two);
    ASSERT_EQ(c.operator_keys.size(), 2u);
    EXPECT_EQ(c.operator_keys[0], *parse_operator_key(a));
    EXPECT_EQ(c.operator_keys[1], *parse_operator_key(b));
    const std::string why =
        "not an operator's public key: the base64 of exactly 32 bytes of an Ed25519 key, as "
        "kiosk-command keygen prints";
    // A key cut short, one byte too many, not base64, trailing text, not a string: each named
    // by its line and place in the list.
    for (const std::string& bad : {a.substr(0, 40) + "==", std::string("AAAA") + a,
                                   std::string(44, '!'), a + " ", std::string("42")})
        EXPECT_EQ(error(replace(two, "\"" + b + "\"", bad == "42" ? bad : "\"" + bad + "\"")),
                  prefix(18, "remote.operator_keys[1]") + why)
            << bad;
    // 32 bytes that are no valid point (all zero: small order) would let forgeries pass.
    EXPECT_EQ(error(replace(two, b, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")),
              prefix(18, "remote.operator_keys[1]") + why);
    EXPECT_EQ(error(good() + "[remote]\noperator_keys = \"" + a + "\"\n"),
              prefix(16, "remote.operator_keys") +
                  "must be a list of operators' public keys, e.g. [\"base64\"] (kiosk-command "
                  "keygen prints one)");
    EXPECT_EQ(error(good() + "[remote]\noperator_key = []\n"),
              prefix(16, "remote.operator_key") + "unknown key");
}

TEST_F(ConfigFile, TheRegistersJurisdictionFormatAndAttributeCodes) {
    const Config d = load(good());
    EXPECT_EQ(d.register_format, "json");
    EXPECT_TRUE(d.jurisdiction_id.empty());
    EXPECT_TRUE(d.attribute_codes.empty());

    const auto with = [&](const std::string& lines) {
        return replace(good(), "api_key = \"k\"\n", "api_key = \"k\"\n" + lines);
    };
    const Config c = load(with("jurisdiction_id = \"akmola.kz\"\nformat = \"xml\"\n") +
                          "[register.attributes]\niin = \"IIN\"\ndemands = \"DEMANDS_TEXT\"\n");
    EXPECT_EQ(c.jurisdiction_id, "akmola.kz");
    EXPECT_EQ(c.register_format, "xml");
    EXPECT_EQ(c.attribute_codes,
              (std::map<std::string, std::string>{{"demands", "DEMANDS_TEXT"}, {"iin", "IIN"}}));

    EXPECT_EQ(error(with("format = \"yaml\"\n")),
              prefix(11, "register.format") + "must be \"json\" or \"xml\"");
    EXPECT_EQ(error(with("jurisdiction_id = \"a b\"\n")),
              prefix(11, "register.jurisdiction_id") + "letters, digits, _ - . only");
    EXPECT_NE(error(good() + "[register.attributes]\nnickname = \"NICK\"\n")
                  .find(":16: register.attributes.nickname: not an attribute the kiosk sends: "
                        "addressee, addressee_unit, service_date"),
              std::string::npos);
    EXPECT_EQ(error(good() + "[register.attributes]\niin = \"I]N\"\n"),
              prefix(16, "register.attributes.iin") +
                  "must be the register's attribute code: letters, digits, _ - . (at most 64)");
    EXPECT_EQ(error(good() + "[register.attributes]\niin = 7\n"),
              prefix(16, "register.attributes.iin") +
                  "must be the register's attribute code: letters, digits, _ - . (at most 64)");
}

// Section: [monitoring]: metrics leave the kiosk only over TLS

TEST_F(ConfigFile, MetricsArePushedOverTlsWithTheKiosksCertificate) {
    const Config plain = load(good());
    EXPECT_EQ(plain.push_url, "");  // no push unless asked for
    EXPECT_EQ(plain.push_interval_s, 30);
    std::ofstream(dir / "certs" / "gateway-ca.crt") << "not read here\n";
    const std::string tls = with_client_key(0600) +
                            "[monitoring]\npush_url = \"https://metrics.example.kz:9443\"\n"
                            "push_ca = \"certs/gateway-ca.crt\"\npush_interval_s = 5\n";
    const Config c = load(tls);
    EXPECT_EQ(c.push_url, "https://metrics.example.kz:9443");
    EXPECT_EQ(c.push_ca, dir / "certs" / "gateway-ca.crt");
    EXPECT_EQ(c.push_interval_s, 5);
    EXPECT_EQ(load(replace(tls, "= 5", "= 300")).push_interval_s, 300);
    for (const char* interval : {"= 4", "= 301"})
        EXPECT_EQ(error(replace(tls, "= 5", interval)),
                  prefix(20, "monitoring.push_interval_s") + "must be between 5 and 300");
    // Plain HTTP to a gateway on this machine only (development), without certificates.
    for (const char* url : {"http://127.0.0.1:9091", "http://localhost:9091/", "http://[::1]:9091"})
        EXPECT_EQ(load(good() + "[monitoring]\npush_url = \"" + url + "\"\n").push_url, url);
    for (const char* url :
         {"http://metrics.example.kz:9091", "http://127.evil.example:9091", "http://10.0.0.1",
          "ftp://127.0.0.1/", "https://user@metrics.example.kz", "https://metrics.kz/?a=1",
          "metrics.example.kz:9443"})
        EXPECT_EQ(error(good() + "[monitoring]\npush_url = \"" + url + "\"\n")
                      .rfind(prefix(16, "monitoring.push_url") + "must be https://", 0),
                  0u)
            << url << ": " << error(good() + "[monitoring]\npush_url = \"" + url + "\"\n");
    EXPECT_EQ(error(replace(tls, "push_ca = \"certs/gateway-ca.crt\"\n", "")),
              prefix(17, "monitoring.push_ca") + "required with an https push_url");
    EXPECT_EQ(error(replace(tls, "gateway-ca.crt", "missing.crt")),
              prefix(19, "monitoring.push_ca") +
                  "no such file: " + (dir / "certs" / "missing.crt").string());
    // Without the kiosk's client certificate the gateway could not tell who pushes.
    EXPECT_EQ(error(good() + "[monitoring]\npush_url = \"https://metrics.example.kz\"\n"
                             "push_ca = \"certs/gateway-ca.crt\"\n"),
              prefix(16, "monitoring.push_url") +
                  "the push needs the kiosk's client certificate: [register] client_cert and "
                  "client_key");
}

TEST_F(ConfigFile, AManagementPortOthersCanReachServesOnlyOverTls) {
    for (const char* listen : {"127.0.0.1:9464", "127.0.0.2:0", "[::1]:9464"})
        EXPECT_EQ(load(good() + "[monitoring]\nlisten = \"" + std::string(listen) + "\"\n")
                      .management_listen,
                  listen);
    for (const char* listen : {"0.0.0.0:9464", "10.20.30.40:9464", "[::]:9464"})
        EXPECT_EQ(error(good() + "[monitoring]\nlisten = \"" + std::string(listen) + "\"\n"),
                  prefix(16, "monitoring.listen") +
                      "an address others can reach needs TLS: set tls_cert, tls_key and "
                      "scraper_ca (plain HTTP only on loopback)")
            << listen;
    std::ofstream(dir / "certs" / "kiosk-server.crt") << "not read here\n";
    std::ofstream(dir / "certs" / "kiosk-server.key") << "not read here\n";
    std::ofstream(dir / "certs" / "scraper-ca.crt") << "not read here\n";
    const auto key = dir / "certs" / "kiosk-server.key";
    ASSERT_EQ(::chmod(key.c_str(), 0600), 0);
    const std::string tls = good() +
                            "[monitoring]\nlisten = \"0.0.0.0:9464\"\n"
                            "tls_cert = \"certs/kiosk-server.crt\"\n"
                            "tls_key = \"certs/kiosk-server.key\"\n"
                            "scraper_ca = \"certs/scraper-ca.crt\"\n";
    const Config c = load(tls);
    EXPECT_EQ(c.management_cert, dir / "certs" / "kiosk-server.crt");
    EXPECT_EQ(c.management_key, key);
    EXPECT_EQ(c.scraper_ca, dir / "certs" / "scraper-ca.crt");
    // TLS on loopback too, when configured.
    EXPECT_EQ(load(replace(tls, "0.0.0.0", "127.0.0.1")).management_cert, c.management_cert);
    // A kiosk is either scraped or pushing (as image/enrol has it): both ways at once stops
    // start-up, whichever key comes first; pushing with the port on loopback is fine.
    const std::string both_ways = tls + "push_url = \"http://127.0.0.1:9091\"\n";
    const std::string not_both =
        "a kiosk is either scraped (listen on an address others can reach) or pushing "
        "(push_url, listen on loopback), not both: remove push_url or listen on 127.0.0.1";
    EXPECT_EQ(error(both_ways), prefix(20, "monitoring.push_url") + not_both);
    EXPECT_EQ(error(replace(tls, "[monitoring]\n",
                            "[monitoring]\npush_url = \"http://127.0.0.1:9091\"\n")),
              prefix(16, "monitoring.push_url") + not_both);
    EXPECT_EQ(load(replace(both_ways, "0.0.0.0", "127.0.0.1")).push_url, "http://127.0.0.1:9091");
    EXPECT_EQ(error(replace(tls, "scraper_ca = \"certs/scraper-ca.crt\"\n", "")),
              prefix(15, "monitoring.scraper_ca") + "tls_cert, tls_key and scraper_ca go together");
    EXPECT_EQ(error(replace(tls, "tls_cert = \"certs/kiosk-server.crt\"\n", "")),
              prefix(15, "monitoring.tls_cert") + "tls_cert, tls_key and scraper_ca go together");
    EXPECT_EQ(error(replace(tls, "certs/scraper-ca.crt", "certs/none.crt")),
              prefix(19, "monitoring.scraper_ca") +
                  "no such file: " + (dir / "certs" / "none.crt").string());
    // The server's key is checked like the client key: the kiosk's user's alone.
    ASSERT_EQ(::chmod(key.c_str(), 0644), 0);
    EXPECT_EQ(error(tls), prefix(18, "monitoring.tls_key") + key.string() +
                              " has mode 0644; a private key must be 0600 or 0400 (chmod 600 " +
                              key.string() + ")");
}

// [ui] rotation: a panel mounted turned from its native mode; only quarter turns.
TEST_F(ConfigFile, TheScreenIsTurnedOnlyByQuarterTurns) {
    EXPECT_EQ(load(good()).rotation, 0);
    for (int degrees : {0, 90, 180, 270})
        EXPECT_EQ(load(good() + "rotation = " + std::to_string(degrees) + "\n").rotation, degrees);
    for (const char* value : {"45", "360", "-90", "1", "true", "90.0", "\"90\"", "\"portrait\""})
        EXPECT_EQ(error(good() + "rotation = " + value + "\n"),
                  prefix(15, "ui.rotation") +
                      "must be 0, 90, 180 or 270 (degrees the picture is turned clockwise)")
            << value;
}
