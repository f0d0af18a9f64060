/* The contract between the render loop (tui/app/) and the screens (one file each in
 * tui/views/), after tig's view.h: each screen file defines one `const struct view_ops` and
 * nothing else. Views never fetch: on_data reads the store under store_lock() into the view's
 * own snapshot and asks the worker for what is missing; draw only reads that snapshot. All of
 * it runs on the UI thread. */
#ifndef CERTDECK_VIEW_H
#define CERTDECK_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/csvout.h"
#include "core/store.h"
#include "core/util.h"
#include "core/worker.h"
#include "tui/keymap.h"
#include "tui/table.h"

struct app;
struct view;
struct renewal;

enum json_source { JSON_RECORD, JSON_RUN, JSON_ITEM };
enum pick_kind { PICK_PROFILE, PICK_ENDPOINT };

/* What a view is opened on. */
struct view_args {
    uint64_t record_id;
    size_t run_index;       /* position in DeployRecordDetail (server order) */
    int run_number;         /* 1-based position in time order, for breadcrumbs */
    char resource_type[64]; /* the group */
    uint64_t item_id;
    enum json_source json;
    enum keymap_ctx help_ctx; /* help: the screen it was opened from */
    enum pick_kind pick;      /* picker: profiles or endpoints */
    /* The template drill-down: the items' Ids (ascending) and the template, both copied by
     * open (valid only during app_push). */
    const uint64_t *ids;
    size_t n_ids;
    const char *text;
};

/* What the status line says about the view's data; views fill it in on_data. */
struct view_status {
    enum store_state state;
    bool busy;            /* a fetch for this view is in flight */
    struct api_error err; /* kind APIERR_NONE: nothing to report */
    int64_t fetched_ms;   /* now_ms() of the last successful fetch; 0: never */
    char progress[96];    /* "loaded 400 of 1,234" while streaming, else "" */
    bool in_progress;     /* a run is still running: refresh every few seconds */
};

struct view_ops {
    const char *name;
    enum keymap_ctx ctx;
    void (*open)(struct view *v, const struct view_args *args);
    void (*close)(struct view *v);
    /* Appends this view's breadcrumb ("#2", "run 2 rollback", "clb"). */
    void (*crumb)(struct view *v, struct buf *out);
    void (*draw)(struct view *v, int y, int x, int h, int w);
    /* Returns true when the action was handled here. */
    bool (*key)(struct view *v, enum keymap_action act);
    /* The store changed (or the view became visible again): snapshot and ask for more. */
    void (*on_data)(struct view *v);
    /* `r` or the auto-refresh timer: fetch again. */
    void (*reload)(struct view *v);
    /* The table that / < > s act on, or NULL. */
    struct table *(*table)(struct view *v);
    /* e: the rows shown (filter and sort applied) through s, begun on out in format f, when
     * they have a batch CSV of their own; optional (default: the columns on screen). */
    void (*export_rows)(struct view *v, struct rowsink *s, FILE *out, enum rowsink_format f);
    /* The record this screen is about (detail, drill-down), 0 none; optional. */
    uint64_t (*record)(struct view *v);
    /* A mouse click (or double click) at screen position y, x; optional. */
    void (*click)(struct view *v, int y, int x, bool dbl);
};

struct view {
    const struct view_ops *ops;
    struct app *app;
    void *priv;
    struct view_status st;
    int body_rows; /* rows available at the last draw (page size) */
    bool want_all; /* G / filter / sort: load every page, not just ahead of the cursor */
    bool go_last;  /* G while pages stream in: keep the cursor on the last row until done */
};

extern const struct view_ops records_view_ops, detail_view_ops, items_view_ops, item_view_ops,
    json_view_ops, log_view_ops, help_view_ops, errors_view_ops, tmpl_items_view_ops,
    picker_view_ops, radar_view_ops, renew_view_ops;

/* ---- what the app offers views --------------------------------------------------------- */

enum app_msg_kind { APP_MSG_INFO, APP_MSG_ERROR };
enum app_write { APP_WRITE_ROLLBACK, APP_WRITE_RETRY, APP_WRITE_RETRY_ITEMS, APP_WRITE_UPDATE };

