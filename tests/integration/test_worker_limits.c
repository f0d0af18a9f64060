/* The worker against servers that claim impossible totals: a detail group whose TotalCount is
 * 2^53 - 1 (the real emulator serving a dataset file whose TotalCount disagrees with its List)
 * and a record list claiming as many rows (a tiny scripted loopback server: the emulator
 * counts its records itself). The worker pages within the limits api.h shares with the batch
 * helpers, shows an error naming the count, keeps its queue per entry bounded, and never
 * hangs. Waits poll with a deadline; this program also runs under ThreadSanitizer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdatomic.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "core/api.h"
#include "core/emulator/emulator.h"
#include "core/http.h"
#include "core/store.h"
#include "core/util.h"
#include "core/worker.h"
#include "testutil.h"

#define HUGE_TOTAL       "9007199254740991" /* 2^53 - 1 */
#define HUGE_RECORD      700                /* clb claims HUGE_TOTAL, holds 3; cdn 2 of 2 */
#define WIDE_RECORD      701                /* clb claims 400,000 (within the limit), holds 3 */
#define WIDE_TOTAL       400000
#define LONG_LIST_ROWS   30000 /* the scripted record list that is long but within the limit */
#define LONG_LIST_PAGES  (LONG_LIST_ROWS / WORKER_RECORDS_LIMIT)
#define DETAIL_CAP_PAGES (API_DETAIL_MAX_ITEMS / WORKER_PAGE_LIMIT + 1)
#define RECORD_CAP_PAGES (API_RECORDS_MAX / WORKER_RECORDS_LIMIT + 1)

/* ---- the dataset file --------------------------------------------------------------------- */

static void put_group(struct buf *b, const char *type, const char *total, int items,
                      uint64_t first_id)
{
    buf_printf(b, "{\"ResourceType\":\"%s\",\"TotalCount\":%s,\"List\":[", type, total);
    for (int i = 0; i < items; i++)
        buf_printf(b,
                   "%s{\"Id\":%" PRIu64 ",\"OldCertId\":\"OMhKAc35\",\"InstanceId\":\"lb-%d\","
                   "\"Status\":1,\"ResourceType\":\"%s\",\"Region\":\"ap-guangzhou\"}",
                   i ? "," : "", first_id + (uint64_t)i, i, type);
    buf_puts(b, "]}");
}

static void put_run_head(struct buf *b)
{
    buf_puts(b, "{\"TotalCount\":5,\"SuccessTotalCount\":5,\"FailedTotalCount\":0,"
                "\"RunningTotalCount\":0,\"PendingTotalCount\":0,\"Type\":0,\"Status\":1,"
                "\"CreateTime\":\"2025-05-20 15:03:17\",\"RecordDetailList\":[");
}

static void write_dataset(void)
{
    struct buf b = {0};
    buf_puts(&b, "{\"Records\":[");
    for (int i = 0; i < 2; i++)
        buf_printf(&b,
                   "%s{\"Id\":%d,\"OldCertId\":\"OMhKAc35\",\"ResourceTypes\":[\"clb\",\"cdn\"],"
                   "\"Status\":1,\"CreateTime\":\"2025-05-20 12:05:26\","
                   "\"UpdateTime\":\"2025-05-20 12:09:00\"}",
                   i ? "," : "", HUGE_RECORD + i);
    buf_printf(&b, "],\"Details\":{\"%d\":[", HUGE_RECORD);
    put_run_head(&b);
    put_group(&b, "clb", HUGE_TOTAL, 3, 1000);
    buf_putc(&b, ',');
    put_group(&b, "cdn", "2", 2, 2000);
    buf_printf(&b, "]}],\"%d\":[", WIDE_RECORD);
    put_run_head(&b);
    char wide[32];
    snprintf(wide, sizeof(wide), "%d", WIDE_TOTAL);
    put_group(&b, "clb", wide, 3, 3000);
    buf_puts(&b, "]}]}}");
    tu_dataset_setup("worker-limits", b.data);
    buf_free(&b);
}

/* ---- a scripted record list: TotalCount as set, rows Offset+1.. of each asked page ---------- */

static struct {
    struct tu_script_server *srv;
    pthread_mutex_t mu; /* guards what follows */
    char total[32];     /* TotalCount as sent */
    uint64_t rows;      /* rows that exist (pages beyond are empty) */
    bool same_rows;     /* every page answers rows 1..100 (ignores Offset) */
    bool seen[LONG_LIST_PAGES];
} ss = {.mu = PTHREAD_MUTEX_INITIALIZER};

