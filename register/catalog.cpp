#include "catalog.h"

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string_view>

namespace dev_register {

namespace {

[[noreturn]] void fail(const std::string& path, const std::string& problem) {
    throw std::runtime_error(path + ": " + problem);
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) fail(path, "cannot be read");
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// Section: what XML can carry (the catalog is also served as XML)

bool is_xml_name(std::string_view name) {
    const auto letter = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    };
    if (name.empty() || !letter(name[0])) return false;
    for (const char c : name)
        if (!letter(c) && !(c >= '0' && c <= '9') && c != '-' && c != '.') return false;
    return true;
}

// Section: one service

struct Reader {
    const std::string& path;
    std::size_t index;

    [[noreturn]] void fail(const std::string& problem) const {
        dev_register::fail(path, "service #" + std::to_string(index + 1) + ": " + problem);
    }

    const std::string& required_string(const json& service, const char* key) const {
        const auto it = service.find(key);
        if (it == service.end() || !it->is_string() || it->get_ref<const std::string&>().empty())
            fail(std::string("\"") + key + "\" is missing or not a non-empty string");
        return it->get_ref<const std::string&>();
    }

    // A non-empty string, or a whole number from 0 (the spec's JSON example: "service_code": 1).
    std::string code_text(const json& service) const {
        const auto it = service.find("service_code");
        if (it != service.end() && it->is_number_unsigned()) return it->dump();
        if (it == service.end() || !it->is_string() || it->get_ref<const std::string&>().empty())
            fail("\"service_code\" is missing or not a non-empty string or a whole number");
        return it->get_ref<const std::string&>();
    }

    void check_members(const json& service) const {
        for (const auto& [key, value] : service.items()) {
            if (!is_xml_name(key))
                fail("\"" + key + "\" is not a usable key (letters, digits, _-.)");
            if (value.is_object() || value.is_array()) fail("\"" + key + "\" is not a plain value");
            if (value.is_string() && !is_xml_text(value.get_ref<const std::string&>()))
                fail("\"" + key + "\" holds control characters");
        }
    }

    bool metadata(const json& service) const {
        const auto it = service.find("metadata");
        if (it == service.end()) return false;
        if (!it->is_boolean()) fail("\"metadata\" is not true or false");
        return it->get<bool>();
    }

    Answer answer(const json& service) const {
        static const std::pair<std::string_view, Answer> kTypes[] = {
            {"realtime", Answer::Id}, {"batch", Answer::Token}, {"blackbox", Answer::Notice}};
        static const std::pair<std::string_view, Answer> kAnswers[] = {
            {"id", Answer::Id},
            {"token", Answer::Token},
            {"id+token", Answer::IdAndToken},
            {"notice", Answer::Notice}};
        Answer answer = Answer::Id;
        if (service.contains("type")) answer = pick(service, "type", kTypes);
        if (service.contains(kAnswerKey)) answer = pick(service, kAnswerKey, kAnswers);
        return answer;
    }

    template <std::size_t N>
    Answer pick(const json& service, const char* key,
                const std::pair<std::string_view, Answer> (&choices)[N]) const {
        const auto& value = service.at(key);
        std::string allowed;
        for (const auto& [name, answer] : choices) {
            if (value.is_string() && value.get_ref<const std::string&>() == name) return answer;
            allowed += (allowed.empty() ? "" : ", ") + std::string(name);
        }
        fail(std::string("\"") + key + "\" is not one of " + allowed);
    }
};

}  // namespace

bool is_xml_text(std::string_view text) {
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto byte = static_cast<unsigned char>(text[i]);
        if (byte < 0x20 && byte != '\t' && byte != '\n' && byte != '\r') return false;
        const auto three = text.substr(i, 3);
        if (three == "\xEF\xBF\xBE" || three == "\xEF\xBF\xBF") return false;
    }
    return true;
}

Catalog load_catalog(const std::string& path) {
    const auto services = json::parse(read_file(path), nullptr, false);
    if (services.is_discarded()) fail(path, "not valid JSON");
    if (!services.is_array() || services.empty())
        fail(path, "expected a non-empty JSON array of services");
    Catalog catalog{json::array(), {}, {}, {}};
    for (std::size_t i = 0; i < services.size(); ++i) {
        const Reader reader{path, i};
        const auto& service = services[i];
        if (!service.is_object()) reader.fail("not an object");
        reader.check_members(service);
        const auto code = reader.code_text(service);
        const auto& name = reader.required_string(service, "service_name");
        if (!catalog.names.emplace(code, name).second)
            fail(path, "service_code \"" + code + "\" is listed twice");
        catalog.services[code] = {
            service.at("service_code"), reader.answer(service), reader.metadata(service), {}};
        auto served = service;
        served.erase(kAnswerKey);
        catalog.list.push_back(std::move(served));
    }
    catalog.json_text = catalog.list.dump();
    return catalog;
}

}  // namespace dev_register
