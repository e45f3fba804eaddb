#include "kiosk/complaint.h"

#include "kiosk/text.h"

namespace kiosk {
namespace {

using std::chrono::sys_days;
using Errors = std::vector<FieldError>;

// Section: text rules

enum class Lines { Single, Multi };

// Well-formed UTF-8, no control characters (newlines only in multi-line text), within limits.
std::optional<Problem> text_problem(std::string_view s, std::size_t min, std::size_t max,
                                    Lines lines) {
    const auto cps = decode_utf8(s);
    if (!cps) return Problem::BadUtf8;
    for (char32_t cp : *cps)
        if (is_control(cp) && !(lines == Lines::Multi && (cp == U'\n' || cp == U'\t')))
            return Problem::ControlCharacter;
    if (cps->empty() && min > 0) return Problem::Missing;
    if (cps->size() < min) return Problem::TooShort;
    if (cps->size() > max) return Problem::TooLong;
    return std::nullopt;
}

// Letters with single hyphens, apostrophes or spaces between them: "Мұхамеджан-Ұлы", "O'Brien".
bool is_name(std::string_view s) {
    const auto cps = decode_utf8(s);
    if (!cps || cps->empty()) return false;
    bool after_letter = false;
    for (char32_t cp : *cps) {
        const bool separator = cp == U'-' || cp == U' ' || cp == U'\'' || cp == U'’';
        if (separator && !after_letter) return false;
        if (!separator && !is_name_letter(cp)) return false;
        after_letter = !separator;
    }
    return after_letter;
}

std::optional<Problem> name_problem(std::string_view s, bool required) {
    if (s.empty()) return required ? std::optional(Problem::Missing) : std::nullopt;
    if (auto p = text_problem(s, 1, Limits::name, Lines::Single)) return p;
    if (!is_name(s)) return Problem::NotAName;
    return std::nullopt;
}

// "А. Қ." or "А.Қ." or "А.": letters each followed by a dot, spaces allowed between.
std::optional<Problem> initials_problem(std::string_view s) {
    if (auto p = text_problem(s, 1, Limits::initials, Lines::Single)) return p;
    const auto cps = decode_utf8(s);
    bool expect_letter = true;
    for (char32_t cp : *cps) {
        if (cp == U' ' && expect_letter) continue;
        if (expect_letter ? !is_name_letter(cp) : cp != U'.') return Problem::BadInitials;
        expect_letter = !expect_letter;
    }
    return expect_letter ? std::nullopt : std::optional(Problem::BadInitials);
}

// Section: dates

std::optional<sys_days> civil_date(int y, unsigned m, unsigned d) {
    const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{m},
                                          std::chrono::day{d}};
    if (!ymd.ok()) return std::nullopt;
    return sys_days{ymd};
}

bool all_digits(std::string_view s) {
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}

int number(std::string_view s) {
    int n = 0;
    for (char c : s) n = n * 10 + (c - '0');
    return n;
}

// DD.MM.YYYY, a real day, not after today.
std::optional<Problem> date_problem(std::string_view s, sys_days today) {
    if (s.size() != 10 || s[2] != '.' || s[5] != '.') return Problem::BadDate;
    const auto dd = s.substr(0, 2), mm = s.substr(3, 2), yyyy = s.substr(6, 4);
    if (!all_digits(dd) || !all_digits(mm) || !all_digits(yyyy)) return Problem::BadDate;
    const auto date = civil_date(number(yyyy), number(mm), number(dd));
    if (!date || number(yyyy) < 1990) return Problem::BadDate;
    if (*date > today) return Problem::DateInFuture;
    return std::nullopt;
}

// Section: contact

std::optional<Problem> email_problem(std::string_view s) {
    if (auto p = text_problem(s, 3, Limits::email, Lines::Single)) return p;
    const auto at = s.find('@');
    if (at == 0 || at == std::string_view::npos || s.find('@', at + 1) != std::string_view::npos)
        return Problem::BadEmail;
    const auto domain = s.substr(at + 1);
    const auto dot = domain.rfind('.');
    if (dot == std::string_view::npos || dot == 0 || dot + 2 > domain.size())
        return Problem::BadEmail;
    for (char c : s)
        if (c == ' ' || static_cast<unsigned char>(c) >= 0x80) return Problem::BadEmail;
    return std::nullopt;
}

// Section: per-field checks

void add(Errors& out, Field f, std::optional<Problem> p, int official = -1) {
    if (p) out.push_back({f, *p, official});
}

void check_officials(const Complaint& c, Errors& out) {
    if (c.officials.empty()) return add(out, Field::Officials, Problem::Missing);
    if (c.officials.size() > Limits::officials)
        return add(out, Field::Officials, Problem::TooManyOfficials);
    for (std::size_t i = 0; i < c.officials.size(); ++i) {
        const auto& o = c.officials[i];
        const int idx = static_cast<int>(i);
        add(out, Field::OfficialPosition,
            text_problem(o.position, 2, Limits::position, Lines::Single), idx);
        add(out, Field::OfficialSurname, name_problem(o.surname, true), idx);
        add(out, Field::OfficialInitials, initials_problem(o.initials), idx);
    }
}

}  // namespace

