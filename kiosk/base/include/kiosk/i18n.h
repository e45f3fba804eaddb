// kiosk/i18n: the kiosk's words in Kazakh, Russian and English, read from gettext .po files in
// assets/i18n. Message ids are keys ("home.file_complaint"); every language has every key.
#pragma once
#include <filesystem>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace kiosk {

struct CatalogError : std::runtime_error {
    using std::runtime_error::runtime_error;  // "kk.po:40: unterminated string"
};

struct Catalog {
    std::string language;  // "kk", "ru", "en"
    std::map<std::string, std::string, std::less<>> messages;

    // The translation, or the key itself so a gap is visible rather than blank.
    const std::string& get(std::string_view key) const;

    // Keys asked for but absent; set nodes stay put, so references handed out remain valid.
    mutable std::set<std::string, std::less<>> missing;
};

Catalog load_po(const std::filesystem::path& file, std::string language);

// Kazakh first: it is the state language and the default.
inline constexpr std::string_view kLanguages[] = {"kk", "ru", "en"};

struct Translations {
    std::vector<Catalog> catalogs;  // in kLanguages order
    const Catalog& in(std::string_view language) const;
};

Translations load_translations(const std::filesystem::path& i18n_dir);

// The characters the UI font atlas holds: Latin with the Kazakh Latin letters, the Cyrillic
// letters of Kazakh and Russian (not the whole block: every glyph costs atlas memory at five
// sizes), and the few signs the texts use (№ — – « » “ ” … ₸ •). Inclusive pairs.
struct GlyphRange {
    char32_t first, last;
};
const std::vector<GlyphRange>& ui_glyph_ranges();

// Replaces "{}" placeholders in order: format("{} s left", {"30"}); "{0}".."{9}" name an
// argument, for a language that puts them in another order ("{2} жылғы {0} {1}").
std::string format(std::string_view pattern, std::initializer_list<std::string_view> args);

}  // namespace kiosk
