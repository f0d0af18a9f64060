/* Tests for core/apierr: every code of spec/API.md §4.2 and §4.3 is in the one table (listed
 * here from the spec, independently of the table), family fallback, retryable flags, hints,
 * one-line sanitized formatting, and exit codes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/apierr.h"
#include "core/sanitize.h"
#include "core/util.h"

/* spec/API.md §4.2, common codes. */
static const char *const spec_common[] = {
    "ActionOffline",
    "AuthFailure.InvalidAuthorization",
    "AuthFailure.InvalidSecretId",
    "AuthFailure.MFAFailure",
    "AuthFailure.SecretIdNotFound",
    "AuthFailure.SignatureExpire",
    "AuthFailure.SignatureFailure",
    "AuthFailure.TokenFailure",
    "AuthFailure.UnauthorizedOperation",
    "DryRunOperation",
    "FailedOperation",
    "InternalError",
    "InvalidAction",
    "InvalidParameter",
    "InvalidParameterValue",
    "InvalidRequest",
    "IpInBlacklist",
    "IpNotInWhitelist",
    "LimitExceeded",
    "MissingParameter",
    "NoSuchProduct",
    "NoSuchVersion",
    "RequestLimitExceeded",
    "RequestLimitExceeded.GlobalRegionUinLimitExceeded",
    "RequestLimitExceeded.IPLimitExceeded",
    "RequestLimitExceeded.UinLimitExceeded",
    "RequestSizeLimitExceeded",
    "ResourceInUse",
    "ResourceInsufficient",
    "ResourceNotFound",
    "ResourceUnavailable",
    "ResponseSizeLimitExceeded",
    "ServiceUnavailable",
    "UnauthorizedOperation",
    "UnknownParameter",
    "UnsupportedOperation",
    "UnsupportedProtocol",
    "UnsupportedRegion",
};

/* spec/API.md §4.3, the ssl update family's action codes (and CertificateDeployNotExist from
 * the ssl error list it mentions). */
static const char *const spec_ssl[] = {
    "FailedOperation.AuthError",
    "FailedOperation.CertificateDeployDetailRollbackStatusInvalid",
    "FailedOperation.CertificateDeployHasPendingRecord",
    "FailedOperation.CertificateDeployInstanceEmpty",
    "FailedOperation.CertificateDeployNotExist",
    "FailedOperation.CertificateDeployRetryStatusInvalid",
    "FailedOperation.CertificateDeployRollbackStatusInvalid",
    "FailedOperation.CertificateExists",
    "FailedOperation.CertificateHostDeployCanNotAllow",
    "FailedOperation.CertificateHostResourceInnerInterrupt",
    "FailedOperation.CertificateHostResourceInstanceHugeLimit",
    "FailedOperation.CertificateHostResourceTypeInvalid",
    "FailedOperation.CertificateInvalid",
    "FailedOperation.CertificateMatchError",
    "FailedOperation.CertificateNotAvailable",
    "FailedOperation.CertificateNotDeployInstance",
    "FailedOperation.CertificateNotFound",
    "FailedOperation.CertificateParseError",
    "FailedOperation.CertificateWhiteFuncError",
    "FailedOperation.InvalidParam",
    "FailedOperation.NoProjectPermission",
    "FailedOperation.NoRealNameAuth",
    "FailedOperation.RoleNotFoundAuthorization",
    "InvalidParameter.WithDetailReason",
    "InvalidParameterValue.IntermediateCertNotSame",
    "LimitExceeded.RateLimitExceeded",
};

/* An APIERR_API error with this code, message and request id. */
static struct api_error api_err(const char *code, const char *message, const char *request_id)
{
    struct api_error e;
    apierr_clear(&e);
    e.kind = APIERR_API;
    snprintf(e.code, sizeof e.code, "%s", code);
    snprintf(e.message, sizeof e.message, "%s", message);
    snprintf(e.request_id, sizeof e.request_id, "%s", request_id);
    return e;
}

static void assert_exact(const char *code)
{
    const struct apierr_info *info = apierr_lookup(code);
    if (!info) fail_msg("%s is not in the table", code);
    /* Exact, not a family fallback. */
    assert_string_equal(info->code, code);
    assert_non_null(info->hint);
    assert_true(strlen(info->hint) > 10);
}

