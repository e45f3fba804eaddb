// The remote command `update` (issue 17): its bundle's every field checked and named in the
// refusal, kiosk-command signing one the kiosk accepts, the ledger handing the order to the
// action, and fetch_update downloading the bundle over mutual TLS from a server on loopback:
// a good bundle handed to the installer byte for byte, a wrong SHA-256, an answer longer than
// announced, an error answer and a stop request mid-download, none leaving a file behind.
#include "operator_keys.h"
#include "kiosk/remote_command.h"

#include "process.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <sodium.h>

#include <atomic>
#include <cstring>
#include <fstream>
#include <random>
#include <thread>

namespace kiosk {
namespace {

using namespace std::chrono_literals;
using json = nlohmann::json;
namespace fs = std::filesystem;

const WallClock::time_point kNow = WallClock::from_time_t(1796292000);  // 2026-12-03T10:00:00Z
const std::string kKiosk = "KSK-T-01";
const std::string kSha = std::string(64, 'a');

// Section: operators and their commands

using testsupport::base64;
using testsupport::Operator;

json update_payload(const std::string& id, const json& bundle) {
    json p = testsupport::command_payload(kKiosk, id, "update", kNow);
    p["bundle"] = bundle;
    return p;
}

json good_bundle() {
    return {{"url", "https://updates.example.kz/kiosk-0.2.0.raucb"},
            {"sha256", kSha},
            {"size", 524288000}};
}

// Section: a bundle server on loopback

std::string sha256_hex(const std::string& bytes) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_Digest(bytes.data(), bytes.size(), digest, &n, EVP_sha256(), nullptr);
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < n; ++i) {
        out += hex[digest[i] >> 4];
        out += hex[digest[i] & 15];
    }
    return out;
}

std::string random_bytes(std::size_t n) {
    std::mt19937 rng(17);
    std::string out(n, '\0');
    for (char& c : out) c = static_cast<char>(rng());
    return out;
}

// make-dev-certs' PKI (ca, server for 127.0.0.1, client CN=kiosk-dev-01), made once.
struct Pki {
    std::string dir = testsupport::make_temp_dir("kiosk-update-pki");
    Pki() {
        const std::string log = dir + "/make.log";
        if (testsupport::run({"/bin/bash", MAKE_DEV_CERTS, dir}, log, 60s) != 0)
            throw std::runtime_error("make-dev-certs: " + testsupport::read_text(log));
    }
    ~Pki() { fs::remove_all(dir); }
    std::string operator()(const std::string& name) const { return dir + "/" + name; }
};

const Pki& pki() {
    static const Pki p;
    return p;
}

// Serves the bundle over TLS to clients with a certificate from the dev CA, as a register or
// an update server would: /bundle.raucb whole, /longer.raucb (announced longer),
// /chunked.raucb (no length, longer), /slow.raucb (its first 64 KiB, then nothing until the
// client goes), /missing.raucb (404).
class BundleServer {
public:
    explicit BundleServer(std::string bundle)
        : bundle_(std::move(bundle)),
          server_(pki()("server.crt").c_str(), pki()("server.key").c_str(),
                  pki()("ca.crt").c_str()) {
        server_.Get("/bundle.raucb", [this](const httplib::Request&, httplib::Response& rs) {
            rs.set_content(bundle_, "application/octet-stream");
        });
        server_.Get("/longer.raucb", [this](const httplib::Request&, httplib::Response& rs) {
            rs.set_content(bundle_ + "more", "application/octet-stream");
        });
        server_.Get("/chunked.raucb", [this](const httplib::Request&, httplib::Response& rs) {
            rs.set_chunked_content_provider(
                "application/octet-stream", [this](std::size_t offset, httplib::DataSink& sink) {
                    if (offset > bundle_.size()) {
                        sink.done();
                        return true;
                    }
                    return sink.write(bundle_.data(), bundle_.size()) && sink.write("x", 1);
                });
        });
        server_.Get("/slow.raucb", [this](const httplib::Request&, httplib::Response& rs) {
            rs.set_content_provider(
                bundle_.size(), "application/octet-stream",
                [this](std::size_t offset, std::size_t, httplib::DataSink& sink) {
                    if (offset == 0) return sink.write(bundle_.data(), 64 * 1024);
                    while (!released_ && sink.is_writable()) std::this_thread::sleep_for(10ms);
                    return false;  // the client went, or the test ends: the answer stays cut
                });
        });
        port_ = server_.bind_to_any_port("127.0.0.1");
        if (port_ <= 0) throw std::runtime_error("bundle server: cannot bind");
        thread_ = std::thread([this] { server_.listen_after_bind(); });
    }
    ~BundleServer() {
        released_ = true;
        testsupport::eventually([this] { return server_.is_running(); }, 5s);
        server_.stop();
        thread_.join();
    }
    std::string url(const std::string& file) const {
        return "https://127.0.0.1:" + std::to_string(port_) + "/" + file;
    }

private:
    std::string bundle_;
    httplib::SSLServer server_;
    int port_ = 0;
    std::atomic<bool> released_{false};
    std::thread thread_;
};

