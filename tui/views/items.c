/* The resource drill-down: every instance of one resource-type group of one run, paged
 * through the worker ahead of the cursor ("loaded 400 of 1,234" while it streams), with the
 * columns that fit the resource type. The table is a source table over the store's group:
 * each page appends its new items (key, tone, status: 16 bytes a row), and cells are read
 * from the store when drawn, filtered or sorted — a million instances cost the TUI tens of
 * megabytes, not gigabytes, and a page costs the same at the end of the group as at the
 * start. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sanitize.h"
#include "core/fields.h"
#include "core/query.h"
#include "tui/text.h"
#include "tui/ui.h"
#include "tui/view.h"

/* How each field looks as a column. */
static const struct {
    enum item_field f;
    struct table_col col;
} col_specs[] = {
    {F_ID, {"Id", "id", 2, 12, 9, TABLE_NUMERIC}},
    {F_INSTANCE, {"Instance", "instance", 8, 24, 0, 0}},
    {F_INSTANCE_NAME, {"Name", "name", 6, 24, 4, 0}},
    {F_LISTENER_NAME, {"Listener", "listener", 6, 20, 3, 0}},
    {F_PORT, {"Port", "port", 4, 6, 5, TABLE_NUMERIC}},
    {F_PROTOCOL, {"Proto", "protocol", 5, 8, 6, 0}},
    {F_SNI, {"SNI", "sni", 3, 3, 7, 0}},
    {F_SSL_MODE, {"SSL mode", "ssl", 6, 14, 8, 0}},
    {F_DOMAINS, {"Domains", "domains", 8, 48, 2, TABLE_FLEX}},
    {F_BUCKET, {"Bucket", "bucket", 8, 40, 0, 0}},
    {F_REGION, {"Region", "region", 6, 16, 3, 0}},
    {F_NAMESPACE, {"Namespace", "namespace", 6, 24, 0, 0}},
    {F_SECRET, {"Secret", "secret", 6, 32, 2, 0}},
    {F_STATUS, {"Status", "status", 6, 16, 0, TABLE_TONED}},
    {F_ERROR, {"Error", "error", 8, 0, 1, TABLE_FLEX}},
};

#define MAX_COLS 16

struct items {
    uint64_t id;
    size_t run_index;
    int run_number;
    char type[64];      /* raw, for the store */
    char *type_shown;   /* sanitized */
    char run_label[48]; /* "run 2 rollback" */
    struct table t;
    struct table_col cols[MAX_COLS];
    enum item_field fields[MAX_COLS]; /* fields[0] unused (the marker) */
    size_t n_cols;
    bool found;
    int64_t total;
    size_t loaded, failed, running;
    struct view *v;
    const struct resource_group *g; /* while the table reads cells (the store locked) */
    /* The item of the row whose cells are being read (row by row, column by column): unpacked
     * once per row, not once per cell. NULL: none yet since src_begin. */
    const struct deploy_item *item;
    size_t item_row;
    struct deploy_item item_scratch;
    bool was_busy;    /* the detail had requests under way at the last look */
    bool recheck_all; /* a refresh or a change of shape: look at every row once it settles */
};

/* Rows whose status is looked at again on every change of the store: a refresh fetches the
 * first page again, and its items change in place. After a refresh, or when the group's size
 * changed (deeper pages are then fetched again), all rows are looked at once the detail's
 * requests settle. */
#define ITEMS_RECHECK WORKER_PAGE_LIMIT

static const struct resource_group *items_group(struct items *p, struct store *s)
{
    const struct deploy_run *run = query_run(store_detail(s, p->id), p->run_index);
    return query_group(run, p->type);
}

static bool src_begin(void *ctx)
{
    struct items *p = ctx;
    struct store *s = app_store(p->v->app);
    store_lock(s);
    p->g = items_group(p, s);
    p->item = NULL;
    return p->g != NULL;
}

static void src_end(void *ctx)
{
    struct items *p = ctx;
    p->g = NULL;
    p->item = NULL;
    store_unlock(app_store(p->v->app));
}

static const char *src_cell(void *ctx, size_t row, size_t col, struct buf *out)
{
    struct items *p = ctx;
    if (!p->g || row >= p->g->n_items) return "";
    if (col == 0) return ui_tone_mark(model_status_tone(model_group_item_status(p->g, row)));
    if (!p->item || p->item_row != row) {
        p->item = model_group_item(p->g, row, &p->item_scratch);
        p->item_row = row;
    }
    return field_text(p->item, p->fields[col], out);
}

static const struct table_source items_source = {src_begin, src_end, src_cell};

