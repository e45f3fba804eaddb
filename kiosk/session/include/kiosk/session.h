// kiosk/session: the kiosk's side of one citizen at a time. It owns the flow, runs every effect
// the flow asks for off the UI thread (submission, status look-up, catalog, assistance, the PIN
// check, staff actions), holds their results, and wipes all of it when the citizen's session
// ends. A view draws it and reports what was touched as an Intent; nothing here knows a display.
#pragma once
#include "kiosk/catalog.h"
#include "kiosk/flow.h"
#include "kiosk/health.h"
#include "kiosk/pin.h"
#include "kiosk/remote_command.h"
#include "kiosk/service.h"
#include "kiosk/submission.h"
#include "kiosk/system_update.h"
#include "kiosk/systemd.h"

#include <net/register_client.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <future>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

namespace kiosk {

// Section: background work

// One piece of work off the UI thread and its result: started only when none runs, taken
// without waiting, and waited for when dropped, so no thread outlives what it uses.
template <class T>
class Task {
public:
    bool running() const { return future_.valid(); }
    template <class F>
    bool start(F&& work) {
        if (running()) return false;
        future_ = std::async(std::launch::async, std::forward<F>(work));
        return true;
    }
    bool hold(std::future<T> started) {  // work started elsewhere
        if (running()) return false;
        future_ = std::move(started);
        return true;
    }
    std::optional<T> take() {
        if (!running() || future_.wait_for(std::chrono::seconds(0)) != std::future_status::ready)
            return std::nullopt;
        return future_.get();
    }
    void wait() const {
        if (running()) future_.wait();
    }

private:
    std::future<T> future_;
};

// Section: what a view reports

enum class Act {
    Start,
    Language,
    Home,
    FileComplaint,
    CheckStatus,
    HowAppealsWork,
    CallSpecialist,
    Help,
    CancelHelp,
    LookUpStatus,
    ChooseAddressee,
    ChooseService,
    AddGround,
    Next,
    Back,
    Change,
    Cancel,
    CancelConfirmed,
    KeepGoing,
    Finish,
    Retry,
    Focus,
    FocusError,
    NextField,
    Type,
    Backspace,
    CaretLeft,
    CaretRight,
    CaretTo,
    AddOfficial,
    RemoveOfficial,
    Consent,
    ClearSignature,
    SignWithKeypad,
    KeyboardLetters,
    KeyboardSymbols,
    Shift,
    LargeText,
    Contrast,
    Speech,      // arg 1: on (a keypad key, a headset; arg2 1: it is a headset), 0: on or off,
                 // 2: the headset was unplugged
    SpeakAloud,  // personal data on the loudspeaker, or not
    Volume,      // arg: +1 or -1
    Rate,        // the next of the speech rates
    StillHere,
    // staff
    PinDigit,
    PinErase,
    PinOk,
    StaffOpen,
    StaffDo,
    StaffConfirm,
    StaffCancel,
    StaffLeave,
    DutySave,  // the duty screen's Save (its Cancel: StaffOpen of the overview)
};

// What touching an item does: the act and its argument (a language, a field and official, a
// step, an index, a letter, a talon's path).
struct Intent {
    Act act = Act::StillHere;
    int arg = 0;
    int arg2 = 0;
    std::string text;
    bool operator==(const Intent&) const = default;
};

// Section: the session

// What the session stands on, all living as long as the app.
// What operators asked from afar (signed remote commands, taken on the monitor's thread) that
// only the UI thread may do: poll() does it, a restart or reboot once no citizen is at the kiosk.
struct RemoteRequests {
    std::atomic<bool> restart{false}, refresh_catalog{false};
    // A reboot, with its command's id: one logind refuses when it comes is amended to failed.
    void ask_reboot(std::string command_id);
    std::optional<std::string> take_reboot();
    // Sets the actions that only ask: restart, reboot and refresh_catalog.
    void wire_into(RemoteActions& actions);

private:
    std::mutex mutex_;
    std::optional<std::string> reboot_;
};

struct SessionParts {
    const Backoffice& office;
    Health& health;
    PinGate& pin_gate;
    std::function<void()> look_again;  // the monitor samples now (after prints, staff actions)
    RemoteRequests* remote = nullptr;  // none: no operator asks anything of this session
    // The operators' out-of-service state (kept across restarts), and where a refused reboot's
    // result is amended; none: never taken out.
    CommandLedger* ledger = nullptr;
    // A/B system updates: installed only with no citizen mid-complaint, rebooted into once
    // nobody is at the kiosk and the outbox is empty; none: no updates here.
    SystemUpdate* update = nullptr;
    // Asks logind for the reboot: "" or why not (tests answer for logind, so that the machine
    // running them is never rebooted).
    std::function<std::string()> reboot = request_reboot;
};

// The register's catalog: cached on disk, refreshed in the background, kept across citizens.
struct CatalogState {
    std::optional<net::ServicesResult> services;  // offered to citizens; nullopt until the cache or
                                                  // the register gave one
    ServiceCatalog whole;          // as the register gave it: definitions, services not offered
    bool stale = false;            // shown from the cache, not yet refreshed
    Clock::time_point retry_at{};  // a failed fetch waits before the next
};

// What background work told this citizen; wiped with the session.
struct CitizenResults {
    std::vector<StatusLine> status;  // the status look-up's answer
    std::string print_problem;       // on Done: why there is no talon
    // On Done: when the register numbered it, the time limit running from then; none yet.
    std::optional<WallClock::time_point> registered_at;
    std::string number_note;  // on Done: why the number is the kiosk's (a translation key), or ""
    Clock::time_point done_at{};  // on Done: the screen closes itself after a while
};

class Session {
public:
    explicit Session(SessionParts parts);
    ~Session();  // stops work in flight and waits for it: see shutdown()
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    // Applies what a view reported, starting any effect it asks for.
    void act(const Intent& intent, Clock::time_point now = Clock::now());
    void sign(SignatureStroke stroke);       // a finger stroke on the signature pad
    void corner_tap(Clock::time_point now);  // staff's hidden gesture on the attract screen

