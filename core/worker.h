/* The background threads that own all network I/O. The UI submits requests (never blocks);
 * the worker merges identical ones, pages large groups concurrently within the rate limit,
 * retries with backoff (through api), writes results into the store, and drops results for
 * views the user has left (their transfers are aborted). */
#ifndef CERTDECK_WORKER_H
#define CERTDECK_WORKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/api.h"
#include "core/store.h"
#include "core/worker_stats.h"

#define WORKER_PAGE_LIMIT    200 /* detail items per request (the API's maximum) */
#define WORKER_RECORDS_LIMIT 100 /* record-list rows per request */
/* How long in-flight requests of a view the user left keep running, in case the next view
 * asks for the same entry (then they are kept), before their transfers are aborted. */
#define WORKER_CANCEL_GRACE_MS 100
/* A request held back by the api client's rate limit (a token wait, longer after a
 * RequestLimitExceeded) longer than this shows in the store (store_rate_wait) until it
 * proceeds; shorter waits are routine and not shown. */
#define WORKER_RATE_NOTICE_MS 200
/* Page requests of one entry (the record list, or one record's detail) waiting for a thread at
 * most: the rest of a long paging target is queued as earlier pages complete. */
#define WORKER_QUEUE_PER_ENTRY 256

struct worker;

/* threads >= 1 (<= 0: 4). The worker does not own api or store; both must outlive it.
 * worker_new installs an observer on api that copies every call's trace into the store's
 * event log, and a wait hook (api_client_set_wait_hook) through which its threads' rate-limit
 * waits reach the store as they happen; worker_free removes both. */
struct worker *worker_new(struct api_client *api, struct store *store, int threads);
/* Drops what is queued, cancels what is in flight, joins the threads. Never hangs: reads are
 * aborted through their cancel flag; a write action already sent finishes first. */
void worker_free(struct worker *w);

/* The UI's current view generation: bump it when the user leaves a view, BEFORE the new
 * view's first worker_want_* call. Requests submitted under another generation that are still
 * queued are dropped at once; those in flight are aborted WORKER_CANCEL_GRACE_MS later unless
 * a worker_want_* call under the new generation names the same entry (the records list, or
 * one record's detail) — those keep running and feed the new view. Either way the store
 * entry goes back to the state it had (never stuck in LOADING). Write actions are never
 * cancelled by a generation change. */
void worker_set_generation(struct worker *w, uint64_t generation);

/* Paging stays within the limits api_records_all and api_detail_all keep (api.h): no page
 * beyond API_RECORDS_MAX rows or API_DETAIL_MAX_ITEMS items is ever asked for. When a want
 * needs more than that (a server claiming a TotalCount above them), or a record's detail
 * holds more than API_DETAIL_MAX_GROUPS groups or API_DETAIL_MAX_ITEMS items and more are
 * wanted, the entry goes to STORE_ERROR with an APIERR_DECODE naming the count ("the server
 * reports 9007199254740991 instances in group clb, more than certdeck pages (500,000):
 * refusing to page further"); what is loaded stays, and nothing more is fetched for it until
 * a refresh. A want the limits allow is served as usual, whatever the totals say. */

/* Make sure the record list holds at least `want_rows` rows (pages of WORKER_RECORDS_LIMIT
 * ahead of the scroll); the worker keeps fetching pages until it does or the list ends.
 * refresh: re-fetch the pages up to want_rows from the first. A filter different from the
 * stored one starts over (requests for the old filter are aborted at once). */
void worker_want_records(struct worker *w, const char *old_cert_filter, size_t want_rows,
                         bool refresh);
/* Make sure every group of record_id's detail holds at least min(want_items, its TotalCount)
 * items: worker_want_group for every group of every run. want_items <= 0: the first page.
 * refresh: re-fetch the first page (runs, counts, statuses). */
void worker_want_detail(struct worker *w, uint64_t record_id, int64_t want_items, bool refresh);
/* Make sure group resource_type of run run_index (NULL: every group of that run) holds at
 * least min(want_items, its TotalCount) items, whichever way the server pages the detail
 * (spec/API.md §10: inside each group, or over each run's groups concatenated). The first page
 * comes first (it tells the group sizes); then every missing page below the target is queued at
 * once (WORKER_QUEUE_PER_ENTRY at most; the rest as those complete), so several run concurrently
 * (under group paging that is all it takes, and nothing more is asked). While the group is still
 * short after them (flat paging: its items lie behind the earlier groups of its run), the worker
 * steps on from the store's fetched_offset, a few pages at a time, as long as each step brings new
 * items to the run, never beyond the run's item count (the sum of its groups' TotalCount).
 * want_items <= 0: the first page. refresh: as for worker_want_detail. Asking again for what is
 * queued or in flight adds nothing; wants last until the next generation. */
void worker_want_group(struct worker *w, uint64_t record_id, size_t run_index,
                       const char *resource_type, int64_t want_items, bool refresh);

/* Write actions, never merged or retried blindly; the call's trace (outcome, request id) lands
 * in the event log, then the record's detail (first page) and the record list are refreshed.
 * detail_id < 0: retry every failed item of the record. */
void worker_rollback(struct worker *w, uint64_t record_id);
void worker_retry(struct worker *w, uint64_t record_id, int64_t detail_id);

/* True when nothing is queued or in flight (the scripted tests' wait-idle). The worker also
 * touches the store when it becomes idle, so a poll() on the wake fd sees it. */
bool worker_idle(struct worker *w);

void worker_get_stats(struct worker *w, struct worker_stats *out);

#endif
