/* Page planning: what the views want (targets), read against what the store holds and what is
 * queued or running, becomes the page jobs still missing — within the paging limits and the
 * queue bound — and is planned again as each page lands. */
#include "core/worker.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sanitize.h"
#include "core/util.h"
#include "core/worker_jobs.h"
#include "core/worker_plan.h"

/* One group (or every group) of a record's detail a view wants min(want, TotalCount) items of. */
struct group_want {
    size_t run;   /* run index; WANT_ALL_RUNS: every run */
    char *type;   /* ResourceType; NULL: every group */
    int64_t want; /* items */
    /* > 0: pages from this offset on brought nothing new to the runs concerned; stepping goes
     * no further (a refresh starts over). */
    int64_t stop_at;
};

#define WANT_ALL_RUNS SIZE_MAX

/* What the current view generation asked for, so pages keep coming as earlier ones land. */
struct target {
    bool records;
    uint64_t record_id;
    int64_t want;    /* records: rows */
    int64_t stop_at; /* records: > 0: a page at this offset brought nothing new; go no further */
    /* records: a refresh still to re-fetch the pages in [refresh_from, refresh_to) (the queue
     * bound held the rest back). */
    int64_t refresh_from, refresh_to;
    struct group_want *groups; /* detail: what the views want of it */
    size_t n_groups, cap_groups;
};

