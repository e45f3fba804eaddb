// kiosk/remote_command: commands operators send a kiosk through the register's heartbeat
// answers (issue 16). Each is signed with an operator's Ed25519 key (libsodium), so a register
// alone cannot command the fleet; the kiosk checks it against [remote] operator_keys, runs it
// at most once (remembered across restarts in <state_dir>/remote-commands.json, written before
// the action runs), and reports its result in the next heartbeat. Plain C++: no SDL, no ImGui;
// the actions themselves are the caller's (RemoteActions).
#pragma once
#include "kiosk/clock.h"
#include "kiosk/command_report.h"
#include "kiosk/config.h"
#include "kiosk/health.h"

#include <common/atomic_file.h>
#include <common/ids.h>
#include <net/register_client.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <span>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

namespace kiosk {

// Section: ids

// 1..64 of A-Za-z0-9-_, the one rule of the kiosk, net and the register (common/ids.h);
// utc_iso and parse_utc_iso, for its times: kiosk/command_report.h
using common::command_id_ok;

// Section: checking a command

// The citizen's screen while the operator has the kiosk out of service, in each language.
struct OutOfServiceMessage {
    std::string kk, ru, en;  // 1..300 characters of UTF-8 each, no control characters
    bool operator==(const OutOfServiceMessage&) const = default;
};
inline constexpr std::size_t kMaxMessageChars = 300;
// Why a message text cannot be shown, "" when it can (the field is the caller's to name).
std::string message_text_problem(std::string_view text);

// What an update command orders: the bundle to download, and what it must be.
struct BundleOrder {
    std::string url;         // https (plain http only to loopback), printable, 1..512 chars
    std::string sha256;      // 64 lowercase hex digits
    std::uint64_t size = 0;  // bytes, 1..kMaxBundleBytes
    bool operator==(const BundleOrder&) const = default;
};
inline constexpr std::size_t kMaxBundleUrlChars = 512;
inline constexpr std::uint64_t kMaxBundleBytes = std::uint64_t(4) << 30;  // 4 GiB
// Why an order cannot be downloaded, naming the field ("bundle.sha256: must be 64 lowercase
// hex digits"); "" when it can. The kiosk's check and kiosk-command's sign use it alike.
std::string bundle_problem(const BundleOrder& order);

// A command whose every check passed.
struct RemoteCommand {
    std::string id;
    CommandName name = CommandName::Unknown;
    WallClock::time_point issued_at{}, expires_at{};
    OutOfServiceMessage message;  // out_of_service only
    BundleOrder bundle;           // update only
};

inline constexpr auto kMaxCommandLifetime = std::chrono::hours(24 * 7);  // expires_at - issued_at
// issued_at may be this far ahead of the kiosk's clock (clocks drift); further is refused, or a
// command dated ahead would outlive the 7 days.
inline constexpr auto kMaxClockSkew = std::chrono::minutes(15);

// What the kiosk checks commands against.
struct CommandCheck {
    std::string kiosk_id;
    std::vector<OperatorKey> operator_keys;  // none: every command refused
    static CommandCheck from(const Config& cfg) { return {cfg.kiosk_id, cfg.operator_keys}; }
};

struct CheckedCommand {
    std::optional<RemoteCommand> command;  // every check passed
    // Otherwise why not: short English naming the field ("expires_at: expired"), never any text
    // of the command's. What could be read goes into the report: the id when its syntax is
    // valid, the name when it is a known one.
    std::string reason;
    std::string id;
    CommandName name = CommandName::Unknown;
    bool authentic = false;  // the signature is an operator's (the payload can be believed)
    std::optional<WallClock::time_point> expires_at;  // when authentic and readable
};

// Checks, in order: operator keys configured, the signature (base64 of 64 bytes, made by one
// of the keys over the payload's exact bytes), the payload (a JSON object with only the
// contract's fields), v == 1, id, kiosk == own id, a known name, issued_at and expires_at
// (UTC ISO, expires after issued, at most 7 days apart, issued_at not ahead of now by more
// than kMaxClockSkew, expires_at after now), the message: kk, ru and en, each 1..300
// characters, for out_of_service and only there, and the bundle: url, sha256 and size
// (bundle_problem), for update and only there.
CheckedCommand check_command(const net::SignedCommand& command, const CommandCheck& check,
                             WallClock::time_point now);

// Section: what a command does

// An action's outcome: done, or failed and why (short English, no personal data).
struct ActionResult {
    bool done = false;
    std::string reason;
    static ActionResult ok(std::string remark = {}) { return {true, std::move(remark)}; }
    static ActionResult failed(std::string why) { return {false, std::move(why)}; }
};

// What the kiosk can do at an operator's command, wired by the application (kiosk/ui/main.cpp).
// Called on the monitor's thread, one at a time; an action may block (an upload) but must not
// wait for the monitor or the UI loop to stop. An empty function: that command is refused as
// "not supported here". An exception is a failure with its what().
struct RemoteActions {
    std::function<ActionResult()> send_now;  // deliver the outbox now
    // Only ask: the UI loop ends and the application exits (systemd starts it again). Recorded
    // as done before it is called, so it never runs twice; reported after the restart.
    std::function<ActionResult()> restart;
    // Likewise, through logind (request_reboot); the command's id, for the application to amend
    // the result if logind refuses the reboot when it finally comes (CommandLedger::amend).
    std::function<ActionResult(const std::string& command_id)> reboot;
    // The ledger already keeps the state (CommandLedger::out_of_service) when these are called:
    // they only tell the UI, which polls the ledger anyway. May be left empty.
    std::function<ActionResult(const OutOfServiceMessage&)> out_of_service;
    std::function<ActionResult()> back_in_service;
    std::function<ActionResult()> refresh_catalog;  // fetch services.json now
    // Build and upload the diagnostic bundle (send_diagnostic_bundle does both). `stop` is the
    // monitor's: the kiosk stopping cuts the upload short (the monitor's thread is joined).
    std::function<ActionResult(const std::string& command_id, std::stop_token stop)>
        diagnostic_bundle;
    // Download the bundle and hand it to the installer (fetch_update does both). `stop` as for
    // diagnostic_bundle: the kiosk stopping ends the download within about a second.
    std::function<ActionResult(const BundleOrder& order, std::stop_token stop)> update;
};

// Section: the ledger

// One command the kiosk ran or refused.
struct LedgerEntry {
    std::string id;
    CommandName name = CommandName::Unknown;
    CommandResult result = CommandResult::Refused;
    std::string reason;
    WallClock::time_point at{};          // when the result was decided
    WallClock::time_point keep_until{};  // pruned after this, once reported
    bool authentic = false;              // signed by an operator: its id is truly taken
    bool reported = false;               // a heartbeat carrying it was taken
};

// Every command id run or refused, with its result, and the operator's out-of-service state,
// in <state_dir>/remote-commands.json (0600, written atomically, fsynced). Thread-safe: the
// monitor's thread takes commands, the UI polls out_of_service().
class CommandLedger {
public:
    static constexpr const char* kFileName = "remote-commands.json";
    static constexpr std::size_t kMaxEntries = 1000;
    // Commands that ran (done or failed) are never dropped before their time: past this many,
    // a new one is refused instead; refusals make room for each other: forgeries first (a
    // register cannot push out an operator's refused command, which would then run when
    // handed again), then those reported, then the oldest.
    static constexpr std::size_t kMaxRun = 900;
    static constexpr auto kKeepAfterExpiry = std::chrono::hours(24);
    static constexpr std::size_t kReportsPerHeartbeat = 32;

