#include "kiosk/monitor.h"

#include "kiosk/journal.h"
#include "kiosk/submission.h"

#include <common/secret_file.h>
#include <net/metrics_push.h>
#include <printer/cups.h>

#include <arpa/inet.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>

namespace kiosk {
namespace {

constexpr auto kSampleEvery = std::chrono::seconds(10);
constexpr auto kHeartbeatUnsupportedFor = std::chrono::hours(1);
constexpr auto kFollowUpAfter = std::chrono::seconds(1);  // results of commands just taken
constexpr auto kPrinterTimeout = std::chrono::seconds(5);
// MHD's own limits only back the gate's up: room for the connections the gate has cut and MHD
// has not closed yet (it accepts up to ten a turn).
constexpr unsigned kMhdSpareConnections = 16;
constexpr unsigned kMhdSilenceTimeoutS = 10;
// TLS 1.2 and 1.3 only, GnuTLS's normal ciphers for them.
constexpr const char* kTlsPriorities = "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2";
constexpr std::size_t kMaxPemBytes = 64 * 1024;  // a certificate chain or a CA bundle

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
    // One request per connection: the deadline from accept is then the request's deadline.
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
    const MHD_Result queued = MHD_queue_response(connection, status, r);
    MHD_destroy_response(r);
    return queued;
}

MHD_Result handle(const ManagementServer& server, MHD_Connection* connection, const char* url,
                  const char* method) {
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
        // Warnings follow the answer, 200 or 503: seen, without failing the check.
        std::string body = problems.empty() ? "ok\n" : "";
        for (const auto& p : problems) body += p + '\n';
        for (const auto& w : health_warnings(f)) body += "warning: " + w + '\n';
        return answer(connection, problems.empty() ? MHD_HTTP_OK : MHD_HTTP_SERVICE_UNAVAILABLE,
                      body, text);
    }
    if (std::strcmp(url, "/healthz/system") == 0) {
        // Whether this system works, for keeping a new one after an update: the other problems
        // are listed as not counted.
        std::string counted, others;
        for (const auto& p : problems) {
            if (system_problem(p))
                counted += p + '\n';
            else
                others += "not counted: " + p + '\n';
        }
        return answer(connection, counted.empty() ? MHD_HTTP_OK : MHD_HTTP_SERVICE_UNAVAILABLE,
                      (counted.empty() ? "ok\n" : counted) + others, text);
    }
    return answer(connection, MHD_HTTP_NOT_FOUND,
                  "not found: try /metrics, /healthz or /healthz/system\n", text);
}

// Section: the management port over TLS

// A certificate or CA file, whole: MHD takes them from memory.
std::string read_pem(const std::filesystem::path& file, const char* what) {
    std::ifstream in(file, std::ios::binary);
    if (!in)
        throw std::runtime_error(std::string("management TLS: cannot open the ") + what + " " +
                                 file.string() + ": " + std::strerror(errno));
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (text.empty() || text.size() > kMaxPemBytes)
        throw std::runtime_error(std::string("management TLS: the ") + what + " " + file.string() +
                                 " is empty or larger than 64 KiB");
    return text;
}

// The private key by the one rule for keys (the kiosk's user's, 0600 or 0400), read on the
// open descriptor.
std::string read_key(const std::filesystem::path& file) {
    std::string key(kMaxPemBytes, '\0');
    std::size_t size = 0;
    const common::FileStatus st = common::read_secret_file(
        file, {reinterpret_cast<unsigned char*>(key.data()), key.size()}, size);
    if (!st.ok()) {
        explicit_bzero(key.data(), key.size());
        throw std::runtime_error("management TLS: the key: " + st.message);
    }
    explicit_bzero(key.data() + size, key.size() - size);
    key.resize(size);
    return key;
}

// A client certificate that the scrapers' CA vouches for, valid now and meant for TLS
// clients. MHD only asks for one: having none, or another CA's, still completes the handshake.
bool client_certificate_verified(MHD_Connection* connection) {
    const MHD_ConnectionInfo* info =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_GNUTLS_SESSION);
    if (!info || !info->tls_session) return false;
    const auto session = static_cast<gnutls_session_t>(info->tls_session);
    unsigned int certificates = 0;
    if (gnutls_certificate_type_get(session) != GNUTLS_CRT_X509 ||
        !gnutls_certificate_get_peers(session, &certificates) || certificates == 0)
        return false;
    gnutls_typed_vdata_st purpose{};
    purpose.type = GNUTLS_DT_KEY_PURPOSE_OID;
    purpose.data = reinterpret_cast<unsigned char*>(const_cast<char*>(GNUTLS_KP_TLS_WWW_CLIENT));
    unsigned int status = 0;
    return gnutls_certificate_verify_peers(session, &purpose, 1, &status) == GNUTLS_E_SUCCESS &&
           status == 0;
}

