/* The emulator as a server, tested with raw HTTP through libcurl and signatures made with
 * tc3_authorization (independent of the API client): every action, every check of TC3
 * verification, parameter errors, paging limits, the rate limit, each fault as a client sees
 * it, and the certdeck-emulator binary's start-up line and clean exit on SIGTERM. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "certgen.h"
#include "core/emulator/emulator.h"
#include "core/tc3.h"
#include "core/util.h"
#include "testutil.h"

#define SEED_BODY "{\"DeployRecordId\": \"2\", \"Limit\": \"15\", \"Offset\": \"0\"}"

static struct emu *emu; /* seed 1, 40 records, unlimited rate */

/* ---- one raw request ------------------------------------------------------------------- */

struct call {
    const char *action;
    const char *body;
    const char *secret_id, *secret_key; /* NULL: the demo pair */
    int64_t ts_offset;                  /* added to the client's clock */
    bool sign_without_port;             /* sign host:127.0.0.1, send Host: 127.0.0.1:PORT */
    bool sign_action;                   /* also sign x-tc-action */
    const char *version;                /* NULL: 2019-12-05 */
    const char *lang;
    const char *token;
    const char *authorization; /* replaces the computed header */
    bool no_authorization;
    const char *method;       /* NULL: POST */
    const char *content_type; /* NULL: application/json */
    long timeout_ms;          /* 0: 10 s */
    bool count_only;          /* keep the size, not the bytes (huge bodies) */
    const char *signed_body;  /* sign this instead of the body sent */
};

struct reply {
    CURLcode rc;
    long status;
    char content_type[128];
    struct buf body;
    size_t size;
    bool count_only;
};

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    struct reply *r = ud;
    r->size += size * n;
    if (!r->count_only) buf_append(&r->body, p, size * n);
    return size * n;
}

static void reply_free(struct reply *r)
{
    buf_free(&r->body);
}

static void call_on(const char *url, const struct call *c, struct reply *r, CURL *reuse)
{
    memset(r, 0, sizeof *r);
    r->count_only = c->count_only;
    const char *host = url + strlen("http://");
    char host_nport[64];
    strlcpy_safe(host_nport, host, sizeof host_nport);
    char *colon = strrchr(host_nport, ':');
    if (colon) *colon = '\0';

    const char *ct = c->content_type ? c->content_type : "application/json";
    const char *body = c->body ? c->body : "{}";
    int64_t ts = now_unix() + c->ts_offset;
    struct tc3_header hs[3] = {{"content-type", ct},
                               {"host", c->sign_without_port ? host_nport : host},
                               {"x-tc-action", c->action}};
    const char *sbody = c->signed_body ? c->signed_body : body;
    struct tc3_request req = {"POST", "/",           "",   hs, c->sign_action ? 3 : 2,
                              sbody,  strlen(sbody), false};
    char *auth =
        tc3_authorization(&req, "ssl", ts, c->secret_id ? c->secret_id : EMU_DEMO_SECRET_ID,
                          c->secret_key ? c->secret_key : EMU_DEMO_SECRET_KEY);

    struct curl_slist *h = NULL;
    char line[1024];
    snprintf(line, sizeof line, "Content-Type: %s", ct);
    h = curl_slist_append(h, line);
    snprintf(line, sizeof line, "X-TC-Action: %s", c->action);
    h = curl_slist_append(h, line);
    snprintf(line, sizeof line, "X-TC-Version: %s", c->version ? c->version : "2019-12-05");
    h = curl_slist_append(h, line);
    snprintf(line, sizeof line, "X-TC-Timestamp: %lld", (long long)ts);
    h = curl_slist_append(h, line);
    if (!c->no_authorization) {
        snprintf(line, sizeof line, "Authorization: %s",
                 c->authorization ? c->authorization : auth);
        h = curl_slist_append(h, line);
    }
    if (c->lang) {
        snprintf(line, sizeof line, "X-TC-Language: %s", c->lang);
        h = curl_slist_append(h, line);
    }
    if (c->token) {
        snprintf(line, sizeof line, "X-TC-Token: %s", c->token);
        h = curl_slist_append(h, line);
    }
    h = curl_slist_append(h, "Expect:");

    CURL *curl = reuse ? reuse : curl_easy_init();
    char full[128];
    snprintf(full, sizeof full, "%s/", url);
    curl_easy_setopt(curl, CURLOPT_URL, full);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, c->method ? c->method : "POST");
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, c->timeout_ms ? c->timeout_ms : 10000L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_PROXY, "");
    r->rc = curl_easy_perform(curl);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r->status);
    char *got_ct = NULL;
    curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &got_ct);
    if (got_ct) strlcpy_safe(r->content_type, got_ct, sizeof r->content_type);
    if (!reuse) curl_easy_cleanup(curl);
    curl_slist_free_all(h);
    free(auth);
}

static void call(const struct call *c, struct reply *r)
{
    call_on(emu_url(emu), c, r, NULL);
}

/* The Response object of a 200 JSON reply (caller deletes *root). */
static cJSON *response_of(const struct reply *r, cJSON **root)
{
    assert_int_equal(r->rc, CURLE_OK);
    assert_int_equal(r->status, 200);
    assert_string_equal(r->content_type, "application/json");
    *root = cJSON_ParseWithLength(r->body.data, r->body.len);
    assert_non_null(*root);
    cJSON *resp = cJSON_GetObjectItemCaseSensitive(*root, "Response");
    assert_true(cJSON_IsObject(resp));
    assert_true(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(resp, "RequestId")));
    return resp;
}

