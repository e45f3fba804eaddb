// net/open311's answer parsers, without a network: well-formed answers of every endpoint, a
// table of malformed ones that must never crash nor register anything, and Retry-After.

#include <chrono>
#include <ctime>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "net/open311.h"

namespace {

using namespace std::chrono_literals;
using net::Outcome;

// Section: well-formed answers

TEST(NetAnswers, SubmitWithAnIdIsRegistered) {
    const auto r = net::parse_submit_answer(
        200,
        R"([{"service_request_id":"ЖТ-2026-00000742","service_notice":"ok","account_id":null}])");
    EXPECT_EQ(r.outcome, Outcome::Registered) << r.error;
    EXPECT_EQ(r.service_request_id, "ЖТ-2026-00000742");
    EXPECT_EQ(r.http_status, 200);
}

TEST(NetAnswers, SubmitWithANumericIdAsInTheOpen311ExampleIsRegistered) {
    const auto r =
        net::parse_submit_answer(201, R"([{"service_request_id":293944,"service_notice":""}])");
    EXPECT_EQ(r.outcome, Outcome::Registered) << r.error;
    EXPECT_EQ(r.service_request_id, "293944");
}

TEST(NetAnswers, SubmitWithATokenIsPending) {
    const auto r =
        net::parse_submit_answer(200, R"([{"token":"12345","service_request_id":null}])");
    EXPECT_EQ(r.outcome, Outcome::Pending) << r.error;
    EXPECT_EQ(r.token, "12345");
    EXPECT_TRUE(r.service_request_id.empty());
}

TEST(NetAnswers, TokenAnswers) {
    const auto ready =
        net::parse_token_answer(200, R"([{"service_request_id":"638344","token":"12345"}])");
    EXPECT_EQ(ready.outcome, Outcome::Registered) << ready.error;
    EXPECT_EQ(ready.service_request_id, "638344");
    EXPECT_EQ(ready.token, "12345");
    EXPECT_EQ(net::parse_token_answer(200, R"([{"token":"12345"}])").outcome, Outcome::Pending);
    EXPECT_EQ(
        net::parse_token_answer(404, R"([{"code":404,"description":"no such token"}])").outcome,
        Outcome::Rejected);
}

TEST(NetAnswers, StatusAnswers) {
    const auto r = net::parse_status_answer(200, R"([{
        "service_request_id":"ЖТ-2026-00000742","status":"closed","status_notes":"Жауап берілді.\nОтвет дан.",
        "service_code":"KZ-GU-001","updated_datetime":"2026-12-02T16:30:00.123+05:00",
        "expected_datetime":"2026-12-04T18:00:00Z","address":null}])");
    ASSERT_EQ(r.outcome, Outcome::Registered) << r.error;
    EXPECT_EQ(r.request.status, "closed");
    EXPECT_EQ(r.request.status_notes, "Жауап берілді.\nОтвет дан.");
    EXPECT_EQ(r.request.updated_datetime, "2026-12-02T16:30:00.123+05:00");
    EXPECT_EQ(r.request.expected_datetime, "2026-12-04T18:00:00Z");
    const auto bare = net::parse_status_answer(
        200, R"([{"service_request_id":7,"status":"open","status_notes":null}])");
    EXPECT_EQ(bare.outcome, Outcome::Registered) << bare.error;
    EXPECT_EQ(bare.request.service_request_id, "7");
}

TEST(NetAnswers, CatalogWithABadTranslationKeepsTheService) {
    const auto r = net::parse_services(
        200,
        R"([{"service_code":"A","service_name":"Анықтама","service_name_kk":"bad\u0007","group_en":"G"}])");
    ASSERT_TRUE(r.ok) << r.error;
    ASSERT_EQ(r.services.size(), 1u);
    EXPECT_EQ(r.services[0].name, "Анықтама");
    EXPECT_TRUE(r.services[0].name_kk.empty());
    EXPECT_EQ(r.services[0].group_en, "G");
}

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

