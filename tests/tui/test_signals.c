/* The terminal's signals go to the UI thread only: every other thread (workers, the reaper,
 * page fetchers, the in-process emulator's threads) has SIGWINCH, SIGINT, SIGTERM and SIGHUP
 * blocked, checked from /proc while a SIGWINCH storm hits the scripted TUI (also under TSan,
 * where a handler running on a worker raced on its flags). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/threads.h"
#include "core/util.h"
#include "harness.h"

static atomic_int storm_stop, storm_sent, threads_seen, threads_unblocked;

static pid_t own_tid(void)
{
    return (pid_t)syscall(SYS_gettid);
}

/* Whether thread tid of this process blocks every UI signal (from its SigBlk line). */
static bool task_blocks_ui_signals(long tid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/self/task/%ld/status", tid);
    FILE *f = fopen(path, "r");
    if (!f) return true; /* it has ended */
    unsigned long long blk = 0;
    bool found = false;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "SigBlk: %llx", &blk) == 1) found = true;
    fclose(f);
    if (!found) return true;
    static const int sigs[] = {SIGWINCH, SIGINT, SIGTERM, SIGHUP};
    for (size_t i = 0; i < ARRAY_LEN(sigs); i++)
        if (!(blk & (1ull << (sigs[i] - 1)))) return false;
    return true;
}

/* Every thread but the main (UI) thread and this one. */
static void check_threads(void)
{
    DIR *d = opendir("/proc/self/task");
    if (!d) return;
    struct dirent *de;
    while ((de = readdir(d))) {
        long tid = atol(de->d_name);
        if (tid <= 0 || tid == (long)getpid() || tid == (long)own_tid()) continue;
        atomic_fetch_add(&threads_seen, 1);
        /* A thread on its way out can show an empty mask for an instant (the emulator's
         * MHD-listen thread does, under TSan, as the emulator stops): what counts is a thread
         * still there, and still unblocked, a moment later. */
        if (!task_blocks_ui_signals(tid) && (sleep_ms(2), !task_blocks_ui_signals(tid))) {
            char comm[64] = "?", path[64];
            snprintf(path, sizeof path, "/proc/self/task/%ld/comm", tid);
            FILE *f = fopen(path, "r");
            if (f) {
                if (!fgets(comm, sizeof comm, f)) comm[0] = '\0';
                fclose(f);
            }
            if (atomic_fetch_add(&threads_unblocked, 1) < 3)
                fprintf(stderr, "thread %ld (%s) takes the UI's signals\n", tid, comm);
        }
    }
    closedir(d);
}

static void *storm(void *arg)
{
    (void)arg;
    while (!atomic_load(&storm_stop)) {
        kill(getpid(), SIGWINCH);
        atomic_fetch_add(&storm_sent, 1);
        check_threads();
        sleep_ms(1);
    }
    return NULL;
}

/* Record 7: one clb group of n instances, in a dataset file in tu_tmp. */
static char *big_dataset(int n)
{
    struct buf b = {0};
    buf_printf(&b,
               "{\"Records\":[{\"Id\":7,\"OldCertId\":\"BigCert1\",\"ResourceTypes\":[\"clb\"],"
               "\"Status\":1,\"CreateTime\":\"2025-12-30 09:00:00\",\"UpdateTime\":"
               "\"2025-12-30 09:30:00\"}],\"Details\":{\"7\":[{\"TotalCount\":%d,"
               "\"SuccessTotalCount\":%d,\"FailedTotalCount\":0,\"RunningTotalCount\":0,"
               "\"Type\":0,\"Status\":1,\"CreateTime\":\"2025-12-30 09:00:00\","
               "\"RecordDetailList\":[{\"ResourceType\":\"clb\",\"TotalCount\":%d,\"List\":[",
               n, n, n);
    for (int i = 0; i < n; i++)
        buf_printf(&b,
                   "%s{\"Id\":%d,\"OldCertId\":\"BigCert1\",\"InstanceId\":\"lb-%06d\","
                   "\"Status\":1,\"ErrorMsg\":\"\",\"CreateTime\":\"2025-12-30T01:00:00Z\","
                   "\"UpdateTime\":\"2025-12-30T01:05:00Z\",\"Port\":443,"
                   "\"ResourceType\":\"clb\"}",
                   i ? "," : "", 100000 + i, i);
    buf_puts(&b, "]}]}]}}");
    char *path = tu_path(tu_tmp, "big.json");
    tu_write_file(path, b.data);
    buf_free(&b);
    return path;
}

