// kiosk-command: the operators' side of remote commands (issue 16). An operator's Ed25519 key
// (made once; its public half goes into every kiosk's [remote] operator_keys), a command for one
// kiosk signed with it, and queueing that on the development register's loopback admin
// endpoint. A kiosk checks what this signs with the same rules (kiosk/remote_command).
#include "kiosk/remote_command.h"
#include "kiosk/talon_code.h"

#include <common/atomic_file.h>
#include <common/secret_file.h>
#include <net/loopback.h>
#include <net/register_client.h>
#include <nlohmann/json.hpp>
#include <sodium.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace {

using namespace kiosk;
using json = nlohmann::ordered_json;

constexpr std::size_t kMaxSignedCommandBytes = 16 * 1024;  // what queue reads from stdin

void usage(FILE* out) {
    std::fprintf(
        out,
        "usage: kiosk-command keygen --out FILE\n"
        "         makes an operator's signing key (mode 0600; an existing file is never\n"
        "         replaced) and prints its public key (base64) for kiosk.toml's\n"
        "         [remote] operator_keys\n"
        "       kiosk-command pubkey FILE\n"
        "         prints the public key of an existing key (0600 or 0400, the caller's own)\n"
        "       kiosk-command sign --key FILE --kiosk ID --name NAME [--expires-in 1h]\n"
        "                          [--message-kk TEXT --message-ru TEXT --message-en TEXT]\n"
        "                          [--bundle-url URL --bundle-sha256 HEX --bundle-size BYTES]\n"
        "                          [--id ID]\n"
        "         prints one line {\"payload\":\"...\",\"signature\":\"...\"} for the register\n"
        "         NAME: send_now, restart, reboot, out_of_service (needs the three messages,\n"
        "         1..300 characters each), back_in_service, refresh_catalog, diagnostic_bundle,\n"
        "         update (needs the bundle: its https URL, at most 512 characters, its SHA-256\n"
        "         as 64 lowercase hex digits (sha256sum) and its size in bytes, 1..4 GiB)\n"
        "         --expires-in: 30m, 1h, 2d ... (at most 7d; default 1h); --id: 1..64 of\n"
        "         A-Za-z0-9-_ (default random)\n"
        "       kiosk-command queue --admin http://127.0.0.1:PORT --kiosk ID\n"
        "         reads a signed command (sign's line) on stdin, queues it on the development\n"
        "         register (POST /admin/kiosks/ID/commands) and prints the answer\n"
        "exit: 0 done, 1 failed, 2 bad usage\n");
}

int fail(const std::string& why) {
    std::fprintf(stderr, "kiosk-command: %s\n", why.c_str());
    return 1;
}

int bad_usage(const std::string& why) {
    std::fprintf(stderr, "kiosk-command: %s (kiosk-command --help)\n", why.c_str());
    return 2;
}

std::string base64(const unsigned char* bytes, std::size_t n) {
    std::string out(sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL), '\0');
    sodium_bin2base64(out.data(), out.size(), bytes, n, sodium_base64_VARIANT_ORIGINAL);
    out.resize(std::strlen(out.c_str()));
    return out;
}

// Options as --name value pairs; nullopt (and a message) on anything else.
std::optional<std::map<std::string, std::string>> options(
    int argc, char** argv, std::initializer_list<const char*> known) {
    std::map<std::string, std::string> out;
    for (int i = 0; i < argc; i += 2) {
        const std::string arg = argv[i];
        if (std::find_if(known.begin(), known.end(), [&](const char* k) { return arg == k; }) ==
            known.end()) {
            bad_usage("unknown option " + arg);
            return std::nullopt;
        }
        if (i + 1 >= argc) {
            bad_usage(arg + " needs a value");
            return std::nullopt;
        }
        if (!out.emplace(arg, argv[i + 1]).second) {
            bad_usage(arg + " given twice");
            return std::nullopt;
        }
    }
    return out;
}

// Section: keys

// The secret key in sodium_malloc'd memory (locked, wiped when freed).
struct SecretKey {
    unsigned char* bytes = static_cast<unsigned char*>(sodium_malloc(crypto_sign_SECRETKEYBYTES));
    SecretKey() = default;
    SecretKey(const SecretKey&) = delete;
    SecretKey& operator=(const SecretKey&) = delete;
    ~SecretKey() {
        if (bytes) sodium_free(bytes);
    }
};

