// printer/paper: counts the talons on the receipt roll so staff hear before the paper runs out.
#pragma once
#include "printer/error.h"

#include <filesystem>
#include <mutex>

namespace printer {

// Talons left on the roll, counted by the kiosk: a thermal printer rarely warns before the
// paper is out. Kept in a small private file (state_file, written atomically, 0600) that survives
// restarts; a missing file means a fresh roll. Thread-safe.
class PaperCounter {
public:
    // Throws Error when the numbers make no sense or the file is not one this class wrote.
    PaperCounter(std::filesystem::path state_file, int talons_per_roll, int warn_below);

    void record_printed(int talons = 1);  // after a completed print; throws Error on write failure
    void restocked();                     // staff put a new roll in (service mode)
    int remaining() const;                // talons left, never below 0
    bool low() const;                     // remaining() < warn_below: time to restock

private:
    void save(int printed);

    std::filesystem::path file_;
    int per_roll_;
    int warn_below_;
    mutable std::mutex mutex_;
    int printed_ = 0;  // since the last restock
};

}  // namespace printer
