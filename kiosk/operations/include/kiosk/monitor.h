// kiosk/monitor: keeps the health figures fresh and tells the world. Samples the outbox,
// printer, disk and certificates every few seconds, pushes the heartbeat to the register, and
// serves /metrics and /healthz on the management address (libmicrohttpd). Its own threads:
// nothing here ever runs on the UI thread.
#pragma once
#include "kiosk/config.h"
#include "kiosk/health.h"
#include "kiosk/remote_command.h"

#include <printer/paper.h>

#include <array>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <stop_token>
#include <thread>

struct MHD_Daemon;

namespace kiosk {

HealthLimits health_limits(const Config& cfg);

// How much of the kiosk the management port may hold. One address never gets every slot, and a
// connection still sending its request gives its slot up to a newer one: slow clients from the
// scraper's own address cannot keep its scrape out.
struct ManagementLimits {
    unsigned connections = 8;  // at once, all addresses together
    unsigned per_address = 4;
    // From accept to the last byte of the answer, however steadily the client dribbles: MHD's
    // own timeout counts only silence.
    std::chrono::milliseconds request_deadline{5000};
    std::chrono::seconds log_every{60};  // refusals: at most one journal line per this
};

// The management port over TLS ([monitoring] tls_cert, tls_key, scraper_ca): only scrapers
// with a client certificate from scraper_ca get an answer (403 otherwise, counted as
// client_certificate). An empty cert: plain HTTP (loopback only, by the configuration's rule).
struct ManagementTls {
    std::filesystem::path cert, key, client_ca;  // PEM; the key checked like every private key
};
ManagementTls management_tls(const Config& cfg);

// Section: refusals in the journal

// Refusals on the management port, in the journal at most once per `every` with the counts
// since the last line: a flood of them must not use up journald's rate limit and so drop the
// audit lines of staff actions and submissions. Not thread-safe: the server's thread owns it.
class RefusalLog {
public:
    explicit RefusalLog(std::chrono::seconds every) : every_(every) {}
    // A line at once when the last one is older than `every`; otherwise only counted.
    void refused(ManagementRefusal why, Clock::time_point now);
    // When the counts not yet in the journal are due; nullopt when there are none.
    std::optional<Clock::time_point> due() const;
    void flush(Clock::time_point now);  // writes the counts not yet in the journal, if any

private:
    std::chrono::seconds every_;
    std::optional<Clock::time_point> last_line_;
    std::array<std::uint64_t, kManagementRefusalCount> pending_{};
};

// Section: the management server

// GET /metrics and GET /healthz, nothing else, one request per connection, on its own thread.
class ManagementServer {
public:
    // Throws on bind failure, and on TLS files it cannot read or use.
    ManagementServer(const ListenAddress& at, Health& health, HealthLimits limits,
                     ManagementLimits port_limits = {}, const ManagementTls& tls = {});
    ~ManagementServer();
    ManagementServer(const ManagementServer&) = delete;
    ManagementServer& operator=(const ManagementServer&) = delete;
    int port() const;  // the bound port

    Health& health;
    const HealthLimits limits;
    const ManagementLimits port_limits;

private:
    struct Gate;  // admits, times, cuts and counts connections (monitor.cpp)
    void run();

    std::unique_ptr<Gate> gate_;
    MHD_Daemon* daemon_ = nullptr;
    int stop_fd_ = -1;  // eventfd: wakes the thread to stop
    std::thread thread_;
};

class Monitor {
public:
    // Starts sampling, the heartbeat, the metrics push (when push_url is set) and (unless
    // listen is "") the management server, all on the monitor's thread. Remote commands in
    // the heartbeat's answers are taken there too: `actions` runs them (nullptr: every one
    // refused as "not supported here"); `ledger` remembers them and holds the out-of-service
    // state the UI polls (nullptr: the monitor keeps its own in cfg.state_dir, reachable
    // through ledger()). Both outlive the monitor.
    Monitor(const Config& cfg, Health& health, printer::PaperCounter& paper,
            const RemoteActions* actions = nullptr, CommandLedger* ledger = nullptr);
    ~Monitor();
    void wake();  // sample now: after a print, a staff action
    CommandLedger& ledger() { return *ledger_; }

private:
    void loop();
    void serve();
    void serve_on(std::optional<ManagementServer>& server, const std::string& listen,
                  const ManagementTls& tls, bool& failed);
    void sample();
    // true when the answer left results to report: the next heartbeat goes soon.
    bool heartbeat(std::chrono::seconds within, std::stop_token cancel, bool take_commands = true);
    bool take_commands(const net::HeartbeatResult& answer);
    void push(std::stop_token cancel);  // the exposition to [monitoring] push_url
    // The push when it is due (push_url set): from the loop, and between an answer's commands,
    // so that a register handing slow commands cannot keep the kiosk's metrics from the gateway.
    void push_if_due();

    const Config& cfg_;
    Health& health_;
    printer::PaperCounter& paper_;
    const RemoteActions* actions_;
    std::unique_ptr<CommandLedger> own_ledger_;
    CommandLedger* ledger_;
    const CommandCheck check_;
    std::optional<ManagementServer> server_;
    std::optional<ManagementServer> local_server_;  // [monitoring] local_listen
    std::mutex mutex_;
    std::condition_variable wakeup_;
    bool stopping_ = false, woken_ = false;
    std::stop_source stop_;  // cuts a heartbeat in flight short when the kiosk stops
    bool register_was_up_ = true;
    // A register without the heartbeat path (404) is asked again only after this.
    std::optional<WallClock::time_point> heartbeat_unsupported_until_;
    bool serve_failed_ = false, local_serve_failed_ = false;
    bool follow_up_ = false;       // the last heartbeat came early, for commands' results
    std::optional<bool> push_ok_;  // the last push's outcome: the journal hears of changes
    WallClock::time_point next_push_ = WallClock::now();  // the first at once
    std::thread thread_;
};

}  // namespace kiosk
