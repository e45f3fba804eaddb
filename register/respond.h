#pragma once
// Answers in the Open311 shape and log-safe text, shared by the endpoints and the fault
// switches.

#include <string>

#include <httplib.h>
#include <nlohmann/json.hpp>

namespace dev_register {

using json = nlohmann::ordered_json;

inline constexpr const char* kJsonType = "application/json; charset=utf-8";

void send_json(httplib::Response& res, int status, const json& body);

// Open311 errors: [{"code": STATUS, "description": ...}] with the same HTTP status.
void send_error(httplib::Response& res, int status, const std::string& description);

// Control bytes escaped as \xNN, so a crafted URL or header cannot forge log lines.
std::string printable(const std::string& text);

}  // namespace dev_register
