/* Themes: a built-in table gives every semantic key a 16-colour and a monochrome look;
 * themes/<name>.theme files (plain `key = fg bg attrs` lines) override it. Colours: names
 * (black red green yellow blue magenta cyan white, bright-*), colorN, #rrggbb (nearest of the
 * terminal's palette), default. Attributes: bold dim underline reverse standout italic blink. */
#ifndef CERTDECK_THEME_H
#define CERTDECK_THEME_H

#include <stdbool.h>
#include <stddef.h>

/* X-macro: key name, 16-colour fg, bg, attrs, monochrome attrs. The one list of theme keys. */
#define THEME_KEYS(X)                                                                       \
    X(THEME_NORMAL, "normal", "default", "default", "", "")                                \
    X(THEME_TITLE, "title", "black", "cyan", "bold", "reverse,bold")                       \
    X(THEME_CRUMBS, "crumbs", "cyan", "default", "bold", "bold")                           \
    X(THEME_TABLE_HEADER, "table.header", "default", "default", "bold,underline", "bold,underline") \
    X(THEME_TABLE_CURSOR, "table.cursor", "black", "cyan", "", "reverse")                  \
    X(THEME_TABLE_DIM, "table.dim", "default", "default", "dim", "dim")                    \
    X(THEME_STATUS_SUCCESS, "status.success", "green", "default", "", "")                  \
    X(THEME_STATUS_FAILED, "status.failed", "red", "default", "bold", "bold,underline")    \
    X(THEME_STATUS_RUNNING, "status.running", "yellow", "default", "", "standout")         \
    X(THEME_STATUS_PENDING, "status.pending", "default", "default", "dim", "dim")          \
    X(THEME_STATUS_ROLLBACK, "status.rollback", "magenta", "default", "bold", "bold")      \
    X(THEME_STATUS_UNKNOWN, "status.unknown", "default", "default", "", "")                \
    X(THEME_BAR_SUCCESS, "bar.success", "green", "default", "", "")                        \
    X(THEME_BAR_FAILED, "bar.failed", "red", "default", "", "")                            \
    X(THEME_BAR_RUNNING, "bar.running", "yellow", "default", "", "")                       \
    X(THEME_BAR_PENDING, "bar.pending", "default", "default", "dim", "dim")                \
    X(THEME_STATUSLINE, "statusline", "black", "white", "", "reverse")                     \
    X(THEME_STATUSLINE_ERROR, "bar.error", "white", "red", "bold", "reverse,bold")         \
    X(THEME_STATUSLINE_INFO, "bar.info", "black", "yellow", "", "reverse")                 \
    X(THEME_PANE_BORDER, "pane.border", "blue", "default", "", "")                         \
    X(THEME_PANE_TITLE, "pane.title", "cyan", "default", "bold", "bold")                   \
    X(THEME_LABEL, "label", "default", "default", "bold", "bold")                          \
    X(THEME_HELP_KEY, "help.key", "yellow", "default", "bold", "bold")                     \
    X(THEME_FILTER, "filter", "default", "default", "bold", "bold")                        \
    X(THEME_JSON_KEY, "json.key", "cyan", "default", "", "bold")                           \
    X(THEME_JSON_STRING, "json.string", "green", "default", "", "")                        \
    X(THEME_JSON_NUMBER, "json.number", "yellow", "default", "", "")

enum theme_key {
#define THEME_ENUM(id, name, fg, bg, attrs, mono) id,
    THEME_KEYS(THEME_ENUM)
#undef THEME_ENUM
    THEME_KEY_COUNT
};

/* A resolved look: colours as curses numbers (-1 default) and attributes as bit flags below
 * (converted to A_* by the UI, so this module needs no curses). */
enum {
    THEME_ATTR_BOLD = 1 << 0,
    THEME_ATTR_DIM = 1 << 1,
    THEME_ATTR_UNDERLINE = 1 << 2,
    THEME_ATTR_REVERSE = 1 << 3,
    THEME_ATTR_STANDOUT = 1 << 4,
    THEME_ATTR_ITALIC = 1 << 5,
    THEME_ATTR_BLINK = 1 << 6,
};

struct theme_style {
    int fg;           /* -1 default, 0..255 */
    int bg;
    unsigned attrs;   /* THEME_ATTR_* */
    unsigned mono;    /* THEME_ATTR_* used without colour */
};

#define THEME_MAX_DIAGS 32

struct theme {
    char name[64];
    struct theme_style styles[THEME_KEY_COUNT];
    bool monochrome; /* NO_COLOR / --no-color / mono theme / terminal without colours */
    char diags[THEME_MAX_DIAGS][256]; /* "file:line: unknown key 'x'" */
    size_t n_diags;
};

const char *theme_key_name(enum theme_key k);
int theme_key_from_name(const char *name); /* -1 unknown */
/* The built-in look. */
void theme_builtin(struct theme *t);
/* Loads themes/<name>.theme (search order: $XDG_CONFIG_HOME/certdeck/themes, the installed
 * themes dir, CERTDECK_THEMES_DIR) or a path, on top of the built-in table. colors is what the
 * terminal offers (8, 16, 256): #rrggbb and colorN map down to it. Returns 0, or -1 when the
 * named theme cannot be found (err says where it looked). */
int theme_load(struct theme *t, const char *name_or_path, int colors, char *err, size_t errlen);
/* Parses one "fg bg attrs" value into st; -1 with err on an unknown colour or attribute. */
int theme_parse_value(const char *value, int colors, struct theme_style *st, char *err,
                      size_t errlen);

#endif
