/* Secrets and untrusted text without a network: every failure of the credential chain and of
 * client construction keeps the secret out of its message (and out of the result struct), the
 * codec hands out error fields that are bounded and inert whatever the server sent, and the
 * dataset loader stays linear on large hostile files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/api.h"
#include "core/codec.h"
#include "core/creds.h"
#include "core/emulator/dataset.h"
#include "core/sanitize.h"
#include "core/util.h"
#include "testutil.h"

/* Every secret embeds this, so a secret cut short in some message is still found. */
#define MARK "Q7xK2pZ9"

static bool contains_bytes(const void *mem, size_t len, const char *needle)
{
    size_t m = strlen(needle);
    const char *p = mem;
    for (size_t i = 0; m <= len && i <= len - m; i++)
        if (memcmp(p + i, needle, m) == 0) return true;
    return false;
}

static void assert_no_mark(const char *what, const void *mem, size_t len)
{
    if (contains_bytes(mem, len, MARK)) fail_msg("%s contains the secret", what);
}

static void assert_terminal_safe(const char *what, const char *s)
{
    for (const char *p = s; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f) fail_msg("%s holds a control byte", what);
    if (!sanitize_is_clean(s, strlen(s))) fail_msg("%s is not terminal-safe: %s", what, s);
}

static char *repeat(const char *s, size_t times)
{
    struct buf b = {0};
    for (size_t i = 0; i < times; i++)
        buf_puts(&b, s);
    return buf_steal(&b);
}

/* ---- the credential chain ------------------------------------------------------------- */

struct creds_case {
    const char *name;
    const char *env_id, *env_key, *env_token; /* NULL: unset */
    const char *ini;                          /* ~/.tencentcloud/credentials, NULL: none */
    mode_t ini_mode;
    const char *tccli; /* ~/.tccli/default.credential, NULL: none */
    int rc;            /* expected result */
};

static void clear_env(void)
{
    const char *vars[] = {"TENCENTCLOUD_SECRET_ID",        "TENCENTCLOUD_SECRET_KEY",
                          "TENCENTCLOUD_SESSION_TOKEN",    "TENCENTCLOUD_TOKEN",
                          "TENCENTCLOUD_CREDENTIALS_FILE", "TCCLI_PROFILE"};
    for (size_t i = 0; i < ARRAY_LEN(vars); i++)
        unsetenv(vars[i]);
}

static void run_creds_case(const struct creds_case *c)
{
    clear_env();
    char *home = tu_mkdtemp("seccreds");
    if (c->env_id) setenv("TENCENTCLOUD_SECRET_ID", c->env_id, 1);
    if (c->env_key) setenv("TENCENTCLOUD_SECRET_KEY", c->env_key, 1);
    if (c->env_token) setenv("TENCENTCLOUD_SESSION_TOKEN", c->env_token, 1);
    if (c->ini) {
        char *d = tu_path(home, ".tencentcloud");
        assert_int_equal(mkdir(d, 0700), 0);
        char *f = tu_path(d, "credentials");
        tu_write_file(f, c->ini);
        assert_int_equal(chmod(f, c->ini_mode ? c->ini_mode : 0600), 0);
        free(f);
        free(d);
    }
    if (c->tccli) {
        char *d = tu_path(home, ".tccli");
        assert_int_equal(mkdir(d, 0700), 0);
        char *f = tu_path(d, "default.credential");
        tu_write_file(f, c->tccli);
        assert_int_equal(chmod(f, 0600), 0);
        free(f);
        free(d);
    }
    struct creds_opts opts = {.home = home};
    struct creds out;
    memset(&out, 0x5a, sizeof out);
    char err[1024], warn[1024];
    int rc = creds_resolve(&opts, &out, err, sizeof err, warn, sizeof warn);
    if (rc != c->rc) fail_msg("%s: creds_resolve returned %d (err: %s)", c->name, rc, err);
    assert_no_mark(c->name, err, sizeof err);
    assert_no_mark(c->name, warn, sizeof warn);
    assert_no_mark(c->name, out.source, sizeof out.source);
    if (rc != 0) {
        /* Nothing of a half-read secret is left in the result. */
        const unsigned char *p = (const unsigned char *)&out;
        for (size_t i = 0; i < sizeof out; i++)
            if (p[i]) fail_msg("%s: the result is not wiped at byte %zu", c->name, i);
        assert_true(err[0] != '\0');
    } else {
        assert_true(contains_bytes(out.secret_key, sizeof out.secret_key, MARK) ||
                    contains_bytes(out.token, sizeof out.token, MARK));
    }
    creds_wipe(&out);
    clear_env();
    tu_rm_rf(home);
    free(home);
}

