// An operator for tests: an Ed25519 key pair (libsodium) that signs remote commands as
// kiosk-command does, over the payload's exact bytes. Header only.
#pragma once
#include "kiosk/command_report.h"
#include "kiosk/config.h"

#include <net/register_client.h>

#include <nlohmann/json.hpp>
#include <sodium.h>

#include <chrono>
#include <cstring>
#include <stdexcept>
#include <string>

namespace testsupport {

inline std::string base64(const unsigned char* bytes, std::size_t n) {
    std::string out(sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL), '\0');
    sodium_bin2base64(out.data(), out.size(), bytes, n, sodium_base64_VARIANT_ORIGINAL);
    out.resize(std::strlen(out.c_str()));
    return out;
}

struct Operator {
    kiosk::OperatorKey public_key{};
    unsigned char secret[crypto_sign_SECRETKEYBYTES]{};
    Operator() {
        if (sodium_init() < 0) throw std::runtime_error("sodium_init");
        crypto_sign_keypair(public_key.data(), secret);
    }
    net::SignedCommand sign(const std::string& payload) const {
        unsigned char sig[crypto_sign_BYTES];
        crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(payload.data()),
                             payload.size(), secret);
        return {payload, base64(sig, sizeof sig)};
    }
    net::SignedCommand sign(const nlohmann::json& payload) const { return sign(payload.dump()); }
};

// A command's payload as kiosk-command writes it: issued a minute before `now`, expiring an
// hour after.
inline nlohmann::json command_payload(const std::string& kiosk, const std::string& id,
                                      const std::string& name, kiosk::WallClock::time_point now) {
    using namespace std::chrono_literals;
    return {{"v", 1},
            {"id", id},
            {"kiosk", kiosk},
            {"name", name},
            {"issued_at", kiosk::utc_iso(now - 1min)},
            {"expires_at", kiosk::utc_iso(now + 1h)}};
}

}  // namespace testsupport
