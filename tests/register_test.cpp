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
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "dev_register.h"

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

// A register, a client for it, and what most tests do with them.
struct Session {
    explicit Session(DevRegisterOptions options = {}) : reg(std::move(options)) {}

    Fields minimal_complaint() const {
        return {{"api_key", reg.api_key()},
                {"service_code", "KZ-GU-001"},
                {"address_string", "Астана, проспект Мәңгілік Ел, 8"}};
    }

    httplib::Result submit(const Fields& fields, const httplib::Headers& headers = {}) {
        return client->Post("/requests.json", headers, form_body(fields), kFormType);
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

TEST_F(FaultHeaderTest, BadSpecIsBadRequestNamingTheHeader) {
    for (const auto* spec :
         {"status=99", "bogus", "reset,token", "polls=2", "retry-after=1", "count=0,reset",
          "delay=abc", "status=500,status=503", "path=,reset", "reset,length",
          "status=503,retry-after=1,retry-after-date=1", "delay=1,"}) {
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

TEST(RegisterStartup, RefusesNonLoopbackWithoutFlag) {
    const DevRegister reg;  // for a valid certificate and a scratch directory
    const auto certs = std::filesystem::path(reg.ca_file()).parent_path();
    const auto scratch = std::filesystem::path(reg.db_path()).parent_path();
    const auto error_file = scratch / "refused.log";
    EXPECT_EQ(run_register({"--listen", "0.0.0.0:0", "--cert", certs / "server.crt", "--key",
                            certs / "server.key", "--db", scratch / "other.sqlite", "--catalog",
                            reg.catalog_path(), "--api-key", reg.api_key()},
                           error_file),
              2);
    EXPECT_NE(text_of(error_file).find("non-loopback"), std::string::npos) << text_of(error_file);
}

TEST(RegisterStartup, BadFaultSpecStopsItNamingTheOption) {
    const DevRegister reg;
    const auto certs = std::filesystem::path(reg.ca_file()).parent_path();
    const auto scratch = std::filesystem::path(reg.db_path()).parent_path();
    const auto error_file = scratch / "refused.log";
    EXPECT_EQ(run_register(
                  {"--listen", "127.0.0.1:0", "--cert", certs / "server.crt", "--key",
                   certs / "server.key", "--db", scratch / "other.sqlite", "--catalog",
                   reg.catalog_path(), "--api-key", reg.api_key(), "--fault", "status=503,polls=1"},
                  error_file),
              2);
    EXPECT_NE(text_of(error_file).find("--fault status=503,polls=1: polls needs token"),
              std::string::npos)
        << text_of(error_file);
}

// A database from before tokens and heartbeats gains their tables and keeps its requests.
TEST(RegisterStartup, UpgradesAVersionOneDatabase) {
    Session session;
    const auto number = session.submit_ok(session.minimal_complaint());
    session.reg.query("DROP TABLE tokens");
    session.reg.query("DROP TABLE heartbeats");
    session.reg.query("PRAGMA user_version = 1");
    session.reg.restart();
    EXPECT_EQ(session.reg.query("PRAGMA user_version").at(0).at(0), "2");
    EXPECT_EQ(session.reg.rows("tokens"), 0);
    EXPECT_EQ(session.reg.rows("heartbeats"), 0);
    EXPECT_EQ(session.row("service_code", number), std::vector<std::string>{"KZ-GU-001"});
    EXPECT_EQ(client_for(session.reg)->Get("/services.json")->status, 200);  // same port
}

}  // namespace
