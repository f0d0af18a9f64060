/* The rollback radar (`:radar`): per old certificate, how its update records ended and how
 * soon rollbacks came; below, the instances that failed in two records or more. It reads the
 * record list and the details of failed and rolled-back records from the store, asking the
 * worker for a few details at a time, and boils each complete detail down to a digest
 * (core/radar.h) at once, so it stays usable while it fills and needs no detail kept in the
 * store afterwards. Tab moves between the two tables; Enter opens the record behind a row. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/apitime.h"
#include "core/radar.h"
#include "core/sanitize.h"
#include "tui/text.h"
#include "tui/ui.h"
#include "tui/view.h"

/* Details asked for at once: the rest are asked for as these complete, so other screens'
 * requests are not queued behind hundreds of pages, and no detail is forgotten by the store
 * (STORE_DETAIL_CAPACITY) before it is digested. */
#define RADAR_WINDOW 8

enum { C_MARK, C_CERT, C_RECORDS, C_FAILED, C_ROLLED, C_RBFAILED, C_LAST, C_STATUS, C_DELAY, NC };
static const struct table_col cert_cols[NC] = {
    [C_MARK] = {"", NULL, 1, 1, 0, TABLE_TONED | TABLE_NOSORT},
    [C_CERT] = {"Old cert", "cert", 8, 24, 0, 0},
    [C_RECORDS] = {"Records", "records", 7, 8, 0, TABLE_NUMERIC},
    [C_FAILED] = {"Failed", "failed", 6, 8, 0, TABLE_NUMERIC},
    [C_ROLLED] = {"Rolled back", "rolledback", 11, 11, 0, TABLE_NUMERIC},
    [C_RBFAILED] = {"RB failed", "rbfailed", 9, 9, 2, TABLE_NUMERIC},
    [C_LAST] = {"Last", "last", 5, 10, 4, 0},
    [C_STATUS] = {"Last status", "status", 11, 16, 1, TABLE_TONED},
    [C_DELAY] = {"Median delay", "delay", 12, 12, 3, 0},
};

enum { I_MARK, I_INSTANCE, I_TYPE, I_COUNT, I_IDS, I_TEMPLATE, NI };
static const struct table_col inst_cols[NI] = {
    [I_MARK] = {"", NULL, 1, 1, 0, TABLE_TONED | TABLE_NOSORT},
    [I_INSTANCE] = {"Instance", "instance", 10, 32, 0, 0},
    [I_TYPE] = {"Type", "type", 4, 12, 2, 0},
    [I_COUNT] = {"Records", "records", 7, 7, 0, TABLE_NUMERIC},
    [I_IDS] = {"Record Ids", "ids", 10, 24, 3, 0},
    [I_TEMPLATE] = {"Latest template", "template", 10, 0, 1, TABLE_FLEX},
};

/* A record's digest, with the record's UpdateTime when it was made: a record that changed
 * since (a retry, a rollback) is digested again. */
struct cached {
    struct radar_digest d;
    char *update_time;
};

struct radar_view {
    struct table certs, insts;
    int focus;            /* 0 certificates, 1 instances */
    struct cached *cache; /* sorted by record Id */
    size_t n_cache, cap_cache;
    struct radar_result res;
    bool same_filter, complete;
    size_t n_records;
    uint64_t total;
    size_t errors; /* details that could not be loaded (r asks again) */
    uint64_t ask[RADAR_WINDOW];
    bool ask_refresh[RADAR_WINDOW];
    size_t n_ask;
};

