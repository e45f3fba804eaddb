#pragma once
// A development register (kiosk-register) serving on 127.0.0.1 for the lifetime of a test,
// with fresh certificates, database and log in a temporary directory of its own.

#include <sys/types.h>

#include <string>

struct DevRegisterOptions {
    bool rogue_certificate = false;    // serve a certificate from a CA nobody trusts
    bool require_client_cert = false;  // mutual TLS: clients must present client_cert()
};

class DevRegister {
public:
    // Throws std::runtime_error, with the register's output, if it is not serving within 10 s.
    // The register is stopped if the constructing thread ends, so build it on the test's.
    explicit DevRegister(DevRegisterOptions options = {});
    ~DevRegister();
    DevRegister(const DevRegister&) = delete;
    DevRegister& operator=(const DevRegister&) = delete;

    int port() const { return port_; }
    std::string url() const;  // https://127.0.0.1:PORT/
    std::string ca_file() const;  // the real dev CA, also in rogue mode
    std::string client_cert() const;
    std::string client_key() const;
    std::string db_path() const;
    std::string api_key() const;
    std::string catalog_path() const;
    std::string log() const;  // the register's output so far: one line per request

private:
    void start(const DevRegisterOptions& options);
    void stop() noexcept;

    std::string dir_;
    pid_t pid_ = -1;
    int port_ = 0;
};
