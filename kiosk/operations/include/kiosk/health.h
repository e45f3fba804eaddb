// kiosk/health: the kiosk's own figures, for staff (service mode), remote operators (/metrics,
// /healthz) and the register (the heartbeat). Counts, states and times only, and the duty
// specialist's name (staff's own, set for the talon): never a citizen's data, so nothing here
// can leak any.
#pragma once
#include "kiosk/system_update.h"
#include "kiosk/clock.h"
#include "kiosk/command_report.h"
#include "kiosk/outbox.h"
#include "kiosk/staff_action.h"

#include <array>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kiosk {

// This build's version, as /metrics and the heartbeat report it.
std::string_view kiosk_version();

// What the printer said when last asked.
struct PrinterHealth {
    bool configured = false;  // false: talons go to the spool folder, nothing to watch
    bool reachable = true;
    bool media_empty = false, media_low = false, jam = false, cover_open = false, offline = false;
    std::string state = "spool";  // "idle", "processing", "stopped", "unreachable", "spool"
};

// Figures that take I/O to read (database, printer, disk, certificates): sampled off the UI
// thread every few seconds.
struct Sample {
    WallClock::time_point at{};
    OutboxStats outbox;
    PrinterHealth printer;
    int paper_remaining = 0;
    bool paper_low = false;
    std::uint64_t disk_free_bytes = 0;
    std::optional<WallClock::time_point> client_cert_expiry, ca_expiry;
};

struct StaffEvent {
    std::uint64_t seq = 0;
    StaffAction action{};
    WallClock::time_point at{};
};

// Frame times in a Prometheus histogram: a frame over 33 ms is a stall the citizen sees.
struct FrameHistogram {
    static constexpr std::array<double, 8> kBounds{0.005, 0.010, 0.016, 0.033,
                                                   0.050, 0.100, 0.250, 1.0};
    std::array<std::uint64_t, kBounds.size()> below{};  // cumulative: frames <= bound
    std::uint64_t count = 0;
    double sum_s = 0;
    void add(double seconds);
};

// Why the management port cut or refused a connection: kiosk_management_refused_total{reason}.
enum class ManagementRefusal {
    Deadline,          // the whole request took longer than the deadline
    Evicted,           // still sending its request when a newer connection needed the slot
    AddressLimit,      // its address's slots all held by requests being answered
    ConnectionLimit,   // every slot held by requests being answered
    ClientCertificate  // TLS: no client certificate that scraper_ca vouches for (403)
};
constexpr int kManagementRefusalCount = 5;

constexpr std::string_view management_refusal_name(ManagementRefusal r) {
    switch (r) {
    case ManagementRefusal::Deadline: return "deadline";
    case ManagementRefusal::Evicted: return "evicted";
    case ManagementRefusal::AddressLimit: return "address_limit";
    case ManagementRefusal::ConnectionLimit: return "connection_limit";
    case ManagementRefusal::ClientCertificate: return "client_certificate";
    }
    return "unknown";
}

// Speech for blind citizens, as the UI last found its voice engine.
enum class SpeechStatus {
    Unknown,      // not tried yet
    Available,    // the engine speaks
    Unavailable,  // it cannot: a warning (degraded accessibility), never a reason for 503
    TurnedOff     // [speech] enabled = false: chosen, not a fault
};

// Everything known at one moment: what /metrics, /healthz, the heartbeat and service mode show.
struct Figures {
    std::string kiosk_id, version;
    std::string office;  // [kiosk] office: the fleet table's column (kiosk_build_info{office})
    WallClock::time_point started{};
    std::uint64_t accepted = 0, delivered = 0, refused = 0;
    std::uint64_t talons_printed = 0, print_failures = 0, assistance_requests = 0,
                  inactivity_wipes = 0;
    std::array<std::uint64_t, kStaffActionCount> staff{};
    std::optional<WallClock::time_point> register_success, register_error, heartbeat_success;
    bool heartbeat_supported = true;    // false: the register has no heartbeat path (404)
    std::string register_error_reason;  // the transport's words, e.g. "Couldn't connect to server"
    std::string
        outbox_problem;  // why complaints cannot be taken (SQLite's words); "" when they can
    std::optional<Clock::time_point> last_frame;
    FrameHistogram frames;
    Sample sample;
    std::vector<StaffEvent> staff_events;     // the latest, oldest first
    std::uint64_t staff_events_reported = 0;  // seq the register has taken in a heartbeat
    std::array<std::uint64_t, kManagementRefusalCount> management_refused{};
    // The push of this exposition to the Pushgateway ([monitoring] push_url).
    std::optional<WallClock::time_point> metrics_push_success;
    std::uint64_t metrics_push_failures = 0;
    SpeechStatus speech = SpeechStatus::Unknown;
    std::string speech_reason;          // why not, e.g. "espeak-ng: voice kk missing"; "" else
    std::uint64_t speech_sessions = 0;  // sessions in which a citizen turned speech on
    std::string duty_specialist;        // "accepted by" on the talon now (the heartbeat's)
    // Remote commands by name and result (kiosk_remote_commands_total), and those a heartbeat
    // answer carried that were left unread (past 16, malformed).
    std::array<std::array<std::uint64_t, kCommandResultCount>, kCommandNameCount> remote_commands{};
    std::uint64_t remote_commands_ignored = 0;
    SystemState system;  // the running slot and version, and the last update (kiosk/system_update)

