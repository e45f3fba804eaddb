// kiosk-talon: the talon's signing key (made once, at enrolment) and checking a talon's code
// against the fleet's published keys, typed from the paper or scanned from its QR code.
#include "kiosk/talon_code.h"

#include <cstdio>
#include <cstring>
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace kiosk;

// Exit codes of verify: the verdict, or why there is none.
enum Exit { Genuine = 0, Forged = 1, UnknownKiosk = 2, BadInput = 3, NoKeys = 4 };

constexpr const char* kDefaultKeys = "/etc/complaint-kiosk/talon-keys.toml";

void usage(FILE* out) {
    std::fprintf(
        out,
        "usage: kiosk-talon keygen SECRET_FILE KIOSK_ID\n"
        "         makes the kiosk's signing key (mode 0600; an existing file is never replaced)\n"
        "         and prints its line for the fleet's talon-keys.toml:  \"KSK-ID\" = \"base64\"\n"
        "       kiosk-talon pubkey SECRET_FILE KIOSK_ID\n"
        "         prints that line again for an existing key (which must load: 0600 or 0400,\n"
        "         the caller's own)\n"
        "       kiosk-talon verify [--keys FILE] --url URL --applicant NAME\n"
        "       kiosk-talon verify [--keys FILE] --number N --accepted \"DD.MM.YYYY HH:MM\"\n"
        "                          --kiosk ID --addressee CODE --applicant NAME CODE...\n"
        "         checks a talon's code: --url is the address its QR code holds (the code and\n"
        "         every fact but the applicant are in it); otherwise type them from the paper.\n"
        "         NAME is the applicant as printed, e.g. \"Әбілқасымова А. Қ.\" (case and\n"
        "         spaces do not matter); the code may be typed with or without its spaces.\n"
        "         --keys: the fleet's public keys (default %s)\n"
        "         Prints and exits with: genuine 0, forged 1, unknown kiosk ID 2;\n"
        "         3: malformed input (arguments, date, code); 4: the keys file is unusable.\n",
        kDefaultKeys);
}

// Section: keys

int keygen(const char* file, const char* kiosk_id, bool make) {
    if (!talon_kiosk_id_ok(kiosk_id)) {
        std::fprintf(stderr,
                     "kiosk-talon: %s is not a kiosk id (A-Z, 0-9 and '-', at most 32, as "
                     "kiosk.toml's [kiosk] id)\n",
                     kiosk_id);
        return 2;
    }
    try {
        const TalonPublicKey key =
            make ? TalonSigner::create(file) : TalonSigner::load(file).public_key();
        std::printf("%s\n", fleet_key_line(kiosk_id, key).c_str());
        std::fflush(stdout);  // the line before the advice on stderr, when both go to one file
    } catch (const std::exception& e) {
        std::fprintf(stderr, "kiosk-talon: %s\n", e.what());
        return 1;
    }
    if (make)
        std::fprintf(stderr,
                     "kiosk-talon: made %s; add the line above under [keys] in the "
                     "fleet's talon-keys.toml\n",
                     file);
    return 0;
}

// Section: verify

struct VerifyArgs {
    std::string keys = kDefaultKeys;
    std::optional<std::string> url, number, accepted, kiosk, addressee, applicant;
    std::string code;  // the positional words, joined by spaces
};

int bad_input(const std::string& why) {
    std::fprintf(stderr, "kiosk-talon: %s (kiosk-talon --help)\n", why.c_str());
    return BadInput;
}

