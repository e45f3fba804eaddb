// Metrics leave the kiosk only over TLS (issue 16): the push to a gateway on loopback that
// requires the kiosk's client certificate (net/metrics_push), the monitor pushing on its own
// thread, the management port over TLS for scrapers with a certificate from scraper_ca, and
// the metrics table of docs/monitoring.md against the exposition.
#include "kiosk/health.h"
#include "kiosk/journal.h"
#include "kiosk/monitor.h"

#include <net/metrics_push.h>

#include "http_get.h"
#include "process.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <regex>
#include <set>
#include <thread>

namespace kiosk {
namespace {

using namespace std::chrono_literals;
using testsupport::eventually;
using testsupport::metric;

// Section: certificates

// make-dev-certs' PKI in a folder of its own (ca, server for 127.0.0.1, client CN=kiosk-dev-01,
// rogue-ca and rogue-server), and a client certificate from the rogue CA made here.
struct Pki {
    std::string dir = testsupport::make_temp_dir("kiosk-push-pki");

    Pki() {
        const std::string log = dir + "/make.log";
        if (testsupport::run({"/bin/bash", MAKE_DEV_CERTS, dir}, log, 30s) != 0)
            throw std::runtime_error("make-dev-certs: " + testsupport::read_text(log));
        const std::string rogue = dir + "/rogue-client";
        const std::string script =
            "set -e; cd '" + dir + "'; umask 077; " +
            "openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
            "-keyout rogue-client.key -subj /CN=kiosk-dev-01 -out rogue-client.csr; "
            "printf 'extendedKeyUsage=clientAuth\\n' > rogue-client.ext; "
            "openssl x509 -req -in rogue-client.csr -CA rogue-ca.crt -CAkey rogue-ca.key "
            "-CAcreateserial -days 30 -extfile rogue-client.ext -out rogue-client.crt";
        if (testsupport::run({"/bin/sh", "-c", script}, log, 30s) != 0)
            throw std::runtime_error("rogue client: " + testsupport::read_text(log));
    }
    ~Pki() { std::filesystem::remove_all(dir); }
    std::string operator()(const std::string& name) const { return dir + "/" + name; }
};

const Pki& pki() {
    static const Pki p;  // made once for the whole program: openssl takes a moment
    return p;
}

// Section: a gateway on loopback

struct Push {
    std::string method, path, content_type, body, remote_addr, client_cn;
};

// Pushgateway's side of a push as nginx in front of it sees it: TLS that requires a client
// certificate from the dev CA (or plain HTTP), every PUT recorded, answered `status`.
class Gateway {
public:
    explicit Gateway(bool tls = true, const std::string& server = "server", int port = 0)
        : server_(tls ? std::unique_ptr<httplib::Server>(std::make_unique<httplib::SSLServer>(
                            pki()(server + ".crt").c_str(), pki()(server + ".key").c_str(),
                            pki()("ca.crt").c_str()))
                      : std::make_unique<httplib::Server>()) {
        // As nginx does: resumed sessions work with client certificates (OpenSSL refuses to
        // resume without a session id context), and a keep-alive connection is not held on.
        if (tls)
            SSL_CTX_set_session_id_context(static_cast<httplib::SSLServer&>(*server_).ssl_context(),
                                           reinterpret_cast<const unsigned char*>("gateway"), 7);
        server_->set_keep_alive_max_count(1);
        server_->Put(R"(/.*)", [this](const httplib::Request& rq, httplib::Response& rs) {
            std::lock_guard lock(mutex_);
            pushes_.push_back({rq.method, rq.path, rq.get_header_value("Content-Type"), rq.body,
                               rq.remote_addr, peer_cn(rq)});
            rs.status = status_;
            rs.set_content(answer_, "text/plain");
        });
        port_ = port ? (server_->bind_to_port("127.0.0.1", port) ? port : -1)
                     : server_->bind_to_any_port("127.0.0.1");
        if (port_ <= 0) throw std::runtime_error("gateway: cannot bind");
        // Bound means listening: connections wait in the backlog until the loop takes them.
        thread_ = std::thread([this] { server_->listen_after_bind(); });
    }
    ~Gateway() {
        // stop() does nothing before the loop runs, which would then run for ever.
        eventually([this] { return server_->is_running(); }, 5s);
        server_->stop();
        thread_.join();
    }
    int port() const { return port_; }
    std::string url(bool tls = true) const {
        return (tls ? "https" : "http") + std::string("://127.0.0.1:") + std::to_string(port_);
    }
    std::vector<Push> pushes() {
        std::lock_guard lock(mutex_);
        return pushes_;
    }
    void answer(int status, std::string body) {
        std::lock_guard lock(mutex_);
        status_ = status;
        answer_ = std::move(body);
    }

private:
    static std::string peer_cn(const httplib::Request& rq) {
        if (!rq.ssl) return "";
        X509* cert = SSL_get1_peer_certificate(rq.ssl);
        if (!cert) return "";
        char cn[256] = "";
        X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn, sizeof cn);
        X509_free(cert);
        return cn;
    }

