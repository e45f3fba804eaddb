#include "respond.h"

#include <cstdio>
#include <stdexcept>

namespace dev_register {

// Section: XML

namespace {

const char* singular(std::string_view list) {
    static const std::pair<std::string_view, const char*> kItems[] = {
        {"service_requests", "request"},
        {"services", "service"},
        {"errors", "error"},
        {"attributes", "attribute"},
        {"values", "value"}};
    for (const auto& [plural, item] : kItems)
        if (plural == list) return item;
    throw std::logic_error("no XML item name for the list \"" + std::string(list) + "\"");
}

void append_value(pugi::xml_node element, std::string_view name, const json& value) {
    if (value.is_object()) {
        for (const auto& [key, member] : value.items())
            append_value(element.append_child(key.c_str()), key, member);
    } else if (value.is_array()) {
        const char* item = singular(name);
        for (const auto& entry : value) append_value(element.append_child(item), item, entry);
    } else if (value.is_string()) {
        element.text().set(value.get_ref<const std::string&>().c_str());
    } else if (value.is_boolean()) {
        element.text().set(value.get<bool>() ? "true" : "false");
    } else if (value.is_number()) {
        element.text().set(value.dump().c_str());
    }  // null: the element stays empty
}

// pugixml writes a carriage return as it is; a reader would turn CRLF into LF.
struct CarriageReturnEscaper : pugi::xml_writer {
    std::string text;
    void write(const void* data, std::size_t size) override {
        const std::string_view chunk(static_cast<const char*>(data), size);
        for (const char c : chunk) {
            if (c == '\r')
                text += "&#13;";
            else
                text += c;
        }
    }
};

}  // namespace

std::string xml_text(const pugi::xml_document& document) {
    CarriageReturnEscaper writer;
    // One declaration, the spec's, also for documents read back without theirs.
    writer.text = R"(<?xml version="1.0" encoding="utf-8"?>)";
    document.save(writer, "", pugi::format_raw | pugi::format_no_declaration, pugi::encoding_utf8);
    return writer.text;
}

bool is_xml(const httplib::Response& res) {
    return res.get_header_value("Content-Type").starts_with("text/xml");
}

// Section: answers

void send(httplib::Response& res, Format format, int status, std::string_view root,
          const json& body) {
    if (format == Format::Json) return send_json(res, status, body);
    pugi::xml_document document;
    const std::string root_name(root);
    append_value(document.append_child(root_name.c_str()), root, body);
    res.status = status;
    res.set_content(xml_text(document), kXmlType);
}

void send_json(httplib::Response& res, int status, const json& body) {
    res.status = status;
    // Everything sent was checked to be UTF-8; replacing keeps a slip from becoming a crash.
    res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), kJsonType);
}

void send_error(httplib::Response& res, Format format, int status, const std::string& description) {
    send(res, format, status, "errors",
         json::array({json{{"code", status}, {"description", description}}}));
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
