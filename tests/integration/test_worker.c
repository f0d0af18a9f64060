/* The worker and the store against the real emulator over loopback (real HTTP, TC3 signing,
 * JSON): paging records and a 2,500-item group concurrently without duplicate requests, one
 * group paged completely whichever way the server reads Limit/Offset (inside each group, or
 * over a run's groups concatenated) and without over-fetching, cancelling by view generation,
 * API errors, a rollback with its automatic refresh, and worker_free with work queued and in
 * flight. Waits poll the store's wake fd with a deadline;
 * this program also runs under ThreadSanitizer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>
#include <inttypes.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/api.h"
#include "core/emulator/emulator.h"
#include "core/http.h"
#include "core/store.h"
#include "core/util.h"
#include "core/worker.h"
#include "testutil.h"

#define ACTION_RECORDS  "DescribeHostUploadUpdateRecord"
#define ACTION_DETAIL   "DescribeHostUploadUpdateRecordDetail"
#define ACTION_ROLLBACK "UploadUpdateCertificateRecordRollback"

#define BIG_RECORD   900
#define BIG_ITEMS    2500
#define BIG_FIRST_ID 100000
#define SMALL_RECORD 901
#define CDN_ITEMS    7
/* Records whose later groups are where the two readings of Limit/Offset differ. */
#define TWO_RECORD   910 /* clb 1,234 then cdn 200 */
#define THREE_RECORD 911 /* clb, cdn, waf: 150 each */
#define WIDE_RECORD  912 /* clb 5,000 then cdn 200 */
#define N_RECORDS    7   /* BIG_RECORD.. (4) and the three above */

struct group_def {
    const char *type;
    int items;
    uint64_t first_id;
};

static const struct group_def two_groups[] = {{"clb", 1234, 400000}, {"cdn", 200, 410000}};
static const struct group_def three_groups[] = {
    {"clb", 150, 420000}, {"cdn", 150, 421000}, {"waf", 150, 422000}};
static const struct group_def wide_groups[] = {{"clb", 5000, 500000}, {"cdn", 200, 510000}};

/* ---- the dataset file: one record with a 2,500-item group, one small rollback-able one ----- */

static void put_item(struct buf *b, uint64_t id, const char *type, int n)
{
    buf_printf(b,
               "{\"Id\":%" PRIu64 ",\"OldCertId\":\"OMhKAc35\",\"InstanceId\":\"lb-%06d\","
               "\"InstanceName\":\"web-%d\",\"ListenerId\":\"lbl-%06d\",\"ListenerName\":\"https\","
               "\"Domains\":[\"www%d.example.com\"],\"Protocol\":\"HTTPS\",\"Status\":1,"
               "\"ErrorMsg\":\"\",\"CreateTime\":\"2025-05-20T07:03:17.000000Z\","
               "\"UpdateTime\":\"2025-05-20T07:05:43.000000Z\",\"SniSwitch\":0,\"Bucket\":\"\","
               "\"Namespace\":\"\",\"SecretName\":\"\",\"Port\":443,\"Region\":\"ap-guangzhou\","
               "\"Forward\":1,\"SSLMode\":\"UNIDIRECTIONAL\",\"ResourceType\":\"%s\"}",
               id, n, n, n, n, type);
}

static void put_run_groups(struct buf *b, const struct group_def *groups, size_t n)
{
    int total = 0;
    for (size_t g = 0; g < n; g++)
        total += groups[g].items;
    buf_printf(b,
               "{\"TotalCount\":%d,\"SuccessTotalCount\":%d,\"FailedTotalCount\":0,"
               "\"RunningTotalCount\":0,\"PendingTotalCount\":0,\"Type\":0,\"Status\":1,"
               "\"CreateTime\":\"2025-05-20 15:03:17\",\"RecordDetailList\":[",
               total, total);
    for (size_t g = 0; g < n; g++) {
        buf_printf(b, "%s{\"ResourceType\":\"%s\",\"TotalCount\":%d,\"List\":[", g ? "," : "",
                   groups[g].type, groups[g].items);
        for (int i = 0; i < groups[g].items; i++) {
            if (i) buf_putc(b, ',');
            put_item(b, groups[g].first_id + (uint64_t)i, groups[g].type, i);
        }
        buf_puts(b, "]}");
    }
    buf_puts(b, "]}");
}

static void put_run(struct buf *b, int clb_items, uint64_t clb_first, int cdn_items,
                    uint64_t cdn_first)
{
    struct group_def g[2] = {{"clb", clb_items, clb_first}, {"cdn", cdn_items, cdn_first}};
    put_run_groups(b, g, cdn_items ? 2 : 1);
}

