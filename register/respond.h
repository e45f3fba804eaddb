#pragma once
// Answers in the Open311 shapes, as JSON or as GeoReport v2 XML, and log-safe text; shared by
// the endpoints and the fault switches.

#include <string>
#include <string_view>

#include <httplib.h>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include "profile.h"

namespace dev_register {

using json = nlohmann::ordered_json;

inline constexpr const char* kJsonType = "application/json; charset=utf-8";
inline constexpr const char* kXmlType = "text/xml; charset=utf-8";

// One model for both formats. JSON: `body` as it is. XML: a root element named `root` holding
// `body`'s members, or for a list one element per item named by the list's singular
// (service_requests > request, services > service, errors > error, attributes > attribute,
// values > value); null is an empty element, true and false are text.
void send(httplib::Response& res, Format format, int status, std::string_view root,
          const json& body);

void send_json(httplib::Response& res, int status, const json& body);

// Open311 errors: [{"code": STATUS, "description": ...}] or <errors><error><code>.., with the
// same HTTP status.
void send_error(httplib::Response& res, Format format, int status, const std::string& description);

// The document after the spec's declaration; carriage returns as &#13; so that they survive a
// reader's line-end normalisation (CRLF in a description comes back as sent).
std::string xml_text(const pugi::xml_document& document);

bool is_xml(const httplib::Response& res);

// Thrown by a check; becomes an Open311 error answer.
struct Rejection {
    int status;
    std::string description;
};

[[noreturn]] inline void reject(int status, std::string description) {
    throw Rejection{status, std::move(description)};
}

// Control bytes escaped as \xNN, so a crafted URL or header cannot forge log lines.
std::string printable(const std::string& text);

}  // namespace dev_register