// The client's address without its port: the key of the per-address limit.
std::string address_of(const sockaddr* addr) {
    if (!addr) return {};
    if (addr->sa_family == AF_INET) {
        const auto* a4 = reinterpret_cast<const sockaddr_in*>(addr);
        return {reinterpret_cast<const char*>(&a4->sin_addr), sizeof a4->sin_addr};
    }
    if (addr->sa_family == AF_INET6) {
        const auto* a6 = reinterpret_cast<const sockaddr_in6*>(addr);
        return {reinterpret_cast<const char*>(&a6->sin6_addr), sizeof a6->sin6_addr};
    }
    return {};
}

}  // namespace

// Section: refusals in the journal

void RefusalLog::refused(ManagementRefusal why, Clock::time_point now) {
    ++pending_[static_cast<std::size_t>(why)];
    if (!last_line_ || now - *last_line_ >= every_) flush(now);
}

std::optional<Clock::time_point> RefusalLog::due() const {
    if (std::all_of(pending_.begin(), pending_.end(), [](std::uint64_t n) { return n == 0; }))
        return std::nullopt;
    return last_line_ ? *last_line_ + every_ : Clock::time_point{};
}

void RefusalLog::flush(Clock::time_point now) {
    std::uint64_t total = 0;
    std::string by_reason;
    for (int i = 0; i < kManagementRefusalCount; ++i) {
        const std::uint64_t n = pending_[std::size_t(i)];
        if (n == 0) continue;
        total += n;
        by_reason += (by_reason.empty() ? "" : ", ") +
                     std::string(management_refusal_name(ManagementRefusal(i))) + ' ' +
                     std::to_string(n);
    }
    if (total == 0) return;
    log(Priority::Warning, "monitoring",
        "management port: %llu connection(s) cut or refused since the last such line (%s); "
        "at most one such line every %lld s",
        static_cast<unsigned long long>(total), by_reason.c_str(),
        static_cast<long long>(every_.count()));
    pending_ = {};
    last_line_ = now;
}

// Section: the gate: who holds a slot, and for how long

// Everything here runs on the server's thread (inside MHD_run) or after it has stopped, so the
// bookkeeping needs no lock. A connection's socket stays open until MHD has told `closed`, so a
// recorded fd is always the connection's own when it is cut.
struct ManagementServer::Gate {
    struct Client {
        MHD_Connection* connection = nullptr;
        int fd = -1;
        std::string address;
        Clock::time_point accepted{};
        bool asked = false;  // its whole request is in: it is being answered
        bool cut = false;    // shut down here; MHD closes it on its next turn
    };

    ManagementServer& server;
    RefusalLog refusals;
    std::vector<Client> clients;  // a few: the limits, and those cut but not yet closed
    std::optional<Clock::time_point> last_mhd_line;
    std::uint64_t mhd_unsaid = 0;  // MHD's messages left out since its last line
    // TLS: PEM text MHD was started with, kept while it runs; the key wiped after.
    bool tls = false;
    std::string tls_cert, tls_key, tls_client_ca;

    explicit Gate(ManagementServer& s) : server(s), refusals(s.port_limits.log_every) {}
    ~Gate() { explicit_bzero(tls_key.data(), tls_key.size()); }

    void refused(ManagementRefusal why, Clock::time_point now) {
        server.health.management_refused(why);
        refusals.refused(why, now);
    }

    // MHD sees the end of the stream on its next turn and closes the connection.
    void cut(Client& c, ManagementRefusal why, Clock::time_point now) {
        shutdown(c.fd, SHUT_RDWR);
        c.cut = true;
        refused(why, now);
    }

    // Room for a newcomer: the oldest connection still sending its request (among `address`'s,
    // or anyone's when null) gives up its slot. Requests being answered are never cut for it.
    bool make_room(const std::string* address, ManagementRefusal otherwise, Clock::time_point now) {
        Client* oldest = nullptr;
        for (Client& c : clients)
            if (!c.cut && !c.asked && (!address || c.address == *address) &&
                (!oldest || c.accepted < oldest->accepted))
                oldest = &c;
        if (!oldest) {
            refused(otherwise, now);
            return false;
        }
        cut(*oldest, ManagementRefusal::Evicted, now);
        return true;
    }

