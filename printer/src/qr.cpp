#include "printer/qr.h"

#include "printer/error.h"

#include <qrencode.h>

#include <cerrno>
#include <cstring>
#include <memory>

namespace printer {

QrSymbol encode_qr(const std::string& text) {
    const std::unique_ptr<QRcode, void (*)(QRcode*)> code(
        QRcode_encodeString(text.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1), QRcode_free);
    if (!code)
        throw Error("printer: cannot make a QR code of " + std::to_string(text.size()) +
                    " bytes: " + std::strerror(errno));
    QrSymbol symbol{code->width, {}};
    const std::size_t modules = static_cast<std::size_t>(code->width) * code->width;
    symbol.dark.reserve(modules);
    for (std::size_t i = 0; i < modules; ++i) symbol.dark.push_back(code->data[i] & 1);
    return symbol;
}

}  // namespace printer
