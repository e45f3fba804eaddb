// printer/spool: puts a finished talon on disk so that a power cut never leaves half of one,
// and finds the last ones again for reprint.
#include "printer/talon.h"

#include <common/atomic_file.h>

#include <algorithm>
#include <system_error>

namespace printer {
namespace {

namespace fs = std::filesystem;

void check_name(const std::string& name) {
    if (name.empty() || name.front() == '.' ||
        name.find_first_of(std::string("/\0", 2)) != std::string::npos)
        throw Error("printer: bad talon file name \"" + name + "\"");
}

}  // namespace

fs::path spool_talon(const fs::path& dir, const std::string& name,
                     const std::vector<unsigned char>& pdf) {
    check_name(name);
    const fs::path path = dir / (name + ".pdf");
    // Private (file 0600, a missing folder 0700): the talon names the applicant.
    const auto written = common::write_file_atomically(
        path, {reinterpret_cast<const char*>(pdf.data()), pdf.size()});
    if (!written.ok()) throw Error("printer: " + written.message);
    return path;
}

std::vector<fs::path> recent_talons(const fs::path& dir, std::size_t max) {
    struct Found {
        fs::file_time_type written;
        fs::path path;
    };
    std::vector<Found> found;
    std::error_code ec;
    fs::directory_iterator it(dir, ec);
    if (ec == std::errc::no_such_file_or_directory) return {};
    for (const fs::directory_iterator end; !ec && it != end; it.increment(ec)) {
        std::error_code gone;  // a talon removed meanwhile is skipped, not an error
        if (it->path().extension() != ".pdf" || !it->is_regular_file(gone)) continue;
        const auto written = it->last_write_time(gone);
        if (!gone) found.push_back({written, it->path()});
    }
    if (ec)
        throw Error("printer: listing talons in \"" + dir.string() + "\" failed: " + ec.message());
    std::sort(found.begin(), found.end(), [](const Found& a, const Found& b) {
        return a.written != b.written ? a.written > b.written : a.path > b.path;
    });
    std::vector<fs::path> paths;
    for (std::size_t i = 0; i < found.size() && i < max; ++i) paths.push_back(found[i].path);
    return paths;
}

}  // namespace printer
