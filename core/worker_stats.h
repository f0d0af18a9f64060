/* The worker's counters (struct worker_stats), apart from core/worker.h so that the worker's
 * insides (core/worker_jobs.h) can hold them without its public header. */
#ifndef CERTDECK_WORKER_STATS_H
#define CERTDECK_WORKER_STATS_H

#include <stddef.h>
#include <stdint.h>

/* Counters for the status line and the tests. */
struct worker_stats {
    size_t queued;       /* jobs waiting for a thread */
    size_t running;      /* jobs a thread is working on (including rate-limit waits) */
    size_t peak_running; /* most jobs running at once so far */
    uint64_t submitted;  /* jobs queued */
    uint64_t merged;     /* requests satisfied by a job already queued or in flight */
    uint64_t dropped;    /* queued jobs dropped (generation change, filter change, exit) */
    uint64_t cancelled;  /* running jobs aborted */
    uint64_t kept;       /* in-flight jobs a new generation asked for again (kept) */
    uint64_t done;       /* jobs finished with a result written (data or error) */
};
#endif
