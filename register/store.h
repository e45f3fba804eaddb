#pragma once
// SQLite persistence of the service requests (complaints) the register has accepted, the
// tokens it answered with instead of an id, the kiosks' heartbeats, the operators' commands
// queued for them and the diagnostic bundles they uploaded.

#include <ctime>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

struct sqlite3;

namespace dev_register {

// A complaint as accepted from a kiosk; absent optional fields are stored as NULL.
struct NewRequest {
    std::optional<std::string> idempotency_key;
    std::string service_code;
    std::optional<std::string> jurisdiction_id, device_id, account_id;
    std::optional<std::string> address_string, address_id, lat, lon;  // lat and long as sent
    std::optional<std::string> description, media_url;
    std::optional<std::string> first_name, last_name, phone, email;
    std::string attributes_json;     // object: code -> string, or array of strings
    std::string requested_datetime;  // ISO 8601 with zone; its year goes into the number
    std::time_t requested_at = 0;    // the same instant, for searches by date
    std::string expected_datetime;
};

// What the register tells anyone who asks about a request.
struct RequestStatus {
    std::string service_request_id, status, service_code;
    std::string requested_datetime, updated_datetime;
    std::optional<std::string> status_notes, description, address_string, expected_datetime;
    std::optional<std::string> address_id, lat, lon, media_url;
};

// GET requests: which requests, newest first.
struct RequestFilter {
    std::vector<std::string> ids;  // when given, these requests only: the rest is not used
    std::vector<std::string> service_codes, statuses;  // empty: any
    std::time_t from = 0, to = 0;                      // requested within, both included
    int limit = 1000;
};

// What GET tokens/{token}.json finds.
struct TokenLookup {
    bool known = false;
    std::optional<std::string> service_request_id;  // once the token may give it
};

// A kiosk's POST kiosks/{id}/heartbeat.json; the body is a JSON object, stored as sent.
struct Heartbeat {
    std::string kiosk_id, received_at, body;
    std::optional<std::string> idempotency_key;
};

// An operator's signed command as queued for one kiosk: payload and signature as received,
// name and expiry read from the payload.
struct NewCommand {
    std::string kiosk_id, command_id, payload, signature, name, expires_at;
    std::time_t expires = 0;  // expires_at as a time
};

// A command as the register keeps it. state: queued, handed (in a heartbeat answer, no result
// yet), done, refused or failed (the kiosk's result), expired (no result before its expiry).
struct CommandRow {
    std::string kiosk_id, command_id, payload, signature, name, expires_at, queued_at, state;
    std::optional<std::string> handed_at, reason, result_at;
};

// What a kiosk's heartbeat says it did with a command.
struct CommandResult {
    std::string command_id, result, reason, at;  // result: done, refused or failed
};

enum class QueueOutcome { Queued, Duplicate, TooMany };

// A kiosk the register has heard from or holds commands for.
struct KnownKiosk {
    std::string kiosk_id;
    std::optional<std::string> last_heartbeat;  // received_at of the latest
    long long heartbeats = 0, pending_commands = 0;
};

struct Diagnostics {
    std::string received_at, body;
};

class RequestStore {
public:
    // Opens or creates the database; throws std::runtime_error naming the problem. Numbers are
    // PREFIX-YEAR-SEQUENCE (ЖТ-2026-00000042), or the plain sequence (42) when the prefix is
    // empty.
    RequestStore(const std::string& path, std::string number_prefix);
    ~RequestStore();
    RequestStore(const RequestStore&) = delete;
    RequestStore& operator=(const RequestStore&) = delete;

    // Stores the request and returns its service_request_id. A request whose idempotency
    // key was seen before gets the earlier number and adds no row.
    std::string submit(const NewRequest& request);
    std::optional<RequestStatus> find(const std::string& service_request_id);
    std::vector<RequestStatus> search(const RequestFilter& filter);

    // A new random token standing for a stored request; looking it up says "not yet" `polls`
    // times before it gives the number.
    std::string issue_token(const std::string& service_request_id, int polls);
    TokenLookup resolve_token(const std::string& token);

    // Stores a heartbeat and returns when it was received; one whose idempotency key was seen
    // before adds no row and returns the first one's time.
    std::string add_heartbeat(const Heartbeat& heartbeat);
    std::vector<KnownKiosk> kiosks();

    // Queues the command unless its id is already used for that kiosk or `max_pending`
    // unexpired commands are waiting for it at `now`.
    QueueOutcome queue_command(const NewCommand& command, const std::string& queued_at,
                               long long max_pending, std::time_t now);
    std::optional<CommandRow> command(const std::string& kiosk_id, const std::string& command_id);
    // Oldest first; every kiosk's when kiosk_id is empty.
    std::vector<CommandRow> commands(const std::string& kiosk_id);
    // Results for commands of this kiosk still waiting for one (queued, handed or expired), and
    // a later done or failed for one that ran (the kiosk's amendment); others, and unknown ids,
    // are ignored.
    void record_results(const std::string& kiosk_id, const std::vector<CommandResult>& results);
    // Marks the kiosk's commands past their expiry at `now` expired, then hands out (marks
    // handed) at most `limit` of those queued or handed: never handed first, oldest first, then
    // those handed longest ago.
    std::vector<CommandRow> hand_commands(const std::string& kiosk_id, std::time_t now,
                                          const std::string& handed_at, int limit);

    // A diagnostic bundle (JSON text) uploaded for a command; a second upload replaces it.
    void add_diagnostics(const std::string& kiosk_id, const std::string& command_id,
                         const Diagnostics& diagnostics);
    std::optional<Diagnostics> diagnostics(const std::string& kiosk_id,
                                           const std::string& command_id);

private:
    void create_schema();
    std::optional<std::string> number_for_idempotency_key(const std::string& key);
    long long next_id();
    std::string number_for(long long id, const std::string& requested_datetime) const;

    sqlite3* db_ = nullptr;
    std::string number_prefix_;
    std::mutex mutex_;  // one connection shared by all server threads
};

}  // namespace dev_register
