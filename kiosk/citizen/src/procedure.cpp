// kiosk/procedure: reads a region's appeal procedure and checks it whole before the kiosk
// states any of it.
#include "kiosk/procedure.h"

#include "kiosk/toml_reader.h"

#include <algorithm>

namespace kiosk {
namespace {

using Reader = TomlReader<ProcedureError>;

constexpr std::string_view kLevels[] = {"region", "city", "district", "rural_district"};
constexpr int kMaxDeadlineDays = 30;  // the laws give days, not months: more is a typo

// Section: values

std::string text(const Reader& r, const toml::table& t, const std::string& path,
                 std::string_view key, std::size_t max = 200) {
    const auto v = r.value<std::string>(t, path, key, "a string");
    if (v.empty() || v.size() > max)
        r.fail(t.get(key), Reader::join(path, key),
               "must be 1 to " + std::to_string(max) + " bytes");
    if (std::any_of(v.begin(), v.end(), [](unsigned char c) { return c < 0x20 || c == 0x7F; }))
        r.fail(t.get(key), Reader::join(path, key), "contains a control character");
    return v;
}

// A message id: translated in every language, so no citizen meets an untranslated key.
std::string message(const Reader& r, const Translations& tr, const toml::table& t,
                    const std::string& path, std::string_view key) {
    const std::string id = text(r, t, path, key, 100);
    for (auto lang : kLanguages)
        if (!tr.in(lang).messages.contains(id))
            r.fail(t.get(key), Reader::join(path, key),
                   "\"" + id + "\" has no translation in " + std::string(lang) + ".po");
    return id;
}

std::vector<std::string> texts(const Reader& r, const toml::table& t, const std::string& path,
                               std::string_view key) {
    const toml::array& a = r.array(t, path, key);
    if (a.empty()) r.fail(t.get(key), Reader::join(path, key), "must not be empty");
    std::vector<std::string> out;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const auto v = a[i].value_exact<std::string>();
        if (!v || v->empty() || v->size() > 40 ||
            v->find_first_not_of("0123456789 -+()") != std::string::npos)
            r.fail(&a[i], Reader::item(Reader::join(path, key), i),
                   "must be a phone number: digits, spaces, + - ( )");
        out.push_back(*v);
    }
    return out;
}

// "1414, 8-800-080-7777": numbers as the texts list them.
std::string listed(const std::vector<std::string>& numbers) {
    std::string out;
    for (const auto& n : numbers) out += (out.empty() ? "" : ", ") + n;
    return out;
}

// Section: parts

Deadline read_deadline(const Reader& r, const Translations& tr, const toml::table& t,
                       const std::string& path) {
    r.only(t, path, {"deadline", "days", "law"});
    Deadline d;
    const std::string rule = text(r, t, path, "deadline", 20);
    d.law = message(r, tr, t, path, "law");
    if (rule == "by_law") {
        if (t.get("days"))
            r.fail(t.get("days"), Reader::join(path, "days"),
                   "only with deadline = \"working_days\": a time limit set by law has no figure");
        return d;
    }
    if (rule != "working_days")
        r.fail(t.get("deadline"), Reader::join(path, "deadline"),
               "must be \"working_days\" (with days) or \"by_law\" (no figure in the procedure)");
    d.rule = Deadline::Rule::WorkingDays;
    const auto days = r.value<int64_t>(t, path, "days", "a whole number");
    if (days < 1 || days > kMaxDeadlineDays)
        r.fail(t.get("days"), Reader::join(path, "days"),
               "must be between 1 and " + std::to_string(kMaxDeadlineDays));
    d.days = static_cast<int>(days);
    return d;
}

std::vector<AkimUnit> read_units(const Reader& r, const Translations& tr, const toml::table& root) {
    const toml::array& a = r.array(root, "", "akim_unit");
    if (a.empty()) r.fail(root.get("akim_unit"), "akim_unit", "at least one unit");
    std::vector<AkimUnit> units;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const std::string path = Reader::item("akim_unit", i);
        const toml::table& u = r.table(a[i], path);
        r.only(u, path, {"code", "level", "name"});
        AkimUnit unit{text(r, u, path, "code", 32), text(r, u, path, "level", 20),
                      message(r, tr, u, path, "name")};
        if (unit.code.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") !=
            std::string::npos)
            r.fail(u.get("code"), path + ".code", "only a-z, 0-9 and _");
        if (std::find(std::begin(kLevels), std::end(kLevels), unit.level) == std::end(kLevels))
            r.fail(u.get("level"), path + ".level",
                   "must be \"region\", \"city\", \"district\" or \"rural_district\"");
        if (std::any_of(units.begin(), units.end(),
                        [&](const AkimUnit& o) { return o.code == unit.code; }))
            r.fail(u.get("code"), path + ".code", "\"" + unit.code + "\" twice");
        units.push_back(std::move(unit));
    }
    return units;
}

}  // namespace

