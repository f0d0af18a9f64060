/* The worker's insides, shared by its three files: struct worker and struct job, and the
 * queue operations of core/worker.c that the planner (worker_plan.c) and the threads
 * (worker_threads.c) call. Every function here is called with w->mu held; the lock order is
 * worker, then store. */
#ifndef CERTDECK_WORKER_JOBS_H
#define CERTDECK_WORKER_JOBS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/api.h"
#include "core/store.h"
#include "core/worker_stats.h"

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

/* What running a job brought back: a page (reads), a request id (writes), or err. */
struct outcome {
    int rc;
    struct api_error err;
    struct records_page records;
    struct detail_page detail;
    char request_id[80];
};

/* What the current view generation asked for (core/worker_plan.c). */
struct target;

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

bool worker_job_is_read(const struct job *j);
void worker_job_free(struct job *j);
/* False for a job of a record list that has since started over with another filter: its
 * result must not touch the new list's state. */
bool worker_job_current(const struct worker *w, const struct job *j);
/* The store entry of a read job that will bring nothing goes back to where it was. */
void worker_job_abort_store(struct worker *w, const struct job *j);

void worker_list_push(struct job ***list, size_t *n, size_t *cap, struct job *j);
void worker_list_remove_at(struct job **list, size_t *n, size_t i);
void worker_list_remove(struct job **list, size_t *n, const struct job *j);

/* Drops the queued job at i (its store entry goes back to where it was). */
void worker_drop_queued_at(struct worker *w, size_t i);
/* Makes sure one job fetches this page, merging with an identical one queued or running
 * (which then belongs to the current generation, and is no longer doomed). after_write: the
 * page must be fetched after a write that just finished, so a request already on the wire
 * does not count (it is re-run once done). True when a job was queued for it. */
bool worker_want_page(struct worker *w, enum job_kind kind, const char *filter, uint64_t record_id,
                      int64_t offset, bool refresh, bool after_write);
/* How many more page jobs of one entry (the record list, or record_id's detail) may be
 * queued now: WORKER_QUEUE_PER_ENTRY less those waiting for a thread. The rest of a long
 * target is queued as these complete (every completed page plans again). */
size_t worker_queue_budget(const struct worker *w, enum job_kind kind, uint64_t record_id);
/* The record list starts over for another filter: its queued requests are dropped and the
 * running ones cancelled, and results of either no longer count (records_epoch). */
void worker_records_restart(struct worker *w);
/* After anything that may have emptied the worker: the store is touched when it has, so a
 * poll() on the wake fd sees the worker go idle. */
void worker_touch_if_idle(struct worker *w);

#endif
