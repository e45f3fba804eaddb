// Remote commands on the kiosk's side (issue 16): the operators' signature and every field's
// check, the ledger that runs each command at most once (across restarts, written before the
// action runs), the out-of-service state it keeps, its bounds, the heartbeat answer's commands
// and the results the heartbeat carries back, kiosk-command's signatures, and the monitor taking
// commands from a register's answers, and end to end through the development register.
#include "operator_keys.h"
#include "kiosk/health.h"
#include "kiosk/journal.h"
#include "kiosk/monitor.h"
#include "kiosk/remote_command.h"

#include "dev_register.h"
#include "http_get.h"
#include "kiosk_config.h"
#include "process.h"

#include <gtest/gtest.h>
#include <net/open311.h>
#include <nlohmann/json.hpp>
#include <sodium.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <mutex>
#include <thread>

namespace net {
// What a register's answer holds, for building one.
void to_json(nlohmann::json& j, const SignedCommand& c) {
    j = {{"payload", c.payload}, {"signature", c.signature}};
}
}  // namespace net

namespace kiosk {
namespace {

using namespace std::chrono_literals;
using json = nlohmann::json;
namespace fs = std::filesystem;

const WallClock::time_point kNow = WallClock::from_time_t(1796292000);  // 2026-12-03T10:00:00Z
const std::string kKiosk = "KSK-T-01";

// Section: operators and their commands

using testsupport::base64;
using testsupport::Operator;

json payload(const std::string& id, const std::string& name, WallClock::time_point now = kNow) {
    json p = testsupport::command_payload(kKiosk, id, name, now);
    if (name == "out_of_service")
        p["message"] = {{"kk", "Киоск уақытша жұмыс істемейді. 12-кабинетке барыңыз."},
                        {"ru", "Киоск временно не работает. Обратитесь в кабинет 12."},
                        {"en", "This kiosk is out of service. Please go to room 12."}};
    return p;
}

// Actions that count their calls and do what a test tells them.
struct Actions {
    std::map<std::string, int> calls;
    ActionResult answer = ActionResult::ok();
    std::function<void(const std::string&)> during;  // called inside each action
    RemoteActions remote;

    Actions() {
        const auto action = [this](const char* name) {
            return [this, name] { return called(name); };
        };
        remote.send_now = action("send_now");
        remote.restart = action("restart");
        remote.reboot = [this](const std::string&) { return called("reboot"); };
        remote.refresh_catalog = action("refresh_catalog");
        remote.back_in_service = action("back_in_service");
        remote.out_of_service = [this](const OutOfServiceMessage&) {
            return called("out_of_service");
        };
        remote.diagnostic_bundle = [this](const std::string&, std::stop_token) {
            return called("diagnostic_bundle");
        };
    }
    ActionResult called(const std::string& name) {
        ++calls[name];
        if (during) during(name);
        return answer;
    }
};

class Remote : public ::testing::Test {
protected:
    void SetUp() override { dir = testsupport::make_temp_dir("kiosk-remote"); }
    void TearDown() override {
        std::error_code ec;
        fs::permissions(dir, fs::perms::owner_all, fs::perm_options::add, ec);
        fs::remove_all(dir, ec);
    }
    CommandCheck check() const { return {kKiosk, {op.public_key}}; }
    std::string refusal(const net::SignedCommand& c, WallClock::time_point now = kNow) const {
        const CheckedCommand checked = check_command(c, check(), now);
        return checked.command ? "(accepted)" : checked.reason;
    }
    std::vector<CommandReport> take(CommandLedger& ledger,
                                    const std::vector<net::SignedCommand>& commands,
                                    WallClock::time_point now = kNow) {
        return ledger.take(commands, check(), &actions.remote, now);
    }

