#include "net/open311.h"

#include "xml_answer.h"

#include <curl/curl.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <optional>
#include <string>

namespace net {
namespace {

using json = nlohmann::json;

constexpr std::size_t kMaxDescriptionBytes = 300;    // an Open311 error's description
constexpr std::size_t kMaxNotesBytes = 4000;         // status_notes, service_notice
constexpr std::size_t kMaxRequestTextBytes = 16000;  // a description: 4,000 characters of UTF-8
constexpr std::size_t kMaxCodeBytes = 64;
constexpr std::size_t kMaxNameBytes = 300;
constexpr int kMaxOrder = 1000000;

// Section: checking values

// Text from the register that we log, show, print or put in a URL: 1 to max bytes and no C0,
// DEL or C1 control characters (\n and \t only in multiline text). UTF-8 validity was already
// checked by the JSON parser or xml_answer().
bool clean(std::string_view s, std::size_t max, bool multiline = false) {
    if (s.empty() || s.size() > max) return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (multiline && (c == '\n' || c == '\t')) continue;
        if (c < 0x20 || c == 0x7F) return false;
        if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) <= 0x9F)
            return false;  // U+0080..U+009F
    }
    return true;
}

bool clean_string(const json& v, std::size_t max) {
    return v.is_string() && clean(v.get_ref<const std::string&>(), max);
}

// The number of `digits` digits at `at`, when it lies within [low, high].
bool number_at(std::string_view s, std::size_t at, std::size_t digits, int low, int high) {
    if (at + digits > s.size()) return false;
    int value = 0;
    for (std::size_t i = at; i < at + digits; ++i) {
        if (s[i] < '0' || s[i] > '9') return false;
        value = value * 10 + (s[i] - '0');
    }
    return value >= low && value <= high;
}

// ISO 8601 date and time with a zone: 2026-11-27T10:15+05:00, seconds and a fraction optional.
bool iso_datetime(std::string_view s) {
    if (s.size() < 17 || s.size() > 40 || !number_at(s, 0, 4, 1, 9999) || s[4] != '-' ||
        !number_at(s, 5, 2, 1, 12) || s[7] != '-' || !number_at(s, 8, 2, 1, 31) || s[10] != 'T' ||
        !number_at(s, 11, 2, 0, 23) || s[13] != ':' || !number_at(s, 14, 2, 0, 59))
        return false;
    std::size_t i = 16;
    if (s[i] == ':') {
        if (!number_at(s, i + 1, 2, 0, 60)) return false;  // 60: a leap second
        i += 3;
        if (i < s.size() && s[i] == '.') {
            const std::size_t first = ++i;
            while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
            if (i == first || i - first > 9) return false;
        }
    }
    const auto zone = s.substr(std::min(i, s.size()));
    return zone == "Z" ||
           (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') &&
            number_at(zone, 1, 2, 0, 23) && zone[3] == ':' && number_at(zone, 4, 2, 0, 59));
}

// Section: reading answers

// Discarded (never an exception) for anything that is not JSON, for oversized bodies handed
// to a parser directly, and for a NUL byte anywhere: the JSON reader would take it as the end
// and ignore whatever follows.
json parse_json(std::string_view body) {
    if (body.size() > kMaxAnswerBytes || body.find('\0') != std::string_view::npos)
        return json(json::value_t::discarded);
    return json::parse(body.begin(), body.end(), nullptr, false);
}

// Both formats end up in the JSON answer's shape, checked below by the same rules.
json parse_answer(std::string_view body, Format format) {
    return format == Format::Xml ? xml_answer(body) : parse_json(body);
}

// Open311 answers about one request are a list holding exactly that request.
const json* only_object(const json& j) {
    return j.is_array() && j.size() == 1 && j[0].is_object() ? &j[0] : nullptr;
}

// Text as servers keep what a browser sent: CRLF (or a lone CR) read as LF.
std::string unix_lines(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '\r') {
            out += s[i];
        } else if (i + 1 == s.size() || s[i + 1] != '\n') {
            out += '\n';
        }
    }
    return out;
}

enum class Field { Absent, Valid, Invalid };

// Whether an optional field is there at all: absent, null and "" are not.
bool absent(const json& object, json::const_iterator it) {
    return it == object.end() || it->is_null() ||
           (it->is_string() && it->get_ref<const std::string&>().empty());
}

