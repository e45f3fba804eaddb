// Crash safety: the processes that accept and deliver complaints are killed with SIGKILL at
// many points and restarted; in the end the register holds every accepted complaint exactly
// once. Kill points come from progress the test observes (the tool's "accepted" lines, the
// register's log of each request arriving and being answered), plus a seeded extra of up to
// 3 ms to land inside the next commit, so they land at the same points on a fast and on a
// loaded machine; only the start-up kills (one run in 20) count from the spawn. Seeded: a
// failure replays the same plan of kills.
#include "dev_register.h"
#include "process.h"

#include "kiosk/outbox.h"

#include <sqlite3.h>
#include <sys/wait.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <thread>

using namespace testsupport;
using namespace std::chrono_literals;

namespace {

constexpr unsigned kSeed = 20261127;
constexpr int kKills = 200;

// The register the kiosk delivers to: this project's own (JSON, Idempotency-Key honoured), or
// a plain GeoReport v2 server (XML only, jurisdiction_id required, no idempotency): there only
// the kiosk's search for its reference keeps a killed delivery from filing twice.
struct Server {
    const char* profile;
    const char* format;
    const char* service_code;
    std::string requests() const {  // the POST's path
        return std::string("/requests.") + format;
    }
};
void PrintTo(const Server& s, std::ostream* os) { *os << s.profile << " register, " << s.format; }

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

    Kiosk(const DevRegister& reg, const Server& server) {
        std::ofstream(config)
            << "[kiosk]\nid = \"KSK-CRASH\"\noffice = \"Office\"\noffice_address = \"Көкшетау, "
               "Абай 83\"\n"
            << "duty_officer = \"Кенжебаева Г. С.\"\nstate_dir = \"state\"\n[register]\nurl = \""
            << reg.url() << "\"\nca_file = \"" << reg.ca_file() << "\"\nclient_cert = \""
            << reg.client_cert() << "\"\nclient_key = \"" << reg.client_key() << "\"\napi_key = \""
            << reg.api_key() << "\"\nformat = \"" << server.format << "\"\njurisdiction_id = \""
            << reg.jurisdiction()
            << "\"\nretry_first_s = 1\nretry_max_s = 10\n[printer]\nspool_dir = "
               "\"spool\"\n[ui]\nassets_dir = \""
            << KIOSK_ASSETS_DIR << "\"\n";
        std::ofstream(dir + "/complaint.json")
            << R"({"addressee": "provider_head", "service_code": ")" << server.service_code << R"(",
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
    std::vector<std::string> enqueue(int copies) const {
        return tool({"enqueue", dir + "/complaint.json", std::to_string(copies)});
    }
};

// Section: following what the processes report

constexpr auto kPoll = 1ms;
constexpr auto kProgressTimeout = 60s;  // for one run's progress, however slow the machine

// The complete lines a growing file (a run's output, the register's log) gained since the
// last call; it starts from the file's end, so only what comes after construction is seen.
class LineFeed {
public:
    explicit LineFeed(std::string path) : path_(std::move(path)) {
        std::error_code absent;
        const auto size = std::filesystem::file_size(path_, absent);
        offset_ = absent ? 0 : static_cast<std::streamoff>(size);
    }

    std::vector<std::string> next() {
        std::vector<std::string> lines;
        std::ifstream in(path_, std::ios::binary);
        if (!in || !in.seekg(offset_)) return lines;
        const std::string chunk{std::istreambuf_iterator<char>(in), {}};
        offset_ += static_cast<std::streamoff>(chunk.size());
        partial_ += chunk;
        for (auto nl = partial_.find('\n'); nl != std::string::npos; nl = partial_.find('\n')) {
            lines.push_back(partial_.substr(0, nl));
            partial_.erase(0, nl + 1);
        }
        return lines;
    }

private:
    std::string path_;
    std::streamoff offset_ = 0;
    std::string partial_;
};

// "accepted KSK-CRASH-000012": printed once the complaint is durable; what a citizen is told.
bool is_accepted(const std::string& line) { return line.rfind("accepted ", 0) == 0; }
std::string accepted_number(const std::string& line) { return line.substr(9); }

// The register's side, followed over the whole test: a killed kiosk's last request is still
// stored and answered after the kill, and the next run must not take that for its progress.
// The register logs each complaint twice: when it arrives (the delay fault, before it is
// stored) and when it has been answered (stored, its number sent).
struct RegisterTraffic {
    LineFeed log;
    std::string requests;  // the POST's path
    int arrived = 0, answered = 0;

