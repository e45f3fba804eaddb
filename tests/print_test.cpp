// Printing: talons sent over IPP to a real printer (CUPS's ippeveprinter on loopback), paper
// out, a jam, a printer that is gone or silent; and the paper counter of the roll. Nothing a
// citizen was given may be lost: the talon file always stays.
#include "ipp_printer.h"
#include "printer/cups.h"
#include "printer/paper.h"
#include "printer/talon.h"
#include "process.h"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <thread>

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using printer::PrinterStatus;
using printer::PrintResult;
using Outcome = PrintResult::Outcome;

constexpr auto timeout = 10s;

std::string slurp(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

bool has(const std::vector<std::string>& words, const std::string& word) {
    return std::find(words.begin(), words.end(), word) != words.end();
}

// A talon spooled as the kiosk does, in a folder removed at the end.
class SpooledTalon {
public:
    SpooledTalon() : dir_(testsupport::make_temp_dir("print-test")) {
        printer::Talon talon;
        talon.title = {"ШАҒЫМДЫ ҚАБЫЛДАУ ТАЛОНЫ", "ТАЛОН О ПРИЁМЕ ЖАЛОБЫ"};
        talon.number = "ЖТ-2026-00000742";
        talon.qr_url = "https://eotinish.kz/status/742";
        const auto pdf = printer::render_talon(talon, printer::TalonStyle::roll80(KIOSK_FONT));
        path_ = printer::spool_talon(dir_, "talon-742", pdf);
        bytes_ = slurp(path_);
    }
    ~SpooledTalon() { fs::remove_all(dir_); }
    const fs::path& path() const { return path_; }
    bool intact() const { return slurp(path_) == bytes_ && !bytes_.empty(); }
    const std::string& bytes() const { return bytes_; }

private:
    fs::path dir_, path_;
    std::string bytes_;
};

std::vector<fs::path> received(const testsupport::IppPrinter& p) {
    std::vector<fs::path> pdfs;
    for (const auto& entry : fs::directory_iterator(p.spool_dir()))
        if (entry.path().extension() == ".pdf") pdfs.push_back(entry.path());
    return pdfs;
}

// Waits (bounded) until the printer's status satisfies done.
template <class Done>
PrinterStatus status_when(const testsupport::IppPrinter& p, Done done) {
    PrinterStatus s;
    for (auto until = std::chrono::steady_clock::now() + timeout;
         std::chrono::steady_clock::now() < until; std::this_thread::sleep_for(100ms))
        if (done(s = printer::printer_status(p.uri(), 2s))) break;
    return s;
}

// Section: a working printer

TEST(Print, TalonComesOutWhole) {
    const testsupport::IppPrinter p;
    const SpooledTalon talon;
    const PrintResult r = printer::print_pdf(p.uri(), talon.path(), "talon-742", timeout);
    ASSERT_EQ(r.outcome, Outcome::Completed) << r.error << "\n" << p.log();
    EXPECT_GT(r.job_id, 0);
    EXPECT_TRUE(r.status.can_print());
    EXPECT_TRUE(r.error.empty()) << r.error;

    // What the printer received is the talon, byte for byte.
    const fs::path got = fs::path(p.spool_dir()) / (std::to_string(r.job_id) + "-talon-742.pdf");
    ASSERT_TRUE(fs::exists(got)) << p.log();
    EXPECT_EQ(slurp(got), talon.bytes());
    EXPECT_TRUE(talon.intact());
}

TEST(Print, StatusOfAnIdlePrinter) {
    const testsupport::IppPrinter p;
    const PrinterStatus s = printer::printer_status(p.uri(), 2s);
    EXPECT_EQ(s.state, PrinterStatus::State::Idle) << s.error;
    EXPECT_TRUE(s.can_print());
    EXPECT_TRUE(s.reasons.empty()) << s.reasons.front();
}

// Section: paper trouble

TEST(Print, NoPaperIsReportedAndNothingIsSent) {
    testsupport::IppPrinter p;
    const SpooledTalon talon;
    p.set_paper_level(0);
    const PrinterStatus s = printer::printer_status(p.uri(), 2s);
    EXPECT_TRUE(s.media_empty);
    EXPECT_TRUE(has(s.reasons, "media-empty")) << testing::PrintToString(s.reasons);
    EXPECT_FALSE(s.can_print());

    const PrintResult r = printer::print_pdf(p.uri(), talon.path(), "talon-742", timeout);
    EXPECT_EQ(r.outcome, Outcome::PrinterTrouble) << r.error;
    EXPECT_EQ(r.job_id, 0);
    EXPECT_TRUE(r.status.media_empty);
    EXPECT_NE(r.error.find("media-empty"), std::string::npos) << r.error;
    EXPECT_TRUE(received(p).empty());  // nothing waiting to come out for the next citizen
    EXPECT_TRUE(talon.intact());

    // Staff put a roll in: the same file prints.
    p.set_paper_level(250);
    const PrintResult again = printer::print_pdf(p.uri(), talon.path(), "talon-742", timeout);
    EXPECT_EQ(again.outcome, Outcome::Completed) << again.error;
    EXPECT_FALSE(again.status.media_empty);
}

TEST(Print, LowPaperWarnsAndStillPrints) {
    testsupport::IppPrinter p;
    const SpooledTalon talon;
    p.set_paper_level(5);
    const PrintResult r = printer::print_pdf(p.uri(), talon.path(), "talon-742", timeout);
    EXPECT_EQ(r.outcome, Outcome::Completed) << r.error;
    EXPECT_TRUE(r.status.media_low);
    EXPECT_TRUE(has(r.status.reasons, "media-low")) << testing::PrintToString(r.status.reasons);
}

TEST(Print, JamIsReportedAndTheJobCancelled) {
    testsupport::IppPrinter p;
    const SpooledTalon talon;
    p.set_jammed(true);
    const auto start = std::chrono::steady_clock::now();
    const PrintResult r = printer::print_pdf(p.uri(), talon.path(), "talon-742", timeout);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);  // told by the printer, no timeout
    EXPECT_EQ(r.outcome, Outcome::PrinterTrouble) << r.error;
    EXPECT_GT(r.job_id, 0);
    EXPECT_TRUE(r.status.media_jam);
    EXPECT_FALSE(r.status.can_print());
    EXPECT_NE(r.error.find("media-jam"), std::string::npos) << r.error;
    EXPECT_NE(r.error.find("cancelled"), std::string::npos) << r.error;
    EXPECT_TRUE(talon.intact());

    // Staff clear the jam: the printer says so and the talon can be reprinted.
    p.set_jammed(false);
    EXPECT_TRUE(status_when(p, [](const PrinterStatus& s) { return s.can_print(); }).can_print());
    const PrintResult again = printer::print_pdf(p.uri(), talon.path(), "talon-742", timeout);
    EXPECT_EQ(again.outcome, Outcome::Completed) << again.error << "\n" << p.log();
}