// Section: the procedure

const Deadline* Procedure::deadline(Addressee to) const {
    if (to == Addressee::ProviderHead) return &provider_head;
    if (to == Addressee::Akim) return &akim;
    return nullptr;
}

const AkimUnit* Procedure::unit(std::string_view code) const {
    const auto it = std::find_if(akim_units.begin(), akim_units.end(),
                                 [&](const AkimUnit& u) { return u.code == code; });
    return it == akim_units.end() ? nullptr : &*it;
}

std::string addressee_key(const Procedure& p, const Complaint& c) {
    if (c.addressee == Addressee::Akim)
        if (const AkimUnit* u = p.unit(c.akim_unit)) return u->name;
    return "addressee." + std::string(addressee_code(c.addressee));
}

std::string addressee_id(const Complaint& c) {
    std::string id(addressee_code(c.addressee));
    if (c.addressee == Addressee::Akim && !c.akim_unit.empty()) id += ":" + c.akim_unit;
    return id;
}

std::string deadline_short(const Catalog& words, const Deadline& d) {
    return d.rule == Deadline::Rule::ByLaw
               ? words.get("deadline.short.by_law")
               : format(words.get("deadline.short.working_days"), {std::to_string(d.days)});
}

std::string tracking_words(const Catalog& words, const std::string& chancellery_phone) {
    return chancellery_phone.empty()
               ? words.get("tracking.chancellery")
               : format(words.get("tracking.chancellery_phone"), {chancellery_phone});
}

std::string procedure_phones_words(const Catalog& words, const Procedure& p) {
    std::string numbers = listed(p.procedure_phones.numbers);
    if (p.procedure_phones.free) numbers += " " + words.get("phones.free");
    return format(words.get("phones.procedure"), {words.get(p.procedure_phones.who), numbers});
}

std::string further_information_words(const Catalog& words, const Procedure& p) {
    return format(words.get("info.further"), {words.get(p.department), listed(p.department_phones),
                                              words.get(p.department_address)});
}

Procedure load_procedure(const std::filesystem::path& file, const Translations& tr) {
    const Reader r(file.string());
    const toml::table root = r.parse();
    r.only(root, "",
           {"region", "portal", "addressee", "akim_unit", "procedure_phones", "further_information",
            "laws"});
    Procedure p;
    p.file = file.string();

    const toml::table& region = r.table(r.need(root, "", "region"), "region");
    r.only(region, "region", {"name", "website", "website_section"});
    p.region = message(r, tr, region, "region", "name");
    p.website = text(r, region, "region", "website", 100);
    p.website_section = message(r, tr, region, "region", "website_section");

    const toml::table& portal = r.table(r.need(root, "", "portal"), "portal");
    r.only(portal, "portal", {"address"});
    p.portal = text(r, portal, "portal", "address", 100);

    const toml::table& to = r.table(r.need(root, "", "addressee"), "addressee");
    r.only(to, "addressee", {"provider_head", "akim"});
    p.provider_head = read_deadline(
        r, tr, r.table(r.need(to, "addressee", "provider_head"), "addressee.provider_head"),
        "addressee.provider_head");
    p.akim = read_deadline(r, tr, r.table(r.need(to, "addressee", "akim"), "addressee.akim"),
                           "addressee.akim");
    p.akim_units = read_units(r, tr, root);

    const toml::table& phones = r.table(r.need(root, "", "procedure_phones"), "procedure_phones");
    r.only(phones, "procedure_phones", {"who", "numbers", "free"});
    p.procedure_phones = {message(r, tr, phones, "procedure_phones", "who"),
                          texts(r, phones, "procedure_phones", "numbers"),
                          r.value<bool>(phones, "procedure_phones", "free", "true or false")};

    const std::string further_path = "further_information";
    const toml::table& further = r.table(r.need(root, "", further_path), further_path);
    r.only(further, further_path, {"department", "phones", "address"});
    p.department = message(r, tr, further, further_path, "department");
    p.department_phones = texts(r, further, further_path, "phones");
    p.department_address = message(r, tr, further, further_path, "address");

    const toml::table& laws = r.table(r.need(root, "", "laws"), "laws");
    r.only(laws, "laws", {"appeals", "state_services"});
    p.law_appeals = message(r, tr, laws, "laws", "appeals");
    p.law_state_services = message(r, tr, laws, "laws", "state_services");
    return p;
}

std::filesystem::path procedure_file(const std::filesystem::path& assets_dir,
                                     const std::string& region) {
    return assets_dir / "procedure" / (region + ".toml");
}

}  // namespace kiosk
