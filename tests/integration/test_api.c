/* The API client against the real emulator over loopback (real HTTP through libcurl, real TC3
 * signatures): every action, every error path the emulator can produce, retries as seen by
 * the observer, cancellation and the process-wide rate limit under a burst. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <inttypes.h>
#include <cjson/cJSON.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "certgen.h"
#include "core/api.h"
#include "core/codec.h"
#include "core/emulator/emulator.h"
#include "core/util.h"
#include "testutil.h"

static struct emu *emu;

/* ---- observer: every trace, kept for assertions on the main thread ----------------------- */

static pthread_mutex_t obs_mu = PTHREAD_MUTEX_INITIALIZER;
static struct api_trace last_trace;
static int n_traces;
static int sum_retries;      /* attempts - 1, summed */
static int sum_rate_limited; /* RequestLimitExceeded answers, summed */
static bool secret_leaked;

static void observer(void *ctx, const struct api_trace *t)
{
    (void)ctx;
    pthread_mutex_lock(&obs_mu);
    last_trace = *t;
    n_traces++;
    sum_retries += t->attempts - 1;
    sum_rate_limited += t->rate_limited;
    const char *texts[] = {t->params, t->err.message, t->err.transport, t->err.code};
    for (size_t i = 0; i < ARRAY_LEN(texts); i++)
        if (strstr(texts[i], EMU_DEMO_SECRET_KEY) || strstr(texts[i], "Authorization") ||
            strstr(texts[i], "TC3-HMAC"))
            secret_leaked = true;
    pthread_mutex_unlock(&obs_mu);
}

static void observer_reset(void)
{
    pthread_mutex_lock(&obs_mu);
    memset(&last_trace, 0, sizeof last_trace);
    n_traces = sum_retries = sum_rate_limited = 0;
    pthread_mutex_unlock(&obs_mu);
}

/* ---- clients ------------------------------------------------------------------------------ */

struct client_opts {
    const char *endpoint; /* NULL: the emulator */
    const char *secret_id;
    const char *secret_key;
    const char *token;
    int max_retries; /* as api_config: 0 default, < 0 none */
    long timeout_ms;
    size_t max_body;
    double rate;
    int64_t clock_skew_s;
};

static struct api_client *client_with(const struct client_opts *o, struct emu *e)
{
    struct creds cr;
    memset(&cr, 0, sizeof cr);
    strlcpy_safe(cr.secret_id, o->secret_id ? o->secret_id : EMU_DEMO_SECRET_ID,
                 sizeof cr.secret_id);
    strlcpy_safe(cr.secret_key, o->secret_key ? o->secret_key : EMU_DEMO_SECRET_KEY,
                 sizeof cr.secret_key);
    if (o->token) strlcpy_safe(cr.token, o->token, sizeof cr.token);
    struct api_config cfg = {
        .endpoint = o->endpoint, /* NULL: the emulator's */
        .language = "en-US",
        .http = {.timeout_ms = o->timeout_ms ? o->timeout_ms : 10000,
                 .connect_timeout_ms = 2000,
                 .max_body = o->max_body},
        .rate = o->rate ? o->rate : -1, /* the client does not limit unless asked */
        .max_retries = o->max_retries,
        .backoff_base_ms = 20,
        .clock_skew_s = o->clock_skew_s,
    };
    struct api_client *c = tu_emu_client(e ? e : emu, &cfg, &cr);
    api_client_set_observer(c, observer, NULL);
    observer_reset();
    return c;
}

static struct api_client *client(void)
{
    struct client_opts o = {0};
    return client_with(&o, NULL);
}

static int group_setup(void **state)
{
    (void)state;
    tu_loopback_init();
    struct emu_config cfg = {
        .listen = "127.0.0.1:0", .seed = 7, .records = 40, .max_instances = 300, .rate = -1};
    emu = tu_emu_start(&cfg);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    emu_stop(emu);
    http_global_cleanup();
    return 0;
}

static int test_teardown(void **state)
{
    (void)state;
    emu_set_fault(emu, EMU_FAULT_NONE, 0);
    assert_false(secret_leaked);
    return 0;
}

/* ---- helpers ---------------------------------------------------------------------------- */

static struct api_trace trace_snapshot(void)
{
    pthread_mutex_lock(&obs_mu);
    struct api_trace t = last_trace;
    pthread_mutex_unlock(&obs_mu);
    return t;
}

/* One api_describe_records call (no query) that must fail with an error of kind: returns the
 * error, and the page in *p when p is not NULL. */
static struct api_error records_fail(struct api_client *c, enum apierr_kind kind,
                                     struct records_page *p)
{
    struct records_page page;
    struct api_error err;
    assert_int_equal(api_describe_records(c, NULL, &page, NULL, &err), -1);
    assert_int_equal(err.kind, kind);
    if (p) *p = page;
    return err;
}

static bool run_open(const struct deploy_run *r)
{
    return r->status == MODEL_STATUS_WAITING || r->status == MODEL_STATUS_DEPLOYING;
}