// Section: no printer, or one that does not answer

TEST(Print, UnreachablePrinterIsReportedInTime) {
    const SpooledTalon talon;
    const std::string uri =
        "ipp://127.0.0.1:" + std::to_string(testsupport::IppPrinter::closed_port()) + "/ipp/print";
    const auto start = std::chrono::steady_clock::now();
    const PrinterStatus s = printer::printer_status(uri, 2s);
    EXPECT_EQ(s.state, PrinterStatus::State::Unreachable);
    EXPECT_FALSE(s.can_print());
    EXPECT_NE(s.error.find("127.0.0.1"), std::string::npos) << s.error;

    const PrintResult r = printer::print_pdf(uri, talon.path(), "talon-742", 2s);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 4s);
    EXPECT_EQ(r.outcome, Outcome::Unreachable) << r.error;
    EXPECT_EQ(r.status.state, PrinterStatus::State::Unreachable);
    EXPECT_FALSE(r.error.empty());
    EXPECT_TRUE(talon.intact());
}

// Accepts connections (the kernel does, into the backlog) and never says a word.
class SilentPrinter {
public:
    SilentPrinter() {
        const auto listener = testsupport::listen_on_loopback(8);
        fd_ = listener.fd;
        port_ = listener.port;
    }
    ~SilentPrinter() { ::close(fd_); }
    std::string uri() const { return "ipp://127.0.0.1:" + std::to_string(port_) + "/ipp/print"; }

private:
    int fd_ = -1;
    int port_ = 0;
};

TEST(Print, SilentPrinterTimesOut) {
    const SilentPrinter silent;
    const SpooledTalon talon;
    const auto start = std::chrono::steady_clock::now();
    const PrintResult r = printer::print_pdf(silent.uri(), talon.path(), "talon-742", 1s);
    const auto took = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(r.outcome, Outcome::TimedOut) << r.error;
    EXPECT_GE(took, 900ms);
    EXPECT_LT(took, 2500ms);
    EXPECT_TRUE(talon.intact());
    EXPECT_EQ(printer::printer_status(silent.uri(), 1s).state, PrinterStatus::State::Unreachable);
}

// Section: what the caller got wrong