static void write_dataset(void)
{
    struct buf b = {0};
    buf_puts(&b, "{\"Records\":[");
    for (int i = 0; i < N_RECORDS; i++) {
        buf_printf(&b,
                   "%s{\"Id\":%d,\"OldCertId\":\"OMhKAc35\",\"ResourceTypes\":[\"clb\",\"cdn\"],"
                   "\"Status\":1,\"CreateTime\":\"2025-05-2%d 12:05:26\","
                   "\"UpdateTime\":\"2025-05-2%d 12:09:00\"}",
                   i ? "," : "", i < 4 ? BIG_RECORD + i : TWO_RECORD + i - 4, 7 - i % 4, 7 - i % 4);
    }
    buf_puts(&b, "],\"Details\":{");
    buf_printf(&b, "\"%d\":[", BIG_RECORD);
    put_run(&b, BIG_ITEMS, BIG_FIRST_ID, CDN_ITEMS, 200000);
    for (int i = 1; i < 4; i++) {
        buf_printf(&b, "],\"%d\":[", BIG_RECORD + i);
        put_run(&b, 3, 300000 + 100 * (uint64_t)i, 0, 0);
    }
    buf_printf(&b, "],\"%d\":[", TWO_RECORD);
    put_run_groups(&b, two_groups, 2);
    buf_printf(&b, "],\"%d\":[", THREE_RECORD);
    put_run_groups(&b, three_groups, 3);
    buf_printf(&b, "],\"%d\":[", WIDE_RECORD);
    put_run_groups(&b, wide_groups, 2);
    buf_puts(&b, "]}}");
    tu_dataset_setup("worker", b.data);
    buf_free(&b);
}

/* ---- fixture: emulator, api client, store, worker -------------------------------------------- */

struct fx {
    struct emu *emu;
    struct api_client *api;
    struct store *store;
    struct worker *w;
};

struct fx_opts {
    bool dataset;    /* the file above, else generated data */
    int records;     /* generated records */
    int latency_ms;  /* emulator */
    int max_retries; /* api */
    int threads;     /* worker */
    enum emu_paging paging;
};

static void fx_start(struct fx *f, const struct fx_opts *o)
{
    memset(f, 0, sizeof(*f));
    struct emu_config ec = {.listen = "127.0.0.1:0",
                            .latency_ms = o->latency_ms,
                            .records = o->records,
                            .paging = o->paging,
                            .dataset_file = o->dataset ? tu_dataset_path : NULL};
    f->emu = tu_emu_start(&ec);
    struct api_config ac = {.max_retries = o->max_retries};
    f->api = tu_emu_client(f->emu, &ac, NULL);
    f->store = store_new();
    f->w = worker_new(f->api, f->store, o->threads);
}

static void fx_stop(struct fx *f)
{
    worker_free(f->w);
    api_client_free(f->api);
    store_free(f->store);
    emu_stop(f->emu);
}

/* Sleeps in poll() on the store's wake fd until cond holds or the deadline passes. */
static bool wait_until(struct fx *f, bool (*cond)(struct fx *), int64_t timeout_ms)
{
    int64_t deadline = now_ms() + timeout_ms;
    for (;;) {
        store_drain_wake(f->store);
        if (cond(f)) return true;
        int64_t left = deadline - now_ms();
        if (left <= 0) return false;
        struct pollfd pfd = {.fd = store_wake_fd(f->store), .events = POLLIN};
        (void)poll(&pfd, 1, (int)left);
    }
}

static bool is_idle(struct fx *f)
{
    return worker_idle(f->w);
}

/* ---- reading the event log ------------------------------------------------------------------- */

static int64_t param_int(const char *params, const char *name)
{
    char key[48];
    snprintf(key, sizeof(key), "%s=", name);
    for (const char *p = strstr(params, key); p; p = strstr(p + 1, key)) {
        if (p == params || p[-1] == ' ') return strtoll(p + strlen(key), NULL, 10);
    }
    return -1;
}

struct log_count {
    size_t calls;           /* calls of the action (for the record, when record_id >= 0) */
    size_t ok;              /* of which succeeded */
    size_t cancelled;       /* of which were cancelled */
    size_t distinct;        /* distinct Offset values among them */
    int64_t offsets[256];   /* the distinct offsets */
    int max_overlap;        /* most transfers in progress at once (after rate-limit waits) */
    int64_t last_cancel_ms; /* duration_ms of the last cancelled call */
};

