/* The background threads: a job queue (one mutex, one condition variable), page planning from
 * what the store holds and what is already queued or running, cancellation by view
 * generation, a hook that hears the api client's rate-limit waits, and a reaper thread that
 * aborts the transfers of views the user has left and publishes rate-limit waits that last. */
#include "core/worker.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/sanitize.h"
#include "core/util.h"

enum job_kind { JOB_RECORDS, JOB_DETAIL, JOB_ROLLBACK, JOB_RETRY };

struct job {
    enum job_kind kind;
    uint64_t gen;       /* view generation it was submitted under (reads only) */
    atomic_int cancel;  /* handed to the api call */
    char *filter;       /* JOB_RECORDS: OldCertificateId, NULL for all */
    uint64_t epoch;     /* JOB_RECORDS: the record list it belongs to (see records_epoch) */
    uint64_t record_id; /* JOB_DETAIL, JOB_ROLLBACK, JOB_RETRY */
    int64_t offset;     /* JOB_RECORDS: row offset; JOB_DETAIL: item offset */
    int64_t detail_id;  /* JOB_RETRY: < 0 for every failed item */
    bool refresh;
    bool rerun;         /* a write finished while this read ran: fetch again once it is done */
    int64_t doom_ms;    /* > 0: abort at this now_ms() unless asked for again */
    int64_t wait_since; /* > 0: waiting for the rate limiter since this now_ms() */
    bool wait_shown;    /* that wait is published in the store (it passed the notice time) */
};

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

struct outcome {
    int rc;
    struct api_error err;
    struct records_page records;
    struct detail_page detail;
    char request_id[80];
};

struct worker {
    struct api_client *api;
    struct store *store;

    pthread_mutex_t mu;
    pthread_cond_t work_cv; /* a job was queued, or stopping */
    pthread_cond_t reap_cv; /* a job was doomed, or stopping (CLOCK_MONOTONIC) */
    pthread_t *threads;
    int n_threads;
    pthread_t reaper;

    struct job **queue; /* FIFO */
    size_t n_queue, cap_queue;
    struct job **running;
    size_t n_running, cap_running;
    struct target *targets;
    size_t n_targets, cap_targets;

    double rate; /* the api client's limit, for the store's rate-limit wait */

    uint64_t generation;
    /* Bumped whenever the record list starts over with another filter: results of requests
     * for an older list must not touch the new one's state. */
    uint64_t records_epoch;
    bool stopping;
    struct worker_stats stats;
};

static void fatal(const char *what, int rc)
{
    fprintf(stderr, "certdeck: worker: %s failed (%s)\n", what, strerror(rc));
    abort();
}

static bool is_read(const struct job *j)
{
    return j->kind == JOB_RECORDS || j->kind == JOB_DETAIL;
}

static bool same_filter(const char *a, const char *b)
{
    if (a && !*a) a = NULL;
    if (b && !*b) b = NULL;
    if (!a || !b) return a == b;
    return strcmp(a, b) == 0;
}

static void job_free(struct job *j)
{
    if (!j) return;
    free(j->filter);
    free(j);
}

static bool worker_is_idle(const struct worker *w)
{
    return w->n_queue == 0 && w->n_running == 0;
}

/* Called with w->mu held after anything that may have emptied the worker. */
static void touch_if_idle(struct worker *w)
{
    if (worker_is_idle(w)) store_touch(w->store);
}

/* ---- the store side of a job (w->mu held: lock order is worker, then store) ---------------- */

static bool job_entry_current(const struct worker *w, const struct job *j)
{
    return j->kind != JOB_RECORDS || j->epoch == w->records_epoch;
}

static void job_begin_store(struct worker *w, const struct job *j)
{
    if (j->kind == JOB_RECORDS)
        store_records_begin(w->store, j->filter, j->refresh);
    else if (j->kind == JOB_DETAIL)
        store_detail_begin(w->store, j->record_id, j->refresh);
}

static void job_abort_store(struct worker *w, const struct job *j)
{
    if (!job_entry_current(w, j)) return;
    if (j->kind == JOB_RECORDS)
        store_records_abort(w->store);
    else if (j->kind == JOB_DETAIL)
        store_detail_abort(w->store, j->record_id);
}

