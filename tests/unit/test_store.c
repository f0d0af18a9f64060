/* The status model without any network: state transitions, paging and merging of records and
 * details, the generation counter, the wake fd, the event log ring, and concurrent writers
 * with a reader under the lock (this program also runs under ThreadSanitizer). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/model.h"
#include "core/store.h"
#include "core/util.h"
#include "testutil.h"

/* ---- building model values (the test owns them and frees them after each put) ------------- */

static void make_records(struct records_page *p, uint64_t total, uint64_t first_id, size_t n)
{
    memset(p, 0, sizeof(*p));
    p->total_count = total;
    p->n_records = n;
    p->records = xcalloc(n ? n : 1, sizeof(*p->records));
    for (size_t i = 0; i < n; i++) {
        struct update_record *r = &p->records[i];
        r->id = first_id + i;
        r->old_cert_id = xasprintf("cert-%" PRIu64, first_id + i);
        r->n_resource_types = 1;
        r->resource_types = xcalloc(1, sizeof(char *));
        r->resource_types[0] = xstrdup("clb");
        r->status = 1;
        r->create_time = xstrdup("2025-05-20 15:03:17");
    }
    p->request_id = xstrdup("rid-records");
}

struct group_spec {
    const char *type;
    int64_t total;
    uint64_t first_id; /* items first_id .. first_id + n - 1 */
    size_t n;
};

static void make_group(struct resource_group *g, const struct group_spec *spec, int64_t status)
{
    memset(g, 0, sizeof(*g));
    g->resource_type = xstrdup(spec->type);
    g->total_count = spec->total;
    g->n_items = spec->n;
    g->items = spec->n ? xcalloc(spec->n, sizeof(*g->items)) : NULL;
    for (size_t i = 0; i < spec->n; i++) {
        struct deploy_item *it = &g->items[i];
        it->id = spec->first_id + i;
        it->instance_id = xasprintf("lb-%" PRIu64, it->id);
        it->resource_type = xstrdup(spec->type);
        it->status = status;
    }
}

/* One run (type, status, failed count) with the given groups. */
static void make_run(struct deploy_run *r, int64_t type, int64_t status, int64_t failed,
                     const struct group_spec *groups, size_t n_groups, int64_t item_status)
{
    memset(r, 0, sizeof(*r));
    r->type = type;
    r->status = status;
    r->failed_total_count = failed;
    r->total_count = 0;
    for (size_t i = 0; i < n_groups; i++)
        r->total_count += groups[i].total;
    r->create_time = xstrdup(type ? "2025-05-20 15:18:58" : "2025-05-20 15:03:17");
    r->n_groups = n_groups;
    r->groups = xcalloc(n_groups, sizeof(*r->groups));
    for (size_t i = 0; i < n_groups; i++)
        make_group(&r->groups[i], &groups[i], item_status);
}

static void make_detail1(struct detail_page *p, const struct group_spec *groups, size_t n_groups,
                         int64_t item_status)
{
    memset(p, 0, sizeof(*p));
    p->n_runs = 1;
    p->runs = xcalloc(1, sizeof(*p->runs));
    make_run(&p->runs[0], 0, 1, 0, groups, n_groups, item_status);
    p->request_id = xstrdup("rid-detail");
}

static void put_records(struct store *s, uint64_t offset, uint64_t total, uint64_t first_id,
                        size_t n)
{
    struct records_page p;
    make_records(&p, total, first_id, n);
    store_records_put(s, offset, &p);
    model_records_page_clear(&p); /* the store made its own copy */
}

/* The big group "clb" (500 items, ids 1000..) paged at 0/200/400 with overlaps, and a small
 * group "cdn" (5 items) that the first page brings whole. */
static void put_big_page(struct store *s, uint64_t id, int64_t offset, int64_t item_status)
{
    struct group_spec g[2] = {{"clb", 500, 0, 0}, {"cdn", 5, 0, 0}};
    if (offset == 0) {
        g[0].first_id = 1000, g[0].n = 200;
        g[1].first_id = 9000, g[1].n = 5;
    } else if (offset == 200) {
        g[0].first_id = 1190, g[0].n = 200; /* overlaps the first page by 10 (server shifted) */
    } else {
        g[0].first_id = 1380, g[0].n = 120; /* overlaps the second by 10; ends at 1499 */
    }
    struct detail_page p;
    make_detail1(&p, g, 2, item_status);
    store_detail_put(s, id, offset, 200, &p);
    model_detail_page_clear(&p);
}