/* Asserts the reply is the error `code`; returns its message (copied into msg). */
static void expect_error(const struct call *c, const char *code, char *msg, size_t msg_len)
{
    struct reply r;
    call(c, &r);
    cJSON *root;
    cJSON *resp = response_of(&r, &root);
    cJSON *e = cJSON_GetObjectItemCaseSensitive(resp, "Error");
    if (!e) fail_msg("%s: expected %s, got success %s", c->action, code, r.body.data);
    const char *got = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "Code"));
    const char *m = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "Message"));
    assert_non_null(got);
    assert_non_null(m);
    if (strcmp(got, code) != 0) fail_msg("expected %s, got %s (%s)", code, got, m);
    if (msg) strlcpy_safe(msg, m, msg_len);
    cJSON_Delete(root);
    reply_free(&r);
}

/* Asserts success and returns the parsed root (caller deletes). */
static cJSON *expect_ok(const struct call *c, cJSON **resp_out)
{
    struct reply r;
    call(c, &r);
    cJSON *root;
    cJSON *resp = response_of(&r, &root);
    cJSON *e = cJSON_GetObjectItemCaseSensitive(resp, "Error");
    if (e) fail_msg("%s: unexpected error %s", c->action, r.body.data);
    reply_free(&r);
    *resp_out = resp;
    return root;
}

/* A body sent with some action, and the error it must get (with exactly msg, if not NULL). */
struct bad_body {
    const char *body, *code, *msg;
};

/* Sends c with each body in turn; each must get its error. */
static void expect_errors(struct call c, const struct bad_body *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char msg[512];
        c.body = b[i].body;
        expect_error(&c, b[i].code, msg, sizeof msg);
        if (b[i].msg) assert_string_equal(msg, b[i].msg);
    }
}

static int64_t num(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    assert_true(cJSON_IsNumber(v));
    return (int64_t)v->valuedouble;
}

/* ---- fixtures -------------------------------------------------------------------------- */

static int setup(void **state)
{
    (void)state;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    struct emu_config cfg = {0};
    cfg.listen = "127.0.0.1:0";
    cfg.rate = -1;
    cfg.seed = 1;
    emu = tu_emu_start(&cfg);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    emu_stop(emu);
    curl_global_cleanup();
    return 0;
}

/* ---- the actions --------------------------------------------------------------------------- */

static void test_detail_seed_example(void **state)
{
    (void)state;
    struct call c = {.action = "DescribeHostUploadUpdateRecordDetail", .body = SEED_BODY};
    cJSON *resp;
    cJSON *root = expect_ok(&c, &resp);
    cJSON *runs = cJSON_GetObjectItemCaseSensitive(resp, "DeployRecordDetail");
    assert_int_equal(cJSON_GetArraySize(runs), 2);
    cJSON *item = cJSON_GetArrayItem(
        cJSON_GetObjectItemCaseSensitive(
            cJSON_GetArrayItem(
                cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(runs, 0), "RecordDetailList"),
                0),
            "List"),
        0);
    assert_int_equal(num(item, "Id"), 57);
    assert_int_equal(num(cJSON_GetArrayItem(runs, 1), "Type"), 1);
    assert_int_equal(num(cJSON_GetArrayItem(runs, 1), "Status"), 4);
    cJSON_Delete(root);
}

static void test_records_list(void **state)
{
    (void)state;
    struct call c = {.action = "DescribeHostUploadUpdateRecord",
                     .body = "{\"OldCertificateId\": \"OMhKAc35\"}"};
    cJSON *resp;
    cJSON *root = expect_ok(&c, &resp);
    assert_int_equal(num(resp, "TotalCount"), 3);
    cJSON *list = cJSON_GetObjectItemCaseSensitive(resp, "DeployRecordList");
    assert_int_equal(cJSON_GetArraySize(list), 3);
    int64_t want_ids[] = {3, 2, 1}, want_status[] = {0, 7, 4};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(num(cJSON_GetArrayItem(list, i), "Id"), want_ids[i]);
        assert_int_equal(num(cJSON_GetArrayItem(list, i), "Status"), want_status[i]);
    }
    cJSON_Delete(root);

    /* paging over the whole list: Offset/Limit, TotalCount the full count, numeric strings */
    c.body = "{\"Offset\": \"5\", \"Limit\": 7}";
    root = expect_ok(&c, &resp);
    assert_true(num(resp, "TotalCount") >= 40);
    list = cJSON_GetObjectItemCaseSensitive(resp, "DeployRecordList");
    assert_int_equal(cJSON_GetArraySize(list), 7);
    int64_t first = num(cJSON_GetArrayItem(list, 0), "Id");
    for (int i = 1; i < 7; i++)
        assert_true(num(cJSON_GetArrayItem(list, i), "Id") < first); /* newest first */
    cJSON_Delete(root);

    c.body = "{}";
    root = expect_ok(&c, &resp);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(resp, "DeployRecordList")),
                     10); /* default Limit */
    cJSON_Delete(root);
}

/* The first listed record whose status is `status` (not an official example), or 0. */
static int64_t find_record(int64_t status)
{
    struct call c = {.action = "DescribeHostUploadUpdateRecord", .body = "{\"Limit\": 1000}"};
    cJSON *resp;
    cJSON *root = expect_ok(&c, &resp);
    int64_t id = 0;
    cJSON *r;
    cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(resp, "DeployRecordList"))
    {
        if (num(r, "Status") == status && num(r, "Id") > 3) {
            id = num(r, "Id");
            break;
        }
    }
    cJSON_Delete(root);
    return id;
}

