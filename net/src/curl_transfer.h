// net's own (not installed): what every libcurl transfer of the kiosk sets, for the register's
// calls (register_client.cpp), the metrics push (metrics_push.cpp) and the loopback POST
// (loopback.cpp) alike: the TLS pinning, the client certificate, the bounds in time and size,
// and the stop request.
#pragma once
#include <curl/curl.h>

#include <cstddef>
#include <stop_token>
#include <string>

namespace net::detail {

// Plain HTTP only to this machine (net::loopback_host; development); everything else must be
// HTTPS. "" when the URL may be used, else why not, naming it by `what` ("register URL").
std::string check_url(const std::string& url, const std::string& what);

// An answer kept up to `max` bytes: a longer one ends the transfer (too_large).
struct BoundedBody {
    std::size_t max = 0;
    std::string text;
    bool too_large = false;
};

// How one transfer proves who is at either end, and how long it may take.
struct TransferSecurity {
    std::string ca_file;                  // PEM: the only CA trusted for the server (pinned)
    std::string client_cert, client_key;  // PEM, mutual TLS; empty = none
    long connect_timeout_ms = 5000;
    long total_timeout_ms = 20000;
    const std::stop_token* cancel = nullptr;  // asked about once a second; must outlive the call
};

// Sets, on a freshly reset handle, every option that matters for security or for not hanging;
// the caller has checked `url` with check_url() and adds the method, headers and body. errbuf
// (CURL_ERROR_SIZE) and body must outlive the transfer.
void set_transfer_options(CURL* h, const std::string& url, const TransferSecurity& security,
                          char* errbuf, BoundedBody& body);

// curl's words, and for a refused certificate a message that says so first, naming whose it
// was (`peer`: "the register's").
std::string transfer_error(CURLcode rc, const char* errbuf, const std::string& peer);

}  // namespace net::detail
