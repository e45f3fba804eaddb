// kiosk/procedure: a region's appeal procedure as data (assets/procedure/<region>.toml): who a
// complaint may be addressed to, the akim's units, the time limit of each addressee, the phones
// and what each is for, where further information is, the laws cited. Every fact the kiosk
// states about the procedure comes from here; its texts are message ids translated in the .po
// files. A second region is a second file, with no change to the code.
#pragma once
#include "kiosk/complaint.h"
#include "kiosk/i18n.h"

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace kiosk {

struct ProcedureError : std::runtime_error {
    using std::runtime_error::runtime_error;  // "akmola.toml:12: addressee.akim.deadline: ..."
};

// The time limit a complaint to an addressee is reviewed in. Where the procedure gives no
// figure the kiosk says "in the time limits set by law" and prints no date.
struct Deadline {
    enum class Rule { WorkingDays, ByLaw };
    Rule rule = Rule::ByLaw;
    int days = 0;     // WorkingDays: counted from registration on the working-day calendar
    std::string law;  // message id of the law that sets it
};

// An administrative-territorial unit whose akim a complaint may be addressed to.
struct AkimUnit {
    std::string code;   // stable, ASCII: sent to the register and signed on the talon
    std::string level;  // "region", "city", "district" or "rural_district"
    std::string name;   // message id: "the akim of Akmola region"
};

// Phone numbers and who answers them.
struct Phones {
    std::string who;  // message id: "the e-government call centre"
    std::vector<std::string> numbers;
    bool free = false;
};

struct Procedure {
    std::string file;                  // where it was read from, for messages
    std::string region;                // message id of the region's name
    std::string website;               // where the providers' specialists' addresses are listed
    std::string website_section;       // message id of the section there
    std::string portal;                // the e-government portal, e.g. "egov.kz"
    Deadline provider_head, akim;      // per addressee
    std::vector<AkimUnit> akim_units;  // in the order offered
    Phones procedure_phones;           // information about the appeal procedure
    std::string department;            // message id: further information is given there...
    std::vector<std::string> department_phones;  // ...on these numbers...
    std::string department_address;              // ...and at this address (message id)
    std::string law_appeals;                     // message ids of the laws cited
    std::string law_state_services;

    // The deadline of an addressee the kiosk takes complaints for; nullptr for the portal.
    const Deadline* deadline(Addressee to) const;
    const AkimUnit* unit(std::string_view code) const;  // nullptr when the file has none such
};

// The message id naming a complaint's addressee: the akim with the unit's name.
std::string addressee_key(const Procedure& p, const Complaint& c);
// The addressee as the register and the talon's code take it: "provider_head",
// "akim:akmola_region".
std::string addressee_id(const Complaint& c);

// The time limit in a few words, for the addressee's choice: "reviewed within 5 working days of
// registration", "reviewed within the time limits set by law".
std::string deadline_short(const Catalog& words, const Deadline& d);

// Where a complaint's progress is told: the provider's канцелярия, with its phone when known
// ([kiosk] chancellery_phone), and the kiosk's status screen.
std::string tracking_words(const Catalog& words, const std::string& chancellery_phone);
// "Information about the appeal procedure: the e-government call centre, 1414, ... (free call)."
std::string procedure_phones_words(const Catalog& words, const Procedure& p);
// "Further information about the appeal procedure: the department, phones ...; address: ...".
std::string further_information_words(const Catalog& words, const Procedure& p);

// Reads and checks the file: every key known, every rule whole, every message id translated in
// every language of tr. Throws ProcedureError naming the file, line and key.
Procedure load_procedure(const std::filesystem::path& file, const Translations& tr);

// assets/procedure/<region>.toml
std::filesystem::path procedure_file(const std::filesystem::path& assets_dir,
                                     const std::string& region);

}  // namespace kiosk