    // Reads the file; none yet is an empty ledger. A damaged or unreadable one is moved aside
    // (".damaged") and logged: then commands issued before now are refused, for the ledger
    // that would have said whether they ran is gone. Never throws for the file's sake.
    explicit CommandLedger(std::filesystem::path state_dir,
                           WallClock::time_point now = WallClock::now());
    CommandLedger(const CommandLedger&) = delete;
    CommandLedger& operator=(const CommandLedger&) = delete;

    // Section: for the UI (cheap, any thread)

    // The operator took the kiosk out of service (kept across restarts until back_in_service).
    bool out_of_service_now() const noexcept { return out_of_service_flag_.load(); }
    std::optional<OutOfServiceMessage> out_of_service() const;

    // Section: for the monitor

    // Checks, records and runs one answer's commands in order (at most 16 are handed), each
    // logged. A known id is never run again: its stored result is reported again. After a
    // restart or reboot that was asked, the rest of this answer is left: the register hands it
    // again, in the monitor's follow-up heartbeat a second later while the kiosk still runs
    // (nothing after a restart depends on it), else after the next start. Stops between
    // commands when stop is requested (`stop` also goes to the diagnostic upload); calls
    // `between` between two commands (the monitor's metrics push, when due). Refusals are
    // written once per call; a command that runs is written before it runs. Returns the new
    // results (for the counters), not those reported again.
    std::vector<CommandReport> take(std::span<const net::SignedCommand> commands,
                                    const CommandCheck& check, const RemoteActions* actions,
                                    WallClock::time_point now, std::stop_token stop = {},
                                    const std::function<void()>& between = {});

