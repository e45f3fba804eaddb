// kiosk/submission: turning an accepted complaint into an Open311 request and a talon, and
// sending it off the UI thread.
#pragma once
#include "kiosk/calendar.h"
#include "kiosk/clock.h"
#include "kiosk/complaint.h"
#include "kiosk/config.h"
#include "kiosk/duty.h"
#include "kiosk/i18n.h"
#include "kiosk/outbox.h"
#include "kiosk/procedure.h"
#include "kiosk/talon_code.h"

#include <net/register_client.h>
#include <printer/paper.h>
#include <printer/talon.h>

#include <chrono>
#include <filesystem>
#include <future>
#include <stop_token>
#include <string>

namespace kiosk {

// A fresh random UUID (v4), the complaint's idempotency key for life.
using net::new_idempotency_key;

// The signature as a small SVG image (under 7,500 bytes, strokes thinned if needed).
std::string signature_svg(const std::vector<SignatureStroke>& strokes);

// The Open311 request for a complaint. Its attributes go where the register defines them
// (`definition` of the service, codes as [register.attributes] maps them; nullptr: a service
// without metadata defines none); everything else the citizen gave follows the grounds in the
// description as labelled lines in Kazakh and Russian, so nothing is dropped.
net::ServiceRequest to_service_request(const Complaint& c, const Config& cfg,
                                       const Translations& tr, const Procedure& procedure,
                                       std::string_view language,
                                       std::chrono::system_clock::time_point filed_at,
                                       std::string idempotency_key,
                                       const net::ServiceDefinition* definition);

// How the kiosk reaches the register, from the configuration.
net::RegisterEndpoint register_endpoint(const Config& cfg);
RetryPolicy retry_policy(const Config& cfg);
PersonalDataPolicy personal_data_policy(const Config& cfg);
std::filesystem::path outbox_file(const Config& cfg);

// What a complaint's way out stands on: loaded at start-up, shared with the background
// threads, living as long as the app.
struct Backoffice {
    const Config& config;
    const Translations& tr;
    const WorkingDayCalendar& calendar;
    const Procedure& procedure;  // the region's appeal procedure: addressees, time limits
    DeliveryWorker& delivery;
    printer::PaperCounter& paper;
    DutySpecialist& duty;  // "accepted by" on the talon: staff set it, each talon reads it
    const TalonSigner* signer = nullptr;  // signs the talon's code; none: talons carry no code
};

// The day a complaint registered at `registered_at` is to be answered by, where its
// addressee's time limit is a count of working days; none where the law sets it without a
// figure in the procedure, or when the calendar does not cover it.
std::optional<std::chrono::sys_days> expected_answer_day(const WorkingDayCalendar& calendar,
                                                         const Deadline& deadline,
                                                         WallClock::time_point registered_at);
std::string day_text(std::chrono::sys_days day);  // DD.MM.YYYY

// The time limit of a complaint's review in one language: "by 10.12.2026 (5 working days from
// registration, ...)", "in the time limits set by law (...)"; not registered yet, the count
// without a date. Empty for the portal.
std::string deadline_words(const Catalog& words, const Backoffice& office, const Complaint& c,
                           std::optional<WallClock::time_point> registered_at);

// The talon's words: the citizen's language plus Kazakh and Russian. With no registration
// number yet (the register unreachable) it carries the local number and says so. The number,
// time, kiosk, addressee and applicant are signed (office.signer); the QR code leads to the
// public status page. `service`: the catalog's entry, naming the service and the provider.
// `registered_at`: when the register numbered it, where the time limit runs from; none yet
// (the talon then gives the count without a date).
printer::Talon make_talon(const Complaint& c, const Backoffice& office, std::string_view language,
                          const OutboxItem& item, const net::Service* service,
                          std::optional<WallClock::time_point> registered_at);
printer::TalonStyle talon_style(const Config& cfg);
// Staff's test print: the office, the kiosk and the time; nothing about anyone.
printer::Talon make_test_talon(const Backoffice& office, WallClock::time_point now);

// What the citizen must be told when the talon did not come out of the printer: a
// translation key ("print.no_paper", ...), empty when it printed or went to the spool folder.
struct PrintOutcome {
    std::string problem;
    std::string detail;    // printer state for staff and the journal
    bool printed = false;  // came out of a printer (not merely spooled)
    bool stopped = false;  // the kiosk stopped first: printed again at start, or by staff
};

struct SubmissionResult {
    bool accepted = false;        // durably in the outbox: nothing can lose it now
    OutboxItem item;              // its local number and, when the register answered, its number
    std::filesystem::path talon;  // the spooled PDF (kept for reprint), empty if none
    PrintOutcome print;
    // When the register numbered it, as the talon counts the time limit from; none yet.
    std::optional<WallClock::time_point> registered_at;
    std::string error;  // for logs: never personal data
};

// Sends the spooled talon to the configured printer and counts the paper; with no printer
// configured the spool folder is the talon's destination.
PrintOutcome print_talon(const Backoffice& office, const std::filesystem::path& talon,
                         const std::string& job_name, std::stop_token stop = {});

// Commits the complaint to the outbox, wakes the delivery worker, waits (on this background
// thread, never the UI's) up to register.answer_wait_s for the register's number, then makes
// and prints the talon. Retrying with the same idempotency key never files a second complaint.
// A stop request cuts the wait and the print short; what is committed stays committed.
// `definition`: what the register defines for the complaint's service (none: everything goes
// into the description).
// `service`: the catalog's entry, for the talon.
std::future<SubmissionResult> submit_in_background(
    Complaint c, const Backoffice& office, std::string language, std::string idempotency_key,
    std::stop_token stop = {}, std::optional<net::ServiceDefinition> definition = std::nullopt,
    std::optional<net::Service> service = std::nullopt);

// Talons a kill or a shutdown cut short: printed again when they were accepted less than
// reprint_within ago (their citizen may still be at the kiosk), otherwise left for staff's
// reprint. Run once at start-up, off the UI thread. Returns how many were printed again.
int finish_interrupted_talons(const Backoffice& office, std::chrono::seconds reprint_within,
                              std::stop_token stop = {});

// Section: what the status screen and staff see

// One line of a status answer: a translation key and the value for its "{}", if any.
struct StatusLine {
    std::string key;
    std::string arg;
    bool operator==(const StatusLine&) const = default;
};

// Looks a registration or local number up: first in this kiosk's outbox (which knows complaints
// the register has not numbered yet), then on the register. Blocking: off the UI thread.
std::vector<StatusLine> look_up_status(const Config& cfg, const std::string& number,
                                       std::stop_token stop = {});

}  // namespace kiosk
