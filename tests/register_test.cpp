// The development register, exercised over real HTTPS on loopback.

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include "dev_register.h"
#include "kiosk/config.h"  // kComplaintAttributes: what kiosks send (header only)

extern char** environ;

namespace {

using nlohmann::json;
using Fields = std::vector<std::pair<std::string, std::string>>;

constexpr const char* kFormType = "application/x-www-form-urlencoded; charset=utf-8";

// Section: HTTP helpers

std::unique_ptr<httplib::SSLClient> client_for(const DevRegister& reg, bool with_cert = false) {
    auto client = with_cert ? std::make_unique<httplib::SSLClient>(
                                  "127.0.0.1", reg.port(), reg.client_cert(), reg.client_key())
                            : std::make_unique<httplib::SSLClient>("127.0.0.1", reg.port());
    client->set_ca_cert_path(reg.ca_file().c_str());
    client->enable_server_certificate_verification(true);
    client->set_connection_timeout(std::chrono::seconds(2));
    client->set_read_timeout(std::chrono::seconds(5));
    return client;
}

std::string percent_encode(const std::string& text) {
    static const char* kHex = "0123456789ABCDEF";
    std::string out;
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (std::isalnum(byte) || c == '-' || c == '.' || c == '_' || c == '~') {
            out += c;
        } else {
            out += '%';
            out += kHex[byte >> 4];
            out += kHex[byte & 0xF];
        }
    }
    return out;
}

std::string form_body(const Fields& fields) {
    std::string body;
    for (const auto& [name, value] : fields)
        body += (body.empty() ? "" : "&") + percent_encode(name) + "=" + percent_encode(value);
    return body;
}

// Section: fixture

// An Open311 error: same code in the body as the HTTP status, with a description.
void expect_error(const httplib::Result& res, int status) {
    ASSERT_TRUE(res) << httplib::to_string(res.error());
    EXPECT_EQ(res->status, status) << res->body;
    EXPECT_EQ(res->get_header_value("Content-Type"), "application/json; charset=utf-8");
    const auto body = json::parse(res->body);
    ASSERT_TRUE(body.is_array() && body.size() == 1) << res->body;
    EXPECT_EQ(body[0].at("code"), status);
    EXPECT_FALSE(body[0].at("description").get<std::string>().empty());
}

constexpr const char* kXmlDeclaration = R"(<?xml version="1.0" encoding="utf-8"?>)";

// A GeoReport v2 XML answer with this status, parsed; an empty document (and a failure) if it
// is not one.
std::unique_ptr<pugi::xml_document> xml_answer(const httplib::Result& res, int status = 200) {
    auto document = std::make_unique<pugi::xml_document>();
    if (!res) {
        ADD_FAILURE() << "no response: " << httplib::to_string(res.error());
        return document;
    }
    EXPECT_EQ(res->status, status) << res->body;
    EXPECT_EQ(res->get_header_value("Content-Type"), "text/xml; charset=utf-8");
    EXPECT_TRUE(res->body.starts_with(kXmlDeclaration)) << res->body;
    const auto parsed = document->load_buffer(res->body.data(), res->body.size());
    EXPECT_TRUE(parsed) << parsed.description() << ": " << res->body;
    return document;
}

// An Open311 error in XML: <errors><error><code>STATUS</code><description>...
std::string expect_xml_error(const httplib::Result& res, int status) {
    const auto document = xml_answer(res, status);
    const auto errors = document->child("errors");
    EXPECT_EQ(std::distance(errors.begin(), errors.end()), 1) << (res ? res->body : "");
    const auto error = errors.child("error");
    EXPECT_EQ(error.child("code").text().as_int(), status);
    const std::string description = error.child("description").text().get();
    EXPECT_FALSE(description.empty());
    return description;
}

std::string child_text(const pugi::xml_node& node, const char* child) {
    return node.child(child).text().get();
}

// A register, a client for it, and what most tests do with them.
struct Session {
    explicit Session(DevRegisterOptions options = {}) : reg(std::move(options)) {}

    Fields minimal_complaint() const {
        return {{"api_key", reg.api_key()},
                {"service_code", "KZ-GU-001"},
                {"address_string", "Астана, проспект Мәңгілік Ел, 8"}};
    }

    httplib::Result submit(const Fields& fields, const httplib::Headers& headers = {},
                           const std::string& path = "/requests.json") {
        return client->Post(path, headers, form_body(fields), kFormType);
    }

    httplib::Result get(const std::string& path, const httplib::Headers& headers = {}) {
        return client->Get(path, headers);
    }

    // Submits and returns the service_request_id the register answered with.
    std::string submit_ok(const Fields& fields, const httplib::Headers& headers = {}) {
        const auto res = submit(fields, headers);
        if (!res) {
            ADD_FAILURE() << "no response: " << httplib::to_string(res.error());
            return {};
        }
        EXPECT_EQ(res->status, 200) << res->body;
        const auto answer = json::parse(res->body);
        EXPECT_TRUE(answer.at(0).at("account_id").is_null());
        EXPECT_TRUE(answer.at(0).at("service_notice").is_string());
        return answer.at(0).at("service_request_id").get<std::string>();
    }

    // The columns of the request with this number, as text ("<null>" for NULL); empty if none.
    std::vector<std::string> row(const std::string& columns, const std::string& number) const {
        const auto rows = reg.query(
            "SELECT " + columns + " FROM requests WHERE service_request_id = ?1", {number});
        return rows.empty() ? std::vector<std::string>{} : rows[0];
    }

    DevRegister reg;
    std::unique_ptr<httplib::SSLClient> client = client_for(reg);
};

class RegisterTest : public ::testing::Test, public Session {};

// Section: catalog

TEST_F(RegisterTest, ServicesJsonListsTheCatalog) {
    const auto res = client->Get("/services.json");
    ASSERT_TRUE(res) << httplib::to_string(res.error());
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(res->get_header_value("Content-Type"), "application/json; charset=utf-8");
    std::ifstream catalog(reg.catalog_path());
    EXPECT_EQ(json::parse(res->body), json::parse(catalog));
    const auto services = json::parse(res->body);
    ASSERT_GE(services.size(), 6u);
    for (const auto& service : services) {
        EXPECT_TRUE(service.at("service_code").is_string());
        EXPECT_TRUE(service.at("service_name").is_string());
    }
}

TEST_F(RegisterTest, ServicesXmlListsTheCatalog) {
    std::ifstream file(reg.catalog_path());
    const auto catalog = json::parse(file);
    const auto document = xml_answer(get("/services.xml"));
    const auto services = document->child("services");
    ASSERT_EQ(static_cast<std::size_t>(std::distance(services.begin(), services.end())),
              catalog.size());
    std::size_t i = 0;
    for (const auto& service : services.children("service")) {
        EXPECT_EQ(child_text(service, "service_code"), catalog[i].at("service_code"));
        EXPECT_EQ(child_text(service, "service_name"), catalog[i].at("service_name"));
        EXPECT_EQ(child_text(service, "metadata"), "true");
        EXPECT_EQ(child_text(service, "type"), "realtime");
        ++i;
    }
}

TEST_F(RegisterTest, EveryServiceIsDefinedByTheAttributesKiosksSend) {
    std::ifstream file(reg.catalog_path());
    for (const auto& service : json::parse(file)) {
        const std::string code = service.at("service_code");
        EXPECT_TRUE(service.at("metadata").get<bool>()) << code;
        const auto res = get("/services/" + code + ".json");
        ASSERT_TRUE(res) << httplib::to_string(res.error());
        ASSERT_EQ(res->status, 200) << res->body;
        const auto definition = json::parse(res->body);
        EXPECT_EQ(definition.at("service_code"), code);
        std::vector<std::string> codes;
        for (const auto& attribute : definition.at("attributes")) {
            codes.push_back(attribute.at("code"));
            EXPECT_EQ(attribute.at("order"), codes.size());
            EXPECT_TRUE(attribute.at("variable").get<bool>());
            const bool list = attribute.at("datatype").get<std::string>().ends_with("valuelist");
            EXPECT_EQ(attribute.contains("values"), list) << attribute.dump();
        }
        // What kiosks send, in their order: the kiosk's own list, so a new one is caught here.
        EXPECT_EQ(codes, std::vector<std::string>(std::begin(kiosk::kComplaintAttributes),
                                                  std::end(kiosk::kComplaintAttributes)))
            << code;
    }
}

