#pragma once
// Words of a PDF as `pdftotext -bbox` places them, with their type size: how the talon tests
// check that nothing on an 80 mm roll is printed smaller than can be read.

#include <cstdint>
#include <fstream>
#include <iterator>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace testsupport {

// The height of a TrueType font's line box in em, (ascent - descent) / units per em from its
// hhea table: pdftotext -bbox makes a word's box that tall, so box height / this = size in pt.
inline double line_box_em(const std::string& font_file) {
    std::ifstream in(font_file, std::ios::binary);
    const std::string font((std::istreambuf_iterator<char>(in)), {});
    const auto u16 = [&](std::size_t at) {
        return static_cast<unsigned>(static_cast<unsigned char>(font.at(at)) << 8 |
                                     static_cast<unsigned char>(font.at(at + 1)));
    };
    const auto u32 = [&](std::size_t at) { return u16(at) << 16 | u16(at + 2); };
    const auto s16 = [&](std::size_t at) { return static_cast<std::int16_t>(u16(at)); };
    std::size_t head = 0, hhea = 0;
    for (unsigned i = 0, tables = u16(4); i < tables; ++i) {
        const std::size_t record = 12 + 16 * i;
        const std::string tag = font.substr(record, 4);
        if (tag == "head") head = u32(record + 8);
        if (tag == "hhea") hhea = u32(record + 8);
    }
    if (!head || !hhea) throw std::runtime_error(font_file + " has no head or hhea table");
    return (s16(hhea + 4) - s16(hhea + 6)) / static_cast<double>(u16(head + 18));
}

// The PDF writes ascent and descent rounded to 1/1000 em: a 9 pt word measures 8.99 pt.
constexpr double kSizeEpsilon = 0.05;

// A word as pdftotext -bbox places it: points from the page's top left.
struct Word {
    int page;
    double left, top, right, bottom;
    std::string text;
    double em;  // the font's line box (line_box_em)
    double size() const { return (bottom - top) / em; }
};

inline std::string unescape_html(std::string s) {
    for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
             {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&apos;", "'"}, {"&amp;", "&"}})
        for (std::size_t at = 0; (at = s.find(from, at)) != std::string::npos; at += to.size())
            s.replace(at, from.size(), to);
    return s;
}

// The words of pdftotext -bbox's output, set in font_file.
inline std::vector<Word> words_of_bbox(const std::string& bbox_html, const std::string& font_file) {
    static const std::regex word(
        R"re(<word xMin="([-0-9.]+)" yMin="([-0-9.]+)" xMax="([-0-9.]+)" yMax="([-0-9.]+)">(.*)</word>)re");
    const double em = line_box_em(font_file);
    std::vector<Word> words;
    int page = 0;
    std::istringstream lines(bbox_html);
    for (std::string line; std::getline(lines, line);) {
        if (line.find("<page ") != std::string::npos) ++page;
        std::smatch m;
        if (std::regex_search(line, m, word))
            words.push_back({page, std::stod(m[1]), std::stod(m[2]), std::stod(m[3]),
                             std::stod(m[4]), unescape_html(m[5]), em});
    }
    return words;
}

}  // namespace testsupport
