// Fuzzes net/open311's answer parsers: the input is an answer body, read by every parser in
// both formats (JSON, and XML through pugixml) under the statuses that take different paths
// (2xx, a General Service Error or refusal, a retry), and as a Retry-After value. Besides ASan
// and UBSan, the header's promises are checked: only a clean, bounded id makes an answer
// Registered, a token is bounded, a malformed 2xx or a 5xx to a POST may have filed while a
// refusal has not, Retry-After stays within [0, kMaxRetryAfter].
#include "net/open311.h"

#include "scratch.h"

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <string_view>

namespace {

using namespace std::chrono;

void require(bool ok, const char* what) {
    if (ok) return;
    std::fprintf(stderr, "open311 fuzz: broken promise: %s\n", what);
    std::abort();
}

// Register text the kiosk logs, prints or puts in a URL: no C0 control characters nor DEL.
bool clean(std::string_view s, std::size_t max) {
    if (s.empty() || s.size() > max) return false;
    for (unsigned char c : s)
        if (c < 0x20 || c == 0x7F) return false;
    return true;
}

// A submission is Pending only under a token; a token answer is Pending while the register
// has no id yet, and repeats the token only if it likes.
void check_submit(const net::SubmitResult& r, bool token_answer) {
    if (r.outcome == net::Outcome::Registered)
        require(clean(r.service_request_id, net::kMaxIdBytes), "Registered with a bad id");
    if (r.outcome == net::Outcome::Pending && !(token_answer && r.token.empty()))
        require(clean(r.token, net::kMaxTokenBytes), "Pending with a bad token");
    if (r.outcome == net::Outcome::Delivered)
        require(!token_answer && r.service_request_id.empty() && r.token.empty(),
                "Delivered with an id, a token, or for a look-up");
}

// What a POST's answer says about a filing the kiosk cannot see.
void check_maybe_filed(long status, const net::SubmitResult& r) {
    const bool ok = status >= 200 && status < 300;
    if (ok && r.outcome == net::Outcome::Unreachable)
        require(r.maybe_filed, "a malformed 2xx not marked as maybe filed");
    if (ok && r.outcome != net::Outcome::Unreachable)
        require(!r.maybe_filed, "a usable answer marked as maybe filed");
    if (status >= 400 && status < 500) require(!r.maybe_filed, "a refusal marked as maybe filed");
    if (status >= 500) require(r.maybe_filed, "a 5xx not marked as maybe filed");
}

bool valid_status(const net::RequestStatus& r) {
    return clean(r.service_request_id, net::kMaxIdBytes) &&
           (r.status == "open" || r.status == "closed");
}

constexpr long kStatuses[] = {200, 201, 204, 400, 404, 429, 503};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view body = fuzz::as_text(data, size);
    for (long status : kStatuses) {
        for (const auto format : {net::Format::Json, net::Format::Xml}) {
            const auto submit = net::parse_submit_answer(status, body, format);
            check_submit(submit, false);
            check_maybe_filed(status, submit);
            check_submit(net::parse_token_answer(status, body, format), true);
            const auto st = net::parse_status_answer(status, body, format);
            if (st.outcome == net::Outcome::Registered)
                require(valid_status(st.request), "a status without a valid id and state");
            const auto found = net::parse_search_answer(status, body, format);
            for (const auto& r : found.requests)
                require(valid_status(r), "a search result without a valid id and state");
            const auto services = net::parse_services(status, body, format);
            for (const auto& s : services.services)
                require(clean(s.code, 64) && clean(s.name, 300), "a service without code or name");
            const auto definition = net::parse_service_definition(status, body, format);
            if (definition.outcome == net::Outcome::Registered)
                require(clean(definition.definition.service_code, 64),
                        "a definition without a valid service_code");
            for (const auto& a : definition.definition.attributes)
                require(clean(a.code, 64), "an attribute without a valid code");
        }
        net::parse_heartbeat_answer(status, body);
    }
    // Retry-After against today and against clocks at the ends of system_clock's range.
    const sys_seconds today = sys_days{year{2026} / 12 / 1} + hours{10};
    for (const auto now : {system_clock::time_point(today), system_clock::time_point{},
                           time_point_cast<system_clock::duration>(sys_days{year{2262} / 1 / 1})}) {
        const seconds wait = net::parse_retry_after(body, now);
        require(wait >= seconds(0) && wait <= net::kMaxRetryAfter, "Retry-After out of range");
    }
    return 0;
}
