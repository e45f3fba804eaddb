// kiosk-outbox: the kiosk's outbox without a display, for operators and tests. The same code
// the kiosk runs: the same validation, outbox and delivery.
#include "kiosk/catalog.h"
#include "kiosk/complaint.h"
#include "kiosk/config.h"
#include "kiosk/i18n.h"
#include "kiosk/outbox.h"
#include "kiosk/submission.h"

#include <nlohmann/json.hpp>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <thread>

namespace {

using namespace kiosk;
using nlohmann::json;

int usage() {
    std::fprintf(
        stderr,
        "usage: kiosk-outbox --config FILE COMMAND\n"
        "  list [N]              the N most recent complaints (default 20): local number, state,\n"
        "                        attempts, registration number, last error; no personal data\n"
        "  stats                 counts per state and the oldest undelivered complaint\n"
        "  enqueue FILE [N]      checks the complaint in FILE (JSON) and commits it N times\n"
        "                        (default 1), each with its own idempotency key\n"
        "  deliver               sends what is due now, once\n"
        "  deliver-all           sends until nothing is left queued, waiting out the backoff\n"
        "  due-now               makes every queued complaint due now (staff's \"deliver now\")\n"
        "  requeue               sends every complaint held for staff again, now (after the\n"
        "                        configuration the register refused was fixed)\n"
        "  purge                 wipes personal data of delivered, printed complaints past "
        "retention\n");
    return 2;
}

// Section: a complaint from JSON, checked as the touch screen checks it

Addressee addressee_from(const std::string& s) {
    for (Addressee a : {Addressee::ProviderHead, Addressee::Akim, Addressee::EgovPortal})
        if (addressee_code(a) == s) return a;
    return Addressee::None;
}

Complaint complaint_from(const json& j) {
    Complaint c;
    c.addressee = addressee_from(j.value("addressee", ""));
    for (auto [key, field] : {std::pair{"service_code", &c.service_code},
                              {"service_date", &c.service_date},
                              {"surname", &c.surname},
                              {"first_name", &c.first_name},
                              {"patronymic", &c.patronymic},
                              {"iin", &c.iin},
                              {"postal_address", &c.postal_address},
                              {"grounds", &c.grounds},
                              {"demands", &c.demands},
                              {"phone", &c.phone},
                              {"email", &c.email}})
        *field = j.value(key, "");
    for (const auto& o : j.value("officials", json::array()))
        c.officials.push_back(
            {o.value("position", ""), o.value("surname", ""), o.value("initials", "")});
    c.consent = j.value("consent", false);
    for (const auto& stroke : j.value("signature", json::array())) {
        SignatureStroke s;
        for (const auto& p : stroke) s.push_back({p.at(0).get<float>(), p.at(1).get<float>()});
        c.signature.push_back(std::move(s));
    }
    return c;
}

int enqueue(const Config& cfg, const char* file, int copies) {
    std::ifstream in(file);
    if (!in) {
        std::fprintf(stderr, "kiosk-outbox: cannot read %s\n", file);
        return 1;
    }
    const json j = json::parse(in, nullptr, false);
    if (!j.is_object()) {
        std::fprintf(stderr, "kiosk-outbox: %s is not a JSON object\n", file);
        return 1;
    }
    const Complaint c = complaint_from(j);
    const auto errors = validate(c, local_today());
    for (const auto& e : errors)  // names and reasons only: the values are personal data
        std::fprintf(stderr, "kiosk-outbox: %s: %s\n", std::string(field_key(e.field)).c_str(),
                     std::string(error_key(e.problem)).c_str());
    if (!errors.empty()) return 1;
    // What the register defines for the service, as the kiosk last saw it (or asks now).
    std::optional<ServiceCatalog> catalog = load_catalog(cfg);
    if (!catalog)
        if (CatalogResult fetched = fetch_catalog(register_endpoint(cfg)); fetched.ok)
            catalog = std::move(fetched.catalog);
    const net::ServiceDefinition* definition =
        catalog ? definition_of(*catalog, c.service_code) : nullptr;
    const Translations tr = load_translations(cfg.assets_dir / "i18n");
    const Procedure procedure = load_procedure(procedure_file(cfg.assets_dir, cfg.region), tr);
    Outbox outbox(outbox_file(cfg), cfg.kiosk_id);
    for (int i = 0; i < copies; ++i) {
        const auto item =
            outbox.enqueue(to_service_request(c, cfg, tr, procedure, j.value("language", "kk"),
                                              WallClock::now(), new_idempotency_key(), definition),
                           WallClock::now());
        std::printf("accepted %s\n", item.local_number.c_str());  // printed only once durable
        std::fflush(stdout);
    }
    return 0;
}

// Section: looking

std::string age(std::optional<WallClock::time_point> t) {
    if (!t) return "-";
    return std::to_string(
               std::chrono::duration_cast<std::chrono::seconds>(WallClock::now() - *t).count()) +
           " s";
}

int list(const Outbox& outbox, int limit) {
    std::printf("%-22s %-11s %8s  %-24s %s\n", "local number", "state", "attempts",
                "registration number", "last error");
    for (const auto& it : outbox.recent(limit))
        std::printf("%-22s %-11s %8d  %-24s %s\n", it.local_number.c_str(),
                    std::string(delivery_name(it.state)).c_str(), it.attempts,
                    it.registration_number.empty() ? "-" : it.registration_number.c_str(),
                    it.last_error.c_str());
    return 0;
}

int stats(const Outbox& outbox) {
    const auto s = outbox.stats();
    std::printf(
        "queued %d\ndelivering %d\nregistered %d\ndelivered without number %d\nneeds staff "
        "%d\noldest undelivered %s\n",
        s.queued, s.delivering, s.registered, s.delivered, s.needs_staff,
        age(s.oldest_undelivered).c_str());
    return 0;
}

// Section: delivering

int deliver(const Config& cfg, Outbox& outbox, bool until_empty) {
    outbox.recover();
    std::mt19937_64 rng(std::random_device{}());
    int delivered = 0;
    for (;;) {
        delivered += deliver_due(outbox, register_endpoint(cfg), retry_policy(cfg), rng);
        const auto next = outbox.next_due();
        if (!until_empty || !next) break;
        std::this_thread::sleep_until(std::max(*next, WallClock::now()));
    }
    std::printf("delivered %d\n", delivered);
    const auto s = outbox.stats();
    return s.queued + s.delivering == 0 ? 0 : 3;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 4 || std::strcmp(argv[1], "--config") != 0) return usage();
    std::signal(SIGPIPE, SIG_IGN);
    try {
        const Config cfg = load_config(argv[2]);
        set_time_zone(cfg.time_zone);
        net::global_init();
        const std::string command = argv[3];
        const char* arg = argc > 4 ? argv[4] : nullptr;
        if (command == "enqueue" && arg)
            return enqueue(cfg, arg, argc > 5 ? std::max(1, std::atoi(argv[5])) : 1);
        Outbox outbox(outbox_file(cfg), cfg.kiosk_id);
        if (command == "list") return list(outbox, arg ? std::max(1, std::atoi(arg)) : 20);
        if (command == "stats") return stats(outbox);
        if (command == "deliver") return deliver(cfg, outbox, false);
        if (command == "deliver-all") return deliver(cfg, outbox, true);
        if (command == "due-now") return outbox.due_now(WallClock::now()), 0;
        if (command == "requeue") {
            std::printf("requeued %d\n", outbox.requeue(WallClock::now()));
            return 0;
        }
        if (command == "purge") {
            const PurgeReport r = outbox.purge(WallClock::now(), personal_data_policy(cfg));
            std::printf("purged %d complaints, %d talons%s\n", r.complaints, r.talons,
                        r.checkpointed ? "" : " (checkpoint pending: run again)");
            return 0;
        }
        return usage();
    } catch (const ConfigError& e) {
        std::fprintf(stderr, "kiosk-outbox: configuration: %s\n", e.what());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "kiosk-outbox: %s\n", e.what());
    }
    return 1;
}