    bool register_up() const;
};

// When /healthz turns 503.
struct HealthLimits {
    std::chrono::seconds outbox_stuck_after{3600};
    std::uint64_t disk_low_bytes = 200ull << 20;
    std::chrono::seconds frozen_after{60};  // the UI draws at least every few seconds
};

// Collects the figures; every method is thread-safe and quick (no I/O).
class Health {
public:
    Health(std::string kiosk_id, std::string version, WallClock::time_point started);

    void complaint_accepted();
    void delivery_pass(int registered, int refused);
    void register_answered(WallClock::time_point at);
    void register_failed(WallClock::time_point at, std::string reason);
    void heartbeat_taken(WallClock::time_point at, std::uint64_t staff_seq_reported);
    // The register answered 404 on the heartbeat's path: a plain Open311 server has none.
    void heartbeat_unsupported(WallClock::time_point at);
    void talon_printed();
    void print_failed();
    void outbox_problem(std::string why);  // "" once the outbox works again
    void assistance_requested();
    void inactivity_wipe();
    void frame_drawn(Clock::time_point at, Clock::duration took);
    void staff(StaffAction a, WallClock::time_point at);  // also logged
    void sampled(Sample s);
    void management_refused(ManagementRefusal why);  // not logged: the server throttles its lines
    void metrics_pushed(WallClock::time_point at);   // not logged: the monitor logs changes
    void metrics_push_failed();
    // Whether the voice engine works; reason "" when it does, else the engine's words (one
    // line, cut at 200 bytes). Not logged: the caller logs the change it saw.
    void speech_state(bool available, std::string reason);
    void speech_turned_off();  // [speech] enabled = false
    void speech_session_started();
    // At start and when staff change it; not logged.
    void duty_specialist(std::string name);
    void office(std::string name);  // at start
    // A remote command's new result (kiosk/remote_command logs it); not logged here.
    void remote_command(CommandName name, CommandResult result);
    void remote_commands_ignored(std::uint64_t n);
    void system(SystemState s);   // at start and when an update moves on; not logged
    SpeechStatus speech() const;  // without copying every figure: asked each frame

    Figures figures() const;

private:
    mutable std::mutex mutex_;
    Figures f_;
    std::uint64_t staff_seq_ = 0;
};

// Section: views of the figures (pure, testable)

// Why the kiosk is unhealthy, one short English line each; empty when healthy.
std::vector<std::string> health_problems(const Figures& f, const HealthLimits& limits,
                                         WallClock::time_point now, Clock::time_point steady_now);

// What works less well than it should without stopping the kiosk taking complaints, one short
// English line each: /healthz lists them after its answer, the heartbeat carries them.
// Whether a problem is one a new system can cause by itself (the outbox unusable, the screen
// not drawn): only these keep an update from being marked good. The register, the printer, the
// paper and a stuck outbox are the office's and the network's, and must not roll back a good
// system: /healthz/system.
bool system_problem(std::string_view problem);

std::vector<std::string> health_warnings(const Figures& f);

// The Prometheus text exposition format (0.0.4).
std::string metrics_text(const Figures& f, const std::vector<std::string>& problems,
                         WallClock::time_point now);

// The heartbeat's JSON object: the same figures, the staff actions not yet reported, and the
// remote commands' results the register has not taken yet ("commands").
std::string heartbeat_json(const Figures& f, const std::vector<std::string>& problems,
                           WallClock::time_point now,
                           const std::vector<CommandReport>& commands = {});

}  // namespace kiosk
