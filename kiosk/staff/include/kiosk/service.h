// kiosk/service: what staff do in service mode. Blocking (printer, disk, register, logind):
// the UI runs these off its thread. Each action is logged, counted and reported in the next
// heartbeat.
#pragma once
#include "kiosk/health.h"
#include "kiosk/submission.h"

#include <filesystem>
#include <stop_token>
#include <string>

namespace kiosk {

// What staff are told: a translation key ("service.done", "print.no_paper", ...) and a detail
// for them (the printer's reasons, logind's refusal).
struct StaffOutcome {
    std::string key;
    std::string detail;
};

// PaperRestocked, TestPrint, Reprint (of talon), DeliverNow, Requeue, Reboot, ReplaceOutbox, and
// the bookkeeping ones (Login, LoginFailed, Logout, Restart: the UI itself ends the process,
// systemd restarts it). A stop request cuts a print short.
StaffOutcome perform(const Backoffice& office, Health& health, StaffAction action,
                     const std::filesystem::path& talon = {}, std::stop_token stop = {});

// SetDutySpecialist: the name staff typed becomes "accepted by" on the talon (office.duty keeps
// it across restarts) and the heartbeat's duty_specialist; logged and counted without the name.
// "" when taken, else why not as a translation key (the name, or the file not written).
// Blocking (the file is synced).
std::string set_duty_specialist(const Backoffice& office, Health& health, std::string_view name);

// Every complaint waiting for the register goes now, whatever its retry time: staff's "Send
// now" and the operators' send_now command. Throws when the outbox cannot be opened.
void send_outbox_now(const Backoffice& office);

}  // namespace kiosk
