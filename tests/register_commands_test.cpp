// The development register's side of remote commands (issue 16), over real HTTPS and its
// loopback admin endpoint: queueing signed commands, handing them out in heartbeat answers,
// their results, diagnostic bundles, and a kiosk's certificate speaking only for itself.

#include <sodium.h>

#include <array>
#include <chrono>
#include <csignal>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "dev_register.h"
#include "process.h"

namespace {

using nlohmann::json;
using namespace std::chrono_literals;

constexpr const char* kKiosk = "kiosk-dev-01";  // the CN of DevRegister::client_cert()
constexpr const char* kJson = "application/json";

// Section: operators and their signed commands

std::string base64(const unsigned char* bytes, std::size_t size) {
    std::string text(sodium_base64_ENCODED_LEN(size, sodium_base64_VARIANT_ORIGINAL), '\0');
    sodium_bin2base64(text.data(), text.size(), bytes, size, sodium_base64_VARIANT_ORIGINAL);
    text.resize(text.size() - 1);  // the terminating NUL
    return text;
}

std::string utc(std::time_t when) {
    std::tm parts{};
    gmtime_r(&when, &parts);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &parts);
    return text;
}

// An operator's Ed25519 key pair, made here as the operator tool would.
struct Operator {
    Operator() {
        EXPECT_GE(sodium_init(), 0);
        crypto_sign_keypair(public_key.data(), secret_key.data());
    }
    std::string public_key_base64() const { return base64(public_key.data(), public_key.size()); }
    // The admin body: the payload and the base64 signature over its exact bytes.
    std::string sign(const std::string& payload) const {
        std::array<unsigned char, crypto_sign_BYTES> signature{};
        crypto_sign_detached(signature.data(), nullptr,
                             reinterpret_cast<const unsigned char*>(payload.data()), payload.size(),
                             secret_key.data());
        return json{{"payload", payload}, {"signature", base64(signature.data(), signature.size())}}
            .dump();
    }

    std::array<unsigned char, crypto_sign_PUBLICKEYBYTES> public_key{};
    std::array<unsigned char, crypto_sign_SECRETKEYBYTES> secret_key{};
};

std::string payload(const std::string& id, const std::string& name = "send_now",
                    const std::string& kiosk = kKiosk, std::time_t expires_in = 3600) {
    const auto now = std::time(nullptr);
    json body{{"v", 1},
              {"id", id},
              {"kiosk", kiosk},
              {"name", name},
              {"issued_at", utc(now)},
              {"expires_at", utc(now + expires_in)}};
    if (name == "out_of_service")
        body["message"] = {{"kk", "Басқа терезеге барыңыз"},
                           {"ru", "Обратитесь в окно 3"},
                           {"en", "Please go to window 3"}};
    return body.dump();
}

// Section: fixture

// A register with its admin endpoint, an operator, and a kiosk's client for heartbeats.
class RegisterCommands : public ::testing::Test {
protected:
    explicit RegisterCommands(DevRegisterOptions options = {.admin = true})
        : reg(std::move(options)), admin(reg.admin_url()) {
        admin.set_connection_timeout(2s);
        admin.set_read_timeout(5s);
    }

    std::unique_ptr<httplib::SSLClient> kiosk_client(bool other_kiosk = false) const {
        auto client = std::make_unique<httplib::SSLClient>(
            "127.0.0.1", reg.port(), other_kiosk ? reg.other_client_cert() : reg.client_cert(),
            other_kiosk ? reg.other_client_key() : reg.client_key());
        client->set_ca_cert_path(reg.ca_file().c_str());
        client->enable_server_certificate_verification(true);
        client->set_connection_timeout(2s);
        client->set_read_timeout(5s);
        return client;
    }

    httplib::Result queue(const std::string& body, const std::string& kiosk = kKiosk) {
        return admin.Post("/admin/kiosks/" + kiosk + "/commands", body, kJson);
    }

    // Queues a command signed by the operator; its row as the register answered.
    json queued(const std::string& id, const std::string& name = "send_now") {
        const auto res = queue(op.sign(payload(id, name)));
        if (!res) {
            ADD_FAILURE() << httplib::to_string(res.error());
            return {};
        }
        EXPECT_EQ(res->status, 201) << res->body;
        return json::parse(res->body, nullptr, false);
    }

