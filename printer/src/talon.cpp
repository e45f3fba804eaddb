// printer/talon: lays the talon out and draws it into a PDF with libharu.
#include "printer/talon.h"

#include "printer/qr.h"

#include <common/utf8.h>
#include <hpdf.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string_view>
#include <system_error>
#include <utility>

namespace printer {

TalonStyle TalonStyle::roll80(std::filesystem::path font) {
    return {std::move(font), 80.0, 72.0, 0.0, 4.0, 1.0};
}

TalonStyle TalonStyle::a4(std::filesystem::path font) {
    return {std::move(font), 210.0, 180.0, 297.0, 15.0, 1.2};
}

namespace {

// Section: measures (PDF points of the unscaled layout unless the name says otherwise)

constexpr double pt_per_mm = 72.0 / 25.4;
constexpr int min_band_mm = 20;  // narrower and a single large glyph may not fit
constexpr double rule_pt = 0.5;
// The deadline's frame: a thin line, with room inside it so the bold type does not touch it.
constexpr double box_line_pt = 0.8;
constexpr double box_pad_x_pt = 5.0;  // plus the line: the text's inset from the band's edge
constexpr double box_pad_y_pt = 4.0;
constexpr double bold_stroke_em = 0.04;     // outline that thickens the regular face
constexpr double number_shrink_step = 0.5;  // points taken off a number too wide to fit
// DejaVu ink reaches 0.05 em left of a glyph's origin ('J') and 0.03 em past its advance
// ('í'); keeping that much clear of the band's edges keeps every pixel inside it.
constexpr double overhang_em = 0.06;
// A module of 0.75 mm is six dots of a 203 dpi thermal head: crisp and easy for phone cameras.
constexpr double qr_module_pt = 0.75 * pt_per_mm;
constexpr double qr_min_module_pt = 0.35 * pt_per_mm;  // below this, cameras struggle
constexpr int qr_quiet_modules = 4;                    // blank border the QR standard asks for
constexpr char32_t replacement = 0xFFFD;

enum class Align { left, centre };

struct TextStyle {
    double size;
    bool bold;
    Align align;
};

// Nothing under 9 pt: a 203 dpi thermal head draws smaller Cyrillic in too few dots to read at
// arm's length, and the rights in the footer matter as much as the rest. Values are larger than
// their labels; the number is what people copy, so it is the largest.
constexpr TextStyle office_style{9, false, Align::centre};
constexpr TextStyle title_style{13, true, Align::centre};
constexpr double title_min_size = 12;  // "ШАҒЫМДЫ ҚАБЫЛДАУ ТАЛОНЫ" fits the roll on one line
constexpr TextStyle number_label_style{9, false, Align::centre};
constexpr TextStyle number_style{24, true, Align::centre};
constexpr double number_min_size = 20;  // a number that does not fit even so wraps
constexpr TextStyle note_style{9, false, Align::centre};
constexpr TextStyle label_style{9, false, Align::left};
constexpr TextStyle value_style{11, false, Align::left};
constexpr TextStyle caption_style{9, false, Align::centre};
constexpr TextStyle footer_style{9, false, Align::left};

constexpr TextStyle bolded(TextStyle s) {
    s.bold = true;
    return s;
}

double stroke_width(const TextStyle& s) { return s.bold ? s.size * bold_stroke_em : 0.0; }

// Space kept free at each end of a line: glyph overhang plus half the bold outline.
double side_pad(const TextStyle& s) { return s.size * overhang_em + stroke_width(s) / 2; }

// Section: clean text

// The code point at s[i] and its length in bytes; U+FFFD and 1 for a malformed sequence.
std::pair<char32_t, std::size_t> decode(std::string_view s, std::size_t i) {
    const auto cp = common::decode_code_point(s, i);
    return cp ? std::pair(cp->value, cp->bytes) : std::pair(replacement, std::size_t{1});
}

// libharu's UTF-8 encoder takes only the Basic Multilingual Plane and trusts its input, so
// malformed bytes and anything beyond U+FFFF become U+FFFD; control characters become spaces
// (newlines stay: they end paragraphs).
std::string clean(std::string_view in) {
    std::string out;
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size();) {
        auto [cp, len] = decode(in, i);
        i += len;
        if (cp != '\n' && (cp < 0x20 || (cp >= 0x7F && cp < 0xA0))) cp = ' ';
        common::append_utf8(out, cp > 0xFFFF ? replacement : cp);
    }
    return out;
}

std::vector<std::string> cleaned(const std::vector<std::string>& texts) {
    std::vector<std::string> c;
    for (const std::string& s : texts) c.push_back(clean(s));
    return c;
}

Talon cleaned(const Talon& t) {
    Talon c{clean(t.office),   cleaned(t.title),     cleaned(t.number_label),
            clean(t.number),   clean(t.number_note), {},
            cleaned(t.footer), clean(t.qr_url),      clean(t.qr_caption)};
    for (const TalonLine& l : t.lines)
        c.lines.push_back({cleaned(l.label), clean(l.value), l.boxed});
    return c;
}

// Section: word wrapping on UTF-8 text

using Fits = std::function<bool(std::string_view)>;

std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> parts;
    for (std::size_t at; (at = s.find(sep)) != std::string_view::npos; s.remove_prefix(at + 1))
        parts.push_back(s.substr(0, at));
    parts.push_back(s);
    return parts;
}

