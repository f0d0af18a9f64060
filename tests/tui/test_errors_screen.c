/* The errors screen (E on a record detail) in scripted mode against the real emulator:
 * templates of a run with counts, shares, types and regions (golden screens at 80x24 and
 * 120x40), failed and rollback-failed apart, the filter and sort keys, the drill-down of one
 * template across resource types, the detail's side pane of templates, the read-only refusal
 * of T, e writing the batch CSV of the templates shown, and the screen paging a large run by
 * itself. Dataset: tests/data/dataset_errors.json (record 301: a deploy run with 10 failed
 * items, 4 templates over clb and cdn, then a rollback run with 2 rollback-failed items). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/http.h"
#include "core/util.h"
#include "testutil.h"
#include "tui/cli/errors.h"
#include "tui/harness.h"

static const char errors_script[] = "wait-idle\n"
                                    "key Enter\n"
                                    "wait-idle\n"
                                    "key Tab\n"
                                    "save-display @/errdetail.txt\n"
                                    "key E\n"
                                    "wait-idle\n"
                                    "save-display @/errors.txt\n"
                                    "key j\n"
                                    "key j\n"
                                    "key j\n"
                                    "key Enter\n"
                                    "wait-idle\n"
                                    "save-display @/errors_drill.txt\n"
                                    "key Enter\n"
                                    "wait-idle\n"
                                    "save-display @/errors_item.txt\n"
                                    "key Esc\n"
                                    "key Esc\n"
                                    "key /\n"
                                    "keys type:cdn\n"
                                    "key Enter\n"
                                    "save-display @/errors_filter.txt\n"
                                    "key /\n"
                                    "key C-u\n"
                                    "key Enter\n"
                                    ":sort region\n"
                                    "save-display @/errors_sort.txt\n"
                                    "key Esc\n"
                                    "key Tab\n"
                                    "key j\n"
                                    "key E\n"
                                    "wait-idle\n"
                                    "save-display @/errors_rollback.txt\n";

static void errors_walk(int cols, int lines, const char *suffix)
{
    static const char *const names[] = {"errdetail",     "errors",      "errors_drill",
                                        "errors_filter", "errors_sort", "errors_rollback"};
    struct th_scenario s = {
        .dataset = "dataset_errors.json", .cols = cols, .lines = lines, .script = errors_script};
    assert_int_equal(th_run(&s), 0);
    for (size_t i = 0; i < ARRAY_LEN(names); i++) {
        char *golden = th_rename_saved(names[i], suffix);
        th_check_golden(golden);
        free(golden);
    }
}

static void test_errors_80x24(void **state)
{
    (void)state;
    errors_walk(80, 24, "80x24");
}

static void test_errors_120x40(void **state)
{
    (void)state;
    errors_walk(120, 40, "120x40");
}

/* What the screens must show, whatever the goldens say. */
static void test_errors_content(void **state)
{
    (void)state;
    struct th_scenario s = {
        .dataset = "dataset_errors.json", .cols = 160, .lines = 30, .script = errors_script};
    assert_int_equal(th_run(&s), 0);
    static const struct th_expect want[] = {
        /* the side pane counts templates, not exact messages */
        {"errdetail", .has = {"3 error templates", "4x certificate does not match the private "
                                                   "key of listener <*>"}},
        {"errors",
         .has = {"10 failed items, 4 templates", "all 13 items seen", "CLB 实例<*>状态异常",
                 "ap-guangzhou,ap-shanghai"},
         .lacks = {"rollback failed"}},
        /* the fourth template spans clb and cdn: its drill-down holds exactly those two */
        {"errors_drill",
         .has = {"2 items of RequestLimitExceeded", "7007", "7012", "video.example.cn"},
         .lacks = {"7001"}},
        {"errors_item", .has = {"7007"}},
        {"errors_filter", .has = {"2 shown by /type:cdn", "CDN domain <*> is offline"}},
        {"errors_rollback",
         .has = {"run 2 rollback", "rollback failed: listener <*> was deleted", "100.0%"}},
    };
    th_check_displays(want, ARRAY_LEN(want));
}

/* T in read-only mode sends nothing. */
static void test_errors_read_only(void **state)
{
    (void)state;
    struct th_scenario s = {.dataset = "dataset_errors.json",
                            .read_only = true,
                            .cols = 120,
                            .lines = 30,
                            .script = "wait-idle\n"
                                      "key Enter\n"
                                      "wait-idle\n"
                                      "key E\n"
                                      "wait-idle\n"
                                      "key T\n"
                                      "save-display @/ro.txt\n"
                                      "key L\n"
                                      "save-display @/ro_log.txt\n"};
    assert_int_equal(th_run(&s), 0);
    static const struct th_expect want[] = {
        {"ro", .has = {"read-only mode: retry refused"}},
        {"ro_log", .lacks = {"UploadUpdateCertificateRecordRetry"}},
    };
    th_check_displays(want, ARRAY_LEN(want));
}