// service_request_id, token or a code: a clean string, or a non-negative integer as the spec's
// own examples send ids and codes (kept as its decimal text); null and "" count as absent
// (XML has no null: an empty element is its way of saying none).
Field read_key(const json& object, const char* key, std::size_t max, std::string& out) {
    const auto it = object.find(key);
    if (absent(object, it)) return Field::Absent;
    if (it->is_number_unsigned()) {
        out = std::to_string(it->get<std::uint64_t>());
        return Field::Valid;
    }
    if (!clean_string(*it, max)) return Field::Invalid;
    out = it->get<std::string>();
    return Field::Valid;
}

// An optional text: absent, null or "" leaves `out` empty; anything else must be a string
// that `valid` accepts (multiline text is read with CRLF as LF first).
template <class Valid>
Field read_text(const json& object, const char* key, Valid valid, std::string& out,
                bool multiline = false) {
    const auto it = object.find(key);
    if (absent(object, it)) return Field::Absent;
    if (!it->is_string()) return Field::Invalid;
    std::string text =
        multiline ? unix_lines(it->get_ref<const std::string&>()) : it->get<std::string>();
    if (!valid(text)) return Field::Invalid;
    out = std::move(text);
    return Field::Valid;
}

// A boolean, or the "true"/"false" XML gives; absent keeps `out` (the default).
bool read_flag(const json& object, const char* key, bool& out) {
    const auto it = object.find(key);
    if (absent(object, it)) return true;
    if (it->is_boolean()) {
        out = it->get<bool>();
        return true;
    }
    if (*it == "true" || *it == "false") {
        out = *it == "true";
        return true;
    }
    return false;
}

// A non-negative whole number up to `max`, or its digits as XML gives it; absent keeps `out`.
bool read_count(const json& object, const char* key, int max, int& out) {
    const auto it = object.find(key);
    if (absent(object, it)) return true;
    if (it->is_number_unsigned()) {
        if (it->get<std::uint64_t>() > static_cast<std::uint64_t>(max)) return false;
        out = static_cast<int>(it->get<std::uint64_t>());
        return true;
    }
    if (!it->is_string()) return false;
    const auto& digits = it->get_ref<const std::string&>();
    if (digits.empty() || digits.size() > 9 ||
        digits.find_first_not_of("0123456789") != std::string::npos)
        return false;
    const long value = std::stol(digits);
    if (value > max) return false;
    out = static_cast<int>(value);
    return true;
}

// A display name of the catalog: a bad one is left out rather than failing the catalog.
std::string name_or_empty(const json& service, const char* key) {
    const auto it = service.find(key);
    return it != service.end() && clean_string(*it, kMaxNameBytes) ? it->get<std::string>() : "";
}

bool is_code(const std::string& s) { return clean(s, kMaxCodeBytes); }
bool is_notes(const std::string& s) { return clean(s, kMaxNotesBytes, true); }
bool is_datetime(const std::string& s) { return iso_datetime(s); }

// Section: HTTP status

// What an error answer says: [{"code":403,"description":"Invalid api_key"}] or the XML
// <errors> form. A server may answer an error in the other format than asked (a proxy, a
// framework's default), so that is read too.
struct ErrorAnswer {
    std::string text;        // "HTTP 403: Invalid api_key"; the description only when clean
    bool names_fix = false;  // a description names something staff must fix
};

// The spec's 400 is both "General Service Error" (the server's trouble: try again) and a
// request staff must fix; only the description tells which.
bool names_a_fix(std::string_view description) {
    std::string lower(description);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    for (const char* what : {"api_key", "jurisdiction", "service_code", "attribute", "required"})
        if (lower.find(what) != std::string::npos) return true;
    return false;
}

ErrorAnswer read_error(long status, std::string_view body, Format format) {
    ErrorAnswer out{"HTTP " + std::to_string(status)};
    json j = parse_answer(body, format);
    if (!j.is_array()) j = parse_answer(body, format == Format::Xml ? Format::Json : Format::Xml);
    if (!j.is_array()) return out;
    for (const auto& error : j) {
        const auto description = error.is_object() ? error.find("description") : error.end();
        if (!error.is_object() || description == error.end() || !description->is_string()) continue;
        out.names_fix |= names_a_fix(description->get_ref<const std::string&>());
        if (&error == &j[0] && clean_string(*description, kMaxDescriptionBytes))
            out.text += ": " + description->get<std::string>();
    }
    return out;
}

// Whether a refusal will stand: a 4xx other than a timeout, a rate limit or a General Service
// Error.
Outcome refusal(long status, bool names_fix) {
    if (status == 400) return names_fix ? Outcome::Rejected : Outcome::Unreachable;
    const bool for_good = status >= 400 && status < 500 && status != 408 && status != 429;
    return for_good ? Outcome::Rejected : Outcome::Unreachable;
}

