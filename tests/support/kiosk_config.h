#pragma once
// A kiosk's configuration against a development register, for the tests without a display. A
// stock register is spoken to in XML with its jurisdiction, as a kiosk configured for it would.
#include "dev_register.h"

#include "kiosk/config.h"

#include <filesystem>

namespace testsupport {

inline kiosk::Config config_for(const DevRegister& reg, const std::filesystem::path& spool) {
    kiosk::Config cfg;
    cfg.kiosk_id = "KSK-TEST-01";
    cfg.office = "Ақмола облысы әкімдігі / Акимат Акмолинской области";
    cfg.office_address = "Көкшетау қ., Абай к-сі, 83";
    cfg.duty_officer = "Кенжебаева Г. С.";
    cfg.register_url = reg.url();
    cfg.register_ca = reg.ca_file();
    cfg.client_cert = reg.client_cert();
    cfg.client_key = reg.client_key();
    cfg.api_key = reg.api_key();
    if (reg.profile() == "stock") {
        cfg.register_format = "xml";
        cfg.jurisdiction_id = reg.jurisdiction();
    }
    cfg.spool_dir = spool;
    cfg.assets_dir = KIOSK_ASSETS_DIR;
    return cfg;
}

}  // namespace testsupport