TEST_F(RegisterTest, ServiceDefinitionInBothFormats) {
    const auto res = get("/services/KZ-GU-003.json");
    ASSERT_TRUE(res) << httplib::to_string(res.error());
    EXPECT_EQ(res->get_header_value("Content-Type"), "application/json; charset=utf-8");
    const auto addressee = json::parse(res->body).at("attributes").at(0);
    EXPECT_EQ(addressee, json::parse(R"({
        "variable": true, "code": "addressee", "datatype": "singlevaluelist", "required": true,
        "datatype_description": null, "order": 1, "description": "Кому адресована жалоба",
        "values": [{"key": "provider_head", "name": "Руководителю услугодателя"},
                   {"key": "akim", "name": "Акиму"},
                   {"key": "egov", "name": "Через портал электронного правительства"}]})"));
    const auto consent = json::parse(res->body).at("attributes").at(11);
    EXPECT_EQ(consent.at("code"), "consent");
    EXPECT_TRUE(consent.at("required").get<bool>());

    const auto document = xml_answer(get("/services/KZ-GU-003.xml"));
    const auto definition = document->child("service_definition");
    EXPECT_EQ(child_text(definition, "service_code"), "KZ-GU-003");
    const auto first = definition.child("attributes").child("attribute");
    const std::vector<std::pair<const char*, std::string>> expected = {
        {"variable", "true"},
        {"code", "addressee"},
        {"datatype", "singlevaluelist"},
        {"required", "true"},
        {"datatype_description", ""},
        {"order", "1"},
        {"description", "Кому адресована жалоба"}};
    auto child = first.first_child();
    for (const auto& [name, text] : expected) {
        EXPECT_STREQ(child.name(), name);
        EXPECT_EQ(child.text().get(), text) << name;
        child = child.next_sibling();
    }
    EXPECT_STREQ(child.name(), "values");
    const auto value = child.child("value");
    EXPECT_EQ(child_text(value, "key"), "provider_head");
    EXPECT_EQ(child_text(value, "name"), "Руководителю услугодателя");
    EXPECT_EQ(std::distance(child.begin(), child.end()), 3);
}

TEST_F(RegisterTest, UnknownServiceDefinitionIsNotFoundInBothFormats) {
    expect_error(get("/services/KZ-GU-999.json"), 404);
    expect_xml_error(get("/services/KZ-GU-999.xml"), 404);
}

// Section: submitting complaints

TEST_F(RegisterTest, StoresKazakhAndRussianTextIntact) {
    auto fields = minimal_complaint();
    fields.insert(fields.end(),
                  {{"first_name", "Гүлнұр"},
                   {"last_name", "Әбілқасымова"},
                   {"phone", "+7 701 123 45 67"},
                   {"email", "gulnur@example.kz"},
                   {"device_id", "kiosk-dev-01"},
                   {"description", "Очередь не двигалась 3 часа.\nҚызметкер жауап бермеді.\t—"},
                   {"attribute[grounds]", "ҒҚҢӨҰҮҺІ ғқңөұүһі"},
                   {"attribute[officials_position][]", "Главный специалист ЦОН"},
                   {"attribute[officials_position][]", "Бас маман"}});
    const auto number = submit_ok(fields);
    EXPECT_TRUE(std::regex_match(number, std::regex("ЖТ-20[0-9]{2}-[0-9]{8}"))) << number;

    const auto row = Session::row(
        "service_code, address_string, first_name, last_name, phone, email, device_id, "
        "description, attributes, status, status_notes, requested_datetime, updated_datetime, "
        "expected_datetime",
        number);
    ASSERT_EQ(row.size(), 14u);
    EXPECT_EQ(row[0], "KZ-GU-001");
    EXPECT_EQ(row[1], "Астана, проспект Мәңгілік Ел, 8");
    EXPECT_EQ(row[2], "Гүлнұр");
    EXPECT_EQ(row[3], "Әбілқасымова");
    EXPECT_EQ(row[4], "+7 701 123 45 67");
    EXPECT_EQ(row[5], "gulnur@example.kz");
    EXPECT_EQ(row[6], "kiosk-dev-01");
    EXPECT_EQ(row[7], "Очередь не двигалась 3 часа.\nҚызметкер жауап бермеді.\t—");
    EXPECT_EQ(json::parse(row[8]), json::parse(R"({"grounds": "ҒҚҢӨҰҮҺІ ғқңөұүһі",
                              "officials_position": ["Главный специалист ЦОН", "Бас маман"]})"));
    EXPECT_EQ(row[9], "open");
    EXPECT_EQ(row[10], "<null>");
    const std::regex iso("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}([+-]\\d{2}:\\d{2}|Z)");
    EXPECT_TRUE(std::regex_match(row[11], iso)) << row[11];
    EXPECT_EQ(row[12], row[11]);
    EXPECT_TRUE(std::regex_match(row[13], iso)) << row[13];
    EXPECT_EQ(number.substr(std::string("ЖТ-").size(), 4), row[11].substr(0, 4));
}

TEST_F(RegisterTest, LogNamesTheNumberButNoPersonalData) {
    auto fields = minimal_complaint();
    fields.insert(fields.end(), {{"last_name", "Әбілқасымова"},
                                 {"phone", "+77011234567"},
                                 {"attribute[iin]", "870412450123"}});
    const auto number = submit_ok(fields);
    const auto log = reg.log();
    EXPECT_NE(log.find("POST /requests.json 200 " + number), std::string::npos) << log;
    for (const auto& [name, value] : fields) {
        if (name == "service_code") continue;
        EXPECT_EQ(log.find(value), std::string::npos) << name << " appears in the log";
    }
}

TEST_F(RegisterTest, SameIdempotencyKeyGivesSameNumberAndOneRow) {
    const httplib::Headers headers = {{"Idempotency-Key", "kiosk-dev-01/2026-11-27/0001"}};
    const auto first = submit_ok(minimal_complaint(), headers);
    const auto second = submit_ok(minimal_complaint(), headers);
    EXPECT_EQ(first, second);
    EXPECT_EQ(reg.rows("requests"), 1);
    EXPECT_NE(submit_ok(minimal_complaint()), first);  // no key, new complaint
}

TEST_F(RegisterTest, WrongApiKeyIsForbidden) {
    auto fields = minimal_complaint();
    fields[0].second = "not-the-key";
    expect_error(submit(fields), 403);
    EXPECT_EQ(reg.rows("requests"), 0);
}

TEST_F(RegisterTest, MissingServiceCodeIsBadRequest) {
    auto fields = minimal_complaint();
    fields.erase(fields.begin() + 1);
    expect_error(submit(fields), 400);
}

TEST_F(RegisterTest, UnknownServiceCodeIsNotFound) {
    auto fields = minimal_complaint();
    fields[1].second = "KZ-GU-999";
    expect_error(submit(fields), 404);
}

TEST_F(RegisterTest, InvalidUtf8IsBadRequestNamingTheField) {
    auto fields = minimal_complaint();
    fields.emplace_back("description", "\xD0\x96\xFF");
    const auto res = submit(fields);
    expect_error(res, 400);
    EXPECT_NE(res->body.find("description"), std::string::npos) << res->body;
    EXPECT_EQ(reg.rows("requests"), 0);
}

TEST_F(RegisterTest, AcceptsEveryFieldTheSpecAllows) {
    const Fields fields = {{"api_key", reg.api_key()},
                           {"jurisdiction_id", reg.jurisdiction()},
                           {"service_code", "KZ-GU-002"},
                           {"lat", "51.128207"},
                           {"long", "-71.4305"},
                           {"address_id", "AST-000123"},
                           {"email", "gulnur@example.kz"},
                           {"device_id", "kiosk-dev-01"},
                           {"account_id", "acct-77"},
                           {"first_name", "Гүлнұр"},
                           {"last_name", "Әбілқасымова"},
                           {"phone", "+77011234567"},
                           {"description", "Первая строка\r\nвторая строка"},
                           {"media_url", "https://media.example.kz/photo%201.jpg?size=large"},
                           {"attribute[iin]", "870412450123"}};
    const auto res = submit(fields);
    ASSERT_TRUE(res) << httplib::to_string(res.error());
    ASSERT_EQ(res->status, 200) << res->body;
    const auto answer = json::parse(res->body).at(0);
    EXPECT_EQ(answer.at("account_id"), "acct-77");
    const std::string number = answer.at("service_request_id");
    EXPECT_EQ(
        row("jurisdiction_id, lat, long, address_id, address_string, email, device_id, "
            "account_id, description, media_url, attributes",
            number),
        (std::vector<std::string>{
            reg.jurisdiction(), "51.128207", "-71.4305", "AST-000123", "<null>",
            "gulnur@example.kz", "kiosk-dev-01", "acct-77", "Первая строка\r\nвторая строка",
            "https://media.example.kz/photo%201.jpg?size=large", R"({"iin":"870412450123"})"}));

    const auto shown = get("/requests/" + percent_encode(number) + ".json");
    ASSERT_TRUE(shown) << httplib::to_string(shown.error());
    const auto request = json::parse(shown->body).at(0);
    EXPECT_DOUBLE_EQ(request.at("lat").get<double>(), 51.128207);
    EXPECT_DOUBLE_EQ(request.at("long").get<double>(), -71.4305);
    EXPECT_EQ(request.at("address_id"), "AST-000123");
    EXPECT_TRUE(request.at("address").is_null());
    EXPECT_EQ(request.at("media_url"), "https://media.example.kz/photo%201.jpg?size=large");
    EXPECT_EQ(request.at("description"), "Первая строка\r\nвторая строка");
}

