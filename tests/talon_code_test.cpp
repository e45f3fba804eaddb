// The talon's signed code: signing and checking, the key file's rules, the fleet's key file, the
// QR address, and the kiosk-talon tool as an operator runs it.
#include "kiosk/talon_code.h"

#include "process.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>

namespace {

using namespace kiosk;
namespace fs = std::filesystem;

TalonFacts sample() {
    return {"ЖТ-2026-00000742", "03.12.2026 10:15", "KSK-AKM-001", "provider_head",
            "Әбілқасымова А. Қ."};
}

void write(const fs::path& p, const std::string& text, mode_t mode = 0644) {
    std::ofstream(p, std::ios::binary) << text;
    ::chmod(p.c_str(), mode);
}

std::string message_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const std::exception& e) {
        return e.what();
    }
    return "(no exception)";
}

class TalonCode : public ::testing::Test {
protected:
    void SetUp() override {
        dir = testsupport::make_temp_dir("talon-code-");
        own = TalonSigner::create(dir / "own.key");
        other = TalonSigner::create(dir / "other.key");
        fleet.by_kiosk["KSK-AKM-001"] = own;
        fleet.by_kiosk["KSK-AKM-002"] = other;
    }
    void TearDown() override { fs::remove_all(dir); }

    std::string sign(const TalonFacts& f) { return TalonSigner::load(dir / "own.key").code(f); }

    fs::path dir;
    TalonPublicKey own{}, other{};
    FleetKeys fleet;
};

// Section: signing and checking

TEST_F(TalonCode, AGenuineTalonPasses) {
    const std::string code = sign(sample());
    EXPECT_EQ(verify_talon(sample(), code, fleet), TalonVerdict::Genuine);
    // The same facts signed again give the same code (Ed25519 is deterministic).
    EXPECT_EQ(sign(sample()), code);
}

TEST_F(TalonCode, TheCodeIs103Base32CharactersInGroupsOfFour) {
    const std::string code = sign(sample());
    EXPECT_TRUE(std::regex_match(code, std::regex("([A-Z2-7]{4} ){25}[A-Z2-7]{3}"))) << code;
}

TEST_F(TalonCode, EveryChangedFactIsForged) {
    const std::string code = sign(sample());
    auto changed = [](auto edit) {
        TalonFacts f = sample();
        edit(f);
        return f;
    };
    for (const TalonFacts& f : {
             changed([](TalonFacts& f) { f.number = "ЖТ-2026-00000743"; }),
             changed([](TalonFacts& f) { f.accepted_at = "03.12.2026 10:16"; }),
             changed([](TalonFacts& f) { f.accepted_at = "04.12.2026 10:15"; }),
             changed([](TalonFacts& f) { f.kiosk_id = "KSK-AKM-002"; }),
             changed([](TalonFacts& f) { f.addressee = "akim:region"; }),
             changed([](TalonFacts& f) { f.applicant = "Әбілқасымова А. Б."; }),
             changed([](TalonFacts& f) { f.applicant = "Әбілқасымов А. Қ."; }),
         })
        EXPECT_EQ(verify_talon(f, code, fleet), TalonVerdict::Forged)
            << f.number << " " << f.accepted_at << " " << f.kiosk_id << " " << f.addressee;
}

TEST_F(TalonCode, AChangedCharacterOfTheCodeIsForged) {
    std::string code = sign(sample());
    code[5] = code[5] == 'A' ? 'B' : 'A';
    EXPECT_EQ(verify_talon(sample(), code, fleet), TalonVerdict::Forged);
}

TEST_F(TalonCode, TheApplicantAsTypedMatchesWhateverTheCaseAndSpaces) {
    const std::string code = sign(sample());
    for (const char* typed :
         {"ӘБІЛҚАСЫМОВА А.Қ.", "әбілқасымова а. қ.", "  Әбілқасымова   А.  Қ. "})
        EXPECT_EQ(verify_talon({sample().number, sample().accepted_at, sample().kiosk_id,
                                sample().addressee, typed},
                               code, fleet),
                  TalonVerdict::Genuine)
            << typed;
}

TEST_F(TalonCode, TheCodeAsTypedMayHaveDashesLowerCaseOrNoSpaces) {
    const std::string code = sign(sample());
    std::string typed;
    for (char c : code) typed += c == ' ' ? '-' : static_cast<char>(std::tolower(c));
    EXPECT_EQ(verify_talon(sample(), typed, fleet), TalonVerdict::Genuine);
    std::string joined;
    for (char c : code)
        if (c != ' ') joined += c;
    EXPECT_EQ(verify_talon(sample(), joined, fleet), TalonVerdict::Genuine);
}

