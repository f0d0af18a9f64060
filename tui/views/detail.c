/* One record's detail (DescribeHostUploadUpdateRecordDetail): its runs in time order (deploy,
 * rollback) with progress bars and how long after the deploy a rollback came; the selected
 * run's resource-type groups; a pane describing the selected group. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/errtmpl.h"
#include "core/query.h"
#include "core/sanitize.h"
#include "core/timefmt.h"
#include "tui/text.h"
#include "tui/ui.h"
#include "tui/view.h"

enum {
    RC_MARK,
    RC_NUM,
    RC_TYPE,
    RC_STATUS,
    RC_BAR,
    RC_DONE,
    RC_FAILED,
    RC_CREATED,
    RC_AFTER,
    RC_N
};

static const struct table_col run_cols[RC_N] = {
    [RC_MARK] = {"", NULL, 1, 1, 0, TABLE_TONED | TABLE_NOSORT},
    [RC_NUM] = {"Run", "run", 3, 4, 0, TABLE_NUMERIC},
    [RC_TYPE] = {"Type", "type", 6, 8, 0, 0},
    [RC_STATUS] = {"Status", "status", 6, 16, 0, TABLE_TONED},
    [RC_BAR] = {"Progress", NULL, 8, 24, 3, TABLE_BAR | TABLE_NOSORT | TABLE_FLEX},
    [RC_DONE] = {"Done", "done", 5, 13, 0, TABLE_NUMERIC},
    [RC_FAILED] = {"Failed", "failed", 6, 9, 4, TABLE_NUMERIC},
    [RC_CREATED] = {"Created", "created", 22, 25, 1, 0}, /* as on the record list */
    [RC_AFTER] = {"After deploy", "after", 8, 12, 2, 0},
};

enum { GC_MARK, GC_TYPE, GC_TOTAL, GC_FAILED, GC_RUNNING, GC_PENDING, GC_LOADED, GC_N };

static const struct table_col group_cols[GC_N] = {
    [GC_MARK] = {"", NULL, 1, 1, 0, TABLE_TONED | TABLE_NOSORT},
    [GC_TYPE] = {"Type", "type", 4, 16, 0, TABLE_TONED},
    [GC_TOTAL] = {"Total", "total", 5, 9, 0, TABLE_NUMERIC},
    [GC_FAILED] = {"Failed", "failed", 6, 9, 0, TABLE_NUMERIC},
    /* Running and Pending are counted apart, as the side pane shows them. */
    [GC_RUNNING] = {"Running", "running", 7, 9, 1, TABLE_NUMERIC},
    [GC_PENDING] = {"Pending", "pending", 7, 9, 1, TABLE_NUMERIC},
    [GC_LOADED] = {"Loaded", "loaded", 6, 16, 2, TABLE_NUMERIC},
};

#define TOP_ERRORS 5

struct group_pane {
    bool have;
    char *type;
    int64_t total;
    size_t loaded;
    size_t by_tone[MODEL_TONE_ROLLBACK_FAILED + 1];
    char *errors[TOP_ERRORS];
    size_t error_counts[TOP_ERRORS];
    size_t n_errors;
    size_t n_templates; /* templates of the group, shown or not */
};

struct detail {
    uint64_t id;
    struct table runs, groups;
    int focus; /* 0 runs, 1 groups */
    bool have_record;
    char *summary; /* "cert OMhKAc35 · clb · rollback ok" (sanitized) */
    enum model_tone record_tone;
    size_t n_runs;
    bool any_failed; /* some run has failed items: retry makes sense */
    bool have_detail;
    struct group_pane pane;
};

static void pane_clear(struct group_pane *g)
{
    free(g->type);
    for (size_t i = 0; i < g->n_errors; i++)
        free(g->errors[i]);
    memset(g, 0, sizeof *g);
}