static int runs_of(int64_t id)
{
    char body[64];
    snprintf(body, sizeof body, "{\"DeployRecordId\": %lld}", (long long)id);
    struct call c = {.action = "DescribeHostUploadUpdateRecordDetail", .body = body};
    cJSON *resp;
    cJSON *root = expect_ok(&c, &resp);
    int n = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(resp, "DeployRecordDetail"));
    cJSON_Delete(root);
    return n;
}

static void test_rollback_and_retry(void **state)
{
    (void)state;
    char body[96];
    /* rollback of a successful record adds a rollback run; a second one is refused */
    int64_t ok_id = find_record(1);
    assert_true(ok_id > 0);
    int before = runs_of(ok_id);
    snprintf(body, sizeof body, "{\"DeployRecordId\": %lld}", (long long)ok_id);
    struct call c = {.action = "UploadUpdateCertificateRecordRollback", .body = body};
    cJSON *resp;
    cJSON *root = expect_ok(&c, &resp);
    assert_null(cJSON_GetObjectItemCaseSensitive(resp, "DeployRecordId")); /* only RequestId */
    cJSON_Delete(root);
    assert_int_equal(runs_of(ok_id), before + 1);
    const struct bad_body rollbacks[] = {
        {body, "FailedOperation.CertificateDeployHasPendingRecord", NULL},
        {"{\"DeployRecordId\": 2}", "FailedOperation.CertificateDeployRollbackStatusInvalid", NULL},
        {"{\"DeployRecordId\": 987654}", "FailedOperation.CertificateDeployNotExist", NULL},
    };
    expect_errors(c, rollbacks, ARRAY_LEN(rollbacks));

    /* retry of a record with failures */
    int64_t failed_id = find_record(2);
    assert_true(failed_id > 0);
    snprintf(body, sizeof body, "{\"DeployRecordId\": \"%lld\"}", (long long)failed_id);
    struct call r = {.action = "UploadUpdateCertificateRecordRetry", .body = body};
    root = expect_ok(&r, &resp);
    cJSON_Delete(root);
    const struct bad_body retries[] = {
        {body, "FailedOperation.CertificateDeployHasPendingRecord", NULL},
        {"{\"DeployRecordId\": 2}", "FailedOperation.CertificateDeployRetryStatusInvalid", NULL},
        {"{\"DeployRecordDetailId\": 57}", "FailedOperation.CertificateDeployRetryStatusInvalid",
         NULL},
        {"{\"DeployRecordId\": 2, \"DeployRecordDetailId\": 57}", "InvalidParameter", NULL},
        {"{}", "MissingParameter", NULL},
    };
    expect_errors(r, retries, ARRAY_LEN(retries));
}

/* An upload body for cert with the given PEM text (JSON-escaped by cJSON). */
static char *upload_body(const char *cert, const char *types_json, const char *pub, const char *key)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "OldCertificateId", cert);
    cJSON_AddItemToObject(o, "ResourceTypes", cJSON_Parse(types_json));
    cJSON_AddStringToObject(o, "CertificatePublicKey", pub);
    cJSON_AddStringToObject(o, "CertificatePrivateKey", key);
    cJSON_AddItemToObject(o, "ResourceTypesRegions",
                          cJSON_Parse("[{\"ResourceType\": \"clb\", \"Regions\": "
                                      "[\"ap-chengdu\"]}]"));
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}

/* The service's checks and its two-step creation: the first call of a new task answers
 * DeployRecordId 0 with the sync pending, the next creates the record, a third finds it
 * running (DeployStatus 0). The chain must parse and the key must match. */