TEST_F(TalonCode, AKioskWithoutAPublishedKeyIsUnknown) {
    TalonFacts f = sample();
    f.kiosk_id = "KSK-AKM-999";
    const std::string code = sign(f);
    EXPECT_EQ(verify_talon(f, code, fleet), TalonVerdict::UnknownKiosk);
    EXPECT_EQ(verify_talon(f, code, FleetKeys{}), TalonVerdict::UnknownKiosk);
}

TEST_F(TalonCode, MalformedCodesAreMalformedNotForged) {
    const std::string code = sign(sample());
    std::string joined;
    for (char c : code)
        if (c != ' ') joined += c;
    std::string bent_tail = joined;
    // The last character carries 2 bits (A, I, Q or Y); the next letter sets an unused one.
    bent_tail.back() = static_cast<char>(bent_tail.back() + 1);
    for (const std::string& bad :
         {std::string(), std::string("    "), joined.substr(0, 102), joined + "A",
          std::string("0") + joined.substr(1), std::string("1") + joined.substr(1),
          std::string("8") + joined.substr(1), joined.substr(0, 50) + "=" + joined.substr(51),
          std::string("Ж") + joined.substr(2), std::string(100000, 'A'),
          joined.substr(0, 60) + '\0' + joined.substr(61), bent_tail})
        EXPECT_EQ(verify_talon(sample(), bad, fleet), TalonVerdict::Malformed) << bad;
}

TEST_F(TalonCode, FactsThatCouldNotHaveBeenPrintedAreMalformed) {
    const std::string code = sign(sample());
    auto changed = [](auto edit) {
        TalonFacts f = sample();
        edit(f);
        return f;
    };
    const TalonSigner signer = TalonSigner::load(dir / "own.key");
    for (const TalonFacts& f : {
             changed([](TalonFacts& f) { f.number = ""; }),
             changed([](TalonFacts& f) { f.number = "ЖТ\n2026"; }),
             changed([](TalonFacts& f) { f.number = "\xD0"; }),  // cut UTF-8
             changed([](TalonFacts& f) { f.number = std::string(65, '7'); }),
             changed([](TalonFacts& f) { f.accepted_at = "31.02.2026 10:15"; }),
             changed([](TalonFacts& f) { f.accepted_at = "03.12.2026 24:00"; }),
             changed([](TalonFacts& f) { f.accepted_at = "2026-12-03 10:15"; }),
             changed([](TalonFacts& f) { f.accepted_at = "3.12.2026 10:15"; }),
             changed([](TalonFacts& f) { f.kiosk_id = "ksk-akm-001"; }),
             changed([](TalonFacts& f) { f.kiosk_id = "-KSK"; }),
             changed([](TalonFacts& f) { f.kiosk_id = std::string(33, 'K'); }),
             changed([](TalonFacts& f) { f.addressee = ""; }),
             changed([](TalonFacts& f) { f.addressee = "Provider Head"; }),
             changed([](TalonFacts& f) { f.applicant = ""; }),
             changed([](TalonFacts& f) { f.applicant = " . "; }),
             changed([](TalonFacts& f) { f.applicant = "Иванов\x01 И."; }),
             changed([](TalonFacts& f) { f.applicant = "Иванов \xFF"; }),
             changed([](TalonFacts& f) { f.applicant = std::string(201, 'A'); }),
         }) {
        EXPECT_EQ(verify_talon(f, code, fleet), TalonVerdict::Malformed) << f.accepted_at;
        EXPECT_FALSE(talon_facts_problem(f).empty());
        EXPECT_THROW(signer.code(f), std::invalid_argument);
        EXPECT_THROW(talon_payload(f), std::invalid_argument);
    }
    // The messages name the field, never the applicant's name.
    TalonFacts f = sample();
    f.applicant = "Иванов\x01";
    EXPECT_EQ(message_of([&] { signer.code(f); }).find("Иванов"), std::string::npos);
}

