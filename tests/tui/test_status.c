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
#include <locale.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/api.h"
#include "core/creds.h"
#include "core/emulator/emulator.h"
#include "core/http.h"
#include "core/store.h"
#include "core/util.h"
#include "core/worker.h"
#include "testutil.h"
#include "tui/app.h"
#include "tui/config.h"

/* The emulator's clock is pinned before every time in the datasets, so nothing moves. */
#define PINNED_UNIX 1767139200 /* 2025-12-31 00:00:00 UTC */
#define BIG_RECORD  7
#define BIG_ITEMS   1234 /* seven pages of 200 */
#define DEADLINE_MS 20000

static char *tmp;

static int setup(void **state)
{
    (void)state;
    tmp = tu_mkdtemp("tui-status");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tu_rm_rf(tmp);
    free(tmp);
    tmp = NULL;
    return 0;
}

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
    char *path = tu_path(tmp, "big.json");
    tu_write_file(path, b.data);
    buf_free(&b);
    return path;
}

/* ---- an emulator and a client ------------------------------------------------------------- */

struct setup_opts {
    const char *dataset; /* absolute path, or NULL for dataset_small.json */
    double rate;         /* the client's requests per second */
    int latency_ms;
    enum emu_fault fault;
    int fault_count;
    int max_retries; /* api_config semantics: 0 default, < 0 none */
    long timeout_ms; /* the client's per-request timeout; 0: default */
};

struct env {
    struct emu *emu;
    struct api_client *api;
    char *dataset;
};

static void env_start(struct env *v, const struct setup_opts *o)
{
    v->dataset = o->dataset ? xstrdup(o->dataset) : tu_testdata("dataset_small.json");
    char err[512];
    struct emu_config ec = {.dataset_file = v->dataset,
                            .clock_offset_s = PINNED_UNIX - now_unix(),
                            .latency_ms = o->latency_ms,
                            .rate = -1}; /* the server never refuses: only the client limits */
    v->emu = emu_start(&ec, err, sizeof err);
    if (!v->emu) fprintf(stderr, "emu_start: %s\n", err);
    assert_non_null(v->emu);
    if (o->fault) emu_set_fault(v->emu, o->fault, o->fault_count);
    struct creds cr;
    memset(&cr, 0, sizeof cr);
    strlcpy_safe(cr.secret_id, EMU_DEMO_SECRET_ID, sizeof cr.secret_id);
    strlcpy_safe(cr.secret_key, EMU_DEMO_SECRET_KEY, sizeof cr.secret_key);
    struct api_config ac = {.endpoint = emu_url(v->emu),
                            .http = {.timeout_ms = o->timeout_ms},
                            .rate = o->rate,
                            .max_retries = o->max_retries,
                            .backoff_base_ms = 50,
                            .clock_skew_s = PINNED_UNIX - now_unix()};
    struct api_error aerr;
    v->api = api_client_new(&ac, &cr, &aerr);
    assert_non_null(v->api);
}

static void env_stop(struct env *v)
{
    api_client_free(v->api);
    emu_stop(v->emu);
    free(v->dataset);
}

/* The script with '@' standing for the temp dir. */
static char *expand(const char *script)
{
    struct buf b = {0};
    for (const char *p = script; *p; p++) {
        if (*p == '@')
            buf_puts(&b, tmp);
        else
            buf_putc(&b, *p);
    }
    return buf_steal(&b);
}

static void app_options_for(struct app_options *ao, const struct config *cfg, const char *script)
{
    *ao = (struct app_options){.endpoint_label = "emulator",
                               .profile_label = "test",
                               .config = cfg,
                               .script = script,
                               .script_cols = 120,
                               .script_lines = 30};
}

/* Runs a script at 120x30. Returns app_run's exit code. */
static int run(const struct setup_opts *o, const char *script)
{
    struct env v;
    env_start(&v, o);
    struct config cfg;
    config_defaults(&cfg);
    char *text = expand(script);
    char *sp = tu_path(tmp, "script");
    tu_write_file(sp, text);
    free(text);
    struct app_options ao;
    app_options_for(&ao, &cfg, sp);
    int rc = app_run(v.api, &ao);
    env_stop(&v);
    free(sp);
    return rc;
}

