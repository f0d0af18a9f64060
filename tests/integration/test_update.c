/* `certdeck update` as an operator runs it: the real binary against a standalone emulator
 * serving a small dataset (two certificates, each with a finished update record), with
 * certificates generated here. The pre-flight refuses before any write; a renewal creates a
 * record and is followed to its end; a running task is named; a write whose answer is lost is
 * never resent; and the private key's bytes appear in no output, trace, error or file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "certgen.h"
#include "core/api.h"
#include "core/renew.h"
#include "core/util.h"
#include "testutil.h"

static struct emu *emu;
static char *dir;
static char *key_pem; /* the leaf's key: its lines must never show up anywhere */

static char endpoint_lead[128]; /* --endpoint URL */

/* `certdeck --endpoint URL ARGS`, its exit code and both outputs. */
#define run_cli(...) tu_run_cli(NULL, endpoint_lead, __VA_ARGS__)

/* No line of the key's PEM body (nor its header) occurs in text. */
static void assert_no_key(const char *what, const char *text, size_t len)
{
    char *copy = xstrdup(key_pem);
    for (char *line = strtok(copy, "\n"); line; line = strtok(NULL, "\n")) {
        size_t n = strlen(line);
        if (n < 12) continue;
        for (size_t i = 0; i + n <= len; i++)
            if (memcmp(text + i, line, n) == 0) fail_msg("%s holds the private key", what);
    }
    free(copy);
}

/* Frees a run after checking that the key shows in neither output. */
static void run_free(struct tu_run *r)
{
    assert_no_key("stdout", r->out, strlen(r->out));
    assert_no_key("stderr", r->err, strlen(r->err));
    tu_run_free(r);
}

static char *write_pem(const char *name, const char *text, mode_t mode)
{
    char *p = tu_path(dir, name);
    tu_write_file(p, text);
    chmod(p, mode);
    return p;
}

static struct cg_chain chain;
static char *good_cert, *good_key, *narrow_cert, *wrong_order, *wrong_key, *enc_key;

static int group_setup(void **state)
{
    (void)state;
    tu_loopback_init();
    dir = tu_mkdtemp("update");
    /* Renew01 (record 201: www, api and shop.example.com on 2 CLB listeners), Renew02 (202) */
    char *ds = tu_testdata("dataset_renewal.json");
    struct emu_config ec = {.dataset_file = ds, .rate = -1};
    emu = tu_emu_start(&ec);
    snprintf(endpoint_lead, sizeof endpoint_lead, "--endpoint %s", emu_url(emu));
    free(ds);
    setenv("TENCENTCLOUD_SECRET_ID", EMU_DEMO_SECRET_ID, 1);
    setenv("TENCENTCLOUD_SECRET_KEY", EMU_DEMO_SECRET_KEY, 1);
    char *home = tu_path(dir, "home");
    mkdir(home, 0700);
    setenv("HOME", home, 1);
    unsetenv("XDG_CONFIG_HOME");
    free(home);

    cg_chain_make(&chain, CG_EC, "DNS:www.example.com,DNS:*.example.com", -3600, 90 * 86400);
    X509 *certs[] = {chain.leaf, chain.inter};
    char *pem = cg_pem_certs(certs, 2);
    good_cert = write_pem("cert.pem", pem, 0644);
    free(pem);
    X509 *swapped[] = {chain.inter, chain.leaf};
    pem = cg_pem_certs(swapped, 2);
    wrong_order = write_pem("swapped.pem", pem, 0644);
    free(pem);
    key_pem = cg_pem_key(chain.leaf_key, NULL);
    good_key = write_pem("key.pem", key_pem, 0600);
    char *k = cg_pem_key(chain.inter_key, NULL);
    wrong_key = write_pem("other-key.pem", k, 0600);
    free(k);
    k = cg_pem_key(chain.leaf_key, "pass-word");
    enc_key = write_pem("enc-key.pem", k, 0600);
    free(k);
    /* the same key, a certificate without the wildcard */
    struct cg_cert_opts o = {.cn = "www.example.com",
                             .sans = "DNS:www.example.com",
                             .issuer = chain.inter,
                             .issuer_key = chain.inter_key,
                             .serial = 9};
    X509 *narrow = cg_cert(chain.leaf_key, &o);
    X509 *nc[] = {narrow, chain.inter};
    pem = cg_pem_certs(nc, 2);
    narrow_cert = write_pem("narrow.pem", pem, 0644);
    free(pem);
    X509_free(narrow);
    return 0;
}

