#include "faults.h"

#include <openssl/ssl.h>
#include <sys/socket.h>

#include <algorithm>
#include <charconv>
#include <ctime>
#include <iostream>
#include <memory>
#include <set>
#include <stdexcept>
#include <string_view>
#include <thread>

#include "form.h"
#include "respond.h"

namespace dev_register {

namespace {

constexpr const char* kFaultHeader = "X-Register-Fault";
constexpr std::size_t kOversizedBytes = 2 << 20;
constexpr std::size_t kChunkBytes = 64 << 10;

// Section: parsing a SPEC

[[noreturn]] void bad_spec(const std::string& what) { throw std::invalid_argument(what); }

int number(std::string_view name, std::string_view text, int low, int high) {
    int value = 0;
    const char* last = text.data() + text.size();
    const auto [end, error] = std::from_chars(text.data(), last, value);
    if (text.empty() || error != std::errc() || end != last || value < low || value > high)
        bad_spec(std::string(name) + " must be a number from " + std::to_string(low) + " to " +
                 std::to_string(high));
    return value;
}

// The kinds of answer a fault makes; one per spec.
const std::pair<std::string_view, FaultKind> kFlagKinds[] = {
    {"reset", FaultKind::Reset},
    {"malformed-json", FaultKind::MalformedJson},
    {"missing-id", FaultKind::MissingId},
    {"oversized", FaultKind::Oversized},
    {"token", FaultKind::Token}};

void set_kind(Fault& fault, FaultKind kind) {
    if (fault.kind != FaultKind::None)
        bad_spec("only one of status, reset, malformed-json, missing-id, oversized, token");
    fault.kind = kind;
}

void set_item(Fault& fault, std::string_view name, std::string_view value) {
    if (name == "delay") {
        fault.delay = std::chrono::milliseconds(number(name, value, 0, 60000));
    } else if (name == "status") {
        set_kind(fault, FaultKind::Status);
        fault.status = number(name, value, 400, 599);
    } else if (name == "description") {
        const auto text = decode_component(value);
        if (!text || text->empty() || text->size() > 200 || !is_one_line(*text))
            bad_spec("description must be 1 to 200 bytes of text on one line");
        fault.description = *text;
    } else if (name == "retry-after" || name == "retry-after-date") {
        if (fault.retry_after) bad_spec("retry-after and retry-after-date exclude each other");
        fault.retry_after = number(name, value, 0, 86400);
        fault.retry_after_as_date = name == "retry-after-date";
    } else if (name == "polls") {
        fault.polls = number(name, value, 0, 1000);
    } else if (name == "count") {
        fault.count = number(name, value, 1, 1000000);
    } else if (name == "path") {
        fault.path = value.starts_with('/') ? value.substr(1) : value;
        if (fault.path.empty()) bad_spec("path needs a prefix");
    } else {
        bad_spec("unknown item \"" + std::string(name) + "\"");
    }
}

// Section: matching requests

bool matches(const Fault& fault, const httplib::Request& req) {
    const std::string_view path = req.path;
    if (!path.substr(path.starts_with('/') ? 1 : 0).starts_with(fault.path)) return false;
    return fault.kind != FaultKind::Token ||
           (req.method == "POST" && (path == "/requests.json" || path == "/requests.xml"));
}

// Section: spoiling answers

std::string http_date(std::time_t when) {
    std::tm utc{};
    gmtime_r(&when, &utc);
    char text[40];
    return std::string(text, std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &utc));
}

// The answer becomes what `provider` writes, chunked: no length is declared up front.
void replace_body(httplib::Response& res, httplib::ContentProviderWithoutLength provider) {
    const std::string type = res.get_header_value("Content-Type");
    res.body.clear();
    res.headers.erase("Content-Type");  // set again below; two would be one too many
    res.set_chunked_content_provider(type, std::move(provider));
}

// Half the answer, then a TCP reset, as a crashed register or a broken link looks to a kiosk
// that has sent everything. connect(AF_UNSPEC) makes the kernel abort the connection with a
// RST at once and leaves httplib a valid descriptor to close later.
void reset_mid_answer(const httplib::Request& req, httplib::Response& res) {
    const int socket = req.ssl ? SSL_get_fd(req.ssl) : -1;
    const std::string half = res.body.substr(0, res.body.size() / 2);
    replace_body(res, [socket, half](std::size_t, httplib::DataSink& sink) {
        sink.write(half.data(), half.size());
        sockaddr unspecified{};
        unspecified.sa_family = AF_UNSPEC;
        connect(socket, &unspecified, sizeof unspecified);
        return false;  // the rest is never sent
    });
}

// The <request> elements of an XML answer about requests; none if it is something else.
std::vector<pugi::xml_node> xml_requests(pugi::xml_document& document, const std::string& body) {
    std::vector<pugi::xml_node> requests;
    if (!document.load_buffer(body.data(), body.size())) return requests;
    for (auto request : document.child("service_requests").children("request"))
        requests.push_back(request);
    return requests;
}

void drop_ids(httplib::Response& res) {
    if (is_xml(res)) {
        pugi::xml_document document;
        for (auto request : xml_requests(document, res.body))
            request.remove_child("service_request_id");
        res.body = xml_text(document);
        return;
    }
    auto answer = json::parse(res.body, nullptr, false);
    if (!answer.is_array()) return;
    for (auto& item : answer)
        if (item.is_object()) item.erase("service_request_id");
    res.body = answer.dump();
}

// The real answer and spaces after it: still valid JSON or XML, which only a size limit refuses,
// announced by its length up front or noticed while it arrives.
void oversize(httplib::Response& res, bool declared_length) {
    auto padded = std::make_shared<std::string>(std::move(res.body));
    padded->resize(std::max(kOversizedBytes, padded->size()), ' ');
    if (declared_length) {
        res.body = std::move(*padded);
        return;
    }
    replace_body(res, [padded](std::size_t offset, httplib::DataSink& sink) {
        const std::size_t n = std::min(kChunkBytes, padded->size() - offset);
        if (!sink.write(padded->data() + offset, n)) return false;
        if (offset + n == padded->size()) sink.done();
        return true;
    });
}

}  // namespace

