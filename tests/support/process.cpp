#include "process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace testsupport {

using Clock = std::chrono::steady_clock;

std::string read_text(const std::string& path) {
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string make_temp_dir(const std::string& prefix) {
    std::string path = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
    if (!mkdtemp(path.data()))
        throw std::runtime_error("mkdtemp: " + std::string(std::strerror(errno)));
    return path;
}

pid_t spawn(const std::vector<std::string>& args, const std::string& output_file,
            const std::vector<std::string>& env) {
    // Everything the child needs is built before fork: after it, only async-signal-safe calls.
    std::vector<char*> argv, envp;
    for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    for (char** e = environ; *e; ++e) envp.push_back(*e);
    for (const auto& e : env) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
    const pid_t pid = fork();
    if (pid < 0) throw std::runtime_error("fork: " + std::string(std::strerror(errno)));
    if (pid == 0) {
        // A test that dies without running destructors must not leave servers behind. The
        // signal follows the forking thread: start children from the test's own thread.
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        const int fd = open(output_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
        if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0 || dup2(fd, STDERR_FILENO) < 0) _exit(127);
        close(fd);
        execve(argv[0], argv.data(), envp.data());
        _exit(127);
    }
    return pid;
}

std::optional<int> wait_for_exit(pid_t pid, Clock::duration timeout) {
    const auto deadline = Clock::now() + timeout;
    for (;;) {
        int status = 0;
        if (waitpid(pid, &status, WNOHANG) == pid) return status;
        if (Clock::now() >= deadline) return std::nullopt;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

void stop(pid_t pid, Clock::duration grace) {
    if (pid <= 0) return;
    kill(pid, SIGTERM);
    if (wait_for_exit(pid, grace)) return;
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
}

int run(const std::vector<std::string>& args, const std::string& output_file,
        Clock::duration timeout, const std::vector<std::string>& env) {
    const pid_t pid = spawn(args, output_file, env);
    const auto status = wait_for_exit(pid, timeout);
    if (!status) {
        stop(pid, std::chrono::seconds(0));
        return -1;
    }
    return WIFEXITED(*status) ? WEXITSTATUS(*status) : -1;
}

LoopbackListener listen_on_loopback(int backlog) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::listen(fd, backlog) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
        const std::string why = std::strerror(errno);
        if (fd >= 0) ::close(fd);
        throw std::runtime_error("cannot listen on loopback: " + why);
    }
    return {fd, ntohs(a.sin_port)};
}

}  // namespace testsupport
