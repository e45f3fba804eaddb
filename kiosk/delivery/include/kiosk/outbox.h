// kiosk/outbox: the durable queue between a citizen's "send" and the register's confirmation.
// SQLite in WAL mode with synchronous FULL: once enqueue() returns, the complaint survives a
// crash, kill -9 or power cut, and it is delivered with one idempotency key for life, so it is
// filed exactly once however often delivery is retried.
#pragma once
#include "kiosk/clock.h"

#include <net/register_client.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <random>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <vector>

struct sqlite3;

namespace kiosk {

struct OutboxError : std::runtime_error {
    explicit OutboxError(const std::string& what, int sqlite_code = 0)
        : std::runtime_error(what), code(sqlite_code) {}
    // The database itself is unusable (damaged, not a database, disk full, read-only, I/O
    // errors), not merely busy: retrying the same step will not help.
    bool unusable() const;
    int code;  // SQLite's primary result code; 0 when not from SQLite
};

enum class Delivery {
    Queued,      // waiting for (another) attempt
    Delivering,  // an attempt is under way
    Registered,  // the register confirmed and gave its number
    Delivered,   // the register took it and gives no number (a blackbox service)
    NeedsStaff,  // the register refused it as sent (api_key, jurisdiction, a required
                 // attribute): held with its reason until staff fix that and re-queue it
};
std::string_view delivery_name(Delivery d);  // "queued", ...

// What the UI, staff and monitoring see of one complaint. No personal data.
struct OutboxItem {
    std::int64_t id = 0;
    std::string local_number;  // printed on an offline talon, e.g. "KSK-01-000042"
    std::string idempotency_key;
    std::string token;  // the register's token, until it gives the number
    Delivery state = Delivery::Queued;
    std::string registration_number;  // when Registered
    std::string last_error;           // why the last attempt failed
    int attempts = 0;
    WallClock::time_point accepted_at, next_attempt_at;
    std::optional<WallClock::time_point> delivered_at;
    bool talon_printed = false;
    bool purged = false;          // personal data removed
    std::filesystem::path talon;  // the talon's PDF in the spool folder, until deleted
    std::optional<WallClock::time_point> printing_since;  // while it prints, or a kill cut it short
    bool maybe_filed = false;  // an attempt may have filed it unseen: search before posting
    bool has_request = false;  // the request is still here (not wiped)
};

// The short reference the kiosk writes on the last line of every description, which any server
// keeps: the local number and the start of the idempotency key (a local number alone comes
// back after an outbox is replaced). A search for it finds a complaint an unanswered attempt
// filed, so that it is not filed twice.
std::string reference(const OutboxItem& item);
// The request as it goes to the register: its description ends with the reference.
net::ServiceRequest with_reference(net::ServiceRequest request, const OutboxItem& item);

// When a complaint's personal data (the request, the talon PDF) leaves the kiosk. Nothing
// undelivered ever goes: the register needs it.
struct PersonalDataPolicy {
    // After delivery (or the register's refusal) and a printed talon.
    std::chrono::seconds after_printed{0};
    // After acceptance, when the talon did not print (no paper, spool folder only, a kill):
    // staff can reprint it until then; delivered or refused, it goes at the latest then.
    std::chrono::seconds reprint_window{std::chrono::hours(24)};
    // Where talons are spooled: any talon-*.pdf there older than reprint_window that no
    // complaint waiting for delivery names goes too.
    std::filesystem::path spool_dir;
};

struct PurgeReport {
    int complaints = 0;        // requests wiped
    int talons = 0;            // PDFs deleted
    bool checkpointed = true;  // the WAL no longer holds wiped pages (retried when false)
};

struct OutboxStats {
    int queued = 0, delivering = 0, registered = 0, delivered = 0, needs_staff = 0;
    std::string needs_staff_reason;  // the register's words on the latest held (no personal data)
    std::optional<WallClock::time_point> oldest_undelivered;
};

// When to try again: exponential backoff from `first` up to `max`, with jitter so that a fleet
// of kiosks coming back online does not hit the register in step.
struct RetryPolicy {
    Millis first{2000};
    Millis max{std::chrono::minutes(10)};
    // An attempt that may have filed the complaint unseen (a timeout, a reset, a 5xx) is given
    // this long to show up in the server's search before the kiosk looks for it, so that a
    // server still working on it is not sent it again; "send now" does not shorten it.
    Millis settle{std::chrono::seconds(60)};
    Millis delay(int attempts, std::chrono::seconds retry_after, std::mt19937_64& rng) const;
};

class Outbox {
public:
    // Opens (creating or migrating) the database. kiosk_id makes the local numbers.
    Outbox(const std::filesystem::path& file, std::string kiosk_id);
    ~Outbox();
    Outbox(const Outbox&) = delete;
    Outbox& operator=(const Outbox&) = delete;

    // Commits the request durably; only after this returns may the citizen be told.
    OutboxItem enqueue(const net::ServiceRequest& request, WallClock::time_point now);

    std::optional<OutboxItem> find(std::int64_t id) const;
    // By registration number or local number: what the status screen looks up.
    std::optional<OutboxItem> find_number(const std::string& number) const;
    std::vector<OutboxItem> recent(int limit) const;
    OutboxStats stats() const;

