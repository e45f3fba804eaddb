#include "net/download.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <utility>

#include "curl_transfer.h"

namespace net {
namespace {

using Easy = std::unique_ptr<CURL, decltype(&curl_easy_cleanup)>;

// Where the answer's bytes go: the file, at most max of them.
struct Sink {
    int fd = -1;
    std::uint64_t max = 0, written = 0;
    bool too_large = false;
    int write_errno = 0;
    Sink() = default;
    Sink(const Sink&) = delete;
    Sink& operator=(const Sink&) = delete;
    ~Sink() { close(); }
    bool close() { return fd < 0 || ::close(std::exchange(fd, -1)) == 0; }
};

bool write_all(int fd, const char* data, std::size_t n, int& error) {
    while (n > 0) {
        const ssize_t w = ::write(fd, data, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            error = w < 0 ? errno : EIO;
            return false;
        }
        data += w;
        n -= static_cast<std::size_t>(w);
    }
    return true;
}

// Returning less than given makes curl end the transfer with CURLE_WRITE_ERROR.
size_t to_file(char* data, size_t size, size_t n, void* user) {
    auto* s = static_cast<Sink*>(user);
    const std::size_t bytes = size * n;
    if (s->written + bytes > s->max) {
        s->too_large = true;  // an answer without a length, or one that lied about it
        return 0;
    }
    if (!write_all(s->fd, data, bytes, s->write_errno)) return 0;
    s->written += bytes;
    return bytes;
}

DownloadResult failed(std::string why) {
    DownloadResult r;
    r.error = std::move(why);
    return r;
}

std::string errno_text(const char* step, int error) {
    return std::string(step) + ": " + std::strerror(error);
}

}  // namespace

bool download_url_ok(const std::string& url) { return detail::check_url(url, "url").empty(); }

DownloadResult download_file(const DownloadRequest& rq) {
    if (!download_url_ok(rq.url))
        return failed("the URL must be https (plain http only to loopback)");
    if (rq.cancel.stop_requested()) {
        DownloadResult r = failed("cancelled");
        r.cancelled = true;
        return r;
    }
    Sink sink;
    sink.max = rq.max_bytes;
    sink.fd = ::open(rq.to.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (sink.fd < 0) return failed(errno_text("creating the file", errno));
    if (::fchmod(sink.fd, 0600) != 0) return failed(errno_text("chmod of the file", errno));

    Easy easy(curl_easy_init(), curl_easy_cleanup);
    if (!easy) return failed("curl_easy_init failed");
    CURL* h = easy.get();
    char errbuf[CURL_ERROR_SIZE] = "";
    // The bound goes to curl as the largest file it takes (an answer that says it is longer is
    // refused before any byte); the answer itself goes to the file, not to the body.
    detail::BoundedBody unused{static_cast<std::size_t>(rq.max_bytes)};
    const std::stop_token cancel = rq.cancel;
    detail::set_transfer_options(h, rq.url,
                                 {rq.ca_file, rq.client_cert, rq.client_key, rq.connect_timeout_ms,
                                  rq.total_timeout_ms, &cancel},
                                 errbuf, unused);
    curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(rq.max_bytes));
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, to_file);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
    // A big file over a slow link takes long: a stall ends it, not a short total timeout.
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, rq.stall_bytes_per_s);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, rq.stall_s);
    curl_easy_setopt(h, CURLOPT_FAILONERROR, 1L);  // an error's page never goes into the file
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, nullptr);  // the bytes as they are served

    const CURLcode rc = curl_easy_perform(h);
    DownloadResult r;
    r.bytes = sink.written;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r.http_status);
    if (sink.too_large || rc == CURLE_FILESIZE_EXCEEDED) {
        r.too_large = true;
        r.error = "larger than " + std::to_string(rq.max_bytes) + " bytes";
    } else if (sink.write_errno) {
        r.error = errno_text("writing the file", sink.write_errno);
    } else if (rc == CURLE_ABORTED_BY_CALLBACK) {
        r.cancelled = true;
        r.error = "cancelled";
    } else if (rc == CURLE_HTTP_RETURNED_ERROR) {
        r.error = "HTTP " + std::to_string(r.http_status);
    } else if (rc != CURLE_OK) {
        r.error = detail::transfer_error(rc, errbuf, "the server's");
    } else if (r.http_status != 200) {
        r.error = "HTTP " + std::to_string(r.http_status) + " (not 200)";
    } else if (::fsync(sink.fd) != 0) {
        r.error = errno_text("fsync of the file", errno);
    } else if (!sink.close()) {
        r.error = errno_text("closing the file", errno);
    } else {
        r.ok = true;
    }
    return r;
}

}  // namespace net
