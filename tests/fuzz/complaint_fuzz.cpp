// Fuzzes the complaint checks (kiosk/citizen): the input is a complaint as NUL-separated
// fields in the order of the screens (tests/fuzz/corpus/complaint holds one a citizen would
// file). A complaint that passes validate() must be one the talon and the register can take.
#include "kiosk/complaint.h"
#include "kiosk/text.h"

#include "scratch.h"

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace std::chrono;

void require(bool ok, const char* what) {
    if (ok) return;
    std::fprintf(stderr, "complaint fuzz: broken promise: %s\n", what);
    std::abort();
}

std::vector<std::string> split(std::string_view text) {
    std::vector<std::string> parts;
    for (std::size_t from = 0;;) {
        const auto to = text.find('\0', from);
        parts.emplace_back(text.substr(from, to - from));
        if (to == std::string_view::npos) return parts;
        from = to + 1;
    }
}

// addressee, service code, service date, surname, first name, patronymic, IIN, address,
// grounds, demands, phone, e-mail, consent ("1"), signature (byte pairs are points), then
// officials as position, surname, initials.
kiosk::Complaint complaint_from(std::vector<std::string> f) {
    constexpr std::size_t kFixed = 14;
    if (f.size() < kFixed) f.resize(kFixed);
    kiosk::Complaint c;
    c.addressee = f[0].empty()
                      ? kiosk::Addressee::None
                      : static_cast<kiosk::Addressee>(static_cast<unsigned char>(f[0][0]) % 4);
    std::string* text[] = {&c.service_code, &c.service_date, &c.surname,        &c.first_name,
                           &c.patronymic,   &c.iin,          &c.postal_address, &c.grounds,
                           &c.demands,      &c.phone,        &c.email};
    for (std::size_t i = 0; i < std::size(text); ++i) *text[i] = f[1 + i];
    c.consent = f[12] == "1";
    kiosk::SignatureStroke stroke;
    for (std::size_t i = 0; i + 1 < f[13].size(); i += 2)
        stroke.push_back({static_cast<unsigned char>(f[13][i]) / 255.f,
                          static_cast<unsigned char>(f[13][i + 1]) / 255.f});
    if (!stroke.empty()) c.signature.push_back(std::move(stroke));
    for (std::size_t i = kFixed; i < f.size(); i += 3)
        c.officials.push_back(
            {f[i], i + 1 < f.size() ? f[i + 1] : "", i + 2 < f.size() ? f[i + 2] : ""});
    return c;
}

void check(const kiosk::Complaint& c, sys_days today) {
    const auto errors = kiosk::validate(c, today);
    for (const auto& e : errors) {
        require(!kiosk::error_key(e.problem).empty() && !kiosk::field_key(e.field).empty(),
                "a problem without words");
        const bool of_an_official = e.field == kiosk::Field::OfficialPosition ||
                                    e.field == kiosk::Field::OfficialSurname ||
                                    e.field == kiosk::Field::OfficialInitials;
        require(!of_an_official ||
                    (e.official >= 0 && static_cast<std::size_t>(e.official) < c.officials.size()),
                "an official's problem without the official");
    }
    const std::string phone = kiosk::normalized_phone(c.phone);
    require(phone.empty() || (phone.size() == 12 && phone.starts_with("+77")),
            "a phone number not of Kazakhstan");
    const std::string talon_name = kiosk::surname_and_initials(c);
    if (!errors.empty()) return;
    require(!kiosk::iin_problem(c.iin, today), "a complaint sent with a bad IIN");
    require(!phone.empty() || !c.email.empty(), "a complaint sent without a contact");
    require(kiosk::decode_utf8(talon_name).has_value(), "the talon's name is not UTF-8");
    require(c.addressee == kiosk::Addressee::ProviderHead || c.addressee == kiosk::Addressee::Akim,
            "a complaint sent to no one or to the portal");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    kiosk::Complaint c = complaint_from(split(fuzz::as_text(data, size)));
    // A birth date or service date is judged against today: one day of the project and the
    // first and last days the IIN's centuries can name.
    for (const sys_days today : {sys_days{year{2026} / 12 / 1}, sys_days{year{1800} / 1 / 1},
                                 sys_days{year{2099} / 12 / 31}})
        check(c, today);
    kiosk::wipe(c);
    require(c.surname.empty() && c.iin.empty() && c.officials.empty() && c.signature.empty(),
            "wipe left personal data");
    return 0;
}
