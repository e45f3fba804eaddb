#include "kiosk/screen.h"

#include "keyboard.h"

#include "kiosk/i18n.h"
#include "kiosk/text.h"

#include <algorithm>

namespace kiosk {
namespace {

// Section: building blocks

struct Builder {
    const Session& s;
    const Flow& f;
    ScreenContent out;

    const std::string& t(std::string_view key) const { return s.t(key); }

    Item& add(Item item) { return out.page.emplace_back(std::move(item)); }
    void text(std::string_view key) {
        add({.kind = Kind::Text, .id = std::string(key), .label = t(key)});
    }
    void notice(std::string id, std::string label, Tone tone, Icon icon = Icon::Info) {
        add({.kind = Kind::Notice,
             .id = std::move(id),
             .label = std::move(label),
             .icon = icon,
             .tone = tone});
    }
    Item action(std::string_view key, Intent intent, Tone tone = Tone::Secondary,
                Icon icon = Icon::None) const {
        return {.kind = Kind::Action,
                .id = std::string(key),
                .label = t(key),
                .icon = icon,
                .tone = tone,
                .intent = std::move(intent)};
    }

    // A choice that was not made says so: "choose one", not "fill in this field".
    std::string error_text(const FieldError& e) const {
        const bool choice = e.field == Field::Addressee || e.field == Field::ServiceCode;
        return t(choice && e.problem == Problem::Missing ? "error.choose" : error_key(e.problem));
    }

    std::string error_of(Field field, int official) const {
        const bool per_official = field == Field::OfficialPosition ||
                                  field == Field::OfficialSurname ||
                                  field == Field::OfficialInitials;
        const auto errors = f.errors_for(field, per_official ? official : -1);
        return errors.empty() ? "" : error_text(errors.front());
    }

    // A text field, its hint, its error, and whether the keyboard types into it.
    void field(Field field, const std::string& value, int official = 0, int lines = 1,
               bool required = true, std::string_view hint = {}) {
        std::string label = t(field_key(field));
        if (!required) label += " " + t("field.optional");
        add({.kind = Kind::Field,
             .id = std::string(field_key(field)) + "#" + std::to_string(official),
             .label = std::move(label),
             .value = value,
             .hint = hint.empty() ? "" : t(hint),
             .error = error_of(field, official),
             .on = f.focus == field && f.focus_official == official,
             .required = required,
             .personal = is_personal(field),
             .lines = lines,
             .intent = {Act::Focus, static_cast<int>(field), official}});
    }

    // Errors without a field of their own (choose one, give one contact) show in the summary
    // and under the screen's content.
    void loose_error(Field field) {
        if (const std::string e = error_of(field, -1); !e.empty())
            notice("error:" + std::string(field_key(field)), e, Tone::Error, Icon::Error);
    }

