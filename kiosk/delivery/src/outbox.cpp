#include "kiosk/outbox.h"
#include "kiosk/journal.h"

#include <common/atomic_file.h>
#include <nlohmann/json.hpp>
#include <sqlite3.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <thread>

namespace kiosk {
namespace {

// Section: SQLite with errors as exceptions (messages name the step, never the data)

std::int64_t ms(WallClock::time_point t) {
    return std::chrono::duration_cast<Millis>(t.time_since_epoch()).count();
}
WallClock::time_point at(std::int64_t ms) { return WallClock::time_point(Millis(ms)); }

[[noreturn]] void fail(sqlite3* db, const char* step) {
    throw OutboxError(
        std::string("outbox: ") + step + ": " + (db ? sqlite3_errmsg(db) : "out of memory"),
        db ? sqlite3_errcode(db) & 0xff : SQLITE_NOMEM);
}

void exec(sqlite3* db, const char* sql) {
    if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) fail(db, sql);
}

// A new database's switch to WAL needs it alone, and SQLite refuses at once, without the busy
// timeout, one of two connections switching it at the same moment (the session and the worker
// on a kiosk's first start). Tried again for up to the busy timeout's five seconds.
void enter_wal(sqlite3* db) {
    constexpr const char* kSql = "PRAGMA journal_mode = WAL";
    for (int tries = 1; sqlite3_exec(db, kSql, nullptr, nullptr, nullptr) != SQLITE_OK; ++tries) {
        if ((sqlite3_errcode(db) & 0xff) != SQLITE_BUSY || tries == 500) fail(db, kSql);
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

struct Statement {
    sqlite3* db;
    sqlite3_stmt* st = nullptr;
    Statement(sqlite3* d, const char* sql) : db(d) {
        if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) != SQLITE_OK) fail(db, sql);
    }
    ~Statement() { sqlite3_finalize(st); }
    Statement& bind(int i, std::int64_t v) { return check(sqlite3_bind_int64(st, i, v)); }
    Statement& bind(int i, const std::string& v) {
        return check(
            sqlite3_bind_text(st, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
    }
    Statement& check(int rc) {
        if (rc != SQLITE_OK) fail(db, "bind");
        return *this;
    }
    bool row() {
        const int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) return true;
        if (rc != SQLITE_DONE) fail(db, "step");
        return false;
    }
    void run() { row(); }
    // Ends a read early: a transaction commits only once its statements are finished.
    void done() { sqlite3_reset(st); }
    std::int64_t integer(int col) const { return sqlite3_column_int64(st, col); }
    bool null(int col) const { return sqlite3_column_type(st, col) == SQLITE_NULL; }
    std::string text(int col) const {
        const auto* p = sqlite3_column_text(st, col);
        return p ? reinterpret_cast<const char*>(p) : "";
    }
};

// BEGIN IMMEDIATE takes the write lock up front, so two deliverers never take the same item.
struct Transaction {
    sqlite3* db;
    bool done = false;
    explicit Transaction(sqlite3* d) : db(d) { exec(db, "BEGIN IMMEDIATE"); }
    void commit() {
        exec(db, "COMMIT");
        done = true;
    }
    ~Transaction() {
        if (!done) sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    }
};

// Section: schema, versioned; each entry migrates from the version before it

constexpr const char* kMigrations[] = {
    // 0 -> 1
    "CREATE TABLE outbox ("
    "  id INTEGER PRIMARY KEY,"
    "  idempotency_key TEXT NOT NULL UNIQUE,"
    "  state TEXT NOT NULL CHECK (state IN ('queued','delivering','registered','failed')),"
    "  payload TEXT,"                  // the Open311 request as JSON; NULL once purged
    "  accepted_at INTEGER NOT NULL,"  // ms since the epoch
    "  attempts INTEGER NOT NULL DEFAULT 0,"
    "  next_attempt_at INTEGER NOT NULL,"
    "  last_error TEXT,"
    "  registration_number TEXT,"
    "  delivered_at INTEGER,"
    "  talon_printed INTEGER NOT NULL DEFAULT 0,"
    "  purged_at INTEGER);"
    "CREATE INDEX outbox_due ON outbox(state, next_attempt_at);"
    "CREATE INDEX outbox_number ON outbox(registration_number);",
    // 1 -> 2: Open311 registers may answer with a token and the number later
    "ALTER TABLE outbox ADD COLUMN token TEXT;",
    // 2 -> 3: the talon's file, deleted with the personal data, and a print a kill cut short
    "ALTER TABLE outbox ADD COLUMN talon TEXT;"
    "ALTER TABLE outbox ADD COLUMN printing_since INTEGER;",
    // 3 -> 4: "failed" becomes "needs_staff" (held, never lost: staff re-queue it), "delivered"
    // is taken without a number (a blackbox service), and maybe_filed asks for a search before
    // posting again. SQLite cannot change a CHECK, so the table is rebuilt.
    "CREATE TABLE outbox4 ("
    "  id INTEGER PRIMARY KEY,"
    "  idempotency_key TEXT NOT NULL UNIQUE,"
    "  state TEXT NOT NULL CHECK (state IN "
    "    ('queued','delivering','registered','delivered','needs_staff')),"
    "  payload TEXT, accepted_at INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,"
    "  next_attempt_at INTEGER NOT NULL, last_error TEXT, registration_number TEXT,"
    "  delivered_at INTEGER, talon_printed INTEGER NOT NULL DEFAULT 0, purged_at INTEGER,"
    "  token TEXT, talon TEXT, printing_since INTEGER,"
    "  maybe_filed INTEGER NOT NULL DEFAULT 0);"
    "INSERT INTO outbox4 (id, idempotency_key, state, payload, accepted_at, attempts,"
    "  next_attempt_at, last_error, registration_number, delivered_at, talon_printed, purged_at,"
    "  token, talon, printing_since)"
    "  SELECT id, idempotency_key, CASE state WHEN 'failed' THEN 'needs_staff' ELSE state END,"
    "  payload, accepted_at, attempts, next_attempt_at, last_error, registration_number,"
    "  delivered_at, talon_printed, purged_at, token, talon, printing_since FROM outbox;"
    "DROP TABLE outbox;"
    "ALTER TABLE outbox4 RENAME TO outbox;"
    "CREATE INDEX outbox_due ON outbox(state, next_attempt_at);"
    "CREATE INDEX outbox_number ON outbox(registration_number);",
};
static_assert(std::size(kMigrations) == Outbox::kSchemaVersion);

std::int64_t schema_version(sqlite3* db) {
    Statement v(db, "PRAGMA user_version");
    v.row();
    return v.integer(0);
}

// The usual open finds the schema current and writes nothing (the monitor opens the outbox
// every few seconds); only an older one takes the write lock, and looks again under it.
void migrate(sqlite3* db) {
    if (schema_version(db) == Outbox::kSchemaVersion) return;
    Transaction tx(db);
    const auto version = schema_version(db);
    if (version > Outbox::kSchemaVersion)
        throw OutboxError("outbox: database schema " + std::to_string(version) +
                          " is newer than this kiosk (" + std::to_string(Outbox::kSchemaVersion) +
                          ")");
    for (auto i = version; i < Outbox::kSchemaVersion; ++i) exec(db, kMigrations[i]);
    exec(db, ("PRAGMA user_version = " + std::to_string(Outbox::kSchemaVersion)).c_str());
    tx.commit();
}

// Section: the request as stored

nlohmann::json to_json(const net::ServiceRequest& r) {
    nlohmann::json attributes = nlohmann::json::array();
    for (const auto& a : r.attributes)
        attributes.push_back({{"code", a.code}, {"values", a.values}, {"multi", a.multi_value}});
    return {{"service_code", r.service_code},
            {"address_string", r.address_string},
            {"description", r.description},
            {"device_id", r.device_id},
            {"first_name", r.first_name},
            {"last_name", r.last_name},
            {"phone", r.phone},
            {"email", r.email},
            {"attributes", attributes}};
}

net::ServiceRequest from_json(const std::string& text, const std::string& key) {
    const auto j = nlohmann::json::parse(text);
    net::ServiceRequest r;
    r.service_code = j.at("service_code");
    r.address_string = j.at("address_string");
    r.description = j.at("description");
    r.device_id = j.at("device_id");
    r.first_name = j.at("first_name");
    r.last_name = j.at("last_name");
    r.phone = j.at("phone");
    r.email = j.at("email");
    for (const auto& a : j.at("attributes"))
        r.attributes.push_back(
            {a.at("code"), a.at("values").get<std::vector<std::string>>(), a.at("multi")});
    r.idempotency_key = key;
    return r;
}

constexpr Delivery kStates[] = {Delivery::Queued, Delivery::Delivering, Delivery::Registered,
                                Delivery::Delivered, Delivery::NeedsStaff};

Delivery delivery_from(const std::string& s) {
    for (Delivery d : kStates)
        if (delivery_name(d) == s) return d;
    return Delivery::Queued;
}

constexpr const char* kItemColumns =
    "id, idempotency_key, state, registration_number, last_error, attempts, accepted_at, "
    "next_attempt_at, delivered_at, talon_printed, purged_at, token, talon, printing_since, "
    "maybe_filed, payload IS NOT NULL";

std::string local_number(const std::string& kiosk_id, std::int64_t id) {
    char digits[24];
    std::snprintf(digits, sizeof digits, "%06lld", static_cast<long long>(id));
    return kiosk_id + "-" + digits;
}

OutboxItem item_from(const Statement& s, const std::string& kiosk_id) {
    OutboxItem it;
    it.id = s.integer(0);
    it.local_number = local_number(kiosk_id, it.id);
    it.idempotency_key = s.text(1);
    it.state = delivery_from(s.text(2));
    it.registration_number = s.text(3);
    it.last_error = s.text(4);
    it.attempts = static_cast<int>(s.integer(5));
    it.accepted_at = at(s.integer(6));
    it.next_attempt_at = at(s.integer(7));
    if (!s.null(8)) it.delivered_at = at(s.integer(8));
    it.talon_printed = s.integer(9) != 0;
    it.purged = !s.null(10);
    it.token = s.text(11);
    it.talon = s.text(12);
    if (!s.null(13)) it.printing_since = at(s.integer(13));
    it.maybe_filed = s.integer(14) != 0;
    it.has_request = s.integer(15) != 0;
    return it;
}

}  // namespace

std::string_view delivery_name(Delivery d) {
    switch (d) {
    case Delivery::Queued: return "queued";
    case Delivery::Delivering: return "delivering";
    case Delivery::Registered: return "registered";
    case Delivery::Delivered: return "delivered";
    case Delivery::NeedsStaff: return "needs_staff";
    }
    return "queued";
}

// Section: retry policy

Millis RetryPolicy::delay(int attempts, std::chrono::seconds retry_after,
                          std::mt19937_64& rng) const {
    const int doublings = std::clamp(attempts - 1, 0, 30);
    const Millis ceiling = std::min(max, Millis(first.count() << std::min(doublings, 20)));
    // "Equal jitter": half the delay is certain, the other half random.
    std::uniform_int_distribution<std::int64_t> half(0, ceiling.count() / 2);
    const Millis jittered(ceiling.count() / 2 + half(rng));
    return std::max<Millis>(jittered, std::min<Millis>(retry_after, max));
}

// Section: opening

namespace {

// The outbox holds personal data: 0600 whatever the umask. SQLite gives its -wal and -shm the
// database file's mode.
void create_private(const std::filesystem::path& file) {
    const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0 || ::fchmod(fd, 0600) != 0) {
        const int e = errno;
        if (fd >= 0) ::close(fd);
        throw OutboxError("outbox: cannot create " + file.string() + ": " + std::strerror(e),
                          e == ENOSPC ? SQLITE_FULL : SQLITE_CANTOPEN);
    }
    ::close(fd);
}

}  // namespace

