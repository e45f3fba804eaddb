// printer/cups: IPP with libcups, one connection per call, every wait bounded by a deadline.
#include "printer/cups.h"

#include "printer/error.h"

#include <cups/cups.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string_view>
#include <thread>

namespace printer {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr double io_tick_s = 0.2;            // how often a blocked read looks at the deadline
constexpr milliseconds poll_every{200};      // between looks at a job in progress
constexpr milliseconds cancel_grace{2000};   // a cancel still gets this much after the deadline
constexpr std::size_t max_name_bytes = 255;  // IPP name values (job-name)

// Section: printer-state-reasons

std::string without_severity(std::string keyword) {
    for (std::string_view suffix : {"-report", "-warning", "-error"})
        if (keyword.size() > suffix.size() && keyword.ends_with(suffix)) {
            keyword.resize(keyword.size() - suffix.size());
            break;
        }
    return keyword;
}

void add_reason(PrinterStatus& s, std::string keyword) {
    keyword = without_severity(std::move(keyword));
    if (keyword == "none" || keyword.empty()) return;
    const auto is = [&](std::initializer_list<std::string_view> names) {
        return std::find(names.begin(), names.end(), keyword) != names.end();
    };
    s.media_empty |= is({"media-empty", "media-needed"});
    s.media_low |= is({"media-low"});
    s.media_jam |= is({"media-jam"});
    s.cover_open |= is({"cover-open", "door-open", "interlock-open"});
    s.offline |= is({"offline", "shutdown", "paused"});
    if (std::find(s.reasons.begin(), s.reasons.end(), keyword) == s.reasons.end())
        s.reasons.push_back(std::move(keyword));
}

std::string joined(const std::vector<std::string>& words) {
    std::string out;
    for (const std::string& w : words) out += (out.empty() ? "" : ", ") + w;
    return out.empty() ? "no reason given" : out;
}

// Section: where the printer is

struct Endpoint {
    std::string host;  // name, address, or the path of cupsd's local socket
    int port = 631;
    std::string resource;     // HTTP path, e.g. "/ipp/print" or "/printers/Receipt"
    std::string printer_uri;  // the printer-uri attribute of every request
    http_encryption_t encryption = HTTP_ENCRYPTION_IF_REQUESTED;
};

// CUPS's rule: up to 127 printable characters, none of space / \ ? ' " #.
bool valid_queue_name(const std::string& name) {
    constexpr std::string_view banned = "/\\?'\"#";
    return !name.empty() && name.size() < 128 &&
           std::none_of(name.begin(), name.end(), [&](unsigned char c) {
               return c <= ' ' || c == 0x7F || banned.find(static_cast<char>(c)) != banned.npos;
           });
}

// A queue of the local cupsd, or a printer's own ipp:// or ipps:// URI.
Endpoint endpoint(const std::string& target) {
    Endpoint ep;
    if (target.find("://") == std::string::npos) {
        if (!valid_queue_name(target))
            throw Error("printer: \"" + target +
                        "\" is neither a CUPS queue name nor an ipp:// URI");
        char uri[1024];
        if (httpAssembleURIf(HTTP_URI_CODING_ALL, uri, sizeof uri, "ipp", nullptr, "localhost",
                             ippPort(), "/printers/%s", target.c_str()) < HTTP_URI_STATUS_OK)
            throw Error("printer: cannot make a URI for queue \"" + target + "\"");
        ep.host = cupsServer();
        ep.port = ippPort();
        ep.resource = "/printers/" + target;
        ep.printer_uri = uri;
        return ep;
    }
    char scheme[32], userpass[256], host[256], resource[1024];
    if (httpSeparateURI(HTTP_URI_CODING_ALL, target.c_str(), scheme, sizeof scheme, userpass,
                        sizeof userpass, host, sizeof host, &ep.port, resource,
                        sizeof resource) < HTTP_URI_STATUS_OK ||
        (std::string_view(scheme) != "ipp" && std::string_view(scheme) != "ipps") || !*host)
        throw Error("printer: \"" + target + "\" is not an ipp:// or ipps:// printer URI");
    ep.host = host;
    ep.resource = resource;
    ep.printer_uri = target;
    if (std::string_view(scheme) == "ipps") ep.encryption = HTTP_ENCRYPTION_ALWAYS;
    return ep;
}

// Section: a connection with a deadline

// libcups writes with send() without MSG_NOSIGNAL: a printer that hangs up mid-job would kill
// the kiosk with SIGPIPE. Blocked in this thread for the call, and a pending one swallowed.
class SigpipeBlocked {
public:
    SigpipeBlocked() {
        sigemptyset(&pipe_);
        sigaddset(&pipe_, SIGPIPE);
        pthread_sigmask(SIG_BLOCK, &pipe_, &old_);
    }
    ~SigpipeBlocked() {
        if (sigismember(&old_, SIGPIPE)) return;  // the caller blocks it already: theirs to handle
        sigset_t pending;
        const timespec now{0, 0};
        if (sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE))
            sigtimedwait(&pipe_, nullptr, &now);
        pthread_sigmask(SIG_SETMASK, &old_, nullptr);
    }
    SigpipeBlocked(const SigpipeBlocked&) = delete;
    SigpipeBlocked& operator=(const SigpipeBlocked&) = delete;

private:
    sigset_t pipe_, old_;
};

