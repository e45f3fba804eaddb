// The kiosk's health figures: /metrics in the exposition format (checked by promtool), /healthz
// reasons, the heartbeat, and the management server itself on loopback.
#include "kiosk/health.h"
#include "kiosk/journal.h"
#include "kiosk/monitor.h"

#include "http_get.h"
#include "process.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <thread>

namespace kiosk {
namespace {

using namespace std::chrono_literals;
using testsupport::http_request;
using testsupport::metric;

const WallClock::time_point kNow = WallClock::from_time_t(1795766400);  // 2026-11-27

// Section: helpers

// promtool's verdict on an exposition: "" when it accepts it.
std::string promtool_check(const std::string& exposition) {
    const std::string dir = testsupport::make_temp_dir("kiosk-metrics");
    std::ofstream(dir + "/metrics.txt") << exposition;
    const int code =
        testsupport::run({"/bin/sh", "-c", "promtool check metrics < " + dir + "/metrics.txt"},
                         dir + "/promtool.log", 30s);
    const std::string out = code == 0 ? ""
                                      : "promtool exit " + std::to_string(code) + ": " +
                                            testsupport::read_text(dir + "/promtool.log");
    std::filesystem::remove_all(dir);
    return out;
}

Figures busy_figures() {
    Health h("KSK-T-01", "1.2.3", kNow - 1h);
    h.complaint_accepted();
    h.complaint_accepted();
    h.delivery_pass(1, 1);
    h.register_answered(kNow - 5min);
    h.talon_printed();
    h.print_failed();
    h.assistance_requested();
    h.inactivity_wipe();
    h.frame_drawn(Clock::now(), 4ms);
    h.frame_drawn(Clock::now(), 40ms);
    h.staff(StaffAction::Login, kNow - 2min);
    h.staff(StaffAction::PaperRestocked, kNow - 1min);
    h.management_refused(ManagementRefusal::Evicted);
    Sample s;
    s.at = kNow;
    s.outbox.queued = 3;
    s.outbox.failed = 1;
    s.outbox.oldest_undelivered = kNow - 90s;
    s.printer = {.configured = true, .reachable = true, .media_low = true, .state = "idle"};
    s.paper_remaining = 12;
    s.paper_low = true;
    s.disk_free_bytes = 5ull << 30;
    s.client_cert_expiry = kNow + 24h * 40;
    h.sampled(s);
    return h.figures();
}

// Section: /metrics

TEST(Metrics, ExpositionPassesPromtool) {
    const Figures f = busy_figures();
    EXPECT_EQ(promtool_check(metrics_text(f, health_problems(f, {}, kNow, Clock::now()), kNow)),
              "");
    const Figures empty = Health("KSK-T-01", "1.2.3", kNow).figures();
    EXPECT_EQ(promtool_check(metrics_text(empty, {}, kNow)), "");
}

TEST(Metrics, FiguresFollowTheEvents) {
    const Figures f = busy_figures();
    const std::string m = metrics_text(f, {}, kNow);
    EXPECT_EQ(metric(m, "kiosk_build_info{version=\"1.2.3\",kiosk_id=\"KSK-T-01\"}"), 1);
    EXPECT_EQ(metric(m, "kiosk_uptime_seconds"), 3600);
    EXPECT_EQ(metric(m, "kiosk_complaints_accepted_total"), 2);
    EXPECT_EQ(metric(m, "kiosk_complaints_delivered_total"), 1);
    EXPECT_EQ(metric(m, "kiosk_complaints_failed_total"), 1);
    EXPECT_EQ(metric(m, "kiosk_outbox_depth"), 3);
    EXPECT_EQ(metric(m, "kiosk_outbox_oldest_age_seconds"), 90);
    EXPECT_EQ(metric(m, "kiosk_register_up"), 1);
    EXPECT_EQ(metric(m, "kiosk_printer_problem{reason=\"media-low\"}"), 1);
    EXPECT_EQ(metric(m, "kiosk_printer_problem{reason=\"media-empty\"}"), 0);
    EXPECT_EQ(metric(m, "kiosk_paper_remaining_talons"), 12);
    EXPECT_EQ(metric(m, "kiosk_paper_low"), 1);
    EXPECT_EQ(metric(m, "kiosk_talons_printed_total"), 1);
    EXPECT_EQ(metric(m, "kiosk_print_failures_total"), 1);
    EXPECT_EQ(metric(m, "kiosk_assistance_requests_total"), 1);
    EXPECT_EQ(metric(m, "kiosk_inactivity_wipes_total"), 1);
    EXPECT_EQ(metric(m, "kiosk_staff_logins_total"), 1);
    EXPECT_EQ(metric(m, "kiosk_staff_actions_total{action=\"paper_restocked\"}"), 1);
    EXPECT_EQ(metric(m, "kiosk_staff_actions_total{action=\"reboot\"}"), 0);
    EXPECT_EQ(metric(m, "kiosk_frame_duration_seconds_bucket{le=\"0.005\"}"), 1);
    EXPECT_EQ(metric(m, "kiosk_frame_duration_seconds_bucket{le=\"0.033\"}"), 1);
    EXPECT_EQ(metric(m, "kiosk_frame_duration_seconds_bucket{le=\"0.05\"}"), 2);
    EXPECT_EQ(metric(m, "kiosk_frame_duration_seconds_count"), 2);
    EXPECT_EQ(metric(m, "kiosk_management_refused_total{reason=\"evicted\"}"), 1);
    EXPECT_EQ(metric(m, "kiosk_management_refused_total{reason=\"deadline\"}"), 0);
    EXPECT_EQ(metric(m, "kiosk_tls_certificate_expiry_timestamp_seconds{certificate=\"client\"}"),
              std::chrono::duration<double>((kNow + 24h * 40).time_since_epoch()).count());
}

TEST(Metrics, LabelValuesAreEscaped) {
    const Figures f = Health("KSK \"quoted\"\\", "1", kNow).figures();
    const std::string m = metrics_text(f, {}, kNow);
    EXPECT_NE(m.find("kiosk_id=\"KSK \\\"quoted\\\"\\\\\""), std::string::npos) << m;
    EXPECT_EQ(promtool_check(m), "");
}

// Section: /healthz

TEST(Healthz, ReasonsComeAndGo) {
    Health h("KSK-T-01", "1", kNow - 1h);
    const HealthLimits limits;
    auto problems = [&] { return health_problems(h.figures(), limits, kNow, Clock::now()); };
    EXPECT_TRUE(problems().empty());  // nothing known yet is nothing wrong yet
    h.register_failed(kNow - 1min, "Couldn't connect to server");
    EXPECT_EQ(problems(), std::vector<std::string>{"register unreachable"});
    h.register_answered(kNow);
    EXPECT_TRUE(problems().empty());

    Sample s;
    s.at = kNow;
    s.disk_free_bytes = 1ull << 30;
    s.printer = {.configured = true, .reachable = true, .media_empty = true, .state = "stopped"};
    h.sampled(s);
    EXPECT_EQ(problems(), std::vector<std::string>{"printer: no paper"});
    s.printer = {.configured = true, .reachable = false, .state = "unreachable"};
    h.sampled(s);
    EXPECT_EQ(problems(), std::vector<std::string>{"printer: unreachable"});
    s.printer = {};  // no printer: the spool folder cannot run out of paper
    s.outbox.oldest_undelivered = kNow - 2h;
    s.disk_free_bytes = 10 << 20;
    s.client_cert_expiry = kNow - 1s;
    h.sampled(s);
    EXPECT_EQ(problems(), (std::vector<std::string>{"outbox stuck", "disk almost full",
                                                    "client certificate expired"}));
    s.outbox.oldest_undelivered = kNow - 10min;
    s.disk_free_bytes = 1ull << 30;
    s.client_cert_expiry = kNow + 24h;
    h.sampled(s);
    EXPECT_TRUE(problems().empty());
}

TEST(Healthz, AScreenThatStoppedDrawingIsAProblem) {
    Health h("KSK-T-01", "1", kNow);
    const auto t0 = Clock::now();
    h.frame_drawn(t0, 5ms);
    EXPECT_TRUE(health_problems(h.figures(), {}, kNow, t0 + 30s).empty());
    EXPECT_EQ(health_problems(h.figures(), {}, kNow, t0 + 61s),
              std::vector<std::string>{"screen not drawn"});
}

// Section: the heartbeat

TEST(Heartbeat, CarriesTheFiguresAndStaffActionsNotYetReported) {
    Health h("KSK-T-01", "1.2.3", kNow - 1h);
    h.staff(StaffAction::Login, kNow - 3min);
    h.staff(StaffAction::TestPrint, kNow - 2min);
    auto body = nlohmann::json::parse(heartbeat_json(h.figures(), {}, kNow));
    EXPECT_EQ(body["kiosk_id"], "KSK-T-01");
    EXPECT_EQ(body["healthy"], true);
    ASSERT_EQ(body["staff"]["events"].size(), 2u);
    EXPECT_EQ(body["staff"]["events"][1]["action"], "test_print");
    EXPECT_EQ(body["staff"]["actions"]["test_print"], 1);

    h.heartbeat_taken(kNow, 2);  // the register has those two
    h.staff(StaffAction::Reboot, kNow);
    body = nlohmann::json::parse(heartbeat_json(h.figures(), {"register unreachable"}, kNow));
    ASSERT_EQ(body["staff"]["events"].size(), 1u);
    EXPECT_EQ(body["staff"]["events"][0]["action"], "reboot");
    EXPECT_EQ(body["healthy"], false);
    EXPECT_EQ(body["problems"][0], "register unreachable");
}

// Section: the management server

TEST(ListenAddress, ParsesWhatTheConfigurationMaySay) {
    auto a = parse_listen_address("127.0.0.1:9464");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->host, "127.0.0.1");
    EXPECT_EQ(a->port, 9464);
    EXPECT_FALSE(a->ipv6);
    a = parse_listen_address("[::1]:0");
    ASSERT_TRUE(a);
    EXPECT_TRUE(a->ipv6);
    EXPECT_EQ(a->port, 0);
    for (const char* bad : {"", "9464", "localhost:9464", "127.0.0.1:", "127.0.0.1:70000",
                            "127.0.0.1:94a4", "::1:9464", "[::1]9464", "300.0.0.1:9464"})
        EXPECT_FALSE(parse_listen_address(bad)) << bad;
}

TEST(ManagementServer, ServesMetricsAndHealthOnLoopback) {
    Health health("KSK-T-01", "1.2.3", WallClock::now());
    ManagementServer server(*parse_listen_address("127.0.0.1:0"), health, {});
    const std::string base = "http://127.0.0.1:" + std::to_string(server.port());
    ASSERT_GT(server.port(), 0);

    testsupport::HttpAnswer a = http_request(base + "/metrics");
    EXPECT_EQ(a.status, 200);
    EXPECT_EQ(a.type, "text/plain; version=0.0.4; charset=utf-8");
    EXPECT_EQ(promtool_check(a.body), "");
    EXPECT_EQ(metric(a.body, "kiosk_complaints_accepted_total"), 0);
    health.complaint_accepted();
    EXPECT_EQ(metric(http_request(base + "/metrics").body, "kiosk_complaints_accepted_total"), 1);

    a = http_request(base + "/healthz");
    EXPECT_EQ(a.status, 200);
    EXPECT_EQ(a.body, "ok\n");
    health.register_failed(WallClock::now(), "timeout");
    a = http_request(base + "/healthz");
    EXPECT_EQ(a.status, 503);
    EXPECT_EQ(a.body, "register unreachable\n");
    health.register_answered(WallClock::now());
    EXPECT_EQ(http_request(base + "/healthz").status, 200);

    EXPECT_EQ(http_request(base + "/metrics", "POST").status, 405);
    EXPECT_EQ(http_request(base + "/", "GET").status, 404);
    EXPECT_EQ(http_request(base + "/metrics/../etc/passwd").status, 404);
}

TEST(ManagementServer, APortInUseIsAClearError) {
    Health health("KSK-T-01", "1", WallClock::now());
    ManagementServer first(*parse_listen_address("127.0.0.1:0"), health, {});
    const auto taken = *parse_listen_address("127.0.0.1:" + std::to_string(first.port()));
    try {
        ManagementServer second(taken, health, {});
        FAIL() << "two servers on one port";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("management address 127.0.0.1:" +
                                             std::to_string(first.port())),
                  std::string::npos);
    }
}

