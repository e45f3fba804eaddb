#include "dev_register.h"

#include "process.h"

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

}  // namespace

// Section: lifetime

DevRegister::DevRegister(DevRegisterOptions options) : dir_(make_temp_dir("dev-register")) {
    try {
        make_dev_certs(dir_);
        start(options);
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

void DevRegister::start(const DevRegisterOptions& options) {
    const std::string certs = dir_ + "/certs/";
    const std::string server = certs + (options.rogue_certificate ? "rogue-server" : "server");
    const std::string port_file = dir_ + "/register.port";
    std::vector<std::string> args = {
        KIOSK_REGISTER_BIN, "--listen", "127.0.0.1:0", "--cert", server + ".crt",
        "--key", server + ".key", "--db", db_path(), "--catalog", catalog_path(),
        "--api-key", kApiKey, "--port-file", port_file};
    if (options.require_client_cert) args.insert(args.end(), {"--client-ca", ca_file()});
    pid_ = spawn(args, dir_ + "/register.log");

    // The port file appears, complete, once the register is listening.
    const auto deadline = Clock::now() + kStartTimeout;
    while (Clock::now() < deadline) {
        if (wait_for_exit(pid_, Clock::duration::zero())) {
            pid_ = -1;
            throw std::runtime_error("DevRegister: kiosk-register exited during start-up:\n" +
                                     log());
        }
        std::ifstream in(port_file);
        if (in >> port_ && port_ > 0) return;
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
std::string DevRegister::db_path() const { return dir_ + "/register.sqlite"; }
std::string DevRegister::api_key() const { return kApiKey; }
std::string DevRegister::catalog_path() const { return KIOSK_REGISTER_CATALOG; }
std::string DevRegister::log() const { return read_text(dir_ + "/register.log"); }
