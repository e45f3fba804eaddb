#include "net/open311.h"

#include <curl/curl.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>

namespace net {
namespace {

using json = nlohmann::json;

constexpr std::size_t kMaxDescriptionBytes = 300;
constexpr std::size_t kMaxNotesBytes = 4000;
constexpr std::size_t kMaxCodeBytes = 64;

// Section: checking values

// Text from the register that we log, show, print or put in a URL: 1 to max bytes and no C0,
// DEL or C1 control characters (\n and \t only in multiline text). UTF-8 validity was already
// checked by the JSON parser.
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

// Section: reading JSON

// Discarded (never an exception) for anything that is not JSON, for oversized bodies handed
// to a parser directly, and for a NUL byte anywhere: the JSON reader would take it as the end
// and ignore whatever follows.
json parse_json(std::string_view body) {
    if (body.size() > kMaxAnswerBytes || body.find('\0') != std::string_view::npos)
        return json(json::value_t::discarded);
    return json::parse(body.begin(), body.end(), nullptr, false);
}

// Open311 answers about one request are a list holding exactly that request.
const json* only_object(const json& j) {
    return j.is_array() && j.size() == 1 && j[0].is_object() ? &j[0] : nullptr;
}

enum class Field { Absent, Valid, Invalid };

// service_request_id or token: a clean string, or a non-negative integer as some Open311
// servers send ids; null counts as absent.
Field read_key(const json& object, const char* key, std::size_t max, std::string& out) {
    const auto it = object.find(key);
    if (it == object.end() || it->is_null()) return Field::Absent;
    if (it->is_number_unsigned()) {
        out = std::to_string(it->get<std::uint64_t>());
        return Field::Valid;
    }
    if (!clean_string(*it, max)) return Field::Invalid;
    out = it->get<std::string>();
    return Field::Valid;
}

struct Keys {
    Field id = Field::Absent, token = Field::Absent;
    std::string id_value, token_value;
};

// The id and token of the one request an answer is about; nullopt when it is not such a list.
std::optional<Keys> request_keys(std::string_view body) {
    const json j = parse_json(body);
    const json* request = only_object(j);
    if (!request) return std::nullopt;
    Keys keys;
    keys.id = read_key(*request, "service_request_id", kMaxIdBytes, keys.id_value);
    keys.token = read_key(*request, "token", kMaxTokenBytes, keys.token_value);
    return keys;
}

// An optional text field of a status: absent or null leaves `out` empty, anything else must
// be valid.
template <class Valid>
bool optional_field(const json& object, const char* key, Valid valid, std::string& out) {
    const auto it = object.find(key);
    if (it == object.end() || it->is_null()) return true;
    if (!it->is_string() || !valid(it->get_ref<const std::string&>())) return false;
    out = it->get<std::string>();
    return true;
}

// A display name of the catalog: a bad one is left out rather than failing the catalog.
std::string name_or_empty(const json& service, const char* key) {
    const auto it = service.find(key);
    return it != service.end() && clean_string(*it, 300) ? it->get<std::string>() : "";
}

// Section: HTTP status

// A 4xx other than a timeout or a rate limit: this request will never be taken as it is.
bool refused_for_good(long status) {
    return status >= 400 && status < 500 && status != 408 && status != 429;
}

// Open311 errors: [{"code":403,"description":"Invalid api_key"}]. The description is the
// register's words about our request, safe to log once checked.
std::string open311_error(long status, std::string_view body) {
    std::string what = "HTTP " + std::to_string(status);
    const json j = parse_json(body);
    if (j.is_array() && !j.empty() && j[0].is_object()) {
        const auto description = j[0].find("description");
        if (description != j[0].end() && clean_string(*description, kMaxDescriptionBytes))
            what += ": " + description->get<std::string>();
    }
    return what;
}

// For an answer that is not 2xx: sets the outcome and the error and returns true.
template <class Result>
bool unsuccessful(long status, std::string_view body, Result& out) {
    out.http_status = status;
    if (status >= 200 && status < 300) return false;
    out.outcome = refused_for_good(status) ? Outcome::Rejected : Outcome::Unreachable;
    out.error = open311_error(status, body);
    return true;
}

template <class Result>
Result malformed(Result out, const std::string& what) {
    out.outcome = Outcome::Unreachable;
    out.error = "malformed answer: " + what;
    return out;
}

}  // namespace

// Section: answers

SubmitResult parse_submit_answer(long http_status, std::string_view body) {
    SubmitResult out;
    if (unsuccessful(http_status, body, out)) return out;
    const auto keys = request_keys(body);
    if (!keys) return malformed(out, "not a list of one Open311 request");
    if (keys->id == Field::Invalid || keys->token == Field::Invalid)
        return malformed(out, "service_request_id or token is not a valid string");
    if (keys->id == Field::Valid && keys->token == Field::Valid)
        return malformed(out, "both service_request_id and token");
    if (keys->id == Field::Valid) {
        out.outcome = Outcome::Registered;
        out.service_request_id = keys->id_value;
    } else if (keys->token == Field::Valid) {
        out.outcome = Outcome::Pending;
        out.token = keys->token_value;
    } else {
        return malformed(out, "no service_request_id and no token");
    }
    return out;
}

SubmitResult parse_token_answer(long http_status, std::string_view body) {
    SubmitResult out;
    if (unsuccessful(http_status, body, out)) return out;
    const auto keys = request_keys(body);
    if (!keys) return malformed(out, "not a list of one Open311 token");
    if (keys->id == Field::Invalid || keys->token == Field::Invalid)
        return malformed(out, "service_request_id or token is not a valid string");
    out.token = keys->token_value;
    out.outcome = keys->id == Field::Valid ? Outcome::Registered : Outcome::Pending;
    out.service_request_id = keys->id_value;
    return out;
}

StatusResult parse_status_answer(long http_status, std::string_view body) {
    StatusResult out;
    if (unsuccessful(http_status, body, out)) return out;
    const json j = parse_json(body);
    const json* request = only_object(j);
    if (!request) return malformed(out, "not a list of one Open311 request");
    RequestStatus status;
    if (read_key(*request, "service_request_id", kMaxIdBytes, status.service_request_id) !=
        Field::Valid)
        return malformed(out, "no valid service_request_id");
    const auto is_state = [](const std::string& s) { return s == "open" || s == "closed"; };
    const auto is_notes = [](const std::string& s) { return clean(s, kMaxNotesBytes, true); };
    const auto is_datetime = [](const std::string& s) { return iso_datetime(s); };
    if (!optional_field(*request, "status", is_state, status.status) || status.status.empty())
        return malformed(out, "status is not \"open\" or \"closed\"");
    if (!optional_field(*request, "status_notes", is_notes, status.status_notes))
        return malformed(out, "status_notes is not text");
    if (!optional_field(*request, "updated_datetime", is_datetime, status.updated_datetime) ||
        !optional_field(*request, "expected_datetime", is_datetime, status.expected_datetime))
        return malformed(out, "a datetime is not ISO 8601 with a zone");
    out.outcome = Outcome::Registered;
    out.request = std::move(status);
    return out;
}

ServicesResult parse_services(long http_status, std::string_view body) {
    if (http_status < 200 || http_status >= 300)
        return {false, {}, open311_error(http_status, body)};
    const json j = parse_json(body);
    if (!j.is_array() || j.empty())
        return {false, {}, "malformed services.json: not a list of services"};
    ServicesResult out{true, {}, ""};
    for (const auto& s : j) {
        if (!s.is_object() || !s.contains("service_code") ||
            !clean_string(s["service_code"], kMaxCodeBytes) || !s.contains("service_name") ||
            !clean_string(s["service_name"], 300))
            return {false, {}, "malformed services.json: a service without a valid code or name"};
        out.services.push_back({s["service_code"], s["service_name"],
                                name_or_empty(s, "service_name_kk"),
                                name_or_empty(s, "service_name_en"), name_or_empty(s, "group"),
                                name_or_empty(s, "group_kk"), name_or_empty(s, "group_en")});
    }
    return out;
}

HeartbeatResult parse_heartbeat_answer(long http_status, std::string_view body) {
    HeartbeatResult out;
    if (unsuccessful(http_status, body, out)) return out;
    if (!body.empty() && !parse_json(body).is_object()) return malformed(out, "not a JSON object");
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