// Bytes of the longest head of word that fits, cut between characters; at least one
// character, so that wrapping always moves on. A double surname breaks before a hyphen and a
// URL after a slash when one fits: a line ending in a hyphen would be read (by pdftotext too)
// as a word split in two, and the hyphen lost.
std::size_t fitting_head(std::string_view word, const Fits& fits) {
    std::size_t head = common::next_code_point(word, 0);
    for (std::size_t more; head < word.size(); head = more) {
        more = common::next_code_point(word, head);
        if (!fits(word.substr(0, more))) break;
    }
    const std::size_t joint = word.substr(0, head).find_last_of("-/");
    if (joint == std::string_view::npos || joint == 0) return head;
    return word[joint] == '/' ? joint + 1 : joint;
}

// Breaks text into lines that fit: at spaces and newlines, and inside a word only when the
// word alone is wider than a line. Runs of spaces collapse; empty lines are dropped.
std::vector<std::string> wrap(std::string_view text, const Fits& fits) {
    std::vector<std::string> lines;
    for (std::string_view paragraph : split(text, '\n')) {
        std::string line;
        for (std::string_view word : split(paragraph, ' ')) {
            if (word.empty()) continue;
            std::string longer = line.empty() ? std::string(word) : line + ' ' + std::string(word);
            if (fits(longer)) {
                line = std::move(longer);
                continue;
            }
            if (!line.empty()) lines.push_back(std::exchange(line, {}));
            while (!fits(word)) {
                const std::size_t head = fitting_head(word, fits);
                lines.emplace_back(word.substr(0, head));
                word.remove_prefix(head);
            }
            line = word;
        }
        if (!line.empty()) lines.push_back(std::move(line));
    }
    return lines;
}

// Section: layout, measured before anything is drawn so the page can be cut to fit

struct Run {
    std::string text;
    TextStyle style;
    double x;    // from the band's left edge
    double top;  // from the top of the content
    double baseline;
};

struct PlacedQr {
    QrSymbol symbol;
    double x, top, module;
};

struct Box {
    double top, bottom;  // the frame's outer edges, from the top of the content
};

struct Layout {
    std::vector<Run> runs;
    std::vector<double> rules;  // heights of thin rules across the band, from the top
    std::vector<Box> boxes;     // frames across the band
    std::optional<PlacedQr> qr;
    std::vector<double> breaks;  // heights where a page may end: below lines, rules and boxes
    double height = 0;           // bottom of the content so far
};

// The phrases once each, in order, without empty ones: "Адресат / Адресат" reads as a mistake.
std::vector<std::string_view> distinct(const std::vector<std::string>& phrases) {
    std::vector<std::string_view> out;
    for (const std::string& p : phrases)
        if (!p.empty() && std::find(out.begin(), out.end(), p) == out.end()) out.push_back(p);
    return out;
}

