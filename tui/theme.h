/* Themes: a built-in table gives every semantic key a colour look and a monochrome look;
 * themes/<name>.theme files override it. No curses here: the UI turns styles into pairs.
 *
 * Theme file syntax (themes/default.theme documents it for users):
 *   # comment                  whole-line comments and blank lines are ignored
 *   KEY = FG [BG [ATTRS]]      colours and attributes (BG default "default", ATTRS none)
 *   mono.KEY = ATTRS           the attributes used when colour is off (NO_COLOR, mono theme,
 *                              terminal without colours)
 *   monochrome = yes|no        the theme asks for no colour at all (mono.theme says yes)
 * Colours: black red green yellow blue magenta cyan white (0-7), bright-black … bright-white
 * (8-15), colorN (0-255), #rrggbb, default (-1). Every colour is mapped down to what the
 * terminal offers: with 256 colours #rrggbb becomes the nearest xterm-256 colour (16-255);
 * with 16 colours any colour above 15 becomes the nearest basic one by RGB distance over
 * xterm's default palette; with 8 colours a colour becomes its 16-colour answer without the
 * bright bit (bright-red and #ff0000 are red, bright-black and grey are black).
 * ATTRS: comma-separated bold dim underline reverse standout italic blink, or "-" / "none". */
#ifndef CERTDECK_THEME_H
#define CERTDECK_THEME_H

#include <stdbool.h>
#include <stddef.h>

/* X-macro: key name, fg, bg, attrs, monochrome attrs. The one list of theme keys. The built-in
 * colours use only the 8 basic names, so the built-in look works on every colour terminal. */
#define THEME_KEYS(X)                                                                              \
    X(THEME_NORMAL, "normal", "default", "default", "", "")                                        \
    X(THEME_TITLE, "title", "black", "cyan", "bold", "reverse,bold")                               \
    X(THEME_CRUMBS, "crumbs", "cyan", "default", "bold", "bold")                                   \
    X(THEME_TABLE_HEADER, "table.header", "default", "default", "bold,underline",                  \
      "bold,underline")                                                                            \
    X(THEME_TABLE_CURSOR, "table.cursor", "black", "cyan", "", "reverse")                          \
    X(THEME_TABLE_SELECTED, "table.selected", "yellow", "default", "bold", "bold,underline")       \
    X(THEME_TABLE_DIM, "table.dim", "default", "default", "dim", "dim")                            \
    X(THEME_STATUS_SUCCESS, "status.success", "green", "default", "", "")                          \
    X(THEME_STATUS_FAILED, "status.failed", "red", "default", "bold", "bold,underline")            \
    X(THEME_STATUS_RUNNING, "status.running", "yellow", "default", "", "standout")                 \
    X(THEME_STATUS_PENDING, "status.pending", "default", "default", "dim", "dim")                  \
    X(THEME_STATUS_ROLLBACK, "status.rollback", "magenta", "default", "bold", "bold")              \
    X(THEME_STATUS_UNKNOWN, "status.unknown", "default", "default", "", "")                        \
    X(THEME_BAR_SUCCESS, "bar.success", "green", "default", "", "")                                \
    X(THEME_BAR_FAILED, "bar.failed", "red", "default", "", "")                                    \
    X(THEME_BAR_RUNNING, "bar.running", "yellow", "default", "", "")                               \
    X(THEME_BAR_PENDING, "bar.pending", "default", "default", "dim", "dim")                        \
    X(THEME_STATUSLINE, "statusline", "black", "white", "", "reverse")                             \
    X(THEME_STATUSLINE_ERROR, "statusline.error", "white", "red", "bold", "reverse,bold")          \
    X(THEME_STATUSLINE_INFO, "statusline.info", "black", "yellow", "", "reverse")                  \
    X(THEME_PANE_BORDER, "pane.border", "blue", "default", "", "")                                 \
    X(THEME_PANE_TITLE, "pane.title", "cyan", "default", "bold", "bold")                           \
    X(THEME_LABEL, "label", "default", "default", "bold", "bold")                                  \
    X(THEME_HELP_KEY, "help.key", "yellow", "default", "bold", "bold")                             \
    X(THEME_FILTER, "filter", "default", "default", "bold", "bold")                                \
    X(THEME_JSON_KEY, "json.key", "cyan", "default", "", "bold")                                   \
    X(THEME_JSON_STRING, "json.string", "green", "default", "", "")                                \
    X(THEME_JSON_NUMBER, "json.number", "yellow", "default", "", "")                               \
    X(THEME_EVENT_OK, "event.ok", "green", "default", "", "")                                      \
    X(THEME_EVENT_ERROR, "event.error", "red", "default", "bold", "bold")                          \
    X(THEME_EVENT_INFO, "event.info", "default", "default", "", "")                                \
    X(THEME_SCROLLBAR, "scrollbar", "blue", "default", "", "")                                     \
    X(THEME_SPINNER, "spinner", "cyan", "default", "bold", "bold")

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
    int fg; /* -1 default, else 0 .. colors-1 of the colors given to theme_load */
    int bg;
    unsigned attrs; /* THEME_ATTR_* */
    unsigned mono;  /* THEME_ATTR_* used without colour */
};

#define THEME_MAX_DIAGS 32

struct theme {
    char name[64];  /* "default", "light", … or a file's name without .theme */
    char path[512]; /* the file loaded, "" for the built-in table */
    struct theme_style styles[THEME_KEY_COUNT];
    /* The theme asks for no colour (mono theme). The UI also goes monochrome on NO_COLOR,
     * --no-color or a terminal without colours; theme_load never looks at those. */
    bool monochrome;
    /* Problems found, each "file:line: unknown key 'x'" / "file:line: unknown colour 'x'";
     * never fatal. When there are more than fit, the last one says how many were dropped. */
    char diags[THEME_MAX_DIAGS][256];
    size_t n_diags;
};

/* NULL when k is out of range. */
const char *theme_key_name(enum theme_key k);
int theme_key_from_name(const char *name); /* -1 unknown */
/* The built-in look (name "default", no path, no diags). */
void theme_builtin(struct theme *t);
/* Resets t to the built-in look, then applies a theme file. A name without '/' is looked up
 * as <name>.theme in $XDG_CONFIG_HOME/certdeck/themes (~/.config/certdeck/themes when
 * XDG_CONFIG_HOME is unset or relative), then $XDG_DATA_HOME/certdeck/themes
 * (~/.local/share/…), then the shipped themes (paths_shipped_themes(): the install prefix, or
 * the source tree's themes/ for a binary in the build tree): a user's file shadows a shipped
 * one of the same name; an argument containing '/' is a path. NULL or "" means the built-in look.
 * colors is what the terminal offers (8, 16, 256; anything below 16 counts as 8): every colour maps
 * down to it. Returns 0 (problems inside the file are diags), or -1 when the theme cannot be
 * found or read: err says where it looked, and t keeps the built-in look. */
int theme_load(struct theme *t, const char *name_or_path, int colors, char *err, size_t errlen);
/* Parses one "fg [bg [attrs]]" value into st->fg, st->bg, st->attrs (st->mono untouched).
 * Returns -1 with err ("unknown colour 'x'", "unknown attribute 'x'", …) and st unchanged on
 * a bad value. */
int theme_parse_value(const char *value, int colors, struct theme_style *st, char *err,
                      size_t errlen);
/* Parses a comma-separated attribute list ("bold,underline", "-", "none", "") into
 * THEME_ATTR_* bits. Returns -1 with err ("unknown attribute 'x'") and *attrs unchanged. */
int theme_parse_attrs(const char *s, unsigned *attrs, char *err, size_t errlen);

#endif