/* Nothing the runs left behind (the home directory included) holds the key, but key files. */
static void assert_files_clean(const char *path)
{
    DIR *d = opendir(path);
    assert_non_null(d);
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (e->d_name[0] == '.' || strstr(e->d_name, "key")) continue;
        char *p = tu_path(path, e->d_name);
        struct stat st;
        if (stat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
            assert_files_clean(p);
        } else {
            size_t len = 0;
            char *text = tu_read_file(p, &len);
            if (text) assert_no_key(p, text, len);
            free(text);
        }
        free(p);
    }
    closedir(d);
}

static int group_teardown(void **state)
{
    (void)state;
    assert_files_clean(dir);
    emu_stop(emu);
    tu_rm_rf(dir);
    free(dir);
    free(good_cert);
    free(good_key);
    free(narrow_cert);
    free(wrong_order);
    free(wrong_key);
    free(enc_key);
    free(key_pem);
    cg_chain_free(&chain);
    http_global_cleanup();
    return 0;
}

static size_t records_of(const char *cert)
{
    struct api_client *c = tu_emu_client(emu, NULL, NULL);
    struct records_page p = {0};
    struct api_error err;
    assert_int_equal(api_records_all(c, cert, &p, NULL, &err), 0);
    size_t n = p.n_records;
    model_records_page_clear(&p);
    api_client_free(c);
    return n;
}

#define UPDATE "update --old-cert %s --cert %s --key %s --types clb"

/* --check: the plan and the checklist, exit 0; nothing is written. */
static void test_check_prints_the_plan(void **state)
{
    (void)state;
    struct tu_run r = run_cli(UPDATE " --check", "Renew01", good_cert, good_key);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "old certificate:  Renew01"));
    assert_non_null(strstr(r.out, "SANs:             www.example.com, *.example.com"));
    assert_non_null(strstr(r.out, "SHA-256:"));
    assert_non_null(strstr(r.out, "chain:            2 certificates"));
    assert_non_null(strstr(r.out, "record 201 touched 2 resources of these types (3 domains)"));
    assert_non_null(strstr(r.out, "[ok]   coverage"));
    assert_null(strstr(r.out, "[FAIL]"));
    run_free(&r);
    assert_int_equal(records_of("Renew01"), 1);
}

/* Each refusal: exit 4, the reason, and no write. */
static void test_preflight_refusals(void **state)
{
    (void)state;
    struct {
        const char *cert, *key, *extra, *text;
        int status;
    } cases[] = {
        {narrow_cert, good_key, "", "not covered: api.example.com", 4},
        {narrow_cert, good_key, "--force --check", "[warn] coverage", 0},
        {wrong_order, good_key, "", "wrong order", 4},
        {good_cert, wrong_key, "", "does not belong to the leaf", 4},
        {good_cert, enc_key, "", "decrypt it first", 4},
        {good_cert, good_key, "--regions waf:ap-guangzhou", "not in --types", 2},
        {good_cert, good_key, "--read-only", "--read-only", 2},
        /* the typed confirmation needs a terminal */
        {good_cert, good_key, "", "refusing without --yes", 2},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        struct tu_run r =
            run_cli(UPDATE " %s", "Renew01", cases[i].cert, cases[i].key, cases[i].extra);
        if (r.status != cases[i].status ||
            (!strstr(r.out, cases[i].text) && !strstr(r.err, cases[i].text)))
            fail_msg("case %zu: exit %d\n%s\n%s", i, r.status, r.out, r.err);
        if (cases[i].status == 4) assert_non_null(strstr(r.err, "nothing was sent"));
        run_free(&r);
    }
    struct tu_run r = run_cli("update --cert %s --key %s", good_cert, good_key);
    assert_int_equal(r.status, 2);
    assert_non_null(strstr(r.err, "--old-cert"));
    run_free(&r);
    assert_int_equal(records_of("Renew01"), 1);
}

