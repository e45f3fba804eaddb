// kiosk-pin-hash: makes the service-mode PIN's hash for kiosk.toml. The PIN is typed twice on the
// terminal with echo off, or piped in as one line by scripts; never an argument (shell history).
#include "kiosk/pin.h"

#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <exception>

namespace {

constexpr int kLine = 64;  // a PIN is at most 12 digits; anything longer is refused anyway

int usage(FILE* out, int code) {
    std::fprintf(out,
                 "usage: kiosk-pin-hash              asks for the PIN twice on the terminal\n"
                 "       kiosk-pin-hash < FILE       reads one line from stdin (scripts)\n"
                 "Prints one line, pin_hash = \"$y$...\", to paste under [service] in kiosk.toml.\n"
                 "A PIN is 4 to 12 digits. It is never given as an argument: it would stay in the "
                 "shell history.\n");
    return code;
}

// The terminal's settings, put back if Ctrl-C comes while echo is off.
int tty_fd = -1;
termios tty_saved{};

void restore_and_die(int sig) {
    tcsetattr(tty_fd, TCSAFLUSH, &tty_saved);
    std::signal(sig, SIG_DFL);
    std::raise(sig);
}

// One line without its end; false at end of input. The rest of an overlong line is skipped (what
// is kept is too long to be a PIN, so it is refused).
bool read_line(FILE* in, char (&line)[kLine]) {
    if (!std::fgets(line, kLine, in)) return false;
    const std::size_t n = std::strcspn(line, "\r\n");
    if (line[n] == '\0' && n == kLine - 1)
        for (int c = std::fgetc(in); c != EOF && c != '\n';) c = std::fgetc(in);
    line[n] = '\0';
    return true;
}

bool ask(FILE* tty, const char* prompt, char (&line)[kLine]) {
    std::fputs(prompt, tty);
    std::fflush(tty);
    termios quiet = tty_saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(tty_fd, TCSAFLUSH, &quiet);
    const bool ok = read_line(tty, line);
    tcsetattr(tty_fd, TCSAFLUSH, &tty_saved);
    std::fputs("\n", tty);  // the Enter the user typed was not echoed
    return ok;
}

int run(char (&pin)[kLine], char (&again)[kLine]) {
    const bool interactive = isatty(STDIN_FILENO);
    if (interactive) {
        FILE* tty = std::fopen("/dev/tty", "r+");
        if (!tty || tcgetattr(tty_fd = fileno(tty), &tty_saved) != 0) {
            std::fprintf(stderr, "kiosk-pin-hash: cannot use the terminal: %s\n",
                         std::strerror(errno));
            return 1;
        }
        for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT}) std::signal(sig, restore_and_die);
        const bool typed = ask(tty, "Service PIN (4 to 12 digits): ", pin) &&
                           ask(tty, "The same PIN again: ", again);
        std::fclose(tty);
        if (!typed) {
            std::fprintf(stderr, "kiosk-pin-hash: no PIN typed\n");
            return 1;
        }
    } else if (!read_line(stdin, pin)) {
        std::fprintf(stderr,
                     "kiosk-pin-hash: no PIN on stdin (one line of 4 to 12 digits expected)\n");
        return 1;
    }
    if (!kiosk::pin_is_valid(pin)) {
        std::fprintf(stderr,
                     "kiosk-pin-hash: not a PIN: a PIN is 4 to 12 digits (0-9), nothing else\n");
        return 1;
    }
    if (interactive && std::strcmp(pin, again) != 0) {
        std::fprintf(stderr,
                     "kiosk-pin-hash: the two entries differ; nothing made, run it again\n");
        return 1;
    }
    try {
        std::printf("pin_hash = \"%s\"\n", kiosk::hash_pin(pin).c_str());
    } catch (const std::exception& e) {  // the messages never carry the PIN
        std::fprintf(stderr, "kiosk-pin-hash: %s\n", e.what());
        return 1;
    }
    if (interactive) std::fprintf(stderr, "Paste this line under [service] in kiosk.toml.\n");
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc == 2 && (std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0))
        return usage(stdout, 0);
    if (argc > 1) {
        std::fprintf(
            stderr, "kiosk-pin-hash: takes no arguments; type the PIN when asked, or pipe it in\n");
        return usage(stderr, 2);
    }
    char pin[kLine] = {}, again[kLine] = {};
    const int code = run(pin, again);
    explicit_bzero(pin, sizeof pin);
    explicit_bzero(again, sizeof again);
    return code;
}