    json listed(const std::string& kiosk = kKiosk) {
        const auto res = admin.Get("/admin/kiosks/" + kiosk + "/commands");
        if (!res) {
            ADD_FAILURE() << httplib::to_string(res.error());
            return {};
        }
        EXPECT_EQ(res->status, 200) << res->body;
        return json::parse(res->body, nullptr, false);
    }

    // One command's row in the admin list.
    json row(const std::string& id, const std::string& kiosk = kKiosk) {
        for (const auto& command : listed(kiosk))
            if (command.at("id") == id) return command;
        ADD_FAILURE() << "no command " << id;
        return {};
    }

    httplib::Result beat(const json& body = json::object(), const std::string& kiosk = kKiosk,
                         bool other_kiosk = false) {
        return kiosk_client(other_kiosk)
            ->Post("/kiosks/" + kiosk + "/heartbeat.json?api_key=" + reg.api_key(), body.dump(),
                   kJson);
    }

    // The commands the heartbeat's answer carries (an empty list if none).
    json handed(const json& body = json::object()) {
        const auto res = beat(body);
        if (!res) {
            ADD_FAILURE() << httplib::to_string(res.error());
            return {};
        }
        EXPECT_EQ(res->status, 200) << res->body;
        const auto answer = json::parse(res->body);
        EXPECT_EQ(answer.at("kiosk_id"), kKiosk);
        return answer.value("commands", json::array());
    }

    static json result(const std::string& id, const std::string& outcome,
                       const std::string& reason = "", const std::string& at = kResultAt) {
        return {{"commands",
                 {{{"id", id},
                   {"name", "send_now"},
                   {"result", outcome},
                   {"reason", reason},
                   {"at", at}}}}};
    }
    static constexpr const char* kResultAt = "2026-12-03T10:05:00Z";

    static std::vector<std::string> ids(const json& commands) {
        std::vector<std::string> found;
        for (const auto& command : commands)
            found.push_back(json::parse(command.at("payload").get<std::string>()).at("id"));
        return found;
    }

    DevRegister reg;
    httplib::Client admin;
    Operator op;
};

// Section: queue, hand out, result

TEST_F(RegisterCommands, QueuedCommandIsHandedUntilItsResultComesBack) {
    const auto body = op.sign(payload("c-1", "out_of_service"));
    const auto res = queue(body);
    ASSERT_TRUE(res) << httplib::to_string(res.error());
    ASSERT_EQ(res->status, 201) << res->body;
    const auto row = json::parse(res->body);
    EXPECT_EQ(row.at("id"), "c-1");
    EXPECT_EQ(row.at("kiosk_id"), kKiosk);
    EXPECT_EQ(row.at("name"), "out_of_service");
    EXPECT_EQ(row.at("state"), "queued");
    EXPECT_TRUE(row.at("result").is_null());

    // Handed as received, byte for byte, until the kiosk reports what it did.
    const auto first = handed();
    ASSERT_EQ(first.size(), 1u) << first;
    EXPECT_EQ(first[0], json::parse(body));
    EXPECT_EQ(this->row("c-1").at("state"), "handed");
    EXPECT_EQ(handed(), first);

    EXPECT_EQ(handed(result("c-1", "done")), json::array());
    const auto done = this->row("c-1");
    EXPECT_EQ(done.at("state"), "done");
    EXPECT_EQ(done.at("result"), "done");
    EXPECT_EQ(done.at("result_at"), "2026-12-03T10:05:00Z");
    EXPECT_EQ(handed(), json::array());

    // The same result again (the kiosk re-reports), or another one as of then, changes nothing.
    EXPECT_EQ(handed(result("c-1", "failed", "later")), json::array());
    EXPECT_EQ(this->row("c-1").at("state"), "done");
}