static void detail_open(struct view *v, const struct view_args *args)
{
    struct detail *p = xcalloc(1, sizeof *p);
    p->id = args->record_id;
    table_init(&p->runs, run_cols, RC_N);
    table_init(&p->groups, group_cols, GC_N);
    p->runs.focused = true;
    v->priv = p;
}

static void detail_close(struct view *v)
{
    struct detail *p = v->priv;
    table_free(&p->runs);
    table_free(&p->groups);
    free(p->summary);
    pane_clear(&p->pane);
    free(p);
}

static void detail_crumb(struct view *v, struct buf *out)
{
    struct detail *p = v->priv;
    buf_printf(out, "#%llu", (unsigned long long)p->id);
}

/* The pane of the selected group: counts by tone and its top error templates (core/errtmpl.h:
 * "listener <*>" once with a count, not once per listener). */
static void fill_pane(struct group_pane *g, const struct resource_group *grp, bool rollback)
{
    pane_clear(g);
    g->have = true;
    g->type = sanitize_dup(grp->resource_type);
    g->total = grp->total_count;
    g->loaded = grp->n_items;
    struct errtmpl_set *set = errtmpl_set_new();
    for (size_t i = 0; i < grp->n_items; i++) {
        struct deploy_item scratch;
        const struct deploy_item *it = model_group_item(grp, i, &scratch);
        enum model_tone tone = model_status_tone(it->status);
        g->by_tone[tone <= MODEL_TONE_ROLLBACK_FAILED ? tone : 0]++;
        errtmpl_set_add(set, it, grp->resource_type, rollback);
    }
    size_t n;
    const struct errtmpl_group *tg = errtmpl_set_groups(set, &n);
    for (size_t i = 0; i < n && g->n_errors < TOP_ERRORS; i++) {
        if (!tg[i].text[0]) continue; /* failed without a message: nothing to show */
        g->errors[g->n_errors] = sanitize_dup(tg[i].text);
        g->error_counts[g->n_errors++] = tg[i].count;
    }
    g->n_templates = n;
    errtmpl_set_free(set);
}