    std::unique_ptr<httplib::Server> server_;
    int port_ = 0;
    std::thread thread_;
    std::mutex mutex_;
    std::vector<Push> pushes_;
    int status_ = 200;
    std::string answer_;
};

net::PushEndpoint endpoint(const std::string& url) {
    return {.url = url,
            .ca_file = pki()("ca.crt"),
            .client_cert = pki()("client.crt"),
            .client_key = pki()("client.key"),
            .connect_timeout = 2s,
            .total_timeout = 5s};
}

const std::string kExposition =
    "# TYPE kiosk_healthy gauge\nkiosk_healthy 1\n# TYPE kiosk_paper_low gauge\nkiosk_paper_low "
    "0\n";

// Section: the push

TEST(MetricsPush, PutsTheExpositionUnderTheKioskWithItsCertificate) {
    Gateway gw;
    for (const std::string& url : {gw.url(), gw.url() + "/"}) {
        const net::PushResult r = net::push_metrics(endpoint(url), "KSK-AKM-0001", kExposition);
        EXPECT_TRUE(r.ok) << r.error;
        EXPECT_EQ(r.http_status, 200);
    }
    const auto pushes = gw.pushes();
    ASSERT_EQ(pushes.size(), 2u);
    for (const Push& p : pushes) {
        EXPECT_EQ(p.method, "PUT");
        EXPECT_EQ(p.path, "/metrics/job/kiosk/kiosk/KSK-AKM-0001");
        EXPECT_EQ(p.content_type, "text/plain; version=0.0.4");
        EXPECT_EQ(p.body, kExposition);
        EXPECT_EQ(p.client_cn, "kiosk-dev-01");  // what nginx compares with the path's id
    }
}

TEST(MetricsPush, AGatewaysRefusalIsReportedWithItsWords) {
    Gateway gw;
    gw.answer(400, "pushed metrics are invalid or inconsistent\nwith existing metrics");
    const net::PushResult r = net::push_metrics(endpoint(gw.url()), "KSK-1", kExposition);
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.http_status, 400);
    EXPECT_EQ(r.error,
              "HTTP 400: pushed metrics are invalid or inconsistent with existing metrics");
}

TEST(MetricsPush, AGatewayFromAnotherCaIsRefused) {
    Gateway gw(true, "rogue-server");
    const net::PushResult r = net::push_metrics(endpoint(gw.url()), "KSK-1", kExposition);
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.http_status, 0);
    EXPECT_EQ(r.error.rfind("TLS: the gateway's certificate was refused", 0), 0u) << r.error;
    EXPECT_TRUE(gw.pushes().empty());
}

