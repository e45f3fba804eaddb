#include "net/register_client.h"

#include "net/open311.h"

#include <common/ids.h>
#include <curl/curl.h>

#include <algorithm>
#include <ctime>
#include <memory>
#include <random>

#include "curl_transfer.h"

namespace net {
namespace {

constexpr std::size_t kMaxIdempotencyKeyBytes = 128;  // what the register accepts

// Section: idempotency keys

// A key the register would refuse, or one that could split the header, fails for good.
std::string bad_idempotency_key(const std::string& key) {
    const bool printable =
        std::all_of(key.begin(), key.end(), [](char c) { return c >= 0x20 && c <= 0x7E; });
    if (printable && key.size() <= kMaxIdempotencyKeyBytes) return "";
    return "Idempotency-Key must be at most 128 printable ASCII characters";
}

}  // namespace

std::string_view format_name(Format f) { return f == Format::Xml ? "xml" : "json"; }

std::string escape(const std::string& s) {
    // A null handle is allowed since libcurl 7.82; escaping needs no transfer.
    char* e = curl_easy_escape(nullptr, s.data(), static_cast<int>(s.size()));
    std::string out = e ? e : "";
    curl_free(e);
    return out;
}

std::string new_idempotency_key() {
    std::random_device rd;  // /dev/urandom on Linux
    unsigned char b[16];
    for (auto& x : b) x = static_cast<unsigned char>(rd());
    b[6] = (b[6] & 0x0F) | 0x40;
    b[8] = (b[8] & 0x3F) | 0x80;
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (int i = 0; i < 16; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
        out += hex[b[i] >> 4];
        out += hex[b[i] & 15];
    }
    return out;
}

namespace {

// Section: transfer

// One HTTP exchange with the register.
struct Call {
    std::string path;  // below base_url, percent-encoded, query included
    Format accept = Format::Json;
    bool post = false;
    std::string body;             // POST only
    std::string content_type;     // POST only
    std::string idempotency_key;  // POST only; empty sends a fresh one
};

struct Response {
    long status = 0;
    std::string body;
    std::string retry_after;  // the Retry-After header as sent, if any
    std::string error;        // transport error: there is no HTTP answer to read
    // Some of the request went out: after a transport error the server may have acted on it
    // (a refused connection or a failed handshake sent nothing; a timeout or a reset after
    // sending did).
    bool sent = false;
};

using Easy = std::unique_ptr<CURL, decltype(&curl_easy_cleanup)>;
using Headers = std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)>;

// The only place that talks to the network: every option that matters for security or for
// not hanging is set here, explicitly, for every call.
Response perform(const RegisterEndpoint& ep, const Call& call) {
    Response r;
    const std::string url = ep.base_url + call.path;
    if (r.error = detail::check_url(url, "register URL"); !r.error.empty()) return r;
    if (ep.cancel.stop_requested()) {
        r.error = "cancelled";
        return r;
    }
    // One handle per thread, reset for each call: its connection cache keeps the TLS
    // connection to the register open between calls, so a backlog drains without a handshake
    // per complaint. curl reuses a connection only for the same TLS settings.
    thread_local Easy easy(curl_easy_init(), curl_easy_cleanup);
    if (!easy) {
        r.error = "curl_easy_init failed";
        return r;
    }
    CURL* h = easy.get();
    curl_easy_reset(h);
    char errbuf[CURL_ERROR_SIZE] = "";
    detail::BoundedBody answer{kMaxAnswerBytes};
    detail::set_transfer_options(h, url,
                                 {ep.ca_file, ep.client_cert, ep.client_key, ep.connect_timeout_ms,
                                  ep.total_timeout_ms, &ep.cancel},
                                 errbuf, answer);

    Headers headers(nullptr, curl_slist_free_all);
    auto add_header = [&](const std::string& line) {
        headers.reset(curl_slist_append(headers.release(), line.c_str()));
    };
    add_header(call.accept == Format::Xml ? "Accept: text/xml" : "Accept: application/json");
    if (call.post) {
        add_header("Content-Type: " + call.content_type);
        add_header("Idempotency-Key: " +
                   (call.idempotency_key.empty() ? new_idempotency_key() : call.idempotency_key));
        add_header("Expect:");  // no 100-continue round trip (or 1 s wait) before the body
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, call.body.c_str());  // POST, body not copied
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                         static_cast<curl_off_t>(call.body.size()));  // binary-safe length
    }
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());

    const CURLcode rc = curl_easy_perform(h);
    long request_bytes = 0;
    curl_off_t body_bytes = 0;
    curl_easy_getinfo(h, CURLINFO_REQUEST_SIZE, &request_bytes);
    curl_easy_getinfo(h, CURLINFO_SIZE_UPLOAD_T, &body_bytes);
    r.sent = request_bytes > 0 || body_bytes > 0;
    if (answer.too_large || rc == CURLE_FILESIZE_EXCEEDED) {
        r.error = "answer larger than 1 MiB";
        return r;
    }
    if (rc == CURLE_ABORTED_BY_CALLBACK) {
        r.error = "cancelled";
        return r;
    }
    if (rc != CURLE_OK) {
        r.error = detail::transfer_error(rc, errbuf, "the register's");
        return r;
    }
    r.body = std::move(answer.text);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r.status);
    curl_header* retry_after = nullptr;
    if (curl_easy_header(h, "Retry-After", 0, CURLH_HEADER, -1, &retry_after) == CURLHE_OK)
        r.retry_after = retry_after->value;
    return r;
}