static bool ids_unique(const struct resource_group *g)
{
    for (size_t i = 0; i < g->n_items; i++)
        for (size_t j = i + 1; j < g->n_items; j++)
            if (model_group_item_id(g, i) == model_group_item_id(g, j)) return false;
    return true;
}

static const struct deploy_item *item_by_id(const struct resource_group *g, uint64_t id)
{
    for (size_t i = 0; i < g->n_items; i++)
        if (model_group_item_id(g, i) == id) return tu_item(g, i);
    return NULL;
}

static struct api_error make_error(const char *code)
{
    struct api_error e;
    apierr_clear(&e);
    e.kind = APIERR_API;
    strlcpy_safe(e.code, code, sizeof(e.code));
    strlcpy_safe(e.message, "something broke", sizeof(e.message));
    return e;
}

/* ---- tests ----------------------------------------------------------------------------------- */

/* Asserts the record list's state, and its inflight count when inflight >= 0. */
static void expect_records_state(struct store *s, enum store_state want, int inflight)
{
    store_lock(s);
    assert_int_equal(store_records(s)->meta.state, want);
    if (inflight >= 0) assert_int_equal(store_records(s)->meta.inflight, inflight);
    store_unlock(s);
}

static void test_records_states(void **state)
{
    (void)state;
    struct store *s = store_new();
    expect_records_state(s, STORE_IDLE, -1);

    /* IDLE -> LOADING -> LOADED */
    store_records_begin(s, NULL, false);
    expect_records_state(s, STORE_LOADING, 1);
    put_records(s, 0, 3, 1, 3);
    store_lock(s);
    const struct store_records *r = store_records(s);
    assert_int_equal(r->meta.state, STORE_LOADED);
    assert_int_equal(r->meta.inflight, 0);
    assert_true(r->meta.fetched_ms != 0);
    assert_true(r->meta.fetched_unix > 0);
    assert_int_equal(r->n_records, 3);
    assert_true(r->complete);
    store_unlock(s);

    /* LOADED -> STALE (refresh) -> LOADED */
    store_records_begin(s, NULL, true);
    expect_records_state(s, STORE_STALE, -1);
    put_records(s, 0, 3, 1, 3);
    expect_records_state(s, STORE_LOADED, -1);

    /* A failing refresh -> ERROR, the rows stay, last_error says why. */
    store_records_begin(s, NULL, true);
    struct api_error e = make_error("InternalError");
    store_records_fail(s, &e);
    store_lock(s);
    r = store_records(s);
    assert_int_equal(r->meta.state, STORE_ERROR);
    assert_int_equal(r->meta.inflight, 0);
    assert_int_equal(r->meta.last_error.kind, APIERR_API);
    assert_string_equal(r->meta.last_error.code, "InternalError");
    assert_int_equal(r->n_records, 3);
    assert_int_equal(r->records[0].id, 1);
    store_unlock(s);

    /* A refresh that is cancelled goes back to ERROR (not stuck in STALE). */
    store_records_begin(s, NULL, true);
    expect_records_state(s, STORE_STALE, -1);
    store_records_abort(s);
    expect_records_state(s, STORE_ERROR, 0);

    /* Success clears the error. */
    store_records_begin(s, NULL, true);
    put_records(s, 0, 3, 1, 3);
    store_lock(s);
    assert_int_equal(store_records(s)->meta.state, STORE_LOADED);
    assert_int_equal(store_records(s)->meta.last_error.kind, APIERR_NONE);
    store_unlock(s);

    /* Another filter starts over: LOADING with no rows; cancelling it returns to IDLE. */
    store_records_begin(s, "OMhKAc35", false);
    store_lock(s);
    r = store_records(s);
    assert_int_equal(r->meta.state, STORE_LOADING);
    assert_int_equal(r->n_records, 0);
    assert_string_equal(r->old_cert_filter, "OMhKAc35");
    store_unlock(s);
    store_records_abort(s);
    expect_records_state(s, STORE_IDLE, 0);
    store_free(s);
}

