/* The one table of TUI actions (name, default keys, where they apply, help text). It feeds key
 * dispatch, the `?` overlay, the validation of config `bind` lines and `certdeck keys`.
 * No curses here: key codes are plain integers (see KEYMAP_KEY_*). */
#ifndef CERTDECK_KEYMAP_H
#define CERTDECK_KEYMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "tui/config.h"

/* Contexts: one per kind of screen, plus "global" (every screen). */
#define KEYMAP_CONTEXTS(X)                                                                         \
    X(KM_GLOBAL, "global", "Everywhere")                                                           \
    X(KM_RECORDS, "records", "Records")                                                            \
    X(KM_DETAIL, "detail", "Record detail")                                                        \
    X(KM_ERRORS, "errors", "Error templates")                                                      \
    X(KM_ITEMS, "items", "Resource instances")                                                     \
    X(KM_ITEM, "item", "Instance pane")                                                            \
    X(KM_JSON, "json", "Raw JSON")                                                                 \
    X(KM_LOG, "log", "Event log")                                                                  \
    X(KM_RADAR, "radar", "Rollback radar")                                                         \
    X(KM_RENEW, "renew", "Renewal checklist")                                                      \
    X(KM_HELP, "help", "Help")                                                                     \
    X(KM_PICK, "pick", "Profiles and endpoints")

enum keymap_ctx {
#define KM_CTX_ENUM(id, name, title) id,
    KEYMAP_CONTEXTS(KM_CTX_ENUM)
#undef KM_CTX_ENUM
        KM_CTX_COUNT
};

#define KMC(c)  (1u << (c))
#define KMC_ALL KMC(KM_GLOBAL)
#define KMC_TABLES                                                                                 \
    (KMC(KM_RECORDS) | KMC(KM_DETAIL) | KMC(KM_ERRORS) | KMC(KM_ITEMS) | KMC(KM_LOG) |             \
     KMC(KM_RADAR) | KMC(KM_PICK))

/* X-macro: id, name (for `bind` lines), default keys (space-separated key names), contexts
 * where the action applies (KMC_ALL: everywhere), help text. The one list of actions. */
#define KEYMAP_ACTIONS(X)                                                                          \
    X(ACT_MOVE_UP, "move-up", "k Up C-p", KMC_ALL, "Move up one row")                              \
    X(ACT_MOVE_DOWN, "move-down", "j Down C-n", KMC_ALL, "Move down one row")                      \
    X(ACT_PAGE_UP, "page-up", "PgUp C-b", KMC_ALL, "Move up one page")                             \
    X(ACT_PAGE_DOWN, "page-down", "PgDn C-f Space", KMC_ALL, "Move down one page")                 \
    X(ACT_FIRST, "first", "g Home", KMC_ALL, "Go to the first row")                                \
    X(ACT_LAST, "last", "G End", KMC_ALL, "Go to the last row (loads every page)")                 \
    X(ACT_OPEN, "open", "Enter l Right", KMC_TABLES | KMC(KM_RENEW), "Open the selection")         \
    X(ACT_BACK, "back", "Esc Backspace h Left", KMC_ALL, "Go back (the cursor is kept)")           \
    X(ACT_CLOSE, "close", "q", KMC_ALL, "Close this screen; quit on the record list")              \
    X(ACT_QUIT, "quit", "Q", KMC_ALL, "Quit certdeck")                                             \
    X(ACT_PANE_NEXT, "pane-next", "Tab BTab", KMC(KM_DETAIL) | KMC(KM_RADAR),                      \
      "Switch between runs and groups")                                                            \
    X(ACT_NEXT_FAILED, "next-failed", "n", KMC_TABLES, "Jump to the next failed row")              \
    X(ACT_PREV_FAILED, "prev-failed", "N", KMC_TABLES, "Jump to the previous failed row")          \
    X(ACT_FILTER, "filter", "/", KMC_TABLES,                                                       \
      "Filter rows as you type: words, or field:value (status:failed type:clb)")                   \
    X(ACT_SORT_PREV, "sort-prev", "<", KMC_TABLES, "Sort by the column to the left")               \
    X(ACT_SORT_NEXT, "sort-next", ">", KMC_TABLES, "Sort by the column to the right")              \
    X(ACT_SORT_REVERSE, "sort-reverse", "s", KMC_TABLES, "Reverse the sort order")                 \
    X(ACT_RAW_JSON, "raw-json", "d",                                                               \
      KMC(KM_RECORDS) | KMC(KM_DETAIL) | KMC(KM_ITEMS) | KMC(KM_ITEM),                             \
      "Show the raw JSON of the selection")                                                        \
    X(ACT_ROLLBACK, "rollback", "R", KMC(KM_RECORDS) | KMC(KM_DETAIL),                             \
      "Roll the record back (type its ID to confirm; refused in read-only mode)")                  \
    X(ACT_RETRY, "retry", "T", KMC(KM_RECORDS) | KMC(KM_DETAIL) | KMC(KM_ITEMS) | KMC(KM_ITEM),    \
      "Retry the failed item, or every failed item of the record (asks first)")                    \
    X(ACT_RENEW, "renew", "U", KMC(KM_RECORDS) | KMC(KM_RENEW),                                    \
      "Renew the record's certificate: new chain and key, a pre-flight checklist, then type the "  \
      "certificate ID to push it (on the checklist: go ahead; refused in read-only mode)")         \
    X(ACT_RENEW_FORCE, "renew-force", "F", KMC(KM_RENEW),                                          \
      "On the renewal checklist: go ahead although deployed domains are not covered (as "          \
      "update --force)")                                                                           \
    X(ACT_ERRORS, "errors", "E", KMC(KM_DETAIL),                                                   \
      "Error templates of the selected run: its failures grouped by cause")                        \
    X(ACT_RETRY_TEMPLATE, "retry-template", "T", KMC(KM_ERRORS),                                   \
      "Retry every failed item of the template, one request each (type the count; Esc stops)")     \
    X(ACT_REFRESH, "refresh", "r F5", KMC_ALL, "Refresh now; after an error, try again")           \
    X(ACT_COPY, "copy", "y", KMC_TABLES,                                                           \
      "Copy the selected row's key value (Id, instance, RequestId) to the clipboard")              \
    X(ACT_COPY_ROW, "copy-row", "Y", KMC_TABLES, "Copy the selected row, tab-separated")           \
    X(ACT_EXPORT, "export", "e", KMC_TABLES,                                                       \
      "Export the rows shown (filter and sort applied) to CSV, or JSON by the file's extension")   \
    X(ACT_COMMAND, "command", ":", KMC_ALL,                                                        \
      "Commands: :record ID, :cert ID, :radar, :profile, :endpoint, :sort COL, :q")                \
    X(ACT_EVENT_LOG, "event-log", "L", KMC_ALL, "Event log: the last API calls and messages")      \
    X(ACT_HELP, "help", "? F1", KMC_ALL, "This help")                                              \
    X(ACT_REDRAW, "redraw", "C-l", KMC_ALL, "Redraw the screen")

