/* What a store holds, copied under its lock and then written as a snapshot without it: the
 * TUI's :save, whose writing must not hold up the worker or the screen. */
#include "core/snapshot.h"

#include <stdlib.h>
#include <string.h>

#include "core/store_entries.h"
#include "core/util.h"

struct snapshot_hold {
    char *old_cert_filter;
    uint64_t records_total;
    struct update_record *records;
    size_t n_records;
    struct snapshot_detail *details; /* by record Id */
    size_t n_details;
    struct api_trace *log; /* oldest first */
    size_t n_log;
    int64_t at_ms, at_unix; /* one reading of both clocks, for the events' times */
};

static int cmp_detail(const void *a, const void *b)
{
    uint64_t x = ((const struct snapshot_detail *)a)->record_id;
    uint64_t y = ((const struct snapshot_detail *)b)->record_id;
    return x < y ? -1 : x > y;
}

struct snapshot_hold *snapshot_hold_take(struct store *st)
{
    struct snapshot_hold *h = xcalloc(1, sizeof *h);
    store_lock(st);
    const struct store_records *r = &st->records;
    h->old_cert_filter = xstrdup(r->old_cert_filter);
    h->records_total = r->total_count;
    h->records = xcalloc(r->n_records ? r->n_records : 1, sizeof *h->records);
    for (size_t i = 0; i < r->n_records; i++)
        model_record_copy(&h->records[h->n_records++], &r->records[i]);
    h->details = xcalloc(st->n_details ? st->n_details : 1, sizeof *h->details);
    for (size_t i = 0; i < st->n_details; i++) {
        const struct store_detail *d = &st->details[i]->d;
        if (!d->page.n_runs) continue; /* nothing loaded (yet, or ever) */
        struct snapshot_detail *sd = &h->details[h->n_details++];
        sd->record_id = d->record_id;
        sd->page.runs = xcalloc(d->page.n_runs, sizeof *sd->page.runs);
        sd->page.n_runs = d->page.n_runs;
        for (size_t k = 0; k < d->page.n_runs; k++)
            model_run_copy(&sd->page.runs[k], &d->page.runs[k]);
    }
    size_t n = store_log_len(st);
    h->log = xcalloc(n ? n : 1, sizeof *h->log);
    for (size_t i = 0; i < n; i++)
        h->log[h->n_log++] = *store_log_at(st, i);
    store_unlock(st);
    h->at_ms = now_ms();
    h->at_unix = now_unix();
    qsort(h->details, h->n_details, sizeof *h->details, cmp_detail);
    return h;
}

int snapshot_hold_write(const struct snapshot_hold *h, const char *path,
                        const struct snapshot_meta *meta, bool exclusive,
                        struct snapshot_stats *stats, char *err, size_t errlen)
{
    struct snapshot_meta m = *meta;
    m.old_cert_filter = h->old_cert_filter;
    m.records_total = h->records_total;
    struct snapshot_writer *w = snapshot_write_begin(path, &m, exclusive, err, errlen);
    if (!w) return -1;
    for (size_t i = 0; i < h->n_records; i++)
        snapshot_write_record(w, &h->records[i]);
    for (size_t i = 0; i < h->n_details; i++)
        snapshot_write_detail(w, h->details[i].record_id, &h->details[i].page);
    for (size_t i = 0; i < h->n_log; i++)
        snapshot_write_event(w, &h->log[i], h->at_ms, h->at_unix);
    return snapshot_write_end(w, stats, err, errlen);
}

void snapshot_hold_free(struct snapshot_hold *h)
{
    if (!h) return;
    free(h->old_cert_filter);
    for (size_t i = 0; i < h->n_records; i++)
        model_record_clear(&h->records[i]);
    free(h->records);
    for (size_t i = 0; i < h->n_details; i++)
        model_detail_page_clear(&h->details[i].page);
    free(h->details);
    free(h->log);
    free(h);
}
