// The kiosk's health figures: /metrics in the exposition format (checked by promtool), /healthz
// reasons, the heartbeat, and the management server itself on loopback, slow clients included.
#include "kiosk/health.h"
#include "kiosk/journal.h"
#include "kiosk/monitor.h"

#include "dev_register.h"
#include "http_get.h"
#include "kiosk_config.h"
#include "process.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmath>
#include <condition_variable>
#include <fstream>
#include <mutex>
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
    h.office("Ақмола облысы әкімдігі \"ЦОН\" №1");
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
    s.outbox.needs_staff = 1;
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
    // The office as the fleet table shows it, quotes escaped as the exposition format asks.
    EXPECT_EQ(metric(m,
                     "kiosk_build_info{version=\"1.2.3\",kiosk_id=\"KSK-T-01\",office=\""
                     "Ақмола облысы әкімдігі \\\"ЦОН\\\" №1\"}"),
              1);
    EXPECT_EQ(metric(m, "kiosk_uptime_seconds"), 3600);
    EXPECT_EQ(metric(m, "kiosk_complaints_accepted_total"), 2);
    EXPECT_EQ(metric(m, "kiosk_complaints_delivered_total"), 1);
    EXPECT_EQ(metric(m, "kiosk_complaints_refused_total"), 1);
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

