/* What the TUI is started with: endpoint and profile labels, config, read-only, mouse, what
 * to open first, and the scripted test mode with its line language. */
#ifndef CERTDECK_APP_OPTIONS_H
#define CERTDECK_APP_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tui/config.h"

struct api_client;
struct snapshot;

/* Opens a client for another profile and/or endpoint (NULL: keep the current one), for
 * :profile and :endpoint. Returns NULL with a one-line err (never a secret) when it cannot. */
typedef struct api_client *(*app_connect_fn)(void *ctx, const char *profile, const char *endpoint,
                                             char *err, size_t errlen);

struct app_options {
    const char *endpoint_label; /* shown in the status line, e.g. "demo 127.0.0.1:40123" */
    const char *profile_label;  /* e.g. "default" or "env" */
    const char *profile;        /* the profile asked for (NULL: the chain's default order) */
    const char *endpoint;       /* the endpoint URL (NULL: API_DEFAULT_ENDPOINT) */
    app_connect_fn connect;     /* NULL: the session cannot switch (the demo) */
    void *connect_ctx;
    const struct config *config; /* theme, refresh interval, key bindings (already loaded) */
    bool read_only;              /* no rollback/retry */
    bool mouse;                  /* off by default (config `mouse on`, --mouse) */
    const char *initial_cert;    /* --old-cert filter, NULL for all */
    long initial_record;         /* > 0: open this record's detail first */
    /* Added to the clock the renewal's pre-flight judges validity by (0: the system's; the
     * scripted tests pin it with the emulator's). */
    int64_t clock_offset_s;
    /* Scripted test mode (like tig's TIG_SCRIPT): keys and commands come from this file, the
     * screen is an ncurses screen with no terminal behind it (newterm on /dev/null), of
     * script_cols x script_lines. NULL: interactive. One line each ('#' comments):
     *   key NAME | keys TEXT | :COMMAND      input, as typed
     *   click ROW COL [double]               a mouse click, through ncurses' mouse queue
     *   wheel up|down ROW COL                (nothing happens when the mouse is off)
     *   resize COLS LINES
     *   wait-idle [MS]                       until nothing is in flight, no filter or sort is
     *                                        under way and the screen is current
     *   wait-text TEXT                       until some row of the screen shows TEXT (20 s)
     *   refresh-until TEXT                   refresh (r) every 250 ms until a row shows TEXT
     *                                        (20 s): the in-progress auto-refresh, off here
     *   stall-until-calls N                  the loop does not look at the store until the
     *                                        event log holds N calls (a busy UI thread)
     *   save-display FILE [attrs]            the screen as text (and its attributes)
     * A filter or sort under way in a big table advances one step after each line (and in
     * the waits), so a script sees its progress. A line that fails (unknown, bad arguments, a wait
     * past its deadline) ends the run with exit code 1. */
    const char *script;
    int script_cols;
    int script_lines;
    /* --offline: the snapshot the client answers from (its event log is shown, writes are
     * refused; the title row says "offline: FILE, taken TIME" with FILE its path, cut from
     * the left when the row is short). NULL: live. */
    const struct snapshot *offline;
};

#endif