static char *display(const char *name)
{
    char *file = xasprintf("%s.txt", name);
    char *path = tu_path(tmp, file);
    char *text = tu_read_file(path, NULL);
    if (!text) fprintf(stderr, "the script did not save %s\n", path);
    assert_non_null(text);
    free(path);
    free(file);
    return text;
}

/* The last non-empty line of a saved display: the status line. */
static char *status_line(const char *text)
{
    const char *end = text + strlen(text);
    while (end > text && end[-1] == '\n')
        end--;
    const char *start = end;
    while (start > text && start[-1] != '\n')
        start--;
    return xstrndup(start, (size_t)(end - start));
}

static void assert_contains(const char *hay, const char *needle)
{
    if (!strstr(hay, needle)) fprintf(stderr, "expected \"%s\" in:\n%s\n", needle, hay);
    assert_non_null(strstr(hay, needle));
}

static void assert_lacks(const char *hay, const char *needle)
{
    if (strstr(hay, needle)) fprintf(stderr, "did not expect \"%s\" in:\n%s\n", needle, hay);
    assert_null(strstr(hay, needle));
}

/* ---- rate-limit waits, live ---------------------------------------------------------------- */

/* At 2 requests/s, G in a group of seven pages queues six page requests at once: they wait
 * their turn, and the status line says so while they do, and no longer once all are in. The
 * event log counts each call's wait. */
static void test_rate_limit_wait_shows_live(void **state)
{
    (void)state;
    char *ds = write_big_dataset(BIG_ITEMS);
    struct setup_opts o = {.dataset = ds, .rate = 2};
    assert_int_equal(run(&o, "wait-idle\n"
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
                             "save-display @/log.txt\n"),
                     0);
    char *t = display("waiting");
    char *st = status_line(t);
    assert_contains(st, "rate limit: waiting (2 req/s)");
    assert_contains(st, "loaded "); /* beside the progress of the pages, not instead of it */
    free(st);
    free(t);
    t = display("idle");
    st = status_line(t);
    assert_lacks(st, "waiting");
    free(st);
    assert_contains(t, "1,234 instances");
    free(t);
    t = display("log");
    assert_contains(t, "OK (waited "); /* the client's wait counts in the trace */
    free(t);
    free(ds);
}

/* At a rate no request has to wait for, the screen never claims a wait. */
static void test_fast_rate_no_live_wait(void **state)
{
    (void)state;
    struct setup_opts o = {.rate = 1000};
    assert_int_equal(run(&o, "wait-idle\n"
                             "key Enter\n"
                             "wait-idle\n"
                             "save-display @/detail.txt\n"),
                     0);
    char *t = display("detail");
    assert_lacks(t, "rate limit");
    assert_contains(t, "Record #104");
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
    struct setup_opts o = {.dataset = ds, .rate = 2};
    struct env v;
    env_start(&v, &o);
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
    env_stop(&v);
    free(ds);
}

/* ---- a new attempt after an error ----------------------------------------------------------- */

/* After an error, r starts a new attempt: while it is under way the screen says so instead of
 * showing the old error as if nothing happened. The emulator answers 300 ms late, so the
 * screen is saved while the attempt is in flight. */
