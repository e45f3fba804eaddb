#include "fleet.h"

#include <net/register_client.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>

namespace fleet {

using namespace std::chrono_literals;
using kiosk::WallClock;

namespace {

constexpr auto kFiguresEvery = 5s;  // the kiosk's monitor samples every 10 s; a little livelier
constexpr std::size_t kMaxSamples = 200000;  // per kind, between resets: about 24 MB at most

constexpr std::pair<std::string_view, Fault> kFaults[] = {{"paper_low", Fault::PaperLow},
                                                          {"paper_out", Fault::PaperOut},
                                                          {"register_down", Fault::RegisterDown},
                                                          {"outbox_stuck", Fault::OutboxStuck},
                                                          {"down", Fault::Down},
                                                          {"lie", Fault::Lie}};

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[static_cast<std::size_t>(p * double(v.size() - 1) + 0.5)];
}

void record(std::vector<double>& v, double x) {
    if (v.size() < kMaxSamples) v.push_back(x);
}

double seconds(SteadyClock::duration d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

std::string kiosk_id(const Options& o, int n) {
    char digits[16];
    std::snprintf(digits, sizeof digits, "%04d", n);
    return o.id_prefix + digits;
}

std::string kiosk_address(int n) {
    return "127.0." + std::to_string(n / 250 + 1) + "." + std::to_string(n % 250 + 2);
}

std::string kiosk_office(int n) {
    char name[32];
    std::snprintf(name, sizeof name, "sim-office-%03d", (n - 1) / 10 + 1);
    return name;
}

std::optional<Fault> fault_named(std::string_view name) {
    for (const auto& [n, f] : kFaults)
        if (n == name) return f;
    return std::nullopt;
}

std::string fault_names(unsigned faults) {
    std::string s;
    for (const auto& [n, f] : kFaults)
        if (faults & unsigned(f)) s += (s.empty() ? "" : ",") + std::string(n);
    return s;
}

// Section: one kiosk

struct Fleet::Kiosk {
    Kiosk(const Options& o, int n, WallClock::time_point started)
        : number(n),
          id(kiosk_id(o, n)),
          address(kiosk_address(n)),
          scraped(n <= o.scraped),
          cert(o.certs / "kiosks" / (id + ".crt")),
          key(o.certs / "kiosks" / (id + ".key")),
          health(id, std::string(kiosk::kiosk_version()), started) {}

    const int number;
    const std::string id, address;
    const bool scraped;
    const std::filesystem::path cert, key;
    kiosk::Health health;
    std::atomic<unsigned> faults{0};
    std::atomic<SteadyClock::time_point> last_heard{};  // last push taken, or scrape served
    // Only the figures' thread touches these.
    int paper = 0;
    int queued = 0;
    std::optional<WallClock::time_point> stuck_since;
    // The control thread starts and stops the server; the mutex keeps it from doing both at once.
    std::mutex server_mutex;
    std::optional<kiosk::ManagementServer> server;
    std::atomic<int> port{0};  // the server's, once bound (the control reads it any time)

    bool has(Fault f) const { return faults.load() & unsigned(f); }
};

// Section: the fleet

Fleet::Fleet(Options options) : options_(std::move(options)), rng_(options_.seed) {
    std::uniform_int_distribution<int> uptime_s(600, 3 * 86400), paper(300, 1500);
    const auto now = WallClock::now();
    for (int n = 1; n <= options_.kiosks; ++n) {
        auto k = std::make_unique<Kiosk>(options_, n, now - std::chrono::seconds(uptime_s(rng_)));
        k->paper = paper(rng_);
        k->health.speech_state(true, "");
        k->health.office(kiosk_office(n));
        // Without a register to ask it counts as answering, from the start.
        if (options_.register_url.empty()) k->health.register_answered(now);
        if (k->scraped) serve(*k);
        kiosks_.push_back(std::move(k));
    }
}

Fleet::~Fleet() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        stop_.request_stop();
    }
    for (auto& w : wakes_) w.notify_all();
    figures_wake_.notify_all();
    for (auto& t : pool_) t.join();
    if (figures_.joinable()) figures_.join();
}

