#pragma once
// Fault switches: the development register misbehaves on purpose, per run (--fault SPEC,
// repeatable) or per request (header X-Register-Fault: SPEC, only with --allow-fault-header),
// so that kiosks can be tested against the ways a register or a network fails.
//
// SPEC is a comma-separated list of:
//   delay=MS              wait MS (0..60000) ms before handling; alone or with one of:
//   status=CODE           answer CODE (400..599) with an Open311 error; nothing is stored
//     description=TEXT    ... saying TEXT ('+' a space, %XX a byte, %2C a comma; in the
//                         header, which httplib %-decodes first, %252C), e.g. the spec's
//                         400 General+service+error; default: "fault injected by ..."
//     retry-after=S       ... and Retry-After: S (0..86400 seconds)
//     retry-after-date=S  ... and Retry-After as the HTTP-date S seconds from now
//   reset                 handle the request (a complaint is stored), send half the answer,
//                         then reset the TCP connection
//   malformed-json        handle it, send the first half of the answer only (JSON or XML)
//   missing-id            handle it, drop service_request_id from the answer
//   oversized             handle it, pad the answer with spaces to 2 MiB, chunked
//     length              ... sent with its Content-Length instead
//   token                 POST requests only: store, answer a token instead of the id
//     polls=N             ... that GET tokens/{token} answers "not yet" N times first
//   count=N               only the next N matching requests (1..1000000); default: all
//   path=PREFIX           only requests whose path without its leading '/' starts with PREFIX
// Run faults are tried in the order given; the first that matches applies. A request with the
// header (when allowed) gets the header's fault only. Answers keep the format asked for.

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <httplib.h>

#include "profile.h"
#include "store.h"

namespace dev_register {

enum class FaultKind { None, Status, Reset, MalformedJson, MissingId, Oversized, Token };

struct Fault {
    std::string spec;  // as given: what the log line names
    std::chrono::milliseconds delay{0};
    FaultKind kind = FaultKind::None;  // None: a delay only
    int status = 0;                    // Status
    std::string description;           // Status: empty for the default
    std::optional<int> retry_after;    // Status: seconds
    bool retry_after_as_date = false;
    bool declared_length = false;  // Oversized: with Content-Length
    int polls = 0;                 // Token
    std::optional<int> count;      // matching requests left; none: no limit
    std::string path;              // prefix, without the leading '/'
};

// Throws std::invalid_argument naming what is wrong with the spec.
Fault parse_fault(const std::string& spec);

class FaultInjector {
public:
    // Tokens issued by the `token` fault are kept in the store; errors are in the format the
    // profile answers the path in.
    FaultInjector(std::vector<Fault> run_faults, bool allow_header, RequestStore& store,
                  const Profile& profile);
    FaultInjector(const FaultInjector&) = delete;
    FaultInjector& operator=(const FaultInjector&) = delete;

    // The endpoint's handler with this register's faults applied around it.
    httplib::Server::Handler wrap(httplib::Server::Handler handler);

private:
    std::optional<Fault> take(const httplib::Request& req);
    void answer_status(const Fault& fault, const httplib::Request& req, httplib::Response& res);
    void answer_with_token(httplib::Response& res, int polls);

    std::mutex mutex_;  // guards the counts of run_faults_
    std::vector<Fault> run_faults_;
    bool allow_header_;
    RequestStore& store_;
    const Profile& profile_;
};

}  // namespace dev_register