static void test_retry_after_error_says_so(void **state)
{
    (void)state;
    struct setup_opts o = {
        .latency_ms = 300, .fault = EMU_FAULT_INTERNAL, .fault_count = 1, .max_retries = -1};
    assert_int_equal(run(&o, "wait-idle\n"
                             "save-display @/error.txt\n"
                             "key r\n"
                             "save-display @/retrying.txt\n"
                             "wait-idle\n"
                             "save-display @/recovered.txt\n"),
                     0);
    char *t = display("error");
    char *st = status_line(t);
    assert_contains(st, "InternalError");
    assert_contains(st, "r retries");
    free(st);
    assert_contains(t, "Press r to try again.");
    free(t);
    t = display("retrying");
    st = status_line(t);
    assert_contains(st, "trying again");
    assert_contains(st, "last error: InternalError");
    assert_lacks(st, "r retries");
    free(st);
    assert_contains(t, "Trying again");
    assert_lacks(t, "Press r to try again.");
    free(t);
    t = display("recovered");
    assert_contains(t, "4 records");
    assert_lacks(t, "InternalError");
    free(t);
}

/* ---- the answer to a write ------------------------------------------------------------------ */

struct app_thread {
    struct api_client *api;
    const char *script;
    int rc;
};

static void *app_thread_main(void *arg)
{
    struct app_thread *t = arg;
    struct config cfg;
    config_defaults(&cfg);
    struct app_options ao;
    app_options_for(&ao, &cfg, t->script);
    t->rc = app_run(t->api, &ao);
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
    struct setup_opts o = {.fault = EMU_FAULT_TIMEOUT,
                           .fault_count = 1,
                           .latency_ms = 100,
                           .max_retries = 2,
                           .timeout_ms = 500,
                           .rate = 100};
    struct env v;
    env_start(&v, &o);
    char *fifo = tu_path(tmp, "script.fifo");
    assert_int_equal(mkfifo(fifo, 0600), 0);
    struct app_thread at = {v.api, fifo, -1};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, app_thread_main, &at), 0);
    int fd = open(fifo, O_WRONLY); /* returns once the script is opened */
    assert_true(fd >= 0);
    int64_t deadline = now_ms() + DEADLINE_MS;
    while (emu_request_count(v.emu) < 1 && now_ms() < deadline)
        sleep_ms(2);
    assert_true(emu_request_count(v.emu) >= 1); /* the record list is held */
    char *rest = expand(":record 101\n"
                        "key R\n"
                        "key y\n"
                        /* the detail, the rollback, the detail again after it, the list */
                        "stall-until-calls 4\n"
                        "wait-idle\n"
                        "save-display @/answered.txt\n"
                        "key R\n"
                        "save-display @/again.txt\n"
                        "key n\n"
                        "key L\n"
                        "save-display @/log.txt\n");
    size_t len = strlen(rest);
    assert_int_equal(write(fd, rest, len), (ssize_t)len);
    close(fd);
    free(rest);
    assert_int_equal(pthread_join(th, NULL), 0);
    assert_int_equal(at.rc, 0);
    env_stop(&v);
    free(fifo);

    char *t = display("log");
    /* The order that used to lose the answer: the list's call ended after the rollback. */
    const char *list = strstr(t, "DescribeHostUploadUpdateRecord ");
    const char *rollback = strstr(t, "UploadUpdateCertificateRecordRollback");
    assert_non_null(list);
    assert_non_null(rollback);
    assert_true(list < rollback); /* newest first */
    free(t);
    t = display("answered");
    char *st = status_line(t);
    assert_contains(st, "rollback of record #101 accepted");
    free(st);
    free(t);
    t = display("again");
    assert_contains(t,
                    "Roll back record #101 \xe2\x80\x94 1 resource (cos 1)"); /* the deploy run */
    assert_lacks(t, "has not answered yet");
    free(t);
}

int main(void)
{
    if (!setlocale(LC_ALL, "C.UTF-8") && !setlocale(LC_ALL, "C.utf8"))
        setlocale(LC_ALL, "en_US.UTF-8");
    unsetenv("NO_COLOR");
    unsetenv("XDG_CONFIG_HOME");
    http_global_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_rate_limit_wait_shows_live, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fast_rate_no_live_wait, setup, teardown),
        cmocka_unit_test_setup_teardown(test_worker_publishes_long_waits, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retry_after_error_says_so, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_answer_found_after_slower_read, setup, teardown),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    http_global_cleanup();
    return rc;
}
