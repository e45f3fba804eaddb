#pragma once
// A development register (kiosk-register) serving on 127.0.0.1 for the lifetime of a test,
// with fresh certificates, database and log in a temporary directory of its own.

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

struct DevRegisterOptions {
    // The server certificate the register presents; only Good passes a kiosk's checks.
    enum class Certificate {
        Good,       // from the dev CA, for 127.0.0.1 and localhost
        OtherCa,    // from a CA nobody trusts
        Expired,    // from the dev CA, expired in 2020
        WrongHost,  // from the dev CA, for register.example.kz only
    };

    bool rogue_certificate = false;    // same as certificate = OtherCa
    bool require_client_cert = false;  // mutual TLS: clients must present client_cert()
    Certificate certificate = Certificate::Good;
    std::vector<std::string> faults;  // each passed as --fault SPEC (see register/faults.h)
    bool allow_fault_header = false;  // honour X-Register-Fault: SPEC on requests
    // --profile (register/profile.h), with the profile's catalog and definitions from
    // assets/register: "kiosk" (this project's register, services.json) or "stock" (a plain
    // GeoReport v2 server: XML only, jurisdiction_id required, Idempotency-Key ignored,
    // numeric codes, batch, blackbox and id+token services; services-stock.json).
    std::string profile = "kiosk";
    std::string jurisdiction;        // --jurisdiction; empty: the register's, kDefaultJurisdiction
    std::string formats;             // --formats json,xml|json|xml; empty: the profile's
    std::optional<int> token_polls;  // --token-polls; none: the register's (1)
    // The admin endpoint (--admin-listen on 127.0.0.1, plain HTTP): queue commands, see them.
    bool admin = false;
    std::string operator_keys;  // --operator-keys FILE (with admin); empty: none

    static constexpr const char* kDefaultJurisdiction = "akmola.kz";
};

class DevRegister {
public:
    // Throws std::runtime_error, with the register's output, if it is not serving within 10 s.
    // The register is stopped if the constructing thread ends, so build it on the test's.
    explicit DevRegister(DevRegisterOptions options = {});
    ~DevRegister();
    DevRegister(const DevRegister&) = delete;
    DevRegister& operator=(const DevRegister&) = delete;

    // Stops the register and starts it again with `options` on the same port, certificates
    // and database, as after a crash or an update (a stock register restarted with the default
    // options comes back as a kiosk one).
    void restart(const DevRegisterOptions& options = {});
    // The register goes away, as in an outage; restart() brings it back on the same port.
    void stop() noexcept;

    int port() const { return port_; }
    std::string url() const;      // https://127.0.0.1:PORT/
    std::string ca_file() const;  // the dev CA kiosks trust, whatever certificate is served
    std::string client_cert() const;
    std::string client_key() const;
    std::string other_client_cert() const;  // another kiosk's identity (CN=kiosk-dev-02)
    std::string other_client_key() const;
    int admin_port() const { return admin_port_; }  // 0 without DevRegisterOptions::admin
    std::string admin_url() const;                  // http://127.0.0.1:PORT
    std::string db_path() const;
    std::string api_key() const;
    std::string catalog_path() const;      // the profile's catalog
    std::string definitions_path() const;  // and its service definitions
    std::string jurisdiction() const;      // the jurisdiction_id it serves
    std::string profile() const;
    std::string log() const;       // the register's output so far: one line per request or fault
    std::string log_path() const;  // the file log() reads, to follow as it grows

    // Runs SQL on the register's database (WAL: neither blocks the other), binding `params` as
    // text to ?1, ?2, ...; returns every row, each column as text ("<null>" for NULL). Throws
    // std::runtime_error naming the SQL on an error.
    std::vector<std::vector<std::string>> query(const std::string& sql,
                                                const std::vector<std::string>& params = {}) const;
    int rows(const std::string& table) const;  // SELECT COUNT(*) FROM table

private:
    void start(const DevRegisterOptions& options, int port);

    std::string dir_;
    std::string profile_ = "kiosk";
    std::string jurisdiction_ = DevRegisterOptions::kDefaultJurisdiction;
    pid_t pid_ = -1;
    int port_ = 0;
    int admin_port_ = 0;  // kept across restarts, as the port
};