    bool admit(const std::string& address, Clock::time_point now) {
        std::size_t same = 0, total = 0;
        for (const Client& c : clients)
            if (!c.cut) {
                ++total;
                same += c.address == address;
            }
        if (same >= server.port_limits.per_address)
            return make_room(&address, ManagementRefusal::AddressLimit, now);
        if (total >= server.port_limits.connections)
            return make_room(nullptr, ManagementRefusal::ConnectionLimit, now);
        return true;
    }

    Client* find(MHD_Connection* connection) {
        for (Client& c : clients)
            if (c.connection == connection) return &c;
        return nullptr;
    }

    void started(MHD_Connection* connection) {
        const MHD_ConnectionInfo* fd =
            MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
        const MHD_ConnectionInfo* from =
            MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        if (!fd) return;  // cannot be cut: MHD's silence timeout still ends it
        clients.push_back({connection, fd->connect_fd,
                           address_of(from ? from->client_addr : nullptr), Clock::now()});
    }

    void closed(MHD_Connection* connection) {
        std::erase_if(clients, [&](const Client& c) { return c.connection == connection; });
    }

    void cut_overdue(Clock::time_point now) {
        for (Client& c : clients)
            if (!c.cut && now - c.accepted >= server.port_limits.request_deadline)
                cut(c, ManagementRefusal::Deadline, now);
    }

    // The next moment something is due here: a deadline, or refusals for the journal.
    std::optional<Clock::time_point> next_due() const {
        std::optional<Clock::time_point> next = refusals.due();
        for (const Client& c : clients)
            if (!c.cut) {
                const auto deadline = c.accepted + server.port_limits.request_deadline;
                next = next ? std::min(*next, deadline) : deadline;
            }
        return next;
    }

    // MHD's own messages are throttled too: a flood can make it say one per connection.
    void mhd_said(const char* format, va_list args) {
        const auto now = Clock::now();
        if (last_mhd_line && now - *last_mhd_line < server.port_limits.log_every) {
            ++mhd_unsaid;
            return;
        }
        char text[512];
        std::vsnprintf(text, sizeof text, format, args);
        text[std::strcspn(text, "\n")] = '\0';
        log(Priority::Warning, "monitoring",
            "libmicrohttpd: %s (%llu of its messages left out since its last line)", text,
            static_cast<unsigned long long>(mhd_unsaid));
        mhd_unsaid = 0;
        last_mhd_line = now;
    }

    // Section: MHD's callbacks, all with the gate as cls

    static MHD_Result on_accept(void* cls, const sockaddr* addr, socklen_t) {
        return static_cast<Gate*>(cls)->admit(address_of(addr), Clock::now()) ? MHD_YES : MHD_NO;
    }

    static void on_connection(void* cls, MHD_Connection* connection, void**,
                              MHD_ConnectionNotificationCode what) {
        auto* gate = static_cast<Gate*>(cls);
        if (what == MHD_CONNECTION_NOTIFY_STARTED)
            gate->started(connection);
        else
            gate->closed(connection);
    }

    static MHD_Result on_request(void* cls, MHD_Connection* connection, const char* url,
                                 const char* method, const char*, const char*, size_t*, void**) {
        auto* gate = static_cast<Gate*>(cls);
        if (Client* c = gate->find(connection)) c->asked = true;
        if (gate->tls && !client_certificate_verified(connection)) {
            gate->refused(ManagementRefusal::ClientCertificate, Clock::now());
            return answer(connection, MHD_HTTP_FORBIDDEN,
                          "a client certificate from the scrapers' CA is required\n",
                          "text/plain; charset=utf-8");
        }
        return handle(gate->server, connection, url, method);
    }

    static void on_message(void* cls, const char* format, va_list args) {
        static_cast<Gate*>(cls)->mhd_said(format, args);
    }
};

ManagementTls management_tls(const Config& cfg) {
    return {cfg.management_cert, cfg.management_key, cfg.scraper_ca};
}

HealthLimits health_limits(const Config& cfg) {
    HealthLimits l;
    l.outbox_stuck_after = std::chrono::seconds(cfg.outbox_stuck_after_s);
    l.disk_low_bytes = static_cast<std::uint64_t>(cfg.disk_low_mb) << 20;
    return l;
}