/* Rebuilds the snapshot from the store and asks for the first page when nothing is there. */
static void detail_snapshot(struct view *v)
{
    struct detail *p = v->priv;
    struct store *s = app_store(v->app);
    char status[32], num[32], done[64], failed[32], after[32], a1[32], a2[32];
    char when[TIMEFMT_LEN];

    table_begin(&p->runs);
    store_lock(s);
    const struct update_record *rec = query_record(store_records(s), p->id);
    free(p->summary);
    p->summary = NULL;
    p->have_record = rec != NULL;
    if (rec) {
        const char *dot = text_glyphs()->dot;
        struct buf b = {0};
        buf_printf(&b, "cert %s", rec->old_cert_id ? rec->old_cert_id : "?");
        for (size_t k = 0; k < rec->n_resource_types; k++)
            buf_printf(&b, "%s%s", k ? ", " : dot,
                       rec->resource_types[k] ? rec->resource_types[k] : "");
        buf_printf(&b, "%s%s%screated %s", dot,
                   model_status_label(rec->status, status, sizeof status), dot,
                   rec->create_time
                       ? timefmt_api(rec->create_time, APITIME_CHINA, when, sizeof when)
                       : "?");
        p->summary = sanitize_dup(b.data);
        p->record_tone = model_status_tone(rec->status);
        buf_free(&b);
    }
    const struct store_detail *sd = store_detail(s, p->id);
    p->have_detail = sd && (sd->meta.state == STORE_LOADED || sd->meta.state == STORE_STALE ||
                            sd->page.n_runs > 0);
    v->st.state = sd ? sd->meta.state : STORE_IDLE;
    if (sd) {
        v->st.err = sd->meta.last_error;
        v->st.fetched_ms = sd->meta.fetched_ms;
        v->st.busy = sd->meta.inflight > 0 || sd->meta.state == STORE_LOADING ||
                     sd->meta.state == STORE_STALE;
    } else {
        apierr_clear(&v->st.err);
        v->st.fetched_ms = 0;
        v->st.busy = true;
    }
    v->st.in_progress = false;
    p->any_failed = p->record_tone == MODEL_TONE_FAILED && p->have_record;
    p->n_runs = 0;
    if (sd) {
        size_t order[256];
        size_t n = query_run_order(&sd->page, order, ARRAY_LEN(order));
        p->n_runs = n;
        for (size_t i = 0; i < n; i++) {
            const struct deploy_run *r = &sd->page.runs[order[i]];
            enum model_tone tone = model_status_tone(r->status);
            const char *type = model_run_type_name(r->type);
            char typebuf[24];
            if (!type) {
                snprintf(typebuf, sizeof typebuf, "type %lld", (long long)r->type);
                type = typebuf;
            }
            snprintf(num, sizeof num, "%zu", i + 1);
            snprintf(done, sizeof done, "%s/%s",
                     text_thousands(r->success_total_count, a1, sizeof a1),
                     text_thousands(r->total_count, a2, sizeof a2));
            text_thousands(r->failed_total_count, failed, sizeof failed);
            query_rollback_delay(&sd->page, order[i], after, sizeof after);
            const char *cells[RC_N] = {
                ui_tone_mark(tone),
                num,
                type,
                model_status_label(r->status, status, sizeof status),
                "",
                done,
                failed,
                timefmt_api(r->create_time, APITIME_CHINA, when, sizeof when),
                after};
            struct table_row *row = table_add(&p->runs, order[i], cells);
            row->tone = tone;
            const int64_t seg[4] = {r->success_total_count, r->failed_total_count,
                                    r->running_total_count,
                                    r->has_pending_total_count ? r->pending_total_count : 0};
            table_set_bar(&p->runs, seg, r->total_count);
            if (query_run_in_progress(r)) v->st.in_progress = true;
            if (r->failed_total_count > 0) p->any_failed = true;
        }
    }
    table_end(&p->runs);

    /* Groups of the selected run. */
    table_begin(&p->groups);
    pane_clear(&p->pane);
    const struct table_row *sel = table_selected(&p->runs);
    const struct deploy_run *run = sd && sel ? query_run(sd, (size_t)sel->key) : NULL;
    for (size_t gi = 0; run && gi < run->n_groups; gi++) {
        const struct resource_group *g = &run->groups[gi];
        size_t nf = 0, nr = 0, np = 0, ns = 0;
        for (size_t k = 0; k < g->n_items; k++) {
            enum model_tone t = model_status_tone(model_group_item_status(g, k));
            nf += t == MODEL_TONE_FAILED || t == MODEL_TONE_ROLLBACK_FAILED;
            nr += t == MODEL_TONE_RUNNING;
            np += t == MODEL_TONE_PENDING;
            ns += t == MODEL_TONE_SUCCESS || t == MODEL_TONE_ROLLBACK;
        }
        bool partial = (int64_t)g->n_items < g->total_count;
        char total[32], fl[40], rn[40], pn[40], loaded[64];
        text_thousands(g->total_count, total, sizeof total);
        snprintf(fl, sizeof fl, "%s%s", text_thousands((int64_t)nf, a1, sizeof a1),
                 partial ? "+" : "");
        snprintf(rn, sizeof rn, "%s%s", text_thousands((int64_t)nr, a1, sizeof a1),
                 partial ? "+" : "");
        snprintf(pn, sizeof pn, "%s%s", text_thousands((int64_t)np, a1, sizeof a1),
                 partial ? "+" : "");
        snprintf(loaded, sizeof loaded, "%s/%s", text_thousands((int64_t)g->n_items, a1, sizeof a1),
                 total);
        enum model_tone tone = nf                 ? MODEL_TONE_FAILED
                               : nr || np         ? MODEL_TONE_RUNNING
                               : (ns && !partial) ? model_status_tone(run->status)
                                                  : MODEL_TONE_UNKNOWN;
        if (tone == MODEL_TONE_FAILED && run->type == MODEL_RUN_ROLLBACK)
            tone = MODEL_TONE_ROLLBACK_FAILED;
        const char *cells[GC_N] = {ui_tone_mark(tone), g->resource_type, total, fl, rn, pn, loaded};
        struct table_row *row = table_add(&p->groups, gi, cells);
        row->tone = tone;
    }
    table_end(&p->groups);
    const struct table_row *gsel = table_selected(&p->groups);
    if (run && gsel && gsel->key < run->n_groups)
        fill_pane(&p->pane, &run->groups[gsel->key], run->type == MODEL_RUN_ROLLBACK);
    bool ask = !sd || sd->meta.state == STORE_IDLE;
    store_unlock(s);

    if (v->st.state == STORE_LOADING && !p->have_detail)
        snprintf(v->st.progress, sizeof v->st.progress, "loading record #%llu",
                 (unsigned long long)p->id);
    else
        v->st.progress[0] = '\0';
    if (ask) worker_want_detail(app_worker(v->app), p->id, 0, false);
}

