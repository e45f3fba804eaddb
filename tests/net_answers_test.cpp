// net/open311's answer parsers, without a network: a conformance table of the answers
// GeoReport v2 allows for every endpoint, each in JSON and in XML; tables of malformed answers
// in both formats that must never crash nor register anything; and Retry-After.

#include <chrono>
#include <ctime>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "net/open311.h"

namespace {

using namespace std::chrono_literals;
using net::Format;
using net::Outcome;
using nlohmann::json;

// Section: one answer, two formats

// Every case below is written once, as the JSON answer; to_xml() writes the same answer the
// way the spec's XML examples do (a list element holding one item element per entry, a field
// per element, null as an empty element, numbers and booleans as their text), and each case
// runs in both formats. Cases with a JSON type that XML cannot express run as JSON only.

constexpr Format kFormats[] = {Format::Json, Format::Xml};

std::string xml_text(const std::string& s) {
    std::string out;
    for (const char c : s) {
        if (c == '&')
            out += "&amp;";
        else if (c == '<')
            out += "&lt;";
        else if (c == '>')
            out += "&gt;";
        else
            out += c;
    }
    return out;
}

// The spec's item element of each list element.
std::string item_of(const std::string& list) {
    if (list == "service_requests") return "request";
    if (list == "services") return "service";
    if (list == "errors") return "error";
    if (list == "attributes") return "attribute";
    if (list == "values") return "value";
    throw std::invalid_argument("no XML list is named " + list);
}

void append_element(std::string& out, const std::string& name, const json& value) {
    if (value.is_null()) {
        out += "<" + name + "/>";
        return;
    }
    out += "<" + name + ">";
    if (value.is_object()) {
        for (const auto& [key, field] : value.items()) append_element(out, key, field);
    } else if (value.is_array()) {
        for (const auto& item : value) append_element(out, item_of(name), item);
    } else {
        out += xml_text(value.is_string() ? value.get<std::string>() : value.dump());
    }
    out += "</" + name + ">";
}

std::string to_xml(const std::string& json_body, const std::string& root) {
    if (json_body.empty()) return "";
    std::string out = R"(<?xml version="1.0" encoding="utf-8"?>)";
    append_element(out, root, json::parse(json_body));  // test data: a typo throws
    return out;
}

// A case's body in `format`: an error list when the status is not 2xx, else an answer whose
// root element is `root`.
std::string body_in(Format format, long status, const std::string& json_body,
                    const std::string& root) {
    if (format == Format::Json) return json_body;
    return to_xml(json_body, status >= 200 && status < 300 ? root : "errors");
}

std::string describe(Format format, const char* what) {
    return std::string(net::format_name(format)) + ": " + what;
}

// Section: conformance: POST requests and GET tokens/{token}

struct SubmitCase {
    const char* what;
    long status;
    std::string body;  // JSON
    Outcome outcome;
    std::string id, token, notice;
    bool maybe_filed;
    std::string error;  // what the error starts with; empty: no error
    bool json_only = false;
};

std::string error_list(int code, const std::string& description) {
    return json::array({{{"code", code}, {"description", description}}}).dump();
}

const SubmitCase kSubmitCases[] = {
    {"the spec's example: a numeric id", 201,
     R"([{"service_request_id":293944,"service_notice":"","account_id":null}])",
     Outcome::Registered, "293944", "", "", false, ""},
    {"an id and a notice", 200,
     R"([{"service_request_id":"ЖТ-2026-00000742","service_notice":"Өтініш тіркелді"}])",
     Outcome::Registered, "ЖТ-2026-00000742", "", "Өтініш тіркелді", false, ""},
    {"an id and a token: the id", 200, R"([{"service_request_id":"638344","token":"12345"}])",
     Outcome::Registered, "638344", "", "", false, ""},
    {"a token alone", 200, R"([{"token":"12345","service_request_id":null}])", Outcome::Pending, "",
     "12345", "", false, ""},
    {"a numeric token, an empty id", 200, R"([{"token":12345,"service_request_id":""}])",
     Outcome::Pending, "", "12345", "", false, ""},
    {"blackbox: the notice alone", 200,
     R"([{"service_notice":"Thank you, we will look into it.","account_id":null}])",
     Outcome::Delivered, "", "", "Thank you, we will look into it.", false, ""},
    {"blackbox: a notice in CRLF lines", 200, R"([{"service_notice":"Line 1\r\nLine 2"}])",
     Outcome::Delivered, "", "", "Line 1\nLine 2", false, ""},
    {"blackbox: a notice not fit to show is still an answer", 200,
     R"([{"service_notice":"bell\u0007"}])", Outcome::Delivered, "", "", "", false, ""},
    {"an empty list", 200, "[]", Outcome::Unreachable, "", "", "", true,
     "malformed answer: an empty list"},
    {"a request with nothing in it", 200, "[{}]", Outcome::Unreachable, "", "", "", true,
     "malformed answer"},
    {"an account_id alone", 200, R"([{"account_id":"A-1","service_notice":""}])",
     Outcome::Unreachable, "", "", "", true,
     "malformed answer: no service_request_id, token or service_notice"},
    {"two requests", 200, R"([{"service_request_id":"1"},{"service_request_id":"2"}])",
     Outcome::Unreachable, "", "", "", true, "malformed answer"},
    {"an id with a line break", 200, R"([{"service_request_id":"ЖТ\n1"}])", Outcome::Unreachable,
     "", "", "", true, "malformed answer"},
    {"an id longer than 64 bytes", 200,
     R"([{"service_request_id":")" + std::string(65, '7') + R"("}])", Outcome::Unreachable, "", "",
     "", true, "malformed answer"},
    {"500 without a body", 500, "", Outcome::Unreachable, "", "", "", true, "HTTP 500"},
    {"503 with an Open311 error", 503, error_list(503, "CRM is down"), Outcome::Unreachable, "", "",
     "", true, "HTTP 503: CRM is down"},
    {"400 General Service Error", 400,
     error_list(400, "General Service Error: the CRM did not answer"), Outcome::Unreachable, "", "",
     "", false, "HTTP 400: General Service Error"},
    {"400 without a body", 400, "", Outcome::Unreachable, "", "", "", false, "HTTP 400"},
    {"400 naming the api_key", 400, error_list(400, "Invalid api_key"), Outcome::Rejected, "", "",
     "", false, "HTTP 400: Invalid api_key"},
    {"400 naming the jurisdiction", 400, error_list(400, "jurisdiction_id was not provided"),
     Outcome::Rejected, "", "", "", false, "HTTP 400: jurisdiction_id"},
    {"400 naming the service_code", 400, error_list(400, "service_code 033 not found"),
     Outcome::Rejected, "", "", "", false, "HTTP 400: service_code"},
    {"400 naming an attribute", 400, error_list(400, "attribute[WHISHETN] has no such value"),
     Outcome::Rejected, "", "", "", false, "HTTP 400: attribute"},
    {"400 naming a required field", 400, error_list(400, "Address is Required"), Outcome::Rejected,
     "", "", "", false, "HTTP 400: Address"},
    {"400 whose second error names the api_key", 400,
     R"([{"code":400,"description":"Bad request"},{"code":400,"description":"API_KEY expired"}])",
     Outcome::Rejected, "", "", "", false, "HTTP 400: Bad request"},
    {"403", 403, error_list(403, "Invalid api_key"), Outcome::Rejected, "", "", "", false,
     "HTTP 403: Invalid api_key"},
    {"404", 404, "", Outcome::Rejected, "", "", "", false, "HTTP 404"},
    {"408", 408, "", Outcome::Unreachable, "", "", "", false, "HTTP 408"},
    {"429", 429, "", Outcome::Unreachable, "", "", "", false, "HTTP 429"},
    {"a notice that is a number", 200, R"([{"service_notice":5}])", Outcome::Unreachable, "", "",
     "", true, "malformed answer: service_notice", true},
    {"a negative id", 200, R"([{"service_request_id":-7}])", Outcome::Unreachable, "", "", "", true,
     "malformed answer", true},
};

void expect_submit(const net::SubmitResult& r, const SubmitCase& c, const std::string& what) {
    EXPECT_EQ(r.outcome, c.outcome) << what << ": " << r.error;
    EXPECT_EQ(r.service_request_id, c.id) << what;
    EXPECT_EQ(r.token, c.token) << what;
    EXPECT_EQ(r.notice, c.notice) << what;
    EXPECT_EQ(r.http_status, c.status) << what;
    EXPECT_TRUE(r.error.starts_with(c.error)) << what << ": " << r.error;
    EXPECT_EQ(r.error.empty(), c.error.empty()) << what << ": " << r.error;
}

TEST(Open311Conformance, SubmitAnswers) {
    for (const auto& c : kSubmitCases) {
        for (const Format f : kFormats) {
            if (c.json_only && f == Format::Xml) continue;
            const std::string what = describe(f, c.what);
            const auto r = net::parse_submit_answer(
                c.status, body_in(f, c.status, c.body, "service_requests"), f);
            expect_submit(r, c, what);
            EXPECT_EQ(r.maybe_filed, c.maybe_filed) << what;
        }
    }
}

const SubmitCase kTokenCases[] = {
    {"the spec's example", 200, R"([{"service_request_id":638344,"token":12345}])",
     Outcome::Registered, "638344", "12345", "", false, ""},
    {"not yet: no id", 200, R"([{"token":"12345"}])", Outcome::Pending, "", "12345", "", false, ""},
    {"not yet: a null id", 200, R"([{"token":"12345","service_request_id":null}])",
     Outcome::Pending, "", "12345", "", false, ""},
    {"not yet: an empty id", 200, R"([{"token":"12345","service_request_id":""}])",
     Outcome::Pending, "", "12345", "", false, ""},
    {"400 naming the api_key: look again, never post again", 400,
     error_list(400, "Invalid api_key"), Outcome::Unreachable, "", "", "", false,
     "HTTP 400: Invalid api_key"},
    {"400 General Service Error", 400, error_list(400, "General Service Error"),
     Outcome::Unreachable, "", "", "", false, "HTTP 400"},
    {"404: an unknown token", 404, error_list(404, "no such token"), Outcome::Rejected, "", "", "",
     false, "HTTP 404: no such token"},
    {"403", 403, "", Outcome::Rejected, "", "", "", false, "HTTP 403"},
    {"503", 503, "", Outcome::Unreachable, "", "", "", false, "HTTP 503"},
    {"an empty list", 200, "[]", Outcome::Unreachable, "", "", "", false, "malformed answer"},
    {"a token with a line break", 200, R"([{"token":"t\r\nX: y"}])", Outcome::Unreachable, "", "",
     "", false, "malformed answer"},
};

TEST(Open311Conformance, TokenAnswers) {
    for (const auto& c : kTokenCases) {
        for (const Format f : kFormats) {
            if (c.json_only && f == Format::Xml) continue;
            const std::string what = describe(f, c.what);
            const auto r = net::parse_token_answer(
                c.status, body_in(f, c.status, c.body, "service_requests"), f);
            expect_submit(r, c, what);
            EXPECT_FALSE(r.maybe_filed) << what;  // a look-up files nothing
        }
    }
}

// Section: conformance: GET requests/{id} and GET requests

std::vector<std::string> fields(const net::RequestStatus& r) {
    return {r.service_request_id, r.status,
            r.status_notes,       r.updated_datetime,
            r.expected_datetime,  r.requested_datetime,
            r.service_code,       r.description};
}

net::RequestStatus request(std::string id, std::string status, std::string notes = "",
                           std::string updated = "", std::string expected = "",
                           std::string requested = "", std::string code = "",
                           std::string description = "") {
    return {std::move(id),       std::move(status),    std::move(notes), std::move(updated),
            std::move(expected), std::move(requested), std::move(code),  std::move(description)};
}

struct StatusCase {
    const char* what;
    long status;
    std::string body;  // JSON
    Outcome outcome;
    net::RequestStatus expected;
    bool json_only = false;
};

const StatusCase kStatusCases[] = {
    {"every field", 200, R"([{
        "service_request_id":"ЖТ-2026-00000742","status":"closed",
        "status_notes":"Жауап берілді.\nОтвет дан.","service_name":"Анықтама",
        "service_code":"KZ-GU-001","description":"Анықтама берілмеді.\nKZ-K1-000042",
        "agency_responsible":null,"service_notice":null,
        "requested_datetime":"2026-12-01T09:12:00+05:00",
        "updated_datetime":"2026-12-02T16:30:00.123+05:00",
        "expected_datetime":"2026-12-04T18:00:00Z","address":null,"address_id":null,
        "zipcode":null,"lat":53.28,"long":69.39,"media_url":null}])",
     Outcome::Registered,
     request("ЖТ-2026-00000742", "closed", "Жауап берілді.\nОтвет дан.",
             "2026-12-02T16:30:00.123+05:00", "2026-12-04T18:00:00Z", "2026-12-01T09:12:00+05:00",
             "KZ-GU-001", "Анықтама берілмеді.\nKZ-K1-000042")},
    {"a numeric id and code, null notes", 200,
     R"([{"service_request_id":7,"status":"open","status_notes":null,"service_code":1}])",
     Outcome::Registered, request("7", "open", "", "", "", "", "1")},
    {"empty optional strings are absent", 200,
     R"([{"service_request_id":"7","status":"open","status_notes":"","updated_datetime":"",
          "expected_datetime":"","requested_datetime":"","service_code":"","description":""}])",
     Outcome::Registered, request("7", "open")},
    {"CRLF in the notes and the description", 200,
     R"([{"service_request_id":"7","status":"open","status_notes":"a\r\nb",
          "description":"c\r\nd\re"}])",
     Outcome::Registered, request("7", "open", "a\nb", "", "", "", "", "c\nd\ne")},
    {"a description with a control character is left out, the rest kept", 200,
     R"([{"service_request_id":"7","status":"open","description":"\u001b[31m"}])",
     Outcome::Registered, request("7", "open")},
    {"404", 404, error_list(404, "not found"), Outcome::Rejected, {}},
    {"400 General Service Error", 400, "", Outcome::Unreachable, {}},
    {"a description that is a number",
     200,
     R"([{"service_request_id":"7","status":"open","description":42}])",
     Outcome::Unreachable,
     {},
     true},
};