static void test_creds_errors_never_quote_secrets(void **state)
{
    (void)state;
    char *long_key = repeat("k" MARK, 40);     /* > 255 bytes */
    char *long_token = repeat("t" MARK, 1100); /* > 8191 bytes */
    char *ini_long = xasprintf("[default]\nsecret_id = AKIDx\nsecret_key = %s\n", long_key);
    char *tccli_long_token = xasprintf(
        "{\"secretId\":\"AKIDx\",\"secretKey\":\"k%s\",\"token\":\"%s\"}", MARK, long_token);
    const struct creds_case cases[] = {
        {"env key too long", "AKIDx", long_key, NULL, NULL, 0, NULL, -1},
        {"env key with a control byte", "AKIDx", "k" MARK "\x01", NULL, NULL, 0, NULL, -1},
        {"env token too long", "AKIDx", "k" MARK, long_token, NULL, 0, NULL, -1},
        {"env key without id", NULL, "k" MARK, NULL, NULL, 0, NULL, -1},
        {"ini key too long", NULL, NULL, NULL, ini_long, 0, NULL, -1},
        {"ini key with an escape", NULL, NULL, NULL,
         "[default]\nsecret_id = AKIDx\nsecret_key = k" MARK "\x1b[0m\n", 0, NULL, -1},
        {"ini bare secret line", NULL, NULL, NULL, "[default]\nsecret_id = AKIDx\nk" MARK "\n", 0,
         NULL, -1},
        {"ini broken section", NULL, NULL, NULL, "[default\nsecret_key = k" MARK "\n", 0, NULL, -1},
        {"ini key without id", NULL, NULL, NULL, "[default]\nsecret_key = k" MARK "\n", 0, NULL,
         -1},
        {"ini readable by others", NULL, NULL, NULL,
         "[default]\nsecret_id = AKIDx\nsecret_key = k" MARK "\n", 0644, NULL, 0},
        {"tccli not JSON", NULL, NULL, NULL, NULL, 0, "secretKey=k" MARK, -1},
        {"tccli without id", NULL, NULL, NULL, NULL, 0, "{\"secretKey\":\"k" MARK "\"}", -1},
        {"tccli key with a control byte", NULL, NULL, NULL, NULL, 0,
         "{\"secretId\":\"AKIDx\",\"secretKey\":\"k" MARK "\\u0007\"}", -1},
        {"tccli token too long", NULL, NULL, NULL, NULL, 0, tccli_long_token, -1},
        {"tccli good", NULL, NULL, NULL, NULL, 0,
         "{\"secretId\":\"AKIDx\",\"secretKey\":\"k" MARK "\",\"token\":\"t" MARK "\"}", 0},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++)
        run_creds_case(&cases[i]);
    free(long_key);
    free(long_token);
    free(ini_long);
    free(tccli_long_token);
}

/* ---- client construction ------------------------------------------------------------------ */

static struct creds demo_creds(const char *key)
{
    struct creds cr;
    memset(&cr, 0, sizeof cr);
    strlcpy_safe(cr.secret_id, "AKIDsecuritytest", sizeof cr.secret_id);
    strlcpy_safe(cr.secret_key, key, sizeof cr.secret_key);
    return cr;
}

/* An endpoint with user:password@ is refused; the refusal must not repeat the password (it
 * used to quote the whole endpoint). */
static void test_endpoint_password_not_in_error(void **state)
{
    (void)state;
    const char *endpoints[] = {
        "https://user:pw" MARK "@ssl.tencentcloudapi.com",
        "https://user:pw" MARK "@ssl.tencentcloudapi.com/path",
        "http://:" MARK "@127.0.0.1:8080",
        "user:pw" MARK "@ssl.tencentcloudapi.com",
        "https://a@b:pw" MARK "@ssl.tencentcloudapi.com",
    };
    struct creds cr = demo_creds("key");
    for (size_t i = 0; i < ARRAY_LEN(endpoints); i++) {
        struct api_config cfg = {.endpoint = endpoints[i]};
        struct api_error err;
        assert_null(api_client_new(&cfg, &cr, &err));
        assert_int_equal(err.kind, APIERR_USAGE);
        assert_no_mark(endpoints[i], &err, sizeof err);
        /* Still says which endpoint it was about. */
        assert_non_null(strstr(err.message, "endpoint"));
    }
    /* Without a password the endpoint is quoted as it was given (minus nothing). */
    struct api_config cfg = {.endpoint = "ftp://example.com"};
    struct api_error err;
    assert_null(api_client_new(&cfg, &cr, &err));
    assert_non_null(strstr(err.message, "ftp://example.com"));
}