bool OutboxError::unusable() const {
    switch (code) {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_ERROR:  // e.g. a schema newer than this kiosk, or a table that is not ours
        return true;
    default: return false;
    }
}

Outbox::Outbox(const std::filesystem::path& file, std::string kiosk_id)
    : kiosk_id_(std::move(kiosk_id)) {
    if (!file.parent_path().empty())
        if (const auto made = common::make_private_dir(file.parent_path()); !made.ok())
            throw OutboxError("outbox: " + made.message,
                              made.error == ENOSPC ? SQLITE_FULL : SQLITE_CANTOPEN);
    if (::access(file.c_str(), F_OK) != 0) create_private(file);
    if (sqlite3_open_v2(file.c_str(), &db_,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                        nullptr) != SQLITE_OK) {
        const std::string why = db_ ? sqlite3_errmsg(db_) : "out of memory";
        sqlite3_close(db_);
        throw OutboxError("outbox: cannot open " + file.string() + ": " + why, SQLITE_CANTOPEN);
    }
    try {
        sqlite3_busy_timeout(db_, 5000);
        enter_wal(db_);
        exec(db_, "PRAGMA synchronous = FULL");  // a commit is on disk before enqueue returns
        exec(db_, "PRAGMA secure_delete = ON");  // purged personal data is overwritten
        exec(db_, "PRAGMA foreign_keys = ON");
        migrate(db_);
    } catch (...) {
        sqlite3_close(db_);
        throw;
    }
}

