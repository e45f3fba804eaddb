#include "dev_register.h"

#include "process.h"

#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>
#include <vector>

namespace {

using namespace testsupport;

using Clock = std::chrono::steady_clock;

constexpr auto kStartTimeout = std::chrono::seconds(10);
constexpr auto kStopTimeout = std::chrono::seconds(5);
constexpr auto kPollInterval = std::chrono::milliseconds(20);
constexpr const char* kApiKey = "dev-kiosk-key";

// Section: certificates

void make_dev_certs(const std::string& dir) {
    const std::string output = dir + "/make-dev-certs.log";
    if (run({"/bin/bash", MAKE_DEV_CERTS, dir + "/certs"}, output, kStartTimeout) != 0)
        throw std::runtime_error("DevRegister: make-dev-certs failed:\n" + read_text(output));
}

// The name make-dev-certs gives the server identity the register is to present.
std::string server_identity(const DevRegisterOptions& options) {
    using Certificate = DevRegisterOptions::Certificate;
    if (options.rogue_certificate) return "rogue-server";
    switch (options.certificate) {
    case Certificate::OtherCa: return "rogue-server";
    case Certificate::Expired: return "expired-server";
    case Certificate::WrongHost: return "wronghost-server";
    case Certificate::Good: break;
    }
    return "server";
}

}  // namespace

// Section: lifetime

DevRegister::DevRegister(DevRegisterOptions options) : dir_(make_temp_dir("dev-register")) {
    try {
        make_dev_certs(dir_);
        start(options, 0);
    } catch (...) {
        stop();
        std::filesystem::remove_all(dir_);
        throw;
    }
}

DevRegister::~DevRegister() {
    stop();
    std::error_code ignored;  // a leftover temp dir must not fail the test
    std::filesystem::remove_all(dir_, ignored);
}

void DevRegister::restart(const DevRegisterOptions& options) {
    stop();
    start(options, port_);
}

// Port 0: any free one.
void DevRegister::start(const DevRegisterOptions& options, int port) {
    profile_ = options.profile;
    jurisdiction_ = options.jurisdiction.empty() ? DevRegisterOptions::kDefaultJurisdiction
                                                 : options.jurisdiction;
    const std::string server = dir_ + "/certs/" + server_identity(options);
    const std::string port_file = dir_ + "/register.port";
    std::filesystem::remove(port_file);  // one left by a killed register is not this one's
    std::vector<std::string> args = {KIOSK_REGISTER_BIN,
                                     "--listen",
                                     "127.0.0.1:" + std::to_string(port),
                                     "--cert",
                                     server + ".crt",
                                     "--key",
                                     server + ".key",
                                     "--db",
                                     db_path(),
                                     "--catalog",
                                     catalog_path(),
                                     "--definitions",
                                     definitions_path(),
                                     "--profile",
                                     profile_,
                                     "--jurisdiction",
                                     jurisdiction_,
                                     "--api-key",
                                     kApiKey,
                                     "--port-file",
                                     port_file};
    if (options.require_client_cert) args.insert(args.end(), {"--client-ca", ca_file()});
    for (const auto& fault : options.faults) args.insert(args.end(), {"--fault", fault});
    if (options.allow_fault_header) args.push_back("--allow-fault-header");
    if (!options.formats.empty()) args.insert(args.end(), {"--formats", options.formats});
    if (options.token_polls)
        args.insert(args.end(), {"--token-polls", std::to_string(*options.token_polls)});
    const std::string admin_port_file = dir_ + "/admin.port";
    if (options.admin) {
        std::filesystem::remove(admin_port_file);
        args.insert(args.end(), {"--admin-listen", "127.0.0.1:" + std::to_string(admin_port_),
                                 "--admin-port-file", admin_port_file});
    }
    if (!options.operator_keys.empty())
        args.insert(args.end(), {"--operator-keys", options.operator_keys});
    pid_ = spawn(args, log_path());

    // The port file appears, complete, once the register is listening.
    const auto deadline = Clock::now() + kStartTimeout;
    while (Clock::now() < deadline) {
        if (wait_for_exit(pid_, Clock::duration::zero())) {
            pid_ = -1;
            throw std::runtime_error("DevRegister: kiosk-register exited during start-up:\n" +
                                     log());
        }
        std::ifstream in(port_file);
        // The register writes the admin port first, so it is there once the port is.
        if (in >> port_ && port_ > 0) {
            std::ifstream admin(admin_port_file);
            if (options.admin && !(admin >> admin_port_))
                throw std::runtime_error("DevRegister: no admin port in " + admin_port_file);
            return;
        }
        std::this_thread::sleep_for(kPollInterval);
    }
    throw std::runtime_error("DevRegister: kiosk-register did not start within 10 s:\n" + log());
}

