// net: the kiosk's side of the central register's protocol, Open311 GeoReport v2 (JSON or XML)
// over HTTPS with libcurl. Knows nothing of complaints or the UI: it carries Open311 requests,
// and reads any answer the specification allows.
#pragma once
#include <chrono>
#include <stop_token>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace net {

// The answers' format: the extension of every path (requests.json, requests.xml) and the
// Accept header. GeoReport v2 requires XML of every server; JSON is optional.
enum class Format { Json, Xml };
std::string_view format_name(Format f);  // "json", "xml"

// Where the register is and how the kiosk proves who it is.
struct RegisterEndpoint {
    std::string base_url;     // "https://register.example.kz/open311/v2/", ends in '/'
    std::string ca_file;      // PEM: the only CA trusted for the register (pinned)
    std::string client_cert;  // PEM, mutual TLS; empty = none
    std::string client_key;
    std::string api_key;
    // Sent on every call when not empty: servers that host several jurisdictions need it.
    std::string jurisdiction_id;
    Format format = Format::Json;
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

// GeoReport v2 limits a request's description to 4,000 characters; servers may refuse more.
inline constexpr std::size_t kMaxDescriptionChars = 4000;

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
    Delivered,    // POST only: taken, and no number will come (a blackbox service answers
                  // service_notice alone)
    Rejected,     // a 4xx that sending again will not change: something staff must fix (api_key,
                  // jurisdiction_id, service_code, a required attribute), or "not found"
    Unreachable,  // network, TLS, timeout, 400 General Service Error, 408, 429, 5xx or a
                  // malformed answer: try again later, not before retry_after
    Pending,      // accepted under a token, no id yet: resolve_token() later
};

struct SubmitResult {
    Outcome outcome = Outcome::Unreachable;
    std::string service_request_id;       // when Registered
    long http_status = 0;                 // 0 when no HTTP answer came
    std::string error;                    // for logs and staff: never contains personal data
    std::string token;                    // when Pending
    std::chrono::seconds retry_after{0};  // the register's Retry-After on 429/5xx, at most 1 h
    std::string notice;                   // service_notice, when given and clean
    // POST only: the request may have been filed although no usable answer says so (the body
    // went out, then a timeout, a reset, a 5xx or a malformed 2xx): search for it before
    // posting again, on servers that ignore Idempotency-Key.
    bool maybe_filed = false;
};

// One service from GET services.json; the *_kk/_en names are this project's extension.
// Codes may be numbers in the answer; they are kept as their decimal text.
struct Service {
    std::string code, name, name_kk, name_en, group, group_kk, group_en;
    bool metadata = false;  // services/{code} defines attributes
    std::string type;       // "realtime", "batch", "blackbox"; empty when not given
};

struct ServicesResult {
    bool ok = false;
    std::vector<Service> services;  // may be empty: a server with nothing to file for now
    std::string error;
    std::chrono::seconds retry_after{0};  // the register's Retry-After on 429/5xx, at most 1 h
};

// One attribute of GET services/{code}: what the server wants with a request for the service.
struct ServiceAttribute {
    std::string code;
    bool variable = true;  // false: information for the citizen only, nothing to send
    bool required = false;
    std::string datatype;     // string, number, datetime, text, singlevaluelist, multivaluelist
    std::string description;  // the question, for staff
    int order = 0;
    std::vector<std::pair<std::string, std::string>> values;  // lists: key, name
};

struct ServiceDefinition {
    std::string service_code;
    std::vector<ServiceAttribute> attributes;
};

struct DefinitionResult {
    Outcome outcome = Outcome::Unreachable;  // Registered: `definition` is filled
    ServiceDefinition definition;
    long http_status = 0;
    std::string error;
    std::chrono::seconds retry_after{0};
};

// A request as GET requests/{id} or GET requests shows it. Optional fields are empty when
// absent (or given as empty strings); notes have CRLF as LF.
struct RequestStatus {
    std::string service_request_id;
    std::string status;  // "open" or "closed"
    std::string status_notes;
    std::string updated_datetime;    // ISO 8601 with zone
    std::string expected_datetime;   // ISO 8601 with zone
    std::string requested_datetime;  // ISO 8601 with zone
    std::string service_code;
    std::string description;  // as the server keeps it: where a kiosk's reference is found
};

// GET requests: the requests of one service filed in a window of time (the spec's
// service_code, start_date and end_date filters; servers give at most 1,000).
struct RequestQuery {
    std::string service_code;
    std::chrono::system_clock::time_point start, end;
};