static void test_upload(void **state)
{
    (void)state;
    struct cg_chain g, other;
    cg_chain_make(&g, CG_EC, "DNS:www.example.com", -3600, 90 * 86400);
    cg_chain_make(&other, CG_EC, "DNS:www.example.com", -3600, 90 * 86400);
    X509 *certs[] = {g.leaf, g.inter};
    char *pub = cg_pem_certs(certs, 2);
    char *key = cg_pem_key(g.leaf_key, NULL);
    char *wrong_key = cg_pem_key(other.leaf_key, NULL);
    char *body = upload_body("UpLoad01", "[\"clb\"]", pub, key);
    struct call c = {.action = "UploadUpdateCertificateInstance", .body = body};
    cJSON *resp;
    cJSON *root = expect_ok(&c, &resp);
    assert_int_equal(num(resp, "DeployRecordId"), 0);
    cJSON *prog = cJSON_GetObjectItemCaseSensitive(resp, "UpdateSyncProgress");
    assert_int_equal(cJSON_GetArraySize(prog), 1);
    cJSON *region = cJSON_GetArrayItem(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(prog, 0), "UpdateSyncProgressRegions"),
        0);
    assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(region, "TotalCount")));
    assert_int_equal(num(region, "Status"), 0);
    cJSON_Delete(root);

    root = expect_ok(&c, &resp);
    int64_t id = num(resp, "DeployRecordId");
    assert_true(id > 40);
    assert_int_equal(num(resp, "DeployStatus"), 1);
    prog = cJSON_GetObjectItemCaseSensitive(resp, "UpdateSyncProgress");
    assert_int_equal(cJSON_GetArraySize(prog), 1);
    cJSON_Delete(root);

    /* the new record leads the list; a second upload for the running task returns it */
    struct call l = {.action = "DescribeHostUploadUpdateRecord", .body = "{\"Limit\": 1}"};
    root = expect_ok(&l, &resp);
    assert_int_equal(
        num(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(resp, "DeployRecordList"), 0),
            "Id"),
        id);
    cJSON_Delete(root);
    root = expect_ok(&c, &resp);
    assert_int_equal(num(resp, "DeployRecordId"), id);
    assert_int_equal(num(resp, "DeployStatus"), 0);
    cJSON_Delete(root);

    char *unknown_type = upload_body("UpLoad02", "[\"nope\"]", pub, key);
    char *mismatch = upload_body("UpLoad02", "[\"clb\"]", pub, wrong_key);
    char *not_pem = upload_body("UpLoad02", "[\"clb\"]", "not pem", key);
    char *bad_block =
        xasprintf("%s-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", pub);
    char *bad_chain = upload_body("UpLoad02", "[\"clb\"]", bad_block, key);
    char *key_garbage = upload_body("UpLoad02", "[\"clb\"]", pub, "-----BEGIN PRIVATE KEY-----");
    const struct bad_body bad[] = {
        {"{\"OldCertificateId\": \"UpLoad02\", \"ResourceTypes\": [\"clb\"]}", "MissingParameter",
         NULL},
        {unknown_type, "FailedOperation.CertificateHostResourceTypeInvalid", NULL},
        {"{\"OldCertificateId\": \"UpLoad02\", \"ResourceTypes\": \"clb\", "
         "\"CertificatePublicKey\": \"x\", \"CertificatePrivateKey\": \"y\"}",
         "InvalidParameter", NULL},
        {not_pem, "FailedOperation.CertificateParseError", NULL},
        {bad_chain, "FailedOperation.CertificateParseError", NULL},
        {key_garbage, "FailedOperation.CertificateParseError", NULL},
        {mismatch, "FailedOperation.CertificateMatchError",
         "The private key does not match the certificate."},
    };
    expect_errors(c, bad, ARRAY_LEN(bad));
    free(unknown_type);
    free(mismatch);
    free(not_pem);
    free(bad_block);
    free(bad_chain);
    free(key_garbage);
    free(body);
    free(pub);
    free(key);
    free(wrong_key);
    cg_chain_free(&g);
    cg_chain_free(&other);
}

/* ---- signature checks ---------------------------------------------------------------------- */

static void test_host_with_and_without_port(void **state)
{
    (void)state;
    struct call c = {.action = "DescribeHostUploadUpdateRecordDetail", .body = SEED_BODY};
    cJSON *resp;
    cJSON_Delete(expect_ok(&c, &resp));
    c.sign_without_port = true;
    cJSON_Delete(expect_ok(&c, &resp));
    c.sign_action = true; /* and with x-tc-action signed as well */
    cJSON_Delete(expect_ok(&c, &resp));
    c.sign_without_port = false;
    cJSON_Delete(expect_ok(&c, &resp));
}

static void test_auth_failures(void **state)
{
    (void)state;
    char msg[512];
    struct call c = {.action = "DescribeHostUploadUpdateRecord", .body = "{}"};

    c.secret_key = "not-the-key";
    c.secret_id = EMU_DEMO_SECRET_ID;
    expect_error(&c, "AuthFailure.SignatureFailure", msg, sizeof msg);
    assert_string_equal(msg, "The provided credentials could not be validated. Please check "
                             "your signature is correct.");
    c.lang = "zh-CN";
    expect_error(&c, "AuthFailure.SignatureFailure", msg, sizeof msg);
    assert_string_equal(msg, "请求签名验证失败，请检查您的签名计算是否正确。");
    c.lang = NULL;

    c.secret_id = "AKIDnobodyKnowsThisOne000000000000";
    expect_error(&c, "AuthFailure.SecretIdNotFound", NULL, 0);
    c.secret_id = NULL;
    c.secret_key = NULL;

    c.ts_offset = -301;
    expect_error(&c, "AuthFailure.SignatureExpire", msg, sizeof msg);
    assert_string_equal(msg, "The signature is expired, please request again.");
    c.ts_offset = 301;
    expect_error(&c, "AuthFailure.SignatureExpire", NULL, 0);
    c.ts_offset = -290; /* within the five minutes */
    cJSON *resp;
    cJSON_Delete(expect_ok(&c, &resp));
    c.ts_offset = 0;

    static const char *const malformed[] = {
        "",
        "Bearer abc",
        "TC3-HMAC-SHA256 Credential=" EMU_DEMO_SECRET_ID,
        "TC3-HMAC-SHA256 Credential=" EMU_DEMO_SECRET_ID "/2026-01-01/ssl/tc3_request, "
        "SignedHeaders=content-type;host",
        "TC3-HMAC-SHA256 Credential=" EMU_DEMO_SECRET_ID "/2026-01-01/ssl/tc3_request, "
        "SignedHeaders=content-type;host, Signature=XYZ",
        "HMAC-SHA1 Credential=" EMU_DEMO_SECRET_ID "/2026-01-01/ssl/tc3_request, "
        "SignedHeaders=content-type;host, "
        "Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168",
        /* well-formed but signing only content-type */
        "TC3-HMAC-SHA256 Credential=" EMU_DEMO_SECRET_ID "/2026-01-01/ssl/tc3_request, "
        "SignedHeaders=content-type, "
        "Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168",
    };
    for (size_t i = 0; i < ARRAY_LEN(malformed); i++) {
        c.authorization = malformed[i];
        expect_error(&c, "AuthFailure.InvalidAuthorization", NULL, 0);
    }
    c.authorization = NULL;
    c.no_authorization = true;
    expect_error(&c, "AuthFailure.InvalidAuthorization", NULL, 0);
    c.no_authorization = false;

    /* a signed header that the request does not carry */
    char auth[512], date[11];
    tc3_utc_date(now_unix(), date);
    snprintf(auth, sizeof auth,
             "TC3-HMAC-SHA256 Credential=%s/%s/ssl/tc3_request, "
             "SignedHeaders=content-type;host;x-tc-missing, "
             "Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168",
             EMU_DEMO_SECRET_ID, date);
    c.authorization = auth;
    expect_error(&c, "AuthFailure.SignatureFailure", NULL, 0);
    c.authorization = NULL;

    /* a body changed after signing */
    c.signed_body = "{\"Limit\": 1}";
    c.body = "{\"Limit\": 2}";
    expect_error(&c, "AuthFailure.SignatureFailure", NULL, 0);
    c.signed_body = NULL;
    /* the documentation's Content-Type with a charset, signed as sent */
    c.content_type = "application/json; charset=utf-8";
    cJSON_Delete(expect_ok(&c, &resp));
    c.content_type = NULL;
}