    bool is_arrival(const std::string& line) const {
        return line.find("fault delay=15 on POST " + requests) != std::string::npos;
    }
    bool is_answer(const std::string& line) const {
        return line.find(": POST " + requests + " ") != std::string::npos;
    }
    int count(const std::vector<std::string>& lines) {
        int n = 0;
        for (const auto& line : lines) {
            const bool arrival = is_arrival(line), answer = is_answer(line);
            arrived += arrival;
            answered += answer;
            n += arrival || answer;
        }
        return n;
    }
    // Waits until every request that arrived has been answered.
    bool settle() {
        const auto deadline = std::chrono::steady_clock::now() + kProgressTimeout;
        while (count(log.next()), arrived != answered) {
            if (std::chrono::steady_clock::now() > deadline) return false;
            std::this_thread::sleep_for(kPoll);
        }
        return true;
    }
};

// Section: where a run is killed

enum class RunKind { Enqueue, Deliver };

struct KillPlan {
    RunKind run = RunKind::Deliver;
    // Progress lines to see first: "accepted" lines, or the register's request lines (odd: a
    // request arrived, even: it was answered). 0: none, the kill lands in start-up.
    int after_lines = 0;
    std::chrono::microseconds extra{0};  // then this much longer: into the next commit
    // Deliver: stop the kiosk on the arrival line, kill it once the register answered, so the
    // kill lands after the register filed the complaint and before the kiosk recorded it.
    bool freeze = false;
};

constexpr int kCopies = 5;  // an enqueue run commits this many; kills come after at most 3

KillPlan plan_kill(int run_no, std::mt19937& rng) {
    const auto pick = [&](int lo, int hi) { return std::uniform_int_distribution(lo, hi)(rng); };
    KillPlan plan;
    if (run_no % 5 == 0) {  // every fifth run accepts complaints, the others deliver
        plan.run = RunKind::Enqueue;
        plan.after_lines = pick(0, 3);
        plan.extra = std::chrono::microseconds(pick(0, plan.after_lines == 0 ? 30'000 : 3'000));
        return plan;
    }
    plan.freeze = pick(0, 2) == 0;
    plan.after_lines = plan.freeze ? 2 * pick(0, 1) + 1 : pick(1, 4);
    if (!plan.freeze) plan.extra = std::chrono::microseconds(pick(0, 3'000));
    return plan;
}

struct RunEnd {
    bool killed = false;  // by the test's SIGKILL; otherwise the run finished first
    int status = 0;       // the wait status
    int progress = 0;     // progress lines seen
    std::string problem;  // a run that hung or failed on its own
};

// Starts the run, counts its progress lines as progress_lines() reports them (each call: the
// new ones) and kills it where the plan says.
RunEnd run_and_kill(const std::vector<std::string>& argv, const std::string& output,
                    const KillPlan& plan, const std::function<int()>& progress_lines) {
    RunEnd end;
    const pid_t pid = spawn(argv, output);
    const int wanted = plan.after_lines + (plan.freeze ? 1 : 0);
    const auto deadline = std::chrono::steady_clock::now() + kProgressTimeout;
    bool ended = false, frozen = false;
    for (;;) {
        end.progress += progress_lines();
        if (plan.freeze && !frozen && end.progress >= plan.after_lines)
            frozen = kill(pid, SIGSTOP) == 0;
        if (end.progress >= wanted) break;
        if (waitpid(pid, &end.status, WNOHANG) == pid) {
            ended = true;
            break;
        }
        if (std::chrono::steady_clock::now() > deadline) {
            end.problem = "no progress within 60 s";
            break;
        }
        std::this_thread::sleep_for(kPoll);
    }
    if (!ended) {
        if (plan.extra > 0us) std::this_thread::sleep_for(plan.extra);
        kill(pid, SIGKILL);
        waitpid(pid, &end.status, 0);
        end.killed = WIFSIGNALED(end.status) && WTERMSIG(end.status) == SIGKILL;
    }
    if (!end.killed && end.problem.empty() &&
        !(WIFEXITED(end.status) && WEXITSTATUS(end.status) == 0))
        end.problem = "ended on its own with wait status " + std::to_string(end.status);
    if (!end.problem.empty()) end.problem += ":\n" + read_text(output);
    return end;
}

// Section: what a kill left behind

struct Left {
    std::string problem;  // the outbox does not open: the kiosk could not start again
    std::vector<kiosk::OutboxItem> items;
    int undelivered = 0;  // queued or delivering
};

// Opens the outbox as the kiosk does on start-up.
Left look(const Kiosk& k) {
    Left left;
    try {
        kiosk::Outbox outbox(k.outbox(), "KSK-CRASH");
        left.items = outbox.recent(1'000'000);
        const auto stats = outbox.stats();
        left.undelivered = stats.queued + stats.delivering;
    } catch (const std::exception& e) {
        left.problem = e.what();
    }
    return left;
}

// The register's rows for a complaint: those whose description ends with its reference (a
// plain server keeps no idempotency key).
std::vector<std::string> numbers_filed(const DevRegister& reg, const kiosk::OutboxItem& item) {
    std::vector<std::string> out;
    for (const auto& row : reg.query("SELECT service_request_id FROM requests WHERE description "
                                     "LIKE ?1",
                                     {"%№ " + kiosk::reference(item)}))
        out.push_back(row[0]);
    return out;
}

// Keys of complaints the register holds while the kiosk has not recorded their numbers.
std::set<std::string> filed_unrecorded(const Left& left, const DevRegister& reg) {
    std::set<std::string> out;
    for (const auto& item : left.items)
        if (item.state != kiosk::Delivery::Registered && !numbers_filed(reg, item).empty())
            out.insert(item.idempotency_key);
    return out;
}

// Where the kills landed, for the summary and the checks that the test reached its points.
struct Tally {
    int kills = 0, runs_ended_first = 0;
    int enqueue_at_start = 0, enqueue_after_accepted = 0;
    int committed_untold = 0;  // inside a commit: written, its fsync not done, not yet told
    int after_arrival = 0, after_answer = 0, frozen = 0, filed_unrecorded = 0;
    std::size_t told_before_kill = 0;
};

}  // namespace

class CrashSafety : public ::testing::TestWithParam<Server> {};

TEST_P(CrashSafety, KilledDeliveriesLoseNothingAndFileNothingTwice) {
    // Each answer takes 15 ms, so kills land before, during and after the register stored a
    // complaint, and between its answer and the kiosk's record of the number.
    DevRegister reg({.faults = {"delay=15"}, .profile = GetParam().profile});
    Kiosk k(reg, GetParam());
    std::mt19937 rng(kSeed);
    RegisterTraffic traffic{LineFeed(reg.log_path()), GetParam().requests()};
    std::set<std::string> accepted;    // every number a citizen was told
    std::set<std::string> unrecorded;  // filed by the register, not yet recorded by the kiosk
    Left last;                         // as the last run left the outbox (none before the first)
    Tally tally;

    const auto started = std::chrono::steady_clock::now();
    for (int run_no = 0; tally.kills < kKills; ++run_no) {
        ASSERT_LT(run_no, 3 * kKills) << "too many runs ended before their kill";
        const KillPlan plan = plan_kill(run_no, rng);
        const std::string out = k.dir + "/run-" + std::to_string(run_no) + ".log";
        const std::string where = "run " + std::to_string(run_no) + " (seed " +
                                  std::to_string(kSeed) + ", kill " +
                                  std::to_string(tally.kills + 1) + ")";
        RunEnd end;
        std::vector<std::string> told;
        if (plan.run == RunKind::Enqueue) {
            LineFeed feed(out);
            end = run_and_kill(k.enqueue(kCopies), out, plan, [&] {
                const auto before_lines = told.size();
                for (const auto& line : feed.next())
                    if (is_accepted(line)) told.push_back(accepted_number(line));
                return static_cast<int>(told.size() - before_lines);
            });
            for (const auto& line : feed.next())  // printed between the last look and the kill
                if (is_accepted(line)) told.push_back(accepted_number(line));
        } else {
            // Enough queued that the run is still delivering where its kill is due.
            if (last.undelivered < 3) {
                const std::string topped = k.dir + "/top-up-" + std::to_string(run_no) + ".log";
                ASSERT_EQ(run(k.enqueue(kCopies), topped, kProgressTimeout), 0)
                    << read_text(topped);
                std::istringstream lines(read_text(topped));
                for (std::string line; std::getline(lines, line);)
                    if (is_accepted(line)) accepted.insert(accepted_number(line));
            }
            ASSERT_TRUE(traffic.settle()) << "the register did not answer before " << where;
            end = run_and_kill(k.tool({"deliver-all"}), out, plan,
                               [&] { return traffic.count(traffic.log.next()); });
        }
        ASSERT_EQ(end.problem, "") << where;
        accepted.insert(told.begin(), told.end());

        const std::size_t items_before = last.items.size();
        last = look(k);
        const Left& left = last;
        ASSERT_EQ(left.problem, "") << "the outbox does not open after " << where;
        std::set<std::string> local;
        for (const auto& item : left.items) local.insert(item.local_number);
        for (const auto& number : accepted)
            ASSERT_TRUE(local.count(number)) << number << " was accepted, then lost at " << where;
        if (!end.killed) {
            ++tally.runs_ended_first;
            continue;
        }
        ++tally.kills;
        if (plan.run == RunKind::Enqueue) {
            tally.told_before_kill += told.size();
            ++(end.progress == 0 ? tally.enqueue_at_start : tally.enqueue_after_accepted);
            tally.committed_untold += left.items.size() - items_before > told.size();
            continue;
        }
        ++(plan.freeze        ? tally.frozen
           : end.progress % 2 ? tally.after_arrival
                              : tally.after_answer);
        ASSERT_TRUE(traffic.settle()) << "the register did not answer after " << where;
        auto now_unrecorded = filed_unrecorded(left, reg);
        tally.filed_unrecorded += std::ranges::any_of(
            now_unrecorded, [&](const std::string& key) { return !unrecorded.count(key); });
        unrecorded = std::move(now_unrecorded);
    }
    // Then a calm run to the end, as after the last restart.
    ASSERT_EQ(run(k.tool({"deliver-all"}), k.dir + "/final.log", 90s), 0)
        << read_text(k.dir + "/final.log");
    std::printf(
        "[ crash    ] %d kills in %.1f s (%d runs ended first); accepting: %d at start-up, %d "
        "after an \"accepted\" line, %d inside a commit (written, not yet told); delivering: %d "
        "after a request arrived, %d after an answer, %d stopped on arrival and killed after the "
        "answer, %d between the register filing and the kiosk recording; %zu complaints "
        "accepted, %zu of them told in runs then killed\n",
        tally.kills,
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(),
        tally.runs_ended_first, tally.enqueue_at_start, tally.enqueue_after_accepted,
        tally.committed_untold, tally.after_arrival, tally.after_answer, tally.frozen,
        tally.filed_unrecorded, accepted.size(), tally.told_before_kill);
    // The points the test exists for were reached.
    EXPECT_GT(tally.told_before_kill, 0u);
    EXPECT_GT(tally.filed_unrecorded, 0) << "no kill between the register filing and the kiosk "
                                            "recording";

    const Left final = look(k);
    const auto rows = query(reg.db_path(), "SELECT service_request_id FROM requests");
    EXPECT_GT(final.items.size(), 0u);
    EXPECT_EQ(rows.size(), final.items.size()) << "register rows != accepted complaints";
    std::set<std::string> local;
    for (const auto& item : final.items) {
        local.insert(item.local_number);
        EXPECT_EQ(item.state, kiosk::Delivery::Registered) << item.local_number;
        const auto numbers = numbers_filed(reg, item);
        ASSERT_EQ(numbers.size(), 1u)
            << item.local_number << " filed " << numbers.size() << " times";
        EXPECT_EQ(numbers[0], item.registration_number)
            << "the kiosk holds another number than the register";
    }
    for (const auto& told : accepted)
        EXPECT_TRUE(local.count(told)) << told << " was accepted, then lost";
    EXPECT_EQ(query(k.outbox(), "PRAGMA integrity_check").at(0).at(0), "ok");
    EXPECT_EQ(query(reg.db_path(), "PRAGMA integrity_check").at(0).at(0), "ok");
}

INSTANTIATE_TEST_SUITE_P(Register, CrashSafety,
                         ::testing::Values(Server{"kiosk", "json", "KZ-GU-001"},
                                           Server{"stock", "xml", "1"}),
                         [](const auto& info) { return std::string(info.param.profile); });