using Response = std::unique_ptr<ipp_t, void (*)(ipp_t*)>;

enum class Failure { None, TimedOut, Unreachable, Refused };

class Session {
public:
    Session(Endpoint ep, Clock::time_point deadline, std::stop_token stop = {})
        : ep_(std::move(ep)), deadline_(deadline), stop_(std::move(stop)) {
        const int msec = static_cast<int>(std::max<Clock::rep>(1, left().count()));
        http_ = httpConnect2(ep_.host.c_str(), ep_.port, nullptr, AF_UNSPEC, ep_.encryption, 1,
                             msec, nullptr);
        if (!http_) {
            failure_ = Clock::now() >= deadline_ ? Failure::TimedOut : Failure::Unreachable;
            error_ = "cannot connect to the printer at " + ep_.host + ":" +
                     std::to_string(ep_.port) + ": " + cupsLastErrorString();
            return;
        }
        httpSetTimeout(http_, io_tick_s, &Session::keep_waiting, this);
    }
    ~Session() {
        if (http_) httpClose(http_);
    }
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    Failure failure() const { return failure_; }
    const std::string& error() const { return error_; }
    bool stopped() const { return !cancelling_ && stop_.stop_requested(); }
    bool expired() const { return Clock::now() >= deadline_ || stopped(); }
    milliseconds left() const {
        return std::chrono::duration_cast<milliseconds>(deadline_ - Clock::now());
    }
    // A cancel gets its own time, stop requested or not: a job left behind would come out later.
    void cancelling(milliseconds grace) {
        deadline_ = Clock::now() + grace;
        cancelling_ = true;
    }

    // A request of op on the printer with the usual operation attributes.
    ipp_t* request(ipp_op_t op) const {
        ipp_t* r = ippNewRequest(op);
        if (!r) return nullptr;
        ippAddString(r, IPP_TAG_OPERATION, IPP_TAG_URI, "printer-uri", nullptr,
                     ep_.printer_uri.c_str());
        ippAddString(r, IPP_TAG_OPERATION, IPP_TAG_NAME, "requesting-user-name", nullptr,
                     cupsUser());
        return r;
    }

    // Sends request (consumed) with file as the document, if any; the answer, or null with
    // failure() and error() saying why.
    Response send(ipp_t* request, const char* file = nullptr) {
        Response owned(request, ippDelete);
        failure_ = Failure::None;
        timed_out_ = false;
        if (!http_) return fail(Failure::Unreachable, "not connected to the printer");
        if (!owned) return fail(Failure::Refused, "out of memory for an IPP request");
        ipp_t* sent = owned.release();  // libcups frees it
        Response answer(file ? cupsDoFileRequest(http_, sent, ep_.resource.c_str(), file)
                             : cupsDoRequest(http_, sent, ep_.resource.c_str()),
                        ippDelete);
        if (answer && ippGetStatusCode(answer.get()) < IPP_STATUS_REDIRECTION_OTHER_SITE)
            return answer;
        if (timed_out_) return fail(Failure::TimedOut, "the printer did not answer in time");
        if (!answer && cupsLastError() == IPP_STATUS_ERROR_SERVICE_UNAVAILABLE)
            return fail(Failure::Unreachable,
                        std::string("lost the printer: ") + cupsLastErrorString());
        return fail(Failure::Refused, std::string("the printer refused: ") + cupsLastErrorString());
    }

private:
    Response fail(Failure f, std::string why) {
        failure_ = f;
        error_ = std::move(why);
        return {nullptr, ippDelete};
    }

    // libcups asks each io_tick_s of silence whether to keep waiting.
    static int keep_waiting(http_t*, void* self) {
        auto* s = static_cast<Session*>(self);
        s->timed_out_ = s->expired();
        return s->timed_out_ ? 0 : 1;
    }

