#include "store.h"

#include "datetime.h"

#include <cstdio>
#include <random>
#include <stdexcept>

#include <sqlite3.h>

namespace dev_register {

// Section: SQLite helpers

namespace {

// 2: tokens and heartbeats; 3: every POST field, search; 4: commands, diagnostics
constexpr int kSchemaVersion = 4;

[[noreturn]] void fail(sqlite3* db, const std::string& what) {
    throw std::runtime_error(what + ": " + sqlite3_errmsg(db));
}

void exec(sqlite3* db, const char* sql) {
    if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) fail(db, sql);
}

class Statement {
public:
    Statement(sqlite3* db, const char* sql) : db_(db) {
        if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) fail(db, sql);
    }
    ~Statement() { sqlite3_finalize(stmt_); }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    Statement& bind(int index, const std::optional<std::string>& text) {
        const int rc = text ? sqlite3_bind_text(stmt_, index, text->data(),
                                                static_cast<int>(text->size()), SQLITE_TRANSIENT)
                            : sqlite3_bind_null(stmt_, index);
        if (rc != SQLITE_OK) fail(db_, "bind");
        return *this;
    }
    Statement& bind(int index, long long value) {
        if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK) fail(db_, "bind");
        return *this;
    }
    // True while there is a row to read.
    bool step() {
        const int rc = sqlite3_step(stmt_);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE) fail(db_, sqlite3_sql(stmt_));
        return rc == SQLITE_ROW;
    }
    std::optional<std::string> text(int column) {
        const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
        if (!data) return std::nullopt;
        return std::string(data, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
    }
    long long integer(int column) { return sqlite3_column_int64(stmt_, column); }

private:
    sqlite3* db_;
    sqlite3_stmt* stmt_ = nullptr;
};

long long user_version(sqlite3* db) {
    Statement select(db, "PRAGMA user_version");
    select.step();
    return select.integer(0);
}

// Readers (tests, tools) then never block the register, nor it them.
void enable_wal(sqlite3* db) {
    Statement mode(db, "PRAGMA journal_mode = WAL");
    if (!mode.step() || mode.text(0) != "wal")
        throw std::runtime_error("cannot switch the database to WAL mode");
}

// Rolls back unless committed, so a failed submission leaves no partial row.
class Transaction {
public:
    explicit Transaction(sqlite3* db) : db_(db) { exec(db_, "BEGIN IMMEDIATE"); }
    ~Transaction() {
        if (!committed_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    }
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    void commit() {
        exec(db_, "COMMIT");
        committed_ = true;
    }

private:
    sqlite3* db_;
    bool committed_ = false;
};

}  // namespace

// Section: schema

RequestStore::RequestStore(const std::string& path, std::string number_prefix)
    : number_prefix_(std::move(number_prefix)) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
        SQLITE_OK) {
        const std::string reason = db_ ? sqlite3_errmsg(db_) : "out of memory";
        sqlite3_close(db_);
        throw std::runtime_error(path + ": " + reason);
    }
    try {
        sqlite3_busy_timeout(db_, 5000);
        enable_wal(db_);
        create_schema();
    } catch (const std::runtime_error& e) {
        sqlite3_close(db_);
        throw std::runtime_error(path + ": " + e.what());
    }
}

RequestStore::~RequestStore() { sqlite3_close(db_); }

