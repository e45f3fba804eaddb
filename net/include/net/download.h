// net/download: one file fetched over HTTPS into a file on disk, for large downloads (a system
// update's bundle, issue 17). The same TLS rules as every kiosk transfer (the pinned CA, the
// kiosk's client certificate, no proxy, no redirect), a size bound, a stall limit instead of a
// short total timeout, and the stop request.
#pragma once
#include <cstdint>
#include <filesystem>
#include <stop_token>
#include <string>

namespace net {

// https, or plain http only to this machine (net's one rule; development and tests).
bool download_url_ok(const std::string& url);

struct DownloadRequest {
    std::string url;              // download_url_ok(), else refused unsent
    std::filesystem::path to;     // created 0600 (a link there is refused), replaced if it exists
    std::uint64_t max_bytes = 0;  // more is cut off (too_large)
    std::string ca_file;          // PEM: the only CA trusted for the server (pinned)
    std::string client_cert, client_key;  // PEM, mutual TLS; empty = none
    long connect_timeout_ms = 10000;
    long total_timeout_ms = 2L * 3600 * 1000;
    // A link slower than this many bytes a second for stall_s seconds ends the download.
    long stall_bytes_per_s = 1024;
    long stall_s = 60;
    std::stop_token cancel;  // ends the download within about a second (cancelled)
};

struct DownloadResult {
    bool ok = false;          // a 200 answer, every byte of it in `to` and fsynced
    long http_status = 0;     // 0 when no HTTP answer came
    std::uint64_t bytes = 0;  // written to `to`
    bool cancelled = false;
    bool too_large = false;  // the answer was, or said it would be, longer than max_bytes
    std::string error;       // why not; never holds the URL's path or query
};

// Blocking: call off the UI thread. On failure `to` may hold part of the answer: the caller
// removes it. Safe to call from several threads at once.
DownloadResult download_file(const DownloadRequest& request);

}  // namespace net