struct store *app_store(struct app *a);
struct worker *app_worker(struct app *a);
const struct keymap *app_keymap(struct app *a);
void app_push(struct app *a, const struct view_ops *ops, const struct view_args *args);
void app_pop(struct app *a);
void app_dirty(struct app *a);
void app_msg(struct app *a, enum app_msg_kind kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Asks "question [y/N]" (a rollback: "question Type ID to confirm:") and, on y (the record ID
 * and Enter), submits the write (refused in read-only mode). detail_id < 0: the whole record. */
void app_confirm_write(struct app *a, enum app_write w, uint64_t record_id, int64_t detail_id,
                       const char *question);
/* Asks to switch the session to another profile and/or endpoint (NULL: keep the current;
 * profile "": the credential chain's default order, the environment first; endpoint "": the
 * default endpoint); the app does it on its next wake, closing every screen and starting again
 * on the record list. */
void app_request_switch(struct app *a, const char *profile, const char *endpoint);
/* The current profile ("" for the chain's default order) and endpoint URL, as switched to. */
const char *app_profile(struct app *a);
const char *app_endpoint(struct app *a);
/* Asks "retry 312 items of '…'? Type 312 to confirm" and, on the typed count, retries each
 * of the items once, one UploadUpdateCertificateRecordRetry at a time through the worker,
 * with progress in the message line (Esc stops sending) and a summary at the end (refused
 * in read-only mode, or while another write is under way). ids and tmpl are copied. */
void app_confirm_retry_items(struct app *a, uint64_t record_id, const uint64_t *ids, size_t n,
                             const char *tmpl);
/* The renewal (U, tui/app/renew.c): starts renewing record_id's old certificate — its chain
 * and key files and resource types asked for in the prompt line, then the pre-flight checklist
 * screen (refused in read-only mode, or while another write is under way). */
void app_renew_start(struct app *a, uint64_t record_id);
/* The renewal the checklist shows (NULL: none). */
const struct renewal *app_renewal(struct app *a);
/* On the checklist: go ahead to the typed confirmation when nothing failed; force also when
 * only the coverage failed (deployed domains the new certificate does not cover). */
void app_renew_go(struct app *a, bool force);
/* On the checklist: read the files again and run every check again. */
void app_renew_recheck(struct app *a);
/* On the checklist: open the record it names (the one already running, or the new one). */
void app_renew_open_record(struct app *a);
/* The checklist closed: the files' contents are wiped unless the call is out. */
void app_renew_closed(struct app *a);
/* The record list's OldCertificateId filter (NULL: all). */
const char *app_cert_filter(struct app *a);
/* Notes for the event log (config and theme diagnostics, write results), oldest first. */
size_t app_note_count(struct app *a);
const char *app_note(struct app *a, size_t i, int64_t *at_ms, bool *is_error);
/* Wall-clock rendering of a now_ms() instant, "HH:MM:SS" in the display zone (core/timefmt). */
void app_clock_text(struct app *a, int64_t at_ms, char *buf, size_t n);

/* Shared handling of movement actions on a table; returns true when act was one. */
bool view_table_key(struct view *v, struct table *t, enum keymap_action act);
/* Shared scrolling of a text screen of n lines (top is the first line shown). */
bool view_scroll_key(struct view *v, size_t *top, size_t n, enum keymap_action act);
/* The confirmation questions of the record-wide writes, from the record's detail as the store
 * holds it (sd NULL, or no page in yet: "not loaded yet" rather than a guess); appended to
 * out, sanitized, without the "[y/N]". Rollback names what the latest deploy run touched:
 * "Roll back record #37 — 5,007 resources (clb 5,000, tke 7) back to the old certificate?".
 * Retry counts the failed items of the latest run (the one a record-wide retry re-runs):
 * "Retry the 559 failed items of record #37?". */
void view_rollback_question(const struct store_detail *sd, uint64_t record_id, struct buf *out);
void view_retry_question(const struct store_detail *sd, uint64_t record_id, struct buf *out);
/* Asks to confirm rolling back record_id, or retrying every failed item of it, saying what the
 * write will touch as far as the store knows (the questions above). */
void view_confirm_rollback(struct view *v, uint64_t record_id);
void view_confirm_retry_all(struct view *v, uint64_t record_id);
/* A status line's filter note when t has a filter, drawn at (y, x) within w columns in the
 * filter colour: " · 12 shown by /web", or " · /web" while a stepped filter has no count yet.
 * Returns the columns used (0 without a filter). */
int view_filter_note(const struct table *t, int y, int x, int w);
/* Shared empty/loading/error message inside a view body. */
void view_draw_state(struct view *v, int y, int x, int h, int w, const char *what);

#endif
