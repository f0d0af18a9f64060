/* The errors screen: the failed items of one run grouped by error template (core/errtmpl.h),
 * one row per cause with its count, share, resource types, regions and first example, failed
 * and rollback-failed counted apart. It pages every item of the run through the worker and
 * regroups as pages arrive ("seen 400 of 5,007 items"). Enter drills down to the template's
 * items; T retries them, one request each (app_confirm_retry_items); e writes the rows shown
 * as `certdeck errors -o csv` does. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/csvout.h"
#include "core/errtmpl.h"
#include "core/query.h"
#include "core/sanitize.h"
#include "tui/text.h"
#include "tui/ui.h"
#include "tui/view.h"

enum {
    EC_MARK,
    EC_NUM,
    EC_COUNT,
    EC_SHARE,
    EC_FAILED,
    EC_RBFAILED,
    EC_TYPES,
    EC_REGIONS,
    EC_TEMPLATE,
    EC_EXAMPLE,
    EC_N
};

static const struct table_col err_cols[EC_N] = {
    [EC_MARK] = {"", NULL, 1, 1, 0, TABLE_TONED | TABLE_NOSORT},
    [EC_NUM] = {"#", "number", 2, 4, 0, TABLE_NUMERIC},
    [EC_COUNT] = {"Count", "count", 5, 8, 0, TABLE_NUMERIC},
    [EC_SHARE] = {"Share", "share", 5, 6, 5, TABLE_NUMERIC},
    [EC_FAILED] = {"Failed", "failed", 6, 8, 2, TABLE_NUMERIC},
    [EC_RBFAILED] = {"RB failed", "rbfailed", 9, 9, 2, TABLE_NUMERIC},
    [EC_TYPES] = {"Types", "type", 5, 16, 4, 0},
    [EC_REGIONS] = {"Regions", "region", 7, 24, 6, 0},
    [EC_TEMPLATE] = {"Template", "template", 16, 0, 0, TABLE_FLEX},
    [EC_EXAMPLE] = {"First example", "example", 16, 0, 1, TABLE_FLEX},
};

struct errs {
    uint64_t id;
    size_t run_index;
    int run_number;
    char run_label[48]; /* "run 1 deploy" */
    struct errtmpl_set *set;
    struct table t;
    bool found;          /* the run is in the store */
    size_t seen;         /* items of the run loaded */
    int64_t total;       /* items of the run (the sum of its groups' TotalCount) */
    size_t failed_items; /* failed items seen (the set's count) */
    size_t n_groups;
};

/* Rows are keyed by their template, so the cursor stays on a cause while counts change. */
static uint64_t text_key(const char *s)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static void errors_open(struct view *v, const struct view_args *args)
{
    struct errs *p = xcalloc(1, sizeof *p);
    p->id = args->record_id;
    p->run_index = args->run_index;
    p->run_number = args->run_number;
    table_init(&p->t, err_cols, EC_N);
    p->t.focused = true;
    p->t.copy_col = EC_TEMPLATE;
    v->priv = p;
}

static void errors_close(struct view *v)
{
    struct errs *p = v->priv;
    table_free(&p->t);
    errtmpl_set_free(p->set);
    free(p);
}

static void errors_crumb(struct view *v, struct buf *out)
{
    struct errs *p = v->priv;
    buf_printf(out, "%s\terrors", p->run_label);
}

/* The group under the cursor, or NULL. */
static const struct errtmpl_group *selected_group(struct errs *p)
{
    const struct table_row *sel = table_selected(&p->t);
    if (!sel || !p->set) return NULL;
    size_t n;
    const struct errtmpl_group *g = errtmpl_set_groups(p->set, &n);
    for (size_t i = 0; i < n; i++)
        if (text_key(g[i].text) == sel->key) return &g[i];
    return NULL;
}

static const char *join(char *const *v, size_t n, struct buf *b)
{
    buf_reset(b);
    for (size_t i = 0; i < n; i++)
        buf_printf(b, "%s%s", i ? "," : "", v[i]);
    return b->data ? b->data : "";
}

