// printer/talon: lays the talon out and draws it into a PDF with libharu.
#include "printer/talon.h"

#include <hpdf.h>

#include <cstdio>
#include <functional>
#include <string_view>
#include <system_error>
#include <utility>

namespace printer {
namespace {

// Section: measures (PDF points unless the name says otherwise)

constexpr double pt_per_mm = 72.0 / 25.4;
constexpr double margin_mm = 4.0;  // paper left blank above and below the text
constexpr int min_band_mm = 20;    // narrower and a single large glyph may not fit
constexpr double rule_pt = 0.5;
constexpr double bold_stroke_em = 0.04;     // outline that thickens the regular face
constexpr double number_shrink_step = 0.5;  // points taken off a number too wide to fit
// DejaVu ink reaches 0.05 em left of a glyph's origin ('J') and 0.03 em past its advance
// ('í'); keeping that much clear of the band's edges keeps every pixel inside it.
constexpr double overhang_em = 0.06;

enum class Align { left, centre };

struct TextStyle {
    double size;
    bool bold;
    Align align;
};

constexpr TextStyle office_style{7.5, false, Align::centre};
constexpr TextStyle title_style{11.5, true, Align::centre};
constexpr TextStyle number_label_style{7.5, false, Align::centre};
constexpr TextStyle number_style{18.0, true, Align::centre};
constexpr TextStyle label_style{7.5, false, Align::left};
constexpr TextStyle value_style{9.0, false, Align::left};
constexpr TextStyle footer_style{7.5, false, Align::left};

double stroke_width(const TextStyle& s) { return s.bold ? s.size * bold_stroke_em : 0.0; }

// Space kept free at each end of a line: glyph overhang plus half the bold outline.
double side_pad(const TextStyle& s) { return s.size * overhang_em + stroke_width(s) / 2; }

// Section: word wrapping on UTF-8 text

using Fits = std::function<bool(std::string_view)>;

std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> parts;
    for (std::size_t at; (at = s.find(sep)) != std::string_view::npos; s.remove_prefix(at + 1))
        parts.push_back(s.substr(0, at));
    parts.push_back(s);
    return parts;
}

// Index just past the UTF-8 character that starts at i.
std::size_t next_char(std::string_view s, std::size_t i) {
    do ++i;
    while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80);
    return i;
}

// Bytes of the longest head of word that fits, cut between characters; at least one
// character, so that wrapping always moves on.
std::size_t fitting_head(std::string_view word, const Fits& fits) {
    std::size_t head = next_char(word, 0);
    for (std::size_t more; head < word.size(); head = more) {
        more = next_char(word, head);
        if (!fits(word.substr(0, more))) break;
    }
    return head;
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
    double x;         // from the band's left edge
    double baseline;  // from the top of the content
};

struct Layout {
    std::vector<Run> runs;
    std::vector<double> rules;  // heights of thin rules across the band, from the top
    double height = 0;          // bottom of the content so far
};

class Typesetter {
public:
    Typesetter(HPDF_Font font, double band) : font_(font), band_(band) {}

    double width(std::string_view text, double size) const {
        const HPDF_TextWidth w =
            HPDF_Font_TextWidth(font_, reinterpret_cast<const HPDF_BYTE*>(text.data()),
                                static_cast<HPDF_UINT>(text.size()));
        return w.width * size / 1000.0;
    }

    bool fits(std::string_view text, const TextStyle& s) const {
        return width(text, s.size) <= band_ - 2 * side_pad(s);
    }

    // Wrapped lines of text, gap points below what came before (nothing at the very top).
    void paragraph(std::string_view text, const TextStyle& s, double gap) {
        const auto lines = wrap(text, [&](std::string_view t) { return fits(t, s); });
        if (lines.empty()) return;
        if (!out_.runs.empty()) out_.height += gap;
        const double ascent = HPDF_Font_GetAscent(font_) * s.size / 1000.0;
        const double line_height =
            (HPDF_Font_GetAscent(font_) - HPDF_Font_GetDescent(font_)) * s.size / 1000.0;
        const double pad = side_pad(s);
        for (const std::string& line : lines) {
            const double x =
                s.align == Align::left ? pad : pad + (band_ - 2 * pad - width(line, s.size)) / 2;
            out_.runs.push_back({line, s, x, out_.height + ascent});
            out_.height += line_height;
        }
    }