TEST(Open311Conformance, StatusAnswers) {
    for (const auto& c : kStatusCases) {
        for (const Format f : kFormats) {
            if (c.json_only && f == Format::Xml) continue;
            const std::string what = describe(f, c.what);
            const auto r = net::parse_status_answer(
                c.status, body_in(f, c.status, c.body, "service_requests"), f);
            EXPECT_EQ(r.outcome, c.outcome) << what << ": " << r.error;
            EXPECT_EQ(fields(r.request), fields(c.expected)) << what;
            EXPECT_EQ(r.http_status, c.status) << what;
        }
    }
}

struct SearchCase {
    const char* what;
    long status;
    std::string body;  // JSON
    Outcome outcome;
    std::vector<std::string> ids;  // of the requests read, in order
    bool json_only = false;
};

// 4,000 four-byte characters: the longest description the kiosk files, and one byte more.
const std::string kLongest = [] {
    std::string s;
    for (int i = 0; i < 4000; ++i) s += "\xF0\x9D\x95\x8F";  // U+1D54F
    return s;
}();

const SearchCase kSearchCases[] = {
    {"requests; those without a valid id are left out",
     200,
     R"([{"service_request_id":"1","status":"open","service_code":"001",
          "requested_datetime":"2026-12-02T10:00:00Z","description":"KZ-K1-000042"},
         {"status":"open","description":"no id"},
         {"service_request_id":"bad\u0007","status":"open"},
         {"service_request_id":"","status":"open"},
         {"service_request_id":2,"status":"closed"}])",
     Outcome::Registered,
     {"1", "2"}},
    {"nothing found", 200, "[]", Outcome::Registered, {}},
    {"a description of 16,000 bytes",
     200,
     R"([{"service_request_id":"1","status":"open","description":")" + kLongest + R"("}])",
     Outcome::Registered,
     {"1"}},
    {"a request with an id and a bad status spoils the answer",
     200,
     R"([{"service_request_id":"1","status":"open"},{"service_request_id":"2","status":"gone"}])",
     Outcome::Unreachable,
     {}},
    {"404: no search", 404, "", Outcome::Rejected, {}},
    {"400: not with these filters",
     400,
     error_list(400, "start_date is too early"),
     Outcome::Rejected,
     {}},
    {"501: not implemented", 501, "", Outcome::Rejected, {}},
    {"500", 500, "", Outcome::Unreachable, {}},
    {"429", 429, "", Outcome::Unreachable, {}},
    {"an entry that is no object",
     200,
     R"([{"service_request_id":"1","status":"open"},null])",
     Outcome::Unreachable,
     {},
     true},
    {"an object, not a list",
     200,
     R"({"service_request_id":"1","status":"open"})",
     Outcome::Unreachable,
     {},
     true},
};

