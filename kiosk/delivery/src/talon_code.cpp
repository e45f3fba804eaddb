// kiosk/talon_code: Ed25519 over a talon's facts (libsodium), the fleet's keys, the QR address.
#include "kiosk/talon_code.h"

#include "kiosk/text.h"
#include "kiosk/toml_reader.h"

#include <common/atomic_file.h>
#include <common/ids.h>
#include <common/secret_file.h>
#include <net/register_client.h>
#include <sodium.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <utility>

namespace kiosk {
namespace {

// Section: libsodium

void need_sodium() {
    // sodium_init() picks the fastest code and seeds the generator; a function-local static
    // runs it once, whichever thread comes first.
    static const bool ok = sodium_init() >= 0;
    if (!ok) throw std::runtime_error("libsodium cannot start (sodium_init failed)");
}

static_assert(crypto_sign_PUBLICKEYBYTES == std::tuple_size_v<TalonPublicKey>);
constexpr std::size_t kSignatureBytes = crypto_sign_BYTES;  // 64

// Section: the facts, checked

constexpr std::size_t kMaxNumberBytes = 64;
constexpr std::size_t kMaxAddresseeBytes = 64;
constexpr std::size_t kMaxApplicantBytes = 200;

struct Minute {
    int year, month, day, hour, minute;
};

bool digits(std::string_view s) {
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return !s.empty();
}

int number_of(std::string_view s) {
    int v = 0;
    for (char c : s) v = v * 10 + (c - '0');
    return v;
}

bool real_minute(const Minute& m) {
    using namespace std::chrono;
    const year_month_day d{year{m.year}, month{static_cast<unsigned>(m.month)},
                           day{static_cast<unsigned>(m.day)}};
    return m.year >= 2000 && m.year <= 9999 && d.ok() && m.hour >= 0 && m.hour < 24 &&
           m.minute >= 0 && m.minute < 60;
}

// "DD.MM.YYYY HH:MM", as the talon prints it.
std::optional<Minute> printed_minute(std::string_view s) {
    if (s.size() != 16 || s[2] != '.' || s[5] != '.' || s[10] != ' ' || s[13] != ':')
        return std::nullopt;
    const auto part = [&](std::size_t at, std::size_t n) { return s.substr(at, n); };
    for (auto [at, n] : {std::pair{0, 2}, {3, 2}, {6, 4}, {11, 2}, {14, 2}})
        if (!digits(part(at, n))) return std::nullopt;
    const Minute m{number_of(part(6, 4)), number_of(part(3, 2)), number_of(part(0, 2)),
                   number_of(part(11, 2)), number_of(part(14, 2))};
    if (!real_minute(m)) return std::nullopt;
    return m;
}

// "YYYYMMDDHHMM", as the QR address carries it.
std::optional<Minute> compact_minute(std::string_view s) {
    if (s.size() != 12 || !digits(s)) return std::nullopt;
    const Minute m{number_of(s.substr(0, 4)), number_of(s.substr(4, 2)), number_of(s.substr(6, 2)),
                   number_of(s.substr(8, 2)), number_of(s.substr(10, 2))};
    if (!real_minute(m)) return std::nullopt;
    return m;
}

// The minute in a layout that names its fields by position (POSIX printf): 1 year, 2 month,
// 3 day, 4 hour, 5 minute.
constexpr const char* kIsoMinute = "%1$04d-%2$02d-%3$02dT%4$02d:%5$02d";      // the payload
constexpr const char* kCompactMinute = "%1$04d%2$02d%3$02d%4$02d%5$02d";      // the QR address
constexpr const char* kPrintedMinute = "%3$02d.%2$02d.%1$04d %4$02d:%5$02d";  // the talon

std::string minute_text(const Minute& m, const char* layout) {
    char text[32];
    std::snprintf(text, sizeof text, layout, m.year, m.month, m.day, m.hour, m.minute);
    return text;
}

// Well-formed UTF-8 without control characters.
bool plain_text(std::string_view s) {
    const auto cps = decode_utf8(s);
    if (!cps) return false;
    for (char32_t cp : *cps)
        if (is_control(cp)) return false;
    return true;
}

bool number_ok(std::string_view s) {
    return !s.empty() && s.size() <= kMaxNumberBytes && plain_text(s) && s.front() != ' ' &&
           s.back() != ' ';
}

// The same rule as kiosk.toml's [kiosk] id (which names the talon's file and the local number).
using common::kiosk_id_ok;

bool addressee_ok(std::string_view s) {
    return !s.empty() && s.size() <= kMaxAddresseeBytes &&
           s.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_:.-") == std::string::npos;
}

bool space(char32_t cp) { return cp == U' ' || cp == U'\t' || cp == U'\u00A0'; }

// Letters in capitals, runs of spaces as one, none after a full stop or at either end: what a
// person reading the talon types gives the same bytes as what the kiosk printed.
std::optional<std::string> normalised_applicant(std::string_view s) {
    if (s.empty() || s.size() > kMaxApplicantBytes) return std::nullopt;
    const auto cps = decode_utf8(s);
    if (!cps) return std::nullopt;
    std::string out;
    bool letter = false, pending_space = false;
    for (char32_t cp : *cps) {
        if (space(cp)) {
            pending_space = !out.empty() && out.back() != '.';
            continue;
        }
        if (is_control(cp)) return std::nullopt;
        if (pending_space) out += ' ';
        pending_space = false;
        letter = letter || is_name_letter(cp);
        append_utf8(out, to_upper(cp));
    }
    if (!letter) return std::nullopt;
    return out;
}

std::string facts_problem(const TalonFacts& f) {
    if (!number_ok(f.number))
        return "talon number: 1 to 64 bytes of UTF-8 without control characters or outer spaces";
    if (!printed_minute(f.accepted_at))
        return "talon date and time: not a real one in the form DD.MM.YYYY HH:MM";
    if (!kiosk_id_ok(f.kiosk_id))
        return "talon kiosk: A-Z, 0-9 and '-', at most 32, no '-' at either end";
    if (!addressee_ok(f.addressee)) return "talon addressee: 1 to 64 of a-z, 0-9, _ : . -";
    if (!normalised_applicant(f.applicant))
        return "talon applicant: 1 to 200 bytes of UTF-8 with letters, no control characters";
    return "";
}

void require_facts(const TalonFacts& f) {
    if (std::string problem = facts_problem(f); !problem.empty())
        throw std::invalid_argument(problem);
}

std::string hex(const unsigned char* bytes, std::size_t n) {
    static constexpr char digit[] = "0123456789abcdef";
    std::string out;
    for (std::size_t i = 0; i < n; ++i) {
        out += digit[bytes[i] >> 4];
        out += digit[bytes[i] & 15];
    }
    return out;
}

// Section: the printed code (RFC 4648 base32, no padding, groups of 4)

constexpr char kBase32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
constexpr std::size_t kCodeChars = (kSignatureBytes * 8 + 4) / 5;  // 103
constexpr std::size_t kCodeGroup = 4;

std::string base32(const unsigned char* bytes, std::size_t n) {
    std::string out;
    unsigned buffer = 0;
    int bits = 0;
    for (std::size_t i = 0; i < n; ++i) {
        buffer = (buffer << 8) | bytes[i];
        bits += 8;
        while (bits >= 5) {
            out += kBase32[(buffer >> (bits - 5)) & 31];
            bits -= 5;
        }
        buffer &= (1u << bits) - 1;
    }
    if (bits > 0) out += kBase32[(buffer << (5 - bits)) & 31];
    return out;
}

std::string grouped(std::string_view compact) {
    std::string out;
    for (std::size_t i = 0; i < compact.size(); ++i) {
        if (i > 0 && i % kCodeGroup == 0) out += ' ';
        out += compact[i];
    }
    return out;
}

// The code as typed or scanned: spaces, dashes and case ignored; exactly a signature's
// characters, the unused low bits of the last one zero (one code per signature).
std::optional<std::array<unsigned char, kSignatureBytes>> decode_code(std::string_view code) {
    if (code.size() > 4 * kCodeChars) return std::nullopt;
    std::array<unsigned char, kSignatureBytes> out{};
    std::size_t chars = 0, at = 0;
    unsigned buffer = 0;
    int bits = 0;
    for (char c : code) {
        if (c == ' ' || c == '-' || c == '\t') continue;
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
        unsigned v;
        if (c >= 'A' && c <= 'Z')
            v = static_cast<unsigned>(c - 'A');
        else if (c >= '2' && c <= '7')
            v = static_cast<unsigned>(c - '2' + 26);
        else
            return std::nullopt;
        if (++chars > kCodeChars) return std::nullopt;
        buffer = ((buffer << 5) | v) & 0x1FFF;
        bits += 5;
        if (bits >= 8) {
            out[at++] = static_cast<unsigned char>(buffer >> (bits - 8));
            bits -= 8;
        }
    }
    if (chars != kCodeChars || (buffer & ((1u << bits) - 1)) != 0) return std::nullopt;
    return out;
}

std::string compact_code(std::string_view code) {
    const auto sig = decode_code(code);
    if (!sig) throw std::invalid_argument("talon code: not 103 characters of A-Z and 2-7");
    return base32(sig->data(), sig->size());
}

// Section: the QR address

struct UrlTemplate {
    std::string_view scheme;  // "https://"
    std::string_view before;  // host and path up to "{}"
    std::string_view query;   // the template's own query, without '?'; usually empty
};

std::optional<UrlTemplate> split_template(std::string_view url) {
    UrlTemplate t;
    for (std::string_view scheme : {"https://", "http://"})
        if (url.substr(0, scheme.size()) == scheme) t.scheme = scheme;
    if (t.scheme.empty() || url.size() > 512) return std::nullopt;
    for (unsigned char c : url)
        if (c <= 0x20 || c >= 0x7F || c == '#') return std::nullopt;
    std::string_view rest = url.substr(t.scheme.size());
    if (const auto q = rest.find('?'); q != std::string_view::npos) {
        t.query = rest.substr(q + 1);
        rest = rest.substr(0, q);
    }
    // "{}" only once, as the whole last segment of a path below a host.
    const auto slash = rest.find('/');
    if (slash == 0 || slash == std::string_view::npos || rest.size() < 3 ||
        rest.substr(rest.size() - 3) != "/{}" || rest.find("{}") != rest.size() - 2 ||
        t.query.find("{}") != std::string_view::npos)
        return std::nullopt;
    t.before = rest.substr(0, rest.size() - 2);
    return t;
}

UrlTemplate require_template(std::string_view url) {
    const auto t = split_template(url);
    if (!t)
        throw std::invalid_argument(
            "talon address: not an http(s) address with {} as the last part of its path");
    return *t;
}

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Strict percent-decoding: a '%' not followed by two hex digits is refused.
std::optional<std::string> unescape(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '%') {
            out += s[i];
            continue;
        }
        if (i + 2 >= s.size()) return std::nullopt;
        const int hi = hex_digit(s[i + 1]), lo = hex_digit(s[i + 2]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
    }
    return out;
}

// Section: the fleet's key file

constexpr std::size_t kMaxFleetFileBytes = 1 << 20;

std::string read_text(const std::filesystem::path& file) {
    // Checked before opening: a FIFO in its place would hang the open.
    std::error_code ec;
    const auto type = std::filesystem::status(file, ec).type();
    if (type == std::filesystem::file_type::not_found)
        throw std::runtime_error(file.string() + ": no such file");
    if (type != std::filesystem::file_type::regular)
        throw std::runtime_error(file.string() + ": " +
                                 (ec ? "cannot read it: " + ec.message() : "not a regular file"));
    std::ifstream in(file, std::ios::binary);
    if (!in) throw std::runtime_error(file.string() + ": cannot read it");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) throw std::runtime_error(file.string() + ": cannot read it");
    if (text.size() > kMaxFleetFileBytes)
        throw std::runtime_error(file.string() + ": larger than 1 MiB: not a fleet's key file");
    return text;
}

