/* Record details in the store: at most STORE_DETAIL_CAPACITY entries, the least recently used
 * idle one forgotten first; pages merged by run position, ResourceType and item Id, pages
 * ahead of the frontier held back until it reaches them. */
#include "core/store.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/model_arena.h"
#include "core/store_entries.h"
#include "core/util.h"

static struct detail_entry *detail_find(struct store *s, uint64_t record_id)
{
    for (size_t i = 0; i < s->n_details; i++) {
        if (s->details[i]->d.record_id == record_id) {
            s->details[i]->last_used = ++s->use_clock;
            return s->details[i];
        }
    }
    return NULL;
}

/* Forgets the least recently used idle detail other than keep (NULL: any); false when there
 * is none. */
static bool detail_evict_other(struct store *s, const struct detail_entry *keep)
{
    size_t victim = s->n_details;
    for (size_t i = 0; i < s->n_details; i++) {
        if (s->details[i]->d.meta.inflight > 0 || s->details[i] == keep) continue;
        if (victim == s->n_details || s->details[i]->last_used < s->details[victim]->last_used)
            victim = i;
    }
    if (victim == s->n_details) return false; /* all busy: grow past the capacity for now */
    store_detail_entry_free(s->details[victim]);
    s->details[victim] = s->details[--s->n_details];
    return true;
}

static struct detail_entry *detail_get(struct store *s, uint64_t record_id)
{
    struct detail_entry *e = detail_find(s, record_id);
    if (e) return e;
    if (s->n_details >= STORE_DETAIL_CAPACITY) detail_evict_other(s, NULL);
    e = xcalloc(1, sizeof(*e));
    e->d.record_id = record_id;
    e->last_used = ++s->use_clock;
    /* An array of pointers: the element size is a pointer's. */
    s->details = xgrow(s->details, &s->cap_details, s->n_details + 1,
                       sizeof(*s->details)); // NOLINT(bugprone-sizeof-expression)
    s->details[s->n_details++] = e;
    return e;
}

const struct store_detail *store_detail(struct store *s, uint64_t record_id)
{
    struct detail_entry *e = detail_find(s, record_id);
    return e ? &e->d : NULL;
}

bool store_detail_page_held(struct store *s, uint64_t record_id, int64_t offset)
{
    struct detail_entry *e = detail_find(s, record_id);
    if (!e) return false;
    for (size_t i = 0; i < e->n_held; i++)
        if (e->held[i].offset == offset) return true;
    return false;
}

void store_detail_begin(struct store *s, uint64_t record_id, bool refresh)
{
    pthread_mutex_lock(&s->mu);
    struct detail_entry *e = detail_get(s, record_id);
    store_meta_begin(&e->d.meta, &e->before, refresh);
    store_changed(s);
    pthread_mutex_unlock(&s->mu);
}

static void run_copy_header(struct deploy_run *dst, const struct deploy_run *src)
{
    dst->total_count = src->total_count;
    dst->success_total_count = src->success_total_count;
    dst->failed_total_count = src->failed_total_count;
    dst->running_total_count = src->running_total_count;
    dst->pending_total_count = src->pending_total_count;
    dst->has_pending_total_count = src->has_pending_total_count;
    dst->type = src->type;
    dst->status = src->status;
    if (!str_same(dst->create_time, src->create_time)) {
        free(dst->create_time);
        dst->create_time = xstrdup(src->create_time);
    }
}

/* Items of src already in dst (same Id) are replaced, so their status is current; the others
 * are appended. One Id index per group, kept by the group and grown with it (core/model.c):
 * a page costs its own size, not the group's. */
static void group_upsert(struct resource_group *dst, const struct resource_group *src)
{
    model_group_upsert(dst, src);
    dst->total_count = src->total_count;
    if (dst->n_items > 0) dst->list_null = false;
}

static struct resource_group *run_find_group(struct deploy_run *run, const char *type)
{
    for (size_t i = 0; i < run->n_groups; i++)
        if (str_same(run->groups[i].resource_type, type)) return &run->groups[i];
    return NULL;
}

static void run_append_group(struct deploy_run *run, const struct resource_group *src)
{
    run->groups = xrealloc(run->groups, (run->n_groups + 1) * sizeof(*run->groups));
    memset(&run->groups[run->n_groups], 0, sizeof(run->groups[0]));
    model_group_copy(&run->groups[run->n_groups], src);
    run->n_groups++;
    run->groups_null = false;
}

