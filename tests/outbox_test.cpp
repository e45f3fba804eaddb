// The outbox: durable, exactly-once delivery to the real development register.
#include "dev_register.h"
#include "process.h"
#include "sample_request.h"

#include "kiosk/outbox.h"
#include "kiosk/submission.h"

#include <sqlite3.h>

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <fstream>
#include <iterator>
#include <mutex>
#include <thread>

using namespace kiosk;
using namespace std::chrono_literals;

namespace {

struct OutboxTest : ::testing::Test {
    std::string dir = testsupport::make_temp_dir("kiosk-outbox");
    std::filesystem::path db = std::filesystem::path(dir) / "state" / "outbox.sqlite";
    void TearDown() override { std::filesystem::remove_all(dir); }

    static net::ServiceRequest request(const std::string& key = new_idempotency_key()) {
        Config cfg;
        cfg.kiosk_id = "KSK-T";
        cfg.office_address = "Көкшетау қ., Абай к-сі, 83";
        return sample_request(cfg, key);
    }
    static net::RegisterEndpoint endpoint(const DevRegister& reg) { return endpoint_of(reg); }
    static int register_rows(const DevRegister& reg) {
        sqlite3* rdb = nullptr;
        sqlite3_open_v2(reg.db_path().c_str(), &rdb, SQLITE_OPEN_READONLY, nullptr);
        sqlite3_stmt* st = nullptr;
        sqlite3_prepare_v2(rdb, "SELECT count(*) FROM requests", -1, &st, nullptr);
        sqlite3_step(st);
        const int n = sqlite3_column_int(st, 0);
        sqlite3_finalize(st);
        sqlite3_close(rdb);
        return n;
    }
};

const RetryPolicy kFast{100ms, 1s};

}  // namespace

TEST_F(OutboxTest, EnqueuedComplaintSurvivesReopeningWithEveryField) {
    const auto rq = request();
    std::int64_t id = 0;
    {
        Outbox outbox(db, "KSK-T");
        const OutboxItem item = outbox.enqueue(rq, WallClock::now());
        id = item.id;
        EXPECT_EQ(item.state, Delivery::Queued);
        EXPECT_EQ(item.local_number, "KSK-T-000001");
        EXPECT_EQ(item.idempotency_key, rq.idempotency_key);
    }
    Outbox reopened(db, "KSK-T");
    ASSERT_TRUE(reopened.find_number("KSK-T-000001"));
    const auto due = reopened.take_due(WallClock::now());
    ASSERT_TRUE(due);
    EXPECT_EQ(due->first.id, id);
    EXPECT_EQ(due->first.state, Delivery::Delivering);
    const net::ServiceRequest& back = due->second;
    EXPECT_EQ(back.idempotency_key, rq.idempotency_key);
    EXPECT_EQ(back.last_name, "Әбілқасымова");
    EXPECT_EQ(back.service_code, rq.service_code);
    ASSERT_EQ(back.attributes.size(), rq.attributes.size());
    for (std::size_t i = 0; i < rq.attributes.size(); ++i) {
        EXPECT_EQ(back.attributes[i].code, rq.attributes[i].code);
        EXPECT_EQ(back.attributes[i].values, rq.attributes[i].values);
        EXPECT_EQ(back.attributes[i].multi_value, rq.attributes[i].multi_value);
    }
}

TEST_F(OutboxTest, OneKeyIsOneComplaint) {
    Outbox outbox(db, "KSK-T");
    const auto rq = request();
    const auto a = outbox.enqueue(rq, WallClock::now());
    const auto b = outbox.enqueue(rq, WallClock::now());
    EXPECT_EQ(a.id, b.id);
    EXPECT_EQ(outbox.stats().queued, 1);
    EXPECT_THROW(outbox.enqueue(request(""), WallClock::now()), OutboxError);
}

