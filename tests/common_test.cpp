// common: state files written whole and private whatever the umask, private folders, private
// keys' owner and mode, and the one UTF-8 decoder's edge cases.
#include <common/atomic_file.h>
#include <common/secret_file.h>
#include <common/utf8.h>

#include <gtest/gtest.h>

#include <fcntl.h>
#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <functional>
#include <sstream>

namespace {

namespace fs = std::filesystem;
using common::Durability;
using common::FileStatus;

// Section: scratch folders, modes and users

class Scratch : public ::testing::Test {
protected:
    void SetUp() override {
        std::string pattern = (fs::temp_directory_path() / "common_test.XXXXXX").string();
        ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
        dir_ = pattern;
        // Traversable by anyone, so the unprivileged checks below meet only the bits they test.
        ASSERT_EQ(::chmod(dir_.c_str(), 0755), 0);
    }
    void TearDown() override {
        ::umask(umask_);
        std::error_code ec;
        for (const auto& entry : fs::recursive_directory_iterator(dir_, ec))
            fs::permissions(entry.path(), fs::perms::owner_all, fs::perm_options::add, ec);
        fs::remove_all(dir_, ec);
    }
    const fs::path& dir() const { return dir_; }
    void set_umask(mode_t mask) { ::umask(mask); }

private:
    fs::path dir_;
    mode_t umask_ = [] {
        const mode_t m = ::umask(0);
        ::umask(m);
        return m;
    }();
};

mode_t mode_of(const fs::path& p) {
    struct stat st {};
    if (::lstat(p.c_str(), &st) != 0) return static_cast<mode_t>(-1);
    return st.st_mode & 07777;
}

std::string read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream all;
    all << in.rdbuf();
    return all.str();
}

// Runs step as nobody when the test runs as root (root ignores permission bits, and the point
// is a folder the kiosk's user cannot write); the outcome comes back through a pipe.
FileStatus as_unprivileged(const std::function<FileStatus()>& step) {
    if (::geteuid() != 0) return step();
    int pipe_fds[2];
    if (::pipe(pipe_fds) != 0) return {errno, "pipe"};
    const pid_t child = ::fork();
    if (child == 0) {
        ::close(pipe_fds[0]);
        if (::setgroups(0, nullptr) != 0 || ::setgid(65534) != 0 || ::setuid(65534) != 0)
            ::_exit(1);
        const FileStatus s = step();
        const std::string out = std::to_string(s.error) + "\n" + s.message;
        const bool sent =
            ::write(pipe_fds[1], out.data(), out.size()) == static_cast<ssize_t>(out.size());
        ::_exit(sent ? 0 : 1);
    }
    ::close(pipe_fds[1]);
    std::string out;
    char buf[512];
    for (ssize_t n; (n = ::read(pipe_fds[0], buf, sizeof buf)) > 0;) out.append(buf, n);
    ::close(pipe_fds[0]);
    int status = 0;
    if (child < 0 || ::waitpid(child, &status, 0) != child || !WIFEXITED(status) ||
        WEXITSTATUS(status) != 0)
        return {-1, "the unprivileged child failed: " + out};
    const std::size_t nl = out.find('\n');
    return {std::stoi(out.substr(0, nl)), out.substr(nl + 1)};
}

// Section: atomic write

TEST_F(Scratch, WriteReplacesTheWholeFileAndLeavesNoTempFile) {
    const fs::path file = dir() / "paper";
    ASSERT_TRUE(common::write_file_atomically(file, "printed 1\n").ok());
    EXPECT_EQ(read(file), "printed 1\n");
    const std::string big(1 << 20, 'x');  // more than one write() may take
    ASSERT_TRUE(common::write_file_atomically(file, big).ok());
    EXPECT_EQ(read(file), big);
    ASSERT_TRUE(common::write_file_atomically(file, "").ok());
    EXPECT_EQ(read(file), "");
    EXPECT_TRUE(fs::exists(file));
    EXPECT_FALSE(fs::exists(dir() / "paper.tmp"));
}