Fault parse_fault(const std::string& spec) {
    const bool printable =
        std::all_of(spec.begin(), spec.end(), [](char c) { return c > 0x20 && c < 0x7F; });
    if (spec.empty() || !printable) bad_spec("a fault spec is printable ASCII without spaces");
    Fault fault{spec};
    std::set<std::string_view> seen;
    const std::string_view all = spec;
    for (std::size_t start = 0, comma = 0; comma != std::string_view::npos; start = comma + 1) {
        comma = all.find(',', start);
        const std::string_view item = all.substr(start, comma - start);  // empty ones are errors
        const auto equals = item.find('=');
        const std::string_view name = item.substr(0, equals);
        if (!seen.insert(name).second) bad_spec(std::string(name) + " is given twice");
        const auto flag = std::find_if(std::begin(kFlagKinds), std::end(kFlagKinds),
                                       [&](const auto& kind) { return kind.first == name; });
        if (name == "length" && equals == std::string_view::npos) {
            fault.declared_length = true;
        } else if (flag != std::end(kFlagKinds) && equals == std::string_view::npos) {
            set_kind(fault, flag->second);
        } else if (flag == std::end(kFlagKinds) && equals != std::string_view::npos) {
            set_item(fault, name, item.substr(equals + 1));
        } else {
            bad_spec("\"" + std::string(item) + "\" is not a fault item");
        }
    }
    if (fault.kind == FaultKind::None && !seen.contains("delay"))
        bad_spec("no delay, status, reset, malformed-json, missing-id, oversized or token");
    if (fault.retry_after && fault.kind != FaultKind::Status) bad_spec("retry-after needs status");
    if (!fault.description.empty() && fault.kind != FaultKind::Status)
        bad_spec("description needs status");
    if (seen.contains("polls") && fault.kind != FaultKind::Token) bad_spec("polls needs token");
    if (fault.declared_length && fault.kind != FaultKind::Oversized)
        bad_spec("length needs oversized");
    return fault;
}