static void test_token(void **state)
{
    (void)state;
    struct emu_config cfg = {0};
    cfg.rate = -1;
    cfg.records = 5;
    cfg.token = "sts-token-123";
    struct emu *t = tu_emu_start(&cfg);
    struct call c = {.action = "DescribeHostUploadUpdateRecord", .body = "{}"};
    struct reply r;
    const char *want[] = {"AuthFailure.TokenFailure", "AuthFailure.TokenFailure", NULL};
    const char *tokens[] = {NULL, "wrong", "sts-token-123"};
    for (int i = 0; i < 3; i++) {
        c.token = tokens[i];
        call_on(emu_url(t), &c, &r, NULL);
        cJSON *root;
        cJSON *resp = response_of(&r, &root);
        cJSON *code = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(resp, "Error"), "Code");
        if (want[i])
            assert_string_equal(cJSON_GetStringValue(code), want[i]);
        else
            assert_null(code);
        cJSON_Delete(root);
        reply_free(&r);
    }
    emu_stop(t);
}

static void test_action_and_version(void **state)
{
    (void)state;
    char msg[256];
    struct call c = {.action = "DescribeCertificates", .body = "{}"};
    expect_error(&c, "InvalidAction", msg, sizeof msg);
    assert_string_equal(msg, "The request `Action` is invalid or not found.");
    c.action = "DescribeHostUploadUpdateRecord";
    c.version = "2018-01-01";
    expect_error(&c, "NoSuchVersion", NULL, 0);
    c.version = NULL;
    c.method = "GET";
    expect_error(&c, "UnsupportedProtocol", NULL, 0);
    c.method = NULL;
    c.content_type = "application/x-www-form-urlencoded";
    expect_error(&c, "UnsupportedProtocol", NULL, 0);
}

/* ---- parameters ---------------------------------------------------------------------------- */

static void test_parameters(void **state)
{
    (void)state;
    char msg[256];
    struct call c = {.action = "DescribeHostUploadUpdateRecordDetail"};

    static const struct bad_body bad[] = {
        {"{\"Limit\": 10}", "MissingParameter",
         "The request is missing a required parameter `DeployRecordId`."},
        {"{\"DeployRecordId\": 2, \"Limit\": \"many\"}", "InvalidParameter",
         "Parameter `Limit` type error."},
        {"{\"DeployRecordId\": 2, \"Limit\": 1.5}", "InvalidParameter", NULL},
        {"{\"DeployRecordId\": 2, \"Limit\": 0}", "InvalidParameter", NULL},
        {"{\"DeployRecordId\": 2, \"Offset\": -1}", "InvalidParameter", NULL},
        {"[1, 2]", "InvalidParameter", NULL},
        {"not json", "InvalidParameter", NULL},
        {"{\"DeployRecordId\": 2} trailing", "InvalidParameter", NULL},
        {"", "InvalidParameter", NULL},
        {"{\"DeployRecordId\": 123456}", "FailedOperation.CertificateDeployNotExist", NULL},
    };
    expect_errors(c, bad, ARRAY_LEN(bad));
    c.body = "{\"DeployRecordId\": 2, \"Limt\": 10}";
    expect_error(&c, "UnknownParameter", msg, sizeof msg);
    assert_non_null(strstr(msg, "`Limt`"));

    /* the seed page's request, integers as strings, is accepted */
    c.body = SEED_BODY;
    cJSON *resp;
    cJSON_Delete(expect_ok(&c, &resp));
}

