/* `certdeck errors` and `certdeck retry --template` as a user runs them: the real binary against
 * a standalone certdeck-emulator started with --log, whose request log (one line per request,
 * naming the DeployRecordDetailId of each retry) shows what was sent. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
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

/* The demo's worst record: a partial failure of CLB (all of the largest group) and TKE. */
#define WORST_RECORD 37

/* `certdeck ARGS`, its exit code and both outputs. */
#define run_cli(...) tu_run_cli(NULL, NULL, __VA_ARGS__)

/* ---- a standalone emulator with its request log ------------------------------------------ */

struct emulator {
    pid_t pid;
    char *dir, *log_path;
    char url[128];
};

static void emulator_start(struct emulator *e)
{
    const char *bin = getenv("CERTDECK_EMULATOR");
    assert_non_null(bin);
    e->dir = tu_mkdtemp("errors");
    char *out_path = tu_path(e->dir, "stdout");
    e->log_path = tu_path(e->dir, "stderr");
    e->pid = fork();
    assert_true(e->pid >= 0);
    if (e->pid == 0) {
        int o = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int l = open(e->log_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        dup2(o, 1);
        dup2(l, 2);
        execl(bin, bin, "--listen", "127.0.0.1:0", "--log", "--rate", "1000", (char *)NULL);
        _exit(127);
    }
    int64_t deadline = now_ms() + TU_DEADLINE_MS;
    for (;;) {
        char *text = tu_read_file(out_path, NULL);
        char *nl = text ? strchr(text, '\n') : NULL;
        if (nl) {
            *nl = '\0';
            const char *prefix = "listening on ";
            assert_int_equal(strncmp(text, prefix, strlen(prefix)), 0);
            strlcpy_safe(e->url, text + strlen(prefix), sizeof e->url);
            free(text);
            break;
        }
        free(text);
        if (now_ms() > deadline) fail_msg("certdeck-emulator did not start");
        sleep_ms(10);
    }
    free(out_path);
    setenv("TENCENTCLOUD_SECRET_ID", EMU_DEMO_SECRET_ID, 1);
    setenv("TENCENTCLOUD_SECRET_KEY", EMU_DEMO_SECRET_KEY, 1);
}

/* The request log so far (the emulator writes each line as it answers). */
static char *emulator_log(struct emulator *e)
{
    char *log = tu_read_file(e->log_path, NULL);
    assert_non_null(log);
    return log;
}

static void emulator_stop(struct emulator *e)
{
    kill(e->pid, SIGTERM);
    int status;
    waitpid(e->pid, &status, 0);
    unsetenv("TENCENTCLOUD_SECRET_ID");
    unsetenv("TENCENTCLOUD_SECRET_KEY");
    tu_rm_rf(e->dir);
    free(e->dir);
    free(e->log_path);
}

/* Log lines of retry requests naming DeployRecordDetailId=id (id 0: any). */
static size_t count_retries(const char *log, uint64_t id)
{
    size_t n = 0;
    char want[64];
    snprintf(want, sizeof want, "DeployRecordDetailId=%llu ", (unsigned long long)id);
    for (const char *line = log; *line;) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        char *l = xstrndup(line, len);
        if (strstr(l, "UploadUpdateCertificateRecordRetry") &&
            (id == 0 ? strstr(l, "DeployRecordDetailId=") != NULL : strstr(l, want) != NULL))
            n++;
        free(l);
        line += len + (nl ? 1 : 0);
    }
    return n;
}

/* ---- errors ------------------------------------------------------------------------------ */

