#pragma once
// SQLite persistence of the service requests (complaints) the register has accepted, the
// tokens it answered with instead of an id, and the kiosks' heartbeats.

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