/* Limit above 200 is 200 inside a 1,234-instance group, whose TotalCount stays full. */
static void test_limit_clamp(void **state)
{
    (void)state;
    struct emu_config cfg = {0};
    cfg.rate = -1;
    cfg.seed = 9;
    cfg.max_instances = 1234;
    struct emu *big = tu_emu_start(&cfg);
    const char *url = emu_url(big);

    /* find the group by asking: every record's detail with Limit 1 */
    struct call c = {.action = "DescribeHostUploadUpdateRecord", .body = "{\"Limit\": 1000}"};
    struct reply r;
    call_on(url, &c, &r, NULL);
    cJSON *root;
    cJSON *resp = response_of(&r, &root);
    int64_t found = 0;
    int run_i = -1, group_i = -1;
    cJSON *rec;
    cJSON_ArrayForEach(rec, cJSON_GetObjectItemCaseSensitive(resp, "DeployRecordList"))
    {
        char body[64];
        snprintf(body, sizeof body, "{\"DeployRecordId\": %lld, \"Limit\": 1}",
                 (long long)num(rec, "Id"));
        struct call d = {.action = "DescribeHostUploadUpdateRecordDetail", .body = body};
        struct reply dr;
        call_on(url, &d, &dr, NULL);
        cJSON *droot;
        cJSON *dresp = response_of(&dr, &droot);
        int ri = 0;
        cJSON *run;
        cJSON_ArrayForEach(run, cJSON_GetObjectItemCaseSensitive(dresp, "DeployRecordDetail"))
        {
            int gi = 0;
            cJSON *g;
            cJSON_ArrayForEach(g, cJSON_GetObjectItemCaseSensitive(run, "RecordDetailList"))
            {
                if (num(g, "TotalCount") == 1234 && !found) {
                    found = num(rec, "Id");
                    run_i = ri;
                    group_i = gi;
                }
                gi++;
            }
            ri++;
        }
        cJSON_Delete(droot);
        reply_free(&dr);
        if (found) break;
    }
    cJSON_Delete(root);
    reply_free(&r);
    assert_true(found > 0);

    static const struct {
        const char *fmt;
        int want;
    } pages[] = {
        {"{\"DeployRecordId\": %lld, \"Limit\": 300}", 200},
        {"{\"DeployRecordId\": %lld, \"Limit\": \"300\", \"Offset\": \"1200\"}", 34},
        {"{\"DeployRecordId\": %lld}", 10},
        {"{\"DeployRecordId\": %lld, \"Offset\": 5000}", 0},
    };
    for (size_t i = 0; i < ARRAY_LEN(pages); i++) {
        char body[128];
        snprintf(body, sizeof body, pages[i].fmt, (long long)found);
        struct call d = {.action = "DescribeHostUploadUpdateRecordDetail", .body = body};
        call_on(url, &d, &r, NULL);
        resp = response_of(&r, &root);
        cJSON *g = cJSON_GetArrayItem(
            cJSON_GetObjectItemCaseSensitive(
                cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(resp, "DeployRecordDetail"),
                                   run_i),
                "RecordDetailList"),
            group_i);
        assert_int_equal(num(g, "TotalCount"), 1234);
        assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(g, "List")),
                         pages[i].want);
        cJSON_Delete(root);
        reply_free(&r);
    }
    emu_stop(big);
}

/* ---- envelope ------------------------------------------------------------------------------ */

static bool uuid_v4(const char *s)
{
    if (strlen(s) != 36) return false;
    for (int i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-') return false;
        } else if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) {
            return false;
        }
    }
    return s[14] == '4' && strchr("89ab", s[19]) != NULL;
}

static void test_envelope_and_request_ids(void **state)
{
    (void)state;
    char seen[8][40];
    for (int i = 0; i < 8; i++) {
        /* successes and errors alike carry a fresh id */
        struct call c = {.action = i % 2 ? "DescribeHostUploadUpdateRecord" : "NoSuchAction",
                         .body = "{}"};
        struct reply r;
        call(&c, &r);
        cJSON *root;
        cJSON *resp = response_of(&r, &root); /* checks Content-Type exactly application/json */
        const char *rid = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(resp, "RequestId"));
        assert_true(uuid_v4(rid));
        strlcpy_safe(seen[i], rid, sizeof seen[i]);
        for (int j = 0; j < i; j++)
            assert_string_not_equal(seen[j], seen[i]);
        cJSON_Delete(root);
        reply_free(&r);
    }
}

/* ---- rate limit ---------------------------------------------------------------------------- */

static void test_rate_limit(void **state)
{
    (void)state;
    struct emu_config cfg = {0};
    cfg.rate = 20;
    cfg.records = 5;
    struct emu *rl = tu_emu_start(&cfg);
    CURL *curl = curl_easy_init(); /* one kept-alive connection: quick requests */
    int ok = 0, limited = 0;
    char msg[256] = "";
    for (int i = 0; i < 30; i++) {
        struct call c = {.action = "DescribeHostUploadUpdateRecord", .body = "{}"};
        struct reply r;
        call_on(emu_url(rl), &c, &r, curl);
        cJSON *root;
        cJSON *resp = response_of(&r, &root);
        cJSON *e = cJSON_GetObjectItemCaseSensitive(resp, "Error");
        if (!e) {
            ok++;
        } else {
            assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "Code")),
                                "RequestLimitExceeded");
            strlcpy_safe(msg, cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "Message")),
                         sizeof msg);
            limited++;
        }
        cJSON_Delete(root);
        reply_free(&r);
    }
    assert_true(ok >= 20);
    assert_true(limited >= 1);
    assert_int_equal(strncmp(msg, "Your request rate is too high", 29), 0);
    /* the limit is per action: another action still has its whole burst */
    struct call d = {.action = "DescribeHostUploadUpdateRecordDetail", .body = SEED_BODY};
    struct reply r;
    call_on(emu_url(rl), &d, &r, curl);
    cJSON *root;
    cJSON *resp = response_of(&r, &root);
    assert_null(cJSON_GetObjectItemCaseSensitive(resp, "Error"));
    cJSON_Delete(root);
    reply_free(&r);
    curl_easy_cleanup(curl);
    emu_stop(rl);
}