TEST(Open311Conformance, SearchAnswers) {
    for (const auto& c : kSearchCases) {
        for (const Format f : kFormats) {
            if (c.json_only && f == Format::Xml) continue;
            const std::string what = describe(f, c.what);
            const auto r = net::parse_search_answer(
                c.status, body_in(f, c.status, c.body, "service_requests"), f);
            EXPECT_EQ(r.outcome, c.outcome) << what << ": " << r.error;
            std::vector<std::string> ids;
            for (const auto& request : r.requests) ids.push_back(request.service_request_id);
            EXPECT_EQ(ids, c.ids) << what;
        }
    }
    const auto found = net::parse_search_answer(200, kSearchCases[0].body);
    ASSERT_EQ(found.requests.size(), 2u);
    EXPECT_EQ(
        fields(found.requests[0]),
        fields(request("1", "open", "", "", "", "2026-12-02T10:00:00Z", "001", "KZ-K1-000042")));
    const auto longest = net::parse_search_answer(200, kSearchCases[2].body);
    ASSERT_EQ(longest.requests.size(), 1u);
    EXPECT_EQ(longest.requests[0].description, kLongest);
    const auto longer = net::parse_search_answer(
        200,
        R"([{"service_request_id":"1","status":"open","description":")" + kLongest + R"(x"}])");
    ASSERT_EQ(longer.requests.size(), 1u);
    EXPECT_TRUE(longer.requests[0].description.empty());
}

// Section: conformance: GET services and GET services/{code}

struct ServicesCase {
    const char* what;
    std::string body;  // JSON, with 200 OK
    bool ok;
    // code, name, metadata, type, group of each service
    std::vector<std::tuple<std::string, std::string, bool, std::string, std::string>> services;
    bool json_only = false;
};