/* ---- queue --------------------------------------------------------------------------------- */

static void list_push(struct job ***list, size_t *n, size_t *cap, struct job *j)
{
    /* Arrays of job pointers: the element size is a pointer's. */
    *list = xgrow(*list, cap, *n + 1, sizeof(**list)); // NOLINT(bugprone-sizeof-expression)
    (*list)[(*n)++] = j;
}

static void list_remove_at(struct job **list, size_t *n, size_t i)
{
    memmove(&list[i], &list[i + 1],
            (*n - i - 1) * sizeof(*list)); // NOLINT(bugprone-sizeof-expression)
    (*n)--;
}

static void list_remove(struct job **list, size_t *n, const struct job *j)
{
    for (size_t i = 0; i < *n; i++) {
        if (list[i] == j) {
            list_remove_at(list, n, i);
            return;
        }
    }
}

static void submit(struct worker *w, struct job *j)
{
    j->gen = w->generation;
    atomic_init(&j->cancel, 0);
    job_begin_store(w, j);
    list_push(&w->queue, &w->n_queue, &w->cap_queue, j);
    w->stats.submitted++;
    pthread_cond_signal(&w->work_cv);
}

static void drop_queued_at(struct worker *w, size_t i)
{
    struct job *j = w->queue[i];
    list_remove_at(w->queue, &w->n_queue, i);
    if (is_read(j)) job_abort_store(w, j);
    w->stats.dropped++;
    job_free(j);
}

/* A queued or running read job fetching this page (cancelled ones do not count: their data
 * will never arrive). */
static struct job *find_page_job(struct worker *w, enum job_kind kind, const char *filter,
                                 uint64_t record_id, int64_t offset, bool *running)
{
    for (int pass = 0; pass < 2; pass++) {
        struct job **list = pass == 0 ? w->queue : w->running;
        size_t n = pass == 0 ? w->n_queue : w->n_running;
        for (size_t i = 0; i < n; i++) {
            struct job *j = list[i];
            if (j->kind != kind || j->offset != offset) continue;
            if (kind == JOB_RECORDS && !same_filter(j->filter, filter)) continue;
            if (kind == JOB_DETAIL && j->record_id != record_id) continue;
            if (atomic_load(&j->cancel)) continue;
            *running = pass == 1;
            return j;
        }
    }
    return NULL;
}

/* Makes sure one job fetches this page, merging with an identical one. after_write: the
 * page must be fetched after a write that just finished, so a request already on the wire
 * does not count (it is re-run once done). True when a job was queued for it. */
static bool want_page(struct worker *w, enum job_kind kind, const char *filter, uint64_t record_id,
                      int64_t offset, bool refresh, bool after_write)
{
    bool running = false;
    struct job *j = find_page_job(w, kind, filter, record_id, offset, &running);
    if (j) {
        w->stats.merged++;
        if (j->doom_ms > 0) {
            j->doom_ms = 0; /* the new view wants it too: keep it */
            w->stats.kept++;
        }
        j->gen = w->generation;
        if (after_write && running) j->rerun = true;
        return false;
    }
    j = xcalloc(1, sizeof(*j));
    j->kind = kind;
    j->filter = kind == JOB_RECORDS && filter && *filter ? xstrdup(filter) : NULL;
    j->epoch = w->records_epoch;
    j->record_id = record_id;
    j->offset = offset;
    j->refresh = refresh;
    submit(w, j);
    return true;
}

/* How many more page jobs of one entry (the record list, or record_id's detail) may be queued
 * now: WORKER_QUEUE_PER_ENTRY less those waiting for a thread. The rest of a long target is
 * queued as these complete (every completed page plans again). */
static size_t queue_budget(const struct worker *w, enum job_kind kind, uint64_t record_id)
{
    size_t queued = 0;
    for (size_t i = 0; i < w->n_queue; i++) {
        const struct job *j = w->queue[i];
        if (j->kind != kind || atomic_load(&j->cancel)) continue;
        if (kind == JOB_RECORDS ? j->epoch == w->records_epoch : j->record_id == record_id)
            queued++;
    }
    return queued < WORKER_QUEUE_PER_ENTRY ? WORKER_QUEUE_PER_ENTRY - queued : 0;
}

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

