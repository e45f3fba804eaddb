#include "curl_transfer.h"

#include "net/loopback.h"

#include <memory>

namespace net::detail {
namespace {

size_t collect(char* data, size_t size, size_t n, void* user) {
    auto* b = static_cast<BoundedBody*>(user);
    if (b->text.size() + size * n > b->max) {
        b->too_large = true;
        return 0;  // makes curl abort the transfer with CURLE_WRITE_ERROR
    }
    b->text.append(data, size * n);
    return size * n;
}

// libcurl asks about once a second, even while it waits for an answer: a stop request ends
// the transfer (CURLE_ABORTED_BY_CALLBACK).
int keep_going(void* cancel, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    const auto* token = static_cast<const std::stop_token*>(cancel);
    return token && token->stop_requested() ? 1 : 0;
}

}  // namespace

std::string check_url(const std::string& url, const std::string& what) {
    std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> u(curl_url(), curl_url_cleanup);
    if (curl_url_set(u.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) return "bad " + what;
    char *scheme = nullptr, *host = nullptr;
    curl_url_get(u.get(), CURLUPART_SCHEME, &scheme, 0);
    curl_url_get(u.get(), CURLUPART_HOST, &host, 0);
    const std::string s = scheme ? scheme : "", h = host ? host : "";
    curl_free(scheme);
    curl_free(host);
    if (s == "https" || (s == "http" && net::loopback_host(h))) return "";
    return what + " must be https (plain http only to loopback)";
}

void set_transfer_options(CURL* h, const std::string& url, const TransferSecurity& sec,
                          char* errbuf, BoundedBody& body) {
    curl_easy_setopt(h, CURLOPT_URL, url.c_str());  // checked by the caller: https, or loopback
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER,
                     errbuf);  // the precise reason, e.g. which certificate check failed
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);  // threads: no SIGALRM for DNS timeouts
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https,http");  // no file://, ftp:// ... ever
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);  // a redirect is an error, not a hop elsewhere
    curl_easy_setopt(h, CURLOPT_PROXY, "");  // straight to the server: no proxy from http_proxy
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                     sec.connect_timeout_ms);  // a dead link fails fast
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS,
                     sec.total_timeout_ms);             // the whole exchange, answer included
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 16L);  // bytes/s: a stalled link ends early ...
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 10L);   // ... once it stayed below that for 10 s
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);    // the server proves who it is: never 0
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);    // ... for the host name in the URL
    curl_easy_setopt(h, CURLOPT_CAINFO, sec.ca_file.c_str());  // ... by a chain to the pinned CA
    curl_easy_setopt(h, CURLOPT_CAPATH, nullptr);  // Debian's libcurl would add /etc/ssl/certs
    curl_easy_setopt(h, CURLOPT_SSLVERSION, CURL_SSLVERSION_TLSv1_2);  // TLS 1.2 at least
    if (!sec.client_cert.empty()) {  // mutual TLS: the kiosk's own identity
        curl_easy_setopt(h, CURLOPT_SSLCERT, sec.client_cert.c_str());
        curl_easy_setopt(h, CURLOPT_SSLKEY, sec.client_key.c_str());
    }
    // Answers: refused before reading when the declared length is too large, and cut off
    // by collect() when an undeclared (chunked) one grows past it.
    curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(body.max));
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);                // ... so that keep_going is asked
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, keep_going);  // a stop request ends the call
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, sec.cancel);
}

std::string transfer_error(CURLcode rc, const char* errbuf, const std::string& peer) {
    std::string what = curl_easy_strerror(rc);
    if (errbuf[0]) what += std::string(": ") + errbuf;
    if (rc == CURLE_PEER_FAILED_VERIFICATION)
        return "TLS: " + peer + " certificate was refused (" + what + ")";
    return what;
}

}  // namespace net::detail
