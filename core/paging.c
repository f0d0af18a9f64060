/* Paging through the API: every record of the list (api_records_all), and every item of a
 * record's detail, its later pages fetched concurrently (api_detail_all). */
#include "core/api.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/id_index.h"
#include "core/model_arena.h"
#include "core/sanitize.h"
#include "core/threads.h"
#include "core/util.h"

#define PAGING_RECORDS_PAGE 100
/* Paging of a record's detail stops after this many rounds whatever the server says. */
#define PAGING_DETAIL_MAX_ROUNDS 1000
/* API_RECORDS_MAX, API_DETAIL_MAX_ITEMS and API_DETAIL_MAX_GROUPS (api.h) bound what the
 * paging helpers collect. */
#define PAGING_DETAIL_MAX_CONCURRENCY 16

/* ---- the records list -------------------------------------------------------------------- */

int api_records_all(struct api_client *c, const char *old_cert_id, struct records_page *out,
                    const atomic_int *cancel, struct api_error *err)
{
    struct api_error scratch;
    if (!err) err = &scratch;
    memset(out, 0, sizeof *out);
    struct id_index seen; /* the Ids in out, so that no record is listed twice */
    id_index_init(&seen, PAGING_RECORDS_PAGE);
    size_t cap = 0;
    uint64_t offset = 0;
    for (;;) {
        struct records_query q = {
            .offset = offset, .limit = PAGING_RECORDS_PAGE, .old_cert_id = old_cert_id};
        struct records_page page;
        if (api_describe_records(c, &q, &page, cancel, err) != 0) {
            model_records_page_clear(out);
            free(seen.slots);
            return -1;
        }
        if (page.total_count > API_RECORDS_MAX) {
            apierr_clear(err);
            apierr_set(err, APIERR_DECODE,
                       "Response.TotalCount: %" PRIu64 " records is more than certdeck pages "
                       "through (%d); narrow the list with a certificate filter",
                       page.total_count, API_RECORDS_MAX);
            if (page.request_id)
                sanitize_copy(err->request_id, sizeof err->request_id, page.request_id);
            model_records_page_clear(&page);
            model_records_page_clear(out);
            free(seen.slots);
            return -1;
        }
        out->total_count = page.total_count;
        free(out->request_id);
        out->request_id = page.request_id;
        page.request_id = NULL;
        size_t fresh = 0;
        for (size_t i = 0; i < page.n_records; i++) {
            if (id_index_lookup(&seen, page.records[i].id, i)) { /* seen before */
                model_record_clear(&page.records[i]);
                continue;
            }
            out->records = xgrow(out->records, &cap, out->n_records + 1, sizeof *out->records);
            out->records[out->n_records++] = page.records[i]; /* moved */
            fresh++;
        }
        size_t got = page.n_records;
        free(page.records);
        page.records = NULL;
        page.n_records = 0;
        model_records_page_clear(&page);
        offset += got;
        /* A page of records already seen means the server is not moving forward (whatever
         * its TotalCount says): what we have is the list. */
        if (got == 0 || fresh == 0 || offset >= out->total_count) break;
    }
    free(seen.slots);
    return 0;
}

/* ---- every item of a record's detail ----------------------------------------------------  */

static bool paging_detail_complete(const struct detail_page *p)
{
    for (size_t r = 0; r < p->n_runs; r++)
        for (size_t g = 0; g < p->runs[r].n_groups; g++) {
            const struct resource_group *grp = &p->runs[r].groups[g];
            if (grp->total_count > 0 && (int64_t)grp->n_items < grp->total_count) return false;
        }
    return true;
}

static int64_t paging_detail_max_total(const struct detail_page *p)
{
    int64_t m = 0;
    for (size_t r = 0; r < p->n_runs; r++)
        for (size_t g = 0; g < p->runs[r].n_groups; g++)
            if (p->runs[r].groups[g].total_count > m) m = p->runs[r].groups[g].total_count;
    return m;
}

/* The longest run as one list: the largest sum of a run's group TotalCounts, capped at
 * API_DETAIL_MAX_ITEMS (more could never be collected). What a server paging each run's
 * groups concatenated needs offsets for. */
static int64_t paging_detail_max_span(const struct detail_page *p)
{
    int64_t m = 0;
    for (size_t r = 0; r < p->n_runs; r++) {
        int64_t sum = 0;
        for (size_t g = 0; g < p->runs[r].n_groups && sum < API_DETAIL_MAX_ITEMS; g++)
            if (p->runs[r].groups[g].total_count > 0) sum += p->runs[r].groups[g].total_count;
        if (sum > m) m = sum;
    }
    return m < API_DETAIL_MAX_ITEMS ? m : API_DETAIL_MAX_ITEMS;
}