TEST_F(Scratch, WrittenFileIs0600WhateverTheUmask) {
    for (const mode_t mask : {0000, 0077, 0022, 0277}) {
        set_umask(mask);
        const fs::path file = dir() / ("state-" + std::to_string(mask));
        for (const char* text : {"new", "replaced"}) {
            const FileStatus s = common::write_file_atomically(file, text);
            ASSERT_TRUE(s.ok()) << s.message;
            EXPECT_EQ(mode_of(file), 0600u) << "umask " << std::oct << mask;
            EXPECT_EQ(read(file), text);
        }
    }
}

TEST_F(Scratch, AWiderFileIsReplacedByAPrivateOne) {
    const fs::path file = dir() / "catalog.json";
    std::ofstream(file) << "old";
    ASSERT_EQ(::chmod(file.c_str(), 0644), 0);
    ASSERT_TRUE(common::write_file_atomically(file, "new").ok());
    EXPECT_EQ(mode_of(file), 0600u);
    EXPECT_EQ(read(file), "new");
}

TEST_F(Scratch, ReadersOnlyWriteIsWholeAndPrivateToo) {
    const fs::path file = dir() / "probe";
    set_umask(0);
    ASSERT_TRUE(common::write_file_atomically(file, "frame 1\n", Durability::readers_only).ok());
    EXPECT_EQ(read(file), "frame 1\n");
    EXPECT_EQ(mode_of(file), 0600u);
    EXPECT_FALSE(fs::exists(dir() / "probe.tmp"));
}

TEST_F(Scratch, AStaleTempFileOrALinkInItsPlaceIsNotFollowed) {
    const fs::path file = dir() / "service_lockout", tmp = dir() / "service_lockout.tmp";
    std::ofstream(tmp) << "half of a crashed write";
    ASSERT_TRUE(common::write_file_atomically(file, "failures 1\n").ok());
    EXPECT_EQ(read(file), "failures 1\n");

    const fs::path victim = dir() / "victim";
    std::ofstream(victim) << "untouched";
    fs::create_symlink(victim, tmp);
    ASSERT_TRUE(common::write_file_atomically(file, "failures 2\n").ok());
    EXPECT_EQ(read(file), "failures 2\n");
    EXPECT_EQ(read(victim), "untouched");
    EXPECT_FALSE(fs::exists(fs::symlink_status(tmp)));
}

TEST_F(Scratch, WriteMakesAMissingFolderPrivate) {
    set_umask(0);
    const fs::path file = dir() / "state" / "spool" / "talon.pdf";
    ASSERT_TRUE(common::write_file_atomically(file, "pdf").ok());
    EXPECT_EQ(read(file), "pdf");
    EXPECT_EQ(mode_of(dir() / "state"), 0700u);
    EXPECT_EQ(mode_of(dir() / "state" / "spool"), 0700u);
}

TEST_F(Scratch, WriteWhereNoFolderCanBeFailsNamingThePathAndErrno) {
    const fs::path not_folder = dir() / "state", file = not_folder / "paper";
    std::ofstream(not_folder) << "a file";
    const FileStatus s = common::write_file_atomically(file, "x");
    EXPECT_FALSE(s.ok());
    EXPECT_EQ(s.error, ENOTDIR);
    EXPECT_NE(s.message.find("\"" + not_folder.string() + "\""), std::string::npos) << s.message;
    EXPECT_NE(s.message.find("(errno " + std::to_string(ENOTDIR) + ")"), std::string::npos)
        << s.message;
}

TEST_F(Scratch, AFailedRenameRemovesTheTempFile) {
    const fs::path target = dir() / "spool";  // a folder where the file should go
    fs::create_directory(target);
    fs::create_directory(target / "keep");  // not empty: rename(2) cannot replace it
    const FileStatus s = common::write_file_atomically(target, "pdf");
    EXPECT_FALSE(s.ok());
    EXPECT_NE(s.message.find("renaming to \"" + target.string() + "\""), std::string::npos)
        << s.message;
    EXPECT_FALSE(fs::exists(dir() / "spool.tmp"));
    EXPECT_TRUE(fs::is_directory(target / "keep"));
}