static void targets_clear(struct worker *w)
{
    for (size_t i = 0; i < w->n_targets; i++) {
        struct target *t = &w->targets[i];
        for (size_t k = 0; k < t->n_groups; k++)
            free(t->groups[k].type);
        free(t->groups);
    }
    w->n_targets = 0;
}

static bool same_type(const char *a, const char *b)
{
    if (!a || !b) return a == b;
    return strcmp(a, b) == 0;
}

/* The want for that group of t (type NULL: every group), created with want 0 if new. */
static struct group_want *group_want_get(struct target *t, size_t run, const char *type)
{
    for (size_t i = 0; i < t->n_groups; i++)
        if (t->groups[i].run == run && same_type(t->groups[i].type, type)) return &t->groups[i];
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
    if (same_filter(r->old_cert_filter, filter)) {
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

/* The record list now starts over for another filter: its old requests are worthless. */
static void records_restart(struct worker *w)
{
    w->records_epoch++;
    for (size_t i = 0; i < w->n_queue;) {
        if (w->queue[i]->kind == JOB_RECORDS) {
            struct job *j = w->queue[i];
            list_remove_at(w->queue, &w->n_queue, i);
            w->stats.dropped++;
            job_free(j); /* the store entry is about to be reset: nothing to undo */
        } else {
            i++;
        }
    }
    for (size_t i = 0; i < w->n_running; i++)
        if (w->running[i]->kind == JOB_RECORDS) atomic_store(&w->running[i]->cancel, 1);
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
    bool same = same_filter(store_records(s)->old_cert_filter, filter);
    store_unlock(s);
    if (!same) records_restart(w);
    struct entry_view v;
    view_records(w, filter, &v);
    if (v.state == STORE_ERROR && !refresh) return;
    struct target *t = target_find(w, true, 0);
    int64_t stop_at = t && !refresh ? t->stop_at : 0;

    int64_t want = want_rows > 0 ? want_rows : 1;
    if (!v.fetched) {
        /* The first page tells how many rows there are; the rest follows when it lands. */
        want_page(w, JOB_RECORDS, filter, 0, 0, false, after_write);
        return;
    }
    size_t budget = queue_budget(w, JOB_RECORDS, 0);
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
        if (want_page(w, JOB_RECORDS, filter, 0, o, true, refresh && after_write)) budget--;
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
        if (!held && want_page(w, JOB_RECORDS, filter, 0, o, false, false)) budget--;
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
            if (gw->type && !same_type(grp->resource_type, gw->type)) continue;
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
        want_page(w, JOB_DETAIL, NULL, record_id, 0, refresh && v.fetched, after_write);
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
    size_t budget = queue_budget(w, JOB_DETAIL, record_id);
    /* In slices of 64 offsets, so the store is not locked across want_page (it takes the
     * store's lock itself). */
    for (int64_t o = from; o < reach && budget > 0;) {
        n = 0;
        store_lock(w->store);
        for (; o < reach && n < 64; o += WORKER_PAGE_LIMIT)
            if (!store_detail_page_held(w->store, record_id, o)) offsets[n++] = o;
        store_unlock(w->store);
        for (size_t i = 0; i < n && budget > 0; i++)
            if (want_page(w, JOB_DETAIL, NULL, record_id, offsets[i], false, false)) budget--;
    }
}

/* After a write: the record's detail and the list show its effect. */
static void refresh_after_write(struct worker *w, uint64_t record_id)
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

/* ---- rate-limit waits ---------------------------------------------------------------------- */

/* The job this thread is running (set around its api call): the wait hook runs on the thread
 * that waits, so it finds its job here. Other threads calling the same client find NULL. */
struct running_slot {
    struct worker *w;
    struct job *j;
};
static _Thread_local struct running_slot running_slot;

/* With w->mu held: what the store says about waits that lasted (lock order: worker, then
 * store). */
static void publish_rate_wait(struct worker *w)
{
    struct store_rate_wait rw = {0, w->rate, 0};
    for (size_t i = 0; i < w->n_running; i++) {
        const struct job *j = w->running[i];
        if (!j->wait_shown) continue;
        rw.waiting++;
        if (!rw.since_ms || j->wait_since < rw.since_ms) rw.since_ms = j->wait_since;
    }
    store_set_rate_wait(w->store, &rw);
}

/* The api client's wait hook: a wait starts (the reaper publishes it once it passes
 * WORKER_RATE_NOTICE_MS) or ends (it leaves the store at once). The wait itself is counted in
 * the call's trace by api. */
static void on_rate_wait(void *ctx, bool waiting, int64_t waited_ms)
{
    (void)waited_ms;
    struct worker *w = ctx;
    struct job *j = running_slot.j;
    if (!j || running_slot.w != w) return;
    pthread_mutex_lock(&w->mu);
    if (waiting) {
        j->wait_since = now_ms();
        pthread_cond_signal(&w->reap_cv);
    } else {
        j->wait_since = 0;
        if (j->wait_shown) {
            j->wait_shown = false;
            publish_rate_wait(w);
        }
    }
    pthread_mutex_unlock(&w->mu);
}

/* ---- running jobs -------------------------------------------------------------------------- */

static void run_job(struct worker *w, struct job *j, struct outcome *out)
{
    memset(out, 0, sizeof(*out));
    apierr_clear(&out->err);
    if (atomic_load(&j->cancel)) {
        out->rc = -1;
        apierr_set(&out->err, APIERR_CANCELLED, "cancelled before it started");
        return;
    }
    running_slot = (struct running_slot){w, j};
    switch (j->kind) {
    case JOB_RECORDS: {
        struct records_query q = {
            .offset = (uint64_t)j->offset, .limit = WORKER_RECORDS_LIMIT, .old_cert_id = j->filter};
        out->rc = api_describe_records(w->api, &q, &out->records, &j->cancel, &out->err);
        break;
    }
    case JOB_DETAIL: {
        struct detail_query q = {
            .record_id = (int64_t)j->record_id, .offset = j->offset, .limit = WORKER_PAGE_LIMIT};
        out->rc = api_describe_detail(w->api, &q, &out->detail, &j->cancel, &out->err);
        break;
    }
    case JOB_ROLLBACK:
        out->rc = api_rollback(w->api, (int64_t)j->record_id, out->request_id,
                               sizeof(out->request_id), &out->err);
        break;
    case JOB_RETRY:
        if (j->detail_id < 0)
            out->rc = api_retry(w->api, (int64_t)j->record_id, -1, out->request_id,
                                sizeof(out->request_id), &out->err);
        else
            out->rc = api_retry(w->api, -1, j->detail_id, out->request_id, sizeof(out->request_id),
                                &out->err);
        break;
    }
    running_slot = (struct running_slot){NULL, NULL};
}

/* With w->mu held: the result goes into the store, then whatever should follow is queued. */
static void finish_job(struct worker *w, struct job *j, struct outcome *out)
{
    list_remove(w->running, &w->n_running, j);
    bool cancelled = atomic_load(&j->cancel) || (out->rc != 0 && out->err.kind == APIERR_CANCELLED);
    bool ok = out->rc == 0 && !cancelled;
    bool current = job_entry_current(w, j);
    struct entry_view before = {0}, after = {0};
    struct detail_counts dbefore = {0}, dafter = {0};

    if (is_read(j)) {
        if (cancelled) {
            w->stats.cancelled++;
            job_abort_store(w, j);
        } else if (current) {
            w->stats.done++;
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
                    store_detail_put(w->store, j->record_id, j->offset, WORKER_PAGE_LIMIT,
                                     &out->detail);
                else
                    store_detail_fail(w->store, j->record_id, &out->err);
                if (ok) detail_counts_get(w, j->record_id, &dafter);
            }
        }
    } else {
        w->stats.done++; /* the call's trace (outcome, request id) is in the log already */
    }

    if (!w->stopping) {
        if (!is_read(j)) {
            refresh_after_write(w, j->record_id);
        } else if (ok && current) {
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
        if (j->rerun && current)
            want_page(w, j->kind, j->filter, j->record_id, j->offset, true, false);
    }
    free(dbefore.items);
    free(dafter.items);
    if (j->kind == JOB_RECORDS) model_records_page_clear(&out->records);
    if (j->kind == JOB_DETAIL) model_detail_page_clear(&out->detail);
    job_free(j);
    touch_if_idle(w);
}

static void *thread_main(void *arg)
{
    struct worker *w = arg;
    pthread_mutex_lock(&w->mu);
    for (;;) {
        while (!w->stopping && w->n_queue == 0)
            pthread_cond_wait(&w->work_cv, &w->mu);
        if (w->stopping) break;
        struct job *j = w->queue[0];
        list_remove_at(w->queue, &w->n_queue, 0);
        list_push(&w->running, &w->n_running, &w->cap_running, j);
        if (w->n_running > w->stats.peak_running) w->stats.peak_running = w->n_running;
        pthread_mutex_unlock(&w->mu);

        struct outcome out;
        run_job(w, j, &out);

        pthread_mutex_lock(&w->mu);
        finish_job(w, j, &out);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

static struct timespec monotonic_at(int64_t ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    return ts;
}

static int64_t earliest(int64_t next, int64_t due)
{
    return next == 0 || due < next ? due : next;
}

/* Aborts doomed requests once their grace period is over, and publishes rate-limit waits
 * once they pass WORKER_RATE_NOTICE_MS. Sleeps until the next of those instants. */
static void *reaper_main(void *arg)
{
    struct worker *w = arg;
    pthread_mutex_lock(&w->mu);
    while (!w->stopping) {
        int64_t now = now_ms(), next = 0;
        bool notice = false;
        for (size_t i = 0; i < w->n_running; i++) {
            struct job *j = w->running[i];
            if (j->wait_since > 0 && !j->wait_shown) {
                int64_t due = j->wait_since + WORKER_RATE_NOTICE_MS;
                if (due <= now)
                    notice = j->wait_shown = true;
                else
                    next = earliest(next, due);
            }
            if (j->doom_ms <= 0) continue;
            if (j->doom_ms <= now) {
                atomic_store(&j->cancel, 1);
                j->doom_ms = 0;
            } else {
                next = earliest(next, j->doom_ms);
            }
        }
        if (notice) publish_rate_wait(w);
        if (next == 0) {
            pthread_cond_wait(&w->reap_cv, &w->mu);
        } else {
            struct timespec ts = monotonic_at(next);
            pthread_cond_timedwait(&w->reap_cv, &w->mu, &ts);
        }
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

static void on_trace(void *ctx, const struct api_trace *trace)
{
    struct worker *w = ctx;
    store_log_push(w->store, trace);
}

/* ---- public -------------------------------------------------------------------------------- */

struct worker *worker_new(struct api_client *api, struct store *store, int threads)
{
    struct worker *w = xcalloc(1, sizeof(*w));
    w->api = api;
    w->store = store;
    w->n_threads = threads > 0 ? threads : 4;
    int rc = pthread_mutex_init(&w->mu, NULL);
    if (rc) fatal("pthread_mutex_init", rc);
    if ((rc = pthread_cond_init(&w->work_cv, NULL))) fatal("pthread_cond_init", rc);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    /* The reaper sleeps until now_ms() deadlines, which are CLOCK_MONOTONIC. */
    if ((rc = pthread_condattr_setclock(&ca, CLOCK_MONOTONIC)))
        fatal("pthread_condattr_setclock", rc);
    if ((rc = pthread_cond_init(&w->reap_cv, &ca))) fatal("pthread_cond_init", rc);
    pthread_condattr_destroy(&ca);

    w->rate = api_client_rate(api);
    api_client_set_observer(api, on_trace, w);
    api_client_set_wait_hook(api, on_rate_wait, w);
    w->threads = xcalloc((size_t)w->n_threads, sizeof(*w->threads));
    for (int i = 0; i < w->n_threads; i++)
        if ((rc = pthread_create(&w->threads[i], NULL, thread_main, w)))
            fatal("pthread_create", rc);
    if ((rc = pthread_create(&w->reaper, NULL, reaper_main, w))) fatal("pthread_create", rc);
    return w;
}

void worker_free(struct worker *w)
{
    if (!w) return;
    pthread_mutex_lock(&w->mu);
    w->stopping = true;
    while (w->n_queue > 0)
        drop_queued_at(w, w->n_queue - 1);
    for (size_t i = 0; i < w->n_running; i++)
        atomic_store(&w->running[i]->cancel, 1);
    pthread_cond_broadcast(&w->work_cv);
    pthread_cond_broadcast(&w->reap_cv);
    pthread_mutex_unlock(&w->mu);

    for (int i = 0; i < w->n_threads; i++)
        pthread_join(w->threads[i], NULL);
    pthread_join(w->reaper, NULL);
    api_client_set_wait_hook(w->api, NULL, NULL);
    api_client_set_observer(w->api, NULL, NULL);
    store_touch(w->store);

    free(w->threads);
    free(w->queue);
    free(w->running);
    targets_clear(w);
    free(w->targets);
    pthread_cond_destroy(&w->reap_cv);
    pthread_cond_destroy(&w->work_cv);
    pthread_mutex_destroy(&w->mu);
    free(w);
}

void worker_set_generation(struct worker *w, uint64_t generation)
{
    pthread_mutex_lock(&w->mu);
    if (generation == w->generation || w->stopping) {
        pthread_mutex_unlock(&w->mu);
        return;
    }
    w->generation = generation;
    for (size_t i = 0; i < w->n_queue;) {
        if (is_read(w->queue[i]) && w->queue[i]->gen != generation)
            drop_queued_at(w, i);
        else
            i++;
    }
    int64_t deadline = now_ms() + WORKER_CANCEL_GRACE_MS;
    for (size_t i = 0; i < w->n_running; i++) {
        struct job *j = w->running[i];
        if (is_read(j) && j->gen != generation && j->doom_ms == 0 && !atomic_load(&j->cancel))
            j->doom_ms = deadline;
    }
    targets_clear(w); /* the new view says what it wants */
    pthread_cond_signal(&w->reap_cv);
    touch_if_idle(w);
    pthread_mutex_unlock(&w->mu);
}

void worker_want_records(struct worker *w, const char *old_cert_filter, size_t want_rows,
                         bool refresh)
{
    pthread_mutex_lock(&w->mu);
    if (!w->stopping) {
        int64_t rows = want_rows > (size_t)INT64_MAX ? INT64_MAX : (int64_t)want_rows;
        store_lock(w->store);
        bool same = same_filter(store_records(w->store)->old_cert_filter, old_cert_filter);
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

static void submit_write(struct worker *w, enum job_kind kind, uint64_t record_id,
                         int64_t detail_id)
{
    pthread_mutex_lock(&w->mu);
    if (!w->stopping) {
        struct job *j = xcalloc(1, sizeof(*j));
        j->kind = kind;
        j->record_id = record_id;
        j->detail_id = detail_id;
        submit(w, j);
    }
    pthread_mutex_unlock(&w->mu);
}

void worker_rollback(struct worker *w, uint64_t record_id)
{
    submit_write(w, JOB_ROLLBACK, record_id, -1);
}

void worker_retry(struct worker *w, uint64_t record_id, int64_t detail_id)
{
    submit_write(w, JOB_RETRY, record_id, detail_id);
}

bool worker_idle(struct worker *w)
{
    pthread_mutex_lock(&w->mu);
    bool idle = worker_is_idle(w);
    pthread_mutex_unlock(&w->mu);
    return idle;
}

void worker_get_stats(struct worker *w, struct worker_stats *out)
{
    pthread_mutex_lock(&w->mu);
    *out = w->stats;
    out->queued = w->n_queue;
    out->running = w->n_running;
    pthread_mutex_unlock(&w->mu);
}
