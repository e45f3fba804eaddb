#include "intake.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <ctime>
#include <optional>
#include <set>
#include <string_view>

#include <common/utf8.h>

#include "datetime.h"
#include "definitions.h"
#include "respond.h"

namespace dev_register {

namespace {

constexpr std::size_t kMaxValueBytes = 8000;
constexpr std::size_t kMaxDescriptionCharacters = 4000;  // the spec's limit
constexpr std::size_t kMaxEmailBytes = 254;
constexpr std::size_t kMaxUrlBytes = 2048;
constexpr std::time_t kExpectedAnswerSeconds = std::time_t{5} * 24 * 60 * 60;

bool is_multi_value(std::string_view name) { return name.ends_with("[]"); }

std::string field_named(std::string_view name) { return "field \"" + std::string(name) + "\""; }

// Section: the spec's fields

enum class Rule { OneLine, Text, Description, Latitude, Longitude, Email, Url };

struct StandardField {
    std::string_view name;
    std::optional<std::string> NewRequest::*member;
    Rule rule;
};

constexpr StandardField kStandardFields[] = {
    {"jurisdiction_id", &NewRequest::jurisdiction_id, Rule::OneLine},
    {"device_id", &NewRequest::device_id, Rule::OneLine},
    {"account_id", &NewRequest::account_id, Rule::OneLine},
    {"address_string", &NewRequest::address_string, Rule::Text},
    {"address_id", &NewRequest::address_id, Rule::OneLine},
    {"lat", &NewRequest::lat, Rule::Latitude},
    {"long", &NewRequest::lon, Rule::Longitude},
    {"description", &NewRequest::description, Rule::Description},
    {"media_url", &NewRequest::media_url, Rule::Url},
    {"first_name", &NewRequest::first_name, Rule::OneLine},
    {"last_name", &NewRequest::last_name, Rule::OneLine},
    {"phone", &NewRequest::phone, Rule::OneLine},
    {"email", &NewRequest::email, Rule::Email}};

const StandardField* standard_field(std::string_view name) {
    for (const auto& field : kStandardFields)
        if (field.name == name) return &field;
    return nullptr;
}

bool within(std::string_view number, double low, double high) {
    if (!is_decimal(number)) return false;
    if (number.starts_with('+')) number.remove_prefix(1);
    double value = 0;
    const auto [end, error] = std::from_chars(number.data(), number.data() + number.size(), value);
    return error == std::errc() && end == number.data() + number.size() && value >= low &&
           value <= high;
}

bool is_email(std::string_view text) {
    const auto at = text.find('@');
    return text.size() <= kMaxEmailBytes && at != std::string_view::npos && at > 0 &&
           at + 1 < text.size() && text.find('@', at + 1) == std::string_view::npos &&
           text.find(' ') == std::string_view::npos && is_one_line(text);
}

// An absolute http(s) URL with a host, in printable ASCII (as URLs are sent: %-escaped).
bool is_http_url(std::string_view text) {
    std::string lower(text.substr(0, 8));
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    const std::size_t scheme = lower.starts_with("https://")  ? 8
                               : lower.starts_with("http://") ? 7
                                                              : 0;
    const bool printable =
        std::all_of(text.begin(), text.end(), [](char c) { return c > 0x20 && c < 0x7F; });
    return scheme > 0 && text.size() <= kMaxUrlBytes && printable && text.size() > scheme &&
           text.find_first_of("/?#", scheme) != scheme;
}

void check_rule(const StandardField& field, const std::string& value) {
    const auto problem = [&](const std::string& what) {
        reject(400, field_named(field.name) + what);
    };
    switch (field.rule) {
    case Rule::OneLine:
        if (!is_one_line(value)) problem(" must be on one line");
        break;
    case Rule::Text: break;
    case Rule::Description:
        if (common::code_point_count(value) > kMaxDescriptionCharacters)
            problem(" is longer than 4000 characters");
        break;
    case Rule::Latitude:
        if (!within(value, -90, 90)) problem(" must be a decimal number from -90 to 90");
        break;
    case Rule::Longitude:
        if (!within(value, -180, 180)) problem(" must be a decimal number from -180 to 180");
        break;
    case Rule::Email:
        if (!is_email(value)) problem(" is not an e-mail address");
        break;
    case Rule::Url:
        if (!is_http_url(value)) problem(" must be an http:// or https:// URL");
        break;
    }
}

// The spec: lat and long together, or address_string, or address_id.
void check_location(const NewRequest& request) {
    if (request.lat.has_value() != request.lon.has_value())
        reject(400, "lat and long must be given together");
    if (!request.lat && !request.address_string && !request.address_id)
        reject(400, "address_string is required (or lat and long, or address_id)");
}

// Section: attributes

// attribute[code] carries one value; attribute[code][] one of several, in order.
void add_attribute(json& attributes, const FormField& field) {
    std::string_view inside = field.name;
    inside.remove_prefix(std::string_view("attribute[").size());
    const bool multi = inside.ends_with("][]");
    const std::size_t suffix = multi ? 3 : 1;
    const auto code = inside.substr(0, inside.size() >= suffix ? inside.size() - suffix : 0);
    if ((!multi && !inside.ends_with(']')) || code.empty() ||
        code.find_first_of("[]") != std::string_view::npos)
        reject(400, field_named(field.name) + " is not attribute[code] or attribute[code][]");
    auto& slot = attributes[std::string(code)];
    if (multi && (slot.is_null() || slot.is_array())) {
        slot.push_back(field.value);
    } else if (!multi && slot.is_null()) {
        slot = field.value;
    } else {
        reject(400, "attribute \"" + std::string(code) + "\" mixes single and multi-value forms");
    }
}

std::vector<std::string> values_of(const json& given) {
    if (given.is_string()) return {given.get<std::string>()};
    return given.get<std::vector<std::string>>();
}

void check_value(const AttributeDefinition& attribute, const json& given) {
    const std::string name = "attribute[" + attribute.code + "]";
    const auto values = values_of(given);
    if (values.size() > 1 && attribute.datatype != "multivaluelist")
        reject(400, name + " takes one value");
    for (const auto& value : values) {
        if (is_list_datatype(attribute.datatype)) {
            const bool listed =
                std::any_of(attribute.values.begin(), attribute.values.end(),
                            [&](const auto& entry) { return entry.first == value; });
            if (!listed) reject(400, name + " is not one of the service definition's values");
        } else if (attribute.datatype == "number" && !is_decimal(value)) {
            reject(400, name + " must be a number");
        } else if (attribute.datatype == "datetime" && !parse_iso_datetime(value)) {
            reject(400, name + " must be an ISO 8601 datetime with a zone");
        } else if (attribute.datatype == "string" && !is_one_line(value)) {
            reject(400, name + " must be on one line");
        }
    }
}

bool is_blank(const json& given) {
    return given.is_string() ? given.get_ref<const std::string&>().empty() : given.empty();
}

// As a plain server: the definition's attributes checked, the rest dropped silently.
json apply_definition(const json& attributes, const Service& service) {
    json kept = json::object();
    for (const auto& attribute : service.attributes) {
        if (!attribute.variable) continue;  // information for the citizen, not input
        const auto given = attributes.find(attribute.code);
        if (given == attributes.end() || is_blank(*given)) {
            if (attribute.required) reject(400, "attribute[" + attribute.code + "] is required");
            continue;
        }
        check_value(attribute, *given);
        kept[attribute.code] = *given;
    }
    return kept;
}

}  // namespace

bool is_decimal(std::string_view text) {
    if (text.starts_with('-') || text.starts_with('+')) text.remove_prefix(1);
    const auto point = text.find('.');
    const auto whole = text.substr(0, point);
    const auto fraction =
        point == std::string_view::npos ? std::string_view{} : text.substr(point + 1);
    const auto digits = [](std::string_view part) {
        return std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; });
    };
    return !whole.empty() && digits(whole) && digits(fraction) &&
           (point == std::string_view::npos || !fraction.empty());
}

