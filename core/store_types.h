/* What the store holds, as its readers see it (core/store.h is the store itself): an entry's
 * state, the record list, a record's detail, the rate-limit wait. Apart from store.h so that
 * the store's insides (core/store_entries.h) can hold them without its public header. */
#ifndef CERTDECK_STORE_TYPES_H
#define CERTDECK_STORE_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

/* The worker's requests held back by the client-side rate limit right now, counting only
 * those that have waited longer than WORKER_RATE_NOTICE_MS (shorter waits are not news). The
 * worker keeps it current (through the api client's wait hook); the status line shows it while
 * waiting > 0. */
struct store_rate_wait {
    int waiting;      /* requests waiting now; 0: none */
    double rate;      /* the limit they wait for, requests per second (0: none, a backoff hold) */
    int64_t since_ms; /* now_ms() when the longest-waiting of them began to wait */
};
#endif
