/* The background threads that own all network I/O. The UI submits requests (never blocks);
 * the worker merges identical ones, pages large groups concurrently within the rate limit,
 * retries with backoff (through api), writes results into the store, and drops results for
 * views the user has left (their transfers are aborted). */
#ifndef CERTDECK_WORKER_H
#define CERTDECK_WORKER_H

#include <stdbool.h>
#include <stdint.h>

#include "core/api.h"
#include "core/store.h"

#define WORKER_PAGE_LIMIT 200

struct worker;

/* threads >= 1 (default 4). The worker does not own api or store. */
struct worker *worker_new(struct api_client *api, struct store *store, int threads);
/* Cancels everything in flight, joins the threads. */
void worker_free(struct worker *w);

/* The UI's current view generation: bump it when the user leaves a view; jobs submitted
 * under an older generation that are still queued are dropped and in-flight transfers are
 * aborted, unless they feed the view now shown (same entry). */
void worker_set_generation(struct worker *w, uint64_t generation);

/* Make sure the record list holds at least `want_rows` rows (pages of 100 ahead of the
 * scroll). refresh: re-fetch from the first page. A filter different from the stored one
 * starts over. */
void worker_want_records(struct worker *w, const char *old_cert_filter, size_t want_rows,
                         bool refresh);
/* Make sure record_id's detail has every group loaded below offset want_items (rounded up to
 * pages of WORKER_PAGE_LIMIT, several pages concurrently). want_items <= 0: the first page. */
void worker_want_detail(struct worker *w, uint64_t record_id, int64_t want_items, bool refresh);

/* Write actions, never merged or retried blindly; the result lands in the event log and the
 * affected record's detail is refreshed. detail_id < 0: retry every failed item. */
void worker_rollback(struct worker *w, uint64_t record_id);
void worker_retry(struct worker *w, uint64_t record_id, int64_t detail_id);

/* True when nothing is queued or in flight (the scripted tests' wait-idle). */
bool worker_idle(struct worker *w);

#endif
