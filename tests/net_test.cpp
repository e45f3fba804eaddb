// net/ against the development register over real HTTPS on loopback: every endpoint and its
// error shapes, the fault matrix, and the TLS refusals; and against a recording server (plain
// HTTP on loopback) what every call sends in either format.

#include <cctype>
#include <chrono>
#include <fstream>
#include <functional>
#include <mutex>
#include <regex>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <curl/curl.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "dev_register.h"
#include "process.h"
#include "net/register_client.h"

namespace {

using namespace std::chrono_literals;
using net::Outcome;
using Certificate = DevRegisterOptions::Certificate;

// Section: helpers

net::RegisterEndpoint endpoint(const DevRegister& reg) {
    return {.base_url = reg.url(),
            .ca_file = reg.ca_file(),
            .client_cert = reg.client_cert(),
            .client_key = reg.client_key(),
            .api_key = reg.api_key(),
            .connect_timeout_ms = 2000,
            .total_timeout_ms = 5000};
}

net::ServiceRequest complaint(std::string key) {
    net::ServiceRequest rq;
    rq.service_code = "KZ-GU-001";
    rq.address_string = "Көкшетау қ., Абай к-сі, 83";
    rq.description = "Анықтама берілмеді.\nСебебі түсіндірілмеді.";
    rq.device_id = "kiosk-dev-01";
    rq.first_name = "Айгүл";
    rq.last_name = "Әбілқасымова";
    rq.phone = "+77011234567";
    rq.attributes = {
        {"iin", {"900101300007"}, false},
        {"officials_surname", {"Жұмабеков", "Ғабитов"}, true},
        {"signature_svg", {"<svg viewBox=\"0 0 10 4\"><path d=\"M1 2l3 -1\"/></svg>"}, false}};
    rq.idempotency_key = std::move(key);
    return rq;
}

std::string number_for_key(const DevRegister& reg, const std::string& key) {
    const auto rows =
        reg.query("SELECT service_request_id FROM requests WHERE idempotency_key = ?1", {key});
    return rows.empty() ? "" : rows[0][0];
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

int occurrences(const std::string& text, const std::string& part) {
    int n = 0;
    for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
    return n;
}

// Section: conformance: services.json and requests.json

TEST(NetConformance, ServicesComeFromTheCatalog) {
    DevRegister reg;
    const auto services = net::fetch_services(endpoint(reg));
    ASSERT_TRUE(services.ok) << services.error;
    std::ifstream catalog(reg.catalog_path());
    EXPECT_EQ(services.services.size(), nlohmann::json::parse(catalog).size());
    EXPECT_EQ(services.services[0].code, "KZ-GU-001");
    EXPECT_FALSE(services.services[0].name_kk.empty());
}

TEST(NetConformance, SubmitFilesEveryFieldWithTheIdempotencyKey) {
    DevRegister reg;
    const auto answer = net::submit_request(endpoint(reg), complaint("key-conformance-1"));
    ASSERT_EQ(answer.outcome, Outcome::Registered) << answer.error;
    EXPECT_EQ(answer.http_status, 200);
    EXPECT_TRUE(std::regex_match(answer.service_request_id, std::regex("ЖТ-20[0-9]{2}-[0-9]{8}")));
    EXPECT_TRUE(answer.token.empty());
    EXPECT_EQ(answer.retry_after, 0s);
    const auto rows = reg.query(
        "SELECT idempotency_key, device_id, address_string, description, first_name, last_name, "
        "phone, attributes FROM requests WHERE service_request_id = ?1",
        {answer.service_request_id});
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0][0], "key-conformance-1");
    EXPECT_EQ(rows[0][1], "kiosk-dev-01");
    EXPECT_EQ(rows[0][2], "Көкшетау қ., Абай к-сі, 83");
    EXPECT_EQ(rows[0][3], "Анықтама берілмеді.\nСебебі түсіндірілмеді.");
    EXPECT_EQ(rows[0][4], "Айгүл");
    EXPECT_EQ(rows[0][5], "Әбілқасымова");
    EXPECT_EQ(rows[0][6], "+77011234567");
    EXPECT_EQ(nlohmann::json::parse(rows[0][7]), nlohmann::json::parse(R"({
        "iin": "900101300007", "officials_surname": ["Жұмабеков", "Ғабитов"],
        "signature_svg": "<svg viewBox=\"0 0 10 4\"><path d=\"M1 2l3 -1\"/></svg>"})"));
}

TEST(NetConformance, SameKeySameIdOneRow) {
    DevRegister reg;
    const auto first = net::submit_request(endpoint(reg), complaint("key-same"));
    const auto again = net::submit_request(endpoint(reg), complaint("key-same"));
    ASSERT_EQ(again.outcome, Outcome::Registered) << again.error;
    EXPECT_EQ(first.service_request_id, again.service_request_id);
    EXPECT_EQ(reg.rows("requests"), 1);
}

