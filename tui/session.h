/* The state of one TUI session (struct app), for the files of tui/app/ and session.c. The
 * screens never include this: they see the session through the calls in tui/view.h. */
#ifndef CERTDECK_SESSION_H
#define CERTDECK_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/api.h"
#include "core/store.h"
#include "core/util.h"
#include "core/worker.h"
#include "tui/history.h"
#include "tui/config.h"
#include "tui/keymap.h"
#include "tui/theme.h"
#include "tui/view.h"

#define MAX_DEPTH        16
#define MAX_NOTES        200
#define BELL_WATCH_MAX   256
#define CONFIRM_WORD_MAX 48 /* the longest word a typed confirmation asks for, and its NUL */

enum prompt_kind { PROMPT_NONE, PROMPT_FILTER, PROMPT_COMMAND, PROMPT_CONFIRM, PROMPT_PATH };
/* What a PROMPT_PATH line is asked for: an export's file, or a renewal's files and types. */
enum prompt_ask { ASK_EXPORT, ASK_RENEW_CERT, ASK_RENEW_KEY, ASK_RENEW_TYPES };

struct note {
    char *text;
    int64_t at_ms;
    bool error;
};

/* Where a breadcrumb was drawn, for mouse clicks: columns [x0, x1) of row 0 go back to the
 * screen at stack level `level`. */
struct crumb_hit {
    int x0, x1;
    int level;
};

struct pending_write {
    bool active;
    enum app_write kind;
    uint64_t record_id;
    int64_t detail_id;
    int64_t since_ms;
};

struct app {
    struct api_client *api;
    const struct app_options *opts; /* tui/app/options.h */
    const struct config *cfg;
    struct store *store;
    struct worker *worker;
    struct keymap *km;
    struct theme theme;
    bool script_mode;
    FILE *term;     /* what ncurses draws on (OSC 52 goes there): stdout, or /dev/null scripted */
    bool read_only; /* opts->read_only: writes are refused */
    /* What the status line names, and what :profile / :endpoint switch from. */
    char profile[128], endpoint[300];
    char profile_label[128], endpoint_label[300];
    struct api_client *own_api; /* a client opened by a switch (the first is the caller's) */
    struct {
        bool active, profile_set, endpoint_set; /* not set: keep the current one */
        char profile[128], endpoint[300];
    } switch_req;

    struct view *stack[MAX_DEPTH];
    int depth;
    uint64_t view_gen; /* the worker's generation */
    uint64_t seen_gen; /* the store generation the views have seen */

    bool dirty, quit;
    int exit_code;
    char *cert_filter;

    enum prompt_kind prompt;
    enum prompt_ask ask; /* PROMPT_PATH: what for */
    struct buf input;
    struct history hist_cmd, hist_filter; /* history.c: : and / keep their own */
    char saved_filter[256];
    struct pending_write confirm; /* what y submits */
    char question[512];
    /* What the operator must type to confirm (a rollback: the record ID; a renewal: the
     * certificate ID); empty: y/N. */
    char confirm_word[CONFIRM_WORD_MAX];
    struct pending_write pending; /* submitted, waiting for its trace */
    struct bulk_retry *bulk;      /* a template's items retried one by one (tui/app/bulk.h) */
    struct renewal *renewal;      /* U's renewal (tui/renewal.h, driven by tui/app/renew.c) */
    bool bulk_busy;               /* that retry is sending: other writes wait */
    struct {                      /* app_confirm_retry_items asked; bulk_answer takes it */
        uint64_t record_id;
        uint64_t *ids;
        size_t n;
        char *tmpl; /* sanitized, cut for the message line */
    } retry_req;

    char msg[600];
    enum app_msg_kind msg_kind;
    int64_t msg_until;

    struct note notes[MAX_NOTES];
    size_t n_notes;

    struct crumb_hit crumbs[MAX_DEPTH * 2];
    size_t n_crumbs;
    int help_x0, help_x1; /* the "? help" hint on row 0; x1 <= x0: not drawn */

    int spinner;
    int64_t last_spin_ms, last_auto_ms;
    int64_t age_next; /* when the age in the status line next changes (-1: never) */
    bool spinning;

    /* bell.c: the watched records running at the last look, and how many finished since */
    uint64_t watch[BELL_WATCH_MAX];
    size_t n_watch;
    unsigned bells;
};

/* ---- session.c: besides what tui/view.h declares for the screens --------------------------- */

struct view *app_top(struct app *a);
/* A new view generation: the worker drops and aborts the work of views left for good. */
void app_bump_generation(struct app *a);
void app_pop_to_root(struct app *a);
/* Adds a line to the event log's notes (sanitized; the oldest goes past MAX_NOTES). */
void app_note_add(struct app *a, bool error, const char *text);

#endif
