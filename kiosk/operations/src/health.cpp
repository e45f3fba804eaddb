#include "kiosk/health.h"

#include "kiosk/journal.h"
#include "kiosk/clock.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cinttypes>
#include <cstdio>

namespace kiosk {
namespace {

constexpr std::size_t kStaffEventsKept = 100;

double unix_seconds(WallClock::time_point t) {
    return std::chrono::duration<double>(t.time_since_epoch()).count();
}

double unix_seconds(const std::optional<WallClock::time_point>& t) {
    return t ? unix_seconds(*t) : 0;
}

std::int64_t age_seconds(const std::optional<WallClock::time_point>& since,
                         WallClock::time_point now) {
    return since ? std::max<std::int64_t>(
                       0, std::chrono::duration_cast<std::chrono::seconds>(now - *since).count())
                 : 0;
}

std::string iso_or_empty(const std::optional<WallClock::time_point>& t) {
    return t ? iso8601(*t) : "";
}

constexpr std::size_t kSpeechReasonBytes = 200;

// A reason goes on a line of /healthz and of service mode: no control characters, bounded, and
// never cut inside a UTF-8 character.
std::string one_line(std::string s, std::size_t max) {
    for (char& c : s)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = ' ';
    if (s.size() <= max) return s;
    std::size_t cut = max;  // s[cut] is the first byte left out: not inside a character
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
    s.resize(cut);
    return s;
}

const char* speech_status_name(SpeechStatus s) {
    switch (s) {
    case SpeechStatus::Unknown: return "unknown";
    case SpeechStatus::Available: return "available";
    case SpeechStatus::Unavailable: return "unavailable";
    case SpeechStatus::TurnedOff: return "turned_off";
    }
    return "unknown";
}

// Section: the exposition format, one family at a time

std::string label_value(std::string_view v);

struct Exposition {
    std::string out;