TEST(NetConformance, EveryPostCarriesAKeyEvenWhenTheCallerGaveNone) {
    DevRegister reg;
    const auto answer = net::submit_request(endpoint(reg), complaint(""));
    ASSERT_EQ(answer.outcome, Outcome::Registered) << answer.error;
    const auto key = reg.query("SELECT idempotency_key FROM requests").at(0).at(0);
    EXPECT_TRUE(std::regex_match(
        key, std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")))
        << key;
}

TEST(NetConformance, AKeyThatCouldSplitTheHeaderIsRejectedUnsent) {
    DevRegister reg;
    for (const auto& key :
         {std::string("a\r\nX-Injected: 1"), std::string(129, 'k'), std::string("ключ")}) {
        const auto answer = net::submit_request(endpoint(reg), complaint(key));
        EXPECT_EQ(answer.outcome, Outcome::Rejected);
        EXPECT_EQ(answer.http_status, 0);
        EXPECT_TRUE(contains(answer.error, "Idempotency-Key")) << answer.error;
    }
    EXPECT_EQ(reg.rows("requests"), 0);
}

// Open311 errors come back with the HTTP status and the register's description: Rejected when
// it names something staff must fix, and a 400 naming nothing of that is the spec's General
// Service Error, tried again.
TEST(NetConformance, RefusalsAreRejectedWithTheOpen311Description) {
    DevRegister reg;
    struct Case {
        std::function<void(net::RegisterEndpoint&, net::ServiceRequest&)> spoil;
        Outcome outcome;
        long status;
        const char* named;  // in the register's description
    };
    const Case cases[] = {
        {[](auto& ep, auto&) { ep.api_key = "wrong"; }, Outcome::Rejected, 403, "api_key"},
        {[](auto&, auto& rq) { rq.service_code.clear(); }, Outcome::Rejected, 400, "service_code"},
        {[](auto&, auto& rq) { rq.service_code = "KZ-GU-999"; }, Outcome::Rejected, 404,
         "service_code"},
        {[](auto&, auto& rq) { rq.address_string.clear(); }, Outcome::Rejected, 400, "required"},
        {[](auto&, auto& rq) { rq.description = "\xD0\x96\xFF"; }, Outcome::Unreachable, 400,
         "UTF-8"},
    };
    for (const auto& c : cases) {
        auto ep = endpoint(reg);
        auto rq = complaint("");
        c.spoil(ep, rq);
        const auto answer = net::submit_request(ep, rq);
        EXPECT_EQ(answer.outcome, c.outcome) << answer.error;
        EXPECT_FALSE(answer.maybe_filed) << answer.error;
        EXPECT_EQ(answer.http_status, c.status) << answer.error;
        EXPECT_TRUE(answer.error.starts_with("HTTP " + std::to_string(c.status) + ": "))
            << answer.error;
        EXPECT_TRUE(contains(answer.error, c.named)) << answer.error;
    }
    EXPECT_EQ(reg.rows("requests"), 0);
}

// Section: conformance: requests/{id}.json

TEST(NetConformance, StatusOfARegisteredRequest) {
    DevRegister reg;
    const auto filed = net::submit_request(endpoint(reg), complaint("key-status"));
    ASSERT_EQ(filed.outcome, Outcome::Registered) << filed.error;
    const auto status = net::fetch_status(endpoint(reg), filed.service_request_id);
    ASSERT_EQ(status.outcome, Outcome::Registered) << status.error;
    EXPECT_EQ(status.http_status, 200);
    EXPECT_EQ(status.request.service_request_id, filed.service_request_id);
    EXPECT_EQ(status.request.status, "open");
    EXPECT_TRUE(status.request.status_notes.empty());
    const std::regex iso("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}[+-]\\d{2}:\\d{2}");
    EXPECT_TRUE(std::regex_match(status.request.updated_datetime, iso))
        << status.request.updated_datetime;
    EXPECT_TRUE(std::regex_match(status.request.expected_datetime, iso))
        << status.request.expected_datetime;
}

TEST(NetConformance, StatusFollowsTheRegister) {
    DevRegister reg;
    const auto filed = net::submit_request(endpoint(reg), complaint("key-closed"));
    ASSERT_EQ(filed.outcome, Outcome::Registered) << filed.error;
    reg.query(
        "UPDATE requests SET status = 'closed', status_notes = ?1, "
        "updated_datetime = '2026-12-02T16:30:00+05:00' WHERE service_request_id = ?2",
        {"Жауап жіберілді.\nОтвет направлен.", filed.service_request_id});
    const auto status = net::fetch_status(endpoint(reg), filed.service_request_id);
    ASSERT_EQ(status.outcome, Outcome::Registered) << status.error;
    EXPECT_EQ(status.request.status, "closed");
    EXPECT_EQ(status.request.status_notes, "Жауап жіберілді.\nОтвет направлен.");
    EXPECT_EQ(status.request.updated_datetime, "2026-12-02T16:30:00+05:00");
}

TEST(NetConformance, UnknownNumbersAreRejectedAndStayInTheirPath) {
    DevRegister reg;
    for (const auto* id : {"ЖТ-2026-99999999", "../services", "a/b?c#d", "x.json%00"}) {
        const auto status = net::fetch_status(endpoint(reg), id);
        EXPECT_EQ(status.outcome, Outcome::Rejected) << id << ": " << status.error;
        EXPECT_EQ(status.http_status, 404) << id;
    }
    EXPECT_TRUE(contains(reg.log(), "GET /requests/a/b?c#d.json 404")) << reg.log();
}

// Section: conformance: tokens/{token}.json

TEST(NetConformance, ATokenResolvesToTheNumberAfterPolls) {
    DevRegister reg({.faults = {"token,polls=1,count=1"}});
    const auto filed = net::submit_request(endpoint(reg), complaint("key-token"));
    ASSERT_EQ(filed.outcome, Outcome::Pending) << filed.error;
    EXPECT_TRUE(filed.service_request_id.empty());
    ASSERT_FALSE(filed.token.empty());
    const auto not_yet = net::resolve_token(endpoint(reg), filed.token);
    EXPECT_EQ(not_yet.outcome, Outcome::Pending) << not_yet.error;
    EXPECT_EQ(not_yet.token, filed.token);
    const auto resolved = net::resolve_token(endpoint(reg), filed.token);
    ASSERT_EQ(resolved.outcome, Outcome::Registered) << resolved.error;
    EXPECT_EQ(resolved.service_request_id, number_for_key(reg, "key-token"));
    EXPECT_EQ(reg.rows("requests"), 1);
}

TEST(NetConformance, UnknownTokenIsRejected) {
    DevRegister reg;
    const auto answer = net::resolve_token(endpoint(reg), "0123456789abcdef0123456789abcdef");
    EXPECT_EQ(answer.outcome, Outcome::Rejected);
    EXPECT_EQ(answer.http_status, 404);
    EXPECT_TRUE(answer.error.starts_with("HTTP 404: ")) << answer.error;
    EXPECT_TRUE(contains(answer.error, "token")) << answer.error;
}

// Section: conformance: kiosks/{id}/heartbeat.json

TEST(NetConformance, HeartbeatIsStoredOnceAndRefusalsAreRejected) {
    DevRegister reg;
    const std::string body = R"({"outbox":{"queued":0},"printer":"idle"})";
    const auto beat = net::send_heartbeat(endpoint(reg), "kiosk-dev-01", body, "hb-1");
    ASSERT_EQ(beat.outcome, Outcome::Registered) << beat.error;
    EXPECT_EQ(net::send_heartbeat(endpoint(reg), "kiosk-dev-01", body, "hb-1").outcome,
              Outcome::Registered);
    EXPECT_EQ(reg.query("SELECT kiosk_id, body FROM heartbeats"),
              (std::vector<std::vector<std::string>>{{"kiosk-dev-01", body}}));

    EXPECT_EQ(net::send_heartbeat(endpoint(reg), "kiosk-dev-01", "[]").http_status, 400);
    EXPECT_EQ(net::send_heartbeat(endpoint(reg), "kiosk-dev-01",
                                  "{\"pad\":\"" + std::string(70000, 'x') + "\"}")
                  .http_status,
              413);
    auto wrong_key = endpoint(reg);
    wrong_key.api_key = "wrong";
    const auto refused = net::send_heartbeat(wrong_key, "kiosk-dev-01", "{}");
    EXPECT_EQ(refused.outcome, Outcome::Rejected);
    EXPECT_EQ(refused.error, "HTTP 403: api_key is missing or not valid");
    EXPECT_EQ(reg.rows("heartbeats"), 1);
}

// Section: the fault matrix for POST requests.json

struct SubmitFault {
    const char* spec;  // applied once, to POST requests.json
    Outcome outcome;
    long http_status;
    std::chrono::seconds retry_after_min, retry_after_max;
    bool stored;        // the register kept the complaint despite the fault
    const char* error;  // part of the error
    bool maybe_filed;   // the kiosk is told to search before posting again
};

void PrintTo(const SubmitFault& fault, std::ostream* out) { *out << fault.spec; }

class NetSubmitFaults : public ::testing::TestWithParam<SubmitFault> {};

// The first attempt reports what happened; the retry with the same key is Registered with the
// number the register stored (if it did), and there is one row either way.
TEST_P(NetSubmitFaults, FirstAttemptSaysWhatHappenedAndTheRetryFilesOnce) {
    const auto& fault = GetParam();
    DevRegister reg({.faults = {std::string(fault.spec) + ",count=1,path=requests.json"}});
    const auto first = net::submit_request(endpoint(reg), complaint("key-fault"));
    EXPECT_EQ(first.outcome, fault.outcome) << first.error;
    EXPECT_EQ(first.http_status, fault.http_status);
    EXPECT_GE(first.retry_after, fault.retry_after_min);
    EXPECT_LE(first.retry_after, fault.retry_after_max);
    EXPECT_TRUE(contains(first.error, fault.error)) << first.error;
    EXPECT_TRUE(first.service_request_id.empty());
    EXPECT_EQ(first.maybe_filed, fault.maybe_filed);
    EXPECT_EQ(reg.rows("requests"), fault.stored ? 1 : 0);
    const std::string stored = number_for_key(reg, "key-fault");

    const auto retry = net::submit_request(endpoint(reg), complaint("key-fault"));
    ASSERT_EQ(retry.outcome, Outcome::Registered) << retry.error;
    if (fault.stored) {
        EXPECT_EQ(retry.service_request_id, stored);
    }
    EXPECT_EQ(reg.rows("requests"), 1);
    EXPECT_TRUE(contains(reg.log(), "fault " + std::string(fault.spec))) << reg.log();
}

INSTANTIATE_TEST_SUITE_P(
    Matrix, NetSubmitFaults,
    ::testing::Values(
        SubmitFault{"status=500", Outcome::Unreachable, 500, 0s, 0s, false,
                    "HTTP 500: fault injected", true},
        SubmitFault{"status=503,retry-after=2", Outcome::Unreachable, 503, 2s, 2s, false,
                    "HTTP 503", true},
        SubmitFault{"status=429,retry-after-date=120", Outcome::Unreachable, 429, 115s, 120s, false,
                    "HTTP 429", false},
        SubmitFault{"status=503,retry-after=86400", Outcome::Unreachable, 503, 3600s, 3600s, false,
                    "HTTP 503", true},
        SubmitFault{"status=408", Outcome::Unreachable, 408, 0s, 0s, false, "HTTP 408", false},
        // A 400 that names nothing staff could fix: the spec's General Service Error.
        SubmitFault{"status=400", Outcome::Unreachable, 400, 0s, 0s, false,
                    "HTTP 400: fault injected", false},
        SubmitFault{"status=422,retry-after=5", Outcome::Rejected, 422, 0s, 0s, false, "HTTP 422",
                    false},
        // The body went out, then the connection broke: the register kept it.
        SubmitFault{"reset", Outcome::Unreachable, 0, 0s, 0s, true, "reset", true},
        SubmitFault{"malformed-json", Outcome::Unreachable, 200, 0s, 0s, true, "malformed answer",
                    true},
        // The register's notice alone is what a blackbox service answers: taken, no number.
        SubmitFault{"missing-id", Outcome::Delivered, 200, 0s, 0s, true, "", false},
        SubmitFault{"oversized", Outcome::Unreachable, 0, 0s, 0s, true, "larger than 1 MiB", true},
        SubmitFault{"oversized,length", Outcome::Unreachable, 0, 0s, 0s, true, "larger than 1 MiB",
                    true},
        SubmitFault{"token", Outcome::Pending, 200, 0s, 0s, true, "", false}),
    [](const auto& info) {
        std::string name;
        for (const char c : std::string(info.param.spec))
            name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
        return name;
    });

// The kiosk gives up waiting; the register files it anyway; the retry finds that one filing.
TEST(NetFaults, DelayPastTheTimeoutIsUnreachableAndStillFilesOnce) {
    DevRegister reg({.faults = {"delay=800,count=1,path=requests.json"}});
    auto impatient = endpoint(reg);
    impatient.total_timeout_ms = 200;
    const auto first = net::submit_request(impatient, complaint("key-slow"));
    EXPECT_EQ(first.outcome, Outcome::Unreachable);
    EXPECT_TRUE(contains(first.error, "Timeout")) << first.error;
    EXPECT_TRUE(first.maybe_filed);  // sent, then no answer in time
    const auto retry = net::submit_request(endpoint(reg), complaint("key-slow"));
    ASSERT_EQ(retry.outcome, Outcome::Registered) << retry.error;
    // The delayed request ends after its 800 ms with the number the retry got, adding no row.
    const std::string answered = "POST /requests.json 200 " + retry.service_request_id;
    testsupport::eventually([&] { return occurrences(reg.log(), answered) >= 2; }, 3s);
    EXPECT_EQ(occurrences(reg.log(), answered), 2) << reg.log();
    EXPECT_EQ(reg.rows("requests"), 1);
}

// A stop request ends a call early; whether the register may have the complaint depends on
// whether it went out.
TEST(NetFaults, CancelledAfterSendingMayHaveFiledBeforeSendingHasNot) {
    DevRegister reg({.faults = {"delay=5000,count=1,path=requests.json"}});
    std::stop_source stop;
    auto ep = endpoint(reg);
    ep.cancel = stop.get_token();
    net::SubmitResult sent;
    std::thread call([&] { sent = net::submit_request(ep, complaint("key-cancel")); });
    // The register logs the fault once the request has arrived, before it waits.
    EXPECT_TRUE(
        testsupport::eventually([&] { return contains(reg.log(), "fault delay=5000"); }, 10s));
    stop.request_stop();
    call.join();
    EXPECT_EQ(sent.outcome, Outcome::Unreachable);
    EXPECT_EQ(sent.error, "cancelled");
    EXPECT_TRUE(sent.maybe_filed);

    const auto unsent = net::submit_request(ep, complaint("key-cancel-2"));
    EXPECT_EQ(unsent.error, "cancelled");
    EXPECT_FALSE(unsent.maybe_filed);
}

// Section: the fault matrix for the other endpoints

// What any call reported, for one table over all of them.
struct Reported {
    Outcome outcome;
    std::chrono::seconds retry_after;
    std::string error;
};

struct Row {
    const char* spec;
    Outcome outcome;
    const char* error;
};

// Starts a register whose faults apply once each, in the table's order, to paths under
// `path`, then calls once per row and once more with the register behaving.
void run_matrix(const std::string& path, const std::vector<Row>& rows,
                const std::function<std::function<Reported()>(const DevRegister&)>& prepare,
                const std::vector<std::string>& extra_faults = {}) {
    DevRegisterOptions options{.faults = extra_faults};
    for (const auto& row : rows)
        options.faults.push_back(std::string(row.spec) + ",count=1,path=" + path);
    DevRegister reg(options);
    const auto call = prepare(reg);
    for (const auto& row : rows) {
        const auto got = call();
        EXPECT_EQ(got.outcome, row.outcome) << row.spec << ": " << got.error;
        EXPECT_TRUE(contains(got.error, row.error)) << row.spec << ": " << got.error;
        if (std::string(row.spec) == "status=503,retry-after=1") {
            EXPECT_EQ(got.retry_after, 1s);
        }
    }
    const auto behaving = call();
    EXPECT_EQ(behaving.outcome, Outcome::Registered) << behaving.error;
}

const std::vector<Row> kTransportRows = {
    {"status=503,retry-after=1", Outcome::Unreachable, "HTTP 503"},
    {"status=500", Outcome::Unreachable, "HTTP 500"},
    {"reset", Outcome::Unreachable, "reset"},
    {"malformed-json", Outcome::Unreachable, "malformed"},
    {"oversized", Outcome::Unreachable, "larger than 1 MiB"},
};

std::vector<Row> with(std::vector<Row> rows, const std::vector<Row>& more) {
    rows.insert(rows.end(), more.begin(), more.end());
    return rows;
}

TEST(NetFaults, StatusLookups) {
    run_matrix(
        "requests/",
        with(kTransportRows, {{"status=404", Outcome::Rejected, "HTTP 404"},
                              {"missing-id", Outcome::Unreachable, "no valid service_request_id"}}),
        [](const DevRegister& reg) {
            const auto filed = net::submit_request(endpoint(reg), complaint("key-lookups"));
            EXPECT_EQ(filed.outcome, Outcome::Registered) << filed.error;
            return [&reg, id = filed.service_request_id] {
                const auto r = net::fetch_status(endpoint(reg), id);
                return Reported{r.outcome, r.retry_after, r.error};
            };
        });
}

TEST(NetFaults, TokenLookups) {
    // A missing id in a token's answer reads as "not yet": Pending, never Registered.
    run_matrix("tokens/", with(kTransportRows, {{"missing-id", Outcome::Pending, ""}}),
               [](const DevRegister& reg) {
                   const auto filed =
                       net::submit_request(endpoint(reg), complaint("key-token-lookups"));
                   EXPECT_EQ(filed.outcome, Outcome::Pending) << filed.error;
                   return [&reg, token = filed.token] {
                       const auto r = net::resolve_token(endpoint(reg), token);
                       return Reported{r.outcome, r.retry_after, r.error};
                   };
               },
               {"token,count=1"});
}

TEST(NetFaults, Heartbeats) {
    run_matrix("kiosks/", kTransportRows, [](const DevRegister& reg) {
        return [&reg] {
            const auto r = net::send_heartbeat(endpoint(reg), "kiosk-dev-01", R"({"ok":true})");
            return Reported{r.outcome, r.retry_after, r.error};
        };
    });
}

TEST(NetFaults, Catalog) {
    run_matrix("services.json", kTransportRows, [](const DevRegister& reg) {
        return [&reg] {
            const auto r = net::fetch_services(endpoint(reg));
            return Reported{r.ok ? Outcome::Registered : Outcome::Unreachable, r.retry_after,
                            r.error};
        };
    });
}

// Section: what the client sends, in either format (a recording server on loopback)

// Plain HTTP on loopback, which net allows there: records each request and answers it with
// `answer`, so that paths, headers and fields can be checked for any format and any call.
class RecordingServer {
public:
    struct Request {
        std::string method, target, accept, body;
    };
    using Answer = std::function<std::pair<int, std::string>(const Request&)>;

    explicit RecordingServer(Answer answer) : answer_(std::move(answer)) {
        const auto handler = [this](const httplib::Request& req, httplib::Response& res) {
            Request seen{req.method, req.target, req.get_header_value("Accept"), req.body};
            const auto [status, body] = answer_(seen);
            {
                std::lock_guard lock(mutex_);
                requests_.push_back(std::move(seen));
            }
            res.status = status;
            res.set_content(body, "text/plain");
        };
        server_.Get(".*", handler);
        server_.Post(".*", handler);
        server_.set_keep_alive_max_count(1);  // no idle connection to wait for at stop()
        port_ = server_.bind_to_any_port("127.0.0.1");
        if (port_ <= 0) throw std::runtime_error("recording server: no port on 127.0.0.1");
        thread_ = std::thread([this] { server_.listen_after_bind(); });
        // A stop() before the accept loop runs would be lost, and the join would hang.
        testsupport::eventually([this] { return server_.is_running(); }, 10s);
    }
    ~RecordingServer() {
        server_.stop();
        thread_.join();
    }
    RecordingServer(const RecordingServer&) = delete;
    RecordingServer& operator=(const RecordingServer&) = delete;

    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/"; }
    std::vector<Request> requests() const {
        std::lock_guard lock(mutex_);
        return requests_;
    }

private:
    Answer answer_;
    httplib::Server server_;
    int port_ = 0;
    std::thread thread_;
    mutable std::mutex mutex_;
    std::vector<Request> requests_;
};

// A valid answer for each call, in the format asked for by the path's extension.
std::pair<int, std::string> valid_answer(const RecordingServer::Request& rq) {
    struct Shape {
        const char* method;
        const char* prefix;
        const char* json;
        const char* xml;
    };
    static const Shape shapes[] = {
        {"POST", "/requests.", R"([{"service_request_id":"X-1"}])",
         "<service_requests><request><service_request_id>X-1</service_request_id></request>"
         "</service_requests>"},
        {"GET", "/tokens/", R"([{"service_request_id":"X-1","token":"t 1"}])",
         "<service_requests><request><service_request_id>X-1</service_request_id><token>t 1"
         "</token></request></service_requests>"},
        {"GET", "/requests", R"([{"service_request_id":"X-1","status":"open"}])",
         "<service_requests><request><service_request_id>X-1</service_request_id><status>open"
         "</status></request></service_requests>"},
        {"GET", "/services/", R"({"service_code":"A/B","attributes":[]})",
         "<service_definition><service_code>A/B</service_code><attributes/>"
         "</service_definition>"},
        {"GET", "/services.", R"([{"service_code":"A","service_name":"B"}])",
         "<services><service><service_code>A</service_code><service_name>B</service_name>"
         "</service></services>"},
        {"POST", "/kiosks/", "{}", "{}"},
    };
    const bool xml = rq.target.find(".xml") != std::string::npos;
    for (const auto& s : shapes)
        if (rq.method == s.method && rq.target.starts_with(s.prefix))
            return {200, xml ? s.xml : s.json};
    return {404, ""};
}

net::RegisterEndpoint endpoint(const RecordingServer& server, net::Format format,
                               std::string jurisdiction_id) {
    return {.base_url = server.url(),
            .ca_file = "/nonexistent",
            .api_key = "key-1",
            .jurisdiction_id = std::move(jurisdiction_id),
            .format = format,
            .connect_timeout_ms = 2000,
            .total_timeout_ms = 5000};
}

// Every call once, each expected to be answered as valid_answer() answers it.
void call_everything(const net::RegisterEndpoint& ep) {
    using namespace std::chrono;
    EXPECT_EQ(net::submit_request(ep, complaint("key-any")).outcome, Outcome::Registered);
    EXPECT_EQ(net::resolve_token(ep, "t 1").outcome, Outcome::Registered);
    EXPECT_EQ(net::fetch_status(ep, "X-1").outcome, Outcome::Registered);
    const sys_days day = year{2026} / 12 / 2;
    const auto found = net::search_requests(ep, {"KZ-GU-001", day + 10h, day + 34h});
    EXPECT_EQ(found.outcome, Outcome::Registered) << found.error;
    EXPECT_EQ(found.requests.size(), 1u);
    EXPECT_TRUE(net::fetch_services(ep).ok);
    EXPECT_EQ(net::fetch_service_definition(ep, "A/B").outcome, Outcome::Registered);
    EXPECT_EQ(net::send_heartbeat(ep, "kiosk-1", "{}").outcome, Outcome::Registered);
}

TEST(NetClient, EveryCallTakesTheFormatAndTheJurisdiction) {
    for (const auto format : {net::Format::Json, net::Format::Xml}) {
        RecordingServer server(valid_answer);
        call_everything(endpoint(server, format, "kz.akmola"));
        const std::string x(net::format_name(format));
        const std::string j = "jurisdiction_id=kz.akmola";
        const std::vector<std::vector<std::string>> expected = {
            {"POST", "/requests." + x},
            {"GET", "/tokens/t%201." + x + "?" + j},
            {"GET", "/requests/X-1." + x + "?" + j},
            {"GET", "/requests." + x +
                        "?service_code=KZ-GU-001&start_date=2026-12-02T10%3A00%3A00Z"
                        "&end_date=2026-12-03T10%3A00%3A00Z&" +
                        j},
            {"GET", "/services." + x + "?" + j},
            {"GET", "/services/A%2FB." + x + "?" + j},
            {"POST", "/kiosks/kiosk-1/heartbeat.json?api_key=key-1&" + j},  // always JSON
        };
        const auto seen = server.requests();
        ASSERT_EQ(seen.size(), expected.size()) << x;
        for (std::size_t i = 0; i < seen.size(); ++i) {
            EXPECT_EQ((std::vector<std::string>{seen[i].method, seen[i].target}), expected[i]) << x;
            const bool heartbeat = i + 1 == seen.size();
            EXPECT_EQ(seen[i].accept,
                      format == net::Format::Xml && !heartbeat ? "text/xml" : "application/json")
                << seen[i].target;
        }
        // In the form, next to the api_key.
        EXPECT_TRUE(seen[0].body.starts_with("api_key=key-1&" + j + "&service_code=KZ-GU-001&"))
            << seen[0].body;
    }
}

TEST(NetClient, WithoutAJurisdictionNoneIsSent) {
    RecordingServer server(valid_answer);
    call_everything(endpoint(server, net::Format::Xml, ""));
    const auto seen = server.requests();
    EXPECT_EQ(seen.size(), 7u);
    for (const auto& rq : seen) {
        EXPECT_FALSE(contains(rq.target, "jurisdiction")) << rq.target;
        EXPECT_FALSE(contains(rq.body, "jurisdiction")) << rq.target;
    }
}

// The answer's format follows the endpoint, not the server's whim: JSON to an XML kiosk is
// malformed (and may have filed), an XML refusal still names its reason.
TEST(NetClient, AnswersAreReadInTheEndpointsFormat) {
    RecordingServer server([](const RecordingServer::Request& rq) -> std::pair<int, std::string> {
        if (rq.target.starts_with("/requests.xml"))
            return {200, R"([{"service_request_id":"X-1"}])"};
        return {403,
                "<errors><error><code>403</code><description>Invalid api_key</description>"
                "</error></errors>"};
    });
    const auto ep = endpoint(server, net::Format::Xml, "");
    const auto json_to_xml = net::submit_request(ep, complaint("key-json"));
    EXPECT_EQ(json_to_xml.outcome, Outcome::Unreachable);
    EXPECT_TRUE(json_to_xml.maybe_filed);
    const auto refused = net::fetch_status(ep, "X-1");
    EXPECT_EQ(refused.outcome, Outcome::Rejected);
    EXPECT_EQ(refused.error, "HTTP 403: Invalid api_key");
}

// Section: TLS: refused, never ignored

struct BadCertificate {
    Certificate certificate;
    const char* problem;  // what the error must name
};

void PrintTo(const BadCertificate& bad, std::ostream* out) { *out << bad.problem; }

class NetTls : public ::testing::TestWithParam<BadCertificate> {};

TEST_P(NetTls, BadServerCertificateIsRefusedNamingTheProblem) {
    DevRegister reg({.certificate = GetParam().certificate});
    const auto answer = net::submit_request(endpoint(reg), complaint("key-tls"));
    EXPECT_EQ(answer.outcome, Outcome::Unreachable);
    EXPECT_EQ(answer.http_status, 0);
    EXPECT_TRUE(contains(answer.error, "TLS: the register's certificate was refused"))
        << answer.error;
    EXPECT_TRUE(contains(answer.error, GetParam().problem)) << answer.error;
    EXPECT_EQ(reg.rows("requests"), 0);  // nothing was sent past the handshake
    EXPECT_FALSE(answer.maybe_filed);    // ... and the kiosk knows it
    EXPECT_FALSE(net::fetch_services(endpoint(reg)).ok);
}

INSTANTIATE_TEST_SUITE_P(
    Certificates, NetTls,
    ::testing::Values(BadCertificate{Certificate::OtherCa,
                                     "unable to get local issuer certificate"},
                      BadCertificate{Certificate::Expired, "certificate has expired"},
                      BadCertificate{Certificate::WrongHost, "matches target host name"}),
    [](const auto& info) {
        switch (info.param.certificate) {
        case Certificate::OtherCa: return std::string("OtherCa");
        case Certificate::Expired: return std::string("Expired");
        default: return std::string("WrongHost");
        }
    });

TEST(NetTlsClient, MutualTlsWithoutTheKioskCertificateIsRefused) {
    DevRegister reg({.require_client_cert = true});
    auto anonymous = endpoint(reg);
    anonymous.client_cert.clear();
    anonymous.client_key.clear();
    const auto refused = net::submit_request(anonymous, complaint("key-anonymous"));
    EXPECT_EQ(refused.outcome, Outcome::Unreachable);
    EXPECT_EQ(refused.http_status, 0);
    EXPECT_EQ(reg.rows("requests"), 0);
    EXPECT_EQ(net::submit_request(endpoint(reg), complaint("key-known")).outcome,
              Outcome::Registered);
}

// A kiosk's next call resumes its TLS session from libcurl's cache on a new connection: the
// register must take it under mutual TLS (it once answered "internal error" to every one).
TEST(NetTlsClient, AResumedSessionIsTakenUnderMutualTls) {
    DevRegister reg({.require_client_cert = true});
    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
    ASSERT_TRUE(curl);
    const std::string url = reg.url() + "services.json", ca = reg.ca_file(),
                      cert = reg.client_cert(), key = reg.client_key();
    curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_CAINFO, ca.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_SSLCERT, cert.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_SSLKEY, key.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_FORBID_REUSE, 1L);  // a new connection each time
    curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, 5000L);
    curl_easy_setopt(
        curl.get(), CURLOPT_WRITEFUNCTION,
        +[](char*, size_t size, size_t n, void*) { return size * n; });
    for (int call = 0; call < 3; ++call) {
        ASSERT_EQ(curl_easy_perform(curl.get()), CURLE_OK) << "call " << call;
        long status = 0;
        curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
        EXPECT_EQ(status, 200) << "call " << call;
    }
}

