// Translations: every key in every language, every key the code asks for exists, and every
// character of every string is in the UI font and in the glyph ranges the UI loads.
#include "kiosk/complaint.h"
#include "kiosk/i18n.h"
#include "kiosk/text.h"

#define STB_TRUETYPE_IMPLEMENTATION
#define STBTT_STATIC
#include <stb/stb_truetype.h>

#include <gtest/gtest.h>

#include <cctype>
#include <fstream>
#include <iterator>
#include <regex>
#include <set>

using namespace kiosk;

namespace {

const std::filesystem::path kAssets = KIOSK_ASSETS_DIR;
const std::filesystem::path kSources = KIOSK_SOURCE_DIR;

std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

// Keys the code names as literals: t("..."), get("..."), "prefix." + code.
std::set<std::string> keys_used_in_code() {
    std::set<std::string> keys;
    const std::regex literal(
        R"re("((?:attract|language|home|info|assistance|status|ground|grounds|access|print|addressee|egov|service|hint|applicant|officials|contact|review|signature|submitting|done|failed|nav|idle|kbd|field|error|talon|staff|step|help|cancel)\.[a-z_.]+)")re");
    for (const auto& entry : std::filesystem::recursive_directory_iterator(kSources / "kiosk")) {
        // config.cpp names TOML keys, not words.
        if (entry.path().extension() != ".cpp" || entry.path().filename() == "config.cpp") continue;
        const std::string text = slurp(entry.path());
        for (std::sregex_iterator it(text.begin(), text.end(), literal), end; it != end; ++it)
            keys.insert((*it)[1]);
    }
    for (const char* screen :
         {"home", "info", "assistance", "status", "addressee", "egov", "service", "applicant",
          "officials", "grounds", "contact", "review", "signature", "submitting", "failed"})
        keys.insert(std::string(screen) +
                    ".title");  // screen_content: the screen's name + ".title"
    for (Addressee a : {Addressee::ProviderHead, Addressee::Akim, Addressee::EgovPortal})
        keys.insert("addressee." + std::string(addressee_code(a)));
    // An akim's choice is hinted by its level (the region's procedure names the units).
    keys.insert("addressee.egov.hint");
    for (const char* level : {"region", "city", "district", "rural_district"})
        keys.insert("akim.level." + std::string(level));
    for (int p = 0; p <= static_cast<int>(Problem::BadInitials); ++p)
        keys.insert(std::string(error_key(static_cast<Problem>(p))));
    for (int f = 0; f <= static_cast<int>(Field::StatusNumber); ++f)
        keys.insert(std::string(field_key(static_cast<Field>(f))));
    return keys;
}

struct Font {
    std::string bytes;
    stbtt_fontinfo info{};
    explicit Font(const std::filesystem::path& p) : bytes(slurp(p)) {
        const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
        if (bytes.empty() || !stbtt_InitFont(&info, data, stbtt_GetFontOffsetForIndex(data, 0)))
            throw std::runtime_error("cannot read font " + p.string());
    }
    bool has(char32_t cp) const { return stbtt_FindGlyphIndex(&info, static_cast<int>(cp)) != 0; }
};

bool in_ui_ranges(char32_t cp) {
    for (const auto& r : ui_glyph_ranges())
        if (cp >= r.first && cp <= r.last) return true;
    return false;
}

}  // namespace

TEST(Translations, LoadAndHaveEveryKeyInEveryLanguage) {
    const Translations tr = load_translations(kAssets / "i18n");
    ASSERT_EQ(tr.catalogs.size(), 3u);
    std::set<std::string> all;
    for (const auto& c : tr.catalogs)
        for (const auto& [k, v] : c.messages) all.insert(k);
    EXPECT_GT(all.size(), 90u);
    for (const auto& c : tr.catalogs)
        for (const auto& key : all) {
            auto it = c.messages.find(key);
            EXPECT_TRUE(it != c.messages.end() && !it->second.empty())
                << c.language << ".po lacks " << key;
        }
}

TEST(Translations, EveryKeyTheCodeUsesExists) {
    const Translations tr = load_translations(kAssets / "i18n");
    const auto used = keys_used_in_code();
    EXPECT_GT(used.size(), 80u);
    for (const auto& c : tr.catalogs)
        for (const auto& key : used)
            EXPECT_TRUE(c.messages.count(key)) << c.language << ".po lacks " << key;
}