// For an answer that is not 2xx: sets the outcome and the error and returns true.
template <class Result>
bool unsuccessful(long status, std::string_view body, Format format, Result& out) {
    out.http_status = status;
    if (status >= 200 && status < 300) return false;
    const ErrorAnswer error = read_error(status, body, format);
    out.outcome = refusal(status, error.names_fix);
    out.error = error.text;
    return true;
}

template <class Result>
Result malformed(Result out, const std::string& what) {
    out.outcome = Outcome::Unreachable;
    out.error = "malformed answer: " + what;
    return out;
}

// Section: one request

struct Keys {
    Field id = Field::Absent, token = Field::Absent;
    std::string id_value, token_value;
};

Keys request_keys(const json& request) {
    Keys keys;
    keys.id = read_key(request, "service_request_id", kMaxIdBytes, keys.id_value);
    keys.token = read_key(request, "token", kMaxTokenBytes, keys.token_value);
    return keys;
}

// Everything of a request but its id; "" when valid, else what is wrong. A description that
// is not clean text is left out, not an error: it is anyone's words, searched only for the
// kiosk's reference, and one odd request must not hide all the others of a search.
std::string read_request(const json& request, RequestStatus& status) {
    const auto is_state = [](const std::string& s) { return s == "open" || s == "closed"; };
    if (read_text(request, "status", is_state, status.status) != Field::Valid)
        return "status is not \"open\" or \"closed\"";
    if (read_text(request, "status_notes", is_notes, status.status_notes, true) == Field::Invalid)
        return "status_notes is not text";
    for (const auto& [key, out] : {std::pair{"updated_datetime", &status.updated_datetime},
                                   std::pair{"expected_datetime", &status.expected_datetime},
                                   std::pair{"requested_datetime", &status.requested_datetime}})
        if (read_text(request, key, is_datetime, *out) == Field::Invalid)
            return "a datetime is not ISO 8601 with a zone";
    if (read_key(request, "service_code", kMaxCodeBytes, status.service_code) == Field::Invalid)
        return "service_code is not a valid code";
    const auto is_description = [](const std::string& s) {
        return clean(s, kMaxRequestTextBytes, true);
    };
    const auto description = request.find("description");
    if (description != request.end() && !description->is_null() && !description->is_string())
        return "description is not text";
    read_text(request, "description", is_description, status.description, true);
    return "";
}

// Section: one service and its attributes

std::string read_service(const json& s, Service& out) {
    if (!s.is_object() || read_key(s, "service_code", kMaxCodeBytes, out.code) != Field::Valid ||
        !s.contains("service_name") || !clean_string(s["service_name"], kMaxNameBytes))
        return "a service without a valid code or name";
    if (!read_flag(s, "metadata", out.metadata)) return "metadata is not true or false";
    out.name = s["service_name"];
    out.name_kk = name_or_empty(s, "service_name_kk");
    out.name_en = name_or_empty(s, "service_name_en");
    out.group = name_or_empty(s, "group");
    out.group_kk = name_or_empty(s, "group_kk");
    out.group_en = name_or_empty(s, "group_en");
    const auto type = s.find("type");
    if (type != s.end() && (*type == "realtime" || *type == "batch" || *type == "blackbox"))
        out.type = type->get<std::string>();
    return "";
}

std::string read_values(const json& attribute, ServiceAttribute& out) {
    const auto values = attribute.find("values");
    if (values == attribute.end() || values->is_null() || *values == "") return "";
    if (!values->is_array()) return "values is not a list";
    for (const auto& v : *values) {
        std::string key;
        if (!v.is_object() || read_key(v, "key", kMaxCodeBytes, key) != Field::Valid ||
            !v.contains("name") || !clean_string(v["name"], kMaxNameBytes))
            return "a value without a valid key or name";
        out.values.emplace_back(std::move(key), v["name"].get<std::string>());
    }
    return "";
}

std::string read_attribute(const json& a, ServiceAttribute& out) {
    if (!a.is_object() || read_key(a, "code", kMaxCodeBytes, out.code) != Field::Valid)
        return "an attribute without a valid code";
    if (!read_flag(a, "variable", out.variable) || !read_flag(a, "required", out.required))
        return "variable or required is not true or false";
    if (read_text(a, "datatype", is_code, out.datatype) == Field::Invalid)
        return "datatype is not a valid name";
    if (read_text(a, "description", is_notes, out.description, true) == Field::Invalid)
        return "an attribute's description is not text";
    if (!read_count(a, "order", kMaxOrder, out.order)) return "order is not a whole number";
    return read_values(a, out);
}

}  // namespace

