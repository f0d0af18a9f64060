/* The status line against the real emulator: a request held back by the client's rate limit
 * shows as "rate limit: waiting" while it waits (the client's limiter tells the worker, which
 * publishes it in the store) and not once everything is in; a new attempt after an error says so;
 * the answer to a write is found even when a read that began before it ends after it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/http.h"
#include "core/store.h"
#include "core/util.h"
#include "core/worker.h"
#include "testutil.h"
#include "tui/harness.h"

#define BIG_RECORD  7
#define BIG_ITEMS   1234 /* seven pages of 200 */
#define DEADLINE_MS 20000

/* One record whose deploy run has a clb group of n instances (every 97th failed) and a cos
 * group of one. */
static char *write_big_dataset(int n)
{
    struct buf b = {0};
    buf_printf(&b,
               "{\"Records\":[{\"Id\":%d,\"OldCertId\":\"BigCert1\",\"ResourceTypes\":[\"clb\","
               "\"cos\"],\"Status\":2,\"CreateTime\":\"2025-12-01 09:00:00\",\"UpdateTime\":"
               "\"2025-12-01 09:30:00\"}],\"Details\":{\"%d\":[{\"TotalCount\":%d,"
               "\"SuccessTotalCount\":%d,\"FailedTotalCount\":%d,\"RunningTotalCount\":0,"
               "\"Type\":0,\"Status\":2,\"CreateTime\":\"2025-12-01 09:00:00\","
               "\"RecordDetailList\":[{\"ResourceType\":\"clb\",\"TotalCount\":%d,\"List\":[",
               BIG_RECORD, BIG_RECORD, n + 1, n + 1 - (n + 91) / 97, (n + 91) / 97, n);
    for (int i = 0; i < n; i++) {
        bool fail = i % 97 == 5;
        buf_printf(&b,
                   "%s{\"Id\":%d,\"OldCertId\":\"BigCert1\",\"InstanceId\":\"lb-%06d\","
                   "\"ListenerId\":\"lbl-%06d\",\"Domains\":[\"d%d.example.com\"],\"Protocol\":"
                   "\"HTTPS\",\"Port\":443,\"Status\":%d,\"ErrorMsg\":\"%s\",\"ResourceType\":"
                   "\"clb\"}",
                   i ? "," : "", 100000 + i, i, i, i, fail ? 2 : 1, fail ? "listener gone" : "");
    }
    buf_puts(&b, "]},{\"ResourceType\":\"cos\",\"TotalCount\":1,\"List\":[{\"Id\":99,\"Status\":1,"
                 "\"Bucket\":\"assets-1250000000\",\"Region\":\"ap-shanghai\",\"ErrorMsg\":\"\","
                 "\"ResourceType\":\"cos\"}]}]}]}}");
    char *path = tu_path(tu_tmp, "big.json");
    tu_write_file(path, b.data);
    buf_free(&b);
    return path;
}

/* ---- an emulator and a client ------------------------------------------------------------- */

/* s at 120x30, against an emulator that never refuses: only the client limits. */
static struct th_scenario status_scenario(struct th_scenario s)
{
    s.emu_rate = -1;
    s.cols = 120;
    s.lines = 30;
    return s;
}

static int run(struct th_scenario s)
{
    s = status_scenario(s);
    return th_run(&s);
}

/* ---- rate-limit waits, live ---------------------------------------------------------------- */

/* At 2 requests/s, G in a group of seven pages queues six page requests at once: they wait
 * their turn, and the status line says so while they do, and no longer once all are in. The
 * event log counts each call's wait. */
static void test_rate_limit_wait_shows_live(void **state)
{
    (void)state;
    char *ds = write_big_dataset(BIG_ITEMS);
    assert_int_equal(run((struct th_scenario){.dataset = ds,
                                              .rate = 2,
                                              .script = "wait-idle\n"
                                                        "key Enter\n"
                                                        "wait-idle\n"
                                                        "key Tab\n"
                                                        "key Enter\n"
                                                        "wait-idle\n"
                                                        "key G\n"
                                                        "wait-text rate limit: waiting\n"
                                                        "save-display @/waiting.txt\n"
                                                        "wait-idle\n"
                                                        "save-display @/idle.txt\n"
                                                        "key L\n"
                                                        "save-display @/log.txt\n"}),
                     0);
    char *t = th_display("waiting");
    char *st = th_status_line(t);
    th_assert_contains(st, "rate limit: waiting (2 req/s)");
    th_assert_contains(st, "loaded "); /* beside the progress of the pages, not instead of it */
    free(st);
    free(t);
    t = th_display("idle");
    st = th_status_line(t);
    th_assert_lacks(st, "waiting");
    free(st);
    th_assert_contains(t, "1,234 instances");
    free(t);
    t = th_display("log");
    th_assert_contains(t, "OK (waited "); /* the client's wait counts in the trace */
    free(t);
    free(ds);
}

