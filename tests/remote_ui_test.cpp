// The operators' remote commands as a citizen and staff see them (issue 16): the real kiosk
// under Xvfb, the development register queueing commands an operator signed with the real
// kiosk-command tool.
#include "kiosk_driver.h"
#include "process.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

using namespace testsupport;
using namespace std::chrono_literals;

namespace {

std::string trimmed(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
}

// An operator at the fleet's console: their key, and kiosk-command's sign and queue.
struct Operator {
    std::string dir = make_temp_dir("kiosk-operator");
    std::string key = dir + "/operator.key";
    std::string public_key;

    Operator() {
        if (run({KIOSK_COMMAND, "keygen", "--out", key}, dir + "/keygen.txt", 10s) != 0 ||
            run({KIOSK_COMMAND, "pubkey", key}, dir + "/pubkey.txt", 10s) != 0)
            throw std::runtime_error("kiosk-command keygen: " + read_text(dir + "/keygen.txt"));
        public_key = trimmed(read_text(dir + "/pubkey.txt"));
    }
    ~Operator() { std::filesystem::remove_all(dir); }

    // Signs a command for the kiosk and queues it on the register's admin endpoint.
    void command(const DevRegister& reg, const std::vector<std::string>& args) const {
        std::string line =
            std::string(KIOSK_COMMAND) + " sign --key '" + key + "' --kiosk KSK-UI-TEST";
        for (const auto& a : args) line += " '" + a + "'";
        line += " | " + std::string(KIOSK_COMMAND) + " queue --admin " + reg.admin_url() +
                " --kiosk KSK-UI-TEST";
        if (run({"/bin/sh", "-c", line}, dir + "/queue.txt", 20s) != 0)
            throw std::runtime_error("kiosk-command: " + read_text(dir + "/queue.txt"));
    }
};

// The register's list of the kiosk's commands, as the operators' console shows it.
std::string commands_seen_by_register(const DevRegister& reg) {
    return http_request(reg.admin_url() + "/admin/kiosks/KSK-UI-TEST/commands").body;
}

}  // namespace

TEST(OutOfService, TheOperatorsCloseTheKioskRemotelyItStaysClosedAcrossARestartAndOpensAgain) {
    DevRegisterOptions options;
    options.admin = true;
    DevRegister reg(options);
    Operator op;
    Xvfb x(1080, 1920);
    KioskSetup setup;
    setup.state_dir = make_temp_dir("kiosk-remote-state");
    setup.monitoring_settings =
        "heartbeat_interval_s = 10\n[remote]\noperator_keys = [\"" + op.public_key + "\"]\n";
    {
        Kiosk k(x, reg, suite_and_test(), setup);
        k.wait_for("language:kk", 10s);
        op.command(reg, {"--name", "out_of_service", "--message-kk",
                         "Шағымды осы кеңседегі № 3 терезеде беруге болады.", "--message-ru",
                         "Жалобу можно подать в окне № 3 этого офиса.", "--message-en",
                         "You can file a complaint at window 3 of this office."});
        ASSERT_TRUE(eventually([&] { return k.no_way_in(); }, 40s)) << k.log();
        EXPECT_NE(k.log().find("out of service at the operators' command"), std::string::npos);
        k.screenshot("closed-by-operators");
        // The result goes back with the next heartbeat.
        ASSERT_TRUE(eventually(
            [&] {
                return commands_seen_by_register(reg).find("\"state\":\"done\"") !=
                       std::string::npos;
            },
            40s))
            << commands_seen_by_register(reg);
        // Staff see why, in service mode.
        k.service_mode();
        k.wait_for("staff.exit", 10s);
        k.screenshot("closed-by-operators-staff");
        k.press("staff.exit");
        ASSERT_TRUE(eventually([&] { return k.no_way_in(); }, 10s));
    }
    // Restarted (a power cut, an update): closed from the first frame.
    Kiosk k(x, reg, suite_and_test() + ".restarted", setup);
    EXPECT_TRUE(k.no_way_in());
    op.command(reg, {"--name", "back_in_service"});
    k.wait_for("language:kk", 40s);
    EXPECT_NE(k.log().find("back in service at the operators' command"), std::string::npos);
    std::filesystem::remove_all(setup.state_dir);
}
