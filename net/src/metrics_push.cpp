#include "net/metrics_push.h"

#include "net/register_client.h"

#include <arpa/inet.h>
#include <common/ids.h>
#include <common/printable.h>
#include <curl/curl.h>

#include <memory>

#include "curl_transfer.h"

namespace net {
namespace {

// An address, never an interface or host name: curl would otherwise try each in turn.
bool address_ok(const std::string& a) {
    unsigned char buf[sizeof(in6_addr)];
    return inet_pton(AF_INET, a.c_str(), buf) == 1 || inet_pton(AF_INET6, a.c_str(), buf) == 1;
}

// {url}/metrics/job/kiosk/kiosk/{id}, whether or not url ends in '/'.
std::string push_url(std::string base, std::string_view kiosk_id) {
    while (!base.empty() && base.back() == '/') base.pop_back();
    return base + "/metrics/job/kiosk/kiosk/" + escape(std::string(kiosk_id));
}

PushResult failed(std::string why) { return {false, 0, std::move(why)}; }

using Easy = std::unique_ptr<CURL, decltype(&curl_easy_cleanup)>;
using Headers = std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)>;

}  // namespace

PushResult push_metrics(const PushEndpoint& ep, std::string_view kiosk_id,
                        std::string_view exposition, std::stop_token cancel) {
    // The id goes into the gateway's path and its `kiosk` label; the proxy compares it with
    // the certificate's CN. Only what a kiosk id may be: nothing to escape or confuse.
    if (!common::kiosk_id_ok(kiosk_id))
        return failed("kiosk id must be 1..32 of A-Z 0-9 -, no '-' first or last");
    if (!ep.source_address.empty() && !address_ok(ep.source_address))
        return failed("source address must be an IP address of this machine");
    const std::string url = push_url(ep.url, kiosk_id);
    if (auto bad = detail::check_url(url, "push URL"); !bad.empty()) return failed(bad);
    if (cancel.stop_requested()) return failed("cancelled");
    // One handle per thread, as for the register: its connection cache keeps the TLS
    // connection between pushes (curl reuses one only for the same TLS settings and source).
    thread_local Easy easy(curl_easy_init(), curl_easy_cleanup);
    if (!easy) return failed("curl_easy_init failed");
    CURL* h = easy.get();
    curl_easy_reset(h);
    char errbuf[CURL_ERROR_SIZE] = "";
    detail::BoundedBody answer{kMaxPushAnswerBytes};
    detail::set_transfer_options(
        h, url,
        {ep.ca_file, ep.client_cert, ep.client_key, static_cast<long>(ep.connect_timeout.count()),
         static_cast<long>(ep.total_timeout.count()), &cancel},
        errbuf, answer);
    const std::string source = "host!" + ep.source_address;  // an address, not an interface
    if (!ep.source_address.empty()) curl_easy_setopt(h, CURLOPT_INTERFACE, source.c_str());

    Headers headers(nullptr, curl_slist_free_all);
    for (const char* line : {"Content-Type: text/plain; version=0.0.4", "Expect:"})
        headers.reset(curl_slist_append(headers.release(), line));
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
    // PUT: the push replaces every metric of the group (a POST would keep dropped series).
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "PUT");
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, exposition.data());  // not copied
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(exposition.size()));

    const CURLcode rc = curl_easy_perform(h);
    if (answer.too_large || rc == CURLE_FILESIZE_EXCEEDED)
        return failed("answer larger than " + std::to_string(kMaxPushAnswerBytes / 1024) + " KiB");
    if (rc == CURLE_ABORTED_BY_CALLBACK) return failed("cancelled");
    if (rc != CURLE_OK) return failed(detail::transfer_error(rc, errbuf, "the gateway's"));
    PushResult r;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r.http_status);
    r.ok = r.http_status >= 200 && r.http_status < 300;
    if (!r.ok) {
        // The gateway's own words (e.g. an inconsistent push), one bounded line for the log.
        const std::string said = common::printable(answer.text, 200, ' ');
        r.error = "HTTP " + std::to_string(r.http_status) + (said.empty() ? "" : ": " + said);
    }
    return r;
}

}  // namespace net