void RequestStore::create_schema() {
    Transaction transaction(db_);
    const long long found = user_version(db_);
    if (found == kSchemaVersion) return;
    if (found < 0 || found > kSchemaVersion)
        throw std::runtime_error("schema version " + std::to_string(found) +
                                 " is not supported (expected " + std::to_string(kSchemaVersion) +
                                 ")");
    if (found < 1) {
        exec(db_, R"(CREATE TABLE requests(
            id INTEGER PRIMARY KEY,
            service_request_id TEXT UNIQUE NOT NULL,
            idempotency_key TEXT UNIQUE,
            service_code TEXT NOT NULL,
            device_id TEXT,
            address_string TEXT,
            description TEXT,
            first_name TEXT,
            last_name TEXT,
            phone TEXT,
            email TEXT,
            attributes TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'open',
            status_notes TEXT,
            requested_datetime TEXT NOT NULL,
            updated_datetime TEXT NOT NULL,
            expected_datetime TEXT))");
    }
    if (found < 2) {
        exec(db_, R"(CREATE TABLE tokens(
            token TEXT PRIMARY KEY,
            service_request_id TEXT NOT NULL,
            polls_left INTEGER NOT NULL))");
        exec(db_, R"(CREATE TABLE heartbeats(
            id INTEGER PRIMARY KEY,
            kiosk_id TEXT NOT NULL,
            received_at TEXT NOT NULL,
            body TEXT NOT NULL,
            idempotency_key TEXT UNIQUE))");
    }
    if (found < 3) {
        for (const char* column :
             {"jurisdiction_id TEXT", "account_id TEXT", "address_id TEXT", "lat TEXT", "long TEXT",
              "media_url TEXT", "requested_at INTEGER"})
            exec(db_, (std::string("ALTER TABLE requests ADD COLUMN ") + column).c_str());
        // Earlier rows have only the text; SQLite reads its offset.
        exec(db_,
             "UPDATE requests SET requested_at = CAST(strftime('%s', requested_datetime) "
             "AS INTEGER)");
        exec(db_, "CREATE INDEX requests_by_time ON requests(requested_at)");
    }
    if (found < 4) {
        // expires: expires_at as seconds since the epoch, for comparisons in SQL.
        exec(db_, R"(CREATE TABLE commands(
            id INTEGER PRIMARY KEY,
            kiosk_id TEXT NOT NULL,
            command_id TEXT NOT NULL,
            payload TEXT NOT NULL,
            signature TEXT NOT NULL,
            name TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            expires INTEGER NOT NULL,
            queued_at TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'queued',
            handed_at TEXT,
            reason TEXT,
            result_at TEXT,
            UNIQUE(kiosk_id, command_id)))");
        exec(db_, R"(CREATE TABLE diagnostics(
            kiosk_id TEXT NOT NULL,
            command_id TEXT NOT NULL,
            received_at TEXT NOT NULL,
            body TEXT NOT NULL,
            PRIMARY KEY(kiosk_id, command_id)))");
        // The fleet view asks for each kiosk's latest heartbeat.
        exec(db_, "CREATE INDEX heartbeats_by_kiosk ON heartbeats(kiosk_id, id)");
    }
    exec(db_, ("PRAGMA user_version = " + std::to_string(kSchemaVersion)).c_str());
    transaction.commit();
}

// Section: requests

std::string RequestStore::submit(const NewRequest& request) {
    std::lock_guard lock(mutex_);
    Transaction transaction(db_);
    if (request.idempotency_key) {
        if (auto earlier = number_for_idempotency_key(*request.idempotency_key)) return *earlier;
    }
    const long long id = next_id();
    std::string number = number_for(id, request.requested_datetime);

    Statement insert(db_, R"(INSERT INTO requests(
        id, service_request_id, idempotency_key, service_code, device_id, address_string,
        description, first_name, last_name, phone, email, attributes,
        requested_datetime, updated_datetime, expected_datetime, jurisdiction_id, account_id,
        address_id, lat, long, media_url, requested_at)
        VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13, ?14, ?15, ?16, ?17,
               ?18, ?19, ?20, ?21))");
    insert.bind(1, id).bind(2, number).bind(3, request.idempotency_key);
    insert.bind(4, request.service_code).bind(5, request.device_id);
    insert.bind(6, request.address_string).bind(7, request.description);
    insert.bind(8, request.first_name).bind(9, request.last_name);
    insert.bind(10, request.phone).bind(11, request.email).bind(12, request.attributes_json);
    insert.bind(13, request.requested_datetime).bind(14, request.expected_datetime);
    insert.bind(15, request.jurisdiction_id).bind(16, request.account_id);
    insert.bind(17, request.address_id).bind(18, request.lat).bind(19, request.lon);
    insert.bind(20, request.media_url).bind(21, static_cast<long long>(request.requested_at));
    insert.step();
    transaction.commit();
    return number;
}

std::optional<std::string> RequestStore::number_for_idempotency_key(const std::string& key) {
    Statement select(db_, "SELECT service_request_id FROM requests WHERE idempotency_key = ?1");
    select.bind(1, key);
    if (!select.step()) return std::nullopt;
    return select.text(0);
}

// The sequence in the number is the row id, so it is chosen before the insert.
long long RequestStore::next_id() {
    Statement select(db_, "SELECT COALESCE(MAX(id), 0) + 1 FROM requests");
    select.step();
    return select.integer(0);
}