class Typesetter {
public:
    Typesetter(HPDF_Font font, double band) : font_(font), band_(band) {}

    double width(std::string_view text, double size) const {
        const HPDF_TextWidth w =
            HPDF_Font_TextWidth(font_, reinterpret_cast<const HPDF_BYTE*>(text.data()),
                                static_cast<HPDF_UINT>(text.size()));
        return w.width * size / 1000.0;
    }

    // Room for text across the band, less the frame's inset inside a box.
    double measure(const TextStyle& s) const { return band_ - 2 * (inset_ + side_pad(s)); }

    bool fits(std::string_view text, const TextStyle& s) const {
        return width(text, s.size) <= measure(s);
    }

    // Wrapped lines of text, gap points below what came before (nothing at the very top).
    void paragraph(std::string_view text, const TextStyle& s, double gap,
                   bool keep_with_next = false) {
        set(wrap(text, [&](std::string_view t) { return fits(t, s); }), s, gap, keep_with_next);
    }

    // The same phrase in each language: joined by " / " on one line if that fits, else one
    // phrase a line, each wrapped only if it alone is wider than the band.
    void phrases(const std::vector<std::string>& all, const TextStyle& s, double gap,
                 bool keep_with_next = false) {
        const auto each = distinct(all);
        std::string joined;
        for (std::string_view p : each) joined += (joined.empty() ? "" : " / ") + std::string(p);
        if (joined.find('\n') == std::string::npos && fits(joined, s)) {
            set({joined}, s, gap, keep_with_next);
            return;
        }
        std::vector<std::string> lines;
        for (std::string_view p : each) {
            auto more = wrap(p, [&](std::string_view t) { return fits(t, s); });
            lines.insert(lines.end(), more.begin(), more.end());
        }
        set(lines, s, gap, keep_with_next);
    }

    void rule(double gap) {
        space(gap);
        out_.rules.push_back(out_.height);
        end_block(rule_pt);
    }

    // What is set between open_box and close_box goes in a frame, inset from it, and on one
    // page: no page ends inside the frame.
    void open_box(double gap) {
        space(gap);
        box_top_ = out_.height;
        inset_ = box_line_pt + box_pad_x_pt;
        out_.height += box_line_pt + box_pad_y_pt;
    }

    void close_box() {
        inset_ = 0;
        out_.height += box_pad_y_pt + box_line_pt;
        out_.boxes.push_back({box_top_, out_.height});
        end_block(0);
    }

    // Centred, with the quiet zone above; modules shrink when the symbol would not fit. Keeps
    // with the caption printed under it.
    void qr(QrSymbol symbol) {
        const double module = std::min(qr_module_pt, band_ / (symbol.width + 2 * qr_quiet_modules));
        if (module < qr_min_module_pt)
            throw Error("printer: the status URL is too long for a readable QR code in the band");
        space(qr_quiet_modules * module);
        const double side = symbol.width * module;
        out_.qr = PlacedQr{std::move(symbol), (band_ - side) / 2, out_.height, module};
        end_block(side, false);
    }

    // The largest size, down to min, at which text fits on one line.
    TextStyle shrunk_to_fit(std::string_view text, TextStyle s, double min) const {
        while (s.size - number_shrink_step >= min && !fits(text, s)) s.size -= number_shrink_step;
        return s;
    }

    Layout take() { return std::move(out_); }

private:
    // Lines already broken to fit. A label keeps with what follows: no page ends right after it.
    void set(const std::vector<std::string>& lines, const TextStyle& s, double gap,
             bool keep_with_next) {
        if (lines.empty()) return;
        space(gap);
        const double ascent = HPDF_Font_GetAscent(font_) * s.size / 1000.0;
        const double line_height =
            (HPDF_Font_GetAscent(font_) - HPDF_Font_GetDescent(font_)) * s.size / 1000.0;
        const double pad = inset_ + side_pad(s);
        for (const std::string& line : lines) {
            const double x =
                s.align == Align::left ? pad : pad + (measure(s) - width(line, s.size)) / 2;
            out_.runs.push_back({line, s, x, out_.height, out_.height + ascent});
            end_block(line_height, !keep_with_next || &line != &lines.back());
        }
    }