static void detail_refresh(struct view *v)
{
    struct detail *p = v->priv;
    worker_want_detail(app_worker(v->app), p->id, 0, true);
}

static void set_focus(struct detail *p, int focus)
{
    p->focus = focus;
    p->runs.focused = focus == 0;
    p->groups.focused = focus == 1;
}

static const char *run_label(struct detail *p, char *buf, size_t n)
{
    const struct table_row *r = table_selected(&p->runs);
    if (!r) return "";
    snprintf(buf, n, "run %s %s", table_selected_cell(&p->runs, RC_NUM),
             table_selected_cell(&p->runs, RC_TYPE));
    return buf;
}

static void draw_pane(struct detail *p, int y, int x, int h, int w)
{
    for (int r = 0; r < h; r++)
        ui_fill(y + r, x, w, A_NORMAL);
    if (h <= 0 || w <= 4) return;
    const struct group_pane *g = &p->pane;
    if (!g->have) {
        ui_put(y, x + 1, w - 1, "No resource groups in this run.", ui_attr(THEME_TABLE_DIM));
        return;
    }
    char line[256], a1[32], a2[32];
    int row = y;
    snprintf(line, sizeof line, "%s%s%s instance%s", g->type, text_glyphs()->dot,
             text_thousands(g->total, a1, sizeof a1), g->total == 1 ? "" : "s");
    ui_put(row++, x + 1, w - 1, line, ui_attr(THEME_PANE_TITLE));
    if ((int64_t)g->loaded < g->total && row < y + h) {
        snprintf(line, sizeof line, "loaded %s of %s",
                 text_thousands((int64_t)g->loaded, a1, sizeof a1),
                 text_thousands(g->total, a2, sizeof a2));
        ui_put(row++, x + 1, w - 1, line, ui_attr(THEME_TABLE_DIM));
    }
    static const enum model_tone order[] = {
        MODEL_TONE_SUCCESS,  MODEL_TONE_FAILED,          MODEL_TONE_RUNNING, MODEL_TONE_PENDING,
        MODEL_TONE_ROLLBACK, MODEL_TONE_ROLLBACK_FAILED, MODEL_TONE_UNKNOWN};
    for (size_t i = 0; i < ARRAY_LEN(order) && row < y + h; i++) {
        size_t n = g->by_tone[order[i]];
        if (!n && order[i] != MODEL_TONE_SUCCESS && order[i] != MODEL_TONE_FAILED) continue;
        snprintf(line, sizeof line, "%s %-16s %8s", ui_tone_mark(order[i]), ui_tone_word(order[i]),
                 text_thousands((int64_t)n, a1, sizeof a1));
        ui_put(row++, x + 1, w - 1, line, ui_attr(ui_tone_key(order[i])));
    }
    if (g->n_errors && row + 1 < y + h) {
        row++;
        snprintf(line, sizeof line, "%zu error template%s (E lists the run's):", g->n_templates,
                 g->n_templates == 1 ? "" : "s");
        ui_put(row++, x + 1, w - 1, line, ui_attr(THEME_LABEL));
        for (size_t i = 0; i < g->n_errors && row < y + h; i++) {
            snprintf(line, sizeof line, "%5zux %s", g->error_counts[i], g->errors[i]);
            ui_put(row++, x + 1, w - 1, line, A_NORMAL);
        }
    }
    if (row + 1 < y + h)
        ui_put(y + h - 1, x + 1, w - 1, "Enter: every instance of this group",
               ui_attr(THEME_TABLE_DIM));
}

