// printer/cups: sends a talon to the receipt printer over IPP (libcups) and follows it until
// it is out, and tells what the printer says about itself: paper out, a jam, the lid open.
// Every call blocks for at most its timeout (a cancel after it may add 2 s): call it off the
// UI thread. Calls never throw; every failure is in what they return.
#pragma once
#include <chrono>
#include <filesystem>
#include <stop_token>
#include <string>
#include <vector>

namespace printer {

// What the printer says about itself (IPP printer-state and printer-state-reasons).
struct PrinterStatus {
    enum class State { Idle, Processing, Stopped, Unreachable };
    State state = State::Unreachable;
    // printer-state-reasons keywords with the -report/-warning/-error suffix taken off, "none"
    // left out: e.g. {"media-empty", "media-needed"}. For staff screens, logs and monitoring.
    std::vector<std::string> reasons;
    bool media_empty = false;  // media-empty or media-needed: no paper
    bool media_low = false;    // the roll is nearly used up: a warning, printing goes on
    bool media_jam = false;
    bool cover_open = false;  // cover-open, door-open, interlock-open: the lid is up
    bool offline = false;     // offline, shutdown, or the queue paused
    std::string message;      // printer-state-message, as the printer words it
    std::string error;        // why the printer could not be asked (when Unreachable)

    // The printer answers and nothing stops a talon from coming out.
    bool can_print() const;
};

// target: a CUPS queue name ("Receipt", sent to the local cupsd as ipp://localhost/printers/NAME)
// or an ipp:// or ipps:// URI of the printer itself, used as is.
PrinterStatus printer_status(const std::string& target, std::chrono::milliseconds timeout);

struct PrintResult {
    enum class Outcome {
        Completed,       // the printer says the job is done: the talon is out
        PrinterTrouble,  // no paper, a jam, lid open, offline or stopped: see status
        Failed,          // the printer refused or aborted the job: see error
        Unreachable,     // no answer from the printer (or the queue's server)
        TimedOut,        // no end of the job within the timeout
        Stopped,         // stop was requested (the kiosk is shutting down): the job was cancelled
    };
    Outcome outcome = Outcome::Failed;
    int job_id = 0;        // 0 when no job was created
    PrinterStatus status;  // the printer as last seen
    std::string error;     // what went wrong, for staff and logs; never the talon's content
};

// Prints the PDF and follows the job to its end, all within timeout. Nothing is sent while
// the printer reports trouble; a job that is not done when trouble shows or time runs out is
// cancelled, so that it never comes out later in the hands of the next citizen: the caller
// keeps the file for a reprint. The file is only read. job_name appears in the printer's
// queue: no personal data (e.g. "talon-20261127-101500"). A stop request ends the wait at
// once, as a timeout does (the cancel still gets its 2 s).
PrintResult print_pdf(const std::string& target, const std::filesystem::path& pdf,
                      const std::string& job_name, std::chrono::milliseconds timeout,
                      std::stop_token stop = {});

}  // namespace printer