void Fleet::serve(Kiosk& k) {
    std::lock_guard lock(k.server_mutex);
    if (k.server) return;
    // Port 0 takes any free port once, then keeps it: Prometheus's targets name it.
    kiosk::ListenAddress at{k.address, k.port ? k.port.load() : options_.management_port, false};
    kiosk::ManagementTls tls;
    if (options_.management_tls) tls = {k.cert, k.key, options_.certs / "scraper-ca.crt"};
    k.server.emplace(at, k.health, kiosk::HealthLimits{}, kiosk::ManagementLimits{}, tls);
    k.port = k.server->port();
}

SteadyClock::duration Fleet::jittered(std::chrono::milliseconds interval) {
    std::uniform_real_distribution<double> jitter(0.9, 1.1);  // kiosks drift out of step
    return std::chrono::duration_cast<SteadyClock::duration>(interval * jitter(rng_));
}

void Fleet::start() {
    figures_ = std::thread([this] { figures_loop(); });
    {
        std::lock_guard lock(mutex_);
        // Kiosks start at random moments: the first pushes and heartbeats spread over one interval.
        std::uniform_real_distribution<double> phase(0, 1);
        const auto now = SteadyClock::now();
        for (std::size_t i = 0; i < kiosks_.size(); ++i) {
            if (!kiosks_[i]->scraped && !options_.push_url.empty())
                queues_[0].push_back({now + std::chrono::duration_cast<SteadyClock::duration>(
                                                options_.push_interval * phase(rng_)),
                                      int(i), false});
            queues_[1].push_back({now + std::chrono::duration_cast<SteadyClock::duration>(
                                            options_.heartbeat_interval * phase(rng_)),
                                  int(i), true});
        }
        for (auto& q : queues_) std::make_heap(q.begin(), q.end(), std::greater<>());
    }
    for (int t = 0; t < options_.threads; ++t) pool_.emplace_back([this] { work(false); });
    for (int t = 0; t < options_.heartbeat_threads; ++t) pool_.emplace_back([this] { work(true); });
}

// Section: plausible figures

// Every few seconds, each kiosk's figures as its monitor would sample them: a complaint now
// and then, the paper roll going down, frames drawn; the faults set on top.
void Fleet::figures_loop() {
    std::mt19937 rng(options_.seed + 1);
    std::bernoulli_distribution complaint(0.01), frame_slow(0.02);
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        lock.unlock();
        const auto now = WallClock::now();
        for (auto& kp : kiosks_) {
            Kiosk& k = *kp;
            if (k.has(Fault::Down)) continue;  // a kiosk that is off samples nothing
            if (complaint(rng)) {
                k.health.complaint_accepted();
                k.health.delivery_pass(1, 0);
                k.health.talon_printed();
                if (k.paper > 0) --k.paper;
            }
            if (!k.has(Fault::OutboxStuck)) k.stuck_since.reset();
            if (k.has(Fault::OutboxStuck) && !k.stuck_since) k.stuck_since = now - 2h;
            kiosk::Sample s;
            s.at = now;
            s.outbox.queued = k.stuck_since ? 3 : 0;
            s.outbox.oldest_undelivered = k.stuck_since;
            s.outbox.registered = int(k.health.figures().delivered);
            s.printer.configured = true;
            s.printer.state = "idle";
            s.paper_remaining = k.has(Fault::PaperOut)   ? 0
                                : k.has(Fault::PaperLow) ? std::min(k.paper, 25)
                                                         : k.paper;
            s.paper_low = s.paper_remaining < 50;
            s.printer.media_low = k.has(Fault::PaperLow);
            s.printer.media_empty = k.has(Fault::PaperOut);
            if (s.printer.media_empty) s.printer.state = "stopped";
            s.disk_free_bytes = 12ull << 30;
            s.client_cert_expiry = now + std::chrono::days(700);
            s.ca_expiry = now + std::chrono::days(3000);
            k.health.sampled(std::move(s));
            k.health.frame_drawn(kiosk::Clock::now(), frame_slow(rng) ? 40ms : 8ms);
        }
        lock.lock();
        figures_wake_.wait_for(lock, kFiguresEvery, [this] { return stopping_ || refresh_; });
        refresh_ = false;
    }
}

// Section: the pool