    std::string dir;
    Operator op;
    Actions actions;
};

// Section: checking a command

TEST_F(Remote, ACommandSignedByAnOperatorPassesEveryCheck) {
    const CheckedCommand c =
        check_command(op.sign(payload("c-1", "out_of_service")), check(), kNow);
    ASSERT_TRUE(c.command) << c.reason;
    EXPECT_EQ(c.command->id, "c-1");
    EXPECT_EQ(c.command->name, CommandName::OutOfService);
    EXPECT_EQ(c.command->expires_at, kNow + 1h);
    EXPECT_EQ(c.command->message.ru, "Киоск временно не работает. Обратитесь в кабинет 12.");
    EXPECT_TRUE(c.authentic);
    // Any of several operator keys.
    const Operator other;
    const CheckedCommand by_second = check_command(
        other.sign(payload("c-2", "restart")), {kKiosk, {op.public_key, other.public_key}}, kNow);
    EXPECT_TRUE(by_second.command) << by_second.reason;
}

TEST_F(Remote, ABadSignatureIsRefusedWhateverItsPayloadSays) {
    const net::SignedCommand good = op.sign(payload("c-1", "restart"));
    net::SignedCommand payload_changed = good;  // one byte flipped in the signed text
    payload_changed.payload[payload_changed.payload.find("restart")] ^= 0x01;
    EXPECT_EQ(refusal(payload_changed), "signature: not made by an operator key of this kiosk");
    net::SignedCommand signature_changed = good;  // one bit of the signature itself
    unsigned char raw[64];
    std::size_t n = 0;
    ASSERT_EQ(sodium_base642bin(raw, sizeof raw, good.signature.data(), good.signature.size(),
                                nullptr, &n, nullptr, sodium_base64_VARIANT_ORIGINAL),
              0);
    raw[17] ^= 0x10;
    signature_changed.signature = base64(raw, sizeof raw);
    EXPECT_EQ(refusal(signature_changed), "signature: not made by an operator key of this kiosk");
    // Signed by someone whose key this kiosk does not hold (a register's own key, say).
    EXPECT_EQ(refusal(Operator().sign(payload("c-1", "restart"))),
              "signature: not made by an operator key of this kiosk");
    net::SignedCommand not_base64 = good;
    not_base64.signature = std::string(88, '*');
    EXPECT_EQ(refusal(not_base64), "signature: not the base64 of 64 bytes");
    net::SignedCommand short_signature = good;
    short_signature.signature = good.signature.substr(0, 44);
    EXPECT_EQ(refusal(short_signature), "signature: not the base64 of 64 bytes");
    // No operator keys configured: nothing is taken at all.
    EXPECT_EQ(check_command(good, {kKiosk, {}}, kNow).reason,
              "remote commands are off here: no [remote] operator_keys");
    // What the report can still name: the id when its syntax holds, a known name.
    const CheckedCommand forged = check_command(payload_changed, check(), kNow);
    EXPECT_EQ(forged.id, "c-1");
    EXPECT_FALSE(forged.authentic);
}

TEST_F(Remote, EachFieldIsCheckedAndNamedInTheRefusal) {
    const auto with = [&](const std::string& key, const json& value) {
        json p = payload("c-1", "restart");
        if (value.is_null())
            p.erase(key);
        else
            p[key] = value;
        return op.sign(p);
    };
    EXPECT_EQ(refusal(with("v", 2)), "v: must be 1");
    EXPECT_EQ(refusal(with("v", "1")), "v: must be 1");
    EXPECT_EQ(refusal(with("id", "c 1")), "id: must be 1..64 of A-Z a-z 0-9 - _");
    EXPECT_EQ(refusal(with("id", std::string(65, 'a'))), "id: must be 1..64 of A-Z a-z 0-9 - _");
    EXPECT_EQ(refusal(with("kiosk", "KSK-T-02")), "kiosk: for another kiosk");
    EXPECT_EQ(refusal(with("name", "format_disk")), "name: unknown command");
    EXPECT_EQ(refusal(with("name", "unknown")), "name: unknown command");
    EXPECT_EQ(refusal(with("issued_at", "2026-12-03T10:00:00+05:00")),
              "issued_at: must be a UTC time like 2026-12-03T10:00:00Z");
    EXPECT_EQ(refusal(with("expires_at", "2026-02-30T10:00:00Z")),
              "expires_at: must be a UTC time like 2026-12-03T11:00:00Z");
    EXPECT_EQ(refusal(with("expires_at", utc_iso(kNow - 2min))), "expires_at: not after issued_at");
    EXPECT_EQ(refusal(with("expires_at", utc_iso(kNow - 1min + 7 * 24h + 1s))),
              "expires_at: more than 7 days after issued_at");
    EXPECT_EQ(refusal(op.sign(payload("c-1", "restart", kNow + 20min))),
              "issued_at: more than 15 minutes ahead of this kiosk's clock");
    EXPECT_EQ(refusal(op.sign(payload("c-1", "restart")), kNow + 1h), "expires_at: expired");
    EXPECT_EQ(refusal(with("extra", true)), "payload: a field the contract does not have");
    EXPECT_EQ(refusal(op.sign(std::string("[1]"))), "payload: not a JSON object");
    EXPECT_EQ(refusal(op.sign(std::string("{\"v\":1,"))), "payload: not a JSON object");
    // A message only for out_of_service, and then in all three languages, each shown whole.
    EXPECT_EQ(refusal(with("message", payload("x", "out_of_service")["message"])),
              "message: only out_of_service has one");
    const auto out_of_service = [&](const std::function<void(json&)>& change) {
        json p = payload("c-1", "out_of_service");
        change(p["message"]);
        return refusal(op.sign(p));
    };
    EXPECT_EQ(refusal(op.sign([&] {
                  json p = payload("c-1", "out_of_service");
                  p.erase("message");
                  return p;
              }())),
              "message: out_of_service needs one in kk, ru and en");
    EXPECT_EQ(out_of_service([](json& m) { m.erase("kk"); }),
              "message: must hold exactly kk, ru and en");
    EXPECT_EQ(out_of_service([](json& m) { m["de"] = "x"; }),
              "message: must hold exactly kk, ru and en");
    EXPECT_EQ(out_of_service([](json& m) { m["ru"] = ""; }),
              "message.ru: must be 1..300 characters");
    EXPECT_EQ(out_of_service([](json& m) { m["en"] = std::string(301, 'x'); }),
              "message.en: must be 1..300 characters");
    std::string kazakh;  // 300 letters of two bytes each: characters count, not bytes
    for (int i = 0; i < 300; ++i) kazakh += "ә";
    EXPECT_EQ(out_of_service([&](json& m) { m["kk"] = kazakh; }), "(accepted)");
    EXPECT_EQ(out_of_service([](json& m) { m["kk"] = "line\nbreak"; }),
              "message.kk: contains a control character");
    EXPECT_EQ(out_of_service([](json& m) { m["kk"] = "\xC2\x85"; }),  // U+0085, a C1 control
              "message.kk: contains a control character");
    EXPECT_EQ(out_of_service([](json& m) { m["en"] = 42; }), "message.en: missing or not a string");
}

TEST_F(Remote, UtcTimesAreReadInOneFormOnly) {
    EXPECT_EQ(utc_iso(kNow), "2026-12-03T10:00:00Z");
    EXPECT_EQ(parse_utc_iso("2026-12-03T10:00:00Z"), kNow);
    for (const char* bad : {"2026-12-03T10:00:00", "2026-12-03 10:00:00Z", "2026-13-03T10:00:00Z",
                            "2026-12-03T24:00:00Z", "2026-12-03T10:00:00.5Z",
                            "1969-12-31T23:59:59Z", "2026-12-03T10:00:60Z", ""})
        EXPECT_FALSE(parse_utc_iso(bad)) << bad;
}

// Section: the ledger: at most once, across restarts

TEST_F(Remote, AValidCommandRunsOnceAndItsResultIsReportedAgainWhenHandedAgain) {
    CommandLedger ledger(dir);
    const auto command = op.sign(payload("c-1", "send_now"));
    const auto first = take(ledger, {command});
    ASSERT_EQ(first.size(), 1u);
    EXPECT_EQ(first[0].result, CommandResult::Done);
    EXPECT_EQ(first[0].name, CommandName::SendNow);
    EXPECT_EQ(actions.calls["send_now"], 1);
    auto pending = ledger.unreported();
    ASSERT_EQ(pending.size(), 1u);
    EXPECT_EQ(pending[0].id, "c-1");
    ledger.reported(pending, kNow);
    EXPECT_TRUE(ledger.unreported().empty());
    // The register hands it again (it never saw the result, say): not run, reported again.
    EXPECT_TRUE(take(ledger, {command, command}).empty());
    EXPECT_EQ(actions.calls["send_now"], 1);
    pending = ledger.unreported();
    ASSERT_EQ(pending.size(), 1u);
    EXPECT_EQ(pending[0].result, CommandResult::Done);
    // The file is private.
    struct stat st {};
    ASSERT_EQ(::stat(ledger.file().c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(Remote, ACommandIsNotRunAgainAfterARestart) {
    const auto command = op.sign(payload("c-1", "refresh_catalog"));
    {
        CommandLedger ledger(dir);
        take(ledger, {command});
    }
    CommandLedger reloaded(dir);  // the kiosk started again
    EXPECT_TRUE(take(reloaded, {command}).empty());
    EXPECT_EQ(actions.calls["refresh_catalog"], 1);
    const auto stored = reloaded.find("c-1");
    ASSERT_TRUE(stored);
    EXPECT_EQ(stored->result, CommandResult::Done);
    EXPECT_TRUE(stored->authentic);
    EXPECT_EQ(reloaded.unreported().size(), 1u);  // not yet taken by the register: kept
}

TEST_F(Remote, ARestartIsRecordedBeforeItRunsAndReportedAfterIt) {
    CommandLedger ledger(dir);
    std::optional<LedgerEntry> on_disk;
    actions.during = [&](const std::string& name) {
        if (name == "restart") on_disk = CommandLedger(dir).find("r-1");  // what a crash leaves
    };
    const auto reports =
        take(ledger, {op.sign(payload("r-1", "restart")), op.sign(payload("s-1", "send_now"))});
    ASSERT_TRUE(on_disk);
    EXPECT_EQ(on_disk->result, CommandResult::Done);
    EXPECT_EQ(actions.calls["restart"], 1);
    // What follows a restart is left in this answer: the register hands it again (in the
    // monitor's follow-up heartbeat while the kiosk still runs, else after the next start).
    EXPECT_EQ(actions.calls["send_now"], 0);
    ASSERT_EQ(reports.size(), 1u);
    EXPECT_FALSE(ledger.find("s-1"));
    // After the restart: the result goes in the first heartbeat, and the restart never repeats.
    CommandLedger after(dir);
    const auto pending = after.unreported();
    ASSERT_EQ(pending.size(), 1u);
    EXPECT_EQ(pending[0].id, "r-1");
    EXPECT_EQ(pending[0].result, CommandResult::Done);
    // Handed again with the rest: the restart is not repeated, the rest runs.
    const auto rest =
        take(after, {op.sign(payload("r-1", "restart")), op.sign(payload("s-1", "send_now"))});
    ASSERT_EQ(rest.size(), 1u);
    EXPECT_EQ(rest[0].id, "s-1");
    EXPECT_EQ(actions.calls["restart"], 1);
    EXPECT_EQ(actions.calls["send_now"], 1);
    // A reboot logind refuses is a failure, reported as such.
    actions.answer = ActionResult::failed("logind: access denied");
    const auto reboot = take(after, {op.sign(payload("b-1", "reboot"))});
    ASSERT_EQ(reboot.size(), 1u);
    EXPECT_EQ(reboot[0].result, CommandResult::Failed);
    EXPECT_EQ(reboot[0].reason, "logind: access denied");
    EXPECT_EQ(CommandLedger(dir).find("b-1")->result, CommandResult::Failed);
}

// The reboot was asked (done when recorded), then logind refused it: the application amends.
TEST_F(Remote, AResultCanBeAmendedAndIsReportedAgain) {
    CommandLedger ledger(dir);
    take(ledger, {op.sign(payload("b-1", "reboot"))});
    ledger.reported(ledger.unreported(), kNow);
    EXPECT_TRUE(ledger.unreported().empty());
    ledger.amend("b-1", CommandResult::Failed, "logind: reboot refused\n", kNow + 5s);
    const auto pending = ledger.unreported();
    ASSERT_EQ(pending.size(), 1u);
    EXPECT_EQ(pending[0].id, "b-1");
    EXPECT_EQ(pending[0].result, CommandResult::Failed);
    EXPECT_EQ(pending[0].reason, "logind: reboot refused?");  // cut to printable
    EXPECT_EQ(pending[0].at, kNow + 5s);
    const auto stored = CommandLedger(dir).find("b-1");  // written
    ASSERT_TRUE(stored);
    EXPECT_EQ(stored->result, CommandResult::Failed);
    EXPECT_FALSE(stored->reported);
    // Still run once: handed again, it is not rerun.
    EXPECT_TRUE(take(ledger, {op.sign(payload("b-1", "reboot"))}).empty());
    EXPECT_EQ(actions.calls["reboot"], 1);
    // Only a command that ran turns done or failed; unknown ids and refusals are left alone.
    take(ledger, {Operator().sign(payload("x-1", "send_now"))});
    ledger.amend("x-1", CommandResult::Done, "", kNow);
    ledger.amend("b-1", CommandResult::Refused, "", kNow);
    ledger.amend("nobody", CommandResult::Failed, "", kNow);
    EXPECT_EQ(ledger.find("x-1")->result, CommandResult::Refused);
    EXPECT_EQ(ledger.find("b-1")->result, CommandResult::Failed);
    EXPECT_FALSE(ledger.find("nobody"));
}

TEST_F(Remote, AnActionThatFailsOrThrowsIsReportedAsFailed) {
    CommandLedger ledger(dir);
    actions.remote.refresh_catalog = []() -> ActionResult {
        throw std::runtime_error("services.json: HTTP 503\n");
    };
    const auto r = take(ledger, {op.sign(payload("c-1", "refresh_catalog"))});
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].result, CommandResult::Failed);
    EXPECT_EQ(r[0].reason, "services.json: HTTP 503?");  // cut to printable
    // Without an action for it: refused, not run.
    actions.remote.send_now = nullptr;
    const auto refused = take(ledger, {op.sign(payload("c-2", "send_now"))});
    EXPECT_EQ(refused.at(0).result, CommandResult::Refused);
    EXPECT_EQ(refused.at(0).reason, "name: not supported here");
    // No actions at all (the monitor's default): everything refused, even state changes.
    const auto none =
        ledger.take(std::vector{op.sign(payload("c-3", "out_of_service"))}, check(), nullptr, kNow);
    EXPECT_EQ(none.at(0).reason, "name: not supported here");
    EXPECT_FALSE(ledger.out_of_service_now());
}

TEST_F(Remote, RefusalsAreRecordedAndReportedWithTheirReason) {
    CommandLedger ledger(dir);
    json expired = payload("c-1", "send_now");
    expired["expires_at"] = utc_iso(kNow - 1s);
    expired["issued_at"] = utc_iso(kNow - 1h);
    json elsewhere = payload("c-2", "send_now");
    elsewhere["kiosk"] = "KSK-T-99";
    json unknown = payload("c-3", "send_now");
    unknown["name"] = "self_destruct";
    net::SignedCommand forged = op.sign(payload("c-4", "send_now"));
    forged.payload[forged.payload.find("send_now")] = 'S';
    const auto reports = take(ledger, {op.sign(expired), op.sign(elsewhere), op.sign(unknown),
                                       forged, Operator().sign(payload("c-5", "send_now")),
                                       net::SignedCommand{"not json", "AAAA"}});
    ASSERT_EQ(reports.size(), 6u);
    for (const auto& r : reports) EXPECT_EQ(r.result, CommandResult::Refused) << r.id;
    EXPECT_EQ(actions.calls["send_now"], 0);
    EXPECT_EQ(reports[0].reason, "expires_at: expired");
    EXPECT_EQ(reports[1].reason, "kiosk: for another kiosk");
    EXPECT_EQ(reports[2].reason, "name: unknown command");
    EXPECT_EQ(reports[2].name, CommandName::Unknown);
    EXPECT_EQ(reports[3].reason, "signature: not made by an operator key of this kiosk");
    EXPECT_EQ(reports[4].reason, "signature: not made by an operator key of this kiosk");
    EXPECT_EQ(reports[5].id, "");  // nothing to name it by: logged and counted only
    const auto pending = ledger.unreported();
    ASSERT_EQ(pending.size(), 5u);
    EXPECT_EQ(pending[3].id, "c-4");
    // A forgery under an id does not block the operator's own command with that id.
    EXPECT_FALSE(ledger.find("c-4")->authentic);
    const auto genuine = take(ledger, {op.sign(payload("c-4", "send_now"))});
    ASSERT_EQ(genuine.size(), 1u);
    EXPECT_EQ(genuine[0].result, CommandResult::Done);
    EXPECT_EQ(actions.calls["send_now"], 1);
    // ...but a forgery under a genuine command's id changes nothing.
    EXPECT_TRUE(take(ledger, {forged}).empty());
    EXPECT_EQ(ledger.find("c-4")->result, CommandResult::Done);
    // The journal names ids and fields, never what the register sent as it was.
    for (const LogLine& l : recent_log(50))
        EXPECT_EQ(l.message.find("self_destruct"), std::string::npos);
}

// Section: out of service, kept across restarts

TEST_F(Remote, OutOfServiceIsKeptAcrossRestartsUntilBackInService) {
    {
        CommandLedger ledger(dir);
        EXPECT_FALSE(ledger.out_of_service_now());
        EXPECT_FALSE(ledger.out_of_service());
        const auto r = take(ledger, {op.sign(payload("o-1", "out_of_service"))});
        EXPECT_EQ(r.at(0).result, CommandResult::Done);
        EXPECT_EQ(actions.calls["out_of_service"], 1);
        ASSERT_TRUE(ledger.out_of_service_now());
        EXPECT_EQ(ledger.out_of_service()->kk,
                  "Киоск уақытша жұмыс істемейді. 12-кабинетке барыңыз.");
    }
    CommandLedger after(dir);
    ASSERT_TRUE(after.out_of_service_now());
    EXPECT_EQ(after.out_of_service()->en, "This kiosk is out of service. Please go to room 12.");
    const auto r = take(after, {op.sign(payload("o-2", "back_in_service"))});
    EXPECT_EQ(r.at(0).result, CommandResult::Done);
    EXPECT_FALSE(after.out_of_service_now());
    EXPECT_FALSE(CommandLedger(dir).out_of_service_now());
    // Back in service when in service: done, and said so.
    EXPECT_EQ(take(after, {op.sign(payload("o-3", "back_in_service"))}).at(0).reason,
              "it was in service");
    // The UI refusing to show it: the state is not left changed.
    actions.answer = ActionResult::failed("no screen");
    EXPECT_EQ(take(after, {op.sign(payload("o-4", "out_of_service"))}).at(0).result,
              CommandResult::Failed);
    EXPECT_FALSE(after.out_of_service_now());
    EXPECT_FALSE(CommandLedger(dir).out_of_service_now());
}

// Section: crash safety: nothing runs that was not recorded

TEST_F(Remote, ALedgerThatCannotBeWrittenRunsNothingAndSaysSo) {
    CommandLedger ledger(dir);
    // The folder read-only; and, for root, whom modes do not stop, a folder where the ledger's
    // temporary file must go.
    ASSERT_TRUE(fs::create_directory(dir + "/" + CommandLedger::kFileName + ".tmp"));
    ASSERT_EQ(::chmod(dir.c_str(), 0555), 0);
    const auto r = take(
        ledger, {op.sign(payload("c-1", "send_now")), op.sign(payload("o-1", "out_of_service")),
                 op.sign(payload("r-1", "restart"))});
    ASSERT_EQ(r.size(), 3u);
    for (const auto& report : r) {
        EXPECT_EQ(report.result, CommandResult::Failed);
        EXPECT_EQ(report.reason.rfind("ledger: cannot record the command, so it was not run: ", 0),
                  0u)
            << report.reason;
    }
    EXPECT_TRUE(actions.calls.empty());
    EXPECT_FALSE(ledger.out_of_service_now());
    EXPECT_EQ(ledger.unreported().size(), 3u);  // reported from memory
    EXPECT_FALSE(fs::exists(ledger.file()));
}

TEST_F(Remote, ADamagedLedgerIsSetAsideAndOlderCommandsAreRefused) {
    {
        CommandLedger ledger(dir);
        take(ledger, {op.sign(payload("c-1", "send_now"))});
    }
    std::ofstream(dir + "/" + CommandLedger::kFileName) << "{\"v\":1,\"commands\":[{\"id\":";
    CommandLedger damaged(dir, kNow);
    EXPECT_TRUE(fs::exists(dir + "/" + CommandLedger::kFileName + ".damaged"));
    // Issued before the damage: whether it ran is unknown, so it does not run (again).
    const auto r = take(damaged, {op.sign(payload("c-1", "send_now"))}, kNow + 1s);
    EXPECT_EQ(r.at(0).result, CommandResult::Refused);
    EXPECT_EQ(r.at(0).reason.rfind("ledger: set aside as damaged at 2026-12-03T10:00:00Z", 0), 0u);
    EXPECT_EQ(actions.calls["send_now"], 1);
    // Issued after it: runs. And the rule is kept across a restart.
    EXPECT_EQ(
        take(damaged, {op.sign(payload("c-2", "send_now", kNow + 2min))}, kNow + 2min).at(0).result,
        CommandResult::Done);
    CommandLedger again(dir);
    EXPECT_EQ(take(again, {op.sign(payload("c-3", "send_now"))}, kNow + 1s).at(0).result,
              CommandResult::Refused);
}

// Section: bounds and pruning

// A ledger file of `n` entries, as the kiosk writes them.
void write_ledger(const std::string& dir, int n, CommandResult result, bool reported,
                  WallClock::time_point keep_until) {
    json commands = json::array();
    for (int i = 0; i < n; ++i)
        commands.push_back({{"id", "old-" + std::to_string(i)},
                            {"name", "send_now"},
                            {"result", command_result_name(result)},
                            {"reason", ""},
                            {"at", utc_iso(kNow - 1h + std::chrono::seconds(i))},
                            {"keep_until", utc_iso(keep_until)},
                            {"authentic", true},
                            {"reported", reported}});
    std::ofstream(dir + "/" + CommandLedger::kFileName)
        << json{{"v", 1}, {"commands", commands}, {"out_of_service", nullptr}}.dump();
}

TEST_F(Remote, ReportedEntriesArePrunedADayAfterTheirExpiry) {
    CommandLedger ledger(dir);
    take(ledger, {op.sign(payload("c-1", "send_now"))});
    const auto later = kNow + 1h + CommandLedger::kKeepAfterExpiry + 1s;
    ledger.reported(ledger.unreported(), kNow);  // reported: kept until its time
    EXPECT_TRUE(ledger.find("c-1"));
    take(ledger, {op.sign(payload("c-2", "send_now", later))}, later);
    ledger.reported(ledger.unreported(), later);
    EXPECT_FALSE(ledger.find("c-1"));
    EXPECT_TRUE(ledger.find("c-2"));
    EXPECT_FALSE(CommandLedger(dir).find("c-1"));
    // A result not yet reported is kept however old.
    take(ledger, {op.sign(payload("c-3", "send_now", later))}, later);
    const auto much_later = later + 30 * 24h;
    take(ledger, {op.sign(payload("c-4", "send_now", much_later))}, much_later);
    ledger.reported({}, much_later);
    EXPECT_TRUE(ledger.find("c-3"));
}

TEST_F(Remote, TheLedgerIsBoundedAndRefusalsMakeRoomFirst) {
    write_ledger(dir, CommandLedger::kMaxEntries, CommandResult::Refused, true, kNow + 1h);
    CommandLedger full(dir);
    ASSERT_EQ(full.size(), CommandLedger::kMaxEntries);
    std::vector<net::SignedCommand> sixteen;
    for (int i = 0; i < 16; ++i)
        sixteen.push_back(op.sign(payload("n-" + std::to_string(i), "send_now")));
    EXPECT_EQ(take(full, sixteen).size(), 16u);
    EXPECT_EQ(full.size(), CommandLedger::kMaxEntries);
    EXPECT_FALSE(full.find("old-0"));  // the oldest refusals went
    EXPECT_TRUE(full.find("n-15"));
    EXPECT_EQ(actions.calls["send_now"], 16);
    // Commands that ran are never dropped early: past kMaxRun, new ones are refused instead.
    TearDown();
    SetUp();
    write_ledger(dir, CommandLedger::kMaxRun, CommandResult::Done, true, kNow + 1h);
    CommandLedger busy(dir);
    const auto r = take(busy, {op.sign(payload("x-1", "send_now"))});
    EXPECT_EQ(r.at(0).result, CommandResult::Refused);
    EXPECT_EQ(r.at(0).reason, "ledger: 900 commands remembered; refused until older ones expire");
    EXPECT_EQ(actions.calls["send_now"], 16);
    EXPECT_TRUE(busy.find("old-0"));
}

// A compromised register sending 16 forgeries in every answer cannot push an operator's
// refused command out of the ledger (it would then run when handed again): forgeries make
// room for each other first.
TEST_F(Remote, ForgeriesDoNotEvictAnOperatorsRefusal) {
    CommandLedger ledger(dir);
    actions.remote.send_now = nullptr;  // refused here: "not supported here"
    EXPECT_EQ(take(ledger, {op.sign(payload("op-1", "send_now"))}).at(0).result,
              CommandResult::Refused);
    ledger.reported(ledger.unreported(), kNow);  // the register took the refusal
    const Operator intruder;
    for (int answer = 0; answer < 70; ++answer) {  // 1,120 forgeries
        std::vector<net::SignedCommand> sixteen;
        for (int i = 0; i < 16; ++i)
            sixteen.push_back(
                intruder.sign(payload("f-" + std::to_string(answer * 16 + i), "send_now")));
        take(ledger, sixteen, kNow + std::chrono::seconds(answer));
    }
    EXPECT_EQ(ledger.size(), CommandLedger::kMaxEntries);
    ASSERT_TRUE(ledger.find("op-1"));
    EXPECT_EQ(ledger.find("op-1")->result, CommandResult::Refused);
    EXPECT_FALSE(ledger.find("f-0"));  // the oldest forgeries went
    EXPECT_TRUE(ledger.find("f-1119"));
    // Refusals are written once per answer, and are on disk when take() returns.
    const CommandLedger on_disk(dir);
    EXPECT_TRUE(on_disk.find("op-1"));
    EXPECT_TRUE(on_disk.find("f-1119"));
    // Handed again, the operator's command is not run.
    actions.remote.send_now = [this] { return actions.called("send_now"); };
    EXPECT_TRUE(take(ledger, {op.sign(payload("op-1", "send_now"))}).empty());
    EXPECT_EQ(actions.calls["send_now"], 0);
}

// The monitor pushes its metrics between an answer's commands when the push is due.
TEST_F(Remote, TakeCallsBetweenCommandsOnly) {
    CommandLedger ledger(dir);
    std::vector<std::string> order;
    actions.during = [&](const std::string& name) { order.push_back(name); };
    ledger.take(
        std::vector{op.sign(payload("c-1", "send_now")), op.sign(payload("c-2", "refresh_catalog")),
                    Operator().sign(payload("c-3", "send_now"))},
        check(), &actions.remote, kNow, {}, [&] { order.push_back("between"); });
    EXPECT_EQ(order,
              (std::vector<std::string>{"send_now", "between", "refresh_catalog", "between"}));
}

// Section: the heartbeat answer's commands and the heartbeat's results

TEST_F(Remote, AHeartbeatAnswerGivesAtMostSixteenWellFormedCommands) {
    json commands = json::array();
    for (int i = 0; i < 20; ++i)
        commands.push_back(op.sign(payload("c-" + std::to_string(i), "send_now")));
    net::HeartbeatResult r =
        net::parse_heartbeat_answer(200, json{{"kiosk_id", kKiosk}, {"commands", commands}}.dump());
    EXPECT_EQ(r.outcome, net::Outcome::Registered);
    EXPECT_EQ(r.commands.size(), net::kMaxCommandsPerAnswer);
    EXPECT_EQ(r.commands_ignored, 4u);
    EXPECT_EQ(r.commands[3].payload, payload("c-3", "send_now").dump());
    CommandLedger ledger(dir);
    EXPECT_EQ(take(ledger, r.commands).size(), 16u);
    EXPECT_EQ(actions.calls["send_now"], 16);
    // Malformed commands are left out, the heartbeat still counts as taken.
    json odd = json::array({json{{"payload", "{}"}},
                            json{{"payload", std::string(4097, ' ')}, {"signature", "x"}},
                            json{{"payload", 1}, {"signature", "x"}}, json("text"),
                            json{{"payload", "{}"}, {"signature", "x"}, {"more", 1}},
                            json{{"payload", "{}"}, {"signature", "x"}}});
    r = net::parse_heartbeat_answer(200, json{{"commands", odd}}.dump());
    EXPECT_EQ(r.outcome, net::Outcome::Registered);
    EXPECT_EQ(r.commands.size(), 1u);
    EXPECT_EQ(r.commands_ignored, 5u);
    r = net::parse_heartbeat_answer(200, R"({"commands":"restart"})");
    EXPECT_EQ(r.outcome, net::Outcome::Registered);
    EXPECT_TRUE(r.commands.empty());
    EXPECT_EQ(r.commands_ignored, 1u);
    EXPECT_TRUE(net::parse_heartbeat_answer(200, "{}").commands.empty());
    EXPECT_EQ(net::parse_heartbeat_answer(200, "").outcome, net::Outcome::Registered);
}

TEST_F(Remote, TheHeartbeatCarriesResultsAndTheMetricsCountThem) {
    Health health(kKiosk, "1", kNow - 1h);
    health.remote_command(CommandName::Restart, CommandResult::Done);
    health.remote_command(CommandName::Unknown, CommandResult::Refused);
    health.remote_commands_ignored(4);
    const Figures f = health.figures();
    const std::vector<CommandReport> reports = {
        {"r-1", CommandName::Restart, CommandResult::Done, "", kNow},
        {"c-2", CommandName::Unknown, CommandResult::Refused, "name: unknown command", kNow}};
    const json beat = json::parse(heartbeat_json(f, {}, kNow, reports));
    ASSERT_EQ(beat["commands"].size(), 2u);
    EXPECT_EQ(beat["commands"][0], (json{{"id", "r-1"},
                                         {"name", "restart"},
                                         {"result", "done"},
                                         {"reason", ""},
                                         {"at", "2026-12-03T10:00:00Z"}}));
    EXPECT_EQ(beat["commands"][1]["name"], "unknown");
    EXPECT_EQ(json::parse(heartbeat_json(f, {}, kNow))["commands"], json::array());
    const std::string m = metrics_text(f, {}, kNow);
    EXPECT_EQ(
        testsupport::metric(m, R"(kiosk_remote_commands_total{name="restart",result="done"})"), 1);
    EXPECT_EQ(
        testsupport::metric(m, R"(kiosk_remote_commands_total{name="unknown",result="refused"})"),
        1);
    EXPECT_EQ(
        testsupport::metric(m, R"(kiosk_remote_commands_total{name="reboot",result="failed"})"), 0);
    EXPECT_EQ(testsupport::metric(m, "kiosk_remote_commands_ignored_total"), 4);
}

// Section: the diagnostic bundle

TEST_F(Remote, TheDiagnosticBundleHoldsNoSecretsAndNoPersonalData) {
    Config cfg;
    cfg.kiosk_id = kKiosk;
    cfg.api_key = "secret-api-key-123";
    cfg.pin_hash = "$y$j9T$secret-pin-hash";
    cfg.client_key = "/etc/complaint-kiosk/client.key";
    cfg.talon_key = "/etc/complaint-kiosk/talon.key";
    cfg.duty_officer = "Кенжебаева Г. С.";
    cfg.register_url = "https://register.example.kz/open311/v2/";
    Health health(kKiosk, "1.2.3", kNow - 1h);
    health.duty_specialist("Әбілқасымова А. Қ.");
    Sample s;
    s.outbox.queued = 2;
    s.outbox.needs_staff = 1;
    health.sampled(s);
    const std::string text = diagnostic_bundle_json(cfg, health.figures(), "d-1", kNow);
    for (const char* never : {"secret-api-key-123", "secret-pin-hash", "client.key", "talon.key",
                              "Кенжебаева", "Әбілқасымова"})
        EXPECT_EQ(text.find(never), std::string::npos) << never;
    const json b = json::parse(text);
    EXPECT_EQ(b["kiosk_id"], kKiosk);
    EXPECT_EQ(b["version"], "1.2.3");
    EXPECT_EQ(b["command_id"], "d-1");
    EXPECT_EQ(b["outbox"]["queued"], 2);
    EXPECT_EQ(b["outbox"]["needs_staff"], 1);
    EXPECT_TRUE(b["problems"].is_array());
    EXPECT_TRUE(b["warnings"].is_array());
    EXPECT_EQ(b["config"]["register"]["url"], cfg.register_url);
    EXPECT_EQ(b["config"]["service"]["pin_set"], true);
    EXPECT_TRUE(b["journal"].is_array());
}

// Section: kiosk-command

TEST_F(Remote, TheToolSignsWhatTheKioskAccepts) {
    const std::string tool = KIOSK_COMMAND, key = dir + "/operator.key", out = dir + "/out.txt";
    ASSERT_EQ(testsupport::run({tool, "keygen", "--out", key}, out, 30s), 0);
    const std::string public_key = testsupport::read_text(out).substr(0, 44);
    const auto operator_key = parse_operator_key(public_key);
    ASSERT_TRUE(operator_key) << testsupport::read_text(out);
    struct stat st {};
    ASSERT_EQ(::stat(key.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    EXPECT_EQ(testsupport::run({tool, "keygen", "--out", key}, dir + "/again.txt", 30s), 1);
    ASSERT_EQ(testsupport::run({tool, "pubkey", key}, dir + "/pub.txt", 30s), 0);
    EXPECT_EQ(testsupport::read_text(dir + "/pub.txt"), public_key + "\n");

    const CommandCheck check{kKiosk, {*operator_key}};
    const auto signed_by_tool = [&](std::vector<std::string> args) {
        std::vector<std::string> argv = {tool, "sign", "--key", key, "--kiosk", kKiosk};
        argv.insert(argv.end(), args.begin(), args.end());
        const std::string file = dir + "/signed.txt";
        std::filesystem::remove(file);
        EXPECT_EQ(testsupport::run(argv, file, 30s), 0) << testsupport::read_text(file);
        const json line = json::parse(testsupport::read_text(file));
        return net::SignedCommand{line["payload"], line["signature"]};
    };
    const CheckedCommand restart = check_command(
        signed_by_tool({"--name", "restart", "--id", "op-restart-1", "--expires-in", "30m"}), check,
        WallClock::now());
    ASSERT_TRUE(restart.command) << restart.reason;
    EXPECT_EQ(restart.command->id, "op-restart-1");
    EXPECT_EQ(restart.command->expires_at - restart.command->issued_at, 30min);
    const CheckedCommand oos = check_command(
        signed_by_tool({"--name", "out_of_service", "--message-kk", "Жұмыс істемейді",
                        "--message-ru", "Не работает", "--message-en", "Out of service"}),
        check, WallClock::now());
    ASSERT_TRUE(oos.command) << oos.reason;
    EXPECT_EQ(oos.command->message.kk, "Жұмыс істемейді");
    EXPECT_EQ(oos.command->id.size(), 32u);  // random by default
    // The tool refuses what the kiosk would refuse.
    const auto refused = [&](std::vector<std::string> args) {
        std::vector<std::string> argv = {tool, "sign", "--key", key, "--kiosk", kKiosk};
        argv.insert(argv.end(), args.begin(), args.end());
        return testsupport::run(argv, dir + "/refused.txt", 30s);
    };
    EXPECT_EQ(refused({"--name", "format_disk"}), 2);
    EXPECT_EQ(refused({"--name", "restart", "--expires-in", "8d"}), 2);
    EXPECT_EQ(refused({"--name", "out_of_service", "--message-kk", "x"}), 2);
    EXPECT_EQ(refused({"--name", "restart", "--message-en", "x"}), 2);
    EXPECT_EQ(refused({"--name", "restart", "--id", "no spaces"}), 2);
    // queue talks plain HTTP to this machine only, by net's rule: a name that merely starts
    // like a loopback address is somewhere else.
    for (const char* admin :
         {"http://127.evil.example/", "http://127.0.0.1.evil.example:8444/",
          "http://localhost.evil.example/", "https://127.0.0.1:8444", "http://10.0.0.1:8444"})
        EXPECT_EQ(testsupport::run({tool, "queue", "--admin", admin, "--kiosk", kKiosk},
                                   dir + "/queue.txt", 30s),
                  2)
            << admin;
}

// Section: the monitor takes commands from the register's answers

// A register that answers every POST with the same body and keeps what it was sent. Plain
// HTTP on loopback, as the kiosk allows for development.
class AnsweringRegister {
public:
    AnsweringRegister() {
        const auto listener = testsupport::listen_on_loopback(16);
        fd_ = listener.fd;
        port_ = listener.port;
        thread_ = std::thread([this] { serve(); });
    }
    ~AnsweringRegister() {
        stop_ = true;
        thread_.join();
        ::close(fd_);
    }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/"; }
    void answer(std::string body) {
        std::lock_guard lock(mutex_);
        answer_ = std::move(body);
    }
    // (path, body) of each request so far
    std::vector<std::pair<std::string, std::string>> seen() const {
        std::lock_guard lock(mutex_);
        return seen_;
    }

private:
    void serve() {
        while (!stop_) {
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, 50) <= 0) continue;
            const int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
            if (c < 0) continue;
            one(c);
            ::close(c);
        }
    }
    void one(int c) {
        std::string in;
        char buf[65536];
        std::size_t header_end = std::string::npos, length = 0;
        while (true) {
            pollfd p{c, POLLIN, 0};
            if (::poll(&p, 1, 5000) <= 0) return;
            const ssize_t n = ::read(c, buf, sizeof buf);
            if (n <= 0) return;
            in.append(buf, static_cast<std::size_t>(n));
            if (header_end == std::string::npos &&
                (header_end = in.find("\r\n\r\n")) != std::string::npos) {
                const auto at = in.find("Content-Length: ");
                if (at != std::string::npos && at < header_end)
                    length = std::stoul(in.substr(at + 16));
            }
            if (header_end != std::string::npos && in.size() >= header_end + 4 + length) break;
        }
        const std::string path =
            in.substr(in.find(' ') + 1, in.find(' ', in.find(' ') + 1) - in.find(' ') - 1);
        std::string body;
        {
            std::lock_guard lock(mutex_);
            seen_.emplace_back(path, in.substr(header_end + 4, length));
            body = answer_;
        }
        const std::string out =
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
            std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
        (void)!::write(c, out.data(), out.size());
    }

    int fd_ = -1, port_ = 0;
    std::atomic<bool> stop_{false};
    mutable std::mutex mutex_;
    std::string answer_ = "{}";
    std::vector<std::pair<std::string, std::string>> seen_;
    std::thread thread_;
};

TEST_F(Remote, TheMonitorRunsHandedCommandsOnceAndReportsTheirResults) {
    AnsweringRegister reg;
    Config cfg;
    cfg.kiosk_id = kKiosk;
    cfg.state_dir = dir;
    cfg.register_url = reg.url();
    cfg.api_key = "k";
    cfg.heartbeat_interval_s = 1;
    cfg.management_listen.clear();
    cfg.operator_keys = {op.public_key};
    Health health(kKiosk, "1", WallClock::now());
    printer::PaperCounter paper(dir + "/paper", 100, 10);
    actions.remote.diagnostic_bundle = [&](const std::string& id, std::stop_token stop) {
        ++actions.calls["diagnostic_bundle"];
        return send_diagnostic_bundle(cfg, health, id, stop);
    };
    const auto now = WallClock::now();
    reg.answer(json{
        {"kiosk_id", kKiosk},
        {"commands",
         {op.sign(payload("s-1", "send_now", now)), op.sign(payload("o-1", "out_of_service", now)),
          op.sign(payload("d-1", "diagnostic_bundle", now)),
          Operator().sign(payload("x-1", "reboot", now))}}}
                   .dump());
    CommandLedger ledger(dir);
    const auto reported = [&](const std::string& id) {
        for (const auto& [path, body] : reg.seen()) {
            if (path.find("/heartbeat.json") == std::string::npos) continue;
            const json beat = json::parse(body);
            for (const json& r : beat["commands"])
                if (r["id"] == id) return r;
        }
        return json();
    };
    {
        Monitor monitor(cfg, health, paper, &actions.remote, &ledger);
        ASSERT_TRUE(testsupport::eventually(
            [&] { return !reported("s-1").is_null() && !reported("x-1").is_null(); }, 20s));
        EXPECT_EQ(&monitor.ledger(), &ledger);
        // Handed in every answer: run once all the same.
        const auto heartbeats = [&] {
            const auto seen = reg.seen();
            return std::count_if(seen.begin(), seen.end(), [](const auto& s) {
                return s.first.find("/heartbeat.json") != std::string::npos;
            });
        };
        const auto before = heartbeats();
        ASSERT_TRUE(testsupport::eventually([&] { return heartbeats() >= before + 3; }, 20s));
    }
    EXPECT_EQ(actions.calls["send_now"], 1);
    EXPECT_EQ(actions.calls["diagnostic_bundle"], 1);
    EXPECT_EQ(actions.calls["out_of_service"], 1);
    EXPECT_EQ(actions.calls.count("reboot"), 0u);
    EXPECT_TRUE(ledger.out_of_service_now());
    EXPECT_EQ(reported("s-1")["result"], "done");
    EXPECT_EQ(reported("o-1")["result"], "done");
    EXPECT_EQ(reported("d-1")["result"], "done") << reported("d-1");
    EXPECT_EQ(reported("x-1")["result"], "refused");
    EXPECT_EQ(reported("x-1")["reason"], "signature: not made by an operator key of this kiosk");
    // The bundle went to kiosks/{id}/diagnostics/{command id}.json.
    const auto seen = reg.seen();
    const auto bundle = std::find_if(seen.begin(), seen.end(), [](const auto& s) {
        return s.first.rfind("/kiosks/KSK-T-01/diagnostics/d-1.json", 0) == 0;
    });
    ASSERT_NE(bundle, seen.end());
    EXPECT_EQ(json::parse(bundle->second)["command_id"], "d-1");
    EXPECT_EQ(bundle->second.find("\"k\""), std::string::npos);  // the api_key's value
    const Figures f = health.figures();
    EXPECT_EQ(
        f.remote_commands[std::size_t(CommandName::SendNow)][std::size_t(CommandResult::Done)], 1u);
    EXPECT_EQ(
        f.remote_commands[std::size_t(CommandName::Reboot)][std::size_t(CommandResult::Refused)],
        1u);
}

// A listener that takes connections and never answers them.
struct SilentListener {
    int fd = -1, port = 0;
    std::vector<int> taken;
    SilentListener() {
        const auto listener = testsupport::listen_on_loopback(4);
        fd = listener.fd;
        port = listener.port;
    }
    ~SilentListener() {
        for (int c : taken) ::close(c);
        ::close(fd);
    }
    SilentListener(const SilentListener&) = delete;
    SilentListener& operator=(const SilentListener&) = delete;
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port) + "/"; }
    bool take_one() {  // a connection came: kept open, unanswered
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 0) <= 0) return false;
        const int c = ::accept4(fd, nullptr, nullptr, SOCK_CLOEXEC);
        if (c >= 0) taken.push_back(c);
        return c >= 0;
    }
};