/* Merges one later page into dst by run position and ResourceType; returns the items added.
 * What dst lacks moves over whole (a new run, a new group); items of a group dst holds join
 * it through its Id index, their strings copied once into its arena. src is left clearable. */
static size_t paging_detail_merge(struct detail_page *dst, struct detail_page *src)
{
    size_t added = 0;
    for (size_t r = 0; r < src->n_runs; r++) {
        struct deploy_run *sr = &src->runs[r];
        if (r >= dst->n_runs) {
            /* A run that appeared between pages: keep it whole. */
            dst->runs = xrealloc(dst->runs, (dst->n_runs + 1) * sizeof *dst->runs);
            dst->runs[dst->n_runs++] = *sr;
            for (size_t g = 0; g < sr->n_groups; g++)
                added += sr->groups[g].n_items;
            memset(sr, 0, sizeof *sr);
            continue;
        }
        struct deploy_run *dr = &dst->runs[r];
        for (size_t g = 0; g < sr->n_groups; g++) {
            struct resource_group *sg = &sr->groups[g];
            struct resource_group *dg = NULL;
            for (size_t k = 0; k < dr->n_groups && !dg; k++)
                if (str_same(dr->groups[k].resource_type, sg->resource_type)) dg = &dr->groups[k];
            if (dg) {
                added += model_group_merge(dg, sg);
                continue;
            }
            dr->groups = xrealloc(dr->groups, (dr->n_groups + 1) * sizeof *dr->groups);
            dr->groups[dr->n_groups++] = *sg;
            dr->groups_null = false;
            added += sg->n_items;
            memset(sg, 0, sizeof *sg);
        }
    }
    return added;
}

/* Whether p (one page, or everything merged so far) stays within what certdeck pages
 * through: 0, or -1 with an error naming the offending count (APIERR_DECODE for a server's
 * claim no account can hold; APIERR_MEMORY when what was fetched passes --max-memory). */
static int paging_detail_check(const struct detail_page *p, struct api_error *err)
{
    size_t groups = 0, items = 0;
    for (size_t r = 0; r < p->n_runs; r++) {
        groups += p->runs[r].n_groups;
        for (size_t g = 0; g < p->runs[r].n_groups; g++) {
            const struct resource_group *grp = &p->runs[r].groups[g];
            items += grp->n_items;
            if (grp->total_count > API_DETAIL_MAX_ITEMS) {
                apierr_clear(err);
                apierr_set(err, APIERR_DECODE,
                           "Response.DeployRecordDetail[%zu].RecordDetailList[%zu].TotalCount: "
                           "%" PRId64 " instances is more than certdeck pages through (%lld)",
                           r, g, grp->total_count, (long long)API_DETAIL_MAX_ITEMS);
                goto failed;
            }
        }
    }
    if (groups > API_DETAIL_MAX_GROUPS) {
        apierr_clear(err);
        apierr_set(err, APIERR_DECODE,
                   "Response.DeployRecordDetail: %zu resource-type groups is more than certdeck "
                   "pages through (%d)",
                   groups, API_DETAIL_MAX_GROUPS);
        goto failed;
    }
    if (model_mem_over()) {
        char why[256];
        model_mem_explain(why, sizeof why, items, "fetched so far");
        apierr_clear(err);
        apierr_set(err, APIERR_MEMORY, "%s", why);
        goto failed;
    }
    return 0;
failed:
    if (p->request_id) sanitize_copy(err->request_id, sizeof err->request_id, p->request_id);
    return -1;
}

/* One round of page fetches: pages handed out to threads in offset order and merged on the
 * caller's thread in that order as soon as each arrives, so that at most `window` pages are
 * held decoded at once, whatever the round's length. */
struct paging_detail_round {
    struct api_client *c;
    int64_t record_id;
    int64_t first; /* the offset of the round's page 0; page i is first + i * limit */
    size_t n;      /* pages in the round */
    size_t window;
    struct detail_page *slot; /* page i waits in slot[i % window] */
    bool *ready;
    pthread_mutex_t mu;
    pthread_cond_t cv;   /* the caller: a page arrived, a thread ended */
    pthread_cond_t room; /* the threads: a page was merged, or stop */
    size_t next;         /* the next page to hand out */
    size_t merged;       /* pages merged: slots of pages below are free */
    size_t end;          /* no page at or past this is merged (the round ended early) */
    int running;
    bool failed;
    struct api_error first_err;
    atomic_int stop; /* set on the first error or when the caller cancels */
};