const ServicesCase kServicesCases[] = {
    {"the spec's example, codes as numbers and strings",
     R"([
        {"service_code":1,"service_name":"Cans left out 24x7","description":"Garbage cans",
         "metadata":true,"type":"realtime","keywords":"lorem, ipsum","group":"sanitation"},
        {"service_code":"002","metadata":false,"type":"batch","keywords":"","group":"street",
         "service_name":"Construction plate shifted","description":"Metal plates"},
        {"service_code":"003","metadata":"true","type":"blackbox","keywords":null,"group":null,
         "service_name":"Curb or curb ramp defect","description":null}])",
     true,
     {{"1", "Cans left out 24x7", true, "realtime", "sanitation"},
      {"002", "Construction plate shifted", false, "batch", "street"},
      {"003", "Curb or curb ramp defect", true, "blackbox", ""}}},
    {"no metadata, an unknown type",
     R"([{"service_code":"A","service_name":"x","type":"x"}])",
     true,
     {{"A", "x", false, "", ""}}},
    {"an empty catalog", "[]", true, {}},
    {"metadata neither true nor false",
     R"([{"service_code":"A","service_name":"x",
         "metadata":"yes"}])",
     false,
     {}},
    {"a service without a name", R"([{"service_code":"A"}])", false, {}},
    {"an empty code", R"([{"service_code":"","service_name":"x"}])", false, {}},
    {"a code with a line break", R"([{"service_code":"A\nB","service_name":"x"}])", false, {}},
    {"a code of 65 bytes",
     R"([{"service_code":")" + std::string(65, 'C') + R"(","service_name":"x"}])",
     false,
     {}},
    {"metadata as a number",
     R"([{"service_code":"A","service_name":"x","metadata":1}])",
     false,
     {},
     true},
    {"a code that is a fraction",
     R"([{"service_code":"A","service_name":"x"},{"service_code":7.5,"service_name":"y"}])",
     false,
     {},
     true},
    {"an object, not a list", R"({"services":[]})", false, {}, true},
};

TEST(Open311Conformance, Catalogs) {
    for (const auto& c : kServicesCases) {
        for (const Format f : kFormats) {
            if (c.json_only && f == Format::Xml) continue;
            const std::string what = describe(f, c.what);
            const auto r = net::parse_services(200, body_in(f, 200, c.body, "services"), f);
            EXPECT_EQ(r.ok, c.ok) << what << ": " << r.error;
            EXPECT_EQ(r.error.empty(), c.ok) << what << ": " << r.error;
            std::vector<std::tuple<std::string, std::string, bool, std::string, std::string>> got;
            for (const auto& s : r.services)
                got.emplace_back(s.code, s.name, s.metadata, s.type, s.group);
            EXPECT_EQ(got, c.services) << what;
        }
    }
}

TEST(Open311Conformance, CatalogWithABadTranslationKeepsTheService) {
    for (const Format f : kFormats) {
        const auto r = net::parse_services(
            200,
            body_in(
                f, 200,
                R"([{"service_code":"A","service_name":"Анықтама","service_name_kk":"bad\u0007","group_en":"G"}])",
                "services"),
            f);
        ASSERT_TRUE(r.ok) << r.error;
        ASSERT_EQ(r.services.size(), 1u);
        EXPECT_EQ(r.services[0].name, "Анықтама");
        EXPECT_TRUE(r.services[0].name_kk.empty());
        EXPECT_EQ(r.services[0].group_en, "G");
    }
}

TEST(Open311Conformance, ErrorsOfCatalogsKeepTheirDescription) {
    for (const Format f : kFormats) {
        const auto r = net::parse_services(503, body_in(f, 503, error_list(503, "busy"), ""), f);
        EXPECT_FALSE(r.ok);
        EXPECT_EQ(r.error, "HTTP 503: busy");
    }
}

struct DefinitionCase {
    const char* what;
    long status;
    std::string body;  // JSON
    Outcome outcome;
    std::string service_code;
    std::vector<net::ServiceAttribute> attributes;
    bool json_only = false;
};

net::ServiceAttribute attribute(std::string code, bool variable, bool required,
                                std::string datatype, std::string description, int order,
                                std::vector<std::pair<std::string, std::string>> values = {}) {
    return {std::move(code),        variable, required,         std::move(datatype),
            std::move(description), order,    std::move(values)};
}

const DefinitionCase kDefinitionCases[] = {
    {"the spec's example",
     200,
     R"({"service_code":"DMV66","attributes":[
        {"variable":true,"code":"WHISHETN","datatype":"singlevaluelist","required":true,
         "datatype_description":null,"order":1,"description":"What is the make?",
         "values":[{"key":123,"name":"Ford"},{"key":"124","name":"Chrysler"}]},
        {"variable":false,"code":"NOTE","datatype":"text","required":false,"order":2,
         "description":"Bring your ticket.\r\nThank you."}]})",
     Outcome::Registered,
     "DMV66",
     {attribute("WHISHETN", true, true, "singlevaluelist", "What is the make?", 1,
                {{"123", "Ford"}, {"124", "Chrysler"}}),
      attribute("NOTE", false, false, "text", "Bring your ticket.\nThank you.", 2)}},
    {"true, false and the order as text",
     200,
     R"({"service_code":7,"attributes":[
        {"code":"IIN","variable":"true","required":"false","order":"12","datatype":"string"}]})",
     Outcome::Registered,
     "7",
     {attribute("IIN", true, false, "string", "", 12)}},
    {"an attribute with its code alone",
     200,
     R"({"service_code":"A","attributes":[{"code":"X","description":"","values":[]}]})",
     Outcome::Registered,
     "A",
     {attribute("X", true, false, "", "", 0)}},
    {"no attributes", 200, R"({"service_code":"A","attributes":[]})", Outcome::Registered, "A", {}},
    {"404", 404, error_list(404, "no such service"), Outcome::Rejected, "", {}},
    {"400 General Service Error",
     400,
     error_list(400, "General Service Error"),
     Outcome::Unreachable,
     "",
     {}},
    {"an attribute without a code",
     200,
     R"({"service_code":"A","attributes":[{"required":true}]})",
     Outcome::Unreachable,
     "",
     {}},
    {"an attribute whose code has a line break",
     200,
     R"({"service_code":"A","attributes":[{"code":"X\nY"}]})",
     Outcome::Unreachable,
     "",
     {}},
    {"required neither true nor false",
     200,
     R"({"service_code":"A","attributes":[{"code":"X","required":"maybe"}]})",
     Outcome::Unreachable,
     "",
     {}},
    {"an order that is no number",
     200,
     R"({"service_code":"A","attributes":[{"code":"X","order":"first"}]})",
     Outcome::Unreachable,
     "",
     {}},
    {"a value without a name",
     200,
     R"({"service_code":"A","attributes":[{"code":"X","values":[{"key":"1"}]}]})",
     Outcome::Unreachable,
     "",
     {}},
    {"no service_code", 200, R"({"attributes":[]})", Outcome::Unreachable, "", {}},
    {"no attributes at all", 200, R"({"service_code":"A"})", Outcome::Unreachable, "", {}},
    {"a negative order",
     200,
     R"({"service_code":"A","attributes":[{"code":"X","order":-1}]})",
     Outcome::Unreachable,
     "",
     {},
     true},
    {"required as a number",
     200,
     R"({"service_code":"A","attributes":[{"code":"X","required":1}]})",
     Outcome::Unreachable,
     "",
     {},
     true},
    {"a list, not a definition",
     200,
     R"([{"service_code":"A","attributes":[]}])",
     Outcome::Unreachable,
     "",
     {},
     true},
};