static void test_every_spec_code_is_in_the_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(spec_common); i++)
        assert_exact(spec_common[i]);
    for (size_t i = 0; i < ARRAY_LEN(spec_ssl); i++)
        assert_exact(spec_ssl[i]);
}

static void test_table_is_well_formed(void **state)
{
    (void)state;
    size_t n = 0;
    const struct apierr_info *t = apierr_table(&n);
    assert_non_null(t);
    assert_true(n >= ARRAY_LEN(spec_common) + ARRAY_LEN(spec_ssl));
    assert_non_null(apierr_table(NULL));
    for (size_t i = 0; i < n; i++) {
        assert_non_null(t[i].code);
        assert_true(t[i].code[0] != '\0');
        /* One line telling the operator what to do. */
        assert_non_null(t[i].hint);
        assert_true(strlen(t[i].hint) > 10);
        assert_null(strchr(t[i].hint, '\n'));
        for (size_t j = i + 1; j < n; j++)
            if (strcmp(t[i].code, t[j].code) == 0) fail_msg("%s is listed twice", t[i].code);
        /* Every entry's family is itself in the table, so fallback works for new sub-codes. */
        const char *dot = strchr(t[i].code, '.');
        if (dot) {
            char family[128];
            snprintf(family, sizeof family, "%.*s", (int)(dot - t[i].code), t[i].code);
            const struct apierr_info *f = apierr_lookup(family);
            if (!f || strcmp(f->code, family) != 0) fail_msg("family %s missing", family);
        }
    }
}

static void test_family_fallback(void **state)
{
    (void)state;
    static const struct {
        const char *code, *family; /* family NULL: not in the table at all */
    } cases[] = {
        {"AuthFailure.SomethingNew", "AuthFailure"},
        {"FailedOperation.CertificateDeployTooManyCats", "FailedOperation"},
        {"RequestLimitExceeded.SomeNewLimit", "RequestLimitExceeded"},
        {"ResourceNotFound.Record.Deep", "ResourceNotFound"},
        {"NoSuchThing", NULL},
        {"NoSuchThing.Either", NULL},
        {"", NULL},
        {NULL, NULL},
        {".AuthFailure", NULL},
        {"Auth", NULL},                           /* a prefix of a code is not that code */
        {"AuthFailure.Signature", "AuthFailure"}, /* the family, not SignatureFailure */
        {"internalerror", NULL},                  /* case matters: codes are identifiers */
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        const struct apierr_info *info = apierr_lookup(cases[i].code);
        if (!cases[i].family) {
            assert_null(info);
            continue;
        }
        assert_non_null(info);
        assert_string_equal(info->code, cases[i].family);
    }
    assert_false(apierr_lookup("AuthFailure.SomethingNew")->retryable);
    assert_true(apierr_lookup("RequestLimitExceeded.SomeNewLimit")->retryable);
}

