#include "commands.h"

#include <common/ids.h>
#include <sodium.h>

#include <algorithm>
#include <fstream>
#include <stdexcept>

#include "datetime.h"
#include "form.h"

namespace dev_register {

// Section: operators' keys

namespace {

// Standard base64 with padding, as the operator tool prints; nullopt for anything else.
std::optional<std::string> from_base64(std::string_view text, std::size_t expected_bytes) {
    std::string bytes(expected_bytes + 1, '\0');
    std::size_t length = 0;
    const char* end = nullptr;
    if (sodium_base642bin(reinterpret_cast<unsigned char*>(bytes.data()), bytes.size(), text.data(),
                          text.size(), nullptr, &length, &end,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        end != text.data() + text.size() || length != expected_bytes)
        return std::nullopt;
    bytes.resize(length);
    return bytes;
}

std::string trimmed(const std::string& line) {
    const auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos) return {};
    return line.substr(first, line.find_last_not_of(" \t\r") - first + 1);
}

}  // namespace

OperatorKeys load_operator_keys(const std::string& path) {
    if (sodium_init() < 0) throw std::runtime_error("libsodium cannot be initialised");
    std::ifstream in(path);
    if (!in) throw std::runtime_error("--operator-keys " + path + ": cannot be read");
    OperatorKeys keys;
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
        const auto text = trimmed(line);
        if (text.empty() || text.front() == '#') continue;
        const auto key = from_base64(text, crypto_sign_PUBLICKEYBYTES);
        if (!key)
            throw std::runtime_error("--operator-keys " + path + ":" + std::to_string(number) +
                                     ": not the base64 of a 32-byte Ed25519 public key");
        auto& stored = keys.emplace_back();
        std::copy(key->begin(), key->end(), stored.begin());
    }
    if (in.bad()) throw std::runtime_error("--operator-keys " + path + ": read error");
    if (keys.empty()) throw std::runtime_error("--operator-keys " + path + ": no key in it");
    return keys;
}

// Section: queueing

namespace {

const std::string& string_member(const json& object, const char* name, const char* shape) {
    const auto found = object.find(name);
    if (found == object.end() || !found->is_string()) reject(400, shape);
    return found->get_ref<const std::string&>();
}

bool signed_by_an_operator(const std::string& payload, const std::string& signature,
                           const OperatorKeys& keys) {
    return std::any_of(keys.begin(), keys.end(), [&](const auto& key) {
        return crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(signature.data()),
                                           reinterpret_cast<const unsigned char*>(payload.data()),
                                           payload.size(), key.data()) == 0;
    });
}

}  // namespace

NewCommand read_command(const std::string& body, const std::string& kiosk_id,
                        const OperatorKeys& keys, std::time_t now) {
    constexpr const char* kShape = R"(the body must be {"payload": "...", "signature": "..."})";
    const auto signed_command = json::parse(body, nullptr, false);
    if (!signed_command.is_object()) reject(400, kShape);
    NewCommand command;
    command.kiosk_id = kiosk_id;
    command.payload = string_member(signed_command, "payload", kShape);
    command.signature = string_member(signed_command, "signature", kShape);
    if (command.payload.size() > kMaxCommandPayloadBytes)
        reject(413, "the payload is larger than 4 KiB");
    const auto signature = from_base64(command.signature, crypto_sign_BYTES);
    if (!signature) reject(400, "the signature must be the base64 of 64 bytes");

    constexpr const char* kPayload =
        R"(the payload must be a JSON object with "v": 1 and strings "id", "kiosk", "name", )"
        R"("expires_at")";
    const auto payload = json::parse(command.payload, nullptr, false);
    if (!payload.is_object() || payload.value("v", json()) != 1) reject(400, kPayload);
    command.command_id = string_member(payload, "id", kPayload);
    command.name = string_member(payload, "name", kPayload);
    command.expires_at = string_member(payload, "expires_at", kPayload);
    if (!common::command_id_ok(command.command_id))
        reject(400, "the command id must be 1 to 64 of A-Z, a-z, 0-9, - and _");
    if (string_member(payload, "kiosk", kPayload) != kiosk_id)
        reject(400, "the payload is for another kiosk");
    // Names are the kiosk's to judge: it refuses and reports one it does not know.
    if (command.name.empty() || command.name.size() > 64 || !is_one_line(command.name))
        reject(400, "the name must be 1 to 64 bytes of text on one line");
    const auto expires = parse_iso_datetime(command.expires_at);
    if (!expires) reject(400, "expires_at must be a W3C datetime, e.g. 2026-12-03T11:00:00Z");
    if (*expires <= now) reject(400, "the command has expired");
    command.expires = *expires;
    if (!keys.empty() && !signed_by_an_operator(command.payload, *signature, keys))
        reject(400, "the signature is not an operator's");
    return command;
}

// Section: results

std::vector<CommandResult> read_results(const json& heartbeat, const std::string& received_at) {
    std::vector<CommandResult> results;
    const auto listed = heartbeat.find("commands");
    if (listed == heartbeat.end() || !listed->is_array()) return results;
    for (const auto& entry : *listed) {
        if (results.size() == kMaxResultsPerHeartbeat) break;
        if (!entry.is_object()) continue;
        const auto id = entry.value("id", json());
        const auto result = entry.value("result", json());
        const auto reason = entry.value("reason", json(""));
        if (!id.is_string() || !common::command_id_ok(id.get<std::string>()) ||
            !result.is_string() || !reason.is_string())
            continue;
        const auto& outcome = result.get_ref<const std::string&>();
        if (outcome != "done" && outcome != "refused" && outcome != "failed") continue;
        const auto& why = reason.get_ref<const std::string&>();
        if (why.size() > 1000 || !is_clean_text(why)) continue;
        const auto at = entry.value("at", json());
        const bool readable_at =
            at.is_string() && parse_iso_datetime(at.get_ref<const std::string&>());
        results.push_back({id.get<std::string>(), outcome, why,
                           readable_at ? at.get<std::string>() : received_at});
    }
    return results;
}

json command_json(const CommandRow& row) {
    const bool has_result = row.state == "done" || row.state == "refused" || row.state == "failed";
    const auto or_null = [](const std::optional<std::string>& text) {
        return text ? json(*text) : json();
    };
    return {{"kiosk_id", row.kiosk_id},
            {"id", row.command_id},
            {"name", row.name},
            {"state", row.state},
            {"result", has_result ? json(row.state) : json()},
            {"reason", or_null(row.reason)},
            {"result_at", or_null(row.result_at)},
            {"queued_at", row.queued_at},
            {"handed_at", or_null(row.handed_at)},
            {"expires_at", row.expires_at},
            {"payload", row.payload},
            {"signature", row.signature}};
}

}  // namespace dev_register