struct SearchResult {
    Outcome outcome = Outcome::Unreachable;  // Registered: the server answered; Rejected: it
                                             // cannot search (404, 400, 501 ...)
    std::vector<RequestStatus> requests;     // entries without a valid id are left out
    long http_status = 0;
    std::string error;
    std::chrono::seconds retry_after{0};
};

struct StatusResult {
    Outcome outcome = Outcome::Unreachable;  // Registered: `request` is filled; Rejected: e.g. 404
    RequestStatus request;
    long http_status = 0;
    std::string error;
    std::chrono::seconds retry_after{0};
};

// A remote command as the register handed it in a heartbeat's answer: not yet trusted. The
// kiosk checks the operators' signature over the payload's exact bytes (kiosk/remote_command).
struct SignedCommand {
    std::string payload;    // JSON text, 1..kMaxCommandPayloadBytes bytes
    std::string signature;  // base64 of the 64-byte Ed25519 signature, as sent
};
inline constexpr std::size_t kMaxCommandsPerAnswer = 16;
inline constexpr std::size_t kMaxCommandPayloadBytes = 4096;

struct HeartbeatResult {
    Outcome outcome = Outcome::Unreachable;  // Registered: the register stored the heartbeat
    long http_status = 0;
    std::string error;
    std::chrono::seconds retry_after{0};
    // The answer's "commands", when Registered: at most kMaxCommandsPerAnswer, in order.
    std::vector<SignedCommand> commands;
    // Commands left out: past the bound, or not {payload, signature} strings within bounds
    // (a "commands" that is not a list counts as one).
    std::size_t commands_ignored = 0;
};

// What an upload's answer says (POST kiosks/{id}/diagnostics/{command_id}.json).
struct UploadResult {
    Outcome outcome = Outcome::Unreachable;  // Registered: the register stored it
    long http_status = 0;
    std::string error;
    std::chrono::seconds retry_after{0};
};
inline constexpr std::size_t kMaxDiagnosticsBytes = 1 << 20;

// Blocking: call off the UI thread. Safe to call from several threads at once. Paths end in
// the endpoint's format; jurisdiction_id goes with every call (query or form field).

// POST requests, form-encoded, with Idempotency-Key (kept by servers that honour it).
SubmitResult submit_request(const RegisterEndpoint& endpoint, const ServiceRequest& request);
// GET tokens/{token}: Registered with the id once the register has one, Pending before;
// Rejected when the token is unknown (404).
SubmitResult resolve_token(const RegisterEndpoint& endpoint, const std::string& token);
// GET requests/{id} for a number the register gave; the id is percent-encoded.
StatusResult fetch_status(const RegisterEndpoint& endpoint, const std::string& service_request_id);
// GET requests?service_code=&start_date=&end_date=
SearchResult search_requests(const RegisterEndpoint& endpoint, const RequestQuery& query);
// POST kiosks/{id}/heartbeat.json (this project's extension, always JSON): json_body (an
// object) as application/json, api_key in the query. The key follows
// ServiceRequest::idempotency_key's rules.
HeartbeatResult send_heartbeat(const RegisterEndpoint& endpoint, const std::string& kiosk_id,
                               const std::string& json_body,
                               const std::string& idempotency_key = "");
// POST kiosks/{id}/diagnostics/{command_id}.json (this project's extension): a diagnostic
// bundle (a JSON object, at most kMaxDiagnosticsBytes) as application/json, api_key in the
// query. command_id: the remote command that asked for it (1..64 of A-Za-z0-9-_).
UploadResult upload_diagnostics(const RegisterEndpoint& endpoint, const std::string& kiosk_id,
                                const std::string& command_id, const std::string& json_body);
ServicesResult fetch_services(const RegisterEndpoint& endpoint);
// GET services/{code}: the attributes a service wants (for services with metadata true).
DefinitionResult fetch_service_definition(const RegisterEndpoint& endpoint,
                                          const std::string& service_code);

// Percent-encodes everything but letters, digits and -._~ (URL paths and form fields; the
// register's numbers may be Cyrillic).
std::string escape(const std::string& s);

// A random (version 4) UUID: an idempotency key for a complaint's whole life.
std::string new_idempotency_key();

// libcurl's global set-up; call once at start-up before any thread uses net.
void global_init();

}  // namespace net
