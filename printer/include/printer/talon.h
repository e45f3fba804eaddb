// printer: the talon (receipt) a citizen takes away as proof that the complaint was accepted.
// Pure layout and file output; knows nothing of languages, complaints or the UI: the caller
// passes the words already translated.
#pragma once
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace printer {

struct Error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// One labelled fact on the talon, e.g. {"Адресат / Адресат", "Руководитель услугодателя"}.
struct TalonLine {
    std::string label;
    std::string value;
};

// What goes on the talon, top to bottom. All strings are valid UTF-8 (callers validate).
struct Talon {
    std::string office;                   // the office the kiosk stands in
    std::vector<std::string> title;       // one line per language, e.g. "ШАҒЫМ ТАЛОНЫ", "ТАЛОН"
    std::string number_label;             // e.g. "Тіркеу нөмірі / Регистрационный номер"
    std::string number;                   // registration number, printed in large type
    std::vector<TalonLine> lines;         // date and time, addressee, applicant, accepted by...
    std::vector<std::string> footer;      // free paragraphs at the bottom (tracking, court)
};

struct TalonStyle {
    std::filesystem::path font;           // TTF with every glyph used (assets/fonts)
    double page_width_mm = 80.0;          // thermal roll; 210 for A4
    double printable_width_mm = 72.0;     // text never leaves this band, centred on the page
};

// Lays the talon out and returns the PDF bytes. Throws Error with a clear message.
std::vector<unsigned char> render_talon(const Talon& talon, const TalonStyle& style);

// Writes the PDF into dir as name (plus ".pdf") atomically: a temp file, fsync, rename, fsync
// of the folder, so a power cut leaves either the whole talon or none. Returns the final path.
std::filesystem::path spool_talon(const std::filesystem::path& dir, const std::string& name,
                                  const std::vector<unsigned char>& pdf);

}  // namespace printer