class Update : public ::testing::Test {
protected:
    void SetUp() override {
        dir = testsupport::make_temp_dir("kiosk-update");
        cfg.kiosk_id = kKiosk;
        cfg.state_dir = dir + "/state";
        cfg.register_ca = pki()("ca.crt");
        cfg.client_cert = pki()("client.crt");
        cfg.client_key = pki()("client.key");
        cfg.connect_timeout_s = 5;
    }
    void TearDown() override { fs::remove_all(dir); }

    std::string refusal(const json& bundle) const {
        const CheckedCommand c =
            check_command(op.sign(update_payload("u-1", bundle)), {kKiosk, {op.public_key}}, kNow);
        return c.command ? "(accepted)" : c.reason;
    }
    // fetch_update with an installer that records what it was given.
    ActionResult fetch(const BundleOrder& order, std::stop_token stop = {}) {
        return fetch_update(cfg, order, stop, [this](const fs::path& file) {
            installed.push_back(file);
            installed_bytes = testsupport::read_text(file.string());
            return install_answer;
        });
    }
    // Nothing of the download is left in the state folder.
    bool nothing_left() const {
        const fs::path update = fs::path(cfg.state_dir) / "update";
        return !fs::exists(update) || fs::is_empty(update);
    }

    std::string dir;
    Config cfg;
    Operator op;
    std::vector<fs::path> installed;
    std::string installed_bytes;
    std::string install_answer;
    const std::string bundle = random_bytes(3 << 20);
};

// Section: checking the command