// A response read by `parse`; no HTTP answer at all is Unreachable with the transport error.
// Retry-After counts where it is meant: a rate limit or a server in trouble.
template <class Parse>
auto read(const Response& r, Parse parse) {
    if (!r.error.empty()) {
        decltype(parse(0L, std::string_view())) out;
        out.error = r.error;
        return out;
    }
    auto out = parse(r.status, r.body);
    if (r.status == 429 || r.status >= 500)
        out.retry_after = parse_retry_after(r.retry_after, std::chrono::system_clock::now());
    return out;
}

// Section: form encoding

struct Form {
    std::string body;

    void add(const std::string& name, const std::string& value) {
        if (value.empty()) return;
        if (!body.empty()) body += '&';
        body += escape(name) + '=' + escape(value);
    }
};

std::string encode(const RegisterEndpoint& ep, const ServiceRequest& rq) {
    Form f;
    f.add("api_key", ep.api_key);
    f.add("jurisdiction_id", ep.jurisdiction_id);
    f.add("service_code", rq.service_code);
    f.add("address_string", rq.address_string);
    f.add("description", rq.description);
    f.add("device_id", rq.device_id);
    f.add("first_name", rq.first_name);
    f.add("last_name", rq.last_name);
    f.add("phone", rq.phone);
    f.add("email", rq.email);
    for (const auto& a : rq.attributes) {
        const std::string name = "attribute[" + a.code + "]" + (a.multi_value ? "[]" : "");
        for (const auto& v : a.values) f.add(name, v);
    }
    return f.body;
}

// Section: paths

// A resource below base_url in the endpoint's format, with `query` (percent-encoded).
std::string path(const RegisterEndpoint& ep, const std::string& resource, const Form& query = {}) {
    const std::string p = resource + "." + std::string(format_name(ep.format));
    return query.body.empty() ? p : p + "?" + query.body;
}

// GET `resource` in the endpoint's format, its answer read by `parse` in that format. A GET
// carries jurisdiction_id in its query, as a POST does in its form.
template <class Result>
Result get(const RegisterEndpoint& ep, const std::string& resource,
           Result (*parse)(long, std::string_view, Format), Form query = {}) {
    query.add("jurisdiction_id", ep.jurisdiction_id);
    return read(perform(ep, {path(ep, resource, query), ep.format}),
                [&](long status, std::string_view body) { return parse(status, body, ep.format); });
}

// 2026-12-02T10:00:00Z
std::string iso_utc(std::chrono::system_clock::time_point t) {
    const std::time_t seconds = std::chrono::system_clock::to_time_t(t);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char text[32];
    return std::string(text, std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc));
}

}  // namespace

// Section: public calls

void global_init() { curl_global_init(CURL_GLOBAL_DEFAULT); }