    Endpoint ep_;
    Clock::time_point deadline_;
    std::stop_token stop_;
    bool cancelling_ = false;
    http_t* http_ = nullptr;
    Failure failure_ = Failure::None;
    bool timed_out_ = false;
    std::string error_;
};

// Section: asking the printer

std::string text_of(ipp_t* answer, const char* name) {
    const char* s = ippGetString(ippFindAttribute(answer, name, IPP_TAG_TEXT), 0, nullptr);
    return s ? s : "";
}

PrinterStatus ask_status(Session& session) {
    PrinterStatus s;
    ipp_t* req = session.request(IPP_OP_GET_PRINTER_ATTRIBUTES);
    static const char* const wanted[] = {"printer-state", "printer-state-reasons",
                                         "printer-state-message"};
    if (req)
        ippAddStrings(req, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes",
                      static_cast<int>(std::size(wanted)), nullptr, wanted);
    const Response answer = session.send(req);
    if (!answer) {
        s.error = session.error();
        return s;
    }
    // A printer that leaves its state out is judged by its reasons alone.
    switch (ippGetInteger(ippFindAttribute(answer.get(), "printer-state", IPP_TAG_ENUM), 0)) {
    case IPP_PSTATE_STOPPED: s.state = PrinterStatus::State::Stopped; break;
    case IPP_PSTATE_PROCESSING: s.state = PrinterStatus::State::Processing; break;
    default: s.state = PrinterStatus::State::Idle; break;
    }
    ipp_attribute_t* reasons =
        ippFindAttribute(answer.get(), "printer-state-reasons", IPP_TAG_KEYWORD);
    for (int i = 0; i < ippGetCount(reasons); ++i)
        if (const char* k = ippGetString(reasons, i, nullptr)) add_reason(s, k);
    s.message = text_of(answer.get(), "printer-state-message");
    return s;
}

struct JobState {
    ipp_jstate_t state = IPP_JSTATE_PENDING;
    std::string why;  // job-state-reasons and message, for the error of a failed job
};

std::optional<JobState> ask_job(Session& session, int job_id) {
    ipp_t* req = session.request(IPP_OP_GET_JOB_ATTRIBUTES);
    static const char* const wanted[] = {"job-state", "job-state-reasons", "job-state-message"};
    if (req) {
        ippAddInteger(req, IPP_TAG_OPERATION, IPP_TAG_INTEGER, "job-id", job_id);
        ippAddStrings(req, IPP_TAG_OPERATION, IPP_TAG_KEYWORD, "requested-attributes",
                      static_cast<int>(std::size(wanted)), nullptr, wanted);
    }
    const Response answer = session.send(req);
    if (!answer) return std::nullopt;
    JobState job;
    job.state = static_cast<ipp_jstate_t>(
        ippGetInteger(ippFindAttribute(answer.get(), "job-state", IPP_TAG_ENUM), 0));
    std::vector<std::string> why;
    ipp_attribute_t* reasons = ippFindAttribute(answer.get(), "job-state-reasons", IPP_TAG_KEYWORD);
    for (int i = 0; i < ippGetCount(reasons); ++i)
        if (const char* k = ippGetString(reasons, i, nullptr)) why.emplace_back(k);
    job.why = joined(why);
    if (const std::string m = text_of(answer.get(), "job-state-message"); !m.empty())
        job.why += " (" + m + ")";
    return job;
}

// The job id, or 0 with the session saying why.
int submit(Session& session, const std::filesystem::path& pdf, const std::string& job_name) {
    ipp_t* req = session.request(IPP_OP_PRINT_JOB);
    if (req) {
        ippAddString(req, IPP_TAG_OPERATION, IPP_TAG_NAME, "job-name", nullptr,
                     job_name.substr(0, max_name_bytes).c_str());
        ippAddString(req, IPP_TAG_OPERATION, IPP_TAG_MIMETYPE, "document-format", nullptr,
                     "application/pdf");
    }
    const Response answer = session.send(req, pdf.c_str());
    return answer ? ippGetInteger(ippFindAttribute(answer.get(), "job-id", IPP_TAG_INTEGER), 0) : 0;
}

// Best effort: the outcome is already decided, so a failed cancel only adds to the error.
std::string cancel(Session& session, int job_id) {
    session.cancelling(cancel_grace);
    ipp_t* req = session.request(IPP_OP_CANCEL_JOB);
    if (req) ippAddInteger(req, IPP_TAG_OPERATION, IPP_TAG_INTEGER, "job-id", job_id);
    return session.send(req) ? "; the job was cancelled"
                             : "; cancelling the job failed too: " + session.error();
}

// Section: outcomes

