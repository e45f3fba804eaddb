// Fuzzes the service catalog on its three readings (there is no region file yet): the
// register's catalog file (register/catalog.cpp), the kiosk reading the register's
// services.json (net::parse_services) and the kiosk's offline cache (kiosk/delivery catalog).
// The input is the JSON. What the kiosk takes from the register and caches must read back the
// same, as the service screen shows the cache when the register is away.
#include "catalog.h"  // register/: the development register's catalog
#include "kiosk/catalog.h"
#include "net/open311.h"

#include "scratch.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <tuple>

namespace {

void require(bool ok, const char* what) {
    if (ok) return;
    std::fprintf(stderr, "catalog fuzz: broken promise: %s\n", what);
    std::abort();
}

bool same(const std::vector<net::Service>& a, const std::vector<net::Service>& b) {
    const auto fields = [](const net::Service& s) {
        return std::tie(s.code, s.name, s.name_kk, s.name_en, s.group, s.group_kk, s.group_en,
                        s.metadata, s.type);
    };
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (fields(a[i]) != fields(b[i])) return false;
    return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const fuzz::Scratch scratch;
    const auto text = fuzz::as_text(data, size);
    const auto file = scratch.write("state/services.json", text);

    try {
        const auto catalog = dev_register::load_catalog(file.string());
        require(!catalog.names.empty(), "the register took an empty catalog");
    } catch (const std::runtime_error&) {
        // Refused with the problem named: the register does not start.
    }

    kiosk::Config cfg;
    cfg.state_dir = file.parent_path();
    const auto cached = kiosk::load_catalog(cfg);  // the input as a cache file
    if (cached) {
        require(kiosk::save_catalog(cfg, *cached), "the cache cannot be written");
        const auto again = kiosk::load_catalog(cfg);
        require(again && same(again->services, cached->services) &&
                    again->definitions.size() == cached->definitions.size() &&
                    again->unreadable == cached->unreadable,
                "the cache does not read back");
    }

    const auto answer = net::parse_services(200, text);  // the input as the register's answer
    if (answer.ok) {
        require(kiosk::save_catalog(cfg, {answer.services, {}, {}}),
                "the catalog cannot be cached");
        const auto again = kiosk::load_catalog(cfg);
        require(again && same(again->services, answer.services),
                "the cached catalog does not read back");
    }
    return 0;
}