[[noreturn]] void fleet_fail(const std::filesystem::path& file, const toml::node* at,
                             const std::string& key, const std::string& why) {
    std::ostringstream msg;
    msg << file.string();
    if (at && at->source().begin.line > 0) msg << ':' << at->source().begin.line;
    msg << ": " << key << ": " << why;
    throw std::runtime_error(msg.str());
}

std::optional<TalonPublicKey> decode_public_key(std::string_view base64) {
    TalonPublicKey key{};
    std::size_t n = 0;
    if (base64.size() > 64 ||
        sodium_base642bin(key.data(), key.size(), base64.data(), base64.size(), nullptr, &n,
                          nullptr, sodium_base64_VARIANT_ORIGINAL) != 0 ||
        n != key.size())
        return std::nullopt;
    // A small-order or non-canonical point would let signatures "verify" for anything.
    if (crypto_core_ed25519_is_valid_point(key.data()) != 1) return std::nullopt;
    return key;
}

}  // namespace

// Section: facts and payload

std::string talon_facts_problem(const TalonFacts& f) { return facts_problem(f); }
bool talon_kiosk_id_ok(std::string_view kiosk_id) { return kiosk_id_ok(kiosk_id); }

std::string talon_payload(const TalonFacts& f) {
    require_facts(f);
    need_sodium();
    const std::string applicant = *normalised_applicant(f.applicant);
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(applicant.data()),
                       applicant.size());
    std::string out = "complaint-kiosk talon v1\n";
    out += "number=" + f.number + "\n";
    out += "accepted=" + minute_text(*printed_minute(f.accepted_at), kIsoMinute) + "\n";
    out += "kiosk=" + f.kiosk_id + "\n";
    out += "addressee=" + f.addressee + "\n";
    out += "applicant-sha256=" + hex(digest, sizeof digest) + "\n";
    return out;
}

