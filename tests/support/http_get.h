#pragma once
// A plain HTTP request to a loopback address, for the kiosk's management server (/metrics,
// /healthz). Bounded: 10 s.
#include <curl/curl.h>

#include <string>

namespace testsupport {

struct HttpAnswer {
    long status = 0;         // 0: no answer
    std::string body, type;  // type: Content-Type
};

inline HttpAnswer http_request(const std::string& url, const char* method = "GET") {
    HttpAnswer a;
    CURL* c = curl_easy_init();
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
    curl_easy_setopt(
        c, CURLOPT_WRITEFUNCTION, +[](char* p, size_t n, size_t m, void* out) {
            static_cast<std::string*>(out)->append(p, n * m);
            return n * m;
        });
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &a.body);
    if (curl_easy_perform(c) == CURLE_OK) {
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &a.status);
        char* type = nullptr;
        curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &type);
        if (type) a.type = type;
    }
    curl_easy_cleanup(c);
    return a;
}

// The value of one series ("name{labels}") in a Prometheus exposition; NaN when absent.
inline double metric(const std::string& exposition, const std::string& series) {
    const std::string text = "\n" + exposition;
    const auto at = text.find("\n" + series + " ");
    if (at == std::string::npos) return __builtin_nan("");
    return std::stod(text.substr(at + series.size() + 2));
}

}  // namespace testsupport
