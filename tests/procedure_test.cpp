// The region's appeal procedure as data: the shipped Akmola file says what the procedure text
// says, and a file with a bad key, an untranslated text or a bad time limit is refused with its
// file, line and key named, before the kiosk states any of it.
#include "kiosk/procedure.h"

#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>

using namespace kiosk;

namespace {

const Translations& words() {
    static const Translations tr =
        load_translations(std::filesystem::path(KIOSK_ASSETS_DIR) / "i18n");
    return tr;
}

std::string shipped_text() {
    std::ifstream in(procedure_file(KIOSK_ASSETS_DIR, "akmola"));
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// The shipped file with one edit, written where a second region would go.
struct EditedRegion {
    std::filesystem::path file =
        std::filesystem::temp_directory_path() / ("region-" + std::to_string(::getpid()) + ".toml");
    explicit EditedRegion(const std::string& from, const std::string& to) {
        std::string text = shipped_text();
        const auto at = text.find(from);
        EXPECT_NE(at, std::string::npos) << from;
        if (at != std::string::npos) text.replace(at, from.size(), to);
        std::ofstream(file) << text;
    }
    ~EditedRegion() { std::filesystem::remove(file); }

    // The message load_procedure throws, or "" when the file is accepted.
    std::string refusal() const {
        try {
            load_procedure(file, words());
        } catch (const ProcedureError& e) {
            return e.what();
        }
        return "";
    }
};

int line_of(const std::string& text, const std::string& needle) {
    const auto at = text.find(needle);
    return at == std::string::npos
               ? -1
               : 1 + static_cast<int>(std::count(text.begin(), text.begin() + at, '\n'));
}

}  // namespace

TEST(Procedure, AkmolaSaysWhatTheProcedureTextSays) {
    const Procedure p = load_procedure(procedure_file(KIOSK_ASSETS_DIR, "akmola"), words());
    EXPECT_EQ(p.provider_head.rule, Deadline::Rule::WorkingDays);
    EXPECT_EQ(p.provider_head.days, 5);             // Law on state services, art. 25
    EXPECT_EQ(p.akim.rule, Deadline::Rule::ByLaw);  // the procedure gives no figure
    EXPECT_EQ(p.procedure_phones.numbers, (std::vector<std::string>{"1414", "8-800-080-7777"}));
    EXPECT_TRUE(p.procedure_phones.free);
    EXPECT_EQ(p.department_phones,
              (std::vector<std::string>{"8 (7162) 297223", "297225", "297254"}));
    EXPECT_EQ(p.website, "www.akmo.gov.kz");
    EXPECT_EQ(p.portal, "egov.kz");
    ASSERT_FALSE(p.akim_units.empty());
    EXPECT_EQ(p.akim_units.front().level, "region");
    // Every text of the file reads in every language as the .po files give it.
    EXPECT_EQ(words().in("ru").get(p.department_address), "г. Кокшетау, ул. Абая, 83, кабинет 309");
    EXPECT_NE(words().in("ru").get(p.law_appeals).find("от 12 января 2007 года"),
              std::string::npos);
}

TEST(Procedure, AddresseeNamesTheAkimsUnit) {
    const Procedure p = load_procedure(procedure_file(KIOSK_ASSETS_DIR, "akmola"), words());
    Complaint c;
    c.addressee = Addressee::Akim;
    c.akim_unit = "kokshetau_city";
    EXPECT_EQ(words().in("ru").get(addressee_key(p, c)), "Акиму города Кокшетау");
    EXPECT_EQ(addressee_id(c), "akim:kokshetau_city");
    c.addressee = Addressee::ProviderHead;
    c.akim_unit.clear();
    EXPECT_EQ(addressee_key(p, c), "addressee.provider_head");
    EXPECT_EQ(addressee_id(c), "provider_head");
    EXPECT_EQ(p.unit("nowhere"), nullptr);
}

TEST(Procedure, TrackingIsTheChancellerysAndPhonesAreForTheProcedure) {
    const Procedure p = load_procedure(procedure_file(KIOSK_ASSETS_DIR, "akmola"), words());
    const Catalog& ru = words().in("ru");
    EXPECT_NE(tracking_words(ru, "").find("канцелярии"), std::string::npos);
    EXPECT_NE(tracking_words(ru, "8 (7162) 500100").find("8 (7162) 500100"), std::string::npos);
    EXPECT_EQ(tracking_words(ru, "").find("1414"), std::string::npos);
    const std::string phones = procedure_phones_words(ru, p);
    EXPECT_NE(phones.find("порядке обжалования"), std::string::npos) << phones;
    EXPECT_NE(phones.find("1414, 8-800-080-7777 (звонок бесплатный)"), std::string::npos) << phones;
}

TEST(Procedure, ABadKeyIsNamedWithItsLine) {
    const EditedRegion r("website = \"www.akmo.gov.kz\"", "web_site = \"www.akmo.gov.kz\"");
    const std::string why = r.refusal();
    const int line = line_of(shipped_text(), "website = \"www.akmo.gov.kz\"");
    EXPECT_NE(
        why.find(r.file.string() + ":" + std::to_string(line) + ": region.web_site: unknown key"),
        std::string::npos)
        << why;
}

TEST(Procedure, AnUntranslatedTextIsNamed) {
    const EditedRegion r("name = \"akmola.akim.kokshetau\"", "name = \"akmola.akim.stepnogorsk\"");
    const std::string why = r.refusal();
    EXPECT_NE(
        why.find("akim_unit[1].name: \"akmola.akim.stepnogorsk\" has no translation in kk.po"),
        std::string::npos)
        << why;
    EXPECT_TRUE(std::regex_search(why, std::regex(":[0-9]+: akim_unit")));
}

TEST(Procedure, BadDeadlineRulesAreRefused) {
    const std::string working = "deadline = \"working_days\"\ndays = 5";
    EXPECT_NE(EditedRegion(working, "deadline = \"weeks\"\ndays = 5")
                  .refusal()
                  .find("addressee.provider_head.deadline: must be \"working_days\""),
              std::string::npos);
    EXPECT_NE(EditedRegion(working, "deadline = \"working_days\"")
                  .refusal()
                  .find("addressee.provider_head.days: missing"),
              std::string::npos);
    EXPECT_NE(EditedRegion(working, "deadline = \"working_days\"\ndays = 0")
                  .refusal()
                  .find("addressee.provider_head.days: must be between 1 and 30"),
              std::string::npos);
    EXPECT_NE(EditedRegion("deadline = \"by_law\"", "deadline = \"by_law\"\ndays = 10")
                  .refusal()
                  .find("addressee.akim.days: only with deadline = \"working_days\""),
              std::string::npos);
    EXPECT_NE(EditedRegion("numbers = [\"1414\", \"8-800-080-7777\"]", "numbers = [\"call us\"]")
                  .refusal()
                  .find("procedure_phones.numbers[0]: must be a phone number"),
              std::string::npos);
}

TEST(Procedure, ASecondRegionIsAFileAway) {
    // The same file under another name is a region of its own: no code knows "akmola".
    const EditedRegion r("code = \"kokshetau_city\"", "code = \"stepnogorsk_city\"");
    EXPECT_EQ(r.refusal(), "");
    const Procedure p = load_procedure(r.file, words());
    EXPECT_NE(p.unit("stepnogorsk_city"), nullptr);
}