/* The failed items of the record's deploy run, by Id, from `detail --all`. */
static cJSON *failed_ids(const char *url, int64_t record)
{
    struct tu_run d = run_cli("--endpoint %s detail %lld --all -o json", url, (long long)record);
    assert_int_equal(d.status, 0);
    cJSON *root = cJSON_Parse(d.out);
    assert_non_null(root);
    cJSON *ids = cJSON_CreateArray();
    cJSON *run = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "DeployRecordDetail"), 0);
    cJSON *g, *it;
    cJSON_ArrayForEach(g, cJSON_GetObjectItem(run, "RecordDetailList"))
    {
        cJSON_ArrayForEach(it, cJSON_GetObjectItem(g, "List"))
        {
            int st = cJSON_GetObjectItem(it, "Status")->valueint;
            if (st == 2 || st == 5)
                cJSON_AddItemToArray(
                    ids, cJSON_CreateNumber(cJSON_GetObjectItem(it, "Id")->valuedouble));
        }
    }
    cJSON_Delete(root);
    tu_run_free(&d);
    return ids;
}

static bool array_has(cJSON *a, double v)
{
    cJSON *x;
    cJSON_ArrayForEach(x, a)
    {
        if (x->valuedouble == v) return true;
    }
    return false;
}

/* Every failed item of the run is in exactly one template; the order is count descending then
 * template text; the output is the same on a second run; table and CSV number the same rows. */
static void test_errors_cover_every_failed_item(void **state)
{
    (void)state;
    struct emulator e;
    emulator_start(&e);
    cJSON *want = failed_ids(e.url, WORST_RECORD);
    assert_true(cJSON_GetArraySize(want) > 100);

    struct tu_run j = run_cli("--endpoint %s errors %d -o json", e.url, WORST_RECORD);
    assert_int_equal(j.status, 0);
    struct tu_run j2 = run_cli("--endpoint %s errors %d -o json", e.url, WORST_RECORD);
    assert_string_equal(j.out, j2.out);
    cJSON *root = cJSON_Parse(j.out);
    assert_true(cJSON_IsArray(root));
    int n = cJSON_GetArraySize(root);
    assert_true(n >= 3);
    int total = 0, seen = 0;
    cJSON *prev = NULL, *t;
    cJSON_ArrayForEach(t, root)
    {
        int count = cJSON_GetObjectItem(t, "Count")->valueint;
        const char *text = cJSON_GetObjectItem(t, "Template")->valuestring;
        assert_non_null(cJSON_GetObjectItem(t, "Example")->valuestring);
        assert_true(cJSON_GetArraySize(cJSON_GetObjectItem(t, "ResourceTypes")) >= 1);
        cJSON *ids = cJSON_GetObjectItem(t, "DetailIds");
        assert_int_equal(cJSON_GetArraySize(ids), count);
        cJSON *id;
        cJSON_ArrayForEach(id, ids)
        {
            assert_true(array_has(want, id->valuedouble));
            seen++;
        }
        if (prev) {
            int pc = cJSON_GetObjectItem(prev, "Count")->valueint;
            assert_true(pc > count ||
                        (pc == count &&
                         strcmp(cJSON_GetObjectItem(prev, "Template")->valuestring, text) < 0));
        }
        total += count;
        prev = t;
    }
    assert_int_equal(total, cJSON_GetArraySize(want));
    assert_int_equal(seen, total);

    /* the table: a summary line, a header, then rows numbered 1..n in the JSON's order */
    struct tu_run tb = run_cli("--endpoint %s errors %d", e.url, WORST_RECORD);
    assert_int_equal(tb.status, 0);
    char *line = tb.out;
    for (int k = 0; k < 2; k++)
        line = strchr(line, '\n') + 1;
    for (int i = 1; i <= n; i++) {
        char num[16];
        snprintf(num, sizeof num, "%d ", i);
        assert_int_equal(strncmp(line, num, strlen(num)), 0);
        line = strchr(line, '\n') + 1;
    }
    struct tu_run csv = run_cli("--endpoint %s errors %d -o csv", e.url, WORST_RECORD);
    assert_int_equal(csv.status, 0);
    assert_int_equal(strncmp(csv.out, "number,count,failed,", 20), 0);

    /* no retry was sent by any of this */
    char *log = emulator_log(&e);
    assert_int_equal(count_retries(log, 0), 0);
    free(log);
    cJSON_Delete(root);
    cJSON_Delete(want);
    tu_run_free(&j);
    tu_run_free(&j2);
    tu_run_free(&tb);
    tu_run_free(&csv);
    emulator_stop(&e);
}

