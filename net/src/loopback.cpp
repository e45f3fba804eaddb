#include "net/loopback.h"

#include <arpa/inet.h>
#include <curl/curl.h>

#include <memory>

#include "curl_transfer.h"

namespace net {
namespace {

using Easy = std::unique_ptr<CURL, decltype(&curl_easy_cleanup)>;
using Headers = std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)>;
using Url = std::unique_ptr<CURLU, decltype(&curl_url_cleanup)>;

constexpr std::size_t kMaxAnswerBytes = 1 << 20;

// A part of the URL as curl reads it, "" when it has none.
std::string url_part(CURLU* u, CURLUPart part) {
    char* text = nullptr;
    if (curl_url_get(u, part, &text, 0) != CURLUE_OK) return "";
    std::string out = text ? text : "";
    curl_free(text);
    return out;
}

}  // namespace

bool loopback_host(std::string host) {
    if (host == "localhost") return true;
    if (host.size() > 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    in_addr v4{};
    in6_addr v6{};
    if (inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
    return inet_pton(AF_INET6, host.c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6);
}

bool loopback_http_url(const std::string& url) {
    Url u(curl_url(), curl_url_cleanup);
    if (!u || curl_url_set(u.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) return false;
    return url_part(u.get(), CURLUPART_SCHEME) == "http" &&
           loopback_host(url_part(u.get(), CURLUPART_HOST));
}

LoopbackAnswer post_json_to_loopback(const std::string& url, const std::string& json_body,
                                     std::chrono::milliseconds timeout) {
    LoopbackAnswer out;
    if (!loopback_http_url(url)) {
        out.error = url + ": not plain http to this machine";
        return out;
    }
    Easy easy(curl_easy_init(), curl_easy_cleanup);
    if (!easy) {
        out.error = "curl_easy_init failed";
        return out;
    }
    CURL* h = easy.get();
    char errbuf[CURL_ERROR_SIZE] = "";
    detail::BoundedBody answer{kMaxAnswerBytes};
    const long ms = static_cast<long>(timeout.count());
    detail::set_transfer_options(h, url, {"", "", "", ms, ms, nullptr}, errbuf, answer);
    Headers headers(nullptr, curl_slist_free_all);
    for (const char* line : {"Content-Type: application/json", "Expect:"})
        headers.reset(curl_slist_append(headers.release(), line));
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, json_body.c_str());  // POST, not copied
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(json_body.size()));
    const CURLcode rc = curl_easy_perform(h);
    if (answer.too_large || rc == CURLE_FILESIZE_EXCEEDED) {
        out.error = "answer larger than 1 MiB";
        return out;
    }
    if (rc != CURLE_OK) {
        out.error = detail::transfer_error(rc, errbuf, "the server's");
        return out;
    }
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out.http_status);
    out.body = std::move(answer.text);
    return out;
}

}  // namespace net
