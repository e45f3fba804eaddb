#include "ipp_printer.h"

#include "process.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <httplib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>

namespace testsupport {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr auto start_timeout = 10s;
constexpr const char* dbus_socket = "/run/dbus/system_bus_socket";

// Section: the system daemons ippeveprinter needs for DNS-SD

bool dbus_running() {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, dbus_socket, sizeof addr.sun_path - 1);
    const bool up = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    return up;
}

bool avahi_running(const std::string& log) {
    return run({"/usr/sbin/avahi-daemon", "--check"}, log, 5s) == 0;
}

// Starts what does not run yet. Another test process may start them at the same moment, so
// a failed start only counts if the daemon is still missing afterwards.
void ensure_daemons(const std::string& log) {
    if (!dbus_running()) {
        fs::create_directories("/run/dbus");
        fs::remove("/run/dbus/pid");  // stale from a dead daemon: dbus-daemon refuses to start
        run({"/usr/bin/dbus-daemon", "--system", "--fork"}, log, 10s);
        if (!dbus_running())
            throw std::runtime_error("cannot start dbus-daemon --system:\n" + read_text(log));
    }
    if (!avahi_running(log)) {
        run({"/usr/sbin/avahi-daemon", "--no-drop-root", "--no-chroot", "--daemonize"}, log, 10s);
        if (!avahi_running(log))
            throw std::runtime_error("cannot start avahi-daemon:\n" + read_text(log));
    }
}

// Section: ports

int free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::runtime_error("socket: " + std::string(std::strerror(errno)));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
                    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
    ::close(fd);
    if (!ok)
        throw std::runtime_error("no free loopback port: " + std::string(std::strerror(errno)));
    return ntohs(addr.sin_port);
}

// Section: the print command

// ippeveprinter runs it for each job with the document as $1 and reads printer states from
// its stderr. While the jam flag exists it holds the job (bounded) and reports the jam.
std::string print_command(const std::string& jam_flag) {
    return "#!/bin/sh\n"
           "# ippeveprinter's print command for the tests: prints nothing, jams on request.\n"
           "flag='" +
           jam_flag +
           "'\n"
           "if [ -e \"$flag\" ]; then\n"
           "  echo 'STATE: +media-jam-error' >&2\n"
           "  i=0\n"
           "  while [ -e \"$flag\" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done\n"
           "  echo 'STATE: -media-jam-error' >&2\n"
           "fi\n"
           "exit 0\n";
}

std::string http_get(int port, const std::string& path) {
    httplib::Client client("127.0.0.1", port);
    client.set_connection_timeout(2s);
    client.set_read_timeout(2s);
    const auto answer = client.Get(path);
    if (!answer) return "";
    return answer->status == 200 ? answer->body : "";
}

}  // namespace

// Section: the printer

IppPrinter::IppPrinter() : dir_(make_temp_dir("ipp-printer")), jam_flag_(dir_ + "/jammed") {
    try {
        ensure_daemons(dir_ + "/daemons.log");
        fs::create_directory(spool_dir());
        const std::string command = dir_ + "/print-command";
        std::ofstream(command) << print_command(jam_flag_);
        fs::permissions(command, fs::perms::owner_all);
        start();
    } catch (...) {
        fs::remove_all(dir_);
        throw;
    }
}

// A port can be taken between choosing and binding it: a printer that exits early gets
// another port, three times at most.
void IppPrinter::start() {
    for (int attempt = 0; attempt < 3; ++attempt) {
        port_ = free_port();
        pid_ = spawn({"/usr/sbin/ippeveprinter", "-k", "-d", spool_dir(), "-f", "application/pdf",
                      "-c", dir_ + "/print-command", "-n", "localhost", "-p", std::to_string(port_),
                      "KioskTest-" + std::to_string(port_)},
                     dir_ + "/ippeveprinter.log");
        const auto deadline = std::chrono::steady_clock::now() + start_timeout;
        while (std::chrono::steady_clock::now() < deadline) {
            if (wait_for_exit(pid_, 0s)) break;  // gone: try another port
            if (!http_get(port_, "/").empty()) return;
            std::this_thread::sleep_for(100ms);
        }
        stop(pid_, 2s);
        pid_ = -1;
    }
    throw std::runtime_error("ippeveprinter did not start:\n" + log());
}

IppPrinter::~IppPrinter() {
    fs::remove(jam_flag_);  // lets a held job's command end instead of outliving the printer
    stop(pid_, 3s);
    std::error_code ec;
    fs::remove_all(dir_, ec);
}

std::string IppPrinter::uri() const {
    return "ipp://127.0.0.1:" + std::to_string(port_) + "/ipp/print";
}

std::string IppPrinter::spool_dir() const { return dir_ + "/spool"; }

std::string IppPrinter::log() const { return read_text(dir_ + "/ippeveprinter.log"); }

// ippeveprinter's media page (a testing aid) sets every tray it lists at once: a tray left
// out counts as empty. Debian 12's printer has main (1) and by-pass-tray (3); the by-pass
// tray is set to "unknown" so that only the main tray speaks.
void IppPrinter::set_paper_level(int sheets) {
    const std::string page = http_get(
        port_, "/media?size1=iso_a4_210x297mm&level1=" + std::to_string(sheets) + "&level3=-2");
    if (page.find("Media updated") == std::string::npos)
        throw std::runtime_error("ippeveprinter did not take the paper level:\n" + log());
}

void IppPrinter::set_jammed(bool jammed) {
    if (jammed)
        std::ofstream(jam_flag_) << "jammed\n";
    else
        fs::remove(jam_flag_);
}

int IppPrinter::closed_port() { return free_port(); }

}  // namespace testsupport