TEST_F(TalonCode, ThePayloadIsVersionedOneFieldALineWithTheApplicantOnlyHashed) {
    const std::string p = talon_payload(sample());
    EXPECT_EQ(p.rfind("complaint-kiosk talon v1\n", 0), 0u) << p;
    EXPECT_NE(p.find("\nnumber=ЖТ-2026-00000742\n"), std::string::npos) << p;
    EXPECT_NE(p.find("\naccepted=2026-12-03T10:15\n"), std::string::npos) << p;
    EXPECT_NE(p.find("\nkiosk=KSK-AKM-001\n"), std::string::npos) << p;
    EXPECT_NE(p.find("\naddressee=provider_head\n"), std::string::npos) << p;
    EXPECT_TRUE(std::regex_search(p, std::regex("\napplicant-sha256=[0-9a-f]{64}\n$"))) << p;
    EXPECT_EQ(p.find("Әбілқасымова"), std::string::npos);
    EXPECT_EQ(p.find("ӘБІЛҚАСЫМОВА"), std::string::npos);
    EXPECT_EQ(std::count(p.begin(), p.end(), '\n'), 6);
}

// Section: the key file

TEST_F(TalonCode, CreateMakesAPrivateFileOnceWhateverTheUmask) {
    const mode_t old = ::umask(0);
    const TalonPublicKey pk = TalonSigner::create(dir / "sub" / "new.key");
    ::umask(old);
    struct stat st {};
    ASSERT_EQ(::stat((dir / "sub" / "new.key").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0600u);
    EXPECT_EQ(st.st_size, 64);
    EXPECT_EQ(TalonSigner::load(dir / "sub" / "new.key").public_key(), pk);
    const std::string why = message_of([&] { TalonSigner::create(dir / "sub" / "new.key"); });
    EXPECT_NE(why.find("already exists"), std::string::npos) << why;
    EXPECT_EQ(TalonSigner::load(dir / "sub" / "new.key").public_key(), pk);  // untouched
}

TEST_F(TalonCode, AKeyOthersMayReadIsRefusedNamingFileAndMode) {
    const fs::path key = dir / "own.key";
    ::chmod(key.c_str(), 0640);
    const std::string why = message_of([&] { TalonSigner::load(key); });
    EXPECT_NE(why.find(key.string()), std::string::npos) << why;
    EXPECT_NE(why.find("0640"), std::string::npos) << why;
    ::chmod(key.c_str(), 0400);
    EXPECT_EQ(TalonSigner::load(key).public_key(), own);
}

TEST_F(TalonCode, AKeyOfAnotherUserIsRefused) {
    if (::geteuid() != 0) GTEST_SKIP() << "only root can give a file to another user";
    const fs::path key = dir / "own.key";
    ASSERT_EQ(::chown(key.c_str(), 65534, 65534), 0);
    const std::string why = message_of([&] { TalonSigner::load(key); });
    EXPECT_NE(why.find("belongs to uid 65534"), std::string::npos) << why;
    EXPECT_NE(why.find(key.string()), std::string::npos) << why;
}

TEST_F(TalonCode, WhatIsNotAKeyIsRefusedNamingTheFile) {
    const fs::path missing = dir / "missing.key", folder = dir / "folder.key",
                   short_key = dir / "short.key", long_key = dir / "long.key",
                   damaged = dir / "damaged.key";
    fs::create_directory(folder);
    ::chmod(folder.c_str(), 0600);
    write(short_key, std::string(63, 'x'), 0600);
    write(long_key, std::string(65, 'x'), 0600);
    write(damaged, std::string(64, 'x'), 0600);  // its public half is not its seed's
    for (const fs::path& p : {missing, folder, short_key, long_key, damaged}) {
        const std::string why = message_of([&] { TalonSigner::load(p); });
        EXPECT_NE(why.find(p.string()), std::string::npos) << why;
    }
    EXPECT_NE(message_of([&] { TalonSigner::load(damaged); }).find("damaged"), std::string::npos);
    EXPECT_NE(message_of([&] { TalonSigner::load(folder); }).find("not a regular file"),
              std::string::npos);
}

// Section: the fleet's key file

TEST_F(TalonCode, TheFleetFileGivesEveryKiosksKey) {
    const fs::path file = dir / "talon-keys.toml";
    write(file, "# the fleet\n[keys]\n" + fleet_key_line("KSK-AKM-001", own) + "\n" +
                    fleet_key_line("KSK-AKM-002", other) + "\n");
    const FleetKeys read = load_fleet_keys(file);
    EXPECT_EQ(read.by_kiosk, fleet.by_kiosk);
    write(file, "# no kiosk yet\n");
    EXPECT_TRUE(load_fleet_keys(file).by_kiosk.empty());
}

TEST_F(TalonCode, ABadLineInTheFleetFileIsNamedWithItsKey) {
    const fs::path file = dir / "talon-keys.toml";
    const std::string good = fleet_key_line("KSK-AKM-001", own) + "\n";
    struct Case {
        std::string text;
        std::string named;
    };
    const Case cases[] = {
        {"[keys]\n" + good + "\"KSK-AKM-002\" = \"not base64!\"\n", ":3: keys.KSK-AKM-002: "},
        {"[keys]\n" + good + "\"KSK-AKM-002\" = \"AAAA\"\n", ":3: keys.KSK-AKM-002: "},
        // 32 zero bytes: a small-order point, which would "verify" anything.
        {"[keys]\n\n\"KSK-AKM-002\" = \"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"\n",
         ":3: keys.KSK-AKM-002: "},
        {"[keys]\n" + good + "\"ksk-lower\" = \"AAAA\"\n", ":3: keys.ksk-lower: "},
        {"[keys]\n" + good + "\"KSK-AKM-002\" = 42\n", ":3: keys.KSK-AKM-002: must be a string"},
        {"[keys]\n" + good + "[other]\nx = 1\n", ":3: other: unknown"},
        {"keys = 1\n", ":1: keys: must be a table"},
        {"[keys]\n" + good + "\"KSK-AKM-002\" = \"unterminated\n", ":3: "},
    };
    for (const Case& c : cases) {
        write(file, c.text);
        const std::string why = message_of([&] { load_fleet_keys(file); });
        EXPECT_EQ(why.rfind(file.string() + c.named, 0), 0u) << why << "\nfor:\n" << c.text;
    }
    EXPECT_NE(message_of([&] { load_fleet_keys(dir / "missing.toml"); }).find("missing.toml"),
              std::string::npos);
}

// Section: the QR address

constexpr const char* kTemplate = "https://talon.akmo.gov.kz/s/{}";

TEST_F(TalonCode, TheAddressRoundTripsWithACyrillicNumber) {
    const std::string code = sign(sample());
    const std::string url = talon_url(kTemplate, sample(), code);
    EXPECT_EQ(url.rfind("https://talon.akmo.gov.kz/s/%D0%96%D0%A2-2026-00000742?k=KSK-AKM-001&"
                        "t=202612031015&a=provider_head&c=",
                        0),
              0u)
        << url;
    EXPECT_EQ(url.find(' '), std::string::npos);
    const auto back = parse_talon_url(url);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->facts.number, sample().number);
    EXPECT_EQ(back->facts.accepted_at, sample().accepted_at);
    EXPECT_EQ(back->facts.kiosk_id, sample().kiosk_id);
    EXPECT_EQ(back->facts.addressee, sample().addressee);
    EXPECT_EQ(back->facts.applicant, "");
    EXPECT_EQ(back->code, code);
    TalonFacts f = back->facts;
    f.applicant = sample().applicant;
    EXPECT_EQ(verify_talon(f, back->code, fleet), TalonVerdict::Genuine);
}

