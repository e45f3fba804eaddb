// kiosk/staff_action: what staff do in service mode; every one is logged, counted and sent in
// the heartbeat.
#pragma once
#include <string_view>

namespace kiosk {

enum class StaffAction {
    Login,
    LoginFailed,
    Logout,
    PaperRestocked,
    TestPrint,
    Reprint,
    DeliverNow,
    Restart,
    Reboot,
    ReplaceOutbox,  // a broken outbox moved aside (kept) and a new one started
    Requeue,        // complaints held for staff sent again, once the configuration is fixed
    // The shift's name for the talon (logged without the name).
    SetDutySpecialist,
    // A system update from a USB stick (the bundle's path goes with it), installed by RAUC.
    InstallUpdate,
};
constexpr int kStaffActionCount = 13;

constexpr std::string_view staff_action_name(StaffAction a) {
    switch (a) {
    case StaffAction::Login: return "login";
    case StaffAction::LoginFailed: return "login_failed";
    case StaffAction::Logout: return "logout";
    case StaffAction::PaperRestocked: return "paper_restocked";
    case StaffAction::TestPrint: return "test_print";
    case StaffAction::Reprint: return "reprint";
    case StaffAction::DeliverNow: return "deliver_now";
    case StaffAction::Restart: return "restart";
    case StaffAction::Reboot: return "reboot";
    case StaffAction::ReplaceOutbox: return "replace_outbox";
    case StaffAction::Requeue: return "requeue";
    case StaffAction::SetDutySpecialist: return "set_duty_specialist";
    case StaffAction::InstallUpdate: return "install_update";
    }
    return "unknown";
}

}  // namespace kiosk
