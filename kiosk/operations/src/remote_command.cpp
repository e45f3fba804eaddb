#include "kiosk/remote_command.h"

#include "kiosk/journal.h"
#include "kiosk/monitor.h"
#include "kiosk/submission.h"

#include <common/printable.h>
#include <common/utf8.h>
#include <nlohmann/json.hpp>
#include <sodium.h>

#include <algorithm>
#include <array>
#include <ctime>
#include <fstream>
#include <iterator>
#include <system_error>
#include <utility>

namespace kiosk {
namespace {

using json = nlohmann::json;

constexpr std::size_t kSignatureBase64Chars = 88;  // 64 bytes with padding
constexpr std::size_t kMaxReasonBytes = 200;
constexpr std::size_t kMaxLedgerFileBytes = 4 << 20;
constexpr std::size_t kJournalLinesInBundle = 200;

// Section: text that goes into logs and reports

// Printable ASCII, at most max bytes: other programs' words (an action's reason, a file
// system's message) on one line of the journal and of the register's table.
std::string printable(std::string_view s, std::size_t max = kMaxReasonBytes) {
    return common::printable(s, max);
}

bool printable_ascii(std::string_view s, std::size_t max) {
    return s.size() <= max &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c < 0x7F; });
}

const char* or_no_id(const std::string& id) { return id.empty() ? "(no valid id)" : id.c_str(); }

// The id only when its syntax is valid, the name from the fixed list, reasons this code wrote
// or cut to printable: nothing a register sent reaches the journal as it was.
void log_result(const CommandReport& r) {
    log(r.result == CommandResult::Done ? Priority::Notice : Priority::Warning, "remote",
        "remote command %s %s: %s%s%s", or_no_id(r.id), std::string(command_name(r.name)).c_str(),
        std::string(command_result_name(r.result)).c_str(), r.reason.empty() ? "" : ": ",
        r.reason.c_str());
}

// Section: reading a payload

using Signature = std::array<unsigned char, crypto_sign_BYTES>;