static void count_calls(struct fx *f, const char *action, int64_t record_id, struct log_count *c)
{
    memset(c, 0, sizeof(*c));
    int64_t start[256], end[256];
    size_t n_iv = 0;
    store_lock(f->store);
    for (size_t i = 0; i < store_log_len(f->store); i++) {
        const struct api_trace *t = store_log_at(f->store, i);
        if (!t->action || strcmp(t->action, action) != 0) continue;
        if (record_id >= 0 && param_int(t->params, "DeployRecordId") != record_id) continue;
        c->calls++;
        if (t->err.kind == APIERR_NONE) c->ok++;
        if (t->err.kind == APIERR_CANCELLED) {
            c->cancelled++;
            c->last_cancel_ms = t->duration_ms;
        }
        int64_t off = param_int(t->params, "Offset");
        bool seen = false;
        for (size_t k = 0; k < c->distinct; k++)
            seen = seen || c->offsets[k] == off;
        if (!seen && c->distinct < 256) c->offsets[c->distinct++] = off;
        if (n_iv < 256) {
            start[n_iv] = t->started_ms + t->rate_wait_ms;
            end[n_iv] = t->started_ms + t->duration_ms;
            n_iv++;
        }
    }
    store_unlock(f->store);
    for (size_t i = 0; i < n_iv; i++) {
        int overlap = 0;
        for (size_t k = 0; k < n_iv; k++)
            if (start[k] <= start[i] && end[k] > start[i]) overlap++;
        if (overlap > c->max_overlap) c->max_overlap = overlap;
    }
}

/* Index in the log of the first call of action after index `from` (or SIZE_MAX). */
static size_t log_find(struct fx *f, const char *action, size_t from)
{
    size_t found = SIZE_MAX;
    store_lock(f->store);
    for (size_t i = from; i < store_log_len(f->store) && found == SIZE_MAX; i++) {
        const struct api_trace *t = store_log_at(f->store, i);
        if (t->action && strcmp(t->action, action) == 0) found = i;
    }
    store_unlock(f->store);
    return found;
}

/* ---- tests ----------------------------------------------------------------------------------- */

/* Generated data, 250 records: the first page, then the rest concurrently; asking twenty times
 * adds nothing; the official example's detail (record 2) loads with its two runs. */
static void test_records_load(void **state)
{
    (void)state;
    struct fx f;
    struct fx_opts o = {.records = 250};
    fx_start(&f, &o);
    for (int i = 0; i < 20; i++)
        worker_want_records(f.w, NULL, 250, false);
    assert_true(wait_until(&f, is_idle, TU_DEADLINE_MS));

    store_lock(f.store);
    const struct store_records *r = store_records(f.store);
    assert_int_equal(r->meta.state, STORE_LOADED);
    assert_int_equal(r->meta.inflight, 0);
    assert_int_equal(r->total_count, 250);
    assert_int_equal(r->n_records, 250);
    assert_true(r->complete);
    for (size_t i = 0; i < r->n_records; i++)
        for (size_t k = i + 1; k < r->n_records; k++)
            assert_true(r->records[i].id != r->records[k].id);
    store_unlock(f.store);

    struct log_count c;
    count_calls(&f, ACTION_RECORDS, -1, &c);
    assert_int_equal(c.calls, 3); /* 0, 100, 200: each once */
    assert_int_equal(c.distinct, 3);
    assert_int_equal(c.ok, 3);

    worker_want_detail(f.w, 2, 0, false);
    assert_true(wait_until(&f, is_idle, TU_DEADLINE_MS));
    store_lock(f.store);
    const struct store_detail *d = store_detail(f.store, 2);
    assert_non_null(d);
    assert_int_equal(d->meta.state, STORE_LOADED);
    assert_int_equal(d->page.n_runs, 2);
    assert_int_equal(d->page.runs[0].type, 0);
    assert_int_equal(d->page.runs[1].type, 1);
    assert_true(d->complete);
    store_unlock(f.store);
    fx_stop(&f);
}

/* The 2,500-item group: ceil(2500/200) = 13 pages, each requested once although want_detail is
 * called twenty times, pages after the first in flight together, every item exactly once. */