/* The item's status folded into the row's 32-bit aux (to tell a change). */
static int32_t status_aux(int64_t status)
{
    return (int32_t)(uint32_t)((uint64_t)status ^ (uint64_t)status >> 32);
}

static void items_open(struct view *v, const struct view_args *args)
{
    struct items *p = xcalloc(1, sizeof *p);
    p->id = args->record_id;
    p->run_index = args->run_index;
    p->run_number = args->run_number;
    strlcpy_safe(p->type, args->resource_type, sizeof p->type);
    p->type_shown = sanitize_dup(p->type);
    p->cols[0] = (struct table_col){"", NULL, 1, 1, 0, TABLE_TONED | TABLE_NOSORT};
    p->n_cols = 1;
    const enum item_field *fields;
    size_t nf = field_columns(p->type, &fields);
    enum item_field with_id[MAX_COLS];
    with_id[0] = F_ID;
    for (size_t i = 0; i < nf && i + 1 < MAX_COLS; i++)
        with_id[i + 1] = fields[i];
    for (size_t i = 0; i <= nf && p->n_cols < MAX_COLS; i++) {
        for (size_t k = 0; k < ARRAY_LEN(col_specs); k++) {
            if (col_specs[k].f != with_id[i]) continue;
            p->fields[p->n_cols] = with_id[i];
            p->cols[p->n_cols++] = col_specs[k].col;
            break;
        }
    }
    table_init(&p->t, p->cols, p->n_cols);
    p->v = v;
    table_set_source(&p->t, &items_source, p);
    p->t.focused = true;
    /* y copies what names the resource: the instance, bucket, namespace or domains. */
    static const enum item_field names[] = {F_INSTANCE, F_BUCKET, F_NAMESPACE, F_DOMAINS};
    for (size_t k = 0; k < ARRAY_LEN(names) && !p->t.copy_col; k++)
        for (size_t c = 1; c < p->n_cols; c++)
            if (p->fields[c] == names[k]) {
                p->t.copy_col = c;
                break;
            }
    v->priv = p;
}

static void items_close(struct view *v)
{
    struct items *p = v->priv;
    table_free(&p->t);
    free(p->type_shown);
    free(p);
}

static void items_crumb(struct view *v, struct buf *out)
{
    struct items *p = v->priv;
    buf_printf(out, "%s\t%s", p->run_label, p->type_shown);
}

static void items_ask(struct view *v)
{
    struct items *p = v->priv;
    if (!p->found || v->st.state == STORE_ERROR) return;
    int64_t want = (int64_t)p->t.cursor + (v->body_rows > 0 ? v->body_rows : 20) * 2 + 1;
    if (v->want_all || p->t.filter[0] || p->t.sort_col >= 0) want = p->total;
    if (want > p->total) want = p->total;
    if ((int64_t)p->loaded < want)
        worker_want_group(app_worker(v->app), p->id, p->run_index, p->type, want, false);
}

static void count_tone(struct items *p, enum model_tone tone, int sign)
{
    if (tone == MODEL_TONE_FAILED || tone == MODEL_TONE_ROLLBACK_FAILED)
        p->failed = (size_t)((long)p->failed + sign);
    if (tone == MODEL_TONE_RUNNING || tone == MODEL_TONE_PENDING)
        p->running = (size_t)((long)p->running + sign);
}

/* Whether the table's rows are still the group's first items: a group only grows, unless it
 * was rebuilt (the run reshaped, or the detail forgotten and fetched again), which shows at
 * a few places. */
static bool same_rows(const struct items *p, const struct resource_group *g)
{
    size_t n = p->t.n_rows;
    if (g->n_items < n) return false;
    if (!n) return true;
    const size_t probe[] = {0, n / 4, n / 2, n - n / 4 - 1, n - 1};
    for (size_t i = 0; i < ARRAY_LEN(probe); i++)
        if (model_group_item_id(g, probe[i]) != p->t.rows[probe[i]].key) return false;
    return true;
}

/* Takes in what the group holds new: the items appended since the last look, and the
 * statuses that changed (ITEMS_RECHECK rows, or all of them: `all`). */
static void sync_rows(struct items *p, const struct resource_group *g, bool all)
{
    if (p->t.n_rows && (!g || !same_rows(p, g))) {
        table_reset(&p->t);
        p->failed = p->running = 0;
    }
    if (!g) return;
    size_t n = p->t.n_rows;
    size_t check = all || n < ITEMS_RECHECK ? n : ITEMS_RECHECK;
    for (size_t i = 0; i < check; i++) {
        int64_t status = model_group_item_status(g, i);
        int32_t aux = status_aux(status);
        if (aux == p->t.rows[i].aux) continue;
        enum model_tone tone = model_status_tone(status);
        count_tone(p, (enum model_tone)p->t.rows[i].tone, -1);
        count_tone(p, tone, 1);
        table_changed(&p->t, i, tone, aux);
    }
    for (size_t i = n; i < g->n_items; i++) {
        int64_t status = model_group_item_status(g, i);
        enum model_tone tone = model_status_tone(status);
        count_tone(p, tone, 1);
        table_append(&p->t, model_group_item_id(g, i), tone, status_aux(status));
    }
}