static int64_t min64(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

/* "500,000": the limits as the operator reads them. */
static const char *grouped(char *out, size_t n, int64_t v)
{
    char digits[32];
    int len = snprintf(digits, sizeof(digits), "%" PRId64, v < 0 ? 0 : v);
    size_t k = 0;
    for (int i = 0; i < len && k + 1 < n; i++) {
        if (i > 0 && (len - i) % 3 == 0 && k + 2 < n) out[k++] = ',';
        out[k++] = digits[i];
    }
    out[k] = '\0';
    return out;
}

/* ---- planning: which pages are missing ----------------------------------------------------- */

static struct target *target_find(struct worker *w, bool records, uint64_t record_id)
{
    for (size_t i = 0; i < w->n_targets; i++) {
        struct target *t = &w->targets[i];
        if (t->records == records && (records || t->record_id == record_id)) return t;
    }
    return NULL;
}

void worker_plan_clear(struct worker *w)
{
    for (size_t i = 0; i < w->n_targets; i++) {
        struct target *t = &w->targets[i];
        for (size_t k = 0; k < t->n_groups; k++)
            free(t->groups[k].type);
        free(t->groups);
    }
    w->n_targets = 0;
}

/* The want for that group of t (type NULL: every group), created with want 0 if new. */
static struct group_want *group_want_get(struct target *t, size_t run, const char *type)
{
    for (size_t i = 0; i < t->n_groups; i++)
        if (t->groups[i].run == run && str_same(t->groups[i].type, type)) return &t->groups[i];
    t->groups = xgrow(t->groups, &t->cap_groups, t->n_groups + 1, sizeof(*t->groups));
    struct group_want *g = &t->groups[t->n_groups++];
    memset(g, 0, sizeof(*g));
    g->run = run;
    g->type = type ? xstrdup(type) : NULL;
    return g;
}

static struct target *target_get(struct worker *w, bool records, uint64_t record_id)
{
    struct target *t = target_find(w, records, record_id);
    if (t) return t;
    w->targets = xgrow(w->targets, &w->cap_targets, w->n_targets + 1, sizeof(*w->targets));
    t = &w->targets[w->n_targets++];
    memset(t, 0, sizeof(*t));
    t->records = records;
    t->record_id = record_id;
    return t;
}

/* What the store holds for one entry, read under its lock. */
struct entry_view {
    bool fetched; /* the first page is in */
    enum store_state state;
    int64_t loaded; /* records: loaded_offset; detail: fetched_offset (the frontier) */
    int64_t bound;  /* records: total_count; detail: max_group_total */
    bool complete;
};

static void view_records(struct worker *w, const char *filter, struct entry_view *v)
{
    memset(v, 0, sizeof(*v));
    store_lock(w->store);
    const struct store_records *r = store_records(w->store);
    if (store_same_filter(r->old_cert_filter, filter)) {
        v->fetched = r->meta.fetched_ms != 0;
        v->state = r->meta.state;
        v->loaded = (int64_t)r->loaded_offset;
        v->bound = r->total_count > INT64_MAX ? INT64_MAX : (int64_t)r->total_count;
        v->complete = r->complete;
    }
    store_unlock(w->store);
}

static void view_detail(struct worker *w, uint64_t record_id, struct entry_view *v)
{
    memset(v, 0, sizeof(*v));
    store_lock(w->store);
    const struct store_detail *d = store_detail(w->store, record_id);
    if (d) {
        v->fetched = d->meta.fetched_ms != 0;
        v->state = d->meta.state;
        v->loaded = d->fetched_offset;
        v->bound = d->max_group_total;
        v->complete = d->complete;
    }
    store_unlock(w->store);
}

/* Items each run of a record's detail holds, and its frontier, to tell what a page brought. */
struct detail_counts {
    int64_t frontier;
    size_t n_runs;
    int64_t *items; /* per run */
};

static void detail_counts_get(struct worker *w, uint64_t record_id, struct detail_counts *c)
{
    memset(c, 0, sizeof(*c));
    store_lock(w->store);
    const struct store_detail *d = store_detail(w->store, record_id);
    if (d && d->meta.fetched_ms) {
        c->frontier = d->fetched_offset;
        c->n_runs = d->page.n_runs;
        c->items = xcalloc(c->n_runs ? c->n_runs : 1, sizeof(*c->items));
        for (size_t r = 0; r < c->n_runs; r++)
            for (size_t g = 0; g < d->page.runs[r].n_groups; g++)
                c->items[r] += (int64_t)d->page.runs[r].groups[g].n_items;
    }
    store_unlock(w->store);
}

/* The frontier moved from before to after: every want whose runs got no new item from the
 * pages in between stops stepping there. Judged on the run, not on the group: under flat
 * paging the pages between the frontier and a later group bring only the earlier groups'
 * items, and that is progress towards it; a page that brings its run nothing means the server
 * has nothing more there (whatever its reading), and asking further would only loop. */
static void note_progress(struct target *t, const struct detail_counts *before,
                          const struct detail_counts *after)
{
    if (!before->items || !after->items || after->frontier <= before->frontier ||
        after->n_runs != before->n_runs)
        return;
    for (size_t i = 0; i < t->n_groups; i++) {
        struct group_want *gw = &t->groups[i];
        int64_t added = 0;
        for (size_t r = 0; r < after->n_runs; r++)
            if (gw->run == WANT_ALL_RUNS || gw->run == r)
                added += after->items[r] - before->items[r];
        if (added == 0 && (gw->stop_at == 0 || before->frontier < gw->stop_at))
            gw->stop_at = before->frontier;
    }
}

/* The record list claims more rows than certdeck pages through and the view wants rows
 * beyond API_RECORDS_MAX: the entry shows why paging stops (the rows loaded stay). */
static void records_refuse(struct worker *w, const char *filter)
{
    store_lock(w->store);
    uint64_t total = store_records(w->store)->total_count;
    store_unlock(w->store);
    char lim[32];
    struct api_error err;
    apierr_clear(&err);
    apierr_set(&err, APIERR_DECODE,
               "the server reports %" PRIu64 " records, more than certdeck pages (%s): refusing "
               "to page further; narrow the list with a certificate filter",
               total, grouped(lim, sizeof(lim), API_RECORDS_MAX));
    store_records_begin(w->store, filter, false);
    store_records_fail(w->store, &err);
}

/* An entry in ERROR is not fetched again until a refresh: a view that asks on every redraw
 * must not turn a failing request into a loop. stop_at (0: none) is where a page brought
 * nothing although the totals promised more. Rows beyond API_RECORDS_MAX are never asked
 * for; at most WORKER_QUEUE_PER_ENTRY pages wait in the queue at once. */
static void plan_records(struct worker *w, const char *filter, int64_t want_rows, bool refresh,
                         bool after_write)
{
    struct store *s = w->store;
    store_lock(s);
    bool same = store_same_filter(store_records(s)->old_cert_filter, filter);
    store_unlock(s);
    if (!same) worker_records_restart(w);
    struct entry_view v;
    view_records(w, filter, &v);
    if (v.state == STORE_ERROR && !refresh) return;
    struct target *t = target_find(w, true, 0);
    int64_t stop_at = t && !refresh ? t->stop_at : 0;

    int64_t want = want_rows > 0 ? want_rows : 1;
    if (!v.fetched) {
        /* The first page tells how many rows there are; the rest follows when it lands. */
        worker_want_page(w, JOB_RECORDS, filter, 0, 0, false, after_write);
        return;
    }
    size_t budget = worker_queue_budget(w, JOB_RECORDS, 0);
    int64_t refresh_from = 0, refresh_to = 0;
    if (refresh) {
        refresh_to = min64(min64(want, v.loaded), API_RECORDS_MAX);
    } else if (t) {
        refresh_from = t->refresh_from;
        refresh_to = t->refresh_to;
    }
    refresh_to = min64(refresh_to, v.loaded);
    int64_t o = refresh_from;
    for (; o < refresh_to; o += WORKER_RECORDS_LIMIT) {
        if (budget == 0) break;
        if (worker_want_page(w, JOB_RECORDS, filter, 0, o, true, refresh && after_write)) budget--;
    }
    if (t) {
        t->refresh_from = o < refresh_to ? o : 0;
        t->refresh_to = o < refresh_to ? refresh_to : 0;
    }
    if (v.complete) return;
    int64_t target = min64(want, v.bound);
    if (stop_at > 0) target = min64(target, stop_at);
    if (target > API_RECORDS_MAX && v.loaded < target) {
        records_refuse(w, filter);
        return;
    }
    for (o = v.loaded; o < target && budget > 0; o += WORKER_RECORDS_LIMIT) {
        store_lock(s);
        bool held = store_records_page_held(s, (uint64_t)o);
        store_unlock(s);
        if (!held && worker_want_page(w, JOB_RECORDS, filter, 0, o, false, false)) budget--;
    }
}

/* Pages stepped at once from the frontier while a group is still short after the pages below
 * its want (flat paging): as many as can run at once. */
static int64_t step_pages(const struct worker *w)
{
    return w->n_threads > 2 ? w->n_threads : 2;
}

/* What drove a detail target furthest: the count it was bounded by (a group's TotalCount, or
 * under stepping its run's item count), to name it when that is beyond the limits. */
struct reach_why {
    int64_t count;
    size_t run;
    const char *type; /* the group's ResourceType (network text); NULL: the run's groups */
};

/* With the store locked: how far (exclusive) pages from fetched_offset are wanted for gw.
 * A short group first gets every page below its target: under group paging that is exactly
 * where its items are, so nothing more is asked. If it is still short after them, its items
 * lie further on (flat paging: behind the earlier groups of its run), so the worker steps on
 * from the frontier step_pages() at a time, never beyond its run's item count (the sum of
 * its groups' TotalCount: no reading puts anything of the run there) nor gw->stop_at. Not
 * clamped to the limits: plan_detail refuses a reach beyond them, naming *why. */
static int64_t want_reach(const struct worker *w, const struct store_detail *d,
                          const struct group_want *gw, int64_t reach, struct reach_why *why)
{
    int64_t frontier = d->fetched_offset;
    if (gw->want <= 0) return reach;
    for (size_t r = 0; r < d->page.n_runs; r++) {
        if (gw->run != WANT_ALL_RUNS && gw->run != r) continue;
        const struct deploy_run *run = &d->page.runs[r];
        int64_t span = 0; /* saturating: the counts come from the network */
        for (size_t g = 0; g < run->n_groups; g++) {
            int64_t n = run->groups[g].total_count > 0 ? run->groups[g].total_count : 0;
            span = n > INT64_MAX - span ? INT64_MAX : span + n;
        }
        for (size_t g = 0; g < run->n_groups; g++) {
            const struct resource_group *grp = &run->groups[g];
            if (gw->type && !str_same(grp->resource_type, gw->type)) continue;
            int64_t target = min64(gw->want, grp->total_count);
            if ((int64_t)grp->n_items >= target) continue;
            int64_t upto;
            struct reach_why because = {grp->total_count, r, grp->resource_type};
            if (frontier < target) {
                upto = target;
            } else {
                int64_t step = step_pages(w) * WORKER_PAGE_LIMIT;
                upto = min64(frontier > INT64_MAX - step ? INT64_MAX : frontier + step, span);
                if (gw->stop_at > 0) upto = min64(upto, gw->stop_at);
                because = (struct reach_why){span, r, NULL};
            }
            if (upto > reach) {
                reach = upto;
                *why = because;
            }
        }
    }
    return reach;
}

/* With the store locked, when pages from fetched_offset up to reach are wanted: whether the
 * limits shared with api_detail_all (api.h) allow it; if not, err says why, naming the count,
 * for the operator (the items loaded stay). */
static bool detail_within_limits(const struct store_detail *d, int64_t reach,
                                 const struct reach_why *why, struct api_error *err)
{
    size_t groups = 0;
    int64_t items = 0;
    for (size_t r = 0; r < d->page.n_runs; r++) {
        groups += d->page.runs[r].n_groups;
        for (size_t g = 0; g < d->page.runs[r].n_groups; g++)
            items += (int64_t)d->page.runs[r].groups[g].n_items;
    }
    char lim[32];
    apierr_clear(err);
    if (groups > API_DETAIL_MAX_GROUPS) {
        apierr_set(err, APIERR_DECODE,
                   "the server reports %zu resource-type groups in record %" PRIu64
                   ", more than certdeck pages (%s): refusing to page further",
                   groups, d->record_id, grouped(lim, sizeof(lim), API_DETAIL_MAX_GROUPS));
    } else if (items > API_DETAIL_MAX_ITEMS) {
        apierr_set(err, APIERR_DECODE,
                   "record %" PRIu64 " holds %" PRId64 " instances already, more than certdeck "
                   "pages (%s): refusing to page further",
                   d->record_id, items, grouped(lim, sizeof(lim), API_DETAIL_MAX_ITEMS));
    } else if (reach > API_DETAIL_MAX_ITEMS && why->type) {
        char type[64];
        sanitize_copy(type, sizeof(type), why->type);
        apierr_set(err, APIERR_DECODE,
                   "the server reports %" PRId64 " instances in group %s, more than certdeck "
                   "pages (%s): refusing to page further",
                   why->count, type, grouped(lim, sizeof(lim), API_DETAIL_MAX_ITEMS));
    } else if (reach > API_DETAIL_MAX_ITEMS) {
        apierr_set(err, APIERR_DECODE,
                   "the server reports %" PRId64 " instances in run %zu (its groups together), "
                   "more than certdeck pages (%s): refusing to page further",
                   why->count, why->run + 1, grouped(lim, sizeof(lim), API_DETAIL_MAX_ITEMS));
    } else {
        return true;
    }
    if (d->page.request_id)
        sanitize_copy(err->request_id, sizeof(err->request_id), d->page.request_id);
    return false;
}

/* What the detail target of record_id still needs, from the frontier on, in pages: never
 * beyond the limits (the entry shows an error instead), at most WORKER_QUEUE_PER_ENTRY
 * waiting in the queue at once. */
static void plan_detail(struct worker *w, uint64_t record_id, bool refresh, bool after_write)
{
    struct entry_view v;
    view_detail(w, record_id, &v);
    if (v.state == STORE_ERROR && !refresh) return;
    struct target *t = target_find(w, false, record_id);

    if (!v.fetched || refresh)
        worker_want_page(w, JOB_DETAIL, NULL, record_id, 0, refresh && v.fetched, after_write);
    if (!v.fetched || v.complete || !t) return;

    int64_t offsets[64];
    size_t n = 0;
    struct api_error err;
    bool refuse = false;
    store_lock(w->store);
    const struct store_detail *d = store_detail(w->store, record_id);
    int64_t reach = 0;
    struct reach_why why = {0, 0, NULL};
    for (size_t i = 0; d && i < t->n_groups; i++)
        reach = want_reach(w, d, &t->groups[i], reach, &why);
    int64_t from = d ? d->fetched_offset : 0;
    if (d && reach > from) refuse = !detail_within_limits(d, reach, &why, &err);
    store_unlock(w->store);
    if (refuse) {
        store_detail_begin(w->store, record_id, false);
        store_detail_fail(w->store, record_id, &err);
        return;
    }
    size_t budget = worker_queue_budget(w, JOB_DETAIL, record_id);
    /* In slices of 64 offsets, so the store is not locked across worker_want_page (it takes the
     * store's lock itself). */
    for (int64_t o = from; o < reach && budget > 0;) {
        n = 0;
        store_lock(w->store);
        for (; o < reach && n < 64; o += WORKER_PAGE_LIMIT)
            if (!store_detail_page_held(w->store, record_id, o)) offsets[n++] = o;
        store_unlock(w->store);
        for (size_t i = 0; i < n && budget > 0; i++)
            if (worker_want_page(w, JOB_DETAIL, NULL, record_id, offsets[i], false, false))
                budget--;
    }
}

/* After a write: the record's detail and the list show its effect. */
void worker_plan_after_write(struct worker *w, uint64_t record_id)
{
    plan_detail(w, record_id, true, true);
    store_lock(w->store);
    const struct store_records *r = store_records(w->store);
    bool fetched = r->meta.fetched_ms != 0;
    char *filter = xstrdup(r->old_cert_filter);
    int64_t rows = (int64_t)r->loaded_offset;
    store_unlock(w->store);
    if (fetched) plan_records(w, filter, rows, true, true);
    free(filter);
}

/* ---- a page landed ------------------------------------------------------------------------- */

void worker_plan_landed(struct worker *w, const struct job *j, bool ok, const struct outcome *out)
{
    struct entry_view before = {0}, after = {0};
    struct detail_counts dbefore = {0}, dafter = {0};
    if (j->kind == JOB_RECORDS) {
        view_records(w, j->filter, &before);
        if (ok)
            store_records_put(w->store, (uint64_t)j->offset, &out->records);
        else
            store_records_fail(w->store, &out->err);
        view_records(w, j->filter, &after);
    } else {
        if (ok) detail_counts_get(w, j->record_id, &dbefore);
        if (ok)
            store_detail_put(w->store, j->record_id, j->offset, WORKER_PAGE_LIMIT, &out->detail);
        else
            store_detail_fail(w->store, j->record_id, &out->err);
        if (ok) detail_counts_get(w, j->record_id, &dafter);
    }
    if (!w->stopping && ok) {
        struct target *t = target_find(w, j->kind == JOB_RECORDS, j->record_id);
        if (t && j->kind == JOB_RECORDS) {
            /* A page at the frontier that moved nothing: the server has no more there. */
            if (before.fetched && j->offset == before.loaded && after.loaded == before.loaded &&
                !after.complete)
                t->stop_at = j->offset;
            plan_records(w, j->filter, t->want, false, false);
        } else if (t) {
            note_progress(t, &dbefore, &dafter);
            plan_detail(w, j->record_id, false, false);
        }
    }
    free(dbefore.items);
    free(dafter.items);
}

/* ---- what the views want ------------------------------------------------------------------- */

void worker_want_records(struct worker *w, const char *old_cert_filter, size_t want_rows,
                         bool refresh)
{
    pthread_mutex_lock(&w->mu);
    if (!w->stopping) {
        int64_t rows = want_rows > (size_t)INT64_MAX ? INT64_MAX : (int64_t)want_rows;
        store_lock(w->store);
        bool same = store_same_filter(store_records(w->store)->old_cert_filter, old_cert_filter);
        store_unlock(w->store);
        struct target *t = target_get(w, true, 0);
        if (!same) t->stop_at = t->refresh_from = t->refresh_to = 0;
        if (!same || rows > t->want) t->want = rows;
        if (refresh) t->stop_at = 0;
        plan_records(w, old_cert_filter, t->want, refresh, false);
    }
    pthread_mutex_unlock(&w->mu);
}

static void want_groups(struct worker *w, uint64_t record_id, size_t run, const char *type,
                        int64_t want_items, bool refresh)
{
    pthread_mutex_lock(&w->mu);
    if (!w->stopping) {
        struct target *t = target_get(w, false, record_id);
        if (want_items > 0) {
            struct group_want *gw = group_want_get(t, run, type);
            if (want_items > gw->want) gw->want = want_items;
        }
        if (refresh)
            for (size_t i = 0; i < t->n_groups; i++)
                t->groups[i].stop_at = 0;
        plan_detail(w, record_id, refresh, false);
    }
    pthread_mutex_unlock(&w->mu);
}

void worker_want_detail(struct worker *w, uint64_t record_id, int64_t want_items, bool refresh)
{
    want_groups(w, record_id, WANT_ALL_RUNS, NULL, want_items, refresh);
}

void worker_want_group(struct worker *w, uint64_t record_id, size_t run_index,
                       const char *resource_type, int64_t want_items, bool refresh)
{
    want_groups(w, record_id, run_index, resource_type, want_items, refresh);
}