// Carriage returns go out as &#13;, so an XML reader's line-end normalisation keeps them.
TEST_F(RegisterTest, CrlfInTheDescriptionComesBackAsSentInXml) {
    auto fields = minimal_complaint();
    fields.emplace_back("description", "Строка 1\r\nСтрока 2 <&> \"'\r\n");
    const auto number = submit_ok(fields);
    const auto res = get("/requests/" + percent_encode(number) + ".xml");
    const auto document = xml_answer(res);
    EXPECT_NE(res->body.find("Строка 1&#13;\nСтрока 2 &lt;&amp;&gt;"), std::string::npos)
        << res->body;
    const auto request = document->child("service_requests").child("request");
    EXPECT_EQ(child_text(request, "description"), "Строка 1\r\nСтрока 2 <&> \"'\r\n");
    EXPECT_EQ(child_text(request, "service_request_id"), number);
    EXPECT_EQ(child_text(request, "service_code"), "KZ-GU-001");
    EXPECT_EQ(child_text(request, "status"), "open");
    EXPECT_EQ(child_text(request, "address"), "Астана, проспект Мәңгілік Ел, 8");
    EXPECT_TRUE(request.child("lat"));  // present, empty: the spec's fields are all there
    EXPECT_EQ(child_text(request, "lat"), "");
}

TEST_F(RegisterTest, LatAndLongAloneAreALocation) {
    auto fields = minimal_complaint();
    fields.back() = {"lat", "-33.5"};
    fields.emplace_back("long", "+151");
    EXPECT_EQ(row("lat, long, address_string", submit_ok(fields)),
              (std::vector<std::string>{"-33.5", "+151", "<null>"}));
}

TEST_F(RegisterTest, BadFieldsAreBadRequestsNamingTheProblem) {
    const std::vector<std::pair<Fields, std::string>> cases = {
        {{{"lat", "91"}, {"long", "10"}}, "\"lat\" must be a decimal number from -90 to 90"},
        {{{"lat", "10"}, {"long", "-180.5"}}, "\"long\" must be a decimal number from -180"},
        {{{"lat", "1e1"}, {"long", "10"}}, "\"lat\" must be a decimal number"},
        {{{"lat", "NaN"}, {"long", "10"}}, "\"lat\" must be a decimal number"},
        {{{"lat", "10."}, {"long", "10"}}, "\"lat\" must be a decimal number"},
        {{{"lat", "10"}}, "lat and long must be given together"},
        {{{"media_url", "ftp://example.kz/a.jpg"}}, "\"media_url\" must be an http:// or https://"},
        {{{"media_url", "https://"}}, "\"media_url\" must be an http"},
        {{{"media_url", "javascript:alert(1)"}}, "\"media_url\" must be an http"},
        {{{"media_url", "https://example.kz/a b.jpg"}}, "\"media_url\" must be an http"},
        {{{"email", "gulnur.example.kz"}}, "\"email\" is not an e-mail address"},
        {{{"email", "a@b@c"}}, "\"email\" is not an e-mail address"},
        {{{"first_name", "Гүлнұр\nӘбіл"}}, "\"first_name\" must be on one line"},
        {{{"device_id", "kiosk\r\n01"}}, "\"device_id\" must be on one line"},
        {{{"description", "a\x01"}}, "\"description\" is not UTF-8 or contains control"},
        {{{"description", "a\x7F"}}, "\"description\" is not UTF-8 or contains control"},
        {{{"description", "\xEF\xBF\xBF"}}, "\"description\" is not UTF-8 or contains control"},
        {{{"description", std::string(4001, 'a')}},
         "\"description\" is longer than 4000 characters"},
        {{{"zipcode", "010000"}}, "\"zipcode\" is not supported"},
    };
    for (const auto& [extra, message] : cases) {
        auto fields = minimal_complaint();
        fields.insert(fields.end(), extra.begin(), extra.end());
        const auto res = submit(fields);
        expect_error(res, 400);
        const std::string description = json::parse(res->body).at(0).at("description");
        EXPECT_NE(description.find(message), std::string::npos)
            << extra.front().first << ": " << description;
    }
    auto no_location = minimal_complaint();
    no_location.pop_back();
    const auto res = submit(no_location);
    expect_error(res, 400);
    EXPECT_NE(res->body.find("address_string is required (or lat and long, or address_id)"),
              std::string::npos)
        << res->body;
    const auto wrong_type = client->Post("/requests.json", form_body(minimal_complaint()),
                                         "multipart/form-data; boundary=x");
    expect_error(wrong_type, 400);
    EXPECT_EQ(reg.rows("requests"), 0);
}

