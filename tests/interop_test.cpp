// Any Open311 server, through the whole outbox: the development register as this project's own
// ("kiosk" profile: JSON, Idempotency-Key honoured) and as a plain GeoReport v2 server ("stock":
// XML only, jurisdiction_id required, Idempotency-Key ignored, realtime, batch and blackbox
// services). Every complaint ends registered, delivered without a number, or held for staff
// with a reason; the register holds each one it took exactly once.
#include "dev_register.h"
#include "process.h"
#include "sample_request.h"

#include "kiosk/catalog.h"
#include "kiosk/outbox.h"

#include <gtest/gtest.h>

#include <sstream>

using namespace kiosk;
using namespace std::chrono_literals;

namespace {

struct Server {
    const char* profile;
    net::Format format;
};
void PrintTo(const Server& s, std::ostream* os) { *os << s.profile; }

// The register's endpoint as a kiosk configured for it would have it.
net::RegisterEndpoint endpoint_for(const DevRegister& reg) {
    return endpoint_of(reg, 2000, 1500);  // a register taking 3 s times out
}

// The kiosk's service code for the sample on this register: the stock catalog's realtime
// service without metadata is "1".
std::string service_code(const DevRegister& reg) {
    return reg.profile() == "stock" ? "1" : sample_complaint().service_code;
}

struct Kiosk {
    std::string dir = testsupport::make_temp_dir("kiosk-interop");
    Outbox outbox{std::filesystem::path(dir) / "outbox.sqlite", "KSK-T"};
    std::mt19937_64 rng{7};
    // Short settle: an unanswered attempt is searched for once the register has had 4 s.
    RetryPolicy policy{100ms, 1s, 4s};
    ~Kiosk() { std::filesystem::remove_all(dir); }

    OutboxItem enqueue(const std::string& code) {
        Complaint c = sample_complaint();
        c.service_code = code;
        Config cfg;
        cfg.kiosk_id = "KSK-T";
        cfg.office_address = "Көкшетау қ., Абай к-сі, 83";
        return outbox.enqueue(sample_request(cfg, new_idempotency_key(), nullptr, c),
                              WallClock::now());
    }
    // Delivery passes until the item is out of the queue (or 40 s went by).
    OutboxItem deliver(const OutboxItem& item, const net::RegisterEndpoint& ep) {
        testsupport::eventually(
            [&] {
                outbox.due_now(WallClock::now());
                deliver_due(outbox, ep, policy, rng);
                return outbox.find(item.id)->state != Delivery::Queued;
            },
            40s);
        return *outbox.find(item.id);
    }
};

// The register's rows holding this complaint's reference: what it filed for it.
std::vector<std::vector<std::string>> filed(const DevRegister& reg, const OutboxItem& item) {
    return reg.query("SELECT service_request_id FROM requests WHERE description LIKE ?1",
                     {"%" + reference(item) + "%"});
}

// How many POSTs reached the register: its request log.
int posts(const DevRegister& reg) {
    std::istringstream log(reg.log());
    int n = 0;
    for (std::string line; std::getline(log, line);)
        if (line.find("kiosk-register: POST /requests.") != std::string::npos) ++n;
    return n;
}

}  // namespace

// Section: the fault matrix, on both servers

struct Fault {
    const char* spec;  // the register's fault switch, for the first POST only
    const char* says;  // what the item's last error must mention while it waits
    Delivery ends;
};

class OutboxFaults : public ::testing::TestWithParam<std::tuple<Server, Fault>> {};

TEST_P(OutboxFaults, NothingAcceptedIsLostNothingIsFiledTwiceAndTheStateSaysWhy) {
    const auto& [server, fault] = GetParam();
    const std::string path = server.format == net::Format::Xml ? "requests.xml" : "requests.json";
    DevRegister reg(
        {.faults = {std::string(fault.spec) + ",count=1,path=" + path}, .profile = server.profile});
    const auto ep = endpoint_for(reg);
    Kiosk k;
    const OutboxItem item = k.enqueue(service_code(reg));

    EXPECT_EQ(deliver_due(k.outbox, ep, k.policy, k.rng), fault.ends == Delivery::Delivered);
    const OutboxItem waiting = *k.outbox.find(item.id);
    if (fault.ends != Delivery::Delivered) {
        EXPECT_EQ(waiting.state, Delivery::Queued);
        // Staff see why it waits: an error, or the register's token it will be asked about.
        const std::string seen = waiting.last_error + waiting.token;
        EXPECT_FALSE(seen.empty());
        EXPECT_NE(seen.find(fault.says), std::string::npos) << "state says: " << seen;
    }
    const OutboxItem done = k.deliver(item, ep);
    ASSERT_EQ(done.state, fault.ends) << done.last_error;
    const auto rows = filed(reg, item);
    ASSERT_EQ(rows.size(), 1u) << "filed " << rows.size() << " times";
    if (fault.ends == Delivery::Registered) {
        EXPECT_EQ(rows[0][0], done.registration_number);
    }
}

INSTANTIATE_TEST_SUITE_P(
    Register, OutboxFaults,
    ::testing::Combine(
        ::testing::Values(Server{"kiosk", net::Format::Json}, Server{"stock", net::Format::Xml}),
        ::testing::Values(Fault{"delay=3000", "Timeout", Delivery::Registered},
                          Fault{"status=500", "HTTP 500", Delivery::Registered},
                          Fault{"status=503,retry-after=2", "HTTP 503", Delivery::Registered},
                          Fault{"status=400", "HTTP 400", Delivery::Registered},
                          Fault{"reset", "", Delivery::Registered},
                          Fault{"malformed-json", "", Delivery::Registered},
                          Fault{"oversized", "1 MiB", Delivery::Registered},
                          Fault{"token,polls=1", "", Delivery::Registered},
                          // No id and no token: a blackbox answer.
                          Fault{"missing-id", "", Delivery::Delivered})),
    [](const auto& info) {
        std::string name =
            std::string(std::get<0>(info.param).profile) + "_" + std::get<1>(info.param).spec;
        for (char& c : name)
            if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
        return name;
    });

