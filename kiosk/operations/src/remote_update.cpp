// The update command's action (issue 17): the bundle an operator's signed command names,
// downloaded over HTTPS into the state folder, checked against the size and SHA-256 the
// command carries, and handed to the installer (SystemUpdate::install, wired by the
// application). RAUC checks the bundle's own signature when it installs it.
#include "kiosk/journal.h"
#include "kiosk/remote_command.h"

#include <common/atomic_file.h>
#include <net/download.h>
#include <openssl/evp.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <system_error>

namespace kiosk {
namespace {

namespace fs = std::filesystem;

constexpr const char* kAccepted = "accepted: installs when no citizen is at the kiosk";

bool lowercase_hex(std::string_view s) {
    return std::all_of(s.begin(), s.end(),
                       [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

std::string mib(std::uint64_t bytes) { return std::to_string(bytes >> 20) + " MiB"; }

// The file's SHA-256 as 64 lowercase hex digits; "" when it cannot be read.
std::string sha256_of(const fs::path& file, std::stop_token stop) {
    std::ifstream in(file, std::ios::binary);
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    if (!in || !ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) return "";
    std::vector<char> buf(1 << 20);
    while (in.read(buf.data(), static_cast<std::streamsize>(buf.size())) || in.gcount() > 0) {
        if (stop.stop_requested()) return "";
        if (EVP_DigestUpdate(ctx.get(), buf.data(), static_cast<std::size_t>(in.gcount())) != 1)
            return "";
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (in.bad() || EVP_DigestFinal_ex(ctx.get(), digest, &n) != 1) return "";
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < n; ++i) {
        out += hex[digest[i] >> 4];
        out += hex[digest[i] & 15];
    }
    return out;
}

// Removes a file this action made; a failure is only logged (the next update replaces it).
void remove_quietly(const fs::path& file) {
    std::error_code ec;
    if (!fs::remove(file, ec) && ec)
        log(Priority::Warning, "update", "cannot remove %s: %s", file.filename().c_str(),
            ec.message().c_str());
}

// The download, checked; "" when `part` holds exactly the bundle ordered.
std::string download(const Config& cfg, const BundleOrder& order, const fs::path& part,
                     std::stop_token stop) {
    net::DownloadRequest rq;
    rq.url = order.url;
    rq.to = part;
    rq.max_bytes = order.size;
    rq.ca_file = cfg.register_ca.string();
    rq.client_cert = cfg.client_cert.string();
    rq.client_key = cfg.client_key.string();
    rq.connect_timeout_ms = std::max(cfg.connect_timeout_s, 1) * 1000L;
    rq.total_timeout_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(kBundleDownloadTimeout).count();
    rq.cancel = stop;
    const net::DownloadResult r = net::download_file(rq);
    if (r.too_large)
        return "download: larger than the " + std::to_string(order.size) +
               " bytes announced; cut off";
    if (!r.ok) return "download: " + r.error;
    if (r.bytes != order.size)
        return "size: " + std::to_string(r.bytes) + " bytes, not the " +
               std::to_string(order.size) + " announced";
    const std::string sha256 = sha256_of(part, stop);
    if (stop.stop_requested()) return "download: cancelled";
    if (sha256.empty()) return "sha256: cannot read the download back";
    if (sha256 != order.sha256) return "sha256: the download does not match the command's";
    return "";
}

}  // namespace

// Section: the order

std::string bundle_problem(const BundleOrder& o) {
    if (o.url.empty() || o.url.size() > kMaxBundleUrlChars)
        return "bundle.url: must be 1.." + std::to_string(kMaxBundleUrlChars) + " characters";
    if (!std::all_of(o.url.begin(), o.url.end(), [](char c) { return c > 0x20 && c < 0x7F; }))
        return "bundle.url: must be printable ASCII without spaces";
    if (!net::download_url_ok(o.url))
        return "bundle.url: must be https (plain http only to loopback)";
    if (o.sha256.size() != 64 || !lowercase_hex(o.sha256))
        return "bundle.sha256: must be 64 lowercase hex digits";
    if (o.size < 1 || o.size > kMaxBundleBytes)
        return "bundle.size: must be 1.." + std::to_string(kMaxBundleBytes) + " bytes";
    return "";
}

// Section: the action

fs::path update_bundle_file(const Config& cfg) { return cfg.state_dir / "update" / "bundle.raucb"; }

ActionResult fetch_update(const Config& cfg, const BundleOrder& order, std::stop_token stop,
                          const std::function<std::string(const fs::path&)>& install) {
    if (const std::string why = bundle_problem(order); !why.empty())
        return ActionResult::failed(why);
    const fs::path bundle = update_bundle_file(cfg);
    fs::path part = bundle;
    part += ".part";
    if (const auto st = common::make_private_dir(bundle.parent_path()); !st.ok())
        return ActionResult::failed("state folder: " + st.message);
    remove_quietly(part);  // a download cut short earlier (a crash, a power cut)
    std::error_code ec;
    const fs::space_info space = fs::space(bundle.parent_path(), ec);
    if (ec) return ActionResult::failed("free space: cannot tell: " + ec.message());
    if (space.available < order.size + kUpdateSpareBytes)
        return ActionResult::failed("free space: " + mib(space.available) + " in state_dir, " +
                                    mib(order.size + kUpdateSpareBytes) +
                                    " needed (the bundle and " + mib(kUpdateSpareBytes) +
                                    " to spare)");

    log(Priority::Notice, "update", "downloading an update bundle of %llu bytes",
        static_cast<unsigned long long>(order.size));
    if (const std::string why = download(cfg, order, part, stop); !why.empty()) {
        remove_quietly(part);
        return ActionResult::failed(why);
    }
    // The bundle appears whole or not at all, and stays across a power cut.
    fs::rename(part, bundle, ec);
    if (ec) {
        remove_quietly(part);
        return ActionResult::failed("rename: " + ec.message());
    }
    if (const auto st = common::sync_folder(bundle.parent_path()); !st.ok()) {
        remove_quietly(bundle);
        return ActionResult::failed("state folder: " + st.message);
    }
    if (!install) {
        remove_quietly(bundle);
        return ActionResult::failed("install: not supported here");
    }
    // Refused, the bundle stays: an install already waiting reads this path (and now takes
    // the newer bundle); the next update replaces it.
    if (const std::string why = install(bundle); !why.empty())
        return ActionResult::failed("install: " + why);
    return ActionResult::ok(kAccepted);
}

}  // namespace kiosk
