/* The job queue: jobs are queued under the view generation that asked, merged when identical,
 * bounded per entry, dropped or cancelled when their entry starts over; and the write actions,
 * which are submitted as they come. The planner (worker_plan.c) says which pages to queue; the
 * threads (worker_threads.c) run them. */
#include "core/worker.h"

#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "core/worker_jobs.h"

bool worker_job_is_read(const struct job *j)
{
    return j->kind == JOB_RECORDS || j->kind == JOB_DETAIL;
}

void worker_job_free(struct job *j)
{
    if (!j) return;
    free(j->filter);
    free(j);
}

static bool worker_is_idle(const struct worker *w)
{
    return w->n_queue == 0 && w->n_running == 0;
}

void worker_touch_if_idle(struct worker *w)
{
    if (worker_is_idle(w)) store_touch(w->store);
}

/* ---- the store side of a job (w->mu held: lock order is worker, then store) ---------------- */

bool worker_job_current(const struct worker *w, const struct job *j)
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

void worker_job_abort_store(struct worker *w, const struct job *j)
{
    if (!worker_job_current(w, j)) return;
    if (j->kind == JOB_RECORDS)
        store_records_abort(w->store);
    else if (j->kind == JOB_DETAIL)
        store_detail_abort(w->store, j->record_id);
}

/* ---- queue --------------------------------------------------------------------------------- */

void worker_list_push(struct job ***list, size_t *n, size_t *cap, struct job *j)
{
    /* Arrays of job pointers: the element size is a pointer's. */
    *list = xgrow(*list, cap, *n + 1, sizeof(**list)); // NOLINT(bugprone-sizeof-expression)
    (*list)[(*n)++] = j;
}

void worker_list_remove_at(struct job **list, size_t *n, size_t i)
{
    memmove(&list[i], &list[i + 1],
            (*n - i - 1) * sizeof(*list)); // NOLINT(bugprone-sizeof-expression)
    (*n)--;
}

void worker_list_remove(struct job **list, size_t *n, const struct job *j)
{
    for (size_t i = 0; i < *n; i++) {
        if (list[i] == j) {
            worker_list_remove_at(list, n, i);
            return;
        }
    }
}

static void submit(struct worker *w, struct job *j)
{
    j->gen = w->generation;
    atomic_init(&j->cancel, 0);
    job_begin_store(w, j);
    worker_list_push(&w->queue, &w->n_queue, &w->cap_queue, j);
    w->stats.submitted++;
    pthread_cond_signal(&w->work_cv);
}

void worker_drop_queued_at(struct worker *w, size_t i)
{
    struct job *j = w->queue[i];
    worker_list_remove_at(w->queue, &w->n_queue, i);
    if (worker_job_is_read(j)) worker_job_abort_store(w, j);
    w->stats.dropped++;
    worker_job_free(j);
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
            if (kind == JOB_RECORDS && !store_same_filter(j->filter, filter)) continue;
            if (kind == JOB_DETAIL && j->record_id != record_id) continue;
            if (atomic_load(&j->cancel)) continue;
            *running = pass == 1;
            return j;
        }
    }
    return NULL;
}

bool worker_want_page(struct worker *w, enum job_kind kind, const char *filter, uint64_t record_id,
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

size_t worker_queue_budget(const struct worker *w, enum job_kind kind, uint64_t record_id)
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

void worker_records_restart(struct worker *w)
{
    w->records_epoch++;
    for (size_t i = 0; i < w->n_queue;) {
        if (w->queue[i]->kind == JOB_RECORDS) {
            struct job *j = w->queue[i];
            worker_list_remove_at(w->queue, &w->n_queue, i);
            w->stats.dropped++;
            worker_job_free(j); /* the store entry is about to be reset: nothing to undo */
        } else {
            i++;
        }
    }
    for (size_t i = 0; i < w->n_running; i++)
        if (w->running[i]->kind == JOB_RECORDS) atomic_store(&w->running[i]->cancel, 1);
}

/* ---- write actions and counters ------------------------------------------------------------ */

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