TEST_F(Scratch, WriteIntoAnUnwritableFolderFailsAndKeepsTheOldFile) {
    const fs::path locked = dir() / "locked", file = locked / "paper";
    fs::create_directory(locked);
    std::ofstream(file) << "printed 7\n";
    ASSERT_EQ(::chmod(file.c_str(), 0666), 0);  // the file itself is writable: the folder is not
    ASSERT_EQ(::chmod(locked.c_str(), 0555), 0);
    const FileStatus s =
        as_unprivileged([&] { return common::write_file_atomically(file, "printed 8\n"); });
    EXPECT_EQ(s.error, EACCES) << s.message;
    EXPECT_NE(s.message.find(file.string() + ".tmp"), std::string::npos) << s.message;
    EXPECT_EQ(read(file), "printed 7\n");
    EXPECT_FALSE(fs::exists(locked / "paper.tmp"));
}

// Section: private folders

TEST_F(Scratch, MissingFoldersAreMade0700WhateverTheUmask) {
    for (const mode_t mask : {0000, 0077, 0022, 0277}) {
        set_umask(mask);
        const fs::path top = dir() / ("state-" + std::to_string(mask));
        const fs::path deep = top / "spool" / "test";
        const FileStatus s = common::make_private_dir(deep);
        ASSERT_TRUE(s.ok()) << s.message;
        for (const fs::path& p : {top, top / "spool", deep})
            EXPECT_EQ(mode_of(p), 0700u) << p << " umask " << std::oct << mask;
        EXPECT_TRUE(common::make_private_dir(deep).ok());  // again: nothing to do
    }
}

TEST_F(Scratch, AnExistingFolderKeepsItsMode) {
    const fs::path state = dir() / "complaint-kiosk";
    fs::create_directory(state);
    ASSERT_EQ(::chmod(state.c_str(), 0750), 0);  // systemd's StateDirectoryMode
    ASSERT_TRUE(common::make_private_dir(state).ok());
    EXPECT_EQ(mode_of(state), 0750u);
    ASSERT_TRUE(common::make_private_dir(state / "spool/").ok());
    EXPECT_EQ(mode_of(state / "spool"), 0700u);
}

TEST_F(Scratch, AFileWhereAFolderShouldBeIsAnError) {
    const fs::path file = dir() / "state";
    std::ofstream(file) << "not a folder";
    FileStatus s = common::make_private_dir(file);
    EXPECT_EQ(s.error, ENOTDIR);
    EXPECT_NE(s.message.find(file.string()), std::string::npos) << s.message;
    s = common::make_private_dir(file / "spool");
    EXPECT_EQ(s.error, ENOTDIR) << s.message;
}

TEST_F(Scratch, AFolderInAnUnwritableOneCannotBeMade) {
    const fs::path locked = dir() / "locked";
    fs::create_directory(locked);
    ASSERT_EQ(::chmod(locked.c_str(), 0555), 0);
    const FileStatus s =
        as_unprivileged([&] { return common::make_private_dir(locked / "state"); });
    EXPECT_EQ(s.error, EACCES) << s.message;
    EXPECT_NE(s.message.find("creating folder \"" + (locked / "state").string() + "\""),
              std::string::npos)
        << s.message;
    EXPECT_FALSE(fs::exists(locked / "state"));
}

// Section: secret files