Config monitored_config(const std::string& dir, const std::string& register_url,
                        const OperatorKey& key) {
    Config cfg;
    cfg.kiosk_id = kKiosk;
    cfg.state_dir = dir;
    cfg.register_url = register_url;
    cfg.api_key = "k";
    cfg.heartbeat_interval_s = 1;
    cfg.management_listen.clear();
    cfg.operator_keys = {key};
    return cfg;
}

// Stopping the kiosk does not wait for a register that never answers a diagnostic upload:
// the monitor's stop request ends it within about a second.
TEST_F(Remote, StoppingTheKioskCutsADiagnosticUploadShort) {
    AnsweringRegister reg;
    SilentListener silent;
    const Config cfg = monitored_config(dir, reg.url(), op.public_key);
    Config slow = cfg;  // the upload goes where no answer ever comes
    slow.register_url = silent.url();
    slow.connect_timeout_s = 120;
    slow.total_timeout_s = 120;
    Health health(kKiosk, "1", WallClock::now());
    printer::PaperCounter paper(dir + "/paper", 100, 10);
    std::atomic<bool> returned{false};
    actions.remote.diagnostic_bundle = [&](const std::string& id, std::stop_token stop) {
        const ActionResult r = send_diagnostic_bundle(slow, health, id, stop);
        returned = true;
        return r;
    };
    reg.answer(json{{"kiosk_id", kKiosk},
                    {"commands", {op.sign(payload("d-1", "diagnostic_bundle", WallClock::now()))}}}
                   .dump());
    CommandLedger ledger(dir);
    auto monitor = std::make_unique<Monitor>(cfg, health, paper, &actions.remote, &ledger);
    ASSERT_TRUE(testsupport::eventually([&] { return silent.take_one(); }, 20s));
    const auto stopping = std::chrono::steady_clock::now();
    monitor.reset();
    EXPECT_LT(std::chrono::steady_clock::now() - stopping, 3s);
    EXPECT_TRUE(returned.load());
    const auto d = ledger.find("d-1");
    ASSERT_TRUE(d);
    EXPECT_EQ(d->result, CommandResult::Failed);
    EXPECT_EQ(d->reason, "upload: cancelled");
}