static void test_bad_credentials_not_in_error(void **state)
{
    (void)state;
    struct creds cr = demo_creds("k" MARK "\r\nX-Injected: 1");
    struct api_error err;
    assert_null(api_client_new(NULL, &cr, &err));
    assert_int_equal(err.kind, APIERR_USAGE);
    assert_no_mark("control-byte key", &err, sizeof err);
    cr = demo_creds("good");
    strlcpy_safe(cr.token, "t" MARK "\n", sizeof cr.token);
    assert_null(api_client_new(NULL, &cr, &err));
    assert_no_mark("control-byte token", &err, sizeof err);
}

/* ---- the codec: error fields from the server are bounded and inert ------------------------- */

static void test_error_envelope_fields_are_inert(void **state)
{
    (void)state;
    /* Escapes, C1 controls, a bidi override and a RequestId longer than the field. */
    struct buf b = {0};
    buf_puts(&b, "{\"Response\":{\"Error\":{\"Code\":\"InvalidParameter\\u001b]0;t\\u0007\","
                 "\"Message\":\"bad \\u001b[31mred\\r\\n\\u009b2J \\u202eevil\"},"
                 "\"RequestId\":\"");
    for (int i = 0; i < 300; i++)
        buf_puts(&b, "\\u001b");
    buf_puts(&b, "\"}}");
    struct records_page p;
    struct api_error err;
    assert_int_equal(codec_decode_records_body(b.data, b.len, &p, &err), -1);
    assert_int_equal(err.kind, APIERR_API);
    assert_int_equal(strncmp(err.code, "InvalidParameter", 16), 0);
    assert_terminal_safe("code", err.code);
    assert_terminal_safe("message", err.message);
    assert_terminal_safe("request id", err.request_id);
    assert_non_null(strstr(err.message, "red"));
    assert_non_null(strstr(err.message, "evil"));
    buf_free(&b);

    /* A decode error carries the RequestId too: inert as well. */
    const char *body = "{\"Response\":{\"TotalCount\":\"x\",\"DeployRecordList\":[],"
                       "\"RequestId\":\"r\\u001b[2J\\u0000tail\"}}";
    assert_int_equal(codec_decode_records_body(body, strlen(body), &p, &err), -1);
    assert_int_equal(err.kind, APIERR_DECODE);
    assert_terminal_safe("decode request id", err.request_id);
    assert_int_equal(strncmp(err.request_id, "r", 1), 0);

    /* Multi-byte text at the cut: the field ends on a character boundary. */
    b = (struct buf){0};
    buf_puts(&b, "{\"Response\":{\"Error\":{\"Code\":\"InternalError\",\"Message\":\"x");
    for (int i = 0; i < 2000; i++)
        buf_puts(&b, "签");
    buf_puts(&b, "\"},\"RequestId\":\"r\"}}");
    assert_int_equal(codec_decode_records_body(b.data, b.len, &p, &err), -1);
    assert_true(strlen(err.message) < sizeof err.message);
    assert_int_equal(utf8_invalid_offset(err.message, strlen(err.message)), -1);
    buf_free(&b);
}

static void test_sanitize_copy_bounds(void **state)
{
    (void)state;
    char small[8];
    sanitize_copy(small, sizeof small, "\x1b[31mabc");
    assert_string_equal(small, "^[[31ma");
    sanitize_copy(small, sizeof small, "签名错误"); /* 12 bytes: two whole characters fit */
    assert_string_equal(small, "签名");
    sanitize_copy(small, sizeof small, NULL);
    assert_string_equal(small, "");
    sanitize_copy(small, 1, "abc");
    assert_string_equal(small, "");
    /* A long input: the copy is the prefix of what the sanitizer makes of the whole. */
    char *big = repeat("\x9b\xe2\x80\xae\xff\x01签", 5000);
    char *whole = sanitize_dup(big);
    char out[1024];
    sanitize_copy(out, sizeof out, big);
    assert_true(strlen(out) > 1000);
    assert_int_equal(strncmp(out, whole, strlen(out)), 0);
    assert_terminal_safe("copy", out);
    free(whole);
    free(big);
}

