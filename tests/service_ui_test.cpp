// Staff and operators meet the running kiosk: service mode behind the gesture and PIN,
// /healthz following the register and the paper, and systemd's readiness and watchdog.
#include "ipp_printer.h"
#include "kiosk_driver.h"

#include <gtest/gtest.h>

#include <csignal>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

using namespace testsupport;
using namespace std::chrono_literals;

namespace {

std::string test_name() { return ::testing::UnitTest::GetInstance()->current_test_info()->name(); }

void enter_pin(Kiosk& k, const std::string& pin) {
    for (char d : pin) k.press(std::string("pin:") + d);
    k.press("pin:ok");
}

// The messages a service sends to systemd, received on a socket of our own (NOTIFY_SOCKET).
struct NotifySocket {
    std::string dir = make_temp_dir("kiosk-notify");
    std::string path = dir + "/notify";
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

    NotifySocket() {
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
        if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
            throw std::runtime_error("cannot bind the notify socket " + path);
    }
    ~NotifySocket() {
        close(fd);
        std::filesystem::remove_all(dir);
    }
    // Every message that arrives within the time, in order.
    std::vector<std::string> receive(std::chrono::milliseconds during) {
        std::vector<std::string> got;
        for (auto deadline = std::chrono::steady_clock::now() + during;;) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            if (left <= 0ms) return got;
            pollfd p{fd, POLLIN, 0};
            if (poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
            char buf[512];
            const ssize_t n = recv(fd, buf, sizeof buf, 0);
            if (n > 0) got.emplace_back(buf, static_cast<std::size_t>(n));
        }
    }
};

int count(const std::vector<std::string>& messages, const std::string& what) {
    return static_cast<int>(std::count(messages.begin(), messages.end(), what));
}

}  // namespace

// Section: service mode

TEST(Service, BehindTheGestureAndPinWithLockoutThenStaffActionsReachTheHeartbeat) {
    DevRegister reg;
    Xvfb x(1080, 1920);
    Kiosk k(x, reg, test_name(), {.monitoring_settings = "heartbeat_interval_s = 10\n"});
    for (int i = 0; i < 5; ++i) k.press("corner:service");
    k.press("header.language:en");
    k.wait_for("pin:ok");
    k.screenshot("service-01-pin");

    for (int i = 0; i < 3; ++i) enter_pin(k, "1357");  // the third wrong PIN locks for 5 s
    enter_pin(k, "2468");                              // right, but locked: still refused
    std::this_thread::sleep_for(400ms);
    k.screenshot("service-02-locked");
    EXPECT_FALSE(k.appears("staff.restock", 500ms));
    std::this_thread::sleep_for(5s);
    enter_pin(k, "2468");
    k.wait_for("staff.restock");
    k.screenshot("service-03-overview");

    k.press("staff.restock");
    k.press("staff.test_print");
    k.press("staff.reprint");
    k.wait_for("nav.back");
    k.screenshot("service-04-reprint");
    k.press("nav.back");
    k.press("staff.log");
    k.screenshot("service-05-log");
    k.press("nav.back");
    k.press("staff.reboot");
    k.press("staff.no");  // asked once more, and declined: nothing happens
    k.press("staff.exit");
    k.wait_for("language:kk");

    const std::string metrics = k.management("/metrics").body;
    EXPECT_EQ(metric(metrics, "kiosk_staff_logins_total"), 1) << metrics;
    EXPECT_EQ(metric(metrics, "kiosk_staff_login_failures_total"), 4) << metrics;
    EXPECT_EQ(metric(metrics, "kiosk_staff_actions_total{action=\"paper_restocked\"}"), 1)
        << metrics;
    EXPECT_EQ(metric(metrics, "kiosk_staff_actions_total{action=\"test_print\"}"), 1) << metrics;
    EXPECT_EQ(metric(metrics, "kiosk_staff_actions_total{action=\"reboot\"}"), 0) << metrics;
    for (const char* line :
         {"kiosk: staff: login_failed", "kiosk: staff: login", "kiosk: staff: paper_restocked",
          "kiosk: staff: test_print", "kiosk: staff: logout"})
        EXPECT_NE(k.log().find(line), std::string::npos) << line << " not logged:\n" << k.log();

    // Every staff action reaches the register in a heartbeat.
    std::string heartbeats;
    EXPECT_TRUE(eventually(
        [&] {
            heartbeats.clear();
            for (const auto& row : reg.query("SELECT body FROM heartbeats", {}))
                heartbeats += row[0] + "\n";
            return heartbeats.find("\"action\":\"logout\"") != std::string::npos;
        },
        25s))
        << heartbeats;
    for (const char* action : {"login_failed", "login", "paper_restocked", "test_print", "logout"})
        EXPECT_NE(heartbeats.find(std::string("\"action\":\"") + action + "\""), std::string::npos)
            << action;
}

TEST(Service, RestartEndsTheApplicationCleanlyForSystemdToStartAgain) {
    DevRegister reg;
    Xvfb x(1080, 1920);
    Kiosk k(x, reg, test_name());
    for (int i = 0; i < 5; ++i) k.press("corner:service");
    enter_pin(k, "2468");
    k.press("staff.restart");
    k.press("staff.yes");
    const auto status = wait_for_exit(k.pid, 15s);
    ASSERT_TRUE(status) << "still running:\n" << k.log();
    k.pid = -1;
    EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << *status;
    EXPECT_NE(k.log().find("restarting at staff's request"), std::string::npos) << k.log();
    // The last heartbeat, sent on the way out, tells the register staff restarted it.
    std::string heartbeats;
    for (const auto& row : reg.query("SELECT body FROM heartbeats", {}))
        heartbeats += row[0] + "\n";
    EXPECT_NE(heartbeats.find("\"action\":\"restart\""), std::string::npos) << heartbeats;
}