    // Results the register has not taken yet, oldest first, at most max.
    std::vector<CommandReport> unreported(std::size_t max = kReportsPerHeartbeat) const;
    // A heartbeat carrying these was taken: they are not carried again (then written; a write
    // that fails is logged and tried again with the next change).
    void reported(const std::vector<CommandReport>& carried, WallClock::time_point now);

    // Section: for the application

    // A command's result as it turned out after all: a restart or reboot is recorded as done
    // when asked, and logind may still refuse the reboot. Only a command that ran (done or
    // failed) changes, to done or failed (a refusal never ran; anything else is ignored and
    // logged). Written, logged, and reported again in the next heartbeat. Any thread.
    void amend(std::string_view id, CommandResult result, std::string reason,
               WallClock::time_point now);

    // Section: looking in (tests, service mode)

    std::optional<LedgerEntry> find(std::string_view id) const;
    std::size_t size() const;
    const std::filesystem::path& file() const { return file_; }

private:
    enum class Change { None, OutOfService, BackInService };
    std::optional<CommandReport> take_one(const net::SignedCommand& command,
                                          const CommandCheck& check, const RemoteActions* actions,
                                          WallClock::time_point now, std::stop_token stop,
                                          bool& stop_here);
    ActionResult run(const RemoteCommand& c, const RemoteActions& actions, std::stop_token stop);
    LedgerEntry* entry(std::string_view id);
    void put(LedgerEntry e);
    void prune(WallClock::time_point now);
    std::size_t run_entries() const;
    common::FileStatus save();  // under mutex_
    void save_or_log();         // under mutex_: save(), a failure logged
    void load(WallClock::time_point now);
    void publish();  // under mutex_: out_of_service_ becomes what the UI sees

    std::filesystem::path file_;
    mutable std::mutex mutex_;
    std::vector<LedgerEntry> entries_;  // oldest first
    bool unsaved_ = false;              // refusals not yet written (take() writes them once)
    std::optional<OutOfServiceMessage> out_of_service_;
    std::string out_of_service_command_;  // the id that set it
    WallClock::time_point out_of_service_since_{};
    std::atomic<bool> out_of_service_flag_{false};
    mutable std::mutex published_mutex_;  // never held across I/O: the UI takes it
    std::optional<OutOfServiceMessage> published_;
    // After a damaged ledger was set aside: commands issued before this are refused.
    std::optional<WallClock::time_point> refuse_issued_before_;
};

// Section: the diagnostic bundle

// A JSON document for operators, without personal data: version, kiosk id, the health figures
// (problems and warnings included), the outbox's counts by state, the configuration with
// secrets and key paths left out (api_key and pin_hash never appear), and the journal's latest
// lines (which hold no citizen's data).
std::string diagnostic_bundle_json(const Config& cfg, const Figures& f, std::string_view command_id,
                                   WallClock::time_point now);

// Builds the bundle from health's figures and uploads it (POST
// kiosks/{id}/diagnostics/{command_id}.json); the RemoteActions::diagnostic_bundle the
// application wires. A stop request ends the upload within about a second (failed: cancelled).
ActionResult send_diagnostic_bundle(const Config& cfg, const Health& health,
                                    const std::string& command_id, std::stop_token stop);

// Section: the update command

// Where fetch_update puts the bundle: <state_dir>/update/bundle.raucb (".part" while it comes).
std::filesystem::path update_bundle_file(const Config& cfg);
// Free space the download leaves beside the bundle, for the outbox and the journal.
inline constexpr std::uint64_t kUpdateSpareBytes = std::uint64_t(200) << 20;  // 200 MiB
// A bundle takes long over a slow link: a stall ends the download, the total bound is wide.
inline constexpr auto kBundleDownloadTimeout = std::chrono::hours(2);

// The RemoteActions::update the application wires. Refuses when state_dir's free space is less
// than order.size + kUpdateSpareBytes; downloads the bundle over HTTPS (the pinned
// [register] ca_file, the kiosk's client certificate, at most order.size bytes) into
// update_bundle_file + ".part", checks its size and SHA-256, renames it to update_bundle_file
// (fsynced), and calls install(path): "" = accepted, else why not. Done ("accepted: installs
// when no citizen is at the kiosk") or failed with a short reason; a partial or wrong file
// is removed (a bundle install refuses stays: an install already waiting reads that path). A
// stop request ends the download within about a second (failed: "download: cancelled").
ActionResult fetch_update(const Config& cfg, const BundleOrder& order, std::stop_token stop,
                          const std::function<std::string(const std::filesystem::path&)>& install);

}  // namespace kiosk
