/* The scripted-TUI harness shared by the tests/tui programs: an in-process emulator, a client
 * pointed at it, and app_run() on a script, with the saved displays read back. */
#ifndef CERTDECK_TUI_HARNESS_H
#define CERTDECK_TUI_HARNESS_H

#endif