/* Finds a finished record whose latest run satisfies want(); fills *detail with its items. */
static int64_t find_record(struct api_client *c, bool (*want)(const struct detail_page *),
                           struct detail_page *detail)
{
    struct records_page all;
    struct api_error err;
    assert_int_equal(api_records_all(c, NULL, &all, NULL, &err), 0);
    int64_t found = -1;
    for (size_t i = 0; i < all.n_records && found < 0; i++) {
        struct detail_page d;
        assert_int_equal(api_detail_all(c, (int64_t)all.records[i].id, 2, &d, NULL, &err), 0);
        bool active = false;
        for (size_t k = 0; k < d.n_runs; k++)
            active = active || run_open(&d.runs[k]);
        if (!active && d.n_runs && want(&d)) {
            found = (int64_t)all.records[i].id;
            *detail = d;
        } else {
            model_detail_page_clear(&d);
        }
    }
    model_records_page_clear(&all);
    return found;
}

static bool last_run_deployed_ok(const struct detail_page *d)
{
    const struct deploy_run *r = &d->runs[d->n_runs - 1];
    return r->type == MODEL_RUN_DEPLOY && r->status == MODEL_STATUS_SUCCESS;
}

static bool last_run_failed(const struct detail_page *d)
{
    const struct deploy_run *r = &d->runs[d->n_runs - 1];
    return r->status == MODEL_STATUS_FAILED || r->status == MODEL_STATUS_ROLLBACK_FAILED;
}

static const struct deploy_item *failed_item(const struct detail_page *d)
{
    const struct deploy_run *r = &d->runs[d->n_runs - 1];
    for (size_t g = 0; g < r->n_groups; g++)
        for (size_t i = 0; i < r->groups[g].n_items; i++)
            if (tu_item(&r->groups[g], i)->status == MODEL_STATUS_FAILED ||
                tu_item(&r->groups[g], i)->status == MODEL_STATUS_ROLLBACK_FAILED)
                return tu_item(&r->groups[g], i);
    return NULL;
}

/* ---- actions ---------------------------------------------------------------------------- */

static void test_records_paging_and_filter(void **state)
{
    (void)state;
    struct api_client *c = client();
    struct api_error err;
    struct records_page p1, p2;
    struct records_query q = {.offset = 0, .limit = 5};
    assert_int_equal(api_describe_records(c, &q, &p1, NULL, &err), 0);
    assert_int_equal(p1.n_records, 5);
    assert_true(p1.total_count >= 10);
    assert_non_null(p1.request_id);
    q.offset = 5;
    assert_int_equal(api_describe_records(c, &q, &p2, NULL, &err), 0);
    assert_int_equal(p2.n_records, 5);
    assert_int_equal(p2.total_count, p1.total_count);
    for (size_t i = 0; i < 5; i++)
        for (size_t j = 0; j < 5; j++)
            assert_true(p1.records[i].id != p2.records[j].id);

    /* The trace names the action, the parameters and the RequestId of the answer. */
    struct api_trace t = trace_snapshot();
    assert_string_equal(t.action, "DescribeHostUploadUpdateRecord");
    assert_non_null(strstr(t.params, "Offset=5"));
    assert_non_null(strstr(t.params, "Limit=5"));
    assert_string_equal(t.request_id, p2.request_id);
    assert_int_equal(t.attempts, 1);
    assert_int_equal(t.err.kind, APIERR_NONE);

    /* Filter by the first record's certificate: every answer carries it. */
    const char *cert = p1.records[0].old_cert_id;
    assert_non_null(cert);
    struct records_page f;
    q = (struct records_query){.offset = 0, .limit = 100, .old_cert_id = cert};
    assert_int_equal(api_describe_records(c, &q, &f, NULL, &err), 0);
    assert_true(f.n_records >= 1);
    assert_int_equal(f.n_records, f.total_count);
    assert_true(f.total_count < p1.total_count);
    for (size_t i = 0; i < f.n_records; i++)
        assert_string_equal(f.records[i].old_cert_id, cert);
    assert_non_null(strstr(trace_snapshot().params, cert));

    /* All pages: exactly TotalCount distinct records. */
    struct records_page all;
    assert_int_equal(api_records_all(c, NULL, &all, NULL, &err), 0);
    assert_int_equal(all.n_records, all.total_count);
    for (size_t i = 0; i < all.n_records; i++)
        for (size_t j = i + 1; j < all.n_records; j++)
            assert_true(all.records[i].id != all.records[j].id);

    model_records_page_clear(&all);
    model_records_page_clear(&f);
    model_records_page_clear(&p1);
    model_records_page_clear(&p2);
    api_client_free(c);
}