static void test_big_group(void **state)
{
    (void)state;
    struct fx f;
    struct fx_opts o = {.dataset = true, .latency_ms = 30};
    fx_start(&f, &o);
    for (int i = 0; i < 20; i++)
        worker_want_detail(f.w, BIG_RECORD, BIG_ITEMS, false);
    assert_true(wait_until(&f, is_idle, TU_DEADLINE_MS));
    /* Asking again once it is all there costs nothing. */
    for (int i = 0; i < 20; i++)
        worker_want_detail(f.w, BIG_RECORD, BIG_ITEMS, false);
    assert_true(worker_idle(f.w));

    const size_t pages = (BIG_ITEMS + WORKER_PAGE_LIMIT - 1) / WORKER_PAGE_LIMIT;
    struct log_count c;
    count_calls(&f, ACTION_DETAIL, BIG_RECORD, &c);
    print_message("big group: %zu detail calls, %zu distinct offsets, up to %d transfers at once\n",
                  c.calls, c.distinct, c.max_overlap);
    assert_int_equal(c.calls, pages);
    assert_int_equal(c.distinct, pages);
    assert_int_equal(c.ok, pages);
    for (size_t i = 0; i < c.distinct; i++) {
        assert_true(c.offsets[i] % WORKER_PAGE_LIMIT == 0);
        assert_true(c.offsets[i] >= 0 && c.offsets[i] < BIG_ITEMS);
    }
    assert_true(c.max_overlap >= 2);

    struct worker_stats ws;
    worker_get_stats(f.w, &ws);
    assert_true(ws.peak_running >= 2);
    assert_int_equal(ws.submitted, pages);
    assert_true(ws.merged >= 19);

    store_lock(f.store);
    const struct store_detail *d = store_detail(f.store, BIG_RECORD);
    assert_non_null(d);
    assert_int_equal(d->meta.state, STORE_LOADED);
    assert_int_equal(d->meta.inflight, 0);
    assert_true(d->complete);
    assert_int_equal(d->max_group_total, BIG_ITEMS);
    assert_int_equal(d->page.n_runs, 1);
    const struct resource_group *clb = tu_group_of(d, 0, "clb");
    assert_non_null(clb);
    assert_int_equal(clb->total_count, BIG_ITEMS);
    assert_int_equal(clb->n_items, BIG_ITEMS);
    /* In server order, each once: exactly the ids of the file. */
    for (size_t i = 0; i < clb->n_items; i++)
        assert_int_equal(tu_item(clb, i)->id, BIG_FIRST_ID + i);
    assert_int_equal(tu_group_of(d, 0, "cdn")->n_items, CDN_ITEMS);
    store_unlock(f.store);
    fx_stop(&f);
}

/* A new generation while a page is held by the server: the transfer is aborted shortly after
 * (the grace period), the store goes back to IDLE, the log shows the cancelled call. */
static void test_cancel_by_generation(void **state)
{
    (void)state;
    struct fx f;
    struct fx_opts o = {.dataset = true};
    fx_start(&f, &o);
    uint64_t before = emu_request_count(f.emu);
    emu_set_fault(f.emu, EMU_FAULT_TIMEOUT, 1); /* held for 30 s */
    worker_set_generation(f.w, 1);
    worker_want_detail(f.w, BIG_RECORD, BIG_ITEMS, false);
    assert_true(tu_wait_requests(f.emu, before + 1, TU_DEADLINE_MS)); /* on the wire, held */
    store_lock(f.store);
    assert_int_equal(store_detail(f.store, BIG_RECORD)->meta.state, STORE_LOADING);
    store_unlock(f.store);

    int64_t t0 = now_ms();
    worker_set_generation(f.w, 2); /* the user left the view */
    assert_true(wait_until(&f, is_idle, 1000));
    int64_t took = now_ms() - t0;

    struct log_count c;
    count_calls(&f, ACTION_DETAIL, BIG_RECORD, &c);
    assert_int_equal(c.calls, 1);
    assert_int_equal(c.cancelled, 1);
    print_message("cancel: idle %" PRId64 " ms after the new generation; the cancelled call "
                  "lasted %" PRId64 " ms (server would hold it 30000 ms)\n",
                  took, c.last_cancel_ms);
    assert_true(c.last_cancel_ms < 30000);
    struct worker_stats ws;
    worker_get_stats(f.w, &ws);
    assert_int_equal(ws.cancelled, 1);
    store_lock(f.store);
    const struct store_detail *d = store_detail(f.store, BIG_RECORD);
    assert_int_equal(d->meta.state, STORE_IDLE);
    assert_int_equal(d->meta.inflight, 0);
    store_unlock(f.store);

    /* The same record asked for again loads normally. */
    worker_want_detail(f.w, BIG_RECORD, 0, false);
    assert_true(wait_until(&f, is_idle, TU_DEADLINE_MS));
    store_lock(f.store);
    assert_int_equal(store_detail(f.store, BIG_RECORD)->meta.state, STORE_LOADED);
    store_unlock(f.store);
    fx_stop(&f);
}

