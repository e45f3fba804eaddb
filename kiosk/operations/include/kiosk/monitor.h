// kiosk/monitor: keeps the health figures fresh and tells the world. Samples the outbox,
// printer, disk and certificates every few seconds, pushes the heartbeat to the register, and
// serves /metrics and /healthz on the management address (libmicrohttpd). Its own threads:
// nothing here ever runs on the UI thread.
#pragma once
#include "kiosk/config.h"
#include "kiosk/health.h"

#include <printer/paper.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

struct MHD_Daemon;

namespace kiosk {

HealthLimits health_limits(const Config& cfg);

// GET /metrics and GET /healthz, nothing else; at most a few connections, short timeouts.
class ManagementServer {
public:
    ManagementServer(const ListenAddress& at, const Health& health,
                     HealthLimits limits);  // throws on bind failure
    ~ManagementServer();
    ManagementServer(const ManagementServer&) = delete;
    ManagementServer& operator=(const ManagementServer&) = delete;
    int port() const;  // the bound port

    const Health& health;
    const HealthLimits limits;

private:
    MHD_Daemon* daemon_ = nullptr;
};

class Monitor {
public:
    // Starts sampling, the heartbeat and (unless listen is "") the management server, all on
    // the monitor's thread.
    Monitor(const Config& cfg, Health& health, printer::PaperCounter& paper);
    ~Monitor();
    void wake();  // sample now: after a print, a staff action

private:
    void loop();
    void serve();
    void sample();
    void heartbeat(std::chrono::seconds within = std::chrono::seconds(60));

    const Config& cfg_;
    Health& health_;
    printer::PaperCounter& paper_;
    std::unique_ptr<Outbox> outbox_;  // the sampler's own connection, opened on its thread
    std::optional<ManagementServer> server_;
    std::mutex mutex_;
    std::condition_variable wakeup_;
    bool stopping_ = false, woken_ = false;
    bool register_was_up_ = true;
    bool serve_failed_ = false;
    std::thread thread_;
};

}  // namespace kiosk