// 50 KB of form: httplib's own limit for forms (8 KiB) does not apply.
TEST_F(RegisterTest, ALongComplaintIsAccepted) {
    auto fields = minimal_complaint();
    std::string description;
    for (int i = 0; i < 4000; ++i) description += "ж";  // 8,000 bytes, 24,000 sent
    fields.emplace_back("description", description);
    fields.emplace_back("attribute[grounds]", description);
    fields.emplace_back("attribute[signature_svg]", "<svg>" + std::string(7000, 'L') + "</svg>");
    ASSERT_GT(form_body(fields).size(), 50'000u);
    const auto number = submit_ok(fields);
    EXPECT_EQ(row("description", number), std::vector<std::string>{description});
    EXPECT_EQ(json::parse(row("attributes", number).at(0)).at("grounds"), description);
}

TEST_F(RegisterTest, JurisdictionIsOptionalButMustBeThisRegisters) {
    auto fields = minimal_complaint();
    fields.emplace_back("jurisdiction_id", "other.kz");
    const auto res = submit(fields);
    expect_error(res, 404);
    EXPECT_NE(res->body.find("jurisdiction_id was not found"), std::string::npos) << res->body;
    expect_error(get("/services.json?jurisdiction_id=other.kz"), 404);
    EXPECT_EQ(get("/services.json?jurisdiction_id=" + reg.jurisdiction())->status, 200);
    EXPECT_EQ(reg.rows("requests"), 0);
}

TEST_F(RegisterTest, SubmittingToRequestsXmlAnswersInXml) {
    auto fields = minimal_complaint();
    fields.emplace_back("account_id", "acct-1");
    const auto document =
        xml_answer(submit(fields, {{"Idempotency-Key", "xml-1"}}, "/requests.xml"));
    const auto request = document->child("service_requests").child("request");
    const auto number = child_text(request, "service_request_id");
    EXPECT_TRUE(std::regex_match(number, std::regex("ЖТ-20[0-9]{2}-[0-9]{8}"))) << number;
    EXPECT_FALSE(child_text(request, "service_notice").empty());
    EXPECT_EQ(child_text(request, "account_id"), "acct-1");
    EXPECT_FALSE(request.child("token"));
    // The same key in the other format: the same complaint.
    EXPECT_EQ(submit_ok(minimal_complaint(), {{"Idempotency-Key", "xml-1"}}), number);
    EXPECT_EQ(reg.rows("requests"), 1);
    EXPECT_NE(reg.log().find("POST /requests.xml 200 " + number), std::string::npos) << reg.log();
}

TEST_F(RegisterTest, ErrorsAnswerInTheFormatAskedFor) {
    auto fields = minimal_complaint();
    fields[0].second = "not-the-key";
    expect_xml_error(submit(fields, {}, "/requests.xml"), 403);
    expect_xml_error(get("/requests/" + percent_encode("ЖТ-2026-99999999") + ".xml"), 404);
    expect_xml_error(get("/tokens/0123456789abcdef0123456789abcdef.xml"), 404);
    expect_xml_error(get("/nothing.xml"), 404);
    expect_error(get("/nothing"), 404);  // no format asked: the profile's first, JSON
}

// Section: looking complaints up

TEST_F(RegisterTest, SubmittedRequestIsOpen) {
    const auto number = submit_ok(minimal_complaint());
    const auto res = client->Get("/requests/" + percent_encode(number) + ".json");
    ASSERT_TRUE(res) << httplib::to_string(res.error());
    ASSERT_EQ(res->status, 200) << res->body;
    const auto request = json::parse(res->body).at(0);
    EXPECT_EQ(request.at("service_request_id"), number);
    EXPECT_EQ(request.at("status"), "open");
    EXPECT_EQ(request.at("service_code"), "KZ-GU-001");
    EXPECT_EQ(request.at("service_name"),
              "Регистрация по месту жительства граждан Республики Казахстан");
    EXPECT_EQ(request.at("address"), "Астана, проспект Мәңгілік Ел, 8");
}

TEST_F(RegisterTest, UnknownRequestIsNotFound) {
    expect_error(client->Get("/requests/" + percent_encode("ЖТ-2026-99999999") + ".json"), 404);
}

TEST_F(RegisterTest, UnknownPathIsNotFound) { expect_error(client->Get("/complaints"), 404); }

// Section: searching requests (GET requests)

class SearchTest : public RegisterTest {
protected:
    // Moves a request's filing time `days` into the past.
    void age(const std::string& number, int days) {
        reg.query(
            "UPDATE requests SET requested_at = requested_at - ?1 * 86400, "
            "requested_datetime = strftime('%Y-%m-%dT%H:%M:%SZ', requested_at - ?1 * 86400, "
            "'unixepoch') WHERE service_request_id = ?2",
            {std::to_string(days), number});
    }

    // The numbers GET requests.json?QUERY answers, in its order.
    std::vector<std::string> found(const std::string& query) {
        const auto res = get("/requests.json" + query);
        if (!res) {
            ADD_FAILURE() << httplib::to_string(res.error());
            return {};
        }
        EXPECT_EQ(res->status, 200) << query << ": " << res->body;
        std::vector<std::string> numbers;
        for (const auto& request : json::parse(res->body))
            numbers.push_back(request.at("service_request_id"));
        return numbers;
    }

    std::string filed(const std::string& service_code) {
        auto fields = minimal_complaint();
        fields[1].second = service_code;
        return submit_ok(fields);
    }
};

TEST_F(SearchTest, LastNinetyDaysNewestFirstByDefault) {
    const auto old = filed("KZ-GU-001");
    const auto first = filed("KZ-GU-002");
    const auto second = filed("KZ-GU-001");
    age(old, 91);
    age(first, 1);
    EXPECT_EQ(found(""), (std::vector<std::string>{second, first}));
}

TEST_F(SearchTest, FiltersByCodeStatusAndDates) {
    const auto old = filed("KZ-GU-001");
    const auto code_two = filed("KZ-GU-002");
    const auto recent = filed("KZ-GU-001");
    age(old, 100);
    age(code_two, 2);
    EXPECT_EQ(found("?service_code=KZ-GU-001"), std::vector<std::string>{recent});
    EXPECT_EQ(found("?service_code=KZ-GU-001,KZ-GU-002"),
              (std::vector<std::string>{recent, code_two}));
    EXPECT_EQ(found("?service_code=KZ-GU-002&service_code=KZ-GU-001"),
              (std::vector<std::string>{recent, code_two}));
    EXPECT_EQ(found("?status=open,closed"), (std::vector<std::string>{recent, code_two}));
    EXPECT_TRUE(found("?status=closed").empty());
    // A window around the old one alone, with offsets.
    const auto requested_at = std::stoll(row("requested_at", old).at(0));
    const auto w3c = [](long long seconds) {
        const std::time_t when = seconds;
        std::tm utc{};
        gmtime_r(&when, &utc);
        char text[32];
        std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S%%2B00:00", &utc);
        return std::string(text);
    };
    EXPECT_EQ(
        found("?start_date=" + w3c(requested_at - 60) + "&end_date=" + w3c(requested_at + 60)),
        std::vector<std::string>{old});
    EXPECT_EQ(found("?start_date=" + w3c(requested_at - 60)), std::vector<std::string>{old});
    EXPECT_EQ(found("?end_date=" + w3c(requested_at + 60)), std::vector<std::string>{old});
}

TEST_F(SearchTest, IdsOverrideEveryOtherArgument) {
    const auto old = filed("KZ-GU-001");
    const auto other = filed("KZ-GU-002");
    filed("KZ-GU-003");
    age(old, 400);
    EXPECT_EQ(found("?service_request_id=" + percent_encode(old + "," + other) +
                    "&service_code=KZ-GU-003&status=closed"),
              (std::vector<std::string>{other, old}));
    EXPECT_TRUE(found("?service_request_id=" + percent_encode("ЖТ-2026-99999999")).empty());
}

TEST_F(SearchTest, BadArgumentsAreBadRequests) {
    for (const auto* query :
         {"?status=pending", "?start_date=2026-01-01", "?start_date=yesterday",
          "?end_date=2026-02-30T00:00:00Z",
          "?start_date=2026-03-01T00:00:00Z&end_date=2026-01-01T00:00:00Z",
          "?start_date=2026-01-01T00:00:00Z&end_date=2026-04-02T00:00:00Z", "?service_code=%0A"}) {
        const auto res = get(std::string("/requests.json") + query);
        expect_error(res, 400);
        expect_xml_error(get(std::string("/requests.xml") + query), 400);
    }
    // Ninety days exactly is allowed.
    EXPECT_TRUE(found("?start_date=2026-01-01T00:00:00Z&end_date=2026-04-01T00:00:00Z").empty());
}

TEST_F(SearchTest, AnswersAtMostAThousand) {
    filed("KZ-GU-001");
    // 1,100 more rows written straight into the database, each a second older than the next.
    reg.query(R"(WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1100)
        INSERT INTO requests(service_request_id, service_code, attributes, requested_datetime,
                             updated_datetime, address_string, requested_at)
        SELECT 'bulk-' || i, 'KZ-GU-001', '{}', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z',
               'Астана', (SELECT MAX(requested_at) FROM requests) - i FROM n)");
    const auto numbers = found("");
    ASSERT_EQ(numbers.size(), 1000u);
    EXPECT_EQ(numbers[1], "bulk-1");
    EXPECT_EQ(numbers[999], "bulk-999");
}

TEST_F(SearchTest, XmlListsTheSameRequests) {
    const auto first = filed("KZ-GU-001");
    const auto second = filed("KZ-GU-002");
    age(first, 1);
    const auto document = xml_answer(get("/requests.xml"));
    std::vector<std::string> numbers;
    for (const auto& request : document->child("service_requests").children("request"))
        numbers.push_back(child_text(request, "service_request_id"));
    EXPECT_EQ(numbers, (std::vector<std::string>{second, first}));
    const auto none = xml_answer(get("/requests.xml?status=closed"));
    EXPECT_TRUE(none->child("service_requests"));
    EXPECT_FALSE(none->child("service_requests").first_child());
}

// Section: TLS

TEST(RegisterTls, MutualTlsRefusesClientWithoutCertificate) {
    // Under TLS 1.3 the refusal comes after the handshake, while the client is still writing.
    std::signal(SIGPIPE, SIG_IGN);
    DevRegister reg({.require_client_cert = true});
    EXPECT_FALSE(client_for(reg)->Get("/services.json"));
    const auto res = client_for(reg, true)->Get("/services.json");
    ASSERT_TRUE(res) << httplib::to_string(res.error());
    EXPECT_EQ(res->status, 200);
}

TEST(RegisterTls, RogueRegisterFailsVerification) {
    DevRegister reg({.rogue_certificate = true});
    const auto res = client_for(reg)->Get("/services.json");
    ASSERT_FALSE(res);
    EXPECT_EQ(res.error(), httplib::Error::SSLServerVerification);
}

TEST(RegisterTls, EveryBadServerCertificateFailsVerification) {
    using Certificate = DevRegisterOptions::Certificate;
    for (const auto certificate :
         {Certificate::OtherCa, Certificate::Expired, Certificate::WrongHost}) {
        DevRegister reg({.certificate = certificate});
        const auto res = client_for(reg)->Get("/services.json");
        ASSERT_FALSE(res) << static_cast<int>(certificate);
        EXPECT_EQ(res.error(), httplib::Error::SSLServerVerification)
            << static_cast<int>(certificate);
    }
}

// Section: tokens

TEST(RegisterTokens, TokenFaultAnswersATokenThatGivesTheNumberAfterPolls) {
    Session session({.faults = {"token,polls=2,count=1"}});
    const auto res = session.submit(session.minimal_complaint(), {{"Idempotency-Key", "k-1"}});
    ASSERT_TRUE(res) << httplib::to_string(res.error());
    ASSERT_EQ(res->status, 200) << res->body;
    const auto answer = json::parse(res->body).at(0);
    EXPECT_FALSE(answer.contains("service_request_id")) << res->body;
    const auto token = answer.at("token").get<std::string>();
    EXPECT_TRUE(std::regex_match(token, std::regex("[0-9a-f]{32}"))) << token;

    const auto number = session.reg.query("SELECT service_request_id FROM requests").at(0).at(0);
    for (int poll = 1; poll <= 3; ++poll) {
        const auto lookup = session.client->Get("/tokens/" + token + ".json");
        ASSERT_TRUE(lookup) << httplib::to_string(lookup.error());
        ASSERT_EQ(lookup->status, 200) << lookup->body;
        const auto found = json::parse(lookup->body).at(0);
        EXPECT_EQ(found.at("token"), token);
        if (poll <= 2)
            EXPECT_FALSE(found.contains("service_request_id")) << poll;
        else
            EXPECT_EQ(found.at("service_request_id"), number);
    }
    // The same key again, the fault used up: the number itself, and still one row.
    EXPECT_EQ(session.submit_ok(session.minimal_complaint(), {{"Idempotency-Key", "k-1"}}), number);
    EXPECT_EQ(session.reg.rows("requests"), 1);
}

TEST_F(RegisterTest, UnknownTokenIsNotFound) {
    expect_error(client->Get("/tokens/0123456789abcdef0123456789abcdef.json"), 404);
}

// Section: heartbeats

class HeartbeatTest : public RegisterTest {
protected:
    httplib::Result beat(const std::string& body, const httplib::Headers& headers = {},
                         const std::string& api_key = "dev-kiosk-key",
                         const char* type = "application/json") {
        return client->Post("/kiosks/kiosk-dev-01/heartbeat.json?api_key=" + api_key, headers, body,
                            type);
    }
};

TEST_F(HeartbeatTest, IsStoredAsSent) {
    const std::string body = R"({"outbox":{"queued":2},"printer":"media-low","uptime_s":3600})";
    const auto res = beat(body, {{"Idempotency-Key", "hb-1"}});
    ASSERT_TRUE(res) << httplib::to_string(res.error());
    ASSERT_EQ(res->status, 200) << res->body;
    const auto answer = json::parse(res->body);
    EXPECT_EQ(answer.at("kiosk_id"), "kiosk-dev-01");
    const auto rows = reg.query("SELECT kiosk_id, received_at, body FROM heartbeats");
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0], (std::vector<std::string>{"kiosk-dev-01", answer.at("received_at"), body}));
    EXPECT_NE(reg.log().find("POST /kiosks/kiosk-dev-01/heartbeat.json 200"), std::string::npos);
    EXPECT_EQ(reg.log().find("media-low"), std::string::npos) << "the body is not logged";
}