/* The exception: a new view that asks for the same entry keeps its request running. */
static void test_generation_keeps_wanted(void **state)
{
    (void)state;
    struct fx f;
    struct fx_opts o = {.dataset = true, .latency_ms = 700};
    fx_start(&f, &o);
    worker_set_generation(f.w, 1);
    worker_want_detail(f.w, SMALL_RECORD, 0, false);
    worker_want_detail(f.w, SMALL_RECORD + 1, 0, false);
    assert_true(tu_wait_requests(f.emu, 2, TU_DEADLINE_MS));
    worker_set_generation(f.w, 2);
    worker_want_detail(f.w, SMALL_RECORD, 0, false); /* the new view shows the same record */
    assert_true(wait_until(&f, is_idle, TU_DEADLINE_MS));

    struct log_count c;
    count_calls(&f, ACTION_DETAIL, SMALL_RECORD, &c);
    assert_int_equal(c.calls, 1); /* not aborted and asked again: kept */
    assert_int_equal(c.ok, 1);
    count_calls(&f, ACTION_DETAIL, SMALL_RECORD + 1, &c);
    assert_int_equal(c.calls, 1);
    assert_int_equal(c.cancelled, 1);
    struct worker_stats ws;
    worker_get_stats(f.w, &ws);
    assert_int_equal(ws.kept, 1);
    assert_int_equal(ws.cancelled, 1);
    store_lock(f.store);
    assert_int_equal(store_detail(f.store, SMALL_RECORD)->meta.state, STORE_LOADED);
    assert_int_equal(store_detail(f.store, SMALL_RECORD + 1)->meta.state, STORE_IDLE);
    store_unlock(f.store);
    fx_stop(&f);
}

/* InternalError on every request, no retries: ERROR with last_error, the old rows kept; the
 * entry is not fetched again until a refresh; a refresh after the fault recovers. */
static void test_api_error(void **state)
{
    (void)state;
    struct fx f;
    struct fx_opts o = {.records = 30, .max_retries = -1};
    fx_start(&f, &o);
    worker_want_records(f.w, NULL, 30, false);
    worker_want_detail(f.w, 2, 0, false);
    assert_true(wait_until(&f, is_idle, TU_DEADLINE_MS));
    store_lock(f.store);
    assert_int_equal(store_records(f.store)->n_records, 30);
    uint64_t first_id = store_records(f.store)->records[0].id;
    store_unlock(f.store);

    emu_set_fault(f.emu, EMU_FAULT_INTERNAL, -1);
    worker_want_records(f.w, NULL, 30, true);
    worker_want_detail(f.w, 2, 0, true);
    worker_want_detail(f.w, 3, 0, false); /* a first fetch that fails: nothing to show */
    assert_true(wait_until(&f, is_idle, TU_DEADLINE_MS));
    store_lock(f.store);
    const struct store_records *r = store_records(f.store);
    assert_int_equal(r->meta.state, STORE_ERROR);
    assert_int_equal(r->meta.inflight, 0);
    assert_int_equal(r->meta.last_error.kind, APIERR_API);
    assert_string_equal(r->meta.last_error.code, "InternalError");
    assert_true(r->meta.last_error.request_id[0] != '\0');
    assert_int_equal(r->n_records, 30);
    assert_int_equal(r->records[0].id, first_id);
    const struct store_detail *d = store_detail(f.store, 2);
    assert_int_equal(d->meta.state, STORE_ERROR);
    assert_string_equal(d->meta.last_error.code, "InternalError");
    assert_int_equal(d->page.n_runs, 2);
    d = store_detail(f.store, 3);
    assert_int_equal(d->meta.state, STORE_ERROR);
    assert_int_equal(d->meta.fetched_ms, 0);
    assert_int_equal(d->page.n_runs, 0);
    store_unlock(f.store);

    /* A view asking on every redraw does not turn the error into a request loop. */
    struct worker_stats before, after;
    worker_get_stats(f.w, &before);
    for (int i = 0; i < 10; i++) {
        worker_want_records(f.w, NULL, 30, false);
        worker_want_detail(f.w, 2, 0, false);
        worker_want_detail(f.w, 3, 0, false);
    }
    worker_get_stats(f.w, &after);
    assert_int_equal(after.submitted, before.submitted);
    assert_true(worker_idle(f.w));

    emu_set_fault(f.emu, EMU_FAULT_NONE, 0);
    worker_want_records(f.w, NULL, 30, true);
    assert_true(wait_until(&f, is_idle, TU_DEADLINE_MS));
    store_lock(f.store);
    assert_int_equal(store_records(f.store)->meta.state, STORE_LOADED);
    assert_int_equal(store_records(f.store)->meta.last_error.kind, APIERR_NONE);
    store_unlock(f.store);
    fx_stop(&f);
}

/* Rollback through the worker: its outcome in the log, then the detail and the list are
 * fetched again and the detail shows an extra Type 1 run. */