/* T in read-write mode: the typed count is wanted and a wrong count sends nothing. The deploy
 * run's items cannot be retried once a rollback followed (the server refuses each: the
 * summary names the code); the rollback run's two rollback-failed items are retried, each
 * once, and accepted. */
static void test_errors_retry(void **state)
{
    (void)state;
    struct th_scenario s = {.dataset = "dataset_errors.json",
                            .cols = 160,
                            .lines = 30,
                            .script = "wait-idle\n"
                                      "key Enter\n"
                                      "wait-idle\n"
                                      "key E\n"
                                      "wait-idle\n"
                                      "key T\n"
                                      "save-display @/ask.txt\n"
                                      "keys 3\n"
                                      "key Enter\n"
                                      "save-display @/wrong.txt\n"
                                      "key T\n"
                                      "keys 4\n"
                                      "key Enter\n"
                                      "wait-idle\n"
                                      "save-display @/refused.txt\n"
                                      "key Esc\n"
                                      "key j\n"
                                      "key E\n"
                                      "wait-idle\n"
                                      "key T\n"
                                      "keys 2\n"
                                      "key Enter\n"
                                      "wait-idle\n"
                                      "save-display @/done.txt\n"
                                      "key L\n"
                                      "save-display @/log.txt\n"};
    assert_int_equal(th_run(&s), 0);
    static const struct th_expect want[] = {
        {"ask", .has = {"retry 4 items of 'certificate does not match", "Type 4 to confirm"}},
        {"wrong", .has = {"cancelled: '3' is not 4: nothing sent"}},
        {"refused", .has = {"sent 4, accepted 0, refused 4",
                            "FailedOperation.CertificateDeployRetryStatusInvalid x4"}},
        {"done", .has = {"retry of 2 items: sent 2, accepted 2, refused 0, unknown 0"}},
        {"log", .has = {"DeployRecordDetailId=7101", "DeployRecordDetailId=7102",
                        "retry of 2 items of 'roll"}},
    };
    th_check_displays(want, ARRAY_LEN(want));
}

/* Esc while a bulk retry runs: the item in flight finishes, nothing more is sent, and the
 * summary says how many were not sent. The emulator answers 300 ms late, so Esc (the next
 * script line) comes while the first request is still out. */
static void test_errors_retry_esc(void **state)
{
    (void)state;
    struct th_scenario s = {.dataset = "dataset_errors.json",
                            .latency_ms = 300,
                            .cols = 200,
                            .lines = 30,
                            .script = "wait-idle\n"
                                      "key Enter\n"
                                      "wait-idle\n"
                                      "key E\n"
                                      "wait-idle\n"
                                      "key T\n"
                                      "keys 4\n"
                                      "key Enter\n"
                                      "key Esc\n"
                                      "save-display @/stopping.txt\n"
                                      "wait-idle\n"
                                      "save-display @/stopped.txt\n"
                                      "key L\n"
                                      "save-display @/log.txt\n"};
    assert_int_equal(th_run(&s), 0);
    static const struct th_expect want[] = {
        {"stopping", .has = {"stopping the retry: item 7001 has been sent, nothing more will be",
                             "Errors of run 1 deploy"}}, /* Esc did not leave the screen */
        {"stopped", .has = {"retry of 4 items: sent 1,", "not sent 3 (stopped with Esc)"}},
        {"log", .has = {"DeployRecordDetailId=7001"}, .lacks = {"DeployRecordDetailId=7002"}},
    };
    th_check_displays(want, ARRAY_LEN(want));
}

/* The CSV lines of text that begin with prefix (each with its CRLF), in text's order. */
static char *lines_starting(const char *text, const char *prefix)
{
    struct buf b = {0};
    for (const char *p = text; *p;) {
        const char *end = strchr(p, '\n');
        size_t len = end ? (size_t)(end - p) + 1 : strlen(p);
        if (!strncmp(p, prefix, strlen(prefix))) buf_append(&b, p, len);
        p += len;
    }
    return buf_steal(&b);
}

/* e on the errors screen writes what `certdeck errors 301 --run 1 -o csv` prints; with a
 * filter and a sort, exactly the templates shown, in the order shown, each keeping its
 * number (what retry --template takes). */