// One line per attribute, so that a difference shows where it is.
std::vector<std::string> lines(const std::vector<net::ServiceAttribute>& attributes) {
    std::vector<std::string> out;
    for (const auto& a : attributes) {
        std::string line = a.code + (a.variable ? " variable" : "") +
                           (a.required ? " required" : "") + " " + a.datatype + " order " +
                           std::to_string(a.order) + " \"" + a.description + "\"";
        for (const auto& [key, name] : a.values) line += " " + key + "=" + name;
        out.push_back(line);
    }
    return out;
}

TEST(Open311Conformance, ServiceDefinitions) {
    for (const auto& c : kDefinitionCases) {
        for (const Format f : kFormats) {
            if (c.json_only && f == Format::Xml) continue;
            const std::string what = describe(f, c.what);
            const auto r = net::parse_service_definition(
                c.status, body_in(f, c.status, c.body, "service_definition"), f);
            EXPECT_EQ(r.outcome, c.outcome) << what << ": " << r.error;
            EXPECT_EQ(r.definition.service_code, c.service_code) << what;
            EXPECT_EQ(lines(r.definition.attributes), lines(c.attributes)) << what;
            EXPECT_EQ(r.http_status, c.status) << what;
        }
    }
}

// Section: the spec's own XML examples, as written there

TEST(Open311Conformance, TheSpecsXmlExamples) {
    const auto filed = net::parse_submit_answer(
        200,
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<service_requests>\n  <request>\n"
        "    <service_request_id>293944</service_request_id>\n"
        "    <service_notice>The City will inspect and require the responsible party to "
        "correct within 24 hours and/or issue a Correction Notice or Notice of Violation of "
        "the Public Works Code</service_notice>\n    <account_id/>\n  </request>\n"
        "</service_requests>",
        Format::Xml);
    EXPECT_EQ(filed.outcome, Outcome::Registered) << filed.error;
    EXPECT_EQ(filed.service_request_id, "293944");
    EXPECT_TRUE(filed.notice.starts_with("The City will inspect")) << filed.notice;

    const auto token = net::parse_token_answer(
        200,
        "<service_requests><request><service_request_id>638344</service_request_id>"
        "<token>12345</token></request></service_requests>",
        Format::Xml);
    EXPECT_EQ(token.outcome, Outcome::Registered) << token.error;
    EXPECT_EQ(token.service_request_id, "638344");

    const auto services = net::parse_services(
        200,
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<services>\n  <service>\n"
        "    <service_code>001</service_code>\n"
        "    <service_name>Cans left out 24x7</service_name>\n    <description/>\n"
        "    <metadata>true</metadata>\n    <type>realtime</type>\n"
        "    <keywords>lorem, ipsum, dolor</keywords>\n    <group>sanitation</group>\n"
        "  </service>\n</services>",
        Format::Xml);
    ASSERT_TRUE(services.ok) << services.error;
    ASSERT_EQ(services.services.size(), 1u);
    EXPECT_EQ(services.services[0].code, "001");
    EXPECT_TRUE(services.services[0].metadata);
    EXPECT_EQ(services.services[0].type, "realtime");

    const auto refused = net::parse_submit_answer(
        403,
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><errors><error><code>403</code>"
        "<description>Invalid api_key</description></error></errors>",
        Format::Xml);
    EXPECT_EQ(refused.outcome, Outcome::Rejected);
    EXPECT_EQ(refused.error, "HTTP 403: Invalid api_key");

    const auto definition = net::parse_service_definition(
        200,
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><service_definition>"
        "<service_code>DMV66</service_code><attributes><attribute><variable>true</variable>"
        "<code>WHISHETN</code><datatype>singlevaluelist</datatype><required>true</required>"
        "<datatype_description/><order>1</order><description>What is the ticket/tag/DL "
        "number?</description><values><value><key>123</key><name>Ford</name></value>"
        "<value><key>124</key><name>Chrysler</name></value></values></attribute>"
        "</attributes></service_definition>",
        Format::Xml);
    ASSERT_EQ(definition.outcome, Outcome::Registered) << definition.error;
    EXPECT_EQ(definition.definition.service_code, "DMV66");
    ASSERT_EQ(definition.definition.attributes.size(), 1u);
    EXPECT_EQ(lines(definition.definition.attributes),
              lines({attribute("WHISHETN", true, true, "singlevaluelist",
                               "What is the ticket/tag/DL number?", 1,
                               {{"123", "Ford"}, {"124", "Chrysler"}})}));
}

// What XML allows around the same answer: comments, CDATA, white space, a byte order mark,
// references to characters and the five entities.
TEST(Open311Conformance, XmlSpellingsOfOneAnswer) {
    for (const std::string body : {
             "\xEF\xBB\xBF<service_requests><request><service_request_id>X-1"
             "</service_request_id></request></service_requests>",
             "<!-- from the CRM --><service_requests><request><!-- id -->"
             "<service_request_id><![CDATA[X-1]]></service_request_id></request>"
             "</service_requests>",
             "<service_requests>\r\n\t<request>\r\n\t\t<service_request_id>\r\n\t\t\tX-1\r\n"
             "\t\t</service_request_id>\r\n\t</request>\r\n</service_requests>\r\n",
             "<service_requests><request ignored=\"yes\"><service_request_id>&#88;-&#x31;"
             "</service_request_id></request></service_requests>",
             "<?xml version='1.0'?><?server-info built=\"a&b\"?><service_requests><request>"
             "<service_request_id>X-1</service_request_id><extra><a>1</a><b/></extra>"
             "</request></service_requests>",
         }) {
        const auto r = net::parse_submit_answer(200, body, Format::Xml);
        EXPECT_EQ(r.outcome, Outcome::Registered) << body << ": " << r.error;
        EXPECT_EQ(r.service_request_id, "X-1") << body;
    }
    const auto entities = net::parse_status_answer(
        200,
        "<service_requests><request><service_request_id>7</service_request_id>"
        "<status>open</status><status_notes>a &lt;b&gt; &amp; &quot;c&quot; &apos;d&apos;"
        "</status_notes></request></service_requests>",
        Format::Xml);
    ASSERT_EQ(entities.outcome, Outcome::Registered) << entities.error;
    EXPECT_EQ(entities.request.status_notes, "a <b> & \"c\" 'd'");
}