Outbox::~Outbox() { sqlite3_close(db_); }

// Section: enqueue and look-up

OutboxItem Outbox::enqueue(const net::ServiceRequest& request, WallClock::time_point now) {
    if (request.idempotency_key.empty())
        throw OutboxError("outbox: a request without an idempotency key");
    Statement s(
        db_,
        "INSERT INTO outbox (idempotency_key, state, payload, accepted_at, next_attempt_at) "
        "VALUES (?1, 'queued', ?2, ?3, ?3) "
        "ON CONFLICT(idempotency_key) DO UPDATE SET idempotency_key = excluded.idempotency_key "
        "RETURNING id");
    s.bind(1, request.idempotency_key).bind(2, to_json(request).dump()).bind(3, ms(now));
    if (!s.row()) fail(db_, "enqueue");
    const auto id = s.integer(0);
    s.done();
    return *find(id);
}

std::optional<OutboxItem> Outbox::find(std::int64_t id) const {
    Statement s(db_,
                (std::string("SELECT ") + kItemColumns + " FROM outbox WHERE id = ?1").c_str());
    s.bind(1, id);
    if (!s.row()) return std::nullopt;
    return item_from(s, kiosk_id_);
}

std::optional<OutboxItem> Outbox::find_number(const std::string& number) const {
    const std::string prefix = kiosk_id_ + "-";
    if (number.size() > prefix.size() && number.compare(0, prefix.size(), prefix) == 0) {
        const std::string digits = number.substr(prefix.size());
        if (digits.size() <= 12 &&
            std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
            if (auto it = find(std::stoll(digits))) return it;
    }
    Statement s(
        db_, (std::string("SELECT ") + kItemColumns + " FROM outbox WHERE registration_number = ?1")
                 .c_str());
    s.bind(1, number);
    if (!s.row()) return std::nullopt;
    return item_from(s, kiosk_id_);
}

std::vector<OutboxItem> Outbox::recent(int limit) const {
    Statement s(
        db_,
        (std::string("SELECT ") + kItemColumns + " FROM outbox ORDER BY id DESC LIMIT ?1").c_str());
    s.bind(1, limit);
    std::vector<OutboxItem> out;
    while (s.row()) out.push_back(item_from(s, kiosk_id_));
    return out;
}

OutboxStats Outbox::stats() const {
    OutboxStats out;
    Statement s(db_, "SELECT state, count(*) FROM outbox GROUP BY state");
    while (s.row()) {
        const auto n = static_cast<int>(s.integer(1));
        switch (delivery_from(s.text(0))) {
        case Delivery::Queued: out.queued = n; break;
        case Delivery::Delivering: out.delivering = n; break;
        case Delivery::Registered: out.registered = n; break;
        case Delivery::Delivered: out.delivered = n; break;
        case Delivery::NeedsStaff: out.needs_staff = n; break;
        }
    }
    Statement held(db_,
                   "SELECT last_error FROM outbox WHERE state = 'needs_staff' ORDER BY id DESC "
                   "LIMIT 1");
    if (held.row()) out.needs_staff_reason = held.text(0);
    Statement oldest(db_,
                     "SELECT min(accepted_at) FROM outbox WHERE state IN ('queued','delivering')");
    if (oldest.row() && !oldest.null(0)) out.oldest_undelivered = at(oldest.integer(0));
    return out;
}

// Section: delivery

std::optional<std::pair<OutboxItem, net::ServiceRequest>> Outbox::take_due(
    WallClock::time_point now) {
    Transaction tx(db_);
    Statement s(
        db_,
        (std::string("SELECT ") + kItemColumns +
         ", payload FROM outbox "
         "WHERE state = 'queued' AND next_attempt_at <= ?1 ORDER BY next_attempt_at, id LIMIT 1")
            .c_str());
    s.bind(1, ms(now));
    if (!s.row()) return std::nullopt;
    OutboxItem item = item_from(s, kiosk_id_);
    const std::string payload = s.text(16);
    s.done();
    net::ServiceRequest request;
    try {
        request = from_json(payload, item.idempotency_key);
    } catch (const nlohmann::json::exception&) {
        Statement bad(db_,
                      "UPDATE outbox SET state = 'needs_staff', last_error = 'stored request "
                      "unreadable' WHERE id = ?1");
        bad.bind(1, item.id).run();
        tx.commit();
        return std::nullopt;
    }
    Statement mark(db_,
                   "UPDATE outbox SET state = 'delivering', attempts = attempts + 1 WHERE id = ?1");
    mark.bind(1, item.id).run();
    tx.commit();
    item.state = Delivery::Delivering;
    ++item.attempts;
    return std::pair{std::move(item), std::move(request)};
}

void Outbox::registered(std::int64_t id, const std::string& number, WallClock::time_point now) {
    Statement s(
        db_,
        "UPDATE outbox SET state = 'registered', registration_number = ?2, delivered_at = ?3, "
        "last_error = NULL, token = NULL WHERE id = ?1");
    s.bind(1, id).bind(2, number).bind(3, ms(now)).run();
}

void Outbox::delivered(std::int64_t id, WallClock::time_point now) {
    Statement s(db_,
                "UPDATE outbox SET state = 'delivered', delivered_at = ?2, last_error = NULL, "
                "token = NULL WHERE id = ?1");
    s.bind(1, id).bind(2, ms(now)).run();
}

void Outbox::retry_at(std::int64_t id, WallClock::time_point when, const std::string& error,
                      bool maybe_filed) {
    Statement s(db_,
                "UPDATE outbox SET state = 'queued', next_attempt_at = ?2, last_error = ?3, "
                "maybe_filed = max(maybe_filed, ?4) WHERE id = ?1");
    s.bind(1, id).bind(2, ms(when)).bind(3, error).bind(4, maybe_filed ? 1 : 0).run();
}

void Outbox::pending(std::int64_t id, const std::string& token, WallClock::time_point when) {
    Statement s(db_,
                "UPDATE outbox SET state = 'queued', token = ?2, next_attempt_at = ?3, last_error "
                "= NULL WHERE id = ?1");
    s.bind(1, id).bind(2, token).bind(3, ms(when)).run();
}

void Outbox::needs_staff(std::int64_t id, const std::string& reason) {
    Statement s(db_, "UPDATE outbox SET state = 'needs_staff', last_error = ?2 WHERE id = ?1");
    s.bind(1, id).bind(2, reason).run();
}

int Outbox::requeue(WallClock::time_point now) {
    // A request wiped by an older kiosk (which purged refused complaints) cannot be sent again.
    Statement s(db_,
                "UPDATE outbox SET state = 'queued', next_attempt_at = ?1 "
                "WHERE state = 'needs_staff' AND payload IS NOT NULL");
    s.bind(1, ms(now)).run();
    return sqlite3_changes(db_);
}

void Outbox::due_now(WallClock::time_point now) {
    Statement s(db_,
                "UPDATE outbox SET next_attempt_at = ?1 "
                "WHERE state = 'queued' AND next_attempt_at > ?1 AND maybe_filed = 0");
    s.bind(1, ms(now)).run();
}

std::optional<WallClock::time_point> Outbox::next_due() const {
    Statement s(db_, "SELECT min(next_attempt_at) FROM outbox WHERE state = 'queued'");
    if (!s.row() || s.null(0)) return std::nullopt;
    return at(s.integer(0));
}

int Outbox::recover() {
    // A kill may have come after the register filed it and before its answer was recorded:
    // searched for before it is posted again.
    exec(db_, "UPDATE outbox SET state = 'queued', maybe_filed = 1 WHERE state = 'delivering'");
    return sqlite3_changes(db_);
}

// Section: the talon

void Outbox::printing(std::int64_t id, const std::filesystem::path& talon,
                      WallClock::time_point now) {
    Statement s(db_, "UPDATE outbox SET talon = ?2, printing_since = ?3 WHERE id = ?1");
    s.bind(1, id).bind(2, talon.string()).bind(3, ms(now)).run();
}

void Outbox::print_ended(std::int64_t id, bool printed) {
    Statement s(db_,
                "UPDATE outbox SET printing_since = NULL, talon_printed = max(talon_printed, ?2) "
                "WHERE id = ?1");
    s.bind(1, id).bind(2, printed ? 1 : 0).run();
}

void Outbox::reprinted(const std::filesystem::path& talon) {
    Statement s(db_, "UPDATE outbox SET talon_printed = 1, printing_since = NULL WHERE talon = ?1");
    s.bind(1, talon.string()).run();
}

std::vector<OutboxItem> Outbox::interrupted_talons() const {
    Statement s(db_, (std::string("SELECT ") + kItemColumns +
                      " FROM outbox WHERE printing_since IS NOT NULL AND purged_at IS NULL "
                      "ORDER BY id")
                         .c_str());
    std::vector<OutboxItem> out;
    while (s.row()) out.push_back(item_from(s, kiosk_id_));
    return out;
}

// Section: personal data

namespace {

// A file that is already gone is as good as deleted.
bool delete_talon(const std::filesystem::path& file) {
    if (::unlink(file.c_str()) == 0 || errno == ENOENT) return true;
    log(Priority::Error, "purge", "talon %s not deleted: %s", file.filename().c_str(),
        std::strerror(errno));
    return false;
}

bool is_talon_file(const std::filesystem::directory_entry& e) {
    const std::string name = e.path().filename().string();
    return e.is_regular_file() && name.rfind("talon-", 0) == 0 && e.path().extension() == ".pdf";
}

}  // namespace

PurgeReport Outbox::purge(WallClock::time_point now, const PersonalDataPolicy& policy) {
    PurgeReport report;
    // Delivered (with a number or without), and either printed and past after_printed, or past
    // the reprint window whatever became of the talon. A complaint still waiting for the
    // register, or held for staff, keeps all.
    constexpr const char* kMayGo =
        "state IN ('registered','delivered') AND purged_at IS NULL AND "
        "((talon_printed = 1 AND coalesce(delivered_at, accepted_at) <= ?1) OR accepted_at <= ?2)";
    // Rows whose data go now, and rows wiped earlier whose talon could not be deleted then.
    struct Going {
        std::int64_t id;
        std::string talon;
        bool wiped_before;
    };
    std::vector<Going> going;
    {
        Statement s(db_,
                    (std::string("SELECT id, talon, purged_at IS NOT NULL FROM outbox WHERE (") +
                     kMayGo + ") OR (purged_at IS NOT NULL AND talon IS NOT NULL)")
                        .c_str());
        s.bind(1, ms(now - policy.after_printed)).bind(2, ms(now - policy.reprint_window));
        while (s.row()) going.push_back({s.integer(0), s.text(1), s.integer(2) != 0});
    }
    if (!going.empty()) {
        Transaction tx(db_);
        for (const Going& g : going) {
            // The talon's name is forgotten only once its file is gone: a failed delete is
            // retried on the next pass.
            const bool deleted = g.talon.empty() || delete_talon(g.talon);
            Statement s(db_,
                        "UPDATE outbox SET payload = NULL, purged_at = coalesce(purged_at, ?2), "
                        "talon = CASE WHEN ?3 THEN NULL ELSE talon END WHERE id = ?1");
            s.bind(1, g.id).bind(2, ms(now)).bind(3, deleted ? 1 : 0).run();
            if (!g.wiped_before) ++report.complaints;
            if (deleted && !g.talon.empty()) ++report.talons;
        }
        tx.commit();
    }
    report.talons += sweep_spool(policy);
    // Old page images in the WAL would still hold the text until the next checkpoint.
    if (report.complaints > 0) report.checkpointed = checkpoint();
    return report;
}

int Outbox::sweep_spool(const PersonalDataPolicy& policy) {
    if (policy.spool_dir.empty()) return 0;
    std::vector<std::string> kept;  // talons of complaints that keep their personal data
    Statement s(db_, "SELECT talon FROM outbox WHERE talon IS NOT NULL AND purged_at IS NULL");
    while (s.row()) kept.push_back(s.text(0));
    int deleted = 0;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(policy.spool_dir, ec)) {
        if (!is_talon_file(e) ||
            std::find(kept.begin(), kept.end(), e.path().string()) != kept.end())
            continue;
        const auto written = std::filesystem::last_write_time(e.path(), ec);
        if (ec) continue;
        const auto age = std::filesystem::file_time_type::clock::now() - written;
        if (age > policy.reprint_window && delete_talon(e.path())) ++deleted;
    }
    return deleted;
}