/* At a rate no request has to wait for, the screen never claims a wait. */
static void test_fast_rate_no_live_wait(void **state)
{
    (void)state;
    assert_int_equal(run((struct th_scenario){.rate = 1000,
                                              .script = "wait-idle\n"
                                                        "key Enter\n"
                                                        "wait-idle\n"
                                                        "save-display @/detail.txt\n"}),
                     0);
    char *t = th_display("detail");
    th_assert_lacks(t, "rate limit");
    th_assert_contains(t, "Record #104");
    free(t);
}

struct sample {
    int max_waiting;
    int samples;
};

/* Reads the store's rate-limit wait and checks what it says. */
static void sample_wait(struct store *s, struct sample *out)
{
    store_lock(s);
    struct store_rate_wait rw = *store_rate_wait(s);
    int64_t now = now_ms();
    store_unlock(s);
    if (rw.waiting <= 0) return;
    out->samples++;
    if (rw.waiting > out->max_waiting) out->max_waiting = rw.waiting;
    assert_true(rw.rate > 1.99 && rw.rate < 2.01);
    assert_true(rw.since_ms > 0);
    /* Published only once the wait has lasted the notice time. */
    assert_true(now - rw.since_ms >= WORKER_RATE_NOTICE_MS);
}

/* The worker and store alone: waits longer than the notice time are published while they
 * last, and nothing is left once the worker is idle. */
static void test_worker_publishes_long_waits(void **state)
{
    (void)state;
    char *ds = write_big_dataset(BIG_ITEMS);
    struct th_scenario o = status_scenario((struct th_scenario){.dataset = ds, .rate = 2});
    struct th_env v;
    th_env_start(&v, &o);
    struct store *s = store_new();
    struct worker *w = worker_new(v.api, s, 4); /* the client's rate: 2/s */
    worker_want_detail(w, BIG_RECORD, 0, false);
    worker_want_detail(w, BIG_RECORD, BIG_ITEMS, false);

    struct sample smp = {0};
    int64_t deadline = now_ms() + DEADLINE_MS;
    bool complete = false;
    while (now_ms() < deadline) {
        struct pollfd pfd = {store_wake_fd(s), POLLIN, 0};
        poll(&pfd, 1, 200);
        store_drain_wake(s);
        sample_wait(s, &smp);
        store_lock(s);
        const struct store_detail *d = store_detail(s, BIG_RECORD);
        complete = d && d->complete;
        store_unlock(s);
        if (complete && worker_idle(w)) break;
    }
    assert_true(complete);
    assert_true(worker_idle(w));
    assert_true(smp.samples > 0);
    assert_true(smp.max_waiting >= 1);
    store_lock(s);
    assert_int_equal(store_rate_wait(s)->waiting, 0);
    /* Every page call's trace covers its wait: it began when the wait did. */
    int64_t waited = 0;
    for (size_t i = 0; i < store_log_len(s); i++) {
        const struct api_trace *t = store_log_at(s, i);
        /* (+1: the client rounds its own waits up to whole milliseconds) */
        assert_true(t->rate_wait_ms <= t->duration_ms + 1);
        waited += t->rate_wait_ms;
    }
    store_unlock(s);
    assert_true(waited >= 1000); /* seven calls at 2/s after a burst of two */
    worker_free(w);
    store_free(s);
    th_env_stop(&v);
    free(ds);
}

/* ---- a new attempt after an error ----------------------------------------------------------- */

/* After an error, r starts a new attempt: while it is under way the screen says so instead of
 * showing the old error as if nothing happened. The emulator answers 300 ms late, so the
 * screen is saved while the attempt is in flight. */
