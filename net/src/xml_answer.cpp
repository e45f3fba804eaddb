#include "xml_answer.h"

#include "common/utf8.h"
#include "net/open311.h"

#include <pugixml.hpp>

#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <utility>

namespace net {
namespace {

using json = nlohmann::json;

// Deeper than any answer of the spec (service_definition/attributes/attribute/values/value/
// key is 6), with room for a server's own nested fields; bounds the recursion below.
constexpr int kMaxDepth = 8;

struct List {
    std::string_view list, item;
};

constexpr std::array<List, 5> kLists = {{{"service_requests", "request"},
                                         {"services", "service"},
                                         {"errors", "error"},
                                         {"attributes", "attribute"},
                                         {"values", "value"}}};

constexpr std::array<std::string_view, 4> kRoots = {"service_requests", "services", "errors",
                                                    "service_definition"};

std::optional<std::string_view> item_of(std::string_view name) {
    for (const auto& l : kLists)
        if (l.list == name) return l.item;
    return std::nullopt;
}

// Section: refused before parsing

// The reference at body[at] ('&'): one of XML's five named entities or a character
// reference to a code point other than 0. pugixml would leave an undeclared entity (&e;) as
// literal text, and decode &#0; (or a number that wraps around to 0) into a NUL that silently
// ends the text; a conformant parser refuses both, and so does this.
bool good_reference(std::string_view body, std::size_t at) {
    const auto rest = body.substr(at + 1);
    for (std::string_view named : {"amp;", "lt;", "gt;", "quot;", "apos;"})
        if (rest.starts_with(named)) return true;
    if (!rest.starts_with('#')) return false;
    const bool hex = rest.size() > 1 && rest[1] == 'x';
    std::size_t i = hex ? 2 : 1;
    unsigned long value = 0;
    const std::size_t first = i;
    for (; i < rest.size(); ++i) {
        const char c = rest[i];
        int d = -1;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (hex && c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (hex && c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        if (d < 0) break;
        value = std::min(value * (hex ? 16 : 10) + d, 0x110000UL);  // saturates: no wrap
    }
    return i > first && i < rest.size() && rest[i] == ';' && value > 0 && value <= 0x10FFFF;
}

// Any reference that good_reference() refuses, outside the sections that hold none (CDATA,
// comments, processing instructions). An unclosed section is left to the parser to refuse.
bool bad_reference(std::string_view body) {
    static constexpr std::pair<std::string_view, std::string_view> kLiteral[] = {
        {"<![CDATA[", "]]>"}, {"<!--", "-->"}, {"<?", "?>"}};
    std::size_t i = 0;
    while ((i = body.find_first_of("&<", i)) != std::string_view::npos) {
        if (body[i] == '&') {
            if (!good_reference(body, i)) return true;
            ++i;
            continue;
        }
        std::size_t next = i + 1;
        for (const auto& [open, close] : kLiteral) {
            if (!body.substr(i).starts_with(open)) continue;
            const auto end = body.find(close, i + open.size());
            if (end == std::string_view::npos) return false;
            next = end + close.size();
            break;
        }
        i = next;
    }
    return false;
}

// Section: conversion

std::string_view trimmed(std::string_view s) {
    const auto first = s.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return {};
    return s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1);
}

bool is_text(const pugi::xml_node& n) {
    return n.type() == pugi::node_pcdata || n.type() == pugi::node_cdata;
}

// Any element: a list, an object or a text; nullopt when it breaks a rule of xml_answer().
std::optional<json> convert(const pugi::xml_node& node, int depth) {
    if (depth > kMaxDepth || !common::is_utf8(node.name())) return std::nullopt;
    bool has_elements = false, has_text = false;
    for (const auto& child : node.children()) {
        has_elements |= child.type() == pugi::node_element;
        has_text |= is_text(child);
    }
    const auto item = item_of(node.name());
    if (item || has_elements) {
        if (has_text) return std::nullopt;  // mixed content: no answer of the spec has it
        json out = item ? json::array() : json::object();
        for (const auto& child : node.children()) {
            if (child.type() != pugi::node_element) continue;
            auto value = convert(child, depth + 1);
            if (!value) return std::nullopt;
            if (item) {
                if (*item != child.name()) return std::nullopt;
                out.push_back(std::move(*value));
            } else if (!out.emplace(child.name(), std::move(*value)).second) {
                return std::nullopt;  // a field twice: which one is meant is not ours to guess
            }
        }
        return out;
    }
    std::string text;
    for (const auto& child : node.children())
        if (is_text(child)) text += child.value();
    const auto value = trimmed(text);
    if (!common::is_utf8(value)) return std::nullopt;
    return json(std::string(value));
}

}  // namespace

json xml_answer(std::string_view body) {
    const json refused(json::value_t::discarded);
    if (body.size() > kMaxAnswerBytes || body.find('\0') != std::string_view::npos ||
        bad_reference(body))
        return refused;
    pugi::xml_document doc;
    // UTF-8 only, whatever the declaration says. Doctype nodes, and text outside the root
    // (a fragment's), are kept so that they can be seen and refused; pugixml never reads a
    // DTD nor expands an entity either way.
    const auto parsed = doc.load_buffer(
        body.data(), body.size(), pugi::parse_default | pugi::parse_doctype | pugi::parse_fragment,
        pugi::encoding_utf8);
    if (!parsed) return refused;
    pugi::xml_node root;
    for (const auto& node : doc.children()) {
        if (node.type() == pugi::node_doctype) return refused;
        if (is_text(node)) return refused;
        if (node.type() != pugi::node_element) continue;
        if (root) return refused;  // a second root element
        root = node;
    }
    if (!root || std::find(kRoots.begin(), kRoots.end(), root.name()) == kRoots.end())
        return refused;
    auto out = convert(root, 1);
    return out ? std::move(*out) : refused;
}

}  // namespace net