/* ---- faults -------------------------------------------------------------------------------- */

static void test_faults(void **state)
{
    (void)state;
    struct call c = {.action = "DescribeHostUploadUpdateRecordDetail", .body = SEED_BODY};
    struct reply r;
    cJSON *root;

    emu_set_fault(emu, EMU_FAULT_RESET, 1);
    call(&c, &r);
    assert_true(r.rc == CURLE_GOT_NOTHING || r.rc == CURLE_RECV_ERROR || r.rc == CURLE_SEND_ERROR);
    reply_free(&r);

    emu_set_fault(emu, EMU_FAULT_HTTP_500, 1);
    call(&c, &r);
    assert_int_equal(r.rc, CURLE_OK);
    assert_int_equal(r.status, 500);
    reply_free(&r);

    emu_set_fault(emu, EMU_FAULT_HTTP_503, 1);
    call(&c, &r);
    assert_int_equal(r.status, 503);
    reply_free(&r);

    emu_set_fault(emu, EMU_FAULT_TRUNCATED, 1);
    call(&c, &r);
    assert_int_equal(r.rc, CURLE_OK);
    assert_int_equal(r.status, 200);
    assert_true(r.body.len > 100);
    root = cJSON_ParseWithLength(r.body.data, r.body.len);
    assert_null(root);
    reply_free(&r);

    emu_set_fault(emu, EMU_FAULT_GARBAGE, 1);
    call(&c, &r);
    assert_int_equal(r.status, 200);
    root = cJSON_ParseWithLength(r.body.data, r.body.len);
    assert_null(root);
    reply_free(&r);

    emu_set_fault(emu, EMU_FAULT_HUGE, 1);
    c.count_only = true;
    call(&c, &r);
    c.count_only = false;
    assert_int_equal(r.rc, CURLE_OK);
    assert_int_equal(r.status, 200);
    assert_true(r.size >= 40u * 1024 * 1024);
    reply_free(&r);

    emu_set_fault(emu, EMU_FAULT_WRONG_TYPES, 1);
    call(&c, &r);
    cJSON *resp = response_of(&r, &root);
    cJSON *item = cJSON_GetArrayItem(
        cJSON_GetObjectItemCaseSensitive(
            cJSON_GetArrayItem(
                cJSON_GetObjectItemCaseSensitive(
                    cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(resp, "DeployRecordDetail"),
                                       0),
                    "RecordDetailList"),
                0),
            "List"),
        0);
    assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(item, "Port")), "x");
    cJSON_Delete(root);
    reply_free(&r);

    emu_set_fault(emu, EMU_FAULT_RATE_LIMIT, 1);
    expect_error(&c, "RequestLimitExceeded", NULL, 0);
    emu_set_fault(emu, EMU_FAULT_INTERNAL, 1);
    expect_error(&c, "InternalError", NULL, 0);

    emu_set_fault(emu, EMU_FAULT_TIMEOUT, 1);
    c.timeout_ms = 300;
    call(&c, &r);
    assert_int_equal(r.rc, CURLE_OPERATION_TIMEDOUT);
    reply_free(&r);
    c.timeout_ms = 0;

    /* two faults, then normal service again */
    emu_set_fault(emu, EMU_FAULT_HTTP_500, 2);
    for (int i = 0; i < 2; i++) {
        call(&c, &r);
        assert_int_equal(r.status, 500);
        reply_free(&r);
    }
    cJSON_Delete(expect_ok(&c, &resp));
}

struct held {
    const char *url;
    CURLcode rc;
};

static void *held_request(void *arg)
{
    struct held *h = arg;
    struct call c = {
        .action = "DescribeHostUploadUpdateRecord", .body = "{}", .timeout_ms = TU_DEADLINE_MS};
    struct reply r;
    call_on(h->url, &c, &r, NULL);
    h->rc = r.rc;
    reply_free(&r);
    return NULL;
}

struct stopper {
    struct emu *e;
    atomic_int done;
};

static void *stop_thread(void *arg)
{
    struct stopper *st = arg;
    emu_stop(st->e);
    atomic_store(&st->done, 1);
    return NULL;
}

/* emu_stop does not wait out a request held by the TIMEOUT fault (30 s): the client sees the
 * connection end, not its own timeout (15 s), and the test finishes. */
static void test_stop_with_held_connection(void **state)
{
    (void)state;
    struct emu_config cfg = {0};
    cfg.records = 5;
    cfg.rate = -1;
    struct emu *t = tu_emu_start(&cfg);
    emu_set_fault(t, EMU_FAULT_TIMEOUT, -1);
    struct held h = {emu_url(t), CURLE_OK};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, held_request, &h), 0);
    (void)tu_wait_requests(t, 1, TU_DEADLINE_MS);
    assert_int_equal(emu_request_count(t), 1);
    /* stop from another thread, so that a stop stuck on the held request fails the deadline
     * instead of hanging the test */
    struct stopper st = {t, 0};
    pthread_t sth;
    assert_int_equal(pthread_create(&sth, NULL, stop_thread, &st), 0);
    bool stopped = tu_wait_flag(&st.done, TU_DEADLINE_MS);
    pthread_join(sth, NULL);
    pthread_join(th, NULL);
    assert_true(stopped);
    assert_true(h.rc != CURLE_OK);
    assert_true(h.rc != CURLE_OPERATION_TIMEDOUT);
}

