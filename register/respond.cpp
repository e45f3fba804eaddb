#include "respond.h"

#include <cstdio>

namespace dev_register {

void send_json(httplib::Response& res, int status, const json& body) {
    res.status = status;
    // Everything sent was checked to be UTF-8; replacing keeps a slip from becoming a crash.
    res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), kJsonType);
}

void send_error(httplib::Response& res, int status, const std::string& description) {
    send_json(res, status, json::array({json{{"code", status}, {"description", description}}}));
}

std::string printable(const std::string& text) {
    std::string out;
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte >= 0x20 && byte != 0x7F) {
            out += c;
        } else {
            char escaped[5];
            std::snprintf(escaped, sizeof escaped, "\\x%02X", byte);
            out += escaped;
        }
    }
    return out;
}

}  // namespace dev_register
