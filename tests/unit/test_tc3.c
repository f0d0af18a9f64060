/* TC3-HMAC-SHA256: the official worked example of spec/API.md §5.5 step by step, its other
 * revisions, the UTC-date rule, header normalization, Authorization parsing and verify. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "core/tc3.h"
#include "core/util.h"

/* ---- the inputs and expected values, copied from spec/API.md §5.5 ------------------------- */

#define EX_TIMESTAMP  1551113065
#define EX_DATE       "2019-02-25"
#define EX_SERVICE    "cvm"
#define EX_HOST       "cvm.tencentcloudapi.com"
#define EX_CT         "application/json; charset=utf-8"
#define EX_SECRET_ID  "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE"
#define EX_SECRET_KEY "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE"
#define EX_BODY                                                                                    \
    "{\"Limit\": 1, \"Filters\": [{\"Values\": [\"\\u672a\\u547d\\u540d\"], \"Name\": "            \
    "\"instance-name\"}]}"

#define EX_PAYLOAD_HASH   "35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064"
#define EX_CANONICAL_HASH "5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031"
#define EX_SIGNATURE      "72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"
#define EX_CANONICAL                                                                               \
    "POST\n/\n\ncontent-type:" EX_CT "\nhost:" EX_HOST "\n\ncontent-type;host\n" EX_PAYLOAD_HASH
#define EX_STRING_TO_SIGN                                                                          \
    "TC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\n" EX_CANONICAL_HASH
#define EX_AUTHORIZATION                                                                           \
    "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/"              \
    "tc3_request, SignedHeaders=content-type;host, "                                               \
    "Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"

/* Chinese revision with masked keys. */
#define MASKED_SECRET_ID  "AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******"
#define MASKED_SECRET_KEY "Gu5t9xGARNpq86cd98joQYCN3*******"
#define MASKED_SIGNATURE  "2230eefd229f582d8b1b891af7107b91597240707d778ab3738f756258d7652c"

/* Newer revision signing x-tc-action too. */
#define ACTION_CANONICAL_HASH "7019a55be8395899b900fb5564e4200d984910f34794a27cb3fb7d10ff6a1e84"
#define ACTION_SECRET_KEY     "********************************"
#define ACTION_SIGNATURE      "10b1a37a7301a02ca19a647ad722d5e43b4b3cff309d421d85b46093f6ab6c4f"

static const struct tc3_header ex_headers[] = {
    {"Content-Type", EX_CT},
    {"Host", EX_HOST},
};

static struct tc3_request ex_request(const struct tc3_header *headers, size_t n)
{
    struct tc3_request req = {
        .method = "POST",
        .uri = "/",
        .query = "",
        .headers = headers,
        .n_headers = n,
        .payload = EX_BODY,
        .payload_len = strlen(EX_BODY),
        .unsigned_payload = false,
    };
    return req;
}

/* ---- §5.5 step by step -------------------------------------------------------------------- */