    void space(double gap) {
        if (out_.height > 0) out_.height += gap;
    }

    void end_block(double height, bool page_may_end = true) {
        out_.height += height;
        if (page_may_end && inset_ == 0) out_.breaks.push_back(out_.height);
    }

    HPDF_Font font_;
    double band_;
    double inset_ = 0;    // inside a box: the frame and its padding
    double box_top_ = 0;  // of the open box
    Layout out_;
};

// A labelled fact; the deadline in bold, framed so it is the first thing the eye finds.
void fact(Typesetter& ts, const TalonLine& line) {
    if (!line.boxed) {
        ts.phrases(line.label, label_style, 8, true);
        ts.paragraph(line.value, value_style, 1);
        return;
    }
    ts.open_box(10);
    ts.phrases(line.label, bolded(label_style), 0, true);
    ts.paragraph(line.value, bolded(value_style), 1);
    ts.close_box();
}

// One size for every language's title, the largest down to min at which each fits on a line.
TextStyle title_fitting(const Typesetter& ts, const std::vector<std::string>& title) {
    TextStyle s = title_style;
    for (const std::string& line : title)
        s.size = std::min(s.size, ts.shrunk_to_fit(line, title_style, title_min_size).size);
    return s;
}

// Top to bottom; the numbers are the gaps in points above each block. Rules part the heading
// and number, the facts, and what comes after (QR code, footer).
Layout compose(const Talon& t, HPDF_Font font, double band) {
    Typesetter ts(font, band);
    ts.paragraph(t.office, office_style, 0);
    const TextStyle title = title_fitting(ts, t.title);
    for (std::size_t i = 0; i < t.title.size(); ++i)
        ts.paragraph(t.title[i], title, i == 0 ? 8 : 1);
    ts.phrases(t.number_label, number_label_style, 10, true);
    ts.paragraph(t.number, ts.shrunk_to_fit(t.number, number_style, number_min_size), 1);
    ts.paragraph(t.number_note, note_style, 4);
    if (!t.lines.empty()) ts.rule(10);
    for (const TalonLine& line : t.lines) fact(ts, line);
    if (!t.footer.empty() || !t.qr_url.empty()) ts.rule(12);
    if (!t.qr_url.empty()) {
        ts.qr(encode_qr(t.qr_url));
        ts.paragraph(t.qr_caption.empty() ? t.qr_url : t.qr_caption, caption_style, 3);
    }
    for (std::size_t i = 0; i < t.footer.size(); ++i)
        ts.paragraph(t.footer[i], footer_style, i == 0 ? 10 : 4);
    return ts.take();
}

// Section: pages

// Content heights at which each page starts: as much as fits, ending at a break. The roll
// (no page height) is one page cut to the content.
std::vector<double> page_starts(const Layout& layout, std::optional<double> usable) {
    std::vector<double> starts{0};
    if (!usable) return starts;
    std::vector<double> ends = layout.breaks;
    ends.push_back(layout.height);  // the content's end must fit too, break or not
    double fitting = 0;             // the last break that fits on the current page
    for (double b : ends) {
        if (b - starts.back() > *usable) {
            if (fitting <= starts.back() || b - fitting > *usable)
                throw Error("printer: a part of the talon is taller than the page");
            starts.push_back(fitting);
        }
        fitting = b;
    }
    return starts;
}

std::size_t page_of(const std::vector<double>& starts, double top) {
    constexpr double slack = 1e-6;  // a line that starts exactly at a break belongs below it
    return static_cast<std::size_t>(std::upper_bound(starts.begin(), starts.end(), top + slack) -
                                    starts.begin()) -
           1;
}

// Section: libharu document