bool Outbox::checkpoint() {
    int log_frames = 0, checkpointed = 0;
    const int rc = sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_TRUNCATE, &log_frames,
                                             &checkpointed);
    if (rc == SQLITE_OK) return true;
    if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED) fail(db_, "checkpoint");
    return false;
}

void Outbox::check() const {
    Statement s(db_, "PRAGMA quick_check(1)");
    if (!s.row()) fail(db_, "quick_check");
    if (const std::string verdict = s.text(0); verdict != "ok")
        throw OutboxError("outbox: damaged: " + verdict, SQLITE_CORRUPT);
}

std::filesystem::path move_outbox_aside(const std::filesystem::path& db,
                                        WallClock::time_point now) {
    const std::filesystem::path aside =
        db.parent_path() / ("outbox.broken-" + local_time(now, "%Y%m%d-%H%M%S") + ".sqlite");
    if (::access(aside.c_str(), F_OK) == 0)
        throw OutboxError("outbox: " + aside.string() + " exists already", SQLITE_CANTOPEN);
    // The WAL and shared memory go with their database: they belong to it and to no other.
    for (const char* suffix : {"-wal", "-shm", ""}) {
        const std::string from = db.string() + suffix, to = aside.string() + suffix;
        if (::rename(from.c_str(), to.c_str()) != 0 && errno != ENOENT)
            throw OutboxError("outbox: cannot move " + from + " aside: " + std::strerror(errno),
                              SQLITE_CANTOPEN);
    }
    // The renames are durable only once the folder is: a power cut must not bring it back.
    if (const auto synced = common::sync_folder(db.parent_path()); !synced.ok())
        throw OutboxError("outbox: " + synced.message, SQLITE_IOERR);
    return aside;
}

