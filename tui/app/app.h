/* The interactive front end: the render loop (the only ncurses caller), the views and the
 * scripted test mode. main.c builds the api client and calls app_run(). */
#ifndef CERTDECK_APP_H
#define CERTDECK_APP_H

#include <stdbool.h>

#include "core/api.h"
#include "tui/config.h"

struct app_options {
    const char *endpoint_label;  /* shown in the status line, e.g. "demo 127.0.0.1:40123" */
    const char *profile_label;   /* e.g. "default" or "env" */
    const struct config *config; /* theme, refresh interval, key bindings (already loaded) */
    bool read_only;              /* no rollback/retry */
    bool mouse;                  /* off by default (config `mouse on`, --mouse) */
    const char *initial_cert;    /* --old-cert filter, NULL for all */
    long initial_record;         /* > 0: open this record's detail first */
    /* Scripted test mode (like tig's TIG_SCRIPT): keys and commands come from this file, the
     * screen is an ncurses screen with no terminal behind it (newterm on /dev/null), of
     * script_cols x script_lines. NULL: interactive. One line each ('#' comments):
     *   key NAME | keys TEXT | :COMMAND      input, as typed
     *   click ROW COL [double]               a mouse click, through ncurses' mouse queue
     *   wheel up|down ROW COL                (nothing happens when the mouse is off)
     *   resize COLS LINES
     *   wait-idle [MS]                       until nothing is in flight and the screen is current
     *   wait-text TEXT                       until some row of the screen shows TEXT (20 s)
     *   stall-until-calls N                  the loop does not look at the store until the
     *                                        event log holds N calls (a busy UI thread)
     *   save-display FILE [attrs]            the screen as text (and its attributes)
     * A line that fails (unknown, bad arguments, a wait past its deadline) ends the run with
     * exit code 1. */
    const char *script;
    int script_cols;
    int script_lines;
};

/* Runs until the user quits. Returns a process exit code (0 normally). Never exits on an API
 * or network error. Restores the terminal on every exit path, on SIGINT/SIGTERM and on a
 * crash signal. */
int app_run(struct api_client *api, const struct app_options *opts);

#endif