/* retry --template N sends exactly one request per item of template N — each item's Id once in
 * the request log, no other item — and says so in its summary. */
static void test_retry_template_once_per_item(void **state)
{
    (void)state;
    struct emulator e;
    emulator_start(&e);
    struct tu_run j = run_cli("--endpoint %s errors %d -o json", e.url, WORST_RECORD);
    assert_int_equal(j.status, 0);
    cJSON *root = cJSON_Parse(j.out);
    cJSON *tmpl = cJSON_GetArrayItem(root, 1); /* template 2 */
    cJSON *ids = cJSON_GetObjectItem(tmpl, "DetailIds");
    int count = cJSON_GetObjectItem(tmpl, "Count")->valueint;
    assert_true(count > 1);

    /* refused without --yes off a terminal, and in --read-only: nothing sent */
    struct tu_run no = run_cli("--endpoint %s retry %d --template 2", e.url, WORST_RECORD);
    assert_int_equal(no.status, 2);
    assert_non_null(strstr(no.err, "refusing without --yes"));
    struct tu_run ro =
        run_cli("--endpoint %s --read-only retry %d --template 2 --yes", e.url, WORST_RECORD);
    assert_int_equal(ro.status, 2);
    assert_non_null(strstr(ro.err, "--read-only"));
    struct tu_run bad = run_cli("--endpoint %s retry %d --template 99 --yes", e.url, WORST_RECORD);
    assert_int_equal(bad.status, 1);
    char *log = emulator_log(&e);
    assert_int_equal(count_retries(log, 0), 0);
    free(log);

    struct tu_run r = run_cli("--endpoint %s retry %d --template 2 --yes", e.url, WORST_RECORD);
    assert_int_equal(r.status, 0);
    char summary[96];
    snprintf(summary, sizeof summary, "sent %d, accepted %d, refused 0, unknown 0", count, count);
    assert_non_null(strstr(r.out, summary));

    log = emulator_log(&e);
    assert_int_equal(count_retries(log, 0), count);
    cJSON *id;
    cJSON_ArrayForEach(id, ids)
    {
        assert_int_equal(count_retries(log, (uint64_t)id->valuedouble), 1);
    }
    free(log);

    /* the retried items are running again, no longer failures (a retry may fail anew, so
     * the template may come back, smaller) */
    struct tu_run after = run_cli("--endpoint %s errors %d -o json", e.url, WORST_RECORD);
    assert_int_equal(after.status, 0);
    cJSON *now = cJSON_Parse(after.out), *t;
    cJSON_ArrayForEach(t, now)
    {
        if (strcmp(cJSON_GetObjectItem(t, "Template")->valuestring,
                   cJSON_GetObjectItem(tmpl, "Template")->valuestring) == 0)
            assert_true(cJSON_GetObjectItem(t, "Count")->valueint < count);
    }
    cJSON_Delete(now);

    cJSON_Delete(root);
    tu_run_free(&j);
    tu_run_free(&no);
    tu_run_free(&ro);
    tu_run_free(&bad);
    tu_run_free(&r);
    tu_run_free(&after);
    emulator_stop(&e);
}

static void test_errors_usage(void **state)
{
    (void)state;
    struct tu_run r = run_cli("--demo errors %d --run 9", WORST_RECORD);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "not 9"));
    tu_run_free(&r);
    r = run_cli("--demo errors");
    assert_int_equal(r.status, 2);
    tu_run_free(&r);
    r = run_cli("--demo errors 2 -o json"); /* the seed example: nothing failed */
    assert_int_equal(r.status, 0);
    assert_string_equal(r.out, "[]\n");
    tu_run_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_errors_cover_every_failed_item),
        cmocka_unit_test(test_retry_template_once_per_item),
        cmocka_unit_test(test_errors_usage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