static void test_retryable_flags(void **state)
{
    (void)state;
    const char *yes[] = {"RequestLimitExceeded",
                         "RequestLimitExceeded.UinLimitExceeded",
                         "RequestLimitExceeded.IPLimitExceeded",
                         "RequestLimitExceeded.GlobalRegionUinLimitExceeded",
                         "LimitExceeded.RateLimitExceeded",
                         "InternalError",
                         "ServiceUnavailable",
                         "ResourceUnavailable"};
    const char *no[] = {"AuthFailure.SignatureFailure",
                        "AuthFailure.SignatureExpire",
                        "AuthFailure.SecretIdNotFound",
                        "AuthFailure.UnauthorizedOperation",
                        "UnauthorizedOperation",
                        "InvalidParameter",
                        "InvalidParameterValue",
                        "MissingParameter",
                        "UnknownParameter",
                        "LimitExceeded",
                        "FailedOperation",
                        "FailedOperation.CertificateDeployRollbackStatusInvalid",
                        "FailedOperation.CertificateDeployRetryStatusInvalid",
                        "FailedOperation.CertificateNotFound",
                        "ResourceNotFound",
                        "InvalidAction"};
    struct api_error e;
    for (size_t i = 0; i < ARRAY_LEN(yes); i++) {
        assert_true(apierr_lookup(yes[i])->retryable);
        e = api_err(yes[i], "", "");
        if (!apierr_retryable(&e)) fail_msg("%s should be retryable", yes[i]);
    }
    for (size_t i = 0; i < ARRAY_LEN(no); i++) {
        assert_false(apierr_lookup(no[i])->retryable);
        e = api_err(no[i], "", "");
        if (apierr_retryable(&e)) fail_msg("%s should not be retryable", no[i]);
    }
    /* Unknown API codes are not retried. */
    e = api_err("Mystery", "", "");
    assert_false(apierr_retryable(&e));

    /* Other kinds. */
    apierr_clear(&e);
    e.kind = APIERR_HTTP;
    e.http_status = 503;
    assert_true(apierr_retryable(&e));
    e.http_status = 429;
    assert_true(apierr_retryable(&e));
    e.http_status = 404;
    assert_false(apierr_retryable(&e));
    apierr_clear(&e);
    apierr_set(&e, APIERR_TRANSPORT, "connection refused");
    assert_true(apierr_retryable(&e));
    apierr_clear(&e);
    e.kind = APIERR_TRANSPORT;
    strcpy(e.transport, "TLS certificate verification failed: self-signed certificate");
    assert_false(apierr_retryable(&e));
    apierr_clear(&e);
    apierr_set(&e, APIERR_DECODE, "Response: missing"); /* a cut or garbled body: transient */
    assert_true(apierr_retryable(&e));
    apierr_set(&e, APIERR_CANCELLED, "cancelled");
    assert_false(apierr_retryable(&e));
    apierr_set(&e, APIERR_USAGE, "no credentials");
    assert_false(apierr_retryable(&e));
    apierr_clear(&e);
    assert_false(apierr_retryable(&e));
    assert_false(apierr_retryable(NULL));
}

static void assert_contains(const char *hay, const char *needle)
{
    if (!hay || !strstr(hay, needle)) fail_msg("\"%s\" does not contain \"%s\"", hay, needle);
}

static const char *hint_for_code(const char *code)
{
    static struct api_error e;
    e = api_err(code, "", "");
    return apierr_hint(&e);
}

static void test_hints(void **state)
{
    (void)state;
    assert_contains(hint_for_code("AuthFailure.SignatureExpire"), "clock");
    assert_contains(hint_for_code("AuthFailure.SignatureExpire"), "5 minutes");
    assert_contains(hint_for_code("AuthFailure.SecretIdNotFound"), "SecretId");
    assert_contains(hint_for_code("AuthFailure.SecretIdNotFound"), "spaces");
    assert_contains(hint_for_code("UnauthorizedOperation"), "CAM");
    assert_contains(hint_for_code("AuthFailure.UnauthorizedOperation"), "ssl:");
    assert_contains(hint_for_code("RequestLimitExceeded"), "slowing down");
    assert_contains(hint_for_code("LimitExceeded.RateLimitExceeded"), "slowing down");
    /* A new sub-code gets its family's hint; an unknown code still gets one. */
    assert_string_equal(hint_for_code("AuthFailure.Brand.New"), hint_for_code("AuthFailure"));
    assert_true(strlen(hint_for_code("Mystery.Code")) > 10);

    struct api_error e;
    apierr_clear(&e);
    assert_string_equal(apierr_hint(&e), "");
    assert_string_equal(apierr_hint(NULL), "");
    e.kind = APIERR_TRANSPORT;
    strcpy(e.transport, "connection refused");
    assert_contains(apierr_hint(&e), "https_proxy");
    assert_contains(apierr_hint(&e), "--endpoint");
    strcpy(e.transport, "TLS certificate verification failed: unable to get local issuer");
    assert_contains(apierr_hint(&e), "--cacert");
    assert_contains(apierr_hint(&e), "--insecure");
    apierr_clear(&e);
    e.kind = APIERR_HTTP;
    e.http_status = 503;
    assert_contains(apierr_hint(&e), "retry in a moment");
    e.http_status = 502;
    assert_contains(apierr_hint(&e), "retry in a moment");
    e.http_status = 404;
    assert_true(strlen(apierr_hint(&e)) > 10);
    apierr_clear(&e);
    e.kind = APIERR_DECODE;
    assert_contains(apierr_hint(&e), "RequestId");
    for (int k = APIERR_API; k <= APIERR_USAGE; k++) {
        apierr_clear(&e);
        e.kind = (enum apierr_kind)k;
        assert_non_null(apierr_hint(&e));
        assert_true(strlen(apierr_hint(&e)) > 5);
    }
}

