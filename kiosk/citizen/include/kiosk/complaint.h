// kiosk/complaint: a citizen's complaint about a state service, as the appeal procedure
// (Akmola region, Law of RK "On state services", art. 25) requires it, and its validation.
#pragma once
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kiosk {

// Who the complaint is addressed to, at the citizen's choice. The egov.kz portal is a choice
// the kiosk explains but does not submit to.
enum class Addressee { None, ProviderHead, Akim, EgovPortal };

// An official whose decision, action or inaction is appealed.
struct Official {
    std::string position;
    std::string surname;
    std::string initials;  // e.g. "А. Қ."
};

// A stroke of the finger-drawn signature, in pad coordinates (0..1 on both axes).
struct SignaturePoint {
    float x, y;
};
using SignatureStroke = std::vector<SignaturePoint>;

struct Complaint {
    Addressee addressee = Addressee::None;
    std::string akim_unit;     // the unit's code (the region's procedure) when to an akim
    std::string service_code;  // from the register's catalog
    std::string service_date;  // DD.MM.YYYY, when the service was provided (optional)
    std::string surname;
    std::string first_name;
    std::string patronymic;  // only if in the identity document
    std::string iin;         // 12 digits
    std::string postal_address;
    std::vector<Official> officials;
    std::string grounds;  // мотивы обращения
    std::string demands;  // требования
    std::string phone;    // digits as typed; see normalized_phone()
    std::string email;
    bool consent = false;  // to the processing of personal data
    std::vector<SignatureStroke> signature;
    // A citizen who cannot see the pad confirmed with the keypad instead of drawing; the
    // register is told which ("signature_method").
    bool signed_with_keypad = false;
};

// Every field a citizen fills, named for messages and for the UI's focus.
enum class Field {
    Addressee,
    ServiceCode,
    ServiceDate,
    Surname,
    FirstName,
    Patronymic,
    Iin,
    PostalAddress,
    Officials,
    OfficialPosition,
    OfficialSurname,
    OfficialInitials,
    Grounds,
    Demands,
    Phone,
    Email,
    Contact,
    Consent,
    Signature,
    StatusNumber,  // not part of a complaint: the number typed on the status screen
    // Nor is this: staff's name for the talon, typed in service mode.
    DutySpecialist,
};

// Why a field is not acceptable; the UI shows the translation of error_key(problem).
enum class Problem {
    Missing,
    TooShort,
    TooLong,
    BadUtf8,
    ControlCharacter,
    NotAName,
    NotDigits,
    IinLength,
    IinChecksum,
    IinBirthDate,
    BadDate,
    DateInFuture,
    BadPhone,
    BadEmail,
    NoContact,
    TooManyOfficials,
    NoConsent,
    NoSignature,
    EgovNotSubmitted,
    BadInitials,
    TooLongForRegister,  // with the details the register has no attribute for, past 4,000
};

struct FieldError {
    Field field;
    Problem problem;
    int official = -1;  // index into officials for the Official* fields
    bool operator==(const FieldError&) const = default;
};

// Limits in code points; the register accepts fields up to 8000 bytes, and Kazakh and Russian
// letters take two bytes each.
struct Limits {
    static constexpr std::size_t name = 50;
    static constexpr std::size_t initials = 8;
    static constexpr std::size_t position = 150;
    static constexpr std::size_t address_min = 5, address = 200;
    static constexpr std::size_t grounds_min = 10, grounds = 3000;
    static constexpr std::size_t demands_min = 5, demands = 1500;
    static constexpr std::size_t email = 254;
    static constexpr std::size_t officials = 10;
};

// Checks of single fields, used by the screens as the citizen types and by validate().
std::vector<FieldError> check_field(const Complaint& c, Field field, std::chrono::sys_days today);

// Every problem of the whole complaint, in the order of the screens. Empty means it may be sent.
std::vector<FieldError> validate(const Complaint& c, std::chrono::sys_days today);

// IIN check: 12 digits, check digit (weights 1..11, then 3..11,1,2 when the first pass gives
// 10), and the YYMMDD birth date valid in the century the 7th digit names.
// nullopt when the IIN is valid.
std::optional<Problem> iin_problem(std::string_view iin, std::chrono::sys_days today);

// "+7XXXXXXXXXX" from what was typed ("8 701 ...", "7701...", "701..."), or "" if not a
// Kazakhstan number.
std::string normalized_phone(std::string_view typed);

// "Әбілқасымова А. Қ." for the talon: surname and the initials of first name and patronymic.
std::string surname_and_initials(const Complaint& c);

// Translation keys, e.g. "error.iin_checksum", "field.surname".
std::string_view error_key(Problem p);
std::string_view field_key(Field f);
// The citizen's own data (names, IIN, address, phone, e-mail): spoken only in private.
bool is_personal(Field f);
std::string_view addressee_code(Addressee a);  // "provider_head", "akim", "egov"

// Overwrites every personal field in memory and resets the complaint.
void wipe(Complaint& c);

}  // namespace kiosk
