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

// Every parser reads the body in `format` (XML is turned into the JSON answer's shape first,
// and then checked by the same rules; every XML scalar is text, so "true"/"false" and digits
// are read where the JSON has booleans and numbers). 2xx is read as below. A 4xx is Rejected except
// 408, 429 and a 400 that is the spec's "General Service Error" (its description names none of
// api_key, jurisdiction_id, service_code or an attribute): those, and any other status, are
// Unreachable. The error then carries the Open311 error's description, if clean.

// POST requests: [{"service_request_id": ...}] is Registered (a token beside it is ignored),
// [{"token": ...}] Pending, [{"service_notice": ...}] alone (a blackbox service) Delivered;
// an empty list or anything malformed is Unreachable with maybe_filed set, as is a 5xx.
SubmitResult parse_submit_answer(long http_status, std::string_view body,
                                 Format format = Format::Json);

// GET tokens/{token}: Registered once service_request_id is there, Pending while it is
// absent, null or empty; 404 (unknown token) is Rejected.
SubmitResult parse_token_answer(long http_status, std::string_view body,
                                Format format = Format::Json);

// GET requests/{id}: status "open" or "closed", optional text notes (CRLF read as LF),
// ISO 8601 datetimes with a zone; empty optional strings are absent; anything else is
// Unreachable (malformed).
StatusResult parse_status_answer(long http_status, std::string_view body,
                                 Format format = Format::Json);

// GET requests: a list of requests, each read as parse_status_answer reads one; entries with
// no valid id are left out, any other malformed entry makes the whole answer malformed (a
// description that is not clean text is only left empty: it is anyone's words). 400 and 501
// are Rejected whatever they say: the server cannot search so.
SearchResult parse_search_answer(long http_status, std::string_view body,
                                 Format format = Format::Json);

// GET services: a list of services, each with a code (string or number) and a name; an
// empty list is a valid catalog.
ServicesResult parse_services(long http_status, std::string_view body,
                              Format format = Format::Json);

// GET services/{code}: a service_code and a list of attributes, each with a code.
DefinitionResult parse_service_definition(long http_status, std::string_view body,
                                          Format format = Format::Json);

// POST kiosks/{id}/heartbeat.json: any 2xx with an empty body or a JSON object. Its optional
// "commands" list is read as far as it is well formed (HeartbeatResult::commands); a command
// that is not, or past the 16th, is only counted: the heartbeat is taken all the same.
HeartbeatResult parse_heartbeat_answer(long http_status, std::string_view body);

// POST kiosks/{id}/diagnostics/{command_id}.json: any 2xx.
UploadResult parse_upload_answer(long http_status, std::string_view body);

// Retry-After: delay-seconds or an HTTP-date; 0 when empty, past or unreadable; at most
// kMaxRetryAfter.
std::chrono::seconds parse_retry_after(std::string_view value,
                                       std::chrono::system_clock::time_point now);

}  // namespace net