// Section: answers

SubmitResult parse_submit_answer(long http_status, std::string_view body, Format format) {
    SubmitResult out;
    if (unsuccessful(http_status, body, format, out)) {
        out.maybe_filed = http_status >= 500;  // the server may have filed it before failing
        return out;
    }
    // A 2xx took the request, for all we know, until the answer says what became of it.
    out.maybe_filed = true;
    const json j = parse_answer(body, format);
    if (j.is_array() && j.empty()) return malformed(out, "an empty list");
    const json* request = only_object(j);
    if (!request) return malformed(out, "not a list of one Open311 request");
    const Keys keys = request_keys(*request);
    if (keys.id == Field::Invalid || keys.token == Field::Invalid)
        return malformed(out, "service_request_id or token is not a valid string");
    // A blackbox service's only word is its notice; any clean text of it is kept.
    const auto any_text = [](const std::string&) { return true; };
    std::string notice;
    const Field said = read_text(*request, "service_notice", any_text, notice, true);
    if (said == Field::Invalid) return malformed(out, "service_notice is not text");
    if (is_notes(notice)) out.notice = notice;
    if (keys.id == Field::Valid) {
        out.outcome = Outcome::Registered;
        out.service_request_id = keys.id_value;
    } else if (keys.token == Field::Valid) {
        out.outcome = Outcome::Pending;
        out.token = keys.token_value;
    } else if (said == Field::Valid) {
        out.outcome = Outcome::Delivered;
    } else {
        return malformed(out, "no service_request_id, token or service_notice");
    }
    out.maybe_filed = false;
    return out;
}

SubmitResult parse_token_answer(long http_status, std::string_view body, Format format) {
    SubmitResult out;
    if (unsuccessful(http_status, body, format, out)) {
        // Whatever it names, a 400 here is about the look-up: look again, never post again.
        if (http_status == 400) out.outcome = Outcome::Unreachable;
        return out;
    }
    const json j = parse_answer(body, format);
    const json* request = only_object(j);
    if (!request) return malformed(out, "not a list of one Open311 token");
    const Keys keys = request_keys(*request);
    if (keys.id == Field::Invalid || keys.token == Field::Invalid)
        return malformed(out, "service_request_id or token is not a valid string");
    out.token = keys.token_value;
    out.outcome = keys.id == Field::Valid ? Outcome::Registered : Outcome::Pending;
    out.service_request_id = keys.id_value;
    return out;
}

StatusResult parse_status_answer(long http_status, std::string_view body, Format format) {
    StatusResult out;
    if (unsuccessful(http_status, body, format, out)) return out;
    const json j = parse_answer(body, format);
    const json* request = only_object(j);
    if (!request) return malformed(out, "not a list of one Open311 request");
    RequestStatus status;
    if (read_key(*request, "service_request_id", kMaxIdBytes, status.service_request_id) !=
        Field::Valid)
        return malformed(out, "no valid service_request_id");
    if (auto problem = read_request(*request, status); !problem.empty())
        return malformed(out, problem);
    out.outcome = Outcome::Registered;
    out.request = std::move(status);
    return out;
}

SearchResult parse_search_answer(long http_status, std::string_view body, Format format) {
    SearchResult out;
    if (unsuccessful(http_status, body, format, out)) {
        // A server that has no search, or not with these filters, will not have it later.
        if (http_status == 400 || http_status == 501) out.outcome = Outcome::Rejected;
        return out;
    }
    const json j = parse_answer(body, format);
    if (!j.is_array()) return malformed(out, "not a list of Open311 requests");
    std::vector<RequestStatus> found;
    for (const auto& request : j) {
        if (!request.is_object()) return malformed(out, "a request is not an object");
        RequestStatus status;
        if (read_key(request, "service_request_id", kMaxIdBytes, status.service_request_id) !=
            Field::Valid)
            continue;  // nothing to match a kiosk's request against
        if (auto problem = read_request(request, status); !problem.empty())
            return malformed(out, "request " + status.service_request_id + ": " + problem);
        found.push_back(std::move(status));
    }
    out.outcome = Outcome::Registered;
    out.requests = std::move(found);
    return out;
}

ServicesResult parse_services(long http_status, std::string_view body, Format format) {
    if (http_status < 200 || http_status >= 300)
        return {false, {}, read_error(http_status, body, format).text};
    const json j = parse_answer(body, format);
    if (!j.is_array()) return {false, {}, "malformed service list: not a list of services"};
    ServicesResult out{true, {}, ""};
    for (const auto& s : j) {
        Service service;
        if (auto problem = read_service(s, service); !problem.empty())
            return {false, {}, "malformed service list: " + problem};
        out.services.push_back(std::move(service));
    }
    return out;
}