TEST_F(Scratch, ASecretFileIsReadWholeOnlyWhenPrivateAndOwn) {
    const fs::path key = dir() / "k.key";
    ASSERT_TRUE(common::write_file_atomically(key, "0123456789").ok());
    unsigned char out[16] = {};
    std::size_t size = 0;
    EXPECT_TRUE(common::read_secret_file(key, out, size).ok());
    EXPECT_EQ(std::string(reinterpret_cast<char*>(out), size), "0123456789");
    EXPECT_EQ(common::secret_file_problem(key), "");

    // Longer than the room given: refused, not cut.
    const FileStatus too_long = common::read_secret_file(key, std::span(out, 9), size);
    EXPECT_EQ(too_long.error, EFBIG) << too_long.message;
    EXPECT_TRUE(common::read_secret_file(key, std::span(out, 10), size).ok());

    ASSERT_EQ(::chmod(key.c_str(), 0644), 0);
    const FileStatus wide = common::read_secret_file(key, out, size);
    EXPECT_EQ(wide.error, EPERM);
    EXPECT_EQ(wide.message, key.string() +
                                " has mode 0644; a private key must be 0600 or 0400 "
                                "(chmod 600 " +
                                key.string() + ")");
    EXPECT_EQ(common::secret_file_problem(key), wide.message);
    ASSERT_EQ(::chmod(key.c_str(), 0400), 0);
    EXPECT_TRUE(common::read_secret_file(key, out, size).ok());

    if (::geteuid() == 0) {  // only root can give it away
        ASSERT_EQ(::chown(key.c_str(), 65534, 65534), 0);
        const FileStatus foreign = common::read_secret_file(key, out, size);
        EXPECT_EQ(foreign.error, EPERM);
        EXPECT_NE(foreign.message.find("belongs to uid 65534"), std::string::npos)
            << foreign.message;
    }
    EXPECT_EQ(common::read_secret_file(dir(), out, size).error, EINVAL);
    EXPECT_EQ(common::read_secret_file(dir() / "none", out, size).error, ENOENT);
    EXPECT_EQ(common::secret_file_problem(dir() / "none"),
              "no such file: " + (dir() / "none").string());
}

// Section: UTF-8

std::string bytes(std::initializer_list<unsigned> list) {
    std::string s;
    for (unsigned b : list) s += static_cast<char>(b);
    return s;
}

TEST(Utf8, DecodesEveryLengthUpToTheEdges) {
    const std::pair<std::string, char32_t> cases[] = {
        {bytes({0x00}), 0x0},
        {bytes({0x7F}), 0x7F},
        {bytes({0xC2, 0x80}), 0x80},
        {bytes({0xDF, 0xBF}), 0x7FF},
        {bytes({0xE0, 0xA0, 0x80}), 0x800},
        {bytes({0xED, 0x9F, 0xBF}), 0xD7FF},  // just below the surrogates
        {bytes({0xEE, 0x80, 0x80}), 0xE000},  // just above them
        {bytes({0xEF, 0xBF, 0xBF}), 0xFFFF},
        {bytes({0xF0, 0x90, 0x80, 0x80}), 0x10000},
        {bytes({0xF4, 0x8F, 0xBF, 0xBF}), 0x10FFFF},
    };
    for (const auto& [utf8, cp] : cases) {
        const auto one = common::decode_code_point(utf8, 0);
        ASSERT_TRUE(one) << std::hex << static_cast<unsigned>(cp);
        EXPECT_EQ(one->value, cp);
        EXPECT_EQ(one->bytes, utf8.size());
        EXPECT_TRUE(common::is_utf8(utf8));
        std::string back;
        common::append_utf8(back, cp);
        EXPECT_EQ(back, utf8) << std::hex << static_cast<unsigned>(cp);
    }
    const auto all = common::decode_utf8("Әб1😀");
    ASSERT_TRUE(all);
    EXPECT_EQ(*all, (std::vector<char32_t>{U'Ә', U'б', U'1', U'😀'}));
}

