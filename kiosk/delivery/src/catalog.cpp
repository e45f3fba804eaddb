#include "kiosk/catalog.h"

#include "kiosk/journal.h"

#include <common/atomic_file.h>
#include <nlohmann/json.hpp>

#include <fstream>

namespace kiosk {
namespace {

std::filesystem::path catalog_file(const Config& cfg) { return cfg.state_dir / "services.json"; }

// The fields of net::Service, in one place for writing and reading.
constexpr std::pair<const char*, std::string net::Service::*> kFields[] = {
    {"service_code", &net::Service::code},
    {"service_name", &net::Service::name},
    {"service_name_kk", &net::Service::name_kk},
    {"service_name_en", &net::Service::name_en},
    {"group", &net::Service::group},
    {"group_kk", &net::Service::group_kk},
    {"group_en", &net::Service::group_en},
};

}  // namespace

bool save_catalog(const Config& cfg, const std::vector<net::Service>& services) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& s : services) {
        nlohmann::json o;
        for (const auto& [name, field] : kFields) o[name] = s.*field;
        list.push_back(std::move(o));
    }
    const auto saved = common::write_file_atomically(catalog_file(cfg), list.dump());
    if (!saved.ok())
        log(Priority::Warning, "catalog", "service catalog cache: %s", saved.message.c_str());
    return saved.ok();
}

std::optional<std::vector<net::Service>> load_catalog(const Config& cfg) {
    std::ifstream in(catalog_file(cfg));
    if (!in) return std::nullopt;
    const auto list = nlohmann::json::parse(in, nullptr, false);
    if (!list.is_array() || list.empty()) return std::nullopt;
    std::vector<net::Service> out;
    for (const auto& o : list) {
        if (!o.is_object()) return std::nullopt;
        net::Service s;
        for (const auto& [name, field] : kFields) {
            if (!o.contains(name) || !o[name].is_string()) return std::nullopt;
            s.*field = o[name].get<std::string>();
        }
        if (s.code.empty() || s.name.empty()) return std::nullopt;
        out.push_back(std::move(s));
    }
    return out;
}

}  // namespace kiosk
