// net: the kiosk's side of the central register's protocol, Open311 GeoReport v2 (JSON) over
// HTTPS with libcurl. Knows nothing of complaints or the UI: it carries Open311 requests.
#pragma once
#include <chrono>
#include <stop_token>
#include <string>
#include <vector>

namespace net {

// Where the register is and how the kiosk proves who it is.
struct RegisterEndpoint {
    std::string base_url;     // "https://register.example.kz/open311/v2/", ends in '/'
    std::string ca_file;      // PEM: the only CA trusted for the register (pinned)
    std::string client_cert;  // PEM, mutual TLS; empty = none
    std::string client_key;
    std::string api_key;
    long connect_timeout_ms = 5000;
    long total_timeout_ms = 20000;
    // Ends a call early, within about a second, when stop is requested (the kiosk shutting
    // down): the call reports Unreachable with error "cancelled", so whatever it carried is
    // tried again later under the same idempotency key.
    std::stop_token cancel;
};

// An Open311 attribute: attribute[code]=v, or attribute[code][]=v1&... when multi_value.
struct Attribute {
    std::string code;
    std::vector<std::string> values;
    bool multi_value = false;
};

// POST requests.json. Strings are UTF-8; the caller validated the citizen's text.
struct ServiceRequest {
    std::string service_code;
    std::string address_string;  // where the service was provided: the office
    std::string description;     // plain text, at most 4,000 characters
    std::string device_id;       // the kiosk's id
    std::string first_name, last_name, phone, email;
    std::vector<Attribute> attributes;
    // Sent as Idempotency-Key: same key, same filing. 1 to 128 printable ASCII characters;
    // empty sends a fresh key, so only that one attempt is protected against filing twice.
    std::string idempotency_key;
};

// What an answer means for the caller; every call below reports one.
enum class Outcome {
    Registered,   // done: the register gave the service_request_id (or took the heartbeat,
                  // or knows the request asked about)
    Rejected,     // the register refused this request (4xx): sending it again will not help
    Unreachable,  // network, TLS, timeout, 429, 5xx or a malformed answer: try again later,
                  // not before retry_after
    Pending,      // accepted under a token, no id yet: resolve_token() later (or resubmit
                  // with the same idempotency key)
};

struct SubmitResult {
    Outcome outcome = Outcome::Unreachable;
    std::string service_request_id;       // when Registered
    long http_status = 0;                 // 0 when no HTTP answer came
    std::string error;                    // for logs and staff: never contains personal data
    std::string token;                    // when Pending
    std::chrono::seconds retry_after{0};  // the register's Retry-After on 429/5xx, at most 1 h
};

// One service from GET services.json; the *_kk/_en names are this project's extension.
struct Service {
    std::string code, name, name_kk, name_en, group, group_kk, group_en;
};

struct ServicesResult {
    bool ok = false;
    std::vector<Service> services;
    std::string error;
    std::chrono::seconds retry_after{0};  // the register's Retry-After on 429/5xx, at most 1 h
};

// A request as GET requests/{id}.json shows it. Optional fields are empty when absent.
struct RequestStatus {
    std::string service_request_id;
    std::string status;  // "open" or "closed"
    std::string status_notes;
    std::string updated_datetime;   // ISO 8601 with zone
    std::string expected_datetime;  // ISO 8601 with zone
};

struct StatusResult {
    Outcome outcome = Outcome::Unreachable;  // Registered: `request` is filled; Rejected: e.g. 404
    RequestStatus request;
    long http_status = 0;
    std::string error;
    std::chrono::seconds retry_after{0};
};

struct HeartbeatResult {
    Outcome outcome = Outcome::Unreachable;  // Registered: the register stored the heartbeat
    long http_status = 0;
    std::string error;
    std::chrono::seconds retry_after{0};
};

// Blocking: call off the UI thread. Safe to call from several threads at once.

// POST requests.json, form-encoded, with Idempotency-Key.
SubmitResult submit_request(const RegisterEndpoint& endpoint, const ServiceRequest& request);
// GET tokens/{token}.json: Registered with the id once the register has one, Pending before.
SubmitResult resolve_token(const RegisterEndpoint& endpoint, const std::string& token);
// GET requests/{id}.json for a number the register gave; the id is percent-encoded.
StatusResult fetch_status(const RegisterEndpoint& endpoint, const std::string& service_request_id);
// POST kiosks/{id}/heartbeat.json: json_body (an object) as application/json, api_key in the
// query. The key follows ServiceRequest::idempotency_key's rules.
HeartbeatResult send_heartbeat(const RegisterEndpoint& endpoint, const std::string& kiosk_id,
                               const std::string& json_body,
                               const std::string& idempotency_key = "");
ServicesResult fetch_services(const RegisterEndpoint& endpoint);

// Percent-encodes everything but letters, digits and -._~ (URL paths and form fields; the
// register's numbers may be Cyrillic).
std::string escape(const std::string& s);

// A random (version 4) UUID: an idempotency key for a complaint's whole life.
std::string new_idempotency_key();

// libcurl's global set-up; call once at start-up before any thread uses net.
void global_init();

}  // namespace net