static void test_sigwinch_storm(void **state)
{
    (void)state;
    char *ds = big_dataset(3000);
    atomic_store(&storm_stop, 0);
    atomic_store(&storm_sent, 0);
    atomic_store(&threads_seen, 0);
    atomic_store(&threads_unblocked, 0);
    pthread_t t;
    assert_int_equal(threads_create(&t, storm, NULL), 0);
    struct th_scenario s = {.dataset = ds,
                            .emu_rate = -1,
                            .rate = 200,
                            .script = "wait-idle\n"
                                      "key Enter\n"
                                      "wait-idle\n"
                                      "resize 100 30\n"
                                      "key Tab\n"
                                      "key Enter\n"
                                      "resize 60 20\n"
                                      "key G\n"
                                      "wait-idle\n"
                                      "resize 120 40\n"
                                      "key r\n"
                                      "wait-idle\n"
                                      "save-display @/storm_end.txt\n"};
    int rc = th_run(&s);
    atomic_store(&storm_stop, 1);
    pthread_join(t, NULL);
    assert_int_equal(rc, 0);
    static const struct th_expect want[] = {{"storm_end", .has = {"lb-002999", "3,000"}}};
    th_check_displays(want, ARRAY_LEN(want));
    printf("SIGWINCH storm: %d signals, %d thread checks, %d threads taking UI signals\n",
           atomic_load(&storm_sent), atomic_load(&threads_seen), atomic_load(&threads_unblocked));
    assert_true(atomic_load(&storm_sent) > 10);
    assert_true(atomic_load(&threads_seen) > 0);
    assert_int_equal(atomic_load(&threads_unblocked), 0);
    free(ds);
}

/* api_detail_all's page fetchers (its own threads) block the UI's signals too. */
static atomic_int pages_seen, pages_unblocked;

static void page_observer(void *ctx, const struct api_trace *t)
{
    (void)ctx;
    (void)t;
    if (own_tid() == getpid()) return; /* the first page is fetched by the caller itself */
    sigset_t cur, ui;
    pthread_sigmask(SIG_BLOCK, NULL, &cur);
    threads_ui_signals(&ui);
    atomic_fetch_add(&pages_seen, 1);
    static const int sigs[] = {SIGWINCH, SIGINT, SIGTERM, SIGHUP};
    for (size_t i = 0; i < ARRAY_LEN(sigs); i++)
        if (sigismember(&ui, sigs[i]) && !sigismember(&cur, sigs[i])) {
            atomic_fetch_add(&pages_unblocked, 1);
            break;
        }
}

static void test_page_fetchers_block_ui_signals(void **state)
{
    (void)state;
    char *ds = big_dataset(2000); /* 10 pages: the first on this thread */
    struct th_scenario s = {.dataset = ds, .emu_rate = -1, .rate = 500};
    struct th_env v;
    th_env_start(&v, &s);
    api_client_set_observer(v.api, page_observer, NULL);
    struct detail_page d;
    struct api_error err;
    assert_int_equal(api_detail_all(v.api, 7, 4, &d, NULL, &err), 0);
    model_detail_page_clear(&d);
    th_env_stop(&v);
    assert_true(atomic_load(&pages_seen) >= 5);
    assert_int_equal(atomic_load(&pages_unblocked), 0);
    free(ds);
}

int main(void)
{
    th_init();
    const struct CMUnitTest tests[] = {
        TH_TEST(test_sigwinch_storm),
        TH_TEST(test_page_fetchers_block_ui_signals),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    http_global_cleanup();
    return rc;
}