// The duty specialist, set by touch at the start of a shift: refused with its reason when it is
// not a name, then on the overview and in the heartbeat, and still the one after a restart.
TEST(Service, TheDutySpecialistIsSetByTouchAndKeptAcrossARestart) {
    DevRegister reg;
    Xvfb x(1080, 1920);
    const std::string state = make_temp_dir("kiosk-duty-state");
    const std::string name = "Сейтқали А. Қ.";
    auto heartbeats_after = [&](const std::string& id) {
        std::string all;
        for (const auto& row : reg.query("SELECT body FROM heartbeats WHERE id > ?1", {id}))
            all += row[0] + "\n";
        return all;
    };
    std::string last_id;
    {
        Kiosk k(x, reg, test_name(),
                {.monitoring_settings = "heartbeat_interval_s = 10\n", .state_dir = state});
        k.service_mode();
        k.press("staff.duty_change");
        k.wait_for("key:space");
        k.type("Сейтқали 2");
        k.press("staff.duty_save");
        EXPECT_TRUE(k.appears("staff.duty_save", 1s));  // refused: still here, told why
        k.screenshot("service-duty-01-refused");
        k.press("key:backspace");
        k.press("key:backspace");
        k.type(" А. Қ.");
        k.screenshot("service-duty-02-typed");
        k.press("staff.duty_save");
        k.wait_for("staff.duty_change");  // back on the overview, which names them
        k.screenshot("service-duty-03-overview");
        k.press("staff.exit");
        k.wait_for("language:kk");

        std::string heartbeats;
        EXPECT_TRUE(eventually(
            [&] {
                heartbeats = heartbeats_after("0");
                return heartbeats.find("\"action\":\"logout\"") != std::string::npos;
            },
            25s))
            << heartbeats;
        EXPECT_NE(heartbeats.find("\"action\":\"set_duty_specialist\""), std::string::npos)
            << heartbeats;
        EXPECT_NE(heartbeats.find("\"duty_specialist\":\"" + name + "\""), std::string::npos)
            << heartbeats;
        EXPECT_NE(k.log().find("kiosk: staff: set_duty_specialist"), std::string::npos) << k.log();
        EXPECT_EQ(k.log().find("Сейтқали"), std::string::npos) << k.log();  // staff's, not logged
        EXPECT_TRUE(k.terminate(15s).has_value());
        last_id = reg.query("SELECT COALESCE(MAX(id), 0) FROM heartbeats").at(0).at(0);
    }
    // The next start: the first heartbeat already names them, not the configured officer.
    Kiosk again(x, reg, test_name() + "-again", {.state_dir = state});
    std::string heartbeats;
    EXPECT_TRUE(eventually(
        [&] {
            heartbeats = heartbeats_after(last_id);
            return !heartbeats.empty();
        },
        25s));
    EXPECT_NE(heartbeats.find("\"duty_specialist\":\"" + name + "\""), std::string::npos)
        << heartbeats;
    std::filesystem::remove_all(state);
}

// Section: what remote operators see

TEST(Monitoring, HealthzTurns503WhenTheRegisterIsDownOrThePaperIsOutAndBack) {
    DevRegister reg;
    IppPrinter printer;
    Xvfb x(1080, 1920);
    Kiosk k(
        x, reg, test_name(),
        {.printer_target = printer.uri(), .monitoring_settings = "heartbeat_interval_s = 10\n"});
    auto health = [&] { return k.management("/healthz"); };
    ASSERT_TRUE(eventually([&] { return health().status == 200; }, 15s)) << health().body;

    reg.stop();
    EXPECT_TRUE(eventually([&] { return health().body == "register unreachable\n"; }, 25s))
        << health().body;
    EXPECT_EQ(health().status, 503);
    EXPECT_EQ(metric(k.management("/metrics").body, "kiosk_register_up"), 0);
    reg.restart();
    EXPECT_TRUE(eventually([&] { return health().status == 200; }, 25s)) << health().body;

    printer.set_paper_level(0);
    EXPECT_TRUE(eventually([&] { return health().body == "printer: no paper\n"; }, 25s))
        << health().body;
    EXPECT_EQ(health().status, 503);
    EXPECT_EQ(
        metric(k.management("/metrics").body, "kiosk_printer_problem{reason=\"media-empty\"}"), 1);
    printer.set_paper_level(250);
    EXPECT_TRUE(eventually([&] { return health().status == 200; }, 25s)) << health().body;
}

// Section: systemd

TEST(Systemd, ReadyAfterTheFirstFrameThenAWatchdogFedOnlyWhileTheScreenDraws) {
    DevRegister reg;
    NotifySocket notify;
    Xvfb x(1080, 1920);
    Kiosk k(x, reg, test_name(),
            {.env = {"NOTIFY_SOCKET=" + notify.path, "WATCHDOG_USEC=1500000"}});
    auto got = notify.receive(3s);
    ASSERT_FALSE(got.empty());
    EXPECT_EQ(got.front(), "READY=1");
    EXPECT_GE(count(got, "WATCHDOG=1"), 3);  // a frame every 0.75 s while nobody touches it

    // The display stops answering: the UI loop blocks in its next frame and stops feeding the
    // watchdog, while the rest of the process (the management server) carries on.
    kill(x.pid, SIGSTOP);
    notify.receive(1s);  // a frame already under way may still finish
    got = notify.receive(3s);
    const bool answers = k.management("/healthz").status == 200;
    kill(x.pid, SIGCONT);
    EXPECT_EQ(count(got, "WATCHDOG=1"), 0);
    EXPECT_TRUE(answers);

    got = notify.receive(3s);
    EXPECT_GE(count(got, "WATCHDOG=1"), 2);
}