static void items_on_data(struct view *v)
{
    struct items *p = v->priv;
    struct store *s = app_store(v->app);
    store_lock(s);
    const struct store_detail *sd = store_detail(s, p->id);
    const struct deploy_run *run = query_run(sd, p->run_index);
    const struct resource_group *g = query_group(run, p->type);
    p->found = g != NULL;
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
    bool ask_first = !sd || sd->meta.state == STORE_IDLE;
    if (g && p->total && g->total_count != p->total) p->recheck_all = true;
    bool all = p->recheck_all && p->was_busy && !v->st.busy;
    if (all) p->recheck_all = false;
    p->was_busy = v->st.busy;
    sync_rows(p, g, all);
    if (g) p->total = g->total_count;
    p->loaded = p->t.n_rows;
    p->t.more_coming = g && (int64_t)p->loaded < p->total;
    store_unlock(s);
    table_end(&p->t);
    if (v->go_last) { /* G before every page was in: follow the end as it grows */
        table_end_row(&p->t);
        if ((int64_t)p->loaded >= p->total) v->go_last = false;
    }
    v->st.progress[0] = '\0';
    if (p->found && (int64_t)p->loaded < p->total) {
        char a[32], b[32];
        snprintf(v->st.progress, sizeof v->st.progress, "loaded %s of %s",
                 text_thousands((int64_t)p->loaded, a, sizeof a),
                 text_thousands(p->total, b, sizeof b));
    }
    if (ask_first)
        worker_want_group(app_worker(v->app), p->id, p->run_index, p->type, 0, false);
    else
        items_ask(v);
}

static void items_refresh(struct view *v)
{
    struct items *p = v->priv;
    p->recheck_all = true;
    worker_want_group(app_worker(v->app), p->id, p->run_index, p->type, (int64_t)p->loaded, true);
}

static void items_draw(struct view *v, int y, int x, int h, int w)
{
    struct items *p = v->priv;
    char line[256], a[32], b[32];
    ui_fill(y, x, w, A_NORMAL);
    int cx = x;
    snprintf(line, sizeof line, "%s%s%s%srecord #%llu", p->type_shown, text_glyphs()->dot,
             p->run_label, text_glyphs()->dot, (unsigned long long)p->id);
    cx += ui_put(y, cx, w, line, ui_attr(THEME_LABEL));
    if (p->found) {
        if ((int64_t)p->loaded < p->total)
            snprintf(line, sizeof line, "%sloaded %s of %s", text_glyphs()->dot,
                     text_thousands((int64_t)p->loaded, a, sizeof a),
                     text_thousands(p->total, b, sizeof b));
        else
            snprintf(line, sizeof line, "%s%s instance%s", text_glyphs()->dot,
                     text_thousands(p->total, a, sizeof a), p->total == 1 ? "" : "s");
        cx += ui_put(y, cx, x + w - cx, line, A_NORMAL);
        cx += view_filter_note(&p->t, y, cx, x + w - cx);
        bool partial = (int64_t)p->loaded < p->total;
        if (p->failed) {
            snprintf(line, sizeof line, "%s%s %s%s failed", text_glyphs()->dot,
                     ui_tone_mark(MODEL_TONE_FAILED),
                     text_thousands((int64_t)p->failed, a, sizeof a), partial ? "+" : "");
            cx += ui_put(y, cx, x + w - cx, line, ui_attr(THEME_STATUS_FAILED));
        }
        if (p->running) {
            snprintf(line, sizeof line, "%s%s%s running", text_glyphs()->dot,
                     text_thousands((int64_t)p->running, a, sizeof a), partial ? "+" : "");
            cx += ui_put(y, cx, x + w - cx, line, ui_attr(THEME_STATUS_RUNNING));
        }
    }
    v->body_rows = h - 2;
    if (p->t.n_vis == 0) {
        for (int r = 1; r < h; r++)
            ui_fill(y + r, x, w, A_NORMAL);
        if (p->found && p->loaded > 0 && p->t.filter[0]) {
            ui_put(y + 2, x + 2, w - 4, "No instance matches the filter (/ to change it).",
                   A_NORMAL);
            return;
        }
        if (p->found && p->total == 0 && v->st.err.kind == APIERR_NONE) {
            ui_put(y + 2, x + 2, w - 4, "This group has no instances.", A_NORMAL);
            return;
        }
        if (!p->found && (v->st.state == STORE_LOADED || v->st.state == STORE_STALE)) {
            snprintf(line, sizeof line, "This run has no \"%s\" group (any more).", p->type_shown);
            ui_put(y + 2, x + 2, w - 4, line, A_NORMAL);
            return;
        }
        view_draw_state(v, y + 1, x, h - 1, w, "the instances");
        return;
    }
    table_draw(&p->t, y + 1, x, h - 1, w);
}