TEST(Monitor, APortInUseDoesNotStopTheKioskAndIsTakenOnceFree) {
    const std::string dir = testsupport::make_temp_dir("kiosk-monitor");
    Config cfg;
    cfg.kiosk_id = "KSK-T-01";
    cfg.state_dir = dir;
    cfg.register_url = "https://127.0.0.1:9/";  // nothing there: heartbeats fail, quickly
    cfg.connect_timeout_s = 1;
    Health health("KSK-T-01", "1", WallClock::now());
    printer::PaperCounter paper(dir + "/paper", 100, 10);
    auto blocker = std::make_unique<ManagementServer>(*parse_listen_address("127.0.0.1:0"), health,
                                                      HealthLimits{});
    const int port = blocker->port();
    cfg.management_listen = "127.0.0.1:" + std::to_string(port);
    {
        Monitor monitor(cfg, health, paper);
        auto said = [] {
            for (const LogLine& l : recent_log(20))
                if (l.message.find("cannot serve the management address") != std::string::npos)
                    return true;
            return false;
        };
        for (int i = 0; i < 100 && !said(); ++i) std::this_thread::sleep_for(50ms);
        EXPECT_TRUE(said());
        blocker.reset();
        monitor.wake();
        long status = 0;
        for (int i = 0; i < 100 && status == 0; ++i, std::this_thread::sleep_for(50ms))
            status = http_request("http://127.0.0.1:" + std::to_string(port) + "/healthz").status;
        EXPECT_EQ(status, 503);  // serving now; and the register is down, as configured
    }
    std::filesystem::remove_all(dir);
}

// Section: the journal's memory

TEST(Journal, KeepsTheLatestLinesForServiceMode) {
    for (int i = 0; i < 250; ++i) log(Priority::Info, "test", "line %d", i);
    const auto lines = recent_log(300);
    ASSERT_EQ(lines.size(), 200u);
    EXPECT_EQ(lines.front().message, "line 50");
    EXPECT_EQ(lines.back().message, "line 249");
    EXPECT_EQ(recent_log(2).front().message, "line 248");
}

}  // namespace
}  // namespace kiosk
