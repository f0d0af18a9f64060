/* The : commands and the app-wide meaning of each action (back, quit, help, filter, sort,
 * refresh, …) after the screen on top has had its chance to handle it. */
#ifndef CERTDECK_APP_COMMANDS_H
#define CERTDECK_APP_COMMANDS_H

#include "tui/session.h"

/* Runs one command line, with or without its leading ':' ("record 2", "sort port desc"). An
 * unknown command or a bad argument says so in the message line. */
void commands_run(struct app *a, const char *line);
/* Tab on the command line: the command names starting with prefix, in table order, each
 * followed by a space, appended to out. Returns how many. */
size_t commands_complete(const char *prefix, struct buf *out);
/* One action: the screen on top first (its key op), then the app's default for it. */
void commands_dispatch(struct app *a, enum keymap_action act);

#endif