static void test_errors_export_equals_batch_csv(void **state)
{
    (void)state;
    struct th_scenario s = {.dataset = "dataset_errors.json",
                            .cols = 120,
                            .lines = 30,
                            .script = "wait-idle\n"
                                      ":record 301\n"
                                      "wait-idle\n"
                                      "key E\n"
                                      "wait-idle\n"
                                      "key e\n"
                                      "save-display @/prompt.txt\n"
                                      "key C-u\n"
                                      "keys @/all.csv\n"
                                      "key Enter\n"
                                      "save-display @/wrote.txt\n"
                                      "key /\n"
                                      "keys type:cdn\n"
                                      "key Enter\n"
                                      ":sort region\n"
                                      "key e\n"
                                      "key C-u\n"
                                      "keys @/cdn.csv\n"
                                      "key Enter\n"
                                      "save-display @/wrote_cdn.txt\n"};
    struct th_env env;
    th_env_start(&env, &s);
    char *script = th_expand(s.script);
    char *script_path = tu_path(tu_tmp, "script");
    tu_write_file(script_path, script);
    assert_int_equal(th_app_run(env.api, &s, script_path), 0);
    char *batch_path = tu_path(tu_tmp, "batch.csv");
    FILE *f = fopen(batch_path, "w");
    assert_non_null(f);
    struct batch_options o = {.format = BATCH_CSV};
    assert_int_equal(batch_errors(env.api, 301, 1, &o, f), 0);
    fclose(f);
    th_env_stop(&env);

    static const struct th_expect want[] = {
        {"prompt", .has = {"export to: certdeck-301-errors-", ".csv"}},
        {"wrote", .has = {"wrote 4 rows to ", "all.csv"}},
        {"wrote_cdn", .has = {"wrote 2 rows to ", "cdn.csv"}},
    };
    th_check_displays(want, ARRAY_LEN(want));
    char *all_path = tu_path(tu_tmp, "all.csv"), *cdn_path = tu_path(tu_tmp, "cdn.csv");
    char *batch = tu_read_file(batch_path, NULL), *all = tu_read_file(all_path, NULL),
         *cdn = tu_read_file(cdn_path, NULL);
    assert_non_null(all);
    assert_non_null(cdn);
    assert_non_null(strstr(batch, "detail_ids\r\n"));
    assert_string_equal(all, batch);
    /* Templates 2 (cdn, no region) and 4 (cdn and clb, ap-guangzhou), by region. */
    char *head = lines_starting(batch, "number,"), *t2 = lines_starting(batch, "2,"),
         *t4 = lines_starting(batch, "4,");
    char *want_cdn = xasprintf("%s%s%s", head, t2, t4);
    assert_string_equal(cdn, want_cdn);
    free(want_cdn);
    free(head);
    free(t2);
    free(t4);
    free(cdn);
    free(all);
    free(batch);
    free(cdn_path);
    free(all_path);
    free(batch_path);
    free(script_path);
    free(script);
}

/* A run larger than a page: the screen pages every item itself and counts them all. */
static char *big_dataset(int n)
{
    struct buf b = {0};
    buf_printf(&b,
               "{\"Records\":[{\"Id\":9,\"OldCertId\":\"BigErr01\",\"ResourceTypes\":[\"clb\"],"
               "\"Status\":2,\"CreateTime\":\"2025-12-29 14:00:00\"}],\"Details\":{\"9\":[{"
               "\"TotalCount\":%d,\"SuccessTotalCount\":0,\"FailedTotalCount\":%d,"
               "\"Type\":0,\"Status\":2,\"CreateTime\":\"2025-12-29 14:00:00\","
               "\"RecordDetailList\":[{\"ResourceType\":\"clb\",\"TotalCount\":%d,\"List\":[",
               n, n, n);
    for (int i = 0; i < n; i++)
        buf_printf(&b,
                   "%s{\"Id\":%d,\"Status\":2,\"InstanceId\":\"lb-%06d\",\"Region\":\"ap-"
                   "guangzhou\",\"ResourceType\":\"clb\",\"ErrorMsg\":\"%s%06d\"}",
                   i ? "," : "", 100000 + i, i,
                   i % 3 ? "certificate does not match listener lbl-" : "CLB 实例lb-", i);
    buf_puts(&b, "]}]}]}}");
    char *path = tu_path(tu_tmp, "bigerr.json");
    tu_write_file(path, b.data);
    buf_free(&b);
    return path;
}

static void test_errors_pages_everything(void **state)
{
    (void)state;
    char *ds = big_dataset(1234);
    struct th_scenario s = {.dataset = ds,
                            .cols = 120,
                            .lines = 30,
                            .script = "wait-idle\n"
                                      "key Enter\n"
                                      "wait-idle\n"
                                      "save-display @/big_detail.txt\n"
                                      "key E\n"
                                      "wait-idle\n"
                                      "save-display @/big_errors.txt\n"};
    assert_int_equal(th_run(&s), 0);
    static const struct th_expect want[] = {
        {"big_detail", .has = {"200/1,234"}}, /* the detail read only the first page */
        {"big_errors",
         .has = {"1,234 failed items, 2 templates", "all 1,234 items seen", "822", "412"}},
    };
    th_check_displays(want, ARRAY_LEN(want));
    free(ds);
}

int main(void)
{
    th_init();
    const struct CMUnitTest tests[] = {
        TH_TEST(test_errors_80x24),
        TH_TEST(test_errors_120x40),
        TH_TEST(test_errors_content),
        TH_TEST(test_errors_read_only),
        TH_TEST(test_errors_retry),
        TH_TEST(test_errors_retry_esc),
        TH_TEST(test_errors_pages_everything),
        TH_TEST(test_errors_export_equals_batch_csv),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    http_global_cleanup();
    return rc;
}
