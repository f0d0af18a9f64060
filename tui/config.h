/* User configuration: $XDG_CONFIG_HOME/certdeck/config (~/.config/certdeck/config when
 * XDG_CONFIG_HOME is unset or relative), or --config FILE. No curses here.
 *
 * One setting a line; the '=' between name and value is optional, so `refresh 10` and
 * `refresh = 10` are the same. A value may be wrapped in "double" or 'single' quotes.
 *   theme NAME            a theme name or path (see theme.h); default: the built-in look
 *   refresh SECONDS       auto-refresh interval, 0 = manual only, at most 86400; default 30
 *   profile NAME          credentials profile; default none
 *   endpoint URL          API endpoint, http:// or https://; default none (the real API)
 *   mouse on|off          (also yes|no, true|false); default off (--mouse turns it on)
 *   bell on|off           ring the terminal bell when a running record you watch finishes;
 *                         default on
 *   clipboard osc52|off|COMMAND
 *                         where y and Y copy to: OSC 52 through the terminal (over SSH, in
 *                         tmux with set-clipboard on), nowhere, or a command's standard
 *                         input (wl-copy, xclip -selection clipboard); default osc52
 *   timezone utc|local|Area/City
 *                         the zone every time is shown in (a tz-database name such as
 *                         Europe/Berlin); default local. An unknown zone is a diag here, and
 *                         certdeck refuses to start with it (--tz overrides it)
 *   bind CONTEXT KEY ACTION
 *                         CONTEXT: a word ("global", "records", …); KEY: one printable
 *                         character (UTF-8 allowed), C-x (x a letter or one of @[\]^_), M-x
 *                         (x one printable character), or one of Enter Esc Tab BTab S-Tab
 *                         Backspace Up Down Left Right PgUp PgDn Home End Del Ins Space F1-F12
 *                         (names and the C-/M- prefixes in any case); ACTION: a word, stored
 *                         as written: the UI checks contexts and actions against its key table
 *   # comment             only at the start of a line (after blanks); blank lines are ignored
 * Bad lines become diags and the rest of the file still applies. */
#ifndef CERTDECK_CONFIG_H
#define CERTDECK_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#define CONFIG_MAX_BINDINGS 128
#define CONFIG_MAX_DIAGS    32
#define CONFIG_MAX_REFRESH  86400

struct config_binding {
    char context[32]; /* "global", "records", "detail", "items", … */
    /* In canonical spelling: a character as written ("j", "?", "é"), "C-d" (letter
     * lower-cased), "M-x" (character case kept: M-j and M-J differ), or a key name spelled as
     * in the list above ("PgDn", "F5", "Enter") whatever case the file used. */
    char key[32];
    char action[48]; /* an action name from the key table, unchecked here */
    int line;        /* where it was written (for conflict reports) */
};

struct config {
    char theme[256];     /* "" : default; a theme name or a path */
    int refresh_s;       /* default 30; 0 manual only */
    char profile[64];    /* "" : none */
    char endpoint[256];  /* "" : none */
    bool mouse;          /* default false */
    bool bell;           /* default true */
    char clipboard[256]; /* "osc52" (default), "off" or a shell command */
    char timezone[128];  /* "" : local; as written, even when not a zone (see above) */
    int timezone_line;   /* where timezone was set, 0: nowhere */
    bool no_color;       /* NO_COLOR or --no-color */
    struct config_binding bindings[CONFIG_MAX_BINDINGS];
    size_t n_bindings;
    char path[512]; /* the file read, "" if none */
    /* Problems found, each "file:line: what is wrong"; reported at start, never fatal. When
     * there are more bindings or problems than fit, the first ones are kept and one diag says
     * how many were dropped. */
    char diags[CONFIG_MAX_DIAGS][256];
    size_t n_diags;
};

/* Defaults as listed above; no_color is set when NO_COLOR is set to a non-empty value. */
void config_defaults(struct config *c);
/* Reads path (or, when path is NULL, the XDG location if it exists) on top of what c holds
 * (call config_defaults first). Returns 0, or -1 when an explicitly named file cannot be read
 * (err says why). A default-location file that exists but cannot be read is a diag. Unknown or
 * bad lines become diags. */
int config_load(struct config *c, const char *path, char *err, size_t errlen);
/* The user's certdeck config directory: "$XDG_CONFIG_HOME/certdeck" when XDG_CONFIG_HOME is an
 * absolute path, else "$HOME/.config/certdeck" (HOME from the password database when unset).
 * Returns 0, or -1 when no home is known or the result does not fit. Used by theme_load too. */
int config_user_dir(char *out, size_t outlen);
/* Whether key is a valid KEY of a bind line (the grammar above). When canon is not NULL, the
 * canonical spelling is written there (canon_len >= 32 always fits). */
bool config_key_valid(const char *key, char *canon, size_t canon_len);

#endif