// Section: the reference against doubles

std::string reference(const OutboxItem& item) {
    return item.local_number + "/" + item.idempotency_key.substr(0, 8);
}

net::ServiceRequest with_reference(net::ServiceRequest request, const OutboxItem& item) {
    if (!request.description.empty()) request.description += "\n\n";
    request.description += "№ " + reference(item);
    return request;
}

namespace {

// The reference as a whole word: "KSK-01-000042/3f9a2c1b" is not found in "...000042/3f9a2c1b7".
bool mentions(const std::string& text, const std::string& ref) {
    for (auto at = text.find(ref); at != std::string::npos; at = text.find(ref, at + 1)) {
        const std::size_t after = at + ref.size();
        const bool starts = at == 0 || !std::isalnum(static_cast<unsigned char>(text[at - 1]));
        const bool ends =
            after == text.size() || !std::isalnum(static_cast<unsigned char>(text[after]));
        if (starts && ends) return true;
    }
    return false;
}

// Before posting again what an unanswered attempt may have filed: the register's requests of
// the service around the acceptance, searched for the reference. Registered with the number
// when found; Rejected when it is not there or the register cannot search (posting is then
// the only way on, with the idempotency key for servers that keep it); Unreachable: ask later,
// post nothing.
net::SubmitResult find_filed(const net::RegisterEndpoint& endpoint, const OutboxItem& item,
                             const net::ServiceRequest& request) {
    // From acceptance to now, an hour either side for the clocks: a narrow window keeps a busy
    // service's answer under the servers' cap of 1,000 requests.
    using namespace std::chrono_literals;
    const net::SearchResult found = net::search_requests(
        endpoint, {request.service_code, item.accepted_at - 1h, WallClock::now() + 1h});
    net::SubmitResult out;
    out.outcome =
        found.outcome == net::Outcome::Registered ? net::Outcome::Rejected : found.outcome;
    out.http_status = found.http_status;
    out.error = found.error;
    out.retry_after = found.retry_after;
    for (const auto& r : found.requests)
        if (mentions(r.description, reference(item))) {
            out.outcome = net::Outcome::Registered;
            out.service_request_id = r.service_request_id;
        }
    if (out.outcome == net::Outcome::Unreachable) out.maybe_filed = true;
    return out;
}

// One attempt for one item: the token asked first, a search where an earlier attempt may have
// filed it, and only then a POST.
net::SubmitResult attempt(const net::RegisterEndpoint& endpoint, const OutboxItem& item,
                          const net::ServiceRequest& request) {
    bool search = item.maybe_filed;
    if (!item.token.empty()) {
        net::SubmitResult r = net::resolve_token(endpoint, item.token);
        // An unknown token: the register forgot it, or never filed what it stood for.
        if (r.outcome != net::Outcome::Rejected) return r;
        search = true;
    }
    if (search) {
        net::SubmitResult found = find_filed(endpoint, item, request);
        if (found.outcome != net::Outcome::Rejected) return found;
    }
    return net::submit_request(endpoint, with_reference(request, item));
}

}  // namespace

