#include "kiosk/session.h"

#include "kiosk/catalog.h"
#include "kiosk/journal.h"
#include "kiosk/systemd.h"
#include "kiosk/text.h"

#include <common/atomic_file.h>
#include <common/utf8.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace kiosk {
namespace {

constexpr auto kCatalogRetry = std::chrono::seconds(10);

// One line appended to the state folder's assistance_requests.log, for staff; no personal data.
bool append_assistance_line(const std::filesystem::path& state_dir, const std::string& line) {
    if (const auto made = common::make_private_dir(state_dir); !made.ok()) {
        errno = made.error;  // what the caller logs
        return false;
    }
    const int fd = ::open((state_dir / "assistance_requests.log").c_str(),
                          O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0) return false;
    const bool written = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
    return ::close(fd) == 0 && written;
}

}  // namespace

// Section: system updates from staff

namespace {

// Staff's update from a USB stick: handed to the updater, which starts once staff have left and
// no citizen is at the kiosk.
StaffOutcome install_update(SystemUpdate* update, Health& health,
                            const std::filesystem::path& bundle) {
    health.staff(StaffAction::InstallUpdate, WallClock::now());
    if (!update) return {"staff.update_unavailable", ""};
    const std::string why = update->install(bundle);
    return why.empty() ? StaffOutcome{"staff.update_taken", bundle.filename().string()}
                       : StaffOutcome{"staff.update_refused", why};
}

}  // namespace

Session::Session(SessionParts parts) : parts_(std::move(parts)) {
    // The cached catalog shows at once; the register's fresh one replaces it when it comes.
    if (auto cached = load_catalog(parts_.office.config)) {
        show_catalog(std::move(*cached));
        catalog_.stale = true;
    }
    net::RegisterEndpoint ep = register_endpoint(parts_.office.config);
    ep.cancel = stop_.get_token();
    services_.start([ep] { return fetch_catalog(ep); });
    interrupted_talons_.start([&office = parts_.office, stop = stop_.get_token()] {
        try {
            return finish_interrupted_talons(office, kReprintAtStartWithin, stop);
        } catch (const std::exception& e) {  // a broken outbox: the worker reports it
            log(Priority::Error, "talon", "talons cut short: %s", e.what());
            return 0;
        }
    });
}

Session::~Session() {
    shutdown();
    end();
}

void Session::shutdown() {
    stop_.request_stop();
    services_.wait();
    catalog_saved_.wait();
    status_.wait();
    assistance_.wait();
    submission_.wait();
    pin_.wait();
    staff_.wait();
    duty_.wait();
    talons_.wait();
    interrupted_talons_.wait();
    reboot_.wait();
}

const std::string& Session::t(std::string_view key) const {
    return parts_.office.tr.in(flow_.language).get(key);
}

// Section: intents

void Session::act(const Intent& i, Clock::time_point now) {
    flow_.touched(now);
    apply(i);
    start_effects();
}