static void test_hashed_request_payload(void **state)
{
    (void)state;
    char hex[TC3_HEX_LEN + 1];
    tc3_sha256_hex(EX_BODY, strlen(EX_BODY), hex);
    assert_string_equal(hex, EX_PAYLOAD_HASH);
    /* GET payloads hash the empty string (FIPS 180 test vector). */
    tc3_sha256_hex("", 0, hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void test_canonical_request(void **state)
{
    (void)state;
    struct tc3_request req = ex_request(ex_headers, ARRAY_LEN(ex_headers));
    char *signed_headers = NULL;
    char *canonical = tc3_canonical_request(&req, &signed_headers);
    assert_string_equal(canonical, EX_CANONICAL);
    assert_string_equal(signed_headers, "content-type;host");

    char hex[TC3_HEX_LEN + 1];
    tc3_sha256_hex(canonical, strlen(canonical), hex);
    assert_string_equal(hex, EX_CANONICAL_HASH);

    /* signed_headers may be NULL. */
    char *again = tc3_canonical_request(&req, NULL);
    assert_string_equal(again, canonical);
    free(again);
    free(canonical);
    free(signed_headers);
}

static void test_utc_date(void **state)
{
    (void)state;
    char date[11];
    tc3_utc_date(EX_TIMESTAMP, date);
    assert_string_equal(date, EX_DATE);
    tc3_utc_date(0, date);
    assert_string_equal(date, "1970-01-01");
}

static void test_string_to_sign(void **state)
{
    (void)state;
    char *sts = tc3_string_to_sign(EX_TIMESTAMP, EX_SERVICE, EX_CANONICAL);
    assert_string_equal(sts, EX_STRING_TO_SIGN);
    free(sts);
}

static void test_signature(void **state)
{
    (void)state;
    char sig[TC3_HEX_LEN + 1];
    tc3_signature(EX_SECRET_KEY, EX_DATE, EX_SERVICE, EX_STRING_TO_SIGN, sig);
    assert_string_equal(sig, EX_SIGNATURE);
}

/* The whole chain on the page's request gives the page's Authorization header. */
static void assert_official_authorization(void)
{
    struct tc3_request req = ex_request(ex_headers, ARRAY_LEN(ex_headers));
    char *auth = tc3_authorization(&req, EX_SERVICE, EX_TIMESTAMP, EX_SECRET_ID, EX_SECRET_KEY);
    assert_string_equal(auth, EX_AUTHORIZATION);
    free(auth);
}

static void test_authorization(void **state)
{
    (void)state;
    assert_official_authorization();
}

/* ---- other revisions of the page ---------------------------------------------------------- */

static void test_masked_key_revision(void **state)
{
    (void)state;
    struct tc3_request req = ex_request(ex_headers, ARRAY_LEN(ex_headers));
    char *canonical = tc3_canonical_request(&req, NULL);
    char *sts = tc3_string_to_sign(EX_TIMESTAMP, EX_SERVICE, canonical);
    assert_string_equal(sts, EX_STRING_TO_SIGN); /* same hashes */
    char sig[TC3_HEX_LEN + 1];
    tc3_signature(MASKED_SECRET_KEY, EX_DATE, EX_SERVICE, sts, sig);
    assert_string_equal(sig, MASKED_SIGNATURE);

    char *auth =
        tc3_authorization(&req, EX_SERVICE, EX_TIMESTAMP, MASKED_SECRET_ID, MASKED_SECRET_KEY);
    assert_string_equal(auth, "TC3-HMAC-SHA256 Credential=" MASKED_SECRET_ID
                              "/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, "
                              "Signature=" MASKED_SIGNATURE);
    free(auth);
    free(sts);
    free(canonical);
}

static void test_action_header_revision(void **state)
{
    (void)state;
    /* Given out of order, with the action in its original case: sorting and lowercasing must
     * produce "x-tc-action:describeinstances" last. */
    const struct tc3_header headers[] = {
        {"X-TC-Action", "DescribeInstances"},
        {"Host", EX_HOST},
        {"Content-Type", EX_CT},
    };
    struct tc3_request req = ex_request(headers, ARRAY_LEN(headers));
    char *signed_headers = NULL;
    char *canonical = tc3_canonical_request(&req, &signed_headers);
    assert_string_equal(signed_headers, "content-type;host;x-tc-action");
    assert_string_equal(canonical, "POST\n/\n\ncontent-type:" EX_CT "\nhost:" EX_HOST
                                   "\nx-tc-action:describeinstances\n\n"
                                   "content-type;host;x-tc-action\n" EX_PAYLOAD_HASH);
    char hex[TC3_HEX_LEN + 1];
    tc3_sha256_hex(canonical, strlen(canonical), hex);
    assert_string_equal(hex, ACTION_CANONICAL_HASH);

    char *sts = tc3_string_to_sign(EX_TIMESTAMP, EX_SERVICE, canonical);
    assert_string_equal(
        sts, "TC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\n" ACTION_CANONICAL_HASH);
    char sig[TC3_HEX_LEN + 1];
    tc3_signature(ACTION_SECRET_KEY, EX_DATE, EX_SERVICE, sts, sig);
    assert_string_equal(sig, ACTION_SIGNATURE);

    char *auth = tc3_authorization(&req, EX_SERVICE, EX_TIMESTAMP, EX_SECRET_ID, ACTION_SECRET_KEY);
    assert_string_equal(auth,
                        "TC3-HMAC-SHA256 Credential=" EX_SECRET_ID "/2019-02-25/cvm/tc3_request, "
                        "SignedHeaders=content-type;host;x-tc-action, Signature=" ACTION_SIGNATURE);
    free(auth);
    free(sts);
    free(canonical);
    free(signed_headers);
}

/* ---- the UTC-date rule -------------------------------------------------------------------- */

/* TZ is saved and restored around the test even when an assertion fails in it. */
static char *saved_tz;
static bool had_tz;

static int save_tz(void **state)
{
    (void)state;
    had_tz = getenv("TZ") != NULL;
    saved_tz = had_tz ? xstrdup(getenv("TZ")) : NULL;
    return 0;
}

static int restore_tz(void **state)
{
    (void)state;
    if (had_tz)
        setenv("TZ", saved_tz, 1);
    else
        unsetenv("TZ");
    tzset();
    free(saved_tz);
    saved_tz = NULL;
    return 0;
}

static void test_utc_date_in_shanghai(void **state)
{
    (void)state;
    /* A few minutes after 16:00 UTC on the example's day: already the next day in UTC+8.
     * The spec says EX_TIMESTAMP is 2019-02-25 in UTC and 2019-02-26 in UTC+8. */
    int64_t just_after_16 = EX_TIMESTAMP - EX_TIMESTAMP % 86400 + 16 * 3600 + 5 * 60;
    int64_t stamps[] = {EX_TIMESTAMP, just_after_16};

    /* Prove the zone took effect (local time says the 26th); without tzdata Asia/Shanghai
     * silently means UTC, so fall back to the equivalent POSIX zone string. */
    setenv("TZ", "Asia/Shanghai", 1);
    tzset();
    time_t t0 = (time_t)EX_TIMESTAMP;
    struct tm local;
    assert_non_null(localtime_r(&t0, &local));
    if (local.tm_mday != 26) {
        setenv("TZ", "CST-8", 1);
        tzset();
    }
    for (size_t i = 0; i < ARRAY_LEN(stamps); i++) {
        time_t t = (time_t)stamps[i];
        assert_non_null(localtime_r(&t, &local));
        assert_int_equal(local.tm_mday, 26);

        char date[11];
        tc3_utc_date(stamps[i], date);
        assert_string_equal(date, EX_DATE);
    }

    /* The whole chain under TZ=Asia/Shanghai still gives the official Authorization. */
    assert_official_authorization();
}

/* ---- header normalization ------------------------------------------------------------------ */

static void test_header_normalization(void **state)
{
    (void)state;
    /* Mixed case, surrounding blanks, reversed order: same canonical request, same signature. */
    const struct tc3_header messy[] = {
        {"  HOST\t", " CVM.TencentCloudAPI.com  "},
        {"content-TYPE", "\tApplication/JSON; Charset=UTF-8 "},
    };
    struct tc3_request req = ex_request(messy, ARRAY_LEN(messy));
    char *signed_headers = NULL;
    char *canonical = tc3_canonical_request(&req, &signed_headers);
    assert_string_equal(canonical, EX_CANONICAL);
    assert_string_equal(signed_headers, "content-type;host");
    char *auth = tc3_authorization(&req, EX_SERVICE, EX_TIMESTAMP, EX_SECRET_ID, EX_SECRET_KEY);
    assert_string_equal(auth, EX_AUTHORIZATION);
    free(auth);
    free(canonical);
    free(signed_headers);

    /* Inner whitespace is part of the value and is kept. */
    const struct tc3_header inner[] = {{"Content-Type", "application/json;  charset=utf-8"},
                                       {"Host", EX_HOST}};
    req = ex_request(inner, ARRAY_LEN(inner));
    canonical = tc3_canonical_request(&req, NULL);
    assert_string_not_equal(canonical, EX_CANONICAL);
    assert_non_null(strstr(canonical, "content-type:application/json;  charset=utf-8\n"));
    free(canonical);
}

static void test_unsigned_payload(void **state)
{
    (void)state;
    struct tc3_request req = ex_request(ex_headers, ARRAY_LEN(ex_headers));
    req.unsigned_payload = true;
    char *canonical = tc3_canonical_request(&req, NULL);
    char expected_hash[TC3_HEX_LEN + 1];
    tc3_sha256_hex("UNSIGNED-PAYLOAD", strlen("UNSIGNED-PAYLOAD"), expected_hash);
    const char *last = strrchr(canonical, '\n');
    assert_non_null(last);
    assert_string_equal(last + 1, expected_hash);
    assert_string_not_equal(last + 1, EX_PAYLOAD_HASH);

    /* The body is then not covered: another body signs the same. */
    struct tc3_request other = req;
    other.payload = "{}";
    other.payload_len = 2;
    char *canonical2 = tc3_canonical_request(&other, NULL);
    assert_string_equal(canonical, canonical2);
    free(canonical);
    free(canonical2);
}

/* ---- parsing ------------------------------------------------------------------------------ */

static void test_parse_official(void **state)
{
    (void)state;
    struct tc3_auth a;
    assert_int_equal(tc3_parse_authorization(EX_AUTHORIZATION, &a), 0);
    assert_string_equal(a.secret_id, EX_SECRET_ID);
    assert_string_equal(a.date, EX_DATE);
    assert_string_equal(a.service, EX_SERVICE);
    assert_string_equal(a.signed_headers, "content-type;host");
    assert_string_equal(a.signature, EX_SIGNATURE);
}

static void test_parse_flexible_whitespace(void **state)
{
    (void)state;
    static const char *const ok[] = {
        "TC3-HMAC-SHA256 Credential=AKID/2019-02-25/ssl/tc3_request,SignedHeaders=content-type;"
        "host,Signature=" EX_SIGNATURE,
        "TC3-HMAC-SHA256 Credential=AKID/2019-02-25/ssl/tc3_request,  \tSignedHeaders=content-"
        "type;host,\t Signature=" EX_SIGNATURE,
        "TC3-HMAC-SHA256 Credential=AKID/2019-02-25/ssl/tc3_request, SignedHeaders=content-type;"
        "host, Signature=" EX_SIGNATURE "  ",
        /* Node SDK against 127.0.0.1:port: the service is "127". */
        "TC3-HMAC-SHA256 Credential=AKID/2019-02-25/127/tc3_request, SignedHeaders=content-type;"
        "host;x-tc-action, Signature=" EX_SIGNATURE,
    };
    for (size_t i = 0; i < ARRAY_LEN(ok); i++) {
        struct tc3_auth a;
        if (tc3_parse_authorization(ok[i], &a) != 0) fail_msg("rejected ok[%zu]: %s", i, ok[i]);
        assert_string_equal(a.secret_id, "AKID");
        assert_string_equal(a.date, "2019-02-25");
        assert_string_equal(a.signature, EX_SIGNATURE);
    }
}

#define SIG64 EX_SIGNATURE
#define PRE   "TC3-HMAC-SHA256 Credential="

static void test_parse_rejects(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "TC3-HMAC-SHA256",
        "TC3-HMAC-SHA256 ",
        "TC3-HMAC-SHA1 Credential=AKID/2019-02-25/ssl/tc3_request, SignedHeaders=host, "
        "Signature=" SIG64,
        "tc3-hmac-sha256 Credential=AKID/2019-02-25/ssl/tc3_request, SignedHeaders=host, "
        "Signature=" SIG64,
        "TC3-HMAC-SHA256Credential=AKID/2019-02-25/ssl/tc3_request, SignedHeaders=host, "
        "Signature=" SIG64,
        " TC3-HMAC-SHA256 Credential=AKID/2019-02-25/ssl/tc3_request, SignedHeaders=host, "
        "Signature=" SIG64,
        /* credential */
        PRE "/2019-02-25/ssl/tc3_request, SignedHeaders=host, Signature=" SIG64,
        PRE "AKID/2019-02-25//tc3_request, SignedHeaders=host, Signature=" SIG64,
        PRE "AKID/2019-02-25/ssl/tc4_request, SignedHeaders=host, Signature=" SIG64,
        PRE "AKID/2019-02-25/ssl, SignedHeaders=host, Signature=" SIG64,
        PRE "AKID/2019-02-25/ssl/tc3_request/x, SignedHeaders=host, Signature=" SIG64,
        PRE "AKID/2019-02-25/ssl/tc3_request SignedHeaders=host, Signature=" SIG64,
        PRE "AK ID/2019-02-25/ssl/tc3_request, SignedHeaders=host, Signature=" SIG64,
        PRE "AK\x1bID/2019-02-25/ssl/tc3_request, SignedHeaders=host, Signature=" SIG64,
        PRE "AKID/2019-2-25/ssl/tc3_request, SignedHeaders=host, Signature=" SIG64,
        PRE "AKID/2019-13-01/ssl/tc3_request, SignedHeaders=host, Signature=" SIG64,
        PRE "AKID/2019-02-00/ssl/tc3_request, SignedHeaders=host, Signature=" SIG64,
        PRE "AKID/2019-02-32/ssl/tc3_request, SignedHeaders=host, Signature=" SIG64,
        PRE "AKID/20190225/ssl/tc3_request, SignedHeaders=host, Signature=" SIG64,
        PRE "AKID/2019-02-255/ssl/tc3_request, SignedHeaders=host, Signature=" SIG64,
        PRE "AKID/2019-02-2/ssl/tc3_request, SignedHeaders=host, Signature=" SIG64,
        PRE "AKID/2019-02-25",
        /* signed headers */
        PRE "AKID/2019-02-25/ssl/tc3_request, Signature=" SIG64,
        PRE "AKID/2019-02-25/ssl/tc3_request, SignedHeaders=, Signature=" SIG64,
        PRE "AKID/2019-02-25/ssl/tc3_request, SignedHeaders=;host, Signature=" SIG64,
        PRE "AKID/2019-02-25/ssl/tc3_request, SignedHeaders=host;, Signature=" SIG64,
        PRE "AKID/2019-02-25/ssl/tc3_request, SignedHeaders=content-type;;host, Signature=" SIG64,
        PRE "AKID/2019-02-25/ssl/tc3_request, SignedHeaders=content type, Signature=" SIG64,
        PRE "AKID/2019-02-25/ssl/tc3_request, SignedHeaders=host Signature=" SIG64,
        PRE "AKID/2019-02-25/ssl/tc3_request, SignedHeaders=host",
        /* signature */
        PRE "AKID/2019-02-25/ssl/tc3_request, SignedHeaders=host, Signature=",
        PRE "AKID/2019-02-25/ssl/tc3_request, SignedHeaders=host, Signature=abc",
        PRE "AKID/2019-02-25/ssl/tc3_request, SignedHeaders=host, "
            "Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a9652516",
        PRE "AKID/2019-02-25/ssl/tc3_request, SignedHeaders=host, Signature=" SIG64 "0",
        PRE "AKID/2019-02-25/ssl/tc3_request, SignedHeaders=host, "
            "Signature=72E494EA809AD7A8C8F7A4507B9BDDCBAA8E581F516E8DA2F66E2C5A96525168",
        PRE "AKID/2019-02-25/ssl/tc3_request, SignedHeaders=host, "
            "Signature=g2e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168",
        PRE "AKID/2019-02-25/ssl/tc3_request, SignedHeaders=host, Signature=" SIG64 ", x=y",
        PRE "AKID/2019-02-25/ssl/tc3_request, SignedHeaders=host, Signature=" SIG64 "\r\nX: y",
        /* order and duplicates */
        PRE "AKID/2019-02-25/ssl/tc3_request, Signature=" SIG64 ", SignedHeaders=host",
        PRE "AKID/2019-02-25/ssl/tc3_request, SignedHeaders=host, SignedHeaders=host, "
            "Signature=" SIG64,
        PRE "AKID/2019-02-25/ssl/tc3_request, , SignedHeaders=host, Signature=" SIG64,
    };
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        struct tc3_auth a;
        if (tc3_parse_authorization(bad[i], &a) != -1) fail_msg("accepted bad[%zu]: %s", i, bad[i]);
    }
    struct tc3_auth a;
    assert_int_equal(tc3_parse_authorization(NULL, &a), -1);
}

