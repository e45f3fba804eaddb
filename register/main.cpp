// kiosk-register: the development register. Accepts complaints from kiosks as Open311
// GeoReport v2 service requests over HTTPS on loopback and keeps them in SQLite.

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <common/atomic_file.h>
#include <httplib.h>

#include "admin.h"
#include "catalog.h"
#include "commands.h"
#include "definitions.h"
#include "faults.h"
#include "form.h"
#include "open311.h"
#include "store.h"

namespace dev_register {

namespace {

constexpr std::size_t kMaxBodyBytes = 1 << 20;

// Section: command line

constexpr const char* kUsage =
    R"(usage: kiosk-register --listen HOST:PORT --cert FILE --key FILE [--client-ca FILE]
                      --db FILE --catalog FILE --api-key KEY
                      [--profile kiosk|stock] [--jurisdiction ID] [--definitions FILE]
                      [--formats json,xml|json|xml] [--token-polls N]
                      [--port-file FILE] [--number-prefix PREFIX] [--allow-non-loopback]
                      [--fault SPEC]... [--allow-fault-header]
                      [--admin-listen 127.0.0.1:PORT] [--admin-port-file FILE]
                      [--operator-keys FILE]
       kiosk-register commands --db FILE [--kiosk ID]

  --listen HOST:PORT     IP address and port; PORT 0 picks a free port. Only loopback
                         addresses unless --allow-non-loopback is given.
  --cert, --key FILE     server certificate chain and private key (PEM)
  --client-ca FILE       require client certificates issued by this CA (mutual TLS)
  --db FILE              SQLite database, created if missing
  --catalog FILE         Open311 service list (JSON array) served as services.json/.xml;
                         a service's "type" (realtime, batch, blackbox) or "register_answer"
                         (id, token, id+token, notice) sets what POST requests answers
  --definitions FILE     service definitions of the catalog's metadata:true services
  --api-key KEY          api_key every submission and heartbeat must carry
  --profile NAME         kiosk (default): this project's register: JSON and XML,
                         Idempotency-Key honoured, jurisdiction_id optional, heartbeats,
                         attributes kept as sent, numbers PREFIX-YEAR-SEQUENCE;
                         stock: a plain GeoReport v2 server: XML only, Idempotency-Key
                         ignored, jurisdiction_id required, no heartbeats, attributes checked
                         against the definitions and the others dropped, plain numbers
  --jurisdiction ID      the jurisdiction_id served (default akmola.kz); any other is 404
  --formats LIST         override the profile's formats: json,xml, json or xml
  --token-polls N        "not yet" answers to a batch service's token before the number
                         (0..1000, default 1)
  --port-file FILE       write the bound port here once listening
  --number-prefix PREFIX prefix of service request numbers (default ЖТ; kiosk profile)
  --fault SPEC           misbehave on purpose (repeatable; the first matching applies):
                         delay=MS, status=CODE[,description=TEXT][,retry-after=S|
                         ,retry-after-date=S], reset,
                         malformed-json, missing-id, oversized[,length], token[,polls=N]; each with
                         optional count=N (next N requests only) and path=PREFIX
  --allow-fault-header   honour a per-request X-Register-Fault: SPEC header (tests only)
  --admin-listen HOST:PORT
                         plain HTTP admin endpoint, loopback only: POST and GET
                         /admin/kiosks/{id}/commands (operators' signed commands, handed
                         out in heartbeat answers), GET /admin/kiosks, GET
                         /admin/kiosks/{id}/diagnostics/{command_id}
  --admin-port-file FILE write the admin endpoint's bound port here
  --operator-keys FILE   operators' Ed25519 public keys, one base64 key a line: commands
                         none of them signed are refused when queued