void Session::apply(const Intent& i) {
    Flow& f = flow_;
    const auto today = local_today();
    switch (i.act) {
    case Act::Start:
        if (out_of_service()) return;  // nothing a citizen types could be kept
        if (closed_) return;           // the operators closed it: their screen says where to go
        if (after_hours_) return;      // nobody in the office to help, restock or answer
        return f.start(i.text);
    case Act::Language: return f.choose_language(i.text);
    case Act::Home: return f.go_home();
    case Act::FileComplaint: return f.file_complaint();
    case Act::CheckStatus: results_.status.clear(); return f.check_status();
    case Act::HowAppealsWork: return f.how_appeals_work();
    case Act::CallSpecialist: return f.call_specialist();
    case Act::Help: return f.help();
    case Act::CancelHelp: return f.cancel_help();
    case Act::LookUpStatus: return f.look_up_status();
    case Act::ChooseAddressee: {
        // Only a unit the region's procedure names: a stale or forged intent changes nothing.
        const auto to = static_cast<Addressee>(i.arg);
        if (to == Addressee::Akim && !parts_.office.procedure.unit(i.text)) return;
        return f.choose_addressee(to, i.text);
    }
    case Act::ChooseService: return f.choose_service(i.text);
    case Act::AddGround: return f.add_ground(t(i.text));
    case Act::Next:
        if (f.screen == Screen::Review && too_long_for_register()) {
            f.change(Screen::Grounds);  // where the text is shortened; Next comes back here
            f.errors = {{Field::Grounds, Problem::TooLongForRegister}};
            return f.focus_error(0);
        }
        return f.next(today);
    case Act::Back:
        if (f.screen == Screen::Home) return end();
        return f.back();
    case Act::Change: return f.change(Flow::step_screen(i.arg));
    case Act::Cancel: return f.cancel();
    case Act::CancelConfirmed:
        if (f.cancel_asked) end();
        return;
    case Act::KeepGoing: return f.keep_going();
    case Act::Finish: return end();
    case Act::Retry: return f.retry();
    case Act::Focus: return f.focus_on(static_cast<Field>(i.arg), i.arg2);
    case Act::FocusError: return f.focus_error(static_cast<std::size_t>(i.arg));
    case Act::NextField: return f.next_field();
    case Act::Type: return f.type(i.text);
    case Act::Backspace: return f.backspace();
    case Act::CaretLeft: return f.caret_left();
    case Act::CaretRight: return f.caret_right();
    case Act::CaretTo: return f.caret_to(static_cast<std::size_t>(i.arg));
    case Act::AddOfficial: return f.add_official();
    case Act::RemoveOfficial: return f.remove_official(i.arg);
    case Act::Consent: return f.set_consent(!f.complaint.consent);
    case Act::ClearSignature: return f.clear_signature();
    case Act::SignWithKeypad: return f.sign_with_keypad();
    case Act::KeyboardLetters: return f.choose_letters(static_cast<Layout>(i.arg));
    case Act::KeyboardSymbols: return f.toggle_symbols();
    case Act::Shift: return f.toggle_shift();
    case Act::LargeText: f.large_text = !f.large_text; return;
    case Act::Contrast: f.high_contrast = !f.high_contrast; return;
    case Act::Speech: return turn_speech(i.arg, i.arg2 == 1);
    case Act::SpeakAloud: f.speech.aloud = !f.speech.aloud; return;
    case Act::Volume:
        f.speech.volume =
            std::clamp(f.speech.volume + i.arg, f.speech.volume_min, f.speech.volume_max);
        return;
    case Act::Rate: f.speech.rate = f.speech.rate >= 2 ? -1 : f.speech.rate + 1; return;
    case Act::StillHere: return;
    case Act::PinDigit: return f.pin_digit(i.text.empty() ? '\0' : i.text[0]);
    case Act::PinErase: return f.pin_backspace();
    case Act::PinOk: return f.pin_submit();
    case Act::StaffOpen:
        talons_listed_ = bundles_listed_ = false;
        return f.open_service(static_cast<Screen>(i.arg));
    case Act::StaffDo: return f.staff_request(static_cast<StaffAction>(i.arg), i.text);
    case Act::StaffConfirm: return f.staff_confirm();
    case Act::StaffCancel: return f.staff_cancel();
    case Act::StaffLeave: return end();
    case Act::DutySave: return f.duty_save();
    }
}

std::chrono::seconds Session::done_closes() const {
    return flow_.speech.on ? kDoneClosesSpeaking : kDoneCloses;
}

bool Session::speech_available() const { return parts_.health.speech() == SpeechStatus::Available; }

// Speech starts with a keypad key or a headset and stays on until the session ends; the
// button in the bottom bar turns it on and off. Without a voice the keypad still moves the
// ring through the screen (someone who sees a little follows it).
void Session::turn_speech(int how, bool headset) {
    SpeechState& sp = flow_.speech;
    if (how == 2) {  // the headset is gone: the loudspeaker says no more of the citizen's data
        sp.headset = false;
        return;
    }
    const bool on = how == 1;
    const bool was = sp.on;
    sp.on = on || !sp.on;
    sp.headset = sp.headset || (sp.on && headset);
    if (sp.on && !was) {
        // Four steps either way, never past 10..100 % (rounded towards the configured volume).
        const int configured = parts_.office.config.speech_volume;
        sp.volume_min = std::max(-4, (10 - configured) / 10);
        sp.volume_max = std::min(4, (100 - configured) / 10);
        parts_.health.speech_session_started();
    }
}