/* ---- the dataset loader on large files ----------------------------------------------------- */

/* n records (ids 1..n, then one repeat of id `dup` when dup > 0) and a Details entry for each
 * one. Duplicate detection and the Details lookup used to compare every pair: quadratic in
 * the number of records, minutes for a few hundred thousand. */
static char *big_dataset(size_t n, size_t dup)
{
    struct buf b = {0};
    buf_puts(&b, "{\"Records\":[");
    for (size_t i = 1; i <= n; i++)
        buf_printf(&b, "%s{\"Id\":%zu}", i > 1 ? "," : "", i);
    if (dup) buf_printf(&b, ",{\"Id\":%zu}", dup);
    buf_puts(&b, "],\"Details\":{");
    for (size_t i = 1; i <= n; i++)
        buf_printf(&b, "%s\"%zu\":[]", i > 1 ? "," : "", i);
    buf_puts(&b, "}}");
    return buf_steal(&b);
}

static void test_dataset_large_and_duplicates(void **state)
{
    (void)state;
    size_t n = 20000;
    char *json = big_dataset(n, 0);
    struct dataset ds;
    struct api_error err;
    assert_int_equal(dataset_load_json(&ds, json, strlen(json), &err), 0);
    assert_int_equal(ds.n_records, n);
    assert_non_null(dataset_find(&ds, 1));
    assert_non_null(dataset_find(&ds, n));
    assert_null(dataset_find(&ds, n + 1));
    dataset_free(&ds);
    free(json);

    json = big_dataset(n, 4321);
    assert_int_equal(dataset_load_json(&ds, json, strlen(json), &err), -1);
    char want[128];
    snprintf(want, sizeof want, "Records[%zu].Id: duplicate record id 4321 (as Records[4320])", n);
    assert_string_equal(err.message, want);
    free(json);

    /* Several duplicates: the first one in file order is reported, against its first use. */
    const char *two = "{\"Records\":[{\"Id\":7},{\"Id\":8},{\"Id\":9},{\"Id\":8},{\"Id\":7}]}";
    assert_int_equal(dataset_load_json(&ds, two, strlen(two), &err), -1);
    assert_string_equal(err.message, "Records[3].Id: duplicate record id 8 (as Records[1])");
    /* Details naming a record that is not there, or twice. */
    const char *missing = "{\"Records\":[{\"Id\":7}],\"Details\":{\"7\":[],\"70\":[]}}";
    assert_int_equal(dataset_load_json(&ds, missing, strlen(missing), &err), -1);
    assert_string_equal(err.message, "Details.70: no record with Id 70 in Records");
    const char *twice = "{\"Records\":[{\"Id\":7}],\"Details\":{\"7\":[],\"7\":[]}}";
    assert_int_equal(dataset_load_json(&ds, twice, strlen(twice), &err), -1);
    assert_string_equal(err.message, "Details.7: given twice");
    /* A failure with more entries after it (found by fuzz_dataset: the loops went on to the
     * next entry of a document the failure had already freed). */
    const char *bad_run = "{\"Records\":[{\"Id\":7},{\"Id\":8}],"
                          "\"Details\":{\"7\":[{\"Type\":\"x\"},{}],\"8\":[]}}";
    assert_int_equal(dataset_load_json(&ds, bad_run, strlen(bad_run), &err), -1);
    assert_string_equal(err.message, "Details.7[0].Type: expected integer, got string");
    const char *bad_key = "{\"Records\":[{\"Id\":7}],\"Details\":{\"x\":[],\"7\":[]}}";
    assert_int_equal(dataset_load_json(&ds, bad_key, strlen(bad_key), &err), -1);
    assert_string_equal(err.message, "Details.x: key is not a record id");
    assert_null(ds.records);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_creds_errors_never_quote_secrets),
        cmocka_unit_test(test_endpoint_password_not_in_error),
        cmocka_unit_test(test_bad_credentials_not_in_error),
        cmocka_unit_test(test_error_envelope_fields_are_inert),
        cmocka_unit_test(test_sanitize_copy_bounds),
        cmocka_unit_test(test_dataset_large_and_duplicates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
