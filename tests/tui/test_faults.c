/* The TUI on a flaky network: a drill-down over a 5,000-item group under 30 % random faults
 * ends complete, with the retries in the event log; a write whose reply is cut short says
 * that it may have been applied, and the record is refetched at once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "harness.h"

/* Record 7: one clb group of n instances (every 50th failed), in a dataset file in tu_tmp. */
static char *big_dataset(int n)
{
    struct buf b = {0};
    buf_puts(&b, "{\"Records\":[{\"Id\":7,\"OldCertId\":\"BigCert1\",\"ResourceTypes\":[\"clb\"],"
                 "\"Status\":2,\"CreateTime\":\"2025-12-30 09:00:00\",\"UpdateTime\":"
                 "\"2025-12-30 09:30:00\"}],\"Details\":{\"7\":[{\"TotalCount\":");
    int failed = (n + 49) / 50;
    buf_printf(&b,
               "%d,\"SuccessTotalCount\":%d,\"FailedTotalCount\":%d,\"RunningTotalCount\":0,"
               "\"Type\":0,\"Status\":2,\"CreateTime\":\"2025-12-30 09:00:00\","
               "\"RecordDetailList\":[{\"ResourceType\":\"clb\",\"TotalCount\":%d,\"List\":[",
               n, n - failed, failed, n);
    for (int i = 0; i < n; i++)
        buf_printf(&b,
                   "%s{\"Id\":%d,\"OldCertId\":\"BigCert1\",\"InstanceId\":\"lb-%06d\","
                   "\"InstanceName\":\"big-%d\",\"ListenerId\":\"lbl-%06d\",\"ListenerName\":"
                   "\"https\",\"Domains\":[\"d%d.example.com\"],\"Protocol\":\"HTTPS\","
                   "\"Status\":%d,\"ErrorMsg\":\"%s\",\"CreateTime\":\"2025-12-30T01:00:00Z\","
                   "\"UpdateTime\":\"2025-12-30T01:05:00Z\",\"SniSwitch\":1,\"Port\":443,"
                   "\"Region\":\"ap-guangzhou\",\"SSLMode\":\"UNIDIRECTIONAL\","
                   "\"ResourceType\":\"clb\"}",
                   i ? "," : "", 100000 + i, i, i, i, i, i % 50 == 0 ? 2 : 1,
                   i % 50 == 0 ? "listener gone" : "");
    buf_puts(&b, "]}]}]}}");
    char *path = tu_path(tu_tmp, "big.json");
    tu_write_file(path, b.data);
    buf_free(&b);
    return path;
}

static void test_drill_down_under_random_faults(void **state)
{
    (void)state;
    char *ds = big_dataset(5000);
    unsigned kinds;
    assert_int_equal(emu_fault_kinds_from_list("http-500,http-503,reset,truncated,garbage,"
                                               "wrong-types,rate-limit,internal",
                                               &kinds),
                     0);
    struct th_scenario s = {.dataset = ds,
                            .emu_rate = -1,
                            .rate = 500,
                            .fault_rate = 0.3,
                            .fault_seed = 4,
                            .fault_kinds = kinds,
                            .cols = 220,
                            .lines = 40,
                            .script = "wait-idle\n"
                                      "key Enter\n"
                                      "wait-idle\n"
                                      "key Tab\n"
                                      "key Enter\n"
                                      "key G\n"
                                      "wait-idle\n"
                                      "save-display @/faults_end.txt\n"
                                      "key /\n"
                                      "keys status:failed\n"
                                      "key Enter\n"
                                      "save-display @/faults_failed.txt\n"
                                      "key L\n"
                                      "save-display @/faults_log.txt\n"};
    assert_int_equal(th_run(&s), 0);
    static const struct th_expect want[] = {
        {"faults_end", .has = {"5,000 instances", "lb-004999"}, .lacks = {"error"}},
        {"faults_failed", .has = {"100 shown by /status:failed"}},
    };
    th_check_displays(want, ARRAY_LEN(want));
    /* The log's Tries column: pages took more than one attempt, and every call ended OK. */
    char *log = th_display("faults_log");
    char *head = th_row(log, 2);
    const char *tries_at = strstr(head, "Tries");
    assert_non_null(tries_at);
    size_t col = (size_t)(tries_at - head);
    int calls = 0, retried = 0;
    for (int y = 3; y < 39; y++) {
        char *row = th_row(log, y);
        if (strstr(row, "DescribeHostUploadUpdateRecordDetail") && strlen(row) > col + 5) {
            assert_non_null(strstr(row, " OK"));
            calls++;
            retried += atoi(row + col) > 1;
        }
        free(row);
    }
    free(head);
    printf("drill-down of 5,000 items under 30 %% faults: %d of the %d calls shown were retried\n",
           retried, calls);
    assert_true(calls >= 20);
    assert_true(retried > 0);
    free(log);
    free(ds);
}

/* Dataset record 101 can be rolled back. Its reply is cut short after the server applied it:
 * the message line says it may have been applied, and the record is fetched again at once. */
static void test_write_outcome_unknown(void **state)
{
    (void)state;
    struct th_scenario s = {.fault = EMU_FAULT_TRUNCATED,
                            .fault_count = 1,
                            .fault_action = "UploadUpdateCertificateRecordRollback",
                            .cols = 220,
                            .lines = 30,
                            .script = "wait-idle\n"
                                      "key G\n"
                                      "key R\n"
                                      "keys 101\n"
                                      "key Enter\n"
                                      "wait-idle\n"
                                      "save-display @/unknown.txt\n"
                                      "key L\n"
                                      "save-display @/unknown_log.txt\n"};
    assert_int_equal(th_run(&s), 0);
    static const struct th_expect want[] = {
        {"unknown",
         .has = {"rollback of record #101 may have been applied", "refetching the record"},
         .lacks = {"accepted"}},
        {"unknown_log", .has = {"UploadUpdateCertificateRecordRollback"}},
    };
    th_check_displays(want, ARRAY_LEN(want));
    /* Newest first: a detail fetch of record 101 came after the rollback. */
    char *log = th_display("unknown_log");
    const char *rb = strstr(log, "UploadUpdateCertificateRecordRollback");
    const char *refetch = strstr(log, "DeployRecordId=101 Offset=0"); /* a detail page */
    assert_non_null(refetch);
    assert_true(refetch < rb);
    free(log);
}

int main(void)
{
    th_init();
    const struct CMUnitTest tests[] = {
        TH_TEST(test_drill_down_under_random_faults),
        TH_TEST(test_write_outcome_unknown),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    http_global_cleanup();
    return rc;
}
