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

/* Transitions: IDLE -> LOADING (first fetch) -> LOADED; LOADED -> STALE (refresh) -> LOADED;
 * any fetch that fails -> ERROR (the data already loaded stays, last_error says why); a fetch
 * that is cancelled or dropped goes back to the state before it began. Fetching further pages
 * of a loaded entry keeps it LOADED with inflight > 0 ("loading more"). */
enum store_state {
    STORE_IDLE = 0, /* never asked for */
    STORE_LOADING,  /* a first fetch is in flight */
    STORE_LOADED,
    STORE_STALE, /* loaded, and a refresh is in flight */
    STORE_ERROR, /* the last fetch failed: see last_error (older data may still be there) */
};

/* Per-entry state shared by every kind of entry. */
struct store_meta {
    enum store_state state;
    struct api_error last_error; /* kind APIERR_NONE when the last fetch succeeded */
    int64_t fetched_unix;        /* wall-clock time of the last successful fetch (0: never) */
    int64_t fetched_ms;          /* now_ms() of the same; non-zero once the first page is in */
    int inflight;                /* requests queued or in flight for this entry */
};

/* The record list (DescribeHostUploadUpdateRecord), loaded page by page in server order. */
struct store_records {
    struct store_meta meta;
    char *old_cert_filter;         /* NULL: all records */
    struct update_record *records; /* rows loaded so far (no two with the same Id) */
    size_t n_records;
    uint64_t total_count;   /* as the server last said */
    uint64_t loaded_offset; /* every server row below this offset has been fetched */
    bool complete;          /* every row up to total_count has been fetched */
};

/* One record's detail (DescribeHostUploadUpdateRecordDetail). page.runs[*].groups[*].items
 * accumulate as pages arrive; runs are matched by position, groups by ResourceType, items by
 * Id (never twice). Pages that arrive ahead of a missing one are held back and merged once the
 * gap is filled, so items stay in server order.
 * How Limit/Offset page the groups is not documented (spec/API.md §10): each page may hold the
 * next slice of every group (group paging), or the next slice of each run's groups concatenated
 * in order (flat paging: item i of a group sits at offset <sum of the earlier groups' sizes> +
 * i). Either way a group's items arrive as a prefix of it, in order; what an offset brings
 * depends on the reading, hence two numbers: fetched_offset is about offsets, loaded_offset
 * about items. */
struct store_detail {
    struct store_meta meta;
    uint64_t record_id;
    struct detail_page page;
    /* Every page asked for below this offset (the server's offsets, whatever the reading) has
     * been merged: the next page to fetch is here. Pages fetched beyond it are held. */
    int64_t fetched_offset;
    /* Every group holds at least min(loaded_offset, its TotalCount) items: the fewest items
     * any incomplete group holds (max_group_total once complete). Under flat paging it can be
     * far below fetched_offset. */
    int64_t loaded_offset;
    int64_t max_group_total; /* largest TotalCount of any group */
    bool complete;           /* every group holds TotalCount items */
};

#define STORE_LOG_CAPACITY 256
/* Detail entries kept at most; beyond it the least recently used idle entry is forgotten. */
#define STORE_DETAIL_CAPACITY 64

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

/* The worker's requests held back by the client-side rate limit right now, counting only
 * those that have waited longer than WORKER_RATE_NOTICE_MS (shorter waits are not news). The
 * worker keeps it current (through the api client's wait hook); the status line shows it while
 * waiting > 0. */
struct store_rate_wait {
    int waiting;      /* requests waiting now; 0: none */
    double rate;      /* the limit they wait for, requests per second (0: none, a backoff hold) */
    int64_t since_ms; /* now_ms() when the longest-waiting of them began to wait */
};
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