DefinitionResult parse_service_definition(long http_status, std::string_view body, Format format) {
    DefinitionResult out;
    if (unsuccessful(http_status, body, format, out)) return out;
    const json j = parse_answer(body, format);
    ServiceDefinition definition;
    if (!j.is_object() ||
        read_key(j, "service_code", kMaxCodeBytes, definition.service_code) != Field::Valid)
        return malformed(out, "not a service definition with a valid service_code");
    const auto attributes = j.find("attributes");
    if (attributes == j.end() || !(attributes->is_array() || *attributes == ""))
        return malformed(out, "attributes is not a list");
    if (attributes->is_array()) {
        for (const auto& a : *attributes) {
            ServiceAttribute attribute;
            if (auto problem = read_attribute(a, attribute); !problem.empty())
                return malformed(out, problem);
            definition.attributes.push_back(std::move(attribute));
        }
    }
    out.outcome = Outcome::Registered;
    out.definition = std::move(definition);
    return out;
}

// Section: the heartbeat and its commands

namespace {

constexpr std::size_t kMaxSignatureBytes = 128;  // base64 of 64 bytes is 88

// One {"payload": "...", "signature": "..."}; false when it is not one within bounds. The
// payload is kept as its exact bytes: the signature is over them.
bool read_command(const json& c, SignedCommand& out) {
    if (!c.is_object() || c.size() != 2) return false;
    const auto payload = c.find("payload"), signature = c.find("signature");
    if (payload == c.end() || signature == c.end() || !payload->is_string() ||
        !signature->is_string())
        return false;
    const auto& p = payload->get_ref<const std::string&>();
    const auto& s = signature->get_ref<const std::string&>();
    if (p.empty() || p.size() > kMaxCommandPayloadBytes || s.empty() ||
        s.size() > kMaxSignatureBytes)
        return false;
    out = {p, s};
    return true;
}

void read_commands(const json& answer, HeartbeatResult& out) {
    const auto list = answer.find("commands");
    if (list == answer.end() || list->is_null()) return;
    if (!list->is_array()) {
        out.commands_ignored = 1;
        return;
    }
    for (const json& c : *list) {
        SignedCommand command;
        if (out.commands.size() < kMaxCommandsPerAnswer && read_command(c, command))
            out.commands.push_back(std::move(command));
        else
            ++out.commands_ignored;
    }
}

}  // namespace

HeartbeatResult parse_heartbeat_answer(long http_status, std::string_view body) {
    HeartbeatResult out;
    if (unsuccessful(http_status, body, Format::Json, out)) return out;
    if (body.empty()) {
        out.outcome = Outcome::Registered;
        return out;
    }
    const json answer = parse_json(body);
    if (!answer.is_object()) return malformed(out, "not a JSON object");
    out.outcome = Outcome::Registered;
    read_commands(answer, out);
    return out;
}

UploadResult parse_upload_answer(long http_status, std::string_view body) {
    UploadResult out;
    if (unsuccessful(http_status, body, Format::Json, out)) return out;
    out.outcome = Outcome::Registered;
    return out;
}

// Section: Retry-After

std::chrono::seconds parse_retry_after(std::string_view value,
                                       std::chrono::system_clock::time_point now) {
    using std::chrono::seconds;
    if (value.empty()) return seconds(0);
    if (value.find_first_not_of("0123456789") == std::string_view::npos) {
        // More digits than the cap has cannot be converted without overflowing; they are the cap.
        const auto digits = value.substr(std::min(value.find_first_not_of('0'), value.size()));
        if (digits.size() > 5) return kMaxRetryAfter;
        return std::min(seconds(digits.empty() ? 0 : std::stol(std::string(digits))),
                        kMaxRetryAfter);
    }
    // curl_getdate reads all three HTTP-date forms (RFC 9110 5.6.7) and knows no locale.
    const std::time_t when = curl_getdate(std::string(value).c_str(), nullptr);
    if (when < 0) return seconds(0);
    // Compared in whole seconds first: a date after 2262 (up to year 9999 and beyond) does not
    // fit the clock's nanoseconds. (when >= 0, so the subtraction cannot overflow.)
    if (when - kMaxRetryAfter.count() > std::chrono::system_clock::to_time_t(now))
        return kMaxRetryAfter;
    const auto wait =
        std::chrono::ceil<seconds>(std::chrono::system_clock::from_time_t(when) - now);
    return std::clamp(wait, seconds(0), kMaxRetryAfter);
}

}  // namespace net