PrintResult::Outcome outcome_of(Failure f) {
    switch (f) {
    case Failure::TimedOut: return PrintResult::Outcome::TimedOut;
    case Failure::Unreachable: return PrintResult::Outcome::Unreachable;
    default: return PrintResult::Outcome::Failed;
    }
}

PrintResult lost(Session& session, PrintResult r) {
    r.outcome = session.stopped() ? PrintResult::Outcome::Stopped : outcome_of(session.failure());
    r.error = session.error();
    if (r.outcome != PrintResult::Outcome::Failed) {
        r.status = {};
        r.status.error = session.error();
    }
    return r;
}

std::string trouble(const PrinterStatus& s) {
    return "the printer cannot print: " + (s.reasons.empty() ? "stopped" : joined(s.reasons)) +
           (s.message.empty() ? "" : " (" + s.message + ")");
}

// Polls the job and the printer until the job ends, trouble shows, or time runs out.
PrintResult follow(Session& session, PrintResult r) {
    for (;;) {
        const std::optional<JobState> job = ask_job(session, r.job_id);
        if (job) r.status = ask_status(session);
        if (!job || !r.status.error.empty()) {
            const bool answers = session.failure() == Failure::TimedOut;  // slow, not gone
            r = lost(session, r);
            if (answers) r.error += cancel(session, r.job_id);
            return r;
        }
        if (job->state == IPP_JSTATE_COMPLETED) {
            r.outcome = PrintResult::Outcome::Completed;
            return r;
        }
        const bool ended = job->state == IPP_JSTATE_CANCELED || job->state == IPP_JSTATE_ABORTED;
        if (!r.status.can_print()) {
            r.outcome = PrintResult::Outcome::PrinterTrouble;
            r.error = trouble(r.status) + (ended ? "" : cancel(session, r.job_id));
            return r;
        }
        if (ended) {
            r.outcome = PrintResult::Outcome::Failed;
            r.error = "the printer ended the job without printing it: " + job->why;
            return r;
        }
        if (session.stopped()) {
            r.outcome = PrintResult::Outcome::Stopped;
            r.error = "the kiosk stopped before the job finished" + cancel(session, r.job_id);
            return r;
        }
        if (session.expired()) {
            r.outcome = PrintResult::Outcome::TimedOut;
            r.error = "the job did not finish in time: " + job->why + cancel(session, r.job_id);
            return r;
        }
        std::this_thread::sleep_for(std::min(poll_every, session.left()));
    }
}

PrintResult print(const std::string& target, const std::filesystem::path& pdf,
                  const std::string& job_name, milliseconds timeout, std::stop_token stop) {
    PrintResult r;
    if (::access(pdf.c_str(), R_OK) != 0) {
        r.error = "cannot read the talon file \"" + pdf.string() + "\"";
        return r;
    }
    Session session(endpoint(target), Clock::now() + timeout, std::move(stop));
    if (session.failure() != Failure::None) return lost(session, r);
    r.status = ask_status(session);
    if (!r.status.error.empty()) return lost(session, r);
    if (!r.status.can_print()) {  // a job sent now would wait and come out for someone else
        r.outcome = PrintResult::Outcome::PrinterTrouble;
        r.error = trouble(r.status);
        return r;
    }
    r.job_id = submit(session, pdf, job_name);
    if (r.job_id > 0) return follow(session, r);
    r.job_id = 0;
    if (session.failure() != Failure::None) return lost(session, r);
    r.error = "the printer took the job but gave no job id";
    return r;
}

}  // namespace

// Section: entry points

bool PrinterStatus::can_print() const {
    return (state == State::Idle || state == State::Processing) && !media_empty && !media_jam &&
           !cover_open && !offline;
}

PrinterStatus printer_status(const std::string& target, milliseconds timeout) {
    const SigpipeBlocked quiet;
    try {
        Session session(endpoint(target), Clock::now() + timeout);
        PrinterStatus s;
        if (session.failure() != Failure::None) {
            s.error = session.error();
            return s;
        }
        return ask_status(session);
    } catch (const std::exception& e) {  // a bad target or no memory: still an answer
        PrinterStatus s;
        s.error = e.what();
        return s;
    }
}

PrintResult print_pdf(const std::string& target, const std::filesystem::path& pdf,
                      const std::string& job_name, milliseconds timeout, std::stop_token stop) {
    const SigpipeBlocked quiet;
    try {
        return print(target, pdf, job_name, timeout, std::move(stop));
    } catch (const std::exception& e) {
        PrintResult r;
        r.error = e.what();
        return r;
    }
}

}  // namespace printer