// libharu reports errors through a callback. Throwing from it would unwind through C frames
// and leave libharu half-updated, so it only notes the first error; Doc::check throws.
struct Fault {
    HPDF_STATUS code = HPDF_OK;
    HPDF_STATUS detail = 0;
};

void note_fault(HPDF_STATUS code, HPDF_STATUS detail, void* user) {
    auto* fault = static_cast<Fault*>(user);
    if (fault->code == HPDF_OK) *fault = {code, detail};
}

class Doc {
public:
    Doc() : pdf_(HPDF_New(note_fault, &fault_)) {
        if (!pdf_) throw Error("printer: libharu could not create a PDF document");
    }
    ~Doc() { HPDF_Free(pdf_); }
    Doc(const Doc&) = delete;
    Doc& operator=(const Doc&) = delete;

    HPDF_Doc get() const { return pdf_; }

    // Throws if a libharu call since the document was made failed; step says what we were doing.
    void check(const std::string& step) const {
        if (fault_.code == HPDF_OK) return;
        char code[64];
        std::snprintf(code, sizeof code, "libharu error 0x%04lX, detail %lu",
                      static_cast<unsigned long>(fault_.code),
                      static_cast<unsigned long>(fault_.detail));
        std::string what = "printer: " + step + " failed: " + code;
        // For file errors libharu's detail is the errno.
        if (fault_.code == HPDF_FILE_OPEN_ERROR || fault_.code == HPDF_FILE_IO_ERROR)
            what += " (" + std::system_category().message(static_cast<int>(fault_.detail)) + ")";
        throw Error(what);
    }

private:
    Fault fault_;  // declared first: pdf_'s initialiser hands libharu its address
    HPDF_Doc pdf_;
};

HPDF_Font load_font(Doc& doc, const std::filesystem::path& path) {
    HPDF_UseUTFEncodings(doc.get());
    HPDF_SetCurrentEncoder(doc.get(), "UTF-8");
    const char* name = HPDF_LoadTTFontFromFile(doc.get(), path.c_str(), HPDF_TRUE);
    HPDF_Font font = name ? HPDF_GetFont(doc.get(), name, "UTF-8") : nullptr;
    doc.check("loading font \"" + path.string() + "\"");
    return font;
}

// Section: ToUnicode map

// libharu 2.3.0 gives a UTF-8 TrueType font its encoding CMap (one begincidrange over every
// code) as the ToUnicode map; poppler rejects that with a warning and other readers may
// extract nothing. The codes it writes for such a font are the characters' own code points
// (Identity-H, with a CIDToGIDMap), so the right map sends each code used to itself.
std::string to_unicode_cmap(const std::set<char16_t>& codes) {
    // Consecutive codes sharing a high byte make one bfrange; a block holds at most 100.
    std::vector<std::pair<char16_t, char16_t>> ranges;
    for (char16_t c : codes) {
        if (!ranges.empty() && ranges.back().second + 1 == c && (c & 0xFF) != 0)
            ranges.back().second = c;
        else
            ranges.emplace_back(c, c);
    }
    std::string cmap =
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n";
    char entry[32];
    for (std::size_t i = 0; i < ranges.size(); i += 100) {
        const std::size_t n = std::min<std::size_t>(100, ranges.size() - i);
        cmap += std::to_string(n) + " beginbfrange\n";
        for (std::size_t k = i; k < i + n; ++k) {
            const unsigned from = ranges[k].first, to = ranges[k].second;
            std::snprintf(entry, sizeof entry, "<%04X> <%04X> <%04X>\n", from, to, from);
            cmap += entry;
        }
        cmap += "endbfrange\n";
    }
    return cmap + "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n";
}

std::set<char16_t> codes_used(const Layout& layout) {
    std::set<char16_t> codes;
    for (const Run& run : layout.runs)
        for (std::size_t i = 0; i < run.text.size();) {
            const auto [cp, len] = decode(run.text, i);  // clean text: all in the BMP
            codes.insert(static_cast<char16_t>(cp));
            i += len;
        }
    return codes;
}