static void test_detail_is_seed_example(void **state)
{
    (void)state;
    struct api_client *c = client();
    struct api_error err;
    struct detail_page d;
    struct detail_query q = {.record_id = 2, .offset = 0, .limit = 15};
    assert_int_equal(api_describe_detail(c, &q, &d, NULL, &err), 0);
    assert_non_null(d.request_id);
    assert_true(strlen(d.request_id) > 8);
    assert_int_equal(d.n_runs, 2);
    assert_int_equal(d.runs[0].type, MODEL_RUN_DEPLOY);
    assert_int_equal(d.runs[1].type, MODEL_RUN_ROLLBACK);
    assert_int_equal(tu_item(&d.runs[0].groups[0], 0)->id, 57);
    assert_int_equal(tu_item(&d.runs[1].groups[0], 0)->id, 85);

    /* Field for field, the official example. */
    size_t len;
    char *seed = tu_read_testdata("seed_detail_response.json", &len);
    struct detail_page want;
    assert_int_equal(codec_decode_detail_body(seed, len, &want, &err), 0);
    cJSON *a = tu_detail_json(&d), *b = tu_detail_json(&want);
    char *as = cJSON_PrintUnformatted(a);
    if (!cJSON_Compare(a, b, true)) fail_msg("detail of record 2 differs from the seed: %s", as);
    cJSON_free(as);
    cJSON_Delete(a);
    cJSON_Delete(b);

    struct api_trace t = trace_snapshot();
    assert_string_equal(t.action, "DescribeHostUploadUpdateRecordDetail");
    assert_non_null(strstr(t.params, "DeployRecordId=2"));
    assert_string_equal(t.request_id, d.request_id);

    model_detail_page_clear(&want);
    model_detail_page_clear(&d);
    free(seed);
    api_client_free(c);
}

static int count_rollbacks(const struct detail_page *d)
{
    int n = 0;
    for (size_t k = 0; k < d->n_runs; k++)
        n += d->runs[k].type == MODEL_RUN_ROLLBACK;
    return n;
}

static void test_rollback_adds_run(void **state)
{
    (void)state;
    struct api_client *c = client();
    struct api_error err;
    struct detail_page before, after;
    int64_t id = find_record(c, last_run_deployed_ok, &before);
    assert_true(id > 0);
    char rid[80];
    assert_int_equal(api_rollback(c, id, rid, sizeof rid, &err), 0);
    assert_true(strlen(rid) > 8);
    struct api_trace t = trace_snapshot();
    assert_string_equal(t.action, "UploadUpdateCertificateRecordRollback");
    assert_string_equal(t.request_id, rid);

    assert_int_equal(api_detail_all(c, id, 2, &after, NULL, &err), 0);
    assert_int_equal(after.n_runs, before.n_runs + 1);
    assert_int_equal(count_rollbacks(&after), count_rollbacks(&before) + 1);
    assert_int_equal(after.runs[after.n_runs - 1].type, MODEL_RUN_ROLLBACK);

    /* A second rollback of the same record is refused by the server, and not retried. */
    assert_int_equal(api_rollback(c, id, rid, sizeof rid, &err), -1);
    assert_int_equal(err.kind, APIERR_API);
    assert_non_null(strstr(err.code, "FailedOperation"));
    assert_true(err.request_id[0] != '\0');
    assert_int_equal(trace_snapshot().attempts, 1);

    model_detail_page_clear(&before);
    model_detail_page_clear(&after);
    api_client_free(c);
}

static void test_retry_record_and_item(void **state)
{
    (void)state;
    struct api_client *c = client();
    struct api_error err;
    char rid[80];

    /* Exactly one of the two ids. */
    assert_int_equal(api_retry(c, 1, 2, rid, sizeof rid, &err), -1);
    assert_int_equal(err.kind, APIERR_USAGE);
    assert_int_equal(api_retry(c, -1, -1, rid, sizeof rid, &err), -1);
    assert_int_equal(err.kind, APIERR_USAGE);

    /* A whole record by its DeployRecordId (it becomes active: find_record skips it next). */
    struct detail_page d;
    int64_t id = find_record(c, last_run_failed, &d);
    assert_true(id > 0);
    assert_int_equal(api_retry(c, id, -1, rid, sizeof rid, &err), 0);
    assert_true(strlen(rid) > 8);
    struct api_trace t = trace_snapshot();
    assert_string_equal(t.action, "UploadUpdateCertificateRecordRetry");
    assert_non_null(strstr(t.params, "DeployRecordId="));
    assert_string_equal(t.request_id, rid);
    /* Retrying it again while it runs is refused by the server. */
    assert_int_equal(api_retry(c, id, -1, rid, sizeof rid, &err), -1);
    assert_int_equal(err.kind, APIERR_API);
    assert_true(strncmp(err.code, "FailedOperation", 15) == 0);
    model_detail_page_clear(&d);

    /* One failed item of another record by its DeployRecordDetailId. */
    int64_t id2 = find_record(c, last_run_failed, &d);
    assert_true(id2 > 0 && id2 != id);
    const struct deploy_item *it = failed_item(&d);
    assert_non_null(it);
    assert_int_equal(api_retry(c, -1, (int64_t)it->id, rid, sizeof rid, &err), 0);
    assert_true(strlen(rid) > 8);
    assert_non_null(strstr(trace_snapshot().params, "DeployRecordDetailId="));

    /* An item that is not failed cannot be retried. */
    const struct deploy_item *ok = NULL;
    for (size_t k = 0; k < d.n_runs && !ok; k++)
        for (size_t g = 0; g < d.runs[k].n_groups && !ok; g++)
            for (size_t i = 0; i < d.runs[k].groups[g].n_items && !ok; i++)
                if (tu_item(&d.runs[k].groups[g], i)->status == MODEL_STATUS_SUCCESS)
                    ok = tu_item(&d.runs[k].groups[g], i);
    if (ok) {
        assert_int_equal(api_retry(c, -1, (int64_t)ok->id, rid, sizeof rid, &err), -1);
        assert_int_equal(err.kind, APIERR_API);
    }
    model_detail_page_clear(&d);
    api_client_free(c);
}