/* Builds "PRE <id>/2019-02-25/<service>/tc3_request, SignedHeaders=<sh>, Signature=…". */
static char *auth_with(const char *id, const char *service, const char *sh)
{
    return xasprintf(PRE "%s/2019-02-25/%s/tc3_request, SignedHeaders=%s, Signature=" SIG64, id,
                     service, sh);
}

static char *repeat(char c, size_t n)
{
    char *s = xmalloc(n + 1);
    memset(s, c, n);
    s[n] = '\0';
    return s;
}

static void test_parse_length_limits(void **state)
{
    (void)state;
    struct tc3_auth a;
    /* Each field at its capacity is accepted; one more byte is rejected. */
    char *id128 = repeat('A', sizeof a.secret_id - 1), *id129 = repeat('A', sizeof a.secret_id);
    char *svc64 = repeat('s', sizeof a.service - 1), *svc65 = repeat('s', sizeof a.service);
    char *sh512 = repeat('h', sizeof a.signed_headers - 1);
    char *sh513 = repeat('h', sizeof a.signed_headers);

    char *s = auth_with(id128, "ssl", "host");
    assert_int_equal(tc3_parse_authorization(s, &a), 0);
    assert_string_equal(a.secret_id, id128);
    free(s);
    s = auth_with(id129, "ssl", "host");
    assert_int_equal(tc3_parse_authorization(s, &a), -1);
    free(s);

    s = auth_with("AKID", svc64, "host");
    assert_int_equal(tc3_parse_authorization(s, &a), 0);
    assert_string_equal(a.service, svc64);
    free(s);
    s = auth_with("AKID", svc65, "host");
    assert_int_equal(tc3_parse_authorization(s, &a), -1);
    free(s);

    s = auth_with("AKID", "ssl", sh512);
    assert_int_equal(tc3_parse_authorization(s, &a), 0);
    assert_string_equal(a.signed_headers, sh512);
    free(s);
    s = auth_with("AKID", "ssl", sh513);
    assert_int_equal(tc3_parse_authorization(s, &a), -1);
    free(s);

    /* A huge header of garbage, and a huge valid-looking prefix. */
    char *huge = repeat('A', 100000);
    assert_int_equal(tc3_parse_authorization(huge, &a), -1);
    s = auth_with(huge, "ssl", "host");
    assert_int_equal(tc3_parse_authorization(s, &a), -1);
    free(s);

    free(huge);
    free(id128);
    free(id129);
    free(svc64);
    free(svc65);
    free(sh512);
    free(sh513);
}