ManagementServer::ManagementServer(const ListenAddress& at, Health& h, HealthLimits l,
                                   ManagementLimits p, const ManagementTls& tls)
    : health(h), limits(l), port_limits(p), gate_(std::make_unique<Gate>(*this)) {
    // TLS: the server's identity and the CA of the scrapers' certificates, from memory; MHD then
    // asks every client for a certificate, which on_request checks.
    std::vector<MHD_OptionItem> tls_options;
    if (!tls.cert.empty()) {
        if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
            throw std::runtime_error("management TLS: this libmicrohttpd has no TLS (GnuTLS)");
        gate_->tls = true;
        gate_->tls_cert = read_pem(tls.cert, "certificate");
        gate_->tls_client_ca = read_pem(tls.client_ca, "scrapers' CA");
        gate_->tls_key = read_key(tls.key);
        tls_options = {{MHD_OPTION_HTTPS_MEM_CERT, 0, gate_->tls_cert.data()},
                       {MHD_OPTION_HTTPS_MEM_KEY, 0, gate_->tls_key.data()},
                       {MHD_OPTION_HTTPS_MEM_TRUST, 0, gate_->tls_client_ca.data()},
                       {MHD_OPTION_HTTPS_PRIORITIES, 0, const_cast<char*>(kTlsPriorities)}};
    }
    tls_options.push_back({MHD_OPTION_END, 0, nullptr});
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
    stop_fd_ = eventfd(0, EFD_CLOEXEC);
    if (stop_fd_ < 0)
        throw std::runtime_error(std::string("management server: eventfd: ") +
                                 std::strerror(errno));
    // MHD runs on the server's own thread (run), in epoll mode without a thread of its own: the
    // gate then cuts connections between MHD's turns, when no socket can close under it. The
    // logger comes first among the options, as MHD asks.
    daemon_ = MHD_start_daemon(
        MHD_USE_EPOLL | MHD_USE_ERROR_LOG | (at.ipv6 ? MHD_USE_IPv6 : 0) |
            (gate_->tls ? MHD_USE_TLS : 0),
        static_cast<uint16_t>(at.port), &Gate::on_accept, gate_.get(), &Gate::on_request,
        gate_.get(), MHD_OPTION_EXTERNAL_LOGGER, static_cast<MHD_LogCallback>(&Gate::on_message),
        gate_.get(), MHD_OPTION_SOCK_ADDR, reinterpret_cast<sockaddr*>(&addr),
        MHD_OPTION_NOTIFY_CONNECTION,
        static_cast<MHD_NotifyConnectionCallback>(&Gate::on_connection), gate_.get(),
        MHD_OPTION_CONNECTION_LIMIT, port_limits.connections + kMhdSpareConnections,
        MHD_OPTION_CONNECTION_TIMEOUT, kMhdSilenceTimeoutS, MHD_OPTION_ARRAY, tls_options.data(),
        MHD_OPTION_END);
    // Without MHD's epoll descriptor the thread would wait on nothing and never serve.
    if (!daemon_ || !MHD_get_daemon_info(daemon_, MHD_DAEMON_INFO_EPOLL_FD)) {
        if (daemon_) MHD_stop_daemon(daemon_);
        close(stop_fd_);
        throw std::runtime_error("cannot serve the management address " + at.host + ":" +
                                 std::to_string(at.port) +
                                 (gate_->tls ? " (or its TLS certificate and key)" : ""));
    }
    try {
        thread_ = std::thread([this] { run(); });
    } catch (...) {
        MHD_stop_daemon(daemon_);
        close(stop_fd_);
        throw;
    }
}

ManagementServer::~ManagementServer() {
    const std::uint64_t one = 1;
    while (write(stop_fd_, &one, sizeof one) < 0 && errno == EINTR) {
    }
    thread_.join();
    MHD_stop_daemon(daemon_);
    close(stop_fd_);
    gate_->refusals.flush(Clock::now());  // what the last minute refused still reaches the log
}