    void family(const char* name, const char* type, const char* help) {
        out += "# HELP ";
        out += name;
        out += ' ';
        out += help;
        out += "\n# TYPE ";
        out += name;
        out += ' ';
        out += type;
        out += '\n';
    }
    // labels: already formatted as {key="value",...}, values from a fixed vocabulary or escaped
    void sample(const std::string& name, const std::string& labels, double value) {
        char number[64];
        std::snprintf(number, sizeof number, "%.17g", value);
        out += name + labels + ' ' + number + '\n';
    }
    void one(const char* name, const char* type, const char* help, double value) {
        family(name, type, help);
        sample(name, "", value);
    }
    // An info gauge: always 1, its labels ({key, value} pairs, values escaped here) say what is.
    void info(const char* name, const char* help,
              std::initializer_list<std::pair<const char*, std::string>> labels) {
        family(name, "gauge", help);
        std::string text = "{";
        for (const auto& [key, value] : labels)
            text +=
                (text.size() > 1 ? "," : "") + std::string(key) + "=\"" + label_value(value) + "\"";
        sample(name, text + "}", 1);
    }
};

std::string label_value(std::string_view v) {
    std::string s;
    for (char c : v) {
        if (c == '\\' || c == '"') s += '\\';
        if (c == '\n') {
            s += "\\n";
            continue;
        }
        s += c;
    }
    return s;
}

}  // namespace

// Section: names

std::string_view kiosk_version() { return KIOSK_VERSION; }

void FrameHistogram::add(double seconds) {
    for (std::size_t i = 0; i < kBounds.size(); ++i)
        if (seconds <= kBounds[i]) ++below[i];
    ++count;
    sum_s += seconds;
}

bool Figures::register_up() const {
    return register_success && (!register_error || *register_success >= *register_error);
}

// Section: collecting

Health::Health(std::string kiosk_id, std::string version, WallClock::time_point started) {
    f_.kiosk_id = std::move(kiosk_id);
    f_.version = std::move(version);
    f_.started = started;
}

void Health::complaint_accepted() {
    std::lock_guard lock(mutex_);
    ++f_.accepted;
}

void Health::delivery_pass(int registered, int refused) {
    std::lock_guard lock(mutex_);
    f_.delivered += static_cast<std::uint64_t>(registered);
    f_.refused += static_cast<std::uint64_t>(refused);
}

void Health::register_answered(WallClock::time_point at) {
    std::lock_guard lock(mutex_);
    f_.register_success = std::max(at, f_.register_success.value_or(at));
}

void Health::register_failed(WallClock::time_point at, std::string reason) {
    std::lock_guard lock(mutex_);
    f_.register_error = std::max(at, f_.register_error.value_or(at));
    f_.register_error_reason = std::move(reason);
}

void Health::heartbeat_taken(WallClock::time_point at, std::uint64_t staff_seq_reported) {
    std::lock_guard lock(mutex_);
    f_.heartbeat_success = at;
    f_.heartbeat_supported = true;
    f_.register_success = std::max(at, f_.register_success.value_or(at));
    f_.staff_events_reported = std::max(f_.staff_events_reported, staff_seq_reported);
}

void Health::heartbeat_unsupported(WallClock::time_point at) {
    std::lock_guard lock(mutex_);
    f_.heartbeat_supported = false;
    f_.register_success = std::max(at, f_.register_success.value_or(at));  // it answered
}

void Health::talon_printed() {
    std::lock_guard lock(mutex_);
    ++f_.talons_printed;
}

void Health::print_failed() {
    std::lock_guard lock(mutex_);
    ++f_.print_failures;
}

void Health::outbox_problem(std::string why) {
    std::lock_guard lock(mutex_);
    f_.outbox_problem = std::move(why);
}

void Health::assistance_requested() {
    std::lock_guard lock(mutex_);
    ++f_.assistance_requests;
}

void Health::inactivity_wipe() {
    std::lock_guard lock(mutex_);
    ++f_.inactivity_wipes;
}

void Health::frame_drawn(Clock::time_point at, Clock::duration took) {
    std::lock_guard lock(mutex_);
    f_.last_frame = at;
    f_.frames.add(std::chrono::duration<double>(took).count());
}

void Health::staff(StaffAction a, WallClock::time_point at) {
    log(a == StaffAction::LoginFailed ? Priority::Warning : Priority::Notice, "staff", "staff: %s",
        std::string(staff_action_name(a)).c_str());
    std::lock_guard lock(mutex_);
    ++f_.staff[static_cast<std::size_t>(a)];
    f_.staff_events.push_back({++staff_seq_, a, at});
    if (f_.staff_events.size() > kStaffEventsKept) f_.staff_events.erase(f_.staff_events.begin());
}

void Health::sampled(Sample s) {
    std::lock_guard lock(mutex_);
    f_.sample = std::move(s);
}

void Health::management_refused(ManagementRefusal why) {
    std::lock_guard lock(mutex_);
    ++f_.management_refused[static_cast<std::size_t>(why)];
}

void Health::metrics_pushed(WallClock::time_point at) {
    std::lock_guard lock(mutex_);
    f_.metrics_push_success = at;
}

void Health::metrics_push_failed() {
    std::lock_guard lock(mutex_);
    ++f_.metrics_push_failures;
}

void Health::speech_state(bool available, std::string reason) {
    std::lock_guard lock(mutex_);
    f_.speech = available ? SpeechStatus::Available : SpeechStatus::Unavailable;
    f_.speech_reason = available ? "" : one_line(std::move(reason), kSpeechReasonBytes);
}

void Health::speech_turned_off() {
    std::lock_guard lock(mutex_);
    f_.speech = SpeechStatus::TurnedOff;
    f_.speech_reason = "turned off in configuration";
}

SpeechStatus Health::speech() const {
    std::lock_guard lock(mutex_);
    return f_.speech;
}

void Health::speech_session_started() {
    std::lock_guard lock(mutex_);
    ++f_.speech_sessions;
}

void Health::duty_specialist(std::string name) {
    std::lock_guard lock(mutex_);
    f_.duty_specialist = std::move(name);
}

void Health::office(std::string name) {
    std::lock_guard lock(mutex_);
    f_.office = std::move(name);
}

void Health::remote_command(CommandName name, CommandResult result) {
    std::lock_guard lock(mutex_);
    ++f_.remote_commands[std::size_t(name)][std::size_t(result)];
}

void Health::system(SystemState s) {
    std::lock_guard lock(mutex_);
    f_.system = std::move(s);
}

void Health::remote_commands_ignored(std::uint64_t n) {
    std::lock_guard lock(mutex_);
    f_.remote_commands_ignored += n;
}

Figures Health::figures() const {
    std::lock_guard lock(mutex_);
    return f_;
}

// Section: /healthz

std::vector<std::string> health_problems(const Figures& f, const HealthLimits& limits,
                                         WallClock::time_point now, Clock::time_point steady_now) {
    std::vector<std::string> p;
    const Sample& s = f.sample;
    if (!f.outbox_problem.empty()) p.push_back("outbox unusable: " + f.outbox_problem);
    if (f.register_error && !f.register_up()) p.push_back("register unreachable");
    if (s.printer.configured) {
        if (!s.printer.reachable) p.push_back("printer: unreachable");
        if (s.printer.media_empty) p.push_back("printer: no paper");
        if (s.printer.jam) p.push_back("printer: jammed");
        if (s.printer.cover_open) p.push_back("printer: cover open");
        if (s.printer.offline) p.push_back("printer: offline");
    }
    if (s.outbox.oldest_undelivered &&
        now - *s.outbox.oldest_undelivered > limits.outbox_stuck_after)
        p.push_back("outbox stuck");
    if (s.outbox.needs_staff > 0)
        p.push_back("complaints held for staff: the register refused them");
    if (s.at != WallClock::time_point{} && s.disk_free_bytes < limits.disk_low_bytes)
        p.push_back("disk almost full");
    if (s.client_cert_expiry && *s.client_cert_expiry < now)
        p.push_back("client certificate expired");
    if (f.last_frame && steady_now - *f.last_frame > limits.frozen_after)
        p.push_back("screen not drawn");
    return p;
}

bool system_problem(std::string_view problem) {
    return problem.starts_with("outbox unusable") || problem.starts_with("screen not drawn");
}

std::vector<std::string> health_warnings(const Figures& f) {
    std::vector<std::string> w;
    if (f.speech == SpeechStatus::Unavailable)
        w.push_back(f.speech_reason.empty() ? "speech unavailable"
                                            : "speech unavailable: " + f.speech_reason);
    if (!f.heartbeat_supported) w.push_back("the register takes no heartbeats (404)");
    return w;
}

// Section: /metrics

std::string metrics_text(const Figures& f, const std::vector<std::string>& problems,
                         WallClock::time_point now) {
    const Sample& s = f.sample;
    Exposition e;
    e.info("kiosk_build_info", "Always 1; the labels say which build runs where.",
           {{"version", f.version}, {"kiosk_id", f.kiosk_id}, {"office", f.office}});
    e.one("kiosk_start_time_seconds", "gauge", "When the application started (Unix time).",
          unix_seconds(f.started));
    e.one("kiosk_uptime_seconds", "gauge", "Seconds since the application started.",
          std::chrono::duration<double>(now - f.started).count());
    e.one("kiosk_healthy", "gauge", "1 when /healthz answers 200.", problems.empty() ? 1 : 0);
    e.one("kiosk_complaints_accepted_total", "counter", "Complaints committed to the outbox.",
          double(f.accepted));
    e.one("kiosk_complaints_delivered_total", "counter", "Complaints the register numbered.",
          double(f.delivered));
    e.one("kiosk_complaints_refused_total", "counter",
          "Complaints the register refused as sent: held for staff to re-queue.",
          double(f.refused));
    e.one("kiosk_outbox_usable", "gauge",
          "1 when the outbox takes complaints; 0 shows the out-of-service screen.",
          f.outbox_problem.empty() ? 1 : 0);
    e.one("kiosk_outbox_depth", "gauge", "Complaints waiting for the register.",
          s.outbox.queued + s.outbox.delivering);
    e.one("kiosk_outbox_needs_staff", "gauge",
          "Complaints held for staff: the register refused them as sent.", s.outbox.needs_staff);
    e.one("kiosk_outbox_oldest_age_seconds", "gauge",
          "Age of the oldest waiting complaint; 0 when none waits.",
          double(age_seconds(s.outbox.oldest_undelivered, now)));
    e.one("kiosk_register_up", "gauge", "1 when the last contact with the register succeeded.",
          f.register_up() ? 1 : 0);
    e.one("kiosk_heartbeat_supported", "gauge",
          "0 when the register has no heartbeat path (a plain Open311 server): tried hourly.",
          f.heartbeat_supported ? 1 : 0);
    e.one("kiosk_register_last_success_timestamp_seconds", "gauge",
          "Last answer from the register; 0 never.", unix_seconds(f.register_success));
    e.one("kiosk_register_last_error_timestamp_seconds", "gauge",
          "Last failed contact with the register; 0 never.", unix_seconds(f.register_error));
    e.family("kiosk_tls_certificate_expiry_timestamp_seconds", "gauge",
             "notAfter of the kiosk's certificates.");
    if (s.client_cert_expiry)
        e.sample("kiosk_tls_certificate_expiry_timestamp_seconds", "{certificate=\"client\"}",
                 unix_seconds(*s.client_cert_expiry));
    if (s.ca_expiry)
        e.sample("kiosk_tls_certificate_expiry_timestamp_seconds", "{certificate=\"register_ca\"}",
                 unix_seconds(*s.ca_expiry));
    e.one("kiosk_printer_up", "gauge", "1 when the printer answers (or talons go to the spool).",
          !s.printer.configured || s.printer.reachable ? 1 : 0);
    e.family("kiosk_printer_problem", "gauge", "1 while the printer reports this reason.");
    for (const auto& [reason, on] :
         {std::pair{"media-empty", s.printer.media_empty},
          std::pair{"media-low", s.printer.media_low}, std::pair{"media-jam", s.printer.jam},
          std::pair{"cover-open", s.printer.cover_open}, std::pair{"offline", s.printer.offline}})
        e.sample("kiosk_printer_problem", std::string("{reason=\"") + reason + "\"}", on ? 1 : 0);
    e.one("kiosk_paper_remaining_talons", "gauge", "Talons left on the roll by the paper counter.",
          s.paper_remaining);
    e.one("kiosk_paper_low", "gauge", "1 when the paper counter is below the warning level.",
          s.paper_low ? 1 : 0);
    e.one("kiosk_talons_printed_total", "counter", "Talons the printer completed.",
          double(f.talons_printed));
    e.one("kiosk_print_failures_total", "counter", "Talons that did not come out.",
          double(f.print_failures));
    e.one("kiosk_assistance_requests_total", "counter", "Citizens who asked for a specialist.",
          double(f.assistance_requests));
    e.one("kiosk_staff_logins_total", "counter", "Service-mode logins.",
          double(f.staff[std::size_t(StaffAction::Login)]));
    e.one("kiosk_staff_login_failures_total", "counter", "Wrong service-mode PINs.",
          double(f.staff[std::size_t(StaffAction::LoginFailed)]));
    e.family("kiosk_staff_actions_total", "counter", "Staff actions in service mode.");
    for (int i = int(StaffAction::PaperRestocked); i < kStaffActionCount; ++i)
        e.sample("kiosk_staff_actions_total",
                 "{action=\"" + std::string(staff_action_name(StaffAction(i))) + "\"}",
                 double(f.staff[std::size_t(i)]));
    e.one("kiosk_inactivity_wipes_total", "counter", "Forms wiped after the citizen walked away.",
          double(f.inactivity_wipes));
    e.family("kiosk_frame_duration_seconds", "histogram", "Time to lay out and draw one frame.");
    for (std::size_t i = 0; i < FrameHistogram::kBounds.size(); ++i) {
        char le[32];
        std::snprintf(le, sizeof le, "%g", FrameHistogram::kBounds[i]);
        e.sample("kiosk_frame_duration_seconds_bucket", std::string("{le=\"") + le + "\"}",
                 double(f.frames.below[i]));
    }
    e.sample("kiosk_frame_duration_seconds_bucket", "{le=\"+Inf\"}", double(f.frames.count));
    e.sample("kiosk_frame_duration_seconds_sum", "", f.frames.sum_s);
    e.sample("kiosk_frame_duration_seconds_count", "", double(f.frames.count));
    e.one("kiosk_disk_free_bytes", "gauge", "Free space where the outbox lives.",
          double(s.disk_free_bytes));
    e.one("kiosk_heartbeat_last_success_timestamp_seconds", "gauge",
          "Last heartbeat the register took; 0 never.", unix_seconds(f.heartbeat_success));
    e.family("kiosk_management_refused_total", "counter",
             "Connections the management port cut or refused, by reason.");
    for (int i = 0; i < kManagementRefusalCount; ++i)
        e.sample("kiosk_management_refused_total",
                 "{reason=\"" + std::string(management_refusal_name(ManagementRefusal(i))) + "\"}",
                 double(f.management_refused[std::size_t(i)]));
    e.one("kiosk_metrics_push_last_success_timestamp_seconds", "gauge",
          "Last push of these metrics the gateway took; 0 never (or no push configured).",
          unix_seconds(f.metrics_push_success));
    e.one("kiosk_metrics_push_failures_total", "counter",
          "Pushes of these metrics to the gateway that failed.", double(f.metrics_push_failures));
    // No sample until the UI has tried the voice engine: unknown is not "broken".
    e.family("kiosk_speech_available", "gauge",
             "1 when speech for blind citizens works; 0 when it does not or is turned off.");
    e.family("kiosk_speech_enabled", "gauge", "0 when [speech] enabled = false.");
    if (f.speech != SpeechStatus::Unknown) {
        e.sample("kiosk_speech_available", "", f.speech == SpeechStatus::Available ? 1 : 0);
        e.sample("kiosk_speech_enabled", "", f.speech == SpeechStatus::TurnedOff ? 0 : 1);
    }
    e.one("kiosk_speech_sessions_total", "counter", "Sessions in which a citizen turned speech on.",
          double(f.speech_sessions));
    e.family("kiosk_remote_commands_total", "counter",
             "Remote commands from operators by name and result (done, refused, failed).");
    for (int n = 0; n < kCommandNameCount; ++n)
        for (int r = 0; r < kCommandResultCount; ++r)
            e.sample("kiosk_remote_commands_total",
                     "{name=\"" + std::string(command_name(CommandName(n))) + "\",result=\"" +
                         std::string(command_result_name(CommandResult(r))) + "\"}",
                     double(f.remote_commands[std::size_t(n)][std::size_t(r)]));
    e.one("kiosk_remote_commands_ignored_total", "counter",
          "Commands in heartbeat answers left unread: past 16 in one answer, or malformed.",
          double(f.remote_commands_ignored));
    e.info("kiosk_system_info",
           "Always 1; the labels say which A/B slot runs and its system version.",
           {{"slot", f.system.slot}, {"version", f.system.version}});
    e.info("kiosk_update_info",
           "Always 1; the labels say where the last system update stands (phase: idle, waiting, "
           "installing, installed, checking, failed, updated, rolled_back) and its version.",
           {{"phase", f.system.phase}, {"target_version", f.system.target_version}});
    e.one("kiosk_update_changed_timestamp_seconds", "gauge",
          "When the last system update last moved on; 0 never.", unix_seconds(f.system.changed_at));
    return e.out;
}

// Section: the heartbeat

std::string heartbeat_json(const Figures& f, const std::vector<std::string>& problems,
                           WallClock::time_point now, const std::vector<CommandReport>& commands) {
    using nlohmann::json;
    const Sample& s = f.sample;
    json staff_actions = json::object();
    for (int i = 0; i < kStaffActionCount; ++i)
        staff_actions[std::string(staff_action_name(StaffAction(i)))] = f.staff[std::size_t(i)];
    json events = json::array();
    for (const StaffEvent& ev : f.staff_events)
        if (ev.seq > f.staff_events_reported)
            events.push_back({{"seq", ev.seq},
                              {"action", staff_action_name(ev.action)},
                              {"at", iso8601(ev.at)}});
    json results = json::array();
    for (const CommandReport& c : commands)
        results.push_back({{"id", c.id},
                           {"name", command_name(c.name)},
                           {"result", command_result_name(c.result)},
                           {"reason", c.reason},
                           {"at", utc_iso(c.at)}});
    const json j = {
        {"kiosk_id", f.kiosk_id},
        {"version", f.version},
        {"sent_at", iso8601(now)},
        {"started_at", iso8601(f.started)},
        {"healthy", problems.empty()},
        {"problems", problems},
        {"warnings", health_warnings(f)},
        {"complaints",
         {{"accepted", f.accepted}, {"delivered", f.delivered}, {"refused", f.refused}}},
        {"outbox",
         {{"depth", s.outbox.queued + s.outbox.delivering},
          {"needs_staff", s.outbox.needs_staff},
          {"oldest_age_s", age_seconds(s.outbox.oldest_undelivered, now)}}},
        {"register",
         {{"up", f.register_up()},
          {"last_success", iso_or_empty(f.register_success)},
          {"last_error", iso_or_empty(f.register_error)}}},
        {"printer",
         {{"configured", s.printer.configured},
          {"state", s.printer.state},
          {"media_empty", s.printer.media_empty},
          {"media_low", s.printer.media_low},
          {"jam", s.printer.jam},
          {"cover_open", s.printer.cover_open},
          {"offline", s.printer.offline}}},
        {"paper", {{"remaining_talons", s.paper_remaining}, {"low", s.paper_low}}},
        {"talons", {{"printed", f.talons_printed}, {"failed", f.print_failures}}},
        {"assistance_requests", f.assistance_requests},
        {"inactivity_wipes", f.inactivity_wipes},
        {"speech",
         {{"available", f.speech == SpeechStatus::Available},
          {"state", speech_status_name(f.speech)},
          {"reason", f.speech_reason},
          {"sessions", f.speech_sessions}}},
        {"staff", {{"actions", staff_actions}, {"events", events}}},
        {"duty_specialist", f.duty_specialist},
        {"frames", {{"count", f.frames.count}, {"over_33ms", f.frames.count - f.frames.below[3]}}},
        {"disk_free_bytes", s.disk_free_bytes},
        {"certificates",
         {{"client_not_after", iso_or_empty(s.client_cert_expiry)},
          {"register_ca_not_after", iso_or_empty(s.ca_expiry)}}},
        {"commands", results},
        {"system",
         {{"slot", f.system.slot},
          {"version", f.system.version},
          {"update",
           {{"phase", f.system.phase},
            {"detail", f.system.detail},
            {"target_version", f.system.target_version},
            {"at", iso_or_empty(f.system.changed_at)}}}}},
    };
    // Reasons are other programs' words: a byte that is not UTF-8 becomes U+FFFD, not a throw.
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace kiosk