TEST(Open311Conformance, AnErrorInTheOtherFormatStillGivesItsDescription) {
    const auto json_error =
        net::parse_submit_answer(400, error_list(400, "Invalid api_key"), Format::Xml);
    EXPECT_EQ(json_error.outcome, Outcome::Rejected);
    EXPECT_EQ(json_error.error, "HTTP 400: Invalid api_key");
    const auto xml_error = net::parse_submit_answer(
        400, to_xml(error_list(400, "jurisdiction_id is required"), "errors"), Format::Json);
    EXPECT_EQ(xml_error.outcome, Outcome::Rejected);
    EXPECT_EQ(xml_error.error, "HTTP 400: jurisdiction_id is required");
}

// Section: the heartbeat (this project's extension, JSON only)

TEST(NetAnswers, HeartbeatAnswers) {
    EXPECT_EQ(
        net::parse_heartbeat_answer(200, R"({"received_at":"2026-11-27T10:00:00+05:00"})").outcome,
        Outcome::Registered);
    EXPECT_EQ(net::parse_heartbeat_answer(204, "").outcome, Outcome::Registered);
    EXPECT_EQ(net::parse_heartbeat_answer(200, "[]").outcome, Outcome::Unreachable);
    EXPECT_EQ(net::parse_heartbeat_answer(413, "").outcome, Outcome::Rejected);
}

// Section: HTTP status

TEST(NetAnswers, StatusCodesDecideBeforeTheBody) {
    const std::string valid = R"([{"service_request_id":"X-1"}])";
    const struct {
        long status;
        Outcome outcome;
    } cases[] = {
        {200, Outcome::Registered},  {201, Outcome::Registered},  {202, Outcome::Registered},
        {100, Outcome::Unreachable}, {301, Outcome::Unreachable}, {304, Outcome::Unreachable},
        {400, Outcome::Unreachable}, {403, Outcome::Rejected},    {404, Outcome::Rejected},
        {408, Outcome::Unreachable}, {409, Outcome::Rejected},    {429, Outcome::Unreachable},
        {500, Outcome::Unreachable}, {502, Outcome::Unreachable}, {503, Outcome::Unreachable},
        {0, Outcome::Unreachable},   {-1, Outcome::Unreachable},  {999, Outcome::Unreachable}};
    for (const auto& c : cases) {
        const auto r = net::parse_submit_answer(c.status, valid);
        EXPECT_EQ(r.outcome, c.outcome) << c.status;
        EXPECT_EQ(r.http_status, c.status);
        if (c.outcome != Outcome::Registered) {
            EXPECT_EQ(r.error.rfind("HTTP " + std::to_string(c.status), 0), 0u) << r.error;
        }
    }
}

TEST(NetAnswers, Open311ErrorDescriptionIsTakenOnlyWhenClean) {
    EXPECT_EQ(
        net::parse_submit_answer(403, R"([{"code":403,"description":"Invalid api_key"}])").error,
        "HTTP 403: Invalid api_key");
    for (const auto* body :
         {R"([{"code":403,"description":"line\nforged log line"}])",
          R"([{"code":403,"description":42}])", R"({"description":"not a list"})",
          "<html>Forbidden</html>", R"([{"code":403,"description":""}])"}) {
        EXPECT_EQ(net::parse_submit_answer(403, body).error, "HTTP 403") << body;
    }
    const std::string long_description(301, 'x');
    EXPECT_EQ(
        net::parse_submit_answer(400, R"([{"description":")" + long_description + "\"}]").error,
        "HTTP 400");
}

// Section: malformed answers (fuzz-style table)

std::string nested(std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }

std::string many_nulls(int n) {
    std::string list = "[null";
    for (int i = 1; i < n; ++i) list += ",null";
    return list + "]";
}

std::string with_id(const std::string& id_json) {
    return R"([{"service_request_id":)" + id_json + "}]";
}

// Answers with 200 OK that no parser may take as a registration, a catalog or a status.
std::vector<std::string> malformed_answers() {
    std::vector<std::string> bodies = {
        // not JSON, or cut short
        "",
        " ",
        "[",
        "[{",
        R"([{"service_request_id":"ЖТ-2026-0000)",
        R"([{"service_request_id":"X")",
        "<html><body>502 Bad Gateway</body></html>",
        "null",
        "true",
        "42",
        R"("ЖТ-2026-00000001")",
        R"([{'service_request_id':'X'}])",
        R"([{"service_request_id":"X",}])",
        R"([{"service_request_id":"X"}] trailing)",
        std::string(R"([{"service_request_id":"X"}])") + '\0',
        R"(/* note */ [{"service_request_id":"X"}])",
        R"([{"service_request_id":NaN}])",
        std::string("\xFF\xFE[\0{\0", 6),
        // the wrong shape
        "[]",
        "{}",
        "[[]]",
        "[null]",
        "[{}]",
        R"({"service_request_id":"X"})",
        R"([{"service_request_id":"X"},{"service_request_id":"Y"}])",
        R"([{"Service_Request_Id":"X"}])",
        R"([[{"service_request_id":"X"}]])",
        R"([{"data":[{"service_request_id":"X"}]}])",
        many_nulls(40000),
        nested(100000),
        // the id of the wrong type or out of bounds
        with_id("null"),
        with_id(R"("")"),
        with_id("123.5"),
        with_id("-7"),
        with_id("1e400"),
        with_id("99999999999999999999999"),
        with_id("true"),
        with_id(R"(["X"])"),
        with_id(R"({"id":"X"})"),
        with_id(R"({"a":[{"b":[1,2,{"c":null}]}]})"),
        with_id('"' + std::string(65, '7') + '"'),
        with_id('"' + std::string(900000, 'x') + '"'),
        // control characters and broken UTF-8 in the id
        with_id(R"("ЖТ\u0000-1")"),
        with_id(R"("ЖТ\n1")"),
        with_id(R"("\u001b[31mЖТ")"),
        with_id(R"("\u0085X")"),
        with_id(R"("X\u007f")"),
        with_id("\"\xD0\x96\xFF\""),
        with_id("\"\xC0\xAF\""),
        with_id(R"("\ud800")"),
        with_id("\"\xED\xA0\x80\""),
        with_id("\"\xF4\x90\x80\x80\""),
        with_id("\"ЖТ\x01\""),
        // tokens that are no tokens
        R"([{"token":""}])",
        R"([{"token":123.4}])",
        R"([{"token":["t"]}])",
        R"([{"token":"t\r\nX: y"}])",
        R"([{"token":")" + std::string(129, 't') + "\"}]",
        R"([{"service_request_id":"\u0000","service_request_id":"\u0001"}])",
    };
    // Larger than net accepts, though valid: a register must not make a kiosk buffer it.
    bodies.push_back(R"([{"service_request_id":"X"}])" + std::string(net::kMaxAnswerBytes, ' '));
    return bodies;
}