/* The whole renewal: the task is created (after a DeployRecordId 0 answer), followed one line
 * per change on a stderr that is not a terminal, until its run ends; the exit code is the
 * run's outcome as the service reports it afterwards. */
static void test_update_creates_and_follows_to_the_end(void **state)
{
    (void)state;
    struct tu_run r = run_cli(UPDATE " --yes", "Renew01", good_cert, good_key);
    assert_true(r.status == 0 || r.status == 4);
    assert_non_null(strstr(r.err, "the task is being created (call 1)"));
    assert_null(strchr(r.err, '\r'));
    const char *line = strstr(r.out, "new record: ");
    assert_non_null(line);
    uint64_t id = strtoull(line + 12, NULL, 10);
    assert_true(id > 202);
    char *want =
        xasprintf("record %llu: %s", (unsigned long long)id, r.status == 0 ? "success" : "");
    assert_non_null(strstr(r.out, want));
    free(want);
    /* at least the first state and the last one, each on its own line */
    char *first = xasprintf("record %llu: 0/2 done", (unsigned long long)id);
    assert_non_null(strstr(r.err, first));
    free(first);

    struct api_client *c = tu_emu_client(emu, NULL, NULL);
    struct detail_page d = {0};
    struct detail_query q = {(int64_t)id, 0, 10};
    struct api_error err;
    assert_int_equal(api_describe_detail(c, &q, &d, NULL, &err), 0);
    assert_int_equal(d.n_runs, 1);
    assert_int_equal(d.runs[0].total_count, 2);
    assert_int_equal(d.runs[0].success_total_count + d.runs[0].failed_total_count, 2);
    assert_int_equal(r.status == 0, d.runs[0].status == 1);
    model_detail_page_clear(&d);
    api_client_free(c);
    run_free(&r);
    assert_int_equal(records_of("Renew01"), 2);
}

/* A second renewal while the first one runs: the service answers DeployStatus 0 with the
 * running record, which is named; nothing new is created. */
static void test_running_task_is_named(void **state)
{
    (void)state;
    struct tu_run a = run_cli(UPDATE " --yes --no-wait", "Renew02", good_cert, good_key);
    assert_int_equal(a.status, 0);
    const char *line = strstr(a.out, "new record: ");
    assert_non_null(line);
    uint64_t id = strtoull(line + 12, NULL, 10);
    struct tu_run b = run_cli(UPDATE " --yes --no-wait", "Renew02", good_cert, good_key);
    assert_int_equal(b.status, 1);
    char *want = xasprintf("already running: record %llu", (unsigned long long)id);
    assert_non_null(strstr(b.err, want));
    free(want);
    run_free(&a);
    run_free(&b);
    assert_int_equal(records_of("Renew02"), 2);
}

/* --regions reaches the service as ResourceTypesRegions: the emulator places the new task's
 * instances in the region named, and the trace names it. */
static void test_regions_are_sent(void **state)
{
    (void)state;
    struct tu_run a =
        run_cli(UPDATE " --regions clb:ap-chengdu --yes --no-wait", "Renew03", good_cert, good_key);
    assert_int_equal(a.status, 0);
    const char *line = strstr(a.out, "new record: ");
    assert_non_null(line);
    unsigned long long id = strtoull(line + 12, NULL, 10);
    struct tu_run d = run_cli("detail %llu -o json", id);
    assert_int_equal(d.status, 0);
    assert_non_null(strstr(d.out, "\"ap-chengdu\""));
    run_free(&a);
    run_free(&d);
}

struct traces {
    struct buf text;
};

static void observe(void *ctx, const struct api_trace *t)
{
    struct traces *tr = ctx;
    buf_printf(&tr->text, "%s %s %s %s\n", t->action, t->params, t->err.message, t->err.code);
}

/* The call itself: a reset after the request was sent is "unknown", reported, and never
 * resent; the traces (the event log's source) and the error hold no key. */