static void test_rollback(void **state)
{
    (void)state;
    struct fx f;
    struct fx_opts o = {.dataset = true};
    fx_start(&f, &o);
    worker_want_records(f.w, NULL, 10, false);
    worker_want_detail(f.w, SMALL_RECORD, 0, false);
    assert_true(wait_until(&f, is_idle, TU_DEADLINE_MS));
    store_lock(f.store);
    assert_int_equal(store_detail(f.store, SMALL_RECORD)->page.n_runs, 1);
    size_t log_before = store_log_len(f.store);
    store_unlock(f.store);

    worker_rollback(f.w, SMALL_RECORD);
    assert_true(wait_until(&f, is_idle, TU_DEADLINE_MS));

    size_t rb = log_find(&f, ACTION_ROLLBACK, log_before);
    assert_true(rb != SIZE_MAX);
    store_lock(f.store);
    const struct api_trace *t = store_log_at(f.store, rb);
    assert_int_equal(t->err.kind, APIERR_NONE);
    assert_int_equal(param_int(t->params, "DeployRecordId"), SMALL_RECORD);
    assert_true(t->request_id[0] != '\0');
    store_unlock(f.store);
    /* The refreshes came after it. */
    assert_true(log_find(&f, ACTION_DETAIL, rb + 1) != SIZE_MAX);
    assert_true(log_find(&f, ACTION_RECORDS, rb + 1) != SIZE_MAX);

    store_lock(f.store);
    const struct store_detail *d = store_detail(f.store, SMALL_RECORD);
    assert_int_equal(d->meta.state, STORE_LOADED);
    assert_int_equal(d->page.n_runs, 2);
    assert_int_equal(d->page.runs[0].type, 0);
    assert_int_equal(d->page.runs[1].type, 1);
    assert_int_equal(tu_group_of(d, 1, "clb")->n_items, 3);
    store_unlock(f.store);

    /* A second rollback is refused by the service: the log says so, nothing breaks. */
    store_lock(f.store);
    log_before = store_log_len(f.store);
    store_unlock(f.store);
    worker_rollback(f.w, SMALL_RECORD);
    assert_true(wait_until(&f, is_idle, TU_DEADLINE_MS));
    rb = log_find(&f, ACTION_ROLLBACK, log_before);
    assert_true(rb != SIZE_MAX);
    store_lock(f.store);
    assert_int_equal(store_log_at(f.store, rb)->err.kind, APIERR_API);
    assert_int_equal(store_detail(f.store, SMALL_RECORD)->page.n_runs, 2);
    store_unlock(f.store);
    fx_stop(&f);
}

/* worker_free with two slow reads on the wire and more queued (a rollback among them): it
 * returns without waiting for the server, the reads end cancelled, the queued rollback never
 * runs, no entry is left LOADING. */
static void test_free_with_work(void **state)
{
    (void)state;
    struct fx f;
    struct fx_opts o = {.dataset = true, .latency_ms = 2000, .threads = 2};
    fx_start(&f, &o);
    worker_want_detail(f.w, BIG_RECORD, 0, false);
    worker_want_detail(f.w, SMALL_RECORD, 0, false);
    worker_want_detail(f.w, SMALL_RECORD + 1, 0, false);
    worker_want_records(f.w, NULL, 10, false);
    worker_rollback(f.w, SMALL_RECORD + 2);
    assert_true(tu_wait_requests(f.emu, 2, TU_DEADLINE_MS));
    struct worker_stats ws;
    worker_get_stats(f.w, &ws);
    assert_int_equal(ws.running, 2);
    assert_int_equal(ws.queued, 3);

    int64_t t0 = now_ms();
    worker_free(f.w);
    int64_t took = now_ms() - t0;
    f.w = NULL;

    struct log_count c1, c2;
    count_calls(&f, ACTION_DETAIL, -1, &c1);
    count_calls(&f, ACTION_ROLLBACK, -1, &c2);
    print_message("worker_free: returned after %" PRId64 " ms with 2 reads on the wire (server "
                  "latency 2000 ms)\n",
                  took);
    assert_int_equal(c1.calls, 2);
    assert_int_equal(c1.cancelled, 2);
    assert_true(c1.last_cancel_ms < 2000);
    assert_int_equal(c2.calls, 0);
    store_lock(f.store);
    for (uint64_t id = BIG_RECORD; id < BIG_RECORD + 3; id++) {
        const struct store_detail *d = store_detail(f.store, id);
        assert_non_null(d);
        assert_int_equal(d->meta.inflight, 0);
        assert_int_equal(d->meta.state, STORE_IDLE);
    }
    assert_int_equal(store_records(f.store)->meta.state, STORE_IDLE);
    assert_int_equal(store_records(f.store)->meta.inflight, 0);
    store_unlock(f.store);

    /* The rollback never reached the server: record 903 still has one run. */
    f.w = worker_new(f.api, f.store, 2);
    worker_want_detail(f.w, SMALL_RECORD + 2, 0, false);
    assert_true(wait_until(&f, is_idle, TU_DEADLINE_MS));
    store_lock(f.store);
    assert_int_equal(store_detail(f.store, SMALL_RECORD + 2)->meta.state, STORE_LOADED);
    assert_int_equal(store_detail(f.store, SMALL_RECORD + 2)->page.n_runs, 1);
    store_unlock(f.store);
    fx_stop(&f);
}