// Section: the signer

TalonSigner TalonSigner::load(const std::filesystem::path& secret_key_file) {
    need_sodium();
    const auto failed = [&](const std::string& why) {
        return std::runtime_error("talon key " + secret_key_file.string() + ": " + why);
    };
    TalonSigner s;
    s.secret_ = static_cast<unsigned char*>(sodium_malloc(crypto_sign_SECRETKEYBYTES));
    if (!s.secret_) throw failed("no memory to hold it");
    std::size_t size = 0;
    const common::FileStatus read =
        common::read_secret_file(secret_key_file, {s.secret_, crypto_sign_SECRETKEYBYTES}, size);
    if (!read.ok()) throw std::runtime_error("talon key: " + read.message);
    if (size != crypto_sign_SECRETKEYBYTES)
        throw failed("holds " + std::to_string(size) + " bytes, not the 64 of a talon key");
    // The key is its seed followed by its public key: both halves must agree (a damaged or
    // foreign file is refused here, not discovered when every talon fails to verify).
    unsigned char* again = static_cast<unsigned char*>(sodium_malloc(crypto_sign_SECRETKEYBYTES));
    if (!again) throw failed("no memory to check it");
    crypto_sign_seed_keypair(s.public_key_.data(), again, s.secret_);
    const bool same = sodium_memcmp(again, s.secret_, crypto_sign_SECRETKEYBYTES) == 0;
    sodium_free(again);
    if (!same) throw failed("damaged: its two halves do not belong together");
    sodium_mprotect_readonly(s.secret_);
    return s;
}

