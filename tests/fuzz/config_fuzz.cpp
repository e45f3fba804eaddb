// Fuzzes the configuration file (kiosk/base config): the input is kiosk.toml, in a scratch
// folder laid out as kiosk/kiosk.dev.toml expects (../run/certs, ../assets), so that a valid
// file gets through every check. The input is also read as a management address.
#include "kiosk/config.h"

#include "scratch.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace {

void require(bool ok, const char* what) {
    if (ok) return;
    std::fprintf(stderr, "config fuzz: broken promise: %s\n", what);
    std::abort();
}

const fuzz::Scratch& scratch() {
    static const fuzz::Scratch s;
    static const bool laid_out = [] {
        for (const char* file : {"run/certs/ca.crt", "run/certs/client.crt", "run/certs/client.key",
                                 "assets/i18n/kk.po", "assets/emblem/emblem.png"})
            s.write(file, "");
        // The kiosk takes only a private client key.
        std::filesystem::permissions(
            s.root() / "run/certs/client.key",
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
            std::filesystem::perm_options::replace);
        return true;
    }();
    (void)laid_out;
    return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const auto text = fuzz::as_text(data, size);
    const auto file = scratch().write("kiosk/kiosk.toml", text);
    try {
        const kiosk::Config c = kiosk::load_config(file);
        require(!c.kiosk_id.empty() && !c.register_url.empty() && c.register_url.back() == '/',
                "a configuration without its required values");
        require(c.retry_first_s > 0 && c.pin_lockout_first_s <= c.pin_lockout_max_s,
                "a number outside its range");
    } catch (const kiosk::ConfigError&) {
        // Refused with the key named: what a bad file must get.
    }
    if (const auto address = kiosk::parse_listen_address(text))
        require(address->port >= 0 && address->port <= 65535, "a port outside 0..65535");
    return 0;
}
