// Outbox figures: enqueue latency with fsync, and draining 10,000 queued complaints to the
// local development register. Prints figures; asserts nothing about time.
#include "dev_register.h"
#include "process.h"
#include "sample_request.h"

#include "kiosk/outbox.h"
#include "kiosk/submission.h"

#include <sqlite3.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

using namespace kiosk;
using Seconds = std::chrono::duration<double>;

namespace {

double percentile(std::vector<double> v, double p) {
    std::sort(v.begin(), v.end());
    return v[static_cast<std::size_t>(p * (v.size() - 1))];
}

int count(const std::string& db_path, const char* sql) {
    sqlite3* db = nullptr;
    sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db, sql, -1, &st, nullptr);
    sqlite3_step(st);
    const int n = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

}  // namespace

int main(int argc, char** argv) {
    const int drain = argc > 1 ? std::atoi(argv[1]) : 10000;
    net::global_init();
    const std::string dir = testsupport::make_temp_dir("outbox-bench");
    Config cfg;
    cfg.kiosk_id = "KSK-BENCH";
    cfg.office_address = "Көкшетау қ., Абай к-сі, 83";
    const Complaint complaint = sample_complaint();

    // Section: enqueue latency, each a committed, fsync'd transaction
    {
        Outbox outbox(dir + "/latency.sqlite", cfg.kiosk_id);
        std::vector<double> ms;
        for (int i = 0; i < 1000; ++i) {
            const auto rq = sample_request(cfg, new_idempotency_key(), nullptr, complaint);
            const auto t0 = std::chrono::steady_clock::now();
            outbox.enqueue(rq, WallClock::now());
            ms.push_back(Seconds(std::chrono::steady_clock::now() - t0).count() * 1000);
        }
        std::printf("enqueue (synchronous=FULL, 1000 complaints): median %.2f ms, p99 %.2f ms\n",
                    percentile(ms, 0.5), percentile(ms, 0.99));
    }

    // Section: draining to the local register over HTTPS
    DevRegister reg;
    const net::RegisterEndpoint ep{.base_url = reg.url(),
                                   .ca_file = reg.ca_file(),
                                   .client_cert = reg.client_cert(),
                                   .client_key = reg.client_key(),
                                   .api_key = reg.api_key(),
                                   .connect_timeout_ms = 5000,
                                   .total_timeout_ms = 20000};
    Outbox outbox(dir + "/drain.sqlite", cfg.kiosk_id);
    for (int i = 0; i < drain; ++i)
        outbox.enqueue(sample_request(cfg, new_idempotency_key(), nullptr, complaint),
                       WallClock::now());
    std::mt19937_64 rng(1);
    const auto t0 = std::chrono::steady_clock::now();
    int delivered = 0;
    while (outbox.stats().queued > 0)
        delivered +=
            deliver_due(outbox, ep, {std::chrono::milliseconds(100), std::chrono::seconds(1)}, rng);
    const double seconds = Seconds(std::chrono::steady_clock::now() - t0).count();
    const int rows = count(reg.db_path(), "SELECT count(*) FROM requests");
    const int keys = count(reg.db_path(), "SELECT count(DISTINCT idempotency_key) FROM requests");
    std::printf(
        "drain %d queued complaints: %.1f s (%.0f per second), delivered %d, register rows %d, "
        "duplicates %d, lost %d\n",
        drain, seconds, drain / seconds, delivered, rows, rows - keys, drain - rows);
    std::filesystem::remove_all(dir);
    return rows == drain && rows == keys ? 0 : 1;
}
