#include "catalog.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

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

const std::string& required_string(const std::string& path, const nlohmann::json& service,
                                   const char* key, std::size_t index) {
    const auto it = service.find(key);
    if (it == service.end() || !it->is_string() || it->get_ref<const std::string&>().empty())
        fail(path, "service #" + std::to_string(index + 1) + ": \"" + key +
                       "\" is missing or not a non-empty string");
    return it->get_ref<const std::string&>();
}

}  // namespace

Catalog load_catalog(const std::string& path) {
    Catalog catalog{read_file(path), {}};
    const auto services = nlohmann::json::parse(catalog.json_text, nullptr, false);
    if (services.is_discarded()) fail(path, "not valid JSON");
    if (!services.is_array() || services.empty())
        fail(path, "expected a non-empty JSON array of services");
    for (std::size_t i = 0; i < services.size(); ++i) {
        if (!services[i].is_object())
            fail(path, "service #" + std::to_string(i + 1) + " is not an object");
        const auto& code = required_string(path, services[i], "service_code", i);
        const auto& name = required_string(path, services[i], "service_name", i);
        if (!catalog.names.emplace(code, name).second)
            fail(path, "service_code \"" + code + "\" is listed twice");
    }
    return catalog;
}

}  // namespace dev_register
