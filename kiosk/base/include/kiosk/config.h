// kiosk/config: the kiosk's configuration file (TOML). A bad file stops start-up with the key
// and line named: a kiosk never runs half-configured.
#pragma once
#include "kiosk/office_hours.h"

#include <array>
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace kiosk {

struct ConfigError : std::runtime_error {
    using std::runtime_error::runtime_error;  // "kiosk.toml:12: register.url: must start with
                                              // https://"
};

// What a complaint sends beside Open311's own fields, by the kiosk's names. A register that
// defines an attribute for one (services/{code}) gets it there; anything else goes into the
// description as a labelled line.
inline constexpr std::string_view kComplaintAttributes[] = {"addressee",
                                                            "addressee_unit",
                                                            "service_date",
                                                            "patronymic",
                                                            "iin",
                                                            "postal_address",
                                                            "officials_position",
                                                            "officials_surname",
                                                            "officials_initials",
                                                            "grounds",
                                                            "demands",
                                                            "consent",
                                                            "filed_at",
                                                            "language",
                                                            "signature_svg",
                                                            "signature_method"};

// An operator's Ed25519 public key: remote commands signed with its secret key are taken.
using OperatorKey = std::array<unsigned char, 32>;

struct Config {
    // [kiosk]
    std::string kiosk_id;           // device_id on the register, printed on the talon; A-Z 0-9 -
    std::string office;             // office name, printed on the talon
    std::string office_address;     // Open311 address_string: where the service was provided
    std::string duty_officer;       // the duty specialist until staff set one in service mode
    std::string region = "akmola";  // the appeal procedure: assets/procedure/<region>.toml
    // The provider's канцелярия (office of records), where a complaint's progress is told: the
    // office's own, so here and not in the region's file; "" = said without a number.
    std::string chancellery_phone;
    std::filesystem::path talon_key;  // Ed25519 key the talon's code is signed with; "" = no code
    std::string time_zone = "Asia/Almaty";
    std::filesystem::path state_dir;  // the outbox lives here
    int retention_hours = 0;          // personal data kept after delivery and printing
    int reprint_hours = 24;  // ... or at the latest this long after acceptance once delivered:
                             // an unprinted talon stays for staff's reprint until then
    // [register]
    std::string register_url;                       // base URL, ending in '/'
    std::filesystem::path register_ca;              // the only CA trusted for the register (pinned)
    std::filesystem::path client_cert, client_key;  // mutual TLS, optional in development
    std::string api_key;
    int connect_timeout_s = 5;
    int total_timeout_s = 20;
    int retry_first_s = 2;        // first retry after a failed delivery, doubling from there
    int retry_max_s = 600;        // ... up to this
    int answer_wait_s = 10;       // how long a citizen waits for the register's number
                                  // before getting a talon with the local number
    std::string jurisdiction_id;  // sent on every call when set (servers with several)
    std::string register_format = "json";  // "json" or "xml": what the register answers in
    // [register.attributes]: the server's attribute code for a complaint's attribute, where it
    // differs from the kiosk's name (kComplaintAttributes); e.g. iin = "IIN".
    std::map<std::string, std::string> attribute_codes;
    // [printer]
    std::filesystem::path spool_dir;  // talons land here when no printer is configured
    std::string paper = "roll80";     // "roll80" or "a4"
    std::string printer_target;       // CUPS queue name or ipp:// URI; "" = spool folder only
    int print_timeout_s = 30;
    // A status page any citizen can open ("{}" = number): the talon's QR code and short address;
    // "" = no QR code. Never the register's API, which is behind client certificates.
    std::string public_status_url;
    int talons_per_roll = 250;  // the paper counter, reset when staff restock
    int paper_warn_below = 30;
    // [ui]
    bool fullscreen = true;
    int inactivity_warning_s = 60;     // idle time before the warning
    int inactivity_reset_s = 30;       // countdown shown before everything is wiped
    std::filesystem::path assets_dir;  // fonts and translations
    std::filesystem::path emblem;      // PNG in the office's bar; "" = none
    // Degrees the UI is turned clockwise on the panel: 0, 90, 180 or 270, for a panel mounted
    // turned from its native mode (90: its native right edge up; laid out for the turned size).
    int rotation = 0;
    // [office_hours]: mon ... sun = "09:00-18:00" (or "09:00-13:00, 14:00-18:00", "closed"),
    // holidays = "closed" | "open"; none: open around the clock
    OfficeHours office_hours;
    // [service]: staff, behind a hidden gesture and a PIN
    std::string pin_hash;            // yescrypt, made by kiosk-pin-hash; "" = service mode off
    int service_inactivity_s = 120;  // service mode closes itself after this
    int pin_free_attempts = 3;       // wrong PINs before the lockout starts
    int pin_lockout_first_s = 30;    // the first lockout, doubling with each further failure...
    int pin_lockout_max_s = 900;     // ...up to this
    // [monitoring]
    std::string management_listen = "127.0.0.1:9464";  // /metrics and /healthz; "" = off
    // The same, plain HTTP on loopback only, beside a TLS management port: for the system's own
    // checks on the kiosk (the image's boot-good check after an update). "" = off.
    std::string local_listen;
    int heartbeat_interval_s = 60;    // figures pushed to the register (kiosks behind NAT)
    int outbox_stuck_after_s = 3600;  // /healthz: an undelivered complaint older than this
    int disk_low_mb = 200;            // /healthz: less free space than this in state_dir
    // The exposition pushed to a Pushgateway (kiosks behind NAT) with [register]'s client
    // certificate: "" = no push; https:// (plain http only to loopback).
    std::string push_url;
    int push_interval_s = 30;
    std::filesystem::path push_ca;  // the only CA trusted for the gateway (pinned)
    // The management port over TLS (required unless listen is loopback): the kiosk's server
    // identity, and the CA whose client certificates (scrapers') it accepts.
    std::filesystem::path management_cert, management_key, scraper_ca;
    // [update]: A/B system updates with RAUC (image/README.md)
    std::filesystem::path update_usb_dir;  // USB sticks mounted here, one folder each; "" = none
    // RAUC's configuration: no such file, no updates here (a development machine).
    std::filesystem::path rauc_conf = "/etc/rauc/system.conf";
    // The running system's version (image/build writes it into each slot); a missing file
    // is an unknown version.
    std::filesystem::path system_version_file = "/usr/lib/complaint-kiosk/system-version";
    // An installed update reboots once no citizen is at the kiosk and the outbox is empty; a
    // register away this long no longer holds it back (the outbox on /var is carried over).
    int update_outbox_wait_h = 24;
    // [speech]: screens read aloud for blind citizens (espeak-ng)
    bool speech_enabled = true;         // false: no speech on this kiosk at all
    int speech_volume = 80;             // percent, 10..100: where each session starts
    int speech_rate = 150;              // words a minute, 80..300: where each session starts
    std::filesystem::path speech_data;  // espeak-ng's data folder (or its parent); "" = system's
    // [remote]: commands the register hands in heartbeat answers, taken only when signed by
    // one of these keys (kiosk-command keygen); none = every remote command refused.
    std::vector<OperatorKey> operator_keys;
};

// Reads and checks the file; relative paths are taken from the file's folder. Only a regular
// file of at most 64 KiB is read; the client key must belong to the user the kiosk runs as
// (geteuid) with mode 0600 or 0400. Throws ConfigError naming the file, line and key.
Config load_config(const std::filesystem::path& file);

// The management address: "127.0.0.1:9464", "0.0.0.0:9464", "[::1]:9464"; port 0 lets the
// system choose (tests).
struct ListenAddress {
    std::string host;
    int port = 0;
    bool ipv6 = false;
};
std::optional<ListenAddress> parse_listen_address(std::string_view text);

// An operator key as [remote] operator_keys and kiosk-command write it: standard base64 (with
// padding) of exactly 32 bytes that are a valid Ed25519 point; nullopt for anything else.
std::optional<OperatorKey> parse_operator_key(std::string_view base64);

}  // namespace kiosk