void PrintTo(const Fault& f, std::ostream* os) { *os << f.spec; }

// Section: what a plain server answers, each shape through the outbox

struct Shape {
    const char* name;
    const char* service_code;  // in the stock catalog
    Delivery ends;
    int posts;
};

void PrintTo(const Shape& s, std::ostream* os) { *os << s.name << ", service " << s.service_code; }

class StockAnswers : public ::testing::TestWithParam<Shape> {};

TEST_P(StockAnswers, EndInTheirStateAfterOnePost) {
    const Shape& shape = GetParam();
    DevRegister reg({.profile = "stock"});
    const auto ep = endpoint_for(reg);
    Kiosk k;
    const OutboxItem item = k.enqueue(shape.service_code);
    const OutboxItem done = k.deliver(item, ep);
    EXPECT_EQ(done.state, shape.ends) << done.last_error;
    EXPECT_EQ(posts(reg), shape.posts) << reg.log();
    const auto rows = filed(reg, item);
    ASSERT_EQ(rows.size(), 1u);
    if (shape.ends == Delivery::Registered) {
        EXPECT_EQ(rows[0][0], done.registration_number);
    } else {
        EXPECT_TRUE(done.registration_number.empty());
    }
}

INSTANTIATE_TEST_SUITE_P(Stock, StockAnswers,
                         ::testing::Values(Shape{"realtime", "1", Delivery::Registered, 1},
                                           Shape{"batch_token", "3", Delivery::Registered, 1},
                                           Shape{"blackbox", "4", Delivery::Delivered, 1},
                                           Shape{"id_and_token", "5", Delivery::Registered, 1}),
                         [](const auto& info) { return std::string(info.param.name); });

// Section: what staff must fix, held and never lost

TEST(StockRefusals, WithoutTheJurisdictionOrTheKeyComplaintsWaitForStaffThenGoOnce) {
    DevRegister reg({.profile = "stock"});
    Kiosk k;
    const OutboxItem item = k.enqueue("1");
    auto wrong = endpoint_for(reg);
    wrong.jurisdiction_id.clear();
    OutboxItem held = k.deliver(item, wrong);
    EXPECT_EQ(held.state, Delivery::NeedsStaff);
    EXPECT_NE(held.last_error.find("jurisdiction_id"), std::string::npos) << held.last_error;
    EXPECT_EQ(k.outbox.stats().needs_staff_reason, held.last_error);

    // The wrong key next: still held, now with that reason.
    wrong = endpoint_for(reg);
    wrong.api_key = "not-the-key";
    ASSERT_EQ(k.outbox.requeue(WallClock::now()), 1);
    held = k.deliver(item, wrong);
    EXPECT_EQ(held.state, Delivery::NeedsStaff);
    EXPECT_NE(held.last_error.find("HTTP 403"), std::string::npos) << held.last_error;
    EXPECT_TRUE(held.has_request) << "held complaints keep their data";

    ASSERT_EQ(k.outbox.requeue(WallClock::now()), 1);
    const OutboxItem done = k.deliver(item, endpoint_for(reg));
    EXPECT_EQ(done.state, Delivery::Registered) << done.last_error;
    EXPECT_EQ(filed(reg, item).size(), 1u);
}

// A service whose definition requires an attribute the kiosk does not fill by default is not
// offered until [register.attributes] maps one to it; then its value goes there.
TEST(StockDefinitions, ARequiredAttributeIsFilledOnceMappedAndOnlyThen) {
    DevRegister reg({.profile = "stock"});
    const auto ep = endpoint_for(reg);
    const CatalogResult catalog = fetch_catalog(ep);
    ASSERT_TRUE(catalog.ok) << catalog.error;
    const auto* wants_iin = definition_of(catalog.catalog, "2");
    ASSERT_NE(wants_iin, nullptr);
    Config cfg;
    cfg.kiosk_id = "KSK-T";
    cfg.office_address = "Көкшетау қ., Абай к-сі, 83";
    const auto offered = [&] {
        std::vector<std::string> codes;
        for (const auto& s : offered_services(catalog.catalog, cfg)) codes.push_back(s.code);
        return codes;
    };
    EXPECT_EQ(offered(), (std::vector<std::string>{"1", "3", "4", "5"}));
    std::string required;
    for (const auto& a : wants_iin->attributes)
        if (a.required) required = a.code;
    ASSERT_FALSE(required.empty());
    cfg.attribute_codes["iin"] = required;
    EXPECT_EQ(offered(), (std::vector<std::string>{"1", "2", "3", "4", "5"}));

    Complaint c = sample_complaint();
    c.service_code = "2";
    Kiosk k;
    const OutboxItem item = k.outbox.enqueue(
        sample_request(cfg, new_idempotency_key(), wants_iin, c), WallClock::now());
    const OutboxItem done = k.deliver(item, ep);
    ASSERT_EQ(done.state, Delivery::Registered) << done.last_error;
    const auto rows = reg.query("SELECT attributes FROM requests");
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_NE(rows[0][0].find(c.iin), std::string::npos) << rows[0][0];
}