TEST_F(TalonCode, TheAddressKeepsTheTemplatesQueryAndEscapesTheAddressee) {
    TalonFacts f = sample();
    f.number = "ӨҚ/7 а";  // a slash and a space stay inside the number
    f.addressee = "akim:region";
    const std::string code = sign(f);
    const std::string url = talon_url("http://127.0.0.1:8443/talon/{}?lang=kk", f, code);
    EXPECT_NE(url.find("?lang=kk&k="), std::string::npos) << url;
    EXPECT_NE(url.find("&a=akim%3Aregion&"), std::string::npos) << url;
    const auto back = parse_talon_url(url);
    ASSERT_TRUE(back) << url;
    EXPECT_EQ(back->facts.number, f.number);
    EXPECT_EQ(back->facts.addressee, f.addressee);
    // A scanner that passes the number's UTF-8 through unescaped, and shouts the scheme.
    const auto raw = parse_talon_url(
        "HTTPS://talon.akmo.gov.kz/s/ЖТ-1?k=KSK-AKM-001&t=202612031015"
        "&a=egov" +
        url.substr(url.find("&c=")) + "#top");
    ASSERT_TRUE(raw);
    EXPECT_EQ(raw->facts.number, "ЖТ-1");
}

TEST_F(TalonCode, TheCaptionIsReadable) {
    EXPECT_EQ(talon_url_caption(kTemplate, "ЖТ-2026-00000742"),
              "talon.akmo.gov.kz/s/ЖТ-2026-00000742");
    EXPECT_EQ(talon_url_caption("http://127.0.0.1:8443/t/{}?lang=kk", "KSK-1-000001"),
              "127.0.0.1:8443/t/KSK-1-000001");
    EXPECT_THROW(talon_url_caption(kTemplate, "bad\nnumber"), std::invalid_argument);
}