// What no parser may make of an answer with 200 OK that is malformed: a registration, a
// refusal, requests found, a catalog, a definition; and as error answers, a status with a
// bounded error, never a crash.
void expect_nothing_taken(const std::string& body, Format f, const std::string& what) {
    const auto submit = net::parse_submit_answer(200, body, f);
    EXPECT_EQ(submit.outcome, Outcome::Unreachable) << what;  // a bad answer is no refusal
    EXPECT_TRUE(submit.maybe_filed) << what;  // ... and the request may have been filed
    EXPECT_TRUE(submit.service_request_id.empty()) << what;
    EXPECT_TRUE(submit.error.starts_with("malformed answer")) << what << ": " << submit.error;
    EXPECT_NE(net::parse_token_answer(200, body, f).outcome, Outcome::Registered) << what;
    EXPECT_NE(net::parse_status_answer(200, body, f).outcome, Outcome::Registered) << what;
    EXPECT_TRUE(net::parse_search_answer(200, body, f).requests.empty()) << what;
    const auto services = net::parse_services(200, body, f);  // "[]": an empty catalog
    EXPECT_TRUE(!services.ok || services.services.empty()) << what;
    EXPECT_NE(net::parse_service_definition(200, body, f).outcome, Outcome::Registered) << what;
    const auto refused = net::parse_submit_answer(403, body, f);
    EXPECT_EQ(refused.outcome, Outcome::Rejected) << what;
    EXPECT_LE(refused.error.size(), 320u) << what;
    const auto general = net::parse_submit_answer(400, body, f);
    EXPECT_EQ(general.outcome, Outcome::Unreachable) << what;  // names nothing to fix
}

TEST(NetAnswers, MalformedAnswersNeverCrashNorRegister) {
    const auto bodies = malformed_answers();
    ASSERT_GE(bodies.size(), 40u);
    for (std::size_t i = 0; i < bodies.size(); ++i) {
        const std::string& body = bodies[i];
        const std::string what = "answer #" + std::to_string(i) + ": " + body.substr(0, 80);
        expect_nothing_taken(body, Format::Json, what);
        net::parse_heartbeat_answer(200, body);  // any outcome; it must only not crash
        // JSON to an XML reader: not XML.
        EXPECT_EQ(net::parse_submit_answer(200, body, Format::Xml).outcome, Outcome::Unreachable)
            << what;
    }
}

std::string utf16le(std::string_view ascii) {
    std::string out = "\xFF\xFE";
    for (const char c : ascii) {
        out += c;
        out += '\0';
    }
    return out;
}

std::string nested_xml(std::size_t depth) {
    std::string out;
    for (std::size_t i = 0; i < depth; ++i) out += "<a>";
    for (std::size_t i = 0; i < depth; ++i) out += "</a>";
    return out;
}

// XML answers with 200 OK that no parser may take; each would be a valid registration of
// X-1 but for its one defect.
std::vector<std::string> malformed_xml_answers() {
    const std::string open = "<service_requests><request><service_request_id>";
    const std::string close =
        "</service_request_id><status>open</status></request></service_requests>";
    const auto with_id = [&](const std::string& id) { return open + id + close; };
    const std::string request =
        "<request><service_request_id>X-1</service_request_id><status>open</status></request>";
    const auto requests = [](const std::string& inside) {
        return "<service_requests>" + inside + "</service_requests>";
    };
    return {
        // DTDs and entities: refused whole, whatever they declare
        "<!DOCTYPE service_requests>" + requests(request),
        "<!DOCTYPE service_requests [<!ENTITY id \"X-1\">]>" + with_id("&id;"),
        "<!DOCTYPE service_requests [<!ENTITY id SYSTEM \"file:///etc/hostname\">]>" +
            with_id("&id;"),
        "<!DOCTYPE service_requests [<!ENTITY % remote SYSTEM \"http://127.0.0.1:9/x.dtd\">"
        "%remote;]>" +
            with_id("X-1"),
        "<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;\">"
        "<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">]>" +
            with_id("&lol3;"),
        "<!ENTITY id \"X-1\">" + with_id("&id;"),
        with_id("&id;"),  // never declared: pugixml alone would keep "&id;" as text
        with_id("X-1&amp"),
        with_id("X-1&#;"),
        // NUL, as a byte or a reference; references past Unicode or to a surrogate
        with_id(std::string("X-1\0junk", 8)),
        with_id("X-1&#0;junk"),
        with_id("X-1&#x0;junk"),
        with_id("X-1&#x0000000;junk"),
        with_id("&#4294967384;-1"),  // 2^32 + 'X': wraps around to "X" in a 32-bit reader
        with_id("X-1&#x110000;"),
        with_id("X-1&#xD800;"),
        with_id("X-1&#X41;"),
        // not well-formed
        "",
        " ",
        "<",
        "<service_requests",
        "<service_requests><request><service_request_id>X-1</service_request_id></request>",
        open + "X-1</request></service_requests>",
        requests(request) + "junk",
        "junk" + requests(request),
        "<html><body>502 Bad Gateway</body></html>",
        R"([{"service_request_id":"X-1","status":"open"}])",
        // the wrong root or shape
        "<requests>" + request + "</requests>",
        "<service_request><service_request_id>X-1</service_request_id><status>open</status>"
        "</service_request>",
        request,
        "<errors>" + request + "</errors>",
        "<ns:service_requests xmlns:ns=\"urn:x\">" + request + "</ns:service_requests>",
        requests(request) + requests(request),
        requests("<service_request><service_request_id>X-1</service_request_id><status>open"
                 "</status></service_request>"),
        requests("X-1"),
        requests("X-1" + request),
        requests("<request>X-1<service_request_id>X-1</service_request_id><status>open</status>"
                 "</request>"),
        requests("<request><service_request_id>X-1</service_request_id><service_request_id>Y-2"
                 "</service_request_id><status>open</status></request>"),
        requests("<request><service_request_id><id>X-1</id></service_request_id><status>open"
                 "</status></request>"),
        requests("<request><service_request_id>X-1</service_request_id><status>open</status>" +
                 nested_xml(100000) + "</request>"),
        // other encodings and broken UTF-8
        "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>" + with_id("X-\xE9"),
        utf16le(with_id("X-1")),
        with_id("X-\xFF"),
        with_id("X-\xC0\xAF"),
        with_id("X-\xED\xA0\x80"),
        open + "X-1</service_request_id><st\xFFtus>open</st\xFFtus></request></service_requests>",
        // control characters and sizes
        with_id("X\x01-1"),
        with_id("X\n1"),
        with_id("\x1B[31mX-1"),
        with_id(std::string(65, '7')),
        with_id(std::string(900000, 'x')),
        requests(request) + std::string(net::kMaxAnswerBytes, ' '),
    };
}

