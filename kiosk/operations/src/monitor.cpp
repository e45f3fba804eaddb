#include "kiosk/monitor.h"

#include "kiosk/journal.h"
#include "kiosk/submission.h"

#include <printer/cups.h>

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/statvfs.h>

#include <cstring>

namespace kiosk {
namespace {

constexpr auto kSampleEvery = std::chrono::seconds(10);
constexpr auto kPrinterTimeout = std::chrono::seconds(5);

// Section: what sampling reads

std::optional<WallClock::time_point> certificate_expiry(const std::filesystem::path& pem) {
    if (pem.empty()) return std::nullopt;
    FILE* f = std::fopen(pem.c_str(), "r");
    if (!f) return std::nullopt;
    X509* cert = PEM_read_X509(f, nullptr, nullptr, nullptr);
    std::fclose(f);
    if (!cert) return std::nullopt;
    std::tm tm{};
    const bool ok = ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm) == 1;
    X509_free(cert);
    if (!ok) return std::nullopt;
    return WallClock::from_time_t(timegm(&tm));
}

std::uint64_t disk_free(const std::filesystem::path& dir) {
    struct statvfs st {};
    if (statvfs(dir.c_str(), &st) != 0) return 0;
    return static_cast<std::uint64_t>(st.f_bavail) * st.f_frsize;
}

PrinterHealth ask_printer(const std::string& target) {
    PrinterHealth p;
    if (target.empty()) return p;
    const printer::PrinterStatus st = printer::printer_status(target, kPrinterTimeout);
    using S = printer::PrinterStatus::State;
    p.configured = true;
    p.reachable = st.state != S::Unreachable;
    p.media_empty = st.media_empty;
    p.media_low = st.media_low;
    p.jam = st.media_jam;
    p.cover_open = st.cover_open;
    p.offline = st.offline;
    p.state = st.state == S::Idle         ? "idle"
              : st.state == S::Processing ? "processing"
              : st.state == S::Stopped    ? "stopped"
                                          : "unreachable";
    return p;
}

// Section: the management server's one handler

MHD_Result answer(MHD_Connection* connection, unsigned status, const std::string& body,
                  const char* type) {
    MHD_Response* r = MHD_create_response_from_buffer(body.size(), const_cast<char*>(body.data()),
                                                      MHD_RESPMEM_MUST_COPY);
    if (!r) return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    const MHD_Result queued = MHD_queue_response(connection, status, r);
    MHD_destroy_response(r);
    return queued;
}

MHD_Result handle(void* cls, MHD_Connection* connection, const char* url, const char* method,
                  const char*, const char*, size_t*, void**) {
    const auto& server = *static_cast<const ManagementServer*>(cls);
    constexpr const char* text = "text/plain; charset=utf-8";
    if (std::strcmp(method, "GET") != 0 && std::strcmp(method, "HEAD") != 0)
        return answer(connection, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET\n", text);
    const Figures f = server.health.figures();
    const auto now = WallClock::now();
    const auto problems = health_problems(f, server.limits, now, Clock::now());
    if (std::strcmp(url, "/metrics") == 0)
        return answer(connection, MHD_HTTP_OK, metrics_text(f, problems, now),
                      "text/plain; version=0.0.4; charset=utf-8");
    if (std::strcmp(url, "/healthz") == 0) {
        std::string body;
        for (const auto& p : problems) body += p + '\n';
        return problems.empty() ? answer(connection, MHD_HTTP_OK, "ok\n", text)
                                : answer(connection, MHD_HTTP_SERVICE_UNAVAILABLE, body, text);
    }
    return answer(connection, MHD_HTTP_NOT_FOUND, "not found: try /metrics or /healthz\n", text);
}

}  // namespace

HealthLimits health_limits(const Config& cfg) {
    HealthLimits l;
    l.outbox_stuck_after = std::chrono::seconds(cfg.outbox_stuck_after_s);
    l.disk_low_bytes = static_cast<std::uint64_t>(cfg.disk_low_mb) << 20;
    return l;
}

ManagementServer::ManagementServer(const ListenAddress& at, const Health& h, HealthLimits l)
    : health(h), limits(l) {
    sockaddr_storage addr{};
    if (at.ipv6) {
        auto* a6 = reinterpret_cast<sockaddr_in6*>(&addr);
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons(static_cast<uint16_t>(at.port));
        inet_pton(AF_INET6, at.host.c_str(), &a6->sin6_addr);
    } else {
        auto* a4 = reinterpret_cast<sockaddr_in*>(&addr);
        a4->sin_family = AF_INET;
        a4->sin_port = htons(static_cast<uint16_t>(at.port));
        inet_pton(AF_INET, at.host.c_str(), &a4->sin_addr);
    }
    // One internal thread; a scraper that hangs is cut after 10 s and cannot hold more than a
    // few connections.
    daemon_ = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG | (at.ipv6 ? MHD_USE_IPv6 : 0),
        static_cast<uint16_t>(at.port), nullptr, nullptr, &handle, this, MHD_OPTION_SOCK_ADDR,
        reinterpret_cast<sockaddr*>(&addr), MHD_OPTION_CONNECTION_LIMIT, 8u,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, 4u, MHD_OPTION_CONNECTION_TIMEOUT, 10u, MHD_OPTION_END);
    if (!daemon_)
        throw std::runtime_error("cannot serve the management address " + at.host + ":" +
                                 std::to_string(at.port));
}