TEST_F(Update, TheBundleIsCheckedFieldByFieldAndNamedInTheRefusal) {
    EXPECT_EQ(refusal(good_bundle()), "(accepted)");
    const CheckedCommand ok = check_command(op.sign(update_payload("u-1", good_bundle())),
                                            {kKiosk, {op.public_key}}, kNow);
    ASSERT_TRUE(ok.command);
    EXPECT_EQ(ok.command->name, CommandName::Update);
    EXPECT_EQ(ok.command->bundle,
              (BundleOrder{"https://updates.example.kz/kiosk-0.2.0.raucb", kSha, 524288000}));

    const auto with = [](const std::string& key, const json& value) {
        json b = good_bundle();
        if (value.is_null())
            b.erase(key);
        else
            b[key] = value;
        return b;
    };
    EXPECT_EQ(refusal(json()), "bundle: must be an object with url, sha256 and size");
    EXPECT_EQ(refusal("https://x/"), "bundle: must be an object with url, sha256 and size");
    EXPECT_EQ(refusal(with("version", "0.2.0")), "bundle: a field the contract does not have");
    // url
    EXPECT_EQ(refusal(with("url", nullptr)), "bundle.url: missing or not a string");
    EXPECT_EQ(refusal(with("url", 7)), "bundle.url: missing or not a string");
    EXPECT_EQ(refusal(with("url", "")), "bundle.url: must be 1..512 characters");
    EXPECT_EQ(refusal(with("url", "https://u.example.kz/" + std::string(492, 'a'))),
              "bundle.url: must be 1..512 characters");
    EXPECT_EQ(refusal(with("url", "https://u.example.kz/" + std::string(491, 'a'))), "(accepted)");
    EXPECT_EQ(refusal(with("url", "https://u.example.kz/a b")),
              "bundle.url: must be printable ASCII without spaces");
    EXPECT_EQ(refusal(with("url", "https://u.example.kz/\xD0\xB0")),
              "bundle.url: must be printable ASCII without spaces");
    for (const char* url :
         {"http://updates.example.kz/b.raucb", "ftp://127.0.0.1/b.raucb", "file:///tmp/b.raucb",
          "http://127.0.0.1.evil.example/b.raucb", "updates.example.kz/b.raucb"})
        EXPECT_EQ(refusal(with("url", url)),
                  "bundle.url: must be https (plain http only to loopback)")
            << url;
    EXPECT_EQ(refusal(with("url", "http://127.0.0.1:8080/b.raucb")), "(accepted)");
    // sha256
    EXPECT_EQ(refusal(with("sha256", nullptr)), "bundle.sha256: missing or not a string");
    for (const std::string& sha : {std::string(63, 'a'), std::string(65, 'a'), std::string(64, 'A'),
                                   std::string(63, 'a') + "g"})
        EXPECT_EQ(refusal(with("sha256", sha)), "bundle.sha256: must be 64 lowercase hex digits");
    // size
    EXPECT_EQ(refusal(with("size", nullptr)), "bundle.size: missing");
    EXPECT_EQ(refusal(with("size", "100")), "bundle.size: must be a whole number of bytes");
    EXPECT_EQ(refusal(with("size", 100.0)), "bundle.size: must be a whole number of bytes");
    for (const json& size : {json(0), json(-1), json(4294967297ULL)})
        EXPECT_EQ(refusal(with("size", size)), "bundle.size: must be 1..4294967296 bytes") << size;
    EXPECT_EQ(refusal(with("size", 4294967296ULL)), "(accepted)");
    // Only update has a bundle, and update always has one.
    json restart = update_payload("r-1", good_bundle());
    restart["name"] = "restart";
    EXPECT_EQ(check_command(op.sign(restart), {kKiosk, {op.public_key}}, kNow).reason,
              "bundle: only update has one");
    json bare = update_payload("u-2", good_bundle());
    bare.erase("bundle");
    EXPECT_EQ(check_command(op.sign(bare), {kKiosk, {op.public_key}}, kNow).reason,
              "bundle: update needs one with url, sha256 and size");
}

TEST_F(Update, TheLedgerHandsTheOrderToTheActionOnce) {
    CommandLedger ledger(cfg.state_dir);
    RemoteActions actions;
    std::vector<BundleOrder> orders;
    actions.update = [&](const BundleOrder& order, std::stop_token) {
        orders.push_back(order);
        return ActionResult::ok("accepted: installs when no citizen is at the kiosk");
    };
    const auto command = op.sign(update_payload("u-1", good_bundle()));
    const CommandCheck check{kKiosk, {op.public_key}};
    for (int i = 0; i < 2; ++i) ledger.take({&command, 1}, check, &actions, kNow);
    ASSERT_EQ(orders.size(), 1u);
    EXPECT_EQ(orders[0].size, 524288000u);
    const auto e = ledger.find("u-1");
    ASSERT_TRUE(e);
    EXPECT_EQ(e->name, CommandName::Update);
    EXPECT_EQ(e->result, CommandResult::Done);
    EXPECT_EQ(e->reason, "accepted: installs when no citizen is at the kiosk");

    RemoteActions none;  // a kiosk whose application wires no updater
    const auto other = op.sign(update_payload("u-2", good_bundle()));
    const auto r = ledger.take({&other, 1}, check, &none, kNow);
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].result, CommandResult::Refused);
    EXPECT_EQ(r[0].reason, "name: not supported here");
}

// Section: end to end