TalonPublicKey TalonSigner::create(const std::filesystem::path& secret_key_file) {
    need_sodium();
    const auto failed = [&](const std::string& why) {
        return std::runtime_error("talon key " + secret_key_file.string() + ": " + why);
    };
    std::error_code ec;
    const auto type = std::filesystem::symlink_status(secret_key_file, ec).type();
    if (type != std::filesystem::file_type::not_found)
        throw failed(type == std::filesystem::file_type::none
                         ? "cannot look at it: " + ec.message()
                         : "already exists; a kiosk's key is made once (talons it signed are "
                           "checked with it)");
    TalonPublicKey pk{};
    unsigned char* sk = static_cast<unsigned char*>(sodium_malloc(crypto_sign_SECRETKEYBYTES));
    if (!sk) throw failed("no memory to make it");
    crypto_sign_keypair(pk.data(), sk);
    const common::FileStatus written = common::write_file_atomically(
        secret_key_file,
        std::string_view(reinterpret_cast<const char*>(sk), crypto_sign_SECRETKEYBYTES));
    sodium_free(sk);
    if (!written.ok()) throw std::runtime_error("talon key: " + written.message);
    return pk;
}

TalonSigner::TalonSigner(TalonSigner&& other) noexcept
    : secret_(std::exchange(other.secret_, nullptr)), public_key_(other.public_key_) {}