static void test_format(void **state)
{
    (void)state;
    char buf[256];
    struct api_error e =
        api_err("AuthFailure.SignatureFailure", "The provided credentials could not be validated.",
                "79b4dae4-51a7-4345-9b2b-0c6a29f69291");
    assert_ptr_equal(apierr_format(&e, buf, sizeof buf), buf);
    assert_string_equal(buf, "AuthFailure.SignatureFailure: The provided credentials could not "
                             "be validated. (RequestId 79b4dae4-51a7-4345-9b2b-0c6a29f69291)");
    e.request_id[0] = '\0';
    e.message[0] = '\0';
    assert_string_equal(apierr_format(&e, buf, sizeof buf), "AuthFailure.SignatureFailure");

    apierr_clear(&e);
    e.kind = APIERR_HTTP;
    e.http_status = 503;
    strcpy(e.message, "Service Unavailable");
    assert_string_equal(apierr_format(&e, buf, sizeof buf), "HTTP 503: Service Unavailable");

    apierr_clear(&e);
    e.kind = APIERR_TRANSPORT;
    strcpy(e.transport, "connection refused");
    assert_string_equal(apierr_format(&e, buf, sizeof buf), "network: connection refused");
    apierr_clear(&e);
    apierr_set(&e, APIERR_TRANSPORT, "timed out after %d s", 10);
    assert_string_equal(apierr_format(&e, buf, sizeof buf), "network: timed out after 10 s");

    apierr_clear(&e);
    apierr_set(&e, APIERR_DECODE,
               "Response.DeployRecordDetail[0].Status: expected integer, got "
               "string");
    strcpy(e.request_id, "r-1");
    assert_string_equal(apierr_format(&e, buf, sizeof buf),
                        "bad response: Response.DeployRecordDetail[0].Status: expected integer, "
                        "got string (RequestId r-1)");
    apierr_set(&e, APIERR_DECODE, "response is not valid JSON (at byte 0)");
    e.request_id[0] = '\0';
    assert_string_equal(apierr_format(&e, buf, sizeof buf),
                        "response is not valid JSON (at byte 0)");
    apierr_clear(&e);
    assert_true(strlen(apierr_format(&e, buf, sizeof buf)) > 0);
    assert_true(strlen(apierr_format(NULL, buf, sizeof buf)) > 0);
}

static void assert_terminal_safe(const char *s)
{
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if (*c < 0x20 || *c == 0x7f) fail_msg("control byte 0x%02x in \"%s\"", *c, s);
        if (*c == 0xc2 && c[1] >= 0x80 && c[1] <= 0x9f) fail_msg("C1 control in \"%s\"", s);
    }
    assert_int_equal(utf8_invalid_offset(s, strlen(s)), -1);
}

static void test_format_sanitizes(void **state)
{
    (void)state;
    char buf[512];
    struct api_error e = api_err("InvalidParameter\x1b]0;owned\x07",
                                 "bad \x1b[31mred\x1b[0m\r\nsecond line \xc2\x9b"
                                 "2J \xff end",
                                 "r\x1b[2J");
    apierr_format(&e, buf, sizeof buf);
    assert_terminal_safe(buf);
    /* Still readable: the text around the escapes survives, on one line. */
    assert_contains(buf, "InvalidParameter");
    assert_contains(buf, "red");
    assert_contains(buf, "second line");
    assert_contains(buf, "end");
    assert_contains(buf, "^[");

    apierr_clear(&e);
    e.kind = APIERR_TRANSPORT;
    strcpy(e.transport, "reset by \x1b[5mpeer\n");
    apierr_format(&e, buf, sizeof buf);
    assert_terminal_safe(buf);
    assert_contains(buf, "network: ");
}