TEST_F(HeartbeatTest, SameIdempotencyKeyAddsNoRow) {
    const auto first = beat("{}", {{"Idempotency-Key", "hb-2"}});
    const auto again = beat(R"({"later":true})", {{"Idempotency-Key", "hb-2"}});
    ASSERT_TRUE(first && again);
    EXPECT_EQ(json::parse(first->body), json::parse(again->body));
    EXPECT_EQ(reg.rows("heartbeats"), 1);
    ASSERT_EQ(beat("{}")->status, 200);  // no key: a heartbeat of its own
    EXPECT_EQ(reg.rows("heartbeats"), 2);
}

TEST_F(HeartbeatTest, RefusalsHaveTheOpen311Shape) {
    expect_error(beat("[1, 2]"), 400);
    expect_error(beat("{\"truncated\": "), 400);
    expect_error(beat("{\"x\": \"" + std::string(64 << 10, 'a') + "\"}"), 413);
    expect_error(beat("{}", {}, "not-the-key"), 403);
    expect_error(beat("{}", {}, "dev-kiosk-key", "text/plain"), 415);
    expect_error(beat("{}", {{"Idempotency-Key", std::string(129, 'k')}}), 400);
    EXPECT_EQ(reg.rows("heartbeats"), 0);
}

// Section: fault switches

TEST(RegisterFaults, StatusWithRetryAfterStoresNothingAndCountRunsOut) {
    Session session({.faults = {"status=503,retry-after=2,count=1,path=requests.json"}});
    const auto services = session.client->Get("/services.json");  // outside the path filter
    ASSERT_TRUE(services);
    EXPECT_EQ(services->status, 200);
    const auto refused = session.submit(session.minimal_complaint());
    expect_error(refused, 503);
    EXPECT_EQ(refused->get_header_value("Retry-After"), "2");
    EXPECT_EQ(session.reg.rows("requests"), 0);
    session.submit_ok(session.minimal_complaint());  // count=1: the register behaves again
    EXPECT_EQ(session.reg.rows("requests"), 1);
    EXPECT_NE(
        session.reg.log().find(
            "fault status=503,retry-after=2,count=1,path=requests.json on POST /requests.json"),
        std::string::npos)
        << session.reg.log();
}

TEST(RegisterFaults, ResetStoresTheComplaintThenDropsTheConnection) {
    std::signal(SIGPIPE, SIG_IGN);
    Session session({.faults = {"reset,count=1"}});
    const httplib::Headers key = {{"Idempotency-Key", "reset-1"}};
    auto fields = session.minimal_complaint();
    fields.emplace_back("last_name", "Әбілқасымова");
    const auto dropped = session.submit(fields, key);
    EXPECT_FALSE(dropped) << dropped->status << " " << dropped->body;
    const auto stored = session.reg.query("SELECT service_request_id FROM requests");
    ASSERT_EQ(stored.size(), 1u);
    EXPECT_EQ(session.submit_ok(fields, key), stored[0][0]);  // the retry finds it
    EXPECT_EQ(session.reg.rows("requests"), 1);
    const auto log = session.reg.log();
    EXPECT_NE(log.find("fault reset,count=1 on POST /requests.json"), std::string::npos) << log;
    EXPECT_EQ(log.find("Әбілқасымова"), std::string::npos) << log;
}

class FaultHeaderTest : public ::testing::Test, public Session {
protected:
    FaultHeaderTest() : Session({.allow_fault_header = true}) {}

    httplib::Result submit_with_fault(const std::string& spec) {
        return submit(minimal_complaint(), {{"X-Register-Fault", spec}});
    }
};

TEST_F(FaultHeaderTest, RetryAfterAsAnHttpDate) {
    const auto res = submit_with_fault("status=429,retry-after-date=30");
    expect_error(res, 429);
    const std::regex http_date(
        "[A-Z][a-z]{2}, \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT");
    EXPECT_TRUE(std::regex_match(res->get_header_value("Retry-After"), http_date))
        << res->get_header_value("Retry-After");
}

TEST_F(FaultHeaderTest, MalformedJsonIsHalfTheAnswerAfterStoring) {
    const auto res = submit_with_fault("malformed-json");
    ASSERT_TRUE(res) << httplib::to_string(res.error());
    EXPECT_EQ(res->status, 200);
    EXPECT_TRUE(json::parse(res->body, nullptr, false).is_discarded()) << res->body;
    EXPECT_TRUE(res->body.starts_with("[{\"service_request_id\":")) << res->body;
    EXPECT_EQ(reg.rows("requests"), 1);
}

TEST_F(FaultHeaderTest, MissingIdDropsTheNumberAfterStoring) {
    const auto res = submit_with_fault("missing-id");
    ASSERT_TRUE(res) << httplib::to_string(res.error());
    const auto answer = json::parse(res->body);
    EXPECT_FALSE(answer.at(0).contains("service_request_id")) << res->body;
    EXPECT_TRUE(answer.at(0).contains("service_notice")) << res->body;
    EXPECT_EQ(reg.rows("requests"), 1);
}

TEST_F(FaultHeaderTest, OversizedIsTwoMebibytesOfValidJsonWithoutALength) {
    const auto res = submit_with_fault("oversized");
    ASSERT_TRUE(res) << httplib::to_string(res.error());
    EXPECT_EQ(res->body.size(), 2u << 20);
    EXPECT_FALSE(res->has_header("Content-Length"));
    EXPECT_TRUE(json::parse(res->body).at(0).contains("service_request_id"));
}

TEST_F(FaultHeaderTest, OversizedWithLengthDeclaresIt) {
    const auto res = submit_with_fault("oversized,length");
    ASSERT_TRUE(res) << httplib::to_string(res.error());
    EXPECT_EQ(res->get_header_value("Content-Length"), std::to_string(2u << 20));
}

