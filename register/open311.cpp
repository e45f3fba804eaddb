#include "open311.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <ctime>
#include <iostream>
#include <optional>
#include <string_view>

#include <common/ids.h>

#include "commands.h"
#include "datetime.h"
#include "form.h"
#include "identity.h"
#include "intake.h"
#include "respond.h"

namespace dev_register {

namespace {

constexpr std::size_t kMaxIdempotencyKeyBytes = 128;
constexpr std::size_t kMaxKioskIdBytes = 64;
constexpr std::size_t kMaxHeartbeatBytes = 64 << 10;
constexpr std::size_t kMaxDiagnosticsBytes = 1 << 20;
constexpr std::size_t kMaxResults = 1000;
constexpr std::time_t kSearchWindowSeconds = std::time_t{90} * 24 * 60 * 60;

// Section: shared checks

json or_null(const std::optional<std::string>& value) { return value ? json(*value) : json(); }

bool has_content_type(const httplib::Request& req, std::string_view type) {
    auto given = req.get_header_value("Content-Type");
    std::transform(given.begin(), given.end(), given.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    return given.starts_with(type);
}

// The query string's parameters are one-line text, as every value Open311 puts there.
void check_query(const httplib::Request& req) {
    for (const auto& [name, value] : req.params)
        if (!is_one_line(name) || !is_one_line(value))
            reject(400,
                   "query parameter \"" + printable(name) + "\" is not one line of UTF-8 text");
}

std::optional<std::string> query_value(const httplib::Request& req, const char* name) {
    if (!req.has_param(name)) return std::nullopt;
    return req.get_param_value(name);
}

void check_jurisdiction(const std::optional<std::string>& given, const Open311Settings& settings) {
    if (!given || given->empty()) {
        if (settings.profile.requires_jurisdiction) reject(400, "jurisdiction_id was not provided");
        return;
    }
    if (*given != settings.jurisdiction) reject(404, "jurisdiction_id was not found");
}

std::string formats_served(const Profile& profile) {
    if (!profile.serves_json) return "this server answers in XML only: use .xml";
    if (!profile.serves_xml) return "this server answers in JSON only: use .json";
    return "use .json or .xml";
}

// An endpoint at a path whose last match is its extension: a format the profile does not
// serve is not found (answered in one it does, as an XML-only server knows no .json path);
// what its checks reject becomes an Open311 error in the asked format.
template <class Body>
httplib::Server::Handler endpoint(const Open311Settings& settings, Body body) {
    return [&settings, body](const httplib::Request& req, httplib::Response& res) {
        const auto extension = req.matches[req.matches.size() - 1].str();
        const auto format = served_format(settings.profile, extension);
        if (!format)
            return send_error(res, reply_format(settings.profile, req.path), 404,
                              formats_served(settings.profile));
        try {
            if (req.method == "GET") {
                check_query(req);
                check_jurisdiction(query_value(req, "jurisdiction_id"), settings);
            }
            body(req, res, *format);
        } catch (const Rejection& rejection) {
            send_error(res, *format, rejection.status, rejection.description);
        }
    };
}

// Section: reading POST bodies

// The Debian httplib refuses form bodies over 8 KiB with 413 (its built-in
// CPPHTTPLIB_FORM_URL_ENCODED_PAYLOAD_MAX_LENGTH) where one complaint, a 4,000-character
// description and a signature, is tens of KiB; so this handler reads the body itself, within
// the server's payload limit.
httplib::Server::HandlerWithContentReader with_body(const Open311Settings& settings,
                                                    httplib::Server::Handler handler) {
    return [&settings, handler = std::move(handler)](const httplib::Request& req,
                                                     httplib::Response& res,
                                                     const httplib::ContentReader& read) {
        httplib::Request read_request = req;
        const auto keep = [&read_request](const char* data, std::size_t size) {
            read_request.body.append(data, size);
            return true;
        };
        // Multipart parts are read past (httplib cannot hand them over raw), then refused.
        const bool read_all = req.is_multipart_form_data()
                                  ? read([](const httplib::MultipartFormData&) { return true; },
                                         [](const char*, std::size_t) { return true; })
                                  : read(keep);
        if (!read_all) {
            const int status = res.status == 413 ? 413 : 400;  // httplib set the status
            return send_error(
                res, reply_format(settings.profile, req.path), status,
                status == 413 ? "the request is too large" : "the body could not be read");
        }
        handler(read_request, res);
    };
}

// Section: services

json code_of(const Catalog& catalog, const std::string& service_code) {
    const auto service = catalog.services.find(service_code);
    return service != catalog.services.end() ? service->second.code : json(service_code);
}

json definition_json(const Service& service) {
    json attributes = json::array();
    for (const auto& attribute : service.attributes) {
        json entry{{"variable", attribute.variable},
                   {"code", attribute.code},
                   {"datatype", attribute.datatype},
                   {"required", attribute.required},
                   {"datatype_description", attribute.datatype_description.empty()
                                                ? json()
                                                : json(attribute.datatype_description)},
                   {"order", attributes.size() + 1},
                   {"description", attribute.description}};
        if (!attribute.values.empty()) {
            entry["values"] = json::array();
            for (const auto& [key, name] : attribute.values)
                entry["values"].push_back({{"key", key}, {"name", name}});
        }
        attributes.push_back(std::move(entry));
    }
    return {{"service_code", service.code}, {"attributes", std::move(attributes)}};
}

void show_definition(const httplib::Request& req, httplib::Response& res, Format format,
                     const Catalog& catalog) {
    const std::string code = req.matches[1].str();
    const auto service = catalog.services.find(code);
    if (service == catalog.services.end()) reject(404, "service_code is not in the service list");
    if (!service->second.metadata)
        reject(404, "service_code has no service definition (its metadata is false)");
    send(res, format, 200, "service_definition", definition_json(service->second));
}

// Section: requests

std::string read_idempotency_key(const httplib::Request& req) {
    auto key = req.get_header_value("Idempotency-Key");
    const bool printable =
        std::all_of(key.begin(), key.end(), [](char c) { return c >= 0x20 && c <= 0x7E; });
    if (key.empty() || key.size() > kMaxIdempotencyKeyBytes || !printable)
        reject(400, "Idempotency-Key must be 1 to " + std::to_string(kMaxIdempotencyKeyBytes) +
                        " printable ASCII characters");
    return key;
}

std::optional<std::string> idempotency_key(const httplib::Request& req) {
    if (!req.has_header("Idempotency-Key")) return std::nullopt;
    return read_idempotency_key(req);
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

// Returns the service_code once the caller may submit for it.
std::string check_access(const std::vector<FormField>& fields, const Catalog& catalog,
                         const Open311Settings& settings) {
    const auto* key = find_field(fields, "api_key");
    if (!key || *key != settings.api_key) reject(403, "api_key is missing or not valid");
    const auto* jurisdiction = find_field(fields, "jurisdiction_id");
    check_jurisdiction(jurisdiction ? std::optional(*jurisdiction) : std::nullopt, settings);
    const auto* code = find_field(fields, "service_code");
    if (!code || code->empty()) reject(400, "service_code is required");
    if (!catalog.services.contains(*code)) reject(404, "service_code is not in the service list");
    return *code;
}

// What a POST answers for the service: its number, a token for it, both, or a notice only.
json submit_answer(const Service& service, const std::string& number, const NewRequest& request,
                   RequestStore& store, int token_polls) {
    json answer = json::object();
    if (service.answer == Answer::Id || service.answer == Answer::IdAndToken)
        answer["service_request_id"] = number;
    if (service.answer == Answer::Token) answer["token"] = store.issue_token(number, token_polls);
    if (service.answer == Answer::IdAndToken) answer["token"] = store.issue_token(number, 0);
    answer["service_notice"] = service.answer == Answer::Id
                                   ? "Обращение зарегистрировано / Өтініш тіркелді"
                                   : "Обращение принято / Өтініш қабылданды";
    answer["account_id"] = or_null(request.account_id);
    return json::array({std::move(answer)});
}

void submit_request(const httplib::Request& req, httplib::Response& res, Format format,
                    const Catalog& catalog, RequestStore& store, const Open311Settings& settings) {
    const auto fields = read_form(req);
    const auto service_code = check_access(fields, catalog, settings);
    check_text(fields);
    const auto& service = catalog.services.at(service_code);
    auto request =
        build_request(fields, service_code, service, settings.profile.enforces_definitions);
    // A plain server knows no Idempotency-Key: every POST is a new request.
    if (settings.profile.honours_idempotency_key) request.idempotency_key = idempotency_key(req);
    const auto number = store.submit(request);
    send(res, format, 200, "service_requests",
         submit_answer(service, number, request, store, settings.token_polls));
}

json coordinate(const std::optional<std::string>& text) {
    if (!text) return nullptr;
    std::string_view digits = *text;
    if (digits.starts_with('+')) digits.remove_prefix(1);
    double value = 0;
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    return error == std::errc() ? json(value) : json();
}

json request_json(const Catalog& catalog, const RequestStatus& found) {
    const auto name = catalog.names.find(found.service_code);
    return {{"service_request_id", found.service_request_id},
            {"status", found.status},
            {"status_notes", or_null(found.status_notes)},
            {"service_name", name != catalog.names.end() ? json(name->second) : json()},
            {"service_code", code_of(catalog, found.service_code)},
            {"description", or_null(found.description)},
            {"agency_responsible", nullptr},
            {"service_notice", nullptr},
            {"requested_datetime", found.requested_datetime},
            {"updated_datetime", found.updated_datetime},
            {"expected_datetime", or_null(found.expected_datetime)},
            {"address", or_null(found.address_string)},
            {"address_id", or_null(found.address_id)},
            {"zipcode", nullptr},
            {"lat", coordinate(found.lat)},
            {"long", coordinate(found.lon)},
            {"media_url", or_null(found.media_url)}};
}

void show_request(const httplib::Request& req, httplib::Response& res, Format format,
                  const Catalog& catalog, RequestStore& store) {
    // httplib has already percent-decoded the path, so the match is the number itself.
    const auto found = store.find(req.matches[1].str());
    if (!found) reject(404, "no service request with this number");
    send(res, format, 200, "service_requests", json::array({request_json(catalog, *found)}));
}

// Section: searching requests

// Every value of a parameter that may be declared more than once, comma delimited.
std::vector<std::string> comma_list(const httplib::Request& req, const char* name) {
    std::vector<std::string> items;
    for (std::size_t i = 0; i < req.get_param_value_count(name); ++i) {
        const std::string value = req.get_param_value(name, i);
        for (std::size_t start = 0, comma = 0; comma != std::string::npos; start = comma + 1) {
            comma = value.find(',', start);
            auto item = value.substr(start, comma - start);
            item.erase(0, item.find_first_not_of(' '));
            item.erase(item.find_last_not_of(' ') + 1);
            if (!item.empty()) items.push_back(std::move(item));
        }
    }
    return items;
}

std::optional<std::time_t> date_parameter(const httplib::Request& req, const char* name) {
    const auto text = query_value(req, name);
    if (!text) return std::nullopt;
    const auto when = parse_iso_datetime(*text);
    if (!when)
        reject(400, std::string(name) + " must be a W3C datetime, e.g. 2026-01-01T00:00:00Z");
    return when;
}

// The spec: the last 90 days unless start_date or end_date say otherwise, never more.
void set_window(const httplib::Request& req, RequestFilter& filter) {
    const auto start = date_parameter(req, "start_date");
    const auto end = date_parameter(req, "end_date");
    if (start && end) {
        if (*start > *end) reject(400, "start_date is after end_date");
        if (*end - *start > kSearchWindowSeconds)
            reject(400, "start_date and end_date may not span more than 90 days");
    }
    filter.from = start ? *start : (end ? *end : std::time(nullptr)) - kSearchWindowSeconds;
    filter.to = end ? *end : (start ? *start + kSearchWindowSeconds : std::time(nullptr));
}

RequestFilter read_filter(const httplib::Request& req) {
    RequestFilter filter;
    filter.limit = kMaxResults;
    filter.ids = comma_list(req, "service_request_id");
    if (filter.ids.size() > kMaxResults) reject(400, "at most 1000 service_request_id at once");
    if (!filter.ids.empty()) return filter;  // the spec: they override all other arguments
    filter.service_codes = comma_list(req, "service_code");
    filter.statuses = comma_list(req, "status");
    for (const auto& status : filter.statuses)
        if (status != "open" && status != "closed") reject(400, "status must be open or closed");
    set_window(req, filter);
    return filter;
}

void search_requests(const httplib::Request& req, httplib::Response& res, Format format,
                     const Catalog& catalog, RequestStore& store) {
    json found = json::array();
    for (const auto& request : store.search(read_filter(req)))
        found.push_back(request_json(catalog, request));
    send(res, format, 200, "service_requests", found);
}

// Open311's answer to a token: the token, and the number once it may be given.
void show_token(const httplib::Request& req, httplib::Response& res, Format format,
                RequestStore& store) {
    const std::string token = req.matches[1].str();
    const auto found = store.resolve_token(token);
    if (!found.known) reject(404, "no such token");
    json answer{{"token", token}};
    if (found.service_request_id) answer["service_request_id"] = *found.service_request_id;
    send(res, format, 200, "service_requests", json::array({answer}));
}

// Section: heartbeats

void check_kiosk_id(const std::string& kiosk_id) {
    if (kiosk_id.size() > kMaxKioskIdBytes || !is_one_line(kiosk_id))
        reject(400, "the kiosk id must be at most 64 bytes of text on one line");
}

// The results the heartbeat carries are recorded first, so a command just done is not handed
// out again in this very answer.
json heartbeat_answer(const std::string& kiosk_id, const std::string& received_at, const json& body,
                      RequestStore& store) {
    store.record_results(kiosk_id, read_results(body, received_at));
    const auto now = std::time(nullptr);
    json answer{{"kiosk_id", kiosk_id}, {"received_at", received_at}};
    const auto handed = store.hand_commands(kiosk_id, now, iso_datetime(now), kCommandsPerAnswer);
    if (handed.empty()) return answer;
    auto& commands = answer["commands"] = json::array();
    for (const auto& command : handed)
        commands.push_back({{"payload", command.payload}, {"signature", command.signature}});
    return answer;
}

// This register's extension: a kiosk's health as a JSON object, kept as sent; the answer
// carries the commands queued for it.
void store_heartbeat(const httplib::Request& req, httplib::Response& res, RequestStore& store,
                     const std::string& api_key) {
    try {
        if (req.get_param_value("api_key") != api_key)
            reject(403, "api_key is missing or not valid");
        const std::string kiosk_id = req.matches[1].str();
        check_kiosk_id(kiosk_id);
        if (!has_content_type(req, "application/json"))
            reject(415, "the body must be application/json");
        if (req.body.size() > kMaxHeartbeatBytes)
            reject(413, "the heartbeat is larger than 64 KiB");
        const auto body = json::parse(req.body, nullptr, false);
        if (!body.is_object()) reject(400, "the heartbeat must be a JSON object");
        const Heartbeat heartbeat{kiosk_id, iso_datetime(std::time(nullptr)), req.body,
                                  idempotency_key(req)};
        const auto received_at = store.add_heartbeat(heartbeat);
        send_json(res, 200, heartbeat_answer(kiosk_id, received_at, body, store));
    } catch (const Rejection& rejection) {
        send_error(res, Format::Json, rejection.status, rejection.description);
    }
}

// Section: diagnostic bundles

// POST kiosks/{id}/diagnostics/{command_id}.json: what a diagnostic_bundle command collected,
// kept for the operator (GET on the admin endpoint). Only for a command queued for this kiosk,
// so a kiosk cannot fill the database with bundles nobody asked for.
void store_diagnostics(const httplib::Request& req, httplib::Response& res, RequestStore& store,
                       const std::string& api_key) {
    try {
        if (req.get_param_value("api_key") != api_key)
            reject(403, "api_key is missing or not valid");
        const std::string kiosk_id = req.matches[1].str();
        const std::string command_id = req.matches[2].str();
        check_kiosk_id(kiosk_id);
        if (!has_content_type(req, "application/json"))
            reject(415, "the body must be application/json");
        if (req.body.size() > kMaxDiagnosticsBytes)
            reject(413, "the diagnostic bundle is larger than 1 MiB");
        if (!json::parse(req.body, nullptr, false).is_object())
            reject(400, "the diagnostic bundle must be a JSON object");
        const auto command =
            common::command_id_ok(command_id) ? store.command(kiosk_id, command_id) : std::nullopt;
        if (!command || command->name != "diagnostic_bundle")
            reject(404, "no diagnostic_bundle command with this id for this kiosk");
        const auto received_at = iso_datetime(std::time(nullptr));
        store.add_diagnostics(kiosk_id, command_id, {received_at, req.body});
        send_json(res, 200,
                  json{{"kiosk_id", kiosk_id}, {"id", command_id}, {"received_at", received_at}});
    } catch (const Rejection& rejection) {
        send_error(res, Format::Json, rejection.status, rejection.description);
    }
}

// Section: identity

// Under mutual TLS every kiosks/{id}/... call must come from that kiosk's certificate; checked
// before routing, so a kiosk speaking for another is refused whatever it calls.
httplib::Server::HandlerResponse check_identity(const httplib::Request& req,
                                                httplib::Response& res) {
    constexpr std::string_view kPrefix = "/kiosks/";
    if (!std::string_view(req.path).starts_with(kPrefix))
        return httplib::Server::HandlerResponse::Unhandled;
    const auto end = req.path.find('/', kPrefix.size());
    const auto kiosk_id = req.path.substr(kPrefix.size(), end - kPrefix.size());
    if (client_common_name(req) == kiosk_id) return httplib::Server::HandlerResponse::Unhandled;
    send_error(res, Format::Json, 403, "the certificate is not this kiosk's");
    return httplib::Server::HandlerResponse::Handled;
}

// Section: request log

// The number of an answer about one request, in either format.
std::optional<std::string> answered_number(const httplib::Response& res) {
    if (is_xml(res)) {
        pugi::xml_document document;
        if (!document.load_buffer(res.body.data(), res.body.size())) return std::nullopt;
        const auto requests = document.child("service_requests");
        const auto request = requests.child("request");
        if (!request || request.next_sibling("request")) return std::nullopt;
        const auto number = request.child("service_request_id");
        if (!number) return std::nullopt;
        return number.text().get();
    }
    const auto body = json::parse(res.body, nullptr, false);
    if (!body.is_array() || body.size() != 1 || !body[0].is_object()) return std::nullopt;
    const auto number = body[0].find("service_request_id");
    if (number == body[0].end() || !number->is_string()) return std::nullopt;
    return number->get<std::string>();
}

// Only the number is logged: never names, addresses, phones or attribute values.
void log_request(const httplib::Request& req, const httplib::Response& res) {
    const auto number = res.status == 200 ? answered_number(res) : std::nullopt;
    std::cerr << "kiosk-register: " << req.method << ' ' << printable(req.path) << ' ' << res.status
              << ' ' << (number ? printable(*number) : "-") << std::endl;
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
                     const Open311Settings& settings, FaultInjector& faults) {
    const auto get = [&](const char* pattern, auto body) {
        server.Get(pattern, faults.wrap(endpoint(settings, body)));
    };
    get(R"(/services\.(json|xml))", [&catalog](const auto&, auto& res, Format format) {
        if (format == Format::Json) return res.set_content(catalog.json_text, kJsonType);
        send(res, format, 200, "services", catalog.list);
    });
    get(R"(/services/([^/]+)\.(json|xml))", [&catalog](const auto& req, auto& res, Format format) {
        show_definition(req, res, format, catalog);
    });
    get(R"(/requests\.(json|xml))", [&](const auto& req, auto& res, Format format) {
        search_requests(req, res, format, catalog, store);
    });
    get(R"(/requests/([^/]+)\.(json|xml))", [&](const auto& req, auto& res, Format format) {
        show_request(req, res, format, catalog, store);
    });
    get(R"(/tokens/([^/]+)\.(json|xml))", [&store](const auto& req, auto& res, Format format) {
        show_token(req, res, format, store);
    });
    server.Post(
        R"(/requests\.(json|xml))",
        with_body(settings,
                  faults.wrap(endpoint(settings, [&](const auto& req, auto& res, Format format) {
                      submit_request(req, res, format, catalog, store, settings);
                  }))));
    if (settings.profile.heartbeats) {
        server.Post(R"(/kiosks/([^/]+)/heartbeat\.json)",
                    faults.wrap([&store, &settings](const auto& req, auto& res) {
                        store_heartbeat(req, res, store, settings.api_key);
                    }));
        server.Post(R"(/kiosks/([^/]+)/diagnostics/([^/]+)\.json)",
                    faults.wrap([&store, &settings](const auto& req, auto& res) {
                        store_diagnostics(req, res, store, settings.api_key);
                    }));
    }
    if (settings.mutual_tls) server.set_pre_routing_handler(check_identity);
    // Unknown paths and httplib's own refusals get the Open311 error shape too.
    server.set_error_handler([&settings](const httplib::Request& req, httplib::Response& res) {
        if (res.body.empty())
            send_error(res, reply_format(settings.profile, req.path), res.status,
                       default_description(res.status));
    });
    server.set_exception_handler(
        [&settings](const httplib::Request& req, httplib::Response& res, std::exception_ptr error) {
            try {
                std::rethrow_exception(error);
            } catch (const std::exception& e) {
                std::cerr << "kiosk-register: internal error: " << e.what() << std::endl;
            } catch (...) {
                std::cerr << "kiosk-register: internal error" << std::endl;
            }
            send_error(res, reply_format(settings.profile, req.path), 500,
                       "internal error in the register");
        });
    server.set_logger(log_request);
}

}  // namespace dev_register