TEST(Print, BadTargetsAndFilesAreClearErrors) {
    const SpooledTalon talon;
    for (const std::string target : {"", "has space", "a/b", "http://127.0.0.1:631/ipp/print"}) {
        const PrintResult r = printer::print_pdf(target, talon.path(), "talon-742", 1s);
        EXPECT_EQ(r.outcome, Outcome::Failed) << target;
        EXPECT_NE(r.error.find("\"" + target + "\""), std::string::npos) << r.error;
        EXPECT_EQ(printer::printer_status(target, 1s).state, PrinterStatus::State::Unreachable);
    }
    const PrintResult r =
        printer::print_pdf("ipp://127.0.0.1:1/ipp/print", "/nonexistent/talon.pdf", "x", 1s);
    EXPECT_EQ(r.outcome, Outcome::Failed);
    EXPECT_NE(r.error.find("/nonexistent/talon.pdf"), std::string::npos) << r.error;
}

// A queue name goes to the local cupsd; on a test machine there is none or no such queue.
TEST(Print, QueueNameGoesToTheLocalCupsd) {
    const SpooledTalon talon;
    const PrintResult r = printer::print_pdf("NoSuchKioskQueue", talon.path(), "talon-742", 2s);
    EXPECT_TRUE(r.outcome == Outcome::Unreachable || r.outcome == Outcome::Failed) << r.error;
    EXPECT_FALSE(r.error.empty());
    EXPECT_TRUE(talon.intact());
}

// Section: the paper counter

class PaperCounterTest : public testing::Test {
protected:
    PaperCounterTest() : dir_(testsupport::make_temp_dir("paper-counter")) {}
    ~PaperCounterTest() override { fs::remove_all(dir_); }
    fs::path file() const { return dir_ / "state" / "paper"; }  // folder made on demand

private:
    fs::path dir_;
};

TEST_F(PaperCounterTest, FreshRollIsFull) {
    const printer::PaperCounter paper(file(), 200, 20);
    EXPECT_EQ(paper.remaining(), 200);
    EXPECT_FALSE(paper.low());
}

TEST_F(PaperCounterTest, CountsDownWarnsAndNeverGoesBelowZero) {
    printer::PaperCounter paper(file(), 10, 3);
    paper.record_printed(7);
    EXPECT_EQ(paper.remaining(), 3);
    EXPECT_FALSE(paper.low());
    paper.record_printed();
    EXPECT_EQ(paper.remaining(), 2);
    EXPECT_TRUE(paper.low());
    paper.record_printed(50);
    EXPECT_EQ(paper.remaining(), 0);
}

TEST_F(PaperCounterTest, SurvivesARestartAndRestocks) {
    {
        printer::PaperCounter paper(file(), 200, 20);
        paper.record_printed(185);
    }
    printer::PaperCounter paper(file(), 200, 20);
    EXPECT_EQ(paper.remaining(), 15);
    EXPECT_TRUE(paper.low());
    paper.restocked();
    EXPECT_EQ(paper.remaining(), 200);
    EXPECT_EQ(printer::PaperCounter(file(), 200, 20).remaining(), 200);
    EXPECT_FALSE(fs::exists(file().string() + ".tmp"));
    EXPECT_EQ(fs::status(file()).permissions(), fs::perms::owner_read | fs::perms::owner_write);
    EXPECT_EQ(fs::status(file().parent_path()).permissions(), fs::perms::owner_all);
}

TEST_F(PaperCounterTest, CorruptFileIsAClearError) {
    fs::create_directories(file().parent_path());
    for (const char* text : {"printed lots\n", "printed 3\nprinted 4\n", "", "printed -1\n"}) {
        std::ofstream(file(), std::ios::binary) << text;
        try {
            printer::PaperCounter(file(), 200, 20);
            ADD_FAILURE() << "no error for: " << text;
        } catch (const printer::Error& e) {
            EXPECT_NE(std::string(e.what()).find(file().string()), std::string::npos) << e.what();
        }
    }
}

TEST_F(PaperCounterTest, BadSettingsAndUnwritableFilesAreErrors) {
    EXPECT_THROW(printer::PaperCounter(file(), 0, 0), printer::Error);
    EXPECT_THROW(printer::PaperCounter(file(), 100, 101), printer::Error);
    EXPECT_THROW(printer::PaperCounter(file(), 100, -1), printer::Error);

    fs::create_directories(file().parent_path());
    std::ofstream(file().parent_path() / "a-file") << "x";
    printer::PaperCounter paper(file().parent_path() / "a-file" / "paper", 100, 10);
    EXPECT_THROW(paper.record_printed(), printer::Error);
    EXPECT_EQ(paper.remaining(), 100);  // memory never runs ahead of the file
    EXPECT_THROW(paper.record_printed(-1), printer::Error);
}

}  // namespace