void Fleet::work(bool heartbeats) {
    std::vector<Job>& queue = queues_[heartbeats];
    std::condition_variable& wake = wakes_[heartbeats];
    std::unique_lock lock(mutex_);
    for (;;) {
        if (stopping_) return;
        if (queue.empty()) {
            wake.wait(lock);
            continue;
        }
        const auto due = queue.front().due;
        if (SteadyClock::now() < due) {
            wake.wait_until(lock, due);
            continue;
        }
        std::pop_heap(queue.begin(), queue.end(), std::greater<>());
        Job job = queue.back();
        queue.pop_back();
        record(heartbeats ? stats_.heartbeat_late_seconds : stats_.push_late_seconds,
               seconds(SteadyClock::now() - job.due));
        lock.unlock();
        Kiosk& k = *kiosks_[job.index];
        if (job.heartbeat)
            heartbeat(k);
        else
            push(k);
        lock.lock();
        // Due from its last due time, not from now: a slow push does not slow the kiosk down.
        job.due += jittered(job.heartbeat ? options_.heartbeat_interval : options_.push_interval);
        queue.push_back(job);
        std::push_heap(queue.begin(), queue.end(), std::greater<>());
        wake.notify_one();
    }
}

void Fleet::push(Kiosk& k) {
    if (k.has(Fault::Down)) return;
    net::PushEndpoint at;
    at.url = options_.push_url;
    at.ca_file = options_.push_ca;
    at.client_cert = k.cert;
    at.client_key = k.key;
    at.source_address = k.address;
    const kiosk::Figures f = k.health.figures();
    const auto now = WallClock::now();
    const std::string text =
        kiosk::metrics_text(f, kiosk::health_problems(f, {}, now, kiosk::Clock::now()), now);
    const auto t0 = SteadyClock::now();
    const net::PushResult r = net::push_metrics(at, k.id, text, stop_.get_token());
    const auto took = SteadyClock::now() - t0;
    // As the kiosk's monitor counts them: kiosk_metrics_push_* in the next exposition.
    if (r.ok) {
        k.health.metrics_pushed(WallClock::now());
        k.last_heard = SteadyClock::now();
    } else {
        k.health.metrics_push_failed();
    }
    std::optional<net::PushResult> lie;
    if (k.has(Fault::Lie)) {
        const int victim = k.number % options_.kiosks;  // the next kiosk, 0-based
        lie = net::push_metrics(at, kiosks_[victim]->id, text, stop_.get_token());
    }
    std::lock_guard lock(mutex_);
    record(stats_.push_seconds, seconds(took));
    ++(r.ok ? stats_.pushes_ok : stats_.pushes_failed);
    if (!r.ok)
        stats_.last_push_error = k.id + ": HTTP " + std::to_string(r.http_status) + " " + r.error;
    if (lie) {
        if (lie->ok)
            ++stats_.lies_accepted;
        else if (lie->http_status == 403)
            ++stats_.lies_refused;
        else
            ++stats_.lies_failed;
    }
}

void Fleet::heartbeat(Kiosk& k) {
    if (k.has(Fault::Down)) return;
    const auto now = WallClock::now();
    if (k.has(Fault::RegisterDown)) {
        k.health.register_failed(now, "Couldn't connect to server");
        return;
    }
    if (options_.register_url.empty()) {
        k.health.register_answered(now);  // no register to ask: it counts as answering
        return;
    }
    const kiosk::Figures f = k.health.figures();
    const std::string body =
        kiosk::heartbeat_json(f, kiosk::health_problems(f, {}, now, kiosk::Clock::now()), now);
    net::RegisterEndpoint at;
    at.base_url = options_.register_url;
    at.ca_file = options_.register_ca;
    at.client_cert = k.cert;
    at.client_key = k.key;
    at.api_key = options_.api_key;
    at.cancel = stop_.get_token();
    const std::uint64_t reported = f.staff_events.empty() ? 0 : f.staff_events.back().seq;
    const auto t0 = SteadyClock::now();
    const net::HeartbeatResult r = net::send_heartbeat(at, k.id, body, net::new_idempotency_key());
    const auto took = SteadyClock::now() - t0;
    const bool ok = r.outcome == net::Outcome::Registered;
    if (ok)
        k.health.heartbeat_taken(WallClock::now(), reported);
    else
        k.health.register_failed(WallClock::now(), r.error);
    std::lock_guard lock(mutex_);
    record(stats_.heartbeat_seconds, seconds(took));
    ++(ok ? stats_.heartbeats_ok : stats_.heartbeats_failed);
    if (!ok)
        stats_.last_heartbeat_error =
            k.id + ": HTTP " + std::to_string(r.http_status) + " " + r.error;
}