// A reboot is recorded as done when asked; logind refusing it afterwards is the kiosk's later
// result, and replaces it. An earlier one, or a refusal, does not.
TEST_F(RegisterCommands, AKioskAmendsAResultLater) {
    queued("c-reboot", "reboot");
    ASSERT_EQ(handed().size(), 1u);
    EXPECT_EQ(handed(result("c-reboot", "done", "once no citizen is using the kiosk")),
              json::array());
    EXPECT_EQ(handed(result("c-reboot", "failed", "too early", "2026-12-03T10:04:59Z")),
              json::array());
    EXPECT_EQ(row("c-reboot").at("state"), "done");
    EXPECT_EQ(handed(result("c-reboot", "refused", "no", "2026-12-03T10:06:00Z")), json::array());
    EXPECT_EQ(row("c-reboot").at("state"), "done");

    EXPECT_EQ(handed(result("c-reboot", "failed", "logind: Access denied", "2026-12-03T10:06:00Z")),
              json::array());
    const auto amended = row("c-reboot");
    EXPECT_EQ(amended.at("state"), "failed");
    EXPECT_EQ(amended.at("reason"), "logind: Access denied");
    EXPECT_EQ(amended.at("result_at"), "2026-12-03T10:06:00Z");
    EXPECT_EQ(handed(), json::array());  // never handed out again
}

TEST_F(RegisterCommands, RefusalAndFailureAreRecordedWithTheirReason) {
    queued("c-refused", "reboot");
    queued("c-failed", "refresh_catalog");
    EXPECT_EQ(handed().size(), 2u);
    json results = result("c-refused", "refused", "unknown operator key");
    results["commands"].push_back(
        result("c-failed", "failed", "catalog fetch: 503")["commands"][0]);
    EXPECT_EQ(handed(results), json::array());
    EXPECT_EQ(row("c-refused").at("state"), "refused");
    EXPECT_EQ(row("c-refused").at("reason"), "unknown operator key");
    EXPECT_EQ(row("c-failed").at("result"), "failed");
    EXPECT_EQ(row("c-failed").at("reason"), "catalog fetch: 503");
}

TEST_F(RegisterCommands, ResultsForUnknownOrOtherKiosksCommandsAreIgnored) {
    queued("c-mine");
    ASSERT_EQ(handed().size(), 1u);
    // Another kiosk reporting this one's command, and results for ids nobody queued.
    const auto other = beat(result("c-mine", "done"), "kiosk-dev-02");
    ASSERT_TRUE(other) << httplib::to_string(other.error());
    EXPECT_EQ(other->status, 200) << other->body;  // no mutual TLS here: ids are not checked
    json junk = result("no-such-command", "done");
    junk["commands"].push_back({{"id", "c-mine"}, {"result", "exploded"}});
    junk["commands"].push_back("not an object");
    EXPECT_EQ(handed(junk).size(), 1u);
    EXPECT_EQ(row("c-mine").at("state"), "handed");
    EXPECT_EQ(reg.rows("commands"), 1);
}

TEST_F(RegisterCommands, AnAnswerCarriesAtMostSixteenAndEveryCommandGetsItsTurn) {
    std::vector<std::string> all;
    for (int i = 1; i <= 20; ++i) all.push_back(queued("c-" + std::to_string(i)).at("id"));
    const auto first = ids(handed());
    EXPECT_EQ(first, std::vector<std::string>(all.begin(), all.begin() + 16));
    // Never handed first, then those waiting longest for a result.
    const auto second = ids(handed());
    ASSERT_EQ(second.size(), 16u);
    EXPECT_EQ(std::vector<std::string>(second.begin(), second.begin() + 4),
              std::vector<std::string>(all.begin() + 16, all.end()));
}

TEST_F(RegisterCommands, ExpiredCommandIsNeverHanded) {
    const auto expires_at = std::time(nullptr) + 2;
    const auto res = queue(op.sign(payload("c-soon", "send_now", kKiosk, 2)));
    ASSERT_TRUE(res) << httplib::to_string(res.error());
    ASSERT_EQ(res->status, 201) << res->body;
    ASSERT_TRUE(testsupport::eventually([&] { return std::time(nullptr) > expires_at; }, 5s));
    EXPECT_EQ(handed(), json::array());
    const auto expired = row("c-soon");
    EXPECT_EQ(expired.at("state"), "expired");
    EXPECT_TRUE(expired.at("handed_at").is_null());
    EXPECT_EQ(handed(), json::array());
}

// Section: refusals at queueing

void expect_refused(const httplib::Result& res, int status) {
    ASSERT_TRUE(res) << httplib::to_string(res.error());
    EXPECT_EQ(res->status, status) << res->body;
    const auto body = json::parse(res->body, nullptr, false);
    ASSERT_TRUE(body.is_array() && body.size() == 1) << res->body;
    EXPECT_EQ(body[0].at("code"), status);
    EXPECT_FALSE(body[0].at("description").get<std::string>().empty());
}