static void detail_draw(struct view *v, int y, int x, int h, int w)
{
    struct detail *p = v->priv;
    char line[512], lab[64];
    /* A table not drawn this time must not answer mouse clicks at its old place. */
    p->runs.last_h = p->groups.last_h = 0;
    ui_fill(y, x, w, A_NORMAL);
    int cx = x + ui_put(y, x, w, "", A_NORMAL);
    snprintf(line, sizeof line, "Record #%llu", (unsigned long long)p->id);
    cx += ui_put(y, cx, x + w - cx, line, ui_attr(THEME_LABEL));
    if (p->summary) {
        cx += ui_put(y, cx, x + w - cx, "  ", A_NORMAL);
        ui_put(y, cx, x + w - cx, p->summary, ui_attr(ui_tone_key(p->record_tone)));
    }
    if (!p->have_detail || p->n_runs == 0) {
        for (int r = 1; r < h; r++)
            ui_fill(y + r, x, w, A_NORMAL);
        if (p->have_detail) {
            ui_put(y + 2, x + 2, w - 4, "This record has no deploy runs.", A_NORMAL);
            return;
        }
        view_draw_state(v, y + 1, x, h - 1, w, "the record's runs");
        return;
    }
    /* Runs on top, then the groups of the selected run beside (or above) their pane. */
    int runs_h = (int)p->runs.n_vis + 1;
    if (runs_h < 2) runs_h = 2;
    if (runs_h > (h - 1) / 3 + 1) runs_h = (h - 1) / 3 + 1;
    if (runs_h < 2) runs_h = 2;
    table_draw(&p->runs, y + 1, x, runs_h, w);
    int gy = y + 1 + runs_h;
    int gh = h - 1 - runs_h;
    v->body_rows = p->focus == 0 ? runs_h - 1 : gh - 2;
    if (gh < 2) return;
    /* A titled rule: "── run 2 rollback · resource groups ──". */
    attr_t ba = ui_attr(THEME_PANE_BORDER);
    for (int c = 0; c < w; c++)
        ui_put(gy, x + c, 1, text_glyphs()->hline, ba);
    snprintf(line, sizeof line, " %s%sresource groups ", run_label(p, lab, sizeof lab),
             text_glyphs()->dot);
    ui_put(gy, x + 2, w - 4, line, ui_attr(THEME_PANE_TITLE));
    gy++;
    gh--;
    if (w >= 100) {
        int gw = w * 5 / 10;
        if (gw < 48) gw = 48;
        table_draw(&p->groups, gy, x, gh, gw);
        for (int r = 0; r < gh; r++)
            ui_put(gy + r, x + gw, 1, text_glyphs()->vline, ba);
        draw_pane(p, gy, x + gw + 1, gh, w - gw - 1);
    } else {
        int tgh = (int)p->groups.n_vis + 1;
        if (tgh > gh / 2) tgh = gh / 2;
        if (tgh < 2) tgh = gh < 2 ? gh : 2;
        table_draw(&p->groups, gy, x, tgh, w);
        if (gh - tgh > 1) {
            for (int c = 0; c < w; c++)
                ui_put(gy + tgh, x + c, 1, text_glyphs()->hline, ba);
            draw_pane(p, gy + tgh + 1, x, gh - tgh - 1, w);
        }
    }
}