// The operator's tool signs an update the kiosk accepts; the kiosk downloads the bundle over
// mutual TLS and hands the installer a file identical to the one served.
TEST_F(Update, ASignedUpdateIsDownloadedCheckedAndHandedToTheInstaller) {
    BundleServer server(bundle);
    const std::string tool = KIOSK_COMMAND, key = dir + "/operator.key";
    ASSERT_EQ(testsupport::run({tool, "keygen", "--out", key}, dir + "/keygen.txt", 30s), 0);
    const auto operator_key =
        parse_operator_key(testsupport::read_text(dir + "/keygen.txt").substr(0, 44));
    ASSERT_TRUE(operator_key);
    const auto sign = [&](std::vector<std::string> args) {
        std::vector<std::string> argv = {tool, "sign", "--key", key, "--kiosk", kKiosk};
        argv.insert(argv.end(), args.begin(), args.end());
        return testsupport::run(argv, dir + "/signed.txt", 30s);
    };
    const std::string size = std::to_string(bundle.size());
    ASSERT_EQ(sign({"--name", "update", "--id", "upd-1", "--bundle-url", server.url("bundle.raucb"),
                    "--bundle-sha256", sha256_hex(bundle), "--bundle-size", size}),
              0)
        << testsupport::read_text(dir + "/signed.txt");
    const json line = json::parse(testsupport::read_text(dir + "/signed.txt"));
    const CheckedCommand c = check_command({line["payload"], line["signature"]},
                                           {kKiosk, {*operator_key}}, WallClock::now());
    ASSERT_TRUE(c.command) << c.reason;
    EXPECT_EQ(c.command->bundle.size, bundle.size());

    const ActionResult r = fetch(c.command->bundle);
    EXPECT_TRUE(r.done) << r.reason;
    EXPECT_EQ(r.reason, "accepted: installs when no citizen is at the kiosk");
    ASSERT_EQ(installed.size(), 1u);
    EXPECT_EQ(installed[0], fs::path(cfg.state_dir) / "update" / "bundle.raucb");
    EXPECT_EQ(installed[0], update_bundle_file(cfg));
    EXPECT_TRUE(installed_bytes == bundle);
    EXPECT_FALSE(fs::exists(installed[0].string() + ".part"));
    EXPECT_EQ(fs::status(installed[0]).permissions() & fs::perms::all,
              fs::perms::owner_read | fs::perms::owner_write);

    // An installer that refuses: its reason, and the bundle stays for an install waiting.
    install_answer = "an update is already under way (waiting)";
    const ActionResult refused = fetch(c.command->bundle);
    EXPECT_FALSE(refused.done);
    EXPECT_EQ(refused.reason, "install: an update is already under way (waiting)");

    // The tool refuses what the kiosk would refuse.
    const std::string sha = sha256_hex(bundle), url = server.url("bundle.raucb");
    EXPECT_EQ(sign({"--name", "update", "--bundle-url", url, "--bundle-sha256", sha}), 2);
    EXPECT_EQ(sign({"--name", "update", "--bundle-url", url, "--bundle-sha256", "ABC",
                    "--bundle-size", size}),
              2);
    EXPECT_EQ(sign({"--name", "update", "--bundle-url", "http://updates.example.kz/b.raucb",
                    "--bundle-sha256", sha, "--bundle-size", size}),
              2);
    EXPECT_EQ(sign({"--name", "update", "--bundle-url", url, "--bundle-sha256", sha,
                    "--bundle-size", "4294967297"}),
              2);
    EXPECT_EQ(sign({"--name", "update", "--bundle-url", url, "--bundle-sha256", sha,
                    "--bundle-size", "-1"}),
              2);
    EXPECT_EQ(sign({"--name", "restart", "--bundle-url", url}), 2);
}

TEST_F(Update, AWrongSha256IsRefusedAndNothingIsLeft) {
    BundleServer server(bundle);
    std::string wrong = sha256_hex(bundle);
    wrong[0] = wrong[0] == '0' ? '1' : '0';
    const ActionResult r = fetch({server.url("bundle.raucb"), wrong, bundle.size()});
    EXPECT_FALSE(r.done);
    EXPECT_EQ(r.reason, "sha256: the download does not match the command's");
    EXPECT_TRUE(installed.empty());
    EXPECT_TRUE(nothing_left());
}