TEST(MetricsPush, WithoutTheKiosksCertificateTheGatewayTakesNothing) {
    Gateway gw;
    net::PushEndpoint ep = endpoint(gw.url());
    ep.client_cert.clear();
    ep.client_key.clear();
    EXPECT_FALSE(net::push_metrics(ep, "KSK-1", kExposition).ok);
    ep.client_cert = pki()("rogue-client.crt");  // same CN, another CA
    ep.client_key = pki()("rogue-client.key");
    EXPECT_FALSE(net::push_metrics(ep, "KSK-1", kExposition).ok);
    EXPECT_TRUE(gw.pushes().empty());
}

TEST(MetricsPush, PlainHttpOnlyToLoopbackAndOtherwiseNothingIsSent) {
    Gateway plain(false);
    const net::PushResult ok = net::push_metrics(endpoint(plain.url(false)), "KSK-1", kExposition);
    EXPECT_TRUE(ok.ok) << ok.error;
    EXPECT_EQ(plain.pushes().size(), 1u);
    // 192.0.2.1 (TEST-NET-1) would time out if anything were tried: the answer comes at once.
    for (const char* url :
         {"http://192.0.2.1:9091", "http://127.evil.example:9091", "http://metrics.example.kz",
          "ftp://127.0.0.1/", "file:///etc/passwd"}) {
        const auto start = std::chrono::steady_clock::now();
        const net::PushResult r = net::push_metrics(endpoint(url), "KSK-1", kExposition);
        EXPECT_FALSE(r.ok) << url;
        EXPECT_EQ(r.http_status, 0);
        EXPECT_EQ(r.error, "push URL must be https (plain http only to loopback)") << url;
        EXPECT_LT(std::chrono::steady_clock::now() - start, 500ms) << url;
    }
}

TEST(MetricsPush, LeavesFromTheSourceAddressItIsGiven) {
    Gateway gw;
    net::PushEndpoint ep = endpoint(gw.url());
    for (const char* source : {"127.0.0.2", "127.0.3.7"}) {
        ep.source_address = source;
        const net::PushResult r = net::push_metrics(ep, "KSK-1", kExposition);
        ASSERT_TRUE(r.ok) << source << ": " << r.error;
        EXPECT_EQ(gw.pushes().back().remote_addr, source);
    }
    ep.source_address = "lo";  // an interface name is not an address
    EXPECT_EQ(net::push_metrics(ep, "KSK-1", kExposition).error,
              "source address must be an IP address of this machine");
}

TEST(MetricsPush, OnlyAKioskIdGoesIntoThePath) {
    Gateway gw;
    // [kiosk] id's one rule (common/ids.h), as the configuration and the talon check it.
    for (const std::string& id :
         std::vector<std::string>{"", "ksk-1", "KSK/1", "../KSK", "KSK 1", "KSK%2F1", "ҚСК-1",
                                  "-KSK-1", "KSK-1-", std::string(33, 'K')}) {
        const net::PushResult r = net::push_metrics(endpoint(gw.url()), id, kExposition);
        EXPECT_EQ(r.error, "kiosk id must be 1..32 of A-Z 0-9 -, no '-' first or last") << id;
    }
    EXPECT_TRUE(net::push_metrics(endpoint(gw.url()), std::string(32, 'K'), kExposition).ok);
    EXPECT_EQ(gw.pushes().size(), 1u);
}

// A listener that never answers: the TLS handshake waits until the stop request ends it.
TEST(MetricsPush, AStopRequestEndsAPushInFlight) {
    // Not a structured binding: clang (the sanitizer build) cannot capture one in a lambda.
    const testsupport::LoopbackListener silent = testsupport::listen_on_loopback(4);
    const int fd = silent.fd;
    net::PushEndpoint ep = endpoint("https://127.0.0.1:" + std::to_string(silent.port));
    ep.total_timeout = 30s;
    std::stop_source stop;
    // Stopped once the push has connected: it then waits on the handshake nobody answers (the
    // accepted end stays open until the push has returned).
    int peer = -1;
    std::thread stopper([&] {
        pollfd connecting{.fd = fd, .events = POLLIN, .revents = 0};
        if (poll(&connecting, 1, 10000) == 1) peer = accept4(fd, nullptr, nullptr, SOCK_CLOEXEC);
        stop.request_stop();
    });
    const auto start = std::chrono::steady_clock::now();
    const net::PushResult r = net::push_metrics(ep, "KSK-1", kExposition, stop.get_token());
    stopper.join();
    EXPECT_GE(peer, 0);  // it had connected when stopped
    EXPECT_EQ(r.error, "cancelled");
    EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
    if (peer >= 0) close(peer);
    close(fd);
    stop = {};
    stop.request_stop();  // asked before: nothing tried
    EXPECT_EQ(
        net::push_metrics(endpoint("https://127.0.0.1:9"), "KSK-1", "", stop.get_token()).error,
        "cancelled");
}