/* Every prefix of a valid header is rejected (no read past the end, no partial accept). */
static void test_parse_truncations(void **state)
{
    (void)state;
    size_t n = strlen(EX_AUTHORIZATION);
    for (size_t i = 0; i < n; i++) {
        char *prefix = xstrndup(EX_AUTHORIZATION, i);
        struct tc3_auth a;
        if (tc3_parse_authorization(prefix, &a) != -1) fail_msg("accepted prefix of %zu bytes", i);
        free(prefix);
    }
}

/* ---- verify ------------------------------------------------------------------------------- */

static void test_verify(void **state)
{
    (void)state;
    struct tc3_auth auth;
    assert_int_equal(tc3_parse_authorization(EX_AUTHORIZATION, &auth), 0);
    struct tc3_request req = ex_request(ex_headers, ARRAY_LEN(ex_headers));

    assert_true(tc3_verify(&req, &auth, EX_TIMESTAMP, EX_SECRET_KEY));
    assert_false(tc3_verify(&req, &auth, EX_TIMESTAMP, MASKED_SECRET_KEY));
    assert_false(tc3_verify(&req, &auth, EX_TIMESTAMP, ""));

    /* Tampered body: one byte changed, one byte dropped. */
    struct tc3_request t = req;
    char *body = xstrdup(EX_BODY);
    body[10] = '2'; /* "Limit": 1 -> 2 */
    assert_true(strncmp(EX_BODY, "{\"Limit\": 1", 11) == 0);
    t.payload = body;
    assert_false(tc3_verify(&t, &auth, EX_TIMESTAMP, EX_SECRET_KEY));
    t.payload = EX_BODY;
    t.payload_len = strlen(EX_BODY) - 1;
    assert_false(tc3_verify(&t, &auth, EX_TIMESTAMP, EX_SECRET_KEY));
    free(body);

    /* Tampered header value. */
    const struct tc3_header other_host[] = {{"Content-Type", EX_CT},
                                            {"Host", "cvm.ap-guangzhou.tencentcloudapi.com"}};
    t = ex_request(other_host, ARRAY_LEN(other_host));
    assert_false(tc3_verify(&t, &auth, EX_TIMESTAMP, EX_SECRET_KEY));
    const struct tc3_header other_ct[] = {{"Content-Type", "application/json"}, {"Host", EX_HOST}};
    t = ex_request(other_ct, ARRAY_LEN(other_ct));
    assert_false(tc3_verify(&t, &auth, EX_TIMESTAMP, EX_SECRET_KEY));

    /* Header case and blanks do not matter (they are normalized on both sides). */
    const struct tc3_header messy[] = {{" host", EX_HOST " "}, {"CONTENT-TYPE", EX_CT}};
    t = ex_request(messy, ARRAY_LEN(messy));
    assert_true(tc3_verify(&t, &auth, EX_TIMESTAMP, EX_SECRET_KEY));

    /* More headers than were signed. */
    const struct tc3_header extra[] = {
        {"Content-Type", EX_CT}, {"Host", EX_HOST}, {"X-TC-Action", "DescribeInstances"}};
    t = ex_request(extra, ARRAY_LEN(extra));
    assert_false(tc3_verify(&t, &auth, EX_TIMESTAMP, EX_SECRET_KEY));

    /* Another timestamp: the same day and the next day. */
    assert_false(tc3_verify(&req, &auth, EX_TIMESTAMP + 1, EX_SECRET_KEY));
    assert_false(tc3_verify(&req, &auth, EX_TIMESTAMP + 86400, EX_SECRET_KEY));

    /* A tampered signature (last hex digit). */
    struct tc3_auth bad = auth;
    bad.signature[TC3_HEX_LEN - 1] = bad.signature[TC3_HEX_LEN - 1] == '8' ? '9' : '8';
    assert_false(tc3_verify(&req, &bad, EX_TIMESTAMP, EX_SECRET_KEY));

    /* A tampered service in the scope. */
    bad = auth;
    strcpy(bad.service, "ssl");
    assert_false(tc3_verify(&req, &bad, EX_TIMESTAMP, EX_SECRET_KEY));
}