static void test_fault_names(void **state)
{
    (void)state;
    for (int f = EMU_FAULT_NONE; f <= EMU_FAULT_INTERNAL; f++) {
        const char *name = emu_fault_name((enum emu_fault)f);
        assert_non_null(name);
        assert_int_equal(emu_fault_from_name(name), f);
    }
    assert_int_equal(emu_fault_from_name("HTTP_500"), EMU_FAULT_HTTP_500);
    assert_int_equal(emu_fault_from_name("503"), EMU_FAULT_HTTP_503);
    assert_int_equal(emu_fault_from_name("wrongtypes"), EMU_FAULT_WRONG_TYPES);
    assert_int_equal(emu_fault_from_name("bogus"), -1);
    assert_int_equal(emu_fault_from_name(NULL), -1);
}

static void test_bad_start(void **state)
{
    (void)state;
    char err[512];
    struct emu_config cfg = {0};
    cfg.listen = "not-an-address";
    assert_null(emu_start(&cfg, err, sizeof err));
    assert_non_null(strstr(err, "not-an-address"));

    /* the port of the running emulator is taken */
    char taken[64];
    snprintf(taken, sizeof taken, "127.0.0.1:%d", emu_port(emu));
    cfg.listen = taken;
    assert_null(emu_start(&cfg, err, sizeof err));
    assert_non_null(strstr(err, "cannot listen"));

    cfg.listen = NULL;
    cfg.dataset_file = "/nonexistent/dataset.json";
    assert_null(emu_start(&cfg, err, sizeof err));
    assert_non_null(strstr(err, "/nonexistent/dataset.json"));
}

/* ---- the binary ---------------------------------------------------------------------------- */

struct child {
    pid_t pid;
    pid_t waited; /* waitpid's answer */
    int status;
};

static bool child_exited(void *ctx)
{
    struct child *c = ctx;
    c->waited = waitpid(c->pid, &c->status, WNOHANG);
    return c->waited != 0;
}

/* Reads one line from fd with a deadline. */
static bool read_line(int fd, char *out, size_t n, int64_t deadline)
{
    size_t len = 0;
    while (len + 1 < n) {
        int64_t left = deadline - now_ms();
        if (left <= 0) return false;
        struct pollfd p = {fd, POLLIN, 0};
        int rc = poll(&p, 1, (int)left);
        if (rc < 0 && errno == EINTR) continue;
        if (rc <= 0) return false;
        char ch;
        ssize_t got = read(fd, &ch, 1);
        if (got <= 0) return false;
        if (ch == '\n') break;
        out[len++] = ch;
    }
    out[len] = '\0';
    return true;
}

static void test_binary(void **state)
{
    (void)state;
    const char *bin = getenv("CERTDECK_EMULATOR");
    if (!bin || access(bin, X_OK) != 0) {
        print_message("CERTDECK_EMULATOR not set or not executable: skipped\n");
        skip();
    }
    int out[2];
    assert_int_equal(pipe(out), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(out[1], 1);
        close(out[0]);
        close(out[1]);
        execl(bin, bin, "--listen", "127.0.0.1:0", "--records", "5", (char *)NULL);
        _exit(127);
    }
    close(out[1]);
    char line[256];
    assert_true(read_line(out[0], line, sizeof line, now_ms() + TU_DEADLINE_MS));
    const char *prefix = "listening on http://127.0.0.1:";
    assert_int_equal(strncmp(line, prefix, strlen(prefix)), 0);
    int port = atoi(line + strlen(prefix));
    assert_true(port > 0 && port < 65536);

    struct call c = {.action = "DescribeHostUploadUpdateRecordDetail", .body = SEED_BODY};
    struct reply r;
    call_on(line + strlen("listening on "), &c, &r, NULL);
    cJSON *root;
    cJSON *resp = response_of(&r, &root);
    assert_null(cJSON_GetObjectItemCaseSensitive(resp, "Error"));
    cJSON_Delete(root);
    reply_free(&r);

    assert_int_equal(kill(pid, SIGTERM), 0);
    struct child ch = {pid, 0, 0};
    if (!tu_poll_until(child_exited, &ch, TU_DEADLINE_MS)) {
        kill(pid, SIGKILL);
        waitpid(pid, &ch.status, 0);
        fail_msg("certdeck-emulator did not exit on SIGTERM");
    }
    assert_int_equal(ch.waited, pid);
    assert_true(WIFEXITED(ch.status));
    assert_int_equal(WEXITSTATUS(ch.status), 0);
    close(out[0]);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_detail_seed_example),
        cmocka_unit_test(test_records_list),
        cmocka_unit_test(test_rollback_and_retry),
        cmocka_unit_test(test_upload),
        cmocka_unit_test(test_host_with_and_without_port),
        cmocka_unit_test(test_auth_failures),
        cmocka_unit_test(test_token),
        cmocka_unit_test(test_action_and_version),
        cmocka_unit_test(test_parameters),
        cmocka_unit_test(test_limit_clamp),
        cmocka_unit_test(test_envelope_and_request_ids),
        cmocka_unit_test(test_rate_limit),
        cmocka_unit_test(test_faults),
        cmocka_unit_test(test_stop_with_held_connection),
        cmocka_unit_test(test_fault_names),
        cmocka_unit_test(test_bad_start),
        cmocka_unit_test(test_binary),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