static void test_records_paging_and_refresh(void **state)
{
    (void)state;
    struct store *s = store_new();
    /* Three pages for a list of 250, the third arriving before the second. */
    for (int i = 0; i < 3; i++)
        store_records_begin(s, NULL, false);
    put_records(s, 0, 250, 1, 100);
    put_records(s, 200, 250, 201, 50);
    store_lock(s);
    assert_int_equal(store_records(s)->n_records, 100);
    assert_int_equal(store_records(s)->loaded_offset, 100);
    assert_true(store_records_page_held(s, 200));
    assert_false(store_records(s)->complete);
    assert_int_equal(store_records(s)->meta.inflight, 1);
    store_unlock(s);
    put_records(s, 100, 250, 101, 100);
    store_lock(s);
    const struct store_records *r = store_records(s);
    assert_int_equal(r->n_records, 250);
    assert_int_equal(r->loaded_offset, 250);
    assert_true(r->complete);
    assert_false(store_records_page_held(s, 200));
    for (size_t i = 0; i < r->n_records; i++)
        assert_int_equal(r->records[i].id, i + 1);
    store_unlock(s);

    /* A refresh of the first page with the same total keeps the rows after it. */
    store_records_begin(s, NULL, true);
    put_records(s, 0, 250, 1, 100);
    store_lock(s);
    assert_int_equal(store_records(s)->n_records, 250);
    store_unlock(s);

    /* A refresh that now ends the list after 30 rows drops the stale tail. */
    store_records_begin(s, NULL, true);
    put_records(s, 0, 30, 1, 30);
    store_lock(s);
    r = store_records(s);
    assert_int_equal(r->n_records, 30);
    assert_int_equal(r->total_count, 30);
    assert_int_equal(r->loaded_offset, 30);
    assert_true(r->complete);
    assert_int_equal(r->records[29].id, 30);
    store_unlock(s);

    /* A new record on top shifts the list: the next page repeats a row, kept only once. */
    store_records_begin(s, NULL, true);
    struct records_page p;
    make_records(&p, 31, 1, 20);
    p.records[0].id = 500; /* the newest: rows 1..19 follow */
    for (size_t i = 1; i < 20; i++)
        p.records[i].id = i;
    store_records_put(s, 0, &p);
    model_records_page_clear(&p);
    store_lock(s);
    r = store_records(s);
    for (size_t i = 0; i < r->n_records; i++)
        for (size_t j = i + 1; j < r->n_records; j++)
            assert_true(r->records[i].id != r->records[j].id);
    assert_int_equal(r->records[0].id, 500);
    store_unlock(s);
    store_free(s);
}

static void test_detail_merge_out_of_order(void **state)
{
    (void)state;
    struct store *s = store_new();
    const uint64_t id = 77;
    for (int i = 0; i < 3; i++)
        store_detail_begin(s, id, false);

    /* 400 and 200 arrive before 0: held, nothing visible, still loading. */
    put_big_page(s, id, 400, 1);
    put_big_page(s, id, 200, 1);
    store_lock(s);
    const struct store_detail *d = store_detail(s, id);
    assert_non_null(d);
    assert_int_equal(d->meta.state, STORE_LOADING);
    assert_int_equal(d->page.n_runs, 0);
    assert_true(store_detail_page_held(s, id, 200));
    assert_true(store_detail_page_held(s, id, 400));
    store_unlock(s);

    put_big_page(s, id, 0, 1);
    store_lock(s);
    d = store_detail(s, id);
    assert_int_equal(d->meta.state, STORE_LOADED);
    assert_int_equal(d->meta.inflight, 0);
    const struct resource_group *clb = tu_group_of(d, 0, "clb");
    assert_non_null(clb);
    assert_int_equal(clb->n_items, 500); /* 1000..1499 once each despite the overlaps */
    assert_true(ids_unique(clb));
    for (size_t i = 0; i < clb->n_items; i++)
        assert_int_equal(tu_item(clb, i)->id, 1000 + i);
    assert_int_equal(tu_group_of(d, 0, "cdn")->n_items, 5);
    assert_true(d->complete);
    assert_int_equal(d->max_group_total, 500);
    assert_int_equal(d->loaded_offset, 500);
    assert_int_equal(d->fetched_offset, 600);
    assert_false(store_detail_page_held(s, id, 200));
    store_unlock(s);
    store_free(s);
}