  commands               print the commands queued in --db (for one kiosk with --kiosk)
)";

struct ListenAddress {
    std::string host;
    int port = 0;
};

struct Options {
    std::string listen, cert, key, client_ca, db, catalog, definitions, api_key, port_file;
    std::string admin_listen, admin_port_file, operator_keys;
    std::string number_prefix = "ЖТ";
    std::string profile_name = "kiosk", formats, jurisdiction = "akmola.kz", token_polls = "1";
    bool allow_non_loopback = false;
    bool allow_fault_header = false;
    std::vector<Fault> faults;
    ListenAddress address;                       // parsed from listen
    std::optional<ListenAddress> admin_address;  // from admin_listen
    Profile profile;                             // from profile_name and formats
    int polls = 1;                               // from token_polls
};

// A command line the register cannot run with; reported with a pointer to --help.
struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

bool is_loopback(const std::string& host, std::string_view option) {
    in_addr v4{};
    in6_addr v6{};
    if (inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
    if (inet_pton(AF_INET6, host.c_str(), &v6) == 1) return IN6_IS_ADDR_LOOPBACK(&v6);
    throw UsageError(std::string(option) + ": \"" + host + "\" is not an IPv4 or IPv6 address");
}

ListenAddress parse_listen(const std::string& listen, bool allow_non_loopback,
                           std::string_view option = "--listen") {
    const auto colon = listen.rfind(':');
    if (colon == std::string::npos) throw UsageError(std::string(option) + " must be HOST:PORT");
    ListenAddress address{listen.substr(0, colon), -1};
    if (address.host.size() > 2 && address.host.front() == '[' && address.host.back() == ']')
        address.host = address.host.substr(1, address.host.size() - 2);
    const char* first = listen.data() + colon + 1;
    const char* last = listen.data() + listen.size();
    const auto [end, error] = std::from_chars(first, last, address.port);
    if (first == last || error != std::errc() || end != last || address.port < 0 ||
        address.port > 65535)
        throw UsageError(std::string(option) + ": port must be a number from 0 to 65535");
    if (!is_loopback(address.host, option) && !allow_non_loopback)
        throw UsageError("refusing to listen on non-loopback address " + address.host +
                         " (add --allow-non-loopback to really expose the register)");
    return address;
}

// The prefix ends up in numbers people read out and in URLs: letters and digits only.
bool is_valid_prefix(const std::string& prefix) {
    const bool ascii_alnum = std::all_of(prefix.begin(), prefix.end(), [](char c) {
        return static_cast<unsigned char>(c) >= 0x80 || std::isalnum(static_cast<unsigned char>(c));
    });
    return !prefix.empty() && prefix.size() <= 32 && ascii_alnum && is_clean_text(prefix);
}

Fault parse_fault_option(const std::string& spec) {
    try {
        return parse_fault(spec);
    } catch (const std::invalid_argument& e) {
        throw UsageError("--fault " + spec + ": " + e.what());
    }
}

// The profile and the options that shape how it answers.
void read_profile_options(Options& options, bool prefix_given) {
    const auto profile = profile_named(options.profile_name);
    if (!profile) throw UsageError("--profile must be kiosk or stock");
    options.profile = *profile;
    if (!options.formats.empty() && !set_formats(options.profile, options.formats))
        throw UsageError("--formats must be json,xml, json or xml");
    if (options.profile.plain_numbers && prefix_given)
        throw UsageError("--number-prefix: the " + options.profile.name +
                         " profile's numbers are plain");
    if (options.jurisdiction.empty() || options.jurisdiction.size() > 128 ||
        !is_one_line(options.jurisdiction))
        throw UsageError("--jurisdiction must be 1 to 128 bytes of text on one line");
    const char* first = options.token_polls.data();
    const char* last = first + options.token_polls.size();
    const auto [end, error] = std::from_chars(first, last, options.polls);
    if (first == last || error != std::errc() || end != last || options.polls < 0 ||
        options.polls > 1000)
        throw UsageError("--token-polls must be a number from 0 to 1000");
}

Options parse_options(int argc, char** argv) {
    static const std::pair<std::string_view, std::string Options::*> kValued[] = {
        {"--listen", &Options::listen},
        {"--cert", &Options::cert},
        {"--key", &Options::key},
        {"--client-ca", &Options::client_ca},
        {"--db", &Options::db},
        {"--catalog", &Options::catalog},
        {"--definitions", &Options::definitions},
        {"--api-key", &Options::api_key},
        {"--profile", &Options::profile_name},
        {"--formats", &Options::formats},
        {"--jurisdiction", &Options::jurisdiction},
        {"--token-polls", &Options::token_polls},
        {"--port-file", &Options::port_file},
        {"--number-prefix", &Options::number_prefix},
        {"--admin-listen", &Options::admin_listen},
        {"--admin-port-file", &Options::admin_port_file},
        {"--operator-keys", &Options::operator_keys}};
    static const std::pair<std::string_view, bool Options::*> kFlags[] = {
        {"--allow-non-loopback", &Options::allow_non_loopback},
        {"--allow-fault-header", &Options::allow_fault_header}};
    Options options;
    std::set<std::string_view> given;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        const auto flag = std::find_if(std::begin(kFlags), std::end(kFlags),
                                       [&](const auto& named) { return named.first == arg; });
        if (flag != std::end(kFlags)) {
            options.*(flag->second) = true;
            continue;
        }
        if (arg == "--fault") {
            if (i + 1 == argc) throw UsageError("--fault needs a value");
            options.faults.push_back(parse_fault_option(argv[++i]));
            continue;
        }
        const auto option = std::find_if(std::begin(kValued), std::end(kValued),
                                         [&](const auto& valued) { return valued.first == arg; });
        if (option == std::end(kValued))
            throw UsageError("unknown argument \"" + std::string(arg) + "\"");
        if (i + 1 == argc) throw UsageError(std::string(arg) + " needs a value");
        if (!given.insert(arg).second) throw UsageError(std::string(arg) + " given twice");
        options.*(option->second) = argv[++i];
    }
    for (const auto* required : {"--listen", "--cert", "--key", "--db", "--catalog", "--api-key"})
        if (!given.contains(required)) throw UsageError(std::string(required) + " is required");
    if (options.api_key.empty()) throw UsageError("--api-key must not be empty");
    if (!is_valid_prefix(options.number_prefix))
        throw UsageError("--number-prefix must be 1 to 32 bytes of letters and digits");
    read_profile_options(options, given.contains("--number-prefix"));
    options.address = parse_listen(options.listen, options.allow_non_loopback);
    // Plain HTTP that queues commands: never beyond this machine, whatever else is allowed.
    if (given.contains("--admin-listen")) {
        const auto admin = parse_listen(options.admin_listen, true, "--admin-listen");
        if (!is_loopback(admin.host, "--admin-listen"))
            throw UsageError("--admin-listen: refusing non-loopback address " + admin.host +
                             " (the admin endpoint is plain HTTP)");
        options.admin_address = admin;
    } else if (given.contains("--admin-port-file") || given.contains("--operator-keys")) {
        throw UsageError("--admin-port-file and --operator-keys need --admin-listen");
    }
    return options;
}

// Section: TLS

std::string openssl_error() {
    char text[256];
    ERR_error_string_n(ERR_get_error(), text, sizeof text);
    ERR_clear_error();
    return text;
}

// Loads the server identity and, for mutual TLS, the CA that client certificates must chain
// to. httplib only reports validity, so the first failure is kept in `error`.
bool configure_tls(SSL_CTX& ctx, const Options& options, std::string& error) {
    const auto failed = [&](const std::string& what) {
        error = what + ": " + openssl_error();
        return false;
    };
    SSL_CTX_set_min_proto_version(&ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(&ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
    if (SSL_CTX_use_certificate_chain_file(&ctx, options.cert.c_str()) != 1)
        return failed("--cert " + options.cert);
    // Also checks that the key belongs to the certificate.
    if (SSL_CTX_use_PrivateKey_file(&ctx, options.key.c_str(), SSL_FILETYPE_PEM) != 1)
        return failed("--key " + options.key);
    if (options.client_ca.empty()) return true;
    STACK_OF(X509_NAME)* client_ca_names = SSL_load_client_CA_file(options.client_ca.c_str());
    if (!client_ca_names ||
        SSL_CTX_load_verify_locations(&ctx, options.client_ca.c_str(), nullptr) != 1) {
        sk_X509_NAME_pop_free(client_ca_names, X509_NAME_free);
        return failed("--client-ca " + options.client_ca);
    }
    SSL_CTX_set_client_CA_list(&ctx, client_ca_names);
    SSL_CTX_set_verify(&ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
    // Without a session id context OpenSSL refuses every resumed session of a verified client
    // ("internal error"): a kiosk's next call, which resumes through libcurl's cache, failed.
    static constexpr unsigned char kSessionContext[] = "kiosk-register";
    if (SSL_CTX_set_session_id_context(&ctx, kSessionContext, sizeof kSessionContext - 1) != 1)
        return failed("the TLS session context");
    return true;
}

// Section: start-up

int bind_port(httplib::Server& server, const ListenAddress& address) {
    if (address.port == 0) return server.bind_to_any_port(address.host);
    return server.bind_to_port(address.host, address.port) ? address.port : -1;
}

// Written under a temporary name and renamed, so a reader never sees a partial number.
void write_port_file(const std::string& path, int port, const char* option = "--port-file") {
    const auto written = common::write_file_atomically(path, std::to_string(port) + "\n");
    if (!written.ok()) throw std::runtime_error(std::string(option) + ": " + written.message);
}

std::string url_of(const std::string& host, int port) {
    const bool ipv6 = host.find(':') != std::string::npos;
    return "https://" + (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port) + "/";
}

bool bind_admin(httplib::Server& admin, const ListenAddress& address, const Options& options) {
    const int port = bind_port(admin, address);
    if (port < 0) {
        std::cerr << "kiosk-register: cannot listen on " << options.admin_listen << '\n';
        return false;
    }
    if (!options.admin_port_file.empty())
        write_port_file(options.admin_port_file, port, "--admin-port-file");
    std::cout << "kiosk-register: admin endpoint on "
              << "http" + url_of(address.host, port).substr(5) << std::endl;
    return true;
}

// Section: serving until SIGTERM or SIGINT

// Blocked before any thread starts, so every thread inherits the mask and only the
// sigtimedwait below ever receives them.
sigset_t block_stop_signals() {
    // An inherited SIG_IGN (background jobs of scripts) would discard them unseen.
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
    return stop_signals;
}

// A bound server accepting on a thread of its own until stopped.
class Serving {
public:
    explicit Serving(httplib::Server& server)
        : server_(server), thread_([this] {
              served_ = server_.listen_after_bind();
              finished_ = true;
          }) {}
    ~Serving() { stop(); }
    Serving(const Serving&) = delete;
    Serving& operator=(const Serving&) = delete;

    bool finished() const { return finished_; }
    // In-flight requests finish before it returns (and so before the store closes).
    bool stop() {
        if (!thread_.joinable()) return served_;
        // stop() does nothing until the accept loop has started, so wait for that first.
        while (!finished_ && !server_.is_running())
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        server_.stop();
        thread_.join();
        return served_;
    }

private:
    httplib::Server& server_;
    std::atomic<bool> finished_{false};
    bool served_ = false;
    std::thread thread_;
};

// The admin endpoint, if any, serves beside; either ending stops both.
bool serve_until_stopped(httplib::Server& server, httplib::Server* admin,
                         const sigset_t& stop_signals) {
    Serving serving(server);
    std::optional<Serving> administering;
    if (admin) administering.emplace(*admin);
    const timespec tick{0, 50'000'000};
    while (!serving.finished() && !(administering && administering->finished()) &&
           sigtimedwait(&stop_signals, nullptr, &tick) < 0) {
    }
    const bool admin_served = !administering || administering->stop();
    return serving.stop() && admin_served;
}

// Anything thrown before serving starts is a bad argument or an unusable file.
int run(const Options& options, const sigset_t& stop_signals) {
    Catalog catalog = load_catalog(options.catalog);
    load_definitions(options.definitions, catalog);
    const OperatorKeys operator_keys =
        options.operator_keys.empty() ? OperatorKeys{} : load_operator_keys(options.operator_keys);
    RequestStore store(options.db, options.profile.plain_numbers ? "" : options.number_prefix);
    std::string tls_error;
    httplib::SSLServer server([&](SSL_CTX& ctx) { return configure_tls(ctx, options, tls_error); });
    if (!server.is_valid()) throw std::runtime_error(tls_error);
    server.set_payload_max_length(kMaxBodyBytes);
    server.set_keep_alive_timeout(1);  // idle keep-alive connections delay a stop by this much
    // A kiosk keeps its connection after a heartbeat, holding a worker for the keep-alive:
    // httplib's 8 workers served 8 heartbeats a second, under a 1,000-kiosk fleet's 17.
    server.new_task_queue = [] { return new httplib::ThreadPool(64); };
    FaultInjector faults(options.faults, options.allow_fault_header, store, options.profile);
    const Open311Settings settings{options.profile, options.api_key, options.jurisdiction,
                                   options.polls, !options.client_ca.empty()};
    install_open311(server, catalog, store, settings, faults);
    std::optional<httplib::Server> admin;
    if (options.admin_address) {
        install_admin(admin.emplace(), store, operator_keys);
        if (!bind_admin(*admin, *options.admin_address, options)) return 1;
    }

    const int port = bind_port(server, options.address);
    if (port < 0) {
        std::cerr << "kiosk-register: cannot listen on " << options.listen << '\n';
        return 1;
    }
    // Written last: whoever waits for it finds the admin endpoint ready too.
    if (!options.port_file.empty()) write_port_file(options.port_file, port);
    std::cout << "kiosk-register: listening on " << url_of(options.address.host, port) << " ("
              << options.profile.name << " profile)" << std::endl;
    const bool served = serve_until_stopped(server, admin ? &*admin : nullptr, stop_signals);
    if (!options.port_file.empty()) std::remove(options.port_file.c_str());
    if (!options.admin_port_file.empty()) std::remove(options.admin_port_file.c_str());
    std::cerr << "kiosk-register: " << (served ? "stopped" : "accepting connections failed")
              << std::endl;
    return served ? 0 : 1;
}

// Section: the commands CLI

// kiosk-register commands --db FILE [--kiosk ID]: the queued commands as a table, oldest first.
int print_commands(int argc, char** argv) {
    std::string db, kiosk;
    for (int i = 2; i < argc; i += 2) {
        const std::string_view arg = argv[i];
        if (i + 1 == argc) throw UsageError(std::string(arg) + " needs a value");
        if (arg == "--db")
            db = argv[i + 1];
        else if (arg == "--kiosk")
            kiosk = argv[i + 1];
        else
            throw UsageError("commands: unknown argument \"" + std::string(arg) + "\"");
    }
    if (db.empty()) throw UsageError("commands: --db is required");
    // Reading only: a mistyped path must not leave an empty database behind.
    if (!std::filesystem::exists(db)) throw std::runtime_error(db + ": no such database");
    RequestStore store(db, "");
    std::vector<std::vector<std::string>> table{
        {"KIOSK", "ID", "NAME", "STATE", "QUEUED", "EXPIRES", "RESULT AT", "REASON"}};
    for (const auto& c : store.commands(kiosk))
        table.push_back({c.kiosk_id, c.command_id, c.name, c.state, c.queued_at, c.expires_at,
                         c.result_at.value_or("-"), printable(c.reason.value_or("-"))});
    std::vector<std::size_t> widths(table.front().size());
    for (const auto& row : table)
        for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
    for (const auto& row : table) {
        std::string line;
        for (std::size_t i = 0; i < row.size(); ++i)
            line += i + 1 < row.size() ? row[i] + std::string(widths[i] - row[i].size() + 2, ' ')
                                       : row[i];
        std::cout << line << '\n';
    }
    return 0;
}

}  // namespace

}  // namespace dev_register

int main(int argc, char** argv) {
    using namespace dev_register;
    const sigset_t stop_signals = block_stop_signals();
    signal(SIGPIPE, SIG_IGN);  // a client hanging up mid-response must not end the register
    for (int i = 1; i < argc; ++i) {
        if (std::string_view(argv[i]) == "--help") {
            std::cout << kUsage;
            return 0;
        }
    }
    try {
        if (argc > 1 && std::string_view(argv[1]) == "commands") return print_commands(argc, argv);
        return run(parse_options(argc, argv), stop_signals);
    } catch (const UsageError& e) {
        std::cerr << "kiosk-register: " << e.what() << "; see --help\n";
    } catch (const std::exception& e) {
        std::cerr << "kiosk-register: " << e.what() << '\n';
    }
    return 2;
}