// Waits for MHD's sockets, a deadline or the stop; then lets MHD and the gate do their part.
void ManagementServer::run() {
    const int epoll_fd = MHD_get_daemon_info(daemon_, MHD_DAEMON_INFO_EPOLL_FD)->epoll_fd;
    pollfd fds[2] = {{epoll_fd, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
    for (;;) {
        const auto now = Clock::now();
        gate_->cut_overdue(now);
        if (const auto due = gate_->refusals.due(); due && *due <= now) gate_->refusals.flush(now);
        long long wait_ms = -1;
        MHD_UNSIGNED_LONG_LONG mhd_ms = 0;
        if (MHD_get_timeout(daemon_, &mhd_ms) == MHD_YES)
            wait_ms = static_cast<long long>(std::min<MHD_UNSIGNED_LONG_LONG>(mhd_ms, INT_MAX));
        if (const auto due = gate_->next_due()) {
            const auto until = std::chrono::ceil<std::chrono::milliseconds>(*due - now).count();
            wait_ms = std::clamp<long long>(until, 0, wait_ms < 0 ? INT_MAX : wait_ms);
        }
        if (poll(fds, 2, static_cast<int>(wait_ms)) < 0) {
            if (errno == EINTR) continue;
            log(Priority::Error, "monitoring", "management server stopped: poll: %s",
                std::strerror(errno));
            return;
        }
        if (fds[1].revents & POLLIN) return;
        MHD_run(daemon_);
    }
}

int ManagementServer::port() const {
    const MHD_DaemonInfo* info = MHD_get_daemon_info(daemon_, MHD_DAEMON_INFO_BIND_PORT);
    return info ? info->port : 0;
}

// Section: the monitor's thread

Monitor::Monitor(const Config& cfg, Health& health, printer::PaperCounter& paper,
                 const RemoteActions* actions, CommandLedger* ledger)
    : cfg_(cfg),
      health_(health),
      paper_(paper),
      actions_(actions),
      own_ledger_(ledger ? nullptr : std::make_unique<CommandLedger>(cfg.state_dir)),
      ledger_(ledger ? ledger : own_ledger_.get()),
      check_(CommandCheck::from(cfg)) {
    thread_ = std::thread([this] { loop(); });
}

Monitor::~Monitor() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        stop_.request_stop();
    }
    wakeup_.notify_all();
    thread_.join();
    // A restart or reboot staff just asked for must still reach the register: one last
    // heartbeat, kept short so that stopping the kiosk never hangs on a slow register.
    const Figures f = health_.figures();
    // Commands it hands now wait for the next start: the kiosk is stopping.
    if (!f.staff_events.empty() && f.staff_events.back().seq > f.staff_events_reported)
        heartbeat(std::chrono::seconds(3), {}, false);
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
    serve_on(server_, cfg_.management_listen, management_tls(cfg_), serve_failed_);
    serve_on(local_server_, cfg_.local_listen, {}, local_serve_failed_);
}

void Monitor::serve_on(std::optional<ManagementServer>& server, const std::string& listen,
                       const ManagementTls& tls, bool& failed) {
    if (server || listen.empty()) return;
    try {
        server.emplace(*parse_listen_address(listen), health_, health_limits(cfg_),
                       ManagementLimits{}, tls);
        log(Priority::Info, "monitoring", "%s %s serving /metrics and /healthz on port %d%s",
            &server == &server_ ? "management address" : "local address", listen.c_str(),
            server->port(),
            tls.cert.empty() ? "" : " over TLS (client certificates from scraper_ca)");
        failed = false;
    } catch (const std::exception& e) {
        if (!failed) log(Priority::Error, "monitoring", "%s; trying again", e.what());
        failed = true;
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
            // Results of commands just taken go back at once, but one such heartbeat in a row:
            // a register handing commands in every answer cannot make the kiosk beat faster.
            const bool soon = heartbeat(std::chrono::seconds(60), stop_.get_token()) &&
                              !std::exchange(follow_up_, true);
            if (!soon) follow_up_ = false;
            next_heartbeat =
                soon ? WallClock::now() + kFollowUpAfter
                     : std::max(WallClock::now() + std::chrono::seconds(cfg_.heartbeat_interval_s),
                                heartbeat_unsupported_until_.value_or(WallClock::time_point{}));
        }
        push_if_due();
        lock.lock();
        auto until = std::min(WallClock::now() + kSampleEvery, next_heartbeat);
        if (!cfg_.push_url.empty()) until = std::min(until, next_push_);
        wakeup_.wait_until(lock, until, [this] { return stopping_ || woken_; });
    }
}

void Monitor::sample() {
    Sample s;
    s.at = WallClock::now();
    // Opened afresh each time: staff may have moved a broken outbox aside since the last look.
    try {
        s.outbox = Outbox(outbox_file(cfg_), cfg_.kiosk_id).stats();
    } catch (const std::exception&) {
        // An outbox that cannot be read is the delivery worker's to report, once.
    }
    s.printer = ask_printer(cfg_.printer_target);
    s.paper_remaining = paper_.remaining();
    s.paper_low = paper_.low();
    s.disk_free_bytes = disk_free(cfg_.state_dir);
    s.client_cert_expiry = certificate_expiry(cfg_.client_cert);
    s.ca_expiry = certificate_expiry(cfg_.register_ca);
    health_.sampled(std::move(s));
}