TEST_F(TalonCode, OnlyTemplatesWithTheNumberAsTheLastPathSegmentCarryATalon) {
    for (const char* good : {kTemplate, "http://127.0.0.1:8443/{}", "https://x.kz/a/b/{}?q=1"})
        EXPECT_TRUE(talon_url_template_ok(good)) << good;
    for (const char* bad :
         {"", "talon.akmo.gov.kz/s/{}", "ftp://x.kz/{}", "https://x.kz/requests/{}.json",
          "https://x.kz/{}/status", "https://{}", "https:///{}", "https://x.kz/s/{}{}",
          "https://x.kz/s/", "https://x.kz/ s/{}", "https://x.kz/s/{}#f",
          "https://x.kz/s/{}?n={}"}) {
        EXPECT_FALSE(talon_url_template_ok(bad)) << bad;
        EXPECT_THROW(talon_url(bad, sample(), sign(sample())), std::invalid_argument) << bad;
    }
    EXPECT_THROW(talon_url(kTemplate, sample(), "not a code"), std::invalid_argument);
}

TEST_F(TalonCode, WhatIsNotATalonsAddressGivesNothing) {
    const std::string good = talon_url(kTemplate, sample(), sign(sample()));
    const auto c = good.substr(good.find("&c="));
    const std::string base = "https://talon.akmo.gov.kz/s/N-1";
    for (const std::string& bad : {
             std::string(),
             std::string("hello"),
             std::string("https://talon.akmo.gov.kz/s/N-1"),
             "ftp://talon.akmo.gov.kz/s/N-1?k=KSK-AKM-001&t=202612031015&a=egov" + c,
             base + "?k=KSK-AKM-001&t=202612031015&a=egov",                    // no code
             base + "?k=KSK-AKM-001&k=KSK-AKM-001&t=202612031015&a=egov" + c,  // twice
             base + "?k=KSK-AKM-001&t=202613031015&a=egov" + c,                // month 13
             base + "?k=KSK-AKM-001&t=20261203101&a=egov" + c,                 // short time
             base + "?k=ksk&t=202612031015&a=egov" + c,                        // kiosk id
             base + "?k=KSK-AKM-001&t=202612031015&a=EGOV" + c,                // addressee
             base + "?k=KSK-AKM-001&t=202612031015&a=egov&c=AAAA",             // short code
             base + "?k=KSK-AKM-001&t=202612031015&a=eg%ZZov" + c,             // bad escape
             base + "?k=KSK-AKM-001&t=202612031015&a=egov%" + c,               // cut escape
             "https://talon.akmo.gov.kz/s/%0A?k=KSK-AKM-001&t=202612031015&a=egov" + c,
             "https://talon.akmo.gov.kz/s/?k=KSK-AKM-001&t=202612031015&a=egov" + c,
             "https://talon.akmo.gov.kz/s/%FF?k=KSK-AKM-001&t=202612031015&a=egov" + c,
             "https://talon.akmo.gov.kz/s/N 1?k=KSK-AKM-001&t=202612031015&a=egov" + c,
             base + "?" + std::string(3000, 'x'),
         })
        EXPECT_FALSE(parse_talon_url(bad)) << bad;
    EXPECT_TRUE(parse_talon_url(base + "?k=KSK-AKM-001&t=202612031015&a=egov" + c));
}

// Section: kiosk-talon, as an operator runs it

struct Ran {
    int code;
    std::string out;
};

class TalonTool : public TalonCode {
protected:
    Ran run(std::vector<std::string> args) {
        args.insert(args.begin(), KIOSK_TALON);
        const std::string out = (dir / "out.txt").string();
        fs::remove(out);
        const int code = testsupport::run(args, out, std::chrono::seconds(30));
        return {code, testsupport::read_text(out)};
    }
};