TEST(Utf8, RefusesOverlongsSurrogatesAndValuesPastTheLast) {
    const std::string malformed[] = {
        bytes({0xC0, 0x80}),              // NUL, overlong
        bytes({0xC1, 0xBF}),              // U+007F, overlong
        bytes({0xE0, 0x80, 0x80}),        // three bytes for U+0000
        bytes({0xE0, 0x9F, 0xBF}),        // three bytes for U+07FF
        bytes({0xF0, 0x80, 0x80, 0x80}),  // four bytes for U+0000
        bytes({0xF0, 0x8F, 0xBF, 0xBF}),  // four bytes for U+FFFF
        bytes({0xED, 0xA0, 0x80}),        // U+D800, a surrogate
        bytes({0xED, 0xBF, 0xBF}),        // U+DFFF
        bytes({0xF4, 0x90, 0x80, 0x80}),  // U+110000
        bytes({0xF5, 0x80, 0x80, 0x80}),
        bytes({0xF8, 0x88, 0x80, 0x80, 0x80}),  // five-byte forms are gone
        bytes({0xFE}),
        bytes({0xFF}),
    };
    for (const std::string& s : malformed) {
        EXPECT_FALSE(common::decode_code_point(s, 0)) << testing::PrintToString(s);
        EXPECT_FALSE(common::is_utf8(s)) << testing::PrintToString(s);
        EXPECT_FALSE(common::decode_utf8("ok" + s)) << testing::PrintToString(s);
    }
}

TEST(Utf8, RefusesTruncatedAndStraySequences) {
    const std::string malformed[] = {
        bytes({0xC3}),                    // cut at the end
        bytes({0xE2, 0x82}),              // € cut short
        bytes({0xF0, 0x9F, 0x98}),        // 😀 cut short
        bytes({0x80}),                    // a continuation byte with no lead
        bytes({0xBF, 0x41}),              //
        bytes({0xE2, 0x28, 0xA1}),        // the lead's second byte is not a continuation
        bytes({0xF0, 0x9F, 0x98, 0x41}),  // nor its fourth
    };
    for (const std::string& s : malformed) {
        EXPECT_FALSE(common::is_utf8(s)) << testing::PrintToString(s);
        EXPECT_FALSE(common::decode_utf8(s)) << testing::PrintToString(s);
    }
    // A malformed byte in the middle, and decoding from past the end.
    const std::string mixed = "a" + bytes({0xE2, 0x82}) + "b";
    EXPECT_FALSE(common::decode_code_point(mixed, 1));
    EXPECT_FALSE(common::decode_code_point(mixed, 2));
    EXPECT_EQ(common::decode_code_point(mixed, 3)->value, U'b');
    EXPECT_FALSE(common::decode_code_point(mixed, 4));
    EXPECT_TRUE(common::decode_utf8(""));
}

TEST(Utf8, EncodesOnlyScalarValues) {
    for (const char32_t bad : {char32_t{0xD800}, char32_t{0xDFFF}, char32_t{0x110000}}) {
        std::string s;
        common::append_utf8(s, bad);
        EXPECT_EQ(s, "\uFFFD") << std::hex << static_cast<unsigned>(bad);
    }
}

TEST(Utf8, MovesByCodePoints) {
    const std::string s = "aӘ€😀";  // 1, 2, 3 and 4 bytes
    EXPECT_EQ(common::code_point_count(s), 4u);
    std::vector<std::size_t> forward{0};
    while (forward.back() < s.size()) forward.push_back(common::next_code_point(s, forward.back()));
    EXPECT_EQ(forward, (std::vector<std::size_t>{0, 1, 3, 6, 10}));
    std::vector<std::size_t> back{s.size()};
    while (back.back() > 0) back.push_back(common::previous_code_point(s, back.back()));
    EXPECT_EQ(back, (std::vector<std::size_t>{10, 6, 3, 1, 0}));
    EXPECT_EQ(common::previous_code_point(s, 5), 3u);  // from inside €
    EXPECT_EQ(common::next_code_point(s, 99), s.size());
    EXPECT_EQ(common::previous_code_point(s, 99), 6u);
}

}  // namespace