TEST_F(OutboxTest, TakenItemsAreNotTakenTwiceAndComeBackAfterACrash) {
    Outbox outbox(db, "KSK-T");
    outbox.enqueue(request(), WallClock::now());
    ASSERT_TRUE(outbox.take_due(WallClock::now()));
    EXPECT_FALSE(outbox.take_due(WallClock::now()));
    EXPECT_EQ(outbox.stats().delivering, 1);
    EXPECT_EQ(outbox.recover(), 1);  // what a restart does
    const auto again = outbox.take_due(WallClock::now());
    ASSERT_TRUE(again);
    EXPECT_EQ(again->first.attempts, 2);
}

// A kiosk's first start: the session and the worker open the new outbox at the same moment.
// SQLite refused one of two concurrent switches of a new database to WAL at once ("database is
// locked"), busy timeout or not: found by the ASan run's timing, about one start in eight.
TEST_F(OutboxTest, TwoThreadsOpeningANewOutboxBothGetIt) {
    for (int start = 0; start < 40; ++start) {
        const auto file = std::filesystem::path(dir) / std::to_string(start) / "outbox.sqlite";
        std::string errors;
        std::mutex m;
        const auto open = [&] {
            try {
                Outbox(file, "KSK-T");
            } catch (const OutboxError& e) {
                std::lock_guard lock(m);
                errors += e.what() + std::string("\n");
            }
        };
        std::thread other(open);
        open();
        other.join();
        ASSERT_EQ(errors, "") << "start " << start;
    }
}

TEST(RetryPolicy, BacksOffExponentiallyWithJitterUpToTheCap) {
    const RetryPolicy p{1000ms, 60s};
    std::mt19937_64 rng(42);
    for (int attempt = 1; attempt <= 12; ++attempt) {
        const auto ceiling = std::min<Millis>(Millis(1000LL << (attempt - 1)), 60s);
        for (int i = 0; i < 50; ++i) {
            const Millis d = p.delay(attempt, 0s, rng);
            EXPECT_GE(d, ceiling / 2) << attempt;
            EXPECT_LE(d, ceiling) << attempt;
        }
    }
    EXPECT_GE(p.delay(1, 30s, rng), 30s);    // the register's Retry-After wins
    EXPECT_LE(p.delay(1, 7200s, rng), 60s);  // but never beyond the cap
}

TEST_F(OutboxTest, DeliversEveryDueComplaintOnceToTheRegister) {
    DevRegister reg;
    Outbox outbox(db, "KSK-T");
    for (int i = 0; i < 3; ++i) outbox.enqueue(request(), WallClock::now());
    std::mt19937_64 rng(1);
    EXPECT_EQ(deliver_due(outbox, endpoint(reg), kFast, rng), 3);
    EXPECT_EQ(outbox.stats().registered, 3);
    EXPECT_EQ(register_rows(reg), 3);
    for (const auto& item : outbox.recent(10)) {
        EXPECT_EQ(item.registration_number.rfind("ЖТ-", 0), 0u);
        EXPECT_TRUE(outbox.find_number(item.registration_number));
    }
}

TEST_F(OutboxTest, UnreachableRegisterLeavesItQueuedForLater) {
    Outbox outbox(db, "KSK-T");
    outbox.enqueue(request(), WallClock::now());
    // A closed loopback port: connection refused at once.
    net::RegisterEndpoint nowhere{.base_url = "https://127.0.0.1:9/",
                                  .ca_file = "/nonexistent",
                                  .api_key = "k",
                                  .connect_timeout_ms = 1000,
                                  .total_timeout_ms = 2000};
    std::mt19937_64 rng(1);
    const auto before = WallClock::now();
    EXPECT_EQ(deliver_due(outbox, nowhere, kFast, rng), 0);
    const auto item = outbox.recent(1).at(0);
    EXPECT_EQ(item.state, Delivery::Queued);
    EXPECT_EQ(item.attempts, 1);
    EXPECT_GT(item.next_attempt_at, before);
    EXPECT_FALSE(item.last_error.empty());
    outbox.due_now(WallClock::now());  // staff's "deliver now"
    EXPECT_TRUE(outbox.take_due(WallClock::now()));
}