static void *paging_detail_thread(void *arg)
{
    struct paging_detail_round *rd = arg;
    for (;;) {
        pthread_mutex_lock(&rd->mu);
        while (!atomic_load(&rd->stop) && !rd->failed && rd->next < rd->end &&
               rd->next >= rd->merged + rd->window)
            pthread_cond_wait(&rd->room, &rd->mu);
        size_t i = rd->next;
        bool done = i >= rd->end || atomic_load(&rd->stop) || rd->failed;
        if (!done) rd->next++;
        pthread_mutex_unlock(&rd->mu);
        if (done) break;

        struct detail_query q = {rd->record_id, rd->first + (int64_t)i * API_DETAIL_MAX_LIMIT,
                                 API_DETAIL_MAX_LIMIT};
        struct detail_page page;
        struct api_error e;
        apierr_clear(&e);
        int rc = api_describe_detail(rd->c, &q, &page, &rd->stop, &e);
        pthread_mutex_lock(&rd->mu);
        if (rc != 0) {
            if (!rd->failed && e.kind != APIERR_CANCELLED) {
                rd->failed = true;
                rd->first_err = e;
            }
            atomic_store(&rd->stop, 1);
            pthread_cond_broadcast(&rd->room);
        } else {
            rd->slot[i % rd->window] = page;
            rd->ready[i % rd->window] = true;
        }
        pthread_cond_signal(&rd->cv);
        pthread_mutex_unlock(&rd->mu);
    }
    pthread_mutex_lock(&rd->mu);
    rd->running--;
    pthread_cond_signal(&rd->cv);
    pthread_mutex_unlock(&rd->mu);
    return NULL;
}

/* Merges a fetched page into out (checked before and after); *nothing_new is set when it
 * added no item. 0, or -1 with err. The page is cleared. */
static int paging_detail_take(struct detail_page *out, struct detail_page *page, size_t *added,
                              bool *nothing_new, struct api_error *err)
{
    int rc = paging_detail_check(page, err);
    if (rc == 0) {
        size_t a = paging_detail_merge(out, page);
        *added += a;
        *nothing_new = a == 0;
        rc = paging_detail_check(out, err);
    }
    model_detail_page_clear(page);
    return rc;
}

/* Fetches and merges the pages at first, first + limit, … (n of them) into out; concurrently
 * when concurrency > 1. The round ends early at the first page that brings nothing new (the
 * end of every group, or a server claiming more than it has): *pages says how many were
 * merged. The caller's cancel flag is watched here and passed to the threads. */
static int paging_detail_round(struct api_client *c, int64_t record_id, int64_t first, size_t n,
                               int concurrency, struct detail_page *out, size_t *added,
                               size_t *pages, const atomic_int *cancel, struct api_error *err)
{
    *pages = 0;
    bool nothing_new = false;
    if (concurrency <= 1 || n <= 1) {
        for (size_t i = 0; i < n && !nothing_new; i++) {
            struct detail_query q = {record_id, first + (int64_t)i * API_DETAIL_MAX_LIMIT,
                                     API_DETAIL_MAX_LIMIT};
            struct detail_page page;
            if (api_describe_detail(c, &q, &page, cancel, err) != 0) return -1;
            if (paging_detail_take(out, &page, added, &nothing_new, err) != 0) return -1;
            (*pages)++;
        }
        return 0;
    }
    size_t k = (size_t)concurrency < n ? (size_t)concurrency : n;
    struct paging_detail_round rd = {
        .c = c, .record_id = record_id, .first = first, .n = n, .end = n, .window = 2 * k};
    rd.slot = xcalloc(rd.window, sizeof *rd.slot);
    rd.ready = xcalloc(rd.window, sizeof *rd.ready);
    atomic_init(&rd.stop, 0);
    pthread_mutex_init(&rd.mu, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&rd.cv, &attr);
    pthread_condattr_destroy(&attr);
    pthread_cond_init(&rd.room, NULL);

    pthread_t *tids = xcalloc(k, sizeof *tids);
    size_t started = 0;
    pthread_mutex_lock(&rd.mu);
    for (; started < k; started++) {
        if (threads_create(&tids[started], paging_detail_thread, &rd) != 0) break;
        rd.running++;
    }
    pthread_mutex_unlock(&rd.mu);
    if (started == 0) {
        /* No thread could be started: fetch on this one. */
        free(tids);
        free(rd.slot);
        free(rd.ready);
        pthread_cond_destroy(&rd.room);
        pthread_cond_destroy(&rd.cv);
        pthread_mutex_destroy(&rd.mu);
        return paging_detail_round(c, record_id, first, n, 1, out, added, pages, cancel, err);
    }
    bool cancelled = false, merge_failed = false;
    pthread_mutex_lock(&rd.mu);
    for (;;) {
        if (cancel && atomic_load(cancel) && !cancelled) {
            cancelled = true;
            atomic_store(&rd.stop, 1);
            pthread_cond_broadcast(&rd.room);
        }
        size_t at = rd.merged % rd.window;
        if (!merge_failed && !rd.failed && !cancelled && rd.merged < rd.end && rd.ready[at]) {
            struct detail_page page = rd.slot[at];
            rd.ready[at] = false;
            pthread_mutex_unlock(&rd.mu);
            int rc = paging_detail_take(out, &page, added, &nothing_new, err);
            pthread_mutex_lock(&rd.mu);
            rd.merged++;
            if (rc != 0) {
                merge_failed = true;
                atomic_store(&rd.stop, 1);
            } else if (nothing_new) {
                rd.end = rd.merged; /* what is fetched past here is dropped */
            }
            pthread_cond_broadcast(&rd.room);
            continue;
        }
        if (rd.running == 0) break;
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_nsec += 20 * 1000000L;
        if (ts.tv_nsec >= 1000000000L) ts.tv_sec++, ts.tv_nsec -= 1000000000L;
        pthread_cond_timedwait(&rd.cv, &rd.mu, &ts);
    }
    pthread_mutex_unlock(&rd.mu);
    for (size_t i = 0; i < started; i++)
        pthread_join(tids[i], NULL);
    for (size_t i = 0; i < rd.window; i++)
        if (rd.ready[i]) model_detail_page_clear(&rd.slot[i]);
    *pages = rd.merged;
    free(tids);
    free(rd.slot);
    free(rd.ready);
    pthread_cond_destroy(&rd.room);
    pthread_cond_destroy(&rd.cv);
    pthread_mutex_destroy(&rd.mu);

    if (merge_failed) return -1;
    if (cancelled || (cancel && atomic_load(cancel))) {
        apierr_clear(err);
        apierr_set(err, APIERR_CANCELLED, "cancelled");
        return -1;
    }
    if (rd.failed) {
        *err = rd.first_err;
        return -1;
    }
    return 0;
}