void Session::sign(SignatureStroke stroke) { flow_.add_signature_stroke(std::move(stroke)); }

void Session::corner_tap(Clock::time_point now) { flow_.corner_tap(now); }

// Section: effects the flow asked for, each started here and nowhere else

void Session::start_effects() {
    Flow& f = flow_;
    const Config& cfg = parts_.office.config;
    if (f.submit_requested && !submission_.running()) {
        f.submit_requested = false;
        if (f.idempotency_key.empty()) f.idempotency_key = new_idempotency_key();
        std::optional<net::ServiceDefinition> definition;
        if (const auto* d = definition_of(catalog_.whole, f.complaint.service_code))
            definition = *d;
        std::optional<net::Service> service;
        if (const auto* s = service_of(catalog_.whole.services, f.complaint.service_code))
            service = *s;
        submission_.hold(submit_in_background(f.complaint, parts_.office, f.language,
                                              f.idempotency_key, stop_.get_token(),
                                              std::move(definition), std::move(service)));
    }
    if (f.status_requested && !status_.running()) {
        f.status_requested = false;
        results_.status.clear();
        status_generation_ = generation_;
        status_.start([&cfg, number = f.status_query, stop = stop_.get_token()] {
            return look_up_status(cfg, number, stop);
        });
    }
    if (f.assistance_requested && !assistance_.running()) {
        f.assistance_requested = false;
        const auto at = WallClock::now();
        f.assistance_told(at);
        parts_.health.assistance_requested();
        log(Priority::Warning, "assistance", "assistance requested");
        assistance_.start([dir = cfg.state_dir, line = iso8601(at) + " assistance requested\n"] {
            const bool ok = append_assistance_line(dir, line);
            if (!ok)
                log(Priority::Error, "assistance", "assistance_requests.log: %s",
                    std::strerror(errno));
            return ok;
        });
    }
    if (f.assistance_cancelled && !assistance_.running()) {
        f.assistance_cancelled = false;
        log(Priority::Notice, "assistance", "assistance no longer needed");
        assistance_.start([dir = cfg.state_dir,
                           line = iso8601(WallClock::now()) + " assistance no longer needed\n"] {
            return append_assistance_line(dir, line);
        });
    }
    ServiceState& s = f.service;
    if (s.pin_check_requested && !pin_.running()) {
        s.pin_check_requested = false;
        pin_.start([&gate = parts_.pin_gate, pin = s.pin, &hash = cfg.pin_hash]() mutable {
            auto verdict = gate.attempt(pin, hash, WallClock::now());
            wipe(pin);
            return verdict;
        });
        wipe(s.pin);
    }
    // One action at a time; a logout (the flow asks for it when staff leave) waits its turn.
    if (s.requested && !staff_.running()) {
        const StaffAction a = *s.requested;
        s.requested.reset();
        if (a == StaffAction::Restart) restart_requested_ = true;
        if (a == StaffAction::InstallUpdate)
            staff_.start([update = parts_.update, &health = parts_.health, bundle = s.talon] {
                return install_update(update, health, bundle);
            });
        else
            staff_.start(
                [&office = parts_.office, &health = parts_.health, a, talon = s.talon,
                 stop = stop_.get_token()] { return perform(office, health, a, talon, stop); });
    }
    if (s.duty_save_requested && !duty_.running()) {
        s.duty_save_requested = false;
        duty_.start([&office = parts_.office, &health = parts_.health, name = s.duty_name] {
            return set_duty_specialist(office, health, name);
        });
    }
    if (f.screen == Screen::ServiceReprint && !talons_listed_) {
        talons_listed_ = true;
        talons_.start([dir = cfg.spool_dir] { return printer::recent_talons(dir, 12); });
    }
    if (f.screen == Screen::ServiceUpdate && !bundles_listed_) {
        bundles_listed_ = true;
        bundles_.start([dir = cfg.update_usb_dir] { return usb_bundles(dir); });
    }
}

// Section: results

