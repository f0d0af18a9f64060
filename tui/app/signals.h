/* Signals for the TUI. The handlers only set flags and write to a self-pipe, so the render
 * loop learns of them in poll() and acts on them on its own thread. Process-wide: one TUI
 * session at a time. */
#ifndef CERTDECK_APP_SIGNALS_H
#define CERTDECK_APP_SIGNALS_H

#include <stdbool.h>

/* Installs the handlers (crash: also SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, which end
 * curses before dying as they would have); restore puts back what was there. */
void signals_install(bool crash);
void signals_restore(bool crash);
/* The self-pipe's read end, readable after any signal; drain empties it. */
int signals_fd(void);
void signals_drain(void);
/* The quit signal received (SIGINT, SIGTERM, SIGHUP), 0 for none. */
int signals_quit(void);
void signals_clear_quit(void);
/* Whether a SIGWINCH came since the last call. */
bool signals_take_winch(void);
/* Whether curses is up, so a crash knows to call endwin(). */
void signals_curses_up(bool up);

#endif