int api_detail_all(struct api_client *c, int64_t record_id, int concurrency,
                   struct detail_page *out, const atomic_int *cancel, struct api_error *err)
{
    struct api_error scratch;
    if (!err) err = &scratch;
    struct detail_query q0 = {record_id, 0, API_DETAIL_MAX_LIMIT};
    if (api_describe_detail(c, &q0, out, cancel, err) != 0) return -1;
    if (paging_detail_check(out, err) != 0) {
        model_detail_page_clear(out);
        return -1;
    }
    if (concurrency < 1) concurrency = 1;
    if (concurrency > PAGING_DETAIL_MAX_CONCURRENCY) concurrency = PAGING_DETAIL_MAX_CONCURRENCY;

    /* Every count below is bounded by paging_detail_check: no offset arithmetic can overflow. */
    int64_t next = API_DETAIL_MAX_LIMIT;
    for (int round = 0; !paging_detail_complete(out); round++) {
        if (round == PAGING_DETAIL_MAX_ROUNDS) {
            apierr_clear(err);
            apierr_set(err, APIERR_DECODE,
                       "Response.DeployRecordDetail: still incomplete after %d rounds of pages; "
                       "the server's paging does not converge",
                       PAGING_DETAIL_MAX_ROUNDS);
            model_detail_page_clear(out);
            return -1;
        }
        /* First round: every offset up to the largest group (paging inside groups, as the
         * emulator does by default). Later rounds are only reached if the server pages
         * differently. The second: every offset up to the longest run's groups concatenated
         * (paging over the whole list) in one go — in rounds of `concurrency` pages a big
         * record would hit PAGING_DETAIL_MAX_ROUNDS. After that, or when there is no such offset
         * left: the next `concurrency` pages, until nothing new arrives. A round ends at its
         * first page that brings nothing new. */
        int64_t until = round == 0   ? paging_detail_max_total(out)
                        : round == 1 ? paging_detail_max_span(out)
                                     : 0;
        size_t n = (size_t)concurrency;
        if (until > next)
            n = (size_t)((until - next + API_DETAIL_MAX_LIMIT - 1) / API_DETAIL_MAX_LIMIT);
        size_t added = 0, pages = 0;
        if (paging_detail_round(c, record_id, next, n, concurrency, out, &added, &pages, cancel,
                                err) != 0) {
            model_detail_page_clear(out);
            return -1;
        }
        next += (int64_t)pages * API_DETAIL_MAX_LIMIT;
        if (added == 0) break;
    }
    return 0;
}