/* ---- one group at a time, under both readings of Limit/Offset ------------------------------- */

/* With the store locked: group `type` of the record's first run holds exactly the file's items,
 * in order, each once. */
static void assert_group_whole(struct fx *f, uint64_t record_id, const struct group_def *def)
{
    const struct store_detail *d = store_detail(f->store, record_id);
    assert_non_null(d);
    const struct resource_group *g = tu_group_of(d, 0, def->type);
    assert_non_null(g);
    assert_int_equal(g->total_count, def->items);
    if ((int)g->n_items != def->items)
        print_message("record %" PRIu64 " %s: %zu of %d items\n", record_id, def->type, g->n_items,
                      def->items);
    assert_int_equal(g->n_items, def->items);
    for (size_t i = 0; i < g->n_items; i++)
        assert_int_equal(tu_item(g, i)->id, def->first_id + i);
}

/* Every detail call for the record asked a distinct page offset below `below`. */
static void assert_pages_once(struct fx *f, uint64_t record_id, int64_t below, size_t *calls)
{
    struct log_count c;
    count_calls(f, ACTION_DETAIL, record_id, &c);
    assert_int_equal(c.calls, c.distinct);
    assert_int_equal(c.ok, c.calls);
    for (size_t i = 0; i < c.distinct; i++) {
        assert_true(c.offsets[i] % WORKER_PAGE_LIMIT == 0);
        assert_true(c.offsets[i] >= 0 && c.offsets[i] < below);
    }
    *calls = c.calls;
}

/* Asks for a later group of each record as the drill-down does (the first page, then the
 * rows on screen, then everything) and checks it ends up whole. */
static void load_later_groups(struct fx *f)
{
    for (int i = 0; i < 5; i++) {
        worker_want_group(f->w, TWO_RECORD, 0, "cdn", 0, false);
        worker_want_group(f->w, TWO_RECORD, 0, "cdn", 61, false);
    }
    assert_true(wait_until(f, is_idle, TU_DEADLINE_MS));
    worker_want_group(f->w, TWO_RECORD, 0, "cdn", 200, false); /* the G key */
    worker_want_group(f->w, THREE_RECORD, 0, "cdn", 150, false);
    assert_true(wait_until(f, is_idle, TU_DEADLINE_MS));
    worker_want_group(f->w, THREE_RECORD, 0, "waf", 150, false);
    assert_true(wait_until(f, is_idle, TU_DEADLINE_MS));
    /* Asking again once they are whole costs nothing. */
    struct worker_stats before, after;
    worker_get_stats(f->w, &before);
    worker_want_group(f->w, TWO_RECORD, 0, "cdn", 200, false);
    worker_want_group(f->w, THREE_RECORD, 0, "waf", 150, false);
    worker_want_group(f->w, THREE_RECORD, 0, "cdn", 150, false);
    worker_get_stats(f->w, &after);
    assert_int_equal(after.submitted, before.submitted);
    assert_true(worker_idle(f->w));

    store_lock(f->store);
    assert_group_whole(f, TWO_RECORD, &two_groups[1]);
    assert_group_whole(f, THREE_RECORD, &three_groups[1]);
    assert_group_whole(f, THREE_RECORD, &three_groups[2]);
    for (uint64_t id = TWO_RECORD; id <= THREE_RECORD; id++) {
        const struct store_detail *d = store_detail(f->store, id);
        assert_int_equal(d->meta.state, STORE_LOADED);
        assert_int_equal(d->meta.inflight, 0);
        /* Whatever came of the other groups came once, in order. */
        for (size_t g = 0; g < d->page.runs[0].n_groups; g++) {
            const struct resource_group *grp = &d->page.runs[0].groups[g];
            for (size_t i = 1; i < grp->n_items; i++)
                assert_int_equal(tu_item(grp, i)->id, tu_item(grp, 0)->id + i);
        }
    }
    store_unlock(f->store);
}

/* Flat paging: cdn's items sit at offsets 1,234..1,433 of record 910's only run, the third
 * group's at 300..449 of record 911's. Both load whole, each page asked once, none beyond the
 * run's item count, several in flight at once. */