TEST_F(TalonTool, KeygenThenVerifySaysGenuineForgedOrUnknown) {
    const fs::path key = dir / "keys" / "talon.key", keys = dir / "talon-keys.toml";
    const Ran made = run({"keygen", key.string(), "KSK-AKM-001"});
    ASSERT_EQ(made.code, 0) << made.out;
    struct stat st {};
    ASSERT_EQ(::stat(key.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0600u);
    std::smatch found;
    ASSERT_TRUE(
        std::regex_search(made.out, found, std::regex(R"("KSK-AKM-001" = "[A-Za-z0-9+/]{43}=")")))
        << made.out;
    const std::string line = found.str();
    write(keys, "[keys]\n" + line + "\n");
    EXPECT_NE(run({"pubkey", key.string(), "KSK-AKM-001"}).out.find(line), std::string::npos);
    EXPECT_EQ(run({"keygen", key.string(), "KSK-AKM-001"}).code, 1);  // never replaced
    EXPECT_EQ(run({"keygen", (dir / "x.key").string(), "lower"}).code, 2);

    const TalonFacts f = sample();
    const std::string code = TalonSigner::load(key).code(f);
    const auto verify = [&](const TalonFacts& g, const std::string& c) {
        return run({"verify", "--keys", keys.string(), "--number", g.number, "--accepted",
                    g.accepted_at, "--kiosk", g.kiosk_id, "--addressee", g.addressee, "--applicant",
                    g.applicant, c});
    };
    const Ran genuine = verify(f, code);
    EXPECT_EQ(genuine.code, 0) << genuine.out;
    EXPECT_NE(genuine.out.find("genuine"), std::string::npos) << genuine.out;

    TalonFacts changed = f;
    changed.accepted_at = "03.12.2026 10:25";
    const Ran forged = verify(changed, code);
    EXPECT_EQ(forged.code, 1) << forged.out;
    EXPECT_NE(forged.out.find("forged"), std::string::npos) << forged.out;

    changed = f;
    changed.kiosk_id = "KSK-AKM-777";
    const Ran unknown = verify(changed, code);
    EXPECT_EQ(unknown.code, 2) << unknown.out;
    EXPECT_NE(unknown.out.find("unknown kiosk KSK-AKM-777"), std::string::npos) << unknown.out;

    EXPECT_EQ(verify(f, "NOT A CODE").code, 3);
    changed = f;
    changed.accepted_at = "32.12.2026 10:15";
    EXPECT_EQ(verify(changed, code).code, 3);
    EXPECT_EQ(run({"verify", "--keys", keys.string(), "--number", "N"}).code, 3);
    EXPECT_EQ(run({"verify", "--bogus"}).code, 3);

    // The code typed as separate words, and the address scanned from the QR code.
    std::vector<std::string> words = {"verify",   "--keys",      keys.string(), "--number",
                                      f.number,   "--accepted",  f.accepted_at, "--kiosk",
                                      f.kiosk_id, "--addressee", f.addressee,   "--applicant",
                                      f.applicant};
    for (std::size_t at = 0; at < code.size(); at += 5) words.push_back(code.substr(at, 4));
    EXPECT_EQ(run(words).code, 0);
    const std::string url = talon_url(kTemplate, f, code);
    const Ran scanned =
        run({"verify", "--keys", keys.string(), "--url", url, "--applicant", "ӘБІЛҚАСЫМОВА А.Қ."});
    EXPECT_EQ(scanned.code, 0) << scanned.out;
    EXPECT_NE(scanned.out.find("ЖТ-2026-00000742"), std::string::npos) << scanned.out;
    EXPECT_EQ(
        run({"verify", "--keys", keys.string(), "--url", url, "--applicant", "Иванов И."}).code, 1);

    // A keys file that cannot be used is not a verdict.
    write(keys, "[keys]\n\"KSK-AKM-001\" = \"nope\"\n");
    const Ran bad_keys = verify(f, code);
    EXPECT_EQ(bad_keys.code, 4) << bad_keys.out;
    EXPECT_NE(bad_keys.out.find(keys.string() + ":2: keys.KSK-AKM-001"), std::string::npos)
        << bad_keys.out;
}

TEST_F(TalonTool, HelpSaysHowToUseIt) {
    const Ran help = run({"--help"});
    EXPECT_EQ(help.code, 0);
    for (const char* word : {"keygen", "verify", "--url", "--applicant", "talon-keys.toml"})
        EXPECT_NE(help.out.find(word), std::string::npos) << word;
    EXPECT_EQ(run({}).code, 2);
}

}  // namespace