// Reads a key keygen made, by the one rule for private keys; "" or why not.
std::string load_key(const std::string& file, SecretKey& key, OperatorKey& public_key) {
    if (!key.bytes) return "no memory for the key";
    std::size_t size = 0;
    const common::FileStatus read =
        common::read_secret_file(file, {key.bytes, crypto_sign_SECRETKEYBYTES}, size);
    if (!read.ok()) return read.message;
    if (size != crypto_sign_SECRETKEYBYTES)
        return file + " holds " + std::to_string(size) + " bytes, not the 64 of an operator key";
    // Seed and public half must belong together: a damaged file is refused, not signed with.
    SecretKey again;
    if (!again.bytes) return "no memory for the key";
    crypto_sign_seed_keypair(public_key.data(), again.bytes, key.bytes);
    if (sodium_memcmp(again.bytes, key.bytes, crypto_sign_SECRETKEYBYTES) != 0)
        return file + " is damaged: its two halves do not belong together";
    return "";
}

int keygen(int argc, char** argv) {
    const auto o = options(argc, argv, {"--out"});
    if (!o) return 2;
    if (!o->count("--out")) return bad_usage("keygen needs --out FILE");
    const std::string file = o->at("--out");
    std::error_code ec;
    const auto type = std::filesystem::symlink_status(file, ec).type();
    if (type != std::filesystem::file_type::not_found)
        return fail(file + (type == std::filesystem::file_type::none
                                ? ": cannot look at it: " + ec.message()
                                : " already exists; an operator's key is never replaced"));
    SecretKey key;
    OperatorKey public_key{};
    if (!key.bytes) return fail("no memory for the key");
    crypto_sign_keypair(public_key.data(), key.bytes);
    const common::FileStatus written = common::write_file_atomically(
        file,
        std::string_view(reinterpret_cast<const char*>(key.bytes), crypto_sign_SECRETKEYBYTES));
    if (!written.ok()) return fail(written.message);
    std::printf("%s\n", base64(public_key.data(), public_key.size()).c_str());
    std::fflush(stdout);
    std::fprintf(stderr,
                 "kiosk-command: made %s (0600); put the public key above into the kiosks' "
                 "[remote] operator_keys\n",
                 file.c_str());
    return 0;
}

int pubkey(int argc, char** argv) {
    if (argc != 1) return bad_usage("pubkey takes one FILE");
    SecretKey key;
    OperatorKey public_key{};
    if (const std::string why = load_key(argv[0], key, public_key); !why.empty()) return fail(why);
    std::printf("%s\n", base64(public_key.data(), public_key.size()).c_str());
    return 0;
}

// Section: sign

