// kiosk/talon_code: a talon that can be proven genuine. The kiosk signs what its talon says
// (number, date and time, kiosk, addressee and a hash of the applicant's initials) with its own
// Ed25519 key (libsodium), made at enrolment; the fleet's public keys are published with its
// configuration, and anyone holding them checks a talon's code (kiosk-talon verify).
#pragma once
#include <array>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace kiosk {

// What a talon's code vouches for, as printed on the talon.
struct TalonFacts {
    std::string number;       // registration (or local) number, e.g. "ЖТ-2026-00000742"
    std::string accepted_at;  // local date and time as printed: "03.12.2026 10:15"
    std::string kiosk_id;     // "KSK-AKM-001"
    std::string addressee;    // the addressee's code, e.g. "provider_head", "akim:region"
    std::string applicant;    // surname and initials as printed: "Әбілқасымова А. Қ."
};

using TalonPublicKey = std::array<unsigned char, 32>;

// Why facts cannot be signed or checked, "" when they can: names the field, never its value.
//   number      1..64 bytes of UTF-8, no control characters, no space at either end
//   accepted_at "DD.MM.YYYY HH:MM", a real date and time
//   kiosk_id    A-Z, 0-9 and '-', at most 32, no '-' at either end (as kiosk.toml's id)
//   addressee   1..64 of a-z, 0-9, '_', ':', '.', '-'
//   applicant   1..200 bytes of UTF-8, no control characters, some letter in it
std::string talon_facts_problem(const TalonFacts& f);
bool talon_kiosk_id_ok(std::string_view kiosk_id);  // the kiosk_id rule above

// The canonical bytes signed: a version line, then one field a line. The applicant goes in only
// as the SHA-256 (hex) of its normalised form: letters in capitals, spaces collapsed and none
// after a full stop, so "Әбілқасымова А.Қ." typed by a checker matches "ӘБІЛҚАСЫМОВА А. Қ.".
// Throws std::invalid_argument (talon_facts_problem's words) on facts that cannot be signed.
std::string talon_payload(const TalonFacts& f);

// The kiosk's signing key, held in sodium_malloc'd memory (locked, guarded, wiped on release).
class TalonSigner {
public:
    // Reads the 64-byte Ed25519 secret key. The file must be a regular file of the effective
    // user with mode 0600 or 0400 (common::read_secret_file). Throws std::runtime_error naming
    // the file and the problem.
    static TalonSigner load(const std::filesystem::path& secret_key_file);
    // Makes a new key pair and writes its secret key to secret_key_file atomically, mode 0600
    // (a missing folder is made 0700). Refuses an existing file: a kiosk's key is made once, at
    // enrolment, and its talons stay checkable only while the fleet publishes that key. Throws
    // std::runtime_error. Returns the public key for the fleet's key file.
    static TalonPublicKey create(const std::filesystem::path& secret_key_file);

    TalonSigner(TalonSigner&& other) noexcept;
    TalonSigner& operator=(TalonSigner&& other) noexcept;
    TalonSigner(const TalonSigner&) = delete;
    TalonSigner& operator=(const TalonSigner&) = delete;
    ~TalonSigner();

    // The signature as the printed code: base32 (RFC 4648, A-Z2-7, no padding), 103 characters
    // in groups of 4 separated by spaces. Throws std::invalid_argument on facts that cannot be
    // signed (talon_facts_problem).
    std::string code(const TalonFacts& f) const;
    const TalonPublicKey& public_key() const { return public_key_; }

private:
    TalonSigner() = default;
    unsigned char* secret_ = nullptr;  // crypto_sign_SECRETKEYBYTES, sodium_malloc'd
    TalonPublicKey public_key_{};
};

// Section: checking a talon

enum class TalonVerdict { Genuine, Forged, UnknownKiosk, Malformed };

// The fleet's published public keys, by kiosk id.
struct FleetKeys {
    std::map<std::string, TalonPublicKey> by_kiosk;
};

// Reads the fleet's key file: one table,
//   [keys]
//   "KSK-AKM-001" = "base64 public key"
// (no [keys] at all: no kiosk known). Throws std::runtime_error naming the file, the line and
// the key on anything else: a TOML error, another table, a bad kiosk id, a value that is not a
// base64 Ed25519 public key.
FleetKeys load_fleet_keys(const std::filesystem::path& toml);

// The line for the fleet's key file: "KSK-AKM-001" = "base64 public key".
std::string fleet_key_line(std::string_view kiosk_id, const TalonPublicKey& key);

// Malformed: facts that could not have been printed (talon_facts_problem) or a code that is not
// 103 base32 characters (spaces, dashes and case are ignored). UnknownKiosk: no published key
// for f.kiosk_id. Forged: the code does not match these facts under that kiosk's key. Never
// throws.
TalonVerdict verify_talon(const TalonFacts& f, std::string_view code, const FleetKeys& keys);

// Section: the QR code

// True when public_status_url can carry a talon: http:// or https://, a host, and "{}" as the
// whole last segment of its path (e.g. "https://talon.akmo.gov.kz/s/{}"), where
// parse_talon_url finds the number again. For the configuration's check at start.
bool talon_url_template_ok(std::string_view public_status_url);

// The QR code's address: "{}" replaced by the number percent-encoded, then the query
// k=kiosk, t=YYYYMMDDHHMM, a=addressee, c=code without spaces. Throws std::invalid_argument on
// a template talon_url_template_ok refuses, on facts that cannot be signed, or on a code that
// is not one.
std::string talon_url(std::string_view public_status_url, const TalonFacts& f,
                      std::string_view code);

// The readable caption under the QR: the address without scheme and query, the number as it
// is, e.g. "talon.akmo.gov.kz/s/ЖТ-2026-00000742". Throws std::invalid_argument like talon_url.
std::string talon_url_caption(std::string_view public_status_url, std::string_view number);

// Back from a scanned address: the facts but the applicant (not in the address), and the code
// in its printed form; nullopt if url is not such an address (or its facts or code could not
// have been printed).
struct ScannedTalon {
    TalonFacts facts;
    std::string code;
};
std::optional<ScannedTalon> parse_talon_url(std::string_view url);

}  // namespace kiosk