enum keymap_action {
    ACT_NONE = 0,
#define KM_ACT_ENUM(id, name, keys, ctx, help) id,
    KEYMAP_ACTIONS(KM_ACT_ENUM)
#undef KM_ACT_ENUM
        ACT_COUNT
};

/* Key codes: a Unicode code point for characters (control characters included: C-a is 1,
 * Tab 9, Enter 10, Esc 27), KEYMAP_KEY_SPECIAL | curses KEY_* for function keys, and
 * KEYMAP_KEY_META | c for Esc followed by c (M-c). */
#define KEYMAP_KEY_SPECIAL 0x1000000
#define KEYMAP_KEY_META    0x2000000
#define KEYMAP_KEY_ENTER   10
#define KEYMAP_KEY_ESC     27
#define KEYMAP_KEY_TAB     9

/* Parses a key name ("j", "?", "C-d", "M-x", "Enter", "PgDn", "F5", any case for names).
 * Returns the key code, or -1. */
int keymap_key_parse(const char *name);
/* The canonical name of a key code ("C-d", "PgDn", "é"); returns buf. */
const char *keymap_key_name(int key, char *buf, size_t n);

const char *keymap_action_name(enum keymap_action a);
const char *keymap_action_help(enum keymap_action a);
enum keymap_action keymap_action_from_name(const char *name); /* ACT_NONE if unknown */
const char *keymap_ctx_name(enum keymap_ctx c);
const char *keymap_ctx_title(enum keymap_ctx c);
int keymap_ctx_from_name(const char *name); /* -1 if unknown */
/* Whether action a may be used in context c (global actions apply everywhere). */
bool keymap_action_applies(enum keymap_action a, enum keymap_ctx c);

/* A key map: the defaults plus the user's `bind` lines (which win). */
struct keymap;

struct keymap *keymap_new(void);
void keymap_free(struct keymap *km);
/* Applies cfg's bindings; each problem (unknown context, key or action, an action that does
 * not apply in that context, a key bound twice, a default it replaces) is passed to diag as
 * one line "file:line: …". Never fatal: bad lines are skipped. Returns how many were bad. */
int keymap_apply_config(struct keymap *km, const struct config *cfg,
                        void (*diag)(void *ctx, const char *line), void *ctx);
/* The action a key triggers in context c: user bindings in c, then user bindings in global,
 * then defaults of c, then global defaults. ACT_NONE when unbound. */
enum keymap_action keymap_lookup(const struct keymap *km, enum keymap_ctx c, int key);
/* The keys that trigger a in c, as "k, Up, C-p" (every binding that really reaches a). */
void keymap_keys_for(const struct keymap *km, enum keymap_ctx c, enum keymap_action a, char *out,
                     size_t n);

/* The first of those keys ("U"), for hints and messages; the action's name when no key reaches
 * it. */
void keymap_first_key(const struct keymap *km, enum keymap_ctx c, enum keymap_action a, char *out,
                      size_t n);

/* The default key table, for the README and `certdeck keys`. */
void keymap_print(FILE *out);
/* The same table as man(7) source (.TP paragraphs), for the man page (`certdeck keys --man`). */
void keymap_print_man(FILE *out);

#endif
