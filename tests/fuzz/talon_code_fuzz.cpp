// Fuzzes what comes to `kiosk-talon verify` from outside (kiosk/delivery talon_code): a scanned
// QR address, a typed code, the fleet's key file. Whatever comes, it answers and never crashes;
// an address it reads back makes the same address again.
#include "kiosk/talon_code.h"

#include "scratch.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>

namespace {

void require(bool ok, const char* what) {
    if (ok) return;
    std::fprintf(stderr, "talon code fuzz: broken promise: %s\n", what);
    std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const fuzz::Scratch scratch;
    const std::string input(fuzz::as_text(data, size));
    kiosk::FleetKeys fleet;
    try {
        fleet = kiosk::load_fleet_keys(scratch.write("talon-keys.toml", input));
    } catch (const std::runtime_error&) {
        // Refused with the file, line and key named.
    }
    if (const auto scanned = kiosk::parse_talon_url(input)) {
        kiosk::TalonFacts f = scanned->facts;
        f.applicant = "Әбілқасымова А. Қ.";
        require(kiosk::verify_talon(f, scanned->code, fleet) != kiosk::TalonVerdict::Malformed,
                "an address read back does not hold a checkable talon");
        const auto again = kiosk::parse_talon_url(
            kiosk::talon_url("https://talon.example.kz/s/{}", f, scanned->code));
        require(again && again->facts.number == f.number && again->code == scanned->code,
                "an address made from what was read does not read back the same");
    }
    // The input as a typed code, against a fixed talon.
    const kiosk::TalonFacts printed{"ЖТ-2026-00000742", "03.12.2026 10:15", "KSK-AKM-001",
                                    "provider_head", "Әбілқасымова А. Қ."};
    kiosk::verify_talon(printed, input, fleet);
    return 0;
}