static bool items_key(struct view *v, enum keymap_action act)
{
    struct items *p = v->priv;
    const struct table_row *sel = table_selected(&p->t);
    struct view_args args = {0};
    args.record_id = p->id;
    args.run_index = p->run_index;
    args.run_number = p->run_number;
    strlcpy_safe(args.resource_type, p->type, sizeof args.resource_type);
    switch (act) {
    case ACT_OPEN:
        if (!sel) return true;
        args.item_id = sel->key;
        app_push(v->app, &item_view_ops, &args);
        return true;
    case ACT_RAW_JSON:
        if (!sel) return true;
        args.item_id = sel->key;
        args.json = JSON_ITEM;
        app_push(v->app, &json_view_ops, &args);
        return true;
    case ACT_RETRY: {
        if (!sel) return true;
        if (sel->tone != MODEL_TONE_FAILED && sel->tone != MODEL_TONE_ROLLBACK_FAILED) {
            app_msg(v->app, APP_MSG_INFO, "item %llu has not failed: nothing to retry",
                    (unsigned long long)sel->key);
            return true;
        }
        char q[160];
        snprintf(q, sizeof q, "Retry item %llu (%s)?", (unsigned long long)sel->key,
                 p->n_cols > 2 ? table_selected_cell(&p->t, 2) : "");
        app_confirm_write(v->app, APP_WRITE_RETRY, p->id, (int64_t)sel->key, q);
        return true;
    }
    case ACT_LAST:
        v->want_all = true;
        v->go_last = true;
        table_end_row(&p->t);
        items_ask(v);
        return true;
    default:
        break;
    }
    if (view_table_key(v, &p->t, act)) {
        items_ask(v);
        return true;
    }
    return false;
}

static struct table *items_table(struct view *v)
{
    return &((struct items *)v->priv)->t;
}

static void items_click(struct view *v, int y, int x, bool dbl)
{
    struct items *p = v->priv;
    if (table_click(&p->t, y, x) && dbl) items_key(v, ACT_OPEN);
}

/* e: the batch CSV's rows (certdeck detail ID --all -o csv) of the instances shown, in their
 * order. */
static void items_export(struct view *v, struct rowsink *s, FILE *out, enum rowsink_format f)
{
    struct items *p = v->priv;
    struct store *st = app_store(v->app);
    struct csvout_scratch scratch = {.api_times = f == ROWSINK_JSON}; /* JSON: API's times */
    rowsink_begin(s, out, f, csvout_detail_headers, CSVOUT_DETAIL_COLS);
    store_lock(st);
    const struct deploy_run *run = query_run(store_detail(st, p->id), p->run_index);
    const struct resource_group *g = query_group(run, p->type);
    for (size_t i = 0; g && i < p->t.n_vis; i++) {
        /* Row r is the group's item r (query_item only if the group was rebuilt). */
        size_t r = p->t.vis[i];
        struct deploy_item item;
        const struct deploy_item *it =
            r < g->n_items && model_group_item_id(g, r) == p->t.rows[r].key
                ? model_group_item(g, r, &item)
                : query_item(g, p->t.rows[r].key, &item);
        if (!it) continue;
        const char *cells[CSVOUT_DETAIL_COLS];
        csvout_item_cells(p->run_index + 1, run, g, it, &scratch, cells);
        rowsink_row(s, cells);
    }
    store_unlock(st);
    csvout_scratch_free(&scratch);
}

static uint64_t items_record(struct view *v)
{
    return ((struct items *)v->priv)->id;
}

const struct view_ops items_view_ops = {
    .name = "items",
    .ctx = KM_ITEMS,
    .open = items_open,
    .close = items_close,
    .crumb = items_crumb,
    .draw = items_draw,
    .key = items_key,
    .on_data = items_on_data,
    .reload = items_refresh,
    .table = items_table,
    .click = items_click,
    .record = items_record,
    .export_rows = items_export,
};
