/* User configuration: $XDG_CONFIG_HOME/certdeck/config (falling back to ~/.config), or
 * --config FILE. Lines: `theme NAME`, `refresh SECONDS` (0 = manual only), `profile NAME`,
 * `endpoint URL`, `mouse on|off`, `bind <context> <key> <action>`, `# comments`. */
#ifndef CERTDECK_CONFIG_H
#define CERTDECK_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#define CONFIG_MAX_BINDINGS 128
#define CONFIG_MAX_DIAGS 32

struct config_binding {
    char context[32]; /* "global", "records", "detail", "items", … */
    char key[32];     /* as written: "j", "C-d", "PgDn", "F5", "Enter" */
    char action[48];  /* an action name from the key table */
    int line;         /* where it was written (for conflict reports) */
};

struct config {
    char theme[64];       /* "" : default */
    int refresh_s;        /* default 30; 0 manual only */
    char profile[64];     /* "" : none */
    char endpoint[256];   /* "" : none */
    bool mouse;
    bool no_color;        /* NO_COLOR or --no-color */
    struct config_binding bindings[CONFIG_MAX_BINDINGS];
    size_t n_bindings;
    char path[512];       /* the file read, "" if none */
    /* Problems found, each "file:line: what is wrong"; reported at start, never fatal. */
    char diags[CONFIG_MAX_DIAGS][256];
    size_t n_diags;
};

void config_defaults(struct config *c);
/* Reads path (or, when path is NULL, the XDG location if it exists). Returns 0, or -1 when an
 * explicitly named file cannot be read (err says why). Unknown lines become diags. */
int config_load(struct config *c, const char *path, char *err, size_t errlen);

#endif