    // Once per loop on the UI thread: takes finished work, refreshes the catalog, closes the
    // done screen and ends a session nobody touches. Never waits. True when something changed.
    bool poll(Clock::time_point now);
    Idle idle(Clock::time_point now) const;
    bool busy() const;  // work under way or a live screen: draw often
    bool restart_requested() const { return restart_requested_ && !staff_.running(); }
    int done_seconds_left(Clock::time_point now) const;

    // Ends the citizen's session: everything typed and every result is overwritten and gone.
    void end();
    // The kiosk is stopping: calls to the register and the printer in flight are cut short
    // (within about a second; a print's cancel may take 2 s more) and waited for. A complaint
    // being submitted stays committed; its talon is printed again at the next start.
    void shutdown();
    // The outbox cannot take complaints (see DeliveryWorker::problem): the attract screen
    // says the kiosk is out of service and no citizen session starts.
    bool out_of_service() const { return !outbox_problem_.empty(); }
    const std::string& outbox_problem() const { return outbox_problem_; }
    // The fleet's operators took the kiosk out of service: the attract screen shows their
    // words (where to go instead) and no citizen session starts. A citizen already at the
    // kiosk finishes first.
    const std::optional<OutOfServiceMessage>& closed_by_operator() const { return closed_; }
    // Outside [office_hours]: the attract screen says closed, with the hours and when it opens
    // next, and no citizen session starts. A citizen already at the kiosk finishes first.
    bool closed_for_hours() const { return after_hours_; }
    const std::optional<LocalMoment>& opens_at() const { return opens_at_; }

    const Flow& flow() const { return flow_; }
    const CatalogState& catalog() const { return catalog_; }
    const CitizenResults& results() const { return results_; }
    bool looking_up_status() const { return status_.running(); }
    bool listing_talons() const { return talons_.running(); }
    const std::vector<std::filesystem::path>& talons() const { return talon_list_; }
    bool listing_bundles() const { return bundles_.running(); }
    const std::vector<std::filesystem::path>& bundles() const { return bundle_list_; }
    const Backoffice& office() const { return parts_.office; }
    const Health& health() const { return parts_.health; }
    bool speech_available() const;  // the voice works here: the bar offers speech
    const PinGate& pin_gate() const { return parts_.pin_gate; }
    const std::string& t(std::string_view key) const;  // in the citizen's language

    static constexpr std::chrono::seconds kDoneCloses{30};
    // With speech on, the number is said character by character and the citizen may write
    // it down: the done screen waits longer.
    static constexpr std::chrono::seconds kDoneClosesSpeaking{90};
    // A talon cut short by a kill is printed again at start only this soon after acceptance:
    // its citizen may still be waiting at the kiosk; later, it would be a stranger's to take.
    static constexpr std::chrono::minutes kReprintAtStartWithin{10};

private:
    void apply(const Intent& i);
    void turn_speech(int how, bool headset);
    std::chrono::seconds done_closes() const;
    void start_effects();
    bool take_results(Clock::time_point now);
    void refresh_catalog(Clock::time_point now);
    bool take_remote_requests();
    bool check_office_hours();
    bool follow_update();
    void show_catalog(ServiceCatalog whole);
    bool too_long_for_register() const;  // what citizens are offered of it, and the whole

    SessionParts parts_;
    std::stop_source stop_;  // before the tasks: they hold its tokens
    Flow flow_;
    std::string outbox_problem_;
    std::optional<OutOfServiceMessage> closed_;
    bool after_hours_ = false;
    std::optional<LocalMoment> opens_at_;
    CatalogState catalog_;
    CitizenResults results_;
    std::uint64_t generation_ = 0;  // which citizen a result belongs to
    std::uint64_t status_generation_ = 0;
    bool restart_requested_ = false;
    bool talons_listed_ = false;
    bool bundles_listed_ = false;
    std::vector<std::filesystem::path> bundle_list_;
    SystemState update_shown_;          // what the health figures last heard
    bool update_reboot_asked_ = false;  // once: a refused reboot is staff's to repeat
    std::vector<std::filesystem::path> talon_list_;
    Task<CatalogResult> services_;
    Task<bool> catalog_saved_;
    Task<std::vector<StatusLine>> status_;
    Task<bool> assistance_;
    Task<SubmissionResult> submission_;
    Task<PinGate::Attempt> pin_;
    Task<StaffOutcome> staff_;
    Task<std::string> duty_;  // the duty specialist's name being saved: "" or why not
    Task<std::vector<std::filesystem::path>> talons_;
    Task<std::vector<std::filesystem::path>> bundles_;  // on the USB sticks
    Task<int> interrupted_talons_;
    Task<std::string> reboot_;    // a reboot asked of logind: "" or why not
    std::string reboot_command_;  // the operators' command behind reboot_; "" for an update's
};

}  // namespace kiosk
