/* The record list (DescribeHostUploadUpdateRecord): one row per update task, failed and
 * rolled-back ones marked, a header counting them by status, pages loaded ahead of the
 * cursor. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/query.h"
#include "core/sanitize.h"
#include "core/timefmt.h"
#include "tui/text.h"
#include "tui/ui.h"
#include "tui/view.h"

enum { COL_MARK, COL_ID, COL_CERT, COL_TYPES, COL_STATUS, COL_CREATED, COL_UPDATED, N_COLS };

static const struct table_col columns[N_COLS] = {
    [COL_MARK] = {"", NULL, 1, 1, 0, TABLE_TONED | TABLE_NOSORT},
    [COL_ID] = {"Id", "id", 2, 12, 0, TABLE_NUMERIC},
    [COL_CERT] = {"Old cert", "cert", 8, 24, 2, 0},
    [COL_TYPES] = {"Types", "type", 5, 40, 3, TABLE_FLEX},
    [COL_STATUS] = {"Status", "status", 6, 16, 0, TABLE_TONED},
    /* "2025-05-20 15:03:17+08" (core/timefmt.h): never cut before its offset; "+05:30" zones
     * take 25 when there is room. */
    [COL_CREATED] = {"Created", "created", 22, 25, 4, 0},
    [COL_UPDATED] = {"Updated", "updated", 22, 25, 5, 0},
};

enum { N_TONES = MODEL_TONE_ROLLBACK_FAILED + 1 };

struct records {
    struct table t;
    size_t n_loaded;
    uint64_t total;
    bool complete;
    bool same_filter; /* the store holds the list for the filter we show */
    size_t counts[N_TONES];
};

static bool same_cert(const char *a, const char *b)
{
    if (!a || !*a) return !b || !*b;
    return b && !strcmp(a, b);
}

static void records_open(struct view *v, const struct view_args *args)
{
    (void)args;
    struct records *p = xcalloc(1, sizeof *p);
    table_init(&p->t, columns, N_COLS);
    p->t.focused = true;
    v->priv = p;
}

static void records_close(struct view *v)
{
    struct records *p = v->priv;
    table_free(&p->t);
    free(p);
}

static void records_crumb(struct view *v, struct buf *out)
{
    const char *cert = app_cert_filter(v->app);
    buf_puts(out, "Records");
    if (cert) {
        char *c = sanitize_dup(cert);
        buf_printf(out, " (cert %s)", c);
        free(c);
    }
}

/* Asks the worker for the rows the screen needs next. */
static void records_ask(struct view *v)
{
    struct records *p = v->priv;
    struct worker *w = app_worker(v->app);
    size_t want = p->t.cursor + (size_t)(v->body_rows > 0 ? v->body_rows : 20) * 2 + 1;
    if (v->want_all || p->t.filter[0] || p->t.sort_col >= 0)
        want = p->total > want ? (size_t)p->total : want;
    if (!p->same_filter || v->st.state == STORE_IDLE) {
        worker_want_records(w, app_cert_filter(v->app), want, false);
        return;
    }
    if (v->st.state == STORE_ERROR || p->complete || p->n_loaded >= want) return;
    worker_want_records(w, app_cert_filter(v->app), want, false);
}

