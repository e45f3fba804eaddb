// Talon printer tests: the PDF is valid, small and searchable, text stays inside the printable
// band, and spooling is atomic. Uses qpdf and poppler-utils as outside judges.
#include "printer/talon.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

extern char** environ;

namespace {

namespace fs = std::filesystem;

// Section: sample talons

printer::TalonStyle roll() { return {KIOSK_FONT}; }

printer::Talon sample() {
    return {
        "Астана қаласы әкімдігі / Акимат города Астаны",
        {"ШАҒЫМ ТАЛОНЫ", "ТАЛОН О ПРИЁМЕ ЖАЛОБЫ"},
        "Тіркеу нөмірі / Регистрационный номер",
        "ЖТ-2026-00000742",
        {
            {"Қабылданған күні мен уақыты / Дата и время приёма", "27.11.2026 10:15"},
            {"Адресат / Адресат", "Руководитель услугодателя"},
            {"Өтініш беруші / Заявитель", "Әбілқасымова А. Қ."},
            {"Қабылдаған / Принял", "Кенжебаева Г. С., киоск KSK-AKM-001"},
        },
        {"Шағымның қаралу барысын eotinish.kz сайтында нөмірі бойынша тексеруге болады.",
         "Ход рассмотрения жалобы можно проверить по номеру на сайте eotinish.kz."},
    };
}

// An address of long Kazakh words, about 300 characters.
std::string long_address() {
    std::string address;
    while (address.size() < 600)  // two bytes a letter
        address += "Мемлекеттендірілмегендіктеріңізден Қарағандыоблысыжезқазғанқаласы ";
    return address;
}

// 60 characters with no space to break at.
std::string long_token() {
    std::string token;
    for (int i = 0; i < 6; ++i) token += "ӘҒҚҢӨҰҮҺІ" + std::to_string(i);
    return token;
}

printer::Talon long_values() {
    printer::Talon t = sample();
    t.number = "ЖТ-2026-00000742-ҚАЙТАТІРКЕЛГЕН";  // shrinks to fit
    t.lines.push_back({"Мекенжайы / Адрес", long_address()});
    t.lines.push_back({"Токен / Токен", long_token()});
    return t;
}

// Section: helpers

std::string collapse_spaces(const std::string& s) {
    std::istringstream in(s);
    std::string word, out;
    while (in >> word) out += (out.empty() ? "" : " ") + word;
    return out;
}

std::string strip_spaces(std::string s) {
    std::erase_if(s, [](unsigned char c) { return std::isspace(c); });
    return s;
}

std::string slurp(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

// A fresh folder, removed with everything in it at the end of the test.
class ScratchDir {
public:
    ScratchDir() {
        std::string pattern = (fs::temp_directory_path() / "talon_test.XXXXXX").string();
        if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
        path_ = pattern;
    }
    ~ScratchDir() { fs::remove_all(path_); }
    const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

struct Output {
    int status = -1;  // exit status, -1 if the program did not start or did not exit
    std::string out, err;
};

// Runs a program without a shell; stdout and stderr are captured apart, through files.
Output run(std::vector<std::string> args, const fs::path& scratch) {
    const fs::path out = scratch / "stdout", err = scratch / "stderr";
    posix_spawn_file_actions_t files;
    posix_spawn_file_actions_init(&files);
    posix_spawn_file_actions_addopen(&files, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&files, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = 0;
    const int rc = ::posix_spawnp(&pid, argv[0], &files, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&files);
    if (rc != 0) return {-1, "", "cannot start " + args[0] + ": " + std::strerror(rc)};
    int status = 0;
    ::waitpid(pid, &status, 0);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(out), slurp(err)};
}

fs::path write_pdf(const std::vector<unsigned char>& pdf, const fs::path& path) {
    std::ofstream(path, std::ios::binary)
        .write(reinterpret_cast<const char*>(pdf.data()), static_cast<std::streamsize>(pdf.size()));
    return path;
}

struct Gray {
    int width = 0, height = 0;
    std::vector<unsigned char> pixels;  // row by row, 0 black .. 255 white
    int at(int x, int y) const { return pixels[static_cast<std::size_t>(y) * width + x]; }
};

// Binary PGM (P5) as pdftoppm writes it: no comments, 8-bit samples.
Gray read_pgm(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::string magic;
    int max = 0;
    Gray g;
    in >> magic >> g.width >> g.height >> max;
    in.get();  // the single whitespace after the header
    if (magic != "P5" || max != 255 || g.width <= 0 || g.height <= 0)
        throw std::runtime_error("bad PGM");
    g.pixels.resize(static_cast<std::size_t>(g.width) * g.height);
    in.read(reinterpret_cast<char*>(g.pixels.data()),
            static_cast<std::streamsize>(g.pixels.size()));
    if (!in) throw std::runtime_error("short PGM");
    return g;
}

constexpr int dpi = 150;
constexpr double px_per_mm = dpi / 25.4;

Gray rasterise(const fs::path& pdf, const fs::path& scratch) {
    const fs::path stem = scratch / "page";
    const Output r = run({"pdftoppm", "-r", std::to_string(dpi), "-gray", "-singlefile",
                          pdf.string(), stem.string()},
                         scratch);
    if (r.status != 0) throw std::runtime_error("pdftoppm failed: " + r.err);
    return read_pgm(stem.string() + ".pgm");
}

// The box around the centres of the dark pixels, in millimetres of the page: a pixel that
// straddles the band's edge is judged by where most of it lies.
struct Ink {
    double left = 1e9, right = -1e9, top = 1e9, bottom = -1e9;
};

Ink ink(const Gray& g) {
    constexpr int dark = 192;  // anti-aliased edges of glyphs count too
    Ink box;
    for (int y = 0; y < g.height; ++y)
        for (int x = 0; x < g.width; ++x)
            if (g.at(x, y) < dark) {
                box.left = std::min(box.left, (x + 0.5) / px_per_mm);
                box.right = std::max(box.right, (x + 0.5) / px_per_mm);
                box.top = std::min(box.top, (y + 0.5) / px_per_mm);
                box.bottom = std::max(box.bottom, (y + 0.5) / px_per_mm);
            }
    return box;
}

// Renders the talon and checks its ink stays in the band centred on the page.
Ink check_band(const printer::Talon& talon, const printer::TalonStyle& style,
               const ScratchDir& dir) {
    const fs::path pdf = write_pdf(printer::render_talon(talon, style), dir.path() / "talon.pdf");
    const Gray page = rasterise(pdf, dir.path());
    EXPECT_NEAR(page.width / px_per_mm, style.page_width_mm, 0.5);
    const double margin = (style.page_width_mm - style.printable_width_mm) / 2;
    const Ink box = ink(page);
    EXPECT_GE(box.left, margin);
    EXPECT_LE(box.right, style.page_width_mm - margin);
    // The page is cut to the content, with blank paper above and below.
    EXPECT_GT(box.top, 1.0);
    EXPECT_LT(box.bottom, page.height / px_per_mm - 1.0);
    return box;
}

// Section: the PDF

TEST(Talon, IsSmallValidAndSearchable) {
    const ScratchDir dir;
    const std::vector<unsigned char> bytes = printer::render_talon(sample(), roll());
    std::cout << "talon PDF: " << bytes.size() << " bytes\n";
    RecordProperty("pdf_bytes", static_cast<int>(bytes.size()));
    EXPECT_LT(bytes.size(), 120u * 1024);
    const fs::path pdf = write_pdf(bytes, dir.path() / "talon.pdf");

    const Output check = run({"qpdf", "--check", pdf.string()}, dir.path());
    EXPECT_EQ(check.status, 0) << check.out << check.err;

    const Output text = run({"pdftotext", "-layout", pdf.string(), "-"}, dir.path());
    ASSERT_EQ(text.status, 0) << text.err;
    // libharu 2.3.0 writes a ToUnicode CMap poppler complains about; noted, not yet failed on.
    std::cout << "pdftotext stderr: " << (text.err.empty() ? "(none)" : text.err) << "\n";
    RecordProperty("pdftotext_stderr", text.err);
    const std::string words = collapse_spaces(text.out);
    for (const char* expected :
         {"ЖТ-2026-00000742", "ШАҒЫМ ТАЛОНЫ", "ТАЛОН О ПРИЁМЕ ЖАЛОБЫ",
          "Қабылданған күні мен уақыты", "Дата и время приёма", "27.11.2026 10:15",
          "Әбілқасымова А. Қ.", "Руководитель услугодателя", "Кенжебаева Г. С., киоск KSK-AKM-001",
          "eotinish.kz"})
        EXPECT_NE(words.find(expected), std::string::npos) << expected << "\nin:\n" << text.out;
}

TEST(Talon, StaysInsideTheRollBand) {
    const ScratchDir dir;
    const Ink box = check_band(sample(), roll(), dir);
    EXPECT_GT(box.bottom - box.top, 60.0);  // something was drawn
}

TEST(Talon, WrapsLongValuesInsideTheBand) {
    const ScratchDir dir;
    const printer::Talon talon = long_values();
    const Ink box = check_band(talon, roll(), dir);
    EXPECT_GT(box.right, 70.0);  // long lines do fill the band: the check above has teeth

    // Wrapped, but no character was cut in two: the text reads back whole without the breaks.
    const Output text = run({"pdftotext", (dir.path() / "talon.pdf").string(), "-"}, dir.path());
    const std::string joined = strip_spaces(text.out);
    EXPECT_NE(joined.find(strip_spaces(long_address())), std::string::npos) << text.out;
    EXPECT_NE(joined.find(long_token()), std::string::npos) << text.out;
    EXPECT_NE(joined.find(talon.number), std::string::npos) << text.out;
}

TEST(Talon, FitsA4Width) {
    const ScratchDir dir;
    printer::TalonStyle a4 = roll();
    a4.page_width_mm = 210;
    a4.printable_width_mm = 190;
    const Ink box = check_band(long_values(), a4, dir);
    EXPECT_GT(box.right, 150.0);
}

// libharu 2.3.0 embeds a composite glyph without its parts (DejaVu draws Cyrillic Е with Latin
// E, Ё with Е and a dieresis): make-subset decomposes them, and a font that is not shows here.
TEST(Talon, DrawsWholeLetters) {
    const ScratchDir dir;
    for (const char* letter : {"Е", "Ё", "Й", "Ї"}) {
        printer::Talon talon;
        talon.title = {letter};
        const fs::path pdf =
            write_pdf(printer::render_talon(talon, roll()), dir.path() / "letter.pdf");
        const Ink box = ink(rasterise(pdf, dir.path()));
        EXPECT_GT(box.bottom - box.top, 2.5) << letter;  // a capital's height, not just an accent
    }
}

TEST(Talon, MissingFontThrows) {
    printer::TalonStyle style = roll();
    style.font = "/nonexistent/KioskSans.ttf";
    try {
        printer::render_talon(sample(), style);
        FAIL() << "no exception";
    } catch (const printer::Error& e) {
        EXPECT_NE(std::string(e.what()).find("/nonexistent/KioskSans.ttf"), std::string::npos)
            << e.what();
        EXPECT_NE(std::string(e.what()).find("No such file"), std::string::npos) << e.what();
    }
}

TEST(Talon, RejectsBandWiderThanPage) {
    printer::TalonStyle style = roll();
    style.printable_width_mm = 90;
    EXPECT_THROW(printer::render_talon(sample(), style), printer::Error);
}

// Section: spooling

TEST(Spool, WritesWholeFileAndNoTemp) {
    const ScratchDir dir;
    const fs::path spool = dir.path() / "spool" / "today";  // created on demand
    const std::vector<unsigned char> pdf = printer::render_talon(sample(), roll());
    const fs::path path = printer::spool_talon(spool, "ЖТ-2026-00000742", pdf);
    EXPECT_EQ(path, spool / "ЖТ-2026-00000742.pdf");
    EXPECT_EQ(slurp(path), std::string(pdf.begin(), pdf.end()));
    EXPECT_FALSE(fs::exists(spool / "ЖТ-2026-00000742.pdf.tmp"));

    // A reprint replaces the file whole.
    printer::spool_talon(spool, "ЖТ-2026-00000742", {'x'});
    EXPECT_EQ(slurp(path), "x");
    EXPECT_EQ(std::distance(fs::directory_iterator(spool), fs::directory_iterator()), 1);
}

TEST(Spool, RejectsBadNames) {
    const ScratchDir dir;
    using namespace std::string_literals;
    for (const std::string& name : {""s, ".hidden"s, ".."s, "a/b"s, "/etc/x"s, "a\0b"s})
        EXPECT_THROW(printer::spool_talon(dir.path(), name, {'x'}), printer::Error) << name;
    EXPECT_TRUE(fs::is_empty(dir.path()));
}

TEST(Spool, ReportsErrno) {
    const ScratchDir dir;
    const fs::path file = dir.path() / "not-a-folder";
    std::ofstream(file) << "x";
    try {
        printer::spool_talon(file / "spool", "t", {'x'});
        FAIL() << "no exception";
    } catch (const printer::Error& e) {
        EXPECT_NE(std::string(e.what()).find("Not a directory"), std::string::npos) << e.what();
    }
}

}  // namespace