// Section: one delivery pass

int deliver_due(Outbox& outbox, const net::RegisterEndpoint& endpoint, const RetryPolicy& policy,
                std::mt19937_64& rng, DeliveryReport* report) {
    int delivered = 0;
    DeliveryReport ignored;
    DeliveryReport& seen = report ? *report : ignored;
    // Only what is due now: an item that fails in this pass waits for its backoff, not for
    // the end of the pass.
    const auto pass_started = WallClock::now();
    while (!endpoint.cancel.stop_requested()) {
        auto due = outbox.take_due(pass_started);
        if (!due) break;
        const auto& [item, request] = *due;
        const net::SubmitResult r = attempt(endpoint, item, request);
        if (endpoint.cancel.stop_requested() && r.outcome == net::Outcome::Unreachable) {
            // Cut short by shutdown: due again at once when the kiosk is back, same key.
            outbox.retry_at(item.id, pass_started, "interrupted by shutdown", r.maybe_filed);
            break;
        }
        const auto later = WallClock::now() + policy.delay(item.attempts, r.retry_after, rng);
        if (r.outcome == net::Outcome::Unreachable) {
            seen.unreachable_at = WallClock::now();
            seen.error = r.error;
        } else {
            seen.answered_at = WallClock::now();
        }
        switch (r.outcome) {
        case net::Outcome::Registered:
            outbox.registered(item.id, r.service_request_id, WallClock::now());
            ++delivered;
            ++seen.registered;
            break;
        case net::Outcome::Delivered:
            outbox.delivered(item.id, WallClock::now());
            ++delivered;
            ++seen.registered;
            break;
        case net::Outcome::Rejected:
            // The register's words may echo a value of the complaint: they stay in the outbox
            // and service mode, and the journal gets the status only.
            log(Priority::Error, "delivery", "%s needs staff: the register refused it (HTTP %ld)",
                item.local_number.c_str(), r.http_status);
            outbox.needs_staff(item.id, r.error);
            ++seen.refused;
            break;
        case net::Outcome::Pending:
            outbox.pending(item.id, r.token.empty() ? item.token : r.token, later);
            break;
        case net::Outcome::Unreachable:
            outbox.retry_at(
                item.id, r.maybe_filed ? std::max(later, WallClock::now() + policy.settle) : later,
                r.error, r.maybe_filed);
            break;
        }
    }
    return delivered;
}

