// The complaint's validation: IIN, names, limits, UTF-8 and control characters.
#include "sample_complaint.h"

#include "kiosk/complaint.h"
#include "kiosk/text.h"

#include <gtest/gtest.h>

using namespace kiosk;
using namespace std::chrono;

namespace {

const sys_days kToday = sys_days{year{2026} / 11 / 27};

std::optional<Problem> problem_of(const Complaint& c, Field f) {
    auto errors = check_field(c, f, kToday);
    if (errors.empty()) return std::nullopt;
    return errors.front().problem;
}

}  // namespace

// Section: IIN

TEST(Iin, AcceptsValidNumbersFromFirstAndSecondPass) {
    EXPECT_EQ(iin_problem("900101300007", kToday), std::nullopt);  // first pass
    EXPECT_EQ(iin_problem("900101300811", kToday), std::nullopt);  // first pass gives 10
    EXPECT_EQ(iin_problem("900101300823", kToday), std::nullopt);
    EXPECT_EQ(iin_problem("050315500004", kToday), std::nullopt);  // born 2005
    EXPECT_EQ(iin_problem("880229400003", kToday), std::nullopt);  // leap day 1988
    EXPECT_EQ(iin_problem("000229500008", kToday), std::nullopt);  // leap day 2000
}

TEST(Iin, RefusesWrongCheckDigit) {
    EXPECT_EQ(iin_problem("900101300008", kToday), Problem::IinChecksum);
    EXPECT_EQ(iin_problem("900101300810", kToday),
              Problem::IinChecksum);  // second pass digit wrong
}

TEST(Iin, RefusesWhenBothPassesGiveTen) {
    // 90010130080x: both weighted sums are 10 mod 11, so no check digit can make it valid.
    for (char last = '0'; last <= '9'; ++last)
        EXPECT_EQ(iin_problem(std::string("90010130080") + last, kToday), Problem::IinChecksum)
            << last;
}

TEST(Iin, RefusesImpossibleBirthDates) {
    EXPECT_EQ(iin_problem("990230400001", kToday), Problem::IinBirthDate);  // 30 February
    EXPECT_EQ(iin_problem("130229100009", kToday), Problem::IinBirthDate);  // 1813 not a leap year
    EXPECT_EQ(iin_problem("991231600002", kToday), Problem::IinBirthDate);  // 2099: in the future
    EXPECT_EQ(iin_problem("000101700004", kToday), Problem::IinBirthDate);  // century digit 7
    EXPECT_EQ(iin_problem("900101000008", kToday), Problem::IinBirthDate);  // century digit 0
}

TEST(Iin, RefusesWrongShape) {
    EXPECT_EQ(iin_problem("", kToday), Problem::Missing);
    EXPECT_EQ(iin_problem("90010130000", kToday), Problem::IinLength);
    EXPECT_EQ(iin_problem("9001013000071", kToday), Problem::IinLength);
    EXPECT_EQ(iin_problem("90010130000a", kToday), Problem::NotDigits);
    EXPECT_EQ(iin_problem("９００１０１３０００７", kToday),
              Problem::NotDigits);  // full-width digits
}

// Section: the whole complaint

TEST(Complaint, ValidComplaintHasNoErrors) {
    EXPECT_TRUE(validate(sample_complaint(), kToday).empty());
}

TEST(Complaint, EmptyComplaintNamesEveryRequiredField) {
    const auto errors = validate(Complaint{}, kToday);
    std::vector<Field> fields;
    for (const auto& e : errors) fields.push_back(e.field);
    for (Field f : {Field::Addressee, Field::ServiceCode, Field::Surname, Field::FirstName,
                    Field::Iin, Field::PostalAddress, Field::Officials, Field::Grounds,
                    Field::Demands, Field::Contact, Field::Consent, Field::Signature})
        EXPECT_NE(std::find(fields.begin(), fields.end(), f), fields.end()) << field_key(f);
    for (Field f : {Field::Patronymic, Field::ServiceDate, Field::Phone, Field::Email})
        EXPECT_EQ(std::find(fields.begin(), fields.end(), f), fields.end())
            << field_key(f) << " is optional";
}

TEST(Complaint, EgovPortalIsNotSubmittedByTheKiosk) {
    auto c = sample_complaint();
    c.addressee = Addressee::EgovPortal;
    EXPECT_EQ(problem_of(c, Field::Addressee), Problem::EgovNotSubmitted);
}

// Section: names