static void test_upload(void **state)
{
    (void)state;
    struct api_client *c = client();
    struct api_error err;
    struct records_page before, after;
    struct records_query q = {.limit = 1};
    assert_int_equal(api_describe_records(c, &q, &before, NULL, &err), 0);

    struct cg_chain g;
    cg_chain_make(&g, CG_EC, "DNS:up.example.com", -3600, 90 * 86400);
    char *pem_cert = cg_pem_certs(&g.leaf, 1);
    char *pem_key = cg_pem_key(g.leaf_key, NULL);
    const char *types[] = {"clb"};
    struct upload_request req = {.old_certificate_id = "certdeckUP1",
                                 .resource_types = types,
                                 .n_resource_types = 1,
                                 .public_key_pem = pem_cert,
                                 .private_key_pem = pem_key};
    /* The first call starts creating the task (DeployRecordId 0), the next one has it. */
    struct upload_result res;
    assert_int_equal(api_upload_update(c, &req, &res, &err), 0);
    assert_int_equal(res.deploy_record_id, 0);
    model_upload_result_clear(&res);
    assert_int_equal(api_upload_update(c, &req, &res, &err), 0);
    assert_non_null(res.request_id);
    assert_true(res.deploy_record_id > 0);
    assert_int_equal(res.deploy_status, 1);
    struct api_trace t = trace_snapshot();
    assert_string_equal(t.action, "UploadUpdateCertificateInstance");
    assert_non_null(strstr(t.params, "certdeckUP1"));
    assert_null(strstr(t.params, "PRIVATE"));

    /* The new task heads the list, for that certificate. */
    assert_int_equal(api_describe_records(c, &q, &after, NULL, &err), 0);
    assert_int_equal(after.total_count, before.total_count + 1);
    assert_int_equal(after.records[0].id, res.deploy_record_id);
    assert_string_equal(after.records[0].old_cert_id, "certdeckUP1");

    /* Missing pieces never reach the network. */
    struct upload_result none;
    req.private_key_pem = "";
    observer_reset();
    assert_int_equal(api_upload_update(c, &req, &none, &err), -1);
    assert_int_equal(err.kind, APIERR_USAGE);

    model_upload_result_clear(&res);
    model_records_page_clear(&before);
    model_records_page_clear(&after);
    api_client_free(c);
    free(pem_cert);
    free(pem_key);
    cg_chain_free(&g);
}

/* ---- API errors -------------------------------------------------------------------------- */

static void test_wrong_secret_key(void **state)
{
    (void)state;
    struct client_opts o = {.secret_key = "certdeckWrongKey000000000000000000"};
    struct api_client *c = client_with(&o, NULL);
    struct api_error err = records_fail(c, APIERR_API, NULL);
    assert_string_equal(err.code, "AuthFailure.SignatureFailure");
    assert_true(strlen(err.request_id) > 8);
    assert_non_null(strstr(apierr_hint(&err), "SecretKey"));
    assert_int_equal(apierr_exit_code(&err), 1);
    /* Not worth retrying: one attempt. */
    assert_int_equal(trace_snapshot().attempts, 1);
    assert_string_equal(trace_snapshot().err.code, "AuthFailure.SignatureFailure");
    char line[512];
    apierr_format(&err, line, sizeof line);
    assert_null(strstr(line, "certdeckWrongKey"));
    api_client_free(c);
}

static void test_unknown_secret_id(void **state)
{
    (void)state;
    struct client_opts o = {.secret_id = "AKIDnobodyKnowsThisOne000000000000"};
    struct api_client *c = client_with(&o, NULL);
    struct api_error err = records_fail(c, APIERR_API, NULL);
    assert_string_equal(err.code, "AuthFailure.SecretIdNotFound");
    assert_true(err.request_id[0] != '\0');
    api_client_free(c);
}

