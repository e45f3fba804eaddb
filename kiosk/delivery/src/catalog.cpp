#include "kiosk/catalog.h"

#include "kiosk/journal.h"

#include <common/atomic_file.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>

namespace kiosk {

using nlohmann::json;

// Section: fetching

CatalogResult fetch_catalog(const net::RegisterEndpoint& endpoint) {
    net::ServicesResult list = net::fetch_services(endpoint);
    if (!list.ok) return {false, {}, list.error, list.retry_after};
    CatalogResult out{true, {std::move(list.services), {}, {}}, "", {}};
    for (const auto& s : out.catalog.services) {
        if (!s.metadata) continue;
        net::DefinitionResult d = net::fetch_service_definition(endpoint, s.code);
        if (d.outcome == net::Outcome::Registered)
            out.catalog.definitions[s.code] = std::move(d.definition);
        else if (d.outcome == net::Outcome::Rejected)
            out.catalog.unreadable[s.code] = d.error;
        else
            return {false, {}, "services/" + s.code + ": " + d.error, d.retry_after};
    }
    return out;
}

// Section: what can be offered

namespace {

const std::string& in_language(std::string_view language, const std::string& ru,
                               const std::string& kk, const std::string& en) {
    if (language == "kk" && !kk.empty()) return kk;
    if (language == "en" && !en.empty()) return en;
    return ru;
}

}  // namespace

std::string service_name(const net::Service& s, std::string_view language) {
    return in_language(language, s.name, s.name_kk, s.name_en);
}

std::string provider_name(const net::Service& s, std::string_view language) {
    return in_language(language, s.group, s.group_kk, s.group_en);
}

std::string attribute_code(const Config& cfg, std::string_view name) {
    const auto mapped = cfg.attribute_codes.find(std::string(name));
    return mapped != cfg.attribute_codes.end() ? mapped->second : std::string(name);
}

const net::Service* service_of(const std::vector<net::Service>& services, std::string_view code) {
    const auto s = std::find_if(services.begin(), services.end(),
                                [&](const net::Service& s) { return s.code == code; });
    return s != services.end() ? &*s : nullptr;
}

const net::ServiceDefinition* definition_of(const ServiceCatalog& catalog,
                                            const std::string& service_code) {
    const auto d = catalog.definitions.find(service_code);
    return d != catalog.definitions.end() ? &d->second : nullptr;
}

std::string why_not_offered(const ServiceCatalog& catalog, const net::Service& service,
                            const Config& cfg) {
    if (!service.metadata) return "";
    if (const auto bad = catalog.unreadable.find(service.code); bad != catalog.unreadable.end())
        return "its definition (services/" + service.code + ") was refused: " + bad->second;
    const net::ServiceDefinition* d = definition_of(catalog, service.code);
    if (!d) return "its definition (services/" + service.code + ") has not been read";
    for (const auto& a : d->attributes) {
        if (!a.variable || !a.required) continue;
        const bool filled =
            std::any_of(std::begin(kComplaintAttributes), std::end(kComplaintAttributes),
                        [&](std::string_view name) { return attribute_code(cfg, name) == a.code; });
        if (!filled)
            return "the register requires attribute \"" + a.code +
                   "\", which the kiosk does not fill: map one of the kiosk's attributes to it "
                   "in [register.attributes]";
    }
    return "";
}

std::vector<net::Service> offered_services(const ServiceCatalog& catalog, const Config& cfg) {
    std::vector<net::Service> out;
    for (const auto& s : catalog.services)
        if (why_not_offered(catalog, s, cfg).empty()) out.push_back(s);
    return out;
}

// Section: the cache

namespace {

std::filesystem::path catalog_file(const Config& cfg) { return cfg.state_dir / "services.json"; }

// The text fields of net::Service, in one place for writing and reading.
constexpr std::pair<const char*, std::string net::Service::*> kFields[] = {
    {"service_code", &net::Service::code},
    {"service_name", &net::Service::name},
    {"service_name_kk", &net::Service::name_kk},
    {"service_name_en", &net::Service::name_en},
    {"group", &net::Service::group},
    {"group_kk", &net::Service::group_kk},
    {"group_en", &net::Service::group_en},
    {"type", &net::Service::type},
};

json to_json(const net::ServiceDefinition& d) {
    json attributes = json::array();
    for (const auto& a : d.attributes)
        attributes.push_back({{"code", a.code},
                              {"variable", a.variable},
                              {"required", a.required},
                              {"datatype", a.datatype},
                              {"description", a.description},
                              {"order", a.order},
                              {"values", a.values}});
    return {{"service_code", d.service_code}, {"attributes", attributes}};
}

// Throws json::exception for anything but what to_json wrote.
net::ServiceDefinition definition_from(const json& j) {
    net::ServiceDefinition d;
    d.service_code = j.at("service_code").get<std::string>();
    for (const auto& a : j.at("attributes"))
        d.attributes.push_back(
            {a.at("code").get<std::string>(), a.at("variable").get<bool>(),
             a.at("required").get<bool>(), a.at("datatype").get<std::string>(),
             a.at("description").get<std::string>(), a.at("order").get<int>(),
             a.at("values").get<std::vector<std::pair<std::string, std::string>>>()});
    return d;
}

}  // namespace

bool save_catalog(const Config& cfg, const ServiceCatalog& catalog) {
    json services = json::array(), definitions = json::object();
    for (const auto& s : catalog.services) {
        json o;
        for (const auto& [name, field] : kFields) o[name] = s.*field;
        o["metadata"] = s.metadata;
        services.push_back(std::move(o));
    }
    for (const auto& [code, d] : catalog.definitions) definitions[code] = to_json(d);
    const json file = {
        {"services", services}, {"definitions", definitions}, {"unreadable", catalog.unreadable}};
    const auto saved = common::write_file_atomically(catalog_file(cfg), file.dump());
    if (!saved.ok())
        log(Priority::Warning, "catalog", "service catalog cache: %s", saved.message.c_str());
    return saved.ok();
}

std::optional<ServiceCatalog> load_catalog(const Config& cfg) {
    std::ifstream in(catalog_file(cfg));
    if (!in) return std::nullopt;
    const auto file = json::parse(in, nullptr, false);
    // An older kiosk's cache (a bare list) is read again from the register.
    if (!file.is_object()) return std::nullopt;
    ServiceCatalog out;
    try {
        for (const auto& o : file.at("services")) {
            net::Service s;
            for (const auto& [name, field] : kFields) s.*field = o.at(name).get<std::string>();
            s.metadata = o.at("metadata").get<bool>();
            if (s.code.empty() || s.name.empty()) return std::nullopt;
            out.services.push_back(std::move(s));
        }
        for (const auto& [code, d] : file.at("definitions").items())
            out.definitions[code] = definition_from(d);
        out.unreadable = file.at("unreadable").get<std::map<std::string, std::string>>();
    } catch (const json::exception&) {
        return std::nullopt;  // damaged: the register's catalog is fetched again
    }
    return out;
}

}  // namespace kiosk
