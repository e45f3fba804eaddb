// The simulated fleet: N kiosks running the kiosk's own monitoring code headless. Each has a
// kiosk::Health fed with plausible figures; its exposition is exactly metrics_text() of them.
// Scraped kiosks serve it with kiosk::ManagementServer on 127.0.x.y:9464; pushing kiosks send
// it with net::push_metrics from 127.0.x.y, on a small pool of threads (never one per kiosk).
// Heartbeats have a pool of their own: a slow register does not hold pushes up (a kiosk's own
// slow heartbeat delays only that kiosk).
// Heartbeats go to the register with net::send_heartbeat. Faults are set per kiosk at run time.
#pragma once
#include "kiosk/health.h"
#include "kiosk/monitor.h"

#include <net/metrics_push.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace fleet {

using SteadyClock = std::chrono::steady_clock;

// Section: options

struct Options {
    int kiosks = 20;
    int scraped = 0;  // kiosks 1..scraped serve /metrics; the others push
    std::string id_prefix = "KSK-SIM-";
    std::filesystem::path certs;  // make-fleet-certs' folder
    int management_port = 9464;   // 0: any free port, one per kiosk
    // The kiosk's own certificate on its port, answering only clients from the scraper CA
    // (Prometheus shows scraper.crt; no kiosk's certificate), as a kiosk off loopback must;
    // false: plain HTTP.
    bool management_tls = true;
    std::string push_url;  // https://127.0.0.1:PORT (nginx); "" = nobody pushes
    std::filesystem::path push_ca;
    std::chrono::milliseconds push_interval{30000};
    std::string register_url;  // "" = no heartbeats (the register counts as answering)
    std::filesystem::path register_ca;
    std::string api_key = "dev-kiosk-key";
    std::chrono::milliseconds heartbeat_interval{60000};
    int threads = 4;            // the pool that pushes
    int heartbeat_threads = 4;  // the pool that sends heartbeats
    unsigned seed = 1;
};

// Kiosk n (1-based) and where it lives: make-fleet-certs names and addresses them alike.
std::string kiosk_id(const Options& o, int n);
std::string kiosk_address(int n);  // 127.0.(n/250+1).(n%250+2)
std::string kiosk_office(int n);   // ten kiosks an office: sim-office-001 ...

// Section: faults

enum class Fault : unsigned {
    PaperLow = 1u << 0,
    PaperOut = 1u << 1,
    RegisterDown = 1u << 2,  // heartbeats fail as if the register were away
    OutboxStuck = 1u << 3,   // the oldest complaint waits for over two hours
    Down = 1u << 4,          // neither pushes, serves nor sends heartbeats
    Lie = 1u << 5,           // also pushes under the next kiosk's id, with its own certificate
};
std::optional<Fault> fault_named(std::string_view name);  // "paper_low", ...; not "clear"
std::string fault_names(unsigned faults);                 // "paper_out,down"; "" for none

// Section: figures the simulator reports

struct Stats {
    std::uint64_t pushes_ok = 0, pushes_failed = 0;
    std::uint64_t lies_refused = 0;   // 403: the receiver saw the certificate was not the id's
    std::uint64_t lies_accepted = 0;  // anything 2xx: a hole
    std::uint64_t lies_failed = 0;    // no answer, or another status
    std::uint64_t heartbeats_ok = 0, heartbeats_failed = 0;
    std::vector<double> push_seconds, heartbeat_seconds;  // since the last reset
    // How long after its time a push (heartbeat) started: its pool's lag.
    std::vector<double> push_late_seconds, heartbeat_late_seconds;
    std::string last_push_error, last_heartbeat_error;
};

// Section: the fleet

class Fleet {
public:
    explicit Fleet(Options options);  // binds the scraped kiosks' ports; throws on failure
    ~Fleet();
    Fleet(const Fleet&) = delete;
    Fleet& operator=(const Fleet&) = delete;

    void start();  // the pool and the figures' thread
    // Sets a fault (or clears them all: "clear") on kiosk n; false with why when it cannot.
    bool inject(int n, std::string_view fault, std::string& why);
    std::string stats_json(bool reset);  // counters, p50/p99, kiosks not heard of lately
    std::string kiosks_json() const;
    // The scraped kiosks' ids and HOST:PORT, for Prometheus's targets.
    std::vector<std::pair<std::string, std::string>> scrape_targets() const;
    const Options& options() const { return options_; }

private:
    struct Kiosk;
    struct Job {
        SteadyClock::time_point due;
        int index;  // into kiosks_
        bool heartbeat;
        bool operator>(const Job& o) const { return due > o.due; }
    };

    void figures_loop();
    void work(bool heartbeats);
    void push(Kiosk& k);
    void heartbeat(Kiosk& k);
    void serve(Kiosk& k);  // (re)starts a scraped kiosk's management server
    SteadyClock::duration jittered(std::chrono::milliseconds interval);

    Options options_;
    std::vector<std::unique_ptr<Kiosk>> kiosks_;
    std::mutex mutex_;  // the queue, the random numbers and the stats
    // Per pool, [0] pushes and [1] heartbeats: a min-heap on due, and its threads' wake-up.
    std::vector<Job> queues_[2];
    std::condition_variable wakes_[2];
    std::mt19937 rng_;
    Stats stats_;
    std::condition_variable figures_wake_;
    bool refresh_ = false;  // a fault changed: sample now
    bool stopping_ = false;
    std::stop_source stop_;  // cuts pushes and heartbeats in flight short at the end
    std::vector<std::thread> pool_;
    std::thread figures_;
};

}  // namespace fleet
