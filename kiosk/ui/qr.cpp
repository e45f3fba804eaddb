// QR codes for the screen (the egov.kz portal), with libqrencode.
#include "ui.h"

#include <qrencode.h>

#include <memory>

namespace kiosk::ui {

std::vector<bool> qr_modules(const std::string& text) {
    std::unique_ptr<QRcode, decltype(&QRcode_free)> code(
        QRcode_encodeString8bit(text.c_str(), 0, QR_ECLEVEL_M), QRcode_free);
    if (!code) return {};
    std::vector<bool> modules(static_cast<std::size_t>(code->width) * code->width);
    for (std::size_t i = 0; i < modules.size(); ++i) modules[i] = code->data[i] & 1;   // bit 0: dark
    return modules;
}

}  // namespace kiosk::ui
