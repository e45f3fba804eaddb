// kiosk/systemd: the service manager's side of the kiosk. Readiness and the watchdog (the unit
// is Type=notify with WatchdogSec), and reboot through logind (polkit lets the kiosk user).
// Outside systemd every call is a no-op or says why it cannot.
#pragma once
#include <chrono>
#include <optional>
#include <string>

namespace kiosk {

void notify_ready();                          // after the first frame is on the screen
void notify_status(const std::string& text);  // "systemctl status" shows it
void notify_stopping();
void notify_watchdog();  // only from the UI loop: a frozen screen stops it
// How often systemd wants WATCHDOG=1; nullopt when no watchdog is set for this process.
std::optional<std::chrono::microseconds> watchdog_interval();

// Asks logind to reboot the machine; "" when it agreed, else why not (for staff and the log).
std::string request_reboot();

}  // namespace kiosk