static void open_group(struct view *v)
{
    struct detail *p = v->priv;
    const struct table_row *r = table_selected(&p->runs);
    const struct table_row *g = table_selected(&p->groups);
    if (!r || !g) return;
    struct view_args args = {0};
    args.record_id = p->id;
    args.run_index = (size_t)r->key;
    args.run_number = atoi(table_selected_cell(&p->runs, RC_NUM));
    /* The raw type, not the sanitized cell: it names the group in the store. */
    struct store *s = app_store(v->app);
    store_lock(s);
    const struct deploy_run *run = query_run(store_detail(s, p->id), args.run_index);
    if (run && g->key < run->n_groups && run->groups[g->key].resource_type)
        strlcpy_safe(args.resource_type, run->groups[g->key].resource_type,
                     sizeof args.resource_type);
    store_unlock(s);
    app_push(v->app, &items_view_ops, &args);
}

static bool detail_key(struct view *v, enum keymap_action act)
{
    struct detail *p = v->priv;
    struct table *t = p->focus == 0 ? &p->runs : &p->groups;
    struct view_args args = {0};
    switch (act) {
    case ACT_PANE_NEXT:
        set_focus(p, p->focus == 0 && p->groups.n_vis ? 1 : 0);
        return true;
    case ACT_OPEN:
        if (p->focus == 0) {
            if (p->groups.n_vis) set_focus(p, 1);
        } else {
            open_group(v);
        }
        return true;
    case ACT_BACK:
        if (p->focus == 1) {
            set_focus(p, 0);
            return true;
        }
        return false;
    case ACT_RAW_JSON: {
        const struct table_row *r = table_selected(&p->runs);
        if (!r) return true;
        args.record_id = p->id;
        args.run_index = (size_t)r->key;
        args.run_number = atoi(table_selected_cell(&p->runs, RC_NUM));
        args.json = JSON_RUN;
        app_push(v->app, &json_view_ops, &args);
        return true;
    }
    case ACT_ERRORS: {
        const struct table_row *r = table_selected(&p->runs);
        if (!r) {
            app_msg(v->app, APP_MSG_INFO, "record #%llu: its runs are not loaded yet",
                    (unsigned long long)p->id);
            return true;
        }
        args.record_id = p->id;
        args.run_index = (size_t)r->key;
        args.run_number = atoi(table_selected_cell(&p->runs, RC_NUM));
        app_push(v->app, &errors_view_ops, &args);
        return true;
    }
    case ACT_ROLLBACK:
        view_confirm_rollback(v, p->id);
        return true;
    case ACT_RETRY:
        if (!p->any_failed) {
            app_msg(v->app, APP_MSG_INFO, "record #%llu has no failed item: nothing to retry",
                    (unsigned long long)p->id);
            return true;
        }
        view_confirm_retry_all(v, p->id);
        return true;
    default:
        break;
    }
    if (view_table_key(v, t, act)) {
        detail_snapshot(v); /* another run has other groups; another group, another pane */
        return true;
    }
    return false;
}

static struct table *detail_table(struct view *v)
{
    struct detail *p = v->priv;
    return p->focus == 0 ? &p->runs : &p->groups;
}

static void detail_click(struct view *v, int y, int x, bool dbl)
{
    struct detail *p = v->priv;
    if (table_click(&p->runs, y, x)) {
        set_focus(p, 0);
        detail_snapshot(v);
        if (dbl) detail_key(v, ACT_OPEN);
    } else if (table_click(&p->groups, y, x)) {
        set_focus(p, 1);
        detail_snapshot(v);
        if (dbl) open_group(v);
    }
}

static uint64_t detail_record(struct view *v)
{
    return ((struct detail *)v->priv)->id;
}

const struct view_ops detail_view_ops = {
    .name = "detail",
    .ctx = KM_DETAIL,
    .open = detail_open,
    .close = detail_close,
    .crumb = detail_crumb,
    .draw = detail_draw,
    .key = detail_key,
    .on_data = detail_snapshot,
    .reload = detail_refresh,
    .table = detail_table,
    .click = detail_click,
    .record = detail_record,
};