bool Monitor::heartbeat(std::chrono::seconds within, std::stop_token cancel, bool take) {
    const Figures f = health_.figures();
    const auto now = WallClock::now();
    const std::vector<CommandReport> results = ledger_->unreported();
    const std::string body =
        heartbeat_json(f, health_problems(f, health_limits(cfg_), now, Clock::now()), now, results);
    const std::uint64_t reported = f.staff_events.empty() ? 0 : f.staff_events.back().seq;
    net::RegisterEndpoint endpoint = register_endpoint(cfg_);
    endpoint.cancel = std::move(cancel);
    endpoint.total_timeout_ms =
        std::min<long>(endpoint.total_timeout_ms, std::chrono::milliseconds(within).count());
    endpoint.connect_timeout_ms = std::min(endpoint.connect_timeout_ms, endpoint.total_timeout_ms);
    const net::HeartbeatResult r =
        net::send_heartbeat(endpoint, cfg_.kiosk_id, body, new_idempotency_key());
    const bool up = r.outcome == net::Outcome::Registered;
    if (r.outcome == net::Outcome::Rejected && r.http_status == 404) {
        // A plain Open311 server has no heartbeat path: said once, asked again hourly.
        if (!heartbeat_unsupported_until_)
            log(Priority::Warning, "heartbeat",
                "heartbeat: the register has no heartbeat path (HTTP 404); asking again hourly");
        heartbeat_unsupported_until_ = WallClock::now() + kHeartbeatUnsupportedFor;
        health_.heartbeat_unsupported(WallClock::now());
        register_was_up_ = true;
        return false;
    }
    heartbeat_unsupported_until_.reset();
    bool results_left = false;
    if (up) {
        health_.heartbeat_taken(WallClock::now(), reported);
        if (!results.empty()) ledger_->reported(results, WallClock::now());
        if (take) results_left = take_commands(r);
    } else if (r.outcome == net::Outcome::Rejected)
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
    return results_left;
}

bool Monitor::take_commands(const net::HeartbeatResult& answer) {
    if (answer.commands_ignored > 0) {
        health_.remote_commands_ignored(answer.commands_ignored);
        log(Priority::Warning, "remote",
            "heartbeat answer: %zu command(s) left unread (past %zu, or not {payload, signature})",
            answer.commands_ignored, net::kMaxCommandsPerAnswer);
    }
    if (answer.commands.empty()) return false;
    for (const CommandReport& r : ledger_->take(answer.commands, check_, actions_, WallClock::now(),
                                                stop_.get_token(), [this] { push_if_due(); }))
        health_.remote_command(r.name, r.result);
    return !ledger_->unreported(1).empty();
}

// Section: the metrics push

void Monitor::push_if_due() {
    if (cfg_.push_url.empty() || WallClock::now() < next_push_) return;
    push(stop_.get_token());
    next_push_ = WallClock::now() + std::chrono::seconds(cfg_.push_interval_s);
}

// The exposition /metrics serves, pushed with the kiosk's one identity ([register]'s client
// certificate) to the gateway whose CA is pinned; on this thread, never the UI's.
void Monitor::push(std::stop_token cancel) {
    const Figures f = health_.figures();
    const auto now = WallClock::now();
    const std::string body =
        metrics_text(f, health_problems(f, health_limits(cfg_), now, Clock::now()), now);
    const net::PushEndpoint endpoint{.url = cfg_.push_url,
                                     .ca_file = cfg_.push_ca,
                                     .client_cert = cfg_.client_cert,
                                     .client_key = cfg_.client_key};
    const net::PushResult r = net::push_metrics(endpoint, cfg_.kiosk_id, body, std::move(cancel));
    if (!r.ok && r.error == "cancelled") return;  // the kiosk is stopping: no failure
    if (r.ok)
        health_.metrics_pushed(WallClock::now());
    else
        health_.metrics_push_failed();
    // The journal hears of changes, not of every push.
    if (r.ok && push_ok_ != true)
        log(Priority::Notice, "monitoring", "metrics push: the gateway takes the kiosk's metrics%s",
            push_ok_ ? " again" : "");
    if (!r.ok && push_ok_ != false)
        log(Priority::Warning, "monitoring",
            "metrics push: not taken (HTTP %ld): %s; said again once it works", r.http_status,
            r.error.c_str());
    push_ok_ = r.ok;
}

}  // namespace kiosk
