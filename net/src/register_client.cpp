#include "net/register_client.h"

#include <curl/curl.h>
#include <nlohmann/json.hpp>

#include <memory>

namespace net {
namespace {

constexpr std::size_t kMaxBody = 1 << 20;     // answers past 1 MiB are refused, not buffered
constexpr std::size_t kMaxId = 64;            // registration numbers are opaque but bounded

// Section: transfer

struct Response {
    long status = 0;
    std::string body;
    bool too_large = false;
    std::string error;        // transport error; empty when an HTTP answer arrived
};

size_t collect(char* data, size_t size, size_t n, void* user) {
    auto* r = static_cast<Response*>(user);
    if (r->body.size() + size * n > kMaxBody) {
        r->too_large = true;
        return 0;             // makes curl abort the transfer with CURLE_WRITE_ERROR
    }
    r->body.append(data, size * n);
    return size * n;
}

using Easy = std::unique_ptr<CURL, decltype(&curl_easy_cleanup)>;
using Headers = std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)>;

bool loopback_host(const std::string& host) {
    return host == "localhost" || host.rfind("127.", 0) == 0 || host == "[::1]" || host == "::1";
}

// Plain HTTP only to this machine (development); everything else must be HTTPS.
std::string check_url(const std::string& url) {
    std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> u(curl_url(), curl_url_cleanup);
    if (curl_url_set(u.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) return "bad register URL";
    char *scheme = nullptr, *host = nullptr;
    curl_url_get(u.get(), CURLUPART_SCHEME, &scheme, 0);
    curl_url_get(u.get(), CURLUPART_HOST, &host, 0);
    const std::string s = scheme ? scheme : "", h = host ? host : "";
    curl_free(scheme);
    curl_free(host);
    if (s == "https" || (s == "http" && loopback_host(h))) return "";
    return "register URL must be https (plain http only to loopback)";
}

// Every option that matters for security or for not hanging is set here, explicitly.
Response perform(const RegisterEndpoint& ep, const std::string& path, const std::string* form,
                 const std::string& idempotency_key) {
    Response r;
    const std::string url = ep.base_url + path;
    if (r.error = check_url(url); !r.error.empty()) return r;
    Easy easy(curl_easy_init(), curl_easy_cleanup);
    if (!easy) return {0, "", false, "curl_easy_init failed"};
    CURL* h = easy.get();
    char errbuf[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);                 // threads: no SIGALRM for DNS timeouts
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https,http");  // no file://, ftp:// ... ever
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);           // a redirect is an error, not a hop
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, ep.connect_timeout_ms);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, ep.total_timeout_ms);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 16L);         // bytes/s: a stalled link ends early
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 10L);
    // TLS: verify the peer against the pinned CA only (no system store), TLS 1.2 at least.
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(h, CURLOPT_CAINFO, ep.ca_file.c_str());
    curl_easy_setopt(h, CURLOPT_CAPATH, nullptr);
    curl_easy_setopt(h, CURLOPT_SSLVERSION, CURL_SSLVERSION_TLSv1_2);
    if (!ep.client_cert.empty()) {
        curl_easy_setopt(h, CURLOPT_SSLCERT, ep.client_cert.c_str());
        curl_easy_setopt(h, CURLOPT_SSLKEY, ep.client_key.c_str());
    }
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &r);

    Headers headers(nullptr, curl_slist_free_all);
    auto add_header = [&](const std::string& line) {
        headers.reset(curl_slist_append(headers.release(), line.c_str()));
    };
    add_header("Accept: application/json");
    if (form) {
        add_header("Content-Type: application/x-www-form-urlencoded; charset=utf-8");
        if (!idempotency_key.empty()) add_header("Idempotency-Key: " + idempotency_key);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, form->c_str());
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(form->size()));
    }
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());

    const CURLcode rc = curl_easy_perform(h);
    if (r.too_large) return {0, "", true, "answer larger than 1 MiB"};
    if (rc != CURLE_OK) {
        r.error = std::string(curl_easy_strerror(rc)) + (errbuf[0] ? std::string(": ") + errbuf : "");
        return r;
    }
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r.status);
    return r;
}

// Section: form encoding

struct Form {
    std::string body;
    std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> escaper{curl_easy_init(), curl_easy_cleanup};

