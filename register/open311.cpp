#include "open311.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <set>
#include <string_view>

#include "form.h"
#include "respond.h"

namespace dev_register {

namespace {

constexpr std::size_t kMaxValueBytes = 8000;
constexpr std::size_t kMaxIdempotencyKeyBytes = 128;
constexpr std::size_t kMaxKioskIdBytes = 64;
constexpr std::size_t kMaxHeartbeatBytes = 64 << 10;
constexpr std::time_t kExpectedAnswerSeconds = std::time_t{5} * 24 * 60 * 60;

// Section: responses

json or_null(const std::optional<std::string>& value) { return value ? json(*value) : json(); }

// Section: datetimes

// ISO 8601 in the register's local time with its offset, e.g. 2026-11-27T10:15:00+05:00.
std::string iso_datetime(std::time_t when) {
    std::tm local{};
    localtime_r(&when, &local);
    char text[40];
    const std::size_t length = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &local);
    const long offset = local.tm_gmtoff;
    const long minutes = (offset < 0 ? -offset : offset) / 60;
    std::snprintf(text + length, sizeof text - length, "%c%02ld:%02ld", offset < 0 ? '-' : '+',
                  minutes / 60, minutes % 60);
    return text;
}

// Section: checks, for submissions in a fixed order: access, then text, then content

// Thrown by a check; becomes an Open311 error response.
struct Rejection {
    int status;
    std::string description;
};

[[noreturn]] void reject(int status, std::string description) {
    throw Rejection{status, std::move(description)};
}

// Runs an endpoint whose checks may reject the request.
template <class Endpoint>
void checked(httplib::Response& res, Endpoint endpoint) {
    try {
        endpoint();
    } catch (const Rejection& rejection) {
        send_error(res, rejection.status, rejection.description);
    }
}

bool has_content_type(const httplib::Request& req, std::string_view type) {
    auto given = req.get_header_value("Content-Type");
    std::transform(given.begin(), given.end(), given.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    return given.starts_with(type);
}

const std::string* find_field(const std::vector<FormField>& fields, std::string_view name) {
    for (const auto& field : fields)
        if (field.name == name) return &field.value;
    return nullptr;
}

std::vector<FormField> read_form(const httplib::Request& req) {
    if (!has_content_type(req, "application/x-www-form-urlencoded"))
        reject(400, "the body must be application/x-www-form-urlencoded");
    auto fields = parse_form(req.body);
    if (!fields) reject(400, "the body has a malformed %-escape");
    return std::move(*fields);
}

// Returns the service_code once the kiosk may submit for it.
std::string check_access(const std::vector<FormField>& fields, const Catalog& catalog,
                         const std::string& api_key) {
    const auto* key = find_field(fields, "api_key");
    if (!key || *key != api_key) reject(403, "api_key is missing or not valid");
    const auto* code = find_field(fields, "service_code");
    if (!code || code->empty()) reject(400, "service_code is required");
    if (!catalog.names.contains(*code)) reject(404, "service_code is not in the service list");
    return *code;
}

bool is_multi_value(std::string_view name) { return name.ends_with("[]"); }

void check_text(const std::vector<FormField>& fields) {
    std::set<std::string_view> seen;
    for (const auto& field : fields) {
        if (!is_clean_text(field.name))
            reject(400, "a field name is not UTF-8 or contains control characters");
        const std::string quoted = "field \"" + field.name + "\"";
        if (!is_clean_text(field.value))
            reject(400, quoted + " is not UTF-8 or contains control characters");
        if (field.value.size() > kMaxValueBytes)
            reject(400, quoted + " is longer than " + std::to_string(kMaxValueBytes) + " bytes");
        if (!seen.insert(field.name).second && !is_multi_value(field.name))
            reject(400, quoted + " is given more than once");
    }
}

std::optional<std::string> idempotency_key(const httplib::Request& req) {
    if (!req.has_header("Idempotency-Key")) return std::nullopt;
    auto key = req.get_header_value("Idempotency-Key");
    const bool printable =
        std::all_of(key.begin(), key.end(), [](char c) { return c >= 0x20 && c <= 0x7E; });
    if (key.empty() || key.size() > kMaxIdempotencyKeyBytes || !printable)
        reject(400, "Idempotency-Key must be 1 to " + std::to_string(kMaxIdempotencyKeyBytes) +
                        " printable ASCII characters");
    return key;
}

// Section: building the stored request

// attribute[code] carries one value; attribute[code][] one of several, in order.
void add_attribute(json& attributes, const FormField& field) {
    std::string_view inside = field.name;
    inside.remove_prefix(std::string_view("attribute[").size());
    const bool multi = inside.ends_with("][]");
    const std::size_t suffix = multi ? 3 : 1;
    const auto code = inside.substr(0, inside.size() >= suffix ? inside.size() - suffix : 0);
    if ((!multi && !inside.ends_with(']')) || code.empty() ||
        code.find_first_of("[]") != std::string_view::npos)
        reject(400, "field \"" + field.name + "\" is not attribute[code] or attribute[code][]");
    auto& slot = attributes[std::string(code)];
    if (multi && (slot.is_null() || slot.is_array())) {
        slot.push_back(field.value);
    } else if (!multi && slot.is_null()) {
        slot = field.value;
    } else {
        reject(400, "attribute \"" + std::string(code) + "\" mixes single and multi-value forms");
    }
}

std::optional<std::string>* standard_field(NewRequest& request, std::string_view name) {
    static const std::pair<std::string_view, std::optional<std::string> NewRequest::*> kFields[] = {
        {"device_id", &NewRequest::device_id},
        {"address_string", &NewRequest::address_string},
        {"description", &NewRequest::description},
        {"first_name", &NewRequest::first_name},
        {"last_name", &NewRequest::last_name},
        {"phone", &NewRequest::phone},
        {"email", &NewRequest::email}};
    for (const auto& [field_name, member] : kFields)
        if (field_name == name) return &(request.*member);
    return nullptr;
}

NewRequest build_request(const std::vector<FormField>& fields, std::string service_code) {
    NewRequest request;
    request.service_code = std::move(service_code);
    auto attributes = json::object();
    for (const auto& field : fields) {
        if (field.name == "api_key" || field.name == "service_code") continue;
        if (auto* column = standard_field(request, field.name)) {
            *column = field.value;
        } else if (field.name.starts_with("attribute[")) {
            add_attribute(attributes, field);
        } else {
            reject(400, "field \"" + field.name + "\" is not supported by this register");
        }
    }
    if (!request.address_string || request.address_string->empty())
        reject(400, "address_string is required");
    request.attributes_json = attributes.dump();
    const std::time_t now = std::time(nullptr);
    request.requested_datetime = iso_datetime(now);
    request.expected_datetime = iso_datetime(now + kExpectedAnswerSeconds);
    return request;
}

// Section: endpoints

void submit_request(const httplib::Request& req, httplib::Response& res, const Catalog& catalog,
                    RequestStore& store, const std::string& api_key) {
    checked(res, [&] {
        const auto fields = read_form(req);
        auto service_code = check_access(fields, catalog, api_key);
        check_text(fields);
        auto request = build_request(fields, std::move(service_code));
        request.idempotency_key = idempotency_key(req);
        const auto number = store.submit(request);
        send_json(
            res, 200,
            json::array({json{{"service_request_id", number},
                              {"service_notice", "Обращение зарегистрировано / Өтініш тіркелді"},
                              {"account_id", nullptr}}}));
    });
}

void show_request(const httplib::Request& req, httplib::Response& res, const Catalog& catalog,
                  RequestStore& store) {
    // httplib has already percent-decoded the path, so the match is the number itself.
    const auto found = store.find(req.matches[1].str());
    if (!found) return send_error(res, 404, "no service request with this number");
    const auto name = catalog.names.find(found->service_code);
    send_json(res, 200,
              json::array(
                  {json{{"service_request_id", found->service_request_id},
                        {"status", found->status},
                        {"status_notes", or_null(found->status_notes)},
                        {"service_code", found->service_code},
                        {"service_name", name != catalog.names.end() ? json(name->second) : json()},
                        {"description", or_null(found->description)},
                        {"requested_datetime", found->requested_datetime},
                        {"updated_datetime", found->updated_datetime},
                        {"expected_datetime", or_null(found->expected_datetime)},
                        {"address", or_null(found->address_string)}}}));
}

// Open311's answer to a token: the token, and the number once it may be given.
void show_token(const httplib::Request& req, httplib::Response& res, RequestStore& store) {
    const std::string token = req.matches[1].str();
    const auto found = store.resolve_token(token);
    if (!found.known) return send_error(res, 404, "no such token");
    json answer{{"token", token}};
    if (found.service_request_id) answer["service_request_id"] = *found.service_request_id;
    send_json(res, 200, json::array({answer}));
}

// This register's extension: a kiosk's health as a JSON object, kept as sent.
void store_heartbeat(const httplib::Request& req, httplib::Response& res, RequestStore& store,
                     const std::string& api_key) {
    checked(res, [&] {
        if (req.get_param_value("api_key") != api_key)
            reject(403, "api_key is missing or not valid");
        const std::string kiosk_id = req.matches[1].str();
        if (kiosk_id.size() > kMaxKioskIdBytes || !is_clean_text(kiosk_id) ||
            kiosk_id.find_first_of("\n\t") != std::string::npos)
            reject(400, "the kiosk id must be at most 64 bytes of text on one line");
        if (!has_content_type(req, "application/json"))
            reject(415, "the body must be application/json");
        if (req.body.size() > kMaxHeartbeatBytes)
            reject(413, "the heartbeat is larger than 64 KiB");
        if (!json::parse(req.body, nullptr, false).is_object())
            reject(400, "the heartbeat must be a JSON object");
        const Heartbeat heartbeat{kiosk_id, iso_datetime(std::time(nullptr)), req.body,
                                  idempotency_key(req)};
        const auto received_at = store.add_heartbeat(heartbeat);
        send_json(res, 200, json{{"kiosk_id", kiosk_id}, {"received_at", received_at}});
    });
}

// Section: request log

// Only the number is logged: never names, addresses, phones or attribute values.
std::string logged_number(const httplib::Response& res) {
    if (res.status != 200) return "-";
    const auto body = json::parse(res.body, nullptr, false);
    if (!body.is_array() || body.empty() || !body[0].is_object()) return "-";
    const auto number = body[0].find("service_request_id");
    return number != body[0].end() && number->is_string() ? number->get<std::string>() : "-";
}

void log_request(const httplib::Request& req, const httplib::Response& res) {
    std::cerr << "kiosk-register: " << req.method << ' ' << printable(req.path) << ' ' << res.status
              << ' ' << logged_number(res) << std::endl;
}

std::string default_description(int status) {
    switch (status) {
    case 404: return "no such resource";
    case 413: return "the request is too large";
    default: return "the request cannot be processed (HTTP " + std::to_string(status) + ")";
    }
}

}  // namespace

void install_open311(httplib::Server& server, const Catalog& catalog, RequestStore& store,
                     const std::string& api_key, FaultInjector& faults) {
    server.Get("/services.json",
               faults.wrap([&catalog](const httplib::Request&, httplib::Response& res) {
                   res.set_content(catalog.json_text, kJsonType);
               }));
    server.Post("/requests.json",
                faults.wrap([&catalog, &store, api_key](const httplib::Request& req,
                                                        httplib::Response& res) {
                    submit_request(req, res, catalog, store, api_key);
                }));
    server.Get(R"(/requests/([^/]+)\.json)",
               faults.wrap([&catalog, &store](const httplib::Request& req, httplib::Response& res) {
                   show_request(req, res, catalog, store);
               }));
    server.Get(R"(/tokens/([^/]+)\.json)",
               faults.wrap([&store](const httplib::Request& req, httplib::Response& res) {
                   show_token(req, res, store);
               }));
    server.Post(R"(/kiosks/([^/]+)/heartbeat\.json)",
                faults.wrap([&store, api_key](const httplib::Request& req, httplib::Response& res) {
                    store_heartbeat(req, res, store, api_key);
                }));
    // Unknown paths and httplib's own refusals get the Open311 error shape too.
    server.set_error_handler([](const httplib::Request&, httplib::Response& res) {
        if (res.body.empty()) send_error(res, res.status, default_description(res.status));
    });
    server.set_exception_handler(
        [](const httplib::Request&, httplib::Response& res, std::exception_ptr error) {
            try {
                std::rethrow_exception(error);
            } catch (const std::exception& e) {
                std::cerr << "kiosk-register: internal error: " << e.what() << std::endl;
            } catch (...) {
                std::cerr << "kiosk-register: internal error" << std::endl;
            }
            send_error(res, 500, "internal error in the register");
        });
    server.set_logger(log_request);
}

}  // namespace dev_register