TEST(MetricsPush, AnOversizedAnswerIsCutOff) {
    Gateway plain(false);
    plain.answer(200, std::string(net::kMaxPushAnswerBytes + 1, 'x'));
    const net::PushResult r = net::push_metrics(endpoint(plain.url(false)), "KSK-1", kExposition);
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.error, "answer larger than 64 KiB");
}

// Section: the monitor pushes on its own thread

std::vector<std::string> push_lines(const std::string& mark) {
    std::vector<std::string> out;
    for (const LogLine& l : recent_log(200)) {
        if (l.message == mark) out.clear();
        if (l.message.starts_with("metrics push:")) out.push_back(l.message);
    }
    return out;
}

Config push_config(const std::string& dir, const std::string& push_url) {
    Config cfg;
    cfg.kiosk_id = "KSK-PUSH-01";
    cfg.state_dir = dir;
    cfg.register_url = "https://127.0.0.1:9/";  // nothing there: heartbeats fail, quickly
    cfg.connect_timeout_s = 1;
    cfg.management_listen.clear();
    cfg.client_cert = pki()("client.crt");
    cfg.client_key = pki()("client.key");
    cfg.push_url = push_url;
    cfg.push_ca = pki()("ca.crt");
    cfg.push_interval_s = 5;
    return cfg;
}

TEST(MonitorPush, PushesTheMetricsEveryIntervalAndCountsThem) {
    Gateway gw;
    const std::string dir = testsupport::make_temp_dir("kiosk-monitor-push");
    const Config cfg = push_config(dir, gw.url());
    Health health(cfg.kiosk_id, "1.2.3", WallClock::now());
    printer::PaperCounter paper(dir + "/paper", 100, 10);
    {
        Monitor monitor(cfg, health, paper);
        ASSERT_TRUE(eventually([&] { return gw.pushes().size() >= 2; }, 15s));
    }
    const auto pushes = gw.pushes();
    EXPECT_EQ(pushes[0].path, "/metrics/job/kiosk/kiosk/KSK-PUSH-01");
    EXPECT_EQ(pushes[0].client_cn, "kiosk-dev-01");
    EXPECT_NE(pushes[0].body.find(
                  "kiosk_build_info{version=\"1.2.3\",kiosk_id=\"KSK-PUSH-01\",office=\"\"} 1"),
              std::string::npos);
    EXPECT_EQ(metric(pushes[0].body, "kiosk_metrics_push_last_success_timestamp_seconds"), 0);
    // The second push carries the first one's success.
    EXPECT_GT(metric(pushes[1].body, "kiosk_metrics_push_last_success_timestamp_seconds"), 0);
    EXPECT_EQ(metric(pushes[1].body, "kiosk_metrics_push_failures_total"), 0);
    EXPECT_TRUE(health.figures().metrics_push_success.has_value());
    std::filesystem::remove_all(dir);
}

