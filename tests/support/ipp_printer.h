#pragma once
// A real IPP Everywhere printer for tests: CUPS's ippeveprinter on a free loopback port,
// keeping every document it receives, with its paper level and a paper jam under the test's
// control. Needs root the first time: ippeveprinter will not start without dbus-daemon
// --system and avahi-daemon, which are started when they do not run yet.

#include <sys/types.h>

#include <string>

namespace testsupport {

class IppPrinter {
public:
    // Throws std::runtime_error, with the printer's log, if it does not answer within 10 s.
    IppPrinter();
    // Stops the printer within a few seconds. dbus and avahi stay: they are shared with every
    // other test and may have been running before, so they are left as the system's.
    ~IppPrinter();
    IppPrinter(const IppPrinter&) = delete;
    IppPrinter& operator=(const IppPrinter&) = delete;

    std::string uri() const;        // ipp://127.0.0.1:PORT/ipp/print
    std::string spool_dir() const;  // what it received, as "<job-id>-<job-name>.pdf"
    std::string log() const;        // ippeveprinter's output, for failure messages

    // Sheets in the main tray: 0 reports media-empty (and holds jobs), 1-24 media-low.
    void set_paper_level(int sheets);

    // While jammed, a job being printed stays in the printer and it reports media-jam;
    // unjamming lets that job end and clears the reason.
    void set_jammed(bool jammed);

    // A loopback port with nothing listening: an unreachable printer.
    static int closed_port();

private:
    void start();

    std::string dir_;       // everything of this printer, removed at the end
    std::string jam_flag_;  // exists while jammed; the print command looks for it
    int port_ = 0;
    pid_t pid_ = -1;
};

}  // namespace testsupport