// The signature's 64 bytes from its base64 (with padding, nothing around it); nullopt else.
std::optional<Signature> decode_signature(const std::string& text) {
    Signature sig{};
    std::size_t n = 0;
    const char* end = nullptr;
    if (text.size() != kSignatureBase64Chars ||
        sodium_base642bin(sig.data(), sig.size(), text.data(), text.size(), nullptr, &n, &end,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        n != sig.size() || end != text.data() + text.size())
        return std::nullopt;
    return sig;
}

bool signed_by_an_operator(const Signature& sig, const std::string& payload,
                           const std::vector<OperatorKey>& keys) {
    const auto* bytes = reinterpret_cast<const unsigned char*>(payload.data());
    return std::any_of(keys.begin(), keys.end(), [&](const OperatorKey& key) {
        return crypto_sign_verify_detached(sig.data(), bytes, payload.size(), key.data()) == 0;
    });
}

json parse_payload(const std::string& payload) {
    if (payload.empty() || payload.size() > net::kMaxCommandPayloadBytes ||
        payload.find('\0') != std::string::npos)
        return json(json::value_t::discarded);
    return json::parse(payload, nullptr, false);
}

const std::string* string_field(const json& object, const char* key) {
    const auto it = object.find(key);
    return it != object.end() && it->is_string() ? &it->get_ref<const std::string&>() : nullptr;
}

// "" when the message is one the citizen can be shown; else why, naming the field.
std::string message_problem(const json& message, OutOfServiceMessage& out) {
    if (!message.is_object() || message.size() != 3)
        return "message: must hold exactly kk, ru and en";
    for (auto [key, slot] : {std::pair{"kk", &out.kk}, {"ru", &out.ru}, {"en", &out.en}}) {
        const std::string* text = string_field(message, key);
        if (!text) return std::string("message.") + key + ": missing or not a string";
        if (const std::string why = message_text_problem(*text); !why.empty())
            return std::string("message.") + key + ": " + why;
        *slot = *text;
    }
    return "";
}

// "" when the bundle is one the kiosk can download; else why, naming the field.
std::string bundle_field_problem(const json& bundle, BundleOrder& out) {
    if (!bundle.is_object()) return "bundle: must be an object with url, sha256 and size";
    for (const auto& [key, value] : bundle.items())
        if (key != "url" && key != "sha256" && key != "size")
            return "bundle: a field the contract does not have";
    const std::string* url = string_field(bundle, "url");
    if (!url) return "bundle.url: missing or not a string";
    const std::string* sha256 = string_field(bundle, "sha256");
    if (!sha256) return "bundle.sha256: missing or not a string";
    const auto size = bundle.find("size");
    if (size == bundle.end()) return "bundle.size: missing";
    // A whole number of bytes: 1.0, "1" or a negative one is no size.
    if (!size->is_number_unsigned() && !size->is_number_integer())
        return "bundle.size: must be a whole number of bytes";
    if (size->is_number_integer() && !size->is_number_unsigned() && size->get<std::int64_t>() < 0)
        return "bundle.size: must be 1.." + std::to_string(kMaxBundleBytes) + " bytes";
    out = {*url, *sha256, size->get<std::uint64_t>()};
    return bundle_problem(out);
}

// The checks after the signature; "" when every one passed and `out` is filled.
std::string payload_problem(const json& p, const CommandCheck& check, WallClock::time_point now,
                            RemoteCommand& out, std::optional<WallClock::time_point>& expires) {
    static constexpr std::string_view kFields[] = {"v",         "id",         "kiosk",   "name",
                                                   "issued_at", "expires_at", "message", "bundle"};
    if (!p.is_object()) return "payload: not a JSON object";
    for (const auto& [key, value] : p.items())
        if (std::find(std::begin(kFields), std::end(kFields), key) == std::end(kFields))
            return "payload: a field the contract does not have";
    if (const auto* expires_at = string_field(p, "expires_at"))
        expires = parse_utc_iso(*expires_at);
    const auto v = p.find("v");
    if (v == p.end() || !v->is_number_integer() || v->get<std::int64_t>() != 1)
        return "v: must be 1";
    const std::string* id = string_field(p, "id");
    if (!id || !command_id_ok(*id)) return "id: must be 1..64 of A-Z a-z 0-9 - _";
    out.id = *id;
    const std::string* kiosk = string_field(p, "kiosk");
    if (!kiosk) return "kiosk: missing";
    if (*kiosk != check.kiosk_id) return "kiosk: for another kiosk";
    const std::string* name = string_field(p, "name");
    const auto known = name ? parse_command_name(*name) : std::nullopt;
    if (!known) return "name: unknown command";
    out.name = *known;
    const std::string* issued_text = string_field(p, "issued_at");
    const auto issued = issued_text ? parse_utc_iso(*issued_text) : std::nullopt;
    if (!issued) return "issued_at: must be a UTC time like 2026-12-03T10:00:00Z";
    if (!expires) return "expires_at: must be a UTC time like 2026-12-03T11:00:00Z";
    out.issued_at = *issued;
    out.expires_at = *expires;
    if (*expires <= *issued) return "expires_at: not after issued_at";
    if (*expires - *issued > kMaxCommandLifetime)
        return "expires_at: more than 7 days after issued_at";
    if (*issued > now + kMaxClockSkew)
        return "issued_at: more than 15 minutes ahead of this kiosk's clock";
    if (*expires <= now) return "expires_at: expired";
    const auto message = p.find("message");
    if (out.name != CommandName::OutOfService) {
        if (message != p.end()) return "message: only out_of_service has one";
    } else if (message == p.end()) {
        return "message: out_of_service needs one in kk, ru and en";
    } else if (std::string why = message_problem(*message, out.message); !why.empty()) {
        return why;
    }
    const auto bundle = p.find("bundle");
    if (out.name != CommandName::Update)
        return bundle == p.end() ? "" : "bundle: only update has one";
    if (bundle == p.end()) return "bundle: update needs one with url, sha256 and size";
    return bundle_field_problem(*bundle, out.bundle);
}

// Section: the ledger's file

json entry_json(const LedgerEntry& e) {
    return {{"id", e.id},
            {"name", command_name(e.name)},
            {"result", command_result_name(e.result)},
            {"reason", e.reason},
            {"at", utc_iso(e.at)},
            {"keep_until", utc_iso(e.keep_until)},
            {"authentic", e.authentic},
            {"reported", e.reported}};
}

std::optional<CommandResult> parse_result(const std::string& s) {
    for (int r = 0; r < kCommandResultCount; ++r)
        if (command_result_name(CommandResult(r)) == s) return CommandResult(r);
    return std::nullopt;
}

std::optional<WallClock::time_point> time_field(const json& o, const char* key) {
    const std::string* s = string_field(o, key);
    return s ? parse_utc_iso(*s) : std::nullopt;
}

bool bool_field(const json& o, const char* key, bool& out) {
    const auto it = o.find(key);
    if (it == o.end() || !it->is_boolean()) return false;
    out = it->get<bool>();
    return true;
}

// One stored entry; nullopt when it is not one this code writes.
std::optional<LedgerEntry> read_entry(const json& o) {
    if (!o.is_object()) return std::nullopt;
    LedgerEntry e;
    const std::string *id = string_field(o, "id"), *name = string_field(o, "name"),
                      *result = string_field(o, "result"), *reason = string_field(o, "reason");
    const auto at = time_field(o, "at"), keep = time_field(o, "keep_until");
    const auto r = result ? parse_result(*result) : std::nullopt;
    if (!id || !command_id_ok(*id) || !name || !r || !reason ||
        !printable_ascii(*reason, kMaxReasonBytes * 2) || !at || !keep ||
        !bool_field(o, "authentic", e.authentic) || !bool_field(o, "reported", e.reported))
        return std::nullopt;
    const auto known = parse_command_name(*name);
    if (!known && *name != command_name(CommandName::Unknown)) return std::nullopt;
    e.id = *id;
    e.name = known.value_or(CommandName::Unknown);
    e.result = *r;
    e.reason = *reason;
    e.at = *at;
    e.keep_until = *keep;
    return e;
}

std::string read_small_file(const std::filesystem::path& file, std::string& problem) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        problem = "cannot open it";
        return {};
    }
    std::string text;
    char buf[8192];
    while (in.read(buf, sizeof buf) || in.gcount() > 0) {
        text.append(buf, static_cast<std::size_t>(in.gcount()));
        if (text.size() > kMaxLedgerFileBytes) {
            problem = "larger than 4 MiB";
            return {};
        }
    }
    if (in.bad()) problem = "cannot read it";
    return text;
}

