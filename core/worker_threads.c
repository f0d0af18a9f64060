/* The worker's threads: their lifecycle, the loop that runs a job and lands its outcome, the
 * change of view generation, and the reaper, which aborts the transfers of views the user has
 * left and publishes rate-limit waits that last. */
#include "core/worker.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/threads.h"
#include "core/util.h"
#include "core/worker_jobs.h"
#include "core/worker_plan.h"

static void fatal(const char *what, int rc)
{
    fprintf(stderr, "certdeck: worker: %s failed (%s)\n", what, strerror(rc));
    abort();
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
    worker_list_remove(w->running, &w->n_running, j);
    bool cancelled = atomic_load(&j->cancel) || (out->rc != 0 && out->err.kind == APIERR_CANCELLED);
    bool ok = out->rc == 0 && !cancelled;
    bool current = worker_job_current(w, j);

    if (!worker_job_is_read(j)) {
        w->stats.done++; /* the call's trace (outcome, request id) is in the log already */
        if (!w->stopping) worker_plan_after_write(w, j->record_id);
    } else if (cancelled) {
        w->stats.cancelled++;
        worker_job_abort_store(w, j);
    } else if (current) {
        w->stats.done++;
        worker_plan_landed(w, j, ok, out);
    }
    if (!w->stopping && j->rerun && current)
        worker_want_page(w, j->kind, j->filter, j->record_id, j->offset, true, false);

    if (j->kind == JOB_RECORDS) model_records_page_clear(&out->records);
    if (j->kind == JOB_DETAIL) model_detail_page_clear(&out->detail);
    worker_job_free(j);
    worker_touch_if_idle(w);
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
        worker_list_remove_at(w->queue, &w->n_queue, 0);
        worker_list_push(&w->running, &w->n_running, &w->cap_running, j);
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
        if ((rc = threads_create(&w->threads[i], thread_main, w))) fatal("pthread_create", rc);
    if ((rc = threads_create(&w->reaper, reaper_main, w))) fatal("pthread_create", rc);
    return w;
}

void worker_free(struct worker *w)
{
    if (!w) return;
    pthread_mutex_lock(&w->mu);
    w->stopping = true;
    while (w->n_queue > 0)
        worker_drop_queued_at(w, w->n_queue - 1);
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
    worker_plan_clear(w);
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
        if (worker_job_is_read(w->queue[i]) && w->queue[i]->gen != generation)
            worker_drop_queued_at(w, i);
        else
            i++;
    }
    int64_t deadline = now_ms() + WORKER_CANCEL_GRACE_MS;
    for (size_t i = 0; i < w->n_running; i++) {
        struct job *j = w->running[i];
        if (worker_job_is_read(j) && j->gen != generation && j->doom_ms == 0 &&
            !atomic_load(&j->cancel))
            j->doom_ms = deadline;
    }
    worker_plan_clear(w); /* the new view says what it wants */
    pthread_cond_signal(&w->reap_cv);
    worker_touch_if_idle(w);
    pthread_mutex_unlock(&w->mu);
}
