#include "admin.h"

#include <ctime>
#include <iostream>

#include "datetime.h"
#include "form.h"
#include "respond.h"

namespace dev_register {

namespace {

constexpr std::size_t kMaxAdminBodyBytes = 64 << 10;  // a 4 KiB payload, escaped, and more

// Section: handlers

std::string kiosk_in_path(const httplib::Request& req) {
    std::string kiosk_id = req.matches[1].str();
    if (kiosk_id.size() > 64 || !is_one_line(kiosk_id))
        reject(400, "the kiosk id must be at most 64 bytes of text on one line");
    return kiosk_id;
}

void queue_command(const httplib::Request& req, httplib::Response& res, RequestStore& store,
                   const OperatorKeys& keys) {
    const auto kiosk_id = kiosk_in_path(req);
    if (req.body.size() > kMaxAdminBodyBytes) reject(413, "the body is larger than 64 KiB");
    const auto now = std::time(nullptr);
    const auto command = read_command(req.body, kiosk_id, keys, now);
    switch (store.queue_command(command, iso_datetime(now), kMaxPendingCommands, now)) {
    case QueueOutcome::Duplicate: reject(409, "this kiosk already has a command with this id");
    case QueueOutcome::TooMany:
        reject(429, "this kiosk already has " + std::to_string(kMaxPendingCommands) +
                        " commands waiting");
    case QueueOutcome::Queued: break;
    }
    send_json(res, 201, command_json(*store.command(kiosk_id, command.command_id)));
}

void list_commands(const httplib::Request& req, httplib::Response& res, RequestStore& store) {
    json listed = json::array();
    for (const auto& command : store.commands(kiosk_in_path(req)))
        listed.push_back(command_json(command));
    send_json(res, 200, listed);
}

void list_kiosks(httplib::Response& res, RequestStore& store) {
    json listed = json::array();
    for (const auto& kiosk : store.kiosks())
        listed.push_back(
            {{"kiosk_id", kiosk.kiosk_id},
             {"last_heartbeat", kiosk.last_heartbeat ? json(*kiosk.last_heartbeat) : json()},
             {"heartbeats", kiosk.heartbeats},
             {"pending_commands", kiosk.pending_commands}});
    send_json(res, 200, listed);
}

void show_diagnostics(const httplib::Request& req, httplib::Response& res, RequestStore& store) {
    const auto found = store.diagnostics(kiosk_in_path(req), req.matches[2].str());
    if (!found) reject(404, "no diagnostic bundle for this kiosk and command");
    res.status = 200;
    res.set_header("X-Received-At", found->received_at);
    res.set_content(found->body, kJsonType);
}

// Checks throw Rejection; it becomes the Open311 error shape, in JSON.
template <class Body>
httplib::Server::Handler admin(Body body) {
    return [body](const httplib::Request& req, httplib::Response& res) {
        try {
            body(req, res);
        } catch (const Rejection& rejection) {
            send_error(res, Format::Json, rejection.status, rejection.description);
        }
    };
}

}  // namespace

void install_admin(httplib::Server& server, RequestStore& store, const OperatorKeys& keys) {
    server.set_payload_max_length(kMaxAdminBodyBytes);
    server.set_keep_alive_timeout(1);
    server.Post(R"(/admin/kiosks/([^/]+)/commands)",
                admin([&](const auto& req, auto& res) { queue_command(req, res, store, keys); }));
    server.Get(R"(/admin/kiosks/([^/]+)/commands)",
               admin([&](const auto& req, auto& res) { list_commands(req, res, store); }));
    server.Get("/admin/kiosks", admin([&](const auto&, auto& res) { list_kiosks(res, store); }));
    server.Get(R"(/admin/kiosks/([^/]+)/diagnostics/([^/]+))",
               admin([&](const auto& req, auto& res) { show_diagnostics(req, res, store); }));
    server.set_error_handler([](const httplib::Request&, httplib::Response& res) {
        if (res.body.empty())
            send_error(res, Format::Json, res.status,
                       res.status == 413 ? "the request is too large" : "no such resource");
    });
    server.set_exception_handler(
        [](const httplib::Request&, httplib::Response& res, std::exception_ptr error) {
            try {
                std::rethrow_exception(error);
            } catch (const std::exception& e) {
                std::cerr << "kiosk-register: admin: internal error: " << e.what() << std::endl;
            } catch (...) {
                std::cerr << "kiosk-register: admin: internal error" << std::endl;
            }
            send_error(res, Format::Json, 500, "internal error in the register");
        });
    server.set_logger([](const httplib::Request& req, const httplib::Response& res) {
        std::cerr << "kiosk-register: admin: " << req.method << ' ' << printable(req.path) << ' '
                  << res.status << std::endl;
    });
}

}  // namespace dev_register
