/* The store's layout, shared by its three files: struct store with the record list's and the
 * details' entries and the pages they hold back, and what core/store.c gives the other two —
 * the change notice, the entry-state transitions and the freeing of entries. Every function
 * here is called with the store's lock held. */
#ifndef CERTDECK_STORE_ENTRIES_H
#define CERTDECK_STORE_ENTRIES_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/api.h"
#include "core/store_types.h"

/* A page that arrived before the one in front of it: kept (deep copy) until the gap fills. */
struct held_records {
    uint64_t offset;
    struct records_page page;
};

struct held_detail {
    int64_t offset;
    int64_t limit;
    struct detail_page page;
};

struct detail_entry {
    struct store_detail d;
    enum store_state before; /* state when the current round of requests began */
    struct held_detail *held;
    size_t n_held, cap_held;
    uint64_t last_used;
};

struct store {
    pthread_mutex_t mu;
    uint64_t generation;
    int wake_rd, wake_wr; /* the same fd when it is an eventfd */

    struct store_records records;
    enum store_state records_before;
    struct held_records *rheld;
    size_t n_rheld, cap_rheld;

    struct detail_entry **details;
    size_t n_details, cap_details;
    uint64_t use_clock;

    struct store_rate_wait rate_wait;

    struct api_trace log[STORE_LOG_CAPACITY];
    size_t log_head; /* index of the oldest entry */
    size_t log_len;
};

/* Every write ends here: a new generation and a readable wake fd. */
void store_changed(struct store *s);

/* Per-entry state (the transitions in store.h). A request begins (before: where the entry
 * goes back to if all of its round is cancelled), ends, and the entry is loaded or failed;
 * settle, once nothing is in flight, undoes a LOADING or STALE whose requests were all
 * cancelled. */
void store_meta_begin(struct store_meta *m, enum store_state *before, bool refresh);
void store_meta_end(struct store_meta *m);
void store_meta_settle(struct store_meta *m, enum store_state before);
void store_meta_loaded(struct store_meta *m);
void store_meta_fail(struct store_meta *m, const struct api_error *err);

void store_records_clear_rows(struct store_records *r);
void store_records_clear_held(struct store *s);
void store_detail_entry_free(struct detail_entry *e);

#endif
