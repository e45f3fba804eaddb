// printer/qr: a QR code's modules (libqrencode), the one home for the talon's code to the
// status page and the screen's code to the egov.kz portal.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

namespace printer {

struct QrSymbol {
    int width = 0;           // modules per side
    std::vector<bool> dark;  // row by row from the top
    bool at(int x, int y) const { return dark[static_cast<std::size_t>(y) * width + x]; }
};

// Level M (survives a smudge or a crease across a tenth of the symbol), 8-bit data. Throws
// printer::Error when the text cannot be encoded (too long).
QrSymbol encode_qr(const std::string& text);

}  // namespace printer