/* Answers a records request with the page its Offset asks for; the connection closes. */
static bool scripted_answer(void *ctx, int fd, const struct tu_script_request *req)
{
    (void)ctx;
    const char *op = strstr(req->body, "\"Offset\":");
    uint64_t offset = op ? strtoull(op + 9, NULL, 10) : 0;

    pthread_mutex_lock(&ss.mu);
    if (offset % WORKER_RECORDS_LIMIT == 0 && offset / WORKER_RECORDS_LIMIT < LONG_LIST_PAGES)
        ss.seen[offset / WORKER_RECORDS_LIMIT] = true;
    uint64_t first = ss.same_rows ? 0 : offset, rows = ss.rows;
    struct buf b = {0};
    buf_printf(&b, "{\"Response\":{\"TotalCount\":%s,\"DeployRecordList\":[", ss.total);
    pthread_mutex_unlock(&ss.mu);
    for (uint64_t i = first; i < first + WORKER_RECORDS_LIMIT && i < rows; i++)
        buf_printf(&b,
                   "%s{\"Id\":%" PRIu64 ",\"OldCertId\":\"c\",\"ResourceTypes\":[\"clb\"],"
                   "\"Status\":1,\"CreateTime\":\"2025-01-01 00:00:00\","
                   "\"UpdateTime\":\"2025-01-01 00:00:00\"}",
                   i > first ? "," : "", i + 1);
    buf_puts(&b, "],\"RequestId\":\"scripted\"}}");
    char head[256];
    snprintf(head, sizeof(head),
             "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
             "Connection: close\r\n\r\n",
             b.len);
    tu_send_all(fd, head, strlen(head));
    tu_send_all(fd, b.data, b.len);
    buf_free(&b);
    return false;
}

static void scripted_start(const char *total, uint64_t rows, bool same_rows)
{
    pthread_mutex_lock(&ss.mu);
    snprintf(ss.total, sizeof(ss.total), "%s", total);
    ss.rows = rows;
    ss.same_rows = same_rows;
    memset(ss.seen, 0, sizeof(ss.seen));
    pthread_mutex_unlock(&ss.mu);
    ss.srv = tu_script_server_start(scripted_answer, NULL);
}

static void scripted_stop(void)
{
    tu_script_server_stop(ss.srv);
    ss.srv = NULL;
}

static int scripted_requests(void)
{
    int n;
    tu_script_server_counts(ss.srv, NULL, &n);
    return n;
}

/* ---- fixture -------------------------------------------------------------------------------- */

struct fx {
    struct emu *emu; /* NULL: the scripted server */
    struct api_client *api;
    struct store *store;
    struct worker *w;
    size_t max_queued; /* most jobs seen queued at once by wait_until's samples */
};

static void fx_start(struct fx *f, bool scripted, int threads)
{
    memset(f, 0, sizeof(*f));
    struct api_config ac = {.rate = -1, .max_retries = -1};
    if (scripted) {
        char *url = tu_script_server_url(ss.srv);
        ac.endpoint = url;
        ac.http.timeout_ms = 10000;
        ac.http.connect_timeout_ms = 2000;
        f->api = tu_emu_client(NULL, &ac, NULL);
        free(url);
    } else {
        struct emu_config ec = {
            .listen = "127.0.0.1:0", .rate = -1, .dataset_file = tu_dataset_path};
        f->emu = tu_emu_start(&ec);
        f->api = tu_emu_client(f->emu, &ac, NULL);
    }
    f->store = store_new();
    f->w = worker_new(f->api, f->store, threads);
}

static atomic_int freed;

static void *free_and_flag(void *arg)
{
    struct fx *f = arg;
    worker_free(f->w);
    atomic_store(&freed, 1);
    return NULL;
}

/* worker_free must return within the deadline (it runs on a thread so a hang fails the test
 * instead of ctest's timeout). */
static void fx_stop(struct fx *f)
{
    atomic_store(&freed, 0);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, free_and_flag, f), 0);
    assert_true(tu_wait_flag(&freed, TU_DEADLINE_MS));
    pthread_join(t, NULL);
    api_client_free(f->api);
    store_free(f->store);
    if (f->emu) emu_stop(f->emu);
}

static void sample_queue(struct fx *f)
{
    struct worker_stats st;
    worker_get_stats(f->w, &st);
    if (st.queued > f->max_queued) f->max_queued = st.queued;
}

/* Sleeps in poll() on the store's wake fd until cond holds or the deadline passes, sampling
 * the worker's queue length at every wake-up. */
static bool wait_until(struct fx *f, bool (*cond)(struct fx *), int64_t timeout_ms)
{
    int64_t deadline = now_ms() + timeout_ms;
    for (;;) {
        store_drain_wake(f->store);
        sample_queue(f);
        if (cond(f)) return true;
        int64_t left = deadline - now_ms();
        if (left <= 0) return false;
        struct pollfd pfd = {.fd = store_wake_fd(f->store), .events = POLLIN};
        (void)poll(&pfd, 1, (int)(left < 50 ? left : 50));
    }
}