/* Pages as a server that pages each run's groups concatenated (flat) sends them: clb 300 then
 * cdn 100 at Limit 200. Page 0 brings clb 0..199 and nothing of cdn; page 400 (beyond the run)
 * and page 200 (clb 200..299, cdn 0..99) arrive before it. fetched_offset follows the pages
 * merged; loaded_offset is the fewest items an incomplete group holds, so it stays 0 while cdn
 * is empty although offsets up to 200 are in. */
static void test_detail_flat_pages(void **state)
{
    (void)state;
    struct store *s = store_new();
    const uint64_t id = 5;
    struct group_spec first[2] = {{"clb", 300, 1000, 200}, {"cdn", 100, 9000, 0}};
    struct group_spec second[2] = {{"clb", 300, 1200, 100}, {"cdn", 100, 9000, 100}};
    struct group_spec beyond[2] = {{"clb", 300, 0, 0}, {"cdn", 100, 0, 0}};
    struct detail_page p;
    for (int i = 0; i < 4; i++)
        store_detail_begin(s, id, false);

    make_detail1(&p, beyond, 2, 1);
    store_detail_put(s, id, 400, 200, &p);
    model_detail_page_clear(&p);
    make_detail1(&p, first, 2, 1);
    store_detail_put(s, id, 0, 200, &p);
    model_detail_page_clear(&p);
    store_lock(s);
    const struct store_detail *d = store_detail(s, id);
    assert_int_equal(d->fetched_offset, 200);
    assert_int_equal(d->loaded_offset, 0);
    assert_false(d->complete);
    assert_int_equal(d->max_group_total, 300);
    assert_true(store_detail_page_held(s, id, 400));
    store_unlock(s);

    make_detail1(&p, second, 2, 1);
    store_detail_put(s, id, 200, 200, &p);
    model_detail_page_clear(&p);
    store_lock(s);
    d = store_detail(s, id);
    assert_int_equal(d->fetched_offset, 600); /* 200, then the held 400 */
    assert_true(d->complete);
    assert_int_equal(d->loaded_offset, 300);
    assert_false(store_detail_page_held(s, id, 400));
    const struct resource_group *clb = tu_group_of(d, 0, "clb");
    assert_int_equal(clb->n_items, 300);
    for (size_t i = 0; i < clb->n_items; i++)
        assert_int_equal(tu_item(clb, i)->id, 1000 + i);
    const struct resource_group *cdn = tu_group_of(d, 0, "cdn");
    assert_int_equal(cdn->n_items, 100);
    assert_true(ids_unique(cdn));
    assert_int_equal(d->meta.inflight, 1);
    store_unlock(s);

    /* Complete: a page ahead of the frontier adds nothing and is not kept. */
    make_detail1(&p, beyond, 2, 1);
    store_detail_put(s, id, 800, 200, &p);
    model_detail_page_clear(&p);
    store_lock(s);
    assert_false(store_detail_page_held(s, id, 800));
    assert_int_equal(store_detail(s, id)->meta.inflight, 0);
    store_unlock(s);
    store_free(s);
}