TEST_F(OutboxTest, RefusedComplaintIsHeldForStaffWithTheReasonAndSentAgainWhenFixed) {
    DevRegister reg;
    auto ep = endpoint(reg);
    ep.api_key = "wrong";
    Outbox outbox(db, "KSK-T");
    outbox.enqueue(request(), WallClock::now());
    std::mt19937_64 rng(1);
    deliver_due(outbox, ep, kFast, rng);
    const auto item = outbox.recent(1).at(0);
    EXPECT_EQ(item.state, Delivery::NeedsStaff);
    EXPECT_NE(item.last_error.find("403"), std::string::npos) << item.last_error;
    EXPECT_EQ(outbox.stats().needs_staff, 1);
    EXPECT_EQ(outbox.stats().needs_staff_reason, item.last_error);
    // Held, never wiped: the register still needs it.
    PersonalDataPolicy policy;
    policy.reprint_window = 0s;
    EXPECT_EQ(outbox.purge(WallClock::now() + 48h, policy).complaints, 0);
    deliver_due(outbox, ep, kFast, rng);  // not retried on its own
    EXPECT_EQ(reg.rows("requests"), 0);
    // Staff fixed the key and send it again.
    EXPECT_EQ(outbox.requeue(WallClock::now()), 1);
    deliver_due(outbox, endpoint(reg), kFast, rng);
    EXPECT_EQ(outbox.find(item.id)->state, Delivery::Registered);
    EXPECT_EQ(reg.rows("requests"), 1);
}

// Section: personal data, on a schedule that does not depend on printing

namespace {

bool holds_personal_data(const std::filesystem::path& db) {
    for (const auto* suffix : {"", "-wal"}) {
        std::ifstream in(db.string() + suffix, std::ios::binary);
        const std::string bytes((std::istreambuf_iterator<char>(in)), {});
        if (bytes.find("Әбілқасымова") != std::string::npos ||
            bytes.find("900101300007") != std::string::npos)
            return true;
    }
    return false;
}

// A talon PDF in the spool folder, as the submission leaves it.
std::filesystem::path spooled_talon(const std::filesystem::path& spool, const std::string& name) {
    std::filesystem::create_directories(spool);
    const auto file = spool / (name + ".pdf");
    std::ofstream(file) << "%PDF-1.4 Әбілқасымова А. Қ.";
    return file;
}

// A complaint accepted, delivered when a register is given, and its talon spooled and printing.
struct Filed {
    OutboxItem item;
    std::filesystem::path talon;
};
Filed filed(Outbox& outbox, const std::filesystem::path& spool, const DevRegister* reg = nullptr) {
    const auto item = outbox.enqueue(OutboxTest::request(), WallClock::now());
    if (reg) {
        std::mt19937_64 rng(1);
        deliver_due(outbox, OutboxTest::endpoint(*reg), kFast, rng);
    }
    const auto talon = spooled_talon(spool, "talon-" + item.local_number);
    outbox.printing(item.id, talon, WallClock::now());
    return {item, talon};
}

}  // namespace

TEST_F(OutboxTest, PersonalDataAndTalonLeaveOnceDeliveredAndPrinted) {
    DevRegister reg;
    const PersonalDataPolicy policy{0s, 24h, std::filesystem::path(dir) / "spool"};
    {
        Outbox outbox(db, "KSK-T");
        const auto [item, talon] = filed(outbox, policy.spool_dir, &reg);
        EXPECT_EQ(outbox.purge(WallClock::now(), policy).complaints, 0);  // still printing
        outbox.print_ended(item.id, true);
        EXPECT_EQ(outbox.purge(WallClock::now() - 1h, policy).complaints, 0);  // before delivery
        const PurgeReport purged = outbox.purge(WallClock::now() + 1s, policy);
        EXPECT_EQ(purged.complaints, 1);
        EXPECT_EQ(purged.talons, 1);
        EXPECT_TRUE(purged.checkpointed);
        EXPECT_FALSE(std::filesystem::exists(talon));
        const auto after = *outbox.find(item.id);
        EXPECT_TRUE(after.purged);
        EXPECT_TRUE(after.talon.empty());
        EXPECT_EQ(after.state, Delivery::Registered);  // the number stays for the status screen
    }
    EXPECT_FALSE(holds_personal_data(db));  // not in the database file, nor in its WAL
}