// Reaches into libharu's font object (its headers publish the layout) to replace the stream
// before the document is written.
void replace_to_unicode(HPDF_Font font, const std::string& cmap) {
    const auto* attr = static_cast<HPDF_FontAttr>(font->attr);
    HPDF_Dict map = attr && attr->type == HPDF_FONT_TYPE0_TT ? attr->cmap_stream : nullptr;
    if (!map || !map->stream || map->stream->type != HPDF_STREAM_MEMORY)
        throw Error(
            "printer: libharu's font is not the UTF-8 TrueType font of libharu 2.3.0; "
            "cannot write its ToUnicode map");
    HPDF_MemStream_FreeData(map->stream);
    if (HPDF_Stream_Write(map->stream, reinterpret_cast<const HPDF_BYTE*>(cmap.data()),
                          static_cast<HPDF_UINT>(cmap.size())) != HPDF_OK)
        throw Error("printer: writing the ToUnicode map failed (out of memory?)");
}

// Section: drawing

// Where one page's share of the content goes.
struct Frame {
    double left, top;  // PDF points: the band's left edge, the content's top edge
    double scale;      // of the layout onto the page
    double start;      // the content height at which this page begins
};

void draw_run(HPDF_Page page, HPDF_Font font, const Run& run, double x, double y) {
    HPDF_Page_BeginText(page);
    HPDF_Page_SetFontAndSize(page, font, static_cast<HPDF_REAL>(run.style.size));
    HPDF_Page_SetTextRenderingMode(page, run.style.bold ? HPDF_FILL_THEN_STROKE : HPDF_FILL);
    if (run.style.bold)
        HPDF_Page_SetLineWidth(page, static_cast<HPDF_REAL>(stroke_width(run.style)));
    HPDF_Page_TextOut(page, static_cast<HPDF_REAL>(x), static_cast<HPDF_REAL>(y), run.text.c_str());
    HPDF_Page_EndText(page);
}

// The frame's line runs inside the box's edges, so it stays inside the band.
void draw_box(HPDF_Page page, double band, double top, double bottom) {
    const double half = box_line_pt / 2;
    HPDF_Page_SetLineWidth(page, box_line_pt);
    HPDF_Page_Rectangle(page, static_cast<HPDF_REAL>(half), static_cast<HPDF_REAL>(bottom + half),
                        static_cast<HPDF_REAL>(band - box_line_pt),
                        static_cast<HPDF_REAL>(top - bottom - box_line_pt));
    HPDF_Page_Stroke(page);
}

void draw_rule(HPDF_Page page, double band, double y) {
    HPDF_Page_SetLineWidth(page, rule_pt);
    HPDF_Page_MoveTo(page, 0, static_cast<HPDF_REAL>(y - rule_pt / 2));
    HPDF_Page_LineTo(page, static_cast<HPDF_REAL>(band), static_cast<HPDF_REAL>(y - rule_pt / 2));
    HPDF_Page_Stroke(page);
}

// One path of rectangles, a run of dark modules each, filled at once: abutting rows then
// rasterise without hairline seams.
void draw_qr(HPDF_Page page, const PlacedQr& qr, double y) {
    const auto m = qr.module;
    for (int row = 0; row < qr.symbol.width; ++row)
        for (int col = 0; col < qr.symbol.width;) {
            if (!qr.symbol.at(col, row)) {
                ++col;
                continue;
            }
            const int from = col;
            while (col < qr.symbol.width && qr.symbol.at(col, row)) ++col;
            HPDF_Page_Rectangle(page, static_cast<HPDF_REAL>(qr.x + from * m),
                                static_cast<HPDF_REAL>(y - (row + 1) * m),
                                static_cast<HPDF_REAL>((col - from) * m),
                                static_cast<HPDF_REAL>(m));
        }
    HPDF_Page_Fill(page);
}

