#include "kiosk/submission.h"
#include "kiosk/catalog.h"
#include "kiosk/journal.h"

#include "kiosk/text.h"

#include <printer/cups.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <random>
#include <thread>
#include <unistd.h>

namespace kiosk {

// Section: signature

namespace {

// Relative path commands on a 1000x400 grid: "M12 30l3 -1 4 0...".
std::string svg_paths(const std::vector<SignatureStroke>& strokes, std::size_t every) {
    std::string d;
    for (const auto& stroke : strokes) {
        int px = 0, py = 0;
        for (std::size_t i = 0; i < stroke.size(); ++i) {
            if (i % every != 0 && i + 1 != stroke.size()) continue;
            const int x = static_cast<int>(std::lround(std::clamp(stroke[i].x, 0.f, 1.f) * 1000));
            const int y = static_cast<int>(std::lround(std::clamp(stroke[i].y, 0.f, 1.f) * 400));
            d += i == 0 ? "M" + std::to_string(x) + ' ' + std::to_string(y)
                        : "l" + std::to_string(x - px) + ' ' + std::to_string(y - py);
            px = x, py = y;
        }
    }
    return d;
}

}  // namespace

std::string signature_svg(const std::vector<SignatureStroke>& strokes) {
    std::string d = svg_paths(strokes, 1);
    for (std::size_t every = 2; d.size() > 7000 && every < 64; every *= 2)
        d = svg_paths(strokes, every);
    return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 1000 400\">"
           "<path fill=\"none\" stroke=\"#000\" stroke-width=\"6\" stroke-linecap=\"round\" d=\"" +
           d + "\"/></svg>";
}

// Section: the Open311 request

namespace {

// "kk / ru" words for a key, in the talon's languages, `arg` in each one's "{}".
std::string words(const Translations& tr, const std::vector<std::string_view>& langs,
                  std::string_view key, std::string_view arg = {}) {
    std::string out;
    for (auto lang : langs) {
        const std::string w = format(tr.in(lang).get(key), {arg});
        if (out == w) continue;  // same word in both languages: print once
        if (!out.empty()) out += " / ";
        out += w;
    }
    return out;
}

// One of the complaint's attributes (kComplaintAttributes): its values, and the line that
// carries it in the description when the register defines no attribute for it ("" for what
// needs none: the grounds are the description already, the signature's image is no text).
struct Part {
    std::string_view name;
    std::vector<std::string> values;
    bool multi_value = false;
    std::string line;
};

bool defines(const net::ServiceDefinition& d, const std::string& code) {
    return std::any_of(
        d.attributes.begin(), d.attributes.end(),
        [&](const net::ServiceAttribute& a) { return a.variable && a.code == code; });
}

std::vector<Part> parts_of(const Complaint& c, const Translations& tr, const Procedure& procedure,
                           std::string_view language,
                           std::chrono::system_clock::time_point filed_at) {
    const std::vector<std::string_view> langs = {"kk", "ru"};
    const auto label = [&](std::string_view key, const std::string& value) {
        return value.empty() ? std::string() : words(tr, langs, key) + ": " + value;
    };
    std::vector<Part> parts = {
        {"addressee",
         {std::string(addressee_code(c.addressee))},
         false,
         label("field.addressee", words(tr, langs, addressee_key(procedure, c)))},
        // The line above names the unit already.
        {"addressee_unit", {c.akim_unit}, false, ""},
        {"service_date", {c.service_date}, false, label("field.service_date", c.service_date)},
        {"patronymic", {c.patronymic}, false, label("field.patronymic", c.patronymic)},
        {"iin", {c.iin}, false, label("field.iin", c.iin)},
        {"postal_address",
         {c.postal_address},
         false,
         label("field.postal_address", c.postal_address)},
    };
    Part position{"officials_position", {}, true, ""}, surname{"officials_surname", {}, true, ""},
        initials{"officials_initials", {}, true, ""};
    std::string officials;
    for (const auto& o : c.officials) {
        position.values.push_back(o.position);
        surname.values.push_back(o.surname);
        initials.values.push_back(o.initials);
        officials +=
            (officials.empty() ? "" : "; ") + o.position + ", " + o.surname + " " + o.initials;
    }
    // One line for the officials, carried by the first of their three attributes.
    position.line = label("field.officials", officials);
    parts.insert(parts.end(), {position, surname, initials});
    const std::string filed = local_time(filed_at, "%d.%m.%Y %H:%M");
    parts.insert(
        parts.end(),
        {
            {"grounds", {c.grounds}, false, ""},
            {"demands", {c.demands}, false, label("field.demands", c.demands)},
            {"consent",
             {c.consent ? "true" : "false"},
             false,
             c.consent ? words(tr, langs, "register.consent_given") : ""},
            {"filed_at", {iso8601(filed_at)}, false, words(tr, langs, "review.filed_on", filed)},
            {"language", {std::string(language)}, false, ""},
            {"signature_svg", {signature_svg(c.signature)}, false, ""},
            {"signature_method",
             {c.signed_with_keypad ? "keypad" : "drawn"},
             false,
             words(tr, langs,
                   c.signed_with_keypad ? "signature.keypad_done" : "register.signed_drawn")},
        });
    return parts;
}

}  // namespace

net::ServiceRequest to_service_request(const Complaint& c, const Config& cfg,
                                       const Translations& tr, const Procedure& procedure,
                                       std::string_view language,
                                       std::chrono::system_clock::time_point filed_at,
                                       std::string idempotency_key,
                                       const net::ServiceDefinition* definition) {
    net::ServiceRequest rq;
    rq.service_code = c.service_code;
    rq.address_string = cfg.office_address;
    rq.description = c.grounds;  // at most 3,000 characters, inside Open311's 4,000
    rq.device_id = cfg.kiosk_id;
    rq.first_name = c.first_name;
    rq.last_name = c.surname;
    rq.phone = normalized_phone(c.phone);
    rq.email = c.email;
    rq.idempotency_key = std::move(idempotency_key);
    std::string lines;
    for (auto& part : parts_of(c, tr, procedure, language, filed_at)) {
        const bool empty = std::all_of(part.values.begin(), part.values.end(),
                                       [](const std::string& v) { return v.empty(); });
        if (empty && !part.multi_value) continue;
        const std::string code = attribute_code(cfg, part.name);
        if (definition && defines(*definition, code))
            rq.attributes.push_back({code, std::move(part.values), part.multi_value});
        else if (!part.line.empty())
            lines += "\n" + part.line;
    }
    // What the register has no attribute for follows the grounds, so nothing is dropped.
    if (!lines.empty()) rq.description += "\n" + lines;
    return rq;
}

// Section: configuration of delivery

net::RegisterEndpoint register_endpoint(const Config& cfg) {
    net::RegisterEndpoint ep;
    ep.base_url = cfg.register_url;
    ep.ca_file = cfg.register_ca.string();
    ep.client_cert = cfg.client_cert.string();
    ep.client_key = cfg.client_key.string();
    ep.api_key = cfg.api_key;
    ep.jurisdiction_id = cfg.jurisdiction_id;
    ep.format = cfg.register_format == "xml" ? net::Format::Xml : net::Format::Json;
    ep.connect_timeout_ms = cfg.connect_timeout_s * 1000L;
    ep.total_timeout_ms = cfg.total_timeout_s * 1000L;
    return ep;
}

RetryPolicy retry_policy(const Config& cfg) {
    return {std::chrono::seconds(cfg.retry_first_s), std::chrono::seconds(cfg.retry_max_s)};
}

PersonalDataPolicy personal_data_policy(const Config& cfg) {
    return {std::chrono::hours(cfg.retention_hours), std::chrono::hours(cfg.reprint_hours),
            cfg.spool_dir};
}

std::filesystem::path outbox_file(const Config& cfg) { return cfg.state_dir / "outbox.sqlite"; }

// Section: the talon

std::optional<std::chrono::sys_days> expected_answer_day(const WorkingDayCalendar& calendar,
                                                         const Deadline& deadline,
                                                         WallClock::time_point registered_at) {
    if (deadline.rule != Deadline::Rule::WorkingDays) return std::nullopt;
    // A date the calendar does not cover is left off rather than guessed; start-up checks the
    // coverage.
    try {
        return calendar.add_working_days(local_day(registered_at), deadline.days);
    } catch (const CalendarError& e) {
        log(Priority::Error, "talon", "expected answer date: %s", e.what());
        return std::nullopt;
    }
}

std::string day_text(std::chrono::sys_days day) {
    const std::chrono::year_month_day d{day};
    char text[16];
    std::snprintf(text, sizeof text, "%02u.%02u.%04d", static_cast<unsigned>(d.day()),
                  static_cast<unsigned>(d.month()), static_cast<int>(d.year()));
    return text;
}

std::string deadline_words(const Catalog& words, const Backoffice& office, const Complaint& c,
                           std::optional<WallClock::time_point> registered_at) {
    const Deadline* d = office.procedure.deadline(c.addressee);
    if (!d) return "";
    const std::string& law = words.get(d->law);
    if (d->rule == Deadline::Rule::ByLaw) return format(words.get("deadline.by_law"), {law});
    const std::string days = std::to_string(d->days);
    // The term runs from registration: not registered yet, there is no date to give.
    const auto due =
        registered_at ? expected_answer_day(office.calendar, *d, *registered_at) : std::nullopt;
    if (!due) return format(words.get("deadline.from_registration"), {days, law});
    return format(words.get("deadline.until"), {day_text(*due), days, law});
}

namespace {

// One phrase a language, for a label the printer keeps whole.
std::vector<std::string> phrases(const Translations& tr, const std::vector<std::string_view>& langs,
                                 std::string_view key) {
    std::vector<std::string> out;
    for (auto lang : langs) out.push_back(tr.in(lang).get(key));
    return out;
}

// A value in each language, one a paragraph (identical ones once).
template <class Words>
std::string per_language(const std::vector<std::string_view>& langs, Words&& in) {
    std::string out;
    for (auto lang : langs) {
        const std::string w = in(lang);
        if (w.empty() || out == w || out.ends_with("\n" + w)) continue;
        out += (out.empty() ? "" : "\n") + w;
    }
    return out;
}

}  // namespace

printer::Talon make_talon(const Complaint& c, const Backoffice& office, std::string_view language,
                          const OutboxItem& item, const net::Service* service,
                          std::optional<WallClock::time_point> registered_at) {
    const Config& cfg = office.config;
    const Translations& tr = office.tr;
    std::vector<std::string_view> langs = {"kk", "ru"};
    if (language == "en") langs.push_back("en");
    const auto each = [&](auto&& in) { return per_language(langs, in); };
    const bool offline = item.registration_number.empty();
    printer::Talon t;
    t.office = cfg.office;
    for (auto lang : langs) t.title.push_back(tr.in(lang).get("talon.title"));
    t.number_label = phrases(tr, langs, offline ? "talon.local_number" : "talon.number");
    t.number = offline ? item.local_number : item.registration_number;
    // Taken without a number (a blackbox service): the local number is the complaint's for good.
    if (offline)
        t.number_note = words(
            tr, langs,
            item.state == Delivery::Delivered ? "talon.delivered_note" : "talon.offline_note");
    const TalonFacts facts{t.number, local_time(item.accepted_at, "%d.%m.%Y %H:%M"), cfg.kiosk_id,
                           addressee_id(c), surname_and_initials(c)};
    const std::string duty = office.duty.name();
    t.lines = {{phrases(tr, langs, "talon.accepted_at"), facts.accepted_at}};
    if (service) {
        t.lines.push_back({phrases(tr, langs, "talon.service"),
                           each([&](auto lang) { return service_name(*service, lang); })});
        t.lines.push_back({phrases(tr, langs, "talon.provider"),
                           each([&](auto lang) { return provider_name(*service, lang); })});
    }
    t.lines.push_back({phrases(tr, langs, "talon.addressee"),
                       words(tr, langs, addressee_key(office.procedure, c))});
    t.lines.push_back({phrases(tr, langs, "talon.applicant"), facts.applicant});
    t.lines.push_back(
        {phrases(tr, langs, "talon.accepted_by"), each([&](auto lang) {
             return format(tr.in(lang).get("talon.accepted_through"), {cfg.kiosk_id, duty});
         })});
    if (office.procedure.deadline(c.addressee))
        t.lines.push_back({phrases(tr, langs, "talon.deadline"), each([&](auto lang) {
                               return deadline_words(tr.in(lang), office, c, registered_at);
                           }),
                           true});
    if (office.signer) {
        const std::string code = office.signer->code(facts);
        t.lines.push_back({phrases(tr, langs, "talon.code"), code});
        if (!cfg.public_status_url.empty()) {
            t.qr_url = talon_url(cfg.public_status_url, facts, code);
            t.qr_caption = talon_url_caption(cfg.public_status_url, t.number);
        }
    }
    for (auto lang : langs) t.footer.push_back(tracking_words(tr.in(lang), cfg.chancellery_phone));
    for (auto lang : langs)
        t.footer.push_back(procedure_phones_words(tr.in(lang), office.procedure));
    for (auto lang : langs) t.footer.push_back(tr.in(lang).get("talon.court"));
    return t;
}

printer::Talon make_test_talon(const Backoffice& office, WallClock::time_point now) {
    const std::vector<std::string_view> langs = {"kk", "ru"};
    printer::Talon t;
    t.office = office.config.office;
    t.title = {words(office.tr, langs, "staff.test_talon")};
    t.number_label = phrases(office.tr, langs, "talon.kiosk");
    t.number = office.config.kiosk_id;
    t.lines = {
        {phrases(office.tr, langs, "talon.accepted_at"), local_time(now, "%d.%m.%Y %H:%M")},
        {phrases(office.tr, langs, "staff.paper"), std::to_string(office.paper.remaining())}};
    return t;
}

printer::TalonStyle talon_style(const Config& cfg) {
    const auto font = cfg.assets_dir / "fonts" / "KioskSans.ttf";
    return cfg.paper == "a4" ? printer::TalonStyle::a4(font) : printer::TalonStyle::roll80(font);
}

// Section: printing

PrintOutcome print_talon(const Backoffice& office, const std::filesystem::path& talon,
                         const std::string& job_name, std::stop_token stop) {
    const Config& cfg = office.config;
    if (cfg.printer_target.empty()) return {};
    const auto r = printer::print_pdf(cfg.printer_target, talon, job_name,
                                      std::chrono::seconds(cfg.print_timeout_s), std::move(stop));
    if (r.outcome == printer::PrintResult::Outcome::Stopped) {
        log(Priority::Notice, "printer", "printer: %s", r.error.c_str());
        return {"print.failed", r.error, false, true};
    }
    std::string detail = r.error;
    for (const auto& reason : r.status.reasons) detail += (detail.empty() ? "" : " ") + reason;
    if (r.outcome == printer::PrintResult::Outcome::Completed) {
        office.paper.record_printed();
        if (office.paper.low() || r.status.media_low)
            log(Priority::Warning, "paper", "printer: paper low (%d talons left)",
                office.paper.remaining());
        return {.printed = true};
    }
    const auto& st = r.status;
    const char* problem = st.media_empty ? "print.no_paper"
                          : st.media_jam ? "print.jam"
                          : st.offline || r.outcome == printer::PrintResult::Outcome::Unreachable
                              ? "print.offline"
                              : "print.failed";
    log(Priority::Error, "printer", "printer: %s: %s", problem, detail.c_str());
    return {problem, detail};
}

// Section: background submission

namespace {

// Until the register numbered it, refused it, or the first attempt failed (offline), or the
// citizen has waited long enough.
OutboxItem wait_for_answer(const Outbox& outbox, std::int64_t id, std::chrono::seconds patience,
                           const std::stop_token& stop) {
    const auto deadline = std::chrono::steady_clock::now() + patience;
    for (;;) {
        OutboxItem item = *outbox.find(id);
        const bool tried = item.attempts > 0 && item.state == Delivery::Queued;
        if (item.state == Delivery::Registered || item.state == Delivery::Delivered ||
            item.state == Delivery::NeedsStaff || tried ||
            std::chrono::steady_clock::now() >= deadline || stop.stop_requested())
            return item;
        std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
}

}  // namespace

std::future<SubmissionResult> submit_in_background(Complaint c, const Backoffice& office,
                                                   std::string language,
                                                   std::string idempotency_key,
                                                   std::stop_token stop,
                                                   std::optional<net::ServiceDefinition> definition,
                                                   std::optional<net::Service> service) {
    return std::async(std::launch::async, [c = std::move(c), &office, language, idempotency_key,
                                           stop = std::move(stop),
                                           definition = std::move(definition),
                                           service = std::move(service)]() mutable {
        const Config& cfg = office.config;
        SubmissionResult out;
        try {
            Outbox outbox(outbox_file(cfg), cfg.kiosk_id);
            const auto request =
                to_service_request(c, cfg, office.tr, office.procedure, language, WallClock::now(),
                                   idempotency_key, definition ? &*definition : nullptr);
            out.item = outbox.enqueue(request, WallClock::now());
            out.accepted = true;
            office.delivery.wake();
            out.item =
                wait_for_answer(outbox, out.item.id, std::chrono::seconds(cfg.answer_wait_s), stop);
            // Numbered just now: the time limit runs from here, on the talon and the screen.
            if (out.item.state == Delivery::Registered) out.registered_at = WallClock::now();
            const std::string name = "talon-" + out.item.local_number;
            out.talon = printer::spool_talon(
                cfg.spool_dir, name,
                printer::render_talon(make_talon(c, office, language, out.item,
                                                 service ? &*service : nullptr, out.registered_at),
                                      talon_style(cfg)));
            // From here until print_ended a kill leaves the talon to be printed again at start.
            outbox.printing(out.item.id, out.talon, WallClock::now());
            out.print = print_talon(office, out.talon, name, stop);
            // Only paper counts as printed: a talon left in the spool folder or unprinted
            // (no paper, a jam) stays for staff's reprint until the reprint window closes.
            if (!out.print.stopped) outbox.print_ended(out.item.id, out.print.printed);
        } catch (const std::exception& e) {
            out.error = e.what();  // outbox and printer messages name steps and paths, not data
        }
        wipe(c);
        return out;
    });
}

int finish_interrupted_talons(const Backoffice& office, std::chrono::seconds reprint_within,
                              std::stop_token stop) {
    const Config& cfg = office.config;
    Outbox outbox(outbox_file(cfg), cfg.kiosk_id);
    int printed = 0;
    for (const OutboxItem& item : outbox.interrupted_talons()) {
        if (stop.stop_requested()) break;
        const bool recent = WallClock::now() - item.accepted_at < reprint_within;
        if (!recent || item.talon.empty() || ::access(item.talon.c_str(), R_OK) != 0) {
            log(Priority::Warning, "talon", "talon of %s was cut short: left for staff's reprint",
                item.local_number.c_str());
            outbox.print_ended(item.id, false);
            continue;
        }
        log(Priority::Notice, "talon", "talon of %s was cut short: printing it again",
            item.local_number.c_str());
        const PrintOutcome p = print_talon(office, item.talon, item.talon.stem().string(), stop);
        if (p.stopped) break;
        outbox.print_ended(item.id, p.printed);
        if (p.printed) ++printed;
    }
    return printed;
}

// Section: status and assistance

namespace {

// "2026-12-04T18:00:00+05:00" -> "04.12.2026"; empty if it is not such a date.
std::string day_of(const std::string& iso) {
    if (iso.size() < 10 || iso[4] != '-' || iso[7] != '-') return "";
    for (int i : {0, 1, 2, 3, 5, 6, 8, 9})
        if (iso[i] < '0' || iso[i] > '9') return "";
    return iso.substr(8, 2) + "." + iso.substr(5, 2) + "." + iso.substr(0, 4);
}

}  // namespace

std::vector<StatusLine> look_up_status(const Config& cfg, const std::string& typed,
                                       std::stop_token stop) {
    std::string number = typed;
    while (!number.empty() && number.back() == ' ') number.pop_back();
    std::vector<StatusLine> lines;
    if (const auto item = Outbox(outbox_file(cfg), cfg.kiosk_id).find_number(number)) {
        if (item->state == Delivery::NeedsStaff) return {{"status.needs_staff", ""}};
        if (item->state == Delivery::Delivered) return {{"status.delivered", ""}};
        if (item->state != Delivery::Registered) return {{"status.queued", ""}};
        if (item->registration_number != number)
            lines.push_back({"status.registered_as", item->registration_number});
        number = item->registration_number;
    }
    net::RegisterEndpoint endpoint = register_endpoint(cfg);
    endpoint.cancel = std::move(stop);
    const net::StatusResult r = net::fetch_status(endpoint, number);
    if (r.outcome == net::Outcome::Rejected && r.http_status == 404)
        return {{"status.not_found", ""}};
    if (r.outcome != net::Outcome::Registered) {
        // Progress is the канцелярия's to tell: it answers when the register does not.
        lines.push_back({"status.unreachable", ""});
        lines.push_back(
            {cfg.chancellery_phone.empty() ? "tracking.chancellery" : "tracking.chancellery_phone",
             cfg.chancellery_phone});
        return lines;
    }
    lines.push_back({r.request.status == "closed" ? "status.closed" : "status.open", ""});
    if (!r.request.status_notes.empty()) lines.push_back({"status.notes", r.request.status_notes});
    if (const auto day = day_of(r.request.expected_datetime); !day.empty())
        lines.push_back({"status.expected", day});
    return lines;
}

}  // namespace kiosk
