#include "kiosk/service.h"

#include "kiosk/journal.h"
#include "kiosk/systemd.h"

#include <printer/talon.h>

namespace kiosk {
namespace {

StaffOutcome printed(const PrintOutcome& p, const Config& cfg, Health& health) {
    if (p.printed) health.talon_printed();
    if (!p.problem.empty()) {
        health.print_failed();
        return {p.problem, p.detail};
    }
    return {cfg.printer_target.empty() ? "staff.spooled" : "staff.printed", ""};
}

StaffOutcome reprint(const Backoffice& office, Health& health, const std::filesystem::path& talon,
                     std::stop_token stop) {
    // Only the kiosk's own spool: the path comes from the list the screen showed.
    const auto spool = std::filesystem::weakly_canonical(office.config.spool_dir);
    const auto file = std::filesystem::weakly_canonical(talon);
    if (file.parent_path() != spool || file.extension() != ".pdf" ||
        !std::filesystem::is_regular_file(file))
        return {"staff.no_talon", ""};
    const PrintOutcome p = print_talon(office, file, "reprint-" + file.stem().string(), stop);
    // Printed at last: its complaint's personal data need not wait for the reprint window.
    if (p.printed) Outbox(outbox_file(office.config), office.config.kiosk_id).reprinted(file);
    return printed(p, office.config, health);
}

StaffOutcome test_print(const Backoffice& office, Health& health, std::stop_token stop) {
    const auto now = WallClock::now();
    const std::string name = "test-" + local_time(now, "%Y%m%d-%H%M%S");
    const auto pdf =
        printer::render_talon(make_test_talon(office, now), talon_style(office.config));
    const auto file = printer::spool_talon(office.config.spool_dir / "test", name, pdf);
    return printed(print_talon(office, file, name, std::move(stop)), office.config, health);
}

StaffOutcome deliver_now(const Backoffice& office) {
    send_outbox_now(office);
    return {"staff.delivering", ""};
}

StaffOutcome requeue(const Backoffice& office) {
    const int n =
        Outbox(outbox_file(office.config), office.config.kiosk_id).requeue(WallClock::now());
    log(Priority::Notice, "staff", "%d complaints held for staff sent again", n);
    office.delivery.wake();
    return {"staff.requeued", std::to_string(n)};
}

}  // namespace

StaffOutcome perform(const Backoffice& office, Health& health, StaffAction action,
                     const std::filesystem::path& talon, std::stop_token stop) {
    // They need what only set_duty_specialist() and the session's updater take: nothing done,
    // nothing counted.
    if (action == StaffAction::SetDutySpecialist || action == StaffAction::InstallUpdate)
        return {"staff.action_failed", ""};
    health.staff(action, WallClock::now());
    try {
        switch (action) {
        case StaffAction::PaperRestocked:
            office.paper.restocked();
            return {"staff.restocked", std::to_string(office.paper.remaining())};
        case StaffAction::TestPrint: return test_print(office, health, std::move(stop));
        case StaffAction::Reprint: return reprint(office, health, talon, std::move(stop));
        case StaffAction::DeliverNow: return deliver_now(office);
        case StaffAction::Requeue: return requeue(office);
        case StaffAction::ReplaceOutbox:
            return {"staff.outbox_replaced",
                    office.delivery.replace_broken_outbox().filename().string()};
        case StaffAction::Reboot:
            if (std::string why = request_reboot(); !why.empty()) {
                log(Priority::Error, "staff", "reboot refused: %s", why.c_str());
                return {"staff.reboot_refused", why};
            }
            return {"staff.rebooting", ""};
        case StaffAction::Login:
        case StaffAction::LoginFailed:
        case StaffAction::Logout:
        case StaffAction::Restart: return {"staff.done", ""};
        case StaffAction::SetDutySpecialist:
        case StaffAction::InstallUpdate: break;  // above
        }
    } catch (const std::exception& e) {
        log(Priority::Error, "staff", "%s: %s", std::string(staff_action_name(action)).c_str(),
            e.what());
        return {"staff.action_failed", e.what()};
    }
    return {"staff.done", ""};
}

void send_outbox_now(const Backoffice& office) {
    Outbox(outbox_file(office.config), office.config.kiosk_id).due_now(WallClock::now());
    office.delivery.wake();
}

std::string set_duty_specialist(const Backoffice& office, Health& health, std::string_view name) {
    std::string problem;
    if (!office.duty.set(name, &problem)) return problem;
    health.staff(StaffAction::SetDutySpecialist, WallClock::now());
    health.duty_specialist(office.duty.name());
    return "";
}

}  // namespace kiosk
