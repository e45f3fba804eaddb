// kiosk-fleet-sim: N simulated kiosks on loopback addresses, running the kiosk's own health,
// metrics and heartbeat code without a screen (tests/fleet/fleet.h), for the small-fleet test
// and the 1,000-kiosk benchmark. Faults are set per kiosk at run time through a loopback HTTP
// control port or lines on standard input.
#include "fleet.h"

#include <net/register_client.h>

#include <httplib.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>

namespace {

constexpr const char* kUsage =
    R"(usage: kiosk-fleet-sim --certs DIR [--kiosks N] [--scraped M] [--id-prefix P]
                       [--push-url URL --push-ca FILE] [--push-interval-ms MS]
                       [--register-url URL --register-ca FILE] [--api-key KEY]
                       [--heartbeat-interval-ms MS] [--threads T] [--heartbeat-threads T]
                       [--management-port PORT]
                       [--management-plain]
                       [--control-port PORT] [--port-file FILE] [--targets-file FILE]
                       [--seed S]

  Kiosk n (1..N) is P followed by n on 4 digits (default KSK-SIM-0001 ...), at the address
  127.0.(n/250+1).(n%250+2); its client certificate is DIR/kiosks/ID.crt (make-fleet-certs).
  --scraped M            kiosks 1..M serve /metrics on ADDRESS:PORT (default 9464; 0: any
                         free port each) over TLS with their own certificate, for clients
                         with a certificate from DIR/scraper-ca.crt (plain HTTP with
                         --management-plain); the others push
  --push-url URL         the receiver (nginx before Pushgateway), pinned to --push-ca;
                         every --push-interval-ms (default 30000, +-10 %)
  --register-url URL     heartbeats every --heartbeat-interval-ms (default 60000, +-10 %);
                         without it the register counts as answering
  --threads T            the pool that pushes (default 4)
  --heartbeat-threads T  the pool that sends heartbeats (default 4)
  --control-port PORT    the control's port on 127.0.0.1 (default 0: any free port)
  --port-file FILE       the control's port, written once every kiosk is up
  --targets-file FILE    Prometheus file_sd targets of the scraped kiosks, written at start

Control (HTTP on 127.0.0.1, or a line on standard input; a POST takes an empty body:
curl -d '' http://127.0.0.1:PORT/kiosks/737/paper_out):
  POST /kiosks/N/FAULT    line: N FAULT   FAULT: paper_low, paper_out, register_down,
                                          outbox_stuck, down (stops pushing, serving and
                                          heartbeats), lie (a pushing kiosk also pushes
                                          under kiosk N+1's id with its own certificate:
                                          the receiver must refuse it), clear (all of them)
  GET  /stats             line: stats     pushes, lies refused, heartbeats, p50/p99 (JSON)
  POST /stats/reset       line: reset     the same, then counting from zero
  GET  /kiosks            line: kiosks    each kiosk's id, address, kind and faults
)";

// Section: command line

bool number(const char* text, long long low, long long high, long long& out) {
    const char* end = text + std::strlen(text);
    const auto [p, ec] = std::from_chars(text, end, out);
    return ec == std::errc{} && p == end && out >= low && out <= high;
}

struct Cli {
    fleet::Options fleet;
    int control_port = 0;
    std::string port_file, targets_file;
};

std::optional<Cli> parse(int argc, char** argv) {
    Cli c;
    auto& o = c.fleet;
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        if (a == "--help") return std::nullopt;
        if (a == "--management-plain") {
            o.management_tls = false;
            continue;
        }
        if (i + 1 >= argc) {
            std::fprintf(stderr, "kiosk-fleet-sim: %s needs a value\n", argv[i]);
            return std::nullopt;
        }
        const char* v = argv[++i];
        long long n = 0;
        auto num = [&](long long low, long long high) {
            if (number(v, low, high, n)) return true;
            std::fprintf(stderr, "kiosk-fleet-sim: %s wants %lld..%lld, not %s\n", argv[i - 1], low,
                         high, v);
            return false;
        };
        if (a == "--kiosks") {
            if (!num(1, 60000)) return std::nullopt;
            o.kiosks = int(n);
        } else if (a == "--scraped") {
            if (!num(0, 60000)) return std::nullopt;
            o.scraped = int(n);
        } else if (a == "--id-prefix") {
            o.id_prefix = v;
        } else if (a == "--certs") {
            o.certs = v;
        } else if (a == "--push-url") {
            o.push_url = v;
        } else if (a == "--push-ca") {
            o.push_ca = v;
        } else if (a == "--push-interval-ms") {
            if (!num(100, 3600000)) return std::nullopt;
            o.push_interval = std::chrono::milliseconds(n);
        } else if (a == "--register-url") {
            o.register_url = v;
        } else if (a == "--register-ca") {
            o.register_ca = v;
        } else if (a == "--api-key") {
            o.api_key = v;
        } else if (a == "--heartbeat-interval-ms") {
            if (!num(100, 3600000)) return std::nullopt;
            o.heartbeat_interval = std::chrono::milliseconds(n);
        } else if (a == "--threads") {
            if (!num(1, 256)) return std::nullopt;
            o.threads = int(n);
        } else if (a == "--heartbeat-threads") {
            if (!num(1, 256)) return std::nullopt;
            o.heartbeat_threads = int(n);
        } else if (a == "--management-port") {
            if (!num(0, 65535)) return std::nullopt;
            o.management_port = int(n);
        } else if (a == "--control-port") {
            if (!num(0, 65535)) return std::nullopt;
            c.control_port = int(n);
        } else if (a == "--port-file") {
            c.port_file = v;
        } else if (a == "--targets-file") {
            c.targets_file = v;
        } else if (a == "--seed") {
            if (!num(0, 1u << 31)) return std::nullopt;
            o.seed = unsigned(n);
        } else {
            std::fprintf(stderr, "kiosk-fleet-sim: unknown option %s\n", argv[i - 1]);
            return std::nullopt;
        }
    }
    if (o.certs.empty() || o.scraped > o.kiosks || (!o.push_url.empty() && o.push_ca.empty()) ||
        (!o.register_url.empty() && o.register_ca.empty())) {
        std::fprintf(stderr,
                     "kiosk-fleet-sim: --certs is required, --scraped at most --kiosks, and "
                     "--push-url and --register-url need their CA\n");
        return std::nullopt;
    }
    return c;
}