/* Merges a contiguous page (offset <= fetched_offset, or the first page). */
static void detail_merge(struct detail_entry *e, int64_t offset, int64_t limit,
                         const struct detail_page *p)
{
    struct detail_page *dst = &e->d.page;
    bool first = e->d.meta.fetched_ms == 0 && dst->n_runs == 0;
    bool reshaped = false;

    if (offset == 0 && p->n_runs < dst->n_runs) {
        for (size_t i = p->n_runs; i < dst->n_runs; i++)
            model_run_clear(&dst->runs[i]);
        dst->n_runs = p->n_runs;
        reshaped = true;
    }
    for (size_t r = 0; r < p->n_runs; r++) {
        const struct deploy_run *srun = &p->runs[r];
        if (r >= dst->n_runs) {
            dst->runs = xrealloc(dst->runs, (dst->n_runs + 1) * sizeof(*dst->runs));
            memset(&dst->runs[dst->n_runs], 0, sizeof(dst->runs[0]));
            model_run_copy(&dst->runs[dst->n_runs], srun);
            dst->n_runs++;
            reshaped = true;
            continue;
        }
        struct deploy_run *drun = &dst->runs[r];
        if (offset == 0) {
            if (drun->type != srun->type) reshaped = true;
            run_copy_header(drun, srun);
        }
        for (size_t g = 0; g < srun->n_groups; g++) {
            const struct resource_group *sg = &srun->groups[g];
            struct resource_group *dg = run_find_group(drun, sg->resource_type);
            if (!dg) {
                run_append_group(drun, sg);
                reshaped = true;
                continue;
            }
            if (dg->total_count != sg->total_count && offset == 0) reshaped = true;
            group_upsert(dg, sg);
        }
    }
    if (offset == 0 && !dst->request_id && p->request_id)
        dst->request_id = xstrdup(p->request_id);
    else if (offset == 0 && p->request_id && !str_same(dst->request_id, p->request_id)) {
        free(dst->request_id);
        dst->request_id = xstrdup(p->request_id);
    }

    /* The page covers [offset, offset + limit) of the server's offsets whatever it held: a
     * short or empty slice of a group says where that group ends (group paging) or lies
     * (flat paging), not that the offsets need asking again. A new shape seen on the first
     * page means deeper pages were of another shape: they are fetched again. */
    int64_t reach = offset + limit;
    bool restart = first || (reshaped && offset == 0); /* may move the frontier back */
    if (restart || reach > e->d.fetched_offset) e->d.fetched_offset = reach;
}

static void detail_summarize(struct detail_entry *e)
{
    int64_t max_total = 0, fewest = INT64_MAX;
    for (size_t r = 0; r < e->d.page.n_runs; r++) {
        const struct deploy_run *run = &e->d.page.runs[r];
        for (size_t g = 0; g < run->n_groups; g++) {
            const struct resource_group *grp = &run->groups[g];
            if (grp->total_count > max_total) max_total = grp->total_count;
            if ((int64_t)grp->n_items < grp->total_count && (int64_t)grp->n_items < fewest)
                fewest = (int64_t)grp->n_items;
        }
    }
    e->d.max_group_total = max_total;
    e->d.complete = fewest == INT64_MAX;
    e->d.loaded_offset = e->d.complete ? max_total : fewest;
}

static void detail_page_copy(struct detail_page *dst, const struct detail_page *src)
{
    dst->n_runs = src->n_runs;
    dst->runs = xcalloc(src->n_runs ? src->n_runs : 1, sizeof(*dst->runs));
    for (size_t i = 0; i < src->n_runs; i++)
        model_run_copy(&dst->runs[i], &src->runs[i]);
    dst->request_id = xstrdup(src->request_id);
}

static void detail_hold(struct detail_entry *e, int64_t offset, int64_t limit,
                        const struct detail_page *p)
{
    for (size_t i = 0; i < e->n_held; i++) {
        if (e->held[i].offset == offset) {
            model_detail_page_clear(&e->held[i].page);
            detail_page_copy(&e->held[i].page, p);
            e->held[i].limit = limit;
            return;
        }
    }
    e->held = xgrow(e->held, &e->cap_held, e->n_held + 1, sizeof(*e->held));
    struct held_detail *h = &e->held[e->n_held++];
    memset(h, 0, sizeof(*h));
    h->offset = offset;
    h->limit = limit;
    detail_page_copy(&h->page, p);
}