static void test_verify_wrong_date(void **state)
{
    (void)state;
    struct tc3_request req = ex_request(ex_headers, ARRAY_LEN(ex_headers));
    struct tc3_auth auth;
    assert_int_equal(tc3_parse_authorization(EX_AUTHORIZATION, &auth), 0);

    /* The scope's date replaced by the UTC+8 date the spec warns about. */
    strcpy(auth.date, "2019-02-26");
    assert_false(tc3_verify(&req, &auth, EX_TIMESTAMP, EX_SECRET_KEY));

    /* A client that consistently used the local date everywhere (its key chain and its
     * string to sign agree with its scope): still rejected. */
    const char *local_sts =
        "TC3-HMAC-SHA256\n1551113065\n2019-02-26/cvm/tc3_request\n" EX_CANONICAL_HASH;
    tc3_signature(EX_SECRET_KEY, "2019-02-26", EX_SERVICE, local_sts, auth.signature);
    assert_false(tc3_verify(&req, &auth, EX_TIMESTAMP, EX_SECRET_KEY));
}

static void test_verify_roundtrip(void **state)
{
    (void)state;
    /* What the client signs, the emulator accepts: x-tc-action signed, unsigned payload. */
    const struct tc3_header headers[] = {{"Content-Type", "application/json"},
                                         {"Host", "127.0.0.1:18443"},
                                         {"X-TC-Action", "DescribeHostUploadUpdateRecord"}};
    struct tc3_request req = ex_request(headers, ARRAY_LEN(headers));
    for (int unsigned_payload = 0; unsigned_payload <= 1; unsigned_payload++) {
        req.unsigned_payload = unsigned_payload;
        char *s = tc3_authorization(&req, "ssl", 1700000000, "AKIDtest", "secret");
        struct tc3_auth auth;
        assert_int_equal(tc3_parse_authorization(s, &auth), 0);
        assert_string_equal(auth.signed_headers, "content-type;host;x-tc-action");
        assert_string_equal(auth.service, "ssl");
        assert_true(tc3_verify(&req, &auth, 1700000000, "secret"));
        assert_false(tc3_verify(&req, &auth, 1700000000, "secreT"));
        struct tc3_request other = req;
        other.payload = "{}";
        other.payload_len = 2;
        /* An unsigned payload does not cover the body; a signed one does. */
        assert_int_equal(tc3_verify(&other, &auth, 1700000000, "secret"), unsigned_payload);
        free(s);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hashed_request_payload),
        cmocka_unit_test(test_canonical_request),
        cmocka_unit_test(test_utc_date),
        cmocka_unit_test(test_string_to_sign),
        cmocka_unit_test(test_signature),
        cmocka_unit_test(test_authorization),
        cmocka_unit_test(test_masked_key_revision),
        cmocka_unit_test(test_action_header_revision),
        cmocka_unit_test_setup_teardown(test_utc_date_in_shanghai, save_tz, restore_tz),
        cmocka_unit_test(test_header_normalization),
        cmocka_unit_test(test_unsigned_payload),
        cmocka_unit_test(test_parse_official),
        cmocka_unit_test(test_parse_flexible_whitespace),
        cmocka_unit_test(test_parse_rejects),
        cmocka_unit_test(test_parse_length_limits),
        cmocka_unit_test(test_parse_truncations),
        cmocka_unit_test(test_verify),
        cmocka_unit_test(test_verify_wrong_date),
        cmocka_unit_test(test_verify_roundtrip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