void check_text(const std::vector<FormField>& fields) {
    std::set<std::string_view> seen;
    for (const auto& field : fields) {
        if (!is_clean_text(field.name))
            reject(400, "a field name is not UTF-8 or contains control characters");
        if (!is_clean_text(field.value))
            reject(400, field_named(field.name) + " is not UTF-8 or contains control characters");
        if (field.value.size() > kMaxValueBytes)
            reject(400, field_named(field.name) + " is longer than " +
                            std::to_string(kMaxValueBytes) + " bytes");
        if (!seen.insert(field.name).second && !is_multi_value(field.name))
            reject(400, field_named(field.name) + " is given more than once");
    }
}

NewRequest build_request(const std::vector<FormField>& fields, const std::string& service_code,
                         const Service& service, bool enforce_definition) {
    NewRequest request;
    request.service_code = service_code;
    auto attributes = json::object();
    for (const auto& field : fields) {
        if (field.name == "api_key" || field.name == "service_code") continue;
        if (const auto* standard = standard_field(field.name)) {
            if (field.value.empty()) continue;  // an empty field is one not given
            check_rule(*standard, field.value);
            request.*(standard->member) = field.value;
        } else if (field.name.starts_with("attribute[")) {
            add_attribute(attributes, field);
        } else {
            reject(400, field_named(field.name) + " is not supported by this register");
        }
    }
    check_location(request);
    if (enforce_definition) attributes = apply_definition(attributes, service);
    request.attributes_json = attributes.dump();
    const std::time_t now = std::time(nullptr);
    request.requested_at = now;
    request.requested_datetime = iso_datetime(now);
    request.expected_datetime = iso_datetime(now + kExpectedAnswerSeconds);
    return request;
}

}  // namespace dev_register