TEST_F(OutboxTest, AnUnprintedTalonWaitsForReprintThenGoesAnyway) {
    DevRegister reg;
    const PersonalDataPolicy policy{0s, 24h, std::filesystem::path(dir) / "spool"};
    Outbox outbox(db, "KSK-T");
    const auto [item, talon] = filed(outbox, policy.spool_dir, &reg);
    outbox.print_ended(item.id, false);                                     // no paper
    EXPECT_EQ(outbox.purge(WallClock::now() + 23h, policy).complaints, 0);  // staff may reprint
    EXPECT_TRUE(std::filesystem::exists(talon));
    EXPECT_EQ(outbox.purge(WallClock::now() + 25h, policy).complaints, 1);
    EXPECT_FALSE(std::filesystem::exists(talon));
    EXPECT_FALSE(holds_personal_data(db));
}

TEST_F(OutboxTest, AStaffReprintLetsThePersonalDataGoAtOnce) {
    DevRegister reg;
    const PersonalDataPolicy policy{0s, 24h, std::filesystem::path(dir) / "spool"};
    Outbox outbox(db, "KSK-T");
    const auto [item, talon] = filed(outbox, policy.spool_dir, &reg);
    outbox.print_ended(item.id, false);
    outbox.reprinted(talon);
    EXPECT_EQ(outbox.purge(WallClock::now() + 1s, policy).complaints, 1);
}

TEST_F(OutboxTest, AComplaintTheRegisterHasNotTakenKeepsEverything) {
    const PersonalDataPolicy policy{0s, 24h, std::filesystem::path(dir) / "spool"};
    Outbox outbox(db, "KSK-T");
    const auto [item, talon] = filed(outbox, policy.spool_dir);
    outbox.print_ended(item.id, true);
    EXPECT_EQ(outbox.purge(WallClock::now() + 24h * 365, policy).complaints, 0);
    EXPECT_TRUE(std::filesystem::exists(talon));
    EXPECT_TRUE(holds_personal_data(db));
}

TEST_F(OutboxTest, ATalonCutShortIsListedUntilItsPrintEnds) {
    Outbox outbox(db, "KSK-T");
    const auto item = outbox.enqueue(request(), WallClock::now());
    const auto talon = spooled_talon(std::filesystem::path(dir) / "spool", "talon-x");
    outbox.printing(item.id, talon, WallClock::now());
    ASSERT_EQ(outbox.interrupted_talons().size(), 1u);  // what a kill during printing leaves
    EXPECT_EQ(outbox.interrupted_talons()[0].talon, talon);
    outbox.print_ended(item.id, false);
    EXPECT_TRUE(outbox.interrupted_talons().empty());
}

TEST_F(OutboxTest, OldTalonsNoComplaintNeedsAreSweptFromTheSpool) {
    const PersonalDataPolicy policy{0s, 24h, std::filesystem::path(dir) / "spool"};
    Outbox outbox(db, "KSK-T");
    const auto waiting = outbox.enqueue(request(), WallClock::now());
    const auto needed = spooled_talon(policy.spool_dir, "talon-needed");
    outbox.printing(waiting.id, needed, WallClock::now());
    outbox.print_ended(waiting.id, false);
    const auto stray = spooled_talon(policy.spool_dir, "talon-stray");
    const auto fresh = spooled_talon(policy.spool_dir, "talon-fresh");
    const auto other = policy.spool_dir / "notes.txt";
    std::ofstream(other) << "not a talon";
    const auto old = std::filesystem::file_time_type::clock::now() - 48h;
    for (const auto& f : {needed, stray, other}) std::filesystem::last_write_time(f, old);
    EXPECT_EQ(outbox.purge(WallClock::now(), policy).talons, 1);
    EXPECT_TRUE(std::filesystem::exists(needed));  // its complaint still waits for the register
    EXPECT_FALSE(std::filesystem::exists(stray));
    EXPECT_TRUE(std::filesystem::exists(fresh));
    EXPECT_TRUE(std::filesystem::exists(other));
}

