/* The record list in the store: pages merged in server order without a repeated Id, pages
 * that arrive ahead of a missing one held back until the gap fills. */
#include "core/store.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/id_index.h"
#include "core/store_entries.h"
#include "core/util.h"

const struct store_records *store_records(struct store *s)
{
    return &s->records;
}

bool store_records_page_held(struct store *s, uint64_t offset)
{
    for (size_t i = 0; i < s->n_rheld; i++)
        if (s->rheld[i].offset == offset) return true;
    return false;
}

void store_records_begin(struct store *s, const char *old_cert_filter, bool refresh)
{
    pthread_mutex_lock(&s->mu);
    struct store_records *r = &s->records;
    if (!store_same_filter(r->old_cert_filter, old_cert_filter)) {
        store_records_clear_rows(r);
        store_records_clear_held(s);
        free(r->old_cert_filter);
        r->old_cert_filter = old_cert_filter && *old_cert_filter ? xstrdup(old_cert_filter) : NULL;
        struct store_meta fresh = {0};
        r->meta = fresh;
        r->total_count = 0;
        r->loaded_offset = 0;
        r->complete = false;
    }
    store_meta_begin(&r->meta, &s->records_before, refresh);
    store_changed(s);
    pthread_mutex_unlock(&s->mu);
}

/* Rows [offset, offset + n) become the page's rows. Rows before offset stay; rows after stay
 * unless the page ends the list. No Id appears twice: the page wins over older rows. */
static void records_merge(struct store_records *r, uint64_t offset, const struct records_page *p)
{
    size_t n_old = r->n_records;
    size_t prefix = offset < n_old ? (size_t)offset : n_old;
    uint64_t reach = offset + p->n_records;
    bool ends_list = reach >= p->total_count;
    size_t tail_from = reach < n_old ? (size_t)reach : n_old;
    if (ends_list) tail_from = n_old;

    struct id_index in_page;
    id_index_init(&in_page, p->n_records);
    for (size_t i = 0; i < p->n_records; i++)
        id_index_lookup(&in_page, p->records[i].id, i);

    struct update_record *rows = xcalloc(n_old + p->n_records + 1, sizeof(*rows));
    size_t n = 0;
    for (size_t i = 0; i < prefix; i++) {
        if (id_index_lookup(&in_page, r->records[i].id, SIZE_MAX))
            model_record_clear(&r->records[i]);
        else
            rows[n++] = r->records[i];
    }
    for (size_t i = 0; i < p->n_records; i++) {
        if (id_index_lookup(&in_page, p->records[i].id, SIZE_MAX) != i + 1) continue; /* repeated */
        model_record_copy(&rows[n++], &p->records[i]);
    }
    for (size_t i = prefix; i < n_old; i++) {
        if (i >= tail_from && !id_index_lookup(&in_page, r->records[i].id, SIZE_MAX))
            rows[n++] = r->records[i];
        else
            model_record_clear(&r->records[i]);
    }
    free(in_page.slots);
    free(r->records);
    r->records = rows;
    r->n_records = n;
    r->total_count = p->total_count;
    if (ends_list || reach > r->loaded_offset) r->loaded_offset = reach;
    r->complete = r->loaded_offset >= r->total_count;
}

static void records_page_copy(struct records_page *dst, const struct records_page *src)
{
    dst->total_count = src->total_count;
    dst->n_records = src->n_records;
    dst->records = xcalloc(src->n_records ? src->n_records : 1, sizeof(*dst->records));
    for (size_t i = 0; i < src->n_records; i++)
        model_record_copy(&dst->records[i], &src->records[i]);
    dst->request_id = xstrdup(src->request_id);
}

static void records_hold(struct store *s, uint64_t offset, const struct records_page *p)
{
    for (size_t i = 0; i < s->n_rheld; i++) {
        if (s->rheld[i].offset == offset) {
            model_records_page_clear(&s->rheld[i].page);
            records_page_copy(&s->rheld[i].page, p);
            return;
        }
    }
    s->rheld = xgrow(s->rheld, &s->cap_rheld, s->n_rheld + 1, sizeof(*s->rheld));
    struct held_records *h = &s->rheld[s->n_rheld++];
    memset(h, 0, sizeof(*h));
    h->offset = offset;
    records_page_copy(&h->page, p);
}

/* Merges held pages the list has caught up with; drops those beyond its end. */
static void records_drain_held(struct store *s)
{
    struct store_records *r = &s->records;
    for (;;) {
        size_t best = s->n_rheld;
        for (size_t i = 0; i < s->n_rheld; i++) {
            if (s->rheld[i].offset <= r->loaded_offset &&
                (best == s->n_rheld || s->rheld[i].offset < s->rheld[best].offset))
                best = i;
        }
        if (best == s->n_rheld) break;
        struct held_records h = s->rheld[best];
        s->rheld[best] = s->rheld[--s->n_rheld];
        records_merge(r, h.offset, &h.page);
        model_records_page_clear(&h.page);
    }
    if (r->complete) {
        for (size_t i = 0; i < s->n_rheld;) {
            if (s->rheld[i].offset >= r->total_count) {
                model_records_page_clear(&s->rheld[i].page);
                s->rheld[i] = s->rheld[--s->n_rheld];
            } else {
                i++;
            }
        }
    }
}

void store_records_put(struct store *s, uint64_t offset, const struct records_page *page)
{
    pthread_mutex_lock(&s->mu);
    struct store_records *r = &s->records;
    store_meta_end(&r->meta);
    bool first = r->meta.fetched_ms == 0;
    if ((first && offset == 0) || (!first && offset <= r->loaded_offset)) {
        records_merge(r, offset, page);
        records_drain_held(s);
        store_meta_loaded(&r->meta);
    } else if (!(r->complete && offset >= r->total_count)) {
        records_hold(s, offset, page);
    }
    store_meta_settle(&r->meta, s->records_before);
    store_changed(s);
    pthread_mutex_unlock(&s->mu);
}

void store_records_fail(struct store *s, const struct api_error *err)
{
    pthread_mutex_lock(&s->mu);
    store_meta_end(&s->records.meta);
    store_meta_fail(&s->records.meta, err);
    store_changed(s);
    pthread_mutex_unlock(&s->mu);
}

void store_records_abort(struct store *s)
{
    pthread_mutex_lock(&s->mu);
    store_meta_end(&s->records.meta);
    store_meta_settle(&s->records.meta, s->records_before);
    store_changed(s);
    pthread_mutex_unlock(&s->mu);
}