static void test_detail_paging_refresh_and_error(void **state)
{
    (void)state;
    struct store *s = store_new();
    const uint64_t id = 2;
    store_lock(s);
    assert_null(store_detail(s, id));
    store_unlock(s);

    /* The server's pages overlap by 10 (put_big_page): offsets fetched advance by the Limit,
     * while clb holds 200, 390, then all 500 items. */
    int64_t expect_fetched[3] = {200, 400, 600};
    int64_t expect_loaded[3] = {200, 390, 500};
    int64_t offsets[3] = {0, 200, 400};
    for (int i = 0; i < 3; i++) {
        store_detail_begin(s, id, false);
        store_lock(s);
        /* The first page is a first fetch; later pages load more of loaded data. */
        assert_int_equal(store_detail(s, id)->meta.state, i == 0 ? STORE_LOADING : STORE_LOADED);
        assert_int_equal(store_detail(s, id)->meta.inflight, 1);
        store_unlock(s);
        put_big_page(s, id, offsets[i], 1);
        store_lock(s);
        const struct store_detail *d = store_detail(s, id);
        assert_int_equal(d->fetched_offset, expect_fetched[i]);
        assert_int_equal(d->loaded_offset, expect_loaded[i]);
        assert_int_equal(d->complete, i == 2);
        assert_int_equal(d->max_group_total, 500);
        assert_true(ids_unique(tu_group_of(d, 0, "clb")));
        store_unlock(s);
    }

    /* Refresh of the first page: statuses of its items and the run's counts change, the
     * deeper items stay. */
    store_detail_begin(s, id, true);
    store_lock(s);
    assert_int_equal(store_detail(s, id)->meta.state, STORE_STALE);
    store_unlock(s);
    {
        struct group_spec g[2] = {{"clb", 500, 1000, 200}, {"cdn", 5, 9000, 5}};
        struct detail_page p;
        make_detail1(&p, g, 2, 2 /* failed */);
        p.runs[0].status = 2;
        p.runs[0].failed_total_count = 205;
        store_detail_put(s, id, 0, 200, &p);
        model_detail_page_clear(&p);
    }
    store_lock(s);
    const struct store_detail *d = store_detail(s, id);
    assert_int_equal(d->meta.state, STORE_LOADED);
    assert_int_equal(d->page.runs[0].status, 2);
    assert_int_equal(d->page.runs[0].failed_total_count, 205);
    const struct resource_group *clb = tu_group_of(d, 0, "clb");
    assert_int_equal(clb->n_items, 500);
    assert_true(ids_unique(clb));
    assert_int_equal(item_by_id(clb, 1000)->status, 2);
    assert_int_equal(item_by_id(clb, 1199)->status, 2);
    assert_int_equal(item_by_id(clb, 1200)->status, 1); /* beyond the first page: kept */
    assert_non_null(item_by_id(clb, 1499));
    assert_true(d->complete);
    store_unlock(s);

    /* An error keeps the data and says why. */
    store_detail_begin(s, id, true);
    struct api_error e = make_error("FailedOperation");
    store_detail_fail(s, id, &e);
    store_lock(s);
    d = store_detail(s, id);
    assert_int_equal(d->meta.state, STORE_ERROR);
    assert_string_equal(d->meta.last_error.code, "FailedOperation");
    assert_int_equal(tu_group_of(d, 0, "clb")->n_items, 500);
    store_unlock(s);

    /* A rollback adds a run: its big group holds only the first page, so the detail is no
     * longer complete, and fetched_offset drops back for the worker to page again. */
    store_detail_begin(s, id, true);
    {
        struct group_spec g[2] = {{"clb", 500, 1000, 200}, {"cdn", 5, 9000, 5}};
        struct group_spec rb[1] = {{"clb", 500, 5000, 200}};
        struct detail_page p;
        make_detail1(&p, g, 2, 1);
        p.runs = xrealloc(p.runs, 2 * sizeof(*p.runs));
        make_run(&p.runs[1], 1, 4, 0, rb, 1, 4);
        p.n_runs = 2;
        store_detail_put(s, id, 0, 200, &p);
        model_detail_page_clear(&p);
    }
    store_lock(s);
    d = store_detail(s, id);
    assert_int_equal(d->meta.state, STORE_LOADED);
    assert_int_equal(d->meta.last_error.kind, APIERR_NONE);
    assert_int_equal(d->page.n_runs, 2);
    assert_int_equal(d->page.runs[1].type, 1);
    assert_int_equal(tu_group_of(d, 1, "clb")->n_items, 200);
    assert_int_equal(tu_group_of(d, 0, "clb")->n_items, 500);
    assert_false(d->complete);
    assert_int_equal(d->loaded_offset, 200);
    assert_int_equal(d->fetched_offset, 200);
    store_unlock(s);

    /* A cancelled first fetch of another record leaves it IDLE, not LOADING. */
    store_detail_begin(s, 3, false);
    store_detail_abort(s, 3);
    store_lock(s);
    assert_int_equal(store_detail(s, 3)->meta.state, STORE_IDLE);
    assert_int_equal(store_detail(s, 3)->meta.inflight, 0);
    store_unlock(s);
    store_free(s);
}

