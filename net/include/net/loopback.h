// net/loopback: this machine's own addresses, and a plain HTTP call to a service on one (the
// development register's admin endpoint, which kiosk-command queues commands on). One rule for
// what "loopback" means, the one every kiosk transfer uses (plain http only to loopback).
#pragma once
#include <chrono>
#include <string>

namespace net {

// This machine, by name or as an address: "localhost", 127.0.0.0/8, ::1 (bracketed or not).
// "127.evil.example" is a name, not loopback.
bool loopback_host(std::string host);

// http://HOST[:PORT][/...] with a loopback HOST, as curl reads the URL.
bool loopback_http_url(const std::string& url);

struct LoopbackAnswer {
    long http_status = 0;  // 0 when no HTTP answer came
    std::string body;      // at most 1 MiB
    std::string error;     // why no answer came; "" when one did
};

// POST json_body (application/json) to `url`, which must be loopback_http_url (else refused
// unsent), with the bounds every kiosk transfer has (no proxy, no redirect). Blocking.
LoopbackAnswer post_json_to_loopback(const std::string& url, const std::string& json_body,
                                     std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace net
