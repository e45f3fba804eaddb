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
#include <string>
#include <vector>

struct sqlite3;

namespace kiosk {

struct OutboxError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

enum class Delivery {
    Queued,      // waiting for (another) attempt
    Delivering,  // an attempt is under way
    Registered,  // the register confirmed and gave its number
    Failed,      // the register refused it for good; staff must look
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
    bool purged = false;  // personal data removed
};

struct OutboxStats {
    int queued = 0, delivering = 0, registered = 0, failed = 0;
    std::optional<WallClock::time_point> oldest_undelivered;
};

// When to try again: exponential backoff from `first` up to `max`, with jitter so that a fleet
// of kiosks coming back online does not hit the register in step.
struct RetryPolicy {
    Millis first{2000};
    Millis max{std::chrono::minutes(10)};
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
    void retry_at(std::int64_t id, WallClock::time_point when, const std::string& error);
    // The register took it under a token and will give the number later: ask with the token.
    void pending(std::int64_t id, const std::string& token, WallClock::time_point when);
    void failed(std::int64_t id, const std::string& reason);
    // Makes every item due now: staff's "deliver now".
    void due_now(WallClock::time_point now);
    // Items left Delivering by a crash go back to Queued (their key makes the retry safe).
    int recover();
    std::optional<WallClock::time_point> next_due() const;

    // Section: personal data
    void talon_printed(std::int64_t id);
    // Wipes the request of items registered and printed more than `retention` ago.
    int purge(WallClock::time_point now, std::chrono::seconds retention);

    static constexpr int kSchemaVersion = 2;

private:
    sqlite3* db_ = nullptr;
    std::string kiosk_id_;
};

// What one delivery pass saw of the register, for monitoring.
struct DeliveryReport {
    int registered = 0, refused = 0;
    std::optional<WallClock::time_point> answered_at, unreachable_at;  // the last of each
    std::string error;                                                 // the last transport error
};

// Sends due items until none is due. Returns how many were registered. One pass of the
// delivery worker; the command-line tool runs it too.
int deliver_due(Outbox& outbox, const net::RegisterEndpoint& endpoint, const RetryPolicy& policy,
                std::mt19937_64& rng, DeliveryReport* report = nullptr);

// Delivers in the background, on its own connection to the outbox, until destroyed: wakes
// when told (a new complaint, staff's "deliver now") or when the next retry is due. It also
// purges personal data once `retention` has passed after delivery and printing.
class DeliveryWorker {
public:
    // on_pass hears of every pass that tried the register (on the worker's thread).
    DeliveryWorker(std::filesystem::path db, std::string kiosk_id, net::RegisterEndpoint endpoint,
                   RetryPolicy policy, std::chrono::seconds retention = std::chrono::seconds(0),
                   std::function<void(const DeliveryReport&)> on_pass = {});
    ~DeliveryWorker();
    void wake();

private:
    void loop();
    Outbox outbox_;
    net::RegisterEndpoint endpoint_;
    RetryPolicy policy_;
    std::chrono::seconds retention_;
    std::function<void(const DeliveryReport&)> on_pass_;
    std::mt19937_64 rng_;
    std::mutex mutex_;
    std::condition_variable wakeup_;
    bool stopping_ = false, woken_ = false;
    std::thread thread_;
};

}  // namespace kiosk