static bool wake_readable(struct store *s)
{
    struct pollfd pfd = {.fd = store_wake_fd(s), .events = POLLIN};
    int n = poll(&pfd, 1, 0);
    assert_true(n >= 0);
    return n == 1 && (pfd.revents & POLLIN);
}

static void test_generation_and_wake(void **state)
{
    (void)state;
    struct store *s = store_new();
    assert_false(wake_readable(s));
    uint64_t last = store_generation(s);
    struct api_error e = make_error("InternalError");
    struct api_trace t;
    memset(&t, 0, sizeof(t));
    t.action = "DescribeHostUploadUpdateRecord";

    for (int step = 0; step < 10; step++) {
        switch (step) {
        case 0:
            store_records_begin(s, NULL, false);
            break;
        case 1:
            put_records(s, 0, 1, 1, 1);
            break;
        case 2:
            store_records_begin(s, NULL, true);
            break;
        case 3:
            store_records_fail(s, &e);
            break;
        case 4:
            store_detail_begin(s, 5, false);
            break;
        case 5:
            put_big_page(s, 5, 0, 1);
            break;
        case 6:
            store_detail_begin(s, 5, true);
            break;
        case 7:
            store_detail_fail(s, 5, &e);
            break;
        case 8:
            store_log_push(s, &t);
            break;
        case 9:
            store_touch(s);
            break;
        }
        store_lock(s);
        uint64_t g = store_generation(s);
        store_unlock(s);
        assert_true(g > last);
        last = g;
        assert_true(wake_readable(s));
        store_drain_wake(s);
        assert_false(wake_readable(s));
    }
    /* Several writes, one drain. */
    store_touch(s);
    store_touch(s);
    store_touch(s);
    assert_true(wake_readable(s));
    store_drain_wake(s);
    assert_false(wake_readable(s));
    store_free(s);
}

static void test_log_ring(void **state)
{
    (void)state;
    struct store *s = store_new();
    store_lock(s);
    assert_int_equal(store_log_len(s), 0);
    assert_null(store_log_at(s, 0));
    store_unlock(s);
    const int extra = 37;
    for (int i = 0; i < STORE_LOG_CAPACITY + extra; i++) {
        struct api_trace t;
        memset(&t, 0, sizeof(t));
        t.action = "DescribeHostUploadUpdateRecordDetail";
        snprintf(t.params, sizeof(t.params), "n=%d", i);
        t.attempts = i;
        store_log_push(s, &t);
        store_lock(s);
        size_t len = store_log_len(s);
        assert_int_equal(len, (size_t)(i + 1) < STORE_LOG_CAPACITY ? (size_t)(i + 1)
                                                                   : STORE_LOG_CAPACITY);
        assert_int_equal(store_log_at(s, len - 1)->attempts, i); /* newest last */
        store_unlock(s);
    }
    store_lock(s);
    assert_int_equal(store_log_len(s), STORE_LOG_CAPACITY);
    for (size_t i = 0; i < STORE_LOG_CAPACITY; i++) {
        const struct api_trace *t = store_log_at(s, i);
        char want[32];
        snprintf(want, sizeof(want), "n=%zu", i + extra);
        assert_string_equal(t->params, want);
    }
    assert_null(store_log_at(s, STORE_LOG_CAPACITY));
    store_unlock(s);
    store_free(s);
}

/* ---- concurrency ----------------------------------------------------------------------------- */

#define ROUNDS 300

struct shared {
    struct store *s;
    atomic_int writers_done;
};

static void *records_writer(void *arg)
{
    struct shared *sh = arg;
    for (int i = 0; i < ROUNDS; i++) {
        store_records_begin(sh->s, NULL, i > 0);
        put_records(sh->s, 0, 40, 1, 40);
    }
    atomic_fetch_add(&sh->writers_done, 1);
    return NULL;
}