TEST(Names, AcceptKazakhRussianAndLatinWithSeparators) {
    auto c = sample_complaint();
    for (const char* name :
         {"Әбілқасымова", "Ғабит", "Құрманғазы", "Үсенова-Жұмабекова", "Иванов", "Ёлкин", "O'Brien",
          "Ñurlan", "Şäkärim", "Abdulla uly", "Һәкім", "Өмірзақ", "Іңкәр"}) {
        c.surname = name;
        EXPECT_EQ(problem_of(c, Field::Surname), std::nullopt) << name;
    }
}

TEST(Names, RefuseDigitsSymbolsAndLooseSeparators) {
    auto c = sample_complaint();
    for (const char* name : {"Ivan0v", "Иванов!", "-Иванов", "Иванов-", "Ива--нов", "Ива  нов",
                             " Иванов", "Иванов'", "Ἀλέξανδρος", "李"}) {
        c.surname = name;
        EXPECT_EQ(problem_of(c, Field::Surname), Problem::NotAName) << name;
    }
}

TEST(Names, LengthLimitsCountLettersNotBytes) {
    auto c = sample_complaint();
    c.surname = "";
    for (int i = 0; i < 50; ++i) c.surname += "Ә";  // 100 bytes, 50 letters
    EXPECT_EQ(problem_of(c, Field::Surname), std::nullopt);
    c.surname += "ә";
    EXPECT_EQ(problem_of(c, Field::Surname), Problem::TooLong);
    c.surname = "";
    EXPECT_EQ(problem_of(c, Field::Surname), Problem::Missing);
    c.patronymic = "";
    EXPECT_EQ(problem_of(c, Field::Patronymic), std::nullopt);  // only if in the document
}

// Section: every field's limits

TEST(Limits, TextFieldsHaveMinimaAndMaxima) {
    auto c = sample_complaint();
    c.postal_address = "Абай";
    EXPECT_EQ(problem_of(c, Field::PostalAddress), Problem::TooShort);
    c.postal_address = std::string(Limits::address + 1, 'a');
    EXPECT_EQ(problem_of(c, Field::PostalAddress), Problem::TooLong);
    c.grounds = "қысқа";
    EXPECT_EQ(problem_of(c, Field::Grounds), Problem::TooShort);
    c.grounds = std::string(Limits::grounds, 'x');
    EXPECT_EQ(problem_of(c, Field::Grounds), std::nullopt);
    c.grounds += "x";
    EXPECT_EQ(problem_of(c, Field::Grounds), Problem::TooLong);
    c.demands = std::string(Limits::demands + 1, 'x');
    EXPECT_EQ(problem_of(c, Field::Demands), Problem::TooLong);
    c.email = std::string(250, 'a') + "@b.kz";
    EXPECT_EQ(problem_of(c, Field::Email), Problem::TooLong);
}

TEST(Limits, OfficialsNeedPositionSurnameAndInitials) {
    auto c = sample_complaint();
    c.officials.push_back({"", "Жұмабеков", "Н Ө"});
    const auto errors = check_field(c, Field::Officials, kToday);
    ASSERT_EQ(errors.size(), 2u);
    EXPECT_EQ(errors[0], (FieldError{Field::OfficialPosition, Problem::Missing, 1}));
    EXPECT_EQ(errors[1], (FieldError{Field::OfficialInitials, Problem::BadInitials, 1}));
    c.officials.assign(Limits::officials + 1, c.officials.front());
    EXPECT_EQ(problem_of(c, Field::Officials), Problem::TooManyOfficials);
    c.officials.clear();
    EXPECT_EQ(problem_of(c, Field::Officials), Problem::Missing);
}

TEST(Limits, InitialsTakeLettersWithDots) {
    auto c = sample_complaint();
    for (const char* ok : {"А.", "А. Қ.", "А.Қ.", "N. O."}) {
        c.officials[0].initials = ok;
        EXPECT_EQ(problem_of(c, Field::OfficialInitials), std::nullopt) << ok;
    }
    for (const char* bad : {"А", "АҚ", "1.", "А..", ".А"}) {
        c.officials[0].initials = bad;
        EXPECT_EQ(problem_of(c, Field::OfficialInitials), Problem::BadInitials) << bad;
    }
}

TEST(Limits, DatesArePastRealDays) {
    const std::pair<const char*, std::optional<Problem>> cases[] = {
        {"31.02.2026", Problem::BadDate}, {"28.11.2026", Problem::DateInFuture},
        {"27.11.2026", std::nullopt},     {"29.02.2024", std::nullopt},
        {"2026-11-27", Problem::BadDate}, {"01.01.1989", Problem::BadDate},
    };
    auto c = sample_complaint();
    for (const auto& [date, expected] : cases) {
        c.service_date = date;
        EXPECT_EQ(problem_of(c, Field::ServiceDate), expected) << date;
    }
}

