// kiosk/duty: the specialist on duty at the kiosk this shift, "accepted by" on the talon. Staff
// set it in service mode at the start of a shift; it is kept in the state folder across
// restarts, and the configuration's duty_officer stands until then. Staff's own name, not a
// citizen's: service mode and the heartbeat show it, the journal never does.
#pragma once
#include <cstddef>
#include <filesystem>
#include <mutex>
#include <string>
#include <string_view>

namespace kiosk {

class DutySpecialist {
public:
    static constexpr std::size_t kMaxCodePoints = 60;
    static constexpr std::string_view kFileName = "duty-specialist";  // in the state folder

    // Reads file if present; a file that cannot be read or holds no acceptable name leaves
    // default_name in force, and the journal says so (without what the file held).
    DutySpecialist(std::filesystem::path file, std::string default_name);
    DutySpecialist(const DutySpecialist&) = delete;
    DutySpecialist& operator=(const DutySpecialist&) = delete;

    std::string name() const;  // thread-safe: the submission thread reads it for the talon

    // Checks the name (see problem()), writes it to the file atomically (0600, synced), then
    // takes it. False with a translation key in *problem when the name is not acceptable or
    // could not be written; the name in force is then unchanged.
    bool set(std::string_view name, std::string* problem);

    // Why a name is not acceptable, as a translation key; "" when it is: 1 to 60 code points
    // of strict UTF-8, letters (Kazakh, Russian, Latin), spaces, '.', '-' and apostrophes, at
    // least one letter. Leading and trailing spaces do not count (set() drops them).
    static std::string_view problem(std::string_view name);

    const std::filesystem::path& file() const { return file_; }

private:
    const std::filesystem::path file_;
    mutable std::mutex mutex_;
    std::string name_;
};

}  // namespace kiosk