static void test_group_flat_paging(void **state)
{
    (void)state;
    struct fx f;
    struct fx_opts o = {.dataset = true, .latency_ms = 20, .paging = EMU_PAGING_FLAT};
    fx_start(&f, &o);
    load_later_groups(&f);

    size_t calls;
    assert_pages_once(&f, TWO_RECORD, 1234 + 200, &calls);
    print_message("flat paging: cdn 200 after clb 1,234 took %zu detail calls\n", calls);
    assert_int_equal(calls, 8); /* offsets 0..1,400: the run's 1,434 items */
    assert_pages_once(&f, THREE_RECORD, 450, &calls);
    assert_int_equal(calls, 3); /* 0, 200, 400 */
    struct log_count c;
    count_calls(&f, ACTION_DETAIL, TWO_RECORD, &c);
    assert_true(c.max_overlap >= 2);
    store_lock(f.store);
    assert_true(store_detail(f.store, TWO_RECORD)->complete);
    assert_true(store_detail(f.store, THREE_RECORD)->complete);
    store_unlock(f.store);
    fx_stop(&f);
}

/* Group paging, the same asks: the first page holds all of cdn (record 910) and of every group
 * of record 911, so one request each; record 910's clb stays at its first page. */
static void test_group_group_paging(void **state)
{
    (void)state;
    struct fx f;
    struct fx_opts o = {.dataset = true, .paging = EMU_PAGING_GROUP};
    fx_start(&f, &o);
    load_later_groups(&f);

    size_t calls;
    assert_pages_once(&f, TWO_RECORD, 200, &calls);
    assert_int_equal(calls, 1);
    assert_pages_once(&f, THREE_RECORD, 200, &calls);
    assert_int_equal(calls, 1);
    store_lock(f.store);
    const struct store_detail *d = store_detail(f.store, TWO_RECORD);
    assert_int_equal(tu_group_of(d, 0, "clb")->n_items, WORKER_PAGE_LIMIT);
    assert_false(d->complete);
    assert_int_equal(d->fetched_offset, WORKER_PAGE_LIMIT);
    store_unlock(f.store);
    fx_stop(&f);
}

/* Group paging, a 200-item group beside a 5,000-item one: however much of the small group is
 * asked for, one request; a want deeper in the big group then pages only that far. */
static void test_group_no_overfetch(void **state)
{
    (void)state;
    struct fx f;
    struct fx_opts o = {.dataset = true, .paging = EMU_PAGING_GROUP};
    fx_start(&f, &o);
    worker_want_group(f.w, WIDE_RECORD, 0, "cdn", 0, false);
    assert_true(wait_until(&f, is_idle, TU_DEADLINE_MS));
    worker_want_group(f.w, WIDE_RECORD, 0, "cdn", 61, false);
    worker_want_group(f.w, WIDE_RECORD, 0, "cdn", 200, false);
    worker_want_group(f.w, WIDE_RECORD, 0, "cdn", 5000, false);
    assert_true(wait_until(&f, is_idle, TU_DEADLINE_MS));
    size_t calls;
    assert_pages_once(&f, WIDE_RECORD, 200, &calls);
    assert_int_equal(calls, 1);
    store_lock(f.store);
    assert_group_whole(&f, WIDE_RECORD, &wide_groups[1]);
    assert_int_equal(tu_group_of(store_detail(f.store, WIDE_RECORD), 0, "clb")->n_items, 200);
    store_unlock(f.store);

    worker_want_group(f.w, WIDE_RECORD, 0, "clb", 601, false);
    assert_true(wait_until(&f, is_idle, TU_DEADLINE_MS));
    assert_pages_once(&f, WIDE_RECORD, 800, &calls);
    assert_int_equal(calls, 4); /* 0, 200, 400, 600 */
    store_lock(f.store);
    assert_int_equal(tu_group_of(store_detail(f.store, WIDE_RECORD), 0, "clb")->n_items, 800);
    store_unlock(f.store);
    fx_stop(&f);
}

static int setup(void **state)
{
    (void)state;
    write_dataset();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_records_load),
        cmocka_unit_test(test_big_group),
        cmocka_unit_test(test_cancel_by_generation),
        cmocka_unit_test(test_generation_keeps_wanted),
        cmocka_unit_test(test_api_error),
        cmocka_unit_test(test_rollback),
        cmocka_unit_test(test_free_with_work),
        cmocka_unit_test(test_group_flat_paging),
        cmocka_unit_test(test_group_group_paging),
        cmocka_unit_test(test_group_no_overfetch),
    };
    return cmocka_run_group_tests(tests, setup, tu_dataset_teardown);
}
