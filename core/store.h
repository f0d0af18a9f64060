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

enum store_state {
    STORE_IDLE = 0, /* never asked for */
    STORE_LOADING,  /* a first fetch is in flight */
    STORE_LOADED,
    STORE_STALE,    /* loaded, and a refresh is in flight */
    STORE_ERROR,    /* the last fetch failed: see last_error (older data may still be there) */
};

/* Per-entry state shared by every kind of entry. */
struct store_meta {
    enum store_state state;
    struct api_error last_error; /* kind APIERR_NONE when the last fetch succeeded */
    int64_t fetched_unix;        /* wall-clock time of the last successful fetch (0: never) */
    int64_t fetched_ms;          /* now_ms() of the same */
    int inflight;                /* requests in flight for this entry */
};

/* The record list (DescribeHostUploadUpdateRecord), loaded page by page in server order. */
struct store_records {
    struct store_meta meta;
    char *old_cert_filter;          /* NULL: all records */
    struct update_record *records;  /* rows loaded so far */
    size_t n_records;
    uint64_t total_count;           /* as the server last said */
    bool complete;                  /* n_records == total_count */
};

/* One record's detail (DescribeHostUploadUpdateRecordDetail). page.runs[*].groups[*].items
 * accumulate as pages arrive (each API page holds the next slice of every group). */
struct store_detail {
    struct store_meta meta;
    uint64_t record_id;
    struct detail_page page;
    int64_t loaded_offset; /* every group holds all its items below this offset */
    int64_t max_group_total; /* largest TotalCount of any group */
    bool complete;           /* every group holds TotalCount items */
};

#define STORE_LOG_CAPACITY 256

struct store;

struct store *store_new(void);
void store_free(struct store *s);

void store_lock(struct store *s);
void store_unlock(struct store *s);

/* Accessors: call with the lock held. */
const struct store_records *store_records(struct store *s);
const struct store_detail *store_detail(struct store *s, uint64_t record_id); /* NULL: none */
/* Event log of the last STORE_LOG_CAPACITY API calls, oldest first; i < store_log_len(). */
size_t store_log_len(struct store *s);
const struct api_trace *store_log_at(struct store *s, size_t i);
uint64_t store_generation(struct store *s);

/* Wake-up for poll(): readable after any change. store_drain_wake() empties it. */
int store_wake_fd(struct store *s);
void store_drain_wake(struct store *s);

/* Writers (the worker). Each takes the lock itself, bumps the generation and wakes. */
void store_records_begin(struct store *s, const char *old_cert_filter, bool refresh);
/* Appends (offset == n_records) or replaces from offset (refresh of the first page). */
void store_records_put(struct store *s, uint64_t offset, const struct records_page *page);
void store_records_fail(struct store *s, const struct api_error *err);
void store_detail_begin(struct store *s, uint64_t record_id, bool refresh);
/* Merges one page fetched at offset into the record's detail (deep copies). A refresh at
 * offset 0 replaces the runs' counts and status but keeps already-loaded items beyond it. */
void store_detail_put(struct store *s, uint64_t record_id, int64_t offset,
                      const struct detail_page *page);
void store_detail_fail(struct store *s, uint64_t record_id, const struct api_error *err);
void store_log_push(struct store *s, const struct api_trace *trace);
/* Anything else that should make the UI redraw (e.g. a rate-limit wait started). */
void store_touch(struct store *s);

#endif