TEST_F(RegisterCommands, MalformedCommandsAreRefusedWhenQueued) {
    const auto good = op.sign(payload("c-1"));
    const auto signature = json::parse(good).at("signature").get<std::string>();
    const auto with = [&](const std::string& text) {
        return json{{"payload", text}, {"signature", signature}}.dump();
    };
    auto body = json::parse(payload("c-x"));
    const auto changed = [&](const char* member, const json& value) {
        auto copy = body;
        copy[member] = value;
        return with(copy.dump());
    };
    for (const auto& refused : {
             std::string("{\"payload\": "),             // not JSON
             std::string("[]"),                         // not an object
             json{{"payload", payload("c-x")}}.dump(),  // no signature
             json{{"payload", 7}, {"signature", signature}}.dump(),
             json{{"payload", payload("c-x")}, {"signature", "bm90IDY0IGJ5dGVz"}}.dump(),
             with("not json"),                                     // payload not JSON
             changed("v", 2),                                      // unknown version
             changed("id", "has space"),                           // id outside A-Za-z0-9-_
             changed("id", std::string(65, 'a')),                  // id too long
             changed("name", ""),                                  // no name
             changed("expires_at", "tomorrow"),                    // not a datetime
             changed("expires_at", utc(std::time(nullptr) - 60)),  // expired
             changed("kiosk", "kiosk-dev-02"),                     // another kiosk's
         })
        expect_refused(queue(refused), 400);
    EXPECT_EQ(reg.rows("commands"), 0);

    // A payload over 4 KiB, and a body over the endpoint's limit.
    body["padding"] = std::string(4 << 10, 'x');
    expect_refused(queue(with(body.dump())), 413);
    expect_refused(queue(std::string(100 << 10, ' ')), 413);

    // The same id again for this kiosk; another kiosk may use it.
    ASSERT_EQ(queue(good)->status, 201);
    expect_refused(queue(good), 409);
    const auto elsewhere =
        queue(op.sign(payload("c-1", "send_now", "kiosk-dev-02")), "kiosk-dev-02");
    EXPECT_EQ(elsewhere->status, 201) << elsewhere->body;
    EXPECT_EQ(reg.rows("commands"), 2);
}

TEST_F(RegisterCommands, SixtyFifthPendingCommandIsTooMany) {
    for (int i = 1; i <= 64; ++i) queued("c-" + std::to_string(i));
    expect_refused(queue(op.sign(payload("c-65"))), 429);
    // Another kiosk has its own bound; a result frees a place.
    EXPECT_EQ(queue(op.sign(payload("c-65", "send_now", "kiosk-dev-02")), "kiosk-dev-02")->status,
              201);
    ASSERT_EQ(handed(result("c-1", "done")).size(), 16u);
    EXPECT_EQ(queued("c-65").at("state"), "queued");
    expect_refused(queue(op.sign(payload("c-66"))), 429);
}

// Section: operators' keys

// The register's --operator-keys file: this operator's public key and another's. A base
// class of the fixture, so that it is written before the register starts.
struct OperatorKeysFile {
    OperatorKeysFile() : dir(testsupport::make_temp_dir("operator-keys")) {
        std::ofstream(file()) << "# operators of the fleet\n"
                              << signer.public_key_base64() << "\n\n"
                              << Operator().public_key_base64() << "\n";
    }
    ~OperatorKeysFile() {
        std::error_code ignored;
        std::filesystem::remove_all(dir, ignored);
    }
    std::string file() const { return dir + "/operators.pub"; }

    Operator signer;
    std::string dir;
};

class RegisterCommandsWithKeys : protected OperatorKeysFile, public RegisterCommands {
protected:
    RegisterCommandsWithKeys() : RegisterCommands({.admin = true, .operator_keys = file()}) {}
};

TEST_F(RegisterCommandsWithKeys, OnlyCommandsSignedByAnOperatorAreQueued) {
    const auto signed_ok = queue(signer.sign(payload("c-1")));
    ASSERT_TRUE(signed_ok) << httplib::to_string(signed_ok.error());
    EXPECT_EQ(signed_ok->status, 201) << signed_ok->body;
    expect_refused(queue(op.sign(payload("c-2"))), 400);  // a key the register does not know
    // Signed, then changed: the signature is over the exact bytes.
    auto tampered = json::parse(signer.sign(payload("c-3")));
    auto text = tampered.at("payload").get<std::string>();
    text.replace(text.find("send_now"), 8, "reboot__");
    tampered["payload"] = text;
    expect_refused(queue(tampered.dump()), 400);
    EXPECT_EQ(reg.rows("commands"), 1);
}