static void fill_table(struct errs *p)
{
    table_begin(&p->t);
    size_t n;
    const struct errtmpl_group *g = errtmpl_set_groups(p->set, &n);
    p->n_groups = n;
    struct buf types = {0}, regions = {0};
    for (size_t i = 0; i < n; i++) {
        char num[24], count[32], share[16], failed[32], rb[32];
        snprintf(num, sizeof num, "%zu", i + 1);
        text_thousands((int64_t)g[i].count, count, sizeof count);
        snprintf(share, sizeof share, "%.1f%%",
                 p->failed_items ? 100.0 * (double)g[i].count / (double)p->failed_items : 0.0);
        text_thousands((int64_t)g[i].failed, failed, sizeof failed);
        text_thousands((int64_t)g[i].rollback_failed, rb, sizeof rb);
        enum model_tone tone = g[i].failed ? MODEL_TONE_FAILED : MODEL_TONE_ROLLBACK_FAILED;
        const char *cells[EC_N] = {ui_tone_mark(tone),
                                   num,
                                   count,
                                   share,
                                   failed,
                                   rb,
                                   join(g[i].resource_types, g[i].n_resource_types, &types),
                                   join(g[i].regions, g[i].n_regions, &regions),
                                   g[i].text[0] ? g[i].text : "(no message)",
                                   g[i].example};
        struct table_row *row = table_add(&p->t, text_key(g[i].text), cells);
        row->tone = tone;
    }
    buf_free(&types);
    buf_free(&regions);
    table_end(&p->t);
}

static void errors_on_data(struct view *v)
{
    struct errs *p = v->priv;
    struct store *s = app_store(v->app);
    errtmpl_set_free(p->set);
    p->set = errtmpl_set_new();
    p->seen = 0;
    p->total = 0;
    store_lock(s);
    const struct store_detail *sd = store_detail(s, p->id);
    const struct deploy_run *run = query_run(sd, p->run_index);
    p->found = run != NULL;
    const char *type = run ? model_run_type_name(run->type) : NULL;
    if (!p->run_number && sd) p->run_number = query_run_number(&sd->page, p->run_index);
    snprintf(p->run_label, sizeof p->run_label, "run %d %s", p->run_number, type ? type : "");
    v->st.state = sd ? sd->meta.state : STORE_IDLE;
    if (sd) {
        v->st.err = sd->meta.last_error;
        v->st.fetched_ms = sd->meta.fetched_ms;
        v->st.busy = sd->meta.inflight > 0 || sd->meta.state == STORE_LOADING ||
                     sd->meta.state == STORE_STALE;
    }
    v->st.in_progress = query_run_in_progress(run);
    bool ask = !sd || sd->meta.state != STORE_ERROR;
    for (size_t gi = 0; run && gi < run->n_groups; gi++) {
        const struct resource_group *g = &run->groups[gi];
        for (size_t k = 0; k < g->n_items; k++) {
            struct deploy_item scratch;
            errtmpl_set_add(p->set, model_group_item(g, k, &scratch), g->resource_type,
                            run->type == MODEL_RUN_ROLLBACK);
        }
        p->seen += g->n_items;
        p->total += g->total_count;
    }
    store_unlock(s);
    p->failed_items = errtmpl_set_items(p->set);
    fill_table(p);
    v->st.progress[0] = '\0';
    if (p->found && (int64_t)p->seen < p->total) {
        char a[32], b[32];
        snprintf(v->st.progress, sizeof v->st.progress, "seen %s of %s items",
                 text_thousands((int64_t)p->seen, a, sizeof a),
                 text_thousands(p->total, b, sizeof b));
    }
    /* Every item of the run: the templates are only complete when all are in. */
    if (ask && (!p->found || (int64_t)p->seen < p->total))
        worker_want_group(app_worker(v->app), p->id, p->run_index, NULL, API_DETAIL_MAX_ITEMS,
                          false);
}

static void errors_refresh(struct view *v)
{
    struct errs *p = v->priv;
    worker_want_group(app_worker(v->app), p->id, p->run_index, NULL, API_DETAIL_MAX_ITEMS, true);
}