TalonSigner& TalonSigner::operator=(TalonSigner&& other) noexcept {
    if (this != &other) {
        if (secret_) sodium_free(secret_);
        secret_ = std::exchange(other.secret_, nullptr);
        public_key_ = other.public_key_;
    }
    return *this;
}

TalonSigner::~TalonSigner() {
    if (secret_) sodium_free(secret_);  // wipes it
}

std::string TalonSigner::code(const TalonFacts& f) const {
    const std::string payload = talon_payload(f);
    if (!secret_) throw std::logic_error("talon key: moved away");
    unsigned char sig[kSignatureBytes];
    crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(payload.data()),
                         payload.size(), secret_);
    return grouped(base32(sig, sizeof sig));
}

// Section: checking

FleetKeys load_fleet_keys(const std::filesystem::path& file) {
    need_sodium();
    const std::string text = read_text(file);
    const toml::table root = parse_toml<std::runtime_error>(text, file.string());
    FleetKeys fleet;
    for (const auto& [name, node] : root) {
        const std::string key(name.str());
        if (key != "keys")
            fleet_fail(file, &node, key,
                       "unknown; the file holds only [keys] \"KSK-ID\" = \"...\"");
        const toml::table* keys = node.as_table();
        if (!keys) fleet_fail(file, &node, key, "must be a table: [keys]");
        for (const auto& [kiosk, value] : *keys) {
            const std::string id(kiosk.str());
            const std::string where = "keys." + id;
            if (!kiosk_id_ok(id))
                fleet_fail(file, &value, where,
                           "not a kiosk id (A-Z, 0-9 and '-', at most 32, no '-' at either end)");
            const auto text_value = value.value_exact<std::string>();
            if (!text_value) fleet_fail(file, &value, where, "must be a string (base64)");
            const auto pk = decode_public_key(*text_value);
            if (!pk)
                fleet_fail(file, &value, where,
                           "not an Ed25519 public key (32 bytes in base64, as kiosk-talon keygen "
                           "prints)");
            fleet.by_kiosk[id] = *pk;
        }
    }
    return fleet;
}

std::string fleet_key_line(std::string_view kiosk_id, const TalonPublicKey& key) {
    char b64[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_ORIGINAL)];
    sodium_bin2base64(b64, sizeof b64, key.data(), key.size(), sodium_base64_VARIANT_ORIGINAL);
    return "\"" + std::string(kiosk_id) + "\" = \"" + b64 + "\"";
}

TalonVerdict verify_talon(const TalonFacts& f, std::string_view code, const FleetKeys& keys) {
    try {
        if (!facts_problem(f).empty()) return TalonVerdict::Malformed;
        const auto sig = decode_code(code);
        if (!sig) return TalonVerdict::Malformed;
        const auto key = keys.by_kiosk.find(f.kiosk_id);
        if (key == keys.by_kiosk.end()) return TalonVerdict::UnknownKiosk;
        const std::string payload = talon_payload(f);
        return crypto_sign_verify_detached(sig->data(),
                                           reinterpret_cast<const unsigned char*>(payload.data()),
                                           payload.size(), key->second.data()) == 0
                   ? TalonVerdict::Genuine
                   : TalonVerdict::Forged;
    } catch (...) {  // libsodium that cannot start, no memory: nothing can be said
        return TalonVerdict::Malformed;
    }
}