TEST(RegisterCommandsStartup, UnreadableOperatorKeysStopIt) {
    const DevRegister reg;
    const auto dir = std::filesystem::path(reg.db_path()).parent_path();
    const auto certs = std::filesystem::path(reg.ca_file()).parent_path();
    std::ofstream(dir / "bad.pub") << "not a key\n";
    const auto output = (dir / "start.log").string();
    const std::vector<std::string> args = {KIOSK_REGISTER_BIN,
                                           "--listen",
                                           "127.0.0.1:0",
                                           "--cert",
                                           certs / "server.crt",
                                           "--key",
                                           certs / "server.key",
                                           "--db",
                                           dir / "other.db",
                                           "--catalog",
                                           reg.catalog_path(),
                                           "--definitions",
                                           reg.definitions_path(),
                                           "--api-key",
                                           "k",
                                           "--admin-listen",
                                           "127.0.0.1:0",
                                           "--operator-keys",
                                           dir / "bad.pub"};
    EXPECT_EQ(testsupport::run(args, output, 10s), 2);
    EXPECT_NE(testsupport::read_text(output).find("bad.pub:1: not the base64"), std::string::npos)
        << testsupport::read_text(output);
}

// Section: the admin endpoint

TEST(RegisterCommandsStartup, AdminEndpointOnlyOnLoopback) {
    const DevRegister reg;  // for a scratch directory
    const auto dir = std::filesystem::path(reg.db_path()).parent_path();
    for (const auto* address : {"0.0.0.0:0", "192.0.2.1:8080", "[::]:0"}) {
        const auto output = (dir / "refused.log").string();
        std::filesystem::remove(output);
        // Even with the main port allowed off loopback: the admin endpoint is plain HTTP.
        const std::vector<std::string> args = {KIOSK_REGISTER_BIN,
                                               "--listen",
                                               "0.0.0.0:0",
                                               "--allow-non-loopback",
                                               "--cert",
                                               "x.crt",
                                               "--key",
                                               "x.key",
                                               "--db",
                                               "x.db",
                                               "--catalog",
                                               "x.json",
                                               "--api-key",
                                               "k",
                                               "--admin-listen",
                                               address};
        EXPECT_EQ(testsupport::run(args, output, 10s), 2) << address;
        EXPECT_NE(testsupport::read_text(output).find("--admin-listen: refusing non-loopback"),
                  std::string::npos)
            << testsupport::read_text(output);
    }
}

TEST_F(RegisterCommands, KiosksAreListedWithTheirLastHeartbeat) {
    ASSERT_EQ(beat()->status, 200);
    const auto last = beat();
    ASSERT_EQ(last->status, 200);
    queued("c-1");  // handed in no answer yet
    ASSERT_EQ(
        queue(op.sign(payload("c-1", "send_now", "kiosk-never-seen")), "kiosk-never-seen")->status,
        201);
    const auto res = admin.Get("/admin/kiosks");
    ASSERT_TRUE(res) << httplib::to_string(res.error());
    ASSERT_EQ(res->status, 200) << res->body;
    const auto kiosks = json::parse(res->body);
    ASSERT_EQ(kiosks.size(), 2u) << kiosks;
    EXPECT_EQ(kiosks[0].at("kiosk_id"), kKiosk);
    EXPECT_EQ(kiosks[0].at("last_heartbeat"), json::parse(last->body).at("received_at"));
    EXPECT_EQ(kiosks[0].at("heartbeats"), 2);
    EXPECT_EQ(kiosks[0].at("pending_commands"), 1);
    EXPECT_EQ(kiosks[1].at("kiosk_id"), "kiosk-never-seen");
    EXPECT_TRUE(kiosks[1].at("last_heartbeat").is_null());
}