static bool is_idle(struct fx *f)
{
    return worker_idle(f->w);
}

static uint64_t submitted(struct fx *f)
{
    struct worker_stats st;
    worker_get_stats(f->w, &st);
    return st.submitted;
}

/* The detail entry's state and error, copied under the lock. */
static enum store_state detail_state(struct fx *f, uint64_t id, struct api_error *err,
                                     size_t *clb_items)
{
    store_lock(f->store);
    const struct store_detail *d = store_detail(f->store, id);
    enum store_state st = d ? d->meta.state : STORE_IDLE;
    if (err) *err = d ? d->meta.last_error : (struct api_error){0};
    if (clb_items) {
        const struct resource_group *g = d ? tu_group_of(d, 0, "clb") : NULL;
        *clb_items = g ? g->n_items : 0;
    }
    store_unlock(f->store);
    return st;
}

static enum store_state records_state(struct fx *f, struct api_error *err, size_t *rows)
{
    store_lock(f->store);
    const struct store_records *r = store_records(f->store);
    enum store_state st = r->meta.state;
    if (err) *err = r->meta.last_error;
    if (rows) *rows = r->n_records;
    store_unlock(f->store);
    return st;
}

/* ---- tests ---------------------------------------------------------------------------------- */

/* A view wanting far more than the limit of a group claiming 2^53 - 1 instances: the first
 * page loads, then the entry fails naming the count; no page beyond the limit is queued and
 * asking again queues nothing. */
static void test_detail_total_beyond_limit(void **state)
{
    (void)state;
    struct fx f;
    fx_start(&f, false, 4);
    worker_set_generation(f.w, 1);
    worker_want_group(f.w, HUGE_RECORD, 0, "clb", 2 * API_DETAIL_MAX_ITEMS, false);
    sample_queue(&f);
    assert_true(wait_until(&f, is_idle, TU_DEADLINE_MS));

    struct api_error err;
    size_t clb = 0;
    assert_int_equal(detail_state(&f, HUGE_RECORD, &err, &clb), STORE_ERROR);
    assert_int_equal(err.kind, APIERR_DECODE);
    assert_non_null(strstr(err.message, HUGE_TOTAL " instances in group clb"));
    assert_non_null(strstr(err.message, "(4,294,967,295)"));
    assert_int_equal(clb, 3); /* what the first page brought stays */
    uint64_t n = submitted(&f);
    assert_true(n <= DETAIL_CAP_PAGES);
    assert_true(f.max_queued <= WORKER_QUEUE_PER_ENTRY);

    /* The view asks again on its next redraw: an entry in error is not paged further. */
    worker_want_group(f.w, HUGE_RECORD, 0, "clb", 2 * API_DETAIL_MAX_ITEMS, false);
    worker_want_detail(f.w, HUGE_RECORD, INT64_MAX, false);
    assert_true(wait_until(&f, is_idle, TU_DEADLINE_MS));
    assert_int_equal(submitted(&f), n);
    assert_int_equal(detail_state(&f, HUGE_RECORD, NULL, NULL), STORE_ERROR);
    fx_stop(&f);
}

/* The same group when the view wants only what the limit allows: served, no error. */
static void test_detail_want_within_limit(void **state)
{
    (void)state;
    struct fx f;
    fx_start(&f, false, 4);
    worker_set_generation(f.w, 1);
    worker_want_group(f.w, HUGE_RECORD, 0, "clb", 1000, false);
    assert_true(wait_until(&f, is_idle, TU_DEADLINE_MS));
    struct api_error err;
    size_t clb = 0;
    assert_int_equal(detail_state(&f, HUGE_RECORD, &err, &clb), STORE_LOADED);
    assert_int_equal(err.kind, APIERR_NONE);
    assert_int_equal(clb, 3);
    assert_true(submitted(&f) <= DETAIL_CAP_PAGES);
    fx_stop(&f);
}

static bool more_than_queue_cap(struct fx *f)
{
    return submitted(f) > 2 * WORKER_QUEUE_PER_ENTRY;
}

/* A group of 400,000 (within the limit) wanted whole: 2,000 pages, never more than
 * WORKER_QUEUE_PER_ENTRY of them waiting at once, the rest queued as earlier ones complete.
 * Leaving the view drops the rest at once. */