void DevRegister::stop() noexcept {
    testsupport::stop(pid_, kStopTimeout);
    pid_ = -1;
}

// Section: accessors

std::string DevRegister::url() const { return "https://127.0.0.1:" + std::to_string(port_) + "/"; }
std::string DevRegister::ca_file() const { return dir_ + "/certs/ca.crt"; }
std::string DevRegister::client_cert() const { return dir_ + "/certs/client.crt"; }
std::string DevRegister::client_key() const { return dir_ + "/certs/client.key"; }
std::string DevRegister::other_client_cert() const { return dir_ + "/certs/other-client.crt"; }
std::string DevRegister::other_client_key() const { return dir_ + "/certs/other-client.key"; }
std::string DevRegister::admin_url() const {
    return "http://127.0.0.1:" + std::to_string(admin_port_);
}
std::string DevRegister::db_path() const { return dir_ + "/register.sqlite"; }
std::string DevRegister::api_key() const { return kApiKey; }
std::string DevRegister::catalog_path() const {
    return std::string(KIOSK_REGISTER_ASSETS) +
           (profile_ == "kiosk" ? "/services.json" : "/services-" + profile_ + ".json");
}
std::string DevRegister::definitions_path() const {
    return std::string(KIOSK_REGISTER_ASSETS) +
           (profile_ == "kiosk" ? "/definitions.json" : "/definitions-" + profile_ + ".json");
}
std::string DevRegister::jurisdiction() const { return jurisdiction_; }
std::string DevRegister::profile() const { return profile_; }
std::string DevRegister::log_path() const { return dir_ + "/register.log"; }
std::string DevRegister::log() const { return read_text(log_path()); }

// Section: the database

std::vector<std::vector<std::string>> DevRegister::query(
    const std::string& sql, const std::vector<std::string>& params) const {
    sqlite3* db = nullptr;
    sqlite3_stmt* stmt = nullptr;
    const auto fail = [&](const std::string& what) {
        const std::string message =
            "DevRegister::query: " + what + ": " + sqlite3_errmsg(db) + " in " + sql;
        sqlite3_finalize(stmt);
        sqlite3_close(db);
        throw std::runtime_error(message);
    };
    if (sqlite3_open_v2(db_path().c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK)
        fail("open");
    sqlite3_busy_timeout(db, 5000);
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) fail("prepare");
    for (std::size_t i = 0; i < params.size(); ++i)
        sqlite3_bind_text(stmt, static_cast<int>(i + 1), params[i].c_str(), -1, SQLITE_TRANSIENT);
    std::vector<std::vector<std::string>> rows;
    int rc = SQLITE_ROW;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        auto& row = rows.emplace_back();
        for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
            const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, i));
            row.emplace_back(text ? text : "<null>");
        }
    }
    if (rc != SQLITE_DONE) fail("step");
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return rows;
}

int DevRegister::rows(const std::string& table) const {
    return std::stoi(query("SELECT COUNT(*) FROM " + table).at(0).at(0));
}
