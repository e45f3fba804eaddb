// Fuzzes a region's appeal procedure file (kiosk/citizen): the input is the file, read against
// the kiosk's own translations. A file that loads keeps the header's promises: a rule the
// kiosk can state for each addressee, units with codes it can send, every text translated.
#include "kiosk/procedure.h"

#include "scratch.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace {

void require(bool ok, const char* what) {
    if (ok) return;
    std::fprintf(stderr, "procedure fuzz: broken promise: %s\n", what);
    std::abort();
}

bool translated(const kiosk::Translations& tr, const std::string& id) {
    for (auto lang : kiosk::kLanguages)
        if (!tr.in(lang).messages.contains(id)) return false;
    return true;
}

void check_deadline(const kiosk::Translations& tr, const kiosk::Deadline& d) {
    require(translated(tr, d.law), "a time limit's law is not translated");
    if (d.rule == kiosk::Deadline::Rule::WorkingDays)
        require(d.days >= 1 && d.days <= 30, "a count of working days out of range");
    else
        require(d.days == 0, "a time limit set by law has a figure");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const fuzz::Scratch scratch;
    static const kiosk::Translations tr = kiosk::load_translations(KIOSK_ASSETS_DIR "/i18n");
    const auto file = scratch.write("region.toml", fuzz::as_text(data, size));
    try {
        const kiosk::Procedure p = kiosk::load_procedure(file, tr);
        check_deadline(tr, p.provider_head);
        check_deadline(tr, p.akim);
        require(!p.akim_units.empty(), "no akim's unit to offer");
        for (const auto& u : p.akim_units) {
            require(p.unit(u.code) == &u, "a unit's code is not its own");
            require(translated(tr, u.name), "a unit's name is not translated");
        }
        require(!p.procedure_phones.numbers.empty(), "no phone for the procedure");
        require(translated(tr, p.department_address), "the address is not translated");
    } catch (const kiosk::ProcedureError&) {
        // Refused with the file, line and key named: what a bad file must get.
    }
    return 0;
}
