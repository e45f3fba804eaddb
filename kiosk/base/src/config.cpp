#include "kiosk/config.h"

#include "kiosk/toml_reader.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/stat.h>
#include <unistd.h>

#include <common/ids.h>
#include <common/secret_file.h>
#include <sodium.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <set>
#include <sstream>
#include <system_error>

namespace kiosk {
namespace {

// Section: reading values with their place in the file

struct Reader {
    std::string file;
    std::filesystem::path base;
    const toml::table& root;
    std::set<std::string> known;  // keys this version understands, to name typos

    // Names the line of the key when the file has it, else the line of its section (a key
    // left out); a file without the section has no line to name.
    [[noreturn]] void fail(const std::string& key, const std::string& why) const {
        std::ostringstream msg;
        msg << file;
        const toml::node* n = root.at_path(key).node();
        if (!n) n = root.at_path(key.substr(0, key.find('.'))).node();
        if (n && n->source().begin.line > 0) msg << ':' << n->source().begin.line;
        msg << ": " << key << ": " << why;
        throw ConfigError(msg.str());
    }

    const toml::node* find(const std::string& key) {
        known.insert(key);
        return root.at_path(key).node();
    }

    template <class T>
    void get(const std::string& key, T& out, bool required) {
        const toml::node* n = find(key);
        if (!n) {
            if (required)
                fail(key, "missing from [" + key.substr(0, key.find('.')) + "] (required)");
            return;
        }
        // A boolean only as true or false: toml++ would read 0 or 1 as one.
        std::optional<T> v;
        if constexpr (std::is_same_v<T, bool>)
            v = n->value_exact<T>();
        else
            v = n->value<T>();
        if (!v) fail(key, std::string("must be a ") + type_name<T>());
        out = *v;
    }

    void text(const std::string& key, std::string& out, bool required, std::size_t max = 200) {
        get(key, out, required);
        if (!root.at_path(key).node()) return;
        if (required && out.empty()) fail(key, "must not be empty");
        if (out.size() > max) fail(key, "longer than " + std::to_string(max) + " bytes");
        for (unsigned char c : out)
            if (c < 0x20 || c == 0x7F) fail(key, "contains a control character");
    }

    void path(const std::string& key, std::filesystem::path& out, bool required) {
        std::string s;
        text(key, s, required, 4096);
        if (!s.empty())
            out = std::filesystem::path(s).is_absolute() ? std::filesystem::path(s) : base / s;
    }

    void number(const std::string& key, int& out, int min, int max) {
        int64_t v = out;
        get(key, v, false);
        if (v < min || v > max) {
            fail(key, "must be between " + std::to_string(min) + " and " + std::to_string(max));
        }
        out = static_cast<int>(v);
    }

    template <class T>
    static const char* type_name() {
        if constexpr (std::is_same_v<T, std::string>)
            return "string";
        else if constexpr (std::is_same_v<T, bool>)
            return "boolean (true or false)";
        else
            return "whole number";
    }