// Section: the QR address

bool talon_url_template_ok(std::string_view public_status_url) {
    return split_template(public_status_url).has_value();
}

std::string talon_url(std::string_view public_status_url, const TalonFacts& f,
                      std::string_view code) {
    const UrlTemplate t = require_template(public_status_url);
    require_facts(f);
    std::string url = std::string(t.scheme) + std::string(t.before) + net::escape(f.number) + '?';
    if (!t.query.empty()) url += std::string(t.query) + '&';
    url += "k=" + f.kiosk_id;
    url += "&t=" + minute_text(*printed_minute(f.accepted_at), kCompactMinute);
    url += "&a=" + net::escape(f.addressee);
    url += "&c=" + compact_code(code);
    return url;
}

std::string talon_url_caption(std::string_view public_status_url, std::string_view number) {
    const UrlTemplate t = require_template(public_status_url);
    if (!number_ok(number))
        throw std::invalid_argument(
            "talon number: 1 to 64 bytes of UTF-8 without control characters or outer spaces");
    return std::string(t.before) + std::string(number);
}

std::optional<ScannedTalon> parse_talon_url(std::string_view url) {
    if (url.size() > 2048) return std::nullopt;
    std::string_view rest;
    for (std::string_view scheme : {"https://", "http://"}) {
        if (url.size() < scheme.size()) continue;
        bool same = true;
        for (std::size_t i = 0; i < scheme.size(); ++i)
            same = same && (url[i] | 0x20) == (scheme[i] | 0x20);  // the scheme in any case
        if (same) rest = url.substr(scheme.size());
    }
    if (rest.empty()) return std::nullopt;
    for (unsigned char c : rest)
        if (c <= 0x20 || c == 0x7F) return std::nullopt;  // a scanner may pass UTF-8 through
    if (const auto hash = rest.find('#'); hash != std::string_view::npos)
        rest = rest.substr(0, hash);
    const auto q = rest.find('?');
    if (q == std::string_view::npos) return std::nullopt;
    const std::string_view path = rest.substr(0, q), query = rest.substr(q + 1);
    const auto slash = path.rfind('/');
    if (slash == std::string_view::npos || path.find('/') == 0) return std::nullopt;
    const auto number = unescape(path.substr(slash + 1));
    if (!number) return std::nullopt;

    std::optional<std::string> k, t, a, c;
    for (std::size_t at = 0; at <= query.size();) {
        const auto end = std::min(query.find('&', at), query.size());
        const std::string_view pair = query.substr(at, end - at);
        at = end + 1;
        const auto eq = pair.find('=');
        if (eq == std::string_view::npos) continue;
        const std::string_view name = pair.substr(0, eq);
        std::optional<std::string>* slot = name == "k"   ? &k
                                           : name == "t" ? &t
                                           : name == "a" ? &a
                                           : name == "c" ? &c
                                                         : nullptr;
        if (!slot) continue;  // the template's own query
        if (slot->has_value()) return std::nullopt;
        *slot = unescape(pair.substr(eq + 1));
        if (!slot->has_value()) return std::nullopt;
    }
    if (!k || !t || !a || !c) return std::nullopt;
    const auto minute = compact_minute(*t);
    const auto sig = decode_code(*c);
    if (!minute || !sig) return std::nullopt;
    ScannedTalon s;
    s.facts = {*number, minute_text(*minute, kPrintedMinute), *k, *a, ""};
    if (!number_ok(s.facts.number) || !kiosk_id_ok(s.facts.kiosk_id) ||
        !addressee_ok(s.facts.addressee))
        return std::nullopt;
    s.code = grouped(base32(sig->data(), sig->size()));
    return s;
}

}  // namespace kiosk