TEST_F(RegisterCommands, CommandLinePrintsTheTable) {
    queued("c-print", "restart");
    ASSERT_EQ(handed().size(), 1u);
    const auto dir = std::filesystem::path(reg.db_path()).parent_path();
    const auto output = (dir / "commands.txt").string();
    EXPECT_EQ(
        testsupport::run({KIOSK_REGISTER_BIN, "commands", "--db", reg.db_path(), "--kiosk", kKiosk},
                         output, 10s),
        0);
    const auto table = testsupport::read_text(output);
    EXPECT_NE(table.find("STATE"), std::string::npos) << table;
    EXPECT_NE(table.find("c-print"), std::string::npos) << table;
    EXPECT_NE(table.find("handed"), std::string::npos) << table;
    EXPECT_EQ(
        testsupport::run({KIOSK_REGISTER_BIN, "commands", "--db", dir / "missing.db"}, output, 10s),
        2);
    EXPECT_FALSE(std::filesystem::exists(dir / "missing.db"));
}

// Section: diagnostic bundles

TEST_F(RegisterCommands, DiagnosticBundleIsStoredAndShown) {
    queued("diag-1", "diagnostic_bundle");
    queued("c-other", "send_now");
    const auto upload = [&](const std::string& id, const std::string& body,
                            const std::string& key = "dev-kiosk-key") {
        return kiosk_client()->Post(
            "/kiosks/" + std::string(kKiosk) + "/diagnostics/" + id + ".json?api_key=" + key, body,
            kJson);
    };
    const std::string bundle = R"({"version":"1.0","outbox":{"queued":0},"log":["started"]})";
    const auto stored = upload("diag-1", bundle);
    ASSERT_TRUE(stored) << httplib::to_string(stored.error());
    EXPECT_EQ(stored->status, 200) << stored->body;
    const auto shown = admin.Get("/admin/kiosks/" + std::string(kKiosk) + "/diagnostics/diag-1");
    ASSERT_TRUE(shown) << httplib::to_string(shown.error());
    EXPECT_EQ(shown->status, 200);
    EXPECT_EQ(shown->body, bundle);

    expect_refused(upload("diag-1", "{}", "not-the-key"), 403);
    expect_refused(upload("diag-1", "[1]"), 400);
    expect_refused(upload("c-other", "{}"), 404);   // not a diagnostic_bundle command
    expect_refused(upload("diag-404", "{}"), 404);  // no such command
    const auto oversized = upload("diag-1", "{\"x\":\"" + std::string(1 << 20, 'a') + "\"}");
    ASSERT_TRUE(oversized) << httplib::to_string(oversized.error());
    EXPECT_EQ(oversized->status, 413);
    EXPECT_EQ(reg.rows("diagnostics"), 1);
    EXPECT_EQ(admin.Get("/admin/kiosks/" + std::string(kKiosk) + "/diagnostics/diag-404")->status,
              404);
}

// Section: identity under mutual TLS

class RegisterIdentity : public RegisterCommands {
protected:
    RegisterIdentity() : RegisterCommands({.require_client_cert = true, .admin = true}) {}
};

TEST_F(RegisterIdentity, AKioskCertificateSpeaksOnlyForItsKiosk) {
    std::signal(SIGPIPE, SIG_IGN);
    queued("diag-1", "diagnostic_bundle");
    // kiosk-dev-02's certificate on kiosk-dev-01's paths, whatever the path.
    const auto posing = beat(json::object(), kKiosk, true);
    expect_refused(posing, 403);
    EXPECT_NE(posing->body.find("the certificate is not this kiosk's"), std::string::npos);
    auto other = kiosk_client(true);
    expect_refused(
        other->Post("/kiosks/kiosk-dev-01/diagnostics/diag-1.json?api_key=" + reg.api_key(), "{}",
                    kJson),
        403);
    expect_refused(other->Get("/kiosks/kiosk-dev-01/anything"), 403);
    EXPECT_EQ(reg.rows("heartbeats"), 0);
    EXPECT_EQ(reg.rows("diagnostics"), 0);
    EXPECT_EQ(row("diag-1").at("state"), "queued");  // nothing handed to the impostor

    // Each kiosk's own certificate on its own paths; complaints are no kiosk's path.
    EXPECT_EQ(beat(json::object(), "kiosk-dev-02", true)->status, 200);
    EXPECT_EQ(handed().size(), 1u);
    EXPECT_EQ(other->Get("/services.json")->status, 200);
}

}  // namespace