// Written whole, then renamed: a reader never sees half a file.
bool write_file(const std::string& path, const std::string& text) {
    const std::string part = path + ".part";
    {
        std::ofstream out(part, std::ios::trunc);
        if (!(out << text) || !out.flush()) return false;
    }
    return std::rename(part.c_str(), path.c_str()) == 0;
}

std::string targets_yaml(const fleet::Fleet& f) {
    std::string y = "# kiosk-fleet-sim: the scraped kiosks\n";
    for (const auto& [id, at] : f.scrape_targets())
        y += "- targets: [\"" + at + "\"]\n  labels:\n    kiosk: " + id + "\n";
    return y;
}

// Section: control

// One command, from HTTP or a line: the answer, and whether it worked.
std::pair<bool, std::string> command(fleet::Fleet& f, const std::string& verb,
                                     const std::string& arg) {
    if (verb == "stats") return {true, f.stats_json(false)};
    if (verb == "reset") return {true, f.stats_json(true)};
    if (verb == "kiosks") return {true, f.kiosks_json()};
    long long n = 0;
    if (!number(verb.c_str(), 1, 60000, n)) return {false, "unknown command: " + verb + "\n"};
    std::string why;
    if (!f.inject(int(n), arg, why)) return {false, why + "\n"};
    std::fprintf(stderr, "kiosk-fleet-sim: kiosk %lld: %s\n", n, arg.c_str());
    return {true, "ok\n"};
}

