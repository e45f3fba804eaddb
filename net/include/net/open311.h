// net/open311: reading the register's answers. Pure functions of (HTTP status, body), no
// network, so every malformed answer can be tried from a table. Nothing in a body is trusted:
// shape, types, sizes and characters are checked before a value is taken, and only a valid
// id ever makes an answer Registered.
#pragma once
#include "net/register_client.h"

#include <chrono>
#include <cstddef>
#include <string_view>

namespace net {

inline constexpr std::size_t kMaxAnswerBytes = 1 << 20;  // larger answers are refused unread
inline constexpr std::size_t kMaxIdBytes = 64;           // registration numbers: opaque, bounded
inline constexpr std::size_t kMaxTokenBytes = 128;
inline constexpr std::chrono::seconds kMaxRetryAfter{3600};

// Every parser: 2xx is read as below; a 4xx other than 408 and 429 is Rejected; any other
// status is Unreachable; the error then carries the Open311 error's description, if clean.

// POST requests.json: [{"service_request_id": ...}] is Registered, [{"token": ...}] Pending;
// both, neither, or anything malformed is Unreachable.
SubmitResult parse_submit_answer(long http_status, std::string_view body);

// GET tokens/{token}.json: Registered once service_request_id is there, Pending while it is
// absent or null; 404 (unknown token) is Rejected.
SubmitResult parse_token_answer(long http_status, std::string_view body);

// GET requests/{id}.json: status "open" or "closed", optional text notes, ISO 8601 datetimes
// with a zone; anything else is Unreachable (malformed).
StatusResult parse_status_answer(long http_status, std::string_view body);

// GET services.json: a list of services, each with a code and a name.
ServicesResult parse_services(long http_status, std::string_view body);

// POST kiosks/{id}/heartbeat.json: any 2xx with an empty body or a JSON object.
HeartbeatResult parse_heartbeat_answer(long http_status, std::string_view body);

// Retry-After: delay-seconds or an HTTP-date; 0 when empty, past or unreadable; at most
// kMaxRetryAfter.
std::chrono::seconds parse_retry_after(std::string_view value,
                                       std::chrono::system_clock::time_point now);

}  // namespace net