// Section: IIN

std::optional<Problem> iin_problem(std::string_view iin, sys_days today) {
    if (iin.empty()) return Problem::Missing;
    if (!all_digits(iin)) return Problem::NotDigits;
    if (iin.size() != 12) return Problem::IinLength;
    int d[12];
    for (int i = 0; i < 12; ++i) d[i] = iin[i] - '0';
    auto weighted = [&](int first_weight) {
        int sum = 0;
        for (int i = 0; i < 11; ++i) sum += d[i] * ((first_weight - 1 + i) % 11 + 1);
        return sum % 11;
    };
    int check = weighted(1);
    if (check == 10) check = weighted(3);
    if (check == 10 || check != d[11]) return Problem::IinChecksum;

    // 7th digit: century and sex (1,2: 1800s; 3,4: 1900s; 5,6: 2000s).
    const int century_digit = d[6];
    if (century_digit < 1 || century_digit > 6) return Problem::IinBirthDate;
    const int year = 1800 + 100 * ((century_digit - 1) / 2) + d[0] * 10 + d[1];
    const auto born = civil_date(year, d[2] * 10 + d[3], d[4] * 10 + d[5]);
    if (!born || *born > today) return Problem::IinBirthDate;
    return std::nullopt;
}

// Section: phone and names for the talon

std::string normalized_phone(std::string_view typed) {
    std::string digits;
    for (char c : typed) {
        if (c >= '0' && c <= '9')
            digits += c;
        else if (c != ' ' && c != '-' && c != '(' && c != ')' && c != '+')
            return "";
    }
    if (digits.size() == 11 && (digits[0] == '8' || digits[0] == '7')) digits.erase(0, 1);
    // Kazakhstan numbers: mobile 7xx, landline 7xxx area codes; all start with 7 after +7.
    if (digits.size() != 10 || digits[0] != '7') return "";
    return "+7" + digits;
}

std::string surname_and_initials(const Complaint& c) {
    std::string out = c.surname;
    for (const std::string* part : {&c.first_name, &c.patronymic}) {
        const auto cps = decode_utf8(*part);
        if (!cps || cps->empty()) continue;
        out += ' ';
        append_utf8(out, to_upper(cps->front()));
        out += '.';
    }
    return out;
}

// Section: field and complaint validation

std::vector<FieldError> check_field(const Complaint& c, Field field, sys_days today) {
    Errors out;
    switch (field) {
    case Field::Addressee:
        // An akim is always an akim of a unit: "which akim" is part of the choice.
        if (c.addressee == Addressee::None ||
            (c.addressee == Addressee::Akim && c.akim_unit.empty()))
            add(out, field, Problem::Missing);
        if (c.addressee == Addressee::EgovPortal) add(out, field, Problem::EgovNotSubmitted);
        break;
    case Field::ServiceCode:
        add(out, field, text_problem(c.service_code, 1, 64, Lines::Single));
        break;
    case Field::ServiceDate:
        if (!c.service_date.empty()) add(out, field, date_problem(c.service_date, today));
        break;
    case Field::Surname: add(out, field, name_problem(c.surname, true)); break;
    case Field::FirstName: add(out, field, name_problem(c.first_name, true)); break;
    case Field::Patronymic: add(out, field, name_problem(c.patronymic, false)); break;
    case Field::Iin: add(out, field, iin_problem(c.iin, today)); break;
    case Field::PostalAddress:
        add(out, field,
            text_problem(c.postal_address, Limits::address_min, Limits::address, Lines::Single));
        break;
    case Field::Officials:
    case Field::OfficialPosition:
    case Field::OfficialSurname:
    case Field::OfficialInitials: check_officials(c, out); break;
    case Field::Grounds:
        add(out, field,
            text_problem(c.grounds, Limits::grounds_min, Limits::grounds, Lines::Multi));
        break;
    case Field::Demands:
        add(out, field,
            text_problem(c.demands, Limits::demands_min, Limits::demands, Lines::Multi));
        break;
    case Field::Phone:
        if (!c.phone.empty() && normalized_phone(c.phone).empty())
            add(out, field, Problem::BadPhone);
        break;
    case Field::Email:
        if (!c.email.empty()) add(out, field, email_problem(c.email));
        break;
    case Field::Contact:
        if (c.phone.empty() && c.email.empty()) add(out, field, Problem::NoContact);
        break;
    case Field::Consent:
        if (!c.consent) add(out, field, Problem::NoConsent);
        break;
    case Field::StatusNumber:
    case Field::DutySpecialist: break;
    case Field::Signature: {
        std::size_t points = 0;
        for (const auto& stroke : c.signature) points += stroke.size();
        if (points < 2 && !c.signed_with_keypad) add(out, field, Problem::NoSignature);
        break;
    }
    }
    return out;
}