TEST_F(OutboxTest, ACheckpointAReaderBlocksIsReportedForARetry) {
    DevRegister reg;
    const PersonalDataPolicy policy{0s, 24h, {}};
    Outbox outbox(db, "KSK-T");
    const auto item = outbox.enqueue(request(), WallClock::now());
    std::mt19937_64 rng(1);
    deliver_due(outbox, endpoint(reg), kFast, rng);
    outbox.print_ended(item.id, true);
    // Another connection in the middle of a read keeps the WAL from being truncated.
    sqlite3* reader = nullptr;
    ASSERT_EQ(sqlite3_open(db.c_str(), &reader), SQLITE_OK);
    ASSERT_EQ(
        sqlite3_exec(reader, "BEGIN; SELECT count(*) FROM outbox;", nullptr, nullptr, nullptr),
        SQLITE_OK);
    const PurgeReport blocked = outbox.purge(WallClock::now() + 1s, policy);
    EXPECT_EQ(blocked.complaints, 1);
    EXPECT_FALSE(blocked.checkpointed);
    sqlite3_exec(reader, "COMMIT", nullptr, nullptr, nullptr);
    sqlite3_close(reader);
    EXPECT_TRUE(outbox.checkpoint());
    EXPECT_FALSE(holds_personal_data(db));
}