void serve_control(httplib::Server& http, fleet::Fleet& f) {
    auto reply = [](httplib::Response& res, std::pair<bool, std::string> r) {
        res.status = r.first ? 200 : 400;
        res.set_content(r.second, r.second.starts_with("{") || r.second.starts_with("[")
                                      ? "application/json"
                                      : "text/plain");
    };
    http.Post(R"(/kiosks/(\d+)/(\w+))", [&, reply](const auto& req, auto& res) {
        reply(res, command(f, req.matches[1].str(), req.matches[2].str()));
    });
    http.Get("/stats", [&, reply](const auto&, auto& res) { reply(res, command(f, "stats", "")); });
    http.Post("/stats/reset",
              [&, reply](const auto&, auto& res) { reply(res, command(f, "reset", "")); });
    http.Get("/kiosks",
             [&, reply](const auto&, auto& res) { reply(res, command(f, "kiosks", "")); });
}

// Lines on standard input until it ends or a signal comes; the signal's number, or 0.
int read_lines(fleet::Fleet& f) {
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    const int sfd = signalfd(-1, &signals, SFD_CLOEXEC);
    if (sfd < 0) return SIGTERM;
    pollfd fds[2] = {{sfd, POLLIN, 0}, {STDIN_FILENO, POLLIN, 0}};
    std::string pending;
    bool input = true;
    for (;;) {
        if (poll(fds, input ? 2 : 1, -1) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        if (fds[0].revents & POLLIN) {
            signalfd_siginfo info{};
            const bool read_ok = read(sfd, &info, sizeof info) == sizeof info;
            close(sfd);
            return read_ok ? int(info.ssi_signo) : SIGTERM;
        }
        if (!input || !(fds[1].revents & (POLLIN | POLLHUP))) continue;
        char buf[4096];
        const ssize_t got = read(STDIN_FILENO, buf, sizeof buf);
        if (got <= 0) {
            input = false;  // standard input closed (< /dev/null): the HTTP control only
            continue;
        }
        pending.append(buf, std::size_t(got));
        for (std::size_t nl; (nl = pending.find('\n')) != std::string::npos;) {
            std::string line = pending.substr(0, nl), verb, arg;
            pending.erase(0, nl + 1);
            const auto space = line.find(' ');
            verb = line.substr(0, space);
            if (space != std::string::npos) arg = line.substr(space + 1);
            if (verb.empty()) continue;
            const auto [ok, answer] = command(f, verb, arg);
            std::fputs(answer.c_str(), ok ? stdout : stderr);
            std::fflush(stdout);
        }
    }
    close(sfd);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    const auto cli = parse(argc, argv);
    if (!cli) {
        std::fputs(kUsage, stderr);
        return 2;
    }
    // Every thread started from here on leaves SIGINT and SIGTERM to the signalfd.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    signal(SIGPIPE, SIG_IGN);
    net::global_init();

    int signo = 0;
    try {
        fleet::Fleet f(cli->fleet);
        if (!cli->targets_file.empty() && !write_file(cli->targets_file, targets_yaml(f)))
            throw std::runtime_error("cannot write " + cli->targets_file);
        httplib::Server http;
        serve_control(http, f);
        const int port =
            cli->control_port == 0
                ? http.bind_to_any_port("127.0.0.1")
                : (http.bind_to_port("127.0.0.1", cli->control_port) ? cli->control_port : -1);
        if (port <= 0) throw std::runtime_error("cannot bind the control port");
        std::thread control([&] { http.listen_after_bind(); });
        f.start();
        const auto& o = f.options();
        std::fprintf(stderr,
                     "kiosk-fleet-sim: %d kiosks: %d scraped on port %d, %d pushing to %s; "
                     "heartbeats to %s; control on http://127.0.0.1:%d\n",
                     o.kiosks, o.scraped, o.management_port, o.kiosks - o.scraped,
                     o.push_url.empty() ? "nobody" : o.push_url.c_str(),
                     o.register_url.empty() ? "nobody" : o.register_url.c_str(), port);
        if (!cli->port_file.empty() && !write_file(cli->port_file, std::to_string(port) + "\n"))
            std::fprintf(stderr, "kiosk-fleet-sim: cannot write %s\n", cli->port_file.c_str());
        signo = read_lines(f);
        http.stop();
        control.join();
        std::fputs(f.stats_json(false).c_str(), stdout);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "kiosk-fleet-sim: %s\n", e.what());
        return 1;
    }
    std::fprintf(stderr, "kiosk-fleet-sim: stopped%s\n", signo ? " on a signal" : "");
    return 0;
}