TEST(NetAnswers, MalformedXmlAnswersNeverCrashNorRegister) {
    const auto bodies = malformed_xml_answers();
    ASSERT_GE(bodies.size(), 50u);
    for (std::size_t i = 0; i < bodies.size(); ++i) {
        const std::string what =
            "XML answer #" + std::to_string(i) + ": " + bodies[i].substr(0, 100);
        expect_nothing_taken(bodies[i], Format::Xml, what);
    }
    // Each of them is one defect away from this, which is taken.
    const auto valid = net::parse_status_answer(
        200,
        "<service_requests><request><service_request_id>X-1</service_request_id><status>open"
        "</status></request></service_requests>",
        Format::Xml);
    EXPECT_EQ(valid.outcome, Outcome::Registered) << valid.error;
}

TEST(NetAnswers, MalformedStatusesAreNotTaken) {
    const std::string id = R"("service_request_id":"ЖТ-1",)";
    const struct {
        std::string fields;
        bool json_only;
    } cases[] = {
        {R"("status":"pending")", false},
        {R"("status":"OPEN")", false},
        {R"("status":null)", false},
        {R"("status_notes":"x")", false},
        {R"("status":"open","status_notes":"bell\u0007")", false},
        {R"("status":"open","status_notes":17)", true},
        {R"("status":"open","status_notes":")" + std::string(4001, 'x') + "\"", false},
        {R"("status":"open","updated_datetime":"yesterday")", false},
        {R"("status":"open","updated_datetime":"2026-13-01T00:00:00+05:00")", false},
        {R"("status":"open","updated_datetime":"2026-11-27T10:15:00")", false},
        {R"("status":"open","updated_datetime":"2026-11-27 10:15:00+05:00")", false},
        {R"("status":"open","updated_datetime":"2026-11-27T24:00:00Z")", false},
        {R"("status":"open","updated_datetime":"2026-11-27T10:15:00.Z")", false},
        {R"("status":"open","updated_datetime":"2026-11-27T10:15:00+5:00")", false},
        {R"("status":"open","requested_datetime":"2026-11-27")", false},
        {R"("status":"open","expected_datetime":12345)", true},
        {R"("status":"open","expected_datetime":"2026-11-27T10:15:00+05:00junk")", false},
        {R"("status":"open","service_code":"A\nB")", false},
        {R"("status":"open","service_code":1.5)", true},
    };
    for (const auto& c : cases) {
        const std::string body = std::string("[{") + id + c.fields + "}]";
        for (const Format f : kFormats) {
            if (c.json_only && f == Format::Xml) continue;
            const std::string what = std::string(net::format_name(f)) + ": " + body.substr(0, 120);
            const auto r =
                net::parse_status_answer(200, body_in(f, 200, body, "service_requests"), f);
            EXPECT_EQ(r.outcome, Outcome::Unreachable) << what;
            EXPECT_TRUE(r.error.starts_with("malformed answer")) << what << ": " << r.error;
            // A search reads each request the same way: one bad request spoils the answer.
            const auto found =
                net::parse_search_answer(200, body_in(f, 200, body, "service_requests"), f);
            EXPECT_EQ(found.outcome, Outcome::Unreachable) << what;
            EXPECT_TRUE(found.requests.empty()) << what;
        }
    }
    for (const Format f : kFormats) {
        EXPECT_EQ(net::parse_status_answer(
                      200, body_in(f, 200, R"([{"status":"open"}])", "service_requests"), f)
                      .outcome,
                  Outcome::Unreachable);
    }
}

// Section: Retry-After

std::string http_date(std::time_t when, const char* format) {
    std::tm utc{};
    gmtime_r(&when, &utc);
    char text[64];
    return std::string(text, std::strftime(text, sizeof text, format, &utc));
}

TEST(NetRetryAfter, SecondsAndDatesAreReadAndCapped) {
    const auto now = std::chrono::system_clock::now();
    const std::time_t t = std::chrono::system_clock::to_time_t(now);
    const struct {
        std::string value;
        std::chrono::seconds min, max;
    } cases[] = {
        {"", 0s, 0s},
        {"0", 0s, 0s},
        {"2", 2s, 2s},
        {"120", 120s, 120s},
        {"3600", 3600s, 3600s},
        {"3601", 3600s, 3600s},
        {"99999999999999999999999", 3600s, 3600s},
        {"0000000000000000000007", 7s, 7s},  // leading zeros are no overflow
        {"000", 0s, 0s},
        {"-5", 0s, 0s},
        {"soon", 0s, 0s},
        {"\x01\x02", 0s, 0s},
        {"1.5", 0s, 3600s},
        {"12 ", 0s, 3600s},  // whatever a lenient date reader makes of them: bounded
        {http_date(t + 90, "%a, %d %b %Y %H:%M:%S GMT"), 89s, 91s},         // IMF-fixdate
        {http_date(t + 90, "%A, %d-%b-%y %H:%M:%S GMT"), 89s, 91s},         // RFC 850
        {http_date(t + 90, "%a %b %e %H:%M:%S %Y"), 89s, 91s},              // asctime
        {http_date(t - 3600, "%a, %d %b %Y %H:%M:%S GMT"), 0s, 0s},         // past
        {http_date(t + 86400, "%a, %d %b %Y %H:%M:%S GMT"), 3600s, 3600s},  // capped
        {"Sun, 06 Nov 1994 08:49:37 GMT", 0s, 0s},
        {"Thu, 01 Jan 1970 00:00:00 GMT", 0s, 0s},
        // Beyond what the clock's nanoseconds hold (April 2262): the cap, not an overflow.
        {"Sat, 12 Apr 2262 00:00:00 GMT", 3600s, 3600s},
        {"Fri, 31 Dec 9999 23:59:59 GMT", 3600s, 3600s},
        {"Fri, 31 Dec 99999 23:59:59 GMT", 3600s, 3600s},
    };
    for (const auto& c : cases) {
        const auto wait = net::parse_retry_after(c.value, now);
        EXPECT_GE(wait, c.min) << '"' << c.value << '"';
        EXPECT_LE(wait, c.max) << '"' << c.value << '"';
    }
}

}  // namespace