static void test_clock_skew(void **state)
{
    (void)state;
    struct client_opts o = {.clock_skew_s = 600};
    struct api_client *c = client_with(&o, NULL);
    struct api_error err;
    struct detail_page d;
    struct detail_query q = {.record_id = 2};
    assert_int_equal(api_describe_detail(c, &q, &d, NULL, &err), -1);
    assert_int_equal(err.kind, APIERR_API);
    assert_string_equal(err.code, "AuthFailure.SignatureExpire");
    assert_non_null(strstr(apierr_hint(&err), "clock"));
    api_client_free(c);
}

static void test_unknown_record(void **state)
{
    (void)state;
    struct api_client *c = client();
    struct api_error err;
    struct detail_page d;
    struct detail_query q = {.record_id = 987654321};
    assert_int_equal(api_describe_detail(c, &q, &d, NULL, &err), -1);
    assert_int_equal(err.kind, APIERR_API);
    assert_true(err.code[0] != '\0');
    assert_true(err.request_id[0] != '\0');
    assert_null(d.runs);
    assert_int_equal(trace_snapshot().attempts, 1);
    api_client_free(c);
}

static void test_token(void **state)
{
    (void)state;
    struct emu_config cfg = {
        .listen = "127.0.0.1:0", .token = "certdeckSessionToken42", .records = 5, .rate = -1};
    struct emu *te = tu_emu_start(&cfg);
    struct client_opts o = {0};
    struct api_client *c = client_with(&o, te);
    struct api_error err = records_fail(c, APIERR_API, NULL);
    assert_string_equal(err.code, "AuthFailure.TokenFailure");
    struct records_page p;
    api_client_free(c);

    o.token = "certdeckSessionToken42";
    c = client_with(&o, te);
    assert_int_equal(api_describe_records(c, NULL, &p, NULL, &err), 0);
    assert_true(p.n_records > 0);
    model_records_page_clear(&p);
    api_client_free(c);
    emu_stop(te);
}

/* ---- faults ------------------------------------------------------------------------------ */

static void test_http_5xx_read_retried(void **state)
{
    (void)state;
    enum emu_fault faults[] = {EMU_FAULT_HTTP_500, EMU_FAULT_HTTP_503};
    long codes[] = {500, 503};
    for (size_t i = 0; i < ARRAY_LEN(faults); i++) {
        struct api_client *c = client();
        struct api_error err;
        struct records_page p;
        emu_set_fault(emu, faults[i], 1);
        assert_int_equal(api_describe_records(c, NULL, &p, NULL, &err), 0);
        assert_int_equal(trace_snapshot().attempts, 2);
        assert_int_equal(trace_snapshot().err.kind, APIERR_NONE);
        model_records_page_clear(&p);

        /* Without retries the HTTP error itself comes back, with a short excerpt. */
        api_client_free(c);
        struct client_opts o = {.max_retries = -1};
        c = client_with(&o, NULL);
        emu_set_fault(emu, faults[i], 1);
        err = records_fail(c, APIERR_HTTP, NULL);
        assert_int_equal(err.http_status, codes[i]);
        assert_true(strlen(err.message) < 200);
        assert_null(strchr(err.message, '<'));
        assert_int_equal(trace_snapshot().attempts, 1);
        assert_int_equal(trace_snapshot().http_status, codes[i]);
        api_client_free(c);
    }
}

static void test_http_500_write_not_retried(void **state)
{
    (void)state;
    struct api_client *c = client();
    struct api_error err;
    char rid[80];
    emu_set_fault(emu, EMU_FAULT_HTTP_500, 1);
    assert_int_equal(api_rollback(c, 2, rid, sizeof rid, &err), -1);
    assert_int_equal(err.kind, APIERR_HTTP);
    assert_int_equal(err.http_status, 500);
    assert_int_equal(trace_snapshot().attempts, 1);

    emu_set_fault(emu, EMU_FAULT_RESET, 1);
    assert_int_equal(api_retry(c, -1, 57, rid, sizeof rid, &err), -1);
    assert_int_equal(err.kind, APIERR_TRANSPORT);
    assert_int_equal(trace_snapshot().attempts, 1);
    api_client_free(c);
}

static void test_reset(void **state)
{
    (void)state;
    struct api_client *c = client();
    struct api_error err;
    struct records_page p;
    emu_set_fault(emu, EMU_FAULT_RESET, 1);
    assert_int_equal(api_describe_records(c, NULL, &p, NULL, &err), 0);
    assert_int_equal(trace_snapshot().attempts, 2);
    model_records_page_clear(&p);
    api_client_free(c);

    struct client_opts o = {.max_retries = -1};
    c = client_with(&o, NULL);
    emu_set_fault(emu, EMU_FAULT_RESET, 1);
    err = records_fail(c, APIERR_TRANSPORT, NULL);
    assert_true(err.transport[0] != '\0');
    assert_int_equal(apierr_exit_code(&err), 3);
    api_client_free(c);
}