TEST(Translations, PlaceholdersMatchAcrossLanguages) {
    const Translations tr = load_translations(kAssets / "i18n");
    auto count = [](const std::string& s) {  // "{}" and the named "{0}".."{9}"
        std::size_t n = 0;
        for (std::size_t p = 0; p + 1 < s.size(); ++p)
            if (s[p] == '{' &&
                (s[p + 1] == '}' || (std::isdigit(static_cast<unsigned char>(s[p + 1])) &&
                                     p + 2 < s.size() && s[p + 2] == '}')))
                ++n;
        return n;
    };
    for (const auto& [key, en] : tr.in("en").messages)
        for (const auto& c : tr.catalogs)
            EXPECT_EQ(count(c.get(key)), count(en)) << c.language << " " << key;
}

TEST(Translations, FontsHaveEveryCharacter) {
    const Translations tr = load_translations(kAssets / "i18n");
    const Font regular(kAssets / "fonts" / "KioskSans.ttf"),
        bold(kAssets / "fonts" / "KioskSans-Bold.ttf");
    // The strings, and the letters the on-screen keyboard and the service catalog may show.
    std::string everything;
    for (const auto& c : tr.catalogs)
        for (const auto& [k, v] : c.messages) everything += v;
    everything += slurp(kSources / "kiosk" / "ui" / "keyboard.cpp");
    everything += slurp(kAssets / "register" / "services.json");
    const auto cps = decode_utf8(everything);
    ASSERT_TRUE(cps);
    for (char32_t cp : std::set<char32_t>(cps->begin(), cps->end())) {
        if (cp == U'\n' || cp == U'\t' || cp == U'\r') continue;
        EXPECT_TRUE(regular.has(cp))
            << "KioskSans.ttf lacks U+" << std::hex << static_cast<unsigned>(cp);
        EXPECT_TRUE(bold.has(cp)) << "KioskSans-Bold.ttf lacks U+" << std::hex
                                  << static_cast<unsigned>(cp);
        EXPECT_TRUE(in_ui_ranges(cp))
            << "UI glyph ranges lack U+" << std::hex << static_cast<unsigned>(cp);
    }
}

TEST(Po, ParsesEscapesContinuationsAndNamesBadLines) {
    const auto dir = std::filesystem::temp_directory_path() / "kiosk-po-test";
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "ok.po") << "# comment\nmsgid \"a.b\"\nmsgstr \"x \\\"y\\\"\\n\"\n\"z\"\n";
    const Catalog c = load_po(dir / "ok.po", "kk");
    EXPECT_EQ(c.get("a.b"), "x \"y\"\nz");
    EXPECT_EQ(c.get("no.such"), "no.such");
    std::ofstream(dir / "bad.po") << "msgid \"a\"\nmsgstr \"x\"\n\nmsgid \"b\nmsgstr \"y\"\n";
    try {
        load_po(dir / "bad.po", "kk");
        FAIL() << "accepted an unterminated string";
    } catch (const CatalogError& e) {
        EXPECT_NE(std::string(e.what()).find("bad.po:4"), std::string::npos) << e.what();
    }
    std::ofstream(dir / "dup.po") << "msgid \"a\"\nmsgstr \"x\"\nmsgid \"a\"\nmsgstr \"y\"\n";
    EXPECT_THROW(load_po(dir / "dup.po", "kk"), CatalogError);
    std::filesystem::remove_all(dir);
}

TEST(Format, FillsPlaceholdersInOrder) {
    EXPECT_EQ(format("Шаг {} из {}", {"3", "8"}), "Шаг 3 из 8");
    EXPECT_EQ(format("{}-қадам", {"2"}), "2-қадам");
    EXPECT_EQ(format("no args {}", {}), "no args {}");
    // Named places, for a language that orders them otherwise; one past the arguments is text.
    EXPECT_EQ(format("{2} жылғы {0} {1}", {"3", "желтоқсан", "2026"}), "2026 жылғы 3 желтоқсан");
    EXPECT_EQ(format("{1} {3}", {"a", "b"}), "b {3}");
}

// Every icon the UI names (kiosk/ui/icons.h, "U+XXXX" beside each) is in the icon font and in
// the range the atlas loads.
TEST(Translations, TheIconFontHasEveryIconTheUiDraws) {
    const Font icons(kAssets / "fonts" / "KioskIcons.ttf");
    const std::string header = slurp(kSources / "kiosk" / "ui" / "icons.h");
    const std::regex named(R"(U\+([0-9A-F]{4}))");
    int n = 0;
    for (std::sregex_iterator it(header.begin(), header.end(), named), end; it != end; ++it, ++n) {
        const auto cp = static_cast<char32_t>(std::stoul((*it)[1], nullptr, 16));
        EXPECT_TRUE(icons.has(cp)) << "KioskIcons.ttf lacks U+" << (*it)[1];
        EXPECT_TRUE(cp >= 0xE000 && cp <= 0xF0E2)
            << "outside the atlas's icon range: U+" << (*it)[1];
    }
    EXPECT_GE(n, 27);
}
