#pragma once
// The Open311 request a kiosk makes of sample_complaint(), and the endpoint of a development
// register, for tests of the outbox and delivery. Needs KIOSK_ASSETS_DIR (the translations
// label what goes into the description).

#include "dev_register.h"
#include "kiosk_config.h"
#include "sample_complaint.h"

#include "kiosk/i18n.h"
#include "kiosk/submission.h"

#include <filesystem>

inline const kiosk::Translations& kiosk_words() {
    static const kiosk::Translations tr =
        kiosk::load_translations(std::filesystem::path(KIOSK_ASSETS_DIR) / "i18n");
    return tr;
}

inline const kiosk::Procedure& kiosk_procedure() {
    static const kiosk::Procedure p =
        kiosk::load_procedure(kiosk::procedure_file(KIOSK_ASSETS_DIR, "akmola"), kiosk_words());
    return p;
}

// With no definition every attribute goes into the description, as to a service without
// metadata.
inline net::ServiceRequest sample_request(const kiosk::Config& cfg, std::string key,
                                          const net::ServiceDefinition* definition = nullptr,
                                          const kiosk::Complaint& c = sample_complaint()) {
    return kiosk::to_service_request(c, cfg, kiosk_words(), kiosk_procedure(), "kk",
                                     kiosk::WallClock::now(), std::move(key), definition);
}

inline net::RegisterEndpoint endpoint_of(const DevRegister& reg, long connect_ms = 2000,
                                         long total_ms = 5000) {
    net::RegisterEndpoint ep = kiosk::register_endpoint(testsupport::config_for(reg, {}));
    ep.connect_timeout_ms = connect_ms;  // finer than the configuration's whole seconds
    ep.total_timeout_ms = total_ms;
    return ep;
}