TEST_F(OutboxTest, CreatedPrivateWhateverTheUmask) {
    const mode_t old = ::umask(0);
    { Outbox outbox(db, "KSK-T"); }
    ::umask(old);
    struct stat st {};
    ASSERT_EQ(::stat(db.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    ASSERT_EQ(::stat(db.parent_path().c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u);
}

// Section: a pass that stops when told, and never takes an item twice

TEST_F(OutboxTest, APassTakesEachDueItemOnceEvenWhenItsRetryComesDueDuringThePass) {
    DevRegister reg({.faults = {"status=503,path=requests.json"}});
    Outbox outbox(db, "KSK-T");
    for (int i = 0; i < 3; ++i) outbox.enqueue(request(), WallClock::now());
    std::mt19937_64 rng(1);
    const RetryPolicy instant{1ms, 1ms};  // every retry is due before the pass ends
    deliver_due(outbox, endpoint(reg), instant, rng);
    for (const auto& item : outbox.recent(3)) EXPECT_EQ(item.attempts, 1);
}

TEST_F(OutboxTest, AStopRequestCutsACallShortAndLeavesItsItemQueuedUnderItsKey) {
    DevRegister reg({.faults = {"delay=30000,path=requests.json"}});
    Outbox outbox(db, "KSK-T");
    const auto item = outbox.enqueue(request(), WallClock::now());
    outbox.enqueue(request(), WallClock::now());
    std::stop_source stop;
    auto ep = endpoint(reg);
    ep.total_timeout_ms = 60000;
    ep.cancel = stop.get_token();
    std::thread pass([&] {
        Outbox own(db, "KSK-T");
        std::mt19937_64 rng(1);
        deliver_due(own, ep, kFast, rng);
    });
    const bool in_flight = testsupport::eventually(
        [&] { return outbox.find(item.id)->state == Delivery::Delivering; }, 10s);
    const auto asked = std::chrono::steady_clock::now();
    stop.request_stop();
    pass.join();
    ASSERT_TRUE(in_flight);
    // libcurl asks about once a second; the rest of the pass is skipped.
    EXPECT_LT(std::chrono::steady_clock::now() - asked, 5s);
    const auto after = *outbox.find(item.id);
    EXPECT_EQ(after.state, Delivery::Queued);
    EXPECT_EQ(after.idempotency_key, item.idempotency_key);
    EXPECT_EQ(after.last_error, "interrupted by shutdown");
    EXPECT_LE(after.next_attempt_at, WallClock::now());  // due again at once
    EXPECT_EQ(outbox.stats().queued, 2);
}

// Section: an outbox the worker cannot use

TEST_F(OutboxTest, TheWorkerReportsADamagedOutboxAndStaffReplaceIt) {
    std::filesystem::create_directories(db.parent_path());
    std::ofstream(db) << std::string(4096, 'x');
    DevRegister reg;
    std::mutex m;
    std::vector<std::string> heard;
    DeliveryWorker worker(db, "KSK-T", endpoint(reg), kFast, {}, {}, [&](const std::string& why) {
        std::lock_guard lock(m);
        heard.push_back(why);
    });
    ASSERT_TRUE(testsupport::eventually([&] { return worker.opened(); }, 10s));
    EXPECT_NE(worker.problem().find("not a database"), std::string::npos) << worker.problem();
    const auto aside = worker.replace_broken_outbox();
    EXPECT_EQ(worker.problem(), "");
    EXPECT_EQ(testsupport::read_text(aside.string()), std::string(4096, 'x'));  // kept as it was
    const auto item = Outbox(db, "KSK-T").enqueue(request(), WallClock::now());
    worker.wake();
    EXPECT_TRUE(testsupport::eventually(
        [&] { return Outbox(db, "KSK-T").find(item.id)->state == Delivery::Registered; }, 10s));
    std::lock_guard lock(m);
    ASSERT_EQ(heard.size(), 2u);  // said once when it broke, once when it worked again
    EXPECT_EQ(heard[1], "");
}

TEST_F(OutboxTest, RefusesADatabaseFromANewerKiosk) {
    { Outbox outbox(db, "KSK-T"); }
    sqlite3* raw = nullptr;
    sqlite3_open(db.c_str(), &raw);
    sqlite3_exec(raw, "PRAGMA user_version = 99", nullptr, nullptr, nullptr);
    sqlite3_close(raw);
    try {
        Outbox outbox(db, "KSK-T");
        FAIL() << "opened a newer schema";
    } catch (const OutboxError& e) {
        EXPECT_NE(std::string(e.what()).find("newer"), std::string::npos) << e.what();
    }
}

TEST_F(OutboxTest, WorkerDeliversWhenWoken) {
    DevRegister reg;
    DeliveryWorker worker(db, "KSK-T", endpoint(reg), kFast);
    Outbox outbox(db, "KSK-T");
    const auto item = outbox.enqueue(request(), WallClock::now());
    worker.wake();
    for (auto deadline = std::chrono::steady_clock::now() + 10s;
         std::chrono::steady_clock::now() < deadline &&
         outbox.find(item.id)->state != Delivery::Registered;)
        std::this_thread::sleep_for(20ms);
    EXPECT_EQ(outbox.find(item.id)->state, Delivery::Registered);
}

TEST_F(OutboxTest, MigratesAVersionOneDatabaseKeepingItsComplaints) {
    std::filesystem::create_directories(db.parent_path());
    sqlite3* raw = nullptr;
    sqlite3_open(db.c_str(), &raw);
    // The first schema as released, with one complaint waiting in it.
    sqlite3_exec(
        raw,
        "CREATE TABLE outbox (id INTEGER PRIMARY KEY, idempotency_key TEXT NOT NULL UNIQUE, state "
        "TEXT NOT NULL, "
        "payload TEXT, accepted_at INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, "
        "next_attempt_at INTEGER "
        "NOT NULL, last_error TEXT, registration_number TEXT, delivered_at INTEGER, talon_printed "
        "INTEGER NOT NULL "
        "DEFAULT 0, purged_at INTEGER);"
        "INSERT INTO outbox (idempotency_key, state, payload, accepted_at, next_attempt_at) "
        "VALUES ('k-1', 'queued', '{}', 0, 0);"
        "PRAGMA user_version = 1;",
        nullptr, nullptr, nullptr);
    sqlite3_close(raw);
    Outbox outbox(db, "KSK-T");
    const auto item = outbox.find(1);
    ASSERT_TRUE(item);
    EXPECT_EQ(item->idempotency_key, "k-1");
    EXPECT_TRUE(item->token.empty());
    outbox.pending(1, "tok-9", WallClock::now());
    EXPECT_EQ(outbox.find(1)->token, "tok-9");
}

// Schema 3 as released: a refused complaint was "failed"; it is held for staff now.
TEST_F(OutboxTest, MigratesSchemaThreeRefusedComplaintsToHeldForStaff) {
    {
        Outbox outbox(db, "KSK-T");
        outbox.enqueue(request("k-refused"), WallClock::now());
        outbox.enqueue(request("k-waiting"), WallClock::now());
    }
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(db.c_str(), &raw), SQLITE_OK);
    // Back to schema 3's table, as a kiosk of the last release left it.
    ASSERT_EQ(sqlite3_exec(raw,
                           "CREATE TABLE old AS SELECT id, idempotency_key, "
                           "CASE idempotency_key WHEN 'k-refused' THEN 'failed' ELSE state END "
                           "AS state, payload, accepted_at, attempts, next_attempt_at, "
                           "last_error, registration_number, delivered_at, talon_printed, "
                           "purged_at, token, talon, printing_since FROM outbox;"
                           "DROP TABLE outbox; ALTER TABLE old RENAME TO outbox;"
                           "PRAGMA user_version = 3;",
                           nullptr, nullptr, nullptr),
              SQLITE_OK)
        << sqlite3_errmsg(raw);
    sqlite3_close(raw);
    Outbox outbox(db, "KSK-T");
    const OutboxStats stats = outbox.stats();
    EXPECT_EQ(stats.needs_staff, 1);
    EXPECT_EQ(stats.queued, 1);
    EXPECT_EQ(outbox.requeue(WallClock::now()), 1);
    EXPECT_EQ(outbox.stats().queued, 2);
    EXPECT_FALSE(outbox.find(1)->maybe_filed);
}

// The reference on the description's last line: the local number and the key's start, so that
// a replaced outbox's new numbers never match an old complaint.
TEST_F(OutboxTest, EveryDescriptionEndsWithTheComplaintsReference) {
    Outbox outbox(db, "KSK-T");
    const auto item =
        outbox.enqueue(request("3f9a2c1b-aaaa-4bbb-8ccc-dddddddddddd"), WallClock::now());
    EXPECT_EQ(reference(item), "KSK-T-000001/3f9a2c1b");
    const auto sent = with_reference(request(), item);
    EXPECT_TRUE(sent.description.ends_with("\n\n№ KSK-T-000001/3f9a2c1b")) << sent.description;
}

TEST_F(OutboxTest, RetryAfterIsHonoured) {
    DevRegister reg({.faults = {"status=503,retry-after=30,count=1,path=requests.json"}});
    Outbox outbox(db, "KSK-T");
    const auto item = outbox.enqueue(request(), WallClock::now());
    std::mt19937_64 rng(7);
    deliver_due(outbox, endpoint(reg), {100ms, 10min}, rng);
    EXPECT_GE(outbox.find(item.id)->next_attempt_at, WallClock::now() + 29s);
}

class OutboxBadCertificates
    : public OutboxTest,
      public ::testing::WithParamInterface<DevRegisterOptions::Certificate> {};

TEST_P(OutboxBadCertificates, AreRefusedAndTheComplaintWaits) {
    DevRegister reg({.certificate = GetParam()});
    Outbox outbox(db, "KSK-T");
    const auto item = outbox.enqueue(request(), WallClock::now());
    std::mt19937_64 rng(7);
    EXPECT_EQ(deliver_due(outbox, endpoint(reg), {100ms, 1s}, rng), 0);
    const auto waiting = *outbox.find(item.id);
    EXPECT_EQ(waiting.state, Delivery::Queued);
    EXPECT_NE(waiting.last_error.find("certificate"), std::string::npos) << waiting.last_error;
    EXPECT_EQ(reg.rows("requests"), 0);  // refused at the handshake: nothing was sent
}

INSTANTIATE_TEST_SUITE_P(Register, OutboxBadCertificates,
                         ::testing::Values(DevRegisterOptions::Certificate::OtherCa,
                                           DevRegisterOptions::Certificate::Expired,
                                           DevRegisterOptions::Certificate::WrongHost));