std::vector<FieldError> validate(const Complaint& c, sys_days today) {
    static constexpr Field order[] = {
        Field::Addressee, Field::ServiceCode, Field::ServiceDate, Field::Surname,
        Field::FirstName, Field::Patronymic,  Field::Iin,         Field::PostalAddress,
        Field::Officials, Field::Grounds,     Field::Demands,     Field::Phone,
        Field::Email,     Field::Contact,     Field::Consent,     Field::Signature,
    };
    Errors out;
    for (Field f : order) {
        auto e = check_field(c, f, today);
        out.insert(out.end(), e.begin(), e.end());
    }
    return out;
}

// Section: keys for translations

std::string_view error_key(Problem p) {
    switch (p) {
    case Problem::Missing: return "error.missing";
    case Problem::TooShort: return "error.too_short";
    case Problem::TooLong: return "error.too_long";
    case Problem::BadUtf8: return "error.bad_utf8";
    case Problem::ControlCharacter: return "error.control_character";
    case Problem::NotAName: return "error.not_a_name";
    case Problem::NotDigits: return "error.not_digits";
    case Problem::IinLength: return "error.iin_length";
    case Problem::IinChecksum: return "error.iin_checksum";
    case Problem::IinBirthDate: return "error.iin_birth_date";
    case Problem::BadDate: return "error.bad_date";
    case Problem::DateInFuture: return "error.date_in_future";
    case Problem::BadPhone: return "error.bad_phone";
    case Problem::BadEmail: return "error.bad_email";
    case Problem::NoContact: return "error.no_contact";
    case Problem::TooManyOfficials: return "error.too_many_officials";
    case Problem::NoConsent: return "error.no_consent";
    case Problem::NoSignature: return "error.no_signature";
    case Problem::EgovNotSubmitted: return "error.egov_not_submitted";
    case Problem::BadInitials: return "error.bad_initials";
    case Problem::TooLongForRegister: return "error.too_long_for_register";
    }
    return "error.missing";
}

std::string_view field_key(Field f) {
    switch (f) {
    case Field::Addressee: return "field.addressee";
    case Field::ServiceCode: return "field.service";
    case Field::ServiceDate: return "field.service_date";
    case Field::Surname: return "field.surname";
    case Field::FirstName: return "field.first_name";
    case Field::Patronymic: return "field.patronymic";
    case Field::Iin: return "field.iin";
    case Field::PostalAddress: return "field.postal_address";
    case Field::Officials: return "field.officials";
    case Field::OfficialPosition: return "field.official_position";
    case Field::OfficialSurname: return "field.official_surname";
    case Field::OfficialInitials: return "field.official_initials";
    case Field::Grounds: return "field.grounds";
    case Field::Demands: return "field.demands";
    case Field::Phone: return "field.phone";
    case Field::Email: return "field.email";
    case Field::Contact: return "field.contact";
    case Field::Consent: return "field.consent";
    case Field::Signature: return "field.signature";
    case Field::StatusNumber: return "field.status_number";
    case Field::DutySpecialist: return "field.duty_specialist";
    }
    return "field.surname";
}

std::string_view addressee_code(Addressee a) {
    switch (a) {
    case Addressee::ProviderHead: return "provider_head";
    case Addressee::Akim: return "akim";
    case Addressee::EgovPortal: return "egov";
    case Addressee::None: break;
    }
    return "";
}

// Section: wiping

void wipe(Complaint& c) {
    for (std::string* s :
         {&c.service_code, &c.service_date, &c.surname, &c.first_name, &c.patronymic, &c.iin,
          &c.postal_address, &c.grounds, &c.demands, &c.phone, &c.email})
        wipe(*s);
    for (auto& o : c.officials) {
        wipe(o.position);
        wipe(o.surname);
        wipe(o.initials);
    }
    for (auto& stroke : c.signature)
        for (auto& p : stroke) p = {0.f, 0.f};
    c = Complaint{};
}

bool is_personal(Field f) {
    switch (f) {
    case Field::Surname:
    case Field::FirstName:
    case Field::Patronymic:
    case Field::Iin:
    case Field::PostalAddress:
    case Field::Phone:
    case Field::Email:
    // The officials' names: whom the citizen complains about is theirs to keep private too.
    case Field::OfficialSurname:
    case Field::OfficialInitials: return true;
    default: return false;
    }
}

}  // namespace kiosk
