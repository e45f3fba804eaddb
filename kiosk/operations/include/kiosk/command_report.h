// kiosk/command_report: the words of remote commands that health, the heartbeat and /metrics
// share with kiosk/remote_command: a command's name, its result, and the result as the
// heartbeat reports it. A fixed vocabulary: what a register or an attacker sent is never a
// label.
#pragma once
#include "kiosk/clock.h"

#include <optional>
#include <string>
#include <string_view>

namespace kiosk {

enum class CommandName {
    SendNow,
    Restart,
    Reboot,
    OutOfService,
    BackInService,
    RefreshCatalog,
    DiagnosticBundle,
    Update,   // download a system update's bundle and have it installed (issue 17)
    Unknown,  // a refused command whose name is none of the above, or could not be read
};
constexpr int kCommandNameCount = 9;

constexpr std::string_view command_name(CommandName n) {
    switch (n) {
    case CommandName::SendNow: return "send_now";
    case CommandName::Restart: return "restart";
    case CommandName::Reboot: return "reboot";
    case CommandName::OutOfService: return "out_of_service";
    case CommandName::BackInService: return "back_in_service";
    case CommandName::RefreshCatalog: return "refresh_catalog";
    case CommandName::DiagnosticBundle: return "diagnostic_bundle";
    case CommandName::Update: return "update";
    case CommandName::Unknown: break;
    }
    return "unknown";
}

// The known names only: "unknown" (or anything else) is nullopt.
std::optional<CommandName> parse_command_name(std::string_view name);

enum class CommandResult { Done, Refused, Failed };
constexpr int kCommandResultCount = 3;

constexpr std::string_view command_result_name(CommandResult r) {
    switch (r) {
    case CommandResult::Done: return "done";
    case CommandResult::Refused: return "refused";
    case CommandResult::Failed: break;
    }
    return "failed";
}

// 2026-12-03T10:00:00Z (UTC, whole seconds): the only form a command's times take, and its
// result's "at" in the heartbeat.
std::string utc_iso(WallClock::time_point t);
std::optional<WallClock::time_point> parse_utc_iso(std::string_view text);

// One command's result for the heartbeat's "commands" list.
struct CommandReport {
    std::string id;  // 1..64 of A-Za-z0-9-_
    CommandName name = CommandName::Unknown;
    CommandResult result = CommandResult::Refused;
    std::string reason;  // short English, printable ASCII; "" when done without remark
    WallClock::time_point at{};
};

}  // namespace kiosk