// A gateway away for several pushes: counted each time, one journal line, and one when it is back.
TEST(MonitorPush, FailuresAreCountedEachButLoggedOncePerChange) {
    int port = 0;
    {
        Gateway probe;  // a free port, then nothing on it
        port = probe.port();
    }
    const std::string dir = testsupport::make_temp_dir("kiosk-monitor-push");
    const Config cfg = push_config(dir, "https://127.0.0.1:" + std::to_string(port));
    Health health(cfg.kiosk_id, "1", WallClock::now());
    printer::PaperCounter paper(dir + "/paper", 100, 10);
    const std::string mark = "test: MonitorPush.FailuresAreCountedEachButLoggedOncePerChange";
    log(Priority::Info, "test", "%s", mark.c_str());
    {
        Monitor monitor(cfg, health, paper);
        ASSERT_TRUE(eventually([&] { return health.figures().metrics_push_failures >= 2; }, 15s));
        const auto lines = push_lines(mark);
        ASSERT_EQ(lines.size(), 1u);
        EXPECT_EQ(lines[0].rfind("metrics push: not taken (HTTP 0): ", 0), 0u) << lines[0];
        Gateway gw(true, "server", port);
        ASSERT_TRUE(eventually([&] { return !gw.pushes().empty(); }, 10s));
        EXPECT_GE(metric(gw.pushes()[0].body, "kiosk_metrics_push_failures_total"), 2);
        ASSERT_TRUE(eventually([&] { return push_lines(mark).size() == 2; }, 5s));
        EXPECT_EQ(push_lines(mark)[1], "metrics push: the gateway takes the kiosk's metrics again");
    }
    std::filesystem::remove_all(dir);
}

// Section: the management port over TLS

struct Scrape {
    long status = 0;  // 0: no HTTP answer (the connection was refused or cut)
    std::string body;
};

// A scraper over TLS that trusts the dev CA, with the client certificate `identity` ("" none).
Scrape scrape(int port, const std::string& identity, const std::string& path = "/metrics") {
    Scrape s;
    CURL* c = curl_easy_init();
    const std::string url = "https://127.0.0.1:" + std::to_string(port) + path;
    const std::string cert = pki()(identity + ".crt"), key = pki()(identity + ".key");
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
    curl_easy_setopt(c, CURLOPT_CAINFO, pki()("ca.crt").c_str());
    if (!identity.empty()) {
        curl_easy_setopt(c, CURLOPT_SSLCERT, cert.c_str());
        curl_easy_setopt(c, CURLOPT_SSLKEY, key.c_str());
    }
    curl_easy_setopt(
        c, CURLOPT_WRITEFUNCTION, +[](char* p, size_t n, size_t m, void* out) {
            static_cast<std::string*>(out)->append(p, n * m);
            return n * m;
        });
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &s.body);
    if (curl_easy_perform(c) == CURLE_OK) curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &s.status);
    curl_easy_cleanup(c);
    return s;
}

ManagementTls server_tls() { return {pki()("server.crt"), pki()("server.key"), pki()("ca.crt")}; }

std::uint64_t refused_for_certificate(const Health& h) {
    return h.figures().management_refused[std::size_t(ManagementRefusal::ClientCertificate)];
}

TEST(ManagementTls, AScraperWithACertificateFromScraperCaGetsTheMetrics) {
    Health health("KSK-T-01", "1.2.3", WallClock::now());
    ManagementServer server(*parse_listen_address("127.0.0.1:0"), health, {}, {}, server_tls());
    const Scrape s = scrape(server.port(), "client");
    EXPECT_EQ(s.status, 200);
    EXPECT_EQ(metric(s.body, "kiosk_healthy"), 1);
    EXPECT_EQ(scrape(server.port(), "client", "/healthz").body, "ok\n");
    EXPECT_EQ(refused_for_certificate(health), 0u);
}

TEST(ManagementTls, NoCertificateAnotherCasOrAServersIsRefusedAndCounted) {
    Health health("KSK-T-01", "1", WallClock::now());
    ManagementServer server(*parse_listen_address("127.0.0.1:0"), health, {}, {}, server_tls());
    // No certificate; one from a CA the port does not trust; one from the right CA that is
    // a server's, not a client's.
    for (const std::string identity : {"", "rogue-client", "server"}) {
        const Scrape s = scrape(server.port(), identity);
        EXPECT_NE(s.status, 200) << identity;
        EXPECT_EQ(s.body.find("kiosk_"), std::string::npos) << identity;
    }
    EXPECT_EQ(refused_for_certificate(health), 3u);
    const Scrape s = scrape(server.port(), "client");
    EXPECT_EQ(metric(s.body, "kiosk_management_refused_total{reason=\"client_certificate\"}"), 3);
    // Plain HTTP gets nothing from a TLS port.
    EXPECT_EQ(
        testsupport::http_request("http://127.0.0.1:" + std::to_string(server.port()) + "/metrics")
            .body.find("kiosk_"),
        std::string::npos);
}