// nullopt and a message on a bad option.
std::optional<VerifyArgs> parse_verify(int argc, char** argv) {
    VerifyArgs a;
    bool keys_given = false;
    for (int i = 0; i < argc; ++i) {
        const std::string_view arg = argv[i];
        std::optional<std::string>* slot = arg == "--url"         ? &a.url
                                           : arg == "--number"    ? &a.number
                                           : arg == "--accepted"  ? &a.accepted
                                           : arg == "--kiosk"     ? &a.kiosk
                                           : arg == "--addressee" ? &a.addressee
                                           : arg == "--applicant" ? &a.applicant
                                                                  : nullptr;
        if (slot || arg == "--keys") {
            if (i + 1 >= argc) {
                bad_input(std::string(arg) + " needs a value");
                return std::nullopt;
            }
            if ((slot && slot->has_value()) || (!slot && keys_given)) {
                bad_input(std::string(arg) + " given twice");
                return std::nullopt;
            }
            if (slot)
                *slot = argv[++i];
            else
                a.keys = argv[++i], keys_given = true;
        } else if (arg.starts_with("--")) {
            bad_input("unknown option " + std::string(arg));
            return std::nullopt;
        } else {
            if (!a.code.empty()) a.code += ' ';
            a.code += arg;
        }
    }
    return a;
}

const char* verdict_word(TalonVerdict v) {
    switch (v) {
    case TalonVerdict::Genuine: return "genuine";
    case TalonVerdict::Forged: return "forged";
    case TalonVerdict::UnknownKiosk: return "unknown kiosk";
    case TalonVerdict::Malformed: break;
    }
    return "malformed";
}

int verify(int argc, char** argv) {
    const auto a = parse_verify(argc, argv);
    if (!a) return BadInput;
    if (!a->applicant) return bad_input("--applicant is needed (the applicant as printed)");
    TalonFacts facts;
    std::string code = a->code;
    if (a->url) {
        if (a->number || a->accepted || a->kiosk || a->addressee || !code.empty())
            return bad_input(
                "--url holds the facts and the code: give nothing else but "
                "--applicant and --keys");
        const auto scanned = parse_talon_url(*a->url);
        if (!scanned) return bad_input("not a talon's address: " + *a->url);
        facts = scanned->facts;
        code = scanned->code;
        // A forged paper may carry a genuine talon's QR code: the paper must say the same.
        std::fprintf(stderr,
                     "kiosk-talon: the QR code says: number %s, accepted %s, kiosk %s, addressee "
                     "%s; check that the paper says the same\n",
                     facts.number.c_str(), facts.accepted_at.c_str(), facts.kiosk_id.c_str(),
                     facts.addressee.c_str());
    } else {
        if (!a->number || !a->accepted || !a->kiosk || !a->addressee)
            return bad_input("give --url, or --number, --accepted, --kiosk and --addressee");
        if (code.empty()) return bad_input("the talon's code is missing");
        facts = {*a->number, *a->accepted, *a->kiosk, *a->addressee, ""};
    }
    facts.applicant = *a->applicant;
    if (std::string problem = talon_facts_problem(facts); !problem.empty())
        return bad_input(problem);

    FleetKeys keys;
    try {
        keys = load_fleet_keys(a->keys);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "kiosk-talon: %s\n", e.what());
        return NoKeys;
    }
    const TalonVerdict v = verify_talon(facts, code, keys);
    switch (v) {
    case TalonVerdict::Genuine: std::printf("genuine\n"); return Genuine;
    case TalonVerdict::Forged:
        std::printf("forged\n");
        std::fprintf(stderr,
                     "kiosk-talon: the code does not match these facts under kiosk %s's key; "
                     "check what was typed before calling the talon forged\n",
                     facts.kiosk_id.c_str());
        return Forged;
    case TalonVerdict::UnknownKiosk:
        std::printf("%s %s\n", verdict_word(v), facts.kiosk_id.c_str());
        std::fprintf(stderr, "kiosk-talon: %s has no key for kiosk %s\n", a->keys.c_str(),
                     facts.kiosk_id.c_str());
        return UnknownKiosk;
    case TalonVerdict::Malformed: break;
    }
    return bad_input("the code is not 103 characters of A-Z and 2-7 (spaces and dashes aside)");
}

}  // namespace

int main(int argc, char** argv) {
    const std::string_view command = argc > 1 ? argv[1] : "";
    if (command == "--help" || command == "-h" || command == "help") {
        usage(stdout);
        return 0;
    }
    if ((command == "keygen" || command == "pubkey") && argc == 4)
        return keygen(argv[2], argv[3], command == "keygen");
    if (command == "verify") return verify(argc - 2, argv + 2);
    usage(stderr);
    return 2;
}