    void add(const std::string& name, const std::string& value) {
        if (value.empty()) return;
        if (!body.empty()) body += '&';
        body += escape(name) + '=' + escape(value);
    }
    std::string escape(const std::string& s) {
        char* e = curl_easy_escape(escaper.get(), s.data(), static_cast<int>(s.size()));
        std::string out = e ? e : "";
        curl_free(e);
        return out;
    }
};

std::string encode(const RegisterEndpoint& ep, const ServiceRequest& rq) {
    Form f;
    f.add("api_key", ep.api_key);
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

// Section: answers

// A register's string we show or store: bounded, no control characters (UTF-8 validity was
// checked by the JSON parser).
bool plain_string(const nlohmann::json& v, std::size_t max) {
    if (!v.is_string()) return false;
    const auto& s = v.get_ref<const std::string&>();
    if (s.empty() || s.size() > max) return false;
    for (unsigned char c : s)
        if (c < 0x20 || c == 0x7F) return false;
    return true;
}

// Open311 errors: [{"code":403,"description":"Invalid api_key"}]. The description is the
// register's words about our request, safe to log.
std::string open311_error(const Response& r) {
    std::string what = "HTTP " + std::to_string(r.status);
    const auto j = nlohmann::json::parse(r.body, nullptr, false);
    if (j.is_array() && !j.empty() && j[0].is_object() && j[0].contains("description") &&
        plain_string(j[0]["description"], 300))
        what += ": " + j[0]["description"].get<std::string>();
    return what;
}

SubmitResult read_submit_answer(const Response& r) {
    SubmitResult out;
    out.http_status = r.status;
    if (r.status >= 400 && r.status < 500 && r.status != 408 && r.status != 429) {
        out.outcome = Outcome::Rejected;
        out.error = open311_error(r);
        return out;
    }
    if (r.status < 200 || r.status >= 300) {
        out.error = open311_error(r);
        return out;
    }
    const auto j = nlohmann::json::parse(r.body, nullptr, false);
    if (!j.is_array() || j.empty() || !j[0].is_object()) {
        out.error = "malformed answer: not an Open311 request list";
        return out;
    }
    const auto& first = j[0];
    if (!first.contains("service_request_id") || !plain_string(first["service_request_id"], kMaxId)) {
        out.error = first.contains("token") ? "register answered with a token; not yet supported"
                                            : "malformed answer: no valid service_request_id";
        return out;
    }
    out.outcome = Outcome::Registered;
    out.service_request_id = first["service_request_id"].get<std::string>();
    return out;
}

std::string optional_string(const nlohmann::json& o, const char* key) {
    if (!o.contains(key) || !plain_string(o[key], 300)) return "";
    return o[key].get<std::string>();
}

}  // namespace

// Section: public calls

void global_init() { curl_global_init(CURL_GLOBAL_DEFAULT); }

SubmitResult submit_request(const RegisterEndpoint& ep, const ServiceRequest& rq) {
    const std::string form = encode(ep, rq);
    const Response r = perform(ep, "requests.json", &form, rq.idempotency_key);
    if (!r.error.empty()) return {Outcome::Unreachable, "", 0, r.error};
    return read_submit_answer(r);
}

ServicesResult fetch_services(const RegisterEndpoint& ep) {
    const Response r = perform(ep, "services.json", nullptr, "");
    if (!r.error.empty()) return {false, {}, r.error};
    if (r.status != 200) return {false, {}, open311_error(r)};
    const auto j = nlohmann::json::parse(r.body, nullptr, false);
    if (!j.is_array()) return {false, {}, "malformed services.json: not a list"};
    ServicesResult out{true, {}, ""};
    for (const auto& s : j) {
        if (!s.is_object() || !s.contains("service_code") || !plain_string(s["service_code"], 64) ||
            !s.contains("service_name") || !plain_string(s["service_name"], 300))
            return {false, {}, "malformed services.json: a service without code or name"};
        out.services.push_back({s["service_code"], s["service_name"], optional_string(s, "service_name_kk"),
                                optional_string(s, "service_name_en"), optional_string(s, "group"),
                                optional_string(s, "group_kk"), optional_string(s, "group_en")});
    }
    return out;
}

}  // namespace net