SubmitResult submit_request(const RegisterEndpoint& ep, const ServiceRequest& rq) {
    if (auto bad = bad_idempotency_key(rq.idempotency_key); !bad.empty())
        return {Outcome::Rejected, "", 0, bad};
    const Call call{path(ep, "requests"),
                    ep.format,
                    true,
                    encode(ep, rq),
                    "application/x-www-form-urlencoded; charset=utf-8",
                    rq.idempotency_key};
    const Response r = perform(ep, call);
    SubmitResult out = read(r, [&](long status, std::string_view body) {
        return parse_submit_answer(status, body, ep.format);
    });
    // No answer after the request went out (a timeout, a reset, a cancel, an oversized
    // answer): the server may have filed it all the same.
    if (!r.error.empty()) out.maybe_filed = r.sent;
    return out;
}

SubmitResult resolve_token(const RegisterEndpoint& ep, const std::string& token) {
    return get(ep, "tokens/" + escape(token), parse_token_answer);
}

StatusResult fetch_status(const RegisterEndpoint& ep, const std::string& service_request_id) {
    StatusResult out = get(ep, "requests/" + escape(service_request_id), parse_status_answer);
    // An answer about another request is no answer about this one.
    if (out.outcome == Outcome::Registered &&
        out.request.service_request_id != service_request_id) {
        out.outcome = Outcome::Unreachable;
        out.error = "malformed answer: about another service_request_id";
    }
    return out;
}

SearchResult search_requests(const RegisterEndpoint& ep, const RequestQuery& query) {
    Form filters;
    filters.add("service_code", query.service_code);
    filters.add("start_date", iso_utc(query.start));
    filters.add("end_date", iso_utc(query.end));
    return get(ep, "requests", parse_search_answer, std::move(filters));
}

HeartbeatResult send_heartbeat(const RegisterEndpoint& ep, const std::string& kiosk_id,
                               const std::string& json_body, const std::string& idempotency_key) {
    if (auto bad = bad_idempotency_key(idempotency_key); !bad.empty())
        return {Outcome::Rejected, 0, bad};
    // This project's extension: JSON whatever the endpoint's format.
    Form query;
    query.add("api_key", ep.api_key);
    query.add("jurisdiction_id", ep.jurisdiction_id);
    const std::string where = "kiosks/" + escape(kiosk_id) + "/heartbeat.json";
    const Call call{query.body.empty() ? where : where + "?" + query.body,
                    Format::Json,
                    true,
                    json_body,
                    "application/json; charset=utf-8",
                    idempotency_key};
    return read(perform(ep, call), parse_heartbeat_answer);
}

UploadResult upload_diagnostics(const RegisterEndpoint& ep, const std::string& kiosk_id,
                                const std::string& command_id, const std::string& json_body) {
    if (!common::command_id_ok(command_id))
        return {Outcome::Rejected, 0, "command id must be 1..64 of A-Za-z0-9-_"};
    if (json_body.size() > kMaxDiagnosticsBytes)
        return {Outcome::Rejected, 0, "diagnostic bundle larger than 1 MiB"};
    Form query;
    query.add("api_key", ep.api_key);
    query.add("jurisdiction_id", ep.jurisdiction_id);
    const std::string where = "kiosks/" + escape(kiosk_id) + "/diagnostics/" + command_id + ".json";
    // The command id as the key: a retried upload of the same bundle is stored once.
    const Call call{query.body.empty() ? where : where + "?" + query.body,
                    Format::Json,
                    true,
                    json_body,
                    "application/json; charset=utf-8",
                    "diagnostics-" + command_id};
    return read(perform(ep, call), parse_upload_answer);
}

ServicesResult fetch_services(const RegisterEndpoint& ep) {
    return get(ep, "services", parse_services);
}

DefinitionResult fetch_service_definition(const RegisterEndpoint& ep,
                                          const std::string& service_code) {
    DefinitionResult out = get(ep, "services/" + escape(service_code), parse_service_definition);
    // A definition of another service is no definition of this one.
    if (out.outcome == Outcome::Registered && out.definition.service_code != service_code) {
        out.outcome = Outcome::Unreachable;
        out.error = "malformed answer: about another service_code";
        out.definition = {};
    }
    return out;
}

}  // namespace net
