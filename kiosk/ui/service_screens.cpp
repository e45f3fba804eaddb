// Service mode's screens: the PIN pad, the overview with staff's actions, reprint and the log.
// They draw the session's service state and the health figures; the session does the work.
#include "ui.h"

#include "kiosk/journal.h"

#include <imgui.h>

#include <cstdio>

namespace kiosk::ui {
namespace {

void paragraph(const std::string& text) { ui::paragraph(text, kNormal.text); }

bool big_button(App& app, std::string_view id, const std::string& label, float width,
                float height = 110.f) {
    return button(app, id, label, Icon::None, Tone::Secondary, ImVec2(width, height));
}

void rule() { ImGui::Dummy(ImVec2(1, 24.f)); }

std::string clock_time(WallClock::time_point t) { return local_time(t, "%d.%m.%Y %H:%M"); }

std::string duration_words(std::chrono::seconds s) {
    char out[32];
    std::snprintf(
        out, sizeof out, "%lldd %02lldh %02lldm", static_cast<long long>(s.count() / 86400),
        static_cast<long long>(s.count() / 3600 % 24), static_cast<long long>(s.count() / 60 % 60));
    return out;
}

// Section: the overview's lines

void register_lines(App& app, const Figures& f) {
    if (f.register_up())
        paragraph(format(app.t("staff.register_up"), {clock_time(*f.register_success)}));
    else if (f.register_error)
        paragraph(format(app.t("staff.register_down"),
                         {clock_time(*f.register_error), f.register_error_reason}));
    else
        paragraph(app.t("staff.register_unknown"));
    const auto& expiry = f.sample.client_cert_expiry;
    if (!expiry) return paragraph(app.t("staff.certificate_none"));
    const auto days =
        std::chrono::duration_cast<std::chrono::days>(*expiry - WallClock::now()).count();
    paragraph(format(app.t("staff.certificate"),
                     {local_time(*expiry, "%d.%m.%Y"), std::to_string(days)}));
}

void outbox_lines(App& app, const OutboxStats& o) {
    const int waiting = o.queued + o.delivering;
    if (waiting > 0 && o.oldest_undelivered)
        paragraph(format(app.t("staff.outbox"),
                         {std::to_string(waiting), clock_time(*o.oldest_undelivered)}));
    else
        paragraph(app.t("staff.outbox_empty"));
    if (o.needs_staff > 0)
        paragraph(format(app.t("staff.outbox_needs_staff"),
                         {std::to_string(o.needs_staff), o.needs_staff_reason}));
}

// Services the register lists that citizens are not offered, and why: staff fix the
// configuration ([register.attributes]) or call the register's people.
void catalog_lines(App& app) {
    const auto& catalog = app.session.catalog();
    if (catalog.services && catalog.services->ok && catalog.whole.services.empty())
        paragraph(app.t("staff.catalog_empty"));
    for (const auto& s : catalog.whole.services)
        if (const auto why = why_not_offered(catalog.whole, s, app.config); !why.empty())
            paragraph(format(app.t("staff.service_not_offered"), {s.code, why}));
}

const char* printer_state_key(const PrinterHealth& p) {
    if (!p.configured) return "staff.printer_spool";
    if (!p.reachable) return "staff.printer_unreachable";
    if (p.state == "processing") return "staff.printer_busy";
    if (p.state == "stopped") return "staff.printer_stopped";
    return "staff.printer_ready";
}

void printer_lines(App& app, const Sample& s) {
    const PrinterHealth& p = s.printer;
    paragraph(app.t(printer_state_key(p)));
    for (const auto& [on, key] :
         {std::pair{p.media_empty, "staff.printer_no_paper"},
          std::pair{p.media_low, "staff.printer_low"}, std::pair{p.jam, "staff.printer_jam"},
          std::pair{p.cover_open, "staff.printer_cover"},
          std::pair{p.offline, "staff.printer_offline"}})
        if (on) paragraph(app.t(key));
    paragraph(format(app.t("staff.paper_left"), {std::to_string(s.paper_remaining),
                                                 std::to_string(app.config.talons_per_roll)}));
    if (s.paper_low) paragraph(app.t("staff.paper_low"));
}

// Nothing until the UI has tried the voice engine.
void speech_line(App& app, const Figures& f) {
    switch (f.speech) {
    case SpeechStatus::Available: return paragraph(app.t("staff.speech_ok"));
    case SpeechStatus::Unavailable:
        return paragraph(format(app.t("staff.speech_unavailable"), {f.speech_reason}));
    case SpeechStatus::TurnedOff: return paragraph(app.t("staff.speech_off"));
    case SpeechStatus::Unknown: return;
    }
}

// Which system runs, and where the last update stands.
void system_lines(App& app, const Figures& f) {
    const SystemState& s = f.system;
    if (s.slot.empty()) return paragraph(app.t("staff.update_unavailable"));
    paragraph(format(app.t("staff.system"), {s.slot, s.version.empty() ? "—" : s.version}));
    if (s.phase == "idle") return;
    std::string line = format(app.t("update.phase." + s.phase), {s.target_version});
    if (!s.detail.empty()) line += " (" + s.detail + ")";
    paragraph(line);
}

void result_line(App& app) {
    const ServiceState& s = app.session.flow().service;
    if (s.busy) return paragraph(app.t("staff.busy"));
    if (s.result.empty()) return;
    rule();
    paragraph(format(app.t(s.result), {s.detail}));
    if (!s.detail.empty() && app.t(s.result).find("{}") == std::string::npos) paragraph(s.detail);
}

// Restart and Reboot ask once more, in words, with two large answers.
void confirmation(App& app, float w) {
    const auto& asked = app.session.flow().service.confirming;
    if (!asked) return;
    rule();
    if (*asked == StaffAction::InstallUpdate)
        paragraph(format(app.t("staff.confirm_update"),
                         {app.session.flow().service.talon.filename().string()}));
    else
        paragraph(app.t(*asked == StaffAction::Reboot          ? "staff.confirm_reboot"
                        : *asked == StaffAction::ReplaceOutbox ? "staff.confirm_replace_outbox"
                                                               : "staff.confirm_restart"));
    const float half = (w - 16) / 2;
    if (big_button(app, "staff.yes", app.t("staff.yes"), half)) app.act({Act::StaffConfirm});
    ImGui::SameLine();
    if (big_button(app, "staff.no", app.t("staff.no"), half)) app.act({Act::StaffCancel});
    // The question is below every button: kept in view while it waits for an answer.
    ImGui::SetScrollHereY(1.f);
}

// Section: screens

void service_login(App& app) {
    if (app.config.pin_hash.empty()) return paragraph(app.t("staff.disabled"));
    paragraph(app.t("staff.login_hint"));
    const ServiceState& s = app.session.flow().service;
    ImGui::PushFont(app.fonts.huge);
    ImGui::TextUnformatted(s.pin.empty() ? " " : std::string(s.pin.size(), '*').c_str());
    ImGui::PopFont();
    // One line, always there, so that the pad never moves under a finger.
    const auto wait = app.session.pin_gate().wait(WallClock::now());
    if (s.checking)
        paragraph(app.t("staff.checking"));
    else if (wait.count() > 0)
        paragraph(format(app.t("staff.locked"), {std::to_string(wait.count())}));
    else if (!s.result.empty())
        paragraph(app.t(s.result));
    else
        paragraph(" ");
    // A digit pad of 15 mm keys; the PIN never goes through the letter keyboard.
    const float key_w = std::min(220.f, (ImGui::GetContentRegionAvail().x - 16) / 3);
    static constexpr const char* rows[] = {"123", "456", "789"};
    for (const char* row : rows) {
        for (int i = 0; i < 3; ++i) {
            if (i > 0) ImGui::SameLine();
            const std::string digit(1, row[i]);
            if (big_button(app, "pin:" + digit, digit, key_w, 120.f))
                app.act({Act::PinDigit, 0, 0, digit});
        }
    }
    if (big_button(app, "pin:erase", app.t("staff.erase"), key_w, 120.f)) app.act({Act::PinErase});
    ImGui::SameLine();
    if (big_button(app, "pin:0", "0", key_w, 120.f)) app.act({Act::PinDigit, 0, 0, "0"});
    ImGui::SameLine();
    if (big_button(app, "pin:ok", app.t("staff.ok"), key_w, 120.f)) app.act({Act::PinOk});
}

void service_home(App& app) {
    const Figures f = app.session.health().figures();
    if (app.session.out_of_service())
        paragraph(format(app.t("staff.outbox_broken"), {app.session.outbox_problem()}));
    if (app.session.closed_by_operator()) paragraph(app.t("staff.closed_by_operator"));
    if (app.session.closed_for_hours()) paragraph(app.t("staff.closed_for_hours"));
    // Who the talons name as having accepted: set at the start of each shift.
    paragraph(format(app.t("staff.duty_specialist"), {app.session.office().duty.name()}));
    register_lines(app, f);
    outbox_lines(app, f.sample.outbox);
    printer_lines(app, f.sample);
    paragraph(format(app.t("staff.disk"), {std::to_string(f.sample.disk_free_bytes >> 20)}));
    paragraph(format(app.t("staff.uptime"),
                     {duration_words(std::chrono::duration_cast<std::chrono::seconds>(
                          WallClock::now() - f.started)),
                      f.version, f.kiosk_id}));
    paragraph(format(app.t("staff.assistance"), {std::to_string(f.assistance_requests)}));
    speech_line(app, f);
    system_lines(app, f);
    catalog_lines(app);
    rule();
    const float w = ImGui::GetContentRegionAvail().x, half = (w - 16) / 2;
    auto action = [&](const char* id, StaffAction a) {
        if (big_button(app, id, app.t(id), half)) app.act({Act::StaffDo, static_cast<int>(a)});
    };
    // Everyday actions first, two to a row; restart and reboot last, apart.
    action("staff.restock", StaffAction::PaperRestocked);
    ImGui::SameLine();
    action("staff.test_print", StaffAction::TestPrint);
    if (big_button(app, "staff.reprint", app.t("staff.reprint"), half))
        app.act({Act::StaffOpen, static_cast<int>(Screen::ServiceReprint)});
    ImGui::SameLine();
    action("staff.deliver", StaffAction::DeliverNow);
    // Then, two to a row, what opens a screen of its own and what is offered only when needed:
    // held complaints sent again (once staff fixed what the register refused), the shift's name
    // for the talon, the way out of a broken outbox, an update from a USB stick.
    std::vector<Intent> rest{{Act::StaffOpen, static_cast<int>(Screen::ServiceLog)}};
    std::vector<const char*> ids{"staff.log"};
    if (f.sample.outbox.needs_staff > 0) {
        rest.push_back({Act::StaffDo, static_cast<int>(StaffAction::Requeue)});
        ids.push_back("staff.requeue");
    }
    rest.push_back({Act::StaffOpen, static_cast<int>(Screen::ServiceDuty)});
    ids.push_back("staff.duty_change");
    if (app.session.out_of_service()) {
        rest.push_back({Act::StaffDo, static_cast<int>(StaffAction::ReplaceOutbox)});
        ids.push_back("staff.replace_outbox");
    }
    rest.push_back({Act::StaffOpen, static_cast<int>(Screen::ServiceUpdate)});
    ids.push_back("staff.update_usb");
    for (std::size_t i = 0; i < rest.size(); ++i) {
        if (i % 2) ImGui::SameLine();
        if (big_button(app, ids[i], app.t(ids[i]), half)) app.act(rest[i]);
    }
    rule();
    action("staff.restart", StaffAction::Restart);
    ImGui::SameLine();
    action("staff.reboot", StaffAction::Reboot);
    // Below the buttons, so that nothing moves under a finger.
    result_line(app);
    confirmation(app, w);
}

void service_reprint(App& app) {
    if (app.session.listing_talons()) return paragraph(app.t("staff.busy"));
    if (app.session.talons().empty()) return paragraph(app.t("staff.reprint_none"));
    const float w = ImGui::GetContentRegionAvail().x;
    for (const auto& talon : app.session.talons())
        if (big_button(app, "reprint:" + talon.filename().string(), talon.stem().string(), w, 90.f))
            app.act({Act::StaffDo, static_cast<int>(StaffAction::Reprint), 0, talon.string()});
}

// The bundles on the USB sticks, one button each; a tap asks once more.
void service_update(App& app) {
    paragraph(app.t("staff.update_hint"));
    rule();
    const float w = ImGui::GetContentRegionAvail().x;
    if (app.session.listing_bundles()) {
        paragraph(app.t("staff.busy"));
    } else if (app.session.bundles().empty()) {
        paragraph(app.t("staff.update_none"));
    } else {
        for (const auto& bundle : app.session.bundles())
            if (big_button(app, "bundle:" + bundle.filename().string(), bundle.filename().string(),
                           w, 90.f))
                app.act({Act::StaffDo, static_cast<int>(StaffAction::InstallUpdate), 0,
                         bundle.string()});
    }
    confirmation(app, w);
}

void service_log() {
    for (const LogLine& line : recent_log(60))
        paragraph(local_time(line.at, "%H:%M:%S") + "  " + line.message);
}

}  // namespace

void service_screen(App& app, float) {
    switch (app.session.flow().screen) {
    case Screen::ServiceLogin: return service_login(app);
    case Screen::ServiceHome: return service_home(app);
    case Screen::ServiceReprint: return service_reprint(app);
    case Screen::ServiceLog: return service_log();
    case Screen::ServiceUpdate: return service_update(app);
    default: return;
    }
}

void service_footer(App& app, float width) {
    const Screen screen = app.session.flow().screen;
    const float half = (width - 16) / 2;
    if (screen == Screen::ServiceReprint || screen == Screen::ServiceLog ||
        screen == Screen::ServiceUpdate) {
        if (button(app, "nav.back", app.t("nav.back"), Icon::Back, Tone::Secondary,
                   ImVec2(half, 110.f)))
            app.act({Act::StaffOpen, static_cast<int>(Screen::ServiceHome)});
        ImGui::SameLine(0, 16.f);
    }
    if (button(app, "staff.exit", app.t("staff.exit"), Icon::Close, Tone::Primary,
               ImVec2(half, 110.f)))
        app.act({Act::StaffLeave});
}

}  // namespace kiosk::ui