std::string RequestStore::number_for(long long id, const std::string& requested_datetime) const {
    if (number_prefix_.empty()) return std::to_string(id);
    char sequence[24];
    std::snprintf(sequence, sizeof sequence, "%08lld", id);
    return number_prefix_ + "-" + requested_datetime.substr(0, 4) + "-" + sequence;
}

std::optional<RequestStatus> RequestStore::find(const std::string& service_request_id) {
    auto found = search({.ids = {service_request_id}});
    if (found.empty()) return std::nullopt;
    return std::move(found.front());
}

namespace {

// "column IN (?N, ?N+1, ...)" for the values, bound from `next` on.
std::string in_list(const char* column, const std::vector<std::string>& values, int& next) {
    std::string sql = std::string(column) + " IN (";
    for (std::size_t i = 0; i < values.size(); ++i)
        sql += (i ? ", ?" : "?") + std::to_string(next++);
    return sql + ")";
}

}  // namespace

std::vector<RequestStatus> RequestStore::search(const RequestFilter& filter) {
    std::string sql = R"(SELECT service_request_id, status, service_code, requested_datetime,
        updated_datetime, status_notes, description, address_string, expected_datetime,
        address_id, lat, long, media_url FROM requests WHERE )";
    std::vector<std::string> texts;
    int next = 1;
    if (!filter.ids.empty()) {
        sql += in_list("service_request_id", filter.ids, next);
        texts = filter.ids;
    } else {
        sql += "requested_at BETWEEN ?1 AND ?2";
        next = 3;
        const auto any_of = [&](const char* column, const std::vector<std::string>& values) {
            if (values.empty()) return;
            sql += " AND " + in_list(column, values, next);
            texts.insert(texts.end(), values.begin(), values.end());
        };
        any_of("service_code", filter.service_codes);
        any_of("status", filter.statuses);
    }
    sql += " ORDER BY requested_at DESC, id DESC LIMIT " + std::to_string(filter.limit);

    std::lock_guard lock(mutex_);
    Statement select(db_, sql.c_str());
    int index = 1;
    if (filter.ids.empty()) {
        select.bind(index++, static_cast<long long>(filter.from));
        select.bind(index++, static_cast<long long>(filter.to));
    }
    for (const auto& text : texts) select.bind(index++, text);
    std::vector<RequestStatus> found;
    while (select.step())
        found.push_back({*select.text(0), *select.text(1), *select.text(2), *select.text(3),
                         *select.text(4), select.text(5), select.text(6), select.text(7),
                         select.text(8), select.text(9), select.text(10), select.text(11),
                         select.text(12)});
    return found;
}

// Section: tokens

namespace {

// 128 random bits as hex: not guessable, safe in a URL.
std::string random_token() {
    std::random_device random;  // /dev/urandom on Linux
    static constexpr char kHex[] = "0123456789abcdef";
    std::string token;
    for (int i = 0; i < 16; ++i) {
        const auto byte = static_cast<unsigned char>(random());
        token += kHex[byte >> 4];
        token += kHex[byte & 0xF];
    }
    return token;
}

}  // namespace

std::string RequestStore::issue_token(const std::string& service_request_id, int polls) {
    std::lock_guard lock(mutex_);
    std::string token = random_token();
    Statement insert(
        db_, "INSERT INTO tokens(token, service_request_id, polls_left) VALUES(?1, ?2, ?3)");
    insert.bind(1, token).bind(2, service_request_id).bind(3, static_cast<long long>(polls));
    insert.step();
    return token;
}

TokenLookup RequestStore::resolve_token(const std::string& token) {
    std::lock_guard lock(mutex_);
    Transaction transaction(db_);
    Statement select(db_, "SELECT service_request_id, polls_left FROM tokens WHERE token = ?1");
    select.bind(1, token);
    if (!select.step()) return {};
    if (select.integer(1) <= 0) return {true, select.text(0)};
    Statement count_down(db_, "UPDATE tokens SET polls_left = polls_left - 1 WHERE token = ?1");
    count_down.bind(1, token).step();
    transaction.commit();
    return {true, std::nullopt};
}

// Section: heartbeats