bool Session::take_results(Clock::time_point now) {
    bool changed = false;
    Flow& f = flow_;
    if (auto fetched = services_.take()) {
        if (fetched->ok) {
            show_catalog(std::move(fetched->catalog));
            catalog_.stale = false;
            for (const auto& sv : catalog_.whole.services)
                if (const auto why = why_not_offered(catalog_.whole, sv, parts_.office.config);
                    !why.empty())
                    log(Priority::Warning, "catalog", "service %s not offered: %s", sv.code.c_str(),
                        why.c_str());
            catalog_saved_.take();
            catalog_saved_.start([&cfg = parts_.office.config, whole = catalog_.whole] {
                return save_catalog(cfg, whole);
            });
        } else {
            log(Priority::Warning, "catalog", "service catalog: %s", fetched->error.c_str());
            catalog_.retry_at = now + kCatalogRetry;
            if (!catalog_.services)  // a cached catalog stays
                catalog_.services = net::ServicesResult{false, {}, fetched->error};
        }
        changed = true;
    }
    if (auto saved = catalog_saved_.take(); saved && !*saved)
        log(Priority::Warning, "catalog", "service catalog: cache not saved");
    if (auto lines = status_.take()) {
        // An answer that comes after its citizen left is nobody's business now.
        if (status_generation_ == generation_ && f.screen == Screen::Status)
            results_.status = std::move(*lines);
        else
            for (auto& l : *lines) wipe(l.arg);
        changed = true;
    }
    assistance_.take();
    if (auto r = submission_.take()) {
        const OutboxItem& item = r->item;
        if (r->accepted) {
            parts_.health.complaint_accepted();
            log(Priority::Info, "submission", "submission: accepted as %s, %s",
                item.local_number.c_str(), std::string(delivery_name(item.state)).c_str());
        } else {
            log(Priority::Error, "submission", "submission: not accepted: %s", r->error.c_str());
        }
        if (r->accepted && !r->error.empty())
            log(Priority::Error, "submission", "submission: %s", r->error.c_str());
        if (!r->talon.empty())
            log(Priority::Info, "talon", "talon spooled as %s", r->talon.filename().c_str());
        if (r->print.printed) parts_.health.talon_printed();
        if (!r->print.problem.empty()) parts_.health.print_failed();
        results_.print_problem = r->print.problem;
        results_.registered_at = r->registered_at;
        results_.number_note = item.state == Delivery::Delivered    ? "done.delivered"
                               : item.state == Delivery::NeedsStaff ? "done.held"
                               : item.state != Delivery::Registered ? "done.offline"
                                                                    : "";
        if (parts_.look_again) parts_.look_again();
        // Accepted means in the outbox: the citizen leaves with a number either way.
        if (!r->accepted)
            f.submit_failed("failed.not_saved");
        else if (item.state == Delivery::Registered)
            f.submitted(item.registration_number, false);
        else
            f.submitted(item.local_number, true);
        results_.done_at = now;
        changed = true;
    }
    if (auto a = pin_.take()) {
        const bool accepted = a->verdict == PinGate::Attempt::Accepted;
        parts_.health.staff(accepted ? StaffAction::Login : StaffAction::LoginFailed,
                            WallClock::now());
        f.pin_checked(accepted, static_cast<int>(a->wait.count()));
        changed = true;
    }
    if (auto o = staff_.take()) {
        f.staff_done(o->key, o->detail);
        if (parts_.look_again) parts_.look_again();
        changed = true;
    }
    if (auto problem = duty_.take()) {
        f.duty_saved(std::move(*problem));
        changed = true;
    }
    if (auto reprinted = interrupted_talons_.take())
        for (int n = 0; n < *reprinted; ++n) parts_.health.talon_printed();
    if (auto list = talons_.take()) {
        talon_list_ = std::move(*list);
        changed = true;
    }
    if (auto list = bundles_.take()) {
        bundle_list_ = std::move(*list);
        changed = true;
    }
    return changed;
}

void Session::refresh_catalog(Clock::time_point now) {
    const auto& s = catalog_.services;
    // An operator's refresh fetches at once, whatever the screen.
    const bool asked =
        parts_.remote && !services_.running() && parts_.remote->refresh_catalog.exchange(false);
    if (!asked && (flow_.screen != Screen::Service || (s && s->ok && !catalog_.stale) ||
                   services_.running() || now < catalog_.retry_at))
        return;
    catalog_.stale = false;
    net::RegisterEndpoint ep = register_endpoint(parts_.office.config);
    ep.cancel = stop_.get_token();
    services_.start([ep] { return fetch_catalog(ep); });
}