static void test_timeout(void **state)
{
    (void)state;
    struct client_opts o = {.max_retries = -1, .timeout_ms = 300};
    struct api_client *c = client_with(&o, NULL);
    struct api_error err;
    struct records_page p;
    emu_set_fault(emu, EMU_FAULT_TIMEOUT, 1);
    err = records_fail(c, APIERR_TRANSPORT, NULL);
    assert_non_null(strstr(err.transport, "timed out"));
    assert_true(apierr_retryable(&err));
    /* The same client works again afterwards (a fresh connection). */
    assert_int_equal(api_describe_records(c, NULL, &p, NULL, &err), 0);
    model_records_page_clear(&p);
    api_client_free(c);
}

/* A truncated body, garbage, or a body that does not decode is as transient as a 503 for a
 * read (a proxy, a cut connection): retried with the same backoff, and after the budget the
 * path-precise error comes back. A write with such a reply is never sent again. */
static void test_bad_bodies(void **state)
{
    (void)state;
    static const enum emu_fault faults[] = {EMU_FAULT_TRUNCATED, EMU_FAULT_GARBAGE,
                                            EMU_FAULT_WRONG_TYPES};
    struct client_opts o = {.max_retries = 2};
    struct api_client *c = client_with(&o, NULL);
    struct api_error err;
    struct detail_page d;
    struct detail_query q = {.record_id = 2, .limit = 10};
    for (size_t i = 0; i < ARRAY_LEN(faults); i++) {
        /* One bad answer: the second attempt gets the real page. */
        emu_set_fault(emu, faults[i], 1);
        assert_int_equal(api_describe_detail(c, &q, &d, NULL, &err), 0);
        assert_int_equal(trace_snapshot().attempts, 2);
        tu_assert_seed_detail(&d);
        model_detail_page_clear(&d);

        /* Bad answers past the budget: the decode error, after 1 + 2 attempts. */
        emu_set_fault(emu, faults[i], -1);
        assert_int_equal(api_describe_detail(c, &q, &d, NULL, &err), -1);
        emu_set_fault(emu, EMU_FAULT_NONE, 0);
        assert_int_equal(err.kind, APIERR_DECODE);
        assert_null(d.runs);
        assert_int_equal(trace_snapshot().attempts, 3);
        if (faults[i] == EMU_FAULT_GARBAGE) assert_non_null(strstr(err.message, "JSON"));
        if (faults[i] == EMU_FAULT_WRONG_TYPES) {
            assert_non_null(strstr(err.message, "Response.DeployRecordDetail["));
            assert_non_null(strstr(err.message, "].Port"));
            assert_non_null(strstr(err.message, "expected integer"));
        }
    }
    /* A write whose reply does not decode is sent once. */
    char rid[80];
    emu_set_fault(emu, EMU_FAULT_TRUNCATED, 1);
    assert_int_equal(api_retry(c, -1, 57, rid, sizeof rid, &err), -1);
    assert_int_equal(err.kind, APIERR_DECODE);
    assert_int_equal(trace_snapshot().attempts, 1);

    /* The client still works. */
    assert_int_equal(api_describe_detail(c, &q, &d, NULL, &err), 0);
    model_detail_page_clear(&d);
    api_client_free(c);
}

static void test_huge_body(void **state)
{
    (void)state;
    struct client_opts o = {.max_body = 1024 * 1024};
    struct api_client *c = client_with(&o, NULL);
    struct records_page p;
    emu_set_fault(emu, EMU_FAULT_HUGE, 1);
    struct api_error err = records_fail(c, APIERR_TRANSPORT, &p);
    assert_non_null(strstr(err.transport, "response larger than 1 MiB"));
    assert_null(p.records);
    assert_int_equal(trace_snapshot().attempts, 1); /* a size cap is not retried */
    api_client_free(c);
}