static void errors_draw(struct view *v, int y, int x, int h, int w)
{
    struct errs *p = v->priv;
    char line[256], a[32], b[32];
    const char *dot = text_glyphs()->dot;
    ui_fill(y, x, w, A_NORMAL);
    int cx = x;
    snprintf(line, sizeof line, "Errors of %s%srecord #%llu", p->run_label, dot,
             (unsigned long long)p->id);
    cx += ui_put(y, cx, w, line, ui_attr(THEME_LABEL));
    if (p->found) {
        snprintf(line, sizeof line, "%s%s failed item%s, %zu template%s", dot,
                 text_thousands((int64_t)p->failed_items, a, sizeof a),
                 p->failed_items == 1 ? "" : "s", p->n_groups, p->n_groups == 1 ? "" : "s");
        cx += ui_put(y, cx, x + w - cx, line, ui_attr(THEME_STATUS_FAILED));
        if ((int64_t)p->seen < p->total)
            snprintf(line, sizeof line, "%sseen %s of %s items", dot,
                     text_thousands((int64_t)p->seen, a, sizeof a),
                     text_thousands(p->total, b, sizeof b));
        else
            snprintf(line, sizeof line, "%sall %s items seen", dot,
                     text_thousands(p->total, a, sizeof a));
        cx += ui_put(y, cx, x + w - cx, line, A_NORMAL);
        view_filter_note(&p->t, y, cx, x + w - cx);
    }
    v->body_rows = h - 2;
    if (p->t.n_vis == 0) {
        for (int r = 1; r < h; r++)
            ui_fill(y + r, x, w, A_NORMAL);
        if (p->found && p->n_groups && p->t.filter[0]) {
            ui_put(y + 2, x + 2, w - 4, "No template matches the filter (/ to change it).",
                   A_NORMAL);
            return;
        }
        if (p->found && (int64_t)p->seen >= p->total && v->st.err.kind == APIERR_NONE) {
            ui_put(y + 2, x + 2, w - 4, "No item of this run has failed.", A_NORMAL);
            return;
        }
        view_draw_state(v, y + 1, x, h - 1, w, "the run's items");
        return;
    }
    table_draw(&p->t, y + 1, x, h - 1, w);
}

static bool errors_key(struct view *v, enum keymap_action act)
{
    struct errs *p = v->priv;
    const struct errtmpl_group *g = selected_group(p);
    switch (act) {
    case ACT_OPEN: {
        if (!g) return true;
        struct view_args args = {0};
        args.record_id = p->id;
        args.run_index = p->run_index;
        args.run_number = p->run_number;
        args.ids = g->detail_ids;
        args.n_ids = g->n_detail_ids;
        args.text = g->text;
        app_push(v->app, &tmpl_items_view_ops, &args);
        return true;
    }
    case ACT_RETRY_TEMPLATE:
        if (!g) return true;
        if ((int64_t)p->seen < p->total) {
            app_msg(v->app, APP_MSG_INFO,
                    "still reading the run's items (%zu of %lld): retry once all are in", p->seen,
                    (long long)p->total);
            return true;
        }
        app_confirm_retry_items(v->app, p->id, g->detail_ids, g->n_detail_ids, g->text);
        return true;
    default:
        break;
    }
    return view_table_key(v, &p->t, act);
}

static struct table *errors_table(struct view *v)
{
    return &((struct errs *)v->priv)->t;
}

/* e: the batch CSV's rows (certdeck errors ID --run N -o csv) of the templates shown, in their
 * order, each with its number in the set. */
static void errors_export(struct view *v, struct rowsink *s, FILE *out, enum rowsink_format f)
{
    struct errs *p = v->priv;
    size_t n = 0;
    const struct errtmpl_group *g = p->set ? errtmpl_set_groups(p->set, &n) : NULL;
    struct csvout_scratch scratch = {0};
    rowsink_begin(s, out, f, csvout_errors_headers, CSVOUT_ERRORS_COLS);
    for (size_t i = 0; i < p->t.n_vis; i++) {
        uint64_t key = p->t.rows[p->t.vis[i]].key;
        for (size_t k = 0; k < n; k++) {
            if (text_key(g[k].text) != key) continue;
            const char *cells[CSVOUT_ERRORS_COLS];
            csvout_errors_cells(k + 1, &g[k], &scratch, cells);
            rowsink_row(s, cells);
            break;
        }
    }
    csvout_scratch_free(&scratch);
}

static uint64_t errors_record(struct view *v)
{
    return ((struct errs *)v->priv)->id;
}

static void errors_click(struct view *v, int y, int x, bool dbl)
{
    struct errs *p = v->priv;
    if (table_click(&p->t, y, x) && dbl) errors_key(v, ACT_OPEN);
}

const struct view_ops errors_view_ops = {
    .name = "errors",
    .ctx = KM_ERRORS,
    .open = errors_open,
    .close = errors_close,
    .crumb = errors_crumb,
    .draw = errors_draw,
    .key = errors_key,
    .on_data = errors_on_data,
    .reload = errors_refresh,
    .table = errors_table,
    .export_rows = errors_export,
    .record = errors_record,
    .click = errors_click,
};
