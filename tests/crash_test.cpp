// Crash safety: the delivering process is killed with SIGKILL at many points of delivery and
// restarted; in the end the register holds every accepted complaint exactly once. Seeded, so
// a failure replays the same kills.
#include "dev_register.h"
#include "process.h"

#include <sqlite3.h>
#include <sys/wait.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <map>
#include <set>
#include <sstream>
#include <thread>

using namespace testsupport;
using namespace std::chrono_literals;

namespace {

constexpr unsigned kSeed = 20261127;
constexpr int kKills = 200;

// Rows of a query, as text, from a database opened read-only.
std::vector<std::vector<std::string>> query(const std::string& db_path, const char* sql) {
    sqlite3* db = nullptr;
    sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt* st = nullptr;
    std::vector<std::vector<std::string>> rows;
    if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) == SQLITE_OK)
        while (sqlite3_step(st) == SQLITE_ROW) {
            rows.emplace_back();
            for (int i = 0; i < sqlite3_column_count(st); ++i) {
                const auto* t = sqlite3_column_text(st, i);
                rows.back().push_back(t ? reinterpret_cast<const char*>(t) : "");
            }
        }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return rows;
}

struct Kiosk {
    std::string dir = make_temp_dir("kiosk-crash");
    std::string config = dir + "/kiosk.toml";

    explicit Kiosk(const DevRegister& reg) {
        std::ofstream(config)
            << "[kiosk]\nid = \"KSK-CRASH\"\noffice = \"Office\"\noffice_address = \"Көкшетау, "
               "Абай 83\"\n"
            << "duty_officer = \"Кенжебаева Г. С.\"\nstate_dir = \"state\"\n[register]\nurl = \""
            << reg.url() << "\"\nca_file = \"" << reg.ca_file() << "\"\nclient_cert = \""
            << reg.client_cert() << "\"\nclient_key = \"" << reg.client_key() << "\"\napi_key = \""
            << reg.api_key()
            << "\"\nretry_first_s = 1\nretry_max_s = 10\n[printer]\nspool_dir = "
               "\"spool\"\n[ui]\nassets_dir = \""
            << KIOSK_ASSETS_DIR << "\"\n";
        std::ofstream(dir + "/complaint.json")
            << R"({"addressee": "provider_head", "service_code": "KZ-GU-001",
            "surname": "Әбілқасымова", "first_name": "Айгүл", "iin": "900101300007",
            "postal_address": "Көкшетау қ., Абай к-сі, 83",
            "officials": [{"position": "Бөлім басшысы", "surname": "Жұмабеков", "initials": "Н. Ө."}],
            "grounds": "Анықтама заңсыз берілмеді.", "demands": "Анықтаманы беру.", "phone": "87011234567",
            "consent": true, "signature": [[[0.1, 0.5], [0.3, 0.6]]]})";
    }
    ~Kiosk() { std::filesystem::remove_all(dir); }

    std::vector<std::string> tool(const std::vector<std::string>& args) const {
        std::vector<std::string> argv = {KIOSK_OUTBOX_BIN, "--config", config};
        argv.insert(argv.end(), args.begin(), args.end());
        return argv;
    }
    std::string outbox() const { return dir + "/state/outbox.sqlite"; }
};

// "accepted KSK-CRASH-000012" lines: what a citizen would have been told.
std::set<std::string> accepted_in(const std::string& output) {
    std::set<std::string> out;
    std::istringstream in(output);
    for (std::string line; std::getline(in, line);)
        if (line.rfind("accepted ", 0) == 0) out.insert(line.substr(9));
    return out;
}

}  // namespace

TEST(CrashSafety, KilledDeliveriesLoseNothingAndFileNothingTwice) {
    // Each answer takes a little while, so kills land before, during and after the register
    // stored a complaint but before the kiosk recorded its number.
    DevRegister reg({.faults = {"delay=15"}});
    Kiosk k(reg);
    std::mt19937 rng(kSeed);
    std::uniform_int_distribution<int> pause_ms(0, 40);
    std::set<std::string> accepted;

    const auto started = std::chrono::steady_clock::now();
    for (int kill_no = 0; kill_no < kKills; ++kill_no) {
        // Every fifth kill interrupts accepting instead of delivering.
        const bool enqueue = kill_no % 5 == 0;
        const std::string out = k.dir + "/run-" + std::to_string(kill_no) + ".log";
        const pid_t pid = spawn(
            k.tool(enqueue ? std::vector<std::string>{"enqueue", k.dir + "/complaint.json", "3"}
                           : std::vector<std::string>{"deliver-all"}),
            out);
        std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms(rng)));
        kill(pid, SIGKILL);
        waitpid(pid, nullptr, 0);
        if (enqueue) {
            auto told = accepted_in(read_text(out));
            accepted.insert(told.begin(), told.end());
        }
    }
    // Then a calm run to the end, as after the last restart.
    ASSERT_EQ(run(k.tool({"deliver-all"}), k.dir + "/final.log", 90s), 0)
        << read_text(k.dir + "/final.log");
    std::printf("[ crash    ] %d kills in %.1f s, %zu complaints accepted before a kill\n", kKills,
                std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(),
                accepted.size());

    const auto outbox =
        query(k.outbox(), "SELECT id, idempotency_key, state, registration_number FROM outbox");
    const auto rows =
        query(reg.db_path(), "SELECT idempotency_key, service_request_id FROM requests");
    std::map<std::string, std::string> filed;  // key -> number, as the register has them
    for (const auto& r : rows) filed[r[0]] = r[1];

    EXPECT_GT(outbox.size(), 0u);
    EXPECT_EQ(rows.size(), filed.size()) << "a key filed twice";
    EXPECT_EQ(rows.size(), outbox.size()) << "register rows != accepted complaints";
    std::set<std::string> local;
    for (const auto& item : outbox) {
        local.insert("KSK-CRASH-" + std::string(6 - std::min<std::size_t>(6, item[0].size()), '0') +
                     item[0]);
        EXPECT_EQ(item[2], "registered") << item[0];
        ASSERT_TRUE(filed.count(item[1]))
            << "complaint " << item[0] << " never reached the register";
        EXPECT_EQ(filed[item[1]], item[3]) << "the kiosk holds another number than the register";
    }
    for (const auto& told : accepted)
        EXPECT_TRUE(local.count(told)) << told << " was accepted, then lost";
    EXPECT_EQ(query(k.outbox(), "PRAGMA integrity_check").at(0).at(0), "ok");
    EXPECT_EQ(query(reg.db_path(), "PRAGMA integrity_check").at(0).at(0), "ok");
}