static void test_server_errors_retried(void **state)
{
    (void)state;
    struct api_client *c = client();
    struct api_error err;
    struct records_page p;
    char rid[80];

    emu_set_fault(emu, EMU_FAULT_RATE_LIMIT, 2);
    assert_int_equal(api_describe_records(c, NULL, &p, NULL, &err), 0);
    assert_int_equal(trace_snapshot().attempts, 3);
    assert_int_equal(trace_snapshot().rate_limited, 2);
    model_records_page_clear(&p);

    emu_set_fault(emu, EMU_FAULT_INTERNAL, 1);
    assert_int_equal(api_describe_records(c, NULL, &p, NULL, &err), 0);
    assert_int_equal(trace_snapshot().attempts, 2);
    assert_int_equal(trace_snapshot().rate_limited, 0);
    model_records_page_clear(&p);

    /* A write is retried on RequestLimitExceeded (the server did nothing)... */
    emu_set_fault(emu, EMU_FAULT_RATE_LIMIT, 1);
    int rc = api_retry(c, -1, 57, rid, sizeof rid, &err);
    assert_int_equal(trace_snapshot().attempts, 2);
    assert_int_equal(trace_snapshot().rate_limited, 1);
    /* (57 is a successful item: the second attempt reached the server and was refused) */
    assert_int_equal(rc, -1);
    assert_int_equal(err.kind, APIERR_API);
    assert_true(strncmp(err.code, "FailedOperation", 15) == 0);
    /* ...but never on InternalError. */
    emu_set_fault(emu, EMU_FAULT_INTERNAL, 1);
    assert_int_equal(api_retry(c, -1, 57, rid, sizeof rid, &err), -1);
    assert_string_equal(err.code, "InternalError");
    assert_int_equal(trace_snapshot().attempts, 1);

    /* With retries exhausted the last error comes back. */
    api_client_free(c);
    struct client_opts o = {.max_retries = 2};
    c = client_with(&o, NULL);
    emu_set_fault(emu, EMU_FAULT_RATE_LIMIT, -1);
    err = records_fail(c, APIERR_API, NULL);
    emu_set_fault(emu, EMU_FAULT_NONE, 0);
    assert_string_equal(err.code, "RequestLimitExceeded");
    assert_int_equal(trace_snapshot().attempts, 3);
    api_client_free(c);
}

/* ---- transport errors without the emulator ----------------------------------------------- */

/* A loopback port that nothing listens on: bound, then closed. */
static int closed_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    socklen_t len = sizeof a;
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    close(fd);
    return ntohs(a.sin_port);
}

static void test_connection_refused(void **state)
{
    (void)state;
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", closed_port());
    struct client_opts o = {.endpoint = url, .max_retries = 1};
    struct api_client *c = client_with(&o, NULL);
    struct api_error err = records_fail(c, APIERR_TRANSPORT, NULL);
    assert_non_null(strstr(err.transport, "connection refused"));
    assert_int_equal(apierr_exit_code(&err), 3);
    assert_int_equal(trace_snapshot().attempts, 2); /* refused is worth one more try */
    assert_int_equal(trace_snapshot().http_status, 0);
    api_client_free(c);
}

static void test_https_to_plain_port(void **state)
{
    (void)state;
    char url[64];
    snprintf(url, sizeof url, "https://127.0.0.1:%d", emu_port(emu));
    struct client_opts o = {.endpoint = url};
    struct api_client *c = client_with(&o, NULL);
    struct api_error err = records_fail(c, APIERR_TRANSPORT, NULL);
    assert_non_null(strstr(err.transport, "TLS"));
    assert_false(apierr_retryable(&err));
    assert_int_equal(trace_snapshot().attempts, 1);
    api_client_free(c);
}

static void test_bad_config(void **state)
{
    (void)state;
    struct creds cr;
    memset(&cr, 0, sizeof cr);
    strlcpy_safe(cr.secret_id, EMU_DEMO_SECRET_ID, sizeof cr.secret_id);
    strlcpy_safe(cr.secret_key, EMU_DEMO_SECRET_KEY, sizeof cr.secret_key);
    const char *bad[] = {"ftp://example.com", "https://", "https://h/path", "https://u@h",
                         "http://h\r\nX: y"};
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        struct api_config cfg = {.endpoint = bad[i]};
        struct api_error err;
        assert_null(api_client_new(&cfg, &cr, &err));
        assert_int_equal(err.kind, APIERR_USAGE);
    }
    /* The default endpoint, and a bare host meaning https. */
    struct api_error err;
    struct api_client *c = api_client_new(&(struct api_config){0}, &cr, &err);
    assert_string_equal(api_client_endpoint(c), API_DEFAULT_ENDPOINT);
    api_client_free(c);
    c = api_client_new(&(struct api_config){.endpoint = "ssl.intl.tencentcloudapi.com/"}, &cr,
                       &err);
    assert_string_equal(api_client_endpoint(c), "https://ssl.intl.tencentcloudapi.com");
    api_client_free(c);
    /* No credentials at all. */
    memset(&cr, 0, sizeof cr);
    assert_null(api_client_new(&(struct api_config){0}, &cr, &err));
    assert_int_equal(err.kind, APIERR_USAGE);
}

/* ---- cancellation ------------------------------------------------------------------------ */

struct canceller {
    atomic_int *flag;
    uint64_t seen; /* request count before the call */
};

static void *cancel_when_requested(void *arg)
{
    struct canceller *k = arg;
    /* Wait until the emulator holds our request, then cancel. */
    (void)tu_wait_requests(emu, k->seen + 1, TU_DEADLINE_MS);
    atomic_store(k->flag, 1);
    return NULL;
}

