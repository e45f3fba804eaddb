// printer/paper: the talon counter of the current roll, kept in a one-line file.
#include "printer/paper.h"

#include <common/atomic_file.h>

#include <charconv>
#include <climits>
#include <fstream>
#include <sstream>
#include <system_error>

namespace printer {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view header = "# complaint kiosk: talons printed from the current roll\n";
constexpr std::string_view key = "printed ";
constexpr std::size_t max_file_bytes = 4096;  // anything larger is not ours

[[noreturn]] void corrupt(const fs::path& file, const std::string& why) {
    throw Error("printer: paper counter \"" + file.string() + "\": " + why +
                "; restock from service mode to start it again");
}

// The count in the file; 0 when there is no file yet (a fresh roll).
int load(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        std::error_code ec;
        if (!fs::exists(file, ec) && !ec) return 0;
        throw Error("printer: cannot read paper counter \"" + file.string() + "\"");
    }
    std::string text(max_file_bytes + 1, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    if (text.size() > max_file_bytes) corrupt(file, "larger than a counter can be");

    std::istringstream lines(text);
    std::string line;
    int number = 0, count = -1;
    while (std::getline(lines, line)) {
        ++number;
        if (line.empty() || line.front() == '#') continue;
        const std::string_view digits =
            std::string_view(line).substr(line.starts_with(key) ? key.size() : line.size());
        int value = -1;
        const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
        if (count >= 0 || digits.empty() || ec != std::errc() ||
            end != digits.data() + digits.size() || value < 0)
            corrupt(file,
                    "line " + std::to_string(number) + ": expected one line \"printed <talons>\"");
        count = value;
    }
    if (count < 0) corrupt(file, "no \"printed <talons>\" line");
    return count;
}

}  // namespace

PaperCounter::PaperCounter(fs::path state_file, int talons_per_roll, int warn_below)
    : file_(std::move(state_file)), per_roll_(talons_per_roll), warn_below_(warn_below) {
    if (per_roll_ <= 0 || warn_below_ < 0 || warn_below_ > per_roll_)
        throw Error(
            "printer: paper counter needs talons per roll above 0 and a warning level "
            "between 0 and that (got " +
            std::to_string(per_roll_) + " and " + std::to_string(warn_below_) + ")");
    printed_ = load(file_);
}

void PaperCounter::record_printed(int talons) {
    if (talons < 0) throw Error("printer: cannot record a negative number of talons");
    const std::lock_guard lock(mutex_);
    const int printed = printed_ > INT_MAX - talons ? INT_MAX : printed_ + talons;
    save(printed);
    printed_ = printed;  // only once on disk, so memory never runs ahead of the file
}

void PaperCounter::restocked() {
    const std::lock_guard lock(mutex_);
    save(0);
    printed_ = 0;
}

int PaperCounter::remaining() const {
    const std::lock_guard lock(mutex_);
    return printed_ >= per_roll_ ? 0 : per_roll_ - printed_;
}

bool PaperCounter::low() const { return remaining() < warn_below_; }

void PaperCounter::save(int printed) {
    const auto saved = common::write_file_atomically(
        file_, std::string(header) + std::string(key) + std::to_string(printed) + "\n");
    if (!saved.ok()) throw Error("printer: paper counter: " + saved.message);
}

}  // namespace printer
