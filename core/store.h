/* The status model: the one place fetched data lives, shared by the worker threads (writers)
 * and the render loop (reader). One mutex guards everything; every change bumps a generation
 * counter and makes the wake fd readable, so the render loop can sleep in poll() until there
 * is something new to draw. Readers call store_lock(), read through the accessors, and
 * store_unlock() — pointers returned by accessors are valid only while the lock is held. */
#ifndef CERTDECK_STORE_H
#define CERTDECK_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/api.h"
#include "core/apierr.h"
#include "core/model.h"
#include "core/store_types.h"

struct store;

/* store_new() aborts (like xmalloc) if it cannot create its mutex or wake fd. */
struct store *store_new(void);
void store_free(struct store *s);

void store_lock(struct store *s);
void store_unlock(struct store *s);

/* Accessors: call with the lock held. */
const struct store_records *store_records(struct store *s);
const struct store_detail *store_detail(struct store *s, uint64_t record_id); /* NULL: none */
/* True when a page fetched at that offset arrived ahead of a missing one and waits to be
 * merged (the worker does not ask for it again). */
bool store_records_page_held(struct store *s, uint64_t offset);
bool store_detail_page_held(struct store *s, uint64_t record_id, int64_t offset);
/* Event log of the last STORE_LOG_CAPACITY API calls, oldest first; i < store_log_len(). */
size_t store_log_len(struct store *s);
const struct api_trace *store_log_at(struct store *s, size_t i);
uint64_t store_generation(struct store *s);
/* Whether two OldCertificateId filters select the same record list: NULL and "" are both
 * "no filter". */
bool store_same_filter(const char *a, const char *b);

/* The rate-limit wait shown (struct store_rate_wait, core/store_types.h). */
const struct store_rate_wait *store_rate_wait(struct store *s);

/* Wake-up for poll(): readable after any change. store_drain_wake() empties it. */
int store_wake_fd(struct store *s);
void store_drain_wake(struct store *s);

/* Writers (the worker). Each takes the lock itself, bumps the generation and wakes. Each
 * _begin (one request queued) is ended by exactly one _put, _fail or _abort. Data passed in is
 * deep-copied: the caller keeps ownership. */
/* A filter different from the stored one (store_same_filter) empties the list first. */
void store_records_begin(struct store *s, const char *old_cert_filter, bool refresh);
/* Writes the page's rows at offset: appends (offset == loaded_offset), replaces rows already
 * there (a refresh; a refresh page that ends the list drops the stale tail), or holds the page
 * until the rows before it arrive. */
void store_records_put(struct store *s, uint64_t offset, const struct records_page *page);
void store_records_fail(struct store *s, const struct api_error *err);
/* The request was cancelled or dropped: no data, no error. */
void store_records_abort(struct store *s);
void store_detail_begin(struct store *s, uint64_t record_id, bool refresh);
/* Merges one page fetched at offset with Limit `limit` (the span of offsets it covers; <= 0:
 * API_DETAIL_MAX_LIMIT) into the record's detail (deep copies): merged at once when offset <=
 * fetched_offset (then fetched_offset reaches at least offset + limit), held otherwise. A
 * refresh at offset 0 replaces the runs' counts and status and the first page's items (by Id)
 * but keeps already-loaded items beyond it; if the runs or groups changed shape (a rollback
 * added a run), fetched_offset drops back to the first page so deeper pages are fetched
 * again. */
void store_detail_put(struct store *s, uint64_t record_id, int64_t offset, int64_t limit,
                      const struct detail_page *page);
void store_detail_fail(struct store *s, uint64_t record_id, const struct api_error *err);
void store_detail_abort(struct store *s, uint64_t record_id);
void store_log_push(struct store *s, const struct api_trace *trace);
/* Replaces the rate-limit wait shown (a change only when it differs). */
void store_set_rate_wait(struct store *s, const struct store_rate_wait *rw);
/* Anything else that should make the UI redraw (e.g. the worker went idle). */
void store_touch(struct store *s);

#endif