static void test_lost_answer_is_never_resent(void **state)
{
    (void)state;
    struct api_client *c = tu_emu_client(emu, NULL, NULL);
    struct traces tr = {{0}};
    api_client_set_observer(c, observe, &tr);
    char *pub = tu_read_file(good_cert, NULL);
    const char *types[] = {"clb"};
    struct upload_request req = {.old_certificate_id = "Fresh03",
                                 .resource_types = types,
                                 .n_resource_types = 1,
                                 .public_key_pem = pub,
                                 .private_key_pem = key_pem};
    uint64_t before = emu_request_count(emu);
    emu_set_fault(emu, EMU_FAULT_RESET, 1);
    struct renew_submit_result res;
    struct renew_submit_opts o = {.backoff_ms = 10};
    renew_submit(c, &req, &o, &res);
    assert_int_equal(res.outcome, RENEW_UNKNOWN);
    assert_int_equal(res.calls, 1);
    assert_int_equal(emu_request_count(emu) - before, 1);
    assert_no_key("error", (const char *)&res.err, sizeof res.err);

    /* Without the fault: 0 first, then the record (two calls, both traced, no key). */
    renew_submit(c, &req, &o, &res);
    assert_int_equal(res.outcome, RENEW_CREATED);
    assert_int_equal(res.calls, 2);
    /* A limit of one call leaves it "still being created" for the next certificate. */
    req.old_certificate_id = "Fresh04";
    struct renew_submit_opts one = {.max_calls = 1};
    renew_submit(c, &req, &one, &res);
    assert_int_equal(res.outcome, RENEW_STILL_CREATING);
    assert_non_null(strstr(tr.text.data, "UploadUpdateCertificateInstance"));
    assert_no_key("traces", tr.text.data, tr.text.len);
    buf_free(&tr.text);
    free(pub);
    api_client_free(c);
}

/* Refused or unknown is the client's one verdict on a write (api_error.outcome_unknown), not a
 * reading of the transport's words: a 503 or a 500 page is an answer (refused, nothing applied,
 * nothing resent), a body that does not decode or a reset after sending may have been applied. */
static void test_outcome_follows_the_error_flag(void **state)
{
    (void)state;
    struct api_client *c = tu_emu_client(emu, NULL, NULL);
    char *pub = tu_read_file(good_cert, NULL);
    const char *types[] = {"clb"};
    struct upload_request req = {.old_certificate_id = "Fresh05",
                                 .resource_types = types,
                                 .n_resource_types = 1,
                                 .public_key_pem = pub,
                                 .private_key_pem = key_pem};
    static const struct {
        enum emu_fault fault;
        enum renew_outcome want;
    } cases[] = {
        {EMU_FAULT_HTTP_503, RENEW_REFUSED},
        {EMU_FAULT_HTTP_500, RENEW_REFUSED},
        {EMU_FAULT_GARBAGE, RENEW_UNKNOWN},
        {EMU_FAULT_RESET, RENEW_UNKNOWN},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        uint64_t before = emu_request_count(emu);
        emu_set_fault(emu, cases[i].fault, 1);
        struct renew_submit_result res;
        struct renew_submit_opts o = {.backoff_ms = 10};
        renew_submit(c, &req, &o, &res);
        assert_int_equal(res.outcome, cases[i].want);
        assert_int_equal(res.err.outcome_unknown, cases[i].want == RENEW_UNKNOWN);
        assert_int_equal(res.calls, 1);
        assert_int_equal(emu_request_count(emu) - before, 1);
    }
    emu_set_fault(emu, EMU_FAULT_NONE, 0);
    free(pub);
    api_client_free(c);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check_prints_the_plan),
        cmocka_unit_test(test_preflight_refusals),
        cmocka_unit_test(test_running_task_is_named),
        cmocka_unit_test(test_regions_are_sent),
        cmocka_unit_test(test_lost_answer_is_never_resent),
        cmocka_unit_test(test_outcome_follows_the_error_flag),
        cmocka_unit_test(test_update_creates_and_follows_to_the_end),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