bool is_run(const LedgerEntry& e) { return e.result != CommandResult::Refused; }

bool state_change(CommandName n) {
    return n == CommandName::OutOfService || n == CommandName::BackInService;
}

bool restarts(CommandName n) { return n == CommandName::Restart || n == CommandName::Reboot; }

bool supported(const RemoteActions* a, CommandName n) {
    if (!a) return false;
    switch (n) {
    case CommandName::SendNow: return bool(a->send_now);
    case CommandName::Restart: return bool(a->restart);
    case CommandName::Reboot: return bool(a->reboot);
    case CommandName::OutOfService:
    case CommandName::BackInService: return true;  // the ledger's own state; the UI polls it
    case CommandName::RefreshCatalog: return bool(a->refresh_catalog);
    case CommandName::DiagnosticBundle: return bool(a->diagnostic_bundle);
    case CommandName::Update: return bool(a->update);
    case CommandName::Unknown: break;
    }
    return false;
}

}  // namespace

// Section: names, times, ids, messages

std::optional<CommandName> parse_command_name(std::string_view name) {
    for (int n = 0; n < kCommandNameCount; ++n)
        if (CommandName(n) != CommandName::Unknown && command_name(CommandName(n)) == name)
            return CommandName(n);
    return std::nullopt;
}

std::string utc_iso(WallClock::time_point t) {
    const std::time_t seconds = WallClock::to_time_t(t);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char text[32];
    return std::string(text, std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc));
}