static void records_on_data(struct view *v)
{
    struct records *p = v->priv;
    struct store *s = app_store(v->app);
    memset(p->counts, 0, sizeof p->counts);
    table_begin(&p->t);
    store_lock(s);
    const struct store_records *sr = store_records(s);
    p->same_filter = same_cert(sr->old_cert_filter, app_cert_filter(v->app));
    if (p->same_filter) {
        for (size_t i = 0; i < sr->n_records; i++) {
            const struct update_record *r = &sr->records[i];
            enum model_tone tone = model_status_tone(r->status);
            char id[32], status[32], created[TIMEFMT_LEN], updated[TIMEFMT_LEN];
            snprintf(id, sizeof id, "%llu", (unsigned long long)r->id);
            struct buf types = {0};
            for (size_t k = 0; k < r->n_resource_types; k++) {
                if (k) buf_puts(&types, ", ");
                buf_puts(&types, r->resource_types[k] ? r->resource_types[k] : "");
            }
            const char *cells[N_COLS] = {
                ui_tone_mark(tone),
                id,
                r->old_cert_id,
                types.data,
                model_status_label(r->status, status, sizeof status),
                timefmt_api(r->create_time, APITIME_CHINA, created, sizeof created),
                timefmt_api(r->update_time, APITIME_CHINA, updated, sizeof updated),
            };
            struct table_row *row = table_add(&p->t, r->id, cells);
            row->tone = tone;
            p->counts[(int)tone < N_TONES ? (int)tone : 0]++;
            buf_free(&types);
        }
        p->n_loaded = sr->n_records;
        p->total = sr->total_count;
        p->complete = sr->complete;
        v->st.state = sr->meta.state;
        v->st.err = sr->meta.last_error;
        v->st.fetched_ms = sr->meta.fetched_ms;
        v->st.busy = sr->meta.inflight > 0 || sr->meta.state == STORE_LOADING ||
                     sr->meta.state == STORE_STALE;
    } else {
        p->n_loaded = 0;
        p->total = 0;
        p->complete = false;
        v->st.state = STORE_IDLE;
        apierr_clear(&v->st.err);
        v->st.fetched_ms = 0;
        v->st.busy = true;
    }
    store_unlock(s);
    table_end(&p->t);
    if (v->go_last) { /* G before every page was in: follow the end as it grows */
        table_end_row(&p->t);
        if (p->complete || !p->same_filter) v->go_last = false;
    }
    v->st.progress[0] = '\0';
    if (p->same_filter && !p->complete && p->n_loaded > 0) {
        char a[32], b[32];
        snprintf(v->st.progress, sizeof v->st.progress, "loaded %s of %s records",
                 text_thousands((int64_t)p->n_loaded, a, sizeof a),
                 text_thousands((int64_t)p->total, b, sizeof b));
    }
    v->st.in_progress = p->counts[MODEL_TONE_RUNNING] > 0 || p->counts[MODEL_TONE_PENDING] > 0;
    records_ask(v);
}

static void records_refresh(struct view *v)
{
    struct records *p = v->priv;
    size_t want = p->n_loaded > 0 ? p->n_loaded : 1;
    worker_want_records(app_worker(v->app), app_cert_filter(v->app), want, true);
}

/* "40 records · ✗ 3 failed · ↺ 5 rolled back · • 2 running · 30 succeeded". */
static void draw_summary(struct view *v, int y, int x, int w)
{
    struct records *p = v->priv;
    ui_fill(y, x, w, A_NORMAL);
    char n1[32], n2[32], line[160];
    int cx = x, end = x + w;
    if (p->complete || p->n_loaded == 0)
        snprintf(line, sizeof line, "%s record%s",
                 text_thousands((int64_t)p->n_loaded, n1, sizeof n1), p->n_loaded == 1 ? "" : "s");
    else
        snprintf(line, sizeof line, "%s of %s records loaded",
                 text_thousands((int64_t)p->n_loaded, n1, sizeof n1),
                 text_thousands((int64_t)p->total, n2, sizeof n2));
    cx += ui_put(y, cx, end - cx, line, ui_attr(THEME_LABEL));
    cx += view_filter_note(&p->t, y, cx, end - cx);
    static const struct {
        enum model_tone tone;
        const char *word;
    } parts[] = {
        {MODEL_TONE_FAILED, "failed"},        {MODEL_TONE_ROLLBACK_FAILED, "rollback failed"},
        {MODEL_TONE_ROLLBACK, "rolled back"}, {MODEL_TONE_RUNNING, "running"},
        {MODEL_TONE_PENDING, "waiting"},      {MODEL_TONE_SUCCESS, "succeeded"},
        {MODEL_TONE_UNKNOWN, "other"},
    };
    for (size_t i = 0; i < ARRAY_LEN(parts); i++) {
        size_t n = p->counts[parts[i].tone];
        if (!n || cx >= end) continue;
        cx += ui_put(y, cx, end - cx, text_glyphs()->dot, A_NORMAL);
        const char *mark = ui_tone_mark(parts[i].tone);
        snprintf(line, sizeof line, "%s%s%s %s", strcmp(mark, " ") ? mark : "",
                 strcmp(mark, " ") ? " " : "", text_thousands((int64_t)n, n1, sizeof n1),
                 parts[i].word);
        cx += ui_put(y, cx, end - cx, line, ui_attr(ui_tone_key(parts[i].tone)));
    }
}