TEST_F(FaultHeaderTest, DelayHoldsTheAnswer) {
    const auto start = std::chrono::steady_clock::now();
    const auto res = client->Get("/services.json", {{"X-Register-Fault", "delay=300"}});
    ASSERT_TRUE(res) << httplib::to_string(res.error());
    EXPECT_EQ(res->status, 200);
    EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(300));
}

TEST_F(FaultHeaderTest, PathFilterAndTokenScopeAreHonoured) {
    const auto services =
        client->Get("/services.json", {{"X-Register-Fault", "status=500,path=requests"}});
    ASSERT_TRUE(services);
    EXPECT_EQ(services->status, 200);  // not under the path
    const auto lookup = client->Get("/requests/x.json", {{"X-Register-Fault", "token"}});
    expect_error(lookup, 404);  // a token only ever replaces a new request's number
}

TEST_F(FaultHeaderTest, GeneralServiceErrorOnDemand) {
    const auto res = submit_with_fault("status=400,description=General+service+error");
    ASSERT_TRUE(res) << httplib::to_string(res.error());
    EXPECT_EQ(res->status, 400);
    EXPECT_EQ(json::parse(res->body),
              json::parse(R"([{"code": 400, "description": "General service error"}])"));
    const auto xml = submit(minimal_complaint(),
                            {{"X-Register-Fault", "status=400,description=CRM+is+down%252C+now"}},
                            "/requests.xml");
    EXPECT_EQ(expect_xml_error(xml, 400), "CRM is down, now");
    EXPECT_EQ(reg.rows("requests"), 0);
}

TEST_F(FaultHeaderTest, TokenAnswerInXml) {
    const auto answer = xml_answer(
        submit(minimal_complaint(), {{"X-Register-Fault", "token,polls=1"}}, "/requests.xml"));
    const auto request = answer->child("service_requests").child("request");
    EXPECT_FALSE(request.child("service_request_id"));
    EXPECT_FALSE(child_text(request, "service_notice").empty());
    const auto token = child_text(request, "token");
    ASSERT_TRUE(std::regex_match(token, std::regex("[0-9a-f]{32}"))) << token;
    const auto not_yet = xml_answer(get("/tokens/" + token + ".xml"));
    const auto pending = not_yet->child("service_requests").child("request");
    EXPECT_EQ(child_text(pending, "token"), token);
    EXPECT_FALSE(pending.child("service_request_id"));
    const auto ready = xml_answer(get("/tokens/" + token + ".xml"));
    EXPECT_EQ(child_text(ready->child("service_requests").child("request"), "service_request_id"),
              reg.query("SELECT service_request_id FROM requests").at(0).at(0));
}

TEST_F(FaultHeaderTest, MissingIdAndMalformedInXml) {
    const auto missing = xml_answer(
        submit(minimal_complaint(), {{"X-Register-Fault", "missing-id"}}, "/requests.xml"));
    const auto request = missing->child("service_requests").child("request");
    EXPECT_TRUE(request);
    EXPECT_FALSE(request.child("service_request_id"));
    EXPECT_TRUE(request.child("service_notice"));
    const auto half =
        submit(minimal_complaint(), {{"X-Register-Fault", "malformed-json"}}, "/requests.xml");
    ASSERT_TRUE(half) << httplib::to_string(half.error());
    EXPECT_EQ(half->status, 200);
    pugi::xml_document document;
    EXPECT_FALSE(document.load_buffer(half->body.data(), half->body.size())) << half->body;
    EXPECT_TRUE(half->body.starts_with(kXmlDeclaration)) << half->body;
    EXPECT_EQ(reg.rows("requests"), 2);
}

TEST_F(FaultHeaderTest, OversizedXmlIsStillXml) {
    const auto res =
        submit(minimal_complaint(), {{"X-Register-Fault", "oversized"}}, "/requests.xml");
    ASSERT_TRUE(res) << httplib::to_string(res.error());
    EXPECT_EQ(res->body.size(), 2u << 20);
    EXPECT_EQ(res->get_header_value("Content-Type"), "text/xml; charset=utf-8");
    pugi::xml_document document;
    EXPECT_TRUE(document.load_buffer(res->body.data(), res->body.size()));
}

TEST_F(FaultHeaderTest, BadSpecIsBadRequestNamingTheHeader) {
    for (const auto* spec :
         {"status=99", "bogus", "reset,token", "polls=2", "retry-after=1", "count=0,reset",
          "delay=abc", "status=500,status=503", "path=,reset", "reset,length",
          "status=503,retry-after=1,retry-after-date=1", "delay=1,", "reset,description=x",
          "status=400,description=", "status=400,description=%0A", "status=400,description=%ZZ"}) {
        const auto res = submit_with_fault(spec);
        expect_error(res, 400);
        EXPECT_NE(res->body.find("X-Register-Fault"), std::string::npos)
            << spec << ": " << res->body;
    }
    EXPECT_EQ(reg.rows("requests"), 0);
}

TEST_F(RegisterTest, FaultHeaderIsIgnoredUnlessAllowed) {
    submit_ok(minimal_complaint(), {{"X-Register-Fault", "status=500"}});
    EXPECT_EQ(reg.log().find("fault"), std::string::npos) << reg.log();
}

// Section: the stock profile (a plain GeoReport v2 server)

class StockTest : public ::testing::Test, public Session {
protected:
    StockTest() : Session({.profile = "stock"}) {}

    Fields complaint(const std::string& service_code) const {
        return {{"api_key", reg.api_key()},
                {"jurisdiction_id", reg.jurisdiction()},
                {"service_code", service_code},
                {"lat", "51.1694"},
                {"long", "71.4491"},
                {"description", "Очередь не двигалась 3 часа."}};
    }

    // GET path?jurisdiction_id=... (or &jurisdiction_id=...).
    httplib::Result get_in(const std::string& path) {
        const char separator = path.find('?') == std::string::npos ? '?' : '&';
        return get(path + separator + "jurisdiction_id=" + reg.jurisdiction());
    }

    // POSTs to requests.xml and returns the answer's <request>.
    pugi::xml_node filed(const Fields& fields, const httplib::Headers& headers = {}) {
        answers_.push_back(xml_answer(submit(fields, headers, "/requests.xml")));
        return answers_.back()->child("service_requests").child("request");
    }

private:
    std::vector<std::unique_ptr<pugi::xml_document>> answers_;  // the nodes' documents
};

TEST_F(StockTest, ServesXmlOnly) {
    const auto services = xml_answer(get_in("/services.xml"));
    EXPECT_EQ(child_text(services->child("services").child("service"), "service_code"), "1");
    for (const auto* path : {"/services.json", "/services/2.json", "/requests.json",
                             "/requests/1.json", "/tokens/0123456789abcdef0123456789abcdef.json"})
        EXPECT_EQ(expect_xml_error(get_in(path), 404), "this server answers in XML only: use .xml")
            << path;
    expect_xml_error(submit(complaint("1"), {}, "/requests.json"), 404);
    expect_xml_error(get("/nothing"), 404);
    EXPECT_EQ(reg.rows("requests"), 0);
}

TEST_F(StockTest, JurisdictionIsRequiredOnEveryCall) {
    for (const auto* path : {"/services.xml", "/services/2.xml", "/requests.xml", "/requests/1.xml",
                             "/tokens/0123456789abcdef0123456789abcdef.xml"}) {
        EXPECT_EQ(expect_xml_error(get(path), 400), "jurisdiction_id was not provided") << path;
        EXPECT_EQ(expect_xml_error(get(std::string(path) + "?jurisdiction_id=other.kz"), 404),
                  "jurisdiction_id was not found")
            << path;
    }
    auto fields = complaint("1");
    fields.erase(fields.begin() + 1);
    EXPECT_EQ(expect_xml_error(submit(fields, {}, "/requests.xml"), 400),
              "jurisdiction_id was not provided");
    fields.emplace_back("jurisdiction_id", "other.kz");
    EXPECT_EQ(expect_xml_error(submit(fields, {}, "/requests.xml"), 404),
              "jurisdiction_id was not found");
    EXPECT_EQ(reg.rows("requests"), 0);
}

TEST_F(StockTest, IgnoresIdempotencyKeyAndNumbersPlainly) {
    const httplib::Headers key = {{"Idempotency-Key", "kiosk-dev-01/2026-11-27/0001"}};
    const auto first = child_text(filed(complaint("1"), key), "service_request_id");
    const auto second = child_text(filed(complaint("1"), key), "service_request_id");
    EXPECT_EQ(first, "1");
    EXPECT_EQ(second, "2");
    EXPECT_EQ(reg.rows("requests"), 2);
    EXPECT_EQ(row("idempotency_key", first), std::vector<std::string>{"<null>"});
    // Not even looked at: a key no kiosk would send does not matter either.
    EXPECT_EQ(child_text(filed(complaint("1"), {{"Idempotency-Key", ""}}), "service_request_id"),
              "3");
}