    void rule(double gap) {
        out_.height += gap;
        out_.rules.push_back(out_.height);
    }

    // The largest size, down to min, at which text fits on one line.
    TextStyle shrunk_to_fit(std::string_view text, TextStyle s, double min) const {
        while (s.size - number_shrink_step >= min && !fits(text, s)) s.size -= number_shrink_step;
        return s;
    }

    Layout take() { return std::move(out_); }

private:
    HPDF_Font font_;
    double band_;
    Layout out_;
};

// Top to bottom; the numbers are the gaps in points above each block.
Layout compose(const Talon& t, HPDF_Font font, double band) {
    Typesetter ts(font, band);
    ts.paragraph(t.office, office_style, 0);
    for (std::size_t i = 0; i < t.title.size(); ++i)
        ts.paragraph(t.title[i], title_style, i == 0 ? 6 : 1);
    ts.paragraph(t.number_label, number_label_style, 8);
    // A long number shrinks to the values' size, then wraps.
    ts.paragraph(t.number, ts.shrunk_to_fit(t.number, number_style, value_style.size), 2);
    for (const TalonLine& line : t.lines) {
        ts.paragraph(line.label, label_style, 7);
        ts.paragraph(line.value, value_style, 1);
    }
    if (!t.footer.empty()) ts.rule(8);
    for (std::size_t i = 0; i < t.footer.size(); ++i)
        ts.paragraph(t.footer[i], footer_style, i == 0 ? 8 : 4);
    return ts.take();
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

// Section: drawing

void draw_run(HPDF_Page page, HPDF_Font font, const Run& run, double x, double y) {
    HPDF_Page_BeginText(page);
    HPDF_Page_SetFontAndSize(page, font, static_cast<HPDF_REAL>(run.style.size));
    HPDF_Page_SetTextRenderingMode(page, run.style.bold ? HPDF_FILL_THEN_STROKE : HPDF_FILL);
    if (run.style.bold)
        HPDF_Page_SetLineWidth(page, static_cast<HPDF_REAL>(stroke_width(run.style)));
    HPDF_Page_TextOut(page, static_cast<HPDF_REAL>(x), static_cast<HPDF_REAL>(y), run.text.c_str());
    HPDF_Page_EndText(page);
}

void draw_rule(HPDF_Page page, double left, double right, double y) {
    HPDF_Page_SetLineWidth(page, rule_pt);
    HPDF_Page_MoveTo(page, static_cast<HPDF_REAL>(left), static_cast<HPDF_REAL>(y));
    HPDF_Page_LineTo(page, static_cast<HPDF_REAL>(right), static_cast<HPDF_REAL>(y));
    HPDF_Page_Stroke(page);
}

void check_style(const TalonStyle& style) {
    if (!(style.printable_width_mm >= min_band_mm &&
          style.printable_width_mm <= style.page_width_mm))
        throw Error("printer: printable width must be at least " + std::to_string(min_band_mm) +
                    " mm and no wider than the page");
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
    const double band = style.printable_width_mm * pt_per_mm;
    const double left = (page_width - band) / 2;
    const double top = margin_mm * pt_per_mm;
    const Layout layout = compose(talon, font, band);
    const double page_height = layout.height + 2 * top;

    HPDF_Page page = HPDF_AddPage(doc.get());
    HPDF_Page_SetWidth(page, static_cast<HPDF_REAL>(page_width));
    HPDF_Page_SetHeight(page, static_cast<HPDF_REAL>(page_height));
    doc.check("making a page " + std::to_string(static_cast<int>(page_height / pt_per_mm)) +
              " mm tall");

    for (const Run& run : layout.runs)
        draw_run(page, font, run, left + run.x, page_height - top - run.baseline);
    for (double y : layout.rules) draw_rule(page, left, left + band, page_height - top - y);
    doc.check("drawing the talon");
    return pdf_bytes(doc);
}

}  // namespace printer
