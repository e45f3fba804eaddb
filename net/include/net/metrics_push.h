// net/metrics_push: the kiosk's /metrics exposition pushed to a Prometheus Pushgateway (behind
// a TLS proxy that requires the kiosk's client certificate), for kiosks behind NAT that no
// Prometheus can scrape. One HTTP PUT replaces everything the kiosk pushed before.
#pragma once
#include <chrono>
#include <filesystem>
#include <stop_token>
#include <string>
#include <string_view>

namespace net {

struct PushEndpoint {
    // The gateway's base: "https://metrics.example.kz:9443" (a path below it is kept). Plain
    // http:// only to a loopback address (development): anything else is refused unsent.
    std::string url;
    std::filesystem::path ca_file;                  // the only CA trusted for the gateway
    std::filesystem::path client_cert, client_key;  // the kiosk's identity ([register]'s)
    // The address the push leaves from: "" any; an IPv4 or IPv6 address of this machine
    // otherwise (the fleet simulator binds 127.0.x.y, one per simulated kiosk).
    std::string source_address;
    std::chrono::milliseconds connect_timeout{5000}, total_timeout{10000};
};

struct PushResult {
    bool ok = false;       // the gateway took it (2xx)
    long http_status = 0;  // 0 when no HTTP answer came
    std::string error;     // for logs: why not; never carries the exposition
};

// Pushgateway's answers are a line or two; anything longer is not one.
inline constexpr std::size_t kMaxPushAnswerBytes = 64 * 1024;

// PUT {url}/metrics/job/kiosk/kiosk/{kiosk_id} with the exposition as
// `text/plain; version=0.0.4`, over mutual TLS. kiosk_id: [kiosk] id's rule (common/ids.h:
// 1..32 of A-Z 0-9 '-', no '-' first or last; refused otherwise, unsent). Blocking (call off
// the UI thread); a stop request on `cancel` ends it within about a second. Safe to call from
// several threads at once.
PushResult push_metrics(const PushEndpoint& endpoint, std::string_view kiosk_id,
                        std::string_view exposition, std::stop_token cancel = {});

}  // namespace net