TEST_F(Update, AnAnswerLongerOrShorterThanAnnouncedIsRefused) {
    BundleServer server(bundle);
    const std::string sha = sha256_hex(bundle);
    const std::string cut_off =
        "download: larger than the " + std::to_string(bundle.size()) + " bytes announced; cut off";
    // Said longer (refused before a byte is taken), and longer without saying (cut off).
    for (const char* file : {"longer.raucb", "chunked.raucb"}) {
        const ActionResult r = fetch({server.url(file), sha, bundle.size()});
        EXPECT_FALSE(r.done) << file;
        EXPECT_EQ(r.reason, cut_off) << file;
        EXPECT_TRUE(nothing_left()) << file;
    }
    // Announced longer than served: the sizes differ.
    const ActionResult shorter = fetch({server.url("bundle.raucb"), sha, bundle.size() + 1});
    EXPECT_FALSE(shorter.done);
    EXPECT_EQ(shorter.reason, "size: " + std::to_string(bundle.size()) + " bytes, not the " +
                                  std::to_string(bundle.size() + 1) + " announced");
    const ActionResult missing = fetch({server.url("missing.raucb"), sha, bundle.size()});
    EXPECT_FALSE(missing.done);
    EXPECT_EQ(missing.reason, "download: HTTP 404");
    EXPECT_TRUE(installed.empty());
    EXPECT_TRUE(nothing_left());
}

TEST_F(Update, AServerFromAnotherCaOrWithoutTheKiosksCertificateGetsNothing) {
    BundleServer server(bundle);
    Config no_cert = cfg;
    no_cert.client_cert.clear();
    no_cert.client_key.clear();
    const ActionResult r =
        fetch_update(no_cert, {server.url("bundle.raucb"), sha256_hex(bundle), bundle.size()}, {},
                     [](const fs::path&) { return std::string(); });
    EXPECT_FALSE(r.done);
    EXPECT_EQ(r.reason.rfind("download: ", 0), 0u) << r.reason;
    Config other_ca = cfg;
    other_ca.register_ca = pki()("rogue-ca.crt");
    const ActionResult rogue =
        fetch_update(other_ca, {server.url("bundle.raucb"), sha256_hex(bundle), bundle.size()}, {},
                     [](const fs::path&) { return std::string(); });
    EXPECT_FALSE(rogue.done);
    EXPECT_EQ(rogue.reason.rfind("download: TLS: the server's certificate was refused", 0), 0u)
        << rogue.reason;
    EXPECT_TRUE(nothing_left());
}

// The kiosk stopping does not wait for a bundle half way down: the stop request ends it.
TEST_F(Update, AStopRequestEndsTheDownloadWithinAboutASecond) {
    BundleServer server(bundle);
    std::stop_source stop;
    std::atomic<bool> returned{false};
    ActionResult r;
    std::thread action([&] {
        r = fetch({server.url("slow.raucb"), sha256_hex(bundle), bundle.size()}, stop.get_token());
        returned = true;
    });
    const fs::path part = update_bundle_file(cfg).string() + ".part";
    const bool started = testsupport::eventually(
        [&] {
            std::error_code ec;
            return fs::file_size(part, ec) >= 64 * 1024 && !ec;
        },
        20s);
    const auto stopping = std::chrono::steady_clock::now();
    stop.request_stop();
    const bool ended = testsupport::eventually([&] { return returned.load(); }, 10s);
    const auto took = std::chrono::steady_clock::now() - stopping;
    action.join();
    ASSERT_TRUE(started);
    ASSERT_TRUE(ended);
    EXPECT_LT(took, 3s);
    EXPECT_FALSE(r.done);
    EXPECT_EQ(r.reason, "download: cancelled");
    EXPECT_TRUE(installed.empty());
    EXPECT_TRUE(nothing_left());
}

}  // namespace
}  // namespace kiosk