    // Every key in the file must be one this version reads: a misspelt key is an error, not a
    // silently ignored setting.
    void reject_unknown() const {
        for (const auto& [section, node] : root) {
            const auto* table = node.as_table();
            if (!table) fail(std::string(section.str()), "unknown top-level key");
            for (const auto& [key, value] : *table) {
                const std::string full = std::string(section.str()) + "." + std::string(key.str());
                if (!known.count(full)) fail(full, "unknown key");
            }
        }
    }
};

// Section: checks that need more than a type

// One rule for every private key (common/secret_file): the kiosk's user's, readable by it alone.
void check_secret_file(const Reader& r, const std::string& key, const std::filesystem::path& p) {
    if (const std::string problem = common::secret_file_problem(p); !problem.empty())
        r.fail(key, problem);
}

// espeak-ng takes either its data folder or the folder holding one named espeak-ng-data; both
// hold phontab. Checked here so that a wrong path is named at start, not heard as silence.
bool espeak_data_ok(const std::filesystem::path& dir) {
    std::error_code ec;
    return std::filesystem::is_regular_file(dir / "phontab", ec) ||
           std::filesystem::is_regular_file(dir / "espeak-ng-data" / "phontab", ec);
}

// Section: [monitoring]: metrics leave the kiosk only over TLS

// "localhost", 127.0.0.0/8 or ::1: this machine, as an address ("127.evil.example" is a name).
bool loopback_host(const std::string& host) {
    unsigned char a[sizeof(in6_addr)];
    if (host == "localhost") return true;
    if (inet_pton(AF_INET, host.c_str(), a) == 1) return a[0] == 127;
    return inet_pton(AF_INET6, host.c_str(), a) == 1 &&
           IN6_IS_ADDR_LOOPBACK(reinterpret_cast<const in6_addr*>(a));
}

// The host of scheme://host[:port][/path], brackets off an IPv6 one; "" when the URL is not of
// that shape or carries what a push address never needs (user, query, fragment, spaces).
std::string url_host(const std::string& url, const std::string& scheme) {
    if (url.rfind(scheme + "://", 0) != 0 || url.find_first_of("@?# \\") != std::string::npos)
        return "";
    const std::string rest = url.substr(scheme.size() + 3);
    const std::string authority = rest.substr(0, rest.find('/'));
    if (authority.starts_with('[')) {  // then only a port: "[::1].evil.example" is a name
        const auto close = authority.find(']');
        if (close == std::string::npos ||
            (close + 1 < authority.size() && authority[close + 1] != ':'))
            return "";
        return authority.substr(1, close - 1);
    }
    return authority.substr(0, authority.find(':'));
}

void check_push(Reader& r, const Config& c) {
    if (c.push_url.empty()) return;
    const std::string https_host = url_host(c.push_url, "https");
    const std::string http_host = url_host(c.push_url, "http");
    if (https_host.empty() && !(loopback_host(http_host)))
        r.fail("monitoring.push_url",
               "must be https://host[:port][/path] (plain http only to loopback), e.g. "
               "https://metrics.example.kz:9443");
    if (https_host.empty()) return;  // development: a gateway on this machine
    if (c.push_ca.empty()) r.fail("monitoring.push_ca", "required with an https push_url");
    if (!std::filesystem::is_regular_file(c.push_ca))
        r.fail("monitoring.push_ca", "no such file: " + c.push_ca.string());
    if (c.client_cert.empty())
        r.fail("monitoring.push_url",
               "the push needs the kiosk's client certificate: [register] client_cert and "
               "client_key");
}

// A management port others can reach serves only over TLS, to scrapers with a certificate
// from scraper_ca: plain HTTP only on loopback.
void check_management_tls(Reader& r, const Config& c) {
    const bool any =
        !c.management_cert.empty() || !c.management_key.empty() || !c.scraper_ca.empty();
    if (any) {
        for (const auto& [key, value] : {std::pair{"monitoring.tls_cert", &c.management_cert},
                                         std::pair{"monitoring.tls_key", &c.management_key},
                                         std::pair{"monitoring.scraper_ca", &c.scraper_ca}})
            if (value->empty()) r.fail(key, "tls_cert, tls_key and scraper_ca go together");
        if (!std::filesystem::is_regular_file(c.management_cert))
            r.fail("monitoring.tls_cert", "no such file: " + c.management_cert.string());
        check_secret_file(r, "monitoring.tls_key", c.management_key);
        if (!std::filesystem::is_regular_file(c.scraper_ca))
            r.fail("monitoring.scraper_ca", "no such file: " + c.scraper_ca.string());
    }
    const auto at = parse_listen_address(c.management_listen);
    if (at && !loopback_host(at->host) && !any)
        r.fail("monitoring.listen",
               "an address others can reach needs TLS: set tls_cert, tls_key and scraper_ca "
               "(plain HTTP only on loopback)");
}

void check_monitoring(Reader& r, const Config& c) {
    check_push(r, c);
    check_management_tls(r, c);
    // A kiosk is either scraped or pushing (image/enrol refuses both too): both at once would
    // show it twice to Prometheus, under one id, from two ways that can disagree.
    const auto at = parse_listen_address(c.management_listen);
    if (!c.push_url.empty() && at && !loopback_host(at->host))
        r.fail("monitoring.push_url",
               "a kiosk is either scraped (listen on an address others can reach) or pushing "
               "(push_url, listen on loopback), not both: remove push_url or listen on "
               "127.0.0.1");
}

// Plain HTTP never leaves the machine; and one port cannot be both listeners.
void check_local_listen(Reader& r, const Config& c) {
    if (c.local_listen.empty()) return;
    const auto local = parse_listen_address(c.local_listen);
    if (!local || !loopback_host(local->host)) {
        r.fail("monitoring.local_listen",
               "must be a loopback address:port, e.g. 127.0.0.1:9465 (plain HTTP only there)");
        return;
    }
    const auto at = parse_listen_address(c.management_listen);
    if (at && at->port != 0 && at->port == local->port)
        r.fail("monitoring.local_listen", "must not use listen's port " + std::to_string(at->port));
}

// Section: [register.attributes]

// An Open311 attribute code: it goes into attribute[code] and must not close the brackets.
bool attribute_code(std::string_view code) {
    return !code.empty() && code.size() <= 64 &&
           std::all_of(code.begin(), code.end(), [](unsigned char ch) {
               return std::isalnum(ch) || ch == '_' || ch == '-' || ch == '.';
           });
}

void read_attribute_codes(Reader& r, Config& c) {
    const toml::node* n = r.find("register.attributes");
    if (!n) return;
    const toml::table* t = n->as_table();
    if (!t) r.fail("register.attributes", "must be a table: name = \"the register's code\"");
    for (const auto& [key, value] : *t) {
        const std::string name(key.str()), full = "register.attributes." + name;
        if (std::find(std::begin(kComplaintAttributes), std::end(kComplaintAttributes), name) ==
            std::end(kComplaintAttributes)) {
            std::string names;
            for (auto known : kComplaintAttributes)
                names += (names.empty() ? "" : ", ") + std::string(known);
            r.fail(full, "not an attribute the kiosk sends: " + names);
        }
        const auto code = value.value_exact<std::string>();
        if (!code || !attribute_code(*code))
            r.fail(full,
                   "must be the register's attribute code: letters, digits, _ - . (at most 64)");
        c.attribute_codes[name] = *code;
    }
}

// Section: [remote]

constexpr std::size_t kMaxOperatorKeys = 16;

void read_operator_keys(Reader& r, Config& c) {
    const toml::node* n = r.find("remote.operator_keys");
    if (!n) return;
    const toml::array* keys = n->as_array();
    if (!keys)
        r.fail("remote.operator_keys",
               "must be a list of operators' public keys, e.g. [\"base64\"] (kiosk-command "
               "keygen prints one)");
    if (keys->size() > kMaxOperatorKeys)
        r.fail("remote.operator_keys", "at most " + std::to_string(kMaxOperatorKeys) + " keys");
    for (std::size_t i = 0; i < keys->size(); ++i) {
        const auto text = (*keys)[i].value_exact<std::string>();
        const auto key = text ? parse_operator_key(*text) : std::nullopt;
        if (!key)
            r.fail("remote.operator_keys[" + std::to_string(i) + "]",
                   "not an operator's public key: the base64 of exactly 32 bytes of an Ed25519 "
                   "key, as kiosk-command keygen prints");
        c.operator_keys.push_back(*key);
    }
}

void check(Reader& r, const Config& c) {
    if (!common::kiosk_id_ok(c.kiosk_id))
        r.fail("kiosk.id", "only A-Z, 0-9 and '-' (not first or last), at most " +
                               std::to_string(common::kMaxKioskIdChars) +
                               " characters, e.g. KSK-AKM-0001");
    // By host, not by prefix: "http://127.evil.example/" is somewhere else.
    if (c.register_url.rfind("https://", 0) != 0 &&
        !loopback_host(url_host(c.register_url, "http")))
        r.fail("register.url", "must start with https:// (plain http only to loopback)");
    if (c.register_url.back() != '/')
        r.fail("register.url", "must end with '/' (it is the base of requests.json)");
    if (c.register_format != "json" && c.register_format != "xml")
        r.fail("register.format", "must be \"json\" or \"xml\"");
    if (!c.jurisdiction_id.empty() && !attribute_code(c.jurisdiction_id))
        r.fail("register.jurisdiction_id", "letters, digits, _ - . only");
    if (!std::filesystem::is_regular_file(c.register_ca))
        r.fail("register.ca_file", "no such file: " + c.register_ca.string());
    if (c.client_cert.empty() != c.client_key.empty())
        r.fail(c.client_cert.empty() ? "register.client_key" : "register.client_cert",
               "client_cert and client_key go together");
    if (!c.client_cert.empty() && !std::filesystem::is_regular_file(c.client_cert))
        r.fail("register.client_cert", "no such file: " + c.client_cert.string());
    if (!c.client_key.empty()) check_secret_file(r, "register.client_key", c.client_key);
    const auto zone = std::filesystem::path("/usr/share/zoneinfo") / c.time_zone;
    // A name below zoneinfo, never a path: "/etc/passwd" would replace the folder when joined.
    if (c.time_zone.empty() || c.time_zone.front() == '/' ||
        c.time_zone.find("..") != std::string::npos || !std::filesystem::is_regular_file(zone))
        r.fail("kiosk.time_zone", "unknown time zone '" + c.time_zone + "'");
    if (!c.public_status_url.empty() &&
        (c.public_status_url.rfind("https://", 0) != 0 || !c.public_status_url.ends_with("/{}") ||
         c.public_status_url.find('?') != std::string::npos))
        r.fail("printer.public_status_url",
               "must be an https:// address ending in /{} (where the number goes), e.g. "
               "https://talon.akmo.gov.kz/s/{}; the talon adds its code as the query");
    if (c.region.empty() ||
        c.region.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_-") != std::string::npos)
        r.fail("kiosk.region", "a file name under assets/procedure without .toml: a-z 0-9 _ -");
    if (!c.chancellery_phone.empty() &&
        c.chancellery_phone.find_first_not_of("0123456789 -+()") != std::string::npos)
        r.fail("kiosk.chancellery_phone", "a phone number: digits, spaces, + - ( )");
    if (!c.talon_key.empty()) check_secret_file(r, "kiosk.talon_key", c.talon_key);
    if (c.paper != "roll80" && c.paper != "a4")
        r.fail("printer.paper", "must be \"roll80\" or \"a4\"");
    if (!c.pin_hash.empty() &&
        (c.pin_hash.rfind("$y$", 0) != 0 ||
         c.pin_hash.find_first_not_of(
             "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz$") !=
             std::string::npos))
        r.fail("service.pin_hash",
               "must be a yescrypt hash made by kiosk-pin-hash (it starts with $y$), never the PIN "
               "itself");
    if (c.pin_lockout_max_s < c.pin_lockout_first_s) {
        // Named where the file has it: the other of the two may be the default.
        if (r.root.at_path("service.pin_lockout_max_s"))
            r.fail("service.pin_lockout_max_s", "must not be less than pin_lockout_first_s");
        r.fail("service.pin_lockout_first_s", "must not be more than pin_lockout_max_s (" +
                                                  std::to_string(c.pin_lockout_max_s) + ")");
    }
    if (!c.management_listen.empty() && !parse_listen_address(c.management_listen))
        r.fail("monitoring.listen",
               "must be IPv4-address:port or [IPv6-address]:port, e.g. 127.0.0.1:9464");
    check_monitoring(r, c);
    check_local_listen(r, c);
    if (!std::filesystem::is_directory(c.assets_dir / "i18n"))
        r.fail("ui.assets_dir", "no i18n folder in " + c.assets_dir.string());
    if (!std::filesystem::is_regular_file(c.assets_dir / "procedure" / (c.region + ".toml")))
        r.fail("kiosk.region",
               "no assets/procedure/" + c.region + ".toml in " + c.assets_dir.string());
    if (!c.speech_data.empty() && !espeak_data_ok(c.speech_data))
        r.fail("speech.data", "no espeak-ng data in " + c.speech_data.string() +
                                  " (the espeak-ng-data folder or the folder holding it)");
}

// Section: [ui]

// Only quarter turns, as whole numbers (not true, not 90.0): the screen's pixels stay whole
// pixels of the layout.
void read_rotation(Reader& r, Config& c) {
    const toml::node* n = r.find("ui.rotation");
    if (!n) return;
    const std::optional<std::int64_t> degrees = n->value_exact<std::int64_t>();
    if (!degrees || (*degrees != 0 && *degrees != 90 && *degrees != 180 && *degrees != 270))
        r.fail("ui.rotation",
               "must be 0, 90, 180 or 270 (degrees the picture is turned clockwise)");
    c.rotation = static_cast<int>(*degrees);
}

// Section: [office_hours]

void read_office_hours(Reader& r, Config& c) {
    static constexpr const char* kDays[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
    const toml::node* table = r.find("office_hours");
    OfficeHours& h = c.office_hours;
    h.set = table != nullptr;
    if (!table) return;
    if (!table->is_table()) r.fail("office_hours", "must be a table of days");
    bool ever_open = false;
    for (std::size_t d = 0; d < 7; ++d) {
        const std::string key = std::string("office_hours.") + kDays[d];
        std::string text;  // a day left out is closed
        r.get(key, text, false);
        const auto spans = parse_office_day(text);
        if (!spans)
            r.fail(key,
                   "must be \"HH:MM-HH:MM\", several joined by \", \" in order (e.g. "
                   "\"09:00-13:00, 14:00-18:00\"), or \"closed\"; not \"" +
                       text + "\"");
        h.days[d] = *spans;
        ever_open |= !spans->empty();
    }
    if (!ever_open)
        r.fail("office_hours", "open on no day: the kiosk would never take a complaint");
    std::string holidays = "closed";
    r.get("office_hours.holidays", holidays, false);
    if (holidays != "closed" && holidays != "open")
        r.fail("office_hours.holidays", "must be \"closed\" or \"open\"");
    h.closed_on_holidays = holidays == "closed";
}

// Section: reading the file

// A kiosk.toml is a few KiB; anything far larger is not one.
constexpr std::size_t kMaxConfigBytes = 64 * 1024;

struct FileDescriptor {
    int fd = -1;
    ~FileDescriptor() {
        if (fd >= 0) ::close(fd);
    }
};

// Only a regular file: opened without blocking (a FIFO in its place would hang start-up) and
// read up to the bound.
std::string read_config_file(const std::filesystem::path& file) {
    const auto failed = [&](const std::string& why) {
        return ConfigError(file.string() + ": " + why);
    };
    const FileDescriptor f{::open(file.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)};
    if (f.fd < 0) throw failed("cannot open: " + std::generic_category().message(errno));
    struct stat st {};
    if (::fstat(f.fd, &st) != 0)
        throw failed("cannot read: " + std::generic_category().message(errno));
    if (!S_ISREG(st.st_mode)) throw failed("not a regular file");
    // It names the register, the key and the staff PIN's hash: only root or the kiosk's own
    // user may change it.
    if (st.st_mode & S_IWOTH) throw failed("anyone may change it: chmod o-w " + file.string());
    if (st.st_uid != 0 && st.st_uid != ::geteuid())
        throw failed("belongs to uid " + std::to_string(st.st_uid) +
                     ": only root or the user the kiosk runs as may own it");
    std::string text;
    char buf[8192];
    while (text.size() <= kMaxConfigBytes) {
        const ssize_t n = ::read(f.fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw failed("cannot read: " + std::generic_category().message(errno));
        if (n == 0) return text;
        text.append(buf, static_cast<std::size_t>(n));
    }
    throw failed("larger than " + std::to_string(kMaxConfigBytes / 1024) +
                 " KiB: not a kiosk configuration");
}

}  // namespace

// Section: loading

Config load_config(const std::filesystem::path& file) {
    const std::string text = read_config_file(file);
    const toml::table root = parse_toml<ConfigError>(text, file.string());
    Reader r{file.string(), std::filesystem::absolute(file).parent_path(), root, {}};
    Config c;
    r.text("kiosk.id", c.kiosk_id, true, common::kMaxKioskIdChars);
    r.text("kiosk.office", c.office, true);
    r.text("kiosk.office_address", c.office_address, true);
    r.text("kiosk.duty_officer", c.duty_officer, true, 100);
    r.text("kiosk.region", c.region, false, 64);
    r.text("kiosk.chancellery_phone", c.chancellery_phone, false, 40);
    r.path("kiosk.talon_key", c.talon_key, false);
    r.text("kiosk.time_zone", c.time_zone, false, 64);
    r.path("kiosk.state_dir", c.state_dir, true);
    r.number("kiosk.retention_hours", c.retention_hours, 0, 24 * 365);
    r.number("kiosk.reprint_hours", c.reprint_hours, 1, 24 * 7);
    r.text("register.url", c.register_url, true, 512);
    r.path("register.ca_file", c.register_ca, true);
    r.path("register.client_cert", c.client_cert, false);
    r.path("register.client_key", c.client_key, false);
    r.text("register.api_key", c.api_key, true, 128);
    r.number("register.connect_timeout_s", c.connect_timeout_s, 1, 60);
    r.number("register.total_timeout_s", c.total_timeout_s, 2, 300);
    r.number("register.retry_first_s", c.retry_first_s, 1, 300);
    r.number("register.retry_max_s", c.retry_max_s, 10, 24 * 3600);
    r.number("register.answer_wait_s", c.answer_wait_s, 1, 60);
    r.text("register.jurisdiction_id", c.jurisdiction_id, false, 128);
    r.text("register.format", c.register_format, false, 8);
    read_attribute_codes(r, c);
    r.path("printer.spool_dir", c.spool_dir, true);
    r.text("printer.paper", c.paper, false, 16);
    r.text("printer.target", c.printer_target, false, 512);
    r.number("printer.print_timeout_s", c.print_timeout_s, 5, 300);
    r.text("printer.public_status_url", c.public_status_url, false, 200);
    r.number("printer.talons_per_roll", c.talons_per_roll, 10, 100000);
    r.number("printer.paper_warn_below", c.paper_warn_below, 0, 100000);
    r.get("ui.fullscreen", c.fullscreen, false);
    r.number("ui.inactivity_warning_s", c.inactivity_warning_s, 10, 3600);
    r.number("ui.inactivity_reset_s", c.inactivity_reset_s, 5, 600);
    r.path("ui.assets_dir", c.assets_dir, true);
    c.emblem = c.assets_dir / "emblem" / "emblem.png";  // unless the file names its own, or none
    r.path("ui.emblem", c.emblem, false);
    if (r.find("ui.emblem") && r.root.at_path("ui.emblem").value_or(std::string()).empty())
        c.emblem.clear();
    if (!std::filesystem::is_regular_file(c.emblem)) {
        if (r.root.at_path("ui.emblem").value_or(std::string()).empty())
            c.emblem.clear();  // none, or no default
        else
            r.fail("ui.emblem", "no such file: " + c.emblem.string());
    }
    read_rotation(r, c);
    read_office_hours(r, c);
    r.text("service.pin_hash", c.pin_hash, false, 256);
    r.number("service.inactivity_s", c.service_inactivity_s, 15, 3600);
    r.number("service.pin_free_attempts", c.pin_free_attempts, 1, 10);
    r.number("service.pin_lockout_first_s", c.pin_lockout_first_s, 1, 3600);
    r.number("service.pin_lockout_max_s", c.pin_lockout_max_s, 1, 24 * 3600);
    r.text("monitoring.listen", c.management_listen, false, 64);
    r.text("monitoring.local_listen", c.local_listen, false, 64);
    r.number("monitoring.heartbeat_interval_s", c.heartbeat_interval_s, 10, 3600);
    r.number("monitoring.outbox_stuck_after_s", c.outbox_stuck_after_s, 60, 7 * 24 * 3600);
    r.number("monitoring.disk_low_mb", c.disk_low_mb, 1, 1000000);
    r.text("monitoring.push_url", c.push_url, false, 512);
    r.number("monitoring.push_interval_s", c.push_interval_s, 5, 300);
    r.path("monitoring.push_ca", c.push_ca, false);
    r.path("monitoring.tls_cert", c.management_cert, false);
    r.path("monitoring.tls_key", c.management_key, false);
    r.path("monitoring.scraper_ca", c.scraper_ca, false);
    r.path("update.usb_dir", c.update_usb_dir, false);
    r.path("update.rauc_conf", c.rauc_conf, false);
    r.path("update.version_file", c.system_version_file, false);
    r.number("update.outbox_wait_h", c.update_outbox_wait_h, 0, 24 * 14);
    r.get("speech.enabled", c.speech_enabled, false);
    r.number("speech.volume", c.speech_volume, 10, 100);
    r.number("speech.rate", c.speech_rate, 80, 300);
    r.path("speech.data", c.speech_data, false);
    read_operator_keys(r, c);
    r.reject_unknown();
    check(r, c);
    return c;
}

// Section: operator keys

std::optional<OperatorKey> parse_operator_key(std::string_view base64) {
    if (sodium_init() < 0) return std::nullopt;
    OperatorKey key{};
    std::size_t n = 0;
    const char* end = nullptr;
    // 44 characters for 32 bytes; nothing may follow, nothing is skipped.
    if (base64.size() != 44 ||
        sodium_base642bin(key.data(), key.size(), base64.data(), base64.size(), nullptr, &n, &end,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        n != key.size() || end != base64.data() + base64.size())
        return std::nullopt;
    // A small-order or non-canonical point would let a forged signature pass.
    if (crypto_core_ed25519_is_valid_point(key.data()) != 1) return std::nullopt;
    return key;
}

// Section: the management address

std::optional<ListenAddress> parse_listen_address(std::string_view text) {
    ListenAddress a;
    std::string_view host, port;
    if (text.starts_with('[')) {
        const auto close = text.find("]:");
        if (close == std::string_view::npos) return std::nullopt;
        host = text.substr(1, close - 1);
        port = text.substr(close + 2);
        a.ipv6 = true;
    } else {
        const auto colon = text.rfind(':');
        if (colon == std::string_view::npos) return std::nullopt;
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
    }
    a.host = std::string(host);
    unsigned char buf[sizeof(in6_addr)];
    if (inet_pton(a.ipv6 ? AF_INET6 : AF_INET, a.host.c_str(), buf) != 1) return std::nullopt;
    if (port.empty() || port.size() > 5 ||
        port.find_first_not_of("0123456789") != std::string_view::npos)
        return std::nullopt;
    a.port = std::stoi(std::string(port));
    if (a.port > 65535) return std::nullopt;
    return a;
}

}  // namespace kiosk