std::string RequestStore::add_heartbeat(const Heartbeat& heartbeat) {
    std::lock_guard lock(mutex_);
    Transaction transaction(db_);
    if (heartbeat.idempotency_key) {
        Statement earlier(db_, "SELECT received_at FROM heartbeats WHERE idempotency_key = ?1");
        earlier.bind(1, heartbeat.idempotency_key);
        if (earlier.step()) return *earlier.text(0);
    }
    Statement insert(db_, R"(INSERT INTO heartbeats(kiosk_id, received_at, body, idempotency_key)
        VALUES(?1, ?2, ?3, ?4))");
    insert.bind(1, heartbeat.kiosk_id).bind(2, heartbeat.received_at);
    insert.bind(3, heartbeat.body).bind(4, heartbeat.idempotency_key);
    insert.step();
    transaction.commit();
    return heartbeat.received_at;
}

std::vector<KnownKiosk> RequestStore::kiosks() {
    std::lock_guard lock(mutex_);
    Statement select(db_, R"(SELECT kiosk_id,
        (SELECT received_at FROM heartbeats h WHERE h.kiosk_id = k.kiosk_id
         ORDER BY id DESC LIMIT 1),
        (SELECT COUNT(*) FROM heartbeats h WHERE h.kiosk_id = k.kiosk_id),
        (SELECT COUNT(*) FROM commands c WHERE c.kiosk_id = k.kiosk_id
         AND state IN ('queued', 'handed') AND expires > ?1)
        FROM (SELECT kiosk_id FROM heartbeats UNION SELECT kiosk_id FROM commands) k
        ORDER BY kiosk_id)");
    select.bind(1, static_cast<long long>(std::time(nullptr)));
    std::vector<KnownKiosk> found;
    while (select.step())
        found.push_back({*select.text(0), select.text(1), select.integer(2), select.integer(3)});
    return found;
}

// Section: commands

namespace {

constexpr const char* kCommandColumns =
    "kiosk_id, command_id, payload, signature, name, expires_at, queued_at, state, handed_at, "
    "reason, result_at";

CommandRow command_row(Statement& select) {
    return {*select.text(0), *select.text(1), *select.text(2), *select.text(3),
            *select.text(4), *select.text(5), *select.text(6), *select.text(7),
            select.text(8),  select.text(9),  select.text(10)};
}

}  // namespace

QueueOutcome RequestStore::queue_command(const NewCommand& command, const std::string& queued_at,
                                         long long max_pending, std::time_t now) {
    std::lock_guard lock(mutex_);
    Transaction transaction(db_);
    Statement taken(db_, "SELECT 1 FROM commands WHERE kiosk_id = ?1 AND command_id = ?2");
    taken.bind(1, command.kiosk_id).bind(2, command.command_id);
    if (taken.step()) return QueueOutcome::Duplicate;
    Statement pending(db_, R"(SELECT COUNT(*) FROM commands
        WHERE kiosk_id = ?1 AND state IN ('queued', 'handed') AND expires > ?2)");
    pending.bind(1, command.kiosk_id).bind(2, static_cast<long long>(now));
    pending.step();
    if (pending.integer(0) >= max_pending) return QueueOutcome::TooMany;
    Statement insert(db_, R"(INSERT INTO commands(kiosk_id, command_id, payload, signature, name,
        expires_at, expires, queued_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8))");
    insert.bind(1, command.kiosk_id).bind(2, command.command_id).bind(3, command.payload);
    insert.bind(4, command.signature).bind(5, command.name).bind(6, command.expires_at);
    insert.bind(7, static_cast<long long>(command.expires)).bind(8, queued_at);
    insert.step();
    transaction.commit();
    return QueueOutcome::Queued;
}

std::optional<CommandRow> RequestStore::command(const std::string& kiosk_id,
                                                const std::string& command_id) {
    std::lock_guard lock(mutex_);
    Statement select(db_, (std::string("SELECT ") + kCommandColumns +
                           " FROM commands WHERE kiosk_id = ?1 AND command_id = ?2")
                              .c_str());
    select.bind(1, kiosk_id).bind(2, command_id);
    if (!select.step()) return std::nullopt;
    return command_row(select);
}