static void test_cancel(void **state)
{
    (void)state;
    struct client_opts o = {.timeout_ms = 60000};
    struct api_client *c = client_with(&o, NULL);
    struct api_error err;
    struct records_page p;
    atomic_int flag = 0;
    struct canceller k = {&flag, emu_request_count(emu)};
    emu_set_fault(emu, EMU_FAULT_TIMEOUT, 1);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, cancel_when_requested, &k), 0);
    int rc = api_describe_records(c, NULL, &p, &flag, &err);
    pthread_join(t, NULL);
    assert_int_equal(rc, -1);
    assert_int_equal(err.kind, APIERR_CANCELLED);
    assert_int_equal(trace_snapshot().err.kind, APIERR_CANCELLED);
    assert_int_equal(trace_snapshot().attempts, 1);

    /* Already cancelled: nothing is sent. */
    uint64_t before = emu_request_count(emu);
    assert_int_equal(api_describe_records(c, NULL, &p, &flag, &err), -1);
    assert_int_equal(err.kind, APIERR_CANCELLED);
    assert_int_equal(emu_request_count(emu), before);
    api_client_free(c);
}

/* ---- the rate limit under a burst -------------------------------------------------------- */

#define BURST_THREADS 4
#define BURST_EACH    25

struct burst {
    struct api_client *c;
    int ok;
};

static void *burst_thread(void *arg)
{
    struct burst *b = arg;
    for (int i = 0; i < BURST_EACH; i++) {
        struct records_page p;
        struct api_error err;
        struct records_query q = {.offset = (uint64_t)i % 5, .limit = 5};
        if (api_describe_records(b->c, &q, &p, NULL, &err) == 0) {
            b->ok++;
            model_records_page_clear(&p);
        } else {
            char line[512];
            fprintf(stderr, "burst: %s\n", apierr_format(&err, line, sizeof line));
        }
    }
    return NULL;
}

static void test_burst_against_server_limit(void **state)
{
    (void)state;
    /* A fresh emulator at its default 20 requests/s; the client allows itself 50/s. */
    struct emu_config cfg = {.listen = "127.0.0.1:0", .records = 10};
    struct emu *be = tu_emu_start(&cfg);
    struct client_opts o = {.rate = 50, .max_retries = 10};
    struct api_client *c = client_with(&o, be);
    struct burst b[BURST_THREADS];
    pthread_t t[BURST_THREADS];
    int64_t start = now_ms();
    for (int i = 0; i < BURST_THREADS; i++) {
        b[i] = (struct burst){c, 0};
        assert_int_equal(pthread_create(&t[i], NULL, burst_thread, &b[i]), 0);
    }
    int ok = 0;
    for (int i = 0; i < BURST_THREADS; i++) {
        pthread_join(t[i], NULL);
        ok += b[i].ok;
    }
    int64_t took = now_ms() - start;
    pthread_mutex_lock(&obs_mu);
    int traces = n_traces, retries = sum_retries, limited = sum_rate_limited;
    pthread_mutex_unlock(&obs_mu);
    fprintf(stderr,
            "burst: %d ok, %d calls, %d retries (%d RequestLimitExceeded), %" PRId64 " ms, %" PRIu64
            " requests seen by the server\n",
            ok, traces, retries, limited, took, emu_request_count(be));
    assert_int_equal(ok, BURST_THREADS * BURST_EACH);
    assert_int_equal(traces, BURST_THREADS * BURST_EACH);
    assert_true(limited > 0);
    /* Every retry was a request the server saw and refused. */
    assert_int_equal(emu_request_count(be), (uint64_t)(traces + retries));
    api_client_free(c);
    emu_stop(be);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_records_paging_and_filter, test_teardown),
        cmocka_unit_test_teardown(test_detail_is_seed_example, test_teardown),
        cmocka_unit_test_teardown(test_rollback_adds_run, test_teardown),
        cmocka_unit_test_teardown(test_retry_record_and_item, test_teardown),
        cmocka_unit_test_teardown(test_upload, test_teardown),
        cmocka_unit_test_teardown(test_wrong_secret_key, test_teardown),
        cmocka_unit_test_teardown(test_unknown_secret_id, test_teardown),
        cmocka_unit_test_teardown(test_clock_skew, test_teardown),
        cmocka_unit_test_teardown(test_unknown_record, test_teardown),
        cmocka_unit_test_teardown(test_token, test_teardown),
        cmocka_unit_test_teardown(test_http_5xx_read_retried, test_teardown),
        cmocka_unit_test_teardown(test_http_500_write_not_retried, test_teardown),
        cmocka_unit_test_teardown(test_reset, test_teardown),
        cmocka_unit_test_teardown(test_timeout, test_teardown),
        cmocka_unit_test_teardown(test_bad_bodies, test_teardown),
        cmocka_unit_test_teardown(test_huge_body, test_teardown),
        cmocka_unit_test_teardown(test_server_errors_retried, test_teardown),
        cmocka_unit_test_teardown(test_connection_refused, test_teardown),
        cmocka_unit_test_teardown(test_https_to_plain_port, test_teardown),
        cmocka_unit_test_teardown(test_bad_config, test_teardown),
        cmocka_unit_test_teardown(test_cancel, test_teardown),
        cmocka_unit_test_teardown(test_burst_against_server_limit, test_teardown),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