static void *detail_writer(void *arg)
{
    struct shared *sh = arg;
    for (int i = 0; i < ROUNDS; i++) {
        uint64_t id = 10 + (uint64_t)(i % 3);
        store_detail_begin(sh->s, id, i >= 3);
        put_big_page(sh->s, id, 0, i % 2 ? 1 : 2);
        struct api_trace t;
        memset(&t, 0, sizeof(t));
        t.action = "DescribeHostUploadUpdateRecordDetail";
        t.attempts = i;
        store_log_push(sh->s, &t);
    }
    atomic_fetch_add(&sh->writers_done, 1);
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    struct shared sh = {.s = store_new()};
    atomic_init(&sh.writers_done, 0);
    pthread_t a, b;
    assert_int_equal(pthread_create(&a, NULL, records_writer, &sh), 0);
    assert_int_equal(pthread_create(&b, NULL, detail_writer, &sh), 0);

    /* The reader: what it sees under the lock is always whole. */
    uint64_t last_gen = 0;
    int reads = 0;
    while (atomic_load(&sh.writers_done) < 2 || reads == 0) {
        struct pollfd pfd = {.fd = store_wake_fd(sh.s), .events = POLLIN};
        (void)poll(&pfd, 1, 10);
        store_drain_wake(sh.s);
        store_lock(sh.s);
        uint64_t g = store_generation(sh.s);
        assert_true(g >= last_gen);
        last_gen = g;
        const struct store_records *r = store_records(sh.s);
        assert_true(r->n_records == 0 || r->n_records == 40);
        for (size_t i = 0; i < r->n_records; i++)
            assert_int_equal(r->records[i].id, i + 1);
        for (uint64_t id = 10; id < 13; id++) {
            const struct store_detail *d = store_detail(sh.s, id);
            const struct resource_group *clb = tu_group_of(d, 0, "clb");
            if (clb) {
                assert_int_equal(clb->n_items, 200);
                int64_t st = tu_item(clb, 0)->status;
                for (size_t i = 0; i < clb->n_items; i++)
                    assert_int_equal(tu_item(clb, i)->status, st);
            }
        }
        size_t n = store_log_len(sh.s);
        if (n) assert_non_null(store_log_at(sh.s, n - 1)->action);
        store_unlock(sh.s);
        reads++;
    }
    pthread_join(a, NULL);
    pthread_join(b, NULL);

    store_lock(sh.s);
    assert_int_equal(store_records(sh.s)->meta.inflight, 0);
    assert_int_equal(store_records(sh.s)->meta.state, STORE_LOADED);
    for (uint64_t id = 10; id < 13; id++) {
        assert_int_equal(store_detail(sh.s, id)->meta.inflight, 0);
        assert_int_equal(store_detail(sh.s, id)->meta.state, STORE_LOADED);
    }
    assert_int_equal(store_log_len(sh.s), STORE_LOG_CAPACITY);
    assert_int_equal(store_log_at(sh.s, STORE_LOG_CAPACITY - 1)->attempts, ROUNDS - 1);
    store_unlock(sh.s);
    store_free(sh.s);
}

static void test_detail_capacity(void **state)
{
    (void)state;
    struct store *s = store_new();
    /* Far more records than the cache holds: the least recently used idle ones go, a busy
     * one never does. */
    store_detail_begin(s, 1, false); /* stays in flight */
    for (uint64_t id = 2; id < 2 + 3 * STORE_DETAIL_CAPACITY; id++) {
        store_detail_begin(s, id, false);
        put_big_page(s, id, 0, 1);
    }
    store_lock(s);
    assert_non_null(store_detail(s, 1));
    assert_int_equal(store_detail(s, 1)->meta.state, STORE_LOADING);
    assert_null(store_detail(s, 2));
    assert_non_null(store_detail(s, 1 + 3 * STORE_DETAIL_CAPACITY));
    store_unlock(s);
    store_detail_abort(s, 1);
    store_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_records_states),
        cmocka_unit_test(test_records_paging_and_refresh),
        cmocka_unit_test(test_detail_merge_out_of_order),
        cmocka_unit_test(test_detail_paging_refresh_and_error),
        cmocka_unit_test(test_detail_flat_pages),
        cmocka_unit_test(test_generation_and_wake),
        cmocka_unit_test(test_log_ring),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_detail_capacity),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