std::vector<CommandRow> RequestStore::commands(const std::string& kiosk_id) {
    std::lock_guard lock(mutex_);
    Statement select(db_, (std::string("SELECT ") + kCommandColumns +
                           " FROM commands WHERE ?1 = '' OR kiosk_id = ?1 ORDER BY id")
                              .c_str());
    select.bind(1, kiosk_id);
    std::vector<CommandRow> found;
    while (select.step()) found.push_back(command_row(select));
    return found;
}

void RequestStore::record_results(const std::string& kiosk_id,
                                  const std::vector<CommandResult>& results) {
    std::lock_guard lock(mutex_);
    Transaction transaction(db_);
    const auto ran = [](const std::string& state) { return state == "done" || state == "failed"; };
    for (const auto& result : results) {
        Statement current(
            db_, "SELECT state, result_at FROM commands WHERE kiosk_id = ?1 AND command_id = ?2");
        current.bind(1, kiosk_id).bind(2, result.command_id);
        if (!current.step()) continue;
        const std::string state = current.text(0).value_or("");
        const auto recorded_at = parse_iso_datetime(current.text(1).value_or(""));
        const auto at = parse_iso_datetime(result.at);
        // A result closes a command still open. A later done or failed replaces one that ran: the
        // kiosk amends a reboot recorded as done when logind refused it after all. A refusal
        // never changes, and the same result re-reported changes nothing.
        const bool open = state == "queued" || state == "handed" || state == "expired";
        const bool amended =
            ran(state) && ran(result.result) && at && recorded_at && *at > *recorded_at;
        if (!open && !amended) continue;
        Statement update(db_, R"(UPDATE commands SET state = ?3, reason = ?4, result_at = ?5
            WHERE kiosk_id = ?1 AND command_id = ?2)");
        update.bind(1, kiosk_id).bind(2, result.command_id).bind(3, result.result);
        update.bind(4, result.reason).bind(5, result.at);
        update.step();
    }
    transaction.commit();
}

std::vector<CommandRow> RequestStore::hand_commands(const std::string& kiosk_id, std::time_t now,
                                                    const std::string& handed_at, int limit) {
    std::lock_guard lock(mutex_);
    Transaction transaction(db_);
    Statement expire(db_, R"(UPDATE commands SET state = 'expired'
        WHERE kiosk_id = ?1 AND state IN ('queued', 'handed') AND expires <= ?2)");
    expire.bind(1, kiosk_id).bind(2, static_cast<long long>(now)).step();
    Statement select(db_, (std::string("SELECT ") + kCommandColumns +
                           " FROM commands WHERE kiosk_id = ?1 AND state IN ('queued', 'handed')"
                           " ORDER BY handed_at IS NOT NULL, handed_at, id LIMIT ?2")
                              .c_str());
    select.bind(1, kiosk_id).bind(2, static_cast<long long>(limit));
    // Never handed first, then the longest unanswered: more than `limit` waiting all get out.
    std::vector<CommandRow> handed;
    while (select.step()) handed.push_back(command_row(select));
    for (auto& command : handed) {
        Statement mark(db_, R"(UPDATE commands SET state = 'handed', handed_at = ?3
            WHERE kiosk_id = ?1 AND command_id = ?2)");
        mark.bind(1, kiosk_id).bind(2, command.command_id).bind(3, handed_at).step();
        command.state = "handed";
        command.handed_at = handed_at;
    }
    transaction.commit();
    return handed;
}

// Section: diagnostics

void RequestStore::add_diagnostics(const std::string& kiosk_id, const std::string& command_id,
                                   const Diagnostics& diagnostics) {
    std::lock_guard lock(mutex_);
    Statement insert(db_, R"(INSERT OR REPLACE INTO diagnostics(kiosk_id, command_id, received_at,
        body) VALUES(?1, ?2, ?3, ?4))");
    insert.bind(1, kiosk_id).bind(2, command_id).bind(3, diagnostics.received_at);
    insert.bind(4, diagnostics.body).step();
}

std::optional<Diagnostics> RequestStore::diagnostics(const std::string& kiosk_id,
                                                     const std::string& command_id) {
    std::lock_guard lock(mutex_);
    Statement select(db_, R"(SELECT received_at, body FROM diagnostics
        WHERE kiosk_id = ?1 AND command_id = ?2)");
    select.bind(1, kiosk_id).bind(2, command_id);
    if (!select.step()) return std::nullopt;
    return Diagnostics{*select.text(0), *select.text(1)};
}

}  // namespace dev_register