// Section: the delivery worker

namespace {
constexpr auto kReopenEvery = std::chrono::seconds(30);
}

DeliveryWorker::DeliveryWorker(std::filesystem::path db, std::string kiosk_id,
                               net::RegisterEndpoint endpoint, RetryPolicy policy,
                               PersonalDataPolicy personal,
                               std::function<void(const DeliveryReport&)> on_pass,
                               std::function<void(const std::string&)> on_problem)
    : db_(std::move(db)),
      kiosk_id_(std::move(kiosk_id)),
      endpoint_(std::move(endpoint)),
      policy_(policy),
      personal_(std::move(personal)),
      on_pass_(std::move(on_pass)),
      on_problem_(std::move(on_problem)),
      rng_(std::random_device{}()) {
    endpoint_.cancel = stop_.get_token();
    thread_ = std::thread([this] { loop(); });
}

DeliveryWorker::~DeliveryWorker() {
    stop();
    thread_.join();
}

void DeliveryWorker::stop() {
    {
        std::lock_guard lock(mutex_);
        stop_.request_stop();
    }
    wakeup_.notify_all();
    replaced_.notify_all();
}

void DeliveryWorker::wake() {
    {
        std::lock_guard lock(mutex_);
        woken_ = true;
    }
    wakeup_.notify_all();
}