static void test_detail_queue_bounded(void **state)
{
    (void)state;
    struct fx f;
    fx_start(&f, false, 2);
    worker_set_generation(f.w, 1);
    worker_want_group(f.w, WIDE_RECORD, 0, "clb", WIDE_TOTAL, false);
    sample_queue(&f);
    assert_true(wait_until(&f, more_than_queue_cap, TU_DEADLINE_MS));
    assert_true(f.max_queued <= WORKER_QUEUE_PER_ENTRY);
    assert_int_not_equal(detail_state(&f, WIDE_RECORD, NULL, NULL), STORE_ERROR);
    worker_set_generation(f.w, 2);
    assert_true(wait_until(&f, is_idle, TU_DEADLINE_MS));
    assert_true(submitted(&f) <= WIDE_TOTAL / WORKER_PAGE_LIMIT);
    fx_stop(&f);
}

/* A record list claiming 2^53 - 1 rows (every page the same 100): wanting more than the limit
 * fails with the count after the first page; wanting less is served. */
static void test_records_total_beyond_limit(void **state)
{
    (void)state;
    scripted_start(HUGE_TOTAL, WORKER_RECORDS_LIMIT, true);
    struct fx f;
    fx_start(&f, true, 4);
    worker_set_generation(f.w, 1);
    worker_want_records(f.w, NULL, 50, false);
    assert_true(wait_until(&f, is_idle, TU_DEADLINE_MS));
    struct api_error err;
    size_t rows = 0;
    assert_int_equal(records_state(&f, &err, &rows), STORE_LOADED);
    assert_int_equal(rows, WORKER_RECORDS_LIMIT);

    worker_want_records(f.w, NULL, 2 * API_RECORDS_MAX, false);
    sample_queue(&f);
    assert_true(wait_until(&f, is_idle, TU_DEADLINE_MS));
    assert_int_equal(records_state(&f, &err, &rows), STORE_ERROR);
    assert_int_equal(err.kind, APIERR_DECODE);
    assert_non_null(strstr(err.message, HUGE_TOTAL " records"));
    assert_non_null(strstr(err.message, "(100,000)"));
    assert_int_equal(rows, WORKER_RECORDS_LIMIT);
    assert_true(submitted(&f) <= RECORD_CAP_PAGES);
    assert_true(f.max_queued <= WORKER_QUEUE_PER_ENTRY);
    fx_stop(&f);
    scripted_stop();
}

static bool records_complete(struct fx *f)
{
    store_lock(f->store);
    bool done = store_records(f->store)->complete && store_records(f->store)->meta.inflight == 0;
    store_unlock(f->store);
    return done && worker_idle(f->w);
}

static bool refresh_done(struct fx *f)
{
    pthread_mutex_lock(&ss.mu);
    bool all = true;
    for (size_t i = 0; i < LONG_LIST_PAGES; i++)
        all = all && ss.seen[i];
    pthread_mutex_unlock(&ss.mu);
    return all && worker_idle(f->w);
}

/* A long list within the limit (300 pages): loaded whole and refreshed whole, never more than
 * WORKER_QUEUE_PER_ENTRY pages waiting at once. */
static void test_records_queue_bounded(void **state)
{
    (void)state;
    char total[32];
    snprintf(total, sizeof(total), "%d", LONG_LIST_ROWS);
    scripted_start(total, LONG_LIST_ROWS, false);
    struct fx f;
    fx_start(&f, true, 2);
    worker_set_generation(f.w, 1);
    worker_want_records(f.w, NULL, LONG_LIST_ROWS, false);
    sample_queue(&f);
    assert_true(wait_until(&f, records_complete, TU_DEADLINE_MS));
    size_t rows = 0;
    assert_int_equal(records_state(&f, NULL, &rows), STORE_LOADED);
    assert_int_equal(rows, LONG_LIST_ROWS);
    assert_true(f.max_queued <= WORKER_QUEUE_PER_ENTRY);

    pthread_mutex_lock(&ss.mu);
    memset(ss.seen, 0, sizeof(ss.seen));
    pthread_mutex_unlock(&ss.mu);
    int before = scripted_requests();
    f.max_queued = 0;
    worker_want_records(f.w, NULL, LONG_LIST_ROWS, true);
    sample_queue(&f);
    assert_true(wait_until(&f, refresh_done, TU_DEADLINE_MS));
    assert_true(f.max_queued <= WORKER_QUEUE_PER_ENTRY);
    int asked = scripted_requests() - before;
    assert_int_equal(asked, LONG_LIST_PAGES); /* every page once, none twice */
    assert_int_equal(records_state(&f, NULL, &rows), STORE_LOADED);
    assert_int_equal(rows, LONG_LIST_ROWS);
    fx_stop(&f);
    scripted_stop();
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
        cmocka_unit_test(test_detail_total_beyond_limit),
        cmocka_unit_test(test_detail_want_within_limit),
        cmocka_unit_test(test_detail_queue_bounded),
        cmocka_unit_test(test_records_total_beyond_limit),
        cmocka_unit_test(test_records_queue_bounded),
    };
    return cmocka_run_group_tests(tests, setup, tu_dataset_teardown);
}