    // Section: delivery (the worker and the command-line tool)
    // The oldest item due now, marked Delivering, with its request.
    std::optional<std::pair<OutboxItem, net::ServiceRequest>> take_due(WallClock::time_point now);
    void registered(std::int64_t id, const std::string& number, WallClock::time_point now);
    void delivered(std::int64_t id, WallClock::time_point now);  // taken without a number
    // maybe_filed: the attempt may have filed it (it stays marked until delivered).
    void retry_at(std::int64_t id, WallClock::time_point when, const std::string& error,
                  bool maybe_filed = false);
    // The register took it under a token and will give the number later: ask with the token.
    void pending(std::int64_t id, const std::string& token, WallClock::time_point when);
    void needs_staff(std::int64_t id, const std::string& reason);
    // Staff fixed what the register refused: every complaint held for staff is due now.
    // Returns how many.
    int requeue(WallClock::time_point now);
    // Makes every item due now (staff's "deliver now"), except one an unanswered attempt may
    // have filed: it waits out RetryPolicy::settle.
    void due_now(WallClock::time_point now);
    // Items left Delivering by a crash go back to Queued, marked maybe_filed: the register may
    // have filed one before the crash, so it is searched for before it is posted again.
    int recover();
    std::optional<WallClock::time_point> next_due() const;

    // Section: the talon
    // The talon is spooled and goes to the printer now: a kill before print_ended() leaves it
    // among interrupted_talons().
    void printing(std::int64_t id, const std::filesystem::path& talon, WallClock::time_point now);
    void print_ended(std::int64_t id, bool printed);
    // Staff reprinted a spooled talon: its complaint, if any, counts as printed.
    void reprinted(const std::filesystem::path& talon);
    std::vector<OutboxItem> interrupted_talons() const;

    // Section: personal data
    // Wipes the requests and deletes the talons that `policy` says may go, then checkpoints
    // the WAL so no old page keeps them.
    PurgeReport purge(WallClock::time_point now, const PersonalDataPolicy& policy);
    bool checkpoint();  // false when a reader kept it from finishing: try again later
    // Whole integrity check: throws OutboxError when the file is damaged.
    void check() const;

    static constexpr int kSchemaVersion = 4;

private:
    int sweep_spool(const PersonalDataPolicy& policy);
    sqlite3* db_ = nullptr;
    std::string kiosk_id_;
};

// What one delivery pass saw of the register, for monitoring.
struct DeliveryReport {
    int registered = 0, refused = 0;  // registered: with a number or without
    std::optional<WallClock::time_point> answered_at, unreachable_at;  // the last of each
    std::string error;                                                 // the last transport error
};

// Sends the items due when the pass starts (one that fails again in this pass waits for the
// next), until none is left or endpoint.cancel asks to stop; a call cut short leaves its item
// queued under its key. Returns how many were registered. One pass of the delivery worker;
// the command-line tool runs it too.
int deliver_due(Outbox& outbox, const net::RegisterEndpoint& endpoint, const RetryPolicy& policy,
                std::mt19937_64& rng, DeliveryReport* report = nullptr);

// Moves a broken outbox (and its -wal and -shm) aside as outbox.broken-YYYYMMDD-HHMMSS.sqlite
// in the same folder, kept for a specialist, never deleted. Returns the new name.
std::filesystem::path move_outbox_aside(const std::filesystem::path& db, WallClock::time_point now);

// Delivers in the background, on its own connection to the outbox, until destroyed: wakes
// when told (a new complaint, staff's "deliver now") or when the next retry is due. It also
// lets personal data go as `personal` says. It opens the outbox on its own thread and never
// throws for it: an outbox it cannot use (a full disk, a damaged file) is reported through
// problem() and on_problem, and opened again every half minute until it works or staff move
// it aside. Destroying it stops a call to the register within about a second.
class DeliveryWorker {
public:
    // on_pass hears of every pass that tried the register, on_problem of every change of
    // problem() (both on the worker's thread).
    DeliveryWorker(std::filesystem::path db, std::string kiosk_id, net::RegisterEndpoint endpoint,
                   RetryPolicy policy, PersonalDataPolicy personal = {},
                   std::function<void(const DeliveryReport&)> on_pass = {},
                   std::function<void(const std::string&)> on_problem = {});
    ~DeliveryWorker();
    void wake();
    // Cuts a call to the register short and ends the worker's loop, without waiting: the
    // kiosk stops everything at once, then waits for each.
    void stop();
    // Why the outbox cannot be used (no personal data: SQLite's words); "" when it can, or
    // while it is being opened.
    std::string problem() const;
    bool opened() const;  // the outbox was opened and checked at least once
    // Staff's way out of a broken outbox: moves it aside and starts a new one. Blocks until
    // the worker did it (off the UI thread); returns the name it was moved to, or throws
    // OutboxError.
    std::filesystem::path replace_broken_outbox();

private:
    void loop();
    bool open();
    void pass();
    void set_problem(const std::string& why);

    std::filesystem::path db_;
    std::string kiosk_id_;
    std::optional<Outbox> outbox_;  // the worker thread's only
    std::stop_source stop_;
    net::RegisterEndpoint endpoint_;
    RetryPolicy policy_;
    PersonalDataPolicy personal_;
    std::function<void(const DeliveryReport&)> on_pass_;
    std::function<void(const std::string&)> on_problem_;
    std::mt19937_64 rng_;
    mutable std::mutex mutex_;
    std::condition_variable wakeup_, replaced_;
    bool woken_ = false, opened_ = false, checkpoint_owed_ = false;
    std::string problem_;
    // replace_broken_outbox(): asked, and its answer (a name, or the error)
    bool replace_asked_ = false;
    std::optional<std::filesystem::path> replaced_as_;
    std::string replace_error_;
    std::thread thread_;
};

}  // namespace kiosk