// Section: the injector

FaultInjector::FaultInjector(std::vector<Fault> run_faults, bool allow_header, RequestStore& store,
                             const Profile& profile)
    : run_faults_(std::move(run_faults)),
      allow_header_(allow_header),
      store_(store),
      profile_(profile) {}

std::optional<Fault> FaultInjector::take(const httplib::Request& req) {
    if (allow_header_ && req.has_header(kFaultHeader)) {
        Fault fault = parse_fault(req.get_header_value(kFaultHeader));
        return matches(fault, req) ? std::optional(fault) : std::nullopt;
    }
    std::lock_guard lock(mutex_);
    for (auto& fault : run_faults_) {
        if (fault.count == 0 || !matches(fault, req)) continue;
        if (fault.count) --*fault.count;
        return fault;
    }
    return std::nullopt;
}

httplib::Server::Handler FaultInjector::wrap(httplib::Server::Handler handler) {
    return
        [this, handler = std::move(handler)](const httplib::Request& req, httplib::Response& res) {
            std::optional<Fault> fault;
            try {
                fault = take(req);
            } catch (const std::invalid_argument& e) {
                return send_error(res, reply_format(profile_, req.path), 400,
                                  std::string(kFaultHeader) + ": " + e.what());
            }
            if (!fault) return handler(req, res);
            // The spec is validated ASCII and the path holds no personal data: safe to log.
            std::cerr << "kiosk-register: fault " << fault->spec << " on " << req.method << ' '
                      << printable(req.path) << std::endl;
            std::this_thread::sleep_for(fault->delay);
            if (fault->kind == FaultKind::Status) return answer_status(*fault, req, res);
            handler(req, res);
            switch (fault->kind) {
            case FaultKind::Reset: return reset_mid_answer(req, res);
            case FaultKind::MalformedJson: return res.body.resize(res.body.size() / 2);
            case FaultKind::MissingId: return drop_ids(res);
            case FaultKind::Oversized: return oversize(res, fault->declared_length);
            case FaultKind::Token: return answer_with_token(res, fault->polls);
            case FaultKind::None:
            case FaultKind::Status: return;
            }
        };
}

void FaultInjector::answer_status(const Fault& fault, const httplib::Request& req,
                                  httplib::Response& res) {
    const std::string description = !fault.description.empty()
                                        ? fault.description
                                        : "fault injected by the development register (HTTP " +
                                              std::to_string(fault.status) + ")";
    send_error(res, reply_format(profile_, req.path), fault.status, description);
    if (!fault.retry_after) return;
    res.set_header("Retry-After", fault.retry_after_as_date
                                      ? http_date(std::time(nullptr) + *fault.retry_after)
                                      : std::to_string(*fault.retry_after));
}

// The stored request's number goes behind a token that GET tokens/{token} gives back.
void FaultInjector::answer_with_token(httplib::Response& res, int polls) {
    if (res.status != 200) return;  // a refusal stays one
    if (is_xml(res)) {
        pugi::xml_document document;
        auto requests = xml_requests(document, res.body);
        if (requests.size() != 1) return;
        auto& request = requests.front();
        const auto number = request.child("service_request_id");
        if (!number) return;
        const std::string token = store_.issue_token(number.text().get(), polls);
        request.insert_child_before("token", number).text().set(token.c_str());
        request.remove_child(number);
        res.body = xml_text(document);
        return;
    }
    auto answer = json::parse(res.body, nullptr, false);
    if (!answer.is_array() || answer.size() != 1) return;
    auto& request = answer[0];
    const auto number = request.find("service_request_id");
    if (number == request.end() || !number->is_string()) return;
    const std::string token = store_.issue_token(number->get<std::string>(), polls);
    request.erase("service_request_id");
    request["token"] = token;
    res.body = answer.dump();
}

}  // namespace dev_register