TEST(NetTlsClient, PlainHttpOnlyToLoopback) {
    for (const auto* url : {"http://register.example.kz/", "http://127.evil.example/",
                            "ftp://127.0.0.1/", "file:///etc/passwd"}) {
        const net::RegisterEndpoint ep{.base_url = url,
                                       .ca_file = "/nonexistent",
                                       .api_key = "k",
                                       .connect_timeout_ms = 500,
                                       .total_timeout_ms = 1000};
        const auto answer = net::submit_request(ep, complaint(""));
        EXPECT_EQ(answer.outcome, Outcome::Unreachable) << url;
        EXPECT_TRUE(contains(answer.error, "must be https")) << url << ": " << answer.error;
    }
    // Loopback is allowed: the refusal is then the closed port's, not the scheme's.
    for (const auto* url : {"http://127.0.0.1:9/", "http://localhost:9/", "http://[::1]:9/"}) {
        const net::RegisterEndpoint ep{.base_url = url,
                                       .ca_file = "/nonexistent",
                                       .api_key = "k",
                                       .connect_timeout_ms = 500,
                                       .total_timeout_ms = 1000};
        const auto answer = net::submit_request(ep, complaint(""));
        EXPECT_EQ(answer.outcome, Outcome::Unreachable) << url;
        EXPECT_FALSE(contains(answer.error, "must be https")) << url << ": " << answer.error;
        EXPECT_FALSE(answer.maybe_filed) << url;  // a refused connection sent nothing
    }
}

}  // namespace