// A client that connects and never starts its TLS handshake holds its slot only until the
// deadline, as a slow plain-HTTP client does.
TEST(ManagementTls, AHandshakeNeverStartedIsCutAtTheDeadline) {
    Health health("KSK-T-01", "1", WallClock::now());
    ManagementServer server(*parse_listen_address("127.0.0.1:0"), health, {},
                            {.request_deadline = 500ms}, server_tls());
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in at{};
    at.sin_family = AF_INET;
    at.sin_port = htons(static_cast<uint16_t>(server.port()));
    at.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&at), sizeof at), 0);
    pollfd p{fd, POLLIN, 0};
    ASSERT_EQ(poll(&p, 1, 5000), 1);  // the server closes it
    char byte;
    EXPECT_LE(recv(fd, &byte, 1, 0), 0);
    close(fd);
    EXPECT_TRUE(eventually(
        [&] {
            return health.figures().management_refused[std::size_t(ManagementRefusal::Deadline)] ==
                   1;
        },
        2s));
    EXPECT_EQ(scrape(server.port(), "client").status, 200);  // the port still serves
}

TEST(ManagementTls, AKeyOthersMayReadIsRefused) {
    const std::string dir = testsupport::make_temp_dir("kiosk-tls-key");
    std::filesystem::copy_file(pki()("server.key"), dir + "/server.key");
    ASSERT_EQ(chmod((dir + "/server.key").c_str(), 0644), 0);
    Health health("KSK-T-01", "1", WallClock::now());
    try {
        ManagementServer server(*parse_listen_address("127.0.0.1:0"), health, {}, {},
                                {pki()("server.crt"), dir + "/server.key", pki()("ca.crt")});
        ADD_FAILURE() << "served with a key others may read";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("has mode 0644"), std::string::npos) << e.what();
    }
    std::filesystem::remove_all(dir);
}

// Section: the documented metrics

// Every family the kiosk exports has its row in docs/monitoring.md's table, and every row
// names a family it exports: operators, rules and dashboards go by that table.
TEST(MetricsDocs, TheTableListsExactlyTheExportedFamilies) {
    Health h("KSK-T-01", "1", WallClock::now());
    h.speech_state(true, "");  // families with no sample until speech was tried
    const std::string exposition = metrics_text(h.figures(), {}, WallClock::now());
    std::set<std::string> exported, documented;
    const std::regex type_line(R"(# TYPE ([a-z_]+) )");
    for (std::sregex_iterator m(exposition.begin(), exposition.end(), type_line), end; m != end;
         ++m)
        exported.insert((*m)[1]);
    // The "## Metrics" section's table: the server's own series are listed elsewhere.
    std::string docs = testsupport::read_text(KIOSK_SOURCE_DIR "/docs/monitoring.md");
    docs = docs.substr(docs.find("\n## Metrics\n"));
    docs = docs.substr(0, docs.find("\n## ", 1));
    const std::regex row(R"(\n\| `([a-z_]+)(\{[^}]*\})?` \| )");
    for (std::sregex_iterator m(docs.begin(), docs.end(), row), end; m != end; ++m)
        documented.insert((*m)[1]);
    for (const auto& name : exported)
        EXPECT_TRUE(documented.count(name)) << name << " is not in docs/monitoring.md's table";
    for (const auto& name : documented)
        EXPECT_TRUE(exported.count(name)) << name << " is documented but not exported";
}

}  // namespace
}  // namespace kiosk