    void error_summary() {
        if (f.errors.empty()) return;
        Item summary{.kind = Kind::ErrorSummary,
                     .id = "summary:errors",
                     .label = t("error.summary"),
                     .icon = Icon::Error,
                     .tone = Tone::Error};
        for (std::size_t i = 0; i < f.errors.size(); ++i) {
            const FieldError& e = f.errors[i];
            std::string where = t(field_key(e.field));
            if (e.official >= 0 && e.field != Field::Officials)
                where =
                    format(t("officials.number"), {std::to_string(e.official + 1)}) + ", " + where;
            summary.entries.push_back({.kind = Kind::Action,
                                       .id = "error:" + std::to_string(i),
                                       .label = where + ": " + error_text(e),
                                       .intent = {Act::FocusError, static_cast<int>(i)}});
        }
        out.banner.push_back(std::move(summary));
    }
};

const net::Service* chosen_service(const Session& s) {
    const auto& c = s.catalog().services;
    return c && c->ok ? service_of(c->services, s.flow().complaint.service_code) : nullptr;
}

constexpr const char* kStepKeys[] = {"step.addressee", "step.service",  "step.applicant",
                                     "step.officials", "step.grounds",  "step.contact",
                                     "step.review",    "step.signature"};

// Section: screens

// The operators' words for one language.
const std::string& in_language(const OutOfServiceMessage& m, std::string_view lang) {
    return lang == "kk" ? m.kk : lang == "ru" ? m.ru : m.en;
}

// "Mon–Fri 09:00–13:00, 14:00–18:00" a line, as the office's notice board has them.
std::string opening_hours(const Catalog& c, const OfficeHours& h) {
    std::string text = c.get("closed.hours");
    for (const HoursLine& l : hours_lines(h)) {
        text += "\n" + c.get("day.short." + std::to_string(l.first_day));
        if (l.last_day != l.first_day)
            text += "–" + c.get("day.short." + std::to_string(l.last_day));
        text += "  ";
        if (l.spans.empty()) text += c.get("closed.day_off");
        for (std::size_t i = 0; i < l.spans.size(); ++i)
            text += (i ? ", " : "") + clock_text(l.spans[i].from) + "–" + clock_text(l.spans[i].to);
    }
    if (h.closed_on_holidays) text += "\n" + c.get("closed.holidays");
    return text;
}

// "Opens: tomorrow, 09:00"; a day after tomorrow by its name and date.
std::string opening_next(const Catalog& c, const LocalMoment& at) {
    const auto in_days = (at.day - local_today()).count();
    std::string day = in_days == 0   ? c.get("day.today")
                      : in_days == 1 ? c.get("day.tomorrow")
                                     : c.get("day." + std::to_string(monday_first(at.day))) + " " +
                                           day_text(at.day).substr(0, 5);
    return format(c.get("closed.opens"), {day + ", " + clock_text(at.minute)});
}

void attract(Builder& b) {
    // Out of service: said in the three languages, with where to go instead (the operators'
    // words when they closed it, else a specialist of the office), and no way in. Outside
    // office hours: closed, with the hours and when it opens.
    const auto& by_operator = b.s.closed_by_operator();
    const bool broken = b.s.out_of_service() || by_operator;
    const bool after_hours = !broken && b.s.closed_for_hours();
    for (auto lang : kLanguages) {
        const Catalog& c = b.s.office().tr.in(lang);
        std::string hint = by_operator   ? in_language(*by_operator, lang)
                           : broken      ? c.get("attract.out_of_service_hint")
                           : after_hours ? opening_hours(c, b.s.office().config.office_hours)
                                         : c.get("attract.touch");
        if (after_hours && b.s.opens_at()) hint += "\n" + opening_next(c, *b.s.opens_at());
        b.add({.kind = Kind::Text,
               .id = "text:attract:" + std::string(lang),
               .label = c.get(broken        ? "attract.out_of_service"
                              : after_hours ? "closed.title"
                                            : "attract.title"),
               .hint = std::move(hint),
               .language = std::string(lang)});
    }
    if (broken || after_hours) return;
    for (auto lang : kLanguages)
        b.add({.kind = Kind::Action,
               .id = "language:" + std::string(lang),
               .label = b.s.office().tr.in(lang).get("language.name"),
               .icon = Icon::Language,
               .tone = Tone::Primary,
               .language = std::string(lang),
               .intent = {Act::Start, 0, 0, std::string(lang)}});
}

void home(Builder& b) {
    static constexpr std::pair<const char*, Act> tiles[] = {
        {"home.file", Act::FileComplaint},
        {"home.status", Act::CheckStatus},
        {"home.info", Act::HowAppealsWork},
        {"home.assistance", Act::CallSpecialist}};
    static constexpr Icon icons[] = {Icon::File, Icon::Search, Icon::Info, Icon::Help};
    for (int i = 0; i < 4; ++i) {
        const std::string key = tiles[i].first;
        b.add({.kind = Kind::Tile,
               .id = key,
               .label = b.t(key),
               .hint = b.t(key + ".hint"),
               .icon = icons[i],
               .tone = i == 0 ? Tone::Primary : Tone::Secondary,
               .intent = {tiles[i].second}});
    }
}

// How appeals work, from the region's procedure: one paragraph an item, so that a reader (or a
// voice) goes through them one by one.
void info(Builder& b) {
    const Procedure& p = b.s.office().procedure;
    const Catalog& words = b.s.office().tr.in(b.f.language);
    const auto paragraph = [&](std::string id, std::string text) {
        b.add({.kind = Kind::Text, .id = "text:info:" + std::move(id), .label = std::move(text)});
    };
    paragraph("addressees", format(b.t("info.addressees"), {p.portal}));
    paragraph("contents", b.t("info.contents"));
    paragraph("talon", b.t("info.talon"));
    std::string limits = b.t("info.deadlines");
    for (Addressee to : {Addressee::ProviderHead, Addressee::Akim}) {
        const Complaint c{.addressee = to};
        limits += "\n• " + b.t("addressee." + std::string(addressee_code(to))) + ": " +
                  deadline_words(words, b.s.office(), c, std::nullopt);
    }
    paragraph("deadlines", limits);
    paragraph("laws", format(b.t("info.laws"), {b.t(p.law_appeals), b.t(p.law_state_services)}));
    paragraph("help", format(b.t("info.help"), {p.website, b.t(p.website_section)}));
    paragraph("phones", procedure_phones_words(words, p));
    paragraph("tracking", tracking_words(words, b.s.office().config.chancellery_phone));
    paragraph("documents", b.t("info.documents"));
    paragraph("portal", format(b.t("info.portal"), {p.portal}));
    paragraph("further", further_information_words(words, p));
    paragraph("court", b.t("info.court"));
}

void assistance(Builder& b) { b.text("assistance.text"); }

void status(Builder& b) {
    b.text("status.hint");
    b.field(Field::StatusNumber, b.f.status_query);
    b.add(b.action("status.check", {Act::LookUpStatus}, Tone::Primary, Icon::Search));
    if (b.s.looking_up_status())
        b.notice("status.looking", b.t("status.looking"), Tone::Info, Icon::Clock);
    const auto& lines = b.s.results().status;
    if (lines.empty()) return;
    // An answer that is not good news (not found, not reachable, refused) looks like a warning.
    const bool good = lines.front().key == "status.open" || lines.front().key == "status.closed" ||
                      lines.front().key == "status.registered_as" ||
                      lines.front().key == "status.queued";
    Item answer{.kind = Kind::Notice,
                .id = "notice:status",
                .label = format(b.t(lines.front().key), {lines.front().arg}),
                .icon = good ? Icon::Info : Icon::Warning,
                .tone = good ? Tone::Info : Tone::Warning,
                .reveal = true};
    for (std::size_t i = 1; i < lines.size(); ++i)
        answer.rows.push_back({"", format(b.t(lines[i].key), {lines[i].arg})});
    b.add(std::move(answer));
}

// One choice an addressee, the akim once for each unit the procedure names: "which akim" is
// chosen with one touch, not on a screen of its own. Each says its time limit.
void addressee(Builder& b) {
    const Complaint& c = b.f.complaint;
    const Procedure& p = b.s.office().procedure;
    const Catalog& words = b.s.office().tr.in(b.f.language);
    auto choice = [&](Addressee a, const std::string& key, std::string hint,
                      const std::string& unit) {
        b.add({.kind = Kind::Choice,
               .id = unit.empty() ? key : "addressee.akim:" + unit,
               .label = b.t(key),
               .hint = std::move(hint),
               .on = c.addressee == a && c.akim_unit == unit,
               .intent = {Act::ChooseAddressee, static_cast<int>(a), 0, unit}});
    };
    choice(Addressee::ProviderHead, "addressee.provider_head",
           deadline_short(words, p.provider_head), "");
    for (const AkimUnit& u : p.akim_units)
        choice(Addressee::Akim, u.name,
               b.t("akim.level." + u.level) + ". " + deadline_short(words, p.akim), u.code);
    choice(Addressee::EgovPortal, "addressee.egov", b.t("addressee.egov.hint"), "");
    b.loose_error(Field::Addressee);
}

void egov_info(Builder& b) {
    const std::string& portal = b.s.office().procedure.portal;
    b.add({.kind = Kind::Text, .id = "egov.text", .label = format(b.t("egov.text"), {portal})});
    b.add({.kind = Kind::Qr,
           .id = "egov.qr",
           .label = format(b.t("egov.qr"), {portal}),
           .value = "https://" + portal});
}

void service(Builder& b) {
    const auto& catalog = b.s.catalog().services;
    if (!catalog) {
        b.notice("service.loading", b.t("service.loading"), Tone::Info, Icon::Clock);
    } else if (!catalog->ok) {
        b.notice("service.unavailable", b.t("service.unavailable"), Tone::Warning, Icon::Warning);
    } else if (catalog->services.empty()) {
        b.notice("service.none", b.t("service.none"), Tone::Warning, Icon::Warning);
    } else {
        for (const auto& s : catalog->services)
            b.add({.kind = Kind::Choice,
                   .id = "service:" + s.code,
                   .label = service_name(s, b.f.language),
                   .hint = provider_name(s, b.f.language),
                   .on = b.f.complaint.service_code == s.code,
                   .intent = {Act::ChooseService, 0, 0, s.code}});
    }
    b.loose_error(Field::ServiceCode);
    b.field(Field::ServiceDate, b.f.complaint.service_date, 0, 1, false, "hint.service_date");
}

void applicant(Builder& b) {
    const Complaint& c = b.f.complaint;
    b.field(Field::Surname, c.surname);
    b.field(Field::FirstName, c.first_name);
    b.field(Field::Patronymic, c.patronymic, 0, 1, false, "hint.patronymic");
    b.field(Field::Iin, c.iin, 0, 1, true, "hint.iin");
    b.field(Field::PostalAddress, c.postal_address, 0, 2, true, "hint.postal_address");
}

void officials(Builder& b) {
    b.text("officials.hint");
    const auto& list = b.f.complaint.officials;
    for (int i = 0; i < static_cast<int>(list.size()); ++i) {
        b.add({.kind = Kind::Heading,
               .id = "heading:official#" + std::to_string(i),
               .label = format(b.t("officials.number"), {std::to_string(i + 1)})});
        b.field(Field::OfficialPosition, list[i].position, i);
        b.field(Field::OfficialSurname, list[i].surname, i);
        b.field(Field::OfficialInitials, list[i].initials, i, 1, true, "hint.initials");
        if (list.size() > 1) {
            Item remove = b.action("officials.remove", {Act::RemoveOfficial, i}, Tone::Secondary,
                                   Icon::Remove);
            remove.id += "#" + std::to_string(i);
            b.add(std::move(remove));
        }
    }
    b.loose_error(Field::Officials);
    if (list.size() < Limits::officials)
        b.add(b.action("officials.add", {Act::AddOfficial}, Tone::Secondary, Icon::Add));
}

void grounds(Builder& b) {
    b.text("grounds.hint");
    b.add({.kind = Kind::Heading, .id = "grounds.common", .label = b.t("grounds.common")});
    static constexpr const char* common[] = {"ground.deadline",  "ground.refusal",
                                             "ground.documents", "ground.conduct",
                                             "ground.error",     "ground.fee"};
    for (const char* key : common)
        b.add({.kind = Kind::Template,
               .id = key,
               .label = b.t(key),
               .icon = Icon::Add,
               .on = b.f.complaint.grounds.find(b.t(key)) != std::string::npos,
               .intent = {Act::AddGround, 0, 0, key}});
    b.field(Field::Grounds, b.f.complaint.grounds, 0, 4, true, "hint.grounds");
    b.field(Field::Demands, b.f.complaint.demands, 0, 3, true, "hint.demands");
}

void contact(Builder& b) {
    b.text("contact.hint");
    // One of the two is needed (the hint says so): each is required while the other is empty.
    const Complaint& c = b.f.complaint;
    b.field(Field::Phone, c.phone, 0, 1, c.email.empty(), "hint.phone");
    b.field(Field::Email, c.email, 0, 1, c.phone.empty());
    b.loose_error(Field::Contact);
}

// Check your answers: one card per step, each with "Change" that opens the step.
void review(Builder& b) {
    const Complaint& c = b.f.complaint;
    auto card = [&](int step, std::vector<Row> rows) {
        std::erase_if(rows, [](const Row& r) { return r.value.empty(); });
        Item item{.kind = Kind::Card,
                  .id = "card:step#" + std::to_string(step),
                  .label = b.t(kStepKeys[step - 1]),
                  .value = b.t("review.change"),
                  .icon = Icon::Edit,
                  .intent = {Act::Change, step},
                  .rows = std::move(rows)};
        b.add(std::move(item));
    };
    auto row = [&](Field f, std::string value) {
        return Row{b.t(field_key(f)), std::move(value), is_personal(f)};
    };
    card(1, {row(Field::Addressee, b.t(addressee_key(b.s.office().procedure, c)))});
    const net::Service* sv = chosen_service(b.s);
    card(2, {row(Field::ServiceCode, sv ? service_name(*sv, b.f.language) : c.service_code),
             {b.t("review.provider"), sv ? provider_name(*sv, b.f.language) : ""},
             row(Field::ServiceDate, c.service_date)});
    card(3, {row(Field::Surname, c.surname), row(Field::FirstName, c.first_name),
             row(Field::Patronymic, c.patronymic), row(Field::Iin, c.iin),
             row(Field::PostalAddress, c.postal_address)});
    std::vector<Row> officials;
    for (std::size_t i = 0; i < c.officials.size(); ++i) {
        const Official& o = c.officials[i];
        officials.push_back({format(b.t("officials.number"), {std::to_string(i + 1)}),
                             o.position + ", " + o.surname + " " + o.initials,
                             is_personal(Field::OfficialSurname)});
    }
    card(4, std::move(officials));
    card(5, {row(Field::Grounds, c.grounds), row(Field::Demands, c.demands)});
    card(6, {row(Field::Phone, normalized_phone(c.phone)), row(Field::Email, c.email)});
    b.add({.kind = Kind::Text,
           .id = "text:filed_on",
           .label = format(b.t("review.filed_on"), {day_text(local_today())})});
    b.add({.kind = Kind::Switch,
           .id = "review.consent",
           .label = b.t("review.consent"),
           .error = b.error_of(Field::Consent, -1),
           .on = c.consent,
           .required = true,
           .intent = {Act::Consent}});
}

void signature(Builder& b) {
    b.text("signature.hint");
    b.add({.kind = Kind::SignaturePad,
           .id = "signature:pad",
           .label = b.t("field.signature"),
           .error = b.error_of(Field::Signature, -1),
           .on = !b.f.complaint.signature.empty() || b.f.complaint.signed_with_keypad});
    // Who cannot see the pad confirms with the keypad instead (said so to the register).
    if (b.f.speech.on || b.f.complaint.signed_with_keypad) {
        Item keypad =
            b.action("signature.keypad", {Act::SignWithKeypad}, Tone::Secondary, Icon::Tick);
        keypad.on = b.f.complaint.signed_with_keypad;
        if (keypad.on) keypad.label = b.t("signature.keypad_done");
        b.add(std::move(keypad));
    }
    b.add(b.action("signature.clear", {Act::ClearSignature}, Tone::Secondary, Icon::Remove));
}

void submitting(Builder& b) {
    b.add({.kind = Kind::Progress,
           .id = "progress:submitting",
           .label = b.t("submitting.text"),
           .icon = Icon::Send});
}

// The confirmation panel: the number in large type, what happens next, and the way out.
void done(Builder& b, Clock::time_point now) {
    const Flow& f = b.f;
    const CitizenResults& r = b.s.results();
    Item panel{.kind = Kind::Panel,
               .id = "panel:done",
               .label = b.t("done.title"),
               .value = f.registration_number,
               .hint = b.t(f.offline ? "done.local_number" : "done.number"),
               .icon = Icon::Tick,
               .tone = Tone::Success};
    b.add(std::move(panel));
    Item next{.kind = Kind::Card, .id = "card:next", .label = b.t("done.next")};
    next.rows.push_back(
        {b.t("talon.addressee"), b.t(addressee_key(b.s.office().procedure, f.complaint))});
    if (const std::string due = deadline_words(b.s.office().tr.in(f.language), b.s.office(),
                                               f.complaint, r.registered_at);
        !due.empty())
        next.rows.push_back({b.t("done.expected"), due});
    std::string contact = normalized_phone(f.complaint.phone);
    if (!f.complaint.email.empty()) contact += (contact.empty() ? "" : ", ") + f.complaint.email;
    next.rows.push_back({b.t("done.answer_to"), contact, true});
    next.rows.push_back(
        {b.t("done.progress"),
         tracking_words(b.s.office().tr.in(f.language), b.s.office().config.chancellery_phone)});
    b.add(std::move(next));
    if (f.offline && !r.number_note.empty())
        b.notice(r.number_note, b.t(r.number_note), Tone::Info, Icon::Clock);
    if (r.print_problem.empty()) {
        b.notice("done.talon", b.t("done.talon"), Tone::Success, Icon::Print);
    } else {
        b.notice("notice:print_problem", b.t(r.print_problem), Tone::Warning, Icon::Warning);
        b.notice("print.keep_number", b.t("print.keep_number"), Tone::Warning, Icon::Warning);
    }
    const int left = b.s.done_seconds_left(now);
    b.add({.kind = Kind::Countdown,
           .id = "countdown:done",
           .label = format(b.t("done.closes"), {std::to_string(left)}),
           .value = std::to_string(left)});
}

void failed(Builder& b) { b.notice("notice:failed", b.t(b.f.failure), Tone::Error, Icon::Error); }

// Service mode's duty screen, the one staff screen with content: the shift's name typed on the
// citizen's keyboard (its layouts too), drawn like a citizen's step.
void service_duty(Builder& b) {
    const ServiceState& s = b.f.service;
    b.add({.kind = Kind::Text,
           .id = "text:duty_now",
           .label = format(b.t("staff.duty_specialist"), {b.s.office().duty.name()})});
    b.field(Field::DutySpecialist, s.duty_name, 0, 1, true, "staff.duty_hint");
    if (!s.duty_problem.empty()) b.out.page.back().error = b.t(s.duty_problem);
    if (s.busy) b.notice("notice:duty_saving", b.t("staff.busy"), Tone::Info, Icon::Clock);
    b.out.footer.push_back(b.action("staff.duty_cancel",
                                    {Act::StaffOpen, static_cast<int>(Screen::ServiceHome)},
                                    Tone::Secondary, Icon::Back));
    b.out.footer.push_back(b.action("staff.duty_save", {Act::DutySave}, Tone::Primary, Icon::Tick));
    b.out.keyboard = true;
    b.out.keys = keyboard_keys(b.s);
}

// Section: around the page

void footer(Builder& b) {
    const Flow& f = b.f;
    auto& out = b.out.footer;
    const int step = f.step();
    const bool help_asked = f.assistance_at.has_value();
    auto help = [&] {
        // Called already: said in words and a tick, but quiet beside the way on.
        Item h = b.action(help_asked ? "help.called" : "nav.help",
                          {help_asked ? Act::StillHere : Act::Help}, Tone::Secondary,
                          help_asked ? Icon::Tick : Icon::Help);
        h.id = "nav.help";
        return h;
    };
    switch (f.screen) {
    case Screen::Attract: return;
    case Screen::Home:
        out.push_back(b.action("nav.exit", {Act::Back}, Tone::Secondary, Icon::Close));
        return;
    case Screen::Info:
    case Screen::Assistance:
    case Screen::Status:
        out.push_back(b.action("nav.home", {Act::Home}, Tone::Secondary, Icon::Home));
        return;
    case Screen::EgovInfo:
        out.push_back(b.action("nav.back", {Act::Back}, Tone::Secondary, Icon::Back));
        out.push_back(b.action("done.finish", {Act::Finish}, Tone::Primary, Icon::Tick));
        return;
    case Screen::Done:
        out.push_back(b.action("done.finish", {Act::Finish}, Tone::Primary, Icon::Tick));
        return;
    case Screen::Failed:
        out.push_back(b.action("done.finish", {Act::Finish}, Tone::Secondary, Icon::Close));
        out.push_back(b.action("failed.retry", {Act::Retry}, Tone::Primary, Icon::Send));
        out.push_back(help());
        return;
    case Screen::Submitting: return;
    default: break;
    }
    if (step == 0) return;
    out.push_back(b.action("nav.back", {Act::Back}, Tone::Secondary, Icon::Back));
    const bool last = f.screen == Screen::Signature;
    const char* next = last ? "nav.submit" : f.back_to_review ? "nav.to_review" : "nav.next";
    Item n = b.action(next, {Act::Next}, Tone::Primary, last ? Icon::Send : Icon::Next);
    n.id = "nav.next";
    out.push_back(std::move(n));
    out.push_back(b.action("nav.cancel", {Act::Cancel}, Tone::Secondary, Icon::Cancel));
    out.push_back(help());
}

void access(Builder& b) {
    const Flow& f = b.f;
    if (f.screen == Screen::Attract) return;
    auto& out = b.out.access;
    if (!f.in_service()) {  // staff get their language, no more
        if (b.s.speech_available())
            out.push_back({.kind = Kind::Switch,
                           .id = "access.speech",
                           .label = b.t("access.speech"),
                           .icon = Icon::Speech,
                           .on = f.speech.on,
                           .intent = {Act::Speech}});
        out.push_back({.kind = Kind::Switch,
                       .id = "access.large_text",
                       .label = b.t("access.large_text"),
                       .icon = Icon::Text,
                       .on = f.large_text,
                       .intent = {Act::LargeText}});
        out.push_back({.kind = Kind::Switch,
                       .id = "access.contrast",
                       .label = b.t("access.contrast"),
                       .icon = Icon::Contrast,
                       .on = f.high_contrast,
                       .intent = {Act::Contrast}});
    }
    for (auto lang : kLanguages)
        out.push_back({.kind = Kind::Choice,
                       .id = "header.language:" + std::string(lang),
                       .label = b.s.office().tr.in(lang).get("language.short"),
                       .hint = b.s.office().tr.in(lang).get("language.name"),
                       .on = f.language == lang,
                       .language = std::string(lang),
                       .intent = {Act::Language, 0, 0, std::string(lang)}});
}

void dialog(Builder& b, Clock::time_point now) {
    const Flow& f = b.f;
    auto& out = b.out.dialog;
    const Idle idle = b.s.idle(now);
    if (idle.state == Idle::Warning) {
        out.push_back({.kind = Kind::Heading, .id = "idle.title", .label = b.t("idle.title")});
        out.push_back({.kind = Kind::Countdown,
                       .id = "countdown:idle",
                       .label = format(b.t("idle.countdown"), {std::to_string(idle.seconds_left)}),
                       .value = std::to_string(idle.seconds_left)});
        out.push_back(b.action("idle.continue", {Act::StillHere}, Tone::Primary, Icon::Tick));
    } else if (f.cancel_asked) {
        out.push_back({.kind = Kind::Heading, .id = "cancel.title", .label = b.t("cancel.title")});
        out.push_back({.kind = Kind::Text, .id = "cancel.text", .label = b.t("cancel.text")});
        out.push_back(b.action("cancel.keep", {Act::KeepGoing}, Tone::Primary, Icon::Back));
        out.push_back(
            b.action("cancel.confirm", {Act::CancelConfirmed}, Tone::Secondary, Icon::Cancel));
    }
}

}  // namespace

ScreenContent screen_content(const Session& s, Clock::time_point now) {
    const Flow& f = s.flow();
    Builder b{s, f, {}};
    ScreenContent& out = b.out;
    const std::string screen_key = [&]() -> std::string {
        switch (f.screen) {
        case Screen::Attract: return "attract";
        case Screen::Home: return "home";
        case Screen::Info: return "info";
        case Screen::Assistance: return "assistance";
        case Screen::Status: return "status";
        case Screen::Addressee: return "addressee";
        case Screen::EgovInfo: return "egov";
        case Screen::Service: return "service";
        case Screen::Applicant: return "applicant";
        case Screen::Officials: return "officials";
        case Screen::Grounds: return "grounds";
        case Screen::Contact: return "contact";
        case Screen::Review: return "review";
        case Screen::Signature: return "signature";
        case Screen::Submitting: return "submitting";
        case Screen::Done: return "done";
        case Screen::Failed: return "failed";
        case Screen::ServiceLogin: return "staff.login_title";
        case Screen::ServiceHome: return "staff.title";
        case Screen::ServiceReprint: return "staff.reprint_title";
        case Screen::ServiceLog: return "staff.log_title";
        case Screen::ServiceDuty: return "staff.duty_title";
        case Screen::ServiceUpdate: return "staff.update_title";
        }
        return "home";
    }();
    out.title =
        f.screen == Screen::Done ? "" : s.t(f.in_service() ? screen_key : screen_key + ".title");
    if (f.in_service()) {
        if (f.screen == Screen::ServiceDuty) service_duty(b);
        access(b);
        return out;
    }
    out.current_step = f.step();
    for (const char* key : kStepKeys) out.steps.push_back(s.t(key));
    if (out.current_step > 0)
        out.step = format(s.t("nav.step"),
                          {std::to_string(out.current_step), std::to_string(Flow::step_count())}) +
                   ": " + out.steps[out.current_step - 1];
    // A specialist on the way, from any screen but the one that says it already.
    if (f.assistance_at && f.screen != Screen::Attract) {
        Item told{.kind = Kind::Notice,
                  .id = "notice:help",
                  .label = format(s.t("help.told"), {local_time(*f.assistance_at, "%H:%M")}),
                  .icon = Icon::Help,
                  .tone = Tone::Info};
        told.entries.push_back(
            b.action("help.cancel", {Act::CancelHelp}, Tone::Secondary, Icon::Close));
        out.banner.push_back(std::move(told));
    }
    // Speech on the loudspeaker says the citizen's data as "entered", unless they allow it.
    if (f.speech.on && !f.speech.headset && f.screen != Screen::Attract && s.speech_available()) {
        Item aloud{.kind = Kind::Notice,
                   .id = "notice:speech",
                   .label = s.t(f.speech.aloud ? "speech.aloud_on" : "speech.aloud_off"),
                   .icon = Icon::Speech,
                   .tone = Tone::Info};
        aloud.entries.push_back(b.action(f.speech.aloud ? "speech.quiet" : "speech.aloud",
                                         {Act::SpeakAloud}, Tone::Secondary, Icon::Speech));
        out.banner.push_back(std::move(aloud));
    }
    b.error_summary();
    switch (f.screen) {
    case Screen::Attract: attract(b); break;
    case Screen::Home: home(b); break;
    case Screen::Info: info(b); break;
    case Screen::Assistance: assistance(b); break;
    case Screen::Status: status(b); break;
    case Screen::Addressee: addressee(b); break;
    case Screen::EgovInfo: egov_info(b); break;
    case Screen::Service: service(b); break;
    case Screen::Applicant: applicant(b); break;
    case Screen::Officials: officials(b); break;
    case Screen::Grounds: grounds(b); break;
    case Screen::Contact: contact(b); break;
    case Screen::Review: review(b); break;
    case Screen::Signature: signature(b); break;
    case Screen::Submitting: submitting(b); break;
    case Screen::Done: done(b, now); break;
    case Screen::Failed: failed(b); break;
    default: break;
    }
    footer(b);
    access(b);
    dialog(b, now);
    const auto fields = fields_of(f.screen);
    out.keyboard =
        f.focused_text() && std::find(fields.begin(), fields.end(), f.focus) != fields.end();
    if (out.keyboard) out.keys = keyboard_keys(s);
    return out;
}

}  // namespace kiosk