// One answer's slow commands do not hold the metrics push back: a push due goes between them.
TEST_F(Remote, TheMonitorPushesMetricsBetweenAnAnswersCommands) {
    AnsweringRegister reg, gateway;
    Config cfg = monitored_config(dir, reg.url(), op.public_key);
    cfg.push_url = gateway.url();
    cfg.push_interval_s = 300;
    Health health(kKiosk, "1", WallClock::now());
    printer::PaperCounter paper(dir + "/paper", 100, 10);
    const auto pushes = [&] {
        const auto seen = gateway.seen();
        return std::count_if(seen.begin(), seen.end(), [](const auto& s) {
            return s.first == "/metrics/job/kiosk/kiosk/" + kKiosk;
        });
    };
    std::atomic<long> pushed_before_second{-1};
    actions.during = [&](const std::string& name) {
        if (name == "refresh_catalog") pushed_before_second = pushes();
    };
    const auto now = WallClock::now();
    reg.answer(json{{"kiosk_id", kKiosk},
                    {"commands",
                     {op.sign(payload("s-1", "send_now", now)),
                      op.sign(payload("c-1", "refresh_catalog", now))}}}
                   .dump());
    CommandLedger ledger(dir);
    {
        Monitor monitor(cfg, health, paper, &actions.remote, &ledger);
        ASSERT_TRUE(testsupport::eventually([&] { return pushed_before_second >= 0; }, 20s));
    }
    // The first push was due at start; the heartbeat that handed the commands came first.
    EXPECT_EQ(pushed_before_second.load(), 1);
    EXPECT_EQ(actions.calls["send_now"], 1);
}

