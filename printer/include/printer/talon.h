// printer: the talon (receipt) a citizen takes away as proof that the complaint was accepted.
// Pure layout and file output; knows nothing of languages, complaints or the UI: the caller
// passes the words already translated.
#pragma once
#include "printer/error.h"

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

namespace printer {

// One labelled fact on the talon.
struct TalonLine {
    // The same label in each language of the talon, e.g. {"Адресат", "Адресат"}: joined by
    // " / " on one line where that fits, else one language a line, so a label never breaks
    // mid-phrase (only a single phrase wider than the band wraps). Equal phrases print once.
    std::vector<std::string> label;
    std::string value;
    bool boxed = false;  // bold in a frame: the deadline
};

// What goes on the talon, top to bottom: office, title, number label, number, number note, a
// rule, lines, a rule, the QR code with its caption, footer. Strings are UTF-8: malformed bytes and
// characters beyond U+FFFF print as U+FFFD, control characters as spaces; "\n" starts a new
// paragraph. Empty fields take no room.
struct Talon {
    std::string office;
    std::vector<std::string> title;         // one line per language
    std::vector<std::string> number_label;  // phrases, laid out as TalonLine::label
    std::string number;                     // registration number, in large type
    std::string number_note;
    std::vector<TalonLine> lines;
    std::vector<std::string> footer;  // paragraphs at the bottom
    std::string qr_url;               // encoded in the QR code; "" = no QR code
    std::string qr_caption;  // printed under the QR code: the short readable address ("" = qr_url)
};

struct TalonStyle {
    std::filesystem::path font;        // TTF with every glyph used (assets/fonts)
    double page_width_mm = 80.0;       // thermal roll; 210 for A4
    double printable_width_mm = 72.0;  // nothing is drawn outside this band, centred on the page
    double page_height_mm = 0.0;       // 0: cut to the content (roll); else pages of this height
    double margin_mm = 4.0;            // blank paper above and below the content
    double scale = 1.0;                // type and QR size; larger on A4 for reading at arm's length

    static TalonStyle roll80(std::filesystem::path font);  // 80 mm roll, 72 mm printed, cut to fit
    static TalonStyle a4(std::filesystem::path font);      // A4 pages, 180 mm printed, type x1.2
};

// Lays the talon out and returns the PDF bytes. Throws Error with a clear message.
std::vector<unsigned char> render_talon(const Talon& talon, const TalonStyle& style);

// Writes the PDF into dir as name (plus ".pdf") atomically: a temp file, fsync, rename, fsync
// of the folder, so a power cut leaves either the whole talon or none. The talon names the
// applicant: the file is 0600 and a missing dir is made 0700. Returns the final path.
std::filesystem::path spool_talon(const std::filesystem::path& dir, const std::string& name,
                                  const std::vector<unsigned char>& pdf);

// The newest talons in dir (by modification time, newest first, at most max): what service
// mode offers for reprint. A missing folder has none.
std::vector<std::filesystem::path> recent_talons(const std::filesystem::path& dir, std::size_t max);

}  // namespace printer