// The description a plain register gets holds the grounds and every detail it defines no
// attribute for; past GeoReport's 4,000 characters it could refuse it, so the citizen shortens
// the text before signing rather than the complaint waiting for staff.
bool Session::too_long_for_register() const {
    const Complaint& c = flow_.complaint;
    const auto rq = to_service_request(c, parts_.office.config, parts_.office.tr,
                                       parts_.office.procedure, flow_.language, WallClock::now(),
                                       "", definition_of(catalog_.whole, c.service_code));
    constexpr std::size_t kReferenceLine = 48;  // "\n\n№ " and the reference, added at delivery
    return common::code_point_count(rq.description) + kReferenceLine > net::kMaxDescriptionChars;
}

void Session::show_catalog(ServiceCatalog whole) {
    catalog_.services =
        net::ServicesResult{true, offered_services(whole, parts_.office.config), ""};
    catalog_.whole = std::move(whole);
}

// Section: operators' requests

void RemoteRequests::ask_reboot(std::string command_id) {
    std::lock_guard lock(mutex_);
    reboot_ = std::move(command_id);
}

std::optional<std::string> RemoteRequests::take_reboot() {
    std::lock_guard lock(mutex_);
    return std::exchange(reboot_, std::nullopt);
}

void RemoteRequests::wire_into(RemoteActions& actions) {
    static constexpr const char* kWhenIdle = "once no citizen is using the kiosk";
    actions.restart = [this] {
        restart = true;
        return ActionResult::ok(kWhenIdle);
    };
    actions.reboot = [this](const std::string& command_id) {
        ask_reboot(command_id);
        return ActionResult::ok(kWhenIdle);
    };
    actions.refresh_catalog = [this] {
        refresh_catalog = true;
        return ActionResult::ok();
    };
}

// The operators' out-of-service state, and a restart or reboot they asked for: done once
// nobody is at the kiosk (the attract screen, nothing in flight), never under a citizen.
bool Session::take_remote_requests() {
    bool changed = false;
    if (parts_.ledger) {
        std::optional<OutOfServiceMessage> closed;
        if (parts_.ledger->out_of_service_now()) closed = parts_.ledger->out_of_service();
        if (closed != closed_) {
            log(Priority::Notice, "remote",
                closed ? "out of service at the operators' command"
                       : "back in service at the operators' command");
            closed_ = std::move(closed);
            changed = true;
        }
    }
    if (auto why = reboot_.take(); why && !why->empty()) {
        log(Priority::Error, "remote", "reboot refused: %s", why->c_str());
        // Recorded as done when it was asked: the operators hear it did not happen after all.
        if (parts_.ledger && !reboot_command_.empty())
            parts_.ledger->amend(reboot_command_, CommandResult::Failed, "logind: " + *why,
                                 WallClock::now());
    }
    RemoteRequests* r = parts_.remote;
    if (!r || flow_.screen != Screen::Attract || busy()) return changed;
    if (r->restart.exchange(false)) {
        log(Priority::Notice, "remote", "restarting at the operators' command");
        restart_requested_ = true;
        changed = true;
    }
    if (auto command = r->take_reboot(); command && !reboot_.running()) {
        log(Priority::Notice, "remote", "rebooting at the operators' command");
        reboot_command_ = std::move(*command);
        reboot_.start(parts_.reboot);
    }
    return changed;
}

// Section: system updates

