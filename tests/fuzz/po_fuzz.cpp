// Fuzzes the .po reader (kiosk/base i18n): the input is a translation file. A catalog that
// loads holds only valid UTF-8, as the UI's text code relies on it; format() is fed the
// messages as patterns.
#include "kiosk/i18n.h"
#include "kiosk/text.h"

#include "scratch.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace {

void require(bool ok, const char* what) {
    if (ok) return;
    std::fprintf(stderr, "po fuzz: broken promise: %s\n", what);
    std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const fuzz::Scratch scratch;
    const auto file = scratch.write("kk.po", fuzz::as_text(data, size));
    try {
        const kiosk::Catalog cat = kiosk::load_po(file, "kk");
        for (const auto& [key, text] : cat.messages) {
            require(!key.empty(), "an empty msgid kept");
            require(kiosk::decode_utf8(key) && kiosk::decode_utf8(text), "invalid UTF-8 kept");
            require(&cat.get(key) == &text || text.empty(), "get() misses a message");
            kiosk::format(text, {"30", "ЖТ-2026-00000742"});
        }
        cat.get("no.such.key");
    } catch (const kiosk::CatalogError&) {
        // Refused with the line named.
    }
    return 0;
}
