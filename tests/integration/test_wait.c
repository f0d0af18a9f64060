/* `certdeck wait ID` as a script runs it: the real binary against a standalone emulator on
 * dataset_small.json (101 succeeded, 103 failed, 104 deploying and never finishing, as the
 * emulator leaves a dataset's running tasks as written), checked on its exit code, stdout and
 * the progress on stderr. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "core/emulator/emulator.h"
#include "core/util.h"
#include "testutil.h"

static struct emu *emu;
static char wait_lead[128]; /* --endpoint URL wait */

/* `certdeck --endpoint URL wait ARGS`, its exit code and both outputs. */
#define wait_cli(...) tu_run_cli(NULL, wait_lead, __VA_ARGS__)

static void test_succeeded_exits_0(void **state)
{
    (void)state;
    struct tu_run r = wait_cli("101 --interval 0.2");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "record 101: success"));
    assert_non_null(strstr(r.err, "#101 deploy run: success"));
    tu_run_free(&r);
}

static void test_failed_exits_4_with_json(void **state)
{
    (void)state;
    struct tu_run r = wait_cli("103 -o json");
    assert_int_equal(r.status, 4);
    cJSON *j = cJSON_Parse(r.out);
    assert_non_null(j);
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(j, "Id")->valueint, 103);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(j, "StatusName")->valuestring, "failed");
    assert_true(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(j, "TimedOut")));
    cJSON_Delete(j);
    tu_run_free(&r);
}

/* 104 never finishes: the wait ends at its timeout with 5, the last counts on stdout, and (not
 * a terminal) one progress line per change, not one per poll. */
static void test_never_finishing_times_out_5(void **state)
{
    (void)state;
    struct tu_run r = wait_cli("104 --timeout 1 --interval 0.2 -o csv");
    assert_int_equal(r.status, 5);
    assert_non_null(strstr(r.out, "ID,RUN,STATUS,TOTAL,SUCCEEDED,FAILED,RUNNING,PENDING,TIMED OUT\n"
                                  "104,deploy,deploying,3,1,0,1,1,yes\n"));
    assert_non_null(strstr(r.err, "still moving after 1 s"));
    size_t lines = 0;
    for (const char *p = strstr(r.err, "#104"); p; p = strstr(p + 1, "#104"))
        lines++;
    assert_int_equal(lines, 1);
    tu_run_free(&r);
}

static void test_usage_and_unknown_errors(void **state)
{
    (void)state;
    struct tu_run r = wait_cli("abc");
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "wait takes one record Id"));
    tu_run_free(&r);
    r = wait_cli("101 --interval 0");
    assert_int_equal(r.status, 2);
    tu_run_free(&r);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    /* Record 104 (the only one dated 2026-01-01) moved to 2099: the emulator starts a running
     * item from its UpdateTime, so 104 stays running however long a loaded machine takes. */
    char *text = tu_read_testdata("dataset_small.json", NULL);
    for (char *p = strstr(text, "2026-01-01"); p; p = strstr(p + 10, "2026-01-01"))
        memcpy(p, "2099", 4);
    char *dir = tu_mkdtemp("wait");
    char *ds = tu_path(dir, "dataset.json");
    tu_write_file(ds, text);
    free(text);
    struct emu_config ec = {
        .secret_id = "AKIDwaitTEST", .secret_key = "right-key-123", .dataset_file = ds};
    emu = tu_emu_start(&ec);
    snprintf(wait_lead, sizeof wait_lead, "--endpoint %s wait", emu_url(emu));
    setenv("TENCENTCLOUD_SECRET_ID", "AKIDwaitTEST", 1);
    setenv("TENCENTCLOUD_SECRET_KEY", "right-key-123", 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_succeeded_exits_0),
        cmocka_unit_test(test_failed_exits_4_with_json),
        cmocka_unit_test(test_never_finishing_times_out_5),
        cmocka_unit_test(test_usage_and_unknown_errors),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    emu_stop(emu);
    tu_rm_rf(dir);
    free(dir);
    free(ds);
    return rc;
}