static void detail_drain_held(struct detail_entry *e)
{
    for (;;) {
        size_t best = e->n_held;
        for (size_t i = 0; i < e->n_held; i++) {
            if (e->held[i].offset <= e->d.fetched_offset &&
                (best == e->n_held || e->held[i].offset < e->held[best].offset))
                best = i;
        }
        if (best == e->n_held) break;
        struct held_detail h = e->held[best];
        e->held[best] = e->held[--e->n_held];
        detail_merge(e, h.offset, h.limit, &h.page);
        model_detail_page_clear(&h.page);
    }
}

/* The entry fails with APIERR_MEMORY: the memory budget (--max-memory) is spent. */
static void detail_over_budget(struct detail_entry *e)
{
    size_t items = 0;
    for (size_t r = 0; r < e->d.page.n_runs; r++)
        for (size_t g = 0; g < e->d.page.runs[r].n_groups; g++)
            items += e->d.page.runs[r].groups[g].n_items;
    char why[256];
    model_mem_explain(why, sizeof why, items, "loaded (with the rest of what is held)");
    struct api_error err;
    apierr_clear(&err);
    apierr_set(&err, APIERR_MEMORY, "record %llu: %s", (unsigned long long)e->d.record_id, why);
    store_meta_fail(&e->d.meta, &err);
}

/* Whether the budget is passed even after forgetting other records' idle details (least
 * recently used first). */
static bool detail_over(struct store *s, const struct detail_entry *keep)
{
    while (model_mem_over() && detail_evict_other(s, keep)) {
    }
    return model_mem_over();
}

void store_detail_put(struct store *s, uint64_t record_id, int64_t offset, int64_t limit,
                      const struct detail_page *page)
{
    pthread_mutex_lock(&s->mu);
    struct detail_entry *e = detail_get(s, record_id);
    store_meta_end(&e->d.meta);
    bool first = e->d.meta.fetched_ms == 0;
    if (offset < 0) offset = 0;
    if (limit <= 0) limit = API_DETAIL_MAX_LIMIT;
    /* Past the budget (--max-memory) an incomplete detail takes no more pages: what is loaded
     * stays, and the entry, in error, is paged no further. A page already on its way when the
     * budget ran out is dropped here, so the overshoot is one page. */
    bool over = !e->d.complete && e->d.meta.fetched_ms != 0 && detail_over(s, e);
    if (over) {
        detail_over_budget(e);
    } else if ((first && offset == 0) || (!first && offset <= e->d.fetched_offset)) {
        detail_merge(e, offset, limit, page);
        detail_drain_held(e);
        detail_summarize(e);
        store_meta_loaded(&e->d.meta);
        if (!e->d.complete && detail_over(s, e)) detail_over_budget(e);
        if (e->d.complete) {
            /* Whatever is still held adds nothing a complete detail lacks. */
            for (size_t i = 0; i < e->n_held; i++)
                model_detail_page_clear(&e->held[i].page);
            e->n_held = 0;
        }
    } else if (!e->d.complete) { /* a complete detail lacks nothing a page ahead could add */
        detail_hold(e, offset, limit, page);
    }
    store_meta_settle(&e->d.meta, e->before);
    store_changed(s);
    pthread_mutex_unlock(&s->mu);
}

void store_detail_fail(struct store *s, uint64_t record_id, const struct api_error *err)
{
    pthread_mutex_lock(&s->mu);
    struct detail_entry *e = detail_get(s, record_id);
    store_meta_end(&e->d.meta);
    store_meta_fail(&e->d.meta, err);
    store_changed(s);
    pthread_mutex_unlock(&s->mu);
}

void store_detail_abort(struct store *s, uint64_t record_id)
{
    pthread_mutex_lock(&s->mu);
    struct detail_entry *e = detail_find(s, record_id);
    if (e) {
        store_meta_end(&e->d.meta);
        store_meta_settle(&e->d.meta, e->before);
    }
    store_changed(s);
    pthread_mutex_unlock(&s->mu);
}