// Section: end to end through the development register

// Operators queue signed commands with kiosk-command on the register's admin endpoint; the
// kiosk's monitor takes them from its heartbeat answers, runs each once (a restart before its
// result got out included) and reports; the register shows the results.
TEST_F(Remote, CommandsGoEndToEndThroughTheDevelopmentRegister) {
    const std::string tool = KIOSK_COMMAND, key = dir + "/operator.key";
    ASSERT_EQ(testsupport::run({tool, "keygen", "--out", key}, dir + "/keygen.txt", 30s), 0);
    const std::string tool_key = testsupport::read_text(dir + "/keygen.txt").substr(0, 44);
    const std::string keys_file = dir + "/operator-keys";
    std::ofstream(keys_file) << tool_key << "\n" << base64(op.public_key.data(), 32) << "\n";
    const DevRegisterOptions options{.admin = true, .operator_keys = keys_file};
    DevRegister reg(options);
    Config cfg = testsupport::config_for(reg, dir + "/spool");
    cfg.state_dir = dir + "/state";
    cfg.heartbeat_interval_s = 1;
    cfg.management_listen.clear();
    cfg.operator_keys = {*parse_operator_key(tool_key), op.public_key};
    const auto queue = [&](const std::string& sign_args) {
        const std::string out = dir + "/queue.txt";
        std::filesystem::remove(out);
        const int code = testsupport::run(
            {"/bin/sh", "-c",
             tool + " sign --key " + key + " --kiosk " + cfg.kiosk_id + " " + sign_args + " | " +
                 tool + " queue --admin " + reg.admin_url() + " --kiosk " + cfg.kiosk_id},
            out, 30s);
        EXPECT_EQ(code, 0) << testsupport::read_text(out);
    };
    queue("--name send_now --id s-1");
    queue(
        "--name out_of_service --id o-1 --message-kk 'Жұмыс істемейді' --message-ru "
        "'Не работает' --message-en 'Out of service'");
    json unknown = payload("u-1", "send_now", WallClock::now());  // the register lets names by
    unknown["kiosk"] = cfg.kiosk_id;
    unknown["name"] = "format_disk";
    std::ofstream(dir + "/unknown.json") << json(op.sign(unknown)).dump();
    ASSERT_EQ(testsupport::run({"/bin/sh", "-c",
                                tool + " queue --admin " + reg.admin_url() + " --kiosk " +
                                    cfg.kiosk_id + " < " + dir + "/unknown.json"},
                               dir + "/queue-unknown.txt", 30s),
              0)
        << testsupport::read_text(dir + "/queue-unknown.txt");
    queue("--name restart --id r-1");

    // The restart: the kiosk goes before its result reached the register.
    std::atomic<bool> restarted{false};
    actions.remote.restart = [&] {
        ++actions.calls["restart"];
        reg.stop();
        restarted = true;
        return ActionResult::ok();
    };
    Health health(cfg.kiosk_id, "1", WallClock::now());
    printer::PaperCounter paper(dir + "/paper", 100, 10);
    {
        CommandLedger ledger(cfg.state_dir);
        Monitor monitor(cfg, health, paper, &actions.remote, &ledger);
        ASSERT_TRUE(testsupport::eventually([&] { return restarted.load(); }, 30s)) << reg.log();
    }
    reg.restart(options);
    const auto states = [&] {
        const auto a = testsupport::http_request(reg.admin_url() + "/admin/kiosks/" + cfg.kiosk_id +
                                                 "/commands");
        std::map<std::string, json> by_id;
        if (a.status == 200)
            for (const json& c : json::parse(a.body)) by_id[c["id"]] = c;
        return by_id;
    };
    CommandLedger ledger(cfg.state_dir);  // the application started again
    {
        Monitor monitor(cfg, health, paper, &actions.remote, &ledger);
        ASSERT_TRUE(testsupport::eventually(
            [&] {
                const auto s = states();
                return s.size() == 4 && std::all_of(s.begin(), s.end(), [](const auto& c) {
                           return c.second["state"] != "queued" && c.second["state"] != "handed";
                       });
            },
            30s))
            << states().size() << reg.log();
    }
    const auto s = states();
    EXPECT_EQ(s.at("s-1")["state"], "done");
    EXPECT_EQ(s.at("o-1")["state"], "done");
    EXPECT_EQ(s.at("r-1")["state"], "done");
    EXPECT_EQ(s.at("u-1")["state"], "refused");
    EXPECT_EQ(s.at("u-1")["reason"], "name: unknown command");
    EXPECT_EQ(actions.calls["send_now"], 1);
    EXPECT_EQ(actions.calls["restart"], 1);
    EXPECT_TRUE(ledger.out_of_service_now());
    EXPECT_EQ(ledger.out_of_service()->ru, "Не работает");
}

}  // namespace
}  // namespace kiosk