static void test_format_truncates_safely(void **state)
{
    (void)state;
    struct api_error e = api_err("FailedOperation", "", "");
    /* Three-byte characters: a cut must land on a boundary. */
    for (size_t i = 0; i + 3 < sizeof e.message; i += 3)
        memcpy(e.message + i, "\xe4\xb8\xad", 3);
    for (size_t n = 1; n < 40; n++) {
        char small[41];
        memset(small, 'Z', sizeof small);
        apierr_format(&e, small, n);
        assert_true(strlen(small) < n);
        assert_int_equal(utf8_invalid_offset(small, strlen(small)), -1);
        assert_int_equal(small[n], 'Z'); /* nothing written past n */
    }
    char untouched = 'x';
    apierr_format(&e, &untouched, 0);
    assert_int_equal(untouched, 'x');
}

static void test_set_and_clear(void **state)
{
    (void)state;
    struct api_error e;
    memset(&e, 0x7f, sizeof e);
    apierr_clear(&e);
    assert_int_equal(e.kind, APIERR_NONE);
    assert_string_equal(e.code, "");
    assert_string_equal(e.message, "");
    assert_string_equal(e.request_id, "");
    assert_string_equal(e.transport, "");
    assert_int_equal(e.http_status, 0);

    /* apierr_set fills kind and message and leaves the other fields to the caller. */
    e.http_status = 502;
    strcpy(e.request_id, "rid");
    apierr_set(&e, APIERR_HTTP, "%s %d", "Bad Gateway", 2);
    assert_int_equal(e.kind, APIERR_HTTP);
    assert_string_equal(e.message, "Bad Gateway 2");
    assert_int_equal(e.http_status, 502);
    assert_string_equal(e.request_id, "rid");

    /* A long message is cut to the buffer, terminated. */
    char big[3000];
    memset(big, 'm', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    apierr_set(&e, APIERR_USAGE, "%s", big);
    assert_int_equal(strlen(e.message), sizeof e.message - 1);
    apierr_set(NULL, APIERR_USAGE, "ignored");
    apierr_clear(NULL);
}

static void test_exit_codes(void **state)
{
    (void)state;
    struct api_error e;
    apierr_clear(&e);
    assert_int_equal(apierr_exit_code(&e), 0);
    const struct {
        enum apierr_kind kind;
        int code;
    } cases[] = {
        {APIERR_API, 1},   {APIERR_HTTP, 1},      {APIERR_DECODE, 1},
        {APIERR_USAGE, 2}, {APIERR_TRANSPORT, 3}, {APIERR_CANCELLED, 3},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        e.kind = cases[i].kind;
        assert_int_equal(apierr_exit_code(&e), cases[i].code);
    }
}

/* Which failed writes may still have been applied (sent, then no clear answer), and their
 * exit code. */
static void test_write_outcome_unknown(void **state)
{
    (void)state;
    struct api_error e;
    apierr_clear(&e);
    apierr_set(&e, APIERR_TRANSPORT, "connection refused"); /* never left */
    assert_false(apierr_write_may_have_applied(&e));
    e.request_sent = true; /* a timeout or reset after the request went out */
    assert_true(apierr_write_may_have_applied(&e));
    apierr_clear(&e);
    apierr_set(&e, APIERR_DECODE, "Response: missing");
    assert_true(apierr_write_may_have_applied(&e));
    apierr_clear(&e);
    e.kind = APIERR_HTTP;
    e.http_status = 504;
    assert_true(apierr_write_may_have_applied(&e));
    e.http_status = 503; /* the service refused to start it */
    assert_false(apierr_write_may_have_applied(&e));
    apierr_clear(&e);
    apierr_set(&e, APIERR_API, "refused");
    strcpy(e.code, "FailedOperation.InvalidParam");
    assert_false(apierr_write_may_have_applied(&e));
    assert_int_equal(apierr_exit_code(&e), 1);
    e.outcome_unknown = true;
    assert_int_equal(apierr_exit_code(&e), APIERR_EXIT_OUTCOME_UNKNOWN);
    assert_non_null(strstr(apierr_hint(&e), "may have been applied"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_write_outcome_unknown),
        cmocka_unit_test(test_every_spec_code_is_in_the_table),
        cmocka_unit_test(test_table_is_well_formed),
        cmocka_unit_test(test_family_fallback),
        cmocka_unit_test(test_retryable_flags),
        cmocka_unit_test(test_hints),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_format_sanitizes),
        cmocka_unit_test(test_format_truncates_safely),
        cmocka_unit_test(test_set_and_clear),
        cmocka_unit_test(test_exit_codes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