std::string DeliveryWorker::problem() const {
    std::lock_guard lock(mutex_);
    return problem_;
}

bool DeliveryWorker::opened() const {
    std::lock_guard lock(mutex_);
    return opened_;
}

std::filesystem::path DeliveryWorker::replace_broken_outbox() {
    std::unique_lock lock(mutex_);
    replace_asked_ = true;
    replaced_as_.reset();
    replace_error_.clear();
    woken_ = true;
    wakeup_.notify_all();
    replaced_.wait(lock, [this] { return !replace_asked_ || stop_.stop_requested(); });
    if (replace_asked_) throw OutboxError("outbox: the kiosk is stopping");
    if (!replaced_as_) throw OutboxError(replace_error_);
    return *replaced_as_;
}

void DeliveryWorker::set_problem(const std::string& why) {
    {
        std::lock_guard lock(mutex_);
        if (problem_ == why) return;
        problem_ = why;
    }
    // Said once when it starts and once when it ends, never on every pass.
    if (why.empty())
        log(Priority::Notice, "outbox", "outbox usable again");
    else
        log(Priority::Error, "outbox", "outbox unusable: %s", why.c_str());
    if (on_problem_) on_problem_(why);
}

// Opens and checks the outbox; a kill during delivery left items Delivering: their key makes
// sending them again safe.
bool DeliveryWorker::open() {
    try {
        outbox_.emplace(db_, kiosk_id_);
        outbox_->check();
        outbox_->recover();
        {
            std::lock_guard lock(mutex_);
            opened_ = true;
        }
        set_problem("");
        return true;
    } catch (const OutboxError& e) {
        outbox_.reset();
        if (!e.unusable()) {  // busy or locked by another connection: shortly again
            log(Priority::Warning, "outbox", "outbox: %s", e.what());
            return false;
        }
        {
            std::lock_guard lock(mutex_);
            opened_ = true;
        }
        set_problem(e.what());
        return false;
    }
}

void DeliveryWorker::pass() {
    DeliveryReport report;
    deliver_due(*outbox_, endpoint_, policy_, rng_, &report);
    if (on_pass_ && (report.answered_at || report.unreachable_at)) on_pass_(report);
    if (stop_.stop_requested()) return;
    const PurgeReport purged = outbox_->purge(WallClock::now(), personal_);
    if (purged.complaints || purged.talons)
        log(Priority::Info, "purge", "personal data wiped: %d complaints, %d talons",
            purged.complaints, purged.talons);
    // Wiped pages may still sit in the WAL while a reader holds it: checkpoint again later.
    if (purged.complaints)
        checkpoint_owed_ = !purged.checkpointed;
    else if (checkpoint_owed_)
        checkpoint_owed_ = !outbox_->checkpoint();
}

void DeliveryWorker::loop() {
    std::unique_lock lock(mutex_);
    while (!stop_.stop_requested()) {
        woken_ = false;
        const bool replace = replace_asked_;
        lock.unlock();
        std::optional<WallClock::time_point> next;
        if (replace) {
            std::optional<std::filesystem::path> moved;
            std::string error;
            outbox_.reset();
            try {
                moved = move_outbox_aside(db_, WallClock::now());
                log(Priority::Warning, "outbox", "outbox moved aside as %s by staff",
                    moved->filename().c_str());
            } catch (const OutboxError& e) {
                error = e.what();
            }
            open();
            lock.lock();
            replaced_as_ = moved;
            replace_error_ = error;
            replace_asked_ = false;
            replaced_.notify_all();
            lock.unlock();
        }
        if (outbox_ || open()) {
            try {
                pass();
                next = outbox_->next_due();
                if (checkpoint_owed_)
                    next = std::min(next.value_or(WallClock::time_point::max()),
                                    WallClock::now() + policy_.first);
            } catch (const OutboxError& e) {
                if (e.unusable()) {
                    outbox_.reset();
                    set_problem(e.what());
                } else {
                    // Busy or locked: say so and try again shortly.
                    log(Priority::Error, "delivery", "delivery: %s", e.what());
                }
                next = WallClock::now() + policy_.first;
            } catch (const std::exception& e) {
                log(Priority::Error, "delivery", "delivery: %s", e.what());
                next = WallClock::now() + policy_.first;
            }
        }
        if (!outbox_) next = WallClock::now() + (opened() ? kReopenEvery : policy_.first);
        lock.lock();
        const auto until = next ? std::min(*next, WallClock::now() + std::chrono::minutes(1))
                                : WallClock::now() + std::chrono::minutes(1);
        wakeup_.wait_until(lock, until,
                           [this] { return stop_.stop_requested() || woken_ || replace_asked_; });
    }
}

}  // namespace kiosk
