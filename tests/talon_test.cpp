// Talon printer tests: every field of the talon comes out in Kazakh alone and with Russian or
// English, in type large enough for an 80 mm roll (nothing under 9 pt), labels never break
// mid-phrase, the deadline is framed and kept on one page, long values wrap inside the
// printable band on the roll and on A4, the PDF is small and valid, its text comes back without
// a warning, its QR code reads as the status URL, and spooling is atomic. qpdf, poppler-utils
// and zbarimg are the outside judges.
#include "printer/talon.h"

#include "pdf_words.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <regex>
#include <sstream>

extern char** environ;

namespace {

namespace fs = std::filesystem;

constexpr std::size_t max_pdf_bytes = 50 * 1024;

// Section: sample talons, worded as the kiosk words them

// The talon's words in one language (assets/i18n/*.po).
struct Words {
    std::string title, number, accepted_at, addressee, head_of_provider, applicant, accepted_by,
        kiosk, answer_date, tracking, court, local_number, offline_note;
};

const Words kk{"ШАҒЫМДЫ ҚАБЫЛДАУ ТАЛОНЫ",
               "Тіркеу нөмірі",
               "Қабылданған күні мен уақыты",
               "Адресат",
               "Көрсетілетін қызметті берушінің басшысына",
               "Өтініш беруші",
               "Қабылдаған",
               "киоск",
               "Жауап берілетін күн",
               "Шағымның барысы: киоскіде нөмір бойынша, QR-код, 1414, 8-800-080-7777 (тегін).",
               "Қызмет нәтижесімен келіспеген жағдайда сотқа жүгінуге құқылысыз.",
               "Жергілікті нөмір",
               "Шағым киоскіде сақталды және тізілімге автоматты түрде жіберіледі."};
const Words ru{"ТАЛОН О ПРИЁМЕ ЖАЛОБЫ",
               "Регистрационный номер",
               "Дата и время приёма",
               "Адресат",
               "Руководителю услугодателя",
               "Заявитель",
               "Принял",
               "киоск",
               "Ожидаемая дата ответа",
               "Ход рассмотрения: на киоске по номеру, QR-код, 1414, 8-800-080-7777 (бесплатно).",
               "Вы вправе обратиться в суд, если не согласны с результатом услуги.",
               "Локальный номер",
               "Жалоба сохранена в киоске и будет отправлена в реестр автоматически."};
const Words en{
    "COMPLAINT RECEIPT",
    "Registration number",
    "Accepted on",
    "Addressee",
    "The head of the service provider",
    "Applicant",
    "Accepted by",
    "kiosk",
    "Expected answer by",
    "Progress: on the kiosk by number, QR code, 1414, 8-800-080-7777 (free).",
    "You have the right to go to court if you disagree with the result of the service.",
    "Local number",
    "The complaint is saved in the kiosk and will be sent to the register automatically."};

const std::string status_url = "https://eotinish.kz/status/%D0%96%D0%A2-2026-00000742";

// Kazakh, the state language, always comes first; the citizen's own language follows.
std::vector<const Words*> languages(const std::string& citizen) {
    if (citizen == "ru") return {&kk, &ru};
    if (citizen == "en") return {&kk, &en};
    return {&kk};
}

// The field in each language, as a label's phrases.
std::vector<std::string> phrases(const std::vector<const Words*>& langs,
                                 std::string Words::*field) {
    std::vector<std::string> out;
    for (const Words* w : langs) out.push_back(w->*field);
    return out;
}

std::string both(const std::vector<const Words*>& langs, std::string Words::*field,
                 const std::string& sep = " / ") {
    std::string out;
    for (const Words* w : langs) out += (out.empty() ? "" : sep) + w->*field;
    return out;
}

const std::string applicant = "Әбілқасымова А. Қ.";
const std::string deadline = "04.12.2026";

printer::Talon talon_in(const std::string& citizen) {
    const auto l = languages(citizen);
    printer::Talon t;
    t.office = "Ақмола облысы әкімдігінің мемлекеттік қызметтер орталығы";
    for (const Words* w : l) t.title.push_back(w->title);
    t.number_label = phrases(l, &Words::number);
    t.number = "ЖТ-2026-00000742";
    t.lines = {
        {phrases(l, &Words::accepted_at), "27.11.2026 10:15 (Asia/Almaty)"},
        {phrases(l, &Words::addressee), both(l, &Words::head_of_provider)},
        {phrases(l, &Words::applicant), applicant},
        {phrases(l, &Words::accepted_by),
         "Кенжебаева Г. С., " + both(l, &Words::kiosk) + " KSK-AKM-001"},
        {phrases(l, &Words::answer_date), deadline, true},
    };
    for (const Words* w : l) t.footer.push_back(w->tracking);
    for (const Words* w : l) t.footer.push_back(w->court);
    t.qr_url = status_url;
    t.qr_caption = "eotinish.kz/status/ЖТ-2026-00000742";
    return t;
}

// Offline: the kiosk's local number, and a note on where the register's number will be.
printer::Talon offline_in(const std::string& citizen) {
    printer::Talon t = talon_in(citizen);
    const auto l = languages(citizen);
    t.number_label = phrases(l, &Words::local_number);
    t.number = "KSK-AKM-001-000193";
    t.number_note = both(l, &Words::offline_note, " ");
    t.lines.pop_back();  // no answer date before the register has the complaint
    return t;
}

// Every value a citizen or a clerk will look for on the talon.
std::vector<std::string> fields(const printer::Talon& t) {
    std::vector<std::string> all{t.office, t.number, t.number_note,
                                 t.qr_url.empty()       ? ""
                                 : t.qr_caption.empty() ? t.qr_url
                                                        : t.qr_caption};
    all.insert(all.end(), t.title.begin(), t.title.end());
    all.insert(all.end(), t.number_label.begin(), t.number_label.end());
    for (const printer::TalonLine& line : t.lines) {
        all.insert(all.end(), line.label.begin(), line.label.end());
        all.push_back(line.value);
    }
    all.insert(all.end(), t.footer.begin(), t.footer.end());
    std::erase(all, "");
    return all;
}

// A long surname and an address of long words in each script, about 300 characters.
printer::Talon long_values(const std::string& citizen) {
    printer::Talon t = talon_in(citizen);
    t.number = "ЖТ-2026-00000742-ҚАЙТАТІРКЕЛГЕН";  // shrinks to fit
    t.lines[2].value = "Мұхамеджанқызы-Сейітқасымова-Тұрсынбекова Ә. Б.";
    std::string address;
    while (address.size() < 600)  // two bytes a letter
        address += citizen == "en"
                       ? "Karagandyoblysyzhezkazgancity Nursultannazarbayevavenue "
                       : "Мемлекеттендірілмегендіктеріңізден Қарағандыоблысыжезқазғанқаласы ";
    t.lines.push_back({{"Мекенжайы", "Адрес"}, address});
    // 60 characters with no space to break at.
    std::string token;
    for (int i = 0; i < 6; ++i) token += "ӘҒҚҢӨҰҮҺІ" + std::to_string(i);
    t.lines.push_back({{"Токен", "Токен"}, token});
    // A single phrase wider than the band: it alone may wrap.
    t.lines.push_back({{"Мемлекеттендірілмегендіктеріңізден мемлекеттендірілмегендіктеріңізден "
                        "мемлекеттендірілмегендіктеріңізден"},
                       "иә"});
    return t;
}

printer::TalonStyle roll() { return printer::TalonStyle::roll80(KIOSK_FONT); }
printer::TalonStyle a4() { return printer::TalonStyle::a4(KIOSK_FONT); }

// Section: helpers

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

// Runs a program without a shell; stdout and stderr are captured apart (through files), as
// the tests look for warnings on stderr.
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

// The PDF's text with all white space removed, failing the test on any warning.
std::string text_of(const fs::path& pdf, const fs::path& scratch) {
    const Output text = run({"pdftotext", pdf.string(), "-"}, scratch);
    EXPECT_EQ(text.status, 0) << text.err;
    EXPECT_EQ(text.err, "") << "pdftotext warned";
    return strip_spaces(text.out);
}

int page_count(const fs::path& pdf, const fs::path& scratch) {
    const Output info = run({"pdfinfo", pdf.string()}, scratch);
    const auto at = info.out.find("Pages:");
    return at == std::string::npos ? 0 : std::stoi(info.out.substr(at + 6));
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

Gray rasterise(const fs::path& pdf, const fs::path& scratch, int page = 1) {
    const fs::path stem = scratch / "page";
    const Output r =
        run({"pdftoppm", "-r", std::to_string(dpi), "-gray", "-f", std::to_string(page), "-l",
             std::to_string(page), "-singlefile", pdf.string(), stem.string()},
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

// Renders the talon and checks the ink of every page stays in the band centred on the page
// and inside the margins above and below. Returns the first page's ink.
Ink check_band(const printer::Talon& talon, const printer::TalonStyle& style,
               const ScratchDir& dir) {
    const fs::path pdf = write_pdf(printer::render_talon(talon, style), dir.path() / "talon.pdf");
    const double side = (style.page_width_mm - style.printable_width_mm) / 2;
    Ink first;
    for (int page = 1, pages = page_count(pdf, dir.path()); page <= pages; ++page) {
        const Gray g = rasterise(pdf, dir.path(), page);
        const double height_mm = g.height / px_per_mm;
        EXPECT_NEAR(g.width / px_per_mm, style.page_width_mm, 0.5);
        if (style.page_height_mm > 0) {
            EXPECT_NEAR(height_mm, style.page_height_mm, 0.5);
        }
        const Ink box = ink(g);
        EXPECT_GE(box.left, side) << "page " << page;
        EXPECT_LE(box.right, style.page_width_mm - side) << "page " << page;
        EXPECT_GE(box.top, style.margin_mm - 0.5) << "page " << page;
        EXPECT_LE(box.bottom, height_mm - style.margin_mm + 0.5) << "page " << page;
        if (page == 1) first = box;
    }
    return first;
}

// zbarimg on the first page rendered at 200 dpi, as a phone camera would see it.
Output zbar(const fs::path& pdf, const ScratchDir& dir) {
    const fs::path stem = dir.path() / "qr";
    const Output png = run({"pdftoppm", "-r", "200", "-png", "-f", "1", "-l", "1", "-singlefile",
                            pdf.string(), stem.string()},
                           dir.path());
    EXPECT_EQ(png.status, 0) << png.err;
    return run({"zbarimg", "--quiet", "--raw", stem.string() + ".png"}, dir.path());
}

// What zbarimg reads.
std::string qr_of(const fs::path& pdf, const ScratchDir& dir) {
    const Output read = zbar(pdf, dir);
    EXPECT_EQ(read.status, 0) << read.err;
    std::string url = read.out;
    while (!url.empty() && std::isspace(static_cast<unsigned char>(url.back()))) url.pop_back();
    return url;
}

// The PDF writes ascent and descent rounded to 1/1000 em: a 9 pt word measures 8.99 pt.
constexpr double size_epsilon = testsupport::kSizeEpsilon;
using testsupport::Word;

std::vector<Word> words_of(const fs::path& pdf, const fs::path& scratch) {
    const Output out = run({"pdftotext", "-bbox", pdf.string(), "-"}, scratch);
    EXPECT_EQ(out.status, 0) << out.err;
    return testsupport::words_of_bbox(out.out, KIOSK_FONT);
}

// The plain text's lines, trimmed, as a reader of the talon meets them.
std::vector<std::string> lines_of(const fs::path& pdf, const fs::path& scratch) {
    const Output out = run({"pdftotext", pdf.string(), "-"}, scratch);
    EXPECT_EQ(out.status, 0) << out.err;
    std::vector<std::string> lines;
    std::istringstream in(out.out);
    for (std::string line; std::getline(in, line);) {
        const auto first = line.find_first_not_of(" \f");
        const auto last = line.find_last_not_of(" \f");
        if (first != std::string::npos) lines.push_back(line.substr(first, last - first + 1));
    }
    return lines;
}

bool has_line(const std::vector<std::string>& lines, const std::string& line) {
    return std::find(lines.begin(), lines.end(), line) != lines.end();
}

// Rectangles outlined (not filled) in the page's drawing: the deadline's frame. The QR code's
// modules are filled rectangles. qpdf inflates the streams to one operator a line.
int stroked_rectangles(const fs::path& pdf, const fs::path& scratch) {
    const fs::path plain = scratch / "inflated.pdf";
    const Output qdf =
        run({"qpdf", "--qdf", "--object-streams=disable", pdf.string(), plain.string()}, scratch);
    EXPECT_EQ(qdf.status, 0) << qdf.err;
    const std::string content = slurp(plain);
    static const std::regex stroked_rect(R"( re\nS\n)");
    return static_cast<int>(
        std::distance(std::sregex_iterator(content.begin(), content.end(), stroked_rect),
                      std::sregex_iterator()));
}

// Whether a frame's left side runs unbroken from above the first word to below the last (on
// the first's page): the rendered pixels in the band's first half millimetre are dark all along.
bool framed(const fs::path& pdf, const printer::TalonStyle& style, const Word& first,
            const Word& last, const fs::path& scratch) {
    const Gray g = rasterise(pdf, scratch, first.page);
    const double side_mm = (style.page_width_mm - style.printable_width_mm) / 2;
    const int from_x = static_cast<int>(side_mm * px_per_mm);
    const int to_x = static_cast<int>((side_mm + 0.5) * px_per_mm) + 1;
    constexpr double px_per_pt = dpi / 72.0;
    for (int y = static_cast<int>(first.top * px_per_pt); y <= last.bottom * px_per_pt; ++y) {
        int darkest = 255;
        for (int x = from_x; x <= to_x; ++x) darkest = std::min(darkest, g.at(x, y));
        if (darkest >= 128) return false;
    }
    return true;
}

// The words with this text, anywhere in the PDF.
std::vector<Word> find_words(const std::vector<Word>& words, const std::string& text) {
    std::vector<Word> found;
    std::copy_if(words.begin(), words.end(), std::back_inserter(found),
                 [&](const Word& w) { return w.text == text; });
    return found;
}

// Section: every field, in every language, on both papers

class TalonIn : public testing::TestWithParam<std::string> {};

INSTANTIATE_TEST_SUITE_P(Languages, TalonIn, testing::Values("kk", "ru", "en"),
                         [](const auto& info) { return info.param; });

TEST_P(TalonIn, EveryFieldComesBackWithoutWarnings) {
    const ScratchDir dir;
    for (const printer::Talon& talon : {talon_in(GetParam()), offline_in(GetParam())})
        for (const printer::TalonStyle& style : {roll(), a4()}) {
            const std::vector<unsigned char> bytes = printer::render_talon(talon, style);
            std::cout << GetParam() << (talon.number_note.empty() ? "" : " offline") << " on "
                      << style.page_width_mm << " mm paper: " << bytes.size() << " bytes\n";
            EXPECT_LT(bytes.size(), max_pdf_bytes);
            const fs::path pdf = write_pdf(bytes, dir.path() / "talon.pdf");

            const Output check = run({"qpdf", "--check", pdf.string()}, dir.path());
            EXPECT_EQ(check.status, 0) << check.out << check.err;
            EXPECT_EQ(page_count(pdf, dir.path()), 1);

            const std::string text = text_of(pdf, dir.path());
            for (const std::string& field : fields(talon))
                EXPECT_NE(text.find(strip_spaces(field)), std::string::npos) << field;
        }
}

// Issue 14: legible on an 80 mm roll. No word under 9 pt (office, labels, notes, caption, the
// rights in the footer); values 11 pt; the number at least 20 pt. A4 only scales this up.
TEST_P(TalonIn, TypeIsLargeEnoughForTheRoll) {
    const ScratchDir dir;
    for (const printer::TalonStyle& style : {roll(), a4()})
        for (const printer::Talon& talon : {talon_in(GetParam()), offline_in(GetParam())}) {
            const fs::path pdf =
                write_pdf(printer::render_talon(talon, style), dir.path() / "talon.pdf");
            const std::vector<Word> words = words_of(pdf, dir.path());
            ASSERT_GT(words.size(), 40u);
            for (const Word& w : words)
                EXPECT_GE(w.size(), 9 - size_epsilon) << w.text << " on " << style.page_width_mm;
        }

    const fs::path pdf =
        write_pdf(printer::render_talon(talon_in(GetParam()), roll()), dir.path() / "talon.pdf");
    const std::vector<Word> words = words_of(pdf, dir.path());
    const auto expect_at_least = [&](const std::string& text, double size) {
        const std::vector<Word> found = find_words(words, text);
        EXPECT_FALSE(found.empty()) << text;
        for (const Word& w : found) EXPECT_GE(w.size(), size - size_epsilon) << text;
    };
    expect_at_least("ЖТ-2026-00000742", 20);
    for (const char* value : {"27.11.2026", "Әбілқасымова", "KSK-AKM-001", "04.12.2026"})
        expect_at_least(value, 11);
}

TEST_P(TalonIn, QrCodeReadsAsTheStatusUrl) {
    const ScratchDir dir;
    const printer::Talon talon = talon_in(GetParam());
    for (const printer::TalonStyle& style : {roll(), a4()}) {
        const fs::path pdf =
            write_pdf(printer::render_talon(talon, style), dir.path() / "talon.pdf");
        EXPECT_EQ(qr_of(pdf, dir), status_url) << style.page_width_mm << " mm";
        // Under it the short address a person can type, instead of the percent-encoded URL.
        const std::string text = text_of(pdf, dir.path());
        EXPECT_NE(text.find(strip_spaces(talon.qr_caption)), std::string::npos);
        EXPECT_EQ(text.find("%D0%96"), std::string::npos);
    }
}

TEST_P(TalonIn, LongValuesWrapInsideTheBand) {
    const ScratchDir dir;
    const printer::Talon talon = long_values(GetParam());
    for (const printer::TalonStyle& style : {roll(), a4()}) {
        const Ink box = check_band(talon, style, dir);
        // Long lines do fill the band: the check above has teeth.
        EXPECT_GT(box.right, style.page_width_mm / 2 + style.printable_width_mm / 2 - 3);

        // Wrapped, but no character cut in two: the text reads back whole without the breaks.
        const std::string text = text_of(dir.path() / "talon.pdf", dir.path());
        for (const std::string& field : fields(talon))
            EXPECT_NE(text.find(strip_spaces(field)), std::string::npos) << field;
    }
}

// Section: the roll and the page

TEST(Talon, RollIsCutToTheContent) {
    const ScratchDir dir;
    const Ink box = check_band(talon_in("ru"), roll(), dir);
    const Gray page = rasterise(dir.path() / "talon.pdf", dir.path());
    const double height_mm = page.height / px_per_mm;
    EXPECT_GT(height_mm, 100);                                  // something was laid out
    EXPECT_LT(box.top, roll().margin_mm + 1.5);                 // no blank paper wasted above...
    EXPECT_GT(box.bottom, height_mm - roll().margin_mm - 1.5);  // ...or below
}

TEST(Talon, A4SpillsOntoAnotherPageRatherThanOffIt) {
    const ScratchDir dir;
    printer::Talon talon = long_values("ru");
    for (int i = 0; i < 12; ++i) talon.lines.push_back(long_values("ru").lines.back());
    talon.lines.push_back({{"Соңғы жол", "Последняя строка"}, "КОНЕЦ"});
    check_band(talon, a4(), dir);
    const fs::path pdf = dir.path() / "talon.pdf";
    EXPECT_GE(page_count(pdf, dir.path()), 2);
    EXPECT_NE(text_of(pdf, dir.path()).find("КОНЕЦ"), std::string::npos);
}

TEST(Talon, WithoutQrOrFooterStillValid) {
    const ScratchDir dir;
    printer::Talon talon = talon_in("kk");
    talon.qr_url.clear();  // the caption alone prints nothing
    talon.footer.clear();
    const fs::path pdf = write_pdf(printer::render_talon(talon, roll()), dir.path() / "talon.pdf");
    EXPECT_EQ(run({"qpdf", "--check", pdf.string()}, dir.path()).status, 0);
    const std::string text = text_of(pdf, dir.path());
    EXPECT_NE(text.find(strip_spaces(talon.number)), std::string::npos);
    EXPECT_EQ(text.find("eotinish.kz"), std::string::npos);
    EXPECT_EQ(zbar(pdf, dir).status, 4) << "zbarimg found a code";  // 4: no symbol
}

TEST(Talon, QrCaptionDefaultsToTheUrl) {
    const ScratchDir dir;
    printer::Talon talon = talon_in("kk");
    talon.qr_caption.clear();
    const fs::path pdf = write_pdf(printer::render_talon(talon, roll()), dir.path() / "talon.pdf");
    EXPECT_NE(text_of(pdf, dir.path()).find(status_url), std::string::npos);
    EXPECT_EQ(qr_of(pdf, dir), status_url);
}

// Issue 14: "Дата и время / приёма". A label is its phrases joined by " / " where that fits,
// else one language a line; a phrase repeated in both languages prints once.
TEST(Talon, LabelsBreakBetweenLanguagesNotMidPhrase) {
    const ScratchDir dir;
    const printer::Talon talon = talon_in("ru");
    const auto on_roll = lines_of(
        write_pdf(printer::render_talon(talon, roll()), dir.path() / "talon.pdf"), dir.path());
    EXPECT_TRUE(has_line(on_roll, "Қабылданған күні мен уақыты"));
    EXPECT_TRUE(has_line(on_roll, "Дата и время приёма"));
    EXPECT_TRUE(has_line(on_roll, "Тіркеу нөмірі / Регистрационный номер"));  // fits: one line
    EXPECT_TRUE(has_line(on_roll, "Адресат"));
    for (const std::string& line : on_roll)
        EXPECT_EQ(line.find("Адресат / Адресат"), std::string::npos) << line;

    // A4's wider band has room for both on one line.
    const auto on_a4 = lines_of(
        write_pdf(printer::render_talon(talon, a4()), dir.path() / "talon.pdf"), dir.path());
    EXPECT_TRUE(has_line(on_a4, "Қабылданған күні мен уақыты / Дата и время приёма"));
}

// Issue 14: the deadline stands out: bold, in a frame inside the band.
TEST(Talon, DeadlineIsFramed) {
    const ScratchDir dir;
    for (const printer::TalonStyle& style : {roll(), a4()}) {
        const printer::Talon talon = talon_in("ru");
        check_band(talon, style, dir);  // the frame too stays inside the band
        const fs::path pdf = dir.path() / "talon.pdf";
        EXPECT_EQ(stroked_rectangles(pdf, dir.path()), 1);
        const std::vector<Word> words = words_of(pdf, dir.path());
        const auto label = find_words(words, "Жауап"), value = find_words(words, deadline);
        ASSERT_EQ(label.size(), 1u);
        ASSERT_EQ(value.size(), 1u);
        EXPECT_TRUE(framed(pdf, style, label[0], value[0], dir.path()));
        // The applicant's line has no frame: the check has teeth.
        const auto other = find_words(words, "Заявитель");
        ASSERT_EQ(other.size(), 1u);
        EXPECT_FALSE(
            framed(pdf, style, other[0], find_words(words, "Әбілқасымова")[0], dir.path()));
    }
    printer::Talon plain = talon_in("ru");
    plain.lines.back().boxed = false;
    const fs::path pdf = write_pdf(printer::render_talon(plain, roll()), dir.path() / "plain.pdf");
    EXPECT_EQ(stroked_rectangles(pdf, dir.path()), 0);
}

// The frame and all it holds stay on one A4 page: as filler lines push the deadline down past
// a page's end, the whole box moves to the next page rather than split.
TEST(Talon, A4KeepsTheFramedDeadlineOnOnePage) {
    const ScratchDir dir;
    bool moved_whole = false;
    for (int filler = 0; filler < 14; ++filler) {
        printer::Talon talon = talon_in("ru");
        // Five lines or so: a page end is bound to fall inside the box for some filler.
        std::string value = deadline;
        for (int i = 0; i < 3; ++i)
            value +=
                ". Жауап осы мерзімге дейін келмесе, 1414 нөміріне хабарласыңыз. Если ответа "
                "нет к этому сроку, позвоните по номеру 1414";
        talon.lines.back().value = value + " СОҢЫ";
        talon.lines.insert(talon.lines.end() - 1, static_cast<std::size_t>(filler),
                           {{"Қосымша", "Дополнительно"}, "мәтін / текст"});
        const fs::path pdf =
            write_pdf(printer::render_talon(talon, a4()), dir.path() / "talon.pdf");
        const std::vector<Word> words = words_of(pdf, dir.path());
        const auto first = find_words(words, "Жауап"), last = find_words(words, "СОҢЫ");
        ASSERT_FALSE(first.empty());
        ASSERT_EQ(last.size(), 1u);
        EXPECT_EQ(first[0].page, last[0].page) << filler << " filler lines";
        EXPECT_TRUE(framed(pdf, a4(), first[0], last[0], dir.path())) << filler;
        // The box opens a page although it is not the first thing of the talon.
        const auto opening = std::find_if(words.begin(), words.end(),
                                          [&](const Word& w) { return w.page == first[0].page; });
        if (first[0].page > 1 && opening->top == first[0].top) moved_whole = true;
    }
    EXPECT_TRUE(moved_whole) << "no page end fell at the box: the test proves nothing";
}

// Text that is not clean UTF-8 still prints (as replacement marks) and extracts cleanly.
TEST(Talon, BadTextPrintsAsReplacementMarks) {
    const ScratchDir dir;
    printer::Talon talon = talon_in("kk");
    talon.lines.push_back({{"Бұзық мәтін"},
                           "a\xff"
                           "b\x01"
                           "c\xF0\x9F\x98\x80"
                           "d\xE2\x82"});
    const fs::path pdf = write_pdf(printer::render_talon(talon, roll()), dir.path() / "talon.pdf");
    EXPECT_EQ(run({"qpdf", "--check", pdf.string()}, dir.path()).status, 0);
    EXPECT_NE(text_of(pdf, dir.path())
                  .find("a\xEF\xBF\xBD"
                        "bc\xEF\xBF\xBD"
                        "d\xEF\xBF\xBD"),
              std::string::npos);
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
        printer::render_talon(talon_in("kk"), style);
        FAIL() << "no exception";
    } catch (const printer::Error& e) {
        EXPECT_NE(std::string(e.what()).find("/nonexistent/KioskSans.ttf"), std::string::npos)
            << e.what();
        EXPECT_NE(std::string(e.what()).find("No such file"), std::string::npos) << e.what();
    }
}

TEST(Talon, RejectsStylesThatCannotWork) {
    for (auto spoil : std::vector<void (*)(printer::TalonStyle&)>{
             [](printer::TalonStyle& s) { s.printable_width_mm = 90; },
             [](printer::TalonStyle& s) { s.scale = 0; },
             [](printer::TalonStyle& s) { s.page_height_mm = 30; },
             [](printer::TalonStyle& s) { s.margin_mm = -1; }}) {
        printer::TalonStyle style = roll();
        spoil(style);
        EXPECT_THROW(printer::render_talon(talon_in("kk"), style), printer::Error);
    }
}

// Section: spooling

TEST(Spool, WritesWholeFileAndNoTemp) {
    const ScratchDir dir;
    const fs::path spool = dir.path() / "spool" / "today";  // created on demand
    const std::vector<unsigned char> pdf = printer::render_talon(talon_in("kk"), roll());
    const fs::path path = printer::spool_talon(spool, "ЖТ-2026-00000742", pdf);
    EXPECT_EQ(path, spool / "ЖТ-2026-00000742.pdf");
    EXPECT_EQ(slurp(path), std::string(pdf.begin(), pdf.end()));
    EXPECT_FALSE(fs::exists(spool / "ЖТ-2026-00000742.pdf.tmp"));
    // The talon names the applicant: private whatever the umask.
    EXPECT_EQ(fs::status(path).permissions(), fs::perms::owner_read | fs::perms::owner_write);
    EXPECT_EQ(fs::status(spool).permissions(), fs::perms::owner_all);
    EXPECT_EQ(fs::status(spool.parent_path()).permissions(), fs::perms::owner_all);

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

TEST(Spool, RecentTalonsNewestFirst) {
    const ScratchDir dir;
    EXPECT_TRUE(printer::recent_talons(dir.path() / "none-yet", 5).empty());
    const auto now = fs::file_time_type::clock::now();
    for (int i = 0; i < 4; ++i) {
        const fs::path p = printer::spool_talon(dir.path(), "talon-" + std::to_string(i), {'x'});
        fs::last_write_time(p, now - std::chrono::minutes(10 - i));  // talon-3 is the newest
    }
    std::ofstream(dir.path() / "notes.txt") << "not a talon";
    const auto recent = printer::recent_talons(dir.path(), 3);
    ASSERT_EQ(recent.size(), 3u);
    EXPECT_EQ(recent[0].filename(), "talon-3.pdf");
    EXPECT_EQ(recent[2].filename(), "talon-1.pdf");
}

}  // namespace