static uint64_t fnv(const char *a, const char *b)
{
    uint64_t h = 1469598103934665603ull;
    for (const char *s = a; s && *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    h = (h ^ 0xff) * 1099511628211ull;
    for (const char *s = b; s && *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static size_t cache_find(const struct radar_view *p, uint64_t id, bool *found)
{
    size_t lo = 0, hi = p->n_cache;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (p->cache[mid].d.record_id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = lo < p->n_cache && p->cache[lo].d.record_id == id;
    return lo;
}

static void cache_drop(struct radar_view *p, size_t at)
{
    radar_digest_clear(&p->cache[at].d);
    free(p->cache[at].update_time);
    memmove(&p->cache[at], &p->cache[at + 1], (p->n_cache - at - 1) * sizeof *p->cache);
    p->n_cache--;
}

static void cache_put(struct radar_view *p, size_t at, const struct update_record *r,
                      const struct detail_page *page)
{
    p->cache = xgrow(p->cache, &p->cap_cache, p->n_cache + 1, sizeof *p->cache);
    memmove(&p->cache[at + 1], &p->cache[at], (p->n_cache - at) * sizeof *p->cache);
    radar_digest_of(r->id, page, &p->cache[at].d);
    p->cache[at].update_time = xstrdup(r->update_time ? r->update_time : "");
    p->n_cache++;
}

static void radar_open(struct view *v, const struct view_args *args)
{
    (void)args;
    struct radar_view *p = xcalloc(1, sizeof *p);
    table_init(&p->certs, cert_cols, NC);
    table_init(&p->insts, inst_cols, NI);
    p->certs.copy_col = C_CERT;
    p->insts.copy_col = I_INSTANCE;
    p->certs.focused = true;
    v->priv = p;
}

static void radar_close(struct view *v)
{
    struct radar_view *p = v->priv;
    while (p->n_cache)
        cache_drop(p, p->n_cache - 1);
    free(p->cache);
    radar_result_clear(&p->res);
    table_free(&p->certs);
    table_free(&p->insts);
    free(p);
}

static void radar_crumb(struct view *v, struct buf *out)
{
    const char *cert = app_cert_filter(v->app);
    buf_puts(out, "Radar");
    if (cert) {
        char *c = sanitize_dup(cert);
        buf_printf(out, " (cert %s)", c);
        free(c);
    }
}

static struct table *focused(struct radar_view *p)
{
    return p->focus ? &p->insts : &p->certs;
}

/* Digests what the store holds complete, notes errors, and picks the next details to ask for
 * (lock held). */
static void collect(struct radar_view *p, struct store *s, const struct store_records *sr)
{
    p->errors = 0;
    p->n_ask = 0;
    for (size_t i = 0; i < sr->n_records; i++) {
        const struct update_record *r = &sr->records[i];
        if (!radar_wants_detail(r)) continue;
        bool have;
        size_t at = cache_find(p, r->id, &have);
        bool changed =
            have && strcmp(p->cache[at].update_time, r->update_time ? r->update_time : "");
        if (have && !changed) continue;
        const struct store_detail *sd = store_detail(s, r->id);
        bool fresh = sd && sd->meta.fetched_ms && sd->complete && sd->meta.inflight == 0 &&
                     sd->meta.state == STORE_LOADED;
        if (fresh && !changed) {
            cache_put(p, at, r, &sd->page);
            continue;
        }
        if (sd && sd->meta.state == STORE_ERROR && !changed) {
            p->errors++;
            continue;
        }
        if (p->n_ask < RADAR_WINDOW) {
            p->ask_refresh[p->n_ask] = changed;
            p->ask[p->n_ask++] = r->id;
        }
        if (changed) cache_drop(p, at); /* the new detail is digested once it is in */
    }
}

static void fill_tables(struct radar_view *p)
{
    char n[5][24], st[32], delay[32];
    table_begin(&p->certs);
    for (size_t i = 0; i < p->res.n_certs; i++) {
        const struct radar_cert *c = &p->res.certs[i];
        enum model_tone tone = c->rollback_failed ? MODEL_TONE_ROLLBACK_FAILED
                               : c->failed        ? MODEL_TONE_FAILED
                               : c->rolled_back   ? MODEL_TONE_ROLLBACK
                                                  : model_status_tone(c->last_status);
        snprintf(n[0], 24, "%zu", c->records);
        snprintf(n[1], 24, "%zu", c->failed);
        snprintf(n[2], 24, "%zu", c->rolled_back);
        snprintf(n[3], 24, "%zu", c->rollback_failed);
        snprintf(n[4], 24, "#%llu", (unsigned long long)c->last_record);
        delay[0] = '\0';
        if (c->n_delays) apitime_duration(c->median_delay, delay, sizeof delay);
        const char *cells[NC] = {ui_tone_mark(tone),
                                 c->old_cert_id,
                                 n[0],
                                 n[1],
                                 n[2],
                                 n[3],
                                 n[4],
                                 model_status_label(c->last_status, st, sizeof st),
                                 c->n_delays ? delay : "-"};
        table_add(&p->certs, fnv(c->old_cert_id, NULL), cells)->tone = tone;
    }
    table_end(&p->certs);
    table_begin(&p->insts);
    struct buf ids = {0};
    for (size_t i = 0; i < p->res.n_instances; i++) {
        const struct radar_instance *in = &p->res.instances[i];
        buf_reset(&ids);
        for (size_t k = 0; k < in->n_record_ids; k++)
            buf_printf(&ids, "%s%llu", k ? "," : "", (unsigned long long)in->record_ids[k]);
        snprintf(n[0], 24, "%zu", in->n_record_ids);
        const char *cells[NI] = {ui_tone_mark(MODEL_TONE_FAILED),
                                 in->instance_id,
                                 in->resource_type,
                                 n[0],
                                 ids.data,
                                 in->latest_template[0] ? in->latest_template : "(no message)"};
        table_add(&p->insts, fnv(in->resource_type, in->instance_id), cells)->tone =
            MODEL_TONE_FAILED;
    }
    buf_free(&ids);
    table_end(&p->insts);
}

static void radar_on_data(struct view *v)
{
    struct radar_view *p = v->priv;
    struct store *s = app_store(v->app);
    const char *filter = app_cert_filter(v->app);
    store_lock(s);
    const struct store_records *sr = store_records(s);
    p->same_filter = store_same_filter(sr->old_cert_filter, filter);
    radar_result_clear(&p->res);
    if (p->same_filter) {
        collect(p, s, sr);
        struct radar_digest *d = xcalloc(p->n_cache + 1, sizeof *d);
        for (size_t i = 0; i < p->n_cache; i++)
            d[i] = p->cache[i].d; /* shallow: radar_compute only reads */
        radar_compute(sr->records, sr->n_records, NULL, d, p->n_cache, &p->res);
        free(d);
        p->n_records = sr->n_records;
        p->total = sr->total_count;
        p->complete = sr->complete;
        v->st.state = sr->meta.state;
        v->st.err = sr->meta.last_error;
        v->st.fetched_ms = sr->meta.fetched_ms;
    } else {
        p->n_records = 0;
        p->total = 0;
        p->complete = false;
        p->n_ask = 0;
        v->st.state = STORE_IDLE;
        apierr_clear(&v->st.err);
        v->st.fetched_ms = 0;
    }
    bool records_busy = sr->meta.inflight > 0 || sr->meta.state == STORE_LOADING;
    store_unlock(s);
    fill_tables(p);

    size_t pending = p->res.details_wanted - p->res.details_have;
    v->st.busy = !p->same_filter || records_busy || !p->complete || pending > p->errors;
    v->st.in_progress = false;
    char a[32], b[32];
    v->st.progress[0] = '\0';
    if (p->same_filter && !p->complete && p->n_records > 0)
        snprintf(v->st.progress, sizeof v->st.progress, "loaded %s of %s records",
                 text_thousands((int64_t)p->n_records, a, sizeof a),
                 text_thousands((int64_t)p->total, b, sizeof b));
    else if (pending > 0)
        snprintf(v->st.progress, sizeof v->st.progress, "%s of %s details",
                 text_thousands((int64_t)p->res.details_have, a, sizeof a),
                 text_thousands((int64_t)p->res.details_wanted, b, sizeof b));

    struct worker *w = app_worker(v->app);
    if (!p->same_filter || v->st.state == STORE_IDLE ||
        (!p->complete && v->st.state != STORE_ERROR))
        worker_want_records(w, filter, p->total > 0 ? (size_t)p->total : WORKER_RECORDS_LIMIT,
                            false);
    for (size_t i = 0; i < p->n_ask; i++)
        worker_want_detail(w, p->ask[i], API_DETAIL_MAX_ITEMS, p->ask_refresh[i]);
}

/* r: the record list again (a record whose UpdateTime moved is digested again), and the
 * details that failed to load. */
static void radar_reload(struct view *v)
{
    struct radar_view *p = v->priv;
    struct store *s = app_store(v->app);
    struct worker *w = app_worker(v->app);
    worker_want_records(w, app_cert_filter(v->app), p->n_records ? p->n_records : 1, true);
    uint64_t retry[64];
    size_t n = 0;
    store_lock(s);
    const struct store_records *sr = store_records(s);
    for (size_t i = 0; i < sr->n_records && n < ARRAY_LEN(retry); i++) {
        const struct store_detail *sd = store_detail(s, sr->records[i].id);
        if (radar_wants_detail(&sr->records[i]) && sd && sd->meta.state == STORE_ERROR)
            retry[n++] = sr->records[i].id;
    }
    store_unlock(s);
    for (size_t i = 0; i < n; i++)
        worker_want_detail(w, retry[i], API_DETAIL_MAX_ITEMS, true);
}

static void draw_summary(struct view *v, int y, int x, int w)
{
    struct radar_view *p = v->priv;
    char line[200], a[32], b[32];
    ui_fill(y, x, w, A_NORMAL);
    int cx = x, end = x + w;
    snprintf(line, sizeof line, "%zu certificate%s%s%zu repeat offender%s", p->res.n_certs,
             p->res.n_certs == 1 ? "" : "s", text_glyphs()->dot, p->res.n_instances,
             p->res.n_instances == 1 ? "" : "s");
    cx += ui_put(y, cx, end - cx, line, ui_attr(THEME_LABEL));
    if (!p->complete && p->n_records > 0)
        snprintf(line, sizeof line, "%s%s of %s records", text_glyphs()->dot,
                 text_thousands((int64_t)p->n_records, a, sizeof a),
                 text_thousands((int64_t)p->total, b, sizeof b));
    else
        snprintf(line, sizeof line, "%s%s of %s details", text_glyphs()->dot,
                 text_thousands((int64_t)p->res.details_have, a, sizeof a),
                 text_thousands((int64_t)p->res.details_wanted, b, sizeof b));
    cx += ui_put(y, cx, end - cx, line, A_NORMAL);
    if (p->errors && cx < end) {
        snprintf(line, sizeof line, "%s%s %zu could not be loaded (r)", text_glyphs()->dot,
                 ui_tone_mark(MODEL_TONE_FAILED), p->errors);
        cx += ui_put(y, cx, end - cx, line, ui_attr(THEME_STATUS_FAILED));
    }
    struct table *t = focused(p);
    view_filter_note(t, y, cx, end - cx);
}

static void radar_draw(struct view *v, int y, int x, int h, int w)
{
    struct radar_view *p = v->priv;
    draw_summary(v, y, x, w);
    if (p->res.n_certs == 0) {
        view_draw_state(v, y + 1, x, h - 1, w, "the record list");
        return;
    }
    int avail = h - 2; /* the summary and the offenders' title */
    int want = (int)p->certs.n_vis + 1;
    int ch = avail / 2 > 3 ? avail / 2 : 3;
    if (want < ch) ch = want;
    if (ch > avail) ch = avail;
    table_draw(&p->certs, y + 1, x, ch, w);
    int ty = y + 1 + ch;
    if (ty >= y + h) return;
    ui_fill(ty, x, w, A_NORMAL);
    char line[160];
    snprintf(line, sizeof line, "Repeat offenders%sinstances that failed in two records or more",
             text_glyphs()->dot);
    ui_put(ty, x, w, line, ui_attr(THEME_LABEL));
    int ih = y + h - ty - 1;
    v->body_rows = (p->focus ? ih : ch) - 1;
    if (ih <= 0) return;
    if (p->insts.n_vis == 0) {
        for (int r = 0; r < ih; r++)
            ui_fill(ty + 1 + r, x, w, A_NORMAL);
        bool filling = p->res.details_have < p->res.details_wanted || !p->complete;
        ui_put(ty + 2 < y + h ? ty + 2 : ty + 1, x + 2, w - 4,
               p->insts.filter[0] ? "No instance matches the filter (/ to change it)."
               : filling          ? "None so far."
                                  : "No instance failed in two records or more.",
               ui_attr(THEME_TABLE_DIM));
        return;
    }
    table_draw(&p->insts, ty + 1, x, ih, w);
}

static bool radar_key(struct view *v, enum keymap_action act)
{
    struct radar_view *p = v->priv;
    const struct table_row *sel = table_selected(focused(p));
    switch (act) {
    case ACT_PANE_NEXT:
        p->focus = !p->focus;
        p->certs.focused = p->focus == 0;
        p->insts.focused = p->focus == 1;
        return true;
    case ACT_OPEN: {
        if (!sel) return true;
        struct view_args args = {0};
        for (size_t i = 0; !p->focus && i < p->res.n_certs; i++)
            if (fnv(p->res.certs[i].old_cert_id, NULL) == sel->key)
                args.record_id = p->res.certs[i].last_record;
        for (size_t i = 0; p->focus && i < p->res.n_instances; i++)
            if (fnv(p->res.instances[i].resource_type, p->res.instances[i].instance_id) == sel->key)
                args.record_id = p->res.instances[i].latest_record;
        if (args.record_id) app_push(v->app, &detail_view_ops, &args);
        return true;
    }
    default:
        break;
    }
    return view_table_key(v, focused(p), act);
}

static struct table *radar_table(struct view *v)
{
    return focused(v->priv);
}

const struct view_ops radar_view_ops = {
    .name = "radar",
    .ctx = KM_RADAR,
    .open = radar_open,
    .close = radar_close,
    .crumb = radar_crumb,
    .draw = radar_draw,
    .key = radar_key,
    .on_data = radar_on_data,
    .reload = radar_reload,
    .table = radar_table,
};
