#include "definitions.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string_view>

namespace dev_register {

namespace {

constexpr std::size_t kMaxCodeBytes = 64;

[[noreturn]] void fail(const std::string& where, const std::string& problem) {
    throw std::runtime_error(where + ": " + problem);
}

json read_json(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) fail(path, "cannot be read");
    std::ostringstream text;
    text << in.rdbuf();
    auto parsed = json::parse(text.str(), nullptr, false);
    if (parsed.is_discarded()) fail(path, "not valid JSON");
    return parsed;
}

bool is_attribute_code(std::string_view code) {
    return !code.empty() && code.size() <= kMaxCodeBytes &&
           std::all_of(code.begin(), code.end(), [](char c) {
               return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '_' || c == '-' || c == '.';
           });
}

// Section: one attribute

struct AttributeReader {
    std::string where;  // file, group and attribute, for messages
    const json& object;

    [[noreturn]] void fail(const std::string& problem) const { dev_register::fail(where, problem); }

    std::string text(const char* key, bool required) const {
        const auto it = object.find(key);
        if (it == object.end() && !required) return {};
        if (it == object.end() || !it->is_string() ||
            (required && it->get_ref<const std::string&>().empty()) ||
            !is_xml_text(it->get_ref<const std::string&>()))
            fail(std::string("\"") + key + "\" is missing or not text");
        return it->get<std::string>();
    }

    bool flag(const char* key, bool fallback) const {
        const auto it = object.find(key);
        if (it == object.end()) return fallback;
        if (!it->is_boolean()) fail(std::string("\"") + key + "\" is not true or false");
        return it->get<bool>();
    }

    std::vector<std::pair<std::string, std::string>> values(bool list) const {
        const auto it = object.find("values");
        if (!list) {
            if (it != object.end()) fail("\"values\" are for singlevaluelist and multivaluelist");
            return {};
        }
        if (it == object.end() || !it->is_array() || it->empty())
            fail("a list datatype needs a non-empty \"values\" array");
        std::vector<std::pair<std::string, std::string>> out;
        std::set<std::string> keys;
        for (const auto& value : *it) {
            if (!value.is_object() || value.size() != 2) fail("each value is {\"key\", \"name\"}");
            const AttributeReader item{where + ": value #" + std::to_string(out.size() + 1), value};
            auto key = item.text("key", true);
            if (!keys.insert(key).second) fail("value key \"" + key + "\" is listed twice");
            out.emplace_back(std::move(key), item.text("name", true));
        }
        return out;
    }

    AttributeDefinition read() const {
        static const std::set<std::string_view> kKeys = {
            "variable",    "code",  "datatype", "required", "datatype_description",
            "description", "values"};
        static const std::set<std::string_view> kDatatypes = {
            "string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"};
        if (!object.is_object()) fail("not an object");
        for (const auto& [key, value] : object.items())
            if (!kKeys.contains(key))
                fail("\"" + key + "\" is not an attribute key (the order is the list's own)");
        AttributeDefinition attribute;
        attribute.code = text("code", true);
        if (!is_attribute_code(attribute.code))
            fail("\"code\" must be 1 to 64 letters, digits, _ - or .");
        attribute.datatype = text("datatype", true);
        if (!kDatatypes.contains(attribute.datatype))
            fail(
                "\"datatype\" is not one of string, number, datetime, text, singlevaluelist, "
                "multivaluelist");
        attribute.variable = flag("variable", true);
        attribute.required = flag("required", false);
        attribute.description = text("description", true);
        attribute.datatype_description = text("datatype_description", false);
        attribute.values = values(is_list_datatype(attribute.datatype));
        return attribute;
    }
};

// Section: groups

std::string code_text(const json& code) {
    if (code.is_number_unsigned()) return code.dump();
    return code.is_string() ? code.get<std::string>() : std::string();
}

std::vector<AttributeDefinition> read_attributes(const std::string& where, const json& group) {
    const auto it = group.find("attributes");
    if (it == group.end() || !it->is_array() || it->empty())
        fail(where, "\"attributes\" is missing or not a non-empty array");
    std::vector<AttributeDefinition> attributes;
    std::set<std::string> codes;
    for (const auto& object : *it) {
        const AttributeReader reader{
            where + ": attribute #" + std::to_string(attributes.size() + 1), object};
        auto attribute = reader.read();
        if (!codes.insert(attribute.code).second)
            reader.fail("code \"" + attribute.code + "\" is listed twice");
        attributes.push_back(std::move(attribute));
    }
    return attributes;
}

void read_group(const std::string& where, const json& group, Catalog& catalog,
                std::set<std::string>& defined) {
    if (!group.is_object() || group.size() != 2)
        fail(where, "expected {\"service_codes\": [...], \"attributes\": [...]}");
    const auto attributes = read_attributes(where, group);
    const auto codes = group.find("service_codes");
    if (codes == group.end() || !codes->is_array() || codes->empty())
        fail(where, "\"service_codes\" is missing or not a non-empty array");
    for (const auto& code : *codes) {
        const auto text = code_text(code);
        const auto service = catalog.services.find(text);
        if (service == catalog.services.end())
            fail(where, "service_code " + code.dump() + " is not in the catalog");
        if (!service->second.metadata)
            fail(where, "service_code " + code.dump() + " has metadata false in the catalog");
        if (!defined.insert(text).second)
            fail(where, "service_code " + code.dump() + " is defined twice");
        service->second.attributes = attributes;
    }
}

}  // namespace

bool is_list_datatype(const std::string& datatype) {
    return datatype == "singlevaluelist" || datatype == "multivaluelist";
}

void load_definitions(const std::string& path, Catalog& catalog) {
    std::set<std::string> defined;
    if (!path.empty()) {
        const auto groups = read_json(path);
        if (!groups.is_array()) fail(path, "expected a JSON array of definition groups");
        for (std::size_t i = 0; i < groups.size(); ++i)
            read_group(path + ": group #" + std::to_string(i + 1), groups[i], catalog, defined);
    }
    for (const auto& [code, service] : catalog.services)
        if (service.metadata && !defined.contains(code))
            fail(path.empty() ? std::string("--definitions") : path,
                 "service_code \"" + code + "\" has metadata true but no definition");
}

}  // namespace dev_register
