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
#include <sqlite3.h>

#include "dev_register.h"

extern char** environ;

namespace {

using nlohmann::json;
using Fields = std::vector<std::pair<std::string, std::string>>;

constexpr const char* kFormType = "application/x-www-form-urlencoded; charset=utf-8";

// Section: HTTP helpers

std::unique_ptr<httplib::SSLClient> client_for(const DevRegister& reg, bool with_cert = false) {
    auto client = with_cert ? std::make_unique<httplib::SSLClient>("127.0.0.1", reg.port(),
                                                                   reg.client_cert(),
                                                                   reg.client_key())
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

// Section: SQLite helpers

struct ReadOnlyDb {
    explicit ReadOnlyDb(const std::string& path) {
        if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK)
            ADD_FAILURE() << "cannot open " << path << ": " << sqlite3_errmsg(db);
    }
    ~ReadOnlyDb() { sqlite3_close(db); }

    // The named columns of the row for a number, as text ("<null>" for NULL); empty if none.
    std::vector<std::string> row(const std::string& columns, const std::string& number) {
        const std::string sql = "SELECT " + columns + " FROM requests WHERE service_request_id = ?";
        sqlite3_stmt* stmt = nullptr;
        std::vector<std::string> values;
        if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
            ADD_FAILURE() << sqlite3_errmsg(db);
            return values;
        }
        sqlite3_bind_text(stmt, 1, number.c_str(), -1, SQLITE_TRANSIENT);
        if (sqlite3_step(stmt) == SQLITE_ROW) {
            for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
                const auto* text = sqlite3_column_text(stmt, i);
                values.emplace_back(text ? reinterpret_cast<const char*>(text) : "<null>");
            }
        }
        sqlite3_finalize(stmt);
        return values;
    }

    int count_rows() {
        sqlite3_stmt* stmt = nullptr;
        sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM requests", -1, &stmt, nullptr);
        const int rows = sqlite3_step(stmt) == SQLITE_ROW ? sqlite3_column_int(stmt, 0) : -1;
        sqlite3_finalize(stmt);
        return rows;
    }

    sqlite3* db = nullptr;
};

// Section: fixture

class RegisterTest : public ::testing::Test {
protected:
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

    DevRegister reg;
    std::unique_ptr<httplib::SSLClient> client = client_for(reg);
};

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

    ReadOnlyDb db(reg.db_path());
    const auto row = db.row(
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
    EXPECT_EQ(json::parse(row[8]),
              json::parse(R"({"grounds": "ҒҚҢӨҰҮҺІ ғқңөұүһі",
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
    EXPECT_EQ(ReadOnlyDb(reg.db_path()).count_rows(), 1);
    EXPECT_NE(submit_ok(minimal_complaint()), first);  // no key, new complaint
}

TEST_F(RegisterTest, WrongApiKeyIsForbidden) {
    auto fields = minimal_complaint();
    fields[0].second = "not-the-key";
    expect_error(submit(fields), 403);
    EXPECT_EQ(ReadOnlyDb(reg.db_path()).count_rows(), 0);
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
    EXPECT_EQ(ReadOnlyDb(reg.db_path()).count_rows(), 0);
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

// Section: start-up

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
        if (waitpid(pid, &status, WNOHANG) == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
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
    std::ostringstream error;
    error << std::ifstream(error_file).rdbuf();
    EXPECT_NE(error.str().find("non-loopback"), std::string::npos) << error.str();
}

}  // namespace