// The updater hears whether a citizen is mid-complaint; the health figures hear how it goes; the
// reboot into an installed update comes once nobody is at the kiosk and the outbox is empty, or
// once the register has been away for [update] outbox_wait_h (the outbox on /var goes along).
bool Session::follow_update() {
    if (!parts_.update) return false;
    SystemUpdate& u = *parts_.update;
    const bool idle = flow_.screen == Screen::Attract && !busy();
    u.citizen_idle(idle);
    const SystemState st = u.state();
    bool changed = false;
    if (st != update_shown_) {
        parts_.health.system(st);
        update_shown_ = st;
        changed = true;
    }
    if (st.phase != "installed" || !idle || update_reboot_asked_) return changed;
    const OutboxStats o = parts_.health.figures().sample.outbox;
    const bool waited =
        st.changed_at && WallClock::now() - *st.changed_at >=
                             std::chrono::hours(parts_.office.config.update_outbox_wait_h);
    if (o.queued + o.delivering > 0 && !waited) return changed;
    log(Priority::Notice, "update", "rebooting into the installed update %s%s",
        st.target_version.c_str(), o.queued + o.delivering > 0 ? " (the outbox goes along)" : "");
    update_reboot_asked_ = true;
    if (reboot_.start(parts_.reboot)) reboot_command_.clear();
    return changed;
}

// Section: office hours

// Looked at in every poll (a localtime_r): a change of hours is seen within a frame.
bool Session::check_office_hours() {
    const OfficeHours& hours = parts_.office.config.office_hours;
    const LocalMoment at = local_moment(WallClock::now());
    const auto holiday = [&](std::chrono::sys_days d) {
        return parts_.office.calendar.is_holiday(d);
    };
    const bool closed = !office_open(hours, at, holiday);
    std::optional<LocalMoment> opens;
    if (closed) opens = next_opening(hours, at, holiday);
    const bool changed = closed != after_hours_ || opens != opens_at_;
    if (closed != after_hours_)
        log(Priority::Notice, "session",
            closed ? "closed: outside office hours" : "open: office hours");
    after_hours_ = closed;
    opens_at_ = opens;
    return changed;
}

bool Session::poll(Clock::time_point now) {
    bool changed = take_results(now);
    changed |= take_remote_requests();
    changed |= check_office_hours();
    changed |= follow_update();
    if (std::string problem = parts_.office.delivery.problem(); problem != outbox_problem_) {
        outbox_problem_ = std::move(problem);
        changed = true;
    }
    start_effects();  // a logout queued behind another staff action
    refresh_catalog(now);
    if (flow_.screen == Screen::Done && now - results_.done_at >= done_closes()) {
        log(Priority::Info, "inactivity", "done screen closed by itself");
        end();
        return true;
    }
    // Speech turned on at the attract screen by someone who then left: off again, so that the
    // next citizen does not find the kiosk talking.
    const Config& cfg = parts_.office.config;
    if (flow_.screen == Screen::Attract && flow_.speech.on &&
        now - flow_.last_touch >=
            std::chrono::seconds(cfg.inactivity_warning_s + cfg.inactivity_reset_s)) {
        end();
        return true;
    }
    if (idle(now).state == Idle::Expired) {
        const bool staff = flow_.in_service();
        end();
        if (!staff) parts_.health.inactivity_wipe();
        log(Priority::Info, "inactivity",
            staff ? "inactivity: service mode closed" : "inactivity: form wiped");
        changed = true;
    }
    return changed;
}

Idle Session::idle(Clock::time_point now) const {
    const Config& cfg = parts_.office.config;
    if (flow_.in_service())
        return flow_.idle(now, std::chrono::seconds(cfg.service_inactivity_s),
                          std::chrono::seconds(10));
    if (flow_.screen == Screen::Done) return {};  // it closes by itself, with its own countdown
    return flow_.idle(now, std::chrono::seconds(cfg.inactivity_warning_s),
                      std::chrono::seconds(cfg.inactivity_reset_s));
}

bool Session::busy() const {
    return submission_.running() || services_.running() || status_.running() || pin_.running() ||
           staff_.running() || duty_.running() || flow_.screen == Screen::Submitting ||
           flow_.in_service();
}

int Session::done_seconds_left(Clock::time_point now) const {
    const auto left =
        std::chrono::ceil<std::chrono::seconds>(done_closes() - (now - results_.done_at));
    return static_cast<int>(std::max<std::chrono::seconds::rep>(0, left.count()));
}

// Section: the end of a citizen's session

void Session::end() {
    flow_.expire();
    start_effects();  // the logout of staff who leave
    for (auto& line : results_.status) wipe(line.arg);
    wipe(results_.print_problem);
    results_ = CitizenResults{};
    talon_list_.clear();
    talons_listed_ = false;
    ++generation_;
}

}  // namespace kiosk