std::optional<WallClock::time_point> parse_utc_iso(std::string_view s) {
    // YYYY-MM-DDTHH:MM:SSZ exactly
    static constexpr std::string_view kShape = "dddd-dd-ddTdd:dd:ddZ";
    if (s.size() != kShape.size()) return std::nullopt;
    for (std::size_t i = 0; i < s.size(); ++i)
        if (kShape[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != kShape[i]) return std::nullopt;
    const auto number = [&](std::size_t at, std::size_t n) {
        int v = 0;
        for (std::size_t i = at; i < at + n; ++i) v = v * 10 + (s[i] - '0');
        return v;
    };
    using namespace std::chrono;
    const year_month_day date{year(number(0, 4)), month(unsigned(number(5, 2))),
                              day(unsigned(number(8, 2)))};
    const int h = number(11, 2), m = number(14, 2), sec = number(17, 2);
    if (!date.ok() || number(0, 4) < 1970 || h > 23 || m > 59 || sec > 59) return std::nullopt;
    return time_point_cast<WallClock::duration>(sys_days(date) + hours(h) + minutes(m) +
                                                seconds(sec));
}

std::string message_text_problem(std::string_view text) {
    const auto points = common::decode_utf8(text);
    if (!points) return "not UTF-8";
    if (points->empty() || points->size() > kMaxMessageChars)
        return "must be 1.." + std::to_string(kMaxMessageChars) + " characters";
    for (char32_t c : *points)
        if (c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == 0x2028 || c == 0x2029)
            return "contains a control character";
    return "";
}

// Section: checking

CheckedCommand check_command(const net::SignedCommand& command, const CommandCheck& check,
                             WallClock::time_point now) {
    CheckedCommand out;
    // What the report can name, read before anything is believed (a valid id, a known name).
    const json payload = parse_payload(command.payload);
    if (payload.is_object()) {
        if (const std::string* id = string_field(payload, "id"); id && command_id_ok(*id))
            out.id = *id;
        if (const std::string* name = string_field(payload, "name"))
            out.name = parse_command_name(*name).value_or(CommandName::Unknown);
    }
    if (check.operator_keys.empty()) {
        out.reason = "remote commands are off here: no [remote] operator_keys";
        return out;
    }
    if (sodium_init() < 0) {
        out.reason = "signature: libsodium cannot start";
        return out;
    }
    const auto signature = decode_signature(command.signature);
    if (!signature) {
        out.reason = "signature: not the base64 of 64 bytes";
        return out;
    }
    if (!signed_by_an_operator(*signature, command.payload, check.operator_keys)) {
        out.reason = "signature: not made by an operator key of this kiosk";
        return out;
    }
    out.authentic = true;
    RemoteCommand c;
    out.reason = payload_problem(payload, check, now, c, out.expires_at);
    if (out.reason.empty()) out.command = std::move(c);
    return out;
}

// Section: the ledger

CommandLedger::CommandLedger(std::filesystem::path state_dir, WallClock::time_point now)
    : file_(std::move(state_dir) / kFileName) {
    load(now);
}

void CommandLedger::load(WallClock::time_point now) {
    std::error_code ec;
    const bool exists = std::filesystem::exists(file_, ec);
    if (!exists && !ec) return;  // no command yet
    std::string problem = ec ? "cannot look at it: " + ec.message() : "";
    const std::string text = problem.empty() ? read_small_file(file_, problem) : "";
    const json j = problem.empty() ? json::parse(text, nullptr, false) : json();
    if (problem.empty() && (!j.is_object() || j.value("v", json()) != 1))
        problem = "not a ledger (v 1)";
    std::vector<LedgerEntry> entries;
    if (problem.empty()) {
        const auto commands = j.find("commands");
        const json none = json::array();
        const json& list = commands != j.end() && commands->is_array() ? *commands : none;
        if (commands == j.end() || !commands->is_array()) problem = "no commands list";
        for (std::size_t i = 0; problem.empty() && i < list.size(); ++i) {
            auto e = read_entry(list[i]);
            if (!e)
                problem = "entry " + std::to_string(i) + " is damaged";
            else if (std::any_of(entries.begin(), entries.end(),
                                 [&](const LedgerEntry& x) { return x.id == e->id; }))
                problem = "entry " + std::to_string(i) + " repeats an id";
            else
                entries.push_back(std::move(*e));
        }
    }
    std::optional<OutOfServiceMessage> oos;
    std::string oos_command;
    WallClock::time_point oos_since{};
    if (problem.empty()) {
        const auto state = j.find("out_of_service");
        if (state != j.end() && !state->is_null()) {
            OutOfServiceMessage m;
            const std::string* command =
                state->is_object() ? string_field(*state, "command") : nullptr;
            const auto since = state->is_object() ? time_field(*state, "since") : std::nullopt;
            json message = state->is_object() ? *state : json();
            if (message.is_object()) {
                message.erase("command");
                message.erase("since");
            }
            if (!command || !command_id_ok(*command) || !since ||
                !message_problem(message, m).empty())
                problem = "out_of_service is damaged";
            else
                oos = m, oos_command = *command, oos_since = *since;
        }
        if (const auto before = j.find("refuse_issued_before"); before != j.end()) {
            const auto t =
                before->is_string() ? parse_utc_iso(before->get<std::string>()) : std::nullopt;
            if (!t) problem = "refuse_issued_before is damaged";
            refuse_issued_before_ = t;
        }
    }
    std::lock_guard lock(mutex_);
    if (problem.empty()) {
        entries_ = std::move(entries);
        out_of_service_ = std::move(oos);
        out_of_service_command_ = std::move(oos_command);
        out_of_service_since_ = oos_since;
        publish();
        return;
    }
    // Which commands ran is no longer known: none issued until now may run.
    const std::filesystem::path aside = file_.string() + ".damaged";
    std::filesystem::rename(file_, aside, ec);
    refuse_issued_before_ = now;
    log(Priority::Error, "remote",
        "remote commands: ledger %s %s (%s); %s; commands issued before %s are refused",
        file_.c_str(), printable(problem).c_str(), ec ? "could not be moved aside" : "moved aside",
        ec ? printable(ec.message()).c_str() : aside.c_str(), utc_iso(now).c_str());
    if (const auto st = save(); !st.ok())
        log(Priority::Error, "remote", "remote commands: %s", printable(st.message, 400).c_str());
}

std::optional<OutOfServiceMessage> CommandLedger::out_of_service() const {
    if (!out_of_service_flag_.load()) return std::nullopt;
    std::lock_guard lock(published_mutex_);
    return published_;
}

// The UI's copy, under a lock of its own: mutex_ is held across the ledger's fsync, which the
// UI thread must never wait for.
void CommandLedger::publish() {
    {
        std::lock_guard lock(published_mutex_);
        published_ = out_of_service_;
    }
    out_of_service_flag_ = out_of_service_.has_value();
}

LedgerEntry* CommandLedger::entry(std::string_view id) {
    for (LedgerEntry& e : entries_)
        if (e.id == id) return &e;
    return nullptr;
}

std::optional<LedgerEntry> CommandLedger::find(std::string_view id) const {
    std::lock_guard lock(mutex_);
    for (const LedgerEntry& e : entries_)
        if (e.id == id) return e;
    return std::nullopt;
}

std::size_t CommandLedger::size() const {
    std::lock_guard lock(mutex_);
    return entries_.size();
}

std::size_t CommandLedger::run_entries() const {
    return static_cast<std::size_t>(std::count_if(entries_.begin(), entries_.end(), is_run));
}

void CommandLedger::put(LedgerEntry e) {
    std::erase_if(entries_, [&](const LedgerEntry& x) { return x.id == e.id; });
    entries_.push_back(std::move(e));
}

// Reported entries past their time go; then, over the bound, refusals make room: forgeries
// first (a register sending them by the thousand cannot push out an operator's refused
// command, which would then run when handed again), then reported ones, then the oldest.
// Commands that ran stay until their time: they keep the once.
void CommandLedger::prune(WallClock::time_point now) {
    std::erase_if(entries_, [&](const LedgerEntry& e) { return e.reported && now > e.keep_until; });
    while (entries_.size() > kMaxEntries) {
        auto victim = entries_.end();
        const auto key = [](const LedgerEntry& e) {
            return std::tuple(e.authentic, !e.reported, e.at);
        };
        for (auto it = entries_.begin(); it != entries_.end(); ++it)
            if (!is_run(*it) && (victim == entries_.end() || key(*it) < key(*victim))) victim = it;
        if (victim == entries_.end())  // only commands that ran (a file made elsewhere)
            victim = std::min_element(entries_.begin(), entries_.end(),
                                      [](auto& a, auto& b) { return a.keep_until < b.keep_until; });
        entries_.erase(victim);
    }
}

common::FileStatus CommandLedger::save() {
    json commands = json::array();
    for (const LedgerEntry& e : entries_) commands.push_back(entry_json(e));
    json j = {{"v", 1}, {"commands", std::move(commands)}};
    if (out_of_service_)
        j["out_of_service"] = {{"kk", out_of_service_->kk},
                               {"ru", out_of_service_->ru},
                               {"en", out_of_service_->en},
                               {"command", out_of_service_command_},
                               {"since", utc_iso(out_of_service_since_)}};
    else
        j["out_of_service"] = nullptr;
    if (refuse_issued_before_) j["refuse_issued_before"] = utc_iso(*refuse_issued_before_);
    common::FileStatus st = common::write_file_atomically(file_, j.dump(1) + "\n");
    if (st.ok()) unsaved_ = false;
    return st;
}

std::vector<CommandReport> CommandLedger::unreported(std::size_t max) const {
    std::lock_guard lock(mutex_);
    std::vector<CommandReport> out;
    for (const LedgerEntry& e : entries_) {
        if (out.size() == max) break;
        if (!e.reported) out.push_back({e.id, e.name, e.result, e.reason, e.at});
    }
    return out;
}

void CommandLedger::reported(const std::vector<CommandReport>& carried, WallClock::time_point now) {
    std::lock_guard lock(mutex_);
    bool changed = false;
    for (const CommandReport& r : carried)
        if (LedgerEntry* e = entry(r.id); e && !e->reported && e->result == r.result) {
            e->reported = true;
            changed = true;
        }
    if (!changed) return;
    prune(now);
    save_or_log();
}

void CommandLedger::save_or_log() {
    if (const auto st = save(); !st.ok())
        log(Priority::Error, "remote", "remote commands: %s", printable(st.message, 400).c_str());
}

void CommandLedger::amend(std::string_view id, CommandResult result, std::string reason,
                          WallClock::time_point now) {
    std::lock_guard lock(mutex_);
    LedgerEntry* e = entry(id);
    const std::string shown = command_id_ok(id) ? std::string(id) : "(no valid id)";
    if (!e || !is_run(*e) || result == CommandResult::Refused) {
        log(Priority::Warning, "remote", "remote command %s: not amended (%s)", shown.c_str(),
            !e ? "not in the ledger" : "only a command that ran becomes done or failed");
        return;
    }
    e->result = result;
    e->reason = printable(reason);
    e->at = now;
    e->reported = false;  // the register hears the result as it turned out
    log_result({e->id, e->name, e->result, e->reason, e->at});
    save_or_log();
}

std::vector<CommandReport> CommandLedger::take(std::span<const net::SignedCommand> commands,
                                               const CommandCheck& check,
                                               const RemoteActions* actions,
                                               WallClock::time_point now, std::stop_token stop,
                                               const std::function<void()>& between) {
    std::vector<CommandReport> out;
    bool first = true;
    for (const net::SignedCommand& c : commands) {
        if (stop.stop_requested()) break;
        if (!std::exchange(first, false) && between) between();
        bool stop_here = false;
        if (auto r = take_one(c, check, actions, now, stop, stop_here))
            out.push_back(std::move(*r));
        if (stop_here) break;
    }
    // Refusals and results handed again, written once for the whole answer: a register
    // sending forgeries costs the kiosk one write per heartbeat, not one each.
    std::lock_guard lock(mutex_);
    if (unsaved_) save_or_log();
    return out;
}

ActionResult CommandLedger::run(const RemoteCommand& c, const RemoteActions& a,
                                std::stop_token stop) {
    try {
        switch (c.name) {
        case CommandName::SendNow: return a.send_now();
        case CommandName::Restart: return a.restart();
        case CommandName::Reboot: return a.reboot(c.id);
        case CommandName::OutOfService:
            return a.out_of_service ? a.out_of_service(c.message) : ActionResult::ok();
        case CommandName::BackInService:
            return a.back_in_service ? a.back_in_service() : ActionResult::ok();
        case CommandName::RefreshCatalog: return a.refresh_catalog();
        case CommandName::DiagnosticBundle: return a.diagnostic_bundle(c.id, stop);
        case CommandName::Update: return a.update(c.bundle, stop);
        case CommandName::Unknown: break;
        }
        return ActionResult::failed("name: not supported here");
    } catch (const std::exception& e) {
        return ActionResult::failed(e.what());
    } catch (...) {
        return ActionResult::failed("an unknown exception");
    }
}

std::optional<CommandReport> CommandLedger::take_one(const net::SignedCommand& sc,
                                                     const CommandCheck& check,
                                                     const RemoteActions* actions,
                                                     WallClock::time_point now,
                                                     std::stop_token stop, bool& stop_here) {
    const CheckedCommand c = check_command(sc, check, now);
    std::unique_lock lock(mutex_);
    // Handed again: its result once more, never a second run. An earlier refusal of a
    // forgery does not stand in the way of the operator's own command under its id.
    if (LedgerEntry* known = c.id.empty() ? nullptr : entry(c.id);
        known && (known->authentic || !c.command)) {
        if (known->reported) {
            known->reported = false;
            unsaved_ = true;  // take() writes it
        }
        log(Priority::Info, "remote",
            "remote command %s handed again: not run again; its result "
            "(%s) goes in the next heartbeat",
            known->id.c_str(), std::string(command_result_name(known->result)).c_str());
        return std::nullopt;
    }
    std::string refusal = c.reason;
    if (c.command) {
        const RemoteCommand& cmd = *c.command;
        if (refuse_issued_before_ && cmd.issued_at < *refuse_issued_before_)
            refusal = "ledger: set aside as damaged at " + utc_iso(*refuse_issued_before_) +
                      "; commands issued before then are refused (issue it again)";
        else if (!supported(actions, cmd.name))
            refusal = "name: not supported here";
        else if (run_entries() >= kMaxRun)
            refusal = "ledger: " + std::to_string(kMaxRun) +
                      " commands remembered; refused until older ones expire";
    }
    if (!refusal.empty()) {
        const CommandReport r{c.id, c.name, CommandResult::Refused, refusal, now};
        log_result(r);
        if (c.id.empty()) return r;  // counted and logged; nothing to report it by
        const auto keep_from = c.authentic && c.expires_at ? std::max(*c.expires_at, now) : now;
        put({c.id, c.name, CommandResult::Refused, refusal, now, keep_from + kKeepAfterExpiry,
             c.authentic, false});
        prune(now);
        unsaved_ = true;  // take() writes it
        return r;
    }

    // Recorded before it runs: a crash or a restart never runs it twice. A restart, a reboot
    // and the state changes are done once recorded; anything else reads "interrupted" until
    // its result replaces that.
    const RemoteCommand& cmd = *c.command;
    const auto before = std::tuple(out_of_service_, out_of_service_command_, out_of_service_since_);
    const bool done_when_recorded = restarts(cmd.name) || state_change(cmd.name);
    put({cmd.id, cmd.name, done_when_recorded ? CommandResult::Done : CommandResult::Failed,
         done_when_recorded ? "" : "interrupted: the kiosk stopped while it ran", now,
         cmd.expires_at + kKeepAfterExpiry, true, false});
    if (cmd.name == CommandName::OutOfService) {
        out_of_service_ = cmd.message;
        out_of_service_command_ = cmd.id;
        out_of_service_since_ = now;
    } else if (cmd.name == CommandName::BackInService) {
        if (!out_of_service_) entry(cmd.id)->reason = "it was in service";
        out_of_service_.reset();
    }
    prune(now);
    const auto restore = [&] {
        std::tie(out_of_service_, out_of_service_command_, out_of_service_since_) = before;
        publish();
    };
    if (const auto st = save(); !st.ok()) {
        restore();
        LedgerEntry& e = *entry(cmd.id);
        e.result = CommandResult::Failed;
        e.reason = "ledger: cannot record the command, so it was not run: " +
                   printable(st.message, kMaxReasonBytes);
        const CommandReport r{e.id, e.name, e.result, e.reason, now};
        log_result(r);
        return r;
    }
    publish();
    lock.unlock();

    const auto started = Clock::now();
    const ActionResult a = run(cmd, *actions, stop);
    const auto at = now + std::chrono::duration_cast<WallClock::duration>(Clock::now() - started);

    lock.lock();
    LedgerEntry* e = entry(cmd.id);
    if (!e) return std::nullopt;  // cannot happen: only this thread drops entries that ran
    const std::string reason = printable(a.reason.empty() && !a.done ? "failed" : a.reason);
    if (!a.done) {
        if (state_change(cmd.name)) restore();
        e->result = CommandResult::Failed;
        e->reason = reason;
        e->at = at;
        save_or_log();
    } else if (!done_when_recorded || !reason.empty()) {
        e->result = CommandResult::Done;
        e->reason = reason;
        e->at = at;
        save_or_log();
    }
    // The rest of the answer is left for the register to hand again (the follow-up heartbeat,
    // or after the next start): a restart asked for ends the monitor soon.
    stop_here = restarts(cmd.name) && a.done;
    const CommandReport r{e->id, e->name, e->result, e->reason, e->at};
    log_result(r);
    return r;
}

// Section: the diagnostic bundle

namespace {

const char* priority_name(Priority p) {
    switch (p) {
    case Priority::Error: return "error";
    case Priority::Warning: return "warning";
    case Priority::Notice: return "notice";
    case Priority::Info: break;
    }
    return "info";
}

// The configuration without secrets and without where keys are: api_key, pin_hash, the keys'
// paths and the duty officer's name never appear; set or not is enough to diagnose.
json redacted_config(const Config& c) {
    return {
        {"kiosk",
         {{"id", c.kiosk_id},
          {"office", c.office},
          {"office_address", c.office_address},
          {"region", c.region},
          {"time_zone", c.time_zone},
          {"talon_key_set", !c.talon_key.empty()},
          {"retention_hours", c.retention_hours},
          {"reprint_hours", c.reprint_hours}}},
        {"register",
         {{"url", c.register_url},
          {"format", c.register_format},
          {"jurisdiction_id", c.jurisdiction_id},
          {"client_certificate_set", !c.client_cert.empty()},
          {"api_key_set", !c.api_key.empty()},
          {"connect_timeout_s", c.connect_timeout_s},
          {"total_timeout_s", c.total_timeout_s},
          {"retry_first_s", c.retry_first_s},
          {"retry_max_s", c.retry_max_s},
          {"answer_wait_s", c.answer_wait_s},
          {"attribute_codes", c.attribute_codes}}},
        {"printer",
         {{"paper", c.paper},
          {"target_set", !c.printer_target.empty()},
          {"print_timeout_s", c.print_timeout_s},
          {"public_status_url", c.public_status_url},
          {"talons_per_roll", c.talons_per_roll},
          {"paper_warn_below", c.paper_warn_below}}},
        {"ui",
         {{"fullscreen", c.fullscreen},
          {"inactivity_warning_s", c.inactivity_warning_s},
          {"inactivity_reset_s", c.inactivity_reset_s}}},
        {"service",
         {{"pin_set", !c.pin_hash.empty()},
          {"inactivity_s", c.service_inactivity_s},
          {"pin_free_attempts", c.pin_free_attempts}}},
        {"monitoring",
         {{"listen", c.management_listen},
          {"heartbeat_interval_s", c.heartbeat_interval_s},
          {"outbox_stuck_after_s", c.outbox_stuck_after_s},
          {"disk_low_mb", c.disk_low_mb}}},
        {"speech",
         {{"enabled", c.speech_enabled}, {"volume", c.speech_volume}, {"rate", c.speech_rate}}},
        {"remote", {{"operator_keys", c.operator_keys.size()}}},
    };
}

}  // namespace

std::string diagnostic_bundle_json(const Config& cfg, const Figures& f, std::string_view command_id,
                                   WallClock::time_point now) {
    const auto problems = health_problems(f, health_limits(cfg), now, Clock::now());
    // The heartbeat's figures hold no citizen's data; the duty specialist's name goes too.
    json figures = json::parse(heartbeat_json(f, problems, now), nullptr, false);
    if (figures.is_object()) {
        figures.erase("duty_specialist");
        figures.erase("commands");
    }
    const OutboxStats& o = f.sample.outbox;
    json journal = json::array();
    for (const LogLine& l : recent_log(kJournalLinesInBundle))
        journal.push_back({{"at", utc_iso(l.at)},
                           {"priority", priority_name(l.priority)},
                           {"event", l.event},
                           {"message", l.message}});
    const json j = {
        {"kind", "kiosk diagnostic bundle"},
        {"v", 1},
        {"kiosk_id", f.kiosk_id},
        {"version", f.version},
        {"command_id", command_id},
        {"made_at", utc_iso(now)},
        {"uptime_s", std::chrono::duration_cast<std::chrono::seconds>(now - f.started).count()},
        {"healthy", problems.empty()},
        {"problems", problems},
        {"warnings", health_warnings(f)},
        {"outbox",
         {{"queued", o.queued},
          {"delivering", o.delivering},
          {"registered", o.registered},
          {"delivered", o.delivered},
          {"needs_staff", o.needs_staff},
          {"needs_staff_reason", printable(o.needs_staff_reason, 300)},
          {"oldest_undelivered", o.oldest_undelivered ? utc_iso(*o.oldest_undelivered) : ""}}},
        {"register_error", printable(f.register_error_reason, 300)},
        {"figures", figures},
        {"config", redacted_config(cfg)},
        {"journal", journal},
    };
    return j.dump(1, ' ', false, json::error_handler_t::replace);
}

ActionResult send_diagnostic_bundle(const Config& cfg, const Health& health,
                                    const std::string& command_id, std::stop_token stop) {
    const std::string body =
        diagnostic_bundle_json(cfg, health.figures(), command_id, WallClock::now());
    if (body.size() > net::kMaxDiagnosticsBytes)
        return ActionResult::failed("the bundle is larger than 1 MiB");
    net::RegisterEndpoint endpoint = register_endpoint(cfg);
    endpoint.cancel = std::move(stop);  // the kiosk stopping does not wait for a slow register
    const net::UploadResult r = net::upload_diagnostics(endpoint, cfg.kiosk_id, command_id, body);
    if (r.outcome == net::Outcome::Registered)
        return ActionResult::ok("uploaded " + std::to_string(body.size()) + " bytes");
    return ActionResult::failed(
        "upload: " +
        (r.http_status ? "HTTP " + std::to_string(r.http_status) + ": " : std::string()) + r.error);
}

}  // namespace kiosk