ManagementServer::~ManagementServer() { MHD_stop_daemon(daemon_); }

int ManagementServer::port() const {
    const MHD_DaemonInfo* info = MHD_get_daemon_info(daemon_, MHD_DAEMON_INFO_BIND_PORT);
    return info ? info->port : 0;
}

// Section: the monitor's thread

Monitor::Monitor(const Config& cfg, Health& health, printer::PaperCounter& paper)
    : cfg_(cfg), health_(health), paper_(paper) {
    thread_ = std::thread([this] { loop(); });
}

Monitor::~Monitor() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wakeup_.notify_all();
    thread_.join();
    // A restart or reboot staff just asked for must still reach the register: one last
    // heartbeat, kept short so that stopping the kiosk never hangs on a slow register.
    const Figures f = health_.figures();
    if (!f.staff_events.empty() && f.staff_events.back().seq > f.staff_events_reported)
        heartbeat(std::chrono::seconds(3));
}

void Monitor::wake() {
    {
        std::lock_guard lock(mutex_);
        woken_ = true;
    }
    wakeup_.notify_all();
}

// A port taken by something else must not keep citizens from the kiosk: say so, and try
// again at every sample until it is free.
void Monitor::serve() {
    if (server_ || cfg_.management_listen.empty()) return;
    try {
        server_.emplace(*parse_listen_address(cfg_.management_listen), health_,
                        health_limits(cfg_));
        log(Priority::Info, "monitoring",
            "management address %s serving /metrics and /healthz on port %d",
            cfg_.management_listen.c_str(), server_->port());
        serve_failed_ = false;
    } catch (const std::exception& e) {
        if (!serve_failed_) log(Priority::Error, "monitoring", "%s; trying again", e.what());
        serve_failed_ = true;
    }
}

void Monitor::loop() {
    auto next_heartbeat = WallClock::now();  // the first at once: operators see the kiosk start
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        woken_ = false;
        lock.unlock();
        serve();
        sample();
        if (WallClock::now() >= next_heartbeat) {
            heartbeat();
            next_heartbeat = WallClock::now() + std::chrono::seconds(cfg_.heartbeat_interval_s);
        }
        lock.lock();
        const auto until = std::min(WallClock::now() + kSampleEvery, next_heartbeat);
        wakeup_.wait_until(lock, until, [this] { return stopping_ || woken_; });
    }
}

void Monitor::sample() {
    Sample s;
    s.at = WallClock::now();
    try {
        if (!outbox_) outbox_ = std::make_unique<Outbox>(outbox_file(cfg_), cfg_.kiosk_id);
        s.outbox = outbox_->stats();
    } catch (const std::exception& e) {
        log(Priority::Error, "outbox", "outbox: %s", e.what());
    }
    s.printer = ask_printer(cfg_.printer_target);
    s.paper_remaining = paper_.remaining();
    s.paper_low = paper_.low();
    s.disk_free_bytes = disk_free(cfg_.state_dir);
    s.client_cert_expiry = certificate_expiry(cfg_.client_cert);
    s.ca_expiry = certificate_expiry(cfg_.register_ca);
    health_.sampled(std::move(s));
}

void Monitor::heartbeat(std::chrono::seconds within) {
    const Figures f = health_.figures();
    const auto now = WallClock::now();
    const std::string body =
        heartbeat_json(f, health_problems(f, health_limits(cfg_), now, Clock::now()), now);
    const std::uint64_t reported = f.staff_events.empty() ? 0 : f.staff_events.back().seq;
    net::RegisterEndpoint endpoint = register_endpoint(cfg_);
    endpoint.total_timeout_ms =
        std::min<long>(endpoint.total_timeout_ms, std::chrono::milliseconds(within).count());
    endpoint.connect_timeout_ms = std::min(endpoint.connect_timeout_ms, endpoint.total_timeout_ms);
    const net::HeartbeatResult r =
        net::send_heartbeat(endpoint, cfg_.kiosk_id, body, new_idempotency_key());
    const bool up = r.outcome == net::Outcome::Registered;
    if (up)
        health_.heartbeat_taken(WallClock::now(), reported);
    else if (r.outcome == net::Outcome::Rejected)
        health_.register_answered(WallClock::now());
    else
        health_.register_failed(WallClock::now(), r.error);
    // The journal hears of changes, not of every minute.
    if (up && !register_was_up_)
        log(Priority::Notice, "heartbeat", "heartbeat: the register takes heartbeats again");
    if (!up && (register_was_up_ || r.outcome == net::Outcome::Rejected))
        log(Priority::Warning, "heartbeat", "heartbeat: not taken (HTTP %ld): %s", r.http_status,
            r.error.c_str());
    register_was_up_ = up;
}

}  // namespace kiosk
