/* Signals for the TUI: SIGINT/SIGTERM/SIGHUP ask to quit and SIGWINCH to resize, both waking
 * the loop's poll() through a self-pipe; a crash signal restores the terminal first. */
#include "tui/app/signals.h"

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static int sig_pipe[2] = {-1, -1};
static volatile sig_atomic_t sig_quit, sig_winch, curses_up;
static struct sigaction old_int, old_term, old_hup, old_winch;
static struct sigaction old_crash[5];
static const int crash_signals[5] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};

static void on_signal(int sig)
{
    int saved = errno;
    if (sig == SIGWINCH)
        sig_winch = 1;
    else
        sig_quit = sig;
    if (sig_pipe[1] >= 0) {
        char c = 's';
        ssize_t r = write(sig_pipe[1], &c, 1);
        (void)r;
    }
    errno = saved;
}

/* A crash must not leave the terminal in raw mode: restore it, then die as we would have. */
static void on_crash(int sig)
{
    if (curses_up) endwin();
    signal(sig, SIG_DFL);
    raise(sig);
}

void signals_install(bool crash)
{
    if (pipe(sig_pipe) == 0) {
        for (int i = 0; i < 2; i++) {
            fcntl(sig_pipe[i], F_SETFL, fcntl(sig_pipe[i], F_GETFL) | O_NONBLOCK);
            fcntl(sig_pipe[i], F_SETFD, FD_CLOEXEC);
        }
    }
    sig_quit = sig_winch = 0;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    sigaction(SIGHUP, &sa, &old_hup);
    /* Our own SIGWINCH handler (installed before newterm, so ncurses leaves it alone) wakes
     * poll() through the pipe: a resize is never missed while we sleep. */
    sigaction(SIGWINCH, &sa, &old_winch);
    if (crash) {
        struct sigaction ca;
        memset(&ca, 0, sizeof ca);
        ca.sa_handler = on_crash;
        ca.sa_flags = SA_RESETHAND | SA_NODEFER;
        sigemptyset(&ca.sa_mask);
        for (int i = 0; i < 5; i++)
            sigaction(crash_signals[i], &ca, &old_crash[i]);
    }
}

void signals_restore(bool crash)
{
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    sigaction(SIGHUP, &old_hup, NULL);
    sigaction(SIGWINCH, &old_winch, NULL);
    if (crash)
        for (int i = 0; i < 5; i++)
            sigaction(crash_signals[i], &old_crash[i], NULL);
    for (int i = 0; i < 2; i++) {
        if (sig_pipe[i] >= 0) close(sig_pipe[i]);
        sig_pipe[i] = -1;
    }
}

void signals_drain(void)
{
    char b[64];
    while (sig_pipe[0] >= 0 && read(sig_pipe[0], b, sizeof b) > 0) {
    }
}

int signals_fd(void)
{
    return sig_pipe[0];
}

int signals_quit(void)
{
    return (int)sig_quit;
}

void signals_clear_quit(void)
{
    sig_quit = 0;
}

bool signals_take_winch(void)
{
    if (!sig_winch) return false;
    sig_winch = 0;
    return true;
}

void signals_curses_up(bool up)
{
    curses_up = up;
}
