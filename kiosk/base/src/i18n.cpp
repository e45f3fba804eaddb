#include "kiosk/i18n.h"

#include "kiosk/text.h"

#include <fstream>

namespace kiosk {
namespace {

// Section: .po parsing (the subset gettext tools write: comments, msgctxt, msgid, msgstr,
// continued strings; no plurals)

struct PoParser {
    std::string file;
    int line_no = 0;

    [[noreturn]] void fail(const std::string& why) const {
        throw CatalogError(file + ":" + std::to_string(line_no) + ": " + why);
    }

    // A C-style quoted string, e.g. "Сіз \"Келесі\" түймесін басыңыз\n".
    std::string unquote(std::string_view s) {
        if (s.size() < 2 || s.front() != '"' || s.back() != '"') fail("expected a quoted string");
        std::string out;
        for (std::size_t i = 1; i + 1 < s.size(); ++i) {
            char c = s[i];
            if (c == '"') fail("unescaped quote");
            if (c != '\\') {
                out += c;
                continue;
            }
            if (++i + 1 >= s.size()) fail("dangling backslash");
            switch (s[i]) {
            case 'n': out += '\n'; break;
            case 't': out += '\t'; break;
            case '"': out += '"'; break;
            case '\\': out += '\\'; break;
            default: fail(std::string("unknown escape \\") + s[i]);
            }
        }
        return out;
    }
};

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

}  // namespace

Catalog load_po(const std::filesystem::path& file, std::string language) {
    std::ifstream in(file);
    if (!in) throw CatalogError(file.string() + ": cannot open");
    PoParser p{file.filename().string()};
    Catalog cat{std::move(language), {}};
    std::string id, str, *current = nullptr;
    bool have_id = false;
    auto finish = [&] {
        if (!have_id) return;
        if (!id.empty() && !cat.messages.emplace(id, str).second)
            p.fail("duplicate msgid \"" + id + "\"");
        id.clear(), str.clear(), have_id = false, current = nullptr;
    };
    for (std::string raw; std::getline(in, raw);) {
        ++p.line_no;
        if (!decode_utf8(raw)) p.fail("not valid UTF-8");
        const auto line = trim(raw);
        if (line.empty() || line.front() == '#') continue;
        if (line.rfind("msgctxt ", 0) == 0) p.fail("msgctxt is not used by the kiosk");
        if (line.rfind("msgid ", 0) == 0) {
            finish();
            id = p.unquote(trim(line.substr(6)));
            have_id = true;
            current = &id;
        } else if (line.rfind("msgstr ", 0) == 0) {
            if (!have_id || current != &id) p.fail("msgstr without msgid");
            str = p.unquote(trim(line.substr(7)));
            current = &str;
        } else if (line.front() == '"') {
            if (!current) p.fail("continued string outside an entry");
            *current += p.unquote(line);
        } else {
            p.fail("unexpected text");
        }
    }
    finish();
    return cat;
}

const std::string& Catalog::get(std::string_view key) const {
    if (auto it = messages.find(key); it != messages.end() && !it->second.empty())
        return it->second;
    return *missing.emplace(key).first;
}

const Catalog& Translations::in(std::string_view language) const {
    for (const auto& c : catalogs)
        if (c.language == language) return c;
    return catalogs.front();
}

Translations load_translations(const std::filesystem::path& i18n_dir) {
    Translations t;
    for (auto lang : kLanguages)
        t.catalogs.push_back(load_po(i18n_dir / (std::string(lang) + ".po"), std::string(lang)));
    return t;
}

const std::vector<GlyphRange>& ui_glyph_ranges() {
    static const std::vector<GlyphRange> ranges = {
        {0x0020, 0x00FF}, {0x011E, 0x011F}, {0x0130, 0x0131},
        {0x015E, 0x015F}, {0x016A, 0x016B},  // Latin, Kazakh Latin
        {0x0401, 0x0401}, {0x0406, 0x0406}, {0x0410, 0x044F},
        {0x0451, 0x0451}, {0x0456, 0x0456},  // Russian, Ё, І
        {0x0492, 0x0493}, {0x049A, 0x049B}, {0x04A2, 0x04A3},
        {0x04AE, 0x04B1}, {0x04BA, 0x04BB},  // Ғ Қ Ң Ү Ұ Һ
        {0x04D8, 0x04D9}, {0x04E8, 0x04E9},  // Ә Ө
        {0x2013, 0x2014}, {0x2018, 0x201D}, {0x2022, 0x2022},
        {0x2026, 0x2026}, {0x20B8, 0x20B8}, {0x2116, 0x2116},
    };
    return ranges;
}

std::string format(std::string_view pattern, std::initializer_list<std::string_view> args) {
    std::string out;
    auto arg = args.begin();
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        if (pattern.compare(i, 2, "{}") == 0 && arg != args.end()) {
            out += *arg++;
            ++i;
        } else if (i + 2 < pattern.size() && pattern[i] == '{' && pattern[i + 1] >= '0' &&
                   pattern[i + 1] <= '9' && pattern[i + 2] == '}' &&
                   static_cast<std::size_t>(pattern[i + 1] - '0') < args.size()) {
            out += *(args.begin() + (pattern[i + 1] - '0'));
            i += 2;
        } else {
            out += pattern[i];
        }
    }
    return out;
}

}  // namespace kiosk