static void test_retry_after_error_says_so(void **state)
{
    (void)state;
    assert_int_equal(run((struct th_scenario){.latency_ms = 300,
                                              .fault = EMU_FAULT_INTERNAL,
                                              .fault_count = 1,
                                              .rate = 20, /* the client's default */
                                              .max_retries = -1,
                                              .script = "wait-idle\n"
                                                        "save-display @/error.txt\n"
                                                        "key r\n"
                                                        "save-display @/retrying.txt\n"
                                                        "wait-idle\n"
                                                        "save-display @/recovered.txt\n"}),
                     0);
    char *t = th_display("error");
    char *st = th_status_line(t);
    th_assert_contains(st, "InternalError");
    th_assert_contains(st, "r retries");
    free(st);
    th_assert_contains(t, "Press r to try again.");
    free(t);
    t = th_display("retrying");
    st = th_status_line(t);
    th_assert_contains(st, "trying again");
    th_assert_contains(st, "last error: InternalError");
    th_assert_lacks(st, "r retries");
    free(st);
    th_assert_contains(t, "Trying again");
    th_assert_lacks(t, "Press r to try again.");
    free(t);
    t = th_display("recovered");
    th_assert_contains(t, "4 records");
    th_assert_lacks(t, "InternalError");
    free(t);
}

/* ---- the answer to a write ------------------------------------------------------------------ */

struct app_thread {
    struct api_client *api;
    const struct th_scenario *s;
    const char *script;
    int rc;
};

static void *app_thread_main(void *arg)
{
    struct app_thread *t = arg;
    t->rc = th_app_run(t->api, t->s, t->script);
    return NULL;
}

/* The first request (the record list) is held by the emulator until the client gives up
 * after 500 ms and tries again; a rollback is sent while it is held, and the list's call,
 * which began before the rollback, ends after it. The render loop stalls until all four calls
 * are in the event log (as a busy UI thread would), then looks: the rollback's answer must
 * still be found. It used to be missed for good (the search stopped at the list's call), and
 * every later write was refused with "has not answered yet". The script comes through a FIFO
 * so the rollback is sent only once the emulator holds the list's request; every answer
 * comes 100 ms late, so the rollback's is not in before the loop stalls. */
static void test_write_answer_found_after_slower_read(void **state)
{
    (void)state;
    struct th_scenario o = status_scenario((struct th_scenario){.fault = EMU_FAULT_TIMEOUT,
                                                                .fault_count = 1,
                                                                .latency_ms = 100,
                                                                .max_retries = 2,
                                                                .timeout_ms = 500,
                                                                .rate = 100});
    struct th_env v;
    th_env_start(&v, &o);
    char *fifo = tu_path(tu_tmp, "script.fifo");
    assert_int_equal(mkfifo(fifo, 0600), 0);
    struct app_thread at = {v.api, &o, fifo, -1};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, app_thread_main, &at), 0);
    int fd = open(fifo, O_WRONLY); /* returns once the script is opened */
    assert_true(fd >= 0);
    assert_true(tu_wait_requests(v.emu, 1, DEADLINE_MS)); /* the record list is held */
    char *rest = th_expand(":record 101\n"
                           "key R\n"
                           "keys 101\n"
                           "key Enter\n"
                           /* the detail, the rollback, the detail again after it, the list */
                           "stall-until-calls 4\n"
                           "wait-idle\n"
                           "save-display @/answered.txt\n"
                           "key R\n"
                           "save-display @/again.txt\n"
                           "key Esc\n"
                           "key L\n"
                           "save-display @/log.txt\n");
    size_t len = strlen(rest);
    assert_int_equal(write(fd, rest, len), (ssize_t)len);
    close(fd);
    free(rest);
    assert_int_equal(pthread_join(th, NULL), 0);
    assert_int_equal(at.rc, 0);
    th_env_stop(&v);
    free(fifo);

    char *t = th_display("log");
    /* The order that used to lose the answer: the list's call ended after the rollback. */
    const char *list = strstr(t, "DescribeHostUploadUpdateRecord ");
    const char *rollback = strstr(t, "UploadUpdateCertificateRecordRollback");
    assert_non_null(list);
    assert_non_null(rollback);
    assert_true(list < rollback); /* newest first */
    free(t);
    t = th_display("answered");
    char *st = th_status_line(t);
    th_assert_contains(st, "rollback of record #101 accepted");
    free(st);
    free(t);
    t = th_display("again");
    th_assert_contains(
        t, "Roll back record #101 \xe2\x80\x94 1 resource (cos 1)"); /* the deploy run */
    th_assert_lacks(t, "has not answered yet");
    free(t);
}

int main(void)
{
    th_init();
    const struct CMUnitTest tests[] = {
        TH_TEST(test_rate_limit_wait_shows_live),           TH_TEST(test_fast_rate_no_live_wait),
        TH_TEST(test_worker_publishes_long_waits),          TH_TEST(test_retry_after_error_says_so),
        TH_TEST(test_write_answer_found_after_slower_read),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    http_global_cleanup();
    return rc;
}