// "30m", "1h", "2d" (also "90s"); nullopt for anything else.
std::optional<std::chrono::seconds> duration(const std::string& text) {
    if (text.size() < 2 || text.size() > 8) return std::nullopt;
    const std::string digits = text.substr(0, text.size() - 1);
    if (digits.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
    const long long n = std::stoll(digits);
    switch (text.back()) {
    case 's': return std::chrono::seconds(n);
    case 'm': return std::chrono::minutes(n);
    case 'h': return std::chrono::hours(n);
    case 'd': return std::chrono::hours(24 * n);
    }
    return std::nullopt;
}

std::string random_id() {
    unsigned char b[16];
    randombytes_buf(b, sizeof b);
    static constexpr char hex[] = "0123456789abcdef";
    std::string id;
    for (unsigned char c : b) {
        id += hex[c >> 4];
        id += hex[c & 15];
    }
    return id;
}

int sign(int argc, char** argv) {
    const auto o =
        options(argc, argv,
                {"--key", "--kiosk", "--name", "--expires-in", "--message-kk", "--message-ru",
                 "--message-en", "--bundle-url", "--bundle-sha256", "--bundle-size", "--id"});
    if (!o) return 2;
    for (const char* need : {"--key", "--kiosk", "--name"})
        if (!o->count(need)) return bad_usage(std::string("sign needs ") + need);
    const std::string kiosk = o->at("--kiosk");
    if (!talon_kiosk_id_ok(kiosk))
        return bad_usage("--kiosk: A-Z, 0-9 and '-', at most 32, as kiosk.toml's [kiosk] id");
    const auto name = parse_command_name(o->at("--name"));
    if (!name) return bad_usage("--name: not a command (see --help)");
    const std::string id = o->count("--id") ? o->at("--id") : random_id();
    if (!command_id_ok(id)) return bad_usage("--id: 1..64 of A-Za-z0-9-_");
    const auto lifetime = duration(o->count("--expires-in") ? o->at("--expires-in") : "1h");
    if (!lifetime || *lifetime <= std::chrono::seconds(0) || *lifetime > kMaxCommandLifetime)
        return bad_usage("--expires-in: e.g. 30m, 1h, 2d; more than 0 and at most 7d");
    const bool has_message =
        o->count("--message-kk") || o->count("--message-ru") || o->count("--message-en");
    const auto issued = std::chrono::time_point_cast<std::chrono::seconds>(WallClock::now());
    json payload = {{"v", 1},
                    {"id", id},
                    {"kiosk", kiosk},
                    {"name", command_name(*name)},
                    {"issued_at", utc_iso(issued)},
                    {"expires_at", utc_iso(issued + *lifetime)}};
    if (*name == CommandName::OutOfService) {
        json message = json::object();
        for (const char* lang : {"kk", "ru", "en"}) {
            const std::string option = std::string("--message-") + lang;
            if (!o->count(option)) return bad_usage("out_of_service needs " + option);
            if (const std::string why = message_text_problem(o->at(option)); !why.empty())
                return bad_usage(option + ": " + why);
            message[lang] = o->at(option);
        }
        payload["message"] = message;
    } else if (has_message) {
        return bad_usage("only out_of_service carries a message");
    }
    const bool has_bundle =
        o->count("--bundle-url") || o->count("--bundle-sha256") || o->count("--bundle-size");
    if (*name == CommandName::Update) {
        for (const char* need : {"--bundle-url", "--bundle-sha256", "--bundle-size"})
            if (!o->count(need)) return bad_usage(std::string("update needs ") + need);
        const std::string& size = o->at("--bundle-size");
        if (size.empty() || size.size() > 12 || size.find_first_not_of("0123456789") != size.npos)
            return bad_usage("--bundle-size: the bundle's size in bytes, e.g. 524288000");
        const BundleOrder order{o->at("--bundle-url"), o->at("--bundle-sha256"), std::stoull(size)};
        if (const std::string why = bundle_problem(order); !why.empty()) return bad_usage(why);
        payload["bundle"] = {{"url", order.url}, {"sha256", order.sha256}, {"size", order.size}};
    } else if (has_bundle) {
        return bad_usage("only update carries a bundle");
    }

    SecretKey key;
    OperatorKey public_key{};
    if (const std::string why = load_key(o->at("--key"), key, public_key); !why.empty())
        return fail(why);
    const std::string text = payload.dump();
    unsigned char signature[crypto_sign_BYTES];
    crypto_sign_detached(signature, nullptr, reinterpret_cast<const unsigned char*>(text.data()),
                         text.size(), key.bytes);
    const json line = {{"payload", text}, {"signature", base64(signature, sizeof signature)}};
    std::printf("%s\n", line.dump().c_str());
    return 0;
}

// Section: queue

int queue(int argc, char** argv) {
    const auto o = options(argc, argv, {"--admin", "--kiosk"});
    if (!o) return 2;
    if (!o->count("--admin") || !o->count("--kiosk"))
        return bad_usage("queue needs --admin URL and --kiosk ID");
    std::string admin = o->at("--admin");
    const std::string kiosk = o->at("--kiosk");
    // The admin endpoint is plain HTTP on loopback only (net's one rule): nothing else is asked.
    if (!net::loopback_http_url(admin))
        return bad_usage("--admin: the register's loopback admin address, http://127.0.0.1:PORT");
    if (!talon_kiosk_id_ok(kiosk)) return bad_usage("--kiosk: not a kiosk id");
    std::string input;
    char buf[4096];
    while (input.size() <= kMaxSignedCommandBytes && std::cin.read(buf, sizeof buf).gcount() > 0)
        input.append(buf, static_cast<std::size_t>(std::cin.gcount()));
    if (input.size() > kMaxSignedCommandBytes) return fail("stdin: larger than 16 KiB");
    const json signed_command = json::parse(input, nullptr, false);
    if (!signed_command.is_object() || !signed_command.contains("payload") ||
        !signed_command.contains("signature") || !signed_command["payload"].is_string() ||
        !signed_command["signature"].is_string())
        return fail("stdin: not a signed command (kiosk-command sign's line)");
    const json payload = json::parse(signed_command["payload"].get<std::string>(), nullptr, false);
    if (!payload.is_object() || payload.value("kiosk", json()) != kiosk)
        return fail("stdin: the command is not for kiosk " + kiosk);

    if (!admin.empty() && admin.back() == '/') admin.pop_back();
    const std::string url = admin + "/admin/kiosks/" + kiosk + "/commands";
    net::global_init();
    const net::LoopbackAnswer a = net::post_json_to_loopback(url, signed_command.dump());
    if (!a.error.empty()) return fail(url + ": " + a.error);
    std::printf("%s%s", a.body.c_str(), a.body.empty() || a.body.back() != '\n' ? "\n" : "");
    if (a.http_status < 200 || a.http_status >= 300)
        return fail("the register answered HTTP " + std::to_string(a.http_status));
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    const std::string_view command = argc > 1 ? argv[1] : "";
    if (command == "--help" || command == "-h" || command == "help") {
        usage(stdout);
        return 0;
    }
    if (sodium_init() < 0) return fail("libsodium cannot start");
    if (command == "keygen") return keygen(argc - 2, argv + 2);
    if (command == "pubkey") return pubkey(argc - 2, argv + 2);
    if (command == "sign") return sign(argc - 2, argv + 2);
    if (command == "queue") return queue(argc - 2, argv + 2);
    usage(stderr);
    return 2;
}
