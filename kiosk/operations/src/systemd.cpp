#include "kiosk/systemd.h"

#include <systemd/sd-bus.h>
#include <systemd/sd-daemon.h>

#include <cstring>

namespace kiosk {

void notify_ready() { sd_notify(0, "READY=1"); }

void notify_status(const std::string& text) { sd_notifyf(0, "STATUS=%s", text.c_str()); }

void notify_stopping() { sd_notify(0, "STOPPING=1"); }

void notify_watchdog() { sd_notify(0, "WATCHDOG=1"); }

std::optional<std::chrono::microseconds> watchdog_interval() {
    uint64_t usec = 0;
    if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return std::nullopt;
    return std::chrono::microseconds(usec);
}

std::string request_reboot() {
    sd_bus* bus = nullptr;
    int r = sd_bus_open_system(&bus);
    if (r < 0) return std::string("no system bus: ") + std::strerror(-r);
    sd_bus_error error = SD_BUS_ERROR_NULL;
    // interactive=false: polkit decides from its rules alone; no one can type a password here.
    r = sd_bus_call_method(bus, "org.freedesktop.login1", "/org/freedesktop/login1",
                           "org.freedesktop.login1.Manager", "Reboot", &error, nullptr, "b", 0);
    std::string why;
    if (r < 0) why = error.message ? error.message : std::strerror(-r);
    sd_bus_error_free(&error);
    sd_bus_flush_close_unref(bus);
    return why;
}

}  // namespace kiosk