TEST(Contact, PhoneOrEmailAndBothWellFormed) {
    auto c = sample_complaint();
    EXPECT_EQ(normalized_phone("8 701 123 45 67"), "+77011234567");
    EXPECT_EQ(normalized_phone("+7 (7162) 29-72-23"), "+77162297223");
    EXPECT_EQ(normalized_phone("7011234567"), "+77011234567");
    EXPECT_EQ(normalized_phone("8 901 123 45 67"), "");  // Russian mobile, not Kazakhstan
    EXPECT_EQ(normalized_phone("8 701 123 45"), "");
    c.phone = "123";
    EXPECT_EQ(problem_of(c, Field::Phone), Problem::BadPhone);
    c.phone = "";
    EXPECT_EQ(problem_of(c, Field::Contact), Problem::NoContact);
    c.email = "aigul@mail.kz";
    EXPECT_EQ(problem_of(c, Field::Contact), std::nullopt);
    EXPECT_EQ(problem_of(c, Field::Email), std::nullopt);
    for (const char* bad :
         {"aigul", "aigul@", "@mail.kz", "a@b@c.kz", "aigul@mail", "ай@mail.kz", "a b@mail.kz"}) {
        c.email = bad;
        EXPECT_EQ(problem_of(c, Field::Email), Problem::BadEmail) << bad;
    }
}

// Section: bytes that must never reach the register or the PDF

TEST(Text, InvalidUtf8IsRefusedEverywhere) {
    for (const char* bad : {"\xC3", "\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "a\xFF"}) {
        auto c = sample_complaint();
        c.grounds = std::string("Жалоба ") + bad + " туралы ұзақ мәтін";
        EXPECT_EQ(problem_of(c, Field::Grounds), Problem::BadUtf8);
        c.postal_address = std::string("Абай көшесі ") + bad;
        EXPECT_EQ(problem_of(c, Field::PostalAddress), Problem::BadUtf8);
        c.surname = std::string("Абай") + bad;
        EXPECT_EQ(problem_of(c, Field::Surname), Problem::BadUtf8);
    }
}

TEST(Text, ControlCharactersAreRefusedButNewlinesAllowedInLongText) {
    auto c = sample_complaint();
    c.grounds = "Бірінші жол.\nЕкінші жол.";
    EXPECT_EQ(problem_of(c, Field::Grounds), std::nullopt);
    for (const char* bad :
         {"\x01", "\x1B[31m", "\x7F", "\xC2\x85", "\xE2\x80\xA8", "\xE2\x80\xAE"}) {
        c.grounds = std::string("Бірінші жол ") + bad + " екінші";
        EXPECT_EQ(problem_of(c, Field::Grounds), Problem::ControlCharacter) << bad;
        c.postal_address = std::string("Абай көшесі\n83");
        EXPECT_EQ(problem_of(c, Field::PostalAddress), Problem::ControlCharacter);
    }
}

TEST(Text, Utf8RoundTripAndUpperCase) {
    std::string s;
    for (char32_t cp : {U'Ә', U'ғ', U'№', U'😀'}) append_utf8(s, cp);
    const auto back = decode_utf8(s);
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, (std::vector<char32_t>{U'Ә', U'ғ', U'№', U'😀'}));
    EXPECT_EQ(code_point_count(s), 4u);
    pop_code_point(s);
    EXPECT_EQ(s, "Әғ№");
    EXPECT_EQ(to_upper(U'ә'), U'Ә');
    EXPECT_EQ(to_upper(U'і'), U'І');
    EXPECT_EQ(to_upper(U'ё'), U'Ё');
    EXPECT_EQ(to_upper(U'ş'), U'Ş');
}

TEST(Talon, SurnameAndInitials) {
    auto c = sample_complaint();
    EXPECT_EQ(surname_and_initials(c), "Әбілқасымова А. Қ.");
    c.patronymic.clear();
    EXPECT_EQ(surname_and_initials(c), "Әбілқасымова А.");
}

TEST(Wipe, ClearsEveryField) {
    auto c = sample_complaint();
    wipe(c);
    EXPECT_TRUE(c.surname.empty());
    EXPECT_TRUE(c.iin.empty());
    EXPECT_TRUE(c.officials.empty());
    EXPECT_TRUE(c.signature.empty());
    EXPECT_FALSE(c.consent);
}