// Section: control

bool Fleet::inject(int n, std::string_view fault, std::string& why) {
    if (n < 1 || n > int(kiosks_.size())) {
        why = "no kiosk " + std::to_string(n) + " (1.." + std::to_string(kiosks_.size()) + ")";
        return false;
    }
    Kiosk& k = *kiosks_[n - 1];
    if (fault == "clear") {
        k.faults = 0;
    } else if (const auto f = fault_named(fault)) {
        k.faults |= unsigned(*f);
        // Seen at the next scrape or push, as a kiosk's monitor sees it at its next look.
        if (*f == Fault::RegisterDown) k.health.register_failed(WallClock::now(), "injected");
    } else {
        why = "unknown fault: " + std::string(fault) +
              " (paper_low, paper_out, register_down, outbox_stuck, down, lie, clear)";
        return false;
    }
    {
        // Sampled at once: the fault is in the next scrape or push, not one sample later.
        std::lock_guard lock(mutex_);
        refresh_ = true;
    }
    figures_wake_.notify_all();
    if (k.scraped) {
        if (k.has(Fault::Down)) {
            std::lock_guard lock(k.server_mutex);
            k.server.reset();
        } else {
            try {
                serve(k);
            } catch (const std::exception& e) {
                why = e.what();
                return false;
            }
        }
    }
    return true;
}

std::string Fleet::stats_json(bool reset) {
    nlohmann::json j;
    const auto now = SteadyClock::now();
    // A pushing kiosk not heard of for three intervals is what Prometheus would call missing.
    int silent = 0, down = 0;
    for (const auto& k : kiosks_) {
        if (k->has(Fault::Down)) ++down;
        if (!k->scraped && !options_.push_url.empty() && !k->has(Fault::Down) &&
            now - k->last_heard.load() > 3 * options_.push_interval)
            ++silent;
    }
    std::lock_guard lock(mutex_);
    const Stats& s = stats_;
    j["kiosks"] = kiosks_.size();
    j["scraped"] = options_.scraped;
    j["down"] = down;
    j["pushers_silent"] = silent;
    j["pushes"] = {{"ok", s.pushes_ok},
                   {"failed", s.pushes_failed},
                   {"p50_s", percentile(s.push_seconds, 0.5)},
                   {"p99_s", percentile(s.push_seconds, 0.99)},
                   {"max_s", percentile(s.push_seconds, 1)},
                   {"last_error", s.last_push_error}};
    j["lies"] = {
        {"refused", s.lies_refused}, {"accepted", s.lies_accepted}, {"failed", s.lies_failed}};
    j["heartbeats"] = {{"ok", s.heartbeats_ok},
                       {"failed", s.heartbeats_failed},
                       {"p50_s", percentile(s.heartbeat_seconds, 0.5)},
                       {"p99_s", percentile(s.heartbeat_seconds, 0.99)},
                       {"last_error", s.last_heartbeat_error}};
    j["pushes"]["late_p99_s"] = percentile(s.push_late_seconds, 0.99);
    j["heartbeats"]["late_p99_s"] = percentile(s.heartbeat_late_seconds, 0.99);
    if (reset) stats_ = {};
    return j.dump() + "\n";
}

std::vector<std::pair<std::string, std::string>> Fleet::scrape_targets() const {
    std::vector<std::pair<std::string, std::string>> t;
    for (const auto& k : kiosks_)
        if (k->scraped) t.emplace_back(k->id, k->address + ":" + std::to_string(k->port.load()));
    return t;
}

std::string Fleet::kiosks_json() const {
    nlohmann::json j = nlohmann::json::array();
    for (const auto& k : kiosks_)
        j.push_back({{"n", k->number},
                     {"id", k->id},
                     {"address", k->address},
                     {"scraped", k->scraped},
                     {"port", k->port.load()},
                     {"faults", fault_names(k->faults.load())}});
    return j.dump() + "\n";
}

}  // namespace fleet
