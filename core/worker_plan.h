/* The planner's entries for the worker's threads (core/worker_threads.c); called with w->mu
 * held. */
#ifndef CERTDECK_WORKER_PLAN_H
#define CERTDECK_WORKER_PLAN_H

#include <stdbool.h>
#include <stdint.h>

#include "core/worker_jobs.h"

/* A read job that was not cancelled, for an entry still current, came back: its page (ok) or
 * its error goes into the store, then whatever its target still needs is queued (ok, and the
 * worker is not stopping). A page at the frontier that brought nothing new stops paging
 * there. */
void worker_plan_landed(struct worker *w, const struct job *j, bool ok, const struct outcome *out);
/* After a write: the record's detail (first page) and the record list are fetched again, so
 * they show its effect. */
void worker_plan_after_write(struct worker *w, uint64_t record_id);
/* Forgets what the views wanted (a new generation says anew). */
void worker_plan_clear(struct worker *w);

#endif