TEST_F(StockTest, EachServiceTypeAnswersItsWay) {
    const auto realtime = filed(complaint("1"));
    EXPECT_TRUE(realtime.child("service_request_id"));
    EXPECT_FALSE(realtime.child("token"));

    const auto batch = filed(complaint("3"));
    EXPECT_FALSE(batch.child("service_request_id"));
    const auto token = child_text(batch, "token");
    const auto pending = xml_answer(get_in("/tokens/" + token + ".xml"));
    EXPECT_FALSE(pending->child("service_requests").child("request").child("service_request_id"));
    const auto ready = xml_answer(get_in("/tokens/" + token + ".xml"));
    EXPECT_EQ(child_text(ready->child("service_requests").child("request"), "service_request_id"),
              "2");

    const auto blackbox = filed(complaint("4"));
    EXPECT_FALSE(blackbox.child("service_request_id"));
    EXPECT_FALSE(blackbox.child("token"));
    EXPECT_FALSE(child_text(blackbox, "service_notice").empty());
    EXPECT_EQ(reg.query("SELECT service_code FROM requests WHERE service_request_id = '3'"),
              (std::vector<std::vector<std::string>>{{"4"}}));  // stored all the same

    const auto both = filed(complaint("5"));
    EXPECT_EQ(child_text(both, "service_request_id"), "4");
    const auto both_token = child_text(both, "token");
    const auto at_once = xml_answer(get_in("/tokens/" + both_token + ".xml"));
    EXPECT_EQ(child_text(at_once->child("service_requests").child("request"), "service_request_id"),
              "4");
    EXPECT_EQ(reg.rows("requests"), 4);
}

TEST_F(StockTest, DefinitionRequiresIinAndDropsWhatItDoesNotDefine) {
    auto fields = complaint("2");
    fields.emplace_back("attribute[iin]", "870412450123");  // the kiosk's code, not the server's
    EXPECT_EQ(expect_xml_error(submit(fields, {}, "/requests.xml"), 400),
              "attribute[IIN] is required");
    for (const auto& [code, value, message] :
         std::vector<std::tuple<std::string, std::string, std::string>>{
             {"CHANNEL", "fax", "attribute[CHANNEL] is not one of the service definition's values"},
             {"VISITS", "twice", "attribute[VISITS] must be a number"},
             {"IIN", "8704\n12450123", "attribute[IIN] must be on one line"}}) {
        auto bad = fields;
        bad.emplace_back("attribute[IIN]", "870412450123");
        if (code == "IIN")
            bad.back().second = value;
        else
            bad.emplace_back("attribute[" + code + "]", value);
        EXPECT_EQ(expect_xml_error(submit(bad, {}, "/requests.xml"), 400), message) << code;
    }
    EXPECT_EQ(reg.rows("requests"), 0);

    fields.insert(fields.end(), {{"attribute[IIN]", "870412450123"},
                                 {"attribute[CHANNEL]", "post"},
                                 {"attribute[VISITS]", "2"},
                                 {"attribute[NOTICE]", "not input"},
                                 {"attribute[signature_svg]", "<svg/>"}});
    const auto number = child_text(filed(fields), "service_request_id");
    EXPECT_EQ(json::parse(row("attributes", number).at(0)),
              json::parse(R"({"IIN": "870412450123", "CHANNEL": "post", "VISITS": "2"})"));
    // A service without metadata defines nothing: every attribute is dropped.
    auto plain = complaint("1");
    plain.emplace_back("attribute[grounds]", "Мотивы");
    EXPECT_EQ(row("attributes", child_text(filed(plain), "service_request_id")),
              std::vector<std::string>{"{}"});
}

TEST_F(StockTest, ServiceDefinitionsInXml) {
    const auto document = xml_answer(get_in("/services/2.xml"));
    const auto definition = document->child("service_definition");
    EXPECT_EQ(child_text(definition, "service_code"), "2");
    std::vector<std::string> attributes;
    for (const auto& attribute : definition.child("attributes").children("attribute"))
        attributes.push_back(
            child_text(attribute, "code") + ":" + child_text(attribute, "variable") + ":" +
            child_text(attribute, "required") + ":" + child_text(attribute, "order"));
    EXPECT_EQ(attributes,
              (std::vector<std::string>{"NOTICE:false:false:1", "IIN:true:true:2",
                                        "CHANNEL:true:false:3", "VISITS:true:false:4"}));
    EXPECT_EQ(expect_xml_error(get_in("/services/1.xml"), 404),
              "service_code has no service definition (its metadata is false)");
    expect_xml_error(get_in("/services/9.xml"), 404);
}

TEST_F(StockTest, SearchAndLookUpInXml) {
    const auto number = child_text(filed(complaint("1")), "service_request_id");
    const auto shown = xml_answer(get_in("/requests/" + number + ".xml"));
    const auto request = shown->child("service_requests").child("request");
    EXPECT_EQ(child_text(request, "service_code"), "1");
    EXPECT_EQ(child_text(request, "lat"), "51.1694");
    EXPECT_EQ(child_text(request, "service_name"),
              "Жалоба на качество оказания государственной услуги");
    const auto search = xml_answer(get_in("/requests.xml?service_code=1"));
    EXPECT_EQ(child_text(search->child("service_requests").child("request"), "service_request_id"),
              number);
}

TEST_F(StockTest, HeartbeatsDoNotExist) {
    const auto res = client->Post("/kiosks/kiosk-dev-01/heartbeat.json?api_key=" + reg.api_key(),
                                  "{}", "application/json");
    expect_xml_error(res, 404);
    EXPECT_EQ(reg.rows("heartbeats"), 0);
}

TEST(StockFaults, GeneralServiceErrorThenServiceAgain) {
    Session session(
        {.faults = {"status=400,description=General+service+error,count=1"}, .profile = "stock"});
    const Fields complaint = {{"api_key", session.reg.api_key()},
                              {"jurisdiction_id", session.reg.jurisdiction()},
                              {"service_code", "1"},
                              {"address_id", "AST-1"}};
    EXPECT_EQ(expect_xml_error(session.submit(complaint, {}, "/requests.xml"), 400),
              "General service error");
    EXPECT_EQ(session.reg.rows("requests"), 0);
    xml_answer(session.submit(complaint, {}, "/requests.xml"));
    EXPECT_EQ(session.reg.rows("requests"), 1);
}

// The stock catalog with JSON switched on: numeric codes as the spec's JSON example has them.
TEST(StockJson, NumericServiceCodesInJson) {
    Session session({.profile = "stock", .formats = "json,xml"});
    const auto services =
        session.get("/services.json?jurisdiction_id=" + session.reg.jurisdiction());
    ASSERT_TRUE(services) << httplib::to_string(services.error());
    ASSERT_EQ(services->status, 200) << services->body;
    EXPECT_EQ(json::parse(services->body).at(0).at("service_code"), 1);
    EXPECT_FALSE(json::parse(services->body).at(4).contains("register_answer"));
    const auto res = session.submit({{"api_key", session.reg.api_key()},
                                     {"jurisdiction_id", session.reg.jurisdiction()},
                                     {"service_code", "1"},
                                     {"address_string", "Кокшетау"}});
    ASSERT_TRUE(res) << httplib::to_string(res.error());
    ASSERT_EQ(res->status, 200) << res->body;
    const std::string number = json::parse(res->body).at(0).at("service_request_id");
    const auto shown =
        session.get("/requests/" + number + ".json?jurisdiction_id=" + session.reg.jurisdiction());
    ASSERT_TRUE(shown) << httplib::to_string(shown.error());
    EXPECT_EQ(json::parse(shown->body).at(0).at("service_code"), 1);
    const auto definition =
        session.get("/services/2.json?jurisdiction_id=" + session.reg.jurisdiction());
    ASSERT_TRUE(definition) << httplib::to_string(definition.error());
    EXPECT_EQ(json::parse(definition->body).at("service_code"), 2);
}

// Section: start-up

std::string text_of(const std::filesystem::path& file) {
    std::ostringstream text;
    text << std::ifstream(file).rdbuf();
    return text.str();
}

// Runs kiosk-register to completion (bounded) with stderr in error_file; returns its exit code.
int run_register(const std::vector<std::string>& args, const std::string& error_file) {
    std::vector<char*> argv{const_cast<char*>(KIOSK_REGISTER_BIN)};
    for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, error_file.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
    pid_t pid = 0;
    const int spawned = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) return -1;
    for (int waited_ms = 0; waited_ms < 5000; waited_ms += 20) {
        int status = 0;
        if (waitpid(pid, &status, WNOHANG) == pid)
            return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    kill(pid, SIGKILL);  // still running means it is serving: exactly what must not happen
    waitpid(pid, nullptr, 0);
    return -1;
}