static void records_draw(struct view *v, int y, int x, int h, int w)
{
    struct records *p = v->priv;
    v->body_rows = h - 2;
    draw_summary(v, y, x, w);
    if (p->t.n_vis == 0) {
        for (int r = 1; r < h; r++)
            ui_fill(y + r, x, w, A_NORMAL);
        if (p->n_loaded > 0 && p->t.filter[0]) {
            char *f = sanitize_dup(p->t.filter);
            char line[300];
            snprintf(line, sizeof line, "No record matches the filter \"%s\" (/ to change it).", f);
            free(f);
            ui_put(y + 2, x + 2, w - 4, line, A_NORMAL);
            return;
        }
        view_draw_state(v, y + 1, x, h - 1, w, "records");
        return;
    }
    table_draw(&p->t, y + 1, x, h - 1, w);
}

static bool records_key(struct view *v, enum keymap_action act)
{
    struct records *p = v->priv;
    const struct table_row *sel = table_selected(&p->t);
    struct view_args args = {0};
    switch (act) {
    case ACT_OPEN:
        if (!sel) return true;
        args.record_id = sel->key;
        app_push(v->app, &detail_view_ops, &args);
        return true;
    case ACT_RAW_JSON:
        if (!sel) return true;
        args.record_id = sel->key;
        args.json = JSON_RECORD;
        app_push(v->app, &json_view_ops, &args);
        return true;
    case ACT_ROLLBACK:
        if (!sel) return true;
        view_confirm_rollback(v, sel->key);
        return true;
    case ACT_RETRY:
        if (!sel) return true;
        if (sel->tone != MODEL_TONE_FAILED && sel->tone != MODEL_TONE_ROLLBACK_FAILED) {
            app_msg(v->app, APP_MSG_INFO, "record #%llu has not failed: nothing to retry",
                    (unsigned long long)sel->key);
            return true;
        }
        view_confirm_retry_all(v, sel->key);
        return true;
    case ACT_RENEW:
        if (!sel) return true;
        app_renew_start(v->app, sel->key);
        return true;
    case ACT_LAST:
        v->want_all = true;
        v->go_last = true;
        table_end_row(&p->t);
        records_ask(v);
        return true;
    default:
        break;
    }
    if (view_table_key(v, &p->t, act)) {
        records_ask(v);
        return true;
    }
    return false;
}

static struct table *records_table(struct view *v)
{
    return &((struct records *)v->priv)->t;
}

static void records_click(struct view *v, int y, int x, bool dbl)
{
    struct records *p = v->priv;
    if (table_click(&p->t, y, x) && dbl) records_key(v, ACT_OPEN);
}

/* e: the batch CSV's rows (certdeck records -o csv) of the records shown, in their order. */
static void records_export(struct view *v, struct rowsink *s, FILE *out, enum rowsink_format f)
{
    struct records *p = v->priv;
    struct store *st = app_store(v->app);
    struct csvout_scratch scratch = {.api_times = f == ROWSINK_JSON}; /* JSON: API's times */
    rowsink_begin(s, out, f, csvout_record_headers, CSVOUT_RECORD_COLS);
    store_lock(st);
    const struct store_records *sr = store_records(st);
    for (size_t i = 0; i < p->t.n_vis; i++) {
        const struct update_record *r = query_record(sr, p->t.rows[p->t.vis[i]].key);
        if (!r) continue;
        const char *cells[CSVOUT_RECORD_COLS];
        csvout_record_cells(r, &scratch, cells);
        rowsink_row(s, cells);
    }
    store_unlock(st);
    csvout_scratch_free(&scratch);
}

const struct view_ops records_view_ops = {
    .name = "records",
    .ctx = KM_RECORDS,
    .open = records_open,
    .close = records_close,
    .crumb = records_crumb,
    .draw = records_draw,
    .key = records_key,
    .on_data = records_on_data,
    .reload = records_refresh,
    .table = records_table,
    .click = records_click,
    .export_rows = records_export,
};