TEST(Metrics, SpeechIsUnknownUntilTriedThenWorksFailsOrIsTurnedOff) {
    Health h("KSK-T-01", "1", kNow);
    const auto m = [&] { return metrics_text(h.figures(), {}, kNow); };
    // Not tried yet: the families, no sample (not a broken engine).
    EXPECT_NE(m().find("# TYPE kiosk_speech_available gauge\n"), std::string::npos);
    EXPECT_TRUE(std::isnan(metric(m(), "kiosk_speech_available")));
    EXPECT_TRUE(std::isnan(metric(m(), "kiosk_speech_enabled")));
    EXPECT_EQ(metric(m(), "kiosk_speech_sessions_total"), 0);
    EXPECT_EQ(promtool_check(m()), "");

    h.speech_state(true, "");
    h.speech_session_started();
    h.speech_session_started();
    EXPECT_EQ(metric(m(), "kiosk_speech_available"), 1);
    EXPECT_EQ(metric(m(), "kiosk_speech_enabled"), 1);
    EXPECT_EQ(metric(m(), "kiosk_speech_sessions_total"), 2);

    h.speech_state(false, "no audio device: ALSA: no card");
    EXPECT_EQ(metric(m(), "kiosk_speech_available"), 0);
    EXPECT_EQ(metric(m(), "kiosk_speech_enabled"), 1);
    EXPECT_EQ(m().find("ALSA"), std::string::npos);  // the reason is no label: /healthz has it
    EXPECT_EQ(promtool_check(m()), "");

    h.speech_turned_off();
    EXPECT_EQ(metric(m(), "kiosk_speech_available"), 0);
    EXPECT_EQ(metric(m(), "kiosk_speech_enabled"), 0);
    EXPECT_EQ(metric(m(), "kiosk_speech_sessions_total"), 2);
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

TEST(Healthz, SpeechUnavailableIsAWarningNotAProblem) {
    Health h("KSK-T-01", "1", kNow);
    const auto problems = [&] { return health_problems(h.figures(), {}, kNow, Clock::now()); };
    EXPECT_TRUE(health_warnings(h.figures()).empty());  // not tried yet
    h.speech_state(false, "espeak-ng: voice kk missing");
    EXPECT_TRUE(problems().empty());
    EXPECT_EQ(health_warnings(h.figures()),
              std::vector<std::string>{"speech unavailable: espeak-ng: voice kk missing"});
    h.speech_state(true, "ignored when it works");
    EXPECT_TRUE(health_warnings(h.figures()).empty());
    EXPECT_EQ(h.figures().speech_reason, "");
    h.speech_turned_off();  // chosen in the configuration: nothing to warn of
    EXPECT_TRUE(health_warnings(h.figures()).empty());
    EXPECT_EQ(h.figures().speech, SpeechStatus::TurnedOff);
    EXPECT_EQ(h.figures().speech_reason, "turned off in configuration");
}

TEST(Healthz, ASpeechReasonIsOneBoundedLine) {
    Health h("KSK-T-01", "1", kNow);
    h.speech_state(false, "no audio device:\nsecond line\r\t");
    EXPECT_EQ(h.figures().speech_reason, "no audio device: second line  ");
    // 199 ASCII bytes, then a two-byte letter across the 200-byte bound: cut before it.
    h.speech_state(false, std::string(199, 'a') + "\u049B" + "tail");
    EXPECT_EQ(h.figures().speech_reason, std::string(199, 'a'));
    h.speech_state(false, std::string(198, 'a') + "\u049B" + "tail");
    EXPECT_EQ(h.figures().speech_reason, std::string(198, 'a') + "\u049B");
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

// Staff's own name, as the talon gives it: the heartbeat names who is on duty at the kiosk.
// Which slot and system run, and where the last update stands: /metrics and the heartbeat.
TEST(Heartbeat, CarriesTheSlotTheSystemAndTheLastUpdate) {
    Health h("KSK-T-01", "1", kNow);
    h.system({.slot = "B",
              .version = "1.1.0+20261203.1000",
              .phase = "rolled_back",
              .detail = "the new system did not come up; slot B runs again",
              .target_version = "1.2.0",
              .changed_at = kNow});
    const auto body = nlohmann::json::parse(heartbeat_json(h.figures(), {}, kNow));
    EXPECT_EQ(body["system"]["slot"], "B");
    EXPECT_EQ(body["system"]["version"], "1.1.0+20261203.1000");
    EXPECT_EQ(body["system"]["update"]["phase"], "rolled_back");
    EXPECT_EQ(body["system"]["update"]["target_version"], "1.2.0");
    const std::string m = metrics_text(h.figures(), {}, kNow);
    EXPECT_NE(m.find("kiosk_system_info{slot=\"B\",version=\"1.1.0+20261203.1000\"} 1"),
              std::string::npos)
        << m;
    EXPECT_NE(m.find("kiosk_update_info{phase=\"rolled_back\",target_version=\"1.2.0\"} 1"),
              std::string::npos);
    EXPECT_EQ(promtool_check(m), "");
}

TEST(Heartbeat, CarriesTheDutySpecialist) {
    Health h("KSK-T-01", "1", kNow);
    auto body = nlohmann::json::parse(heartbeat_json(h.figures(), {}, kNow));
    EXPECT_EQ(body["duty_specialist"], "");
    h.duty_specialist("Әбенов Б. Б.");
    body = nlohmann::json::parse(heartbeat_json(h.figures(), {}, kNow));
    EXPECT_EQ(body["duty_specialist"], "Әбенов Б. Б.");
    h.duty_specialist("Сейтқали А. Қ.");
    h.staff(StaffAction::SetDutySpecialist, kNow);
    body = nlohmann::json::parse(heartbeat_json(h.figures(), {}, kNow));
    EXPECT_EQ(body["duty_specialist"], "Сейтқали А. Қ.");
    EXPECT_EQ(body["staff"]["actions"]["set_duty_specialist"], 1);
    EXPECT_EQ(body["staff"]["events"][0]["action"], "set_duty_specialist");
}

TEST(Heartbeat, CarriesSpeechAndItsWarning) {
    Health h("KSK-T-01", "1", kNow);
    auto body = nlohmann::json::parse(heartbeat_json(h.figures(), {}, kNow));
    EXPECT_EQ(body["speech"]["available"], false);
    EXPECT_EQ(body["speech"]["state"], "unknown");
    EXPECT_EQ(body["warnings"], nlohmann::json::array());

    h.speech_state(true, "");
    h.speech_session_started();
    body = nlohmann::json::parse(heartbeat_json(h.figures(), {}, kNow));
    EXPECT_EQ(body["speech"]["available"], true);
    EXPECT_EQ(body["speech"]["state"], "available");
    EXPECT_EQ(body["speech"]["reason"], "");
    EXPECT_EQ(body["speech"]["sessions"], 1);

    // Another program's words, not valid UTF-8: replaced, the heartbeat still goes.
    h.speech_state(false, "no audio device: \xff");
    body = nlohmann::json::parse(heartbeat_json(h.figures(), {}, kNow));
    EXPECT_EQ(body["healthy"], true);
    EXPECT_EQ(body["speech"]["available"], false);
    EXPECT_EQ(body["speech"]["state"], "unavailable");
    EXPECT_EQ(body["speech"]["reason"], "no audio device: \uFFFD");
    EXPECT_EQ(body["warnings"],
              nlohmann::json::array({"speech unavailable: no audio device: \uFFFD"}));

    h.speech_turned_off();
    body = nlohmann::json::parse(heartbeat_json(h.figures(), {}, kNow));
    EXPECT_EQ(body["speech"]["state"], "turned_off");
    EXPECT_EQ(body["speech"]["reason"], "turned off in configuration");
    EXPECT_EQ(body["warnings"], nlohmann::json::array());
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

    // Speech that does not work is told, and the kiosk stays healthy for it.
    health.speech_state(false, "no audio device: none found");
    a = http_request(base + "/healthz");
    EXPECT_EQ(a.status, 200);
    EXPECT_EQ(a.body, "ok\nwarning: speech unavailable: no audio device: none found\n");
    EXPECT_EQ(metric(http_request(base + "/metrics").body, "kiosk_speech_available"), 0);
    health.register_failed(WallClock::now(), "timeout");
    a = http_request(base + "/healthz");
    EXPECT_EQ(a.status, 503);
    EXPECT_EQ(a.body,
              "register unreachable\nwarning: speech unavailable: no audio device: none found\n");
    health.register_answered(WallClock::now());

    EXPECT_EQ(http_request(base + "/metrics", "POST").status, 405);
    EXPECT_EQ(http_request(base + "/", "GET").status, 404);
    EXPECT_EQ(http_request(base + "/metrics/../etc/passwd").status, 404);
}

// The check an update is kept by: only what a new system can break counts; a register that is
// down or a printer out of paper must not roll back a good system.
TEST(ManagementServer, TheSystemCheckCountsOnlyWhatANewSystemCanBreak) {
    Health health("KSK-T-01", "1.2.3", WallClock::now());
    ManagementServer server(*parse_listen_address("127.0.0.1:0"), health, {});
    const std::string url = "http://127.0.0.1:" + std::to_string(server.port()) + "/healthz/system";
    testsupport::HttpAnswer a = http_request(url);
    EXPECT_EQ(a.status, 200);
    EXPECT_EQ(a.body, "ok\n");

    health.register_failed(WallClock::now(), "timeout");
    a = http_request(url);
    EXPECT_EQ(a.status, 200);
    EXPECT_EQ(a.body, "ok\nnot counted: register unreachable\n");

    health.outbox_problem("read-only file system");
    a = http_request(url);
    EXPECT_EQ(a.status, 503);
    EXPECT_EQ(a.body,
              "outbox unusable: read-only file system\nnot counted: register unreachable\n");
    health.outbox_problem("");
    EXPECT_EQ(http_request(url).status, 200);

    EXPECT_TRUE(system_problem("screen not drawn"));
    for (const char* office : {"register unreachable", "printer: no paper", "printer: unreachable",
                               "outbox stuck", "disk almost full", "client certificate expired"})
        EXPECT_FALSE(system_problem(office)) << office;
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

// Beside a management port others reach (over TLS), the same answers on loopback in plain
// HTTP for the system's own checks.
TEST(Monitor, ServesTheLocalAddressBesideTheManagementPort) {
    const std::string dir = testsupport::make_temp_dir("kiosk-monitor");
    Config cfg;
    cfg.kiosk_id = "KSK-T-01";
    cfg.state_dir = dir;
    cfg.register_url = "https://127.0.0.1:9/";
    cfg.connect_timeout_s = 1;
    cfg.management_listen.clear();
    Health health("KSK-T-01", "1", WallClock::now());
    printer::PaperCounter paper(dir + "/paper", 100, 10);
    const testsupport::LoopbackListener taken = testsupport::listen_on_loopback(1);
    const int port = taken.port;
    close(taken.fd);  // a port the system handed out, free again for the monitor
    cfg.local_listen = "127.0.0.1:" + std::to_string(port);
    {
        Monitor monitor(cfg, health, paper);
        long status = 0;
        testsupport::eventually(
            [&] {
                status =
                    http_request("http://127.0.0.1:" + std::to_string(port) + "/healthz/system")
                        .status;
                return status != 0;
            },
            10s);
        EXPECT_EQ(status, 200);  // the register is down (nothing on port 9): not counted
    }
    std::filesystem::remove_all(dir);
}

// A plain Open311 server has no heartbeat path: one 404, one log line, a metric, and no more
// heartbeats for an hour; the register still counts as up, for it answered.
TEST(Monitor, ARegisterWithoutHeartbeatsIsAskedHourlyNotEveryMinute) {
    DevRegister reg({.profile = "stock"});
    const std::string dir = testsupport::make_temp_dir("kiosk-monitor");
    Config cfg = testsupport::config_for(reg, dir + "/spool");
    cfg.state_dir = dir;
    cfg.heartbeat_interval_s = 10;
    cfg.management_listen.clear();
    Health health(cfg.kiosk_id, "1", WallClock::now());
    printer::PaperCounter paper(dir + "/paper", 100, 10);
    const auto heartbeats = [&] {
        int n = 0;
        for (std::size_t at = 0; (at = reg.log().find("POST /kiosks/", at)) != std::string::npos;
             ++at)
            ++n;
        return n;
    };
    {
        Monitor monitor(cfg, health, paper);
        ASSERT_TRUE(
            testsupport::eventually([&] { return !health.figures().heartbeat_supported; }, 20s));
        for (int i = 0; i < 5; ++i) monitor.wake();  // samples, and no heartbeat among them
        ASSERT_TRUE(testsupport::eventually(
            [&] { return health.figures().sample.at != WallClock::time_point{}; }, 20s));
    }
    EXPECT_EQ(heartbeats(), 1) << reg.log();
    const Figures f = health.figures();
    EXPECT_TRUE(f.register_up());
    EXPECT_EQ(metric(metrics_text(f, {}, WallClock::now()), "kiosk_heartbeat_supported"), 0);
    EXPECT_EQ(health_warnings(f),
              std::vector<std::string>{"the register takes no heartbeats (404)"});
    int said = 0;
    for (const LogLine& l : recent_log(50))
        said += l.message.find("no heartbeat path") != std::string::npos;
    EXPECT_EQ(said, 1);
    std::filesystem::remove_all(dir);
}

// Section: the management port under slow and abusive clients

// A TCP connection to the server on 127.0.0.1 from the given loopback address; -1 on failure.
int connect_from(const char* source, int port) {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in from{}, to{};
    from.sin_family = to.sin_family = AF_INET;
    to.sin_port = htons(static_cast<uint16_t>(port));
    inet_pton(AF_INET, source, &from.sin_addr);
    inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    if (fd >= 0 && bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from) == 0 &&
        connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0)
        return fd;
    if (fd >= 0) close(fd);
    return -1;
}

// A client that never finishes its request: the request line, then a header line every `every`
// (at most `lines` in all) until the server closes the connection, which it then reports.
class SlowClient {
public:
    SlowClient(const char* source, int port, std::chrono::milliseconds every = 100ms,
               int lines = 200)
        : fd_(connect_from(source, port)) {
        if (fd_ < 0) throw std::runtime_error(std::string("cannot connect from ") + source);
        thread_ = std::thread([this, every, lines] { dribble(every, lines); });
    }
    ~SlowClient() {
        {
            std::lock_guard lock(mutex_);
            stop_ = true;
        }
        thread_.join();
        close(fd_);
    }
    // True once the server has closed the connection; false if it did not within the bound.
    bool wait_cut(std::chrono::seconds within) {
        std::unique_lock lock(mutex_);
        return changed_.wait_for(lock, within, [this] { return cut_; });
    }
    bool cut() {
        std::lock_guard lock(mutex_);
        return cut_;
    }
    int lines_sent() {
        std::lock_guard lock(mutex_);
        return sent_;
    }

private:
    void dribble(std::chrono::milliseconds every, int lines) {
        for (int i = 0; i < lines; ++i) {
            const std::string line =
                i == 0 ? "GET /metrics HTTP/1.1\r\n" : "X-Slow-" + std::to_string(i) + ": 1\r\n";
            const bool sent = send(fd_, line.data(), line.size(), MSG_NOSIGNAL) >= 0;
            bool closed = !sent;
            pollfd p{fd_, POLLIN, 0};
            // The pause between lines ends early when the server closes the connection.
            if (sent && poll(&p, 1, static_cast<int>(every.count())) > 0) {
                char answer[256];
                closed = recv(fd_, answer, sizeof answer, 0) <= 0;
            }
            std::lock_guard lock(mutex_);
            sent_ += sent ? 1 : 0;
            if (closed) {
                cut_ = true;
                changed_.notify_all();
            }
            if (closed || stop_) break;
        }
    }

    const int fd_;
    std::mutex mutex_;
    std::condition_variable changed_;
    bool cut_ = false, stop_ = false;
    int sent_ = 0;
    std::thread thread_;
};

std::string base_url(const ManagementServer& server) {
    return "http://127.0.0.1:" + std::to_string(server.port());
}

double refused(const std::string& exposition, const char* reason) {
    return metric(exposition,
                  std::string("kiosk_management_refused_total{reason=\"") + reason + "\"}");
}

// The journal's lines about the management port's refusals since the test wrote `mark`.
std::vector<std::string> refusal_lines(const char* mark) {
    std::vector<std::string> out;
    for (const LogLine& l : recent_log(200)) {
        if (l.message == mark) out.clear();
        if (l.message.starts_with("management port:")) out.push_back(l.message);
    }
    return out;
}

TEST(ManagementPort, AScrapeGetsThroughSlowClientsFromItsOwnAddress) {
    Health health("KSK-T-01", "1", WallClock::now());
    ManagementLimits limits;
    limits.request_deadline = 60s;  // no deadline during the test: the scrape must not wait for it
    ManagementServer server(*parse_listen_address("127.0.0.1:0"), health, {}, limits);
    std::vector<std::unique_ptr<SlowClient>> slow;
    for (unsigned i = 0; i < limits.per_address; ++i)
        slow.push_back(std::make_unique<SlowClient>("127.0.0.1", server.port()));

    // The four hold every slot of 127.0.0.1, the scraper's own address; the oldest gives way.
    const testsupport::HttpAnswer a = http_request(base_url(server) + "/metrics");
    EXPECT_EQ(a.status, 200);
    EXPECT_EQ(refused(a.body, "evicted"), 1);
    EXPECT_TRUE(slow[0]->wait_cut(10s));
    EXPECT_FALSE(slow[1]->cut());
}

TEST(ManagementPort, OneAddressCannotTakeEverySlot) {
    Health health("KSK-T-01", "1", WallClock::now());
    ManagementLimits limits;  // 8 slots, 4 an address
    limits.request_deadline = 60s;
    ManagementServer server(*parse_listen_address("127.0.0.1:0"), health, {}, limits);
    std::vector<std::unique_ptr<SlowClient>> a, b;
    for (int i = 0; i < 5; ++i)
        a.push_back(std::make_unique<SlowClient>("127.0.0.2", server.port()));
    // The fifth from 127.0.0.2 takes the slot of its own address's oldest, nobody else's.
    EXPECT_TRUE(a[0]->wait_cut(10s));
    for (int i = 0; i < 4; ++i)
        b.push_back(std::make_unique<SlowClient>("127.0.0.3", server.port()));

    // Every slot is held now; a scrape from a third address takes the oldest one still waiting.
    const testsupport::HttpAnswer scrape = http_request(base_url(server) + "/metrics");
    EXPECT_EQ(scrape.status, 200);
    EXPECT_EQ(refused(scrape.body, "evicted"), 2);  // a[0] and a[1], and nobody else
    EXPECT_TRUE(a[1]->wait_cut(10s));
    EXPECT_EQ(refused(scrape.body, "address_limit"), 0);
    EXPECT_EQ(refused(scrape.body, "connection_limit"), 0);
}

TEST(ManagementPort, ARequestNeverFinishedIsCutAtTheDeadline) {
    Health health("KSK-T-01", "1", WallClock::now());
    ManagementLimits limits;
    limits.request_deadline = 2s;
    ManagementServer server(*parse_listen_address("127.0.0.1:0"), health, {}, limits);
    const auto connected = Clock::now();
    // A line every 100 ms: never silent long enough for MHD's own timeout (10 s).
    SlowClient slow("127.0.0.1", server.port(), 100ms, 300);
    ASSERT_TRUE(slow.wait_cut(30s));
    EXPECT_GE(Clock::now() - connected, limits.request_deadline);
    EXPECT_GT(slow.lines_sent(), 2);  // it kept talking, line after line, and was cut all the same
    const testsupport::HttpAnswer a = http_request(base_url(server) + "/metrics");
    EXPECT_EQ(a.status, 200);
    EXPECT_EQ(refused(a.body, "deadline"), 1);
    EXPECT_EQ(refused(a.body, "evicted"), 0);
}

TEST(ManagementPort, RefusalsAreCountedEachButLoggedOncePerMinute) {
    Health health("KSK-T-01", "1", WallClock::now());
    ManagementLimits limits;
    limits.per_address = 1;  // each newcomer from 127.0.0.1 evicts the one before it
    limits.request_deadline = 60s;
    const char* mark = "test: refusals logged from here";
    log(Priority::Info, "test", "%s", mark);
    {
        ManagementServer server(*parse_listen_address("127.0.0.1:0"), health, {}, limits);
        std::vector<std::unique_ptr<SlowClient>> slow;
        slow.push_back(std::make_unique<SlowClient>("127.0.0.1", server.port()));
        for (int i = 1; i <= 5; ++i) {
            slow.push_back(std::make_unique<SlowClient>("127.0.0.1", server.port()));
            ASSERT_TRUE(slow[std::size_t(i) - 1]->wait_cut(10s)) << i;
        }
        const testsupport::HttpAnswer a = http_request(base_url(server) + "/metrics");
        EXPECT_EQ(a.status, 200);
        EXPECT_EQ(refused(a.body, "evicted"), 6);  // five slow clients and the last, for the scrape
        EXPECT_EQ(health.figures().management_refused[std::size_t(ManagementRefusal::Evicted)], 6u);
        const auto lines = refusal_lines(mark);
        ASSERT_EQ(lines.size(), 1u);  // the first at once, the rest wait for the minute
        EXPECT_NE(lines.back().find("1 connection(s) cut or refused"), std::string::npos)
            << lines.back();
    }
    // Stopping the server writes what it still owed the journal.
    const auto lines = refusal_lines(mark);
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_NE(lines.back().find("5 connection(s) cut or refused since the last such line "
                                "(evicted 5)"),
              std::string::npos)
        << lines.back();
}

TEST(RefusalLog, OneLineAMinuteWithTheCountsSinceTheLast) {
    RefusalLog refusals(60s);
    const char* mark = "test: refusal log from here";
    log(Priority::Info, "test", "%s", mark);
    const auto t0 = Clock::now();
    refusals.refused(ManagementRefusal::Deadline, t0);  // the first is told at once
    ASSERT_EQ(refusal_lines(mark).size(), 1u);
    EXPECT_NE(refusal_lines(mark).back().find("1 connection(s) cut or refused since the last such "
                                              "line (deadline 1)"),
              std::string::npos);
    EXPECT_FALSE(refusals.due());
    refusals.refused(ManagementRefusal::Evicted, t0 + 1s);
    refusals.refused(ManagementRefusal::Evicted, t0 + 2s);
    refusals.refused(ManagementRefusal::Deadline, t0 + 59s);
    EXPECT_EQ(refusal_lines(mark).size(), 1u);
    EXPECT_EQ(refusals.due(), t0 + 60s);

    refusals.flush(t0 + 60s);
    ASSERT_EQ(refusal_lines(mark).size(), 2u);
    EXPECT_NE(refusal_lines(mark).back().find("3 connection(s) cut or refused since the last such "
                                              "line (deadline 1, evicted 2)"),
              std::string::npos)
        << refusal_lines(mark).back();
    EXPECT_FALSE(refusals.due());
    refusals.flush(t0 + 61s);  // nothing owed, nothing written
    EXPECT_EQ(refusal_lines(mark).size(), 2u);

    refusals.refused(ManagementRefusal::AddressLimit, t0 + 90s);  // 30 s after the last line
    EXPECT_EQ(refusal_lines(mark).size(), 2u);
    EXPECT_EQ(refusals.due(), t0 + 120s);
    refusals.refused(ManagementRefusal::ConnectionLimit, t0 + 121s);  // a minute on: at once
    ASSERT_EQ(refusal_lines(mark).size(), 3u);
    EXPECT_NE(refusal_lines(mark).back().find("(address_limit 1, connection_limit 1)"),
              std::string::npos);
    EXPECT_FALSE(refusals.due());
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