// A command line for kiosk-register with reg's certificate and catalog, a database of its own
// and `extra` after them; stderr goes to the returned file.
struct StartupRun {
    explicit StartupRun(const DevRegister& reg, std::string listen = "127.0.0.1:0") {
        const auto certs = std::filesystem::path(reg.ca_file()).parent_path();
        const auto scratch = std::filesystem::path(reg.db_path()).parent_path();
        error_file = scratch / "refused.log";
        args = {"--listen",  listen,
                "--cert",    certs / "server.crt",
                "--key",     certs / "server.key",
                "--db",      scratch / "other.sqlite",
                "--catalog", reg.catalog_path(),
                "--api-key", reg.api_key()};
    }
    int run(const std::vector<std::string>& extra = {}) {
        auto all = args;
        all.insert(all.end(), extra.begin(), extra.end());
        return run_register(all, error_file);
    }
    std::string errors() const { return text_of(error_file); }

    std::vector<std::string> args;
    std::filesystem::path error_file;
};

TEST(RegisterStartup, RefusesNonLoopbackWithoutFlag) {
    const DevRegister reg;  // for a valid certificate and a scratch directory
    StartupRun startup(reg, "0.0.0.0:0");
    EXPECT_EQ(startup.run({"--definitions", reg.definitions_path()}), 2);
    EXPECT_NE(startup.errors().find("non-loopback"), std::string::npos) << startup.errors();
}

TEST(RegisterStartup, BadFaultSpecStopsItNamingTheOption) {
    const DevRegister reg;
    StartupRun startup(reg);
    EXPECT_EQ(
        startup.run({"--definitions", reg.definitions_path(), "--fault", "status=503,polls=1"}), 2);
    EXPECT_NE(startup.errors().find("--fault status=503,polls=1: polls needs token"),
              std::string::npos)
        << startup.errors();
}

TEST(RegisterStartup, BadProfileOptionsStopIt) {
    const DevRegister reg;
    const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
        {{"--profile", "plain"}, "--profile must be kiosk or stock"},
        {{"--formats", "yaml"}, "--formats must be json,xml, json or xml"},
        {{"--jurisdiction", ""}, "--jurisdiction must be 1 to 128 bytes"},
        {{"--token-polls", "-1"}, "--token-polls must be a number from 0 to 1000"},
        {{"--profile", "stock", "--number-prefix", "AB"}, "the stock profile's numbers are plain"},
    };
    for (const auto& [extra, message] : cases) {
        StartupRun startup(reg);
        auto args = extra;
        args.insert(args.end(), {"--definitions", reg.definitions_path()});
        EXPECT_EQ(startup.run(args), 2) << message;
        EXPECT_NE(startup.errors().find(message), std::string::npos) << startup.errors();
    }
}

TEST(RegisterStartup, MetadataServicesNeedTheirDefinitions) {
    const DevRegister reg;
    const auto scratch = std::filesystem::path(reg.db_path()).parent_path();
    StartupRun startup(reg);
    EXPECT_EQ(startup.run(), 2);  // no --definitions
    EXPECT_NE(startup.errors().find("service_code \"KZ-GU-001\" has metadata true but no "
                                    "definition"),
              std::string::npos)
        << startup.errors();

    const std::vector<std::pair<std::string, std::string>> cases = {
        {R"([{"service_codes": ["KZ-GU-001"], "attributes": [{"code": "a", "datatype": "date",
            "description": "d"}]}])",
         "\"datatype\" is not one of"},
        {R"([{"service_codes": ["KZ-GU-001"], "attributes": [{"code": "a[]",
            "datatype": "string", "description": "d"}]}])",
         "\"code\" must be 1 to 64 letters"},
        {R"([{"service_codes": ["KZ-GU-001"], "attributes": [{"code": "a",
            "datatype": "singlevaluelist", "description": "d"}]}])",
         "a list datatype needs a non-empty \"values\" array"},
        {R"([{"service_codes": ["KZ-GU-001"], "attributes": [{"code": "a", "order": 1,
            "datatype": "string", "description": "d"}]}])",
         "\"order\" is not an attribute key"},
        {R"([{"service_codes": ["KZ-GU-404"], "attributes": [{"code": "a",
            "datatype": "string", "description": "d"}]}])",
         "service_code \"KZ-GU-404\" is not in the catalog"},
    };
    for (const auto& [definitions, message] : cases) {
        const auto file = scratch / "definitions.json";
        std::ofstream(file) << definitions;
        EXPECT_EQ(startup.run({"--definitions", file}), 2) << message;
        const auto errors = startup.errors();
        EXPECT_NE(errors.find(file.string() + ": group #1"), std::string::npos) << errors;
        EXPECT_NE(errors.find(message), std::string::npos) << errors;
    }
}

// Back to the schema of version 3: without commands and diagnostic bundles.
void downgrade_to_version_three(const DevRegister& reg) {
    reg.query("DROP TABLE commands");
    reg.query("DROP TABLE diagnostics");
    reg.query("DROP INDEX heartbeats_by_kiosk");
    reg.query("PRAGMA user_version = 3");
}

// Back to the schema of version 2: without the columns of every POST field and the search.
void downgrade_to_version_two(const DevRegister& reg) {
    downgrade_to_version_three(reg);
    reg.query("DROP INDEX requests_by_time");
    for (const auto* column : {"jurisdiction_id", "account_id", "address_id", "lat", "long",
                               "media_url", "requested_at"})
        reg.query(std::string("ALTER TABLE requests DROP COLUMN ") + column);
    reg.query("PRAGMA user_version = 2");
}

// A database from before tokens and heartbeats gains their tables and keeps its requests.
TEST(RegisterStartup, UpgradesAVersionOneDatabase) {
    Session session;
    const auto number = session.submit_ok(session.minimal_complaint());
    downgrade_to_version_two(session.reg);
    session.reg.query("DROP TABLE tokens");
    session.reg.query("DROP TABLE heartbeats");
    session.reg.query("PRAGMA user_version = 1");
    session.reg.restart();
    EXPECT_EQ(session.reg.query("PRAGMA user_version").at(0).at(0), "4");
    EXPECT_EQ(session.reg.rows("tokens"), 0);
    EXPECT_EQ(session.reg.rows("heartbeats"), 0);
    EXPECT_EQ(session.row("service_code", number), std::vector<std::string>{"KZ-GU-001"});
    EXPECT_EQ(client_for(session.reg)->Get("/services.json")->status, 200);  // same port
}

// A version 2 database gains the new columns; its requests get their time from the text and
// are found by a search of the last 90 days.
TEST(RegisterStartup, UpgradesAVersionTwoDatabase) {
    Session session;
    const auto number = session.submit_ok(session.minimal_complaint());
    const auto requested = session.row("requested_datetime", number).at(0);
    downgrade_to_version_two(session.reg);
    session.reg.restart();
    EXPECT_EQ(session.reg.query("PRAGMA user_version").at(0).at(0), "4");
    const auto at = session.row("requested_at, lat, media_url", number);
    EXPECT_EQ(at, (std::vector<std::string>{
                      session.reg.query("SELECT CAST(strftime('%s', ?1) AS INTEGER)", {requested})
                          .at(0)
                          .at(0),
                      "<null>", "<null>"}));
    const auto found = client_for(session.reg)->Get("/requests.json");
    ASSERT_TRUE(found) << httplib::to_string(found.error());
    ASSERT_EQ(found->status, 200) << found->body;
    EXPECT_EQ(json::parse(found->body).at(0).at("service_request_id"), number);
}

// A version 3 database gains the commands and diagnostics tables and keeps its heartbeats.
TEST(RegisterStartup, UpgradesAVersionThreeDatabase) {
    Session session;
    const auto beat =
        session.client->Post("/kiosks/kiosk-dev-01/heartbeat.json?api_key=" + session.reg.api_key(),
                             "{}", "application/json");
    ASSERT_TRUE(beat) << httplib::to_string(beat.error());
    ASSERT_EQ(beat->status, 200) << beat->body;
    downgrade_to_version_three(session.reg);
    session.reg.restart();
    EXPECT_EQ(session.reg.query("PRAGMA user_version").at(0).at(0), "4");
    EXPECT_EQ(session.reg.rows("heartbeats"), 1);
    EXPECT_EQ(session.reg.rows("commands"), 0);
    EXPECT_EQ(session.reg.rows("diagnostics"), 0);
}

}  // namespace