// Everything of the layout that starts on this page; content heights grow downwards, PDF
// heights upwards, so y = -(height - start) after the frame's transformation.
void draw_page(HPDF_Page page, HPDF_Font font, const Layout& layout, double band,
               const std::vector<double>& starts, std::size_t index, const Frame& f) {
    const auto here = [&](double top) { return page_of(starts, top) == index; };
    const auto y = [&](double height) { return -(height - f.start); };
    HPDF_Page_Concat(page, static_cast<HPDF_REAL>(f.scale), 0, 0, static_cast<HPDF_REAL>(f.scale),
                     static_cast<HPDF_REAL>(f.left), static_cast<HPDF_REAL>(f.top));
    for (const Run& run : layout.runs)
        if (here(run.top)) draw_run(page, font, run, run.x, y(run.baseline));
    for (double rule : layout.rules)
        if (here(rule)) draw_rule(page, band, y(rule));
    for (const Box& box : layout.boxes)
        if (here(box.top)) draw_box(page, band, y(box.top), y(box.bottom));
    if (layout.qr && here(layout.qr->top)) draw_qr(page, *layout.qr, y(layout.qr->top));
}

void check_style(const TalonStyle& style) {
    if (!(style.printable_width_mm >= min_band_mm &&
          style.printable_width_mm <= style.page_width_mm))
        throw Error("printer: printable width must be at least " + std::to_string(min_band_mm) +
                    " mm and no wider than the page");
    if (!(style.scale >= 0.5 && style.scale <= 3))
        throw Error("printer: talon scale must be between 0.5 and 3");
    if (!(style.margin_mm >= 0 && style.margin_mm <= 50))
        throw Error("printer: talon margin must be between 0 and 50 mm");
    if (!(style.page_height_mm == 0 || style.page_height_mm >= 2 * style.margin_mm + 40))
        throw Error(
            "printer: page height must be 0 (cut to the content) or leave 40 mm "
            "between the margins");
}

std::vector<unsigned char> pdf_bytes(Doc& doc) {
    HPDF_SaveToStream(doc.get());
    doc.check("writing the PDF");
    std::vector<unsigned char> bytes(HPDF_GetStreamSize(doc.get()));
    auto size = static_cast<HPDF_UINT32>(bytes.size());
    HPDF_ReadFromStream(doc.get(), bytes.data(), &size);  // exactly the size: no EOF error
    doc.check("reading the PDF back");
    bytes.resize(size);
    return bytes;
}

}  // namespace

// Section: entry point

std::vector<unsigned char> render_talon(const Talon& talon, const TalonStyle& style) {
    check_style(style);
    Doc doc;
    HPDF_SetCompressionMode(doc.get(), HPDF_COMP_ALL);
    doc.check("turning on compression");
    const HPDF_Font font = load_font(doc, style.font);

    const double page_width = style.page_width_mm * pt_per_mm;
    const double band = style.printable_width_mm * pt_per_mm / style.scale;  // in layout points
    const double margin = style.margin_mm * pt_per_mm;
    const Layout layout = compose(cleaned(talon), font, band);
    replace_to_unicode(font, to_unicode_cmap(codes_used(layout)));

    const bool roll = style.page_height_mm == 0;
    const double page_height =
        roll ? layout.height * style.scale + 2 * margin : style.page_height_mm * pt_per_mm;
    const auto starts = page_starts(
        layout, roll ? std::nullopt : std::optional((page_height - 2 * margin) / style.scale));
    for (std::size_t i = 0; i < starts.size(); ++i) {
        HPDF_Page page = HPDF_AddPage(doc.get());
        HPDF_Page_SetWidth(page, static_cast<HPDF_REAL>(page_width));
        HPDF_Page_SetHeight(page, static_cast<HPDF_REAL>(page_height));
        doc.check("making a page " + std::to_string(static_cast<int>(page_height / pt_per_mm)) +
                  " mm tall");
        const Frame frame{(page_width - style.printable_width_mm * pt_per_mm) / 2,
                          page_height - margin, style.scale, starts[i]};
        draw_page(page, font, layout, band, starts, i, frame);
        doc.check("drawing the talon");
    }
    return pdf_bytes(doc);
}

}  // namespace printer