TEST(NetAnswers, MalformedAnswersNeverCrashNorRegister) {
    const auto bodies = malformed_answers();
    ASSERT_GE(bodies.size(), 40u);
    for (std::size_t i = 0; i < bodies.size(); ++i) {
        const std::string& body = bodies[i];
        const std::string what = "answer #" + std::to_string(i) + ": " + body.substr(0, 80);
        const auto submit = net::parse_submit_answer(200, body);
        EXPECT_NE(submit.outcome, Outcome::Registered) << what;
        EXPECT_NE(submit.outcome, Outcome::Rejected) << what;  // a bad answer is no refusal
        EXPECT_TRUE(submit.service_request_id.empty()) << what;
        EXPECT_FALSE(submit.error.empty() && submit.outcome != Outcome::Pending) << what;
        const auto token = net::parse_token_answer(200, body);
        EXPECT_NE(token.outcome, Outcome::Registered) << what;
        EXPECT_NE(net::parse_status_answer(200, body).outcome, Outcome::Registered) << what;
        const auto services = net::parse_services(200, body);  // "[]": an empty catalog
        EXPECT_TRUE(!services.ok || services.services.empty()) << what;
        net::parse_heartbeat_answer(200, body);  // any outcome; it must only not crash
        // The same bodies as error answers: a status, never a crash or garbage in the error.
        const auto refused = net::parse_submit_answer(403, body);
        EXPECT_EQ(refused.outcome, Outcome::Rejected) << what;
        EXPECT_LE(refused.error.size(), 320u) << what;
    }
}

TEST(NetAnswers, SubmitWithBothIdAndTokenTakesTheId) {
    const auto r = net::parse_submit_answer(200, R"([{"service_request_id":"X","token":"T"}])");
    EXPECT_EQ(r.outcome, Outcome::Registered);
    EXPECT_EQ(r.service_request_id, "X");
}

TEST(NetAnswers, MalformedStatusesAreNotTaken) {
    const std::string id = R"("service_request_id":"ЖТ-1",)";
    for (const auto* fields :
         {R"("status":"pending")", R"("status":"OPEN")", R"("status":null)",
          R"("status_notes":"x")", R"("status":"open","status_notes":"bell\u0007")",
          R"("status":"open","status_notes":17)",
          R"("status":"open","updated_datetime":"yesterday")",
          R"("status":"open","updated_datetime":"2026-13-01T00:00:00+05:00")",
          R"("status":"open","updated_datetime":"2026-11-27T10:15:00")",
          R"("status":"open","updated_datetime":"2026-11-27 10:15:00+05:00")",
          R"("status":"open","updated_datetime":"2026-11-27T24:00:00Z")",
          R"("status":"open","updated_datetime":"2026-11-27T10:15:00.Z")",
          R"("status":"open","updated_datetime":"2026-11-27T10:15:00+5:00")",
          R"("status":"open","expected_datetime":12345)",
          R"("status":"open","expected_datetime":"2026-11-27T10:15:00+05:00junk")"}) {
        const std::string body = std::string("[{") + id + fields + "}]";
        const auto r = net::parse_status_answer(200, body);
        EXPECT_EQ(r.outcome, Outcome::Unreachable) << body;
        EXPECT_EQ(r.error.rfind("malformed answer", 0), 0u) << body << ": " << r.error;
    }
    EXPECT_EQ(net::parse_status_answer(200, R"([{"status":"open"}])").outcome,
              Outcome::Unreachable);
}

TEST(NetAnswers, MalformedCatalogsAreNotTaken) {
    for (const auto* body :
         {R"([{"service_code":"A"}])", R"([{"service_code":"","service_name":"x"}])",
          R"([{"service_code":"A","service_name":"x"},{"service_code":7.5,"service_name":"y"}])",
          R"([{"service_code":"A\nB","service_name":"x"}])", R"({"services":[]})"}) {
        EXPECT_FALSE(net::parse_services(200, body).ok) << body;
    }
    const std::string long_code(65, 'C');
    EXPECT_FALSE(
        net::parse_services(200, R"([{"service_code":")" + long_code + R"(","service_name":"x"}])")
            .ok);
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
