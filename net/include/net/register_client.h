// net: the kiosk's side of the central register's protocol, Open311 GeoReport v2 (JSON) over
// HTTPS with libcurl. Knows nothing of complaints or the UI: it carries Open311 requests.
#pragma once
#include <chrono>
#include <string>
#include <vector>

namespace net {

// Where the register is and how the kiosk proves who it is.
struct RegisterEndpoint {
    std::string base_url;          // "https://register.example.kz/open311/v2/", ends in '/'
    std::string ca_file;           // PEM: the only CA trusted for the register (pinned)
    std::string client_cert;       // PEM, mutual TLS; empty = none
    std::string client_key;
    std::string api_key;
    long connect_timeout_ms = 5000;
    long total_timeout_ms = 20000;
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
    std::string address_string;    // where the service was provided: the office
    std::string description;       // plain text, at most 4,000 characters
    std::string device_id;         // the kiosk's id
    std::string first_name, last_name, phone, email;
    std::vector<Attribute> attributes;
    std::string idempotency_key;   // sent as Idempotency-Key; same key, same filing
};

enum class Outcome {
    Registered,    // the register answered with a service_request_id
    Rejected,      // the register refused this request (4xx): sending it again will not help
    Unreachable,   // network, TLS, timeout, 5xx or a malformed answer: try again later
};

struct SubmitResult {
    Outcome outcome = Outcome::Unreachable;
    std::string service_request_id;   // when Registered
    long http_status = 0;             // 0 when no HTTP answer came
    std::string error;                // for logs and staff: never contains personal data
    std::chrono::seconds retry_after{0};   // the register's Retry-After, when it gave one
};

// One service from GET services.json; the *_kk/_en names are this project's extension.
struct Service {
    std::string code, name, name_kk, name_en, group, group_kk, group_en;
};

struct ServicesResult {
    bool ok = false;
    std::vector<Service> services;
    std::string error;
};

// Blocking: call off the UI thread. Safe to call from several threads at once.
SubmitResult submit_request(const RegisterEndpoint& endpoint, const ServiceRequest& request);
ServicesResult fetch_services(const RegisterEndpoint& endpoint);

// libcurl's global set-up; call once at start-up before any thread uses net.
void global_init();

}  // namespace net
