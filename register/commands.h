#pragma once
// Operators' remote commands as the register sees them (issue 16): signed elsewhere, queued
// here for one kiosk, handed out in heartbeat answers, their results read from heartbeats.
// The register never signs; with the operators' public keys it refuses what they did not sign.

#include <array>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

#include "respond.h"
#include "store.h"

namespace dev_register {

inline constexpr std::size_t kMaxCommandPayloadBytes = 4 << 10;
inline constexpr long long kMaxPendingCommands = 64;  // per kiosk; more is 429
inline constexpr int kCommandsPerAnswer = 16;
inline constexpr std::size_t kMaxResultsPerHeartbeat = 64;

// Ed25519 public keys; empty when the register was given none (it then cannot check).
using OperatorKeys = std::vector<std::array<unsigned char, 32>>;

// One base64 key per line (blank lines and # comments skipped); throws std::runtime_error
// naming the file and line.
OperatorKeys load_operator_keys(const std::string& path);

// The admin body {"payload": "...", "signature": "..."} for `kiosk_id`, checked (shape 400,
// payload over 4 KiB 413, not this kiosk's or expired at `now` 400, not signed by an operator
// 400); throws Rejection.
NewCommand read_command(const std::string& body, const std::string& kiosk_id,
                        const OperatorKeys& keys, std::time_t now);

// The results a heartbeat carries ("commands": [{"id", "result", "reason", "at"}]), the
// malformed ones skipped and at most kMaxResultsPerHeartbeat; `received_at` stands in for a
// missing or unreadable "at".
std::vector<CommandResult> read_results(const json& heartbeat, const std::string& received_at);

// A command as the admin endpoint and the CLI show it; "result" is the kiosk's, if any.
json command_json(const CommandRow& row);

}  // namespace dev_register
